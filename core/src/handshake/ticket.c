/*
 * ticket.c - what a server keeps of a session to resume it, for both versions: one
 * encoding (srv_session, below), sealed into a ticket (RFC 8446 s.4.6.1, RFC 5077) or
 * stored in the TLS 1.2 session-id cache (session_cache.c).
 *
 * The server keeps no per-ticket state: a ticket is the encoded state sealed with the
 * config's ticket key (ChaCha20-Poly1305, random 96-bit nonce): nonce || AEAD(state).
 * Rotating the key keeps the previous one for opening, so tickets issued just before a
 * rotation still resume. Only a server holding the key can read or forge a ticket.
 *
 * Encoding (version 3): kind u8 (1 TLS 1.3, 2 TLS 1.2), suite u16, issued_ms u64,
 * lifetime u32, age_add u32, ems u8, flags u8, sni_hash[32], secret<1>, group u16,
 * peer_sigalg u16, peer_leaf<0..2^16-1>.
 *
 * A session is bound to the server name it was made for (RFC 6066 s.3, RFC 8446 s.4.6.1)
 * and records whether the client authenticated, so a server that requires client
 * certificates never resumes a session that had none (nor one from a laxer config that
 * shares the ticket key). It also carries the client's leaf certificate and signature
 * scheme, so a resumed connection reports who it is with (issue 16 item 5): only the leaf,
 * to keep tickets small (its size is the ticket's growth).
 */
#include "handshake/handshake.h"

#include <string.h>

#include "mem.h"

#define STATE_FORMAT 3
#define STATE_FIXED (1 + 1 + 2 + 8 + 4 + 4 + 1 + 1 + 32 + 1 + CRYPTO_HASH_MAX + 2 + 2 + 2)
#define SEAL_OVERHEAD (CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN)

void session_binding(const tlsm_conn *c, uint8_t *flags, uint8_t sni_hash[32])
{
    /* A resumed connection keeps what the original one established. */
    *flags = c->peer_cert_n > 0 || (c->resumed && (c->resumed_flags & SESSION_CLIENT_AUTH))
                 ? SESSION_CLIENT_AUTH : 0;
    crypto_hash(HASH_SHA256, (const uint8_t *)c->server_name, strlen(c->server_name), sni_hash);
}

int session_binding_ok(const tlsm_conn *c, uint8_t flags, const uint8_t sni_hash[32])
{
    uint8_t now_flags, now_hash[32];
    session_binding(c, &now_flags, now_hash);
    if (memcmp(now_hash, sni_hash, 32))
        return 0;
    return c->cfg->client_auth != 2 || (flags & SESSION_CLIENT_AUTH);
}

/* ------------------------------------------------------------------ the state */

void srv_session_of(const tlsm_conn *c, int kind, const uint8_t *secret, size_t secret_len,
                    srv_session *s)
{
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->suite = c->suite;
    s->issued_ms = config_now_ms(c->cfg);
    s->lifetime = c->cfg->ticket_lifetime;
    s->ems = kind == SRV_SESSION_TLS12 && c->hs && c->hs->t12.ems;
    session_binding(c, &s->flags, s->sni_hash);
    memcpy(s->secret, secret, secret_len);
    s->secret_len = secret_len;
    s->group = c->group;
    s->peer_sigalg = c->peer_sigalg;
    size_t leaf_len = 0;
    s->peer_leaf = tlsm_conn_peer_cert(c, 0, &leaf_len);
    s->peer_leaf_len = leaf_len;
}

int srv_session_encode(const srv_session *s, uint8_t **out, size_t *out_len)
{
    size_t cap = STATE_FIXED + s->peer_leaf_len;
    uint8_t *p = mem_alloc(cap);
    if (!p)
        return FAIL(R_NOMEM);
    wire_writer w;
    wire_writer_init(&w, p, cap);
    wire_put_u8(&w, STATE_FORMAT);
    wire_put_u8(&w, s->kind);
    wire_put_u16(&w, s->suite);
    wire_put_u64(&w, s->issued_ms);
    wire_put_u32(&w, s->lifetime);
    wire_put_u32(&w, s->age_add);
    wire_put_u8(&w, s->ems);
    wire_put_u8(&w, s->flags);
    wire_put_bytes(&w, s->sni_hash, sizeof s->sni_hash);
    wire_put_block(&w, 1, s->secret, s->secret_len);
    wire_put_u16(&w, s->group);
    wire_put_u16(&w, s->peer_sigalg);
    wire_put_block(&w, 2, s->peer_leaf, s->peer_leaf_len);
    if (w.err) {
        crypto_wipe(p, cap);
        mem_free(p);
        return FAIL(R_TICKET_SEAL);
    }
    *out = p;
    *out_len = w.len;
    return 0;
}

int srv_session_decode(const uint8_t *p, size_t len, srv_session *s)
{
    wire_reader r, secret, leaf;
    memset(s, 0, sizeof *s);
    wire_init(&r, p, len);
    uint8_t format = wire_u8(&r);
    s->kind = wire_u8(&r);
    s->suite = wire_u16(&r);
    s->issued_ms = wire_u64(&r);
    s->lifetime = wire_u32(&r);
    s->age_add = wire_u32(&r);
    s->ems = wire_u8(&r);
    s->flags = wire_u8(&r);
    wire_copy(&r, s->sni_hash, sizeof s->sni_hash);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &secret);
    s->group = wire_u16(&r);
    s->peer_sigalg = wire_u16(&r);
    wire_block(&r, 2, 0, 0xffff, &leaf);
    if (wire_end(&r) || format != STATE_FORMAT ||
        (s->kind != SRV_SESSION_TLS13 && s->kind != SRV_SESSION_TLS12)) {
        crypto_wipe(s, sizeof *s);
        return -1;
    }
    memcpy(s->secret, secret.p, secret.len);
    s->secret_len = secret.len;
    s->peer_leaf = leaf.len ? leaf.p : NULL;
    s->peer_leaf_len = leaf.len;
    return 0;
}

