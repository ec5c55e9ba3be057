/*
 * mlkem_params.c - the ML-KEM parameter sets tlsm implements (FIPS 203 s.8, Table 2 for
 * k, eta1, eta2, du, dv; Table 3 for the sizes): ML-KEM-768 and ML-KEM-1024. Everything
 * else in mlkem_*.c is common to both.
 */
#include "crypto/mlkem.h"

/* The sizes of FIPS 203 Table 3 from k, du and dv. */
#define MLKEM_PARAMS(set_, k_, eta1_, du_, dv_)                                            \
    {                                                                                     \
        .set = (set_), .k = (k_), .eta1 = (eta1_), .du = (du_), .dv = (dv_),             \
        .vec_bytes = (k_) * MLKEM_POLY_BYTES, .ek_bytes = (k_) * MLKEM_POLY_BYTES + 32,   \
        .dk_bytes = 2 * (k_) * MLKEM_POLY_BYTES + 96, .c1_bytes = 32 * (du_) * (k_),      \
        .ct_bytes = 32 * ((du_) * (k_) + (dv_)),                                          \
    }

const mlkem_params mlkem_params_768 = MLKEM_PARAMS(CRYPTO_MLKEM768, 3, 2, 10, 4);
const mlkem_params mlkem_params_1024 = MLKEM_PARAMS(CRYPTO_MLKEM1024, 4, 2, 11, 5);

const mlkem_params *mlkem_params_of(crypto_mlkem_set set)
{
    switch (set) {
    case CRYPTO_MLKEM768: return &mlkem_params_768;
    case CRYPTO_MLKEM1024: return &mlkem_params_1024;
    default: return NULL;
    }
}
