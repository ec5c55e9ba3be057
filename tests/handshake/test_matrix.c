/*
 * test_matrix.c - TLS 1.3 handshakes between a tlsm client and a tlsm server in memory.
 *
 * Every case completes a handshake, checks the negotiated facts on both sides (version,
 * suite, group, the signature scheme the server used, ALPN, resumed, HelloRetryRequest, one
 * HANDSHAKE_DONE each), exchanges data both ways including 100 KB that spans many records,
 * compares exporter values, optionally updates keys both ways and resumes with the ticket,
 * and closes with close_notify in both directions.
 *
 * How the dimensions are combined (117 cases instead of the 1080 of a full product):
 *  - matrix/crypto: the full suite x group x server key product (45). These three interact
 *    in the cryptography (transcript hash, key share, signature), so every triple runs.
 *  - matrix/features: the full product of the protocol features {no HRR, HRR because the
 *    client's first group is missing on the server, HRR because the server requires a
 *    cookie} x {no ALPN, ALPN} x {fresh, resumed} x {no key update, key update both ways}
 *    (24), which interact in the state machine (a PSK binder over an HRR transcript, a
 *    cookie echoed in a resumption, a key update on a resumed connection), run under each
 *    suite (72) because the suite's hash enters the binder, the cookie and the updates.
 *    The group and the server key rotate with the case number so each value appears in
 *    each feature; the crypto set rotates the features likewise.
 * The byte granularity of the handshake (whole flights, 1, 7 or 1000 bytes per step) and of
 * the bulk transfer (whole, 4093 bytes) rotate too, so engines see partial records.
 * matrix/client_auth_* cover a server that requires or requests a client certificate;
 * test_features.c has the other single-purpose positive tests.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

#define BULK (100u * 1024u)

static const uint16_t suites[3] = {TLSM_TLS_AES_128_GCM_SHA256, TLSM_TLS_AES_256_GCM_SHA384,
                                   TLSM_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t groups[3] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1,
                                   TLSM_GROUP_SECP384R1};
static const pair_key server_keys[5] = {PAIR_KEY_ED25519, PAIR_KEY_P256, PAIR_KEY_P384,
                                        PAIR_KEY_RSA, PAIR_KEY_RSAPSS};
static const size_t hs_chunks[4] = {0, 1, 7, 1000};

enum { HRR_NONE, HRR_GROUP, HRR_COOKIE };
static const char *const hrr_names[3] = {"plain", "hrr-group", "hrr-cookie"};

typedef struct {
    unsigned id;
    uint16_t suite;
    uint16_t group;
    pair_key key;
    int hrr;
    int alpn;
    int resume;
    int key_update;
    size_t hs_chunk;
    size_t bulk_chunk;
} mcase;

/* Everything one case configures, kept alive for the configs that point into it. */
typedef struct {
    uint16_t csuites[3], cgroups[3], sgroups[3], csig[2];
    pair_opts co, so;
    uint16_t want_sig;
    char what[160];
} setup;

static uint16_t rotate_last(uint16_t *out, const uint16_t *all, uint16_t last)
{
    size_t n = 0;
    for (size_t i = 0; i < 3; i++)
        if (all[i] != last)
            out[n++] = all[i];
    out[n] = last;
    return last;
}

