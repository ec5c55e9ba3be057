/*
 * test_pq_groups.c - the post-quantum key-exchange groups in handshakes (issue 19): by
 * default a client sends an X25519MLKEM768 share and an X25519 one and a server takes
 * the hybrid; a classical-only server takes X25519 without a retry; HelloRetryRequest in
 * both directions; SecP256r1MLKEM768 and MLKEM768 when configured; the ML-KEM-1024
 * groups (MLKEM1024, SecP384r1MLKEM1024) only when configured, a retry to them, and none
 * in common with a default client; resumption; TLS 1.2 leaves them out; bad shares in
 * either direction are illegal_parameter.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "pair.h"

#define EXT_KEY_SHARE 51
#define EXT_SUPPORTED_GROUPS 10

static const uint16_t X_MLKEM = TLSM_GROUP_X25519MLKEM768;

/* The groups of the key shares in the client's first ClientHello. */
typedef struct {
    uint16_t shares[4];
    size_t n;
    int seen;
} ch_shares;

static void shares_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    ch_shares *s = ctx;
    if (dir != PAIR_C2S || index != 0 || s->seen)
        return;
    s->seen = 1;
    size_t len = 0, at = pair_hello_find_ext(rec, EXT_KEY_SHARE, &len);
    cr_assert_neq(at, PAIR_NONE);
    for (size_t off = at + 2; off + 4 <= at + len && s->n < 4;) {
        s->shares[s->n++] = (uint16_t)hello_get16(rec->data + off);
        off += 4 + hello_get16(rec->data + off + 2);
    }
}

static void run(const uint16_t *cg, size_t ncg, const uint16_t *sg, size_t nsg, ch_shares *s,
                pair *p)
{
    pair_opts co = {.groups = cg, .n_groups = ncg};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = sg, .n_groups = nsg};
    pair_init(p, &co, &so, 17);
    pair_connect(p, PAIR_HOST);
    memset(s, 0, sizeof *s);
    p->hook = shares_hook;
    p->hook_ctx = s;
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "%s / %s", pair_reason(p->side[0].conn), pair_reason(p->side[1].conn));
}

Test(pq_groups, default_is_the_hybrid_with_an_x25519_share_beside_it)
{
    pair p;
    ch_shares s;
    run(NULL, 0, NULL, 0, &s, &p);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.shares[0], X_MLKEM);
    cr_assert_eq(s.shares[1], TLSM_GROUP_X25519);
    for (int side = 0; side < 2; side++)
        cr_assert_eq(tlsm_conn_group(p.side[side].conn), X_MLKEM);
    cr_assert_not(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    pair_free(&p);
}

Test(pq_groups, classical_server_takes_x25519_without_a_retry)
{
    static const uint16_t sg[] = {TLSM_GROUP_SECP256R1, TLSM_GROUP_X25519};
    pair p;
    ch_shares s;
    run(NULL, 0, sg, 2, &s, &p);
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_CLIENT].conn), TLSM_GROUP_X25519);
    cr_assert_not(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    pair_free(&p);
}

Test(pq_groups, retry_from_the_shares_to_another_classical_group)
{
    static const uint16_t cg[] = {TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_X25519,
                                  TLSM_GROUP_SECP256R1};
    static const uint16_t sg[] = {TLSM_GROUP_SECP256R1};
    pair p;
    ch_shares s;
    run(cg, 3, sg, 1, &s, &p);
    cr_assert_eq(s.n, 2);
    cr_assert(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_CLIENT].conn), TLSM_GROUP_SECP256R1);
    pair_free(&p);
}

/* A classical group first still brings a share of the first ML-KEM group. */
Test(pq_groups, classical_first_still_sends_the_first_pq_share)
{
    static const uint16_t cg[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1,
                                  TLSM_GROUP_X25519MLKEM768};
    static const uint16_t sg[] = {TLSM_GROUP_X25519MLKEM768};
    pair p;
    ch_shares s;
    run(cg, 3, sg, 1, &s, &p);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.shares[0], TLSM_GROUP_X25519);
    cr_assert_eq(s.shares[1], X_MLKEM);
    cr_assert_not(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_CLIENT].conn), X_MLKEM);
    pair_free(&p);
}

