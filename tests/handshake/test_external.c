/*
 * test_external.c - the host in the loop: external verification (TLSM_EV_VERIFY_PEER /
 * tlsm_verify_done) and external signing (TLSM_EV_SIGN / tlsm_sign_done), in both
 * protocol versions and both roles.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "handshake/handshake.h"
#include "pair.h"
#include "pki/pki.h"

static void versions(pair *p, uint16_t v)
{
    for (int i = 0; i < 2; i++)
        cr_assert_eq(tlsm_config_set_versions(p->side[i].cfg, v, v), 0);
}

/* Pumps until no side is blocked on the host or the pair stops moving. Answers verify
 * requests with `accept`, counting them. */
static int drive(pair *p, int accept, int *verifies)
{
    size_t answered[2] = {0, 0};
    for (int round = 0; round < 64; round++) {
        pair_pump(p);
        int acted = 0;
        for (int who = 0; who < 2; who++) {
            tlsm_conn *c = p->side[who].conn;
            pair_collect(p, who);
            if (pair_count_events(p, who, TLSM_EV_VERIFY_PEER) > answered[who]) {
                answered[who]++;
                cr_assert(tlsm_status(c) & TLSM_STATUS_BLOCKED);
                cr_assert_gt(tlsm_conn_peer_cert_count(c), 0);
                (*verifies)++;
                int rc = tlsm_verify_done(c, accept, accept ? 0 : TLSM_ALERT_ACCESS_DENIED);
                cr_assert_eq(rc, accept ? 0 : TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ACCESS_DENIED));
                acted = 1;
            }
        }
        if (!acted && round > 0)
            break;
    }
    pair_pump(p);
    return tlsm_conn_handshake_done(p->side[0].conn) && tlsm_conn_handshake_done(p->side[1].conn);
}

static void verify_case(uint16_t v, int accept)
{
    pair_opts co = {.key = PAIR_KEY_CLIENT};
    pair_opts so = {.key = PAIR_KEY_P256, .client_auth = 2};
    pair p;
    pair_init(&p, &co, &so, 7 + v + accept);
    versions(&p, v);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(tlsm_config_set_verify_external(p.side[i].cfg, 1), 0);
    pair_connect(&p, PAIR_HOST);
    int verifies = 0;
    int done = drive(&p, accept, &verifies);
    if (accept) {
        cr_assert(done, "version %04x: handshake did not finish", v);
        cr_assert_eq(verifies, 2, "both sides are asked");
    } else {
        cr_assert(!done);
        cr_assert_eq(verifies, 1, "the client rejects the server first");
        cr_assert_eq(tlsm_conn_error(p.side[0].conn), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ACCESS_DENIED));
        cr_assert_eq(tlsm_conn_verify_error(p.side[0].conn), TLSM_ERR_CERT_REJECTED);
        cr_assert_eq(tlsm_conn_error(p.side[1].conn), TLSM_ERR_PEER_ALERT(TLSM_ALERT_ACCESS_DENIED));
    }
    /* Not waiting any more: answering again is a state error (or the sticky error). */
    int again = tlsm_verify_done(p.side[1].conn, 1, 0);
    cr_assert(again == TLSM_ERR_STATE || again == tlsm_conn_error(p.side[1].conn));
    pair_free(&p);
}

Test(external, verify_accept_tls13) { verify_case(TLSM_TLS13, 1); }
Test(external, verify_accept_tls12) { verify_case(TLSM_TLS12, 1); }
Test(external, verify_reject_tls13) { verify_case(TLSM_TLS13, 0); }
Test(external, verify_reject_tls12) { verify_case(TLSM_TLS12, 0); }

/* A config whose identity has no private key: the connection asks the host to sign. */
static void external_identity(tlsm_config *cfg, const char *chain)
{
    size_t len;
    uint8_t *pem = pair_read_pki(chain, &len);
    cr_assert_eq(tlsm_config_add_identity_external(cfg, pem, len), 0);
    free(pem);
}

/* The host's signer (an HSM in real life): the test key, loaded and used through the
 * library's internal crypto layer. */
static int sign_with(const char *key_file, uint16_t scheme, const uint8_t *msg, size_t len,
                     uint8_t *sig, size_t *sig_len, uint16_t version)
{
    size_t klen;
    uint8_t *pem = pair_read_pki(key_file, &klen);
    crypto_privkey *key;
    int rc = pki_privkey_pem(pem, klen, &key);
    free(pem);
    if (rc)
        return rc;
    pk_type t = crypto_privkey_type(key);
    sig_alg alg = hs_scheme_alg(version, scheme, t);
    rc = alg == SIG_NONE ? -1 : crypto_sign(key, alg, NULL, msg, len, sig, 1024, sig_len);
    crypto_privkey_free(key);
    return rc;
}

