/*
 * ticket.c - session tickets for both versions (RFC 8446 s.4.6.1, RFC 5077). The server
 * keeps no per-ticket state: a ticket is the resumption state sealed with the config's
 * ticket key (ChaCha20-Poly1305, random 96-bit nonce): nonce || AEAD(state). Rotating the
 * key keeps the previous one for opening, so tickets issued just before a rotation still
 * resume. Only a server holding the key can read or forge a ticket.
 *
 * State formats (first byte):
 *   1  TLS 1.3: suite u16, issued_ms u64, age_add u32, lifetime u32, flags u8,
 *      sni_hash[32], psk<1>
 *   2  TLS 1.2: suite u16, issued_ms u64, lifetime u32, ems u8, flags u8, sni_hash[32],
 *      master[48]
 *
 * A session is bound to the server name it was made for (RFC 6066 s.3, RFC 8446 s.4.6.1)
 * and records whether the client authenticated, so a server that requires client
 * certificates never resumes a session that had none (nor one from a laxer config that
 * shares the ticket key).
 */
#include "handshake/handshake.h"

#include <string.h>

#define TICKET13 1
#define TICKET12 2
#define STATE_MAX (1 + 2 + 8 + 4 + 4 + 1 + 1 + 32 + 1 + CRYPTO_HASH_MAX)

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

static int seal(tlsm_conn *c, const uint8_t *plain, size_t len, uint8_t *out, size_t cap,
                size_t *out_len)
{
    uint8_t key[32];
    size_t need = CRYPTO_AEAD_NONCE_LEN + len + CRYPTO_AEAD_TAG_LEN;
    if (need > cap || crypto_random(&c->cfg->rng, out, CRYPTO_AEAD_NONCE_LEN))
        return -1;
    config_ticket_keys(c->cfg, key, NULL);
    crypto_aead_ctx aead;
    crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, key);
    crypto_aead_seal(&aead, out, NULL, 0, plain, len, out + CRYPTO_AEAD_NONCE_LEN);
    crypto_aead_wipe(&aead);
    crypto_wipe(key, sizeof key);
    *out_len = need;
    return 0;
}

/* Opens with the current key, then the previous one. Returns the state length or -1. */
static int open_ticket(tlsm_conn *c, const uint8_t *ticket, size_t len, uint8_t *plain)
{
    uint8_t keys[2][32];
    int n_keys;
    if (len < CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN ||
        len - CRYPTO_AEAD_NONCE_LEN - CRYPTO_AEAD_TAG_LEN > STATE_MAX)
        return -1;
    n_keys = config_ticket_keys(c->cfg, keys[0], keys[1]);
    int rc = -1;
    for (int k = 0; k < n_keys && rc; k++) {
        crypto_aead_ctx aead;
        crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, keys[k]);
        rc = crypto_aead_open(&aead, ticket, NULL, 0, ticket + CRYPTO_AEAD_NONCE_LEN,
                              len - CRYPTO_AEAD_NONCE_LEN, plain);
        crypto_aead_wipe(&aead);
    }
    crypto_wipe(keys, sizeof keys);
    return rc ? -1 : (int)(len - CRYPTO_AEAD_NONCE_LEN - CRYPTO_AEAD_TAG_LEN);
}

/* The ticket must be within its lifetime (RFC 8446 s.4.6.1, RFC 5077 s.4). */
static int fresh(tlsm_conn *c, uint64_t issued, uint32_t lifetime)
{
    uint64_t now = config_now_ms(c->cfg);
    return now >= issued && now - issued < (uint64_t)lifetime * 1000;
}

