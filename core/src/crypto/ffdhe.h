/*
 * ffdhe.h - internal interface of the finite-field Diffie-Hellman code (RFC 7919 groups),
 * shared by ffdhe_groups.c (the group constants), ffdhe.c (the arithmetic) and kex.c (which
 * dispatches the TLS NamedGroup codes 0x0100 and 0x0101 to it).
 */
#ifndef TLSM_CRYPTO_FFDHE_H
#define TLSM_CRYPTO_FFDHE_H

#include "crypto/backend.h"

/* Largest prime supported (ffdhe3072), in bytes. */
#define FFDHE_P_MAX 384

typedef struct {
    uint16_t group;       /* TLS NamedGroup code */
    const uint8_t *p;     /* the safe prime, big-endian, p_len bytes (top byte non-zero) */
    size_t p_len;
    size_t exp_len;       /* bytes of private exponent drawn by crypto_kex_keygen */
} ffdhe_group;

/* Every RFC 7919 group uses the generator 2 (RFC 7919 Appendix A). */
extern const uint8_t ffdhe_generator[1];

/* The group with this NamedGroup code, or NULL if it is not an FFDHE group we support. */
const ffdhe_group *ffdhe_group_find(uint16_t group);
/* The n-th supported group (0, 1, ...), NULL past the end. */
const ffdhe_group *ffdhe_group_at(size_t i);

/* Y = 2^x mod p for the exponent x = priv (exp_len big-endian bytes). Writes p_len bytes.
 * Returns CRYPTO_ERR_RANGE when x < 2 (so crypto_kex_keygen draws again), -1 on failure. */
int ffdhe_public(const ffdhe_group *g, const uint8_t *priv, uint8_t *pub, size_t *pub_len);
/* Z = Y^x mod p, validating the peer value (exactly p_len bytes, 1 < Y < p - 1). Writes
 * p_len bytes, left-padded with zeros (RFC 8446 s.7.4.1). */
int ffdhe_shared(const ffdhe_group *g, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                 uint8_t *shared, size_t *shared_len);

#endif
