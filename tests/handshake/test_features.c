/*
 * test_features.c - single-purpose positive handshake tests over the in-memory pair: ALPN
 * when only one side has it, half-close, clean end of stream, the record size limit,
 * backpressure, exporter rules, byte-for-byte determinism, middlebox compatibility, the
 * trace events, ticket counts, resumption fallbacks and IP-address server names.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

static void connect_default(pair *p, const pair_opts *co, const pair_opts *so, const char *sni)
{
    static const pair_opts server = {.key = PAIR_KEY_P256};
    pair_init(p, co, so ? so : &server, 5);
    pair_connect(p, sni);
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
}

static void send_ok(pair *p, int from, const void *data, size_t n)
{
    pair_side *to = &p->side[1 - from];
    to->rx.len = 0;
    int rc = pair_send(p, from, data, n);
    cr_assert_eq(rc, 0, "send: %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(to->rx.len, n);
    cr_assert(memcmp(to->rx.data, data, n) == 0);
}

/* RFC 7301 s.3.1: ALPN is negotiated only when the client offers it; without a client list
 * the server carries on without a protocol. */
Test(features, alpn_server_only)
{
    pair_opts so = {.key = PAIR_KEY_P256, .alpn = "\x02h2"};
    pair p;
    connect_default(&p, NULL, &so, PAIR_HOST);
    size_t len = 9;
    cr_assert_null(tlsm_conn_alpn(p.side[PAIR_CLIENT].conn, &len));
    cr_assert_null(tlsm_conn_alpn(p.side[PAIR_SERVER].conn, &len));
    pair_free(&p);
}

Test(features, alpn_client_only)
{
    pair_opts co = {.alpn = "\x02h2"};
    pair p;
    connect_default(&p, &co, NULL, PAIR_HOST);
    size_t len = 9;
    cr_assert_null(tlsm_conn_alpn(p.side[PAIR_CLIENT].conn, &len));
    cr_assert_null(tlsm_conn_alpn(p.side[PAIR_SERVER].conn, &len));
    pair_free(&p);
}

/* RFC 8446 s.6.1: close_notify closes one direction; the other may keep sending. */
Test(features, half_close)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    cr_assert_eq(tlsm_close(p.side[PAIR_CLIENT].conn), TLSM_OK);
    pair_pump(&p);
    cr_assert_eq(pair_count_events(&p, PAIR_SERVER, TLSM_EV_PEER_CLOSED), 1);
    send_ok(&p, PAIR_SERVER, "late reply", 10);
    cr_assert_eq(tlsm_close(p.side[PAIR_SERVER].conn), TLSM_OK);
    pair_pump(&p);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_PEER_CLOSED), 1);
    cr_assert_eq(p.side[PAIR_CLIENT].rc, 0);
    cr_assert_eq(p.side[PAIR_SERVER].rc, 0);
    pair_free(&p);
}

/* End of stream after close_notify is a clean close, not truncation. */
Test(features, eof_after_close_notify)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    cr_assert_eq(tlsm_close(p.side[PAIR_SERVER].conn), TLSM_OK);
    pair_pump(&p);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_PEER_CLOSED), 1);
    cr_assert_eq(pair_eof(&p, PAIR_S2C), TLSM_OK);
    tlsm_conn *c = p.side[PAIR_CLIENT].conn;
    cr_assert_eq(tlsm_conn_error(c), 0);
    cr_assert(tlsm_status(c) & TLSM_STATUS_CLOSED);
    cr_assert(!(tlsm_status(c) & TLSM_STATUS_ERROR));
    pair_free(&p);
}

typedef struct {
    size_t max_body[2];
} sizes;

static void track_sizes(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    sizes *s = ctx;
    if (pair_record_type(rec) == 23 && pair_record_body_len(rec) > s->max_body[dir])
        s->max_body[dir] = pair_record_body_len(rec);
}

/* RFC 8449 s.4: records toward an endpoint carry at most its limit of inner plaintext, from
 * the first protected record on. tlsm.h: the configured limit counts application bytes and
 * is advertised plus one for the inner content type; +16 for the AEAD tag. */
