/*
 * events.c - the connection's queue of one-shot events (tlsm_next_event) and the trace
 * events for handshake messages. The queue is a ring of TLSM_EVENT_QUEUE slots: the driver
 * reads no further input while it is nearly full, so a peer cannot make it grow; trace
 * events are best effort and give way to the others.
 *
 * The ring exists only while it holds events: allocated by the first event, freed when the
 * host takes the last one (an established connection moving data has none). An event that
 * finds no memory for the ring is not dropped silently: the driver fails the connection
 * with NOMEM (events_lost), and an error event that cannot be queued is handed out by
 * tlsm_next_event from the sticky error itself.
 */
#include <string.h>

#include "internal.h"
#include "mem.h"
#include "wire/hs_codec.h"

static int is_trace(tlsm_event_type t)
{
    return t == TLSM_EV_MESSAGE_SENT || t == TLSM_EV_MESSAGE_RECEIVED;
}

static tlsm_event *slot(tlsm_conn *c, size_t i)
{
    return &c->events[(c->ev_head + i) % TLSM_EVENT_QUEUE];
}

/* Makes room in a full queue: the oldest trace event goes; with none, only an error may
 * take the newest event's place. Returns 0 when the new event must be dropped. */
static int make_room(tlsm_conn *c, tlsm_event_type type)
{
    if (is_trace(type))
        return 0;
    size_t i;
    for (i = 0; i < c->ev_count && !is_trace(slot(c, i)->type); i++)
        ;
    if (i == c->ev_count) {
        if (type != TLSM_EV_ERROR)
            return 0;
        i = c->ev_count - 1;
    }
    for (; i + 1 < c->ev_count; i++)
        *slot(c, i) = *slot(c, i + 1);
    c->ev_count--;
    return 1;
}

static tlsm_event *push(tlsm_conn *c, tlsm_event_type type)
{
    if (!c->events && !(c->events = mem_alloc(TLSM_EVENT_QUEUE * sizeof *c->events))) {
        if (type == TLSM_EV_ERROR)
            c->error_event_lost = 1;
        else
            c->events_lost = 1;
        return NULL;
    }
    if (c->ev_count == TLSM_EVENT_QUEUE && !make_room(c, type))
        return NULL;
    tlsm_event *ev = slot(c, c->ev_count++);
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    return ev;
}

void conn_event(tlsm_conn *c, tlsm_event_type type, int code, uint8_t alert, uint8_t fatal,
                uint8_t msg_type)
{
    tlsm_event *ev = push(c, type);
    if (!ev)
        return;
    ev->code = code;
    ev->alert = alert;
    ev->fatal = fatal;
    ev->msg_type = msg_type;
}

void conn_trace(tlsm_conn *c, tlsm_event_type type, uint8_t msg_type, int ccs, int hrr)
{
    if (!c->trace)
        return;
    tlsm_event *ev = push(c, type);
    if (!ev)
        return;
    ev->msg_type = msg_type;
    ev->ccs = (uint8_t)ccs;
    ev->hrr = (uint8_t)hrr;
}

size_t conn_event_room(const tlsm_conn *c)
{
    return TLSM_EVENT_QUEUE - c->ev_count;
}

void conn_events_free(tlsm_conn *c)
{
    mem_free(c->events);
    c->events = NULL;
    c->ev_head = c->ev_count = 0;
}

int tlsm_next_event(tlsm_conn *c, tlsm_event *ev)
{
    if (!c || !ev)
        return 0;
    if (c->ev_count == 0) {
        if (!c->error_event_lost)
            return 0;
        c->error_event_lost = 0;
        memset(ev, 0, sizeof *ev);
        ev->type = TLSM_EV_ERROR;
        ev->code = c->error;
        c->keylog_current = -1;
        return 1;
    }
    *ev = c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % TLSM_EVENT_QUEUE;
    if (--c->ev_count == 0)
        conn_events_free(c);
    c->keylog_current = ev->type == TLSM_EV_KEYLOG ? ev->code : -1;
    return 1;
}

int tlsm_conn_set_trace(tlsm_conn *c, int on)
{
    if (!c)
        return TLSM_ERR_ARG;
    c->trace = !!on;
    return 0;
}
