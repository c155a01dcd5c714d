/* SPDX-License-Identifier: MIT */
/*
 * pinned.c - a config whose "localhost" is a list of addresses (a pin,
 * the path a resolver's answers take), recording the addresses tried:
 * what the tests of connecting (test_connect.c, test_connect_choice.c)
 * look at.
 */
#include <stdio.h>
#include <string.h>

#include "tests/conformance/suite.h"

static void on_debug(httpr_debug_kind kind, const char *text, size_t len,
                     void *ud) {
  struct tries *t = ud;
  if (kind != HTTPR_DEBUG_INFO || len < 7 || strncmp(text, "Trying ", 7) != 0)
    return;
  size_t used = strlen(t->text);
  snprintf(t->text + used, sizeof(t->text) - used, "%.*s;", (int)len, text);
}

httpr_config *cfg_addresses(enum profile p, const char *addresses,
                            struct tries *tries) {
  httpr_config *cfg = cfg_new();
  assert_code(
      httpr_config_add_resolve(cfg, "localhost", server_port(p), addresses),
      HTTPR_OK);
  if (tries) {
    memset(tries, 0, sizeof(*tries));
    assert_code(httpr_config_set_debug_callback(cfg, on_debug, tries),
                HTTPR_OK);
  }
  return cfg;
}
