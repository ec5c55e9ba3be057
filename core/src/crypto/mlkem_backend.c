/*
 * mlkem_backend.c - which ML-KEM-768 the default provider table uses (DESIGN.md):
 * libsodium's crypto_kem_mlkem768_* when the libsodium tlsm is built against has them
 * (1.0.21 and later), otherwise tlsm's own FIPS 203 code (mlkem_*.c).
 *
 * CMake defines TLSM_MLKEM768_SODIUM to 1 or 0 after checking that the found libsodium
 * links crypto_kem_mlkem768_seed_keypair (and -DTLSM_MLKEM=native forces 0). Builds that
 * compile core/src without CMake (the Go and Rust bindings) decide from the header:
 * libsodium's crypto_kem_mlkem768.h defines crypto_kem_mlkem768_SEEDBYTES.
 *
 * Either way the FIPS 203 input checks run first, in crypto_mlkem768_* (mlkem_api.c), so
 * both backends see only keys and ciphertexts that passed them.
 */
#include "crypto/sodium_compat.h"

#include "crypto/backend.h"
#include "crypto/mlkem.h"

#ifndef TLSM_MLKEM768_SODIUM
#ifdef crypto_kem_mlkem768_SEEDBYTES
#define TLSM_MLKEM768_SODIUM 1
#else
#define TLSM_MLKEM768_SODIUM 0
#endif
#endif

#if TLSM_MLKEM768_SODIUM

_Static_assert(crypto_kem_mlkem768_PUBLICKEYBYTES == MLKEM_EK_BYTES &&
                   crypto_kem_mlkem768_SECRETKEYBYTES == MLKEM_DK_BYTES &&
                   crypto_kem_mlkem768_CIPHERTEXTBYTES == MLKEM_CT_BYTES &&
                   crypto_kem_mlkem768_SHAREDSECRETBYTES == MLKEM_SS_BYTES &&
                   crypto_kem_mlkem768_SEEDBYTES == MLKEM_SEED_BYTES,
               "libsodium's ML-KEM-768 sizes differ from FIPS 203's");

const char default_kem_name[] = "libsodium";

int default_kem_keygen(const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_seed_keypair(ek, dk, seed) == 0 ? 0 : -1;
}

int default_kem_encaps(const uint8_t *ek, const uint8_t *m, uint8_t *ct, uint8_t *ss)
{
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_enc_deterministic(ct, ss, ek, m) == 0 ? 0 : -1;
}

int default_kem_decaps(const uint8_t *dk, const uint8_t *ct, uint8_t *ss)
{
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_dec(ss, ct, dk) == 0 ? 0 : -1;
}

#else

const char default_kem_name[] = "tlsm (FIPS 203 over Nettle SHA-3)";

int default_kem_keygen(const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    return mlkem768_keygen(seed, ek, dk);
}

int default_kem_encaps(const uint8_t *ek, const uint8_t *m, uint8_t *ct, uint8_t *ss)
{
    return mlkem768_encaps(ek, m, ct, ss);
}

int default_kem_decaps(const uint8_t *dk, const uint8_t *ct, uint8_t *ss)
{
    return mlkem768_decaps(dk, ct, ss);
}

#endif
