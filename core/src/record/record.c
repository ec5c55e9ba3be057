/*
 * record.c - TLS 1.3 record protection (RFC 8446 s.5.2-5.5) on one whole record, in place.
 *
 * A protected record on the wire is
 *     header(5) = 0x17 0x03 0x03 length(2)      -- also the AEAD additional data (s.5.2)
 *     AEAD(content || type || zeros(pad)) || tag -- `length` bytes
 * and its nonce is the static IV XOR the 64-bit sequence number left-padded to the IV
 * length (s.5.3). The sequence number is per direction, starts at 0 for every new key and
 * counts records, so sealing and opening must advance it exactly once per success.
 *
 * Only installing a key allocates (the AEAD state, sized to the algorithm): record_seal
 * builds the record around content already placed at out + REC_HEADER_LEN (or copies it
 * there), record_open decrypts over the ciphertext.
 */
#include "record/record.h"

#include "mem.h"
#include "reason.h"

#include <string.h>

/* s.5.3: "If a TLS implementation would need to wrap a sequence number, it MUST either
 * rekey or terminate the connection." UINT64_MAX is kept unused so that after the last
 * usable number the counter still holds a value that says "exhausted" instead of 0. */
#define SEQ_EXHAUSTED UINT64_MAX

int record_cipher_key(record_cipher *c, aead_alg alg, const uint8_t *key)
{
    size_t size = crypto_aead_ctx_size(alg);
    if (c->aead && c->aead_size != size)
        record_cipher_wipe(c);
    crypto_aead_ctx *ctx = c->aead;
    size_t ctx_size = c->aead_size;
    /* Everything but the AEAD state goes; the state is overwritten by the new key. */
    crypto_wipe(c, sizeof *c);
    if (!size)
        return -1;
    if (ctx) {
        crypto_aead_wipe_size(ctx, ctx_size);
    } else if (!(ctx = mem_alloc(size))) {
        return FAIL(R_NOMEM);
    }
    c->aead = ctx;
    c->aead_size = size;
    if (crypto_aead_init(ctx, alg, key) != 0) {
        record_cipher_wipe(c);
        return -1;
    }
    c->alg = alg;
    return 0;
}

int record_cipher_init(record_cipher *c, aead_alg alg, const uint8_t *key, const uint8_t *iv)
{
    int rc = record_cipher_key(c, alg, key);
    if (rc)
        return rc;
    memcpy(c->iv, iv, sizeof c->iv);
    c->nonce_style = REC_NONCE_TLS13;
    c->active = 1;
    return 0;
}

void record_cipher_wipe(record_cipher *c)
{
    if (c->aead) {
        crypto_aead_wipe_size(c->aead, c->aead_size);
        mem_free(c->aead);
    }
    crypto_wipe(c, sizeof *c);
}

size_t record_sealed_len(size_t len, size_t pad)
{
    return REC_HEADER_LEN + len + 1 + pad + CRYPTO_AEAD_TAG_LEN;
}

/* s.5.3: the 64-bit record sequence number in network byte order, left-padded with zeros
 * to iv_length, XORed with the static IV. */
static void record_nonce(const record_cipher *c, uint8_t nonce[CRYPTO_AEAD_NONCE_LEN])
{
    memcpy(nonce, c->iv, CRYPTO_AEAD_NONCE_LEN);
    for (size_t i = 0; i < 8; i++)
        nonce[CRYPTO_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* s.5.2: additional_data = opaque_type || legacy_record_version || length, i.e. exactly the
 * header of the record, with opaque_type always application_data and the version 0x0303. */
static void record_header(uint8_t *out, size_t body_len)
{
    out[0] = REC_APPLICATION_DATA;
    out[1] = 0x03;
    out[2] = 0x03;
    out[3] = (uint8_t)(body_len >> 8);
    out[4] = (uint8_t)body_len;
}

int record_seal(record_cipher *c, uint8_t type, const uint8_t *content, size_t len, size_t pad,
                uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];

    if (!c->active || c->seq == SEQ_EXHAUSTED)
        return -1;
    /* A zero type would be read back as padding and the record as having no type (s.5.4). */
    if (type == 0)
        return -1;
    /* s.5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets"; written
     * so that no sum can wrap whatever len and pad are. */
    if (len > REC_MAX_PLAINTEXT || pad > REC_MAX_PLAINTEXT - len)
        return -1;
    size_t inner_len = len + 1 + pad;
    size_t total = record_sealed_len(len, pad);
    if (cap < total)
        return -1;

    uint8_t *body = out + REC_HEADER_LEN;
    if (len && content != body)
        memmove(body, content, len);
    body[len] = type;
    memset(body + len + 1, 0, pad);
    record_header(out, inner_len + CRYPTO_AEAD_TAG_LEN);

    record_nonce(c, nonce);
    crypto_aead_seal(c->aead, nonce, out, REC_HEADER_LEN, body, inner_len, body);
    c->seq++;
    *out_len = total;
    return 0;
}

int record_open(record_cipher *c, uint8_t *rec, size_t len, size_t plaintext_limit,
                uint8_t *type, uint8_t **content, size_t *content_len)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];

    if (!c->active)
        return FAIL(R_REC_CIPHER_STATE);
    /* s.5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint that receives a
     * record that exceeds this length MUST terminate the connection with a
     * record_overflow alert." */
    if (len > REC_MAX_CIPHERTEXT_13)
        return FAIL(R_REC_TOO_LONG);
    /* Too short to hold the tag: nothing can be authenticated (s.6.2 bad_record_mac: "a
     * record is received which cannot be deprotected"). */
    if (len < CRYPTO_AEAD_TAG_LEN)
        return FAIL(R_REC_SHORTER_THAN_TAG);
    size_t inner_len = len - CRYPTO_AEAD_TAG_LEN;
    /* s.5.3: a peer that would wrap its sequence number MUST have rekeyed or closed; a
     * record past the last number has no nonce of its own, so it cannot be deprotected. */
    if (c->seq == SEQ_EXHAUSTED)
        return FAIL(R_REC_SEQ_EXHAUSTED);

    uint8_t *body = rec + REC_HEADER_LEN;
    record_nonce(c, nonce);
    /* The header is authenticated exactly as received (s.5.2). */
    if (crypto_aead_open(c->aead, nonce, rec, REC_HEADER_LEN, body, len, body) != 0)
        return FAIL(R_REC_BAD_MAC);
    c->seq++;

    /* s.5.4: TLSInnerPlaintext (content, type and padding) MUST NOT exceed 2^14 + 1 octets,
     * and a reduced limit (RFC 8449 s.4) applies to the same full plaintext. It is checked
     * after authentication, so that any record within the s.5.2 bound that does not
     * authenticate gets bad_record_mac, as s.5.2 orders. */
    if (plaintext_limit > REC_MAX_PLAINTEXT)
        plaintext_limit = REC_MAX_PLAINTEXT;
    if (inner_len > plaintext_limit + 1)
        return FAIL(R_REC_DECRYPTED_TOO_LONG);

    /* s.5.4: the receiver "scans the field from the end toward the beginning until it
     * finds a non-zero octet"; that octet is the type. The time depends on the padding
     * length only, never on the content bytes. */
    size_t n = inner_len;
    while (n > 0 && body[n - 1] == 0)
        n--;
    /* s.5.4: "If a receiving implementation does not find a non-zero octet in the
     * cleartext, it MUST terminate the connection with an unexpected_message alert." */
    if (n == 0)
        return FAIL(R_REC_NO_CONTENT_TYPE);
    *type = body[n - 1];
    *content = body;
    *content_len = n - 1;
    return 0;
}
