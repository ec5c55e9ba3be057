/*
 * test_tls12.c - TLS 1.2 in memory: every suite with the certificate types it allows, both
 * key exchanges per group, client authentication, resumption by session id and by ticket,
 * version negotiation (1.3 preferred, downgrade sentinel) and the TLS 1.2 negative paths.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pair.h"

static const uint8_t msg[] = "tls 1.2 application data";

static void set12(pair *p, int who)
{
    cr_assert_eq(tlsm_config_set_versions(p->side[who].cfg, TLSM_TLS12, TLSM_TLS12), 0);
}

static void exchange(pair *p)
{
    cr_assert_eq(pair_send(p, PAIR_CLIENT, msg, sizeof msg), 0);
    cr_assert_eq(pair_send(p, PAIR_SERVER, msg, sizeof msg), 0);
    cr_assert_eq(p->side[PAIR_SERVER].rx.len, sizeof msg);
    cr_assert(memcmp(p->side[PAIR_SERVER].rx.data, msg, sizeof msg) == 0);
    cr_assert_eq(p->side[PAIR_CLIENT].rx.len, sizeof msg);
    uint8_t a[32], b[32];
    cr_assert_eq(tlsm_export_keying_material(p->side[0].conn, "EXPERIMENTAL x", 14, NULL, 0, a, 32), 0);
    cr_assert_eq(tlsm_export_keying_material(p->side[1].conn, "EXPERIMENTAL x", 14, NULL, 0, b, 32), 0);
    cr_assert(memcmp(a, b, 32) == 0);
}

typedef struct {
    uint16_t suite;
    pair_key key;
    uint16_t group;
} case12;

static void run12(const case12 *k, int client_auth)
{
    uint16_t suites[] = {k->suite};
    /* RFC 8422 s.5.1: an ECDSA certificate's curve must also be in supported_groups. */
    uint16_t curve = k->key == PAIR_KEY_P256 ? 0x0017 : k->key == PAIR_KEY_P384 ? 0x0018 : 0;
    uint16_t groups[] = {k->group, curve};
    size_t n_groups = curve && curve != k->group ? 2 : 1;
    pair_opts co = {.suites = suites, .n_suites = 1, .groups = k->group ? groups : NULL,
                    .n_groups = k->group ? n_groups : 0,
                    .key = client_auth ? PAIR_KEY_CLIENT : PAIR_KEY_NONE};
    pair_opts so = {.suites = suites, .n_suites = 1, .key = k->key, .client_auth = client_auth};
    pair p;
    pair_init(&p, &co, &so, k->suite ^ k->key);
    set12(&p, PAIR_CLIENT);
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "suite %04x key %s group %04x auth %d: %s", k->suite, pair_key_name(k->key),
                 k->group, client_auth, tlsm_strerror(rc));
    cr_assert_eq(tlsm_conn_version(p.side[0].conn), TLSM_TLS12);
    cr_assert_eq(tlsm_conn_suite(p.side[1].conn), k->suite);
    if (k->group)
        cr_assert_eq(tlsm_conn_group(p.side[1].conn), k->group);
    if (client_auth)
        cr_assert_eq(tlsm_conn_peer_cert_count(p.side[1].conn), 2);
    exchange(&p);
    pair_free(&p);
}