Test(pq_groups, retry_to_the_hybrid)
{
    static const uint16_t cg[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1MLKEM768,
                                  TLSM_GROUP_X25519MLKEM768};
    static const uint16_t sg[] = {TLSM_GROUP_X25519MLKEM768};
    pair p;
    ch_shares s;
    run(cg, 3, sg, 1, &s, &p);
    cr_assert_eq(s.n, 2);
    cr_assert(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_CLIENT].conn), X_MLKEM);
    pair_free(&p);
}

Test(pq_groups, secp256r1mlkem768_and_mlkem768_when_configured)
{
    static const uint16_t groups[] = {TLSM_GROUP_SECP256R1MLKEM768, TLSM_GROUP_MLKEM768};
    for (size_t i = 0; i < 2; i++) {
        pair p;
        ch_shares s;
        run(&groups[i], 1, &groups[i], 1, &s, &p);
        cr_assert_eq(s.n, 1, "%s: no classical group to send beside it",
                     tlsm_group_name(groups[i]));
        cr_assert_eq(tlsm_conn_group(p.side[PAIR_SERVER].conn), groups[i]);
        pair_free(&p);
    }
}

/* The share sizes of the client's first key share and of the server's. */
typedef struct {
    size_t client, server;
} share_lens;

/* key_share data: ClientHello list length, group, length; ServerHello group, length. */
static size_t first_share_len(pair_buf *rec, pair_dir dir)
{
    size_t len = 0, at = pair_hello_find_ext(rec, EXT_KEY_SHARE, &len);
    cr_assert_neq(at, PAIR_NONE);
    return hello_get16(rec->data + at + (dir == PAIR_C2S ? 4 : 2));
}

static void lens_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    share_lens *l = ctx;
    if (index != 0)
        return;
    if (dir == PAIR_C2S && l->client == 0)
        l->client = first_share_len(rec, dir);
    else if (dir == PAIR_S2C && l->server == 0)
        l->server = first_share_len(rec, dir);
}

/* draft-ietf-tls-mlkem: MLKEM1024's shares are the 1568-byte encapsulation key and the
 * 1568-byte ciphertext; draft-ietf-tls-ecdhe-mlkem: SecP384r1MLKEM1024's add a P-384
 * point (97 bytes) to each. */
Test(pq_groups, mlkem1024_groups_when_configured)
{
    static const uint16_t groups[] = {TLSM_GROUP_MLKEM1024, TLSM_GROUP_SECP384R1MLKEM1024};
    static const size_t lens[] = {1568, 97 + 1568};
    for (size_t i = 0; i < 2; i++) {
        pair p;
        share_lens l = {0, 0};
        pair_init(&p, &(pair_opts){.groups = &groups[i], .n_groups = 1},
                  &(pair_opts){.key = PAIR_KEY_P256, .groups = &groups[i], .n_groups = 1}, 17);
        pair_connect(&p, PAIR_HOST);
        p.hook = lens_hook;
        p.hook_ctx = &l;
        cr_assert_eq(pair_handshake(&p), 0, "%s: %s / %s", tlsm_group_name(groups[i]),
                     pair_reason(p.side[0].conn), pair_reason(p.side[1].conn));
        for (int side = 0; side < 2; side++)
            cr_assert_eq(tlsm_conn_group(p.side[side].conn), groups[i]);
        cr_assert_eq(l.client, lens[i], "%s: client share", tlsm_group_name(groups[i]));
        cr_assert_eq(l.server, lens[i], "%s: server share", tlsm_group_name(groups[i]));
        cr_assert_not(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
        pair_free(&p);
    }
}

/* A client that lists MLKEM1024 without sending its share (the first ML-KEM group,
 * X25519MLKEM768, gets the share) is asked for it by a server that has only MLKEM1024. */
Test(pq_groups, retry_to_mlkem1024)
{
    static const uint16_t cg[] = {TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_X25519,
                                  TLSM_GROUP_MLKEM1024};
    static const uint16_t sg[] = {TLSM_GROUP_MLKEM1024};
    pair p;
    ch_shares s;
    run(cg, 3, sg, 1, &s, &p);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.shares[0], X_MLKEM);
    cr_assert_eq(s.shares[1], TLSM_GROUP_X25519);
    cr_assert(tlsm_conn_hrr(p.side[PAIR_CLIENT].conn));
    for (int side = 0; side < 2; side++)
        cr_assert_eq(tlsm_conn_group(p.side[side].conn), TLSM_GROUP_MLKEM1024);
    pair_free(&p);
}