Test(features, record_size_limit)
{
    pair_opts co = {.record_size_limit = 512};
    pair_opts so = {.key = PAIR_KEY_RSA, .record_size_limit = 256};
    sizes s = {{0, 0}};
    pair p;
    pair_init(&p, &co, &so, 9);
    p.hook = track_sizes;
    p.hook_ctx = &s;
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    uint8_t *bulk = malloc(20000);
    cr_assert_not_null(bulk);
    memset(bulk, 0xa5, 20000);
    send_ok(&p, PAIR_SERVER, bulk, 20000);
    send_ok(&p, PAIR_CLIENT, bulk, 20000);
    cr_assert_leq(s.max_body[PAIR_S2C], 512 + 1 + 16, "server sent %zu", s.max_body[PAIR_S2C]);
    cr_assert_leq(s.max_body[PAIR_C2S], 256 + 1 + 16, "client sent %zu", s.max_body[PAIR_C2S]);
    cr_assert_geq(p.type_count[PAIR_S2C][23], 20000 / 512);
    cr_assert_geq(p.type_count[PAIR_C2S][23], 20000 / 256);
    free(bulk);
    pair_free(&p);
}

/* Unread plaintext stops the engine from taking more ciphertext; nothing is lost. */
Test(features, backpressure)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    enum { N = 200 * 1024 };
    uint8_t *data = malloc(N);
    cr_assert_not_null(data);
    pair_rng r;
    pair_rng_seed(&r, 77);
    cr_assert_eq(pair_rng_fill(&r, data, N), 0);
    p.no_read = 1;
    size_t off = 0;
    for (int rounds = 0; off < N && rounds < 10000; rounds++) {
        size_t acc = 0;
        cr_assert_eq(tlsm_write(p.side[PAIR_SERVER].conn, data + off, N - off, &acc), TLSM_OK);
        off += acc;
        pair_pump(&p);
    }
    cr_assert_eq(off, N, "the server accepted %zu", off);
    cr_assert_gt(pair_queued(&p, PAIR_S2C), 0, "the client took 200 KB without reading any");
    cr_assert(tlsm_status(p.side[PAIR_CLIENT].conn) & TLSM_STATUS_HAS_PLAINTEXT);
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, 0);
    p.no_read = 0;
    pair_pump(&p);
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, N);
    cr_assert(memcmp(p.side[PAIR_CLIENT].rx.data, data, N) == 0);
    cr_assert_eq(p.side[PAIR_CLIENT].rc, 0);
    free(data);
    pair_free(&p);
}

static void exporter(tlsm_conn *c, const char *label, const uint8_t *ctx, size_t ctx_len,
                     uint8_t out[32])
{
    int rc = tlsm_export_keying_material(c, label, strlen(label), ctx, ctx_len, out, 32);
    cr_assert_eq(rc, TLSM_OK, "export(%s): %d", label, rc);
}

/* RFC 8446 s.7.5: in TLS 1.3 no context and an empty context give the same value. */
Test(features, exporter_context_rules)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    tlsm_conn *c = p.side[PAIR_CLIENT].conn, *s = p.side[PAIR_SERVER].conn;
    uint8_t a[32], b[32], d[32], e[32];
    exporter(c, "EXPORTER-a", NULL, 0, a);
    exporter(s, "EXPORTER-a", (const uint8_t *)"", 0, b);
    cr_assert(memcmp(a, b, 32) == 0, "no context differs from empty context");
    exporter(c, "EXPORTER-b", NULL, 0, d);
    cr_assert(memcmp(a, d, 32) != 0, "label ignored");
    exporter(s, "EXPORTER-a", (const uint8_t *)"x", 1, e);
    cr_assert(memcmp(a, e, 32) != 0, "context ignored");
    pair_free(&p);
}

static void record_bytes(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    pair_buf *log = ctx;
    uint8_t tag = (uint8_t)dir;
    pair_buf_append(log, &tag, 1);
    pair_buf_append(log, rec->data, rec->len);
}

static void wire_log(uint64_t seed, pair_buf *log)
{
    pair_opts so = {.key = PAIR_KEY_ED25519};
    pair p;
    pair_init(&p, NULL, &so, seed);
    p.hook = record_bytes;
    p.hook_ctx = log;
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    send_ok(&p, PAIR_CLIENT, "same", 4);
    pair_free(&p);
}

