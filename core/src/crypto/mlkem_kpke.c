/*
 * mlkem_kpke.c - K-PKE, the CPA-secure encryption scheme inside ML-KEM (FIPS 203 s.5):
 * KeyGen (Algorithm 13), Encrypt (Algorithm 14) and Decrypt (Algorithm 15), for the
 * parameter set p (k = 3 or 4; eta1 = eta2 = 2 in both, so SamplePolyCBD_2 serves).
 *
 * The matrix A (in the NTT domain) is never stored whole: each row (KeyGen) or column
 * (Encrypt) is sampled from rho when it is needed and folded into the product at once.
 * Secret vectors (s, e, y, e1, e2, the message polynomial) and the intermediate u, v, w
 * are wiped before returning.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"

/* The row i of A as KeyGen indexes it: A[i][j] = SampleNTT(rho || j || i) (Algorithm 13,
 * step 6), or the row i of A^T as Encrypt needs it: A^T[i][j] = A[j][i] =
 * SampleNTT(rho || i || j) (Algorithm 14, step 6 with the transposition of step 19). */
static void sample_matrix_row(mlkem_vec *row, unsigned k, const uint8_t rho[32], int i,
                              int transposed)
{
    for (int j = 0; j < (int)k; j++) {
        if (transposed)
            mlkem_sample_ntt(&row->p[j], rho, (uint8_t)i, (uint8_t)j);
        else
            mlkem_sample_ntt(&row->p[j], rho, (uint8_t)j, (uint8_t)i);
    }
}

/* K-PKE.KeyGen(d): (rho, sigma) <- G(d || k); s, e <- SamplePolyCBD_eta1(PRF(sigma, N))
 * with N = 0 .. 2k-1; t = A s + e in the NTT domain; ek = ByteEncode_12(t) || rho,
 * dk = ByteEncode_12(s). */
void mlkem_kpke_keygen(const mlkem_params *p, uint8_t *ek, uint8_t *dk, const uint8_t d[32])
{
    const int k = (int)p->k;
    const uint8_t k_byte = (uint8_t)k;
    uint8_t rho_sigma[64];
    mlkem_vec s, e, row;
    mlkem_poly t;
    mlkem_hash_g(rho_sigma, d, 32, &k_byte, 1);
    const uint8_t *rho = rho_sigma, *sigma = rho_sigma + 32;
    /* rho is derived from the secret d but published in ek: SampleNTT may branch on it. */
    MLKEM_DECLASSIFY(rho_sigma, 32);
    for (int i = 0; i < k; i++) {
        mlkem_sample_cbd2(&s.p[i], sigma, (uint8_t)i);
        mlkem_poly_ntt(&s.p[i]);
    }
    for (int i = 0; i < k; i++) {
        mlkem_sample_cbd2(&e.p[i], sigma, (uint8_t)(k + i));
        mlkem_poly_ntt(&e.p[i]);
    }
    for (int i = 0; i < k; i++) {
        sample_matrix_row(&row, p->k, rho, i, 0);
        mlkem_vec_basemul_acc(&t, &row, &s, p->k);
        mlkem_poly_tomont(&t);
        mlkem_poly_add(&t, &t, &e.p[i]);
        mlkem_poly_reduce(&t);
        mlkem_poly_tobytes(ek + i * MLKEM_POLY_BYTES, &t);
    }
    memcpy(ek + p->vec_bytes, rho, 32);
    for (int i = 0; i < k; i++)
        mlkem_poly_tobytes(dk + i * MLKEM_POLY_BYTES, &s.p[i]);
    crypto_wipe(rho_sigma, sizeof rho_sigma);
    crypto_wipe(&s, p->k * sizeof s.p[0]);
    crypto_wipe(&e, p->k * sizeof e.p[0]);
}

/* K-PKE.Encrypt(ek, m, r): y, e1, e2 from PRF(r, N) with N = 0 .. 2k;
 * u = NTT^-1(A^T y) + e1, v = NTT^-1(t^T y) + e2 + Decompress_1(m);
 * c = ByteEncode_du(Compress_du(u)) || ByteEncode_dv(Compress_dv(v)). */
void mlkem_kpke_encrypt(const mlkem_params *p, uint8_t *ct, const uint8_t *ek,
                        const uint8_t m[MLKEM_MSG_BYTES], const uint8_t r[32])
{
    const int k = (int)p->k;
    const uint8_t *rho = ek + p->vec_bytes;
    mlkem_vec t, y, col;
    mlkem_poly u, v, noise, mu;
    /* Public (a part of ek); decapsulation re-encrypts with the copy of ek inside dk. */
    MLKEM_DECLASSIFY(rho, 32);
    for (int i = 0; i < k; i++)
        mlkem_poly_frombytes(&t.p[i], ek + i * MLKEM_POLY_BYTES);
    for (int i = 0; i < k; i++) {
        mlkem_sample_cbd2(&y.p[i], r, (uint8_t)i);
        mlkem_poly_ntt(&y.p[i]);
    }
    for (int i = 0; i < k; i++) {
        sample_matrix_row(&col, p->k, rho, i, 1);
        mlkem_vec_basemul_acc(&u, &col, &y, p->k);
        mlkem_poly_invntt_tomont(&u);
        mlkem_sample_cbd2(&noise, r, (uint8_t)(k + i));
        mlkem_poly_add(&u, &u, &noise);
        mlkem_poly_reduce(&u);
        mlkem_poly_compress_du(ct + i * 32 * p->du, &u, p->du);
    }
    mlkem_vec_basemul_acc(&v, &t, &y, p->k);
    mlkem_poly_invntt_tomont(&v);
    mlkem_sample_cbd2(&noise, r, (uint8_t)(2 * k));
    mlkem_poly_add(&v, &v, &noise);
    mlkem_poly_frommsg(&mu, m);
    mlkem_poly_add(&v, &v, &mu);
    mlkem_poly_reduce(&v);
    mlkem_poly_compress_dv(ct + p->c1_bytes, &v, p->dv);
    crypto_wipe(&y, p->k * sizeof y.p[0]);
    crypto_wipe(&u, sizeof u);
    crypto_wipe(&v, sizeof v);
    crypto_wipe(&noise, sizeof noise);
    crypto_wipe(&mu, sizeof mu);
}

/* K-PKE.Decrypt(dk, c): u' = Decompress_du(c1), v' = Decompress_dv(c2),
 * w = v' - NTT^-1(s^T NTT(u')), m = ByteEncode_1(Compress_1(w)). */
void mlkem_kpke_decrypt(const mlkem_params *p, uint8_t m[MLKEM_MSG_BYTES], const uint8_t *dk,
                        const uint8_t *ct)
{
    const int k = (int)p->k;
    mlkem_vec s, u;
    mlkem_poly v, w;
    for (int i = 0; i < k; i++) {
        mlkem_poly_decompress_du(&u.p[i], ct + i * 32 * p->du, p->du);
        mlkem_poly_ntt(&u.p[i]);
    }
    mlkem_poly_decompress_dv(&v, ct + p->c1_bytes, p->dv);
    for (int i = 0; i < k; i++)
        mlkem_poly_frombytes(&s.p[i], dk + i * MLKEM_POLY_BYTES);
    mlkem_vec_basemul_acc(&w, &s, &u, p->k);
    mlkem_poly_invntt_tomont(&w);
    mlkem_poly_sub(&w, &v, &w);
    mlkem_poly_reduce(&w);
    mlkem_poly_tomsg(m, &w);
    crypto_wipe(&s, p->k * sizeof s.p[0]);
    crypto_wipe(&w, sizeof w);
}
