/*
 * demo.c - `tlsm demo`: a client and a server in one process, their bytes passed through
 * memory (demo_pair.c), with message tracing on so the handshake can be drawn as a ladder
 * (demo_ladder.c). After the handshake each side sends one application message, both
 * close with close_notify, and the negotiated parameters are printed and cross-checked
 * between the two sides. The certificates are the bundled test PKI (demo_pki_data.c), so
 * the demo runs from any directory; it uses the real clock and random source.
 * With --trace mermaid the output is a Mermaid sequence diagram instead (the ladder, and
 * the negotiated parameters as notes), ready to paste into Markdown.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

static const char client_message[] = "hello from the tlsm client";
static const char server_message[] = "hello from the tlsm server";
static const char exporter_label[] = "EXPERIMENTAL tlsm demo";

typedef struct {
    const char *key;
    int hrr, resume, client_auth, tls12, tls13;
    ladder_format format;
    cli_tls_options tls;
} demo_args;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm demo [options]\n"
            "\n"
            "Runs a TLS 1.3 client and server in this process, passing their bytes through\n"
            "memory, and draws the handshake as a ladder. Then each side sends one message,\n"
            "both close with close_notify, and the negotiated parameters are printed.\n"
            "Uses the test PKI compiled into tlsm (tests/data/pki); no network, no files.\n"
            "\n"
            "Options:\n"
            "  --suite LIST       cipher suites in preference order (comma-separated)\n"
            "  --group LIST       key-exchange groups in preference order\n"
            "  --key TYPE         server key: ed25519 (default), p256, p384, rsa, rsapss\n"
            "  --alpn LIST        ALPN protocols offered and accepted, e.g. h2,http/1.1\n"
            "  --hrr              make the client guess the wrong key share, so the server\n"
            "                     answers with a HelloRetryRequest\n"
            "  --resume           connect twice; the second handshake resumes the first\n"
            "                     session with its ticket (PSK with (EC)DHE)\n"
            "  --client-auth      the server requires a client certificate\n"
            "  --tls13            TLS 1.3 only (default: TLS 1.3, or 1.2 if 1.3 is refused)\n"
            "  --tls12            TLS 1.2 only\n"
            "  --trace FORMAT     how to draw the handshake: ladder (default: text columns\n"
            "                     and a summary) or mermaid (a Mermaid sequenceDiagram with\n"
            "                     the summary as notes, to paste into Markdown)\n"
            "  -h, --help         show this help\n"
            "\n"
            "Cipher suites:\n");
    cli_print_suite_names(out, "  ");
    fprintf(out, "Groups:\n");
    cli_print_group_names(out, "  ");
}

enum { OPT_SUITE = 256, OPT_GROUP, OPT_KEY, OPT_ALPN, OPT_HRR, OPT_RESUME, OPT_CLIENT_AUTH,
       OPT_TLS12, OPT_TLS13, OPT_TRACE };

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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const keys[] = {"ed25519", "p256", "p384", "rsa", "rsapss"};
    int c;
    a->key = keys[0];
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case OPT_SUITE: bad = cli_opt_suites(&a->tls, optarg); break;
        case OPT_GROUP: bad = cli_opt_groups(&a->tls, optarg); break;
        case OPT_ALPN: bad = cli_opt_alpn(&a->tls, optarg); break;
        case OPT_HRR: a->hrr = 1; break;
        case OPT_RESUME: a->resume = 1; break;
        case OPT_CLIENT_AUTH: a->client_auth = 1; break;
        case OPT_TLS12: a->tls12 = 1; break;
        case OPT_TLS13: a->tls13 = 1; break;
        case OPT_TRACE:
            if (strcmp(optarg, "ladder") == 0) {
                a->format = LADDER_TEXT;
            } else if (strcmp(optarg, "mermaid") == 0) {
                a->format = LADDER_MERMAID;
            } else {
                cli_error("unknown trace format '%s' (ladder or mermaid)", optarg);
                bad = 1;
            }
            break;
        case OPT_KEY:
            a->key = NULL;
            for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
                if (strcmp(optarg, keys[i]) == 0)
                    a->key = keys[i];
            if (!a->key) {
                cli_error("unknown key type '%s' (ed25519, p256, p384, rsa or rsapss)", optarg);
                bad = 1;
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

/* ---------------------------------------------------------------- configs */

