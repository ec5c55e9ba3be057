/*
 * mlkem.h - tlsm's own ML-KEM (FIPS 203), shared by the mlkem_*.c files: one
 * implementation for the two parameter sets TLS uses, ML-KEM-768 and ML-KEM-1024, which
 * differ only in the values of mlkem_params (k, eta1, du, dv and the sizes that follow
 * from them; FIPS 203 s.8, Table 2).
 *
 * The rest of tlsm does not include this header: it calls crypto_mlkem_* (crypto.h),
 * which checks the inputs and dispatches through the provider table to libsodium's
 * ML-KEM-768 or to the functions declared at the end of this file.
 *
 * Layers, one file each:
 *   mlkem_poly.c    arithmetic in Z_q[X]/(X^256 + 1): reductions, NTT, NTT^-1, MultiplyNTTs
 *   mlkem_encode.c  ByteEncode/ByteDecode, Compress/Decompress, the s.7.2 modulus check
 *   mlkem_xof.c     SHAKE128 (FIPS 202) on Nettle's sha3_permute: Nettle 3.8 has no SHAKE128
 *   mlkem_sample.c  SampleNTT, SamplePolyCBD, PRF, and H, G, J (FIPS 203 s.4.1)
 *   mlkem_kpke.c    K-PKE.KeyGen, Encrypt, Decrypt (FIPS 203 s.5)
 *   mlkem_kem.c     ML-KEM KeyGen/Encaps/Decaps_internal with implicit rejection (s.6),
 *                   and the input checks of s.7.2 and s.7.3
 *   mlkem_params.c  the two parameter sets
 *
 * The parameter set is public: code may branch on it (the vector length k, the packing
 * that du and dv select), never on what it computes.
 *
 * Constant time (the KyberSlash lesson included): no branch, no table index and no
 * division depends on secret data (seed, s, e, y, m, r, K, z, the decrypted message,
 * the outcome of the ciphertext comparison). Branches on public data only: the matrix
 * seed rho, the encapsulation key, the ciphertext. tests/ct/mlkem_ct.c checks this under
 * valgrind, which is why a few places mark data as public with MLKEM_DECLASSIFY.
 * FIPS 203 s.3.3 (destruction of intermediate values) requires that intermediate data
 * which could reveal secrets be destroyed once no longer needed: every function here
 * wipes its secret locals before returning.
 */
#ifndef TLSM_CRYPTO_MLKEM_H
#define TLSM_CRYPTO_MLKEM_H

#include <nettle/sha3.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Constants of every parameter set (FIPS 203 s.8). */
#define MLKEM_N 256
#define MLKEM_Q 3329
#define MLKEM_ETA2 2
#define MLKEM_POLY_BYTES 384 /* ByteEncode_12 of one polynomial */
#define MLKEM_SEED_BYTES 64  /* d || z */
#define MLKEM_MSG_BYTES 32
#define MLKEM_SS_BYTES 32
#define MLKEM_K_MAX 4        /* ML-KEM-1024's k: fixed-size vectors hold either set */

/* One parameter set (FIPS 203 s.8, Table 2) and the sizes that follow from it. */
typedef struct {
    crypto_mlkem_set set;
    unsigned k;       /* polynomials per vector: 3 (768), 4 (1024) */
    unsigned eta1;    /* CBD width of s, e, y: 2 in both sets, like eta2 (mlkem_sample_cbd2) */
    unsigned du, dv;  /* ciphertext compression: 10, 4 (768); 11, 5 (1024) */
    size_t vec_bytes; /* 384k: ByteEncode_12 of a vector (dk_PKE) */
    size_t ek_bytes;  /* 384k + 32 */
    size_t dk_bytes;  /* 768k + 96 */
    size_t c1_bytes;  /* 32 du k */
    size_t ct_bytes;  /* 32 (du k + dv) */
} mlkem_params;

extern const mlkem_params mlkem_params_768, mlkem_params_1024;
/* The parameter set named by set, NULL for a value that names none. */
const mlkem_params *mlkem_params_of(crypto_mlkem_set set);

/* The largest sizes (ML-KEM-1024), for buffers that serve either set. */
#define MLKEM_EK_MAX (MLKEM_K_MAX * MLKEM_POLY_BYTES + 32)     /* 1568 */
#define MLKEM_DK_MAX (2 * MLKEM_K_MAX * MLKEM_POLY_BYTES + 96) /* 3168 */
#define MLKEM_CT_MAX (32 * (11 * MLKEM_K_MAX + 5))             /* 1568 */
#define MLKEM_CBD_BYTES (64 * 2)                               /* PRF output for eta = 2 */

