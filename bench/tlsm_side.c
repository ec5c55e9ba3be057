/*
 * tlsm_side.c - the tlsm half of tlsm-bench: a client and a server config per scenario, a
 * handshake loop over two in-memory pipes, a bulk transfer and the per-connection heap
 * measurement. Every call into tlsm goes through CALL(), which charges heap and crypto to
 * the endpoint being called and, in the attribution pass, times the call.
 *
 * The host loop is what a real host does: take what an endpoint wants to send, put it on
 * the wire (a pipe), feed what arrived to the other endpoint, read plaintext, drain events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"
#include "tlsm.h"

struct tlsm_env {
    const scenario *sc;
    tlsm_config *ccfg, *scfg;
    uint8_t *session;
    size_t session_len, session_cap;
    tlsm_conn *c, *s;  /* bulk: the established pair */
    bench_pipe c2s, s2c;
    uint8_t *buf;
    int got_ticket;
    uint64_t received;
};

static char err[256];
static int timing;
static bench_api_time api;
static uint64_t call_t0;

enum { C = 0, S = 1 };
static const int side_of[2] = {SIDE_TLSM_CLIENT, SIDE_TLSM_SERVER};

static void enter(int who)
{
    bench_set_side(side_of[who]);
    if (timing)
        call_t0 = bench_now_ns();
}

static void leave(int who)
{
    if (timing) {
        api.api_ns[who] += bench_now_ns() - call_t0;
        api.api_calls[who]++;
    }
    bench_set_side(SIDE_NONE);
}

#define CALL(who, stmt) \
    do {                \
        enter(who);     \
        stmt;           \
        leave(who);     \
    } while (0)

static int fail(const char *what, int rc)
{
    snprintf(err, sizeof err, "tlsm: %s: %s", what, tlsm_strerror(rc));
    return rc ? rc : -1;
}

const char *tlsm_env_error(void)
{
    return err;
}

void tlsm_env_timing(int on, bench_api_time *t)
{
    if (on) {
        api = (bench_api_time){0};
        timing = 1;
    } else {
        timing = 0;
        if (t)
            *t = api;
    }
}

static const uint16_t suite13[] = {TLSM_TLS_AES_128_GCM_SHA256, TLSM_TLS_AES_256_GCM_SHA384,
                                   TLSM_TLS_CHACHA20_POLY1305_SHA256};

