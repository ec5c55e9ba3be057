/*
 * test_peer_limits.c - what a peer sends has no fixed count caps (issue 16 item 7): a
 * ClientHello with many extensions, groups, key shares and signature schemes (the usable
 * entry last), the largest ClientHello the length fields allow, certificate chains of more
 * than ten certificates, and tickets of several kilobytes all work.
 *
 * The ClientHello cases rewrite the client's first flight in flight. The client's own
 * transcript then differs from the server's, so the handshake cannot finish; what is
 * checked is that the server understood the hello: it answers with a ServerHello that
 * picks the entry placed last, and it fails only where the keys or transcripts meet (the
 * client's first protected record does not authenticate, or its Finished is wrong).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certforge.h"
#include "hello_edit.h"
#include "pair.h"

#define EXT_SUPPORTED_GROUPS 10
#define EXT_SIGNATURE_ALGORITHMS 13
#define EXT_KEY_SHARE 51
#define HS_SERVER_HELLO 2
#define HS_SERVER_KEY_EXCHANGE 12
/* The largest ClientHello body the length fields allow (RFC 8446 s.4.1.2, RFC 5246
 * s.7.4.1.2): version, random, session_id<0..32>, cipher_suites<2..2^16-2>,
 * compression_methods<1..2^8-1>, extensions<0..2^16-1>. */
#define CH_BODY_MAX (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

/* ------------------------------------------------------------------ running one */

static void run_edited(uint16_t version, ch_edit_fn edit, hello_edit *e, pair *p)
{
    pair_opts co = {.min_version = version, .max_version = version};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = version, .max_version = version};
    pair_init(p, &co, &so, 21);
    pair_connect(p, PAIR_HOST);
    hello_edit_run(p, e, edit);
    /* The server understood the hello: its own failure, if any, is where the keys or
     * transcripts meet (see the top of the file), never a complaint about the hello. */
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p->side[PAIR_SERVER].conn, &d), 0);
    cr_assert(d.code == 0 || d.alert_sent == -1 || !strcmp(d.reason, "REC_BAD_MAC") ||
                  !strcmp(d.reason, "FINISHED_MISMATCH"),
              "server: %s (%s)", d.reason, d.text);
}

static void done(hello_edit *e, pair *p)
{
    hello_edit_free(e);
    pair_free(p);
}

/* ------------------------------------------------------------------ the cases */

static void add_unknown_extensions(ch_parts *ch, ch_extra *x)
{
    (void)ch;
    /* 200 extensions of unassigned types before the client's own, some with data. */
    for (unsigned i = 0; i < 200; i++) {
        hello_put16(&x->front, 0x7000 + i);
        hello_put16(&x->front, i % 3);
        uint8_t data[2] = {0x5a, 0xa5};
        pair_buf_append(&x->front, data, i % 3);
    }
}

Test(peer_limits, client_hello_with_200_extensions)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        hello_edit e;
        run_edited(version, add_unknown_extensions, &e, &p);
        size_t n = 0;
        cr_assert_not_null(hello_server_msg(&e, HS_SERVER_HELLO, &n), "v%04x: no ServerHello",
                           version);
        done(&e, &p);
    }
}

/* 100 unknown groups before the client's in supported_groups, and 40 key shares of
 * unknown groups before its own two (X25519MLKEM768 and X25519): the server picks its
 * preferred X25519MLKEM768 without a retry. */
