/*
 * test_mlkem.c - ML-KEM (FIPS 203): every Wycheproof ML-KEM-768 vector; for both
 * parameter sets (ML-KEM-768 and ML-KEM-1024) the input checks of FIPS 203 s.7.2 and
 * s.7.3, implicit rejection and round trips; and the arithmetic underneath (NTT products
 * against schoolbook multiplication for k = 3 and 4, Compress_d for every coefficient and
 * every d of either set). Known answers for both sets: test_mlkem_kat.c.
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

static const char *native_name(crypto_mlkem_set set)
{
    (void)set;
    return "tlsm (native, installed by the test)";
}

static const crypto_provider *native_provider(void)
{
    native_table = *crypto_provider_builtin();
    native_table.kem_name = native_name;
    native_table.kem_keygen = mlkem_native_keygen;
    native_table.kem_encaps = mlkem_native_encaps;
    native_table.kem_decaps = mlkem_native_decaps;
    return &native_table;
}

static int builtin_is_native(void)
{
    return strcmp(crypto_provider_builtin()->kem_name(CRYPTO_MLKEM768), "libsodium") != 0;
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

/* Every behaviour test runs for both parameter sets. */
static const crypto_mlkem_set all_sets[] = {CRYPTO_MLKEM768, CRYPTO_MLKEM1024};
#define FOR_EACH_SET(set)                                                                  \
    for (size_t set_i_ = 0; set_i_ < 2; set_i_++)                                          \
        for (crypto_mlkem_set set = all_sets[set_i_], *once_ = &set; once_; once_ = NULL)

static const char *set_name(crypto_mlkem_set set)
{
    return set == CRYPTO_MLKEM768 ? "ML-KEM-768" : "ML-KEM-1024";
}

static void keypair(crypto_mlkem_set set, uint8_t *ek, uint8_t *dk)
{
    cr_assert_eq(crypto_mlkem_keygen(set, &counter_rng, ek, dk), 0);
}

Test(mlkem, sizes_of_both_sets)
{
    /* FIPS 203 Table 3. */
    cr_assert_eq(crypto_mlkem_ek_len(CRYPTO_MLKEM768), 1184);
    cr_assert_eq(crypto_mlkem_dk_len(CRYPTO_MLKEM768), 2400);
    cr_assert_eq(crypto_mlkem_ct_len(CRYPTO_MLKEM768), 1088);
    cr_assert_eq(crypto_mlkem_ek_len(CRYPTO_MLKEM1024), 1568);
    cr_assert_eq(crypto_mlkem_dk_len(CRYPTO_MLKEM1024), 3168);
    cr_assert_eq(crypto_mlkem_ct_len(CRYPTO_MLKEM1024), 1568);
    /* Table 2, and eta1 = 2 in both: mlkem_sample_cbd2 is the only CBD tlsm has. */
    cr_assert(mlkem_params_768.k == 3 && mlkem_params_768.du == 10 && mlkem_params_768.dv == 4);
    cr_assert(mlkem_params_1024.k == 4 && mlkem_params_1024.du == 11 && mlkem_params_1024.dv == 5);
    cr_assert(mlkem_params_768.eta1 == 2 && mlkem_params_1024.eta1 == 2);
    /* A value that names no set is refused everywhere. */
    crypto_mlkem_set none = (crypto_mlkem_set)7;
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX], ct[CRYPTO_MLKEM_CT_MAX], ss[32];
    cr_assert_eq(crypto_mlkem_ek_len(none), 0);
    cr_assert_eq(crypto_mlkem_keygen(none, &counter_rng, ek, dk), -1);
    keypair(CRYPTO_MLKEM1024, ek, dk);
    cr_assert_eq(crypto_mlkem_encaps(none, &counter_rng, ek, sizeof ek, ct, ss), -1);
    cr_assert_eq(crypto_mlkem_decaps(none, dk, sizeof dk, ct, sizeof ct, ss), -1);
    cr_assert_eq(mlkem_native_keygen(none, ek, ek, dk), -1);
}

