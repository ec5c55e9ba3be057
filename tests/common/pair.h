/*
 * pair.h - an in-memory client/server pair for handshake tests, over the public testing kit
 * (tlsm_pair_* in tlsm.h): the kit the users rely on is the one these tests drive.
 *
 * The kit owns the two connections and the "network" between them: it captures each
 * side's output as whole records, moves them to the other side and drains events and
 * plaintext after every call. This header adds what the tests need on top, through the
 * kit's white-box knobs (core/src/testkit/testkit.h): a hook on every record in flight that
 * may change, drop, truncate or add bytes; bytes injected into a direction; a chunk size
 * that cuts every tlsm_feed and tlsm_output_consume, so the engines see partial records;
 * plaintext left unread (backpressure). Received plaintext, events and record counts are
 * mirrored into the pair after every call, for tests to assert on.
 *
 * Everything is deterministic: each config gets a seeded splitmix64 RNG and a clock pinned
 * at PAIR_NOW_MS (inside the validity of the test PKI), so a failing case replays exactly.
 *
 * Setup failures (a PKI file missing, a config call rejected) abort the test with a
 * Criterion assertion; protocol results are returned to the test to assert on.
 */
#ifndef TLSM_TEST_PAIR_H
#define TLSM_TEST_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "testkit/testkit.h"
#include "tlsm.h"

/* 2027-06-01T00:00:00Z: the test PKI is valid from 2026-11-28 to 2126-11-04. */
#define PAIR_NOW_MS 1811808000000ull
/* A host name in the SAN of every server certificate of the test PKI. */
#define PAIR_HOST "server.tlsm.test"
/* pair_pump gives up after this many kit steps (a livelock, not a slow case). */
#define PAIR_MAX_STEPS TLSM_PAIR_MAX_STEPS
/* Returned by the harness when nothing moves although work remains. */
#define PAIR_STUCK (-0x7fff)

/* ---------------------------------------------------------------- growable byte buffer */

/* The kit's buffer: what a record hook gets. The pair_buf_* calls abort on no memory. */
typedef kit_buf pair_buf;

void pair_buf_append(pair_buf *b, const void *p, size_t n);
void pair_buf_set(pair_buf *b, const void *p, size_t n);
void pair_buf_drop_front(pair_buf *b, size_t n);
void pair_buf_free(pair_buf *b);

/* ---------------------------------------------------------------- determinism */

typedef struct {
    uint64_t state;
} pair_rng;

void pair_rng_seed(pair_rng *r, uint64_t seed);
/* A tlsm_rng_fn over a pair_rng. */
int pair_rng_fill(void *ctx, uint8_t *out, size_t len);
/* A tlsm_clock_fn returning *(uint64_t *)ctx. */
uint64_t pair_clock_now(void *ctx);

/* ---------------------------------------------------------------- test PKI */

typedef enum {
    PAIR_KEY_NONE = 0,
    PAIR_KEY_ED25519,
    PAIR_KEY_P256,
    PAIR_KEY_P384,
    PAIR_KEY_RSA,
    PAIR_KEY_RSAPSS,
    PAIR_KEY_CLIENT,
    PAIR_KEY_RSAPSS384 /* RSA-PSS restricted to SHA-384 by its parameters, both EKUs */
} pair_key;

const char *pair_key_name(pair_key k);
/* Reads TLSM_SOURCE_DIR/tests/data/pki/<name> (malloc'd, NUL-terminated). */
uint8_t *pair_read_pki(const char *name, size_t *len);
/* Adds the chain and key of k to cfg; returns the tlsm code. */
int pair_add_identity(tlsm_config *cfg, pair_key k);
/* Adds the PEM trust anchors in pki/<name>; returns the tlsm code. */
int pair_add_trust(tlsm_config *cfg, const char *name);

/* ---------------------------------------------------------------- configs */

