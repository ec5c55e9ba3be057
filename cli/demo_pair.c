/*
 * demo_pair.c - a client and a server connected through memory: what one side outputs is
 * fed to the other until both are quiet. Every step drains the sender's events before the
 * receiver runs, so the trace events land in the ladder in the order they happened.
 */
#include <string.h>

#include "demo.h"

/* Records events and collects plaintext. Returns 1 if anything happened. */
static int drain(demo_pair *p, demo_peer *peer)
{
    int progress = 0;
    tlsm_event ev;
    while (tlsm_next_event(peer->conn, &ev)) {
        progress = 1;
        switch (ev.type) {
        case TLSM_EV_MESSAGE_SENT:
            ladder_add(p->ladder, peer->side, ev.ccs ? LADDER_CCS : LADDER_MESSAGE, ev.msg_type,
                       ev.hrr, 0);
            break;
        case TLSM_EV_HANDSHAKE_DONE: peer->handshake_done = 1; break;
        case TLSM_EV_PEER_CLOSED: peer->peer_closed = 1; break;
        case TLSM_EV_NEW_TICKET: peer->got_ticket = 1; break;
        default: break;
        }
    }
    const uint8_t *data;
    size_t len = 0;
    while ((data = tlsm_read_peek(peer->conn, &len)) != NULL && len > 0) {
        size_t room = sizeof peer->received - peer->received_len;
        memcpy(peer->received + peer->received_len, data, len < room ? len : room);
        peer->received_len += len < room ? len : room;
        if (tlsm_read_consume(peer->conn, len) != 0)
            break;
        progress = 1;
    }
    return progress;
}

/* Feeds from's pending output to to. Returns 1 if any byte moved. */
static int transfer(demo_pair *p, demo_peer *from, demo_peer *to)
{
    size_t len = 0, used = 0;
    (void)tlsm_output_peek(from->conn, &len);
    drain(p, from); /* producing output may have produced trace events */
    /* Peek again: draining changed the connection, which ends the previous borrow. */
    const uint8_t *out = tlsm_output_peek(from->conn, &len);
    if (!out || len == 0)
        return 0;
    int rc = tlsm_feed(to->conn, out, len, &used);
    (void)rc; /* errors are sticky: the caller reads them with tlsm_conn_error() */
    if (used > 0 && tlsm_output_consume(from->conn, used) != 0)
        return 0;
    drain(p, to);
    return used > 0;
}

int demo_pair_pump(demo_pair *p)
{
    drain(p, &p->client);
    drain(p, &p->server);
    for (int round = 0; round < 1000; round++) {
        int progress = transfer(p, &p->client, &p->server);
        progress |= transfer(p, &p->server, &p->client);
        progress |= drain(p, &p->client) | drain(p, &p->server);
        if (!progress)
            return 0;
    }
    return -1;
}

int demo_pair_send(demo_pair *p, demo_peer *from, const char *text)
{
    size_t len = strlen(text), accepted = 0;
    int rc = tlsm_write(from->conn, (const uint8_t *)text, len, &accepted);
    if (rc != 0)
        return rc;
    if (accepted != len)
        return TLSM_ERR_BUFFER;
    ladder_add(p->ladder, from->side, LADDER_APP_DATA, 0, 0, len);
    return 0;
}

int demo_pair_close(demo_pair *p, demo_peer *from)
{
    int rc = tlsm_close(from->conn);
    if (rc == 0)
        ladder_add(p->ladder, from->side, LADDER_CLOSE_NOTIFY, 0, 0, 0);
    return rc;
}
