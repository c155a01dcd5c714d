/* SPDX-License-Identifier: MIT */
/*
 * test_wipe.c - no secret is left in memory the library frees. The test
 * is linked with --wrap for malloc, calloc, realloc and free, so every
 * block httpr's own code frees passes through a check first: a freed block
 * that still holds the secret of the moment (a password, a private key's
 * PEM text, a PKCS#12 file's bytes, a key-log line) is counted, and each
 * test expects none. The TLS libraries' own frees are not wrapped (they
 * are theirs to wipe); realloc counts when the block it may move holds the
 * secret, since the old copy is freed unwiped.
 *
 * Covered: the config's password (replaced, copied into a client, freed),
 * PEM credential texts, the key log's line copy, and the PKCS#12 and PEM
 * paths of every provider's TLS context.
 */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/internal.h"
#include "api/tls_context.h"
#include "common/wipe.h"
#include "backends/credentials.h"
#include "backends/keylog.h"

/* ---- the wrapped allocator ----------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* Blocks httpr's code allocated, with their sizes; blocks from elsewhere
 * (strdup, scandir: allocated inside libc) are read up to their first NUL,
 * which is where a string secret ends and where a wiped one begins. */
#define SLOTS 8192
static struct {
  void *p;
  size_t n;
} slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char secret[64];
static size_t secret_len;
static int unwiped; /* freed blocks that still held the secret */

