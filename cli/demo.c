/*
 * demo.c - `tlsm demo`: a client and a server in one process, wired together by the
 * library's in-memory testing kit (tlsm_pair_*, driven in demo_pair.c). After the
 * handshake each side sends one application message and both close with close_notify;
 * the handshake is drawn as a ladder from the kit's trace (demo_ladder.c) and the
 * negotiated parameters are printed and cross-checked between the two sides
 * (demo_summary.c). The certificates are the bundled test PKI (demo_pki_data.c), so the
 * demo runs from any directory; it uses the real clock and random source.
 *
 * --trace mermaid|json prints the kit's own document instead, and nothing else on stdout;
 * --pcap and --keylog write the kit's capture and key log to files; --fault puts the
 * kit's faults between the two sides, and the demo then shows how each side ended.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

static const char client_message[] = "hello from the tlsm client";
static const char server_message[] = "hello from the tlsm server";

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm demo [options]\n"
            "\n"
            "Runs a TLS 1.3 client and server in this process, wired together in memory by\n"
            "tlsm's testing kit, and draws the handshake as a ladder. Then each side sends\n"
            "one message, both close with close_notify, and the negotiated parameters are\n"
            "printed. Uses the test PKI compiled into tlsm (tests/data/pki); no network.\n"
            "\n"
            "Options:\n"
            "  --suite LIST       cipher suites in preference order (comma-separated, or\n"
            "                     'all'; repeat the option to add more)\n"
            "  --group LIST       key-exchange groups in preference order (the same way)\n"
            "  --key TYPE         server key: ed25519 (default), p256, p384, rsa, rsapss\n"
            "  --alpn LIST        ALPN protocols offered and accepted, e.g. h2,http/1.1\n"
            "  --hrr              make the client guess the wrong key share, so the server\n"
            "                     answers with a HelloRetryRequest\n"
            "  --resume           connect twice; the second handshake resumes the first\n"
            "                     session with its ticket (PSK with (EC)DHE)\n"
            "  --client-auth      the server requires a client certificate\n"
            "  --tls13            TLS 1.3 only (default: TLS 1.3, or 1.2 if 1.3 is refused)\n"
            "  --tls12            TLS 1.2 only\n"
            "  --trace FORMAT     what stdout shows: ladder (default: the messages as a\n"
            "                     ladder, then a summary), mermaid (the kit's Mermaid\n"
            "                     sequenceDiagram of every record) or json (the kit's JSON\n"
            "                     trace; with --resume an array of the two connections')\n"
            "  --pcap FILE        write the conversation as a pcap capture over synthetic\n"
            "                     TCP (10.0.0.1 -> 10.0.0.2:443); with --resume the second\n"
            "                     connection goes to FILE-2 (before any extension)\n"
            "  --keylog FILE      write the NSS key log (SSLKEYLOGFILE format) with which\n"
            "                     Wireshark or tshark decrypts the capture\n"
            "  --fault SPEC       put a fault between client and server (repeatable; every\n"
            "                     connection gets it): KIND[:ARG]@DIR[:SELECTOR] with\n"
            "                       KIND  drop, dup, corrupt[:OFFSET], truncate:N, split:N,\n"
            "                             fragment[:N], delay:N, reorder, replace:HEX,\n"
            "                             inject:HEX\n"
            "                       DIR   c2s (client to server) or s2c\n"
            "                       SELECTOR  rec=K (the K-th record of DIR, from 0),\n"
            "                             msg=NAME (e.g. msg=Certificate, msg=Finished,\n"
            "                             msg=ChangeCipherSpec, msg=ApplicationData) or all;\n"
            "                             none is rec=0\n"
            "                     e.g. corrupt@s2c:rec=2, drop@c2s:msg=ChangeCipherSpec\n"
            "  --seed N           seed of the faults' randomness (default 0)\n"
            "  -h, --help         show this help\n"
            "\n"
            "Exit status: 0 when the handshake, the messages and the close all worked, 1 when\n"
            "they did not (with a fault: the connection failed as the fault made it fail;\n"
            "the ladder then shows how each side ended), 2 for a usage error.\n"
            "\n"
            "Cipher suites:\n");
    cli_print_suite_names(out, "  ");
    fprintf(out, "Groups:\n");
    cli_print_group_names(out, "  ");
}

enum { OPT_SUITE = 256, OPT_GROUP, OPT_KEY, OPT_ALPN, OPT_HRR, OPT_RESUME, OPT_CLIENT_AUTH,
       OPT_TLS12, OPT_TLS13, OPT_TRACE, OPT_PCAP, OPT_KEYLOG, OPT_FAULT, OPT_SEED };

static int parse_trace(const char *arg, demo_args *a)
{
    static const char *const names[] = {"ladder", "mermaid", "json"};
    for (int i = 0; i < 3; i++)
        if (strcmp(arg, names[i]) == 0) {
            a->format = (demo_trace_format)i;
            return 0;
        }
    cli_error("unknown trace format '%s' (ladder, mermaid or json)", arg);
    return 1;
}

static int parse_seed(const char *arg, demo_args *a)
{
    char *end;
    if (arg[0] >= '0' && arg[0] <= '9') {
        a->seed = strtoull(arg, &end, 10);
        if (*end == 0 && a->seed != (uint64_t)-1)
            return 0;
    }
    cli_error("--seed takes a decimal number below 2^64 - 1, not '%s'", arg);
    return 1;
}

static int parse_key(const char *arg, demo_args *a)
{
    static const char *const keys[] = {"ed25519", "p256", "p384", "rsa", "rsapss"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(arg, keys[i]) == 0) {
            a->key = keys[i];
            return 0;
        }
    cli_error("unknown key type '%s' (ed25519, p256, p384, rsa or rsapss)", arg);
    return 1;
}

static int parse_args(int argc, char **argv, demo_args *a)
{
    static const struct option longopts[] = {
        {"suite", required_argument, NULL, OPT_SUITE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"key", required_argument, NULL, OPT_KEY},
        {"alpn", required_argument, NULL, OPT_ALPN},
        {"hrr", no_argument, NULL, OPT_HRR},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"client-auth", no_argument, NULL, OPT_CLIENT_AUTH},
        {"tls12", no_argument, NULL, OPT_TLS12},
        {"tls13", no_argument, NULL, OPT_TLS13},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"pcap", required_argument, NULL, OPT_PCAP},
        {"keylog", required_argument, NULL, OPT_KEYLOG},
        {"fault", required_argument, NULL, OPT_FAULT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    a->key = "ed25519";
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case OPT_SUITE: bad = cli_opt_suites(&a->tls, optarg); break;
        case OPT_GROUP: bad = cli_opt_groups(&a->tls, optarg); break;
        case OPT_ALPN: bad = cli_opt_alpn(&a->tls, optarg); break;
        case OPT_KEY: bad = parse_key(optarg, a); break;
        case OPT_HRR: a->hrr = 1; break;
        case OPT_RESUME: a->resume = 1; break;
        case OPT_CLIENT_AUTH: a->client_auth = 1; break;
        case OPT_TLS12: a->tls12 = 1; break;
        case OPT_TLS13: a->tls13 = 1; break;
        case OPT_TRACE: bad = parse_trace(optarg, a); break;
        case OPT_PCAP: a->pcap = optarg; break;
        case OPT_KEYLOG: a->keylog = optarg; break;
        case OPT_SEED: bad = parse_seed(optarg, a); break;
        case OPT_FAULT:
            if (a->n_faults == DEMO_FAULTS_MAX) {
                cli_error("at most %d --fault options", DEMO_FAULTS_MAX);
                bad = 1;
            } else {
                a->faults[a->n_faults++] = optarg;
            }
            break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_hint("demo");
        }
        if (bad)
            return cli_usage_hint("demo");
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'", argv[optind]);
        return cli_usage_hint("demo");
    }
    if (a->tls12 && a->tls13) {
        cli_error("--tls12 and --tls13 exclude each other");
        return cli_usage_hint("demo");
    }
    if (a->tls12 && a->hrr) {
        cli_error("--hrr needs TLS 1.3: TLS 1.2 has no HelloRetryRequest");
        return cli_usage_hint("demo");
    }
    return -1;
}

/* ---------------------------------------------------------------- one connection */

