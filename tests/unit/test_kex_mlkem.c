/*
 * test_kex_mlkem.c - the ML-KEM key-exchange groups behind crypto_kex_* (issue 19):
 * X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024 (draft-ietf-tls-ecdhe-mlkem)
 * and MLKEM768 and MLKEM1024 (draft-ietf-tls-mlkem). Round trips, the exact share and secret lengths, the order of
 * the two halves on the wire and in the secret (checked against each half computed on its
 * own), and the checks on a peer's share: wrong lengths, an encapsulation key failing the
 * FIPS 203 s.7.2 modulus check, a bad classical half; a changed ciphertext is implicitly
 * rejected (no error, another secret).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_spy.h"

typedef struct {
    uint16_t group, ec;
    crypto_mlkem_set set;
    size_t client_len, server_len, secret_len, ec_secret_len;
    int kem_first;
} kem_case;

static const kem_case cases[] = {
    {TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_X25519, CRYPTO_MLKEM768, 1184 + 32, 1088 + 32, 64, 32, 1},
    {TLSM_GROUP_SECP256R1MLKEM768, TLSM_GROUP_SECP256R1, CRYPTO_MLKEM768, 65 + 1184, 65 + 1088, 64,
     32, 0},
    {TLSM_GROUP_SECP384R1MLKEM1024, TLSM_GROUP_SECP384R1, CRYPTO_MLKEM1024, 97 + 1568, 97 + 1568,
     48 + 32, 48, 0},
    {TLSM_GROUP_MLKEM768, 0, CRYPTO_MLKEM768, 1184, 1088, 32, 0, 1},
    {TLSM_GROUP_MLKEM1024, 0, CRYPTO_MLKEM1024, 1568, 1568, 32, 0, 1},
};
#define N_CASES (sizeof cases / sizeof cases[0])

typedef struct {
    uint8_t priv[CRYPTO_KEX_PRIV_MAX];
    uint8_t client[CRYPTO_KEX_PUB_MAX], server[CRYPTO_KEX_PUB_MAX];
    size_t client_len, server_len;
    uint8_t s_secret[CRYPTO_KEX_SHARED_MAX], c_secret[CRYPTO_KEX_SHARED_MAX];
    size_t s_len, c_len;
} exchange;

static void run(const kem_case *k, exchange *x)
{
    memset(x, 0, sizeof *x);
    cr_assert_eq(crypto_kex_keygen(k->group, NULL, x->priv, x->client, &x->client_len), 0);
    cr_assert_eq(x->client_len, k->client_len);
    cr_assert_eq(crypto_kex_pub_len(k->group), k->client_len);
    cr_assert_eq(crypto_kex_respond(k->group, NULL, x->client, x->client_len, x->server,
                                    &x->server_len, x->s_secret, &x->s_len),
                 0);
    cr_assert_eq(x->server_len, k->server_len);
    cr_assert_eq(x->s_len, k->secret_len);
    cr_assert_eq(crypto_kex_shared(k->group, x->priv, x->server, x->server_len, x->c_secret,
                                   &x->c_len),
                 0);
    cr_assert_eq(x->c_len, k->secret_len);
    /* Our private part: the decapsulation key, then the classical key. */
    cr_assert_eq(crypto_kex_priv_len(k->group),
                 crypto_mlkem_dk_len(k->set) + (k->ec ? crypto_kex_priv_len(k->ec) : 0));
}

Test(kex_mlkem, groups_are_tls13_kems)
{
    for (size_t i = 0; i < N_CASES; i++) {
        cr_assert(crypto_kex_supported(cases[i].group));
        cr_assert(crypto_kex_is_kem(cases[i].group));
    }
    cr_assert_not(crypto_kex_is_kem(TLSM_GROUP_X25519));
    cr_assert_not(crypto_kex_is_kem(TLSM_GROUP_FFDHE2048));
}

