/*
 * test_mlkem_kat.c - known answers of ML-KEM-768 and ML-KEM-1024 (FIPS 203) taken from
 * Go's crypto/mlkem, an independent implementation: ML-KEM-1024 has no Wycheproof file in
 * shared/vectors, so these (with the random cases of tests/mlkem_diff) are what ties
 * tlsm's ML-KEM-1024 to the standard.
 *
 * Case c uses seed[i] = c + i (64 bytes) and m[i] = 2c + 3i (32 bytes). Each entry holds
 * SHA3-256 of the encapsulation key and of the ciphertext, the shared secret, and the
 * implicit-rejection key that decapsulating the ciphertext with its last byte's low bit
 * flipped gives. Regenerate with
 *   cd tests/mlkem_diff/go && go run . -set 768 -kat 3   (and -set 1024)
 * The test runs through crypto_mlkem_* (the provider table: libsodium's ML-KEM-768 where
 * present) and through tlsm's own code directly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"

typedef struct {
    int c;
    const char *ek_hash, *ct_hash, *ss, *rejected;
} kat;

static const kat kat_768[] = {
    {0, "a24e16d8f8f9383a95b77050f4d9fd2f5733eec1d63ef3c23ebf9918173669a7",
     "31631db3cbff14079e47dc5b6f03d902e8bafa06089efede9c995d610f1685be",
     "490a3f33ab31400f33db15480b3aef60f46d7f205ad4ef74c473deaf0c12443c",
     "a360038e8035aa4691f98633613bf76583a20136ff5cfb7641ab5d03ec9a7524"},
    {1, "d0856bf2bc25822831ef54264bee3f9774934802ffceb9e8b4fd82e6b01cc26e",
     "51f93f16fb69472563a5139a247c83eab9979fde86a4d2d90748f0b3fba6a62c",
     "910e59b96d6e59122f2e52817fea4b26a52b6de5d71435b9a942ce009e558c40",
     "26e5d89de4b7e2162406d490455229cf97405ab912d2373fcec105e9f07e4ca8"},
    {2, "cbef1daa8273ad8cdc25adc67e3966bc470f7950ad8f002ae277b9d6cae1e2bb",
     "d9cbcd34b226ab799a9fb67eac3dcdc5f804d5a2126f671c6ba1a2eb43a1aa45",
     "314488b83db31aa7c9db2320244765b17dab54891b77739c1b21263e1a13fc86",
     "705d93c20ade2bcde2f6775c684cae3d101113300d158647826a73dfa4ccbe44"},
};

static const kat kat_1024[] = {
    {0, "61349e5c131a7e116a0463861d7d18663c5627c38c7147ddaadfd48acd7a4535",
     "2f1a48021393fd7e361daa85fe5701ad165a8bfa9180dcafcf857a4e258f034b",
     "f18d073ab55f138070a775fbae4f699f7390398e8124be83f15d79321df26c7f",
     "5dcfda7ba3c9c18dafd4a61632a1665a78d25c1bf71a194af9251fa7beb0405e"},
    {1, "d3e8378252cd620c5528c96d731a10d17c7624b95c43fe80224415d5a47f7d26",
     "637048478b280087f46e8997b0cf511bc6492c88bdf964080c67f0c6cafbc156",
     "b6fc4eeb2d96f8ba1433d76fd3592caf498c2f7e9863b8ba873cd7895f797142",
     "9ce0201a3c8fce4ba7d46c3ccc52169de2779bdad3f014fe01ca715d9ddd3a70"},
    {2, "a76c47e5fcb2966b0a059e9545d9b8f4880bef67876ea3e0cd17e1d044c81fd3",
     "bf84dd73966965b4ab8a323eda9453ef69cac3fd39404f9342f8451529f22a92",
     "0545af2a590e001d8cccd3a7cfd5af71a26a055fc6034e4ae129051df57eff52",
     "1508c9b3c8e657480bdf46568890a7190739e45609f3073c138fda5c995ddf02"},
};

static void from_hex(uint8_t *out, const char *hex, size_t len)
{
    cr_assert_eq(strlen(hex), 2 * len);
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* Hands out the bytes of m once (encapsulation draws 32). */
static int message_rng(void *ctx, uint8_t *out, size_t len)
{
    cr_assert_eq(len, 32);
    memcpy(out, ctx, len);
    return 0;
}

static void check(crypto_mlkem_set set, const kat *k, int through_provider)
{
    const mlkem_params *p = mlkem_params_of(set);
    uint8_t seed[64], m[32], ek[CRYPTO_MLKEM_EK_MAX], dk[CRYPTO_MLKEM_DK_MAX],
        ct[CRYPTO_MLKEM_CT_MAX], ss[32], h[32], want[32];
    for (int i = 0; i < 64; i++)
        seed[i] = (uint8_t)(k->c + i);
    for (int i = 0; i < 32; i++)
        m[i] = (uint8_t)(2 * k->c + 3 * i);
    crypto_rng with_m = {message_rng, m};
    if (through_provider) {
        cr_assert_eq(crypto_mlkem_keygen_from_seed(set, seed, sizeof seed, ek, dk), 0);
        cr_assert_eq(crypto_mlkem_encaps(set, &with_m, ek, p->ek_bytes, ct, ss), 0);
    } else {
        cr_assert_eq(mlkem_keygen(p, seed, ek, dk), 0);
        cr_assert_eq(mlkem_encaps(p, ek, m, ct, ss), 0);
    }
    mlkem_hash_h(h, ek, p->ek_bytes);
    from_hex(want, k->ek_hash, 32);
    cr_assert_arr_eq(h, want, 32, "k=%u case %d: ek", p->k, k->c);
    mlkem_hash_h(h, ct, p->ct_bytes);
    from_hex(want, k->ct_hash, 32);
    cr_assert_arr_eq(h, want, 32, "k=%u case %d: ciphertext", p->k, k->c);
    from_hex(want, k->ss, 32);
    cr_assert_arr_eq(ss, want, 32, "k=%u case %d: shared secret", p->k, k->c);

    memset(ss, 0, sizeof ss);
    if (through_provider)
        cr_assert_eq(crypto_mlkem_decaps(set, dk, p->dk_bytes, ct, p->ct_bytes, ss), 0);
    else
        cr_assert_eq(mlkem_decaps(p, dk, ct, ss), 0);
    cr_assert_arr_eq(ss, want, 32, "k=%u case %d: decapsulation", p->k, k->c);

    ct[p->ct_bytes - 1] ^= 1;
    if (through_provider)
        cr_assert_eq(crypto_mlkem_decaps(set, dk, p->dk_bytes, ct, p->ct_bytes, ss), 0);
    else
        cr_assert_eq(mlkem_decaps(p, dk, ct, ss), 0);
    from_hex(want, k->rejected, 32);
    cr_assert_arr_eq(ss, want, 32, "k=%u case %d: implicit rejection", p->k, k->c);
}

static void check_all(crypto_mlkem_set set, const kat *kats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check(set, &kats[i], 1);
        check(set, &kats[i], 0);
    }
}

Test(mlkem_kat, mlkem768_from_go)
{
    check_all(CRYPTO_MLKEM768, kat_768, sizeof kat_768 / sizeof kat_768[0]);
}

Test(mlkem_kat, mlkem1024_from_go)
{
    check_all(CRYPTO_MLKEM1024, kat_1024, sizeof kat_1024 / sizeof kat_1024[0]);
}
