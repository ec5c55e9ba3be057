/*
 * record12.c - TLS 1.2 AEAD record protection (RFC 5246 s.6.2.3.3) for AES-GCM (RFC 5288)
 * and ChaCha20-Poly1305 (RFC 7905), on one whole record, in place.
 *
 * A protected TLS 1.2 record on the wire is
 *     header(5) = type 0x03 0x03 length(2)           -- type is the real content type
 *     [nonce_explicit(8)]                              -- AES-GCM only
 *     AEAD(content) || tag(16)
 * with additional_data = seq_num(8) || type(1) || version(2) || content length(2)
 * (s.6.2.3.3). The nonce is
 *     AES-GCM:            salt(4) || nonce_explicit(8)      (RFC 5288 s.3)
 *     ChaCha20-Poly1305:  iv(12) XOR (0(4) || seq_num(8))   (RFC 7905 s.2)
 * We send the sequence number as nonce_explicit, as GnuTLS does: it never repeats under
 * one key, which is what RFC 5288 s.3 requires, and it leaks nothing new. (OpenSSL 3.0
 * starts from a random value and counts up, which is equally valid.) A receiver must
 * therefore take the explicit nonce from the record, whatever the peer chose; the
 * sequence number still binds the record's position through the additional data.
 *
 * The cipher state is the record_cipher of record.c with nonce_style saying which nonce
 * form applies; for AES-GCM iv holds salt || 8 zero bytes. Nothing here allocates.
 */
#include "record/record.h"

#include "reason.h"

#include <string.h>

/* RFC 5246 s.6.1: "Sequence numbers are of type uint64 and may not exceed 2^64-1." and
 * "If a TLS implementation would need to wrap a sequence number, it must renegotiate
 * instead." We never renegotiate, so the connection must end before that. As in record.c,
 * UINT64_MAX itself is kept unused so that the counter keeps saying "exhausted". */
#define SEQ_EXHAUSTED UINT64_MAX

/* s.6.2.3.3: seq_num(8) + TLSCompressed.type(1) + TLSCompressed.version(2) +
 * TLSCompressed.length(2). */
#define AAD12_LEN 13

static size_t explicit_len_of(record_nonce_style style)
{
    return style == REC_NONCE_TLS12_EXPLICIT ? REC12_EXPLICIT_NONCE_LEN : 0;
}

static int is_tls12(const record_cipher *c)
{
    return c->active && (c->nonce_style == REC_NONCE_TLS12_EXPLICIT ||
                         c->nonce_style == REC_NONCE_TLS12_XOR);
}