/* Options for one side. Zero / NULL everywhere means the library default. */
typedef struct {
    const uint16_t *suites;
    size_t n_suites;
    const uint16_t *groups;
    size_t n_groups;
    const uint16_t *sigalgs;
    size_t n_sigalgs;
    const char *alpn;     /* wire-format list (length-prefixed names), NULL for none */
    pair_key key;         /* identity to load */
    const char *trust;    /* PEM file of trust anchors; NULL = ca.crt, "" = none */
    int client_auth;      /* server: 0, 1 request, 2 require */
    int require_cookie;   /* server */
    int no_tickets;       /* server: send none / client: offer none */
    int no_middlebox;     /* client: middlebox compatibility off */
    int insecure;         /* client: TLSM_VERIFY_INSECURE_NO_VERIFICATION */
    int trace;            /* MESSAGE_SENT / MESSAGE_RECEIVED events */
    uint16_t record_size_limit;
    uint16_t min_version; /* TLSM_TLS12 / TLSM_TLS13; 0 = default (1.2) */
    uint16_t max_version; /* 0 = default (1.3) */
    int no_require_ems;   /* TLS 1.2: accept a peer without Extended Master Secret */
    size_t session_cache; /* server, TLS 1.2: session-id cache entries, 0 = default (256) */
    int no_session_cache; /* server, TLS 1.2: no session-id cache at all */
} pair_opts;

/* Suite lists that TLS 1.2 tests pass through pair_opts.suites: every TLS 1.2 suite the
 * library implements (RSA key transport included, which is off by default), and the two
 * RSA key-transport suites alone. */
extern const uint16_t pair_suites12_all[11];
extern const uint16_t pair_suites12_rsa_kx[2];

/* Builds a config from o with the given deterministic RNG and clock (which must outlive it). */
tlsm_config *pair_config(tlsm_role role, const pair_opts *o, pair_rng *rng, uint64_t *now_ms);

/* ---------------------------------------------------------------- the pair */

#define PAIR_CLIENT 0
#define PAIR_SERVER 1

typedef enum { PAIR_C2S = 0, PAIR_S2C = 1 } pair_dir; /* = index of the sending side */

typedef struct pair pair;

/* Called for every whole record in flight, header included, in a mutable copy. index counts
 * the records of that direction from 0. The hook may rewrite rec, shorten it (truncate),
 * empty it (drop) or append bytes after it (inject); pair_inject from inside the hook queues
 * bytes before it. */
typedef void (*pair_hook_fn)(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx);

/* One side, mirrored from the kit after every pair_* call. */
typedef struct {
    tlsm_config *cfg;
    tlsm_conn *conn;          /* the kit's connection (borrowed) */
    const tlsm_event *ev;     /* every event popped so far (the kit's log) */
    size_t n_ev;
    pair_buf rx;              /* application data received (tests may empty it) */
    int rc;                   /* first error a call on this side returned, else 0 */
} pair_side;

struct pair {
    pair_side side[2];        /* [PAIR_CLIENT], [PAIR_SERVER] */
    pair_rng rng[2];
    uint64_t now_ms;
    tlsm_pair *kit;           /* the connections and the network, from pair_connect */
    size_t type_count[2][256];/* records sent per direction by outer content type */
    size_t counted;           /* kit records already in type_count */
    /* Knobs, read by every pair_* call that moves bytes: */
    pair_hook_fn hook;
    void *hook_ctx;
    size_t chunk;             /* bytes per tlsm_feed and tlsm_output_consume, 0 = no limit */
    int no_read;              /* 1: leave plaintext in the engine (backpressure tests) */
};

/* Creates both configs (client, server may be NULL for defaults) with RNG seeds derived from
 * seed and the clock at PAIR_NOW_MS. No connection yet: tests may adjust p->side[].cfg and
 * p->now_ms first. */
