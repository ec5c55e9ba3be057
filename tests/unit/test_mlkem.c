/*
 * test_mlkem.c - ML-KEM-768 (FIPS 203): every Wycheproof ML-KEM-768 vector, the input
 * checks of FIPS 203 s.7.2 and s.7.3, implicit rejection, and the arithmetic underneath
 * (NTT products against schoolbook multiplication, Compress_d for every coefficient).
 *
 * The Wycheproof files run through crypto_mlkem768_* with each implementation installed
 * in turn behind the provider table: the built-in one (libsodium's where it has ML-KEM,
 * else tlsm's) and tlsm's own (mlkem768_*), which is the same one when libsodium has no
 * ML-KEM (then it runs once). Keys and messages come from the vectors through a replay
 * crypto_rng, the way TLS draws them. Each file prints its counts and must yield valid and
 * (where the file has them) invalid cases, all of them run: nothing is "not applicable".
 *
 *   mlkem_768_keygen_seed_test.json        seed -> ek, dk
 *   mlkem_768_encaps_test.json             ek, m -> c, K; keys failing the modulus check
 *                                          or of the wrong length must be refused
 *   mlkem_768_test.json                    seed -> ek; decaps(c) -> K (including random
 *                                          and bit-flipped ciphertexts: implicit rejection);
 *                                          wrong seed or ciphertext lengths refused
 *   mlkem_768_semi_expanded_decaps_test.json  expanded dk, c -> K; wrong lengths and the
 *                                          s.7.3 hash check refused
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"
#include "crypto/provider.h"
#include "wycheproof.h"

/* ------------------------------------------------------------------ helpers */

/* A crypto_rng that hands out fixed bytes and fails when asked for more than it holds. */
typedef struct {
    const uint8_t *data;
    size_t len, pos;
} replay;

static int replay_fn(void *ctx, uint8_t *out, size_t len)
{
    replay *r = ctx;
    if (len > r->len - r->pos)
        return -1;
    memcpy(out, r->data + r->pos, len);
    r->pos += len;
    return 0;
}

static int failing_fn(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx, (void)out, (void)len;
    return -1;
}

static uint8_t counter_byte;

/* A deterministic non-repeating source for round trips. */
static int counter_fn(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(counter_byte++ * 167 + 13);
    return 0;
}

static const crypto_rng counter_rng = {counter_fn, NULL};

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* The provider table with tlsm's own ML-KEM in the KEM entries. */
static crypto_provider native_table;

static const crypto_provider *native_provider(void)
{
    native_table = *crypto_provider_builtin();
    native_table.kem_name = "tlsm (native, installed by the test)";
    native_table.kem_keygen = mlkem768_keygen;
    native_table.kem_encaps = mlkem768_encaps;
    native_table.kem_decaps = mlkem768_decaps;
    return &native_table;
}

static int builtin_is_native(void)
{
    return strcmp(crypto_provider_builtin()->kem_name, "libsodium") != 0;
}

/* Runs one Wycheproof file through every implementation and checks the counts. */
static void run_all(const char *file, wycheproof_runner fn, int has_invalid)
{
    const crypto_provider *impls[2] = {crypto_provider_builtin(), native_provider()};
    int n = builtin_is_native() ? 1 : 2;
    for (int i = 0; i < n; i++) {
        crypto_provider_install(impls[i]);
        char label[128];
        snprintf(label, sizeof label, "ML-KEM-768 %s", crypto_mlkem768_backend());
        wycheproof_counts c = wycheproof_run_file(file, label, fn, "none in these files");
        cr_assert_gt(c.valid_ok, 0, "%s: no valid vector ran", file);
        cr_assert_eq(c.valid_ok + c.invalid_rejected, c.total,
                     "%s: every vector must be valid or invalid and run", file);
        if (has_invalid)
            cr_assert_gt(c.invalid_rejected, 0, "%s: no invalid vector ran", file);
    }
    crypto_provider_install(NULL);
}

/* ------------------------------------------------------------------ Wycheproof */