Test(kex_mlkem, round_trip_and_layout)
{
    static exchange x;
    for (size_t i = 0; i < N_CASES; i++) {
        const kem_case *k = &cases[i];
        for (int rep = 0; rep < 3; rep++) {
            run(k, &x);
            cr_assert_eq(memcmp(x.s_secret, x.c_secret, x.s_len), 0, "%s: secrets differ",
                         tlsm_group_name(k->group));
            /* Each half on its own. */
            size_t ec_len = k->ec ? crypto_kex_pub_len(k->ec) : 0;
            const uint8_t *ct = x.server + (k->kem_first ? 0 : ec_len);
            size_t ct_len = crypto_mlkem_ct_len(k->set), dk_len = crypto_mlkem_dk_len(k->set);
            uint8_t ss[32], ec_ss[64];
            cr_assert_eq(crypto_mlkem_decaps(k->set, x.priv, dk_len, ct, ct_len, ss), 0);
            size_t kem_at = k->kem_first ? 0 : k->ec_secret_len;
            cr_assert_eq(memcmp(x.c_secret + kem_at, ss, 32), 0, "%s: the ML-KEM half",
                         tlsm_group_name(k->group));
            if (k->ec) {
                size_t n = 0;
                const uint8_t *ec_srv = x.server + (k->kem_first ? ct_len : 0);
                cr_assert_eq(crypto_kex_shared(k->ec, x.priv + dk_len, ec_srv, ec_len, ec_ss, &n),
                             0);
                cr_assert_eq(n, k->ec_secret_len);
                cr_assert_eq(memcmp(x.c_secret + (k->kem_first ? 32 : 0), ec_ss, n), 0,
                             "%s: the classical half", tlsm_group_name(k->group));
                /* The client's share carries the encapsulation key where the draft says. */
                const uint8_t *ek = x.client + (k->kem_first ? 0 : ec_len);
                cr_assert_eq(crypto_mlkem_ek_check(k->set, ek, crypto_mlkem_ek_len(k->set)), 0);
            }
        }
    }
}

Test(kex_mlkem, bad_client_shares_are_refused)
{
    static exchange x;
    for (size_t i = 0; i < N_CASES; i++) {
        const kem_case *k = &cases[i];
        run(k, &x);
        uint8_t pub[CRYPTO_KEX_PUB_MAX], ss[CRYPTO_KEX_SHARED_MAX];
        size_t pub_len = 0, ss_len = 0;
        /* One byte short, one byte long. */
        cr_assert_eq(crypto_kex_respond(k->group, NULL, x.client, x.client_len - 1, pub,
                                        &pub_len, ss, &ss_len),
                     CRYPTO_KEX_BAD_SHARE);
        uint8_t longer[CRYPTO_KEX_PUB_MAX + 1];
        memcpy(longer, x.client, x.client_len);
        longer[x.client_len] = 0;
        cr_assert_eq(crypto_kex_respond(k->group, NULL, longer, x.client_len + 1, pub, &pub_len,
                                        ss, &ss_len),
                     CRYPTO_KEX_BAD_SHARE);
        /* FIPS 203 s.7.2: the first 12-bit coefficient set to 4095 >= q = 3329. */
        size_t ek_at = k->kem_first ? 0 : (k->ec ? crypto_kex_pub_len(k->ec) : 0);
        uint8_t bad[CRYPTO_KEX_PUB_MAX];
        memcpy(bad, x.client, x.client_len);
        bad[ek_at] = 0xff;
        bad[ek_at + 1] |= 0x0f;
        cr_assert_eq(crypto_kex_respond(k->group, NULL, bad, x.client_len, pub, &pub_len, ss,
                                        &ss_len),
                     CRYPTO_KEX_BAD_SHARE, "%s: ML-KEM modulus check", tlsm_group_name(k->group));
        if (k->ec) {
            /* A classical half that is no valid share: all zeros (X25519's small-order
             * point gives an all-zero secret; not a P-256 point at all). */
            memcpy(bad, x.client, x.client_len);
            size_t ec_at = k->kem_first ? crypto_mlkem_ek_len(k->set) : 0,
                   ec_len = crypto_kex_pub_len(k->ec);
            memset(bad + ec_at, 0, ec_len);
            cr_assert_eq(crypto_kex_respond(k->group, NULL, bad, x.client_len, pub, &pub_len,
                                            ss, &ss_len),
                         CRYPTO_KEX_BAD_SHARE, "%s: classical half", tlsm_group_name(k->group));
        }
    }
}

