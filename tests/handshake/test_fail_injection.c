/*
 * test_fail_injection.c - every allocation and every fallible crypto call of a handshake
 * may fail, and each failure must end cleanly (issue 14 item 5).
 *
 * For full and resumed handshakes of both versions (and a TLS 1.3 one with client
 * authentication), a dry run counts the allocations (core/src/mem.h) and the fallible
 * crypto calls (tests/common/crypto_spy.h) of the whole exchange: handshake, data both
 * ways, close. Then the exchange is run once per allocation with that allocation failing,
 * and once per crypto call with that call failing. Each run must end in one of these ways:
 *  - the connection could not be created (tlsm_pair_new returns NULL);
 *  - a side failed with a sticky error that names its reason, and, when it detected the
 *    failure itself, queued an alert (internal_error for an allocation); the peer failed
 *    too or is still waiting; for an allocation, the failing side's reason is NOMEM;
 *  - the failure was absorbed and the exchange completed (best-effort allocations only,
 *    such as key log lines).
 * Crashes and leaks are what ASan (the sanitizer build of the test command) adds.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_spy.h"
#include "mem.h"
#include "pair.h"

typedef enum { SC_TLS13, SC_TLS13_RESUMED, SC_TLS13_CLIENT_AUTH, SC_TLS12, SC_TLS12_RESUMED } scenario;

typedef struct {
    tlsm_config *client, *server;
    uint8_t session[8192];
    size_t session_len;
} setup;

static uint64_t clock_fixed(void *ctx)
{
    (void)ctx;
    return PAIR_NOW_MS;
}

static void make_setup(setup *st, scenario sc)
{
    memset(st, 0, sizeof *st);
    st->client = tlsm_config_new(TLSM_ROLE_CLIENT);
    st->server = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert(st->client && st->server);
    cr_assert_eq(pair_add_trust(st->client, "ca.crt"), 0);
    cr_assert_eq(pair_add_identity(st->server, PAIR_KEY_P256), 0);
    /* Deterministic: every run makes the same calls up to the injected failure. */
    for (int i = 0; i < 2; i++) {
        tlsm_config *cfg = i ? st->server : st->client;
        cr_assert_eq(tlsm_config_set_clock(cfg, clock_fixed, NULL), 0);
        cr_assert_eq(tlsm_config_set_rng(cfg, spy_rng, NULL), 0);
    }
    if (sc == SC_TLS12 || sc == SC_TLS12_RESUMED)
        cr_assert_eq(tlsm_config_set_versions(st->client, TLSM_TLS12, TLSM_TLS12), 0);
    if (sc == SC_TLS13_CLIENT_AUTH) {
        cr_assert_eq(pair_add_trust(st->server, "ca.crt"), 0);
        cr_assert_eq(pair_add_identity(st->client, PAIR_KEY_CLIENT), 0);
        cr_assert_eq(tlsm_config_set_client_auth(st->server, 2), 0);
    }
    if (sc == SC_TLS13_RESUMED || sc == SC_TLS12_RESUMED) {
        /* A clean first connection, for a session to offer. */
        tlsm_pair *p = tlsm_pair_new(st->client, st->server, PAIR_HOST);
        cr_assert_not_null(p);
        cr_assert_eq(tlsm_pair_run(p), 0);
        cr_assert_eq(tlsm_conn_get_session(tlsm_pair_client(p), st->session,
                                           sizeof st->session, &st->session_len), 0);
        tlsm_pair_free(p);
    }
}

static void free_setup(setup *st)
{
    tlsm_config_free(st->client);
    tlsm_config_free(st->server);
}

typedef struct {
    int created, completed;
    tlsm_pair_report rep[2];
    int sticky_ok[2];
} outcome;

/* The exchange: handshake, data both ways, the client closes. */
static outcome exchange(setup *st)
{
    outcome o;
    memset(&o, 0, sizeof o);
    spy_rng_reset();
    tlsm_pair *p = tlsm_pair_new(st->client, st->server, PAIR_HOST);
    if (!p)
        return o;
    /* Offering the session copies it: an allocation there fails the call, cleanly. */
    int src = st->session_len ? tlsm_conn_set_session(tlsm_pair_client(p), st->session,
                                                      st->session_len)
                              : 0;
    if (src) {
        cr_expect_eq(src, TLSM_ERR_NOMEM, "tlsm_conn_set_session: %s", tlsm_strerror(src));
        tlsm_pair_free(p);
        return o;
    }
    o.created = 1;
    int rc = tlsm_pair_run(p);
    if (rc == 0 && tlsm_conn_handshake_done(tlsm_pair_client(p))) {
        rc = tlsm_pair_write(p, TLSM_PAIR_CLIENT, (const uint8_t *)"ping", 4);
        rc = rc ? rc : tlsm_pair_write(p, TLSM_PAIR_SERVER, (const uint8_t *)"pong", 4);
        rc = rc ? rc : tlsm_pair_close(p, TLSM_PAIR_CLIENT);
    }
    for (int side = 0; side < 2; side++) {
        cr_assert_eq(tlsm_pair_get_report(p, side, &o.rep[side]), 0);
        tlsm_conn *c = side ? tlsm_pair_server(p) : tlsm_pair_client(p);
        if (getenv("FI_DEBUG")) {
            tlsm_error_detail d;
            if (tlsm_conn_error_detail(c, &d) == 0 && d.code)
                printf("  side %d: %s %s at %s:%d alert_sent %d\n", side, tlsm_strerror(d.code),
                       d.reason, d.file ? d.file : "?", d.line, o.rep[side].alert_sent);
        }
        size_t n = 0;
        /* Sticky: every later call returns the same error. */
        o.sticky_ok[side] = !o.rep[side].error ||
                            (tlsm_write(c, (const uint8_t *)"x", 1, &n) == o.rep[side].error &&
                             tlsm_conn_error(c) == o.rep[side].error);
    }
    o.completed = !o.rep[0].error && !o.rep[1].error && o.rep[0].handshake_done &&
                  o.rep[1].handshake_done && o.rep[1].app_bytes_received == 4 &&
                  o.rep[0].app_bytes_received == 4 && o.rep[1].peer_closed;
    tlsm_pair_free(p);
    return o;
}

