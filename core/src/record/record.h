/*
 * record.h - TLS record protection (RFC 8446 s.5): the per-direction cipher state, the
 * per-record nonce (static IV XOR sequence number), the inner plaintext with its content
 * type and padding, and the size limits. Framing of the byte stream (collecting a whole
 * record from what the host feeds) is done by the connection; these functions work on one
 * complete record at a time, in place.
 *
 * TLS 1.2 AEAD protection (RFC 5246 s.6.2.3.3, RFC 5288, RFC 7905) uses the same
 * record_cipher, set up by record_cipher_init12 and driven by record12_seal / record12_open
 * (implemented in record12.c). A cipher belongs to one version: the record12_* functions
 * refuse a cipher set up by record_cipher_init, and record_seal / record_open must only be
 * given ciphers set up by record_cipher_init.
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

/* How a cipher forms its per-record nonce. The zero value is TLS 1.3, so a record_cipher
 * set up by record_cipher_init (which zeroes the struct) is a TLS 1.3 cipher. */
typedef enum {
    REC_NONCE_TLS13 = 0,        /* iv XOR seq, RFC 8446 s.5.3 */
    REC_NONCE_TLS12_EXPLICIT,   /* AES-GCM: salt(4) || explicit(8) sent in the record,
                                   RFC 5288 s.3; iv holds the salt then 8 zero bytes */
    REC_NONCE_TLS12_XOR         /* ChaCha20-Poly1305: iv XOR seq, RFC 7905 s.2 */
} record_nonce_style;

/* One direction's protection. The AEAD state is allocated to the size the algorithm needs
 * (crypto_aead_ctx_size: 4.4 KB of AES key schedule and GHASH table for AES-GCM, the bare
 * key for ChaCha20-Poly1305), so a connection holds no more than its ciphers use. A copy
 * of the struct shares that state (the per-record AEAD state is set up anew for every
 * record, so a copy may seal or open with its own sequence number); only the original is
 * wiped with record_cipher_wipe. */
typedef struct {
    crypto_aead_ctx *aead;  /* owned, NULL until a key is installed */
    size_t aead_size;       /* bytes allocated at aead */
    aead_alg alg;
    uint8_t iv[CRYPTO_AEAD_NONCE_LEN];
    uint64_t seq;
    int active;
    record_nonce_style nonce_style;
} record_cipher;

/* Installs key and iv (the traffic key and iv derived by the key schedule); seq = 0.
 * c must be zeroed or hold a cipher installed before, whose AEAD state is reused when it
 * has the size alg needs and freed otherwise. Returns 0, FAIL(R_NOMEM), or -1 when the
 * algorithm is unknown or the AEAD refuses the key (c is then wiped). */
int record_cipher_init(record_cipher *c, aead_alg alg, const uint8_t *key, const uint8_t *iv);
/* Wipes and frees the AEAD state and wipes the struct (a zeroed struct is left). */
void record_cipher_wipe(record_cipher *c);
/* The part both versions' inits share: c's fields cleared, the AEAD state (re)allocated
 * and keyed, c->alg set; the caller sets iv, nonce style and active. Same returns. */
int record_cipher_key(record_cipher *c, aead_alg alg, const uint8_t *key);

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
 * plaintext inside rec. Returns 0 or FAIL(reason) (reason.h; the alert each sends):
 *   R_REC_BAD_MAC            the AEAD check failed (bad_record_mac)
 *   R_REC_SHORTER_THAN_TAG   the body is shorter than the tag (bad_record_mac)
 *   R_REC_SEQ_EXHAUSTED      the sequence number is exhausted, 2^64 - 1 records (bad_record_mac)
 *   R_REC_TOO_LONG           ciphertext > 2^14 + 256 (record_overflow)
 *   R_REC_DECRYPTED_TOO_LONG plaintext > limit + 1 (record_overflow)
 *   R_REC_NO_CONTENT_TYPE    all-zero inner plaintext (unexpected_message)
 *   R_REC_CIPHER_STATE       the cipher is not initialised (internal_error)
 * The sequence number advances exactly when the AEAD check succeeds.
 * plaintext_limit is the largest content we accept (2^14, or the record_size_limit we sent
 * minus one, RFC 8449 s.4); a larger value is treated as 2^14. */
