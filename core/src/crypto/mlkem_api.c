/*
 * mlkem_api.c - the crypto_mlkem_* entry points (crypto.h): FIPS 203's input checks,
 * randomness from the caller's crypto_rng, then the provider table's ML-KEM in the
 * requested parameter set (ML-KEM-768 or ML-KEM-1024).
 *
 * The checks live here, not in a backend, so that they hold whichever implementation the
 * provider table points at: FIPS 203 s.7.2 (encapsulation key: type and modulus check)
 * before encapsulating, s.7.3 (ciphertext and decapsulation key types, hash check)
 * before decapsulating. Cheap checks (lengths) come first.
 */
#include "crypto/backend.h"
#include "crypto/mlkem.h"

_Static_assert(CRYPTO_MLKEM_SEED_LEN == MLKEM_SEED_BYTES &&
                   CRYPTO_MLKEM_MSG_LEN == MLKEM_MSG_BYTES &&
                   CRYPTO_MLKEM_SS_LEN == MLKEM_SS_BYTES &&
                   CRYPTO_MLKEM_EK_MAX == MLKEM_EK_MAX && CRYPTO_MLKEM_DK_MAX == MLKEM_DK_MAX &&
                   CRYPTO_MLKEM_CT_MAX == MLKEM_CT_MAX &&
                   CRYPTO_MLKEM768_EK_LEN == 3 * 384 + 32 &&
                   CRYPTO_MLKEM768_DK_LEN == 2 * 3 * 384 + 96 &&
                   CRYPTO_MLKEM768_CT_LEN == 32 * (10 * 3 + 4) &&
                   CRYPTO_MLKEM1024_EK_LEN == 4 * 384 + 32 &&
                   CRYPTO_MLKEM1024_DK_LEN == 2 * 4 * 384 + 96 &&
                   CRYPTO_MLKEM1024_CT_LEN == 32 * (11 * 4 + 5),
               "crypto.h and FIPS 203 Table 3 disagree on ML-KEM sizes");

size_t crypto_mlkem_ek_len(crypto_mlkem_set set)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? p->ek_bytes : 0;
}

size_t crypto_mlkem_dk_len(crypto_mlkem_set set)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? p->dk_bytes : 0;
}

size_t crypto_mlkem_ct_len(crypto_mlkem_set set)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? p->ct_bytes : 0;
}

const char *crypto_mlkem_backend(crypto_mlkem_set set)
{
    const crypto_provider *p = crypto_provider_default();
    const char *name = p->kem_name != NULL ? p->kem_name(set) : NULL;
    return name != NULL ? name : "none";
}

int crypto_mlkem_keygen_from_seed(crypto_mlkem_set set, const uint8_t *seed, size_t seed_len,
                                  uint8_t *ek, uint8_t *dk)
{
    const crypto_provider *p = crypto_provider_default();
    const mlkem_params *params = mlkem_params_of(set);
    if (params == NULL || seed_len != CRYPTO_MLKEM_SEED_LEN || p->kem_keygen == NULL)
        return -1;
    if (p->kem_keygen(set, seed, ek, dk) != 0) {
        crypto_wipe(dk, params->dk_bytes);
        return -1;
    }
    return 0;
}

int crypto_mlkem_keygen(crypto_mlkem_set set, const crypto_rng *rng, uint8_t *ek, uint8_t *dk)
{
    uint8_t seed[CRYPTO_MLKEM_SEED_LEN];
    int rc = -1;
    if (mlkem_params_of(set) != NULL && crypto_random(rng, seed, sizeof seed) == 0)
        rc = crypto_mlkem_keygen_from_seed(set, seed, sizeof seed, ek, dk);
    crypto_wipe(seed, sizeof seed);
    return rc;
}

/* FIPS 203 s.7.2: "1. (Type check) If ek is not an array of bytes of length 384k + 32 for
 * the value of k specified by the relevant parameter set, the input checking has failed."
 * and "2. (Modulus check)" (mlkem_ek_check). */
int crypto_mlkem_ek_check(crypto_mlkem_set set, const uint8_t *ek, size_t ek_len)
{
    const mlkem_params *p = mlkem_params_of(set);
    if (p == NULL || ek_len != p->ek_bytes)
        return -1;
    return mlkem_ek_check(p, ek);
}

int crypto_mlkem_encaps(crypto_mlkem_set set, const crypto_rng *rng, const uint8_t *ek,
                        size_t ek_len, uint8_t *ct, uint8_t ss[CRYPTO_MLKEM_SS_LEN])
{
    const crypto_provider *p = crypto_provider_default();
    uint8_t m[CRYPTO_MLKEM_MSG_LEN];
    int rc = -1;
    crypto_wipe(ss, CRYPTO_MLKEM_SS_LEN);
    if (p->kem_encaps == NULL || crypto_mlkem_ek_check(set, ek, ek_len) != 0)
        return -1;
    if (crypto_random(rng, m, sizeof m) == 0)
        rc = p->kem_encaps(set, ek, m, ct, ss);
    if (rc != 0)
        crypto_wipe(ss, CRYPTO_MLKEM_SS_LEN);
    crypto_wipe(m, sizeof m);
    return rc;
}

/* FIPS 203 s.7.3: "1. (Ciphertext type check) If c is not a byte array of length
 * 32(d_u k + d_v) for the values of d_u, k, and d_v specified by the relevant parameter
 * set, then input checking has failed. 2. (Decapsulation key type check) If dk is not a
 * byte array of length 768k + 96 for the value of k specified by the relevant parameter
 * set, then input checking has failed." and "3. (Hash check)" (mlkem_dk_check). */
int crypto_mlkem_decaps(crypto_mlkem_set set, const uint8_t *dk, size_t dk_len,
                        const uint8_t *ct, size_t ct_len, uint8_t ss[CRYPTO_MLKEM_SS_LEN])
{
    const crypto_provider *p = crypto_provider_default();
    const mlkem_params *params = mlkem_params_of(set);
    crypto_wipe(ss, CRYPTO_MLKEM_SS_LEN);
    if (params == NULL || ct_len != params->ct_bytes || dk_len != params->dk_bytes ||
        p->kem_decaps == NULL || mlkem_dk_check(params, dk) != 0)
        return -1;
    if (p->kem_decaps(set, dk, ct, ss) != 0) {
        crypto_wipe(ss, CRYPTO_MLKEM_SS_LEN);
        return -1;
    }
    return 0;
}
