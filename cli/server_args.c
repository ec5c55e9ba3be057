/*
 * server_args.c - the command line of `tlsm server`: its usage text, the parsing of its
 * options, and the tlsm_config they ask for.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm server --cert CHAIN --key KEY --port N [options]\n"
            "\n"
            "A TLS echo server: every byte a client sends is sent back to it, and the\n"
            "connection is closed with close_notify when the client closes (with --http,\n"
            "each client gets a small HTTP/1.0 page instead). Many clients are served at\n"
            "once from one poll() loop. Prints 'listening on HOST:PORT' on stdout once ready\n"
            "(with --port 0 the system picks the port) and one line per connection event\n"
            "on stderr.\n"
            "\n"
            "Options:\n"
            "  --cert FILE        certificate chain, leaf first (PEM)\n"
            "  --key FILE         private key of the leaf (PEM: PKCS#8, SEC1 or PKCS#1)\n"
            "  --port N           TCP port (0 = any free port)\n"
            "  --host ADDR        address to listen on (default 127.0.0.1)\n"
            "  --alpn LIST        ALPN protocols accepted, in preference order; clients that\n"
            "                     offer none of them are refused (no_application_protocol)\n");
    cli_print_tls_option_help(out);
    fprintf(out,
            "  --client-ca FILE   require a client certificate issued by a CA in FILE\n"
            "  --tls13            TLS 1.3 only\n"
            "  --tls12            TLS 1.2 only (default: both, TLS 1.3 preferred)\n"
            "  --tickets N        TLS 1.3: session tickets sent after each handshake\n"
            "                     (default 1); TLS 1.2: 0 sends none, more sends one\n"
            "  --no-tickets       the same as --tickets 0: TLS 1.2 clients resume by\n"
            "                     session ID (server-side cache), TLS 1.3 ones cannot\n"
            "  --http             answer each client's request with a small HTTP/1.0 200\n"
            "                     page describing its session, then close (like openssl\n"
            "                     s_server -www); the default is to echo\n"
            "  --max-conns N      serve at most N connections at once (default %d); a\n"
            "                     client past that is accepted and closed at once, with\n"
            "                     a log line\n"
            "  --handshake-timeout SECONDS\n"
            "                     close a connection whose handshake has not finished\n"
            "                     SECONDS after it was accepted (default %d; 0: never)\n"
            "  --idle-timeout SECONDS\n"
            "                     close a connection (with close_notify once the\n"
            "                     handshake is done) after SECONDS without a byte in\n"
            "                     either direction (default %d; 0: never)\n"
            "  --once             serve one connection, then exit (0 if it closed cleanly)\n"
            "  --quiet            do not log connections on stderr\n"
            "  -h, --help         show this help\n"
            "\n"
            "Cipher suites:\n",
            SERVER_DEFAULT_MAX_CONNS, SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000,
            SERVER_DEFAULT_IDLE_TIMEOUT_MS / 1000);
    cli_print_suite_names(out, "  ");
    fprintf(out, "Groups:\n");
    cli_print_group_names(out, "  ");
}

enum { OPT_CERT = 256, OPT_KEY, OPT_PORT, OPT_HOST, OPT_ALPN, OPT_SUITE, OPT_GROUP, OPT_EMS,
       OPT_CLIENT_CA, OPT_ONCE, OPT_QUIET, OPT_TLS12, OPT_TLS13, OPT_TICKETS, OPT_NO_TICKETS,
       OPT_HTTP, OPT_MAX_CONNS, OPT_HANDSHAKE_TIMEOUT, OPT_IDLE_TIMEOUT };

/* A count from min to max for option `name`. */
static int parse_count(const char *arg, const char *name, unsigned long min, unsigned long max,
                       unsigned long *out)
{
    char *end;
    unsigned long n = strtoul(arg, &end, 10);
    if (*arg < '0' || *arg > '9' || *end != '\0' || n < min || n > max) {
        cli_error("%s takes a number from %lu to %lu, not '%s'", name, min, max, arg);
        return -1;
    }
    *out = n;
    return 0;
}

/* Seconds (a decimal, e.g. 0.5) into milliseconds, at most a day. */
static int parse_seconds(const char *arg, const char *name, long long *ms)
{
    char *end;
    double s = strtod(arg, &end);
    if (*arg < '0' || *arg > '9' || *end != '\0' || !(s >= 0 && s <= 86400)) {
        cli_error("%s takes seconds from 0 to 86400, not '%s'", name, arg);
        return -1;
    }
    *ms = (long long)(s * 1000 + 0.5);
    if (*ms == 0 && s > 0)
        *ms = 1;
    return 0;
}

