/*
 * test_pss_params.c - handshake signatures honour a certificate's RSASSA-PSS parameters
 * (RFC 4055 s.1.2, issue 16 item 3), in TLS 1.3 (CertificateVerify) and TLS 1.2
 * (ServerKeyExchange, client CertificateVerify), server and client signing.
 *
 * The test PKI's server-rsapss384 key is an id-RSASSA-PSS key whose parameters restrict it
 * to SHA-384. A tlsm side holding it must choose rsa_pss_pss_sha384 although its default
 * preference lists rsa_pss_pss_sha256 first; and a peer that signs with that key under
 * rsa_pss_pss_sha256 anyway must be refused with SIG_SCHEME_PSS_PARAMS (illegal_parameter).
 * That misbehaving peer is a tlsm side whose parsed copy of its own certificate has the
 * restriction wiped from memory: it sends the real certificate and signs with SHA-256.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"
#include "pair.h"

static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};

static const char *vname(uint16_t v)
{
    return v == TLSM_TLS13 ? "TLS 1.3" : "TLS 1.2";
}

/* A pair where side `signer` holds the SHA-384-restricted PSS identity (the server always
 * has one to authenticate with; client auth is required when the client signs). */
static void pss_pair(pair *p, uint16_t v, int signer, uint64_t seed)
{
    pair_opts co = {.key = signer == PAIR_CLIENT ? PAIR_KEY_RSAPSS384 : PAIR_KEY_NONE};
    pair_opts so = {.key = signer == PAIR_SERVER ? PAIR_KEY_RSAPSS384 : PAIR_KEY_P256,
                    .client_auth = signer == PAIR_CLIENT ? 2 : 0};
    pair_init(p, &co, &so, seed);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(tlsm_config_set_versions(p->side[i].cfg, v, v), 0);
}

Test(pss_params, own_identity_uses_the_allowed_hash)
{
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        for (int signer = PAIR_CLIENT; signer <= PAIR_SERVER; signer++) {
            pair p;
            pss_pair(&p, versions[i], signer, 41 + i * 2 + (size_t)signer);
            pair_connect(&p, PAIR_HOST);
            int rc = pair_handshake(&p);
            cr_assert_eq(rc, 0, "%s, %s signs: %s / %s", vname(versions[i]),
                         signer ? "server" : "client", pair_reason(p.side[0].conn),
                         pair_reason(p.side[1].conn));
            /* The verifier reports the scheme the signer used. */
            tlsm_conn *verifier = p.side[signer == PAIR_CLIENT ? PAIR_SERVER : PAIR_CLIENT].conn;
            cr_assert_eq(tlsm_conn_peer_sigalg(verifier), TLSM_SIG_RSA_PSS_PSS_SHA384,
                         "%s, %s signs: scheme %04x", vname(versions[i]),
                         signer ? "server" : "client", tlsm_conn_peer_sigalg(verifier));
            pair_free(&p);
        }
    }
}

Test(pss_params, no_scheme_left_fails_cleanly)
{
    /* A client that only accepts rsa_pss_pss_sha256: the restricted server key cannot
     * serve it, so the server finds no identity instead of signing outside the key's
     * parameters (in TLS 1.2 the identity decides the suite: no suite is left). */
    static const uint16_t only256[] = {TLSM_SIG_RSA_PSS_PSS_SHA256};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        pair p;
        pss_pair(&p, versions[i], PAIR_SERVER, 51 + i);
        cr_assert_eq(tlsm_config_set_sigalgs(p.side[PAIR_CLIENT].cfg, only256, 1), 0);
        pair_connect(&p, PAIR_HOST);
        cr_assert_neq(pair_handshake(&p), 0, "%s", vname(versions[i]));
        const char *want = versions[i] == TLSM_TLS13 ? "CH_NO_COMMON_SIGALG" : "CH_NO_COMMON_SUITE";
        cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), want, "%s: %s",
                         vname(versions[i]), pair_reason(p.side[PAIR_SERVER].conn));
        pair_free(&p);
    }
}

Test(pss_params, peer_signing_outside_the_parameters_is_refused)
{
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        for (int signer = PAIR_CLIENT; signer <= PAIR_SERVER; signer++) {
            int verifier = signer == PAIR_CLIENT ? PAIR_SERVER : PAIR_CLIENT;
            pair p;
            pss_pair(&p, versions[i], signer, 61 + i * 2 + (size_t)signer);
            /* The signer forgets its key's restriction: with the default preference it
             * now signs with rsa_pss_pss_sha256, still sending the restricted certificate. */
            tlsm_config *scfg = p.side[signer].cfg;
            cr_assert_eq(scfg->n_ids, 1);
            cr_assert_eq(scfg->ids[0].leaf.pss_params, SIG_RSA_PSS_SHA384);
            scfg->ids[0].leaf.pss_params = SIG_NONE;
            pair_connect(&p, PAIR_HOST);
            cr_assert_neq(pair_handshake(&p), 0, "%s, %s signs: accepted", vname(versions[i]),
                          signer ? "server" : "client");
            tlsm_conn *v = p.side[verifier].conn;
            cr_assert_str_eq(pair_reason(v), "SIG_SCHEME_PSS_PARAMS", "%s, %s signs: %s",
                             vname(versions[i]), signer ? "server" : "client", pair_reason(v));
            cr_assert_eq(tlsm_conn_error(v), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER));
            cr_assert_eq(tlsm_conn_error(p.side[signer].conn),
                         TLSM_ERR_PEER_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER));
            pair_free(&p);
        }
    }
}
