/*
 * test_session_binding.c - what a session may be resumed for (RFC 8446 s.4.6.1, s.4.2.11;
 * RFC 6066 s.3; RFC 5077): the server name it was made for, on both sides; the client
 * authentication it had, when the resuming server requires one; the version it was made
 * in (a TLS 1.2 ticket is no TLS 1.3 PSK); and the server's own state format. A refused
 * session is not an error: the handshake goes on in full.
 *
 * A behaving tlsm client never offers a session outside these rules, so the server's side
 * is reached by a client that does (white box: the test edits the client's stored session
 * after tlsm_conn_set_session).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pair.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)
/* Another name in the SAN of every server certificate of the test PKI. */
#define OTHER_HOST "localhost"

enum { EXT_PRE_SHARED_KEY = 41, EXT_SESSION_TICKET = 35, MSG_CLIENT_HELLO = 1 };

static const uint8_t ticket_key[32] = "session binding test ticket key";

/* A pair whose server uses the shared ticket key, so that two pairs' servers can read
 * each other's tickets (a fleet of servers with one key). */
static void init(pair *p, const pair_opts *co, const pair_opts *so)
{
    pair_init(p, co, so, 5);
    cr_assert_eq(tlsm_config_set_ticket_key(p->side[PAIR_SERVER].cfg, ticket_key,
                                            sizeof ticket_key), 0);
}

/* A full handshake to server_name; returns the client's session. */
static void first(pair *p, const char *server_name, pair_buf *session)
{
    pair_connect(p, server_name);
    cr_assert_eq(pair_handshake(p), 0, "first handshake: %s / %s", pair_reason(CLIENT(p)),
                 pair_reason(SERVER(p)));
    cr_assert_eq(pair_get_session(p, session), 0, "no session");
}

/* Connects again to server_name with the session; `edit` may change the client's stored
 * session before the ClientHello is written. Returns 1 if resumed (handshake required). */
static int again(pair *p, const char *server_name, const pair_buf *session,
                 void (*edit)(tlsm_session *s))
{
    pair_connect(p, server_name);
    cr_assert_eq(tlsm_conn_set_session(CLIENT(p), session->data, session->len), 0);
    if (edit)
        edit(&CLIENT(p)->session);
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s / %s)", rc, pair_reason(CLIENT(p)),
                 pair_reason(SERVER(p)));
    int resumed = tlsm_conn_resumed(CLIENT(p));
    cr_assert_eq(tlsm_conn_resumed(SERVER(p)), resumed, "the two sides disagree");
    return resumed;
}

static pair_opts version_only(uint16_t v)
{
    pair_opts o = {.min_version = v, .max_version = v};
    return o;
}

static const pair_opts server_p256 = {.key = PAIR_KEY_P256};

/* ---------------------------------------------------------------- the server name */

typedef struct {
    uint16_t version;
    int seen, offered;
} offer_seen;

static void offer_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    offer_seen *o = ctx;
    size_t len = 0;
    if (dir != PAIR_C2S || index != 0 || pair_hs_find(rec, MSG_CLIENT_HELLO, &len) == PAIR_NONE)
        return;
    o->seen = 1;
    if (o->version == TLSM_TLS13) {
        o->offered = pair_hello_find_ext(rec, EXT_PRE_SHARED_KEY, &len) != PAIR_NONE;
    } else {
        size_t at = pair_hello_find_ext(rec, EXT_SESSION_TICKET, &len);
        o->offered = at != PAIR_NONE && len > 0;
    }
}

/* RFC 8446 s.4.6.1: "Clients MUST only resume if the new SNI value is valid for the server
 * certificate presented in the original session"; tlsm offers a session only to the very
 * name it was made for (RFC 6066 s.3), so not even to another name of the same
 * certificate. */
Test(session_binding, client_offers_a_session_only_to_its_server_name)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t i = 0; i < 2; i++) {
        pair_opts co = version_only(versions[i]);
        pair p;
        pair_buf s = {0};
        init(&p, &co, &server_p256);
        first(&p, PAIR_HOST, &s);
        offer_seen o = {.version = versions[i]};
        p.hook = offer_hook;
        p.hook_ctx = &o;
        cr_assert_not(again(&p, OTHER_HOST, &s, NULL), "v%04x: resumed", versions[i]);
        cr_assert(o.seen);
        cr_assert_not(o.offered, "v%04x: the session was offered to another name", versions[i]);
        pair_buf_free(&s);
        pair_free(&p);
    }
}

static void rename_to_other_host(tlsm_session *s)
{
    strcpy(s->server_name, OTHER_HOST);
}

/* RFC 6066 s.3 / RFC 8446 s.4.6.1: the server resumes a session only under the name it was
 * established for; a client that offers it under another name (white box: its stored
 * name is changed so that it does) gets a full handshake, in both versions. */
Test(session_binding, server_refuses_a_session_made_for_another_name)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t i = 0; i < 2; i++) {
        pair_opts co = version_only(versions[i]);
        pair p;
        pair_buf s = {0};
        init(&p, &co, &server_p256);
        first(&p, PAIR_HOST, &s);
        offer_seen o = {.version = versions[i]};
        p.hook = offer_hook;
        p.hook_ctx = &o;
        cr_assert_not(again(&p, OTHER_HOST, &s, rename_to_other_host), "v%04x: resumed",
                      versions[i]);
        cr_assert(o.offered, "v%04x: the client did not offer the session", versions[i]);
        /* The control: under its own name the session resumes. */
        p.hook = NULL;
        cr_assert(again(&p, PAIR_HOST, &s, NULL), "v%04x: not resumed under its name",
                  versions[i]);
        pair_buf_free(&s);
        pair_free(&p);
    }
}

