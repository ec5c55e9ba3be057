/*
 * test_tls12.c - TLS 1.2 in memory: every suite with the certificate types it allows, both
 * key exchanges per group, client authentication, resumption by session id and by ticket,
 * version negotiation (1.3 preferred, downgrade sentinel), ECDSA hashes free of curves
 * (and SHA-1 / SHA-224 refused) and the TLS 1.2 negative paths.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"
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
    /* A server that issues a ticket caches nothing: no session id; otherwise both sides
     * know the cache entry's id. */
    size_t cid = 0, sid = 0;
    const uint8_t *c_id = tlsm_conn_session_id(p.side[0].conn, &cid);
    const uint8_t *s_id = tlsm_conn_session_id(p.side[1].conn, &sid);
    cr_assert_eq(sid, tickets ? 0u : 32u, "tickets %d: server session id %zu bytes", tickets, sid);
    cr_assert_eq(cid, sid);
    cr_assert(tickets ? !c_id && !s_id : !memcmp(c_id, s_id, 32));
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

/* The legacy_session_id length of the client's first record on each connection. */
typedef struct {
    int len[4];
    size_t n;
} sid_log;

static void sid_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    sid_log *l = ctx;
    /* record header 5, handshake header 4, legacy_version 2, random 32, then the length */
    if (dir == PAIR_C2S && index == 0 && rec->len > 43 && rec->data[5] == 1 && l->n < 4)
        l->len[l->n++] = rec->data[43];
}

/* One TLS 1.2-only client connection (resuming `sess` if given); returns resumed. */
static int sid_connect(pair *p, const pair_buf *sess)
{
    pair_connect(p, PAIR_HOST);
    if (sess)
        cr_assert_eq(tlsm_conn_set_session(p->side[PAIR_CLIENT].conn, sess->data, sess->len), 0);
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "%s / %s", pair_reason(p->side[0].conn), pair_reason(p->side[1].conn));
    return tlsm_conn_resumed(p->side[PAIR_CLIENT].conn);
}

/* RFC 8446 D.4: the compatibility-mode session ID belongs to ClientHellos offering TLS 1.3
 * (BoGo TLS12NoSessionID-TLS13). A client offering only TLS 1.2 sends an empty one in a
 * full handshake, still its own 32 bytes beside a ticket (RFC 5077 s.3.4, so that the
 * ServerHello can say it resumed), and the server's id when resuming by id. */
Test(tls12, client_session_id_only_with_tls13_or_a_session)
{
    for (int tickets = 0; tickets < 2; tickets++) {
        pair p;
        sid_log l = {{0}, 0};
        pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256, .no_tickets = !tickets}, 47);
        set12(&p, PAIR_CLIENT);
        p.hook = sid_hook;
        p.hook_ctx = &l;
        cr_assert_eq(sid_connect(&p, NULL), 0);
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), 0);
        cr_assert_eq(sid_connect(&p, &sess), 1, "tickets %d: not resumed", tickets);
        cr_assert_eq(l.n, 2);
        cr_assert_eq(l.len[0], 0, "tickets %d: a full TLS 1.2 hello with a %d-byte id", tickets,
                     l.len[0]);
        cr_assert_eq(l.len[1], 32, "tickets %d: a resuming hello with a %d-byte id", tickets,
                     l.len[1]);
        pair_buf_free(&sess);
        pair_free(&p);
    }
    /* Offering TLS 1.3 as well: compatibility mode (on by default). */
    pair p;
    sid_log l = {{0}, 0};
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 48);
    set12(&p, PAIR_SERVER);
    p.hook = sid_hook;
    p.hook_ctx = &l;
    cr_assert_eq(sid_connect(&p, NULL), 0);
    cr_assert_eq(l.len[0], 32);
    pair_free(&p);
}

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

/* RFC 5246 s.7.4.1.4.1, RFC 8422 s.5.1.3: in TLS 1.2 an ECDSA scheme names the hash only,
 * so SHA-256, SHA-384 and SHA-512 go with P-256 and P-384 keys alike, for the server's
 * ServerKeyExchange and the client's CertificateVerify (issue 16 item 11). */
Test(tls12, ecdsa_any_hash_with_any_curve)
{
    static const uint16_t schemes[] = {TLSM_SIG_ECDSA_SECP256R1_SHA256,
                                       TLSM_SIG_ECDSA_SECP384R1_SHA384,
                                       TLSM_SIG_ECDSA_SECP521R1_SHA512};
    static const pair_key keys[] = {PAIR_KEY_P256, PAIR_KEY_P384};
    for (size_t k = 0; k < 2; k++)
        for (size_t s = 0; s < 3; s++) {
            uint16_t only[] = {schemes[s]};
            /* The signer allows one scheme; the verifier the defaults. */
            pair_opts co = {.key = PAIR_KEY_CLIENT, .sigalgs = only, .n_sigalgs = 1};
            pair_opts so = {.key = keys[k], .client_auth = 2, .sigalgs = only, .n_sigalgs = 1};
            pair p;
            pair_init(&p, &co, &so, 17);
            set12(&p, PAIR_CLIENT);
            pair_connect(&p, PAIR_HOST);
            int rc = pair_handshake(&p);
            cr_assert_eq(rc, 0, "%s key, %s: %s / %s", pair_key_name(keys[k]),
                         tlsm_sigalg_name(schemes[s]), pair_reason(p.side[0].conn),
                         pair_reason(p.side[1].conn));
            cr_assert_eq(tlsm_conn_peer_sigalg(p.side[PAIR_CLIENT].conn), schemes[s]);
            cr_assert_eq(tlsm_conn_peer_sigalg(p.side[PAIR_SERVER].conn), schemes[s]);
            exchange(&p);
            pair_free(&p);
        }
}