int ticket_seal(tlsm_conn *c, const uint8_t *psk, size_t psk_len, uint32_t age_add,
                uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t plain[STATE_MAX];
    wire_writer w;
    wire_writer_init(&w, plain, sizeof plain);
    wire_put_u8(&w, TICKET13);
    wire_put_u16(&w, c->suite);
    wire_put_u64(&w, config_now_ms(c->cfg));
    wire_put_u32(&w, age_add);
    wire_put_u32(&w, c->cfg->ticket_lifetime);
    uint8_t flags, sni_hash[32];
    session_binding(c, &flags, sni_hash);
    wire_put_u8(&w, flags);
    wire_put_bytes(&w, sni_hash, sizeof sni_hash);
    wire_put_block(&w, 1, psk, psk_len);
    int rc = w.err ? -1 : seal(c, plain, w.len, out, cap, out_len);
    crypto_wipe(plain, sizeof plain);
    return rc;
}

int ticket_open(tlsm_conn *c, const uint8_t *ticket, size_t len, uint32_t obfuscated_age,
                uint16_t *suite, uint8_t *psk, size_t *psk_len, uint8_t *session_flags)
{
    uint8_t plain[STATE_MAX];
    int n = open_ticket(c, ticket, len, plain);
    if (n < 0)
        return -1;
    wire_reader r, p;
    wire_init(&r, plain, (size_t)n);
    uint8_t format = wire_u8(&r);
    *suite = wire_u16(&r);
    uint64_t issued = wire_u64(&r);
    uint32_t age_add = wire_u32(&r);
    uint32_t lifetime = wire_u32(&r);
    uint8_t flags = wire_u8(&r), sni_hash[32];
    wire_copy(&r, sni_hash, sizeof sni_hash);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &p);
    int rc = -1;
    /* The client's view of the age (obfuscated_age - age_add) must roughly agree with
     * ours: allow 10 s of skew either way. */
    uint64_t age = config_now_ms(c->cfg) - issued;
    uint32_t client_age = obfuscated_age - age_add;
    if (!wire_end(&r) && format == TICKET13 && fresh(c, issued, lifetime) &&
        session_binding_ok(c, flags, sni_hash) &&
        (uint64_t)client_age <= age + 10000 && (uint64_t)client_age + 10000 >= age) {
        memcpy(psk, p.p, p.len);
        *psk_len = p.len;
        *session_flags = flags;
        rc = 0;
    }
    crypto_wipe(plain, sizeof plain);
    return rc;
}

int ticket12_seal(tlsm_conn *c, const tls12_session *st, uint8_t *out, size_t cap,
                  size_t *out_len)
{
    uint8_t plain[STATE_MAX];
    wire_writer w;
    wire_writer_init(&w, plain, sizeof plain);
    wire_put_u8(&w, TICKET12);
    wire_put_u16(&w, st->suite);
    wire_put_u64(&w, config_now_ms(c->cfg));
    wire_put_u32(&w, c->cfg->ticket_lifetime);
    wire_put_u8(&w, st->ems);
    wire_put_u8(&w, st->flags);
    wire_put_bytes(&w, st->sni_hash, sizeof st->sni_hash);
    wire_put_bytes(&w, st->master, sizeof st->master);
    int rc = w.err ? -1 : seal(c, plain, w.len, out, cap, out_len);
    crypto_wipe(plain, sizeof plain);
    return rc;
}

int ticket12_open(tlsm_conn *c, const uint8_t *ticket, size_t len, tls12_session *st)
{
    uint8_t plain[STATE_MAX];
    int n = open_ticket(c, ticket, len, plain);
    if (n < 0)
        return -1;
    wire_reader r;
    wire_init(&r, plain, (size_t)n);
    uint8_t format = wire_u8(&r);
    st->suite = wire_u16(&r);
    uint64_t issued = wire_u64(&r);
    uint32_t lifetime = wire_u32(&r);
    st->ems = wire_u8(&r);
    st->flags = wire_u8(&r);
    wire_copy(&r, st->sni_hash, sizeof st->sni_hash);
    wire_copy(&r, st->master, sizeof st->master);
    int ok = !wire_end(&r) && format == TICKET12 && fresh(c, issued, lifetime);
    crypto_wipe(plain, sizeof plain);
    return ok ? 0 : -1;
}