/* Marks bytes as public for the constant-time check (tests/ct/mlkem_ct.c compiles these
 * files with TLSM_MLKEM_CT_CHECK and runs them under valgrind with the secrets marked
 * undefined). Used only where FIPS 203 makes a value derived from a secret public:
 * rho (a part of ek) and the result of the decapsulation-key hash check. */
#ifdef TLSM_MLKEM_CT_CHECK
#include <valgrind/memcheck.h>
#define MLKEM_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define MLKEM_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

/* A polynomial: coefficients as signed 16-bit representatives of Z_q. The bounds each
 * function accepts and returns are stated next to it. */
typedef struct {
    int16_t c[MLKEM_N];
} mlkem_poly;

/* A vector of k polynomials (the parameter set's k; the array holds the largest). */
typedef struct {
    mlkem_poly p[MLKEM_K_MAX];
} mlkem_vec;

/* ---- mlkem_poly.c: arithmetic ---- */

/* R = 2^16 is the Montgomery factor. Each coefficient to its centred representative in [-(q-1)/2, (q-1)/2]; input any int16. */
void mlkem_poly_reduce(mlkem_poly *a);
/* a = a * R mod q (undoes the R^-1 that mlkem_vec_basemul_acc leaves); |a| < 2^15 in,
 * |a| < q out. */
void mlkem_poly_tomont(mlkem_poly *a);
/* FIPS 203 Algorithm 9 (NTT), in place. Input |a| <= 4095 (any ByteDecode_12 output or
 * small noise); output centred (reduced). */
void mlkem_poly_ntt(mlkem_poly *a);
/* FIPS 203 Algorithm 10 (NTT^-1) times R, in place: applied to the output of
 * mlkem_vec_basemul_acc it gives the plain NTT^-1 of the product. Input |a| < 2^14;
 * output |a| < q. */
void mlkem_poly_invntt_tomont(mlkem_poly *a);
/* r = sum over i < k of a[i] x b[i] (FIPS 203 Algorithm 11, MultiplyNTTs, with
 * Algorithm 12) times R^-1, k = 3 or 4; inputs |x| <= 4095, output |r| < q
 * (the R^-1 comes from Montgomery reduction: tomont or invntt_tomont remove it). */
void mlkem_vec_basemul_acc(mlkem_poly *r, const mlkem_vec *a, const mlkem_vec *b, unsigned k);
/* r = a + b and r = a - b, coefficient-wise, no reduction. */
void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);
void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);

/* ---- mlkem_encode.c: encodings (FIPS 203 s.4.2.1, Algorithms 5 and 6) ---- */

/* ByteEncode_12 of a centred (reduced) polynomial: writes 384 bytes. */
void mlkem_poly_tobytes(uint8_t out[MLKEM_POLY_BYTES], const mlkem_poly *a);
/* ByteDecode_12 without the reduction modulo q: coefficients in [0, 4095]. The arithmetic
 * works modulo q anyway, so an unreduced coefficient of a decapsulation key gives the
 * same result as FIPS 203's reduced one; encapsulation keys are checked first. */
void mlkem_poly_frombytes(mlkem_poly *a, const uint8_t in[MLKEM_POLY_BYTES]);
/* 1 if every 12-bit value of ByteDecode_12(in[0 : len]) is below q (the modulus check of
 * FIPS 203 s.7.2), else 0. len is a multiple of 3. */
int mlkem_bytes12_reduced(const uint8_t *in, size_t len);
/* c1: ByteEncode_du(Compress_du(u)) for one polynomial (32 du bytes) and its inverse
 * Decompress_du(ByteDecode_du(c1)), du = 10 or 11. Every compress function takes centred
 * (reduced) coefficients; decompress returns coefficients in [0, q). */
void mlkem_poly_compress_du(uint8_t *out, const mlkem_poly *a, unsigned du);
void mlkem_poly_decompress_du(mlkem_poly *a, const uint8_t *in, unsigned du);
/* c2: the same with dv = 4 or 5 (32 dv bytes). */
void mlkem_poly_compress_dv(uint8_t *out, const mlkem_poly *a, unsigned dv);
void mlkem_poly_decompress_dv(mlkem_poly *a, const uint8_t *in, unsigned dv);
/* Decompress_1(ByteDecode_1(m)) and ByteEncode_1(Compress_1(a)) (a centred). */
void mlkem_poly_frommsg(mlkem_poly *a, const uint8_t msg[MLKEM_MSG_BYTES]);
void mlkem_poly_tomsg(uint8_t msg[MLKEM_MSG_BYTES], const mlkem_poly *a);

/* ---- mlkem_xof.c: SHAKE128 as the XOF of FIPS 203 s.4.1 ---- */