static void build_setup(const mcase *m, setup *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->what, sizeof s->what,
             "case %u: suite %04x group %04x key %s %s alpn=%d resume=%d ku=%d chunk=%zu/%zu",
             m->id, m->suite, m->group, pair_key_name(m->key), hrr_names[m->hrr], m->alpn,
             m->resume, m->key_update, m->hs_chunk, m->bulk_chunk);
    /* The client lists the wanted suite last, the server allows only it: a real choice. */
    rotate_last(s->csuites, suites, m->suite);
    s->co.suites = s->csuites;
    s->co.n_suites = 3;
    s->so.suites = &m->suite;
    s->so.n_suites = 1;

    size_t gi = 0;
    while (groups[gi] != m->group)
        gi++;
    if (m->hrr == HRR_GROUP) {
        /* The client's first choice (and key share) is a group the server does not have. */
        s->cgroups[0] = groups[(gi + 1) % 3];
        s->cgroups[1] = m->group;
        s->co.n_groups = 2;
        s->sgroups[0] = m->group;
        s->so.n_groups = 1;
    } else {
        for (size_t i = 0; i < 3; i++)
            s->cgroups[i] = s->sgroups[i] = groups[(gi + i) % 3];
        s->co.n_groups = s->so.n_groups = 3;
        s->so.require_cookie = m->hrr == HRR_COOKIE;
    }
    s->co.groups = s->cgroups;
    s->so.groups = s->sgroups;

    /* RSA keys can sign with three hashes: the client allows one (plus ECDSA P-256, which
     * signs every certificate of the test PKI), so the expected scheme is exact. */
    static const uint16_t rsae[3] = {TLSM_SIG_RSA_PSS_RSAE_SHA256, TLSM_SIG_RSA_PSS_RSAE_SHA384,
                                     TLSM_SIG_RSA_PSS_RSAE_SHA512};
    static const uint16_t pss[3] = {TLSM_SIG_RSA_PSS_PSS_SHA256, TLSM_SIG_RSA_PSS_PSS_SHA384,
                                    TLSM_SIG_RSA_PSS_PSS_SHA512};
    switch (m->key) {
    case PAIR_KEY_ED25519: s->want_sig = TLSM_SIG_ED25519; break;
    case PAIR_KEY_P256: s->want_sig = TLSM_SIG_ECDSA_SECP256R1_SHA256; break;
    case PAIR_KEY_P384: s->want_sig = TLSM_SIG_ECDSA_SECP384R1_SHA384; break;
    case PAIR_KEY_RSA: s->want_sig = rsae[m->id % 3]; break;
    default: s->want_sig = pss[m->id % 3]; break;
    }
    if (m->key == PAIR_KEY_RSA || m->key == PAIR_KEY_RSAPSS) {
        s->csig[0] = s->want_sig;
        s->csig[1] = TLSM_SIG_ECDSA_SECP256R1_SHA256;
        s->co.sigalgs = s->csig;
        s->co.n_sigalgs = 2;
    }
    if (m->alpn) {
        /* One protocol in common, so the answer does not depend on whose order wins. */
        s->co.alpn = "\x06spdy/3\x02h2";
        s->so.alpn = "\x08http/1.1\x02h2";
    }
    s->so.key = m->key;
}

static void check_facts(pair *p, const mcase *m, const setup *s, int resumed)
{
    tlsm_conn *c = p->side[PAIR_CLIENT].conn, *v = p->side[PAIR_SERVER].conn;
    const char *w = s->what;
    int want_hrr = m->hrr != HRR_NONE;
    for (int who = 0; who < 2; who++) {
        tlsm_conn *x = p->side[who].conn;
        const char *role = who == PAIR_CLIENT ? "client" : "server";
        cr_assert_eq(tlsm_conn_handshake_done(x), 1, "%s: %s not done", w, role);
        cr_assert_eq(tlsm_conn_version(x), TLSM_TLS13, "%s: %s version", w, role);
        cr_assert_eq(tlsm_conn_suite(x), m->suite, "%s: %s suite %04x", w, role,
                     tlsm_conn_suite(x));
        cr_assert_eq(tlsm_conn_group(x), m->group, "%s: %s group %04x", w, role,
                     tlsm_conn_group(x));
        cr_assert_eq(tlsm_conn_resumed(x), resumed, "%s: %s resumed", w, role);
        cr_assert_eq(tlsm_conn_hrr(x), want_hrr, "%s: %s hrr", w, role);
        cr_assert_eq(pair_count_events(p, who, TLSM_EV_HANDSHAKE_DONE), 1,
                     "%s: %s HANDSHAKE_DONE events", w, role);
        cr_assert_eq(pair_count_events(p, who, TLSM_EV_ERROR), 0, "%s: %s error event", w,
                     role);
        unsigned st = tlsm_status(x);
        cr_assert(st & TLSM_STATUS_CAN_WRITE, "%s: %s status %#x", w, role, st);
        cr_assert(!(st & (TLSM_STATUS_HANDSHAKING | TLSM_STATUS_ERROR | TLSM_STATUS_CLOSED)),
                  "%s: %s status %#x", w, role, st);
        size_t alen = 0;
        const uint8_t *alpn = tlsm_conn_alpn(x, &alen);
        if (m->alpn) {
            cr_assert(alpn != NULL && alen == 2 && memcmp(alpn, "h2", 2) == 0,
                      "%s: %s alpn", w, role);
        } else {
            cr_assert_null(alpn, "%s: %s alpn", w, role);
        }
    }
    /* A PSK handshake has no CertificateVerify (RFC 8446 s.2.2), but a resumed connection
     * reports the server that the original handshake authenticated (issue 16 item 5). */
    cr_assert_eq(tlsm_conn_peer_sigalg(c), s->want_sig, "%s: peer sigalg %04x", w,
                 tlsm_conn_peer_sigalg(c));
    cr_assert_eq(tlsm_conn_peer_sigalg(v), 0, "%s: server saw a client signature", w);
    cr_assert_eq(tlsm_conn_peer_cert_count(c), 2, "%s: server chain length", w);
    size_t len = 0;
    cr_assert_not_null(tlsm_conn_peer_cert(c, 0, &len), "%s: no leaf", w);
    cr_assert_gt(len, 100, "%s: leaf length %zu", w, len);
    cr_assert_null(tlsm_conn_peer_cert(c, 2, &len), "%s: a third certificate", w);
    const char *sni = tlsm_conn_server_name(v);
    cr_assert(sni != NULL && strcmp(sni, PAIR_HOST) == 0, "%s: SNI", w);
}