/* DESIGN.md: a seeded RNG and a fixed clock make every handshake byte-for-byte the same. */
Test(features, deterministic_replay)
{
    pair_buf a = {0}, b = {0}, c = {0};
    wire_log(1, &a);
    wire_log(1, &b);
    wire_log(2, &c);
    cr_assert_gt(a.len, 500);
    cr_assert_eq(a.len, b.len);
    cr_assert(memcmp(a.data, b.data, a.len) == 0, "same seed, different bytes");
    cr_assert(c.len != a.len || memcmp(a.data, c.data, a.len) != 0, "seed ignored");
    pair_buf_free(&a);
    pair_buf_free(&b);
    pair_buf_free(&c);
}

typedef struct {
    pair_buf first[2]; /* the first record of each direction: ClientHello, ServerHello */
} firsts;

static void keep_first(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    firsts *f = ctx;
    if (index == 0)
        pair_buf_set(&f->first[dir], rec->data, rec->len);
}

/* Offset of legacy_session_id in a ClientHello / ServerHello record: header 5, handshake
 * header 4, legacy_version 2, random 32. */
#define SESSION_ID_AT 43

static void middlebox(int on)
{
    pair_opts co = {.no_middlebox = !on};
    pair_opts so = {.key = PAIR_KEY_P256};
    firsts f;
    memset(&f, 0, sizeof f);
    pair p;
    pair_init(&p, &co, &so, 3);
    p.hook = keep_first;
    p.hook_ctx = &f;
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    /* RFC 8446 D.4: compatibility mode = a 32-byte session ID and one early CCS. */
    cr_assert_eq(p.type_count[PAIR_C2S][20], on ? 1 : 0);
    const pair_buf *ch = &f.first[PAIR_C2S], *sh = &f.first[PAIR_S2C];
    cr_assert_gt(ch->len, SESSION_ID_AT + 33);
    cr_assert_gt(sh->len, SESSION_ID_AT + 33);
    cr_assert_eq(ch->data[5], 1, "first client record is not a ClientHello");
    cr_assert_eq(sh->data[5], 2, "first server record is not a ServerHello");
    size_t sid = ch->data[SESSION_ID_AT];
    cr_assert_eq(sid, on ? 32 : 0);
    /* RFC 8446 s.4.1.3: the server echoes legacy_session_id. */
    cr_assert_eq(sh->data[SESSION_ID_AT], sid);
    cr_assert(memcmp(ch->data + SESSION_ID_AT, sh->data + SESSION_ID_AT, sid + 1) == 0);
    pair_buf_free(&f.first[0]);
    pair_buf_free(&f.first[1]);
    pair_free(&p);
}

Test(features, middlebox_compat_on)
{
    middlebox(1);
}

Test(features, middlebox_compat_off)
{
    middlebox(0);
}

/* RFC 8446 D.4: the client's dummy CCS comes before its first protected record of any
 * kind, so a middlebox sees it even when that record is an alert about the server's flight
 * (here: the server's first protected record is corrupted). */
typedef struct {
    uint8_t c2s_types[8];
    size_t n;
} record_types;

static void corrupt_server_flight(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    record_types *t = ctx;
    if (dir == PAIR_C2S && t->n < sizeof t->c2s_types)
        t->c2s_types[t->n++] = pair_record_type(rec);
    if (dir == PAIR_S2C && pair_record_type(rec) == 23 && rec->len > 10 && !t->c2s_types[7]) {
        rec->data[rec->len - 1] ^= 1; /* the tag */
        t->c2s_types[7] = 1;          /* once */
    }
}

Test(features, middlebox_ccs_before_an_encrypted_alert)
{
    record_types t;
    memset(&t, 0, sizeof t);
    pair p;
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 5);
    p.hook = corrupt_server_flight;
    p.hook_ctx = &t;
    pair_connect(&p, PAIR_HOST);
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_str_eq(pair_reason(p.side[PAIR_CLIENT].conn), "REC_BAD_MAC");
    /* ClientHello, CCS, then the protected bad_record_mac alert. */
    cr_assert_geq(t.n, 3, "the client sent %zu records", t.n);
    cr_assert_eq(t.c2s_types[0], 22);
    cr_assert_eq(t.c2s_types[1], 20, "no CCS before the encrypted alert (got type %u)",
                 t.c2s_types[1]);
    cr_assert_eq(t.c2s_types[2], 23);
    pair_free(&p);
}