typedef struct {
    const demo_args *args;
    tlsm_config *client_cfg, *server_cfg;
    uint8_t *session; /* the client's ticket from the previous connection */
    size_t session_len;
    int connections;  /* 1, or 2 with --resume */
    int documents;    /* kit documents printed so far (--trace mermaid|json) */
    char *keylog;     /* the key logs of every connection so far (--keylog) */
    size_t keylog_len;
} demo_run;

static void faults_text(const demo_args *a, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < a->n_faults && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", a->faults[i]);
}

/* --trace mermaid|json: the kit's document. Several connections make one Mermaid diagram
 * (each under a note with its title) or a JSON array. */
static int print_document(demo_run *r, tlsm_pair *pair, const char *title)
{
    int json = r->args->format == DEMO_TRACE_JSON;
    size_t len = 0;
    char *text = demo_trace_text(pair, json ? TLSM_TRACE_JSON : TLSM_TRACE_MERMAID, &len);
    if (!text)
        return -1;
    if (json) {
        if (r->connections > 1)
            fputs(r->documents == 0 ? "[\n" : ",\n", stdout);
        fwrite(text, 1, len, stdout);
    } else {
        size_t body = 0; /* past "sequenceDiagram" and the participants */
        while (body < len && (strncmp(text + body, "sequenceDiagram\n", 16) == 0 ||
                              strncmp(text + body, "    participant ", 16) == 0)) {
            const char *eol = memchr(text + body, '\n', len - body);
            body = eol ? (size_t)(eol - text) + 1 : len;
        }
        if (r->documents == 0)
            fwrite(text, 1, body, stdout);
        if (r->connections > 1)
            printf("    Note over C,S: %s\n", title);
        fwrite(text + body, 1, len - body, stdout);
    }
    r->documents++;
    free(text);
    return 0;
}

