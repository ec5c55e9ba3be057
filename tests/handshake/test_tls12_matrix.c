/*
 * test_tls12_matrix.c - TLS 1.2 handshakes between a tlsm client and a tlsm server in memory,
 * and version negotiation between TLS 1.2 and 1.3 (including the RFC 8446 s.4.1.3 downgrade
 * sentinel, checked on the wire).
 *
 * Each case completes a handshake with a 1.2-only server, checks the negotiated facts on both
 * sides (version, suite, group, the server's signature scheme, the client certificate, one
 * HANDSHAKE_DONE each), checks the message sequence of RFC 5246 s.7.3 from the trace events,
 * exchanges data both ways, compares the RFC 5705 exporter, and, per its resumption mode,
 * resumes by session id or by ticket: an abbreviated handshake (no Certificate, no key
 * exchange) with a new exporter value.
 *
 * How the dimensions are combined (59 + 110 cases instead of the ~1000 of a full product):
 *  - tls12_matrix/crypto: every suite x every group its key exchange allows (X25519, P-256,
 *    P-384 for ECDHE; ffdhe2048, ffdhe3072 for DHE; none for RSA key transport) x every
 *    server key the suite allows (ECDSA suites: P-256, P-384, Ed25519; RSA suites: rsa,
 *    rsapss; RSA key transport: rsa only). These interact in the cryptography.
 *  - tls12_matrix/features: every suite x {no client auth, request without a client
 *    certificate, require with one} x {no resumption, session id, ticket}, plus require
 *    without a certificate (handshake_failure, RFC 5246 s.7.4.6) per suite. These interact
 *    in the state machine; the suite's hash enters the PRF, the Finished and the ticket.
 *  In both sets the dimensions of the other rotate with the case number: client auth and
 *  resumption in the crypto set, group and key in the feature set; so do the client's
 *  version range (1.2 only, or 1.2 and 1.3 against the 1.2-only server) and the byte
 *  granularity of the handshake (whole flights, 1, 7 or 1000 bytes per step).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

/* Handshake message types (RFC 5246 s.7.4) as the trace events name them. */
enum {
    MSG_CLIENT_HELLO = 1,
    MSG_SERVER_HELLO = 2,
    MSG_NEW_SESSION_TICKET = 4,
    MSG_CERTIFICATE = 11,
    MSG_SERVER_KEY_EXCHANGE = 12,
    MSG_CERTIFICATE_REQUEST = 13,
    MSG_SERVER_HELLO_DONE = 14,
    MSG_CERTIFICATE_VERIFY = 15,
    MSG_CLIENT_KEY_EXCHANGE = 16,
    MSG_FINISHED = 20
};

enum { AUTH_NONE, AUTH_REQUEST, AUTH_REQUIRE, AUTH_REQUIRE_MISSING };
static const char *const auth_names[4] = {"no-auth", "auth-requested", "auth-required",
                                          "auth-required-missing"};
enum { RES_NONE, RES_SID, RES_TICKET };
static const char *const res_names[3] = {"no-resumption", "session-id", "ticket"};

static const size_t hs_chunks[4] = {0, 1, 7, 1000};

typedef enum { KX_ECDHE_ECDSA, KX_ECDHE_RSA, KX_DHE_RSA, KX_RSA } kx_kind;

typedef struct {
    uint16_t suite;
    kx_kind kx;
} suite12;

static const suite12 suites[11] = {
    {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, KX_ECDHE_ECDSA},
    {TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, KX_ECDHE_ECDSA},
    {TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, KX_ECDHE_ECDSA},
    {TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, KX_ECDHE_RSA},
    {TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, KX_ECDHE_RSA},
    {TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, KX_ECDHE_RSA},
    {TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, KX_DHE_RSA},
    {TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, KX_DHE_RSA},
    {TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, KX_DHE_RSA},
    {TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256, KX_RSA},
    {TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384, KX_RSA},
};

static const uint16_t ec_groups[3] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1,
                                      TLSM_GROUP_SECP384R1};
static const uint16_t dh_groups[2] = {TLSM_GROUP_FFDHE2048, TLSM_GROUP_FFDHE3072};
static const pair_key ec_keys[3] = {PAIR_KEY_P256, PAIR_KEY_P384, PAIR_KEY_ED25519};
static const pair_key rsa_keys[2] = {PAIR_KEY_RSA, PAIR_KEY_RSAPSS};

/* The groups and keys a suite allows. */
static size_t suite_groups(kx_kind kx, const uint16_t **g)
{
    switch (kx) {
    case KX_ECDHE_ECDSA:
    case KX_ECDHE_RSA: *g = ec_groups; return 3;
    case KX_DHE_RSA: *g = dh_groups; return 2;
    default: *g = NULL; return 1; /* one "group": none */
    }
}