static void more_groups_and_shares(ch_parts *ch, ch_extra *x)
{
    (void)x;
    pair_buf *g = ch_ext(ch, EXT_SUPPORTED_GROUPS), *ks = ch_ext(ch, EXT_KEY_SHARE);
    pair_buf groups = {0}, shares = {0};
    hello_put16(&groups, 0);
    for (unsigned i = 0; i < 100; i++)
        hello_put16(&groups, 0x6000 + i);
    pair_buf_append(&groups, g->data + 2, g->len - 2);
    groups.data[0] = (uint8_t)((groups.len - 2) >> 8);
    groups.data[1] = (uint8_t)(groups.len - 2);
    hello_put16(&shares, 0);
    for (unsigned i = 0; i < 40; i++) {
        hello_put16(&shares, 0x6000 + i);
        hello_put16(&shares, 1);
        uint8_t k = (uint8_t)i;
        pair_buf_append(&shares, &k, 1);
    }
    pair_buf_append(&shares, ks->data + 2, ks->len - 2);
    shares.data[0] = (uint8_t)((shares.len - 2) >> 8);
    shares.data[1] = (uint8_t)(shares.len - 2);
    pair_buf_set(g, groups.data, groups.len);
    pair_buf_set(ks, shares.data, shares.len);
    pair_buf_free(&groups);
    pair_buf_free(&shares);
}

Test(peer_limits, many_groups_and_key_shares)
{
    pair p;
    hello_edit e;
    run_edited(TLSM_TLS13, more_groups_and_shares, &e, &p);
    size_t n = 0;
    const uint8_t *ks = hello_sh_ext(&e, EXT_KEY_SHARE, &n);
    cr_assert(ks && n >= 2, "no key_share in the ServerHello");
    cr_assert_eq(hello_get16(ks), TLSM_GROUP_X25519MLKEM768, "server chose group %04zx",
                 hello_get16(ks));
    cr_assert(!tlsm_conn_hrr(p.side[PAIR_SERVER].conn), "a HelloRetryRequest was sent");
    done(&e, &p);
}

/* 300 unknown signature schemes before the client's own. */
static void more_sigalgs(ch_parts *ch, ch_extra *x)
{
    (void)x;
    pair_buf *sa = ch_ext(ch, EXT_SIGNATURE_ALGORITHMS);
    pair_buf list = {0};
    hello_put16(&list, 0);
    for (unsigned i = 0; i < 300; i++)
        hello_put16(&list, 0xfe00 - i);
    pair_buf_append(&list, sa->data + 2, sa->len - 2);
    list.data[0] = (uint8_t)((list.len - 2) >> 8);
    list.data[1] = (uint8_t)(list.len - 2);
    pair_buf_set(sa, list.data, list.len);
    pair_buf_free(&list);
}

Test(peer_limits, many_signature_schemes)
{
    /* TLS 1.2: the ServerKeyExchange, in the clear, shows the scheme the server chose. */
    pair p;
    hello_edit e;
    run_edited(TLSM_TLS12, more_sigalgs, &e, &p);
    size_t n = 0;
    const uint8_t *ske = hello_server_msg(&e, HS_SERVER_KEY_EXCHANGE, &n);
    cr_assert_not_null(ske, "no ServerKeyExchange");
    /* ECParameters (curve_type 3, named_curve), public<1>, then the scheme. */
    size_t at = 3 + 1 + ske[3];
    cr_assert_lt(at + 2, n);
    cr_assert_eq(hello_get16(ske + at), TLSM_SIG_ECDSA_SECP256R1_SHA256, "scheme %04zx",
                 hello_get16(ske + at));
    done(&e, &p);
    /* TLS 1.3: the CertificateVerify is encrypted; the server got as far as sending it. */
    run_edited(TLSM_TLS13, more_sigalgs, &e, &p);
    cr_assert_not_null(hello_server_msg(&e, HS_SERVER_HELLO, &n));
    done(&e, &p);
}

/* The largest ClientHello: 32,767 cipher suites (the client's own last), 255 compression
 * methods in TLS 1.2 (null first), and extensions padded to 65,535 bytes. */