static size_t messages(const pair *p, int who, tlsm_event_type type, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < p->side[who].n_ev; i++) {
        const tlsm_event *e = &p->side[who].ev[i];
        if (e->type == type && !e->ccs && n < cap)
            out[n++] = e->msg_type;
    }
    return n;
}

/* RFC 8446 s.2: the full handshake message sequence, as the trace events report it. */
Test(features, trace_full_handshake)
{
    pair_opts co = {.trace = 1};
    pair_opts so = {.key = PAIR_KEY_P256, .trace = 1};
    pair p;
    pair_init(&p, &co, &so, 4);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    static const uint8_t server_flight[] = {2, 8, 11, 15, 20, 4};
    static const uint8_t client_flight[] = {1, 20};
    uint8_t got[16];
    size_t n = messages(&p, PAIR_SERVER, TLSM_EV_MESSAGE_SENT, got, sizeof got);
    cr_assert_eq(n, sizeof server_flight);
    cr_assert(memcmp(got, server_flight, n) == 0);
    n = messages(&p, PAIR_CLIENT, TLSM_EV_MESSAGE_RECEIVED, got, sizeof got);
    cr_assert_eq(n, sizeof server_flight);
    cr_assert(memcmp(got, server_flight, n) == 0);
    n = messages(&p, PAIR_CLIENT, TLSM_EV_MESSAGE_SENT, got, sizeof got);
    cr_assert_eq(n, sizeof client_flight);
    cr_assert(memcmp(got, client_flight, n) == 0);
    n = messages(&p, PAIR_SERVER, TLSM_EV_MESSAGE_RECEIVED, got, sizeof got);
    cr_assert_eq(n, sizeof client_flight);
    cr_assert(memcmp(got, client_flight, n) == 0);
    pair_free(&p);
}

Test(features, no_tickets_no_session)
{
    pair_opts so = {.key = PAIR_KEY_P256, .no_tickets = 1};
    pair p;
    connect_default(&p, NULL, &so, PAIR_HOST);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 0);
    pair_buf s = {0};
    cr_assert_eq(pair_get_session(&p, &s), TLSM_ERR_NO_SESSION);
    pair_buf_free(&s);
    pair_free(&p);
}

/* Resumes with a ticket from `session` on p (already connected) and returns resumed. */
static int resume_with(pair *p, const pair_buf *session)
{
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p->side[PAIR_CLIENT].conn, session->data, session->len),
                 TLSM_OK);
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    send_ok(p, PAIR_CLIENT, "after", 5);
    cr_assert_eq(tlsm_conn_resumed(p->side[PAIR_SERVER].conn),
                 tlsm_conn_resumed(p->side[PAIR_CLIENT].conn));
    return tlsm_conn_resumed(p->side[PAIR_CLIENT].conn);
}

/* A ticket from another server (another ticket key) falls back to a full handshake
 * (RFC 8446 s.4.2.11: the server ignores PSKs it cannot use). */
Test(features, foreign_ticket_full_handshake)
{
    pair a, b;
    connect_default(&a, NULL, NULL, PAIR_HOST);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&a, &session), TLSM_OK);
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(&b, NULL, &so, 99);
    cr_assert_eq(resume_with(&b, &session), 0);
    cr_assert_eq(tlsm_conn_peer_sigalg(b.side[PAIR_CLIENT].conn), TLSM_SIG_ECDSA_SECP256R1_SHA256);
    pair_buf_free(&session);
    pair_free(&a);
    pair_free(&b);
}

/* A ticket past its lifetime (default 7200 s) is not used (RFC 8446 s.4.6.1). */
Test(features, expired_ticket_full_handshake)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    p.now_ms += 7201u * 1000u;
    cr_assert_eq(resume_with(&p, &session), 0);
    pair_buf_free(&session);
    pair_free(&p);
}

