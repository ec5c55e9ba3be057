/*
 * record.h - TLS record protection (RFC 8446 s.5): the per-direction cipher state, the
 * per-record nonce (static IV XOR sequence number), the inner plaintext with its content
 * type and padding, and the size limits. Framing of the byte stream (collecting a whole
 * record from what the host feeds) is done by the connection; these functions work on one
 * complete record at a time, in place.
 */
#ifndef TLSM_RECORD_H
#define TLSM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define REC_HEADER_LEN 5
#define REC_MAX_PLAINTEXT 16384                 /* 2^14, RFC 8446 s.5.1 */
#define REC_MAX_CIPHERTEXT_13 (16384 + 256)     /* TLSCiphertext.length bound, s.5.2 */

enum {
    REC_CHANGE_CIPHER_SPEC = 20,
    REC_ALERT = 21,
    REC_HANDSHAKE = 22,
    REC_APPLICATION_DATA = 23
};

typedef struct {
    crypto_aead_ctx aead;
    uint8_t iv[CRYPTO_AEAD_NONCE_LEN];
    uint64_t seq;
    int active;
} record_cipher;

/* Installs key and iv (the traffic key and iv derived by the key schedule); seq = 0. */
int record_cipher_init(record_cipher *c, aead_alg alg, const uint8_t *key, const uint8_t *iv);
void record_cipher_wipe(record_cipher *c);

/* Length of the protected record (header included) for len bytes of content plus pad
 * bytes of zero padding. */
size_t record_sealed_len(size_t len, size_t pad);

/* Writes a whole TLS 1.3 record into out (header 0x17 0x0303 length, then AEAD of
 * content || type || zeros(pad)), using and incrementing the sequence number.
 * content may lie inside out at offset REC_HEADER_LEN (in-place). Fails with
 * -1 if the cipher is not initialised, type is 0, cap is too small, len + 1 + pad > 2^14 + 1,
 * or the sequence number is exhausted (2^64 - 1 records: the caller must update keys or
 * close before that). */
int record_seal(record_cipher *c, uint8_t type, const uint8_t *content, size_t len, size_t pad,
                uint8_t *out, size_t cap, size_t *out_len);

/* Decrypts one record in place. rec points at the 5-byte header followed by `len` body
 * bytes. On success *type is the inner content type and *content / *content_len the
 * plaintext inside rec. Returns 0 or a TLS alert as a negative number:
 *   -TLSM_ALERT_BAD_RECORD_MAC   the AEAD check failed, the body is shorter than the tag,
 *                                or the sequence number is exhausted (2^64 - 1 records)
 *   -TLSM_ALERT_RECORD_OVERFLOW  ciphertext > 2^14 + 256 or plaintext > limit + 1
 *   -TLSM_ALERT_UNEXPECTED_MESSAGE  all-zero inner plaintext (no content type)
 *   -TLSM_ALERT_INTERNAL_ERROR   the cipher is not initialised
 * The sequence number advances exactly when the AEAD check succeeds.
 * plaintext_limit is the largest content we accept (2^14, or the record_size_limit we sent
 * minus one, RFC 8449 s.4); a larger value is treated as 2^14. */
int record_open(record_cipher *c, uint8_t *rec, size_t len, size_t plaintext_limit,
                uint8_t *type, uint8_t **content, size_t *content_len);

#endif
