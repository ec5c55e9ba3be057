/*
 * demo.h - pieces of `tlsm demo` shared by its files: one connection driven through the
 * library's in-memory testing kit (demo_pair.c), the ladder of messages drawn from the
 * kit's trace (demo_ladder.c), the summary under it (demo_summary.c) and the kit's traces
 * and files as the demo writes them (demo_output.c).
 */
#ifndef TLSM_CLI_DEMO_H
#define TLSM_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "tlsm.h"

/* What stdout carries: the demo's ladder and summary, or only one of the kit's documents. */
typedef enum { DEMO_TRACE_LADDER, DEMO_TRACE_MERMAID, DEMO_TRACE_JSON } demo_trace_format;

/* The command line of `tlsm demo`. */
#define DEMO_FAULTS_MAX 16
typedef struct {
    const char *key;   /* server key type: ed25519, p256, p384, rsa, rsapss */
    int hrr, resume, client_auth, tls12, tls13;
    demo_trace_format format;
    cli_tls_options tls;
    const char *pcap, *keylog;             /* files to write, NULL if not asked */
    const char *faults[DEMO_FAULTS_MAX];   /* --fault specs, as given */
    size_t n_faults;
    uint64_t seed;                         /* --seed: the kit's fault randomness */
} demo_args;

/* ---- demo_config.c: the two configs (reason printed, NULL on failure). */
tlsm_config *demo_client_config(const demo_args *a);
tlsm_config *demo_server_config(const demo_args *a);

/* ---- demo_pair.c: one connection of the demo on a tlsm_pair. */

/* How far the connection got before something failed. */
typedef enum {
    DEMO_OK,           /* handshake, one message each way, close_notify both ways */
    DEMO_FAILED_HANDSHAKE,
    DEMO_FAILED_DATA,
    DEMO_FAILED_CLOSE
} demo_stage;

#define DEMO_MESSAGE_MAX 64
typedef struct {
    tlsm_pair *pair;
    demo_stage stage;   /* where it stopped */
    int stalled;        /* it stopped because neither side had anything to send: the demo
                           then ended the transport both ways (tlsm_pair_eof) */
    char problem[160];  /* why it stopped, when no connection error says it */
    int got_ticket;     /* the client received a NewSessionTicket */
} demo_conversation;

/* Creates the pair, offers `session` (may be NULL) and applies the faults and the seed.
 * Prints the reason and returns -1 on failure. */
int demo_conversation_open(demo_conversation *dc, tlsm_config *client, tlsm_config *server,
                           const uint8_t *session, size_t session_len,
                           const char *const *faults, size_t n_faults, uint64_t seed);
/* Handshake, the two messages and both close_notify; stops at the first failure. */
void demo_conversation_run(demo_conversation *dc, const char *client_message,
                           const char *server_message);
/* One line: why the conversation failed, naming the side that detected it. */
void demo_conversation_reason(const demo_conversation *dc, char *buf, size_t cap);
/* Text for how one side ended, as the kit reports it: "sent alert bad_record_mac; alert
 * sent bad_record_mac, received none". */
void demo_describe_side(const demo_conversation *dc, int side, char *buf, size_t cap);
void demo_conversation_close(demo_conversation *dc);

/* ---- demo_ladder.c: the text ladder, from the kit's JSON trace of a pair. */

/* Prints the title, the column heads, one line per message with its key marks, the fault
 * notes and the legend. Returns how many records a fault touched, or -1 (reason printed)
 * if the trace is unavailable. */
int demo_ladder_print(tlsm_pair *pair, const char *title, FILE *out);

/* ---- demo_summary.c */

/* What client and server disagree on (NULL if nothing); fills `exported` with the client's
 * 32 bytes of keying material, which the server must match. */
const char *demo_disagreement(tlsm_conn *c, tlsm_conn *s, uint8_t exported[32]);
/* The negotiated parameters, one per line, under a ladder. */
void demo_print_summary(tlsm_conn *c, tlsm_conn *s, const char *key, int client_auth, FILE *out);
/* The first bytes of the exported keying material, which both sides share. */
void demo_print_exporter(const uint8_t exported[32], FILE *out);
/* How each side of a failed conversation ended (demo_describe_side), one line each. */
void demo_print_outcome(const demo_conversation *dc, FILE *out);

/* ---- demo_output.c */

/* The kit's trace in `format` (TLSM_TRACE_*), malloc'd; NULL (reason printed) on failure. */
char *demo_trace_text(tlsm_pair *pair, int format, size_t *len);
/* Writes `len` bytes to `path` (replacing it). Prints the reason and returns -1 on failure. */
int demo_write_file(const char *path, const void *data, size_t len);
/* The name of connection `index` (from 1) of `count` for --pcap FILE: FILE itself for the
 * first, "name-2.ext" for the second. */
void demo_numbered_path(const char *path, int index, char *buf, size_t cap);

#endif
