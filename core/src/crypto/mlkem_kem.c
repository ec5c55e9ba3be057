/*
 * mlkem_kem.c - ML-KEM-768 (FIPS 203 s.6 and s.7): the internal key generation,
 * encapsulation and decapsulation (Algorithms 16, 17, 18) over K-PKE, and the input
 * checks that s.7.2 and s.7.3 require before encapsulating to a key or decapsulating with
 * one (crypto_mlkem768_* in mlkem_api.c runs them for every backend).
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

#define DK_EK_OFFSET MLKEM_VEC_BYTES                   /* 384k: ek */
#define DK_H_OFFSET (DK_EK_OFFSET + MLKEM_EK_BYTES)    /* 768k + 32: H(ek) */
#define DK_Z_OFFSET (DK_H_OFFSET + 32)                 /* 768k + 64: z */

/* FIPS 203 s.7.2, input checking of ek: "2. (Modulus check) Perform the computation
 * test <- ByteEncode_12(ByteDecode_12(ek[0 : 384k])). If test != ek[0 : 384k], the input
 * checking has failed." (The type check, the length 384k + 32, is the caller's: the array
 * has that size.) */
int mlkem768_ek_check(const uint8_t ek[MLKEM_EK_BYTES])
{
    return mlkem_bytes12_reduced(ek, MLKEM_VEC_BYTES) ? 0 : -1;
}

/* FIPS 203 s.7.3, input checking of dk: "3. (Hash check) Perform the computation
 * test <- H(dk[384k : 768k + 32]). If test != dk[768k + 32 : 768k + 64], then input
 * checking has failed." */
int mlkem768_dk_check(const uint8_t dk[MLKEM_DK_BYTES])
{
    uint8_t test[32];
    mlkem_hash_h(test, dk + DK_EK_OFFSET, MLKEM_EK_BYTES);
    int ok = crypto_ct_equal(test, dk + DK_H_OFFSET, 32);
    /* Whether the stored key is intact is not a secret: the caller branches on it. */
    MLKEM_DECLASSIFY(&ok, sizeof ok);
    return ok ? 0 : -1;
}

/* Algorithm 16, ML-KEM.KeyGen_internal(d, z): (ek_PKE, dk_PKE) <- K-PKE.KeyGen(d);
 * ek <- ek_PKE; dk <- dk_PKE || ek || H(ek) || z. */
int mlkem768_keygen(const uint8_t seed[MLKEM_SEED_BYTES], uint8_t ek[MLKEM_EK_BYTES],
                    uint8_t dk[MLKEM_DK_BYTES])
{
    const uint8_t *d = seed, *z = seed + 32;
    mlkem_kpke_keygen(ek, dk, d);
    memcpy(dk + DK_EK_OFFSET, ek, MLKEM_EK_BYTES);
    mlkem_hash_h(dk + DK_H_OFFSET, ek, MLKEM_EK_BYTES);
    memcpy(dk + DK_Z_OFFSET, z, 32);
    return 0;
}

/* Algorithm 17, ML-KEM.Encaps_internal(ek, m): (K, r) <- G(m || H(ek));
 * c <- K-PKE.Encrypt(ek, m, r). */
int mlkem768_encaps(const uint8_t ek[MLKEM_EK_BYTES], const uint8_t m[MLKEM_MSG_BYTES],
                    uint8_t ct[MLKEM_CT_BYTES], uint8_t ss[MLKEM_SS_BYTES])
{
    uint8_t h[32], kr[64];
    mlkem_hash_h(h, ek, MLKEM_EK_BYTES);
    mlkem_hash_g(kr, m, MLKEM_MSG_BYTES, h, sizeof h);
    mlkem_kpke_encrypt(ct, ek, m, kr + 32);
    memcpy(ss, kr, MLKEM_SS_BYTES);
    crypto_wipe(kr, sizeof kr);
    return 0;
}

/* Algorithm 18, ML-KEM.Decaps_internal(dk, c): m' <- K-PKE.Decrypt(dk_PKE, c);
 * (K', r') <- G(m' || h); K_bar <- J(z || c); c' <- K-PKE.Encrypt(ek_PKE, m', r');
 * "if c != c' then K' <- K_bar" (step 9), here without a branch. */
int mlkem768_decaps(const uint8_t dk[MLKEM_DK_BYTES], const uint8_t ct[MLKEM_CT_BYTES],
                    uint8_t ss[MLKEM_SS_BYTES])
{
    uint8_t m[MLKEM_MSG_BYTES], kr[64], k_bar[32], ct2[MLKEM_CT_BYTES];
    mlkem_kpke_decrypt(m, dk, ct);
    mlkem_hash_g(kr, m, sizeof m, dk + DK_H_OFFSET, 32);
    mlkem_hash_j(k_bar, dk + DK_Z_OFFSET, ct, MLKEM_CT_BYTES);
    mlkem_kpke_encrypt(ct2, dk + DK_EK_OFFSET, m, kr + 32);
    /* 0x00 when c == c', 0xff otherwise; crypto_ct_equal reads every byte. */
    uint8_t reject = (uint8_t)(crypto_ct_equal(ct, ct2, MLKEM_CT_BYTES) - 1);
    for (int i = 0; i < MLKEM_SS_BYTES; i++)
        ss[i] = (uint8_t)(kr[i] ^ (reject & (kr[i] ^ k_bar[i])));
    crypto_wipe(m, sizeof m);
    crypto_wipe(kr, sizeof kr);
    crypto_wipe(k_bar, sizeof k_bar);
    crypto_wipe(ct2, sizeof ct2);
    return 0;
}
