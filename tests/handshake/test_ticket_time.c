/*
 * test_ticket_time.c - resumption when time has passed, with client and server clocks that
 * disagree: the server's checks of a ticket's lifetime (RFC 8446 s.4.6.1, RFC 5077 s.4)
 * and of the client's view of its age (RFC 8446 s.8.3: obfuscated_ticket_age minus
 * ticket_age_add, within 10 s of the server's), and the client's own rule not to offer a
 * ticket past its lifetime. A refused ticket is not an error: the handshake goes on in
 * full.
 *
 * The client and the server get separate clocks (the pair's shared clock drives the
 * client). A client that behaves never offers an expired ticket, so the server's lifetime
 * check is reached only by a client that ignores the lifetime it was given: white box, the
 * test raises the lifetime in the client's stored session.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"
#include "pair.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)

enum { EXT_PRE_SHARED_KEY = 41, EXT_SESSION_TICKET = 35, MSG_CLIENT_HELLO = 1 };

#define LIFETIME_S 60u

typedef struct {
    pair p;
    uint64_t server_now;  /* the server's clock; the client's is p.now_ms */
    pair_buf session;
} clocks;

/* A first, full handshake at PAIR_NOW_MS on both clocks; keeps the client's session. */
static void first_handshake(clocks *k, uint16_t version, int tickets)
{
    pair_opts co = {.min_version = version, .max_version = version};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = version, .max_version = version,
                    .no_tickets = !tickets};
    memset(k, 0, sizeof *k);
    pair_init(&k->p, &co, &so, 9);
    k->server_now = k->p.now_ms;
    cr_assert_eq(tlsm_config_set_clock(k->p.side[PAIR_SERVER].cfg, pair_clock_now, &k->server_now),
                 0);
    cr_assert_eq(tlsm_config_set_ticket_lifetime(k->p.side[PAIR_SERVER].cfg, LIFETIME_S), 0);
    pair_connect(&k->p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&k->p), 0, "first handshake: %s", pair_reason(CLIENT(&k->p)));
    cr_assert_eq(pair_get_session(&k->p, &k->session), 0, "no session");
}

