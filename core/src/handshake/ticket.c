/*
 * ticket.c - server session tickets (RFC 8446 s.4.6.1). The server keeps no session
 * cache: a ticket is the resumption state sealed with the config's ticket key
 * (ChaCha20-Poly1305, random 96-bit nonce): nonce || AEAD(version, suite, issue time,
 * age_add, lifetime, psk). Only the server that holds the key can read or forge one.
 */
#include "handshake/handshake.h"

#include <string.h>

#define TICKET_FORMAT 1
#define TICKET_PLAIN_MAX (1 + 2 + 8 + 4 + 4 + 1 + CRYPTO_HASH_MAX)

int ticket_seal(tlsm_conn *c, const uint8_t *psk, size_t psk_len, uint32_t age_add,
                uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t plain[TICKET_PLAIN_MAX];
    wire_writer w;
    wire_writer_init(&w, plain, sizeof plain);
    wire_put_u8(&w, TICKET_FORMAT);
    wire_put_u16(&w, c->suite);
    wire_put_u64(&w, conn_now_ms(c));
    wire_put_u32(&w, age_add);
    wire_put_u32(&w, c->cfg->ticket_lifetime);
    wire_put_block(&w, 1, psk, psk_len);
    size_t need = CRYPTO_AEAD_NONCE_LEN + w.len + CRYPTO_AEAD_TAG_LEN;
    if (w.err || need > cap || crypto_random(&c->cfg->rng, out, CRYPTO_AEAD_NONCE_LEN)) {
        crypto_wipe(plain, sizeof plain);
        return -1;
    }
    crypto_aead_ctx aead;
    crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, c->cfg->ticket_key);
    crypto_aead_seal(&aead, out, NULL, 0, plain, w.len, out + CRYPTO_AEAD_NONCE_LEN);
    crypto_aead_wipe(&aead);
    crypto_wipe(plain, sizeof plain);
    *out_len = need;
    return 0;
}

int ticket_open(tlsm_conn *c, const uint8_t *ticket, size_t len, uint32_t obfuscated_age,
                uint16_t *suite, uint8_t *psk, size_t *psk_len)
{
    uint8_t plain[TICKET_PLAIN_MAX];
    if (len < CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN ||
        len - CRYPTO_AEAD_NONCE_LEN - CRYPTO_AEAD_TAG_LEN > sizeof plain)
        return -1;
    size_t plain_len = len - CRYPTO_AEAD_NONCE_LEN - CRYPTO_AEAD_TAG_LEN;
    crypto_aead_ctx aead;
    crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, c->cfg->ticket_key);
    int rc = crypto_aead_open(&aead, ticket, NULL, 0, ticket + CRYPTO_AEAD_NONCE_LEN,
                              len - CRYPTO_AEAD_NONCE_LEN, plain);
    crypto_aead_wipe(&aead);
    if (rc)
        return -1;
    wire_reader r, p;
    wire_init(&r, plain, plain_len);
    uint8_t format = wire_u8(&r);
    *suite = wire_u16(&r);
    uint64_t issued = wire_u64(&r);
    uint32_t age_add = wire_u32(&r);
    uint32_t lifetime = wire_u32(&r);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &p);
    rc = -1;
    uint64_t now = conn_now_ms(c);
    /* The ticket must be within its lifetime (s.4.6.1). The client's view of the age
     * (obfuscated_age - age_add) must roughly agree with ours: allow 10 s of skew. */
    uint32_t client_age = obfuscated_age - age_add;
    if (!wire_end(&r) && format == TICKET_FORMAT && now >= issued &&
        now - issued < (uint64_t)lifetime * 1000 &&
        (uint64_t)client_age <= now - issued + 10000 && (uint64_t)client_age + 10000 >= now - issued) {
        memcpy(psk, p.p, p.len);
        *psk_len = p.len;
        rc = 0;
    }
    crypto_wipe(plain, sizeof plain);
    return rc;
}