static void put_u64(uint8_t out[8], uint64_t v)
{
    for (size_t i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

int record_cipher_init12(record_cipher *c, aead_alg alg, const uint8_t *key, const uint8_t *iv)
{
    record_nonce_style style;
    size_t iv_len;

    switch (alg) {
    case AEAD_AES128_GCM:
    case AEAD_AES256_GCM:
        /* RFC 5288 s.3: "The salt is the "implicit" part of the nonce and is not sent in
         * the packet"; it is the 4-byte client_write_IV or server_write_IV. */
        style = REC_NONCE_TLS12_EXPLICIT;
        iv_len = REC12_SALT_LEN;
        break;
    case AEAD_CHACHA20_POLY1305:
        /* RFC 7905 s.2: fixed_iv_length is 12. */
        style = REC_NONCE_TLS12_XOR;
        iv_len = CRYPTO_AEAD_NONCE_LEN;
        break;
    default:
        record_cipher_wipe(c);
        return -1;
    }
    int rc = record_cipher_key(c, alg, key);
    if (rc)
        return rc;
    memcpy(c->iv, iv, iv_len);
    c->nonce_style = style;
    c->active = 1;
    return 0;
}

size_t record12_content_offset(aead_alg alg)
{
    switch (alg) {
    case AEAD_AES128_GCM:
    case AEAD_AES256_GCM:
        return REC_HEADER_LEN + REC12_EXPLICIT_NONCE_LEN;
    case AEAD_CHACHA20_POLY1305:
        return REC_HEADER_LEN;
    }
    return 0;
}

size_t record12_sealed_len(aead_alg alg, size_t len)
{
    size_t offset = record12_content_offset(alg);
    if (offset == 0 || len > REC_MAX_PLAINTEXT)
        return 0;
    return offset + len + CRYPTO_AEAD_TAG_LEN;
}

/* The 12-byte AEAD nonce. For AES-GCM, explicit is the 8 bytes carried in the record
 * (RFC 5288 s.3: "struct { opaque salt[4]; opaque nonce_explicit[8]; } GCMNonce;"); for
 * ChaCha20-Poly1305 it is unused and the nonce is formed as RFC 7905 s.2 says: "The 64-bit
 * record sequence number is serialized as an 8-byte, big-endian value and padded on the
 * left with four 0x00 bytes", then "XORed with the client_write_IV ... or
 * server_write_IV". */
static void record12_nonce(const record_cipher *c, const uint8_t *explicit_nonce,
                           uint8_t nonce[CRYPTO_AEAD_NONCE_LEN])
{
    if (c->nonce_style == REC_NONCE_TLS12_EXPLICIT) {
        memcpy(nonce, c->iv, REC12_SALT_LEN);
        memcpy(nonce + REC12_SALT_LEN, explicit_nonce, REC12_EXPLICIT_NONCE_LEN);
        return;
    }
    memcpy(nonce, c->iv, CRYPTO_AEAD_NONCE_LEN);
    for (size_t i = 0; i < 8; i++)
        nonce[CRYPTO_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* s.6.2.3.3: "additional_data = seq_num + TLSCompressed.type + TLSCompressed.version +
 * TLSCompressed.length;" where the length is that of the plaintext (the AEAD input). */
static void record12_aad(uint64_t seq, uint8_t type, uint8_t version_major,
                         uint8_t version_minor, size_t plain_len, uint8_t aad[AAD12_LEN])
{
    put_u64(aad, seq);
    aad[8] = type;
    aad[9] = version_major;
    aad[10] = version_minor;
    aad[11] = (uint8_t)(plain_len >> 8);
    aad[12] = (uint8_t)plain_len;
}

int record12_seal(record_cipher *c, uint8_t type, const uint8_t *content, size_t len,
                  uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], aad[AAD12_LEN];

    if (!is_tls12(c) || c->seq == SEQ_EXHAUSTED)
        return -1;
    /* s.6.2.1: TLSPlaintext.length "MUST NOT exceed 2^14". */
    if (len > REC_MAX_PLAINTEXT)
        return -1;
    size_t explicit_len = explicit_len_of(c->nonce_style);
    size_t offset = REC_HEADER_LEN + explicit_len;
    size_t total = offset + len + CRYPTO_AEAD_TAG_LEN;
    if (cap < total)
        return -1;

    /* Content first: it may overlap the header or explicit nonce about to be written. */
    uint8_t *body = out + offset;
    if (len && content != body)
        memmove(body, content, len);

    size_t fragment_len = total - REC_HEADER_LEN;
    out[0] = type;
    out[1] = 0x03;
    out[2] = 0x03;
    out[3] = (uint8_t)(fragment_len >> 8);
    out[4] = (uint8_t)fragment_len;
    /* RFC 5288 s.3: "Each value of the nonce_explicit MUST be distinct for each distinct
     * invocation of the GCM encrypt function for any fixed key." The sequence number is
     * distinct per record under one key and never wraps (checked above). */
    if (explicit_len)
        put_u64(out + REC_HEADER_LEN, c->seq);

    record12_nonce(c, out + REC_HEADER_LEN, nonce);
    record12_aad(c->seq, type, 0x03, 0x03, len, aad);
    crypto_aead_seal(c->aead, nonce, aad, sizeof aad, body, len, body);
    c->seq++;
    *out_len = total;
    return 0;
}

int record12_open(record_cipher *c, uint8_t *rec, size_t len, size_t plaintext_limit,
                  uint8_t **content, size_t *content_len)
{
    uint8_t nonce[CRYPTO_AEAD_NONCE_LEN], aad[AAD12_LEN];

    if (!is_tls12(c))
        return FAIL(R_REC_CIPHER_STATE);
    /* The caller frames records by the header's length; anything else is its bug, and the
     * length would otherwise go unauthenticated. */
    if ((size_t)(rec[3] << 8 | rec[4]) != len)
        return FAIL(R_REC_CIPHER_STATE);
    /* s.6.2.3: TLSCiphertext.length "MUST NOT exceed 2^14 + 2048"; s.7.2.2:
     * record_overflow "A TLSCiphertext record was received that had a length more than
     * 2^14+2048 bytes". */
    if (len > REC_MAX_CIPHERTEXT_12)
        return FAIL(R_REC_TOO_LONG);
    /* A body too short to hold the explicit nonce and the tag cannot be authenticated.
     * It is reported as bad_record_mac like any other record that fails to deprotect,
     * never as a distinct alert: the peer learns nothing from the difference. */
    size_t explicit_len = explicit_len_of(c->nonce_style);
    if (len < explicit_len + CRYPTO_AEAD_TAG_LEN)
        return FAIL(R_REC_SHORTER_THAN_TAG);
    /* s.6.2.1 / s.6.2.2 with no compression: the plaintext is at most 2^14, or the
     * record_size_limit we announced (RFC 8449 s.4: "In TLS 1.2 and earlier, the limit
     * covers all input to compression and encryption"); s.7.2.2 names record_overflow for
     * a record that decrypts to more. The length is public, so this is checked first. */
    if (plaintext_limit > REC_MAX_PLAINTEXT)
        plaintext_limit = REC_MAX_PLAINTEXT;
    size_t plain_len = len - explicit_len - CRYPTO_AEAD_TAG_LEN;
    if (plain_len > plaintext_limit)
        return FAIL(R_REC_DECRYPTED_TOO_LONG);
    /* s.6.1: a peer that would wrap its sequence number must have stopped; a record past
     * the last number has no additional data of its own, so it cannot be deprotected. */
    if (c->seq == SEQ_EXHAUSTED)
        return FAIL(R_REC_SEQ_EXHAUSTED);

    uint8_t *body = rec + REC_HEADER_LEN + explicit_len;
    record12_nonce(c, rec + REC_HEADER_LEN, nonce);
    /* The type and version are authenticated exactly as received (s.6.2.3.3). */
    record12_aad(c->seq, rec[0], rec[1], rec[2], plain_len, aad);
    /* s.6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST be
     * generated." */
    if (crypto_aead_open(c->aead, nonce, aad, sizeof aad, body, plain_len + CRYPTO_AEAD_TAG_LEN,
                         body) != 0)
        return FAIL(R_REC_BAD_MAC);
    c->seq++;
    *content = body;
    *content_len = plain_len;
    return 0;
}