static tlsm_config *make_config(const scenario *sc, tlsm_role role)
{
    tlsm_config *cfg = tlsm_config_new(role);
    if (cfg == NULL) {
        fail("config", TLSM_ERR_NOMEM);
        return NULL;
    }
    uint16_t v = sc->tls12 ? TLSM_TLS12 : TLSM_TLS13;
    uint16_t suite = sc->tls12 ? TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : suite13[sc->aead];
    /* TLS 1.2 clients also list P-256: the curve of an ECDSA certificate must be among the
     * client's groups (RFC 8422 s.5.1); the key exchange is X25519 either way. */
    uint16_t groups[] = {sc->group ? sc->group : TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1};
    size_t n_groups = sc->tls12 && role == TLSM_ROLE_CLIENT ? 2 : 1;
    int rc = tlsm_config_set_versions(cfg, v, v);
    if (!rc)
        rc = tlsm_config_set_suites(cfg, &suite, 1);
    if (!rc)
        rc = tlsm_config_set_groups(cfg, groups, n_groups);
    if (!rc)
        rc = tlsm_config_set_verify_cache(cfg, sc->vcache ? TLSM_VERIFY_CACHE_DEFAULT : 0);
    if (!rc && role == TLSM_ROLE_SERVER) {
        char chain_name[64], key_name[64];
        snprintf(chain_name, sizeof chain_name, "server-%s.chain.pem", sc->key);
        snprintf(key_name, sizeof key_name, "server-%s.key", sc->key);
        size_t chain_len = 0, key_len = 0;
        uint8_t *chain = bench_read_pki(chain_name, &chain_len);
        uint8_t *key = bench_read_pki(key_name, &key_len);
        rc = chain && key ? tlsm_config_add_identity_pem(cfg, chain, chain_len, key, key_len)
                          : TLSM_ERR_IO;
        free(chain);
        free(key);
        if (!rc && sc->resume == RESUME_SESSION_ID)
            rc = tlsm_config_set_tickets(cfg, 0);
    } else if (!rc) {
        size_t ca_len = 0;
        uint8_t *ca = bench_read_pki("ca.crt", &ca_len);
        rc = ca ? tlsm_config_add_trust_pem(cfg, ca, ca_len, NULL) : TLSM_ERR_IO;
        free(ca);
    }
    if (rc) {
        fail(role == TLSM_ROLE_SERVER ? "server config" : "client config", rc);
        tlsm_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* Reads all plaintext and events `who` has. */
static int drain(tlsm_env *e, tlsm_conn *conn, int who)
{
    size_t len;
    const uint8_t *pt;
    int rc = 0;
    for (;;) {
        CALL(who, pt = tlsm_read_peek(conn, &len));
        if (pt == NULL || len == 0)
            break;
        e->received += len;
        CALL(who, rc = tlsm_read_consume(conn, len));
        if (rc)
            return fail("read_consume", rc);
    }
    tlsm_event ev;
    int more;
    for (;;) {
        CALL(who, more = tlsm_next_event(conn, &ev));
        if (!more)
            break;
        if (ev.type == TLSM_EV_NEW_TICKET)
            e->got_ticket = 1;
        if (ev.type == TLSM_EV_ERROR)
            return fail(who == C ? "client" : "server", ev.code);
    }
    return 0;
}

/* Moves everything `from` has to send through `pipe` into `to`. Sets *moved if any byte
 * moved. */
static int flow(tlsm_env *e, tlsm_conn *from, int fw, bench_pipe *pipe, tlsm_conn *to, int tw,
                int *moved)
{
    size_t len;
    const uint8_t *out;
    int rc = 0;
    for (;;) {
        CALL(fw, out = tlsm_output_peek(from, &len));
        if (out == NULL || len == 0)
            break;
        bench_pipe_push(pipe, out, len);
        CALL(fw, rc = tlsm_output_consume(from, len));
        if (rc)
            return fail("output_consume", rc);
        *moved = 1;
    }
    while (pipe->len > 0) {
        size_t used = 0;
        CALL(tw, rc = tlsm_feed(to, pipe->data + pipe->off, pipe->len, &used));
        bench_pipe_pop(pipe, used);
        if (rc)
            return fail(tw == C ? "client feed" : "server feed", rc);
        uint64_t before = e->received;
        if ((rc = drain(e, to, tw)) != 0)
            return rc;
        if (used == 0 && e->received == before)
            break;
        *moved = 1;
    }
    return 0;
}

/* Runs the pair until nothing moves any more: handshake, then tickets. */
static int settle(tlsm_env *e, tlsm_conn *c, tlsm_conn *s)
{
    for (int step = 0; step < 64; step++) {
        int moved = 0, rc;
        if ((rc = flow(e, c, C, &e->c2s, s, S, &moved)) != 0)
            return rc;
        if ((rc = flow(e, s, S, &e->s2c, c, C, &moved)) != 0)
            return rc;
        if (!moved)
            break;
    }
    int done_c, done_s;
    CALL(C, done_c = tlsm_conn_handshake_done(c));
    CALL(S, done_s = tlsm_conn_handshake_done(s));
    if (!done_c || !done_s) {
        snprintf(err, sizeof err, "tlsm: handshake did not finish: client %s, server %s",
                 tlsm_strerror(tlsm_conn_error(c)), tlsm_strerror(tlsm_conn_error(s)));
        return -1;
    }
    return 0;
}

static int open_pair(tlsm_env *e, tlsm_conn **pc, tlsm_conn **ps)
{
    tlsm_conn *c, *s;
    int rc = 0;
    e->got_ticket = 0;
    CALL(C, c = tlsm_conn_new(e->ccfg, BENCH_HOST));
    CALL(S, s = tlsm_conn_new(e->scfg, NULL));
    if (c == NULL || s == NULL) {
        CALL(C, tlsm_conn_free(c));
        CALL(S, tlsm_conn_free(s));
        return fail("conn_new", TLSM_ERR_NOMEM);
    }
    if (e->session != NULL)
        CALL(C, rc = tlsm_conn_set_session(c, e->session, e->session_len));
    if (!rc)
        CALL(C, rc = tlsm_conn_start(c));
    if (!rc)
        rc = settle(e, c, s);
    if (!rc && e->session != NULL) {
        int resumed;
        CALL(C, resumed = tlsm_conn_resumed(c));
        if (!resumed)
            rc = fail("session not resumed", 0);
    }
    if (rc) {
        CALL(C, tlsm_conn_free(c));
        CALL(S, tlsm_conn_free(s));
        return rc;
    }
    *pc = c;
    *ps = s;
    return 0;
}

/* Both sides close with close_notify, as the OpenSSL side must; nobody reads them: the
 * pipes are emptied for the next connection. */
static void close_pair(tlsm_env *e, tlsm_conn *c, tlsm_conn *s)
{
    int rc;
    CALL(C, rc = tlsm_close(c));
    CALL(S, rc = tlsm_close(s));
    (void)rc;
    CALL(C, tlsm_conn_free(c));
    CALL(S, tlsm_conn_free(s));
    bench_pipe_pop(&e->c2s, e->c2s.len);
    bench_pipe_pop(&e->s2c, e->s2c.len);
}

/* Keeps the client's latest session for the next connection to offer. */
static int keep_session(tlsm_env *e, tlsm_conn *c)
{
    size_t len = 0;
    int rc;
    CALL(C, rc = tlsm_conn_get_session(c, NULL, 0, &len));
    if (rc != 0 && rc != TLSM_ERR_BUFFER)
        return fail("get_session", rc);
    if (len > e->session_cap) {
        free(e->session);
        e->session = malloc(len);
        e->session_cap = e->session ? len : 0;
        if (e->session == NULL)
            return fail("get_session", TLSM_ERR_NOMEM);
    }
    CALL(C, rc = tlsm_conn_get_session(c, e->session, e->session_cap, &e->session_len));
    return rc ? fail("get_session", rc) : 0;
}

/* A full handshake whose session the client keeps for the resumption scenarios. */
static int take_session(tlsm_env *e)
{
    tlsm_conn *c, *s;
    int rc = open_pair(e, &c, &s);
    if (rc)
        return rc;
    rc = keep_session(e, c);
    close_pair(e, c, s);
    return rc;
}

tlsm_env *tlsm_env_new(const scenario *sc)
{
    tlsm_env *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->sc = sc;
    bench_pipe_init(&e->c2s, 1 << 18);
    bench_pipe_init(&e->s2c, 1 << 18);
    e->buf = calloc(1, BENCH_BULK_BUF);
    e->ccfg = make_config(sc, TLSM_ROLE_CLIENT);
    e->scfg = e->ccfg ? make_config(sc, TLSM_ROLE_SERVER) : NULL;
    int rc = e->scfg && e->buf ? 0 : -1;
    if (!rc && sc->resume != RESUME_NONE)
        rc = take_session(e);
    if (!rc && sc->kind == KIND_BULK)
        rc = open_pair(e, &e->c, &e->s);
    if (rc) {
        tlsm_env_free(e);
        return NULL;
    }
    return e;
}

void tlsm_env_free(tlsm_env *e)
{
    if (e == NULL)
        return;
    if (e->c)
        close_pair(e, e->c, e->s);
    tlsm_config_free(e->ccfg);
    tlsm_config_free(e->scfg);
    free(e->session);
    free(e->buf);
    bench_pipe_free(&e->c2s);
    bench_pipe_free(&e->s2c);
    free(e);
}

int tlsm_env_handshake(tlsm_env *e)
{
    tlsm_conn *c, *s;
    int rc = open_pair(e, &c, &s);
    if (rc)
        return rc;
    /* TLS 1.3: offer the newest ticket next time, as the OpenSSL side must (single use). */
    if (e->session != NULL && !e->sc->tls12)
        rc = keep_session(e, c);
    close_pair(e, c, s);
    return rc;
}

int tlsm_env_bulk(tlsm_env *e, uint64_t bytes)
{
    uint64_t sent = 0, start = e->received;
    int rc = 0;
    while (sent < bytes) {
        size_t n = bytes - sent < e->sc->chunk ? (size_t)(bytes - sent) : e->sc->chunk;
        size_t accepted = 0;
        CALL(C, rc = tlsm_write(e->c, e->buf, n, &accepted));
        if (rc)
            return fail("write", rc);
        sent += accepted;
        int moved = 0;
        if ((rc = flow(e, e->c, C, &e->c2s, e->s, S, &moved)) != 0)
            return rc;
    }
    if (e->received - start != bytes) {
        snprintf(err, sizeof err, "tlsm: bulk: %llu of %llu bytes arrived",
                 (unsigned long long)(e->received - start), (unsigned long long)bytes);
        return -1;
    }
    return 0;
}

void tlsm_env_verify_cache(tlsm_env *e, uint64_t *hits, uint64_t *misses)
{
    tlsm_verify_cache_stats st = {0};
    if (tlsm_config_verify_cache_stats(e->ccfg, &st))
        st.hits = st.misses = 0;
    *hits = st.hits;
    *misses = st.misses;
}

/* The record buffers the connection holds now (allocated on demand, released when
 * empty: 0 when idle). */
static int64_t record_buffers(const tlsm_conn *conn)
{
    return (int64_t)(conn->rec.in_cap + conn->rec.out_cap + conn->rec.hs_out_cap);
}

int tlsm_env_memory(tlsm_env *e, bench_mem *m)
{
    int64_t base[2];
    for (int w = 0; w < 2; w++) {
        base[w] = bench_heaps[side_of[w]].live;
        bench_heap_reset_peak(side_of[w]);
    }
    tlsm_conn *c, *s;
    int rc = open_pair(e, &c, &s);
    if (rc)
        return rc;
    tlsm_conn *conn[2] = {c, s};
    for (int w = 0; w < 2; w++) {
        m->peak[w] = bench_heaps[side_of[w]].peak - base[w];
        m->idle[w] = bench_heaps[side_of[w]].live - base[w];
        m->record_bufs[w] = record_buffers(conn[w]);
        const tlsm_conn *k = conn[w];
        snprintf(m->parts[w], sizeof m->parts[w],
                 "struct tlsm_conn %zu (session %zu), 2 AEAD states %zu, in %zu, out %zu, "
                 "hs_out %zu, msg %zu, events %s, peer chain %zu, ticket %zu",
                 sizeof *k, sizeof k->session, k->rec.rd.aead_size + k->rec.wr.aead_size,
                 k->rec.in_cap, k->rec.out_cap, k->rec.hs_out_cap, k->msg_cap,
                 k->events ? "1024" : "0", k->peer_chain_len, k->session.ticket_len);
    }
    close_pair(e, c, s);
    return 0;
}