Test(mlkem, round_trip_and_implicit_rejection)
{
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX], ct[CRYPTO_MLKEM_CT_MAX];
    uint8_t ss1[32], ss2[32], rej[32];
    FOR_EACH_SET(set) {
        size_t ek_len = crypto_mlkem_ek_len(set), dk_len = crypto_mlkem_dk_len(set),
               ct_len = crypto_mlkem_ct_len(set);
        for (int round = 0; round < 20; round++) {
            keypair(set, ek, dk);
            cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss1), 0);
            cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss2), 0);
            cr_assert_arr_eq(ss1, ss2, 32, "%s round %d: the two sides disagree",
                             set_name(set), round);
            /* A changed ciphertext still decapsulates, to J(z || c') (FIPS 203
             * Algorithm 18, steps 4 and 9), never to the real key. */
            ct[round * 53 % ct_len] ^= (uint8_t)(1u << (round % 8));
            cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss2), 0);
            mlkem_hash_j(rej, dk + dk_len - 32, ct, ct_len);
            cr_assert_arr_eq(ss2, rej, 32, "%s round %d: rejection key is not J(z || c)",
                             set_name(set), round);
            cr_assert_arr_neq(ss1, ss2, 32);
        }
    }
}

Test(mlkem, keygen_is_deterministic_and_uses_the_rng)
{
    uint8_t seed[64], ek1[CRYPTO_MLKEM_EK_MAX], dk1[CRYPTO_MLKEM_DK_MAX];
    uint8_t ek2[CRYPTO_MLKEM_EK_MAX], dk2[CRYPTO_MLKEM_DK_MAX], h[32];
    for (int i = 0; i < 64; i++)
        seed[i] = (uint8_t)i;
    FOR_EACH_SET(set) {
        size_t ek_len = crypto_mlkem_ek_len(set), dk_len = crypto_mlkem_dk_len(set);
        replay r = {seed, sizeof seed, 0};
        crypto_rng rng = {replay_fn, &r};
        cr_assert_eq(crypto_mlkem_keygen(set, &rng, ek1, dk1), 0);
        cr_assert_eq(crypto_mlkem_keygen_from_seed(set, seed, sizeof seed, ek2, dk2), 0);
        cr_assert_arr_eq(ek1, ek2, ek_len);
        cr_assert_arr_eq(dk1, dk2, dk_len);
        /* dk = dk_PKE || ek || H(ek) || z, dk_PKE being 384k bytes */
        size_t vec = dk_len - ek_len - 64;
        cr_assert_eq(vec, (set == CRYPTO_MLKEM768 ? 3 : 4) * 384u);
        cr_assert_arr_eq(dk1 + vec, ek1, ek_len);
        mlkem_hash_h(h, ek1, ek_len);
        cr_assert_arr_eq(dk1 + vec + ek_len, h, 32);
        cr_assert_arr_eq(dk1 + dk_len - 32, seed + 32, 32);
        /* The system source gives a different key each time. */
        cr_assert_eq(crypto_mlkem_keygen(set, NULL, ek2, dk2), 0);
        cr_assert_arr_neq(ek1, ek2, ek_len);
    }
}

Test(mlkem, rng_failure_and_seed_length)
{
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX], ct[CRYPTO_MLKEM_CT_MAX], ss[32],
        seed[65] = {0};
    crypto_rng bad = {failing_fn, NULL};
    FOR_EACH_SET(set) {
        cr_assert_eq(crypto_mlkem_keygen(set, &bad, ek, dk), -1);
        cr_assert_eq(crypto_mlkem_keygen_from_seed(set, seed, 63, ek, dk), -1);
        cr_assert_eq(crypto_mlkem_keygen_from_seed(set, seed, 65, ek, dk), -1);
        keypair(set, ek, dk);
        memset(ss, 0xaa, sizeof ss);
        cr_assert_eq(crypto_mlkem_encaps(set, &bad, ek, crypto_mlkem_ek_len(set), ct, ss), -1);
        cr_assert(all_zero(ss, sizeof ss));
    }
}

/* FIPS 203 s.7.2: every coefficient of an encapsulation key must be below q; other
 * lengths than the set's (1184, 1568) are refused, the other set's length included. Each
 * of the 256k coefficients is set to q in turn (and to q - 1, which must pass), in the
 * low and the high half of its 3-byte group. */
