/*
 * test_crypto.c - unit tests of the crypto provider (core/src/crypto): known-answer tests
 * from the RFCs that define each primitive, round trips, and the failure paths callers rely
 * on (tag and signature tampering, invalid public values, key/algorithm mismatches).
 * Wycheproof's larger edge-case corpus is run separately by test_wycheproof.c.
 *
 * The RSA key below was generated for this test (openssl genrsa 2048); its modulus is
 * written with the DER sign byte (a leading zero) on purpose.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/provider.h"
#include "hex.h"

static const char rsa_n_hex[] =
    "009fe04784034fa191bf4a19f3457f683d535ada36981172823dab77088aca83"
    "929d98bced643fd32072ee565a4d4aa07650f86efad2b5369a883452ab91f225"
    "cfb2499fe58caf3f898f82ae6f78f9c3ded7d2c86dec8f8a6a90137a09fe3340"
    "48591f6030365ab79f53e4673bb4f1f4b0babb617ed64c1c19a8f4ca026d3be3"
    "a4c316ec1f31e6e56bc9d2b6317de669b3eea44fdb938dfe4106c7e4c6507e32"
    "7b56be344b82afa78a55eb16617e362704827dcc9b9c4bbcefc86c1432f78136"
    "64a24df0b217d6acf2eef1900a20fee7318073201f537dc5f37645c9c56f260d"
    "2efda7e40a6b137d15282825b10ac4b8a250ebd7529c5399c16b7ed94f68f733"
    "e3";
static const char rsa_d_hex[] =
    "3951b74238cfad7d2c287c9a5021e83508740bc5440b09537199ce80f505bb5b"
    "6efe4a4a1045a3c3c000fc5bbed751256a4d4fb8c49facb685bbc0a1fb9ee5f8"
    "8b92c2ed915d6979bfc69a14a43a6403babc3b18d215fa89cf22f47fadb0214d"
    "6f0a853973db5d7715a44f70c4247556817459f5980e4c8ad49d02ea10d0c682"
    "0450951fb4e19f5f9be38fab508201d96a53d6d1308983ce83e30a4a13db1b56"
    "31e6f80d21a288cb20ca2637e5c42fc0ce5831b325f2a72c27b3f12008dd85fd"
    "c8cf1676aa123caaacd078f027800706fcdfc17b77818a1dd6416a7a62cbbeb9"
    "2169f4fdbc014e6306f4ec0ea2fca46fd788e300f8f6da3edc990393c8fdbe51";
static const char rsa_p_hex[] =
    "00cb5d0921de8798b7f330f47aa9119676919ee515872c4e51eecc82b831cb6a"
    "550a14dcfb3cf931c65b4792c27d014d28b9444583d0a26641174d510422b69b"
    "bb20de08911a06f1b92459e05527d7e3b0fb0adfcc5d91afde6884f396911bef"
    "def29601d11a9abc0d104d264051fc3281a032d807d1a48f0bb348371127895d"
    "73";
static const char rsa_q_hex[] =
    "00c941c0409bf28369112494a5bab7a79ae8707778c255d7227c02b3e4ba3176"
    "d19d1539eac7f80e3b547e8389f48cfb7e0277e2d9537a6eebc2d44e65a95f8d"
    "f5db2ec01077ebc1bb2d9197d9b50cba868ab4823484fb6a1e5aad257b14fe61"
    "4fabdafbcdc74315d35ca76ccfc14b7db1e867dd8bb1ed1d7c46b11af15dfc33"
    "d1";
static const char rsa_dp_hex[] =
    "4b6e7df5af2a12aea0a916f5ec825692325f82cfa26cffbc0a5c975c25343383"
    "c9928589374ba377d4e1ce810f870d0cbef3a0e94cd9001ec2baee031fb12640"
    "99e761bc18b05cb6f4d1d591208f46a89de5a1af974173bf867b5233162e0ba2"
    "61cedc6ba8779eab25d1c80f71999f4e4f92ac68f20d1cf615110343fcab4a1b";
static const char rsa_dq_hex[] =
    "00c1271b8e669d1fc5ccb02101d5ebc12e08fb378e6c64da2ebc7a1390e7a9e5"
    "7153a3358cc112af05fe17d5c2a7344f8226784cfd6b02cc45f51cb1891c3f1b"
    "0de4a83fa90e8ef3c5e2fc2292cd12444a3001021dc9ab49b38c2f3513a59866"
    "6882758ec975fe4a8a2a187d73fefda6cb0253fceabf7ee4978b791a74a05116"
    "a1";
static const char rsa_qinv_hex[] =
    "0a68b55ba3491289451434d776924e579d8ee60e4061e3973558262f3b8cb020"
    "5368609676f2d178041a386755d1ddc925e559166840da0784043fac6a97956f"
    "550d209d6bba5e2460772607d20c78a25dc06872ba46ddb9f3db4e6cccd96b67"
    "41dd5ce1aef7962d3c5052c22c1e437cf4e807229f7b4db9ac9d6be4ecf83062";

/* Decodes a hex literal into buf, failing the test on malformed input. */
static size_t unhex(const char *hex, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    cr_assert_eq(hex_decode_into(hex, buf, cap, &len), 0, "bad hex literal %s", hex);
    return len;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want_hex)
{
    uint8_t want[512];
    size_t want_len = unhex(want_hex, want, sizeof want);
    char *got_hex = hex_encode(got, len);
    cr_assert(len == want_len && memcmp(got, want, len) == 0, "got %s, want %s", got_hex, want_hex);
    free(got_hex);
}