/* The ML-KEM-1024 groups are opt-in: a default client neither lists them nor shares them,
 * so a server configured with MLKEM1024 alone has no group in common with it
 * (RFC 8446 s.4.1.1: handshake_failure). */
static void lists_1024_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    int *listed = ctx;
    if (dir != PAIR_C2S || index != 0)
        return;
    size_t len = 0, at = pair_hello_find_ext(rec, EXT_SUPPORTED_GROUPS, &len);
    cr_assert_neq(at, PAIR_NONE);
    for (size_t off = at + 2; off + 2 <= at + len; off += 2) {
        uint16_t g = (uint16_t)hello_get16(rec->data + off);
        *listed |= g == TLSM_GROUP_MLKEM1024 || g == TLSM_GROUP_SECP384R1MLKEM1024;
    }
}

Test(pq_groups, mlkem1024_server_and_default_client_have_no_common_group)
{
    static const uint16_t sg[] = {TLSM_GROUP_MLKEM1024};
    pair p;
    int listed = 0;
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256, .groups = sg, .n_groups = 1}, 17);
    pair_connect(&p, PAIR_HOST);
    p.hook = lists_1024_hook;
    p.hook_ctx = &listed;
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_not(listed, "a default client lists an ML-KEM-1024 group");
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_SERVER].conn, &d), 0);
    cr_assert_eq(d.alert_sent, TLSM_ALERT_HANDSHAKE_FAILURE, "%s", d.reason);
    pair_free(&p);
}

Test(pq_groups, resumption_with_psk_dhe_ke)
{
    pair p;
    ch_shares s;
    run(NULL, 0, NULL, 0, &s, &p);
    pair_buf sess = {0};
    cr_assert_eq(pair_get_session(&p, &sess), 0);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, sess.data, sess.len), 0);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert(tlsm_conn_resumed(p.side[PAIR_SERVER].conn));
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_SERVER].conn), X_MLKEM);
    pair_buf_free(&sess);
    pair_free(&p);
}

/* A TLS 1.2-only client leaves the TLS 1.3 groups out of supported_groups; a TLS 1.2
 * server never picks one. */
static void groups_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    int *kem_listed = ctx;
    if (dir != PAIR_C2S || index != 0)
        return;
    size_t len = 0, at = pair_hello_find_ext(rec, EXT_SUPPORTED_GROUPS, &len);
    cr_assert_neq(at, PAIR_NONE);
    for (size_t off = at + 2; off + 2 <= at + len; off += 2) {
        uint16_t g = (uint16_t)hello_get16(rec->data + off);
        *kem_listed |= g == 0x11ec || g == 0x11eb || g == 0x11ed || g == 0x0201 || g == 0x0202;
    }
}

Test(pq_groups, tls12_leaves_them_out)
{
    pair p;
    int kem_listed = 0;
    pair_init(&p, &(pair_opts){.max_version = TLSM_TLS12}, &(pair_opts){.key = PAIR_KEY_P256},
              19);
    pair_connect(&p, PAIR_HOST);
    p.hook = groups_hook;
    p.hook_ctx = &kem_listed;
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_not(kem_listed);
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_SERVER].conn), TLSM_GROUP_X25519);
    pair_free(&p);
    /* A client offering both versions lists them; a TLS 1.2 server skips them. */
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256, .max_version = TLSM_TLS12}, 19);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert_eq(tlsm_conn_group(p.side[PAIR_SERVER].conn), TLSM_GROUP_X25519);
    pair_free(&p);
}