void pair_init(pair *p, const pair_opts *client, const pair_opts *server, uint64_t seed);
/* (Re)creates both connections on the same configs; the client sends server_name (NULL: no
 * SNI). Clears buffers, events, counters and plaintext. */
void pair_connect(pair *p, const char *server_name);
/* Frees the connections, configs and buffers. */
void pair_free(pair *p);

/* Steps the kit until the pair is idle. Returns the number of steps, or PAIR_STUCK past
 * PAIR_MAX_STEPS. Errors returned by the engines are kept in side[].rc. */
int pair_pump(pair *p);
/* Pumps; returns 0 when both sides finished the handshake, else the client's error, else the
 * server's error, else PAIR_STUCK. */
int pair_handshake(pair *p);
/* Writes all of data from side `from`, pumping as needed so the peer reads it. Returns 0,
 * the tlsm_write error, or PAIR_STUCK. */
int pair_send(pair *p, int from, const uint8_t *data, size_t len);
/* Queues raw bytes for the receiver of dir (after what is already queued). */
void pair_inject(pair *p, pair_dir dir, const void *bytes, size_t n);
/* Bytes on their way to the receiver of dir, not taken yet. */
size_t pair_queued(const pair *p, pair_dir dir);
/* Delivers what is queued for dir, including an incomplete record, then signals end of
 * stream to the receiver. Returns tlsm_feed_eof's result. */
int pair_eof(pair *p, pair_dir dir);

/* Pops every pending event of side `who` into its log (and captures its output). */
void pair_collect(pair *p, int who);
size_t pair_count_events(const pair *p, int who, tlsm_event_type type);
/* The nth event (from 0) of a type, or NULL. */
const tlsm_event *pair_find_event(const pair *p, int who, tlsm_event_type type, size_t nth);
/* The reason a connection failed with (tlsm_conn_error_detail), "" while it has not. */
const char *pair_reason(const tlsm_conn *c);

/* Asserts that side `detector` failed for `reason` (tlsm_conn_error_detail's name) and sent
 * the fatal `alert`, and that the other side received it as fatal (TLSM_ERR_PEER_ALERT and
 * an ALERT event); neither side delivered plaintext. */
void pair_expect_alert(const pair *p, int detector, uint8_t alert, const char *reason);

/* Client: serializes the session into out (replacing its contents); returns the tlsm code. */
int pair_get_session(pair *p, pair_buf *out);

/* Record helpers over a whole record (header included). */
uint8_t pair_record_type(const pair_buf *rec);
size_t pair_record_body_len(const pair_buf *rec);
/* Builds a record header + body into out (replacing its contents). */
void pair_make_record(pair_buf *out, uint8_t type, uint16_t version, const void *body, size_t n);

/* Plaintext handshake records (TLS 1.2 flights, hellos). Offsets are from the start of the
 * record, header included; PAIR_NONE when there is no such thing. */
#define PAIR_NONE ((size_t)-1)
/* Offset of the first handshake message of type msg_type in rec (its 4-byte header), and
 * its whole length (header included) in *msg_len. Stops at a message cut by the record end. */
size_t pair_hs_find(const pair_buf *rec, uint8_t msg_type, size_t *msg_len);
/* In a record whose first message is a ClientHello or a ServerHello: offset of the data of
 * extension ext_type (after its 4-byte type/length header) and its length in *ext_len. */
size_t pair_hello_find_ext(const pair_buf *rec, uint16_t ext_type, size_t *ext_len);
/* Removes extension ext_type from that hello and fixes the extensions, handshake and record
 * lengths. Returns 1 if it was there. */
int pair_hello_strip_ext(pair_buf *rec, uint16_t ext_type);

/* Trace events (opts.trace): how many MESSAGE_SENT / MESSAGE_RECEIVED events of side `who`
 * name handshake message msg_type (ccs = 1: the ChangeCipherSpec events). */
size_t pair_count_msgs(const pair *p, int who, tlsm_event_type type, uint8_t msg_type, int ccs);

#endif