Test(features, ticket_within_lifetime_resumes)
{
    pair p;
    connect_default(&p, NULL, NULL, PAIR_HOST);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    p.now_ms += 3600u * 1000u;
    cr_assert_eq(resume_with(&p, &session), 1);
    pair_buf_free(&session);
    pair_free(&p);
}

Test(features, two_tickets)
{
    pair p;
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(&p, NULL, &so, 6);
    cr_assert_eq(tlsm_config_set_tickets(p.side[PAIR_SERVER].cfg, 2), TLSM_OK);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET), 2);
    pair_free(&p);
}

/* An IP literal is checked against the IP SANs and not sent as SNI (RFC 6066 s.3). */
Test(features, ip_address_server_name)
{
    pair p;
    connect_default(&p, NULL, NULL, "127.0.0.1");
    cr_assert_null(tlsm_conn_server_name(p.side[PAIR_SERVER].conn));
    send_ok(&p, PAIR_CLIENT, "ip", 2);
    pair_free(&p);
}

/* Issue 16 item 6: a NULL certificate in a DER chain is an argument error, not an
 * allocation failure, and nothing already copied leaks (ASan build). */
Test(features, identity_der_with_null_entry)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert_not_null(cfg);
    static const uint8_t cert[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    const uint8_t *chain[3] = {cert, NULL, cert};
    size_t lens[3] = {sizeof cert, sizeof cert, sizeof cert};
    cr_assert_eq(tlsm_config_add_identity_der(cfg, chain, lens, 3, cert, sizeof cert),
                 TLSM_ERR_ARG);
    tlsm_config_free(cfg);
}

/* tlsm_conn_identity: which of several identities a handshake sent (by the peer's
 * signature schemes), -1 when none was sent (no request, resumption). */
Test(features, identity_index)
{
    static const uint16_t rsa_only[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256};
    static const uint16_t ecdsa_only[] = {TLSM_SIG_ECDSA_SECP256R1_SHA256};
    const uint16_t *lists[] = {ecdsa_only, rsa_only};
    for (int want = 0; want < 2; want++) {
        pair p;
        pair_opts co = {.sigalgs = lists[want], .n_sigalgs = 1};
        pair_init(&p, &co, &(pair_opts){.key = PAIR_KEY_P256}, 31);
        cr_assert_eq(pair_add_identity(p.side[PAIR_SERVER].cfg, PAIR_KEY_RSA), 0);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), -1, "before the handshake");
        cr_assert_eq(pair_handshake(&p), 0);
        cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), want);
        cr_assert_eq(tlsm_conn_identity(p.side[PAIR_CLIENT].conn), -1, "no certificate asked");
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), 0);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, sess.data, sess.len), 0);
        cr_assert_eq(pair_handshake(&p), 0);
        cr_assert(tlsm_conn_resumed(p.side[PAIR_SERVER].conn));
        cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), -1, "resumed: none sent");
        pair_buf_free(&sess);
        pair_free(&p);
    }
    /* A client asked for its certificate. */
    pair p;
    pair_init(&p, &(pair_opts){.key = PAIR_KEY_CLIENT},
              &(pair_opts){.key = PAIR_KEY_P256, .client_auth = 2}, 37);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_eq(tlsm_conn_identity(p.side[PAIR_CLIENT].conn), 0);
    pair_free(&p);
}

/* tlsm_conn_abort: the host ends a connection with a fatal alert of its choice, after the
 * handshake (protected) and during it (in the clear before keys); the peer sees the alert,
 * the aborting side's error is sticky with reason HOST_ABORT, and close_notify is refused. */