static int parse_option(int c, server_args *a)
{
    unsigned long n;
    switch (c) {
    case OPT_CERT: a->cert = optarg; return 0;
    case OPT_KEY: a->key = optarg; return 0;
    case OPT_PORT: a->port = optarg; return 0;
    case OPT_HOST: a->host = optarg; return 0;
    case OPT_ALPN: return cli_opt_alpn(&a->tls, optarg);
    case OPT_SUITE: return cli_opt_suites(&a->tls, optarg);
    case OPT_GROUP: return cli_opt_groups(&a->tls, optarg);
    case OPT_EMS: return cli_opt_ems(&a->tls, optarg);
    case OPT_CLIENT_CA: a->client_ca = optarg; return 0;
    case OPT_ONCE: a->once = 1; return 0;
    case OPT_QUIET: a->quiet = 1; return 0;
    case OPT_TLS12: a->tls12 = 1; return 0;
    case OPT_TLS13: a->tls13 = 1; return 0;
    case OPT_NO_TICKETS: a->tickets = 0; return 0;
    case OPT_HTTP: a->http = 1; return 0;
    case OPT_TICKETS:
        /* The library bounds the count (tlsm_config_set_tickets says why if it refuses). */
        if (parse_count(optarg, "--tickets", 0, 1000, &n) != 0)
            return -1;
        a->tickets = (int)n;
        return 0;
    case OPT_MAX_CONNS:
        if (parse_count(optarg, "--max-conns", 1, 1000000, &n) != 0)
            return -1;
        a->max_conns = n;
        return 0;
    case OPT_HANDSHAKE_TIMEOUT:
        return parse_seconds(optarg, "--handshake-timeout", &a->handshake_timeout_ms);
    case OPT_IDLE_TIMEOUT: return parse_seconds(optarg, "--idle-timeout", &a->idle_timeout_ms);
    }
    return -1;
}

int server_parse_args(int argc, char **argv, server_args *a)
{
    static const struct option longopts[] = {
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"port", required_argument, NULL, OPT_PORT},
        {"host", required_argument, NULL, OPT_HOST},
        {"alpn", required_argument, NULL, OPT_ALPN},
        {"suite", required_argument, NULL, OPT_SUITE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"ems", required_argument, NULL, OPT_EMS},
        {"client-ca", required_argument, NULL, OPT_CLIENT_CA},
        {"once", no_argument, NULL, OPT_ONCE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"tls12", no_argument, NULL, OPT_TLS12},
        {"tls13", no_argument, NULL, OPT_TLS13},
        {"tickets", required_argument, NULL, OPT_TICKETS},
        {"no-tickets", no_argument, NULL, OPT_NO_TICKETS},
        {"http", no_argument, NULL, OPT_HTTP},
        {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
        {"handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a->tickets = -1;
    a->max_conns = SERVER_DEFAULT_MAX_CONNS;
    a->handshake_timeout_ms = SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS;
    a->idle_timeout_ms = SERVER_DEFAULT_IDLE_TIMEOUT_MS;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (parse_option(c, a) != 0)
            return cli_usage_hint("server");
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'", argv[optind]);
        return cli_usage_hint("server");
    }
    if (!a->cert || !a->key || !a->port) {
        cli_error("--cert, --key and --port are required");
        return cli_usage_hint("server");
    }
    char *end;
    unsigned long port = strtoul(a->port, &end, 10);
    if (*a->port == '\0' || *end != '\0' || port > 65535) {
        cli_error("invalid port '%s'", a->port);
        return cli_usage_hint("server");
    }
    if (a->tls12 && a->tls13) {
        cli_error("--tls12 and --tls13 exclude each other");
        return cli_usage_hint("server");
    }
    if (!a->host)
        a->host = "127.0.0.1";
    return -1;
}

tlsm_config *server_make_config(const server_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    int rc;
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    uint16_t v = a->tls12 ? TLSM_TLS12 : TLSM_TLS13;
    if ((a->tls12 || a->tls13) && (rc = tlsm_config_set_versions(cfg, v, v)) != 0) {
        cli_error("%s: %s", a->tls12 ? "--tls12" : "--tls13", tlsm_strerror(rc));
        goto fail;
    }
    if (cli_apply_tls_options(cfg, &a->tls) != 0 ||
        cli_load_identity_files(cfg, a->cert, a->key) != 0)
        goto fail;
    if (a->tickets >= 0 && (rc = tlsm_config_set_tickets(cfg, (unsigned)a->tickets)) != 0) {
        cli_error("--tickets %d: %s (more tickets than the library sends)", a->tickets,
                  tlsm_strerror(rc));
        goto fail;
    }
    if (a->client_ca) {
        if (cli_load_trust_file(cfg, a->client_ca) != 0)
            goto fail;
        if ((rc = tlsm_config_set_client_auth(cfg, 2)) != 0) {
            cli_error("--client-ca: %s", tlsm_strerror(rc));
            goto fail;
        }
    }
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}
