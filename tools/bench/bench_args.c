/* SPDX-License-Identifier: MIT */
/*
 * bench_args.c - httpr-bench's command line: the options of the benchmark
 * contract (shared with curlbench, so the same invocation drives both) and
 * the help text. getopt_long permutes argv, which gives "options before or
 * after the scenario"; assigning in order gives "the last one wins".
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench/bench.h"

enum {
  OPT_URL = 256,
  OPT_H2_URL,
  OPT_CACERT,
  OPT_CONNECT_IP,
  OPT_SMALL,
  OPT_BIG,
  OPT_MAX_SECONDS,
  OPT_BACKEND,
  OPT_INSECURE,
  OPT_THREADS,
  OPT_MIX_URL,
  OPT_MIX_CONNECTIONS,
  OPT_RSS_EVERY,
  OPT_VERSION,
  OPT_HELP
};

static const struct option long_options[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"h2-url", required_argument, NULL, OPT_H2_URL},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"connect-ip", required_argument, NULL, OPT_CONNECT_IP},
    {"small", required_argument, NULL, OPT_SMALL},
    {"big", required_argument, NULL, OPT_BIG},
    {"max-seconds", required_argument, NULL, OPT_MAX_SECONDS},
    {"backend", required_argument, NULL, OPT_BACKEND},
    {"streams", required_argument, NULL, 'm'},
    {"connections", required_argument, NULL, 'c'},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"mix-url", required_argument, NULL, OPT_MIX_URL},
    {"mix-connections", required_argument, NULL, OPT_MIX_CONNECTIONS},
    {"rss-every", required_argument, NULL, OPT_RSS_EVERY},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

void bench_usage(FILE *f) {
  fputs(
      "usage: httpr-bench [options] SCENARIO... [options]\n"
      "  SCENARIO: keepalive | handshake | resume | bulk | h2-multiplex |\n"
      "            soak | concurrent\n"
      "  h2-multiplex: -n GETs of the small resource on ONE HTTP/2\n"
      "          connection from -m threads sharing the client, so -m\n"
      "          streams are in flight at all times; adds streams=<M>;\n"
      "          fails unless the server selects h2\n"
      "  resume: as handshake, with the TLS session cache on (point --url\n"
      "          at a server that resumes); adds resumed=<count>\n"
      "  soak:   keep-alive GETs of the small resource from --threads\n"
      "          threads on one client; adds threads=, rss_warm_kb= (the\n"
      "          resident set after the first 10%) and rss_end_kb= (at the\n"
      "          end); not part of the shared contract\n"
      "  concurrent: -c connections open at once on the event-loop API\n"
      "          (socket callbacks and epoll), each warmed up with one GET\n"
      "          of the small resource, then -n GETs with C in flight on\n"
      "          them; adds connections=, rss_base_kb=, rss_idle_kb=,\n"
      "          rss_per_conn_kb=, rss_end_kb=, peak_idle_kb=,\n"
      "          peak_run_kb=, warmup_s=, api=\n"
      "options (the last occurrence wins):\n"
      "  --url URL         base URL of keepalive, handshake, resume, bulk,\n"
      "                    soak, concurrent [https://localhost:19443]\n"
      "  --h2-url URL      base URL of h2-multiplex [https://localhost:19444]\n"
      "  --cacert FILE     trust exactly the CA certificates in FILE\n"
      "                    [the system store]\n"
      "  --insecure        do not verify the server certificate\n"
      "  --connect-ip IP   connect to IP for the URL's host and port (SNI and\n"
      "                    the identity check still use the host)\n"
      "  -n N              keepalive: requests [5000]; handshake, resume:\n"
      "                    connections [500]; bulk: downloads [1];\n"
      "                    h2-multiplex: requests [20000]; soak: requests\n"
      "                    [100000]; concurrent: requests [20*C]\n"
      "  -c, --connections C  concurrent: connections open at once [1000]\n"
      "  -m, --streams M   h2-multiplex: streams in flight [10, at most\n"
      "                    256]\n"
      "  --threads T       soak: threads sharing the client [8, at most 256]\n"
      "  --mix-url URL     concurrent: a second origin on the same loop and\n"
      "                    client (a soak of cleartext and TLS together)\n"
      "  --mix-connections C2  concurrent: connections open at once to\n"
      "                    --mix-url, beside the C to --url [0]\n"
      "  --rss-every K     concurrent: print 'rss_curve done=<n> rss_kb=<kb>'\n"
      "                    on stderr after every K timed requests [none]\n"
      "  --small PATH      the small resource [/small]\n"
      "  --big PATH        bulk: the resource to download [/big]\n"
      "  --max-seconds S   cap of each timed part; a capped result covers "
      "what\n"
      "                    was done and says truncated=1 [60]\n"
      "  --backend NAME    TLS provider [HTTPR_TLS_BACKEND, else the build's\n"
      "                    default]\n"
      "  --version         print the library and provider versions\n"
      "  --help            this text\n"
      "output: one line per completed scenario on stdout:\n"
      "  scenario=<name> backend=<name> value=<number> unit=<unit> "
      "rss_kb=<n> [key=value...]\n"
      "exit status: 0 all scenarios completed, 1 one failed, 2 usage.\n",
      f);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt,
                                                             ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("httpr-bench: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see --help)\n", stderr);
  va_end(ap);
  return -1;
}

/* The option getopt_long just refused: a short one is only in optopt, as
 * it may sit inside a group ("-xn5"). */