static void largest(ch_parts *ch, ch_extra *x, int tls12)
{
    pair_buf suites = {0};
    size_t extra = (65534 - ch->suites.len) / 2;
    for (size_t i = 0; i < extra; i++)
        hello_put16(&suites, 0x2000 + i); /* unassigned below 0xc000 once past 0x13xx */
    pair_buf_append(&suites, ch->suites.data, ch->suites.len);
    cr_assert_eq(suites.len, 65534);
    pair_buf_set(&ch->suites, suites.data, suites.len);
    pair_buf_free(&suites);
    if (tls12) {
        uint8_t comp[255];
        for (int i = 0; i < 255; i++)
            comp[i] = (uint8_t)i; /* null (0) first, then methods nobody implements */
        pair_buf_set(&ch->comp, comp, sizeof comp);
    }
    /* The longest session id, 32 bytes: the client's own in TLS 1.3 middlebox mode; a
     * client offering only TLS 1.2 sends none in a full handshake (RFC 8446 D.4), so the
     * edit puts one in. */
    if (tls12) {
        cr_assert_eq(ch->head.len, 2 + 32 + 1);
        uint8_t sid[1 + 32];
        sid[0] = 32;
        memset(sid + 1, 0x5a, 32);
        ch->head.len = 2 + 32;
        pair_buf_append(&ch->head, sid, sizeof sid);
    }
    x->pad_to = CH_BODY_MAX - (tls12 ? 0 : 254);
    cr_assert_eq(ch->head.len, 2 + 32 + 1 + 32);
}
static void largest12(ch_parts *ch, ch_extra *x) { largest(ch, x, 1); }
static void largest13(ch_parts *ch, ch_extra *x) { largest(ch, x, 0); }

Test(peer_limits, largest_client_hello)
{
    pair p;
    hello_edit e;
    size_t n = 0;
    /* TLS 1.3 allows exactly one compression method (s.4.1.2): 254 bytes less. */
    run_edited(TLSM_TLS13, largest13, &e, &p);
    cr_assert_eq(e.body, CH_BODY_MAX - 254);
    cr_assert_not_null(hello_server_msg(&e, HS_SERVER_HELLO, &n), "TLS 1.3: no ServerHello");
    done(&e, &p);
    run_edited(TLSM_TLS12, largest12, &e, &p);
    cr_assert_eq(e.body, CH_BODY_MAX, "the hello is %zu bytes", e.body);
    cr_assert_eq(e.body, 131396);
    cr_assert_not_null(hello_server_msg(&e, HS_SERVER_HELLO, &n), "TLS 1.2: no ServerHello");
    done(&e, &p);
}

/* ------------------------------------------------------------------ long chains */

/* A chain PEM of the P-256 server (or the client) followed by `extra` certificates that
 * the path does not use: a peer may send them (RFC 8446 s.4.4.2 lets it). */
static void add_long_identity(tlsm_config *cfg, const char *chain, const char *key,
                              size_t extra)
{
    size_t chain_len = 0, other_len = 0, key_len = 0;
    uint8_t *c = pair_read_pki(chain, &chain_len);
    uint8_t *o = pair_read_pki("server-rsa.crt", &other_len);
    uint8_t *k = pair_read_pki(key, &key_len);
    pair_buf pem = {0};
    pair_buf_append(&pem, c, chain_len);
    for (size_t i = 0; i < extra; i++)
        pair_buf_append(&pem, o, other_len);
    cr_assert_eq(tlsm_config_add_identity_pem(cfg, pem.data, pem.len, k, key_len), 0);
    pair_buf_free(&pem);
    free(c);
    free(o);
    free(k);
}

Test(peer_limits, chains_of_many_certificates)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        pair_opts co = {.min_version = version, .max_version = version};
        pair_opts so = {.client_auth = 2, .min_version = version, .max_version = version};
        pair_init(&p, &co, &so, 31);
        add_long_identity(p.side[PAIR_SERVER].cfg, "server-p256.chain.pem", "server-p256.key",
                          14);
        add_long_identity(p.side[PAIR_CLIENT].cfg, "client.chain.pem", "client.key", 20);
        pair_connect(&p, PAIR_HOST);
        int rc = pair_handshake(&p);
        cr_assert_eq(rc, 0, "v%04x: %s / %s", version, pair_reason(p.side[0].conn),
                     pair_reason(p.side[1].conn));
        cr_assert_eq(tlsm_conn_peer_cert_count(p.side[PAIR_CLIENT].conn), 16);
        cr_assert_eq(tlsm_conn_peer_cert_count(p.side[PAIR_SERVER].conn), 22);
        pair_free(&p);
    }
}