Test(mlkem, encapsulation_key_checks)
{
    uint8_t ek[CRYPTO_MLKEM_EK_MAX + 1], dk[CRYPTO_MLKEM_DK_MAX], ct[CRYPTO_MLKEM_CT_MAX];
    uint8_t ss[32];
    FOR_EACH_SET(set) {
        size_t ek_len = crypto_mlkem_ek_len(set);
        int coefficients = (int)(ek_len - 32) * 2 / 3;
        keypair(set, ek, dk);
        for (int i = 0; i < coefficients; i++) {
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
                cr_assert_eq(crypto_mlkem_ek_check(set, ek, ek_len), want, "%s coefficient %d = %d",
                             set_name(set), i, value);
                cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss), want,
                             "%s coefficient %d = %d", set_name(set), i, value);
            }
            memcpy(b, save, 3);
        }
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss), 0);
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len - 1, ct, ss), -1);
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len + 1, ct, ss), -1);
        cr_assert_eq(crypto_mlkem_ek_check(set, ek, 0), -1);
        cr_assert_eq(crypto_mlkem_ek_check(set, ek, set == CRYPTO_MLKEM768 ? 1568 : 1184), -1);
    }
}

/* FIPS 203 s.7.3: ciphertext and key lengths, and H(ek) stored in dk must match ek. */
Test(mlkem, decapsulation_checks)
{
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX + 1], ct[CRYPTO_MLKEM_CT_MAX + 1];
    uint8_t ss[32];
    FOR_EACH_SET(set) {
        size_t ek_len = crypto_mlkem_ek_len(set), dk_len = crypto_mlkem_dk_len(set),
               ct_len = crypto_mlkem_ct_len(set), vec = dk_len - ek_len - 64;
        keypair(set, ek, dk);
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss), 0);
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss), 0);
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len - 1, ss), -1);
        cr_assert(all_zero(ss, sizeof ss));
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len + 1, ss), -1);
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len - 1, ct, ct_len, ss), -1);
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len + 1, ct, ct_len, ss), -1);
        /* The other set's ciphertext length (1088 vs 1568) is refused too. */
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct,
                                         set == CRYPTO_MLKEM768 ? 1568 : 1088, ss), -1);
        /* One flipped bit in the embedded ek or in H(ek): the hash check fails. */
        const size_t spots[] = {vec, vec + 700, vec + ek_len - 1, vec + ek_len, vec + ek_len + 31};
        for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
            dk[spots[i]] ^= 0x10;
            cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss), -1, "%s flip at %zu",
                         set_name(set), spots[i]);
            dk[spots[i]] ^= 0x10;
        }
        /* z and dk_PKE are not covered by the hash: decapsulation goes on. */
        dk[dk_len - 1] ^= 1;
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss), 0);
    }
}

Test(mlkem, provider_without_kem)
{
    crypto_provider bare = *crypto_provider_builtin();
    bare.kem_name = NULL;
    bare.kem_keygen = NULL;
    bare.kem_encaps = NULL;
    bare.kem_decaps = NULL;
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX], ct[CRYPTO_MLKEM_CT_MAX];
    uint8_t ss[32];
    FOR_EACH_SET(set) {
        size_t ek_len = crypto_mlkem_ek_len(set), dk_len = crypto_mlkem_dk_len(set),
               ct_len = crypto_mlkem_ct_len(set);
        keypair(set, ek, dk);
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss), 0);
        crypto_provider_install(&bare);
        cr_assert_str_eq(crypto_mlkem_backend(set), "none");
        cr_assert_eq(crypto_mlkem_keygen(set, &counter_rng, ek, dk), -1);
        cr_assert_eq(crypto_mlkem_encaps(set, &counter_rng, ek, ek_len, ct, ss), -1);
        cr_assert_eq(crypto_mlkem_decaps(set, dk, dk_len, ct, ct_len, ss), -1);
        crypto_provider_install(NULL);
    }
    /* ML-KEM-1024 is tlsm's own whatever libsodium offers. */
    cr_assert_str_eq(crypto_mlkem_backend(CRYPTO_MLKEM1024), "tlsm (FIPS 203 over Nettle SHA-3)");
}

/* ------------------------------------------------------------------ arithmetic */

static int16_t mod_q(int32_t x)
{
    x %= MLKEM_Q;
    return (int16_t)(x < 0 ? x + MLKEM_Q : x);
}

/* The NTT, MultiplyNTTs and NTT^-1 together must compute the product in
 * Z_q[X]/(X^256 + 1); checked against schoolbook multiplication, with the vector product
 * spreading a and b over all k slots, for k = 3 and 4. */
