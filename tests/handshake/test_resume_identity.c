/*
 * test_resume_identity.c - a resumed connection reports the peer that the original
 * handshake authenticated (issue 16 item 5): the client sees the server's whole chain and
 * signature scheme again, the server the client's leaf and scheme, in TLS 1.3 (tickets)
 * and TLS 1.2 (tickets and session ids), through the session blob and from one resumption
 * to the next. A server's ticket grows by exactly the client's leaf.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pair.h"

/* What one side knows about its peer. */
typedef struct {
    uint16_t sigalg, group;
    size_t n;
    pair_buf certs[4];
} peer_view;

static void view_take(const tlsm_conn *c, peer_view *v)
{
    memset(v, 0, sizeof *v);
    v->sigalg = tlsm_conn_peer_sigalg(c);
    v->group = tlsm_conn_group(c);
    v->n = tlsm_conn_peer_cert_count(c);
    cr_assert_leq(v->n, 4);
    for (size_t i = 0; i < v->n; i++) {
        size_t len = 0;
        const uint8_t *der = tlsm_conn_peer_cert(c, i, &len);
        cr_assert_not_null(der);
        pair_buf_set(&v->certs[i], der, len);
    }
}

static void view_free(peer_view *v)
{
    for (size_t i = 0; i < 4; i++)
        pair_buf_free(&v->certs[i]);
}

/* The resumed view matches the original: the same scheme, and the first `n` certificates
 * (the whole chain, or the leaf only) byte for byte. */
static void view_expect(const tlsm_conn *c, const peer_view *orig, size_t n, const char *w)
{
    cr_assert_eq(tlsm_conn_peer_sigalg(c), orig->sigalg, "%s: scheme %04x, first %04x", w,
                 tlsm_conn_peer_sigalg(c), orig->sigalg);
    cr_assert_eq(tlsm_conn_peer_cert_count(c), n, "%s: %zu certificates, want %zu", w,
                 tlsm_conn_peer_cert_count(c), n);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const uint8_t *der = tlsm_conn_peer_cert(c, i, &len);
        cr_assert(der && len == orig->certs[i].len && !memcmp(der, orig->certs[i].data, len),
                  "%s: certificate %zu differs", w, i);
    }
    cr_assert_null(tlsm_conn_peer_cert(c, n, &(size_t){0}), "%s: certificate past %zu", w, n);
}

typedef struct {
    uint16_t version;
    int tickets;     /* TLS 1.2: 1 resume by ticket, 0 by session id */
    int client_auth; /* the server requires a client certificate */
    pair_key key;
} resume_case;

static void run(const resume_case *k)
{
    char w[96];
    snprintf(w, sizeof w, "v%04x tickets=%d auth=%d key=%s", k->version, k->tickets,
             k->client_auth, pair_key_name(k->key));
    pair p;
    pair_opts co = {.key = k->client_auth ? PAIR_KEY_CLIENT : PAIR_KEY_NONE,
                    .min_version = k->version,
                    .max_version = k->version};
    pair_opts so = {.key = k->key,
                    .client_auth = k->client_auth ? 2 : 0,
                    .no_tickets = !k->tickets,
                    .min_version = k->version,
                    .max_version = k->version};
    pair_init(&p, &co, &so, 7);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0, "%s: first handshake", w);
    peer_view server_seen, client_seen;
    view_take(p.side[PAIR_CLIENT].conn, &server_seen);
    view_take(p.side[PAIR_SERVER].conn, &client_seen);
    cr_assert_eq(server_seen.n, 2, "%s: the test PKI's server chain has two certificates", w);
    cr_assert_neq(server_seen.sigalg, 0, "%s", w);
    cr_assert_eq(client_seen.n, k->client_auth ? 2u : 0u, "%s", w);

    /* Two resumptions in a row: the second uses the session the first one kept (a new
     * ticket, or in TLS 1.2 the same session), whose chain the connection now holds. */
    for (int round = 1; round <= 2; round++) {
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), 0, "%s: round %d: no session", w, round);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, sess.data, sess.len), 0);
        pair_buf_free(&sess);
        cr_assert_eq(pair_handshake(&p), 0, "%s: round %d", w, round);
        tlsm_conn *c = p.side[PAIR_CLIENT].conn, *v = p.side[PAIR_SERVER].conn;
        cr_assert(tlsm_conn_resumed(c) && tlsm_conn_resumed(v), "%s: round %d not resumed", w,
                  round);
        view_expect(c, &server_seen, server_seen.n, w);
        /* A server keeps the client's leaf only. */
        view_expect(v, &client_seen, client_seen.n ? 1 : 0, w);
        /* TLS 1.2 resumption has no key exchange: the original group is reported. */
        if (k->version == TLSM_TLS12)
            cr_assert_eq(tlsm_conn_group(c), server_seen.group, "%s: group", w);
    }
    view_free(&server_seen);
    view_free(&client_seen);
    pair_free(&p);
}