static int resumed_scenario(scenario sc)
{
    return sc == SC_TLS13_RESUMED || sc == SC_TLS12_RESUMED;
}

static const char *name_of(scenario sc)
{
    static const char *const names[] = {"TLS 1.3", "TLS 1.3 resumed", "TLS 1.3 client auth",
                                        "TLS 1.2", "TLS 1.2 resumed"};
    return names[sc];
}

/* Judges one run with the nth allocation (alloc) or crypto call failing. */
static void judge(scenario sc, int alloc, unsigned long nth, const outcome *o, size_t *absorbed)
{
    const char *what = alloc ? "allocation" : "crypto call";
    if (!o->created)
        return;
    if (o->completed) {
        /* A ticket that cannot be opened is not resumed: a full handshake instead. */
        if (!alloc && resumed_scenario(sc) && !o->rep[0].resumed)
            return;
        if (getenv("FI_DEBUG"))
            printf("%s %s %lu absorbed (%s)\n", name_of(sc), what, nth,
                   alloc ? "" : spy_injected_in);
        (*absorbed)++;
        return;
    }
    int failed = 0, nomem = 0;
    for (int side = 0; side < 2; side++) {
        const tlsm_pair_report *r = &o->rep[side];
        if (!r->error)
            continue;
        failed = 1;
        cr_expect(o->sticky_ok[side], "%s, %s %lu: side %d: error not sticky", name_of(sc), what,
                  nth, side);
        cr_expect(r->reason[0], "%s, %s %lu: side %d: %s without a reason", name_of(sc), what,
                  nth, side, tlsm_strerror(r->error));
        if (TLSM_ERR_IS_LOCAL_ALERT(r->error) || r->error == TLSM_ERR_NOMEM ||
            r->error == TLSM_ERR_RNG || r->error == TLSM_ERR_CRYPTO)
            cr_expect_geq(r->alert_sent, 0, "%s, %s %lu: side %d failed (%s) without an alert",
                          name_of(sc), what, nth, side, r->reason);
        nomem |= r->error == TLSM_ERR_NOMEM && strcmp(r->reason, "NOMEM") == 0;
    }
    /* A failure that is neither absorbed nor reported would leave the pair hanging. */
    cr_expect(failed, "%s, %s %lu: the exchange neither completed nor failed", name_of(sc),
              what, nth);
    if (alloc && failed)
        cr_expect(nomem, "%s, allocation %lu: no side reports NOMEM (%s / %s)", name_of(sc), nth,
                  o->rep[0].reason, o->rep[1].reason);
}

static void sweep(scenario sc)
{
    setup st;
    make_setup(&st, sc);
    /* A first exchange does the one-time work (freezing the configs draws the ticket
     * key); then a dry run counts the allocations and fallible crypto calls of one. */
    spy_install();
    cr_assert(exchange(&st).completed, "%s: the clean exchange fails", name_of(sc));
    mem_fail_at(0, 0);
    spy_install();
    outcome clean = exchange(&st);
    cr_assert(clean.completed, "%s: the clean exchange fails", name_of(sc));
    unsigned long allocs = mem_allocations(), calls = spy_fallible_calls();
    cr_assert_gt(allocs, 5);
    cr_assert_gt(calls, 5);
    size_t absorbed_allocs = 0, absorbed_calls = 0;
    for (unsigned long n = 1; n <= allocs; n++) {
        mem_fail_at(n, 0);
        outcome o = exchange(&st);
        mem_fail_at(0, 0);
        judge(sc, 1, n, &o, &absorbed_allocs);
    }
    for (unsigned long n = 1; n <= calls; n++) {
        spy_install();
        spy_fail_at(n);
        outcome o = exchange(&st);
        judge(sc, 0, n, &o, &absorbed_calls);
    }
    spy_uninstall();
    printf("fail_injection: %s: %lu allocations (%zu absorbed), %lu crypto calls (%zu absorbed)\n",
           name_of(sc), allocs, absorbed_allocs, calls, absorbed_calls);
    fflush(stdout);
    /* Only best-effort allocations (key log lines) may be absorbed; a crypto failure never. */
    cr_expect_lt(absorbed_allocs, allocs / 4, "%s: too many allocation failures absorbed",
                 name_of(sc));
    cr_expect_eq(absorbed_calls, 0, "%s: a crypto failure went unnoticed", name_of(sc));
    free_setup(&st);
}

Test(fail_injection, tls13) { sweep(SC_TLS13); }
Test(fail_injection, tls13_resumed) { sweep(SC_TLS13_RESUMED); }
Test(fail_injection, tls13_client_auth) { sweep(SC_TLS13_CLIENT_AUTH); }
Test(fail_injection, tls12) { sweep(SC_TLS12); }
Test(fail_injection, tls12_resumed) { sweep(SC_TLS12_RESUMED); }
