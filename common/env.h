/* SPDX-License-Identifier: MIT */
/*
 * env.h - every environment variable the library reads, in one table, and
 * the one way to read them. Reads go through secure_getenv, as OpenSSL's
 * and GnuTLS's own do: in a setuid or setgid program (any process the
 * kernel marks AT_SECURE) every variable reads as unset, so a caller
 * cannot swap the trust anchors, the provider or the key log of a
 * privileged program. An empty value reads as unset too.
 *
 * A variable the library starts to read (a module path, proxy variables)
 * is one more line of HR_ENV_TABLE and read with hr_env_get: README.md's
 * Environment section is generated from the table (`make readme-env`,
 * checked by `make check`), the conformance suite unsets what it lists,
 * and no other file of the library calls getenv, which is checked too.
 */
#ifndef HTTPR_ENV_H
#define HTTPR_ENV_H

#include <stddef.h>

/* X(NAME, what it does, who reads it and when). The texts are the
 * README's, in Markdown. */
#define PROXY_READER                                                           \
  "`httpr_client_new` with `httpr_config_set_proxy_from_environment` on, "     \
  "which the CLI turns on (api/proxy_route.c)"
#define HR_ENV_TABLE(X)                                                        \
  X(HTTPR_TLS_PROVIDER,                                                        \
    "The TLS provider of every config that names none; a name not present "    \
    "is ignored (the system's `providers.conf`, then the build's default "     \
    "apply).",                                                                 \
    "`httpr_client_new`, `httpr_default_provider` (api/registry.c)")           \
  X(HTTPR_TLS_BACKEND,                                                         \
    "The old name of `HTTPR_TLS_PROVIDER`, read only when that is unset.",     \
    "`httpr_client_new`, `httpr_default_provider` (api/registry.c)")           \
  X(HTTPR_CA_BUNDLE,                                                           \
    "CA file (PEM) when the config names no CA file or directory; wins "       \
    "over `SSL_CERT_FILE` and `SSL_CERT_DIR`.",                                \
    "a client's first https request, verification on (backends/trust.c)")      \
  X(SSL_CERT_FILE,                                                             \
    "CA file (PEM) when neither the config nor `HTTPR_CA_BUNDLE` names "       \
    "one.",                                                                    \
    "a client's first https request, verification on (backends/trust.c)")      \
  X(SSL_CERT_DIR,                                                              \
    "CA directory, beside `SSL_CERT_FILE` or alone, on the same terms.",       \
    "a client's first https request, verification on (backends/trust.c)")      \
  X(SSLKEYLOGFILE,                                                             \
    "Key log (NSS format) when the config names none. Refused, with a "        \
    "warning through the debug callback and no key log, when it is a "         \
    "symbolic link, not a regular file, has other hard links, is "             \
    "writable by group or others or belongs to another user.",                 \
    "a client's first https request (backends/keylog.c)")                     \
  X(HTTPR_PROVIDER_PATH,                                                       \
    "The directory of the provider modules (`httpr-NAME.so`) instead of "      \
    "the installed one, for tests and uninstalled builds; it loads code, "     \
    "so a set-user-ID or set-group-ID program ignores it as it ignores "       \
    "every variable here. Unused in a `--disable-modules` build.",             \
    "the first lookup or listing of providers (backends/registry.c)")          \
  X(HTTPR_PROVIDERS_CONF,                                                      \
    "The system's file of preferred providers instead of the configured "      \
    "one (configure's `--with-providers-conf`; `/etc/httpr/providers.conf` "   \
    "as a distribution builds it), for tests; `HTTPR_TLS_PROVIDER` outranks "  \
    "it, and a set-user-ID or set-group-ID program ignores it as it ignores "  \
    "every variable here.",                                                    \
    "the first `httpr_default_provider` or `httpr_client_new` naming no "      \
    "provider (api/providers_conf.c)")                                        \
  X(http_proxy,                                                                \
    "The proxy of `http://` URLs; lower case only, as curl (a CGI program's "  \
    "`HTTP_PROXY` comes from a request's `Proxy:` header).",                   \
    PROXY_READER)                                                              \
  X(HTTP_PROXY,                                                                \
    "Never used, as curl; read only to say so through the debug callback.",    \
    PROXY_READER)                                                              \
  X(https_proxy,                                                               \
    "The proxy of `https://` URLs; wins over `HTTPS_PROXY`.",                  \
    PROXY_READER)                                                              \
  X(HTTPS_PROXY,                                                               \
    "The proxy of `https://` URLs when `https_proxy` is unset.",               \
    PROXY_READER)                                                              \
  X(all_proxy,                                                                 \
    "The proxy of a URL whose scheme's variable is unset; wins over "          \
    "`ALL_PROXY`.",                                                            \
    PROXY_READER)                                                              \
  X(ALL_PROXY,                                                                 \
    "The proxy of a URL whose scheme's variable and `all_proxy` are unset.",   \
    PROXY_READER)                                                              \
  X(no_proxy,                                                                  \
    "Hosts reached without the proxy (curl's rules: names and their "          \
    "subdomains, addresses, CIDR, `*`); wins over `NO_PROXY`; "                \
    "`httpr_config_set_noproxy` wins over both.",                              \
    PROXY_READER)                                                              \
  X(NO_PROXY,                                                                  \
    "The same, when `no_proxy` is unset.",                                     \
    PROXY_READER)

#define HR_ENV_ID(name, what, reader) HR_ENV_##name,
enum hr_env_id { HR_ENV_TABLE(HR_ENV_ID) HR_ENV_COUNT };
#undef HR_ENV_ID

struct hr_env_var {
  const char *name;
  const char *what;   /* what it does */
  const char *reader; /* who reads it, and when */
};

/* The variable's value through secure_getenv, or NULL when it is unset,
 * empty, the process runs AT_SECURE, or id is not in the table. Valid
 * until the environment changes. */
const char *hr_env_get(enum hr_env_id id);

/* The variable's name ("SSL_CERT_FILE"), or NULL for an id not in the
 * table. */
const char *hr_env_name(enum hr_env_id id);

/* The table in order: HR_ENV_COUNT entries, for the README generator. */
const struct hr_env_var *hr_env_at(size_t i);

#endif
