/*
 * verify.c - `tlsm verify LEAF.pem`: checks a certificate chain the way a tlsm handshake
 * checks its peer's, through tlsm_verify_chain (the same parser and path builder), with
 * no connection. LEAF.pem holds the end-entity certificate first and maybe intermediates,
 * --untrusted adds more intermediates, --ca gives the trust anchors. Certificates are
 * numbered in that order from 0 (the leaf); each also keeps its file and its position in
 * that file, so that the output can say where it came from.
 *
 * On success it prints "OK" and the path that was built, one certificate per line, leaf
 * first and trust anchor last; on failure "FAIL: <reason> [<certificate at fault>]".
 * Exit status: 0 verified, 1 not verified, 2 bad usage or a file that cannot be used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FILES 32

typedef struct {
    const char *ca[MAX_FILES];
    size_t n_ca;
    const char *untrusted[MAX_FILES];
    size_t n_untrusted;
    const char *host, *ip, *leaf;
    int purpose;
    int64_t time;
    size_t max_depth;
} verify_args;

/* The anchors and where they came from: anchors [end[i - 1], end[i]) are from ca[i]. */
typedef struct {
    tlsm_config *cfg;
    size_t end[MAX_FILES];
    size_t n_files;
} trust_store;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm verify --ca FILE [options] LEAF.pem\n"
            "\n"
            "Checks a certificate chain the way a tlsm handshake checks its peer's (path\n"
            "building and validation as in RFC 5280, names as in RFC 6125), without any\n"
            "connection. LEAF.pem holds the end-entity certificate first, then optionally\n"
            "intermediates (PEM, or one DER certificate). Prints OK and the chain that was\n"
            "built, leaf first and trust anchor last, or FAIL and the reason, naming the\n"
            "certificate at fault. Certificates are numbered from 0: those of LEAF.pem,\n"
            "then those of each --untrusted file.\n"
            "\n"
            "Options:\n"
            "  --ca FILE          trust anchors (PEM bundle or one DER certificate);\n"
            "                     required, may be repeated\n"
            "  --untrusted FILE   intermediate certificates, in any order, extras allowed;\n"
            "                     may be repeated\n"
            "  --host NAME        the DNS name the leaf must carry (subjectAltName only;\n"
            "                     a wildcard only as a whole left-most label)\n"
            "  --ip ADDR          the IPv4 or IPv6 address the leaf must carry (iPAddress)\n"
            "  --time SECONDS     validate at this time, in seconds since 1970-01-01 UTC\n"
            "                     (default: now)\n"
            "  --purpose server|client\n"
            "                     what the leaf is for: a TLS server (default) or a TLS\n"
            "                     client (extendedKeyUsage serverAuth / clientAuth)\n"
            "  --max-depth N      most certificates on the path, leaf and anchor included\n"
            "                     (default %d, as in a handshake)\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: 0 if the chain verifies, 1 if it does not (a certificate that is\n"
            "not valid X.509 included), 2 on bad usage or when a file cannot be read, has\n"
            "malformed PEM or holds no certificate.\n"
            "\n"
            "Examples:\n"
            "  tlsm verify --ca ca.crt --host example.com server.chain.pem\n"
            "  tlsm verify --ca ca.crt --untrusted intermediate.crt --purpose client client.crt\n"
            "  tlsm verify --ca ca.crt --ip 192.0.2.1 --time 1893456000 server.crt\n",
            TLSM_VERIFY_DEFAULT_DEPTH);
}

enum { OPT_CA = 256, OPT_UNTRUSTED, OPT_HOST, OPT_IP, OPT_TIME, OPT_PURPOSE, OPT_MAX_DEPTH };

static int add_file(const char **files, size_t *n, const char *path, const char *opt)
{
    if (*n == MAX_FILES) {
        cli_error("too many %s files (at most %d)", opt, MAX_FILES);
        return -1;
    }
    files[(*n)++] = path;
    return 0;
}

/* A decimal number without sign, at most max. */
static int parse_number(const char *s, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE || v > max)
        return -1;
    *out = v;
    return 0;
}