int srv_session_fresh(const tlsm_conn *c, const srv_session *s)
{
    /* RFC 8446 s.4.6.1, RFC 5077 s.4: a ticket is valid for its lifetime only (s.4.6.1: "A
     * server MAY treat a ticket as valid for a shorter period of time than what is stated
     * in the ticket_lifetime."). */
    uint64_t now = config_now_ms(c->cfg);
    return now >= s->issued_ms && now - s->issued_ms < (uint64_t)s->lifetime * 1000;
}

int srv_session_restore(tlsm_conn *c, const srv_session *s)
{
    c->resumed_flags = s->flags;
    c->peer_sigalg = s->peer_sigalg;
    if (s->kind == SRV_SESSION_TLS12)
        c->group = s->group; /* no key exchange now: the original one's */
    if (!s->peer_leaf_len)
        return 0;
    const uint8_t *der = s->peer_leaf;
    size_t len = s->peer_leaf_len;
    mem_free(c->peer_chain);
    c->peer_chain = mem_alloc(3 + len);
    c->peer_chain_len = c->peer_cert_n = 0;
    if (!c->peer_chain)
        return FAIL(R_NOMEM);
    c->peer_chain[0] = (uint8_t)(len >> 16);
    c->peer_chain[1] = (uint8_t)(len >> 8);
    c->peer_chain[2] = (uint8_t)len;
    memcpy(c->peer_chain + 3, der, len);
    c->peer_chain_len = 3 + len;
    c->peer_cert_n = 1;
    return 0;
}

/* ------------------------------------------------------------------ sealing */

int srv_session_sealable(const srv_session *s)
{
    /* Tickets are opaque<1..2^16-1> in both versions (RFC 8446 s.4.6.1, RFC 5077 s.3.3). */
    return STATE_FIXED + s->peer_leaf_len + SEAL_OVERHEAD <= 0xffff;
}

int ticket_seal(tlsm_conn *c, const srv_session *s, uint8_t **out, size_t *out_len)
{
    uint8_t *plain = NULL, key[32];
    size_t len = 0;
    int rc = srv_session_encode(s, &plain, &len);
    if (rc)
        return rc;
    uint8_t *t = mem_alloc(len + SEAL_OVERHEAD);
    crypto_aead_ctx aead;
    config_ticket_keys(c->cfg, key, NULL);
    if (!t)
        rc = FAIL(R_NOMEM);
    else if (crypto_random(&c->cfg->rng, t, CRYPTO_AEAD_NONCE_LEN))
        rc = FAIL(R_RNG);
    else if (crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, key))
        rc = FAIL(R_TICKET_SEAL);
    crypto_wipe(key, sizeof key);
    if (!rc) {
        crypto_aead_seal(&aead, t, NULL, 0, plain, len, t + CRYPTO_AEAD_NONCE_LEN);
        crypto_aead_wipe(&aead);
        *out = t;
        *out_len = len + SEAL_OVERHEAD;
    } else {
        mem_free(t);
    }
    crypto_wipe(plain, len);
    mem_free(plain);
    return rc;
}

int ticket_open(tlsm_conn *c, const uint8_t *ticket, size_t len, srv_session *s)
{
    uint8_t keys[2][32];
    memset(s, 0, sizeof *s);
    if (len < SEAL_OVERHEAD)
        return -1;
    size_t plain_len = len - SEAL_OVERHEAD;
    uint8_t *p = mem_alloc(plain_len ? plain_len : 1);
    if (!p)
        return -1;
    int n_keys = config_ticket_keys(c->cfg, keys[0], keys[1]);
    int rc = -1;
    for (int k = 0; k < n_keys && rc; k++) {
        crypto_aead_ctx aead;
        if (crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, keys[k]))
            continue;
        rc = crypto_aead_open(&aead, ticket, NULL, 0, ticket + CRYPTO_AEAD_NONCE_LEN,
                              len - CRYPTO_AEAD_NONCE_LEN, p);
        crypto_aead_wipe(&aead);
    }
    crypto_wipe(keys, sizeof keys);
    if (rc == 0)
        rc = srv_session_decode(p, plain_len, s);
    if (rc) {
        crypto_wipe(p, plain_len);
        mem_free(p);
        return -1;
    }
    s->store = p; /* s->peer_leaf points into it */
    s->store_len = plain_len;
    return 0;
}

void srv_session_release(srv_session *s)
{
    if (s->store) {
        crypto_wipe(s->store, s->store_len);
        mem_free(s->store);
    }
    crypto_wipe(s, sizeof *s);
}

/* ------------------------------------------------------------------ the session cache */

int srv_session_cached(tlsm_conn *c, const uint8_t *sid, size_t sid_len, srv_session *s)
{
    uint8_t *state = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    if (cache_get(c->cfg, sid, sid_len, config_now_ms(c->cfg), &state, &len))
        return -1;
    if (srv_session_decode(state, len, s)) {
        crypto_wipe(state, len);
        mem_free(state);
        return -1;
    }
    s->store = state;
    s->store_len = len;
    return 0;
}

void srv_session_cache(tlsm_conn *c, const uint8_t *sid, size_t sid_len, const srv_session *s)
{
    uint8_t *state = NULL;
    size_t len = 0;
    if (srv_session_encode(s, &state, &len))
        return; /* not cached: the session is simply not resumable by id */
    cache_put(c->cfg, sid, sid_len, config_now_ms(c->cfg), state, len);
    crypto_wipe(state, len);
    mem_free(state);
}
