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
    uint8_t hrr; /* the ServerHello is a HelloRetryRequest (from the trace event) */
    size_t bytes;
} ladder_entry;

/* How the ladder is drawn: columns of text, or a Mermaid sequenceDiagram. */
typedef enum { LADDER_TEXT, LADDER_MERMAID } ladder_format;

#define LADDER_MAX 96
typedef struct {
    ladder_entry e[LADDER_MAX];
    size_t n;
    size_t dropped; /* entries beyond LADDER_MAX */
    size_t printed; /* entries already rendered */
    uint16_t version; /* negotiated version (decides the protection marks), 0 if unknown */
    ladder_format format;
} ladder;

void ladder_add(ladder *l, int side, ladder_kind kind, uint8_t msg_type, int hrr, size_t bytes);
/* Mermaid: the diagram's first lines (once per output, before any ladder). */
void ladder_print_mermaid_start(FILE *out);
/* Prints the title of one connection and, as text, the column titles. */
void ladder_print_header(const ladder *l, const char *title, FILE *out);
/* Prints the entries not printed yet (all earlier ones decide the {} / [] marks). */
void ladder_print(ladder *l, FILE *out);
/* Prints the legend of the marks. */
void ladder_print_legend(const ladder *l, FILE *out);
/* Prints a one-line remark under the ladder (Mermaid: a note across both sides). */
void ladder_print_note(const ladder *l, const char *text, FILE *out);

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