static size_t suite_keys(kx_kind kx, const pair_key **k)
{
    static const pair_key rsa_only[1] = {PAIR_KEY_RSA};
    switch (kx) {
    case KX_ECDHE_ECDSA: *k = ec_keys; return 3;
    case KX_RSA: *k = rsa_only; return 1;
    default: *k = rsa_keys; return 2;
    }
}

typedef struct {
    unsigned id;
    uint16_t suite;
    kx_kind kx;
    uint16_t group;   /* 0 for RSA key transport */
    pair_key key;
    int auth;
    int resume;
    int client13;     /* the client offers 1.2 and 1.3 */
    size_t hs_chunk;
} case12;

/* Everything one case configures, kept alive for the configs that point into it. */
typedef struct {
    uint16_t csuites[11], sgroups[1], sig[2];
    pair_opts co, so;
    uint16_t want_sig;      /* scheme the server signs its ServerKeyExchange with, 0 if none */
    uint16_t want_client_sig;
    char what[200];
} setup;

/* The signature scheme a server key signs with in TLS 1.2. RSA keys can use three hashes
 * and, for rsaEncryption keys, PKCS#1 v1.5 or PSS: the case number picks one. */
static uint16_t scheme_for(pair_key k, unsigned id)
{
    static const uint16_t rsae[6] = {TLSM_SIG_RSA_PKCS1_SHA256,    TLSM_SIG_RSA_PSS_RSAE_SHA256,
                                     TLSM_SIG_RSA_PKCS1_SHA384,    TLSM_SIG_RSA_PSS_RSAE_SHA384,
                                     TLSM_SIG_RSA_PKCS1_SHA512,    TLSM_SIG_RSA_PSS_RSAE_SHA512};
    static const uint16_t pss[3] = {TLSM_SIG_RSA_PSS_PSS_SHA256, TLSM_SIG_RSA_PSS_PSS_SHA384,
                                    TLSM_SIG_RSA_PSS_PSS_SHA512};
    switch (k) {
    case PAIR_KEY_P256: return TLSM_SIG_ECDSA_SECP256R1_SHA256;
    case PAIR_KEY_P384: return TLSM_SIG_ECDSA_SECP384R1_SHA384;
    case PAIR_KEY_ED25519: return TLSM_SIG_ED25519;
    case PAIR_KEY_RSA: return rsae[id % 6];
    default: return pss[id % 3];
    }
}

static void build_setup(const case12 *m, setup *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->what, sizeof s->what,
             "case %u: suite %04x (%s) group %04x key %s %s %s client%s chunk %zu", m->id,
             m->suite, tlsm_suite_name(m->suite), m->group, pair_key_name(m->key),
             auth_names[m->auth], res_names[m->resume], m->client13 ? "1.2-1.3" : "1.2",
             m->hs_chunk);
    /* The client offers every TLS 1.2 suite with the wanted one last; the server allows only
     * the wanted one, so the choice is real and exact. */
    size_t n = 0;
    for (size_t i = 0; i < 11; i++)
        if (pair_suites12_all[i] != m->suite)
            s->csuites[n++] = pair_suites12_all[i];
    s->csuites[n++] = m->suite;
    s->co.suites = s->csuites;
    s->co.n_suites = n;
    s->so.suites = &m->suite;
    s->so.n_suites = 1;
    /* The client keeps the default groups (all five); the server has only the wanted one. */
    if (m->group) {
        s->sgroups[0] = m->group;
        s->so.groups = s->sgroups;
        s->so.n_groups = 1;
    }
    /* Both sides allow the wanted scheme and ECDSA P-256/SHA-256 (which signs every
     * certificate of the test PKI and the client's CertificateVerify), in that order. */
    s->want_sig = m->kx == KX_RSA ? 0 : scheme_for(m->key, m->id);
    uint16_t first = m->kx == KX_RSA ? TLSM_SIG_RSA_PKCS1_SHA256 : s->want_sig;
    s->sig[0] = first;
    s->sig[1] = TLSM_SIG_ECDSA_SECP256R1_SHA256;
    size_t n_sig = first == TLSM_SIG_ECDSA_SECP256R1_SHA256 ? 1 : 2;
    s->co.sigalgs = s->so.sigalgs = s->sig;
    s->co.n_sigalgs = s->so.n_sigalgs = n_sig;
    /* The client's P-256 key signs with the first scheme of its list the server allows that
     * fits an EC key in TLS 1.2, where the ECDSA codes name only the hash (RFC 5246
     * s.7.4.1.4.1). */
    s->want_client_sig = first == TLSM_SIG_ECDSA_SECP384R1_SHA384
                             ? first
                             : TLSM_SIG_ECDSA_SECP256R1_SHA256;

    s->co.min_version = TLSM_TLS12;
    s->co.max_version = m->client13 ? TLSM_TLS13 : TLSM_TLS12;
    s->so.min_version = s->so.max_version = TLSM_TLS12;
    s->co.trace = s->so.trace = 1;
    s->so.key = m->key;
    s->co.key = m->auth == AUTH_REQUIRE ? PAIR_KEY_CLIENT : PAIR_KEY_NONE;
    s->so.client_auth = m->auth == AUTH_NONE ? 0 : m->auth == AUTH_REQUEST ? 1 : 2;
    /* Resumption: by ticket only, by session id only, or not offered at all. */
    s->so.no_tickets = m->resume != RES_TICKET;
    s->so.no_session_cache = m->resume != RES_SID;
}