static outcome keygen_vector(vector *v)
{
    size_t seed_len, ek_len, dk_len;
    uint8_t *seed = wp_hex(v->test, "seed", &seed_len), *want_ek = wp_hex(v->test, "ek", &ek_len),
            *want_dk = wp_hex(v->test, "dk", &dk_len);
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN];
    replay r = {seed, seed_len, 0};
    crypto_rng rng = {replay_fn, &r};
    outcome o = OUT_REJECTED;
    if (crypto_mlkem768_keygen(&rng, ek, dk) == 0) {
        o = wp_same(ek, sizeof ek, want_ek, ek_len) && wp_same(dk, sizeof dk, want_dk, dk_len)
                ? OUT_ACCEPTED
                : OUT_WRONG_OUTPUT;
        cr_assert_eq(r.pos, seed_len, "keygen must draw exactly the 64-byte seed");
    }
    free(seed); free(want_ek); free(want_dk);
    return o;
}

Test(mlkem, wycheproof_keygen_seed)
{
    run_all("mlkem_768_keygen_seed_test.json", keygen_vector, 0);
}

static outcome encaps_vector(vector *v)
{
    size_t ek_len, m_len, c_len, k_len;
    uint8_t *ek = wp_hex(v->test, "ek", &ek_len), *m = wp_hex(v->test, "m", &m_len),
            *want_c = wp_hex(v->test, "c", &c_len), *want_k = wp_hex(v->test, "K", &k_len);
    uint8_t ct[CRYPTO_MLKEM768_CT_LEN], ss[CRYPTO_MLKEM768_SS_LEN];
    replay r = {m, m_len, 0};
    crypto_rng rng = {replay_fn, &r};
    memset(ss, 0xaa, sizeof ss);
    outcome o = OUT_REJECTED;
    if (crypto_mlkem768_encaps(&rng, ek, ek_len, ct, ss) == 0)
        o = wp_same(ct, sizeof ct, want_c, c_len) && wp_same(ss, sizeof ss, want_k, k_len)
                ? OUT_ACCEPTED
                : OUT_WRONG_OUTPUT;
    else
        cr_assert(all_zero(ss, sizeof ss), "a refused encapsulation leaves ss zero");
    free(ek); free(m); free(want_c); free(want_k);
    return o;
}

Test(mlkem, wycheproof_encaps)
{
    run_all("mlkem_768_encaps_test.json", encaps_vector, 1);
}

/* mlkem_768_test.json: the decapsulation key is derived from the seed (when its length is
 * right), the encapsulation key compared when given, then c decapsulated. */
static outcome decaps_vector(vector *v)
{
    size_t seed_len, c_len, k_len, ek_len = 0;
    uint8_t *seed = wp_hex(v->test, "seed", &seed_len), *c = wp_hex(v->test, "c", &c_len),
            *want_k = wp_hex(v->test, "K", &k_len), *want_ek = NULL;
    if (json_get(v->test, "ek") != NULL)
        want_ek = wp_hex(v->test, "ek", &ek_len);
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN], ss[CRYPTO_MLKEM768_SS_LEN];
    outcome o = OUT_REJECTED;
    if (crypto_mlkem768_keygen_from_seed(seed, seed_len, ek, dk) == 0) {
        if (want_ek != NULL && !wp_same(ek, sizeof ek, want_ek, ek_len))
            o = OUT_WRONG_OUTPUT;
        else if (crypto_mlkem768_decaps(dk, sizeof dk, c, c_len, ss) == 0)
            o = wp_same(ss, sizeof ss, want_k, k_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
        else
            cr_assert(all_zero(ss, sizeof ss), "a refused decapsulation leaves ss zero");
    }
    free(seed); free(c); free(want_k); free(want_ek);
    return o;
}

Test(mlkem, wycheproof_decaps)
{
    run_all("mlkem_768_test.json", decaps_vector, 1);
}

