/*
 * conn_invariants.h - the API contract (tlsm.h) that the connection fuzz targets
 * (fuzz_conn_client, fuzz_conn_server) check after every call on the connection they feed.
 *
 * Status bits agree with the facts; output is always whole records; an error is sticky,
 * reported by exactly one TLSM_EV_ERROR event and preceded on the wire by the alert it
 * names; a fatal alert event matches the error; plaintext only after the handshake, which
 * a client finishes only with the server's certificate unless resumed; a session a client
 * serializes is one a new client accepts; tlsm_feed consumes everything unless plaintext
 * waits; after an error every call returns it. Any broken expectation aborts.
 */
#ifndef TLSM_FUZZ_CONN_INVARIANTS_H
#define TLSM_FUZZ_CONN_INVARIANTS_H

#include <stddef.h>
#include <stdint.h>

#include "tlsm.h"

/* What an input reached (conn_watch.reached), for gen_seeds.c to check its seeds. */
#define FUZZ_REACHED_HANDSHAKE 1u
#define FUZZ_REACHED_PLAINTEXT 2u
#define FUZZ_REACHED_PEER_CLOSED 4u
#define FUZZ_REACHED_RESUMED 8u
#define FUZZ_REACHED_HRR 16u

typedef struct {
    tlsm_conn *c;
    int client;             /* the connection is a client */
    tlsm_config *resume_cfg;/* client: a config on which a serialized session must load */
    int echo;               /* write received plaintext back */
    int closed;             /* we called tlsm_close */
    int err;                /* the sticky error once seen */
    int error_events, done_events, peer_closed_events;
    uint8_t last_type;      /* outer type of the last record sent */
    uint8_t last_body[2];   /* its first two body bytes */
    size_t last_len;
    size_t records;         /* records sent, the initial ClientHello's not counted */
    int tickets;            /* NEW_TICKET events */
    unsigned reached;       /* FUZZ_REACHED_* */
} conn_watch;

/* Starts watching c (fresh, nothing sent yet). */
void conn_watch_init(conn_watch *w, tlsm_conn *c, int client, int echo);
/* After every call: drains output, plaintext and events, and checks the rules. */
void conn_settle(conn_watch *w);
/* Feeds in to the connection, cut into tlsm_feed calls by the k sizes used in turn (0 =
 * everything left); with key_update, asks for a KeyUpdate (peer too) once the handshake is
 * done. Stops at the first error. */
void conn_feed_input(conn_watch *w, const uint8_t *sizes, size_t k, const uint8_t *in,
                     size_t n, int key_update);
/* After the input: the post-handshake calls (exporter, a last write, tlsm_close when
 * `close`), end of stream, and the sticky-error rules if the connection failed. */
void conn_finish(conn_watch *w, int close);

#endif
