/*
 * keysched.h - the TLS 1.3 key schedule (RFC 8446 s.7.1): HKDF-Expand-Label,
 * Derive-Secret, the secret chain early -> handshake -> master, traffic keys, Finished
 * keys and the secrets derived from the master secret (exporter, resumption).
 */
#ifndef TLSM_KEYSCHED_H
#define TLSM_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* HKDF-Expand-Label(secret, "tls13 " + label, context, out_len); the label is given with its
 * length (exporter labels are arbitrary bytes) or as a C string. */
int ks_expand_label_n(hash_alg h, const uint8_t *secret, const uint8_t *label, size_t label_len,
                      const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len);
int ks_expand_label(hash_alg h, const uint8_t *secret, const char *label, const uint8_t *ctx,
                    size_t ctx_len, uint8_t *out, size_t out_len);
/* Derive-Secret(secret, label, transcript_hash): the hash is given already computed. */
int ks_derive(hash_alg h, const uint8_t *secret, const char *label, const uint8_t *thash,
              uint8_t *out);
/* Derive-Secret with the hash of the empty string as context. */
int ks_derive_empty(hash_alg h, const uint8_t *secret, const char *label, uint8_t *out);
/* Early Secret = HKDF-Extract(0, psk or zeros). psk NULL means no PSK. */
void ks_early_secret(hash_alg h, const uint8_t *psk, size_t psk_len, uint8_t *out);
/* next = HKDF-Extract(Derive-Secret(prev, "derived", ""), ikm or zeros). */
int ks_next_stage(hash_alg h, const uint8_t *prev, const uint8_t *ikm, size_t ikm_len,
                  uint8_t *out);
/* Finished verify_data = HMAC(finished_key(base), transcript hash). */
int ks_finished(hash_alg h, const uint8_t *base_secret, const uint8_t *thash, uint8_t *out);
/* application_traffic_secret_N+1 (s.7.2). */
int ks_update_secret(hash_alg h, uint8_t *secret);

#endif