static size_t received(const pair *p, int who, uint8_t type)
{
    return pair_count_msgs(p, who, TLSM_EV_MESSAGE_RECEIVED, type, 0);
}

static size_t sent(const pair *p, int who, uint8_t type)
{
    return pair_count_msgs(p, who, TLSM_EV_MESSAGE_SENT, type, 0);
}

#define CHECK_COUNT(got, want, w, what)                                                      \
    cr_assert_eq((got), (want), "%s: %s: %zu, want %zu", (w), (what), (size_t)(got),          \
                 (size_t)(want))

static void check_facts(pair *p, const case12 *m, const setup *s, int resumed)
{
    const char *w = s->what;
    for (int who = 0; who < 2; who++) {
        tlsm_conn *x = p->side[who].conn;
        const char *role = who == PAIR_CLIENT ? "client" : "server";
        cr_assert_eq(tlsm_conn_handshake_done(x), 1, "%s: %s not done", w, role);
        cr_assert_eq(tlsm_conn_version(x), TLSM_TLS12, "%s: %s version %04x", w, role,
                     tlsm_conn_version(x));
        cr_assert_eq(tlsm_conn_suite(x), m->suite, "%s: %s suite %04x", w, role,
                     tlsm_conn_suite(x));
        if (!resumed)
            cr_assert_eq(tlsm_conn_group(x), m->group, "%s: %s group %04x", w, role,
                         tlsm_conn_group(x));
        cr_assert_eq(tlsm_conn_resumed(x), resumed, "%s: %s resumed", w, role);
        cr_assert_eq(tlsm_conn_hrr(x), 0, "%s: %s hrr", w, role);
        cr_assert_eq(pair_count_events(p, who, TLSM_EV_HANDSHAKE_DONE), 1,
                     "%s: %s HANDSHAKE_DONE events", w, role);
        cr_assert_eq(pair_count_events(p, who, TLSM_EV_ERROR), 0, "%s: %s error event", w,
                     role);
        unsigned st = tlsm_status(x);
        cr_assert(st & TLSM_STATUS_CAN_WRITE, "%s: %s status %#x", w, role, st);
        cr_assert(!(st & (TLSM_STATUS_HANDSHAKING | TLSM_STATUS_ERROR | TLSM_STATUS_CLOSED)),
                  "%s: %s status %#x", w, role, st);
        /* RFC 5246 s.7.1: exactly one ChangeCipherSpec each way. */
        CHECK_COUNT(pair_count_msgs(p, who, TLSM_EV_MESSAGE_SENT, 20, 1), 1, w, "CCS sent");
        CHECK_COUNT(pair_count_msgs(p, who, TLSM_EV_MESSAGE_RECEIVED, 20, 1), 1, w,
                    "CCS received");
        CHECK_COUNT(sent(p, who, MSG_FINISHED), 1, w, "Finished sent");
        CHECK_COUNT(received(p, who, MSG_FINISHED), 1, w, "Finished received");
    }
    tlsm_conn *c = p->side[PAIR_CLIENT].conn, *v = p->side[PAIR_SERVER].conn;
    const char *sni = tlsm_conn_server_name(v);
    cr_assert(sni != NULL && strcmp(sni, PAIR_HOST) == 0, "%s: SNI", w);
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CLIENT_HELLO), 1, w, "ClientHello");
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_SERVER_HELLO), 1, w, "ServerHello");
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_NEW_SESSION_TICKET), m->resume == RES_TICKET, w,
                "NewSessionTicket");
    if (resumed) {
        /* RFC 5246 s.7.3 (abbreviated handshake): ServerHello, [NewSessionTicket], CCS,
         * Finished; no certificates, no key exchange, no CertificateRequest. */
        static const uint8_t absent[] = {MSG_CERTIFICATE,         MSG_SERVER_KEY_EXCHANGE,
                                         MSG_CERTIFICATE_REQUEST, MSG_SERVER_HELLO_DONE,
                                         MSG_CLIENT_KEY_EXCHANGE, MSG_CERTIFICATE_VERIFY};
        for (size_t i = 0; i < sizeof absent; i++)
            for (int who = 0; who < 2; who++) {
                CHECK_COUNT(sent(p, who, absent[i]), 0, w, tlsm_message_name(absent[i]));
                CHECK_COUNT(received(p, who, absent[i]), 0, w, tlsm_message_name(absent[i]));
            }
        /* No signature now, but the connection reports the server (and the client) that
         * the original handshake authenticated (issue 16 item 5); a server keeps only the
         * client's leaf in its session state. */
        int had_cert = m->auth == AUTH_REQUIRE;
        cr_assert_eq(tlsm_conn_peer_sigalg(c), s->want_sig, "%s: resumed server scheme %04x", w,
                     tlsm_conn_peer_sigalg(c));
        cr_assert_eq(tlsm_conn_peer_cert_count(c), 2, "%s: resumed server chain", w);
        cr_assert_eq(tlsm_conn_peer_cert_count(v), had_cert ? 1u : 0u, "%s: resumed client leaf",
                     w);
        cr_assert_eq(tlsm_conn_peer_sigalg(v), had_cert ? s->want_client_sig : 0,
                     "%s: resumed client scheme %04x", w, tlsm_conn_peer_sigalg(v));
        return;
    }
    int asked = m->auth != AUTH_NONE, with_cert = m->auth == AUTH_REQUIRE;
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_CERTIFICATE), 1, w, "server Certificate");
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_SERVER_KEY_EXCHANGE), m->kx != KX_RSA, w,
                "ServerKeyExchange");
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_CERTIFICATE_REQUEST), asked, w,
                "CertificateRequest");
    CHECK_COUNT(received(p, PAIR_CLIENT, MSG_SERVER_HELLO_DONE), 1, w, "ServerHelloDone");
    /* s.7.4.6: a client asked for a certificate sends one, empty when it has none. */
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CERTIFICATE), asked, w, "client Certificate");
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CLIENT_KEY_EXCHANGE), 1, w, "ClientKeyExchange");
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CERTIFICATE_VERIFY), with_cert, w,
                "CertificateVerify");
    cr_assert_eq(tlsm_conn_peer_sigalg(c), s->want_sig, "%s: server signed with %04x", w,
                 tlsm_conn_peer_sigalg(c));
    cr_assert_eq(tlsm_conn_peer_cert_count(c), 2, "%s: server chain length", w);
    cr_assert_eq(tlsm_conn_peer_cert_count(v), with_cert ? 2u : 0u, "%s: client chain", w);
    cr_assert_eq(tlsm_conn_peer_sigalg(v), with_cert ? s->want_client_sig : 0,
                 "%s: client signed with %04x", w, tlsm_conn_peer_sigalg(v));
}

