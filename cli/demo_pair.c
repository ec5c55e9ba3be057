/*
 * demo_pair.c - one connection of `tlsm demo`, driven through the library's in-memory
 * testing kit (tlsm_pair_*): the handshake, one application message each way, then
 * close_notify from the client and from the server. It stops at the first thing that goes
 * wrong and keeps why. A handshake that stalls (a fault lost a record and each side waits
 * for the other) is ended the way a real transport would end it: end of stream in both
 * directions, which each side reports as a truncation.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

static const char *const side_names[2] = {"client", "server"};

int demo_conversation_open(demo_conversation *dc, tlsm_config *client, tlsm_config *server,
                           const uint8_t *session, size_t session_len,
                           const char *const *faults, size_t n_faults, uint64_t seed)
{
    memset(dc, 0, sizeof *dc);
    dc->pair = tlsm_pair_new(client, server, "localhost");
    if (!dc->pair) {
        cli_error("cannot create the client and server: out of memory");
        return -1;
    }
    tlsm_pair_seed(dc->pair, seed);
    for (size_t i = 0; i < n_faults; i++) {
        int rc = tlsm_pair_add_fault(dc->pair, faults[i]);
        if (rc != 0) {
            cli_error("--fault '%s': %s", faults[i],
                      rc == TLSM_ERR_ARG ? "not a fault (see --help)" : tlsm_strerror(rc));
            return -1;
        }
    }
    int rc = session ? tlsm_conn_set_session(tlsm_pair_client(dc->pair), session, session_len)
                     : 0;
    if (rc != 0) {
        cli_error("cannot offer the saved session: %s", tlsm_strerror(rc));
        return -1;
    }
    return 0;
}

void demo_conversation_close(demo_conversation *dc)
{
    tlsm_pair_free(dc->pair);
    dc->pair = NULL;
}

static tlsm_pair_report report_of(const demo_conversation *dc, int side)
{
    tlsm_pair_report r;
    if (tlsm_pair_get_report(dc->pair, side, &r) != 0)
        memset(&r, 0, sizeof r);
    return r;
}

static int client_got_ticket(const demo_conversation *dc)
{
    tlsm_event ev;
    for (size_t i = 0; tlsm_pair_event(dc->pair, TLSM_PAIR_CLIENT, i, &ev); i++)
        if (ev.type == TLSM_EV_NEW_TICKET)
            return 1;
    return 0;
}

/* `side` sends `text`; the other side must receive exactly it. 0 or -1. */
static int exchange(demo_conversation *dc, int side, const char *text)
{
    size_t len = strlen(text), got = 0;
    char buf[DEMO_MESSAGE_MAX];
    if (tlsm_pair_write(dc->pair, side, (const uint8_t *)text, len) != 0)
        return -1;
    if (tlsm_pair_read(dc->pair, 1 - side, (uint8_t *)buf, sizeof buf, &got) != 0)
        return -1;
    if (got == len && memcmp(buf, text, len) == 0)
        return 0;
    snprintf(dc->problem, sizeof dc->problem, "the %s received %zu bytes of the %s's %zu-byte "
             "message%s", side_names[1 - side], got, side_names[side], len,
             got == len ? ", but not the bytes sent" : "");
    return -1;
}

/* `side` sends close_notify; the other side must read it. 0 or -1. */
static int close_side(demo_conversation *dc, int side)
{
    if (tlsm_pair_close(dc->pair, side) != 0)
        return -1;
    if (report_of(dc, 1 - side).peer_closed)
        return 0;
    snprintf(dc->problem, sizeof dc->problem, "the %s never read the %s's close_notify",
             side_names[1 - side], side_names[side]);
    return -1;
}