static outcome semi_expanded_vector(vector *v)
{
    size_t dk_len, c_len, k_len = 0;
    uint8_t *dk = wp_hex(v->test, "dk", &dk_len), *c = wp_hex(v->test, "c", &c_len),
            *want_k = NULL, ss[CRYPTO_MLKEM768_SS_LEN];
    if (json_get(v->test, "K") != NULL) /* absent for the invalid ones */
        want_k = wp_hex(v->test, "K", &k_len);
    outcome o = OUT_REJECTED;
    if (crypto_mlkem768_decaps(dk, dk_len, c, c_len, ss) == 0)
        o = wp_same(ss, sizeof ss, want_k, k_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
    else
        cr_assert(all_zero(ss, sizeof ss), "a refused decapsulation leaves ss zero");
    free(dk); free(c); free(want_k);
    return o;
}

Test(mlkem, wycheproof_semi_expanded_decaps)
{
    run_all("mlkem_768_semi_expanded_decaps_test.json", semi_expanded_vector, 1);
}

/* ------------------------------------------------------------------ KEM behaviour */

static void keypair(uint8_t ek[CRYPTO_MLKEM768_EK_LEN], uint8_t dk[CRYPTO_MLKEM768_DK_LEN])
{
    cr_assert_eq(crypto_mlkem768_keygen(&counter_rng, ek, dk), 0);
}

Test(mlkem, round_trip_and_implicit_rejection)
{
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN], ct[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ss1[32], ss2[32], rej[32];
    for (int round = 0; round < 20; round++) {
        keypair(ek, dk);
        cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, sizeof ek, ct, ss1), 0);
        cr_assert_eq(crypto_mlkem768_decaps(dk, sizeof dk, ct, sizeof ct, ss2), 0);
        cr_assert_arr_eq(ss1, ss2, 32, "round %d: the two sides disagree", round);
        /* A changed ciphertext still decapsulates, to J(z || c') (FIPS 203 Algorithm 18,
         * steps 4 and 9), never to the real key. */
        ct[round * 53 % sizeof ct] ^= (uint8_t)(1u << (round % 8));
        cr_assert_eq(crypto_mlkem768_decaps(dk, sizeof dk, ct, sizeof ct, ss2), 0);
        mlkem_hash_j(rej, dk + CRYPTO_MLKEM768_DK_LEN - 32, ct, sizeof ct);
        cr_assert_arr_eq(ss2, rej, 32, "round %d: rejection key is not J(z || c)", round);
        cr_assert_arr_neq(ss1, ss2, 32);
    }
}

Test(mlkem, keygen_is_deterministic_and_uses_the_rng)
{
    uint8_t seed[64], ek1[CRYPTO_MLKEM768_EK_LEN], dk1[CRYPTO_MLKEM768_DK_LEN];
    uint8_t ek2[CRYPTO_MLKEM768_EK_LEN], dk2[CRYPTO_MLKEM768_DK_LEN];
    for (int i = 0; i < 64; i++)
        seed[i] = (uint8_t)i;
    replay r = {seed, sizeof seed, 0};
    crypto_rng rng = {replay_fn, &r};
    cr_assert_eq(crypto_mlkem768_keygen(&rng, ek1, dk1), 0);
    cr_assert_eq(crypto_mlkem768_keygen_from_seed(seed, sizeof seed, ek2, dk2), 0);
    cr_assert_arr_eq(ek1, ek2, sizeof ek1);
    cr_assert_arr_eq(dk1, dk2, sizeof dk1);
    /* dk = dk_PKE || ek || H(ek) || z */
    cr_assert_arr_eq(dk1 + 1152, ek1, sizeof ek1);
    cr_assert_arr_eq(dk1 + 2368, seed + 32, 32);
    /* The system source gives a different key each time. */
    cr_assert_eq(crypto_mlkem768_keygen(NULL, ek2, dk2), 0);
    cr_assert_arr_neq(ek1, ek2, sizeof ek1);
}

Test(mlkem, rng_failure_and_seed_length)
{
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN], ct[CRYPTO_MLKEM768_CT_LEN],
        ss[32], seed[65] = {0};
    crypto_rng bad = {failing_fn, NULL};
    cr_assert_eq(crypto_mlkem768_keygen(&bad, ek, dk), -1);
    cr_assert_eq(crypto_mlkem768_keygen_from_seed(seed, 63, ek, dk), -1);
    cr_assert_eq(crypto_mlkem768_keygen_from_seed(seed, 65, ek, dk), -1);
    keypair(ek, dk);
    memset(ss, 0xaa, sizeof ss);
    cr_assert_eq(crypto_mlkem768_encaps(&bad, ek, sizeof ek, ct, ss), -1);
    cr_assert(all_zero(ss, sizeof ss));
}

