/*
 * test_wycheproof.c - runs the Project Wycheproof vectors (../shared/vectors/wycheproof)
 * through tlsm's crypto API exactly as TLS uses it, one Criterion test per file.
 *
 * Every vector labelled "valid" must be accepted and give the expected output; every
 * "invalid" one must be rejected. Policy for "acceptable" (inputs that are legal but weak
 * or unusual, e.g. X25519 twist points, a compressed P-256 point): the vector is run and
 * counted as accepted or rejected, and either outcome passes, with two exceptions:
 *   - when the API accepts, the output must still be the expected one (never wrong);
 *   - X25519 inputs whose shared secret is all zeros must be rejected whatever the label,
 *     because TLS requires it (RFC 8446 s.7.4.2, RFC 7748 s.6.1).
 * Vectors that use parameters TLS never does are counted as "not applicable" and skipped:
 * AES-GCM with a nonce other than 96 bits, a tag other than 128 bits or a 192-bit key;
 * RSA-PSS with a salt length other than the hash length or a different MGF1 hash.
 * Each file prints: "wycheproof <file>: N valid ok, N invalid rejected, N acceptable
 * (policy: ...), N not applicable". The file runner is tests/common/wycheproof.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "wycheproof.h"

static void run_file(const char *name, wycheproof_runner fn, const char *policy)
{
    (void)wycheproof_run_file(name, NULL, fn, policy);
}

/* ------------------------------------------------------------------ AEAD */

