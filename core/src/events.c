/*
 * events.c - the connection's queue of one-shot events (tlsm_next_event) and the trace
 * events for handshake messages. The queue is a fixed ring: the driver reads no further
 * input while it is nearly full, so a peer cannot make it grow; trace events are best
 * effort and give way to the others.
 */
#include <string.h>

#include "internal.h"
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

int tlsm_next_event(tlsm_conn *c, tlsm_event *ev)
{
    if (!c || !ev || c->ev_count == 0)
        return 0;
    *ev = c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % TLSM_EVENT_QUEUE;
    c->ev_count--;
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