/* FIPS 203 s.7.2: every coefficient of an encapsulation key must be below q; lengths
 * other than 1184 are refused. Each of the 768 coefficients is set to q in turn (and to
 * q - 1, which must pass), in the low and the high half of its 3-byte group. */
Test(mlkem, encapsulation_key_checks)
{
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN + 1], dk[CRYPTO_MLKEM768_DK_LEN], ct[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ss[32];
    keypair(ek, dk);
    for (int i = 0; i < 768; i++) {
        uint8_t *b = ek + 3 * (i / 2), save[3];
        memcpy(save, b, 3);
        for (int value = MLKEM_Q - 1; value <= MLKEM_Q; value++) {
            if (i % 2 == 0) {
                b[0] = (uint8_t)value;
                b[1] = (uint8_t)((b[1] & 0xf0) | (value >> 8));
            } else {
                b[1] = (uint8_t)((b[1] & 0x0f) | ((value & 0x0f) << 4));
                b[2] = (uint8_t)(value >> 4);
            }
            int want = value == MLKEM_Q ? -1 : 0;
            cr_assert_eq(crypto_mlkem768_ek_check(ek, CRYPTO_MLKEM768_EK_LEN), want,
                         "coefficient %d = %d", i, value);
            cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, CRYPTO_MLKEM768_EK_LEN, ct, ss),
                         want, "coefficient %d = %d", i, value);
        }
        memcpy(b, save, 3);
    }
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, CRYPTO_MLKEM768_EK_LEN, ct, ss), 0);
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, CRYPTO_MLKEM768_EK_LEN - 1, ct, ss), -1);
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, CRYPTO_MLKEM768_EK_LEN + 1, ct, ss), -1);
    cr_assert_eq(crypto_mlkem768_ek_check(ek, 0), -1);
}

/* FIPS 203 s.7.3: ciphertext and key lengths, and H(ek) stored in dk must match ek. */
Test(mlkem, decapsulation_checks)
{
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN + 1], ct[CRYPTO_MLKEM768_CT_LEN + 1];
    uint8_t ss[32];
    keypair(ek, dk);
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, sizeof ek, ct, ss), 0);
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN, ss), 0);
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN - 1, ss), -1);
    cr_assert(all_zero(ss, sizeof ss));
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN + 1, ss), -1);
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN - 1, ct, CRYPTO_MLKEM768_CT_LEN, ss), -1);
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN + 1, ct, CRYPTO_MLKEM768_CT_LEN, ss), -1);
    /* One flipped bit in the embedded ek or in H(ek): the hash check fails. */
    static const size_t spots[] = {1152, 1152 + 700, 2335, 2336, 2367};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        dk[spots[i]] ^= 0x10;
        cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN, ss),
                     -1, "flip at %zu", spots[i]);
        dk[spots[i]] ^= 0x10;
    }
    /* z and dk_PKE are not covered by the hash: decapsulation goes on. */
    dk[2399] ^= 1;
    cr_assert_eq(crypto_mlkem768_decaps(dk, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN, ss), 0);
}

Test(mlkem, provider_without_kem)
{
    crypto_provider bare = *crypto_provider_builtin();
    bare.kem_name = NULL;
    bare.kem_keygen = NULL;
    bare.kem_encaps = NULL;
    bare.kem_decaps = NULL;
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN], ct[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ss[32];
    keypair(ek, dk);
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, sizeof ek, ct, ss), 0);
    crypto_provider_install(&bare);
    cr_assert_str_eq(crypto_mlkem768_backend(), "none");
    cr_assert_eq(crypto_mlkem768_keygen(&counter_rng, ek, dk), -1);
    cr_assert_eq(crypto_mlkem768_encaps(&counter_rng, ek, sizeof ek, ct, ss), -1);
    cr_assert_eq(crypto_mlkem768_decaps(dk, sizeof dk, ct, sizeof ct, ss), -1);
    crypto_provider_install(NULL);
}

/* ------------------------------------------------------------------ arithmetic */

static int16_t mod_q(int32_t x)
{
    x %= MLKEM_Q;
    return (int16_t)(x < 0 ? x + MLKEM_Q : x);
}