static int is_ip_literal(const char *s)
{
    uint8_t addr[16];
    return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* Returns -1 to continue, or an exit status. */
static int parse_args(int argc, char **argv, verify_args *a)
{
    static const struct option longopts[] = {
        {"ca", required_argument, NULL, OPT_CA},
        {"untrusted", required_argument, NULL, OPT_UNTRUSTED},
        {"host", required_argument, NULL, OPT_HOST},
        {"ip", required_argument, NULL, OPT_IP},
        {"time", required_argument, NULL, OPT_TIME},
        {"purpose", required_argument, NULL, OPT_PURPOSE},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        long long v = 0;
        switch (c) {
        case OPT_CA: bad = add_file(a->ca, &a->n_ca, optarg, "--ca"); break;
        case OPT_UNTRUSTED:
            bad = add_file(a->untrusted, &a->n_untrusted, optarg, "--untrusted");
            break;
        case OPT_HOST:
            a->host = optarg;
            if (!*optarg) {
                cli_error("--host needs a name");
                bad = 1;
            }
            break;
        case OPT_IP:
            a->ip = optarg;
            if (!is_ip_literal(optarg)) {
                cli_error("--ip '%s' is not an IPv4 or IPv6 address", optarg);
                bad = 1;
            }
            break;
        case OPT_TIME:
            if (parse_number(optarg, INT64_MAX, &v) != 0) {
                cli_error("--time takes seconds since the epoch, e.g. 1893456000");
                bad = 1;
            }
            a->time = (int64_t)v;
            break;
        case OPT_PURPOSE:
            if (strcmp(optarg, "server") == 0) {
                a->purpose = TLSM_PURPOSE_SERVER;
            } else if (strcmp(optarg, "client") == 0) {
                a->purpose = TLSM_PURPOSE_CLIENT;
            } else {
                cli_error("--purpose is 'server' or 'client', not '%s'", optarg);
                bad = 1;
            }
            break;
        case OPT_MAX_DEPTH:
            if (parse_number(optarg, TLSM_VERIFY_MAX_PATH, &v) != 0 || v < 1) {
                cli_error("--max-depth takes a count from 1 to %d", TLSM_VERIFY_MAX_PATH);
                bad = 1;
            }
            a->max_depth = (size_t)v;
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_hint("verify");
        }
        if (bad)
            return cli_usage_hint("verify");
    }
    if (a->host && a->ip) {
        cli_error("--host and --ip exclude each other");
        return cli_usage_hint("verify");
    }
    if (a->n_ca == 0) {
        cli_error("missing --ca FILE (the trust anchors)");
        return cli_usage_hint("verify");
    }
    if (optind >= argc) {
        cli_error("missing LEAF.pem");
        return cli_usage_hint("verify");
    }
    if (optind + 1 < argc) {
        cli_error("unexpected argument '%s'", argv[optind + 1]);
        return cli_usage_hint("verify");
    }
    a->leaf = argv[optind];
    return -1;
}

/* Loads every --ca file. A certificate the library refuses as an anchor is reported and
 * skipped; a file that cannot be read, has malformed PEM or gives no anchor is an error. */
static int load_trust(const verify_args *a, trust_store *t)
{
    for (size_t i = 0; i < a->n_ca; i++) {
        const char *path = a->ca[i];
        tlsm_trust_report rep;
        int rc = tlsm_config_add_trust_file(t->cfg, path, &rep);
        for (size_t k = 0; k < rep.n_rejects; k++) {
            const tlsm_trust_reject *rj = &rep.rejects[k];
            if (rj->code == TLSM_ERR_PEM) {
                cli_error("%s: malformed PEM (block %zu)", path, rj->index);
                return -1;
            }
            if (rj->code == TLSM_ERR_NO_CERT) {
                cli_error("%s: no certificate found (expected PEM or DER)", path);
                return -1;
            }
            if (rj->code != TLSM_ERR_IO)
                cli_error("warning: %s: certificate %zu is not a usable trust anchor (%s)",
                          path, rj->index, tlsm_strerror(rj->code));
        }
        if (rep.rejected > rep.n_rejects)
            cli_error("warning: %s: %zu more certificates are not usable trust anchors", path,
                      rep.rejected - rep.n_rejects);
        if (rc == TLSM_ERR_IO) {
            cli_error("cannot read %s", path);
            return -1;
        }
        if (rc == TLSM_ERR_NO_CERT) {
            cli_error("%s: no usable trust anchor", path);
            return -1;
        }
        if (rc != 0) {
            cli_error("cannot use %s as trust anchors: %s", path, tlsm_strerror(rc));
            return -1;
        }
        t->end[t->n_files++] = tlsm_config_trust_count(t->cfg);
    }
    return 0;
}

static const char *anchor_file(const verify_args *a, const trust_store *t, size_t anchor)
{
    for (size_t i = 0; i < t->n_files; i++)
        if (anchor < t->end[i])
            return a->ca[i];
    return "?";
}

/* The subject as one line, or a placeholder when the library cannot read it. */
static void subject_of(const uint8_t *der, size_t len, char *buf, size_t cap)
{
    tlsm_cert_facts f;
    /* A certificate refused on policy grounds still has its names filled in. */
    int rc = der ? tlsm_cert_info(der, len, &f) : TLSM_ERR_ARG;
    if (rc != 0 && (!der || !f.subject[0] || rc == TLSM_ERR_CERT_PARSE))
        snprintf(buf, cap, "(unreadable subject)");
    else if (!f.subject[0])
        snprintf(buf, cap, "(empty subject)");
    else
        snprintf(buf, cap, "%s", f.subject);
}

/* "CN=intA [certificate 1, chain.pem #1]" for input certificate 1, "CN=root [trust anchor,
 * ca.pem]" for an anchor, both origins for an input certificate that is also an anchor. */
static void describe(const verify_args *a, const trust_store *t, const cli_cert_list *certs,
                     int32_t input, int32_t anchor, char *buf, size_t cap)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    char subject[600], where[600] = "", from_ca[300] = "";
    if (input >= 0) {
        der = certs->v[input].der;
        len = certs->v[input].len;
    } else if (anchor >= 0) {
        der = tlsm_config_trust_cert(t->cfg, (size_t)anchor, &len);
    }
    subject_of(der, len, subject, sizeof subject);
    if (anchor >= 0)
        snprintf(from_ca, sizeof from_ca, "trust anchor, %s", anchor_file(a, t, (size_t)anchor));
    if (input >= 0)
        snprintf(where, sizeof where, "certificate %d, %s #%zu%s%s", (int)input,
                 certs->v[input].file, certs->v[input].block, from_ca[0] ? ", " : "", from_ca);
    else
        snprintf(where, sizeof where, "%s", anchor >= 0 ? from_ca : "trust anchor");
    snprintf(buf, cap, "%s [%s]", subject, where);
}