static int add_identity(tlsm_config *cfg, const char *base)
{
    char chain_name[64], key_name[64];
    size_t chain_len, key_len;
    snprintf(chain_name, sizeof chain_name, "%s.chain.pem", base);
    snprintf(key_name, sizeof key_name, "%s.key", base);
    const char *chain = demo_pki_file(chain_name, &chain_len);
    const char *key = demo_pki_file(key_name, &key_len);
    int rc = chain && key ? tlsm_config_add_identity_pem(cfg, (const uint8_t *)chain, chain_len,
                                                         (const uint8_t *)key, key_len)
                          : TLSM_ERR_NO_CERT;
    if (rc != 0)
        cli_error("cannot load the bundled %s: %s", chain_name, tlsm_strerror(rc));
    return rc;
}

static int add_test_root(tlsm_config *cfg)
{
    size_t len;
    const char *pem = demo_pki_file("ca.crt", &len);
    int rc = pem ? tlsm_config_add_trust_pem(cfg, (const uint8_t *)pem, len, NULL)
                 : TLSM_ERR_NO_CERT;
    if (rc != 0)
        cli_error("cannot load the bundled ca.crt: %s", tlsm_strerror(rc));
    return rc;
}

static int check(int rc, const char *what)
{
    if (rc != 0)
        cli_error("%s: %s", what, tlsm_strerror(rc));
    return rc;
}

/* Settings both sides share: versions, suites, groups, ALPN and tracing. */
static int common_config(tlsm_config *cfg, const demo_args *a)
{
    uint16_t v = a->tls12 ? TLSM_TLS12 : TLSM_TLS13;
    if ((a->tls12 || a->tls13) &&
        check(tlsm_config_set_versions(cfg, v, v), a->tls12 ? "--tls12" : "--tls13") != 0)
        return -1;
    if (check(tlsm_config_set_trace(cfg, 1), "cannot turn tracing on") != 0)
        return -1;
    return cli_apply_tls_options(cfg, &a->tls);
}

/* With --hrr the server accepts only the first wanted group and the client sends its key
 * share for another one, which the server must refuse with a HelloRetryRequest. */
static void hrr_groups(const demo_args *a, uint16_t client[2], uint16_t *server)
{
    *server = a->tls.n_groups ? a->tls.groups[0] : TLSM_GROUP_X25519;
    client[0] = *server == TLSM_GROUP_X25519 ? TLSM_GROUP_SECP256R1 : TLSM_GROUP_X25519;
    client[1] = *server;
}

static tlsm_config *client_config(const demo_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    uint16_t groups[2], server_group;
    if (common_config(cfg, a) != 0 || add_test_root(cfg) != 0)
        goto fail;
    if (a->hrr) {
        hrr_groups(a, groups, &server_group);
        if (check(tlsm_config_set_groups(cfg, groups, 2), "cannot set the client groups") != 0)
            goto fail;
    }
    if (a->resume && check(tlsm_config_set_tickets(cfg, 1), "cannot enable tickets") != 0)
        goto fail;
    if (a->client_auth && add_identity(cfg, "client") != 0)
        goto fail;
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}

static tlsm_config *server_config(const demo_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    char base[32];
    snprintf(base, sizeof base, "server-%s", a->key);
    uint16_t groups[2], server_group;
    if (common_config(cfg, a) != 0 || add_identity(cfg, base) != 0)
        goto fail;
    if (a->hrr) {
        hrr_groups(a, groups, &server_group);
        if (check(tlsm_config_set_groups(cfg, &server_group, 1), "cannot set the server group"))
            goto fail;
    }
    if (a->resume && check(tlsm_config_set_tickets(cfg, 1), "cannot enable tickets") != 0)
        goto fail;
    if (a->client_auth && (add_test_root(cfg) != 0 ||
                           check(tlsm_config_set_client_auth(cfg, 2), "client auth") != 0))
        goto fail;
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}

/* ---------------------------------------------------------------- one connection */

typedef struct {
    const demo_args *args;
    tlsm_config *client_cfg, *server_cfg;
    uint8_t *session; /* the client's ticket from the previous connection */
    size_t session_len;
} demo_run;