/* ---------------------------------------------------------------- client authentication */

/* RFC 8446 s.4.6.1 / s.2.2: a resumed connection keeps the original one's authentication.
 * A server that requires client certificates must not resume a session in which the
 * client sent none, even one issued by a laxer server sharing its ticket key. */
Test(session_binding, server_requiring_client_auth_refuses_a_session_without_it)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t i = 0; i < 2; i++) {
        pair_opts co = version_only(versions[i]);
        co.key = PAIR_KEY_CLIENT;
        pair_opts lax = {.key = PAIR_KEY_P256};
        pair_opts strict = {.key = PAIR_KEY_P256, .client_auth = 2};
        pair a, b;
        pair_buf s = {0};
        init(&a, &co, &lax);
        first(&a, PAIR_HOST, &s);
        cr_assert_eq(tlsm_conn_peer_cert_count(SERVER(&a)), 0, "the lax server asked for a cert");
        init(&b, &co, &strict);
        cr_assert_not(again(&b, PAIR_HOST, &s, NULL), "v%04x: resumed without the client's "
                      "certificate", versions[i]);
        cr_assert_gt(tlsm_conn_peer_cert_count(SERVER(&b)), 0, "no client certificate");
        pair_buf_free(&s);
        pair_free(&a);
        pair_free(&b);
    }
}

/* ---------------------------------------------------------------- the version */

static void as_tls13_psk(tlsm_session *s)
{
    cr_assert_eq(s->version, TLSM_TLS12);
    s->version = TLSM_TLS13;
    s->suite = TLSM_TLS_AES_128_GCM_SHA256; /* the same hash as the session's suite */
}

/* RFC 8446 s.4.2.11 / s.4.6.1: a PSK from a ticket is the resumption secret of a TLS 1.3
 * connection; a TLS 1.2 session (its master secret, under the same ticket key) offered as
 * a TLS 1.3 PSK, with a binder made from that master secret, is not resumed. */
Test(session_binding, tls12_ticket_is_no_tls13_psk)
{
    static const uint16_t suite12[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
    pair_opts c12 = version_only(TLSM_TLS12);
    c12.suites = suite12;
    c12.n_suites = 1;
    pair_opts c13 = version_only(TLSM_TLS13);
    pair a, b;
    pair_buf s = {0};
    init(&a, &c12, &server_p256);
    first(&a, PAIR_HOST, &s);
    init(&b, &c13, &server_p256);
    offer_seen o = {.version = TLSM_TLS13};
    b.hook = offer_hook;
    b.hook_ctx = &o;
    cr_assert_not(again(&b, PAIR_HOST, &s, as_tls13_psk), "a TLS 1.2 ticket resumed TLS 1.3");
    cr_assert(o.offered, "the client did not offer the ticket");
    cr_assert_eq(tlsm_conn_version(CLIENT(&b)), TLSM_TLS13);
    pair_buf_free(&s);
    pair_free(&a);
    pair_free(&b);
}

/* ---------------------------------------------------------------- the ticket's format */

static tlsm_config *format_server_cfg;

/* Opens the session's ticket with the server's ticket key, sets the state's format byte
 * (the first one, ticket.c) to 2, and seals it again with the same key and nonce (white
 * box: what only a server holding the key could do - an older or newer tlsm, say). */
static void other_state_format(tlsm_session *s)
{
    uint8_t key[32];
    config_ticket_keys(format_server_cfg, key, NULL);
    cr_assert_gt(s->ticket_len, CRYPTO_AEAD_NONCE_LEN + CRYPTO_AEAD_TAG_LEN);
    size_t plain_len = s->ticket_len - CRYPTO_AEAD_NONCE_LEN - CRYPTO_AEAD_TAG_LEN;
    uint8_t *plain = malloc(plain_len);
    cr_assert_not_null(plain);
    crypto_aead_ctx aead;
    cr_assert_eq(crypto_aead_init(&aead, AEAD_CHACHA20_POLY1305, key), 0);
    cr_assert_eq(crypto_aead_open(&aead, s->ticket, NULL, 0, s->ticket + CRYPTO_AEAD_NONCE_LEN,
                                  s->ticket_len - CRYPTO_AEAD_NONCE_LEN, plain), 0,
                 "the ticket does not open with the server's key");
    cr_assert_eq(plain[0], 3, "the state format is no longer 3: update this test");
    plain[0] = 2;
    crypto_aead_seal(&aead, s->ticket, NULL, 0, plain, plain_len,
                     s->ticket + CRYPTO_AEAD_NONCE_LEN);
    crypto_aead_wipe(&aead);
    crypto_wipe(key, sizeof key);
    crypto_wipe(plain, plain_len);
    free(plain);
}

/* RFC 5077 s.4 / RFC 8446 s.4.6.1: the ticket is the server's own encoding; a state in a
 * format this server does not write is not resumed (a full handshake), in both versions. */
Test(session_binding, ticket_of_another_state_format_is_not_resumed)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t i = 0; i < 2; i++) {
        pair_opts co = version_only(versions[i]);
        pair p;
        pair_buf s = {0};
        init(&p, &co, &server_p256);
        first(&p, PAIR_HOST, &s);
        format_server_cfg = p.side[PAIR_SERVER].cfg;
        cr_assert_not(again(&p, PAIR_HOST, &s, other_state_format), "v%04x: resumed",
                      versions[i]);
        /* The control: the untouched session resumes. */
        cr_assert(again(&p, PAIR_HOST, &s, NULL), "v%04x: not resumed", versions[i]);
        pair_buf_free(&s);
        pair_free(&p);
    }
}
