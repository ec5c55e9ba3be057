/*
 * testkit.h - internals of the in-memory testing kit (tlsm_pair_*, see tlsm.h).
 *
 * The kit is a host like any other: it drives two connections through the public API only.
 * Everything a side outputs is taken right after the call that produced it ("captured"),
 * cut into records and labelled from what the kit can see: plaintext records are decoded,
 * protected ones get the handshake messages the sender reported (TLSM_EV_MESSAGE_SENT)
 * during that call, application data or an alert. A step then moves one side's captured
 * records through the faults to the other side, one record per tlsm_feed, and captures
 * the receiver's answer. Every record is kept for the traces and the pcap.
 */
#ifndef TLSM_TESTKIT_H
#define TLSM_TESTKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tlsm.h"

/* ---------------------------------------------------------------- growable buffers */

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int failed; /* an allocation failed: the content is incomplete */
} kit_buf;

void kit_buf_put(kit_buf *b, const void *p, size_t n);
void kit_buf_putc(kit_buf *b, char ch);
void kit_buf_puts(kit_buf *b, const char *s);
void kit_buf_printf(kit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kit_buf_free(kit_buf *b);
/* Copies b into the caller's buffer with the tlsm size convention (buf NULL: size only). */
int kit_buf_export(const kit_buf *b, void *buf, size_t cap, size_t *len);

/* ---------------------------------------------------------------- records */

/* Key epochs as the trace names them. */
enum { KIT_EPOCH_PLAIN = 0, KIT_EPOCH_HANDSHAKE = 1, KIT_EPOCH_APP0 = 2 };

/* What a ClientHello or ServerHello says (the first hello of a plaintext record). */
#define KIT_HELLO_MAX 64
typedef struct {
    uint8_t present; /* 1: the record starts with a decoded hello */
    uint8_t hrr;     /* ServerHello with the HelloRetryRequest random */
    uint16_t legacy_version;
    uint16_t versions[16]; /* supported_versions (ServerHello: the selected one) */
    size_t n_versions;
    uint16_t suites[KIT_HELLO_MAX]; /* ClientHello: offered; ServerHello: the chosen one */
    size_t n_suites;
    uint16_t exts[KIT_HELLO_MAX];
    size_t n_exts;
} kit_hello;

#define KIT_MSGS_MAX 16
/* Pseudo message types for the labels of records that carry no handshake message. */
enum { KIT_MSG_CCS = 256, KIT_MSG_APPDATA = 257, KIT_MSG_ALERT = 258 };

typedef struct {
    size_t index;      /* among the records of its direction, from 0 */
    unsigned step;     /* step that moved it, 0 while not yet sent */
    uint8_t dir;       /* TLSM_PAIR_C2S / TLSM_PAIR_S2C */
    uint8_t type;      /* outer content type */
    int epoch;         /* KIT_EPOCH_* or KIT_EPOCH_APP0 + n */
    int encrypted;     /* content protected: messages come from trace events */
    uint16_t msgs[KIT_MSGS_MAX]; /* handshake types, or KIT_MSG_* */
    size_t n_msgs;
    size_t app_len;    /* application data bytes (protected records: inner length) */
    int alert_level;   /* for an alert record: 1 warning, 2 fatal */
    int alert;         /* description, -1 if not an alert */
    kit_hello hello;
    size_t off, len;   /* bytes in the pair's sent[dir] buffer */
    char fault[96];    /* what a fault did to it, "" if nothing */
} kit_record;

/* ---------------------------------------------------------------- faults */

typedef enum {
    KIT_F_DROP, KIT_F_DUP, KIT_F_CORRUPT, KIT_F_TRUNCATE, KIT_F_SPLIT, KIT_F_FRAGMENT,
    KIT_F_DELAY, KIT_F_REORDER, KIT_F_REPLACE, KIT_F_INJECT
} kit_fault_kind;

typedef enum { KIT_SEL_REC, KIT_SEL_MSG, KIT_SEL_ALL } kit_selector;

typedef struct {
    kit_fault_kind kind;
    long arg;          /* offset / length / steps; has_arg says whether it was given */
    int has_arg;
    uint8_t *bytes;    /* replace / inject */
    size_t n_bytes;
    uint8_t dir;
    kit_selector sel;
    size_t rec;        /* KIT_SEL_REC */
    int msg;           /* KIT_SEL_MSG: handshake type or KIT_MSG_* */
    int fired;
} kit_fault;

/* Parses one spec (grammar in tlsm.h). Returns 0 or TLSM_ERR_ARG / TLSM_ERR_NOMEM. */
int kit_fault_parse(const char *spec, kit_fault *f);
/* The name of a message type or pseudo type, and its inverse (-1 if unknown). */
const char *kit_msg_name(int type);
int kit_msg_lookup(const char *name, size_t len);

/* A piece of bytes on its way to the receiver. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t chunk;      /* feed at most this many bytes per tlsm_feed (0: all) */
    unsigned due;      /* step at which it may be delivered */
    long record;       /* index into the pair's records, -1 for injected bytes */
    size_t fed;        /* bytes of it the receiver already took */
} kit_piece;

/* ---------------------------------------------------------------- the pair */

/* Where captured output came from: it decides how protected records are labelled. */
typedef enum { KIT_FROM_ENGINE, KIT_FROM_WRITE, KIT_FROM_CLOSE } kit_origin;