/* The NTT, MultiplyNTTs and NTT^-1 together must compute the product in
 * Z_q[X]/(X^256 + 1); checked against schoolbook multiplication, with the vector product
 * spreading a and b over all K slots. */
Test(mlkem, ntt_product_matches_schoolbook)
{
    for (int round = 0; round < 8; round++) {
        mlkem_vec a, b;
        mlkem_poly r;
        int32_t want[MLKEM_N] = {0};
        for (int v = 0; v < MLKEM_K; v++)
            for (int i = 0; i < MLKEM_N; i++) {
                /* Noise-sized and full-range inputs, both signs, as the KEM produces. */
                a.p[v].c[i] = (int16_t)(round % 2 ? (rand() % 5) - 2 : rand() % 4096);
                b.p[v].c[i] = (int16_t)((rand() % MLKEM_Q) - MLKEM_Q / 2);
            }
        for (int v = 0; v < MLKEM_K; v++)
            for (int i = 0; i < MLKEM_N; i++)
                for (int j = 0; j < MLKEM_N; j++) {
                    int32_t p = (int32_t)mod_q(a.p[v].c[i]) * mod_q(b.p[v].c[j]) % MLKEM_Q;
                    int k = i + j;
                    want[k % MLKEM_N] += k < MLKEM_N ? p : MLKEM_Q - p; /* X^256 = -1 */
                }
        for (int v = 0; v < MLKEM_K; v++) {
            mlkem_poly_ntt(&a.p[v]);
            mlkem_poly_ntt(&b.p[v]);
        }
        mlkem_vec_basemul_acc(&r, &a, &b);
        mlkem_poly_invntt_tomont(&r);
        for (int i = 0; i < MLKEM_N; i++) {
            cr_assert_lt(abs(r.c[i]), MLKEM_Q, "bound of NTT^-1 output");
            cr_assert_eq(mod_q(r.c[i]), mod_q(want[i]), "round %d coefficient %d", round, i);
        }
    }
}

/* Compress_d without division (the KyberSlash fix) against the exact rational rounding,
 * for every residue, given in centred form as the KEM passes it; and Decompress_d. */
Test(mlkem, compress_every_coefficient)
{
    for (int base = 0; base < MLKEM_Q; base += MLKEM_N) {
        mlkem_poly a, back;
        uint8_t c1[32 * MLKEM_DU], c2[32 * MLKEM_DV], msg[32];
        for (int i = 0; i < MLKEM_N; i++) {
            int x = (base + i) % MLKEM_Q;
            a.c[i] = (int16_t)(x > MLKEM_Q / 2 ? x - MLKEM_Q : x);
        }
        mlkem_poly_compress_du(c1, &a);
        mlkem_poly_compress_dv(c2, &a);
        mlkem_poly_tomsg(msg, &a);
        mlkem_poly_decompress_du(&back, c1);
        for (int i = 0; i < MLKEM_N; i++) {
            int x = (base + i) % MLKEM_Q;
            /* round(2^d x / q) mod 2^d, halves up, in integers: floor((2^(d+1) x + q) / 2q) */
            uint32_t want10 = (uint32_t)((2048 * x + MLKEM_Q) / (2 * MLKEM_Q)) % 1024;
            uint32_t want4 = (uint32_t)((32 * x + MLKEM_Q) / (2 * MLKEM_Q)) % 16;
            uint32_t want1 = (uint32_t)((4 * x + MLKEM_Q) / (2 * MLKEM_Q)) % 2;
            int bit = 10 * i;
            uint32_t got10 = ((uint32_t)c1[bit / 8] | (uint32_t)c1[bit / 8 + 1] << 8) >> (bit % 8) & 1023;
            uint32_t got4 = (uint32_t)(c2[i / 2] >> (4 * (i % 2))) & 15;
            uint32_t got1 = (uint32_t)(msg[i / 8] >> (i % 8)) & 1;
            cr_assert_eq(got10, want10, "Compress_10(%d)", x);
            cr_assert_eq(got4, want4, "Compress_4(%d)", x);
            cr_assert_eq(got1, want1, "Compress_1(%d)", x);
            /* Decompress_10(y) = round(q y / 1024), halves up. */
            cr_assert_eq(back.c[i], (int16_t)((MLKEM_Q * (int)want10 + 512) / 1024));
        }
    }
}
