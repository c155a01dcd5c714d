/* SPDX-License-Identifier: MIT */
/*
 * fuzz_socks5.c - libFuzzer target for protocol/socks5.c, the SOCKS5
 * reply parser. The first byte chooses the client (bit 0: offer
 * username/password; bit 1: a name for the proxy to resolve, else an IPv4
 * address) and the chunk size (bits 2..5, plus 1); the rest is what the
 * proxy says, fed in those chunks with the client's messages "sent"
 * between. Checks: the parser never takes more than it is given, every
 * failure is HTTPR_E_PROXY with a message, and a success took exactly the
 * replies' bytes (the tunnel's first byte is never eaten), with the bound
 * address the reply carried.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "protocol/socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The length of the replies a successful negotiation reads from `in`,
 * worked out apart from the parser; 0 when `in` is too short. */
static size_t replies_len(const uint8_t *in, size_t len) {
  size_t at = 2;
  if (len < 2)
    return 0;
  if (in[1] == 0x02)
    at += 2;
  if (len < at + 5)
    return 0;
  switch (in[at + 3]) {
  case 0x01:
    return at + 10;
  case 0x04:
    return at + 22;
  case 0x03:
    return at + 4 + 1 + in[at + 4] + 2;
  default:
    abort(); /* a success with another type is the parser's bug */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096)
    return 0;
  uint8_t mode = data[0];
  const uint8_t *in = data + 1;
  size_t len = size - 1, chunk = 1 + ((mode >> 2) & 0x0f), at = 0;
  struct sockaddr_in sin = {.sin_family = AF_INET};
  sin.sin_addr.s_addr = htonl(0x7f000001);
  struct hr_socks5_params p = {.host = "fuzz.test", .port = 443};
  if (!(mode & 2))
    p.addr = (const struct sockaddr *)&sin;
  if (mode & 1) {
    p.user = "user";
    p.password = "password";
  }
  struct hr_socks5 s;
  httpr_error err;
  if (hr_socks5_init(&s, &p, &err) != HTTPR_OK)
    abort();
  enum hr_socks5_status st = HR_SOCKS5_WANT_WRITE;
  /* Every turn sends or takes at least one byte, or ends. */
  for (size_t turns = 0; turns < 2 * size + 16; turns++) {
    size_t out_len, used = 0;
    const uint8_t *out = hr_socks5_output(&s, &out_len);
    if (out_len > HR_SOCKS5_OUT_MAX ||
        (out_len && out[0] != 0x05 && out[0] != 0x01))
      abort();
    hr_socks5_sent(&s, out_len);
    if (at == len)
      break;
    size_t n = chunk < len - at ? chunk : len - at;
    if (hr_socks5_need(&s) == 0)
      abort(); /* after a send there is always a reply to read */
    st = hr_socks5_feed(&s, in + at, n, &used, &err);
    if (used > n)
      abort();
    at += used;
    if (st == HR_SOCKS5_ERROR) {
      if (err.code != HTTPR_E_PROXY || !err.message[0] || hr_socks5_bound(&s))
        abort();
      break;
    }
    if (st == HR_SOCKS5_DONE) {
      const struct hr_socks5_bound *b = hr_socks5_bound(&s);
      if (!b || at != replies_len(in, len) || hr_socks5_need(&s) != 0)
        abort();
      if (b->port != ((in[at - 2] << 8) | in[at - 1]))
        abort();
      break;
    }
    if (used < n && st == HR_SOCKS5_WANT_READ)
      abort();
  }
  hr_socks5_clear(&s);
  return 0;
}