static void sign_case(uint16_t v, int server_side)
{
    pair_opts co = {.key = PAIR_KEY_NONE};
    pair_opts so = {.key = server_side ? PAIR_KEY_NONE : PAIR_KEY_P256,
                    .client_auth = server_side ? 0 : 2};
    pair p;
    pair_init(&p, &co, &so, 99 + v);
    versions(&p, v);
    if (server_side)
        external_identity(p.side[1].cfg, "server-p256.chain.pem");
    else
        external_identity(p.side[0].cfg, "client.chain.pem");
    pair_connect(&p, PAIR_HOST);
    int who = server_side ? 1 : 0;
    tlsm_conn *c = p.side[who].conn;
    int signed_once = 0;
    for (int round = 0; round < 16 && !tlsm_conn_handshake_done(p.side[0].conn); round++) {
        pair_pump(&p);
        if (tlsm_status(c) & TLSM_STATUS_BLOCKED) {
            uint16_t scheme;
            const uint8_t *tbs;
            size_t tbs_len, sig_len;
            uint8_t sig[1024];
            cr_assert_eq(tlsm_sign_request(c, &scheme, &tbs, &tbs_len), 0);
            cr_assert_eq(sign_with(server_side ? "server-p256.key" : "client.key", scheme, tbs,
                                   tbs_len, sig, &sig_len, v), 0);
            cr_assert_eq(tlsm_sign_done(c, sig, sig_len), 0);
            signed_once++;
        }
    }
    pair_pump(&p);
    cr_assert_eq(signed_once, 1);
    cr_assert(tlsm_conn_handshake_done(p.side[0].conn) && tlsm_conn_handshake_done(p.side[1].conn),
              "version %04x server %d: %s / %s", v, server_side,
              tlsm_strerror(tlsm_conn_error(p.side[0].conn)),
              tlsm_strerror(tlsm_conn_error(p.side[1].conn)));
    pair_free(&p);
}

Test(external, sign_server_tls13) { sign_case(TLSM_TLS13, 1); }
Test(external, sign_server_tls12) { sign_case(TLSM_TLS12, 1); }
Test(external, sign_client_tls13) { sign_case(TLSM_TLS13, 0); }
Test(external, sign_client_tls12) { sign_case(TLSM_TLS12, 0); }

/* DESIGN.md: host name checking cannot be skipped by accident. A verifying client without
 * a name fails before sending anything; with external verification it may go on (the host
 * checks the name itself). */
Test(external, verifying_client_needs_a_server_name)
{
    pair_opts so = {.key = PAIR_KEY_P256};
    pair p;
    pair_init(&p, NULL, &so, 5);
    pair_connect(&p, NULL);
    cr_assert_eq(tlsm_conn_start(p.side[0].conn), TLSM_ERR_NO_SERVER_NAME);
    size_t n;
    cr_assert_null(tlsm_output_peek(p.side[0].conn, &n));
    cr_assert_str_eq(tlsm_strerror(TLSM_ERR_NO_SERVER_NAME),
                     "no server name to verify the certificate against");
    pair_free(&p);

    pair_init(&p, NULL, &so, 6);
    cr_assert_eq(tlsm_config_set_verify_external(p.side[0].cfg, 1), 0);
    pair_connect(&p, NULL);
    int verifies = 0;
    cr_assert(drive(&p, 1, &verifies));
    cr_assert_eq(verifies, 1);
    pair_free(&p);
}

/* tlsm_config_set_reverify_on_resume: a resumed client verifies the kept chain again,
 * built in (a client whose trust no longer includes the CA refuses the resumption it would
 * otherwise accept) and through the host (the question comes again, and a "no" ends it). */
static void resume_with(uint16_t v, int reverify, int trust_ca, int external, int accept,
                        int *verifies, pair *p)
{
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(p, NULL, &so, 41 + v);
    versions(p, v);
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(pair_handshake(p), 0);
    pair_buf sess = {0};
    cr_assert_eq(pair_get_session(p, &sess), 0);
    /* A new client config for the second connection (the server's stays). */
    pair_opts co = {.trust = trust_ca ? NULL : ""};
    tlsm_config *cfg = pair_config(TLSM_ROLE_CLIENT, &co, &p->rng[0], &p->now_ms);
    cr_assert_eq(tlsm_config_set_versions(cfg, v, v), 0);
    cr_assert_eq(tlsm_config_set_reverify_on_resume(cfg, reverify), 0);
    cr_assert_eq(tlsm_config_set_verify_external(cfg, external), 0);
    tlsm_config_free(p->side[0].cfg);
    p->side[0].cfg = cfg;
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p->side[0].conn, sess.data, sess.len), 0);
    pair_buf_free(&sess);
    *verifies = 0;
    (void)drive(p, accept, verifies);
}

Test(external, reverify_on_resume)
{
    for (int i = 0; i < 2; i++) {
        uint16_t v = i ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        int verifies = 0;
        /* Off (the default): the earlier verification stands, whatever the trust now. */
        resume_with(v, 0, 0, 0, 1, &verifies, &p);
        cr_assert(tlsm_conn_handshake_done(p.side[0].conn) && tlsm_conn_resumed(p.side[0].conn),
                  "v%04x: %s", v, pair_reason(p.side[0].conn));
        pair_free(&p);
        /* On, same trust: resumed. */
        resume_with(v, 1, 1, 0, 1, &verifies, &p);
        cr_assert(tlsm_conn_resumed(p.side[0].conn) && tlsm_conn_handshake_done(p.side[0].conn),
                  "v%04x: %s", v, pair_reason(p.side[0].conn));
        pair_free(&p);
        /* On, the CA no longer trusted: refused as a full handshake would be. */
        resume_with(v, 1, 0, 0, 1, &verifies, &p);
        cr_assert_str_eq(pair_reason(p.side[0].conn), "CERT_NO_TRUST", "v%04x", v);
        pair_free(&p);
        /* On, external: the host is asked again; its "no" ends the connection. */
        resume_with(v, 1, 1, 1, 1, &verifies, &p);
        cr_assert_eq(verifies, 1, "v%04x", v);
        cr_assert(tlsm_conn_resumed(p.side[0].conn) && tlsm_conn_handshake_done(p.side[0].conn));
        pair_free(&p);
        resume_with(v, 1, 1, 1, 0, &verifies, &p);
        cr_assert_eq(verifies, 1);
        cr_assert_eq(tlsm_conn_verify_error(p.side[0].conn), TLSM_ERR_CERT_REJECTED);
        pair_free(&p);
    }
}