/* --pcap and --keylog. In the ladder view, one line each under the summary. */
static int write_files(demo_run *r, tlsm_pair *pair, int index)
{
    const demo_args *a = r->args;
    int text = a->format == DEMO_TRACE_LADDER, rc = 0;
    size_t len = 0;
    if (a->pcap) {
        char path[4096];
        uint8_t *pcap = NULL;
        demo_numbered_path(a->pcap, index, path, sizeof path);
        rc = tlsm_pair_pcap(pair, NULL, 0, &len);
        if (rc == 0 && !(pcap = malloc(len)))
            rc = TLSM_ERR_NOMEM;
        if (rc == 0)
            rc = tlsm_pair_pcap(pair, pcap, len, &len);
        if (rc != 0)
            cli_error("cannot get the capture: %s", tlsm_strerror(rc));
        else if (demo_write_file(path, pcap, len) != 0)
            rc = -1;
        else if (text)
            printf("  %-20s %s (%zu bytes)\n", "pcap written", path, len);
        free(pcap);
    }
    if (a->keylog && rc == 0) {
        char *all = NULL;
        rc = tlsm_pair_keylog(pair, NULL, 0, &len);
        if (rc == 0 && !(all = realloc(r->keylog, r->keylog_len + len + 1)))
            rc = TLSM_ERR_NOMEM;
        if (all)
            r->keylog = all;
        if (rc == 0)
            rc = tlsm_pair_keylog(pair, r->keylog + r->keylog_len, len, &len);
        if (rc != 0) {
            cli_error("cannot get the key log: %s", tlsm_strerror(rc));
        } else {
            r->keylog_len += len;
            if (demo_write_file(a->keylog, r->keylog, r->keylog_len) != 0)
                rc = -1;
            else if (text)
                printf("  %-20s %s (%zu bytes)\n", "key log written", a->keylog, r->keylog_len);
        }
    }
    return rc == 0 ? 0 : -1;
}

/* Keeps the client's ticket for the next connection. */
static int keep_session(demo_run *r, tlsm_conn *client)
{
    size_t len = 0;
    int rc = tlsm_conn_get_session(client, NULL, 0, &len);
    if ((rc == 0 || rc == TLSM_ERR_BUFFER) && len > 0 && (r->session = malloc(len)) != NULL)
        rc = tlsm_conn_get_session(client, r->session, len, &r->session_len);
    if (rc != 0 || !r->session) {
        cli_error("demo failed: cannot keep the session for resumption: %s",
                  tlsm_strerror(rc ? rc : TLSM_ERR_NOMEM));
        return -1;
    }
    return 0;
}

/* After the ladder: how it went. Prints the summary (or how each side ended) and, on
 * failure, the one-line reason on stderr. */
static int judge(demo_run *r, const demo_conversation *dc, int index, int touched)
{
    const demo_args *a = r->args;
    int text = a->format == DEMO_TRACE_LADDER;
    tlsm_conn *c = tlsm_pair_client(dc->pair), *s = tlsm_pair_server(dc->pair);
    char faults[512];
    faults_text(a, faults, sizeof faults);
    if (dc->stage != DEMO_OK) {
        char why[600];
        if (text)
            demo_print_outcome(dc, stdout);
        if (text && a->n_faults)
            printf("  %-20s %s (seed %llu; %d record%s touched)\n", "faults", faults,
                   (unsigned long long)a->seed, touched, touched == 1 ? "" : "s");
        demo_conversation_reason(dc, why, sizeof why);
        cli_error("demo failed %s%s%s%s", why, a->n_faults ? " (fault " : "", faults,
                  a->n_faults ? ")" : "");
        return CLI_EXIT_FAIL;
    }
    uint8_t exported[32];
    const char *what = demo_disagreement(c, s, exported);
    const char *wrong = NULL;
    if (what)
        cli_error("demo failed: client and server disagree on %s", what);
    else if (a->hrr && !tlsm_conn_hrr(c))
        wrong = "--hrr was given but no HelloRetryRequest happened";
    else if (index > 1 && !tlsm_conn_resumed(c))
        wrong = "the server did not resume the session (full handshake instead)";
    else if (a->resume && index == 1 && !dc->got_ticket)
        wrong = "the server sent no session ticket, nothing to resume";
    if (wrong)
        cli_error("demo failed: %s", wrong);
    if (what || wrong)
        return CLI_EXIT_FAIL;
    if (!text)
        return CLI_EXIT_OK;
    demo_print_summary(c, s, a->key, a->client_auth, stdout);
    printf("  %-20s client -> server \"%s\"\n", "application data", client_message);
    printf("  %-20s server -> client \"%s\"\n", "", server_message);
    demo_print_exporter(exported, stdout);
    printf("  %-20s close_notify sent and received by both sides\n", "closed");
    if (a->n_faults)
        printf("  %-20s %s (seed %llu; %d record%s touched%s)\n", "faults", faults,
               (unsigned long long)a->seed, touched, touched == 1 ? "" : "s",
               touched ? ", and TLS carried on" : ": no record matched");
    return CLI_EXIT_OK;
}

