/*
 * demo.h - pieces of `tlsm demo` shared by its files: the ladder of messages (demo_ladder.c)
 * and a client and a server wired together through memory (demo_pair.c).
 */
#ifndef TLSM_CLI_DEMO_H
#define TLSM_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsm.h"

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

typedef enum {
    LADDER_MESSAGE,     /* a handshake message (msg_type) */
    LADDER_CCS,         /* a middlebox-compatibility ChangeCipherSpec */
    LADDER_APP_DATA,    /* application data (bytes) */
    LADDER_CLOSE_NOTIFY /* the close_notify alert */
} ladder_kind;

typedef struct {
    int side; /* who sent it */
    ladder_kind kind;
    uint8_t msg_type;
    size_t bytes;
} ladder_entry;

#define LADDER_MAX 96
typedef struct {
    ladder_entry e[LADDER_MAX];
    size_t n;
    size_t dropped; /* entries beyond LADDER_MAX */
    size_t printed; /* entries already rendered */
    uint16_t version; /* negotiated version (decides the protection marks), 0 if unknown */
} ladder;

void ladder_add(ladder *l, int side, ladder_kind kind, uint8_t msg_type, size_t bytes);
/* Prints the column titles. */
void ladder_print_header(FILE *out);
/* Prints the entries not printed yet (all earlier ones decide the {} / [] marks). */
void ladder_print(ladder *l, FILE *out);
/* Prints the legend of the marks. */
void ladder_print_legend(const ladder *l, FILE *out);

/* One end of the in-memory pair. */
#define DEMO_RECEIVED_MAX 1024
typedef struct {
    tlsm_conn *conn;
    int side;
    int handshake_done, peer_closed, got_ticket;
    uint8_t received[DEMO_RECEIVED_MAX]; /* application data received */
    size_t received_len;
} demo_peer;

typedef struct {
    demo_peer client, server;
    ladder *ladder;
} demo_pair;

/* Moves bytes both ways until neither side has anything to say. Records sent handshake
 * messages in the ladder and collects received application data. Returns 0 when the
 * pair settled, -1 if it kept talking far longer than any handshake needs. */
int demo_pair_pump(demo_pair *p);
/* Queues application data from one side (recorded in the ladder). tlsm code. */
int demo_pair_send(demo_pair *p, demo_peer *from, const char *text);
/* Sends close_notify from one side (recorded in the ladder). tlsm code. */
int demo_pair_close(demo_pair *p, demo_peer *from);

#endif
