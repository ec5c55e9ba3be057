/*
 * test_tls12_curves.c - TLS 1.2 ECDSA certificates and the client's supported_groups
 * (RFC 8422 s.5.1, s.5.3): the server's ECDSA key "MUST use a curve and point format
 * supported by the client", checked by both sides.
 *
 * The server side passes over an identity on a curve the client did not list. To reach
 * the client's own check, the client's hello is rewritten in flight to list P-256 as well
 * as the P-384 it offers: the server then sends its P-256 certificate, which the client
 * refuses as soon as it reads it (before the rewritten transcript could matter).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "pair.h"
#include "wire/hs_codec.h"

static const uint16_t p384_only[] = {TLSM_GROUP_SECP384R1};

static void pair_p384_client(pair *p)
{
    pair_init(p, &(pair_opts){.groups = p384_only, .n_groups = 1, .max_version = TLSM_TLS12},
              &(pair_opts){.key = PAIR_KEY_P256, .max_version = TLSM_TLS12}, 9);
    pair_connect(p, PAIR_HOST);
}

Test(tls12_curves, server_passes_over_a_curve_not_offered)
{
    pair p;
    pair_p384_client(&p);
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), "CH_NO_COMMON_SUITE");
    pair_free(&p);
}

/* supported_groups becomes { secp256r1, the client's own }. */
static void add_p256(ch_parts *ch, ch_extra *x)
{
    (void)x;
    pair_buf *g = ch_ext(ch, EXT_SUPPORTED_GROUPS);
    pair_buf groups = {0};
    hello_put16(&groups, g->len - 2 + 2);
    hello_put16(&groups, TLSM_GROUP_SECP256R1);
    pair_buf_append(&groups, g->data + 2, g->len - 2);
    pair_buf_set(g, groups.data, groups.len);
    pair_buf_free(&groups);
}

Test(tls12_curves, client_refuses_a_curve_not_offered)
{
    pair p;
    hello_edit e;
    pair_p384_client(&p);
    hello_edit_run(&p, &e, add_p256);
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_CLIENT].conn, &d), 0);
    cr_assert_str_eq(d.reason, "CERT12_CURVE_NOT_OFFERED", "client: %s (%s)", d.reason, d.text);
    cr_assert_eq(d.alert_sent, TLSM_ALERT_ILLEGAL_PARAMETER);
    hello_edit_free(&e);
    pair_free(&p);
}