#define MLKEM_XOF_RATE 168 /* SHAKE128 block: 1344 bits */

typedef struct {
    struct sha3_state state;
} mlkem_xof;

/* XOF.Init + XOF.Absorb(rho || a || b), all input in one call as SampleNTT uses it. */
void mlkem_xof_absorb(mlkem_xof *x, const uint8_t rho[32], uint8_t a, uint8_t b);
/* XOF.Squeeze of n whole blocks (n * 168 bytes). */
void mlkem_xof_squeeze_blocks(mlkem_xof *x, uint8_t *out, size_t n);

/* ---- mlkem_sample.c: sampling and the hash functions (FIPS 203 s.4.1, s.4.2.2) ---- */

/* SampleNTT(rho || a || b) (Algorithm 7): a uniform polynomial in the NTT domain. rho is
 * public: the rejection loop branches on it. */
void mlkem_sample_ntt(mlkem_poly *a, const uint8_t rho[32], uint8_t a_byte, uint8_t b_byte);
/* SamplePolyCBD_2(PRF_2(sigma, n)) (Algorithm 8): coefficients in [-2, 2]. */
void mlkem_sample_cbd2(mlkem_poly *a, const uint8_t sigma[32], uint8_t n);
/* H = SHA3-256, G = SHA3-512 (out is 64 bytes: the two 32-byte halves), J = SHAKE256 to
 * 32 bytes over two inputs (z || c). */
void mlkem_hash_h(uint8_t out[32], const uint8_t *in, size_t len);
void mlkem_hash_g(uint8_t out[64], const uint8_t *a, size_t a_len, const uint8_t *b,
                  size_t b_len);
void mlkem_hash_j(uint8_t out[32], const uint8_t z[32], const uint8_t *c, size_t c_len);

/* ---- mlkem_kpke.c: K-PKE (FIPS 203 s.5); arrays have the sizes p gives them ---- */

/* Algorithm 13 from the 32-byte d: writes ek_PKE (p->ek_bytes) and dk_PKE (p->vec_bytes). */
void mlkem_kpke_keygen(const mlkem_params *p, uint8_t *ek, uint8_t *dk, const uint8_t d[32]);
/* Algorithm 14 with an encapsulation key that passed the modulus check. */
void mlkem_kpke_encrypt(const mlkem_params *p, uint8_t *ct, const uint8_t *ek,
                        const uint8_t m[MLKEM_MSG_BYTES], const uint8_t r[32]);
/* Algorithm 15. */
void mlkem_kpke_decrypt(const mlkem_params *p, uint8_t m[MLKEM_MSG_BYTES], const uint8_t *dk,
                        const uint8_t *ct);

/* ---- mlkem_kem.c: ML-KEM itself; arrays have the sizes p gives them ---- */

/* FIPS 203 s.7.2 modulus check of an encapsulation key (exactly p->ek_bytes): 0 if it
 * passes, -1 if not. */
int mlkem_ek_check(const mlkem_params *p, const uint8_t *ek);
/* FIPS 203 s.7.3 hash check of a decapsulation key (exactly p->dk_bytes): 0 or -1. */
int mlkem_dk_check(const mlkem_params *p, const uint8_t *dk);
/* ML-KEM.KeyGen_internal(d, z) with seed = d || z (Algorithm 16). Returns 0. */
int mlkem_keygen(const mlkem_params *p, const uint8_t seed[MLKEM_SEED_BYTES], uint8_t *ek,
                 uint8_t *dk);
/* ML-KEM.Encaps_internal(ek, m) (Algorithm 17). ek must have passed mlkem_ek_check.
 * Returns 0. */
int mlkem_encaps(const mlkem_params *p, const uint8_t *ek, const uint8_t m[MLKEM_MSG_BYTES],
                 uint8_t *ct, uint8_t ss[MLKEM_SS_BYTES]);
/* ML-KEM.Decaps_internal(dk, c) (Algorithm 18) with implicit rejection: a ciphertext that
 * does not re-encrypt to itself yields J(z || c), chosen without a branch. dk must have
 * passed mlkem_dk_check. Returns 0. */
int mlkem_decaps(const mlkem_params *p, const uint8_t *dk, const uint8_t *ct,
                 uint8_t ss[MLKEM_SS_BYTES]);

/* The same three in the provider table's form (provider.h: kem_keygen, kem_encaps,
 * kem_decaps): tlsm's own ML-KEM for either set; -1 for a value that names no set. */
int mlkem_native_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk);
int mlkem_native_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m,
                        uint8_t *ct, uint8_t *ss);
int mlkem_native_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                        uint8_t *ss);

#endif