/* "FAIL: <reason>: <the certificate at fault>", or only the reason when no single
 * certificate is to blame. */
static void print_failure(const verify_args *a, const trust_store *t, const cli_cert_list *certs,
                          const tlsm_verify_result *r)
{
    char what[1400];
    if (r->fault >= 0 || r->fault == TLSM_VERIFY_FAULT_ANCHOR) {
        describe(a, t, certs, r->fault >= 0 ? r->fault : -1,
                 r->fault >= 0 ? -1 : r->fault_anchor, what, sizeof what);
        printf("FAIL: %s: %s\n", tlsm_strerror(r->error), what);
    } else {
        printf("FAIL: %s\n", tlsm_strerror(r->error));
    }
}

/* "OK", then the path: leaf at depth 0, the trust anchor last. */
static void print_path(const verify_args *a, const trust_store *t, const cli_cert_list *certs,
                       const tlsm_verify_result *r)
{
    printf("OK\n");
    for (uint32_t i = 0; i < r->path_len; i++) {
        char what[1400];
        describe(a, t, certs, r->path_input[i], r->path_anchor[i], what, sizeof what);
        printf("depth %u: %s\n", i, what);
    }
}

static int run(const verify_args *a, trust_store *t, cli_cert_list *certs)
{
    if (load_trust(a, t) != 0 || cli_cert_list_add_file(certs, a->leaf) != 0)
        return CLI_EXIT_USAGE;
    for (size_t i = 0; i < a->n_untrusted; i++)
        if (cli_cert_list_add_file(certs, a->untrusted[i]) != 0)
            return CLI_EXIT_USAGE;
    if (certs->n > TLSM_VERIFY_MAX_CERTS) {
        cli_error("too many certificates (%zu; at most %d)", certs->n, TLSM_VERIFY_MAX_CERTS);
        return CLI_EXIT_USAGE;
    }
    const uint8_t **ders = malloc(certs->n * sizeof(*ders));
    size_t *lens = malloc(certs->n * sizeof(*lens));
    if (!ders || !lens) {
        free(ders);
        free(lens);
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < certs->n; i++) {
        ders[i] = certs->v[i].der;
        lens[i] = certs->v[i].len;
    }
    tlsm_verify_result r;
    int rc = tlsm_verify_chain(t->cfg, ders, lens, certs->n, a->host ? a->host : a->ip,
                               a->purpose, a->time, a->max_depth, &r);
    free(ders);
    free(lens);
    if (rc == TLSM_ERR_ARG) {
        cli_error("the library refused the arguments: %s", tlsm_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    if (rc == TLSM_ERR_NOMEM) {
        cli_error("%s", tlsm_strerror(rc));
        return CLI_EXIT_FAIL;
    }
    if (rc != 0) {
        print_failure(a, t, certs, &r);
        return CLI_EXIT_FAIL;
    }
    print_path(a, t, certs, &r);
    return CLI_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    verify_args a;
    memset(&a, 0, sizeof(a));
    a.purpose = TLSM_PURPOSE_SERVER;
    a.time = TLSM_VERIFY_TIME_NOW;
    int status = parse_args(argc, argv, &a);
    if (status >= 0)
        return status;
    trust_store t;
    memset(&t, 0, sizeof(t));
    t.cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    if (!t.cfg) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    cli_cert_list certs;
    memset(&certs, 0, sizeof(certs));
    status = run(&a, &t, &certs);
    cli_cert_list_free(&certs);
    tlsm_config_free(t.cfg);
    return status;
}