static void fill(uint8_t *buf, size_t n, uint64_t seed)
{
    pair_rng r;
    pair_rng_seed(&r, seed);
    cr_assert_eq(pair_rng_fill(&r, buf, n), 0);
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

static void exchange(pair *p, const mcase *m, const char *w)
{
    transfer(p, PAIR_CLIENT, (const uint8_t *)"ping", 4, w);
    transfer(p, PAIR_SERVER, (const uint8_t *)"pong", 4, w);
    uint8_t *bulk = malloc(BULK);
    cr_assert_not_null(bulk);
    fill(bulk, BULK, m->id + 1000);
    size_t saved = p->chunk;
    p->chunk = m->bulk_chunk;
    for (int from = 0; from < 2; from++) {
        size_t before = p->type_count[from][23];
        transfer(p, from, bulk, BULK, w);
        /* 100 KB cannot fit in fewer than 7 records of at most 2^14 bytes. */
        cr_assert_geq(p->type_count[from][23] - before, 7, "%s: %zu records", w,
                      p->type_count[from][23] - before);
    }
    p->chunk = saved;
    free(bulk);
}

static void export_value(pair *p, int who, uint8_t out[32], const char *w)
{
    int rc = tlsm_export_keying_material(p->side[who].conn, "EXPORTER-tlsm-test", 18,
                                         (const uint8_t *)"ctx", 3, out, 32);
    cr_assert_eq(rc, TLSM_OK, "%s: export on %d: %d", w, who, rc);
}

static void check_exporter(pair *p, uint8_t out[32], const char *w)
{
    uint8_t peer[32], zero[32] = {0};
    export_value(p, PAIR_CLIENT, out, w);
    export_value(p, PAIR_SERVER, peer, w);
    cr_assert(memcmp(out, peer, 32) == 0, "%s: exporter differs between the sides", w);
    cr_assert(memcmp(out, zero, 32) != 0, "%s: exporter is all zero", w);
}

static void key_update_both_ways(pair *p, const mcase *m, const char *w)
{
    for (int who = 0; who < 2; who++) {
        cr_assert_eq(tlsm_key_update(p->side[who].conn, 1), TLSM_OK, "%s: key update %d", w,
                     who);
        pair_pump(p);
        /* The peer must answer before its next application data (RFC 8446 s.4.6.3). */
        exchange(p, m, w);
    }
    for (int who = 0; who < 2; who++) {
        size_t ours = 0, theirs = 0;
        for (size_t i = 0; i < p->side[who].n_ev; i++) {
            const tlsm_event *e = &p->side[who].ev[i];
            if (e->type == TLSM_EV_KEY_UPDATED && e->alert)
                theirs++;
            else if (e->type == TLSM_EV_KEY_UPDATED)
                ours++;
        }
        cr_assert_eq(ours, 2, "%s: side %d updated its keys %zu times", w, who, ours);
        cr_assert_eq(theirs, 2, "%s: side %d saw %zu peer updates", w, who, theirs);
    }
}

static void close_both_ways(pair *p, const char *w)
{
    for (int who = 0; who < 2; who++) {
        cr_assert_eq(tlsm_close(p->side[who].conn), TLSM_OK, "%s: close %d", w, who);
        pair_pump(p);
        cr_assert_eq(pair_count_events(p, 1 - who, TLSM_EV_PEER_CLOSED), 1,
                     "%s: side %d saw no close_notify", w, 1 - who);
    }
    for (int who = 0; who < 2; who++) {
        tlsm_conn *x = p->side[who].conn;
        cr_assert_eq(p->side[who].rc, 0, "%s: side %d got %d during the run", w, who,
                     p->side[who].rc);
        size_t acc = 99;
        cr_assert_eq(tlsm_write(x, (const uint8_t *)"x", 1, &acc), TLSM_ERR_CLOSED,
                     "%s: write after close on %d", w, who);
        unsigned st = tlsm_status(x);
        cr_assert(st & TLSM_STATUS_CLOSED, "%s: side %d status %#x", w, who, st);
        cr_assert(!(st & (TLSM_STATUS_ERROR | TLSM_STATUS_CAN_WRITE)), "%s: side %d status %#x",
                  w, who, st);
        cr_assert_eq(pair_count_events(p, who, TLSM_EV_ERROR), 0, "%s: error event", w);
    }
}

static void run_case(const mcase *m)
{
    setup s;
    build_setup(m, &s);
    const char *w = s.what;
    pair p;
    pair_init(&p, &s.co, &s.so, m->id);
    p.chunk = m->hs_chunk;
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%s: handshake: %d (%s)", w, rc, tlsm_strerror(rc));
    check_facts(&p, m, &s, 0);
    exchange(&p, m, w);
    uint8_t first[32], again[32];
    check_exporter(&p, first, w);
    if (m->key_update) {
        key_update_both_ways(&p, m, w);
        check_exporter(&p, again, w);
        cr_assert(memcmp(first, again, 32) == 0, "%s: key update changed the exporter", w);
    }
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 1,
                 "%s: client tickets", w);
    cr_assert_eq(pair_count_events(&p, PAIR_SERVER, TLSM_EV_NEW_TICKET), 0, "%s: server", w);
    pair_buf session = {0};
    if (m->resume)
        cr_assert_eq(pair_get_session(&p, &session), TLSM_OK, "%s: get_session", w);
    close_both_ways(&p, w);

    if (m->resume) {
        pair_connect(&p, PAIR_HOST);
        p.chunk = m->hs_chunk;
        rc = tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, session.data, session.len);
        cr_assert_eq(rc, TLSM_OK, "%s: set_session: %d", w, rc);
        rc = pair_handshake(&p);
        cr_assert_eq(rc, 0, "%s: resumed handshake: %d (%s)", w, rc, tlsm_strerror(rc));
        check_facts(&p, m, &s, 1);
        exchange(&p, m, w);
        check_exporter(&p, again, w);
        cr_assert(memcmp(first, again, 32) != 0, "%s: resumption reused the exporter", w);
        if (m->key_update)
            key_update_both_ways(&p, m, w);
        close_both_ways(&p, w);
    }
    pair_buf_free(&session);
    pair_free(&p);
}

