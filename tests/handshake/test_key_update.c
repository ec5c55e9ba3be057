/*
 * test_key_update.c - how a TLS 1.3 endpoint answers KeyUpdate requests (RFC 8446 s.4.6.3):
 * one answer for any number of requests received while it is silent, and a new answer
 * once it has sent something under the key of its last one.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pair.h"

/* How often side `who` updated its own sending keys (KEY_UPDATED with .alert 0) and how
 * often it saw the peer update (.alert 1). */
static void count_updates(pair *p, int who, size_t *ours, size_t *theirs)
{
    pair_collect(p, who);
    *ours = *theirs = 0;
    for (size_t i = 0; i < p->side[who].n_ev; i++) {
        const tlsm_event *e = &p->side[who].ev[i];
        if (e->type == TLSM_EV_KEY_UPDATED)
            ++*(e->alert ? theirs : ours);
    }
}

static void start(pair *p)
{
    pair_opts co = {.min_version = TLSM_TLS13};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = TLSM_TLS13};
    pair_init(p, &co, &so, 41);
    pair_connect(p, PAIR_HOST);
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
}

static void send_ok(pair *p, int from, const char *text)
{
    size_t before = p->side[1 - from].rx.len;
    int rc = pair_send(p, from, (const uint8_t *)text, strlen(text));
    cr_assert_eq(rc, 0, "send: %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(p->side[1 - from].rx.len, before + strlen(text), "the data did not arrive");
}

/* s.4.6.3: "causes an implementation which receives multiple KeyUpdates while it is
 * silent to respond with a single update". Five requests in a row, the server silent:
 * one KeyUpdate back, and data flows both ways under the new keys. */
Test(key_update, requests_while_silent_get_one_answer)
{
    pair p;
    start(&p);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(tlsm_key_update(p.side[PAIR_CLIENT].conn, 1), TLSM_OK);
    pair_pump(&p);
    size_t ours, theirs;
    count_updates(&p, PAIR_SERVER, &ours, &theirs);
    cr_assert_eq(theirs, 5, "the server saw %zu client updates", theirs);
    cr_assert_eq(ours, 1, "the server answered %zu times", ours);
    count_updates(&p, PAIR_CLIENT, &ours, &theirs);
    cr_assert_eq(ours, 5);
    cr_assert_eq(theirs, 1, "the client saw %zu server updates", theirs);
    send_ok(&p, PAIR_SERVER, "under the new key");
    send_ok(&p, PAIR_CLIENT, "and back");
    pair_free(&p);
}

/* Once the server has sent data under the key of its answer, the next request gets a new
 * answer before that data (the request is not taken as already answered). */
Test(key_update, request_after_data_gets_a_new_answer)
{
    pair p;
    start(&p);
    cr_assert_eq(tlsm_key_update(p.side[PAIR_CLIENT].conn, 1), TLSM_OK);
    pair_pump(&p);
    send_ok(&p, PAIR_SERVER, "first");
    cr_assert_eq(tlsm_key_update(p.side[PAIR_CLIENT].conn, 1), TLSM_OK);
    pair_pump(&p);
    size_t ours, theirs;
    count_updates(&p, PAIR_SERVER, &ours, &theirs);
    cr_assert_eq(theirs, 2);
    cr_assert_eq(ours, 2, "the server answered %zu times", ours);
    send_ok(&p, PAIR_SERVER, "second");
    pair_free(&p);
}

/* A client right after the handshake has sent nothing under its application key but has
 * not updated it either: a request is answered. */
Test(key_update, first_request_is_answered)
{
    pair p;
    start(&p);
    cr_assert_eq(tlsm_key_update(p.side[PAIR_SERVER].conn, 1), TLSM_OK);
    cr_assert_eq(tlsm_key_update(p.side[PAIR_SERVER].conn, 1), TLSM_OK);
    pair_pump(&p);
    size_t ours, theirs;
    count_updates(&p, PAIR_CLIENT, &ours, &theirs);
    cr_assert_eq(theirs, 2);
    cr_assert_eq(ours, 1, "the client answered %zu times", ours);
    send_ok(&p, PAIR_CLIENT, "hello");
    pair_free(&p);
}