static const char *offender(char **argv) {
  static char short_opt[3] = "-?";
  if (optopt && optopt < 256) {
    short_opt[1] = (char)optopt;
    return short_opt;
  }
  return argv[optind - 1];
}

static int parse_count(const char *arg, long *out) {
  char *end;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno || end == arg || *end || v <= 0)
    return -1;
  *out = v;
  return 0;
}

static int parse_seconds(const char *arg, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (errno || end == arg || *end || !isfinite(v) || v <= 0)
    return -1;
  *out = v;
  return 0;
}

int bench_parse_args(int argc, char **argv, struct bench_opts *o) {
  *o = (struct bench_opts){
      .url = "https://localhost:19443",
      .h2_url = "https://localhost:19444",
      .small_path = "/small",
      .big_path = "/big",
      .streams = 10,
      .threads = 8,
      .connections = 1000,
      .max_seconds = 60,
  };
  opterr = 0; /* our own messages, one format */
  int c;
  while ((c = getopt_long(argc, argv, ":n:m:c:h", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_URL:
      o->url = optarg;
      break;
    case OPT_H2_URL:
      o->h2_url = optarg;
      break;
    case OPT_CACERT:
      o->cacert = optarg;
      break;
    case OPT_CONNECT_IP:
      o->connect_ip = optarg;
      break;
    case OPT_SMALL:
      o->small_path = optarg;
      break;
    case OPT_BIG:
      o->big_path = optarg;
      break;
    case OPT_BACKEND:
      o->backend = optarg;
      break;
    case OPT_INSECURE:
      o->insecure = 1;
      break;
    case OPT_THREADS:
      if (parse_count(optarg, &o->threads) != 0 ||
          o->threads > BENCH_MAX_THREADS)
        return usage_error("--threads takes a whole number from 1 to %d, "
                           "not '%s'",
                           BENCH_MAX_THREADS, optarg);
      break;
    case OPT_MIX_URL:
      o->mix_url = optarg;
      break;
    case OPT_MIX_CONNECTIONS:
      if (parse_count(optarg, &o->mix_connections) != 0 ||
          o->mix_connections > BENCH_MAX_CONNECTIONS)
        return usage_error("--mix-connections takes a whole number from 1 to "
                           "%d, not '%s'",
                           BENCH_MAX_CONNECTIONS, optarg);
      break;
    case OPT_RSS_EVERY:
      if (parse_count(optarg, &o->rss_every) != 0)
        return usage_error("--rss-every takes a whole number above 0, not "
                           "'%s'",
                           optarg);
      break;
    case OPT_VERSION:
      o->show_version = 1;
      break;
    case 'h':
    case OPT_HELP:
      o->show_help = 1;
      break;
    case 'n':
      if (parse_count(optarg, &o->n) != 0)
        return usage_error("-n takes a whole number above 0, not '%s'", optarg);
      break;
    case 'm':
      if (parse_count(optarg, &o->streams) != 0 ||
          o->streams > BENCH_MAX_THREADS)
        return usage_error("--streams takes a whole number from 1 to %d, "
                           "not '%s'",
                           BENCH_MAX_THREADS, optarg);
      break;
    case 'c':
      if (parse_count(optarg, &o->connections) != 0 ||
          o->connections > BENCH_MAX_CONNECTIONS)
        return usage_error("--connections takes a whole number from 1 to %d, "
                           "not '%s'",
                           BENCH_MAX_CONNECTIONS, optarg);
      break;
    case OPT_MAX_SECONDS:
      if (parse_seconds(optarg, &o->max_seconds) != 0)
        return usage_error("--max-seconds takes a number above 0, not '%s'",
                           optarg);
      break;
    case ':':
      return usage_error("option '%s' needs a value", offender(argv));
    default:
      return usage_error("unknown option '%s'", offender(argv));
    }
  }
  if (!o->mix_url != !o->mix_connections)
    return usage_error("--mix-url and --mix-connections go together");
  return optind;
}
