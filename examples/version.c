/* SPDX-License-Identifier: MIT */
/*
 * version.c - tells the version of libhttpr a program was compiled
 * against from the one it runs with: HTTPR_VERSION_NUM is the header's,
 * httpr_version_num() the linked library's (both 0xMMmmpp). make check
 * runs it to see the two agree with each other and with configure's.
 *
 * Prints "compiled X (0xNNNNNN), running Y (0xNNNNNN)"; exit 1 when the
 * linked library is older than the header.
 */
#include <inttypes.h>
#include <stdio.h>

#include <httpr.h>

int main(void) {
  uint32_t linked = httpr_version_num();
  printf("compiled %s (0x%06x), running %s (0x%06" PRIx32 ")\n",
         HTTPR_VERSION_STRING, (unsigned)HTTPR_VERSION_NUM, httpr_version(),
         linked);
  /* A newer library keeps every older interface; an older one may lack
   * some this program uses. */
  return linked < HTTPR_VERSION_NUM ? 1 : 0;
}