/* Sends n bytes from `from` and checks the peer received exactly them. */
static void transfer(pair *p, int from, const uint8_t *data, size_t n, const char *w)
{
    pair_side *to = &p->side[1 - from];
    to->rx.len = 0;
    int rc = pair_send(p, from, data, n);
    cr_assert_eq(rc, 0, "%s: send %zu from %d: %d (%s)", w, n, from, rc, tlsm_strerror(rc));
    cr_assert_eq(to->rx.len, n, "%s: received %zu of %zu", w, to->rx.len, n);
    cr_assert(memcmp(to->rx.data, data, n) == 0, "%s: data differs", w);
}

static void exchange(pair *p, unsigned id, const char *w)
{
    enum { BULK = 40000 }; /* three records of at most 2^14 bytes */
    uint8_t *bulk = malloc(BULK);
    cr_assert_not_null(bulk);
    pair_rng r;
    pair_rng_seed(&r, id + 77);
    cr_assert_eq(pair_rng_fill(&r, bulk, BULK), 0);
    transfer(p, PAIR_CLIENT, (const uint8_t *)"ping", 4, w);
    transfer(p, PAIR_SERVER, (const uint8_t *)"pong", 4, w);
    for (int from = 0; from < 2; from++) {
        size_t before = p->type_count[from][23];
        transfer(p, from, bulk, BULK, w);
        cr_assert_geq(p->type_count[from][23] - before, 3, "%s: %zu records", w,
                      p->type_count[from][23] - before);
    }
    free(bulk);
}

/* RFC 5705 as TLS 1.2 defines it: both sides agree and the value is not trivial. */
static void check_exporter(pair *p, uint8_t out[32], const char *w)
{
    uint8_t peer[32], zero[32] = {0};
    for (int who = 0; who < 2; who++) {
        int rc = tlsm_export_keying_material(p->side[who].conn, "EXPORTER-tlsm-test", 18,
                                             (const uint8_t *)"ctx", 3, who ? peer : out, 32);
        cr_assert_eq(rc, TLSM_OK, "%s: export on %d: %d", w, who, rc);
    }
    cr_assert(memcmp(out, peer, 32) == 0, "%s: exporter differs between the sides", w);
    cr_assert(memcmp(out, zero, 32) != 0, "%s: exporter is all zero", w);
}

