/*
 * ec.h - shared pieces of the P-256/P-384 code (ECDH in kex.c, ECDSA in sign_ec.c):
 * curve lookup, validated point decoding and scalar loading on top of Nettle.
 */
#ifndef TLSM_CRYPTO_EC_H
#define TLSM_CRYPTO_EC_H

#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>

#include "crypto/backend.h"

typedef struct {
    const struct ecc_curve *curve;
    size_t coord_len; /* bytes per coordinate and per scalar: 32 or 48 */
} ec_params;

/* Parameters for a NIST curve by key type (PK_EC_P256/P384); 0 or -1. */
int ec_params_for_key(pk_type type, ec_params *out);
/* Parameters by TLS NamedGroup (secp256r1, secp384r1); 0 or -1. */
int ec_params_for_group(uint16_t group, ec_params *out);

/* Loads an uncompressed point (0x04 || x || y) into an initialised point. Rejects any other
 * length or form, coordinates >= p and points not on the curve (Nettle's ecc_point_set);
 * the point at infinity has no uncompressed encoding and so is rejected too. */
int ec_point_decode(const ec_params *ec, struct ecc_point *p, const uint8_t *in, size_t len);
/* Writes the uncompressed encoding (1 + 2 * coord_len bytes). */
int ec_point_encode(const ec_params *ec, const struct ecc_point *p, uint8_t *out);
/* Loads a big-endian scalar into an initialised ecc_scalar; fails unless 0 < k < q. */
int ec_scalar_load(const ec_params *ec, struct ecc_scalar *s, const uint8_t *be, size_t len);
/* Independent ECDSA check used when Nettle's verifier rejects (see ecdsa_recheck.c):
 * 1 if (r, s) is a valid signature of digest under q, else 0. */
int ecdsa_recheck(const ec_params *ec, const struct ecc_point *q, const uint8_t *digest,
                  size_t digest_len, const mpz_t r, const mpz_t s);
/* Overwrites the scalar's limbs and frees it. */
void ec_scalar_wipe_clear(struct ecc_scalar *s);

#endif
