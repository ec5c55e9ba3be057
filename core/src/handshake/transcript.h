/*
 * transcript.h - the handshake transcript hash (RFC 8446 s.4.4.1). Until the cipher suite
 * (and so the hash) is known, both SHA-256 and SHA-384 run side by side; choosing one
 * drops the other. A HelloRetryRequest replaces ClientHello1 with the synthetic
 * message_hash message.
 */
#ifndef TLSM_TRANSCRIPT_H
#define TLSM_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

typedef struct {
    crypto_hash_ctx sha256, sha384;
    int chosen;   /* 0 until transcript_choose */
    hash_alg alg;
    /* TLS 1.2 CertificateVerify signs the messages themselves, not their hash
     * (RFC 5246 s.7.4.8), so a 1.2 handshake that may need it keeps them. */
    int keep_raw, raw_err;
    uint8_t *raw;
    size_t raw_len, raw_cap;
} transcript;

void transcript_init(transcript *t);
/* Frees the kept messages. */
void transcript_free(transcript *t);
void transcript_add(transcript *t, const uint8_t *msg, size_t len);
void transcript_choose(transcript *t, hash_alg alg);
/* Current hash value (the running state is kept). */
void transcript_hash(const transcript *t, uint8_t *out);
/* Hash of the transcript so far plus extra bytes, without changing the state (for PSK
 * binders over a partial ClientHello). alg may differ from the chosen one only before
 * transcript_choose. */
void transcript_hash_with(const transcript *t, hash_alg alg, const uint8_t *extra, size_t len,
                          uint8_t *out);
/* After HelloRetryRequest: transcript := message_hash(Hash(ClientHello1)) (s.4.4.1). */
void transcript_restart_hrr(transcript *t);

#endif