static void close_both_ways(pair *p, const char *w)
{
    for (int who = 0; who < 2; who++) {
        cr_assert_eq(tlsm_close(p->side[who].conn), TLSM_OK, "%s: close %d", w, who);
        pair_pump(p);
        cr_assert_eq(pair_count_events(p, 1 - who, TLSM_EV_PEER_CLOSED), 1,
                     "%s: side %d saw no close_notify", w, 1 - who);
    }
    for (int who = 0; who < 2; who++)
        cr_assert_eq(p->side[who].rc, 0, "%s: side %d got %d during the run", w, who,
                     p->side[who].rc);
}

/* RFC 5246 s.7.4.6: a server that requires a certificate and gets an empty Certificate may
 * answer with a fatal handshake_failure (TLS 1.2 has no certificate_required). The server
 * has not switched to protected records yet, so the client reads the alert in plaintext. */
static void run_missing_cert(pair *p, const setup *s)
{
    const char *w = s->what;
    pair_pump(p);
    int serr = tlsm_conn_error(p->side[PAIR_SERVER].conn);
    int cerr = tlsm_conn_error(p->side[PAIR_CLIENT].conn);
    cr_assert_eq(serr, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE), "%s: server %d (%s)",
                 w, serr, tlsm_strerror(serr));
    cr_assert_eq(cerr, TLSM_ERR_PEER_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE), "%s: client %d (%s)",
                 w, cerr, tlsm_strerror(cerr));
    const tlsm_event *e = pair_find_event(p, PAIR_CLIENT, TLSM_EV_ALERT, 0);
    cr_assert(e != NULL && e->fatal && e->alert == TLSM_ALERT_HANDSHAKE_FAILURE,
              "%s: client ALERT event", w);
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CERTIFICATE), 1, w, "empty client Certificate");
    CHECK_COUNT(sent(p, PAIR_CLIENT, MSG_CERTIFICATE_VERIFY), 0, w, "CertificateVerify");
    for (int who = 0; who < 2; who++)
        cr_assert_eq(tlsm_conn_handshake_done(p->side[who].conn), 0, "%s: done", w);
}

static void run_case(const case12 *m)
{
    setup s;
    build_setup(m, &s);
    const char *w = s.what;
    pair p;
    pair_init(&p, &s.co, &s.so, m->id + 500);
    p.chunk = m->hs_chunk;
    pair_connect(&p, PAIR_HOST);
    if (m->auth == AUTH_REQUIRE_MISSING) {
        run_missing_cert(&p, &s);
        pair_free(&p);
        return;
    }
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%s: handshake: %d (%s)", w, rc, tlsm_strerror(rc));
    check_facts(&p, m, &s, 0);
    p.chunk = 0;
    exchange(&p, m->id, w);
    uint8_t first[32], again[32];
    check_exporter(&p, first, w);
    pair_buf session = {0};
    if (m->resume == RES_NONE) {
        /* The server offered neither a session id nor a ticket: nothing to resume. */
        CHECK_COUNT(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 0, w, "sessions");
        cr_assert_eq(pair_get_session(&p, &session), TLSM_ERR_NO_SESSION, "%s: session", w);
    } else {
        CHECK_COUNT(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 1, w, "sessions");
        cr_assert_eq(pair_get_session(&p, &session), TLSM_OK, "%s: get_session", w);
    }
    close_both_ways(&p, w);

    if (m->resume != RES_NONE) {
        pair_connect(&p, PAIR_HOST);
        p.chunk = m->hs_chunk;
        rc = tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, session.data, session.len);
        cr_assert_eq(rc, TLSM_OK, "%s: set_session: %d", w, rc);
        rc = pair_handshake(&p);
        cr_assert_eq(rc, 0, "%s: resumed handshake: %d (%s)", w, rc, tlsm_strerror(rc));
        check_facts(&p, m, &s, 1);
        p.chunk = 0;
        exchange(&p, m->id + 1, w);
        check_exporter(&p, again, w);
        /* New randoms, so a new exporter value (RFC 5705 s.4 seeds it with both). */
        cr_assert(memcmp(first, again, 32) != 0, "%s: resumption reused the exporter", w);
        close_both_ways(&p, w);
    }
    pair_buf_free(&session);
    pair_free(&p);
}

