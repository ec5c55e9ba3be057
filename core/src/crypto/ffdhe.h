/*
 * ffdhe.h - internal interface of the finite-field Diffie-Hellman code (RFC 7919 groups),
 * shared by ffdhe_groups.c (the group constants), ffdhe.c (the arithmetic) and kex.c (which
 * dispatches the TLS NamedGroup codes 0x0100 and 0x0101 to it).
 */
#ifndef TLSM_CRYPTO_FFDHE_H
#define TLSM_CRYPTO_FFDHE_H

#include "crypto/backend.h"

/* Largest prime supported (RFC 3526's 8192-bit group), in bytes. */
#define FFDHE_P_MAX 1024

typedef struct {
    uint16_t group;       /* TLS NamedGroup code, or TLSM_GROUP_MODP* */
    int named;            /* 1: RFC 7919, negotiated by code; 0: RFC 3526, explicit only */
    const uint8_t *p;     /* the safe prime, big-endian, p_len bytes (top byte non-zero) */
    size_t p_len;
    size_t exp_len;       /* bytes of private exponent drawn by crypto_kex_keygen */
} ffdhe_group;

/* Every RFC 7919 and RFC 3526 group uses the generator 2 (RFC 7919 Appendix A, RFC 3526). */
extern const uint8_t ffdhe_generator[1];
/* The RFC 3526 primes (modp_groups.c). */
extern const uint8_t modp2048_p[256], modp3072_p[384], modp4096_p[512], modp6144_p[768],
    modp8192_p[1024];

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
