/*
 * test_signing_prefs.c - the schemes an identity signs with (tlsm_config_set_identity_sigalgs),
 * apart from the schemes a config accepts and offers (tlsm_config_set_sigalgs), in both
 * versions and both roles.
 *
 * What is checked: the identity's own order decides the scheme (not the config's order); a
 * scheme the config does not accept from the peer can still be used to sign; a list none of
 * whose schemes the peer accepts leaves that identity unused; between identities the place
 * of the scheme in each identity's list comes first, then the order the identities were
 * added; n = 0 restores the config's list; bad arguments are refused.
 */
#include <criterion/criterion.h>

#include "pair.h"

static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};

static const char *vname(uint16_t v)
{
    return v == TLSM_TLS13 ? "TLS 1.3" : "TLS 1.2";
}

static void set_version(pair *p, uint16_t v)
{
    for (int i = 0; i < 2; i++)
        cr_assert_eq(tlsm_config_set_versions(p->side[i].cfg, v, v), 0);
}

/* Handshakes and returns the scheme the side `verifier` saw the peer sign with. */
static uint16_t signed_with(pair *p, int verifier, uint16_t v)
{
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(pair_handshake(p), 0, "%s: %s / %s", vname(v), pair_reason(p->side[0].conn),
                 pair_reason(p->side[1].conn));
    return tlsm_conn_peer_sigalg(p->side[verifier].conn);
}

/* A pair where the server holds an RSA identity with the scheme list `mine` (n 0: none of
 * its own) and the client accepts `theirs` (n 0: the default list). */
static uint16_t rsa_server_signs(uint16_t v, const uint16_t *mine, size_t n,
                                 const uint16_t *theirs, size_t n_theirs, uint64_t seed)
{
    pair p;
    pair_init(&p, &(pair_opts){.sigalgs = theirs, .n_sigalgs = n_theirs},
              &(pair_opts){.key = PAIR_KEY_RSA}, seed);
    set_version(&p, v);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(p.side[PAIR_SERVER].cfg, 0, mine, n), 0);
    uint16_t got = signed_with(&p, PAIR_CLIENT, v);
    pair_free(&p);
    return got;
}

/* The server's RSA identity prefers SHA-512 then SHA-384 PSS; by default it would take
 * rsa_pss_rsae_sha256 (the config list's first RSA scheme). */
Test(signing_prefs, identity_order_decides)
{
    static const uint16_t mine[] = {TLSM_SIG_RSA_PSS_RSAE_SHA512, TLSM_SIG_RSA_PSS_RSAE_SHA384};
    static const uint16_t no512[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256, TLSM_SIG_RSA_PSS_RSAE_SHA384};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        uint16_t v = versions[i];
        cr_assert_eq(rsa_server_signs(v, NULL, 0, NULL, 0, 71), TLSM_SIG_RSA_PSS_RSAE_SHA256);
        cr_assert_eq(rsa_server_signs(v, mine, 2, NULL, 0, 72), TLSM_SIG_RSA_PSS_RSAE_SHA512,
                     "%s", vname(v));
        /* A client that does not accept SHA-512 gets the identity's next scheme. */
        cr_assert_eq(rsa_server_signs(v, mine, 2, no512, 2, 73), TLSM_SIG_RSA_PSS_RSAE_SHA384,
                     "%s", vname(v));
    }
}

/* Signing and accepting are separate: a server that accepts only ECDSA from clients (its
 * signature_algorithms list) still signs with RSA-PSS for its RSA identity when that
 * identity lists it; and with a client certificate, the client signs with its identity's
 * scheme while its own list (what it offers and accepts) stays the default one. */
Test(signing_prefs, signing_apart_from_accepting)
{
    static const uint16_t ecdsa_only[] = {TLSM_SIG_ECDSA_SECP256R1_SHA256};
    static const uint16_t pss256[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        for (int own_list = 0; own_list < 2; own_list++) {
            pair p;
            pair_init(&p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_RSA}, 81 + i);
            set_version(&p, versions[i]);
            tlsm_config *s = p.side[PAIR_SERVER].cfg;
            cr_assert_eq(tlsm_config_set_sigalgs(s, ecdsa_only, 1), 0);
            if (own_list) {
                cr_assert_eq(tlsm_config_set_identity_sigalgs(s, 0, pss256, 1), 0);
                cr_assert_eq(signed_with(&p, PAIR_CLIENT, versions[i]),
                             TLSM_SIG_RSA_PSS_RSAE_SHA256, "%s", vname(versions[i]));
            } else {
                /* Without a list of its own the RSA identity has no scheme. */
                pair_connect(&p, PAIR_HOST);
                cr_assert_neq(pair_handshake(&p), 0, "%s", vname(versions[i]));
            }
            pair_free(&p);
        }

        /* The client (a P-256 key) accepts only RSA-PSS from the server, yet its
         * identity signs with ECDSA, which it lists for itself. */
        static const uint16_t pss_only[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256};
        static const uint16_t ecdsa[] = {TLSM_SIG_ECDSA_SECP256R1_SHA256};
        pair p;
        pair_init(&p, &(pair_opts){.key = PAIR_KEY_CLIENT, .sigalgs = pss_only, .n_sigalgs = 1},
                  &(pair_opts){.key = PAIR_KEY_RSA, .client_auth = 2}, 91 + i);
        set_version(&p, versions[i]);
        cr_assert_eq(tlsm_config_set_identity_sigalgs(p.side[PAIR_CLIENT].cfg, 0, ecdsa, 1), 0);
        cr_assert_eq(signed_with(&p, PAIR_SERVER, versions[i]), TLSM_SIG_ECDSA_SECP256R1_SHA256,
                     "%s", vname(versions[i]));
        cr_assert_eq(signed_with(&p, PAIR_CLIENT, versions[i]), TLSM_SIG_RSA_PSS_RSAE_SHA256);
        pair_free(&p);
    }
}