/* Names the side that detected the problem and why; returns CLI_EXIT_FAIL. */
static int report_failure(demo_pair *p, const char *stage)
{
    int ce = tlsm_conn_error(p->client.conn), se = tlsm_conn_error(p->server.conn);
    char why[400];
    p->ladder->version = tlsm_conn_version(p->client.conn);
    ladder_print(p->ladder, stdout);
    if (ce == 0 && se == 0) {
        cli_error("demo failed %s: the connection stalled (neither side has anything to send)",
                  stage);
        return CLI_EXIT_FAIL;
    }
    int server_first = se != 0 && (ce == 0 || !TLSM_ERR_IS_LOCAL_ALERT(ce));
    demo_peer *peer = server_first ? &p->server : &p->client;
    cli_describe_failure(peer->conn, server_first ? se : ce, why, sizeof why);
    cli_error("demo failed %s: the %s reports: %s", stage, server_first ? "server" : "client", why);
    return CLI_EXIT_FAIL;
}

static int same_alpn(tlsm_conn *a, tlsm_conn *b)
{
    size_t la = 0, lb = 0;
    const uint8_t *pa = tlsm_conn_alpn(a, &la), *pb = tlsm_conn_alpn(b, &lb);
    return (!pa && !pb) || (pa && pb && la == lb && memcmp(pa, pb, la) == 0);
}

/* The two sides must agree on everything they negotiated. */
static const char *disagreement(tlsm_conn *c, tlsm_conn *s)
{
    if (tlsm_conn_version(c) != tlsm_conn_version(s))
        return "the protocol version";
    if (tlsm_conn_suite(c) != tlsm_conn_suite(s))
        return "the cipher suite";
    if (tlsm_conn_group(c) != tlsm_conn_group(s))
        return "the key-exchange group";
    if (!same_alpn(c, s))
        return "the ALPN protocol";
    if (tlsm_conn_resumed(c) != tlsm_conn_resumed(s))
        return "whether the session was resumed";
    if (tlsm_conn_hrr(c) != tlsm_conn_hrr(s))
        return "whether a HelloRetryRequest happened";
    return NULL;
}

/* Both sides must export the same keying material; the text ladder shows the start of it. */
static int check_exporter(demo_pair *p, int print)
{
    uint8_t ce[32], se[32];
    int rc = tlsm_export_keying_material(p->client.conn, exporter_label, strlen(exporter_label),
                                         NULL, 0, ce, sizeof ce);
    if (rc == 0)
        rc = tlsm_export_keying_material(p->server.conn, exporter_label, strlen(exporter_label),
                                         NULL, 0, se, sizeof se);
    if (rc != 0) {
        cli_error("demo failed: keying material exporter: %s", tlsm_strerror(rc));
        return -1;
    }
    if (memcmp(ce, se, sizeof ce) != 0) {
        cli_error("demo failed: client and server export different keying material");
        return -1;
    }
    if (!print)
        return 0;
    printf("  %-20s ", "exporter");
    for (size_t i = 0; i < 12; i++)
        printf("%02x", ce[i]);
    printf("... (same 32 bytes on both sides)\n");
    return 0;
}

static void print_summary(const demo_run *r, demo_pair *p)
{
    tlsm_conn *c = p->client.conn, *s = p->server.conn;
    size_t alpn_len = 0;
    const uint8_t *alpn = tlsm_conn_alpn(c, &alpn_len);
    const char *sni = tlsm_conn_server_name(s);
    printf("\n  %-20s %s\n", "version", cli_version_name(tlsm_conn_version(c)));
    printf("  %-20s %s\n", "cipher suite", cli_suite_name(tlsm_conn_suite(c)));
    printf("  %-20s %s%s\n", "key exchange", cli_group_name(tlsm_conn_group(c)),
           tlsm_conn_group(c) == 0 && tlsm_conn_resumed(c) ? " (keys from the resumed session)"
                                                            : "");
    if (tlsm_conn_peer_sigalg(c) != 0)
        printf("  %-20s %s (server-%s certificate)\n", "server signature",
               cli_sigalg_name(tlsm_conn_peer_sigalg(c)), r->args->key);
    else
        printf("  %-20s none%s\n", "server signature",
               tlsm_conn_resumed(c) ? " (authenticated by the resumed session)" : "");
    if (tlsm_conn_peer_sigalg(s) != 0)
        printf("  %-20s %s (client certificate)\n", "client signature",
               cli_sigalg_name(tlsm_conn_peer_sigalg(s)));
    else if (r->args->client_auth)
        printf("  %-20s none (authenticated by the resumed session)\n", "client signature");
    printf("  %-20s %.*s\n", "ALPN", alpn ? (int)alpn_len : 4, alpn ? (const char *)alpn : "none");
    printf("  %-20s %s\n", "server name (SNI)", sni ? sni : "none");
    printf("  %-20s %s\n", "HelloRetryRequest", tlsm_conn_hrr(c) ? "yes" : "no");
    printf("  %-20s %s\n", "resumed",
           !tlsm_conn_resumed(c)                        ? "no"
           : tlsm_conn_version(c) == TLSM_TLS12 ? "yes (abbreviated handshake with the ticket)"
                                                        : "yes (PSK from the ticket)");
}