Test(mlkem, ntt_product_matches_schoolbook)
{
    for (int round = 0; round < 8; round++) {
        unsigned k = round < 4 ? 3 : 4;
        mlkem_vec a, b;
        mlkem_poly r;
        int32_t want[MLKEM_N] = {0};
        for (unsigned v = 0; v < k; v++)
            for (int i = 0; i < MLKEM_N; i++) {
                /* Noise-sized and full-range inputs, both signs, as the KEM produces. */
                a.p[v].c[i] = (int16_t)(round % 2 ? (rand() % 5) - 2 : rand() % 4096);
                b.p[v].c[i] = (int16_t)((rand() % MLKEM_Q) - MLKEM_Q / 2);
            }
        for (unsigned v = 0; v < k; v++)
            for (int i = 0; i < MLKEM_N; i++)
                for (int j = 0; j < MLKEM_N; j++) {
                    int32_t p = (int32_t)mod_q(a.p[v].c[i]) * mod_q(b.p[v].c[j]) % MLKEM_Q;
                    int n = i + j;
                    want[n % MLKEM_N] += n < MLKEM_N ? p : MLKEM_Q - p; /* X^256 = -1 */
                }
        for (unsigned v = 0; v < k; v++) {
            mlkem_poly_ntt(&a.p[v]);
            mlkem_poly_ntt(&b.p[v]);
        }
        mlkem_vec_basemul_acc(&r, &a, &b, k);
        mlkem_poly_invntt_tomont(&r);
        for (int i = 0; i < MLKEM_N; i++) {
            cr_assert_lt(abs(r.c[i]), MLKEM_Q, "bound of NTT^-1 output");
            cr_assert_eq(mod_q(r.c[i]), mod_q(want[i]), "k %u round %d coefficient %d", k, round, i);
        }
    }
}

/* Bits [d i, d i + d) of buf, least significant first (ByteEncode_d's order). */
static uint32_t bits_at(const uint8_t *buf, int i, unsigned d)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < d; b++) {
        unsigned bit = (unsigned)i * d + b;
        v |= (uint32_t)((buf[bit / 8] >> (bit % 8)) & 1) << b;
    }
    return v;
}

/* Compress_d without division (the KyberSlash fix) and its packing, against the exact
 * rational rounding, for every residue given in centred form as the KEM passes it, for
 * every d either set uses (du = 10, 11; dv = 4, 5; 1 for the message); and Decompress_d
 * of what was packed. */
Test(mlkem, compress_every_coefficient)
{
    static const unsigned ds[] = {10, 11, 4, 5, 1};
    for (size_t n = 0; n < sizeof ds / sizeof ds[0]; n++) {
        unsigned d = ds[n];
        for (int base = 0; base < MLKEM_Q; base += MLKEM_N) {
            mlkem_poly a, back;
            uint8_t packed[32 * 11];
            for (int i = 0; i < MLKEM_N; i++) {
                int x = (base + i) % MLKEM_Q;
                a.c[i] = (int16_t)(x > MLKEM_Q / 2 ? x - MLKEM_Q : x);
            }
            if (d >= 10) {
                mlkem_poly_compress_du(packed, &a, d);
                mlkem_poly_decompress_du(&back, packed, d);
            } else if (d >= 4) {
                mlkem_poly_compress_dv(packed, &a, d);
                mlkem_poly_decompress_dv(&back, packed, d);
            } else {
                mlkem_poly_tomsg(packed, &a);
                mlkem_poly_frommsg(&back, packed);
            }
            for (int i = 0; i < MLKEM_N; i++) {
                int x = (base + i) % MLKEM_Q;
                /* round(2^d x / q) mod 2^d, halves up, in integers:
                 * floor((2^(d+1) x + q) / 2q) */
                uint32_t want = (uint32_t)(((2 << d) * x + MLKEM_Q) / (2 * MLKEM_Q)) % (1u << d);
                cr_assert_eq(bits_at(packed, i, d), want, "Compress_%u(%d)", d, x);
                /* Decompress_d(y) = round(q y / 2^d), halves up. */
                cr_assert_eq(back.c[i], (int16_t)((MLKEM_Q * (int)want + (1 << (d - 1))) >> d),
                             "Decompress_%u(%u)", d, want);
            }
        }
    }
}