Test(features, host_abort_with_an_alert)
{
    for (int during = 0; during < 2; during++) {
        pair p;
        pair_init(&p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_P256}, 41 + during);
        pair_connect(&p, PAIR_HOST);
        tlsm_conn *s = p.side[PAIR_SERVER].conn, *c = p.side[PAIR_CLIENT].conn;
        if (!during)
            cr_assert_eq(pair_handshake(&p), 0);
        else
            cr_assert_eq(tlsm_conn_start(c), 0); /* the ClientHello is queued, not sent */
        cr_assert_eq(tlsm_conn_abort(s, TLSM_ALERT_CLOSE_NOTIFY), TLSM_ERR_ARG);
        cr_assert_eq(tlsm_conn_error(s), 0, "a refused call changes nothing");
        int rc = tlsm_conn_abort(s, TLSM_ALERT_ACCESS_DENIED);
        cr_assert_eq(rc, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ACCESS_DENIED));
        cr_assert_str_eq(pair_reason(s), "HOST_ABORT");
        cr_assert_eq(tlsm_conn_abort(s, TLSM_ALERT_INTERNAL_ERROR), rc, "sticky");
        size_t n = 0;
        cr_assert_neq(tlsm_write(s, (const uint8_t *)"x", 1, &n), 0);
        (void)pair_pump(&p);
        cr_assert_eq(tlsm_conn_error(c), TLSM_ERR_PEER_ALERT(TLSM_ALERT_ACCESS_DENIED),
                     "during %d: client %s", during, pair_reason(c));
        pair_free(&p);
    }
}

/* Moves all of from's pending output into to with tlsm_feed; returns what to consumed. */
static size_t feed_all(tlsm_conn *from, tlsm_conn *to)
{
    size_t len = 0, used = 0, total = 0;
    const uint8_t *out;
    while ((out = tlsm_output_peek(from, &len)) != NULL && len > 0) {
        cr_assert_eq(tlsm_feed(to, out, len, &used), 0);
        cr_assert_eq(tlsm_output_consume(from, used), 0);
        total += used;
        if (used < len)
            break;
    }
    return total;
}

/* Plaintext lent by tlsm_read_peek stays where it is while more input arrives: a larger
 * record fed after it must not move (or free) the buffer the host is reading. */
Test(features, peeked_plaintext_survives_more_input)
{
    pair p;
    pair_init(&p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_P256}, 43);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    tlsm_conn *s = p.side[PAIR_SERVER].conn, *c = p.side[PAIR_CLIENT].conn;
    static uint8_t small[100], big[16384];
    memset(small, 0x11, sizeof small);
    memset(big, 0x22, sizeof big);
    size_t n = 0;
    cr_assert_eq(tlsm_write(s, small, sizeof small, &n), 0);
    feed_all(s, c);
    size_t len = 0;
    const uint8_t *pt = tlsm_read_peek(c, &len);
    cr_assert_not_null(pt);
    cr_assert_eq(len, sizeof small);
    cr_assert_eq(tlsm_write(s, big, sizeof big, &n), 0);
    feed_all(s, c);
    cr_assert_eq(memcmp(pt, small, sizeof small), 0, "the lent plaintext moved");
    cr_assert_eq(tlsm_read_consume(c, len), 0);
    size_t got = 0;
    while (got < sizeof big) {
        feed_all(s, c);
        const uint8_t *q = tlsm_read_peek(c, &len);
        cr_assert(q && len > 0, "got %zu of %zu", got, sizeof big);
        cr_assert_eq(memcmp(q, big + got, len), 0);
        got += len;
        cr_assert_eq(tlsm_read_consume(c, len), 0);
    }
    pair_free(&p);
}

/* Pending output beyond the application bound (here a flood of KeyUpdates the host has not
 * sent yet) leaves no room to write: CAN_WRITE is off and tlsm_write accepts nothing,
 * rather than the room wrapping round to "plenty". */
Test(features, no_write_room_beyond_the_output_bound)
{
    pair p;
    pair_init(&p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_P256}, 47);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    tlsm_conn *c = p.side[PAIR_CLIENT].conn;
    size_t len = 0;
    for (int i = 0; i < 2000; i++) {
        cr_assert_eq(tlsm_key_update(c, 0), 0, "update %d", i);
        (void)tlsm_output_peek(c, &len);
        if (len > 40000)
            break;
    }
    cr_assert_gt(len, 40000);
    cr_assert_not(tlsm_status(c) & TLSM_STATUS_CAN_WRITE);
    size_t n = 1;
    int rc = tlsm_write(c, (const uint8_t *)"x", 1, &n);
    cr_assert_eq(n, 0, "rc %d", rc);
    pair_free(&p);
}