Test(kex_mlkem, server_shares_checked_and_ciphertexts_implicitly_rejected)
{
    static exchange x;
    for (size_t i = 0; i < N_CASES; i++) {
        const kem_case *k = &cases[i];
        run(k, &x);
        uint8_t ss[CRYPTO_KEX_SHARED_MAX];
        size_t n = 0;
        cr_assert_neq(crypto_kex_shared(k->group, x.priv, x.server, x.server_len - 1, ss, &n), 0,
                      "%s: short server share", tlsm_group_name(k->group));
        /* A changed ciphertext decapsulates (implicit rejection) to another secret. */
        size_t ct_at = k->kem_first ? 0 : crypto_kex_pub_len(k->ec);
        x.server[ct_at + 100] ^= 1;
        cr_assert_eq(crypto_kex_shared(k->group, x.priv, x.server, x.server_len, ss, &n), 0);
        cr_assert_neq(memcmp(ss, x.s_secret, n), 0, "%s: the secret did not change",
                      tlsm_group_name(k->group));
    }
}

/* A share of the other parameter set's size is refused: an ML-KEM-768 key sent for
 * MLKEM1024 and the reverse (FIPS 203 s.7.2 type check), and the same for ciphertexts. */
Test(kex_mlkem, shares_of_the_other_set_are_refused)
{
    static exchange x768, x1024;
    run(&cases[3], &x768);
    run(&cases[4], &x1024);
    uint8_t pub[CRYPTO_KEX_PUB_MAX], ss[CRYPTO_KEX_SHARED_MAX];
    size_t pub_len = 0, ss_len = 0;
    cr_assert_eq(crypto_kex_respond(TLSM_GROUP_MLKEM1024, NULL, x768.client, x768.client_len,
                                    pub, &pub_len, ss, &ss_len),
                 CRYPTO_KEX_BAD_SHARE);
    cr_assert_eq(crypto_kex_respond(TLSM_GROUP_MLKEM768, NULL, x1024.client, x1024.client_len,
                                    pub, &pub_len, ss, &ss_len),
                 CRYPTO_KEX_BAD_SHARE);
    cr_assert_neq(crypto_kex_shared(TLSM_GROUP_MLKEM1024, x1024.priv, x768.server,
                                    x768.server_len, ss, &ss_len),
                  0);
    cr_assert_neq(crypto_kex_shared(TLSM_GROUP_MLKEM768, x768.priv, x1024.server,
                                    x1024.server_len, ss, &ss_len),
                  0);
}

/* A client share of the wrong length is refused before any key generation or
 * encapsulation (cheap checks first), for a classical group and a hybrid one; the
 * classical half of a hybrid share of the right length still gets its point checked. */
Test(kex_mlkem, wrong_length_share_costs_no_keygen)
{
    static const uint16_t groups[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1,
                                      TLSM_GROUP_X25519MLKEM768};
    static uint8_t peer[CRYPTO_KEX_PUB_MAX + 1], pub[CRYPTO_KEX_PUB_MAX];
    uint8_t shared[CRYPTO_KEX_SHARED_MAX];
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        size_t want = crypto_kex_pub_len(groups[i]);
        for (int d = -1; d <= 1; d += 2) {
            size_t pub_len = 0, shared_len = 0;
            spy_install();
            int rc = crypto_kex_respond(groups[i], NULL, peer, want + (size_t)d, pub, &pub_len,
                                        shared, &shared_len);
            cr_assert_eq(rc, CRYPTO_KEX_BAD_SHARE, "group %04x len %zu", groups[i], want + d);
            cr_assert_eq(spy.kex_public + spy.kex_shared, 0, "group %04x: %zu keygens",
                         groups[i], spy.kex_public);
            spy_uninstall();
        }
    }
}

static int failing_rng(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    (void)out;
    (void)len;
    return -1;
}

/* An rng failure while answering a good hybrid share is CRYPTO_KEX_FAILED (the server
 * reports R_RNG), not a bad share blamed on the client (illegal_parameter). */
Test(kex_mlkem, rng_failure_is_not_a_bad_share)
{
    static uint8_t priv[CRYPTO_KEX_PRIV_MAX], client[CRYPTO_KEX_PUB_MAX], pub[CRYPTO_KEX_PUB_MAX];
    uint8_t shared[CRYPTO_KEX_SHARED_MAX];
    size_t client_len = 0, pub_len = 0, shared_len = 0;
    cr_assert_eq(crypto_kex_keygen(TLSM_GROUP_X25519MLKEM768, NULL, priv, client, &client_len), 0);
    crypto_rng bad = {failing_rng, NULL};
    cr_assert_eq(crypto_kex_respond(TLSM_GROUP_X25519MLKEM768, &bad, client, client_len, pub,
                                    &pub_len, shared, &shared_len),
                 CRYPTO_KEX_FAILED);
}