static void free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(tls12_matrix, crypto)
{
    size_t n = 0;
    for (size_t si = 0; si < 11; si++) {
        const uint16_t *g;
        const pair_key *k;
        n += suite_groups(suites[si].kx, &g) * suite_keys(suites[si].kx, &k);
    }
    cr_assert_eq(n, 59);
    case12 *cases = cr_calloc(n, sizeof *cases);
    unsigned id = 0;
    for (size_t si = 0; si < 11; si++) {
        const uint16_t *g;
        const pair_key *k;
        size_t ng = suite_groups(suites[si].kx, &g), nk = suite_keys(suites[si].kx, &k);
        for (size_t gi = 0; gi < ng; gi++)
            for (size_t ki = 0; ki < nk; ki++, id++) {
                case12 *m = &cases[id];
                m->id = id;
                m->suite = suites[si].suite;
                m->kx = suites[si].kx;
                m->group = g ? g[gi] : 0;
                m->key = k[ki];
                m->auth = (int)(id % 3); /* none, request, require */
                m->resume = (int)(id / 3 % 3);
                m->client13 = (int)(id / 2 % 2);
                m->hs_chunk = hs_chunks[id % 4];
            }
    }
    return cr_make_param_array(case12, cases, n, free_cases);
}

ParameterizedTest(case12 *m, tls12_matrix, crypto)
{
    run_case(m);
}

ParameterizedTestParameters(tls12_matrix, features)
{
    size_t n = 11 * 10;
    case12 *cases = cr_calloc(n, sizeof *cases);
    unsigned id = 0;
    for (size_t si = 0; si < 11; si++) {
        const uint16_t *g;
        const pair_key *k;
        size_t ng = suite_groups(suites[si].kx, &g), nk = suite_keys(suites[si].kx, &k);
        for (int v = 0; v < 10; v++, id++) {
            case12 *m = &cases[id];
            m->id = 100 + id;
            m->suite = suites[si].suite;
            m->kx = suites[si].kx;
            m->group = g ? g[id % ng] : 0;
            m->key = k[id % nk];
            m->auth = v < 9 ? v / 3 : AUTH_REQUIRE_MISSING;
            m->resume = v < 9 ? v % 3 : RES_NONE;
            m->client13 = (int)(id % 2);
            m->hs_chunk = hs_chunks[(id / 2) % 4];
        }
    }
    return cr_make_param_array(case12, cases, n, free_cases);
}

ParameterizedTest(case12 *m, tls12_matrix, features)
{
    run_case(m);
}

/* ---------------------------------------------------------------- version negotiation */

#define DOWNGRADE_12 "\x44\x4f\x57\x4e\x47\x52\x44\x01" /* RFC 8446 s.4.1.3, "DOWNGRD\1" */

/* Records the server's random (ServerHello bytes 6..37 of the handshake body) in flight. */
typedef struct {
    uint8_t random[32];
    int seen;
    int version_seen;      /* ServerHello.legacy_version */
    int has_sv;            /* ServerHello carries supported_versions */
} sh_watch;

static void watch_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    sh_watch *sw = ctx;
    size_t len = 0;
    if (dir != PAIR_S2C || sw->seen)
        return;
    size_t at = pair_hs_find(rec, MSG_SERVER_HELLO, &len);
    if (at == PAIR_NONE)
        return;
    cr_assert_geq(len, 4 + 2 + 32);
    sw->version_seen = rec->data[at + 4] << 8 | rec->data[at + 5];
    memcpy(sw->random, rec->data + at + 6, 32);
    size_t n;
    sw->has_sv = pair_hello_find_ext(rec, 0x002b, &n) != PAIR_NONE;
    sw->seen = 1;
}

static void versions_case(uint16_t cmin, uint16_t cmax, uint16_t smin, uint16_t smax,
                          uint16_t want, int want_sentinel)
{
    pair_opts co = {.min_version = cmin, .max_version = cmax};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = smin, .max_version = smax};
    sh_watch sw = {0};
    pair p;
    pair_init(&p, &co, &so, cmin ^ cmax ^ smin ^ smax);
    p.hook = watch_hook;
    p.hook_ctx = &sw;
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "client %04x-%04x server %04x-%04x: %d (%s)", cmin, cmax, smin, smax, rc,
                 tlsm_strerror(rc));
    for (int who = 0; who < 2; who++)
        cr_assert_eq(tlsm_conn_version(p.side[who].conn), want, "side %d: %04x", who,
                     tlsm_conn_version(p.side[who].conn));
    cr_assert(sw.seen);
    if (want == TLSM_TLS12) {
        /* s.4.1.3: only a server that could have done 1.3 marks a 1.2 ServerHello. */
        cr_assert_eq(sw.has_sv, 0, "supported_versions in a TLS 1.2 ServerHello");
        cr_assert_eq(sw.version_seen, TLSM_TLS12);
        cr_assert_eq(memcmp(sw.random + 24, DOWNGRADE_12, 8) == 0, want_sentinel,
                     "sentinel %s", want_sentinel ? "missing" : "present");
        cr_assert(memcmp(sw.random + 24, DOWNGRADE_12, 7) != 0 || want_sentinel,
                  "a TLS 1.1 sentinel");
    } else {
        cr_assert_eq(sw.has_sv, 1);
        cr_assert(memcmp(sw.random + 24, DOWNGRADE_12, 7) != 0, "sentinel in a 1.3 hello");
    }
    uint8_t out[32];
    check_exporter(&p, out, "versions");
    transfer(&p, PAIR_CLIENT, (const uint8_t *)"v", 1, "versions");
    pair_free(&p);
}

