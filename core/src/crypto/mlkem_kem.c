/*
 * mlkem_kem.c - ML-KEM (FIPS 203 s.6 and s.7) for either parameter set: the internal key
 * generation, encapsulation and decapsulation (Algorithms 16, 17, 18) over K-PKE, and the
 * input checks that s.7.2 and s.7.3 require before encapsulating to a key or decapsulating
 * with one (crypto_mlkem_* in mlkem_api.c runs them for every backend).
 *
 * Decapsulation uses implicit rejection: it always computes both the real key K' and the
 * rejection key J(z || c) and keeps one of them with a mask derived from a constant-time
 * comparison of c with the re-encryption, so nothing observable depends on whether the
 * ciphertext was valid.
 *
 * A decapsulation key is dk_PKE || ek || H(ek) || z (768k + 96 bytes); the offsets below
 * name its parts.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"

static size_t dk_ek_offset(const mlkem_params *p) { return p->vec_bytes; }           /* 384k */
static size_t dk_h_offset(const mlkem_params *p) { return p->vec_bytes + p->ek_bytes; } /* 768k + 32 */
static size_t dk_z_offset(const mlkem_params *p) { return dk_h_offset(p) + 32; }       /* 768k + 64 */

/* FIPS 203 s.7.2, input checking of ek: "2. (Modulus check) Perform the computation
 * test <- ByteEncode_12(ByteDecode_12(ek[0 : 384k])). If test != ek[0 : 384k], the input
 * checking has failed." (The type check, the length 384k + 32, is the caller's.) */
int mlkem_ek_check(const mlkem_params *p, const uint8_t *ek)
{
    return mlkem_bytes12_reduced(ek, p->vec_bytes) ? 0 : -1;
}

/* FIPS 203 s.7.3, input checking of dk: "3. (Hash check) Perform the computation
 * test <- H(dk[384k : 768k + 32]). If test != dk[768k + 32 : 768k + 64], then input
 * checking has failed." */
int mlkem_dk_check(const mlkem_params *p, const uint8_t *dk)
{
    uint8_t test[32];
    mlkem_hash_h(test, dk + dk_ek_offset(p), p->ek_bytes);
    int ok = crypto_ct_equal(test, dk + dk_h_offset(p), 32);
    /* Whether the stored key is intact is not a secret: the caller branches on it. */
    MLKEM_DECLASSIFY(&ok, sizeof ok);
    return ok ? 0 : -1;
}

/* Algorithm 16, ML-KEM.KeyGen_internal(d, z): (ek_PKE, dk_PKE) <- K-PKE.KeyGen(d);
 * ek <- ek_PKE; dk <- dk_PKE || ek || H(ek) || z. */
int mlkem_keygen(const mlkem_params *p, const uint8_t seed[MLKEM_SEED_BYTES], uint8_t *ek,
                 uint8_t *dk)
{
    const uint8_t *d = seed, *z = seed + 32;
    mlkem_kpke_keygen(p, ek, dk, d);
    memcpy(dk + dk_ek_offset(p), ek, p->ek_bytes);
    mlkem_hash_h(dk + dk_h_offset(p), ek, p->ek_bytes);
    memcpy(dk + dk_z_offset(p), z, 32);
    return 0;
}

/* Algorithm 17, ML-KEM.Encaps_internal(ek, m): (K, r) <- G(m || H(ek));
 * c <- K-PKE.Encrypt(ek, m, r). */
int mlkem_encaps(const mlkem_params *p, const uint8_t *ek, const uint8_t m[MLKEM_MSG_BYTES],
                 uint8_t *ct, uint8_t ss[MLKEM_SS_BYTES])
{
    uint8_t h[32], kr[64];
    mlkem_hash_h(h, ek, p->ek_bytes);
    mlkem_hash_g(kr, m, MLKEM_MSG_BYTES, h, sizeof h);
    mlkem_kpke_encrypt(p, ct, ek, m, kr + 32);
    memcpy(ss, kr, MLKEM_SS_BYTES);
    crypto_wipe(kr, sizeof kr);
    return 0;
}

/* Algorithm 18, ML-KEM.Decaps_internal(dk, c): m' <- K-PKE.Decrypt(dk_PKE, c);
 * (K', r') <- G(m' || h); K_bar <- J(z || c); c' <- K-PKE.Encrypt(ek_PKE, m', r');
 * "if c != c' then K' <- K_bar" (step 9), here without a branch. */
int mlkem_decaps(const mlkem_params *p, const uint8_t *dk, const uint8_t *ct,
                 uint8_t ss[MLKEM_SS_BYTES])
{
    uint8_t m[MLKEM_MSG_BYTES], kr[64], k_bar[32], ct2[MLKEM_CT_MAX];
    mlkem_kpke_decrypt(p, m, dk, ct);
    mlkem_hash_g(kr, m, sizeof m, dk + dk_h_offset(p), 32);
    mlkem_hash_j(k_bar, dk + dk_z_offset(p), ct, p->ct_bytes);
    mlkem_kpke_encrypt(p, ct2, dk + dk_ek_offset(p), m, kr + 32);
    /* 0x00 when c == c', 0xff otherwise; crypto_ct_equal reads every byte. */
    uint8_t reject = (uint8_t)(crypto_ct_equal(ct, ct2, p->ct_bytes) - 1);
    for (int i = 0; i < MLKEM_SS_BYTES; i++)
        ss[i] = (uint8_t)(kr[i] ^ (reject & (kr[i] ^ k_bar[i])));
    crypto_wipe(m, sizeof m);
    crypto_wipe(kr, sizeof kr);
    crypto_wipe(k_bar, sizeof k_bar);
    crypto_wipe(ct2, p->ct_bytes);
    return 0;
}

int mlkem_native_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? mlkem_keygen(p, seed, ek, dk) : -1;
}

int mlkem_native_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m,
                        uint8_t *ct, uint8_t *ss)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? mlkem_encaps(p, ek, m, ct, ss) : -1;
}

int mlkem_native_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                        uint8_t *ss)
{
    const mlkem_params *p = mlkem_params_of(set);
    return p ? mlkem_decaps(p, dk, ct, ss) : -1;
}