/* What the client put in its ClientHello: whether it offered the session at all. */
typedef struct {
    int seen, offered;
    uint16_t version;
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

/* Moves the clocks on by the given milliseconds and connects again offering the session;
 * `client_lifetime` > 0 overwrites the lifetime the client keeps for it (white box).
 * Returns whether the connection resumed; the handshake must succeed either way. */
static int again(clocks *k, uint64_t client_ms, uint64_t server_ms, uint32_t client_lifetime,
                 offer_seen *o)
{
    k->p.now_ms += client_ms;
    k->server_now += server_ms;
    k->p.hook = o ? offer_hook : NULL;
    k->p.hook_ctx = o;
    pair_connect(&k->p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(CLIENT(&k->p), k->session.data, k->session.len), 0);
    if (client_lifetime)
        CLIENT(&k->p)->session.lifetime = client_lifetime;
    int rc = pair_handshake(&k->p);
    cr_assert_eq(rc, 0, "handshake: %d (%s / %s)", rc, pair_reason(CLIENT(&k->p)),
                 pair_reason(SERVER(&k->p)));
    if (o)
        cr_assert(o->seen, "no ClientHello seen");
    int resumed = tlsm_conn_resumed(CLIENT(&k->p));
    cr_assert_eq(tlsm_conn_resumed(SERVER(&k->p)), resumed, "the two sides disagree");
    return resumed;
}

static void done(clocks *k)
{
    pair_buf_free(&k->session);
    pair_free(&k->p);
}

/* ---------------------------------------------------------------- TLS 1.3 age window */

/* The clocks agree: 5 s later on both, the ticket resumes (the control for the cases
 * below, which differ only in the clocks). */
Test(ticket_time, tls13_clocks_agree_resumes)
{
    clocks k;
    first_handshake(&k, TLSM_TLS13, 1);
    offer_seen o = {.version = TLSM_TLS13};
    cr_assert(again(&k, 5000, 5000, 0, &o), "not resumed");
    cr_assert(o.offered);
    done(&k);
}

/* RFC 8446 s.8.3: the server compares the client's view of the ticket's age with its own
 * and refuses the PSK beyond its window (10 s): here the server's clock ran 20 s further
 * than the client's, so the client's age lags. The handshake goes on in full. */
Test(ticket_time, tls13_server_clock_ahead_refuses_psk)
{
    clocks k;
    first_handshake(&k, TLSM_TLS13, 1);
    offer_seen o = {.version = TLSM_TLS13};
    cr_assert_not(again(&k, 1000, 21000, 0, &o), "resumed with a 20 s age difference");
    cr_assert(o.offered, "the client did not offer the ticket");
    done(&k);
}

/* The other side of the window: the client's clock ran 20 s ahead. */
Test(ticket_time, tls13_client_clock_ahead_refuses_psk)
{
    clocks k;
    first_handshake(&k, TLSM_TLS13, 1);
    offer_seen o = {.version = TLSM_TLS13};
    cr_assert_not(again(&k, 21000, 1000, 0, &o), "resumed with a 20 s age difference");
    cr_assert(o.offered, "the client did not offer the ticket");
    done(&k);
}

/* Within the window (8 s apart either way) the ticket resumes. */
Test(ticket_time, tls13_small_skew_resumes)
{
    clocks k;
    first_handshake(&k, TLSM_TLS13, 1);
    cr_assert(again(&k, 1000, 9000, 0, NULL), "not resumed with the server 8 s ahead");
    done(&k);
    first_handshake(&k, TLSM_TLS13, 1);
    cr_assert(again(&k, 9000, 1000, 0, NULL), "not resumed with the client 8 s ahead");
    done(&k);
}

/* ---------------------------------------------------------------- lifetime */

/* RFC 8446 s.4.6.1: the server accepts a ticket only within its ticket_lifetime. The
 * client here ignores the lifetime it was told (white box) and offers the ticket twice
 * its lifetime later, with an age the server agrees with: the server refuses it. */
Test(ticket_time, tls13_server_refuses_expired_ticket)
{
    clocks k;
    first_handshake(&k, TLSM_TLS13, 1);
    offer_seen o = {.version = TLSM_TLS13};
    uint64_t later = 2 * LIFETIME_S * 1000;
    cr_assert_not(again(&k, later, later, 7 * 24 * 3600, &o), "an expired ticket resumed");
    cr_assert(o.offered, "the client did not offer the ticket");
    done(&k);
}

/* RFC 5077 s.4 / s.3.3: the same for a TLS 1.2 ticket. */
Test(ticket_time, tls12_server_refuses_expired_ticket)
{
    clocks k;
    first_handshake(&k, TLSM_TLS12, 1);
    offer_seen o = {.version = TLSM_TLS12};
    uint64_t later = 2 * LIFETIME_S * 1000;
    cr_assert_not(again(&k, later, later, 7 * 24 * 3600, &o), "an expired ticket resumed");
    cr_assert(o.offered, "the client did not offer the ticket");
    done(&k);
}

/* Just within the lifetime both versions resume (the control). */
Test(ticket_time, unexpired_tickets_resume)
{
    clocks k;
    uint64_t later = (LIFETIME_S - 5) * 1000;
    first_handshake(&k, TLSM_TLS13, 1);
    cr_assert(again(&k, later, later, 0, NULL), "TLS 1.3 not resumed");
    done(&k);
    first_handshake(&k, TLSM_TLS12, 1);
    cr_assert(again(&k, later, later, 0, NULL), "TLS 1.2 not resumed");
    done(&k);
}

/* RFC 8446 s.4.6.1: a client does not use a ticket past the lifetime the server gave it:
 * it does not even offer it (both versions). */
Test(ticket_time, client_does_not_offer_expired_ticket)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t i = 0; i < 2; i++) {
        clocks k;
        first_handshake(&k, versions[i], 1);
        offer_seen o = {.version = versions[i]};
        uint64_t later = (LIFETIME_S + 1) * 1000;
        cr_assert_not(again(&k, later, 0, 0, &o), "resumed");
        cr_assert_not(o.offered, "v%04x: the client offered an expired ticket", versions[i]);
        done(&k);
    }
}