/* An identity whose schemes the peer accepts none of is not used: the handshake fails
 * rather than signing with a scheme outside the identity's list. */
Test(signing_prefs, no_scheme_in_common_fails)
{
    static const uint16_t mine[] = {TLSM_SIG_RSA_PSS_RSAE_SHA512};
    static const uint16_t theirs[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256, TLSM_SIG_RSA_PKCS1_SHA256};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        pair p;
        pair_init(&p, &(pair_opts){.sigalgs = theirs, .n_sigalgs = 2},
                  &(pair_opts){.key = PAIR_KEY_RSA}, 101 + i);
        set_version(&p, versions[i]);
        cr_assert_eq(tlsm_config_set_identity_sigalgs(p.side[PAIR_SERVER].cfg, 0, mine, 1), 0);
        pair_connect(&p, PAIR_HOST);
        cr_assert_neq(pair_handshake(&p), 0, "%s", vname(versions[i]));
        const char *want = versions[i] == TLSM_TLS13 ? "CH_NO_COMMON_SIGALG" : "CH_NO_COMMON_SUITE";
        cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), want, "%s: %s",
                         vname(versions[i]), pair_reason(p.side[PAIR_SERVER].conn));
        pair_free(&p);
    }
}

/* Two identities, P-256 (index 0) and RSA (index 1). */
static void two_identities(pair *p, uint16_t v, uint64_t seed)
{
    pair_init(p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_P256}, seed);
    cr_assert_eq(pair_add_identity(p->side[PAIR_SERVER].cfg, PAIR_KEY_RSA), 0);
    set_version(p, v);
}

/* The scheme's place in each identity's list comes first, then the identities' order. */
Test(signing_prefs, between_identities)
{
    static const uint16_t p384_first[] = {TLSM_SIG_ECDSA_SECP384R1_SHA384,
                                          TLSM_SIG_ECDSA_SECP256R1_SHA256};
    static const uint16_t pss[] = {TLSM_SIG_RSA_PSS_RSAE_SHA256};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        pair p;
        two_identities(&p, versions[i], 111 + i);
        tlsm_config *s = p.side[PAIR_SERVER].cfg;
        /* The config list has ECDSA first, so by default the P-256 identity; and when
         * both identities have a scheme in first place, the first identity added. */
        cr_assert_eq(tlsm_config_set_identity_sigalgs(s, 1, pss, 1), 0);
        cr_assert_eq(signed_with(&p, PAIR_CLIENT, versions[i]), TLSM_SIG_ECDSA_SECP256R1_SHA256);
        cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), 0);
        pair_free(&p);

        /* The P-256 identity's first scheme does not fit it in TLS 1.3 (the curve is part
         * of the scheme there) while the RSA identity's first does: RSA, in 1.3. In 1.2
         * ecdsa_secp384r1_sha384 fits any curve, so P-256 keeps it. */
        two_identities(&p, versions[i], 121 + i);
        s = p.side[PAIR_SERVER].cfg;
        cr_assert_eq(tlsm_config_set_identity_sigalgs(s, 0, p384_first, 2), 0);
        cr_assert_eq(tlsm_config_set_identity_sigalgs(s, 1, pss, 1), 0);
        uint16_t got = signed_with(&p, PAIR_CLIENT, versions[i]);
        if (versions[i] == TLSM_TLS13) {
            cr_assert_eq(got, TLSM_SIG_RSA_PSS_RSAE_SHA256, "%04x", got);
            cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), 1);
        } else {
            cr_assert_eq(got, TLSM_SIG_ECDSA_SECP384R1_SHA384, "%04x", got);
            cr_assert_eq(tlsm_conn_identity(p.side[PAIR_SERVER].conn), 0);
        }
        pair_free(&p);
    }
}

Test(signing_prefs, arguments)
{
    static const uint16_t ok[] = {TLSM_SIG_ED25519};
    static const uint16_t unknown[] = {0x0201};
    static const uint16_t repeated[] = {TLSM_SIG_ED25519, TLSM_SIG_ED25519};
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert_not_null(cfg);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, ok, 1), TLSM_ERR_ARG, "no identity");
    cr_assert_eq(pair_add_identity(cfg, PAIR_KEY_ED25519), 0);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, ok, 1), 0);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 1, ok, 1), TLSM_ERR_ARG, "index");
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, unknown, 1), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, repeated, 2), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, NULL, 1), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_identity_sigalgs(cfg, 0, NULL, 0), 0);
    tlsm_config_free(cfg);
}
