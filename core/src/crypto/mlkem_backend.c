/*
 * mlkem_backend.c - which ML-KEM the default provider table uses (DESIGN.md): for
 * ML-KEM-768, libsodium's crypto_kem_mlkem768_* when the libsodium tlsm is built against
 * has them (1.0.21 and later), otherwise tlsm's own FIPS 203 code (mlkem_*.c); for
 * ML-KEM-1024, which libsodium does not offer, always tlsm's own.
 *
 * CMake defines TLSM_MLKEM768_SODIUM to 1 or 0 after checking that the found libsodium
 * links crypto_kem_mlkem768_seed_keypair (and -DTLSM_MLKEM=native forces 0). Builds that
 * compile core/src without CMake (the Go and Rust bindings) decide from the header:
 * libsodium's crypto_kem_mlkem768.h defines crypto_kem_mlkem768_SEEDBYTES.
 *
 * Either way the FIPS 203 input checks run first, in crypto_mlkem_* (mlkem_api.c), so
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

static const char native_name[] = "tlsm (FIPS 203 over Nettle SHA-3)";

#if TLSM_MLKEM768_SODIUM

_Static_assert(crypto_kem_mlkem768_PUBLICKEYBYTES == CRYPTO_MLKEM768_EK_LEN &&
                   crypto_kem_mlkem768_SECRETKEYBYTES == CRYPTO_MLKEM768_DK_LEN &&
                   crypto_kem_mlkem768_CIPHERTEXTBYTES == CRYPTO_MLKEM768_CT_LEN &&
                   crypto_kem_mlkem768_SHAREDSECRETBYTES == CRYPTO_MLKEM_SS_LEN &&
                   crypto_kem_mlkem768_SEEDBYTES == CRYPTO_MLKEM_SEED_LEN,
               "libsodium's ML-KEM-768 sizes differ from FIPS 203's");

const char *default_kem_name(crypto_mlkem_set set)
{
    return set == CRYPTO_MLKEM768 ? "libsodium" : native_name;
}

int default_kem_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    if (set != CRYPTO_MLKEM768)
        return mlkem_native_keygen(set, seed, ek, dk);
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_seed_keypair(ek, dk, seed) == 0 ? 0 : -1;
}

int default_kem_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m, uint8_t *ct,
                       uint8_t *ss)
{
    if (set != CRYPTO_MLKEM768)
        return mlkem_native_encaps(set, ek, m, ct, ss);
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_enc_deterministic(ct, ss, ek, m) == 0 ? 0 : -1;
}

int default_kem_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                       uint8_t *ss)
{
    if (set != CRYPTO_MLKEM768)
        return mlkem_native_decaps(set, dk, ct, ss);
    if (crypto_init() != 0)
        return -1;
    return crypto_kem_mlkem768_dec(ss, ct, dk) == 0 ? 0 : -1;
}

#else

const char *default_kem_name(crypto_mlkem_set set)
{
    (void)set;
    return native_name;
}

int default_kem_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    return mlkem_native_keygen(set, seed, ek, dk);
}

int default_kem_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m, uint8_t *ct,
                       uint8_t *ss)
{
    return mlkem_native_encaps(set, ek, m, ct, ss);
}

int default_kem_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                       uint8_t *ss)
{
    return mlkem_native_decaps(set, dk, ct, ss);
}

#endif