/* A 1.3-capable client and a 1.2-only server settle on 1.2, and the server, which knows no
 * 1.3, sends no sentinel. */
Test(tls12_versions, client_12_13_server_12)
{
    versions_case(TLSM_TLS12, TLSM_TLS13, TLSM_TLS12, TLSM_TLS12, TLSM_TLS12, 0);
}

/* A 1.2-only client and a 1.3-capable server: 1.2, and the ServerHello.random ends with
 * 44 4F 57 4E 47 52 44 01 (RFC 8446 s.4.1.3), which a 1.2-only client ignores. */
Test(tls12_versions, client_12_server_12_13_sends_sentinel)
{
    versions_case(TLSM_TLS12, TLSM_TLS12, TLSM_TLS12, TLSM_TLS13, TLSM_TLS12, 1);
}

Test(tls12_versions, both_12_13_negotiate_13)
{
    versions_case(TLSM_TLS12, TLSM_TLS13, TLSM_TLS12, TLSM_TLS13, TLSM_TLS13, 0);
}

Test(tls12_versions, both_12_only)
{
    versions_case(TLSM_TLS12, TLSM_TLS12, TLSM_TLS12, TLSM_TLS12, TLSM_TLS12, 0);
}

/* No version in common: the server refuses with protocol_version (RFC 8446 s.4.2.1, RFC
 * 5246 E.1), in plaintext, and the client reads it as the peer's. */
static void no_common_version(uint16_t cmin, uint16_t cmax, uint16_t smin, uint16_t smax)
{
    pair_opts co = {.min_version = cmin, .max_version = cmax};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = smin, .max_version = smax};
    pair p;
    pair_init(&p, &co, &so, 3);
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    int serr = tlsm_conn_error(p.side[PAIR_SERVER].conn);
    int cerr = tlsm_conn_error(p.side[PAIR_CLIENT].conn);
    cr_assert_eq(serr, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_PROTOCOL_VERSION), "server %d (%s)", serr,
                 tlsm_strerror(serr));
    cr_assert_eq(cerr, TLSM_ERR_PEER_ALERT(TLSM_ALERT_PROTOCOL_VERSION), "client %d (%s)", cerr,
                 tlsm_strerror(cerr));
    pair_free(&p);
}

Test(tls12_versions, client_13_only_server_12_only)
{
    no_common_version(TLSM_TLS13, TLSM_TLS13, TLSM_TLS12, TLSM_TLS12);
}

Test(tls12_versions, client_12_only_server_13_only)
{
    no_common_version(TLSM_TLS12, TLSM_TLS12, TLSM_TLS13, TLSM_TLS13);
}

/* The downgrade attack of RFC 8446 s.4.1.3: both sides can do 1.3, an attacker removes 1.3
 * from the ClientHello (here: replaces 0x0304 in supported_versions by an unknown value, or
 * deletes the extension so legacy_version 0x0303 rules). The 1.3-capable server answers
 * with TLS 1.2 and the sentinel; the client, which offered 1.3, "MUST abort the handshake
 * with an illegal_parameter alert" on seeing it - before the altered transcript could ever
 * be noticed at Finished. The client has no keys yet, so its alert is plaintext. (A server
 * configured for 1.2 only cannot show this: it is not a 1.3 server and must not set the
 * sentinel, see client_12_13_server_12.) */
typedef struct {
    int strip;        /* 1: delete supported_versions; 0: rewrite 0x0304 */
    int done;
    sh_watch sw;
} downgrade;

static void downgrade_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    downgrade *d = ctx;
    if (dir == PAIR_S2C) {
        watch_hook(p, dir, index, rec, &d->sw);
        return;
    }
    if (index != 0 || d->done)
        return;
    if (d->strip) {
        cr_assert(pair_hello_strip_ext(rec, 0x002b));
    } else {
        size_t n = 0;
        size_t at = pair_hello_find_ext(rec, 0x002b, &n);
        cr_assert_neq(at, PAIR_NONE);
        cr_assert_eq(n, 5, "supported_versions is not {1.3, 1.2}");
        cr_assert(rec->data[at + 1] == 3 && rec->data[at + 2] == 4);
        rec->data[at + 1] = 0x7a; /* 0x7a7a: a value the server does not know */
        rec->data[at + 2] = 0x7a;
    }
    d->done = 1;
}