int record_open(record_cipher *c, uint8_t *rec, size_t len, size_t plaintext_limit,
                uint8_t *type, uint8_t **content, size_t *content_len);

/* ------------------------------------------------------------------ TLS 1.2 (record12.c) */

#define REC12_EXPLICIT_NONCE_LEN 8                /* AES-GCM nonce_explicit, RFC 5288 s.3 */
#define REC12_SALT_LEN 4                          /* AES-GCM implicit salt (fixed_iv_length) */
#define REC_MAX_CIPHERTEXT_12 (16384 + 2048)      /* TLSCiphertext.length bound, RFC 5246 s.6.2.3 */

/* Installs a TLS 1.2 write or read key from the key_block (RFC 5246 s.6.3): key is
 * crypto_aead_key_len(alg) bytes; iv is the client/server_write_IV, 4 bytes (the salt) for
 * AES-GCM and 12 bytes for ChaCha20-Poly1305. seq = 0. Same contract on c and the same
 * returns as record_cipher_init (-1 also for an unknown alg). */
int record_cipher_init12(record_cipher *c, aead_alg alg, const uint8_t *key, const uint8_t *iv);

/* Where record12_seal expects content for in-place sealing: REC_HEADER_LEN plus the
 * explicit nonce (5 + 8 = 13 for AES-GCM, 5 for ChaCha20-Poly1305); 0 for an unknown alg. */
size_t record12_content_offset(aead_alg alg);

/* Length of the protected TLS 1.2 record (header included) for len bytes of content:
 * 5 + 8 + len + 16 for AES-GCM, 5 + len + 16 for ChaCha20-Poly1305. Returns 0 if alg is
 * unknown or len > 2^14 (no such record exists). */
size_t record12_sealed_len(aead_alg alg, size_t len);

/* Writes a whole TLS 1.2 record into out: header (type, 0x03 0x03, length), for AES-GCM
 * the 8-byte explicit nonce (the sequence number), then AEAD(content) || tag. Uses and
 * increments the sequence number. content may already lie at
 * out + record12_content_offset(alg) (in place, no copy); anywhere else, including
 * overlapping out, it is moved there first. Fails with -1, writing nothing and using no
 * sequence number, if the cipher is not a TLS 1.2 cipher, len > 2^14, cap is too small,
 * or the sequence number is exhausted (2^64 - 1 records: the caller must close before). */
int record12_seal(record_cipher *c, uint8_t type, const uint8_t *content, size_t len,
                  uint8_t *out, size_t cap, size_t *out_len);

/* Decrypts one TLS 1.2 record in place. rec points at the 5-byte header followed by `len`
 * body bytes; the header's length field must equal len. The content type is the header's
 * rec[0] (TLS 1.2 has no inner type); the header's type and version bytes are
 * authenticated as received. On success *content / *content_len is the plaintext inside
 * rec, at rec + record12_content_offset(alg). Returns 0 or FAIL(reason):
 *   R_REC_TOO_LONG           len > 2^14 + 2048 (record_overflow)
 *   R_REC_DECRYPTED_TOO_LONG plaintext > plaintext_limit (record_overflow)
 *   R_REC_BAD_MAC            the AEAD check failed (bad_record_mac)
 *   R_REC_SHORTER_THAN_TAG   the body is shorter than explicit nonce + tag (bad_record_mac)
 *   R_REC_SEQ_EXHAUSTED      the sequence number is exhausted (bad_record_mac)
 *   R_REC_CIPHER_STATE       not a TLS 1.2 cipher, or header length != len (internal_error)
 * The sequence number advances exactly when the AEAD check succeeds; when it fails the
 * plaintext area is wiped (a refusal by length leaves rec untouched). plaintext_limit is the largest content accepted (2^14, or the
 * record_size_limit we sent, RFC 8449 s.4: in TLS 1.2 it bounds the plaintext itself); a
 * larger value is treated as 2^14. */
int record12_open(record_cipher *c, uint8_t *rec, size_t len, size_t plaintext_limit,
                  uint8_t **content, size_t *content_len);

#endif