/* ------------------------------------------------------------------ bad shares */

static int edit_kind;
static uint16_t edit_group;

/* Rewrites the client's first share, of edit_group (X25519MLKEM768 or MLKEM1024): one
 * byte short, or an encapsulation key whose first coefficient is 4095 (FIPS 203 s.7.2). */
static void bad_client_share(ch_parts *ch, ch_extra *x)
{
    (void)x;
    pair_buf *ks = ch_ext(ch, EXT_KEY_SHARE);
    uint8_t *share = ks->data + 2 + 4; /* list length, group, share length */
    cr_assert_eq(hello_get16(ks->data + 2), edit_group);
    if (edit_kind == 0) {
        size_t n = hello_get16(ks->data + 4);
        memmove(share + n - 1, share + n, ks->len - (size_t)(share + n - ks->data));
        ks->len--;
        ks->data[4] = (uint8_t)((n - 1) >> 8);
        ks->data[5] = (uint8_t)(n - 1);
        size_t list = hello_get16(ks->data) - 1;
        ks->data[0] = (uint8_t)(list >> 8);
        ks->data[1] = (uint8_t)list;
    } else {
        share[0] = 0xff;
        share[1] |= 0x0f;
    }
}

Test(pq_groups, bad_client_shares_are_illegal_parameter)
{
    static const uint16_t g1024[] = {TLSM_GROUP_MLKEM1024};
    for (int n = 0; n < 4; n++) {
        edit_kind = n % 2;
        edit_group = n < 2 ? X_MLKEM : TLSM_GROUP_MLKEM1024;
        pair_opts co = {.groups = n < 2 ? NULL : g1024, .n_groups = n < 2 ? 0 : 1};
        pair_opts so = {.key = PAIR_KEY_P256, .groups = co.groups, .n_groups = co.n_groups};
        pair p;
        hello_edit e;
        pair_init(&p, &co, &so, 23);
        pair_connect(&p, PAIR_HOST);
        hello_edit_run(&p, &e, bad_client_share);
        tlsm_error_detail d;
        cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_SERVER].conn, &d), 0);
        cr_assert_str_eq(d.reason, "CH_KEY_SHARE_INVALID", "%s edit %d: %s",
                         tlsm_group_name(edit_group), edit_kind, d.reason);
        cr_assert_eq(d.alert_sent, TLSM_ALERT_ILLEGAL_PARAMETER);
        hello_edit_free(&e);
        pair_free(&p);
    }
}

/* The server's share: its X25519 half zeroed (an all-zero X25519 secret, refused), or a
 * ciphertext byte changed (implicitly rejected: the keys differ, the client cannot read
 * the server's flight). */
static void server_share_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    int kind = *(int *)ctx;
    if (dir != PAIR_S2C || index != 0)
        return;
    size_t len = 0, at = pair_hello_find_ext(rec, EXT_KEY_SHARE, &len);
    cr_assert_neq(at, PAIR_NONE);
    cr_assert_eq(len, 4 + 1088 + 32);
    if (kind == 0)
        memset(rec->data + at + 4 + 1088, 0, 32);
    else
        rec->data[at + 4 + 500] ^= 1;
}

Test(pq_groups, bad_server_shares)
{
    static const char *const want[] = {"SH_KEY_SHARE_INVALID", "REC_BAD_MAC"};
    for (int kind = 0; kind < 2; kind++) {
        pair p;
        pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 29);
        pair_connect(&p, PAIR_HOST);
        p.hook = server_share_hook;
        p.hook_ctx = &kind;
        cr_assert_neq(pair_handshake(&p), 0);
        cr_assert_str_eq(pair_reason(p.side[PAIR_CLIENT].conn), want[kind]);
        pair_free(&p);
    }
}
