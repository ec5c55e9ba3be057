/*
 * mlkem_api.c - the crypto_mlkem768_* entry points (crypto.h): FIPS 203's input checks,
 * randomness from the caller's crypto_rng, then the provider table's ML-KEM-768.
 *
 * The checks live here, not in a backend, so that they hold whichever implementation the
 * provider table points at: FIPS 203 s.7.2 (encapsulation key: type and modulus check)
 * before encapsulating, s.7.3 (ciphertext and decapsulation key types, hash check)
 * before decapsulating. Cheap checks (lengths) come first.
 */
#include "crypto/backend.h"
#include "crypto/mlkem.h"

_Static_assert(CRYPTO_MLKEM768_SEED_LEN == MLKEM_SEED_BYTES &&
                   CRYPTO_MLKEM768_MSG_LEN == MLKEM_MSG_BYTES &&
                   CRYPTO_MLKEM768_EK_LEN == MLKEM_EK_BYTES &&
                   CRYPTO_MLKEM768_DK_LEN == MLKEM_DK_BYTES &&
                   CRYPTO_MLKEM768_CT_LEN == MLKEM_CT_BYTES &&
                   CRYPTO_MLKEM768_SS_LEN == MLKEM_SS_BYTES,
               "crypto.h and mlkem.h disagree on ML-KEM-768 sizes");

const char *crypto_mlkem768_backend(void)
{
    const char *name = crypto_provider_default()->kem_name;
    return name != NULL ? name : "none";
}

int crypto_mlkem768_keygen_from_seed(const uint8_t *seed, size_t seed_len,
                                     uint8_t ek[CRYPTO_MLKEM768_EK_LEN],
                                     uint8_t dk[CRYPTO_MLKEM768_DK_LEN])
{
    const crypto_provider *p = crypto_provider_default();
    if (seed_len != CRYPTO_MLKEM768_SEED_LEN || p->kem_keygen == NULL)
        return -1;
    if (p->kem_keygen(seed, ek, dk) != 0) {
        crypto_wipe(dk, CRYPTO_MLKEM768_DK_LEN);
        return -1;
    }
    return 0;
}

int crypto_mlkem768_keygen(const crypto_rng *rng, uint8_t ek[CRYPTO_MLKEM768_EK_LEN],
                           uint8_t dk[CRYPTO_MLKEM768_DK_LEN])
{
    uint8_t seed[CRYPTO_MLKEM768_SEED_LEN];
    int rc = -1;
    if (crypto_random(rng, seed, sizeof seed) == 0)
        rc = crypto_mlkem768_keygen_from_seed(seed, sizeof seed, ek, dk);
    crypto_wipe(seed, sizeof seed);
    return rc;
}

/* FIPS 203 s.7.2: "1. (Type check) If ek is not an array of bytes of length 384k + 32 for
 * the value of k specified by the relevant parameter set, the input checking has failed."
 * and "2. (Modulus check)" (mlkem768_ek_check). */
int crypto_mlkem768_ek_check(const uint8_t *ek, size_t ek_len)
{
    if (ek_len != CRYPTO_MLKEM768_EK_LEN)
        return -1;
    return mlkem768_ek_check(ek);
}

int crypto_mlkem768_encaps(const crypto_rng *rng, const uint8_t *ek, size_t ek_len,
                           uint8_t ct[CRYPTO_MLKEM768_CT_LEN],
                           uint8_t ss[CRYPTO_MLKEM768_SS_LEN])
{
    const crypto_provider *p = crypto_provider_default();
    uint8_t m[CRYPTO_MLKEM768_MSG_LEN];
    int rc = -1;
    crypto_wipe(ss, CRYPTO_MLKEM768_SS_LEN);
    if (p->kem_encaps == NULL || crypto_mlkem768_ek_check(ek, ek_len) != 0)
        return -1;
    if (crypto_random(rng, m, sizeof m) == 0)
        rc = p->kem_encaps(ek, m, ct, ss);
    if (rc != 0)
        crypto_wipe(ss, CRYPTO_MLKEM768_SS_LEN);
    crypto_wipe(m, sizeof m);
    return rc;
}

/* FIPS 203 s.7.3: "1. (Ciphertext type check) If c is not a byte array of length
 * 32(d_u k + d_v) for the values of d_u, k, and d_v specified by the relevant parameter
 * set, then input checking has failed. 2. (Decapsulation key type check) If dk is not a
 * byte array of length 768k + 96 for the value of k specified by the relevant parameter
 * set, then input checking has failed." and "3. (Hash check)" (mlkem768_dk_check). */
int crypto_mlkem768_decaps(const uint8_t *dk, size_t dk_len, const uint8_t *ct, size_t ct_len,
                           uint8_t ss[CRYPTO_MLKEM768_SS_LEN])
{
    const crypto_provider *p = crypto_provider_default();
    crypto_wipe(ss, CRYPTO_MLKEM768_SS_LEN);
    if (ct_len != CRYPTO_MLKEM768_CT_LEN || dk_len != CRYPTO_MLKEM768_DK_LEN ||
        p->kem_decaps == NULL || mlkem768_dk_check(dk) != 0)
        return -1;
    if (p->kem_decaps(dk, ct, ss) != 0) {
        crypto_wipe(ss, CRYPTO_MLKEM768_SS_LEN);
        return -1;
    }
    return 0;
}