/* TLS 1.3 keeps the curve binding (RFC 8446 s.4.2.3): ecdsa_secp521r1_sha512 is no scheme
 * for a P-256 or P-384 key, so a server allowed only that one has nothing to sign with. */
Test(tls12, ecdsa_sha512_is_tls12_only)
{
    uint16_t only[] = {TLSM_SIG_ECDSA_SECP521R1_SHA512};
    pair_opts so = {.key = PAIR_KEY_P256, .sigalgs = only, .n_sigalgs = 1};
    pair p;
    pair_init(&p, NULL, &so, 19);
    pair_connect(&p, PAIR_HOST);
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_eq(tlsm_conn_error(p.side[PAIR_SERVER].conn),
                 TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE), "%s",
                 pair_reason(p.side[PAIR_SERVER].conn));
    pair_free(&p);
}

/* A ServerKeyExchange signed with ecdsa_sha1 (0x0203) or ecdsa_sha224 (0x0303), which no
 * tlsm client offers, is refused by name (illegal_parameter), before any signature check. */
static void ske_scheme_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    size_t n = 0, at = dir == PAIR_S2C ? pair_hs_find(rec, 12, &n) : PAIR_NONE;
    if (at == PAIR_NONE)
        return;
    /* ECParameters (curve_type, named_curve), public<1>, then the scheme. */
    size_t scheme = at + 4 + 3 + 1 + rec->data[at + 4 + 3];
    rec->data[scheme] = (uint8_t)(*(uint16_t *)ctx >> 8);
    rec->data[scheme + 1] = (uint8_t)*(uint16_t *)ctx;
}

Test(tls12, ecdsa_sha1_and_sha224_refused)
{
    static const uint16_t weak[] = {0x0203, 0x0303};
    for (size_t i = 0; i < 2; i++) {
        uint16_t scheme = weak[i];
        pair p;
        pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 23);
        set12(&p, PAIR_CLIENT);
        pair_connect(&p, PAIR_HOST);
        p.hook = ske_scheme_hook;
        p.hook_ctx = &scheme;
        cr_assert_neq(pair_handshake(&p), 0);
        cr_assert_str_eq(pair_reason(p.side[PAIR_CLIENT].conn), "SIG_SCHEME_NOT_OFFERED",
                         "%04x", scheme);
        cr_assert_eq(tlsm_conn_error(p.side[PAIR_CLIENT].conn),
                     TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER));
        pair_free(&p);
    }
}

/* RFC 3526 MODP groups as explicit DHE parameters (what OpenSSL's s_server and Apache send
 * without configuration): accepted by exact match when the client enables DHE, reported
 * as TLSM_GROUP_MODP*; refused by a client with no FFDHE group (issue 16 item 12). The
 * server sends them through a test knob: no tlsm server chooses them. */
Test(tls12, dhe_with_rfc3526_groups)
{
    static const uint16_t modp[] = {TLSM_GROUP_MODP2048, TLSM_GROUP_MODP3072,
                                    TLSM_GROUP_MODP8192};
    uint16_t suites[] = {TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256};
    for (size_t i = 0; i < 3; i++) {
        pair_opts co = {.suites = suites, .n_suites = 1};
        pair_opts so = {.suites = suites, .n_suites = 1, .key = PAIR_KEY_RSA};
        pair p;
        pair_init(&p, &co, &so, 29);
        set12(&p, PAIR_CLIENT);
        p.side[PAIR_SERVER].cfg->shape.dhe_group = modp[i];
        pair_connect(&p, PAIR_HOST);
        int rc = pair_handshake(&p);
        cr_assert_eq(rc, 0, "%s: %s", tlsm_group_name(modp[i]), pair_reason(p.side[0].conn));
        cr_assert_eq(tlsm_conn_group(p.side[PAIR_CLIENT].conn), modp[i]);
        exchange(&p);
        pair_free(&p);
    }
    /* A client whose groups are all elliptic does not do DHE with them. */
    uint16_t ec_only[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1};
    pair_opts co = {.suites = suites, .n_suites = 1, .groups = ec_only, .n_groups = 2};
    pair_opts so = {.suites = suites, .n_suites = 1, .key = PAIR_KEY_RSA};
    pair p;
    pair_init(&p, &co, &so, 31);
    set12(&p, PAIR_CLIENT);
    p.side[PAIR_SERVER].cfg->shape.dhe_group = TLSM_GROUP_MODP2048;
    pair_connect(&p, PAIR_HOST);
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_str_eq(pair_reason(p.side[PAIR_CLIENT].conn), "SKE_DH_GROUP");
    cr_assert_eq(tlsm_conn_error(p.side[PAIR_CLIENT].conn),
                 TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_INSUFFICIENT_SECURITY));
    pair_free(&p);
    /* Nor can a configuration name them. */
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    uint16_t g[] = {TLSM_GROUP_MODP2048};
    cr_assert_eq(tlsm_config_set_groups(cfg, g, 1), TLSM_ERR_ARG);
    tlsm_config_free(cfg);
}