static void free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(matrix, crypto)
{
    size_t n = 3 * 3 * 5;
    mcase *cases = cr_calloc(n, sizeof *cases);
    unsigned id = 0;
    for (size_t si = 0; si < 3; si++)
        for (size_t gi = 0; gi < 3; gi++)
            for (size_t ki = 0; ki < 5; ki++, id++) {
                mcase *m = &cases[id];
                m->id = id;
                m->suite = suites[si];
                m->group = groups[gi];
                m->key = server_keys[ki];
                m->hrr = (int)(id % 3);
                m->alpn = (int)(id / 3 % 2);
                m->resume = (int)(id / 2 % 2);
                m->key_update = (int)(id / 5 % 2);
                m->hs_chunk = hs_chunks[id % 4];
                m->bulk_chunk = id % 2 ? 4093 : 0;
            }
    return cr_make_param_array(mcase, cases, n, free_cases);
}

ParameterizedTest(mcase *m, matrix, crypto)
{
    run_case(m);
}

ParameterizedTestParameters(matrix, features)
{
    size_t n = 3 * 24;
    mcase *cases = cr_calloc(n, sizeof *cases);
    unsigned id = 0;
    for (size_t si = 0; si < 3; si++)
        for (int hrr = 0; hrr < 3; hrr++)
            for (int alpn = 0; alpn < 2; alpn++)
                for (int resume = 0; resume < 2; resume++)
                    for (int ku = 0; ku < 2; ku++, id++) {
                        mcase *m = &cases[id];
                        m->id = 100 + id;
                        m->suite = suites[si];
                        m->group = groups[id % 3];
                        m->key = server_keys[id % 5];
                        m->hrr = hrr;
                        m->alpn = alpn;
                        m->resume = resume;
                        m->key_update = ku;
                        m->hs_chunk = hs_chunks[(id / 3) % 4];
                        m->bulk_chunk = (id / 2) % 2 ? 4093 : 0;
                    }
    return cr_make_param_array(mcase, cases, n, free_cases);
}