static void track(void *p, size_t n) {
  if (!p)
    return;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < SLOTS; i++) {
    if (!slots[i].p) {
      slots[i].p = p;
      slots[i].n = n;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
}

/* The block's size as allocated, forgetting it (*tracked 1); for a block
 * allocated elsewhere a string's length (*tracked 0). Called with the
 * lock held. */
static size_t forget(void *p, int *tracked) {
  *tracked = 1;
  for (size_t i = 0; i < SLOTS; i++) {
    if (slots[i].p == p) {
      slots[i].p = NULL;
      return slots[i].n;
    }
  }
  *tracked = 0;
  return strnlen(p, malloc_usable_size(p));
}

static void check_block(void *p, size_t n) {
  if (secret_len && n >= secret_len && memmem(p, n, secret, secret_len))
    unwiped++;
}

/* Blocks start zeroed, so that the check never reads bytes nobody wrote
 * (a buffer sized for the worst case, a string's slack). */
void *__wrap_malloc(size_t n) {
  void *p = __real_malloc(n);
  if (p)
    memset(p, 0, n);
  track(p, n);
  return p;
}

void *__wrap_calloc(size_t count, size_t n) {
  void *p = __real_calloc(count, n);
  track(p, count * n);
  return p;
}

void *__wrap_realloc(void *p, size_t n) {
  size_t old = 0;
  int tracked = 1;
  if (p) {
    pthread_mutex_lock(&lock);
    old = forget(p, &tracked);
    check_block(p, old);
    if (!tracked)
      old = malloc_usable_size(p); /* realloc copies all of it */
    pthread_mutex_unlock(&lock);
  }
  void *q = __real_realloc(p, n);
  if (q && n > old)
    memset((char *)q + old, 0, n - old);
  track(q, n);
  return q;
}

void __wrap_free(void *p) {
  if (p) {
    int tracked;
    pthread_mutex_lock(&lock);
    check_block(p, forget(p, &tracked));
    pthread_mutex_unlock(&lock);
  }
  __real_free(p);
}

/* From now on, frees are checked for these bytes. */
static void watch(const void *bytes, size_t len) {
  assert_true(len <= sizeof(secret));
  pthread_mutex_lock(&lock);
  memcpy(secret, bytes, len);
  secret_len = len;
  unwiped = 0;
  pthread_mutex_unlock(&lock);
}

static int unwiped_blocks(void) {
  pthread_mutex_lock(&lock);
  int n = unwiped;
  secret_len = 0;
  pthread_mutex_unlock(&lock);
  return n;
}

/* ---- the test PKI -------------------------------------------------------- */

static const char *pki(const char *name) {
  static char path[4][512];
  static int next;
  const char *dir = getenv("PKI_DIR");
  assert_non_null(dir);
  next = (next + 1) % 4;
  snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
  return path[next];
}

/* The first len bytes of a PKI file (a PKCS#12 file's own bytes). */
static void file_start(const char *name, unsigned char *out, size_t len) {
  FILE *f = fopen(pki(name), "rb");
  assert_non_null(f);
  assert_int_equal(fread(out, 1, len, f), len);
  fclose(f);
}

/* ---- the library --------------------------------------------------------- */

#define PASSWORD_MARKER "pw-MARKER-7f3a9c"

static void config_password(void **state) {
  (void)state;
  httpr_config *cfg = httpr_config_new();
  assert_non_null(cfg);
  watch(PASSWORD_MARKER, strlen(PASSWORD_MARKER));
  assert_int_equal(httpr_config_set_client_pem(cfg, "c.pem", PASSWORD_MARKER),
                   HTTPR_OK);
  /* Replaced, by every form of credential. */
  assert_int_equal(
      httpr_config_set_client_pkcs12(cfg, "c.p12", PASSWORD_MARKER "-2"),
      HTTPR_OK);
  assert_int_equal(
      httpr_config_set_client_cert(cfg, "c.crt", "c.key", PASSWORD_MARKER "-3"),
      HTTPR_OK);
  /* A client's copy, freed with the client. */
  httpr_client *client = NULL;
  assert_int_equal(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  httpr_client_free(client);
  httpr_config_free(cfg);
  assert_int_equal(unwiped_blocks(), 0);
}

/* One PEM file holding the certificate and the key: its whole text. */
static void pem_credential_texts(void **state) {
  (void)state;
  static const char key_armour[] = "-----BEGIN PRIVATE KEY-----";
  struct hr_pem_creds pc;
  httpr_error err = {0};
  watch(key_armour, strlen(key_armour));
  assert_int_equal(hr_pem_creds_read(pki("client.pem"), NULL, NULL, &pc, &err),
                   HTTPR_OK);
  hr_pem_creds_clear(&pc);
  assert_int_equal(
      hr_pem_creds_read(pki("client.crt"), pki("client.key"), NULL, &pc, &err),
      HTTPR_OK);
  hr_pem_creds_clear(&pc);
  assert_int_equal(unwiped_blocks(), 0);
  static const char enc_armour[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
  watch(enc_armour, strlen(enc_armour));
  assert_int_equal(hr_pem_creds_read(pki("client.crt"),
                                     pki("client-key-pkcs8-enc.pem"), "secret",
                                     &pc, &err),
                   HTTPR_OK);
  hr_pem_creds_clear(&pc);
  assert_int_equal(unwiped_blocks(), 0);
}

/* The key log copies each line (here a long one, into a malloc'd buffer)
 * to add its newline. */
static void keylog_line(void **state) {
  (void)state;
  char dir[] = "/tmp/httpr-wipe-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof(path), "%s/keys.log", dir);
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  assert_int_equal(hr_keylog_open(path, &log, &err, NULL), HTTPR_OK);
  char line[700];
  memset(line, 'a', sizeof(line) - 1);
  line[sizeof(line) - 1] = '\0';
  memcpy(line + 300, "SESSION-SECRET-9d1e", 19);
  watch("SESSION-SECRET-9d1e", 19);
  hr_keylog_write_line(log, line);
  hr_keylog_write_line(log, "CLIENT_RANDOM 00 SESSION-SECRET-9d1e");
  assert_int_equal(unwiped_blocks(), 0);
  hr_keylog_close(log);
  unlink(path);
  rmdir(dir);
}

/* Builds a client's TLS context with the credentials, on every provider. */
static void each_provider_context(void (*set)(httpr_config *)) {
  for (size_t i = 0; i < httpr_provider_count(); i++) {
    httpr_config *cfg = httpr_config_new();
    assert_non_null(cfg);
    httpr_config_set_tls_backend(cfg, httpr_provider_name(i));
    httpr_config_set_ca_file(cfg, pki("ca-bundle.pem"));
    set(cfg);
    httpr_client *client = NULL;
    httpr_error *err = httpr_error_new();
    void *ctx = NULL;
    assert_int_equal(httpr_client_new(&client, cfg, err), HTTPR_OK);
    if (hr_client_tls_context(client, 0, &ctx, err) != HTTPR_OK)
      fail_msg("%s: %s", httpr_provider_name(i), httpr_error_message(err));
    httpr_client_free(client);
    httpr_error_free(err);
    httpr_config_free(cfg);
  }
}

static void set_pkcs12(httpr_config *cfg) {
  httpr_config_set_client_pkcs12(cfg, pki("client.p12"), "secret");
}

static void set_pem(httpr_config *cfg) {
  httpr_config_set_client_pem(cfg, pki("client.pem"), NULL);
}

/* The PKCS#12 file's bytes, read by the provider and freed after
 * parsing. */
static void providers_pkcs12_file(void **state) {
  (void)state;
  unsigned char start[48];
  file_start("client.p12", start, sizeof(start));
  watch(start, sizeof(start));
  each_provider_context(set_pkcs12);
  assert_int_equal(unwiped_blocks(), 0);
}

static void providers_pem_key(void **state) {
  (void)state;
  static const char key_armour[] = "-----BEGIN PRIVATE KEY-----";
  watch(key_armour, strlen(key_armour));
  each_provider_context(set_pem);
  assert_int_equal(unwiped_blocks(), 0);
}

/* The check itself: a block freed unwiped is seen, a wiped one is not. */
static void the_check_sees_an_unwiped_block(void **state) {
  (void)state;
  watch("canary-4242", 11);
  char *a = malloc(64);
  char *b = malloc(64);
  assert_non_null(a);
  assert_non_null(b);
  memcpy(a, "xx canary-4242 yy", 18);
  memcpy(b, "xx canary-4242 yy", 18);
  hr_wipe_free(a, 64);
  free(b);
  assert_int_equal(unwiped_blocks(), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_check_sees_an_unwiped_block),
      cmocka_unit_test(config_password),
      cmocka_unit_test(pem_credential_texts),
      cmocka_unit_test(keylog_line),
      cmocka_unit_test(providers_pkcs12_file),
      cmocka_unit_test(providers_pem_key),
  };
  return cmocka_run_group_tests_name("wipe", tests, NULL, NULL);
}