static int run_connection(demo_run *r, int index)
{
    const demo_args *a = r->args;
    const char *title = r->connections == 1 ? "Handshake"
                        : index == 1 ? "Connection 1 of 2: full handshake"
                                     : "Connection 2 of 2: resumption with the ticket from "
                                       "connection 1";
    char note[96]; /* the title as a Mermaid note: no ':' */
    snprintf(note, sizeof note, "%s", title);
    for (char *colon = strchr(note, ':'); colon; colon = strchr(colon, ':'))
        *colon = ',';
    demo_conversation dc;
    int rc = CLI_EXIT_FAIL, touched = 0;
    if (demo_conversation_open(&dc, r->client_cfg, r->server_cfg, r->session, r->session_len,
                               a->faults, a->n_faults, a->seed) != 0)
        goto out;
    demo_conversation_run(&dc, client_message, server_message);
    if (a->format == DEMO_TRACE_LADDER)
        touched = demo_ladder_print(dc.pair, title, stdout);
    else if (print_document(r, dc.pair, note) != 0)
        touched = -1;
    if (touched >= 0)
        rc = judge(r, &dc, index, touched);
    if (write_files(r, dc.pair, index) != 0)
        rc = CLI_EXIT_FAIL;
    if (rc == CLI_EXIT_OK && a->resume && index == 1 &&
        keep_session(r, tlsm_pair_client(dc.pair)) != 0)
        rc = CLI_EXIT_FAIL;
out:
    demo_conversation_close(&dc);
    return rc;
}

/* Faults are checked before anything is printed: a spec that does not parse is a usage
 * error. */
static int check_faults(demo_run *r)
{
    demo_conversation dc;
    int rc = demo_conversation_open(&dc, r->client_cfg, r->server_cfg, NULL, 0,
                                    r->args->faults, r->args->n_faults, r->args->seed);
    demo_conversation_close(&dc);
    return rc;
}

static void print_intro(const demo_args *a)
{
    char faults[512];
    printf("tlsm demo: a TLS client and server in one process, wired together in memory by\n"
           "tlsm's testing kit. The server presents server-%s.chain.pem from the bundled\n"
           "test PKI; the client trusts its root (ca.crt) and checks the name \"localhost\".%s\n",
           a->key,
           a->client_auth ? "\nThe server requires the client certificate client.chain.pem."
                          : "");
    if (a->n_faults) {
        faults_text(a, faults, sizeof faults);
        printf("Faults between them: %s (seed %llu).\n", faults, (unsigned long long)a->seed);
    }
    printf("\n");
}

int cmd_demo(int argc, char **argv)
{
    demo_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    demo_run r;
    memset(&r, 0, sizeof r);
    r.args = &a;
    r.connections = a.resume ? 2 : 1;
    r.client_cfg = demo_client_config(&a);
    r.server_cfg = r.client_cfg ? demo_server_config(&a) : NULL;
    if (!r.server_cfg) {
        tlsm_config_free(r.client_cfg);
        return CLI_EXIT_FAIL;
    }
    if (check_faults(&r) != 0) {
        rc = cli_usage_hint("demo");
        goto out;
    }
    if (a.format == DEMO_TRACE_LADDER)
        print_intro(&a);
    rc = run_connection(&r, 1);
    if (rc == CLI_EXIT_OK && a.resume) {
        if (a.format == DEMO_TRACE_LADDER)
            printf("\n");
        rc = run_connection(&r, 2);
    }
    if (a.format == DEMO_TRACE_JSON && r.connections > 1 && r.documents > 0)
        printf("]\n");
out:
    if (r.session) {
        explicit_bzero(r.session, r.session_len);
        free(r.session);
    }
    if (r.keylog) {
        explicit_bzero(r.keylog, r.keylog_len);
        free(r.keylog);
    }
    tlsm_config_free(r.client_cfg);
    tlsm_config_free(r.server_cfg);
    return rc;
}