/* ------------------------------------------------------------------ large tickets */

/* A client certificate with `names` DNS names: the server's tickets carry the client's
 * leaf, so they grow past what a fixed ticket buffer would hold. */
static void big_client_identity(tlsm_config *cfg, size_t names, size_t *leaf_len)
{
    forge_der san, exts, bc;
    char **list = calloc(names, sizeof *list);
    for (size_t i = 0; i < names; i++) {
        list[i] = malloc(48);
        snprintf(list[i], 48, "host-%05zu.client.tlsm.test", i);
    }
    forge_san_dns((const char *const *)list, names, &san);
    forge_basic_constraints(0, -1, &bc);
    forge_exts e = {0};
    forge_ext(&e, forge_oid_basic_constraints, sizeof forge_oid_basic_constraints, 1, bc.p,
              bc.len);
    forge_ext(&e, forge_oid_san, sizeof forge_oid_san, 0, san.p, san.len);
    forge_exts_end(&e, &exts);
    *leaf_len = forge_identity(cfg, "client.crt", "client.key", &exts);
    for (size_t i = 0; i < names; i++)
        free(list[i]);
    free(list);
    forge_free(&san);
    forge_free(&bc);
    forge_free(&exts);
}

/* Tickets of several kilobytes: stored by the client, offered, and resumed, in TLS 1.3
 * (NewSessionTicket after the handshake) and TLS 1.2 (NewSessionTicket in the handshake). */
Test(peer_limits, large_tickets)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        pair_opts co = {.min_version = version, .max_version = version};
        pair_opts so = {.key = PAIR_KEY_P256,
                        .client_auth = 2,
                        .min_version = version,
                        .max_version = version};
        pair_init(&p, &co, &so, 41);
        size_t leaf_len = 0;
        big_client_identity(p.side[PAIR_CLIENT].cfg, 300, &leaf_len);
        cr_assert_gt(leaf_len, 8000);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(pair_handshake(&p), 0, "v%04x: %s / %s", version,
                     pair_reason(p.side[0].conn), pair_reason(p.side[1].conn));
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), 0, "v%04x: no session kept", version);
        cr_assert_gt(sess.len, leaf_len, "v%04x: a %zu-byte session cannot hold the ticket",
                     version, sess.len);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, sess.data, sess.len), 0);
        cr_assert_eq(pair_handshake(&p), 0);
        cr_assert(tlsm_conn_resumed(p.side[PAIR_SERVER].conn), "v%04x: not resumed", version);
        size_t len = 0;
        cr_assert_not_null(tlsm_conn_peer_cert(p.side[PAIR_SERVER].conn, 0, &len));
        cr_assert_eq(len, leaf_len);
        pair_buf_free(&sess);
        pair_free(&p);
    }
}

/* A client leaf too large for a 64 KB ticket: the server sends no ticket (TLS 1.3) or an
 * empty one (TLS 1.2, with an empty session id: it caches nothing when it issues tickets)
 * rather than one that would lose the client's identity: the client has no session. */
Test(peer_limits, leaf_too_large_for_a_ticket)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        pair_opts co = {.min_version = version, .max_version = version};
        pair_opts so = {.key = PAIR_KEY_P256,
                        .client_auth = 2,
                        .no_session_cache = 1,
                        .min_version = version,
                        .max_version = version};
        pair_init(&p, &co, &so, 43);
        size_t leaf_len = 0;
        big_client_identity(p.side[PAIR_CLIENT].cfg, 2400, &leaf_len);
        cr_assert_gt(leaf_len, 65535);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(pair_handshake(&p), 0, "v%04x: %s / %s", version,
                     pair_reason(p.side[0].conn), pair_reason(p.side[1].conn));
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), TLSM_ERR_NO_SESSION, "v%04x", version);
        pair_buf_free(&sess);
        pair_free(&p);
    }
}