/* The summary as Mermaid notes: what was negotiated and who signed with what. */
static void print_summary_notes(const demo_run *r, demo_pair *p)
{
    tlsm_conn *c = p->client.conn, *s = p->server.conn;
    char desc[200], sigs[160];
    cli_describe_session(c, desc, sizeof desc);
    ladder_print_note(p->ladder, desc, stdout);
    int n = 0;
    if (tlsm_conn_peer_sigalg(c) != 0)
        n = snprintf(sigs, sizeof sigs, "server signs with %s",
                     cli_sigalg_name(tlsm_conn_peer_sigalg(c)));
    else
        n = snprintf(sigs, sizeof sigs, "server authenticated by the resumed session");
    if (n > 0 && (size_t)n < sizeof sigs && tlsm_conn_peer_sigalg(s) != 0)
        snprintf(sigs + n, sizeof sigs - (size_t)n, ", client signs with %s",
                 cli_sigalg_name(tlsm_conn_peer_sigalg(s)));
    else if (n > 0 && (size_t)n < sizeof sigs && r->args->client_auth)
        snprintf(sigs + n, sizeof sigs - (size_t)n, ", client by the resumed session");
    ladder_print_note(p->ladder, sigs, stdout);
}

/* Keeps the client's ticket for the next connection. */
static int keep_session(demo_run *r, demo_pair *p)
{
    size_t len = 0;
    free(r->session);
    r->session = NULL;
    int rc = tlsm_conn_get_session(p->client.conn, NULL, 0, &len);
    if ((rc == 0 || rc == TLSM_ERR_BUFFER) && len > 0 && (r->session = malloc(len)) != NULL)
        rc = tlsm_conn_get_session(p->client.conn, r->session, len, &r->session_len);
    if (rc != 0 || !r->session) {
        cli_error("demo failed: cannot keep the session for resumption: %s",
                  tlsm_strerror(rc ? rc : TLSM_ERR_NOMEM));
        return -1;
    }
    return 0;
}

static int converse(demo_run *r, demo_pair *p)
{
    demo_peer *c = &p->client, *s = &p->server;
    int settled = demo_pair_pump(p);
    p->ladder->version = tlsm_conn_version(c->conn);
    if (settled != 0 || !c->handshake_done || !s->handshake_done)
        return report_failure(p, "during the handshake");
    const char *what = disagreement(c->conn, s->conn);
    if (what) {
        ladder_print(p->ladder, stdout);
        cli_error("demo failed: client and server disagree on %s", what);
        return CLI_EXIT_FAIL;
    }
    if (demo_pair_send(p, c, client_message) != 0 || demo_pair_pump(p) != 0 ||
        demo_pair_send(p, s, server_message) != 0 || demo_pair_pump(p) != 0)
        return report_failure(p, "while exchanging data");
    if (s->received_len != strlen(client_message) ||
        memcmp(s->received, client_message, s->received_len) != 0 ||
        c->received_len != strlen(server_message) ||
        memcmp(c->received, server_message, c->received_len) != 0) {
        ladder_print(p->ladder, stdout);
        cli_error("demo failed: the application data did not arrive intact");
        return CLI_EXIT_FAIL;
    }
    if (r->args->resume && !r->session && !c->got_ticket) {
        ladder_print(p->ladder, stdout);
        cli_error("demo failed: the server sent no session ticket, nothing to resume");
        return CLI_EXIT_FAIL;
    }
    if (r->args->resume && !r->session && keep_session(r, p) != 0)
        return CLI_EXIT_FAIL;
    if (demo_pair_close(p, c) != 0 || demo_pair_pump(p) != 0 || !s->peer_closed ||
        demo_pair_close(p, s) != 0 || demo_pair_pump(p) != 0 || !c->peer_closed)
        return report_failure(p, "while closing");
    return CLI_EXIT_OK;
}