void demo_conversation_run(demo_conversation *dc, const char *client_message,
                           const char *server_message)
{
    dc->stage = DEMO_FAILED_HANDSHAKE;
    int rc = tlsm_pair_run(dc->pair);
    tlsm_pair_report c = report_of(dc, TLSM_PAIR_CLIENT), s = report_of(dc, TLSM_PAIR_SERVER);
    if (rc == TLSM_ERR_STATE) {
        snprintf(dc->problem, sizeof dc->problem,
                 "client and server kept talking for %u steps", TLSM_PAIR_MAX_STEPS);
        return;
    }
    if (rc == 0 && !c.error && !s.error && !(c.handshake_done && s.handshake_done)) {
        /* Each side waits for the other: the transport ends, as a real one would. */
        /* Each receiver's result is its sticky error, which the report shows. */
        dc->stalled = 1;
        if (tlsm_pair_eof(dc->pair, TLSM_PAIR_S2C) == TLSM_ERR_NOMEM ||
            tlsm_pair_eof(dc->pair, TLSM_PAIR_C2S) == TLSM_ERR_NOMEM)
            snprintf(dc->problem, sizeof dc->problem, "out of memory");
        return;
    }
    if (rc != 0 || !c.handshake_done || !s.handshake_done)
        return;
    dc->stage = DEMO_FAILED_DATA;
    if (exchange(dc, TLSM_PAIR_CLIENT, client_message) != 0 ||
        exchange(dc, TLSM_PAIR_SERVER, server_message) != 0)
        return;
    dc->got_ticket = client_got_ticket(dc);
    dc->stage = DEMO_FAILED_CLOSE;
    if (close_side(dc, TLSM_PAIR_CLIENT) != 0 || close_side(dc, TLSM_PAIR_SERVER) != 0)
        return;
    dc->stage = DEMO_OK;
}

void demo_describe_side(const demo_conversation *dc, int side, char *buf, size_t cap)
{
    tlsm_pair_report r = report_of(dc, side);
    char state[300];
    tlsm_conn *conn = side == TLSM_PAIR_CLIENT ? tlsm_pair_client(dc->pair)
                                               : tlsm_pair_server(dc->pair);
    if (r.error)
        cli_describe_failure(conn, r.error, state, sizeof state);
    else
        snprintf(state, sizeof state, "%s", !r.handshake_done ? "handshake not finished"
                                            : r.peer_closed   ? "closed by the peer"
                                                              : "handshake done");
    snprintf(buf, cap, "%s; alert sent %s, received %s", state,
             r.alert_sent < 0 ? "none" : tlsm_alert_name((uint8_t)r.alert_sent),
             r.alert_received < 0 ? "none" : tlsm_alert_name((uint8_t)r.alert_received));
}

/* The side whose error came first: the one that detected the problem and sent the alert
 * (a local-alert error), else the one with an error. -1 if neither failed. */
static int first_failed_side(const demo_conversation *dc)
{
    int ce = report_of(dc, TLSM_PAIR_CLIENT).error, se = report_of(dc, TLSM_PAIR_SERVER).error;
    if (ce == 0 && se == 0)
        return -1;
    if (se != 0 && (ce == 0 || (TLSM_ERR_IS_LOCAL_ALERT(se) && !TLSM_ERR_IS_LOCAL_ALERT(ce))))
        return TLSM_PAIR_SERVER;
    return TLSM_PAIR_CLIENT;
}

void demo_conversation_reason(const demo_conversation *dc, char *buf, size_t cap)
{
    static const char *const stages[] = {"", "during the handshake", "while exchanging data",
                                         "while closing"};
    const char *stage = stages[dc->stage];
    int side = first_failed_side(dc);
    char why[300] = "";
    if (side >= 0) {
        tlsm_conn *conn = side == TLSM_PAIR_CLIENT ? tlsm_pair_client(dc->pair)
                                                   : tlsm_pair_server(dc->pair);
        cli_describe_failure(conn, report_of(dc, side).error, why, sizeof why);
    }
    if (dc->stalled)
        snprintf(buf, cap, "%s: it stalled, both sides waiting; at the end of the stream the "
                 "%s reports: %s", stage, side_names[side < 0 ? 0 : side], why);
    else if (side >= 0)
        snprintf(buf, cap, "%s: the %s reports: %s", stage, side_names[side], why);
    else
        snprintf(buf, cap, "%s: %s", stage, dc->problem[0] ? dc->problem : "unknown reason");
}