/* A deterministic rng: returns bytes from a script, then fails once the script runs out. */
typedef struct {
    const uint8_t *data;
    size_t len, pos;
    int calls;
} script_rng;

static int script_fn(void *ctx, uint8_t *out, size_t len)
{
    script_rng *s = ctx;
    s->calls++;
    if (s->len - s->pos < len)
        return -1;
    memcpy(out, s->data + s->pos, len);
    s->pos += len;
    return 0;
}

static int failing_fn(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    (void)out;
    (void)len;
    return -1;
}

/* ------------------------------------------------------------------ hashes */

Test(hash, sha2_known_answers)
{
    const uint8_t *abc = (const uint8_t *)"abc";
    uint8_t out[64];
    crypto_hash(HASH_SHA256, abc, 3, out);
    assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_hash(HASH_SHA384, abc, 3, out);
    assert_hex(out, 48, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                        "8086072ba1e7cc2358baeca134c825a7");
    crypto_hash(HASH_SHA512, abc, 3, out);
    assert_hex(out, 64, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    cr_assert_eq(crypto_hash_len(HASH_SHA256), 32);
    cr_assert_eq(crypto_hash_len(HASH_SHA384), 48);
    cr_assert_eq(crypto_hash_len(HASH_SHA512), 64);
}

Test(hash, incremental_and_snapshot)
{
    /* A transcript hash is snapshotted by struct assignment and then continued. */
    uint8_t a[32], b[32], whole[32];
    crypto_hash_ctx ctx, snap;
    crypto_hash_init(&ctx, HASH_SHA256);
    crypto_hash_update(&ctx, (const uint8_t *)"a", 1);
    crypto_hash_update(&ctx, NULL, 0);
    snap = ctx;
    crypto_hash_update(&ctx, (const uint8_t *)"bc", 2);
    crypto_hash_final(&ctx, a);
    crypto_hash_final(&snap, b);
    assert_hex(a, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_hash(HASH_SHA256, (const uint8_t *)"a", 1, whole);
    cr_assert(memcmp(b, whole, 32) == 0, "snapshot diverged from its source");
}

Test(hash, hmac_rfc4231_case2)
{
    const uint8_t *key = (const uint8_t *)"Jefe", *msg = (const uint8_t *)"what do ya want for nothing?";
    uint8_t out[64];
    crypto_hmac(HASH_SHA256, key, 4, msg, 28, out);
    assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    crypto_hmac(HASH_SHA384, key, 4, msg, 28, out);
    assert_hex(out, 48, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                        "8e2240ca5e69e2c78b3239ecfab21649");
    crypto_hmac(HASH_SHA512, key, 4, msg, 28, out);
    assert_hex(out, 64, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

Test(hash, hkdf_rfc5869)
{
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    unhex("000102030405060708090a0b0c", salt, sizeof salt);
    unhex("f0f1f2f3f4f5f6f7f8f9", info, sizeof info);
    /* Test case 1. */
    crypto_hkdf_extract(HASH_SHA256, salt, sizeof salt, ikm, sizeof ikm, prk);
    assert_hex(prk, 32, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    cr_assert_eq(crypto_hkdf_expand(HASH_SHA256, prk, 32, info, sizeof info, okm, 42), 0);
    assert_hex(okm, 42, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                        "34007208d5b887185865");
    /* Test case 3: no salt (NULL means HashLen zeros) and empty info. */
    crypto_hkdf_extract(HASH_SHA256, NULL, 0, ikm, sizeof ikm, prk);
    assert_hex(prk, 32, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    cr_assert_eq(crypto_hkdf_expand(HASH_SHA256, prk, 32, NULL, 0, okm, 42), 0);
    assert_hex(okm, 42, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                        "9d201395faa4b61a96c8");
}

Test(hash, hkdf_expand_length_limit)
{
    static uint8_t out[255 * 48 + 1];
    uint8_t prk[48] = { 1 };
    cr_assert_eq(crypto_hkdf_expand(HASH_SHA384, prk, 48, NULL, 0, out, 255 * 48), 0);
    cr_assert_lt(crypto_hkdf_expand(HASH_SHA384, prk, 48, NULL, 0, out, 255 * 48 + 1), 0);
}

/* ------------------------------------------------------------------ AEAD */

Test(aead, aes128_gcm_known_answers)
{
    /* McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 1 and 2. */
    uint8_t key[16] = { 0 }, nonce[12] = { 0 }, block[16] = { 0 }, out[32];
    crypto_aead_ctx ctx;
    cr_assert_eq(crypto_aead_init(&ctx, AEAD_AES128_GCM, key), 0);
    crypto_aead_seal(&ctx, nonce, NULL, 0, NULL, 0, out);
    assert_hex(out, 16, "58e2fccefa7e3061367f1d57a4e7455a");
    crypto_aead_seal(&ctx, nonce, NULL, 0, block, 16, out);
    assert_hex(out, 32, "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
    cr_assert_eq(crypto_aead_open(&ctx, nonce, NULL, 0, out, 32, out), 0);
    cr_assert(memcmp(out, block, 16) == 0);
    crypto_aead_wipe(&ctx);
}

Test(aead, chacha20_poly1305_rfc8439)
{
    static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                             "only one tip for the future, sunscreen would be it.";
    uint8_t key[32], nonce[12], aad[12], buf[sizeof pt - 1 + 16];
    crypto_aead_ctx ctx;
    size_t n = sizeof pt - 1;
    unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", key, 32);
    unhex("070000004041424344454647", nonce, 12);
    unhex("50515253c0c1c2c3c4c5c6c7", aad, 12);
    cr_assert_eq(crypto_aead_init(&ctx, AEAD_CHACHA20_POLY1305, key), 0);
    memcpy(buf, pt, n);
    crypto_aead_seal(&ctx, nonce, aad, 12, buf, n, buf); /* in place */
    assert_hex(buf, 16, "d31a8d34648e60db7b86afbc53ef7ec2");
    assert_hex(buf + n, 16, "1ae10b594f09e26a7e902ecbd0600691");
    cr_assert_eq(crypto_aead_open(&ctx, nonce, aad, 12, buf, n + 16, buf), 0);
    cr_assert(memcmp(buf, pt, n) == 0);
}

/* Every AEAD: round trip, and each kind of tampering fails and wipes the output. */
Test(aead, tamper_rejected_and_output_wiped)
{
    const aead_alg algs[] = { AEAD_AES128_GCM, AEAD_AES256_GCM, AEAD_CHACHA20_POLY1305 };
    for (size_t a = 0; a < 3; a++) {
        uint8_t key[32], nonce[12], aad[13], msg[100], sealed[116], out[100];
        crypto_aead_ctx ctx;
        memset(key, 0x42 + (int)a, sizeof key);
        memset(nonce, 7, sizeof nonce);
        memset(aad, 3, sizeof aad);
        for (size_t i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)i;
        cr_assert_eq(crypto_aead_key_len(algs[a]), a == 0 ? 16u : 32u);
        cr_assert_eq(crypto_aead_init(&ctx, algs[a], key), 0);
        crypto_aead_seal(&ctx, nonce, aad, sizeof aad, msg, sizeof msg, sealed);
        cr_assert_eq(crypto_aead_open(&ctx, nonce, aad, sizeof aad, sealed, sizeof sealed, out), 0);
        cr_assert(memcmp(out, msg, sizeof msg) == 0, "round trip alg %zu", a);

        for (int what = 0; what < 4; what++) {
            uint8_t c[116], n2[12], ad2[13];
            memcpy(c, sealed, sizeof c);
            memcpy(n2, nonce, sizeof n2);
            memcpy(ad2, aad, sizeof ad2);
            if (what == 0) c[5] ^= 1;      /* ciphertext */
            if (what == 1) c[110] ^= 0x80; /* tag */
            if (what == 2) n2[11] ^= 1;    /* nonce */
            if (what == 3) ad2[0] ^= 1;    /* additional data */
            memset(out, 0xee, sizeof out);
            cr_assert_lt(crypto_aead_open(&ctx, n2, ad2, sizeof ad2, c, sizeof c, out), 0,
                         "alg %zu tamper %d accepted", a, what);
            for (size_t i = 0; i < sizeof out; i++)
                cr_assert_eq(out[i], 0, "alg %zu tamper %d: output not wiped", a, what);
        }
        cr_assert_lt(crypto_aead_open(&ctx, nonce, aad, sizeof aad, sealed, 15, out), 0,
                     "shorter than a tag");
        crypto_aead_wipe(&ctx);
    }
}

/* ------------------------------------------------------------------ key exchange */

Test(kex, x25519_rfc7748)
{
    uint8_t a[32], b[32], shared[32];
    size_t len = 0, pub_len = 0;
    uint8_t pub[32];
    unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a, 32);
    unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b, 32);

    /* keygen takes the private key straight from the rng, as RFC 8448 replays need. */
    script_rng s = { a, 32, 0, 0 };
    crypto_rng rng = { script_fn, &s };
    uint8_t priv[32];
    cr_assert_eq(crypto_kex_keygen(TLSM_GROUP_X25519, &rng, priv, pub, &pub_len), 0);
    cr_assert(memcmp(priv, a, 32) == 0);
    assert_hex(pub, pub_len, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

    uint8_t bob_pub[32];
    unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bob_pub, 32);
    cr_assert_eq(crypto_kex_shared(TLSM_GROUP_X25519, a, bob_pub, 32, shared, &len), 0);
    assert_hex(shared, len, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    cr_assert_eq(crypto_kex_shared(TLSM_GROUP_X25519, b, pub, 32, shared, &len), 0);
    assert_hex(shared, len, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

Test(kex, x25519_rejects_small_order_and_bad_length)
{
    uint8_t priv[32], zero[32] = { 0 }, one[32] = { 1 }, shared[32];
    size_t len;
    memset(priv, 0x11, sizeof priv);
    cr_assert_lt(crypto_kex_shared(TLSM_GROUP_X25519, priv, zero, 32, shared, &len), 0);
    cr_assert_lt(crypto_kex_shared(TLSM_GROUP_X25519, priv, one, 32, shared, &len), 0);
    cr_assert_lt(crypto_kex_shared(TLSM_GROUP_X25519, priv, one, 31, shared, &len), 0);
    cr_assert_lt(crypto_kex_shared(TLSM_GROUP_X25519, priv, one, 33, shared, &len), 0);
}

Test(kex, group_table)
{
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_X25519), 32);
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_SECP256R1), 65);
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_SECP384R1), 97);
    cr_assert_eq(crypto_kex_pub_len(0x0102), 0);
    cr_assert(!crypto_kex_supported(0x0102));
    uint8_t priv[48], pub[97];
    size_t pub_len;
    cr_assert_lt(crypto_kex_keygen(0x0102, NULL, priv, pub, &pub_len), 0);
}

/* The base point of each curve: scalar 1 must give G, and 1 * G as a peer value gives G.x. */
static const char p256_g[] = "04"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
static const char p384_g[] = "04"
    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"
    "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f";

Test(kex, nist_base_point)
{
    const uint16_t groups[] = { TLSM_GROUP_SECP256R1, TLSM_GROUP_SECP384R1 };
    const char *gens[] = { p256_g, p384_g };
    for (int i = 0; i < 2; i++) {
        size_t n = i ? 48 : 32, pub_len, len;
        uint8_t one[48] = { 0 }, pub[97], g[97], shared[48];
        one[n - 1] = 1;
        script_rng s = { one, n, 0, 0 };
        crypto_rng rng = { script_fn, &s };
        uint8_t priv[48];
        cr_assert_eq(crypto_kex_keygen(groups[i], &rng, priv, pub, &pub_len), 0);
        assert_hex(pub, pub_len, gens[i]);
        size_t g_len = unhex(gens[i], g, sizeof g);
        cr_assert_eq(crypto_kex_shared(groups[i], one, g, g_len, shared, &len), 0);
        cr_assert_eq(len, n);
        cr_assert(memcmp(shared, g + 1, n) == 0);
    }
}

Test(kex, nist_keygen_redraws_out_of_range_scalars)
{
    /* All-ones is above the P-256 group order and zero is not a scalar: both are redrawn. */
    uint8_t script[96];
    memset(script, 0xff, 32);
    memset(script + 32, 0, 32);
    memset(script + 64, 0x5a, 32);
    script_rng s = { script, sizeof script, 0, 0 };
    crypto_rng rng = { script_fn, &s };
    uint8_t priv[32], pub[65];
    size_t pub_len;
    cr_assert_eq(crypto_kex_keygen(TLSM_GROUP_SECP256R1, &rng, priv, pub, &pub_len), 0);
    cr_assert_eq(s.calls, 3);
    cr_assert(memcmp(priv, script + 64, 32) == 0);
    crypto_rng bad = { failing_fn, NULL };
    cr_assert_lt(crypto_kex_keygen(TLSM_GROUP_SECP256R1, &bad, priv, pub, &pub_len), 0);
}

Test(kex, nist_agreement_and_point_validation)
{
    const uint16_t groups[] = { TLSM_GROUP_SECP256R1, TLSM_GROUP_SECP384R1 };
    for (int i = 0; i < 2; i++) {
        uint16_t grp = groups[i];
        uint8_t a[48], b[48], pa[97], pb[97], sa[48], sb[48], bad[98];
        size_t la, lb, na, nb;
        cr_assert_eq(crypto_kex_keygen(grp, NULL, a, pa, &la), 0);
        cr_assert_eq(crypto_kex_keygen(grp, NULL, b, pb, &lb), 0);
        cr_assert_eq(la, crypto_kex_pub_len(grp));
        cr_assert_eq(crypto_kex_shared(grp, a, pb, lb, sa, &na), 0);
        cr_assert_eq(crypto_kex_shared(grp, b, pa, la, sb, &nb), 0);
        cr_assert(na == nb && memcmp(sa, sb, na) == 0, "group %04x: secrets differ", grp);

        size_t c = (lb - 1) / 2;
        memcpy(bad, pb, lb);
        bad[0] = 0x02; /* compressed form is not allowed in TLS 1.3 */
        cr_assert_lt(crypto_kex_shared(grp, a, bad, lb, sa, &na), 0);
        cr_assert_lt(crypto_kex_shared(grp, a, bad, 1 + c, sa, &na), 0);
        memcpy(bad, pb, lb);
        bad[lb - 1] ^= 1; /* y no longer on the curve */
        cr_assert_lt(crypto_kex_shared(grp, a, bad, lb, sa, &na), 0);
        memset(bad, 0, sizeof bad);
        bad[0] = 0x04; /* (0, 0): the usual stand-in for infinity */
        cr_assert_lt(crypto_kex_shared(grp, a, bad, lb, sa, &na), 0);
        cr_assert_lt(crypto_kex_shared(grp, a, bad, 1, sa, &na), 0);
        memset(bad + 1, 0xff, c); /* x >= p */
        cr_assert_lt(crypto_kex_shared(grp, a, bad, lb, sa, &na), 0);
        memcpy(bad, pb, lb);
        bad[lb] = 0;
        cr_assert_lt(crypto_kex_shared(grp, a, bad, lb + 1, sa, &na), 0);
    }
}

/* ------------------------------------------------------------------ signatures */

static crypto_privkey *test_rsa_key(void)
{
    static uint8_t n[257], d[256], p[129], q[129], dp[129], dq[129], qi[129];
    const uint8_t e[] = { 0x01, 0x00, 0x01 };
    size_t nl = unhex(rsa_n_hex, n, sizeof n), dl = unhex(rsa_d_hex, d, sizeof d),
           pl = unhex(rsa_p_hex, p, sizeof p), ql = unhex(rsa_q_hex, q, sizeof q),
           dpl = unhex(rsa_dp_hex, dp, sizeof dp), dql = unhex(rsa_dq_hex, dq, sizeof dq),
           qil = unhex(rsa_qinv_hex, qi, sizeof qi);
    crypto_privkey *k = crypto_privkey_rsa(n, nl, e, 3, d, dl, p, pl, q, ql, dp, dpl, dq, dql, qi, qil);
    cr_assert_not_null(k);
    return k;
}

static uint8_t rsa_n[257];
static size_t rsa_n_len;
static const uint8_t rsa_e[] = { 0x01, 0x00, 0x01 };

static crypto_pubkey rsa_pub(pk_type type)
{
    rsa_n_len = unhex(rsa_n_hex, rsa_n, sizeof rsa_n);
    crypto_pubkey pk = { .type = type, .n = rsa_n, .n_len = rsa_n_len, .e = rsa_e, .e_len = 3 };
    return pk;
}

/* Signs with key, verifies with pk, and checks the tampering cases. */
static void sign_verify(crypto_privkey *key, const crypto_pubkey *pk, sig_alg alg)
{
    const uint8_t msg[] = "TLS 1.3, server CertificateVerify";
    uint8_t sig[512], bad[513];
    size_t sig_len = 0;
    cr_assert(crypto_privkey_matches(key, pk), "alg %d: key does not match", alg);
    cr_assert_eq(crypto_sign(key, alg, NULL, msg, sizeof msg, sig, sizeof sig, &sig_len), 0,
                 "alg %d: sign failed", alg);
    cr_assert_leq(sig_len, crypto_privkey_sig_max(key));
    cr_assert_eq(crypto_verify(alg, pk, msg, sizeof msg, sig, sig_len), 0, "alg %d: verify", alg);
    cr_assert_lt(crypto_verify(alg, pk, msg, sizeof msg - 1, sig, sig_len), 0, "alg %d: msg", alg);
    memcpy(bad, sig, sig_len);
    bad[sig_len - 1] ^= 1;
    cr_assert_lt(crypto_verify(alg, pk, msg, sizeof msg, bad, sig_len), 0, "alg %d: sig", alg);
    memcpy(bad, sig, sig_len);
    bad[sig_len] = 0;
    cr_assert_lt(crypto_verify(alg, pk, msg, sizeof msg, bad, sig_len + 1), 0, "alg %d: +1", alg);
    cr_assert_lt(crypto_verify(alg, pk, msg, sizeof msg, sig, sig_len - 1), 0, "alg %d: -1", alg);
    cr_assert_lt(crypto_sign(key, alg, NULL, msg, sizeof msg, sig, sig_len - 1 < 8 ? 0 : 8, &sig_len),
                 0, "alg %d: tiny buffer", alg);
}

Test(sign, rsa_pkcs1_and_pss)
{
    crypto_privkey *key = test_rsa_key();
    crypto_pubkey pk = rsa_pub(PK_RSA), pss = rsa_pub(PK_RSA_PSS);
    cr_assert_eq(crypto_privkey_type(key), PK_RSA);
    cr_assert_eq(crypto_privkey_bits(key), 2048);
    cr_assert_eq(crypto_pubkey_bits(&pk), 2048);
    cr_assert_eq(crypto_privkey_sig_max(key), 256);
    const sig_alg algs[] = { SIG_RSA_PSS_SHA256, SIG_RSA_PSS_SHA384, SIG_RSA_PSS_SHA512,
                             SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA512 };
    for (size_t i = 0; i < 6; i++)
        sign_verify(key, &pk, algs[i]);
    sign_verify(key, &pss, SIG_RSA_PSS_SHA256);

    /* A PSS-only key never verifies PKCS#1 v1.5, and schemes do not cross over. */
    uint8_t sig[256];
    size_t len;
    cr_assert_eq(crypto_sign(key, SIG_RSA_PKCS1_SHA256, NULL, (const uint8_t *)"m", 1, sig, sizeof sig, &len), 0);
    cr_assert_lt(crypto_verify(SIG_RSA_PKCS1_SHA256, &pss, (const uint8_t *)"m", 1, sig, len), 0);
    cr_assert_lt(crypto_verify(SIG_RSA_PSS_SHA256, &pk, (const uint8_t *)"m", 1, sig, len), 0);
    cr_assert_lt(crypto_verify(SIG_RSA_PKCS1_SHA384, &pk, (const uint8_t *)"m", 1, sig, len), 0);
    cr_assert_lt(crypto_verify(SIG_ECDSA_SHA256, &pk, (const uint8_t *)"m", 1, sig, len), 0);
    cr_assert_lt(crypto_sign(key, SIG_ED25519, NULL, (const uint8_t *)"m", 1, sig, sizeof sig, &len), 0);

    /* A failing rng makes signing fail (PSS salt and blinding both need it). */
    crypto_rng bad = { failing_fn, NULL };
    cr_assert_lt(crypto_sign(key, SIG_RSA_PSS_SHA256, &bad, (const uint8_t *)"m", 1, sig, sizeof sig, &len), 0);
    cr_assert_lt(crypto_sign(key, SIG_RSA_PKCS1_SHA256, &bad, (const uint8_t *)"m", 1, sig, sizeof sig, &len), 0);
    crypto_privkey_free(key);
}

Test(sign, rsa_key_checks)
{
    uint8_t n[257], p[129], q[129], d[256];
    const uint8_t e[] = { 1, 0, 1 }, e1[] = { 1 };
    size_t nl = unhex(rsa_n_hex, n, sizeof n), pl = unhex(rsa_p_hex, p, sizeof p),
           ql = unhex(rsa_q_hex, q, sizeof q), dl = unhex(rsa_d_hex, d, sizeof d);
    /* q swapped for p: n != p * q. */
    cr_assert_null(crypto_privkey_rsa(n, nl, e, 3, d, dl, p, pl, p, pl, p, pl, q, ql, p, pl));
    crypto_pubkey pk = rsa_pub(PK_RSA);
    pk.e = e1;
    pk.e_len = 1;
    uint8_t sig[256] = { 1 };
    cr_assert_lt(crypto_verify(SIG_RSA_PKCS1_SHA256, &pk, (const uint8_t *)"m", 1, sig, 256), 0,
                 "e = 1 must be refused");
}

static crypto_pubkey ec_pub(crypto_privkey *key, pk_type type, uint8_t *point, const char *hex)
{
    (void)key;
    crypto_pubkey pk = { .type = type, .point = point };
    pk.point_len = unhex(hex, point, 97);
    return pk;
}

Test(sign, ecdsa_p256_p384)
{
    uint8_t one[48] = { 0 }, point[97];
    one[31] = 1;
    crypto_privkey *k256 = crypto_privkey_ec(PK_EC_P256, one, 32);
    cr_assert_not_null(k256);
    crypto_pubkey pk256 = ec_pub(k256, PK_EC_P256, point, p256_g);
    cr_assert_eq(crypto_privkey_bits(k256), 256);
    sign_verify(k256, &pk256, SIG_ECDSA_SHA256);
    sign_verify(k256, &pk256, SIG_ECDSA_SHA384);
    sign_verify(k256, &pk256, SIG_ECDSA_SHA512);

    /* Hedged nonces: the same message signs differently with fresh randomness, and the
     * same scripted randomness still gives a valid signature. */
    uint8_t s1[104], s2[104], fixed[32] = { 9 };
    size_t l1, l2;
    cr_assert_eq(crypto_sign(k256, SIG_ECDSA_SHA256, NULL, one, 8, s1, sizeof s1, &l1), 0);
    cr_assert_eq(crypto_sign(k256, SIG_ECDSA_SHA256, NULL, one, 8, s2, sizeof s2, &l2), 0);
    cr_assert(l1 != l2 || memcmp(s1, s2, l1) != 0, "two signatures are identical");
    script_rng sr = { fixed, 32, 0, 0 };
    crypto_rng rng = { script_fn, &sr };
    cr_assert_eq(crypto_sign(k256, SIG_ECDSA_SHA256, &rng, one, 8, s1, sizeof s1, &l1), 0);
    cr_assert_eq(crypto_verify(SIG_ECDSA_SHA256, &pk256, one, 8, s1, l1), 0);
    crypto_rng bad = { failing_fn, NULL };
    cr_assert_lt(crypto_sign(k256, SIG_ECDSA_SHA256, &bad, one, 8, s1, sizeof s1, &l1), 0);

    /* DER strictness: a long-form length for a short value is BER, not DER. */
    uint8_t ber[110];
    cr_assert_eq(crypto_sign(k256, SIG_ECDSA_SHA256, NULL, one, 8, s1, sizeof s1, &l1), 0);
    ber[0] = 0x30;
    ber[1] = 0x81;
    ber[2] = s1[1];
    memcpy(ber + 3, s1 + 2, l1 - 2);
    cr_assert_lt(crypto_verify(SIG_ECDSA_SHA256, &pk256, one, 8, ber, l1 + 1), 0);
    /* Bytes after s inside the SEQUENCE (its length covering them: a NULL here) are not
     * the DER encoding either, though r and s are intact (the same signature verifies). */
    cr_assert_eq(crypto_verify(SIG_ECDSA_SHA256, &pk256, one, 8, s1, l1), 0);
    cr_assert_lt(s1[1], 0x7e);
    memcpy(ber, s1, l1);
    ber[1] = (uint8_t)(s1[1] + 2);
    ber[l1] = 0x05;
    ber[l1 + 1] = 0x00;
    cr_assert_lt(crypto_verify(SIG_ECDSA_SHA256, &pk256, one, 8, ber, l1 + 2), 0);
    /* And after the SEQUENCE. */
    memcpy(ber, s1, l1);
    ber[l1] = 0x00;
    cr_assert_lt(crypto_verify(SIG_ECDSA_SHA256, &pk256, one, 8, ber, l1 + 1), 0);

    /* Wrong curve or key type. */
    crypto_pubkey as384 = pk256;
    as384.type = PK_EC_P384;
    cr_assert_lt(crypto_verify(SIG_ECDSA_SHA256, &as384, one, 8, s1, l1), 0);
    cr_assert_lt(crypto_sign(k256, SIG_RSA_PSS_SHA256, NULL, one, 8, s1, sizeof s1, &l1), 0);
    cr_assert(!crypto_privkey_matches(k256, &as384));
    crypto_privkey_free(k256);

    one[31] = 0;
    one[47] = 1;
    crypto_privkey *k384 = crypto_privkey_ec(PK_EC_P384, one, 48);
    cr_assert_not_null(k384);
    crypto_pubkey pk384 = ec_pub(k384, PK_EC_P384, point, p384_g);
    cr_assert_eq(crypto_privkey_sig_max(k384), 104);
    sign_verify(k384, &pk384, SIG_ECDSA_SHA384);
    sign_verify(k384, &pk384, SIG_ECDSA_SHA256);
    crypto_privkey_free(k384);

    uint8_t zero[32] = { 0 }, big[32];
    memset(big, 0xff, sizeof big);
    cr_assert_null(crypto_privkey_ec(PK_EC_P256, zero, 32));
    cr_assert_null(crypto_privkey_ec(PK_EC_P256, big, 32));
    cr_assert_null(crypto_privkey_ec(PK_ED25519, one, 32));
}

Test(sign, ed25519_rfc8032)
{
    uint8_t seed[32], pub[32], sig[64];
    size_t len;
    unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32);
    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub, 32);
    crypto_privkey *key = crypto_privkey_ed25519(seed);
    cr_assert_not_null(key);
    crypto_pubkey pk = { .type = PK_ED25519, .point = pub, .point_len = 32 };
    cr_assert_eq(crypto_sign(key, SIG_ED25519, NULL, NULL, 0, sig, sizeof sig, &len), 0);
    assert_hex(sig, len, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
                         "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    cr_assert_eq(crypto_verify(SIG_ED25519, &pk, NULL, 0, sig, 64), 0);
    cr_assert_eq(crypto_privkey_sig_max(key), 64);
    sign_verify(key, &pk, SIG_ED25519);
    cr_assert_lt(crypto_sign(key, SIG_ECDSA_SHA256, NULL, NULL, 0, sig, sizeof sig, &len), 0);
    pub[0] ^= 1;
    cr_assert(!crypto_privkey_matches(key, &pk));
    crypto_privkey_free(key);
}

/* ------------------------------------------------------------------ utilities */

Test(util, ct_equal_and_wipe)
{
    uint8_t a[40], b[40];
    memset(a, 7, sizeof a);
    memset(b, 7, sizeof b);
    cr_assert_eq(crypto_ct_equal(a, b, sizeof a), 1);
    b[39] = 8;
    cr_assert_eq(crypto_ct_equal(a, b, sizeof a), 0);
    cr_assert_eq(crypto_ct_equal(a, b, 0), 1);
    crypto_wipe(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        cr_assert_eq(a[i], 0);
    cr_assert_eq(crypto_init(), 0);
    cr_assert_eq(crypto_init(), 0);
}

Test(util, random_sources)
{
    uint8_t a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };
    cr_assert_eq(crypto_random(NULL, a, sizeof a), 0);
    crypto_rng sys = { NULL, NULL };
    cr_assert_eq(crypto_random(&sys, b, sizeof b), 0);
    cr_assert(memcmp(a, zero, 32) != 0 && memcmp(a, b, 32) != 0);
    crypto_rng bad = { failing_fn, NULL };
    cr_assert_lt(crypto_random(&bad, a, sizeof a), 0);
}