Test(tls12, every_suite_and_key)
{
    static const case12 cases[] = {
        {0xc02b, PAIR_KEY_P256, 0x001d},    {0xc02c, PAIR_KEY_P384, 0x0017},
        {0xcca9, PAIR_KEY_ED25519, 0x0018}, {0xc02f, PAIR_KEY_RSA, 0x001d},
        {0xc030, PAIR_KEY_RSAPSS, 0x0017},  {0xcca8, PAIR_KEY_RSA, 0x0018},
        {0x009e, PAIR_KEY_RSA, 0x0100},     {0x009f, PAIR_KEY_RSA, 0x0101},
        {0xccaa, PAIR_KEY_RSAPSS, 0x0100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run12(&cases[i], 0);
        run12(&cases[i], 2);
    }
}

Test(tls12, rsa_key_transport_when_enabled)
{
    static const case12 cases[] = {{0x009c, PAIR_KEY_RSA, 0}, {0x009d, PAIR_KEY_RSA, 0}};
    for (size_t i = 0; i < 2; i++)
        run12(&cases[i], i);
}

/* Resumption: by ticket (default) and by session id (server tickets off). The second
 * handshake has no Certificate and reports resumed on both sides. */
static void resume_case(int tickets)
{
    pair_opts co = {0};
    pair_opts so = {.key = PAIR_KEY_P256, .no_tickets = !tickets};
    pair p;
    pair_init(&p, &co, &so, 4242 + tickets);
    set12(&p, PAIR_CLIENT);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert(!tlsm_conn_resumed(p.side[0].conn));
    pair_buf sess = {0};
    cr_assert_eq(pair_get_session(&p, &sess), 0);
    uint8_t first[32], second[32];
    cr_assert_eq(tlsm_export_keying_material(p.side[0].conn, "EXPERIMENTAL r", 14, NULL, 0, first, 32), 0);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p.side[0].conn, sess.data, sess.len), 0);
    int rc = pair_handshake(&p);
    cr_assert_eq(rc, 0, "%s", tlsm_strerror(rc));
    cr_assert(tlsm_conn_resumed(p.side[0].conn), "tickets %d: client not resumed", tickets);
    cr_assert(tlsm_conn_resumed(p.side[1].conn), "tickets %d: server not resumed", tickets);
    cr_assert_eq(tlsm_conn_version(p.side[0].conn), TLSM_TLS12);
    cr_assert_eq(tlsm_export_keying_material(p.side[0].conn, "EXPERIMENTAL r", 14, NULL, 0, second, 32), 0);
    cr_assert(memcmp(first, second, 32) != 0, "fresh randoms give fresh keys");
    exchange(&p);
    pair_buf_free(&sess);
    pair_free(&p);
}

Test(tls12, resume_by_ticket) { resume_case(1); }
Test(tls12, resume_by_session_id) { resume_case(0); }

/* A client offering 1.2 and 1.3 gets 1.3 from a server that has both, and 1.2 from a
 * 1.2-only server, whose ServerHello then carries no downgrade sentinel. */
Test(tls12, version_negotiation)
{
    pair p;
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(&p, NULL, &so, 1);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_eq(tlsm_conn_version(p.side[0].conn), TLSM_TLS13);
    pair_free(&p);
    pair_init(&p, NULL, &so, 2);
    set12(&p, PAIR_SERVER);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_eq(tlsm_conn_version(p.side[0].conn), TLSM_TLS12);
    exchange(&p);
    pair_free(&p);
    /* 1.3-only client, 1.2-only server: nothing in common (RFC 8446 s.4.2.1). */
    pair_init(&p, NULL, &so, 3);
    cr_assert_eq(tlsm_config_set_versions(p.side[0].cfg, TLSM_TLS13, TLSM_TLS13), 0);
    set12(&p, PAIR_SERVER);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), TLSM_ERR_PEER_ALERT(TLSM_ALERT_PROTOCOL_VERSION));
    pair_free(&p);
}

/* RFC 8422 s.5.1: a client that does not list the certificate's curve does not get it. */
Test(tls12, ecdsa_certificate_curve_must_be_supported)
{
    uint16_t suites[] = {0xc02b};
    uint16_t groups[] = {0x001d};
    pair_opts co = {.suites = suites, .n_suites = 1, .groups = groups, .n_groups = 1};
    pair_opts so = {.key = PAIR_KEY_P384};
    pair p;
    pair_init(&p, &co, &so, 11);
    set12(&p, PAIR_CLIENT);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), TLSM_ERR_PEER_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE));
    pair_free(&p);
}