Test(resume_identity, tls13)
{
    static const pair_key keys[] = {PAIR_KEY_P256, PAIR_KEY_RSA, PAIR_KEY_ED25519};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        for (int auth = 0; auth <= 1; auth++)
            run(&(resume_case){TLSM_TLS13, 1, auth, keys[i]});
}

Test(resume_identity, tls12_ticket)
{
    for (int auth = 0; auth <= 1; auth++) {
        run(&(resume_case){TLSM_TLS12, 1, auth, PAIR_KEY_P256});
        run(&(resume_case){TLSM_TLS12, 1, auth, PAIR_KEY_RSA});
    }
}

Test(resume_identity, tls12_session_id)
{
    for (int auth = 0; auth <= 1; auth++)
        run(&(resume_case){TLSM_TLS12, 0, auth, PAIR_KEY_P384});
}

/* The size of the session blob the client keeps after a TLS 1.3 handshake. */
static size_t blob_size(int client_auth, size_t *leaf_len)
{
    pair p;
    pair_opts co = {.key = client_auth ? PAIR_KEY_CLIENT : PAIR_KEY_NONE};
    pair_opts so = {.key = PAIR_KEY_P256, .client_auth = client_auth ? 2 : 0};
    pair_init(&p, &co, &so, 11);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    pair_buf sess = {0};
    cr_assert_eq(pair_get_session(&p, &sess), 0);
    if (leaf_len)
        cr_assert_not_null(tlsm_conn_peer_cert(p.side[PAIR_SERVER].conn, 0, leaf_len));
    size_t n = sess.len;
    pair_buf_free(&sess);
    pair_free(&p);
    return n;
}

/* The server's ticket carries the client's leaf, and nothing else grows with client
 * authentication: the client's blob (which holds the ticket) differs by the leaf's size. */
Test(resume_identity, ticket_grows_by_the_client_leaf)
{
    size_t leaf_len = 0;
    size_t without = blob_size(0, NULL), with = blob_size(1, &leaf_len);
    cr_assert_gt(leaf_len, 300);
    cr_assert_eq(with - without, leaf_len, "blob %zu -> %zu bytes, leaf %zu", without, with,
                 leaf_len);
}

/* A blob of another format, or whose chain is inconsistent, is refused: the host then
 * connects without it. */
Test(resume_identity, malformed_blobs_are_refused)
{
    pair p;
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 13);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0);
    pair_buf sess = {0};
    cr_assert_eq(pair_get_session(&p, &sess), 0);
    /* The blob ends with the server's chain (u24 total, then each certificate <3>) and the
     * stapled OCSP response<3>, empty here. */
    size_t chain_len = 0;
    for (size_t i = 0; i < tlsm_conn_peer_cert_count(p.side[PAIR_CLIENT].conn); i++) {
        size_t len = 0;
        tlsm_conn_peer_cert(p.side[PAIR_CLIENT].conn, i, &len);
        chain_len += 3 + len;
    }
    cr_assert_gt(sess.len, chain_len + 6);
    size_t leaf_at = sess.len - 3 - chain_len;

    pair_connect(&p, PAIR_HOST);
    tlsm_conn *c = p.side[PAIR_CLIENT].conn;
    pair_buf bad = {0};
    pair_buf_set(&bad, sess.data, sess.len);
    bad.data[1] = 2; /* the format before sessions kept the peer */
    cr_assert_eq(tlsm_conn_set_session(c, bad.data, bad.len), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_conn_set_session(c, sess.data, sess.len - 1), TLSM_ERR_ARG);
    pair_buf_set(&bad, sess.data, sess.len);
    bad.data[leaf_at + 2]++; /* the leaf's length now runs past the chain */
    cr_assert_eq(tlsm_conn_set_session(c, bad.data, bad.len), TLSM_ERR_ARG);
    pair_buf_set(&bad, sess.data, sess.len);
    bad.data[leaf_at] = bad.data[leaf_at + 1] = bad.data[leaf_at + 2] = 0; /* empty entry */
    cr_assert_eq(tlsm_conn_set_session(c, bad.data, bad.len), TLSM_ERR_ARG);
    pair_buf_free(&bad);

    cr_assert_eq(tlsm_conn_set_session(c, sess.data, sess.len), 0);
    cr_assert_eq(pair_handshake(&p), 0);
    cr_assert(tlsm_conn_resumed(c));
    cr_assert_eq(tlsm_conn_peer_cert_count(c), 2);
    pair_buf_free(&sess);
    pair_free(&p);
}
