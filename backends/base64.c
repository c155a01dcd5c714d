/* SPDX-License-Identifier: MIT */
/*
 * base64.c - base64 decoding (PEM bodies, public key pins) and encoding
 * (a server key's hash in a pin's message), the standard alphabet of RFC
 * 4648 section 4.
 */
#include <stdint.h>

#include "backends/base64.h"
#include "common/wipe.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of a base64 digit, -1 for whitespace, -2 for anything else. */
static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' ? -1 : -2;
}

int hr_base64_decode(const char *text, size_t len, unsigned char *out,
                     size_t *out_len) {
  const char *p = text, *end = text + len;
  uint32_t acc = 0;
  size_t n = 0, digits = 0, pad = 0;
  for (; p < end; p++) {
    int v = b64_value((unsigned char)*p);
    if (v == -1)
      continue;
    if (*p == '=') {
      pad++;
      continue;
    }
    if (v < 0 || pad > 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    if (++digits % 4 == 0) {
      out[n++] = (unsigned char)(acc >> 16);
      out[n++] = (unsigned char)(acc >> 8);
      out[n++] = (unsigned char)acc;
      acc = 0;
    }
  }
  size_t rest = digits % 4;
  if (rest == 1 || pad > 2 || (pad && rest + pad != 4))
    return -1;
  if (rest == 2) {
    out[n++] = (unsigned char)(acc >> 4);
  } else if (rest == 3) {
    out[n++] = (unsigned char)(acc >> 10);
    out[n++] = (unsigned char)(acc >> 2);
  }
  hr_wipe(&acc, sizeof(acc));
  *out_len = n;
  return 0;
}

void hr_base64_encode(const unsigned char *data, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)data[i + 1] << 8;
    if (i + 2 < len)
      v |= data[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
  }
  out[o] = '\0';
}
