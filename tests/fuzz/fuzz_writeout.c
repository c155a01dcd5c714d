/* SPDX-License-Identifier: MIT */
/*
 * fuzz_writeout.c - libFuzzer target for the CLI's -w formatter
 * (tools/cli_writeout.c): the format comes from the command line or a
 * file (-w @FILE), so any bytes may reach it.
 *
 * Input: byte 0 chooses the values (bit 0: a failed transfer, all zeros
 * and NULL strings; else a full set, with long strings when bit 1 is
 * set); the rest, up to a NUL, is the format.
 *
 * Checks: a format without '%' and '\' prints as it is; each rendering
 * stays within what its format can expand to; rendering twice gives the
 * same stdout, and a second rendering warns no more (its stderr is never
 * longer than the first's); writing never fails on a good stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli_writeout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FORMAT 4096
#define LONG_LEN 300

struct stream {
  FILE *fp;
  char *buf;
  size_t len;
};

static void stream_open(struct stream *s) {
  s->buf = NULL;
  s->len = 0;
  s->fp = open_memstream(&s->buf, &s->len);
  if (!s->fp)
    abort();
}

static void stream_close(struct stream *s) {
  if (fclose(s->fp) != 0)
    abort();
}

/* Renders fmt once with state; out and err are left open for the caller. */
static void render(const char *fmt, const struct cli_wo_values *v,
                   struct cli_wo_state *state, struct stream *out,
                   struct stream *err) {
  stream_open(out);
  stream_open(err);
  if (cli_writeout(fmt, v, out->fp, err->fp, state) != 0)
    abort();
  stream_close(out);
  stream_close(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char long_text[LONG_LEN + 1];
  if (!long_text[0])
    memset(long_text, 'x', LONG_LEN);
  if (size < 1 || size > MAX_FORMAT)
    return 0;
  char *fmt = malloc(size);
  if (!fmt)
    abort();
  memcpy(fmt, data + 1, size - 1);
  fmt[size - 1] = '\0';
  size_t fmt_len = strlen(fmt);

  struct cli_wo_values v;
  memset(&v, 0, sizeof(v));
  if (!(data[0] & 1)) {
    const char *text = (data[0] & 2) ? long_text : "https://localhost:8443/";
    v.http_code = 200;
    v.http_version = 20;
    for (int i = 0; i < CLI_WO_TIME_COUNT; i++)
      v.times[i] = 0.25 * (i + 1);
    v.size_download = UINT64_MAX;
    v.num_redirects = -1;
    v.num_connects = 1;
    v.url_effective = text;
    v.remote_ip = "::1";
    v.remote_port = 65535;
    v.exitcode = 60;
    v.errormsg = text;
    v.ssl_verify_result = 1;
    v.ssl_session_resumed = 1;
    v.scheme = "HTTPS";
    v.tls_version = "TLSv1.3";
    v.tls_cipher = text;
    v.tls_provider = "openssl";
    v.alpn = "h2";
  }

  struct cli_wo_state fresh = {0}, again = {1};
  struct stream out1, err1, out2, err2;
  render(fmt, &v, &fresh, &out1, &err1);
  render(fmt, &v, &again, &out2, &err2);
  if (!fresh.rendered || out1.len != out2.len ||
      memcmp(out1.buf, out2.buf, out1.len) != 0 || err2.len > err1.len)
    abort();
  /* Every 3 bytes of format ("%{}" at least) print at most one value, the
   * longest LONG_LEN bytes; a warning repeats the name it read. */
  if (out1.len + err2.len > fmt_len * (LONG_LEN / 3 + 1) + 1 ||
      err1.len > err2.len + fmt_len * 2 + 64 * fmt_len)
    abort();
  if (!strpbrk(fmt, "%\\") &&
      (out1.len != fmt_len || memcmp(out1.buf, fmt, fmt_len) != 0 ||
       err1.len != 0))
    abort();
  free(out1.buf);
  free(err1.buf);
  free(out2.buf);
  free(err2.buf);
  free(fmt);
  return 0;
}