static int run_connection(demo_run *r, const char *title)
{
    ladder l;
    demo_pair p;
    memset(&l, 0, sizeof l);
    memset(&p, 0, sizeof p);
    l.format = r->args->format;
    p.ladder = &l;
    p.client.side = SIDE_CLIENT;
    p.server.side = SIDE_SERVER;
    p.client.conn = tlsm_conn_new(r->client_cfg, "localhost");
    p.server.conn = tlsm_conn_new(r->server_cfg, NULL);
    int rc = CLI_EXIT_FAIL;
    if (!p.client.conn || !p.server.conn) {
        cli_error("cannot create the connections: out of memory");
        goto out;
    }
    ladder_print_header(&l, title, stdout);
    int offered = r->session != NULL;
    if (offered && check(tlsm_conn_set_session(p.client.conn, r->session, r->session_len),
                         "cannot offer the saved session") != 0)
        goto out;
    if (check(tlsm_conn_start(p.client.conn), "cannot start the handshake") != 0)
        goto out;
    rc = converse(r, &p);
    if (rc != CLI_EXIT_OK)
        goto out;
    l.version = tlsm_conn_version(p.client.conn);
    ladder_print(&l, stdout);
    ladder_print_legend(&l, stdout);
    if (l.format == LADDER_MERMAID) {
        print_summary_notes(r, &p);
    } else {
        print_summary(r, &p);
        printf("  %-20s client -> server \"%s\"\n", "application data", client_message);
        printf("  %-20s server -> client \"%s\"\n", "", server_message);
    }
    if (check_exporter(&p, l.format == LADDER_TEXT) != 0) {
        rc = CLI_EXIT_FAIL;
        goto out;
    }
    if (l.format == LADDER_TEXT)
        printf("  %-20s close_notify sent and received by both sides\n", "closed");
    if (r->args->hrr && !tlsm_conn_hrr(p.client.conn)) {
        cli_error("demo failed: --hrr was given but no HelloRetryRequest happened");
        rc = CLI_EXIT_FAIL;
    } else if (offered && !tlsm_conn_resumed(p.client.conn)) {
        cli_error("demo failed: the server did not resume the session (full handshake instead)");
        rc = CLI_EXIT_FAIL;
    }
out:
    tlsm_conn_free(p.client.conn);
    tlsm_conn_free(p.server.conn);
    return rc;
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
    r.client_cfg = client_config(&a);
    r.server_cfg = r.client_cfg ? server_config(&a) : NULL;
    if (!r.server_cfg) {
        tlsm_config_free(r.client_cfg);
        return CLI_EXIT_FAIL;
    }
    if (a.format == LADDER_MERMAID)
        ladder_print_mermaid_start(stdout);
    else
        printf("tlsm demo: a TLS client and server in one process, talking through memory.\n"
               "The server presents server-%s.chain.pem from the bundled test PKI; the client\n"
               "trusts its root (ca.crt) and checks the name \"localhost\".%s\n\n",
               a.key,
               a.client_auth ? " The server requires\nthe client certificate client.chain.pem."
                             : "");
    rc = run_connection(&r, a.resume ? "Connection 1 of 2: full handshake" : "Handshake");
    if (rc == CLI_EXIT_OK && a.resume) {
        if (a.format == LADDER_TEXT)
            printf("\n");
        rc = run_connection(&r, "Connection 2 of 2: resumption with the ticket from connection 1");
    }
    if (r.session) {
        explicit_bzero(r.session, r.session_len);
        free(r.session);
    }
    tlsm_config_free(r.client_cfg);
    tlsm_config_free(r.server_cfg);
    return rc;
}