typedef struct {
    tlsm_config *cfg;
    tlsm_conn *conn;
    tlsm_event *events;    /* every event popped */
    size_t n_events, cap_events;
    uint16_t pending_sent[64]; /* MESSAGE_SENT not yet matched to a record (256: CCS) */
    size_t n_pending;
    int new_error;         /* an error event arrived since the last capture */
    kit_buf rx;            /* application data received, not yet read by tlsm_pair_read */
    size_t rx_total;
    int epoch;             /* sending epoch */
    int sent_ccs;          /* TLS 1.2: a ChangeCipherSpec went out */
    size_t hs_skip;        /* bytes of a plaintext handshake message continuing in later records */
    int alert_sent, alert_received;
    int peer_closed;       /* close_notify received */
    int first_rc;          /* first error a call the kit made on this side returned, else 0 */
} kit_side;

/* ---------------------------------------------------------------- white-box hooks */

/* For tlsm's own tests (tests/common/pair.c), never in tlsm.h: they reach inside the flow
 * where a scripted fault cannot say what a test needs.
 * A record hook sees each record in flight before the faults, as a mutable copy (header
 * included): it may rewrite it, shorten or empty it, append bytes after it, or queue bytes
 * before it with kit_inject. index counts the records of that direction from 0. */
typedef void (*kit_record_hook)(tlsm_pair *p, int dir, size_t index, kit_buf *rec, void *ctx);

struct tlsm_pair {
    kit_side side[2];
    uint64_t rng;
    unsigned step;
    int last_sender;
    int first_error;
    uint16_t version;          /* from the ServerHello, 0 until seen */
    uint16_t suite;            /* idem */
    kit_record *records;
    size_t n_records, cap_records;
    size_t n_dir_records[2];
    size_t *outbox[2];         /* indexes of captured records not yet sent */
    size_t n_outbox[2], cap_outbox[2];
    kit_buf sent[2];           /* every byte each side sent, in order */
    kit_piece *queue[2];       /* on the way to the receiver */
    size_t n_queue[2], cap_queue[2];
    kit_piece held[2];         /* reorder: waits for the next record */
    int has_held[2];
    unsigned delay_until[2];   /* a delay holds everything after it too (stream order) */
    kit_fault *faults;
    size_t n_faults;
    kit_buf keylog;
    int failed;                /* the kit ran out of memory */
    /* white-box knobs, all off in a pair users make */
    kit_record_hook hook;
    void *hook_ctx;
    size_t chunk;              /* at most this many bytes per tlsm_feed and per
                                  tlsm_output_consume (0: no limit) */
    int coalesce;              /* feed every due byte of a direction at once, as a stream
                                  read would, instead of one record per tlsm_feed */
    int no_read;               /* leave plaintext in the engines; a receiver holding unread
                                  plaintext takes nothing more (backpressure) */
    size_t feeds[2];           /* tlsm_feed calls per direction, for tests of the knobs */
};

/* pair.c */
int kit_capture(tlsm_pair *p, int who, kit_origin origin);
void kit_drain(tlsm_pair *p, int who);
/* Remembers the first error a call the kit made on side `who` returned (kit_side.first_rc). */
void kit_note(tlsm_pair *p, int who, int rc);
/* One tlsm_write from `side`, its output captured as written data. Returns tlsm_write's. */
int kit_write(tlsm_pair *p, int side, const uint8_t *data, size_t len, size_t *accepted);
/* queue.c: the bytes on their way to a receiver */
int kit_push(tlsm_pair *p, int dir, kit_piece piece);
void kit_release_held(tlsm_pair *p, int dir);
/* Feeds the pieces of dir that are due (all of them with force); 1 if a byte moved. */
int kit_deliver(tlsm_pair *p, int dir, int force);
/* 1 if the receiver of dir would take a piece at the next step. */
int kit_has_due(const tlsm_pair *p, int dir);
void kit_drop_queue(tlsm_pair *p, int dir);
/* Queues a copy of bytes for the receiver of dir, behind what is queued (white-box). */
void kit_inject(tlsm_pair *p, int dir, const void *bytes, size_t n);
/* Bytes queued for the receiver of dir, not fed yet (held ones included). */
size_t kit_queued(const tlsm_pair *p, int dir);
/* records.c */
kit_record *kit_record_new(tlsm_pair *p, int dir);
void kit_label(tlsm_pair *p, int who, kit_record *r, const uint8_t *rec, size_t len,
               kit_origin origin, int last);
const char *kit_epoch_name(int epoch, char *buf, size_t cap);
const char *kit_type_name(uint8_t type);
/* Indexes of the records sent so far, in wire order (malloc'd; NULL if none or no memory). */
size_t *kit_sent_order(const tlsm_pair *p, size_t *n);
/* faults.c */
int kit_send_record(tlsm_pair *p, size_t record);
uint64_t kit_random(tlsm_pair *p);
/* hello.c */
void kit_hello_decode(const uint8_t *msg, size_t len, kit_hello *h);
const char *kit_ext_name(uint16_t type, char *buf, size_t cap);
/* trace.c helpers shared by the formats */
void kit_record_label(const tlsm_pair *p, const kit_record *r, kit_buf *out);
void kit_hello_text(const kit_hello *h, kit_buf *out);

#endif