static outcome aead_vector(vector *v, int chacha)
{
    int iv_bits = (int)json_num(json_get(v->group, "ivSize"));
    int tag_bits = (int)json_num(json_get(v->group, "tagSize"));
    int key_bits = (int)json_num(json_get(v->group, "keySize"));
    if (iv_bits != 96 || tag_bits != 128 || (!chacha && key_bits != 128 && key_bits != 256))
        return OUT_NOT_APPLICABLE;
    aead_alg alg = chacha ? AEAD_CHACHA20_POLY1305 : key_bits == 128 ? AEAD_AES128_GCM : AEAD_AES256_GCM;
    size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
    uint8_t *key = wp_hex(v->test, "key", &key_len), *iv = wp_hex(v->test, "iv", &iv_len),
            *aad = wp_hex(v->test, "aad", &aad_len), *msg = wp_hex(v->test, "msg", &msg_len),
            *ct = wp_hex(v->test, "ct", &ct_len), *tag = wp_hex(v->test, "tag", &tag_len);
    cr_assert_eq(key_len, crypto_aead_key_len(alg));
    cr_assert_eq(iv_len, 12);
    uint8_t *sealed = malloc(ct_len + 16), *out = malloc(ct_len + 16);
    memcpy(sealed, ct, ct_len);
    memcpy(sealed + ct_len, tag, tag_len);
    crypto_aead_ctx ctx;
    cr_assert_eq(crypto_aead_init(&ctx, alg, key), 0);
    outcome o = OUT_REJECTED;
    if (crypto_aead_open(&ctx, iv, aad, aad_len, sealed, ct_len + tag_len, out) == 0) {
        o = wp_same(out, ct_len, msg, msg_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
        /* What we accept we must also produce: sealing msg gives the same bytes. */
        crypto_aead_seal(&ctx, iv, aad, aad_len, msg, msg_len, out);
        if (!wp_same(out, msg_len + 16, sealed, ct_len + tag_len))
            o = OUT_WRONG_OUTPUT;
    }
    crypto_aead_wipe(&ctx);
    free(key); free(iv); free(aad); free(msg); free(ct); free(tag); free(sealed); free(out);
    return o;
}

static outcome gcm_vector(vector *v) { return aead_vector(v, 0); }
static outcome chacha_vector(vector *v) { return aead_vector(v, 1); }

Test(wycheproof, aes_gcm)
{
    run_file("aes_gcm_test.json", gcm_vector, "either outcome; none in this file");
}

Test(wycheproof, chacha20_poly1305)
{
    run_file("chacha20_poly1305_test.json", chacha_vector, "either outcome; none in this file");
}

/* ------------------------------------------------------------------ key exchange */

static outcome x25519_vector(vector *v)
{
    size_t pub_len, priv_len, shared_len, len = 0;
    uint8_t *pub = wp_hex(v->test, "public", &pub_len),
            *priv = wp_hex(v->test, "private", &priv_len),
            *want = wp_hex(v->test, "shared", &shared_len), out[32];
    static const uint8_t zero[32];
    cr_assert_eq(priv_len, 32);
    v->must_reject = wp_same(want, shared_len, zero, 32);
    outcome o = OUT_REJECTED;
    if (crypto_kex_shared(TLSM_GROUP_X25519, priv, pub, pub_len, out, &len) == 0)
        o = wp_same(out, len, want, shared_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
    free(pub); free(priv); free(want);
    return o;
}

Test(wycheproof, x25519)
{
    run_file("x25519_test.json", x25519_vector,
             "either outcome, but an all-zero shared secret must be rejected");
}

static outcome ecdh_vector(vector *v)
{
    const char *curve = wp_str(v->group, "curve");
    uint16_t group = strcmp(curve, "secp256r1") == 0 ? TLSM_GROUP_SECP256R1 : TLSM_GROUP_SECP384R1;
    size_t n = group == TLSM_GROUP_SECP256R1 ? 32 : 48;
    size_t pub_len, priv_len, shared_len, len = 0;
    uint8_t *pub = wp_hex(v->test, "public", &pub_len),
            *priv = wp_hex(v->test, "private", &priv_len),
            *want = wp_hex(v->test, "shared", &shared_len), scalar[48] = { 0 }, out[48];
    /* Wycheproof writes the scalar as a DER integer value (maybe with a sign byte); the
     * key_share code holds it as a fixed-size big-endian string. */
    size_t skip = 0;
    while (priv_len - skip > n && priv[skip] == 0)
        skip++;
    cr_assert_leq(priv_len - skip, n);
    memcpy(scalar + n - (priv_len - skip), priv + skip, priv_len - skip);
    outcome o = OUT_REJECTED;
    if (crypto_kex_shared(group, scalar, pub, pub_len, out, &len) == 0)
        o = wp_same(out, len, want, shared_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
    free(pub); free(priv); free(want);
    return o;
}

Test(wycheproof, ecdh_secp256r1_ecpoint)
{
    run_file("ecdh_secp256r1_ecpoint_test.json", ecdh_vector,
             "either outcome; TLS 1.3 key shares are uncompressed only, so compressed points are rejected");
}

Test(wycheproof, ecdh_secp384r1_ecpoint)
{
    run_file("ecdh_secp384r1_ecpoint_test.json", ecdh_vector,
             "either outcome; TLS 1.3 key shares are uncompressed only, so compressed points are rejected");
}

/* ------------------------------------------------------------------ signatures */

static sig_alg sig_for(const char *scheme, const char *sha)
{
    int h = strcmp(sha, "SHA-256") == 0 ? 0 : strcmp(sha, "SHA-384") == 0 ? 1
          : strcmp(sha, "SHA-512") == 0 ? 2 : -1;
    cr_assert_geq(h, 0, "unexpected hash %s", sha);
    if (strcmp(scheme, "ecdsa") == 0)
        return (sig_alg)(SIG_ECDSA_SHA256 + h);
    if (strcmp(scheme, "pss") == 0)
        return (sig_alg)(SIG_RSA_PSS_SHA256 + h);
    return (sig_alg)(SIG_RSA_PKCS1_SHA256 + h);
}

static outcome verify_vector(vector *v, sig_alg alg, const crypto_pubkey *pk)
{
    size_t msg_len, sig_len;
    uint8_t *msg = wp_hex(v->test, "msg", &msg_len), *sig = wp_hex(v->test, "sig", &sig_len);
    outcome o = crypto_verify(alg, pk, msg, msg_len, sig, sig_len) == 0 ? OUT_ACCEPTED : OUT_REJECTED;
    free(msg);
    free(sig);
    return o;
}

static outcome ecdsa_vector(vector *v)
{
    const json_value *key = json_get(v->group, "publicKey");
    const char *curve = wp_str(key, "curve");
    size_t point_len;
    uint8_t *point = wp_hex(key, "uncompressed", &point_len);
    crypto_pubkey pk = { .type = strcmp(curve, "secp256r1") == 0 ? PK_EC_P256 : PK_EC_P384,
                         .point = point, .point_len = point_len };
    outcome o = verify_vector(v, sig_for("ecdsa", wp_str(v->group, "sha")), &pk);
    free(point);
    return o;
}

Test(wycheproof, ecdsa_secp256r1_sha256)
{
    run_file("ecdsa_secp256r1_sha256_test.json", ecdsa_vector, "either outcome; none in this file");
}

Test(wycheproof, ecdsa_secp384r1_sha384)
{
    run_file("ecdsa_secp384r1_sha384_test.json", ecdsa_vector, "either outcome; none in this file");
}

static outcome ed25519_vector(vector *v)
{
    size_t pk_len;
    uint8_t *raw = wp_hex(json_get(v->group, "publicKey"), "pk", &pk_len);
    crypto_pubkey pk = { .type = PK_ED25519, .point = raw, .point_len = pk_len };
    outcome o = verify_vector(v, SIG_ED25519, &pk);
    free(raw);
    return o;
}

Test(wycheproof, ed25519)
{
    run_file("ed25519_test.json", ed25519_vector, "either outcome; none in this file");
}

static outcome rsa_vector(vector *v, const char *scheme)
{
    const char *sha = wp_str(v->group, "sha");
    if (strcmp(scheme, "pss") == 0) {
        int hlen = strcmp(sha, "SHA-256") == 0 ? 32 : strcmp(sha, "SHA-384") == 0 ? 48 : 64;
        if ((int)json_num(json_get(v->group, "sLen")) != hlen ||
            strcmp(wp_str(v->group, "mgf"), "MGF1") != 0 ||
            strcmp(wp_str(v->group, "mgfSha"), sha) != 0)
            return OUT_NOT_APPLICABLE;
    }
    const json_value *key = json_get(v->group, "publicKey");
    size_t n_len, e_len;
    uint8_t *n = wp_hex(key, "modulus", &n_len), *e = wp_hex(key, "publicExponent", &e_len);
    crypto_pubkey pk = { .type = PK_RSA, .n = n, .n_len = n_len, .e = e, .e_len = e_len };
    outcome o = verify_vector(v, sig_for(scheme, sha), &pk);
    free(n);
    free(e);
    return o;
}

static outcome pss_vector(vector *v) { return rsa_vector(v, "pss"); }
static outcome pkcs1_vector(vector *v) { return rsa_vector(v, "pkcs1"); }

Test(wycheproof, rsa_pss_2048_sha256_mgf1_32)
{
    run_file("rsa_pss_2048_sha256_mgf1_32_test.json", pss_vector, "either outcome; none in this file");
}

Test(wycheproof, rsa_pss_2048_sha384_mgf1_48)
{
    run_file("rsa_pss_2048_sha384_mgf1_48_test.json", pss_vector, "either outcome; none in this file");
}

Test(wycheproof, rsa_signature_2048_sha256)
{
    run_file("rsa_signature_2048_sha256_test.json", pkcs1_vector,
             "either outcome (e.g. a NULL-less DigestInfo; tlsm builds the one encoding and rejects it)");
}

Test(wycheproof, rsa_signature_2048_sha384)
{
    run_file("rsa_signature_2048_sha384_test.json", pkcs1_vector,
             "either outcome (e.g. a NULL-less DigestInfo; tlsm builds the one encoding and rejects it)");
}

/* ------------------------------------------------------------------ RSA decryption */

static outcome rsa_decrypt_vector(vector *v)
{
    const json_value *k = json_get(v->group, "privateKey");
    size_t l[8];
    uint8_t *n = wp_hex(k, "modulus", &l[0]), *e = wp_hex(k, "publicExponent", &l[1]),
            *d = wp_hex(k, "privateExponent", &l[2]), *p = wp_hex(k, "prime1", &l[3]),
            *q = wp_hex(k, "prime2", &l[4]), *dp = wp_hex(k, "exponent1", &l[5]),
            *dq = wp_hex(k, "exponent2", &l[6]), *qi = wp_hex(k, "coefficient", &l[7]);
    crypto_privkey *key = crypto_privkey_rsa(n, l[0], e, l[1], d, l[2], p, l[3], q, l[4], dp, l[5],
                                             dq, l[6], qi, l[7]);
    cr_assert_not_null(key, "Wycheproof RSA key refused");
    size_t msg_len, ct_len;
    uint8_t *msg = wp_hex(v->test, "msg", &msg_len), *ct = wp_hex(v->test, "ct", &ct_len);
    uint8_t out[256];
    memset(out, 0xcc, sizeof out);
    /* The message length is known in advance, as for the 48-byte premaster secret. */
    outcome o = OUT_REJECTED;
    if (crypto_rsa_decrypt_pkcs1(key, NULL, ct, ct_len, out, msg_len) == 0)
        o = wp_same(out, msg_len, msg, msg_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
    else
        for (size_t i = 0; i < msg_len; i++)
            cr_assert_eq(out[i], 0xcc, "failed decryption wrote to the output");
    crypto_privkey_free(key);
    free(n); free(e); free(d); free(p); free(q); free(dp); free(dq); free(qi); free(msg); free(ct);
    return o;
}

Test(wycheproof, rsa_pkcs1_2048)
{
    run_file("rsa_pkcs1_2048_test.json", rsa_decrypt_vector, "either outcome; none in this file");
}

/* ------------------------------------------------------------------ HKDF and HMAC */

static hash_alg file_hash;

static outcome hkdf_vector(vector *v)
{
    size_t ikm_len, salt_len, info_len, okm_len;
    uint8_t *ikm = wp_hex(v->test, "ikm", &ikm_len), *salt = wp_hex(v->test, "salt", &salt_len),
            *info = wp_hex(v->test, "info", &info_len), *okm = wp_hex(v->test, "okm", &okm_len);
    size_t size = (size_t)json_num(json_get(v->test, "size"));
    uint8_t prk[CRYPTO_HASH_MAX], *out = malloc(size ? size : 1);
    /* An empty salt is a zero-length HMAC key, which HMAC pads to the same zero block. */
    crypto_hkdf_extract(file_hash, salt, salt_len, ikm, ikm_len, prk);
    outcome o = OUT_REJECTED;
    if (crypto_hkdf_expand(file_hash, prk, crypto_hash_len(file_hash), info, info_len, out, size) == 0)
        o = wp_same(out, size, okm, okm_len) ? OUT_ACCEPTED : OUT_WRONG_OUTPUT;
    free(ikm); free(salt); free(info); free(okm); free(out);
    return o;
}

Test(wycheproof, hkdf_sha256)
{
    file_hash = HASH_SHA256;
    run_file("hkdf_sha256_test.json", hkdf_vector, "either outcome; none in this file");
}

Test(wycheproof, hkdf_sha384)
{
    file_hash = HASH_SHA384;
    run_file("hkdf_sha384_test.json", hkdf_vector, "either outcome; none in this file");
}

static outcome hmac_vector(vector *v)
{
    size_t key_len, msg_len, tag_len;
    uint8_t *key = wp_hex(v->test, "key", &key_len), *msg = wp_hex(v->test, "msg", &msg_len),
            *tag = wp_hex(v->test, "tag", &tag_len), out[CRYPTO_HASH_MAX];
    size_t want = (size_t)json_num(json_get(v->group, "tagSize")) / 8;
    cr_assert_leq(want, crypto_hash_len(file_hash));
    crypto_hmac(file_hash, key, key_len, msg, msg_len, out);
    /* Truncated tags compare the leading bytes (RFC 2104 s.5). */
    outcome o = tag_len == want && crypto_ct_equal(out, tag, want) ? OUT_ACCEPTED : OUT_REJECTED;
    free(key); free(msg); free(tag);
    return o;
}

Test(wycheproof, hmac_sha256)
{
    file_hash = HASH_SHA256;
    run_file("hmac_sha256_test.json", hmac_vector, "either outcome; none in this file");
}

Test(wycheproof, hmac_sha384)
{
    file_hash = HASH_SHA384;
    run_file("hmac_sha384_test.json", hmac_vector, "either outcome; none in this file");
}