static void downgrade_attack(int strip)
{
    pair_opts so = {.key = PAIR_KEY_P256};
    downgrade d = {.strip = strip};
    pair p;
    pair_init(&p, NULL, &so, 21);
    p.hook = downgrade_hook;
    p.hook_ctx = &d;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(d.done);
    cr_assert(d.sw.seen, "no ServerHello");
    cr_assert_eq(d.sw.version_seen, TLSM_TLS12);
    cr_assert_eq(d.sw.has_sv, 0);
    cr_assert(memcmp(d.sw.random + 24, DOWNGRADE_12, 8) == 0, "server set no sentinel");
    int cerr = tlsm_conn_error(p.side[PAIR_CLIENT].conn);
    int serr = tlsm_conn_error(p.side[PAIR_SERVER].conn);
    cr_assert_eq(cerr, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER), "client %d (%s)",
                 cerr, tlsm_strerror(cerr));
    cr_assert_eq(serr, TLSM_ERR_PEER_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER), "server %d (%s)",
                 serr, tlsm_strerror(serr));
    cr_assert_eq(tlsm_conn_handshake_done(p.side[PAIR_CLIENT].conn), 0);
    pair_free(&p);
}

Test(tls12_versions, downgrade_sentinel_aborts_client_rewritten)
{
    downgrade_attack(0);
}

Test(tls12_versions, downgrade_sentinel_aborts_client_stripped)
{
    downgrade_attack(1);
}

/* ---------------------------------------------------------------- session ids */

/* Captures the session id of the first ServerHello and of each ClientHello. */
typedef struct {
    uint8_t sh_sid[32], ch_sid[32];
    size_t sh_len, ch_len;
    int sh_seen;
} sid_watch;

static void sid_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    sid_watch *sw = ctx;
    size_t len = 0;
    if (dir == PAIR_C2S && index == 0) {
        size_t at = pair_hs_find(rec, MSG_CLIENT_HELLO, &len);
        cr_assert_neq(at, PAIR_NONE);
        sw->ch_len = rec->data[at + 38];
        memcpy(sw->ch_sid, rec->data + at + 39, sw->ch_len);
    } else if (dir == PAIR_S2C && !sw->sh_seen) {
        size_t at = pair_hs_find(rec, MSG_SERVER_HELLO, &len);
        if (at == PAIR_NONE)
            return;
        sw->sh_len = rec->data[at + 38];
        memcpy(sw->sh_sid, rec->data + at + 39, sw->sh_len);
        sw->sh_seen = 1;
    }
}

/* RFC 5246 s.7.4.1.3: the ServerHello's session_id is "the identity of the session
 * corresponding to this connection"; s.7.4.1.2: to resume, the client sends that id. A
 * server without tickets resumes from its cache only when the client echoes its id. */
Test(tls12_resume, client_offers_the_servers_session_id)
{
    pair_opts co = {.min_version = TLSM_TLS12, .max_version = TLSM_TLS12};
    pair_opts so = {.key = PAIR_KEY_P256, .no_tickets = 1};
    sid_watch sw = {0};
    pair p;
    pair_init(&p, &co, &so, 8);
    p.hook = sid_hook;
    p.hook_ctx = &sw;
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(sw.sh_len, 32, "server sent a %zu-byte session id", sw.sh_len);
    uint8_t first[32];
    memcpy(first, sw.sh_sid, 32);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    pair_connect(&p, PAIR_HOST);
    sw.sh_seen = 0;
    cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, session.data, session.len),
                 TLSM_OK);
    rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%d (%s)", rc, tlsm_strerror(rc));
    cr_assert(sw.ch_len == 32 && memcmp(sw.ch_sid, first, 32) == 0,
              "the resuming ClientHello does not carry the server's session id");
    cr_assert_eq(tlsm_conn_resumed(p.side[PAIR_SERVER].conn), 1);
    cr_assert_eq(tlsm_conn_resumed(p.side[PAIR_CLIENT].conn), 1);
    cr_assert(sw.sh_len == 32 && memcmp(sw.sh_sid, first, 32) == 0, "no echo");
    pair_buf_free(&session);
    pair_free(&p);
}

/* RFC 5246 s.7.4.1.3: "If the session_id is empty, this indicates that the session will
 * not be cached and therefore cannot be resumed": the client keeps no session. */
Test(tls12_resume, empty_session_id_leaves_no_session)
{
    pair_opts co = {.min_version = TLSM_TLS12, .max_version = TLSM_TLS12};
    pair_opts so = {.key = PAIR_KEY_P256, .no_tickets = 1, .no_session_cache = 1};
    sid_watch sw = {0};
    pair p;
    pair_init(&p, &co, &so, 9);
    p.hook = sid_hook;
    p.hook_ctx = &sw;
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(sw.sh_len, 0, "server sent a %zu-byte session id", sw.sh_len);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 0);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_ERR_NO_SESSION);
    pair_buf_free(&session);
    pair_free(&p);
}