ParameterizedTest(mcase *m, matrix, features)
{
    run_case(m);
}

/* ---------------------------------------------------------------- client authentication */

static void client_auth_pair(pair *p, int mode, int with_cert)
{
    pair_opts co = {0}, so = {0};
    co.key = with_cert ? PAIR_KEY_CLIENT : PAIR_KEY_NONE;
    so.key = PAIR_KEY_P256;
    so.client_auth = mode;
    pair_init(p, &co, &so, 42);
    pair_connect(p, PAIR_HOST);
}

Test(matrix, client_auth_required_with_cert)
{
    pair p;
    client_auth_pair(&p, 2, 1);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    tlsm_conn *s = p.side[PAIR_SERVER].conn;
    /* The client leaf is ECDSA P-256. */
    cr_assert_eq(tlsm_conn_peer_sigalg(s), TLSM_SIG_ECDSA_SECP256R1_SHA256);
    cr_assert_eq(tlsm_conn_peer_cert_count(s), 2);
    cr_assert_eq(tlsm_conn_peer_sigalg(p.side[PAIR_CLIENT].conn),
                 TLSM_SIG_ECDSA_SECP256R1_SHA256);
    mcase m = {.id = 7};
    exchange(&p, &m, "client auth");
    uint8_t out[32];
    check_exporter(&p, out, "client auth");
    close_both_ways(&p, "client auth");
    pair_free(&p);
}

Test(matrix, client_auth_requested_without_cert)
{
    pair p;
    client_auth_pair(&p, 1, 0);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(tlsm_conn_peer_cert_count(p.side[PAIR_SERVER].conn), 0);
    cr_assert_eq(tlsm_conn_peer_sigalg(p.side[PAIR_SERVER].conn), 0);
    transfer(&p, PAIR_CLIENT, (const uint8_t *)"anonymous", 9, "requested");
    close_both_ways(&p, "requested");
    pair_free(&p);
}

/* RFC 8446 s.4.4.2.4: a server that requires a certificate and gets an empty Certificate
 * aborts with certificate_required. The client has sent its Finished by then, so it sees
 * the alert as the peer's. */
Test(matrix, client_auth_required_without_cert)
{
    pair p;
    client_auth_pair(&p, 2, 0);
    pair_pump(&p);
    int serr = tlsm_conn_error(p.side[PAIR_SERVER].conn);
    int cerr = tlsm_conn_error(p.side[PAIR_CLIENT].conn);
    cr_assert_eq(serr, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_CERTIFICATE_REQUIRED), "server: %d (%s)",
                 serr, tlsm_strerror(serr));
    cr_assert_eq(cerr, TLSM_ERR_PEER_ALERT(TLSM_ALERT_CERTIFICATE_REQUIRED), "client: %d (%s)",
                 cerr, tlsm_strerror(cerr));
    cr_assert_eq(tlsm_conn_handshake_done(p.side[PAIR_SERVER].conn), 0);
    const tlsm_event *e = pair_find_event(&p, PAIR_CLIENT, TLSM_EV_ALERT, 0);
    cr_assert_not_null(e, "client got no ALERT event");
    cr_assert_eq(e->alert, TLSM_ALERT_CERTIFICATE_REQUIRED);
    cr_assert_eq(e->fatal, 1);
    cr_assert(tlsm_status(p.side[PAIR_SERVER].conn) & TLSM_STATUS_ERROR);
    pair_free(&p);
}

/* A resumption carries the client's identity in the ticket: the server must not ask again
 * (RFC 8446 s.4.3.2: no CertificateRequest with a PSK) and the handshake succeeds. */
Test(matrix, client_auth_required_resumed)
{
    pair p;
    client_auth_pair(&p, 2, 1);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    transfer(&p, PAIR_SERVER, (const uint8_t *)"ticket", 6, "resume");
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, session.data, session.len),
                 TLSM_OK);
    rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "resumed handshake: %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(tlsm_conn_resumed(p.side[PAIR_SERVER].conn), 1);
    cr_assert_eq(tlsm_conn_resumed(p.side[PAIR_CLIENT].conn), 1);
    transfer(&p, PAIR_CLIENT, (const uint8_t *)"again", 5, "resume");
    pair_buf_free(&session);
    pair_free(&p);
}
