/*
 * test_state_matrix.c - the negative-path state matrix: for each role and version, the side
 * under test is driven to each of its handshake states (and past the handshake), and then,
 * in place of the message it expects, it is given one input it must refuse (or, in a few
 * rows, must accept). Every case starts from fresh connections, so each (state, input) pair
 * is judged alone. The states are those of handshake.h, each reached in a real handshake:
 * full handshakes, with a HelloRetryRequest, with client authentication, and resumed ones
 * (TLS 1.3 PSK; TLS 1.2 abbreviated by session ID and by ticket).
 *
 * Inputs per state:
 *   - every handshake message type not allowed there (RFC 8446 s.4, RFC 5246 s.7.3/7.4, and
 *     the post-handshake messages of RFC 8446 s.4.6 / RFC 5246 s.7.4.1.1 and RFC 5746),
 *     including an unknown type (99) and message_hash (254, never on the wire):
 *     unexpected_message (RFC 8446 s.6.2 / RFC 5246 s.7.2.2). The body is six zero bytes;
 *     the type alone decides. Two of them also come split over two records (reassembly).
 *     Control rows give each allowed type the same body: it must not be refused as
 *     unexpected (whatever else the handler says), so the matrix cannot pass vacuously.
 *   - alerts: fatal handshake_failure, fatal with an unknown description, close_notify,
 *     warning user_canceled (and, in TLS 1.3, a warning-level handshake_failure): the side
 *     fails with TLSM_ERR_PEER_ALERT(x) and sends nothing back; a close_notify before the
 *     handshake ends it (PEER_ALERT(close_notify)), after it is an orderly close; a warning
 *     user_canceled lets the connection go on (RFC 8446 s.6.1, RFC 5246 s.7.2.1); a warning
 *     handshake_failure in TLS 1.3 is an error alert whatever its level (RFC 8446 s.6.2).
 *   - zero-length records of each content type: handshake is unexpected_message (RFC 8446
 *     s.5.1, RFC 5246 s.6.2.1), and so is alert (s.5.1: "Zero-length fragments of Alert
 *     ... MUST NOT be sent"; a one-byte alert is decode_error); application data is
 *     unexpected_message before the handshake completes and accepted after it. Exception,
 *     documented where the RFC prefers the length error: in TLS 1.2 an empty
 *     ChangeCipherSpec read before the peer's CCS is decode_error
 *     (RFC 5246 s.7.1 fixes its body at the single byte 1) once the hellos chose 1.2; in
 *     TLS 1.3, and before any version is chosen, a CCS other than the single byte 1 is
 *     unexpected_message (RFC 8446 s.5), as is a second CCS in 1.2.
 *   - unknown record content types (24, 255): unexpected_message (RFC 8446 s.5, RFC 5246
 *     s.6); a fatal alert sent unprotected where the side already reads with keys: read
 *     (TLS 1.3 handshake: a peer that failed before its keys sends it so, s.6), refused
 *     after the TLS 1.3 handshake (unexpected_message, s.5: only protected records), and
 *     bad_record_mac in TLS 1.2 after the peer's CCS (it fails deprotection, RFC 5246 s.6.2.3).
 *   - a well-formed ChangeCipherSpec: dropped where TLS 1.3 middlebox compatibility allows it
 *     (RFC 8446 s.5, between the first ClientHello and the peer's Finished), accepted where
 *     TLS 1.2 expects it (RFC 5246 s.7.1), unexpected_message everywhere else.
 *   - interleaving: the first six bytes of a handshake message, then an application data
 *     record (with and without content), an alert or a CCS, before the message is
 *     complete: unexpected_message (RFC 8446 s.5.1: "Handshake messages MUST NOT be
 *     interleaved with other record types"). In TLS 1.2 this is the engine's policy for
 *     both versions and stricter than RFC 5246 s.6.2.1, which lets record content types
 *     interleave: it only matters after the handshake (before it, application data is
 *     refused anyway), where the fragment could only be a renegotiation request, which
 *     tlsm refuses.
 *   Inputs that must be accepted are followed through: the handshake must then complete
 *   and application data flow both ways (a TLS 1.2 CCS must move the side to
 *   WAIT_FINISHED; a close_notify after the handshake must show as CLOSED).
 *
 * How records are made: before the receiver has read keys, plaintext records; after, the
 * record is sealed with the sender's current write key at the receiver's next sequence
 * number, which is exactly what the peer would send next in place of the expected message.
 * The keys never leave the engines, so (white box, as test_tls12_negative.c does) the test
 * takes a copy of the receiver's read cipher - the same key, IV and sequence number as the
 * peer's write cipher for this record - and seals with the engine's record layer
 * (core/src/record). The peer's own flights are cut the same way into one handshake message
 * per record, so the side under test can be stopped between any two messages.
 *
 * What is checked: tlsm_feed's result and the sticky error, and the side's output: for a
 * local alert, its last record is that alert (opened with a copy of the side's write
 * cipher when it is protected); for a peer alert or an accepted input, no alert goes out.
 *
 * A one-line summary reports how many (state, input) cases ran.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/handshake.h"
#include "internal.h"
#include "pair.h"

enum { R_CCS = 20, R_ALERT = 21, R_HS = 22, R_APP = 23 };

/* ---------------------------------------------------------------- the states */

typedef enum {
    CFG_PLAIN = 0,   /* server certificate only, tickets on */
    CFG_CLIENT_AUTH, /* server requires a client certificate */
    CFG_HRR,         /* server requires a cookie: HelloRetryRequest first */
    CFG_NO_TICKETS,  /* TLS 1.2: no NewSessionTicket announced */
    CFG_RESUME,      /* resumption with a ticket from an earlier full handshake */
    CFG_RESUME_SID   /* TLS 1.2: resumption by session ID (no tickets) */
} cfg_kind;

typedef struct {
    const char *name;
    uint16_t version;
    int role;             /* side under test: PAIR_CLIENT / PAIR_SERVER */
    hs_state_id target;   /* HS_DONE: after the handshake */
    cfg_kind cfg;
    int after_hrr;        /* the client state must be reached after a HelloRetryRequest */
    uint8_t allowed[3];   /* handshake types accepted there (independent of the engine) */
    size_t n_allowed;
    int ccs_ok;           /* a plaintext CCS {1} is accepted (dropped or used) here */
    uint8_t frag_type;    /* a type that may come next, for the interleaving rows */
} state_row;

static const state_row states[] = {
    /* TLS 1.3 client */
    {"1.3 client WAIT_SH",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_SH, CFG_PLAIN, 0, {2}, 1, 1, 2},
    {"1.3 client WAIT_SH after HRR",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_SH, CFG_HRR, 1, {2}, 1, 1, 2},
    {"1.3 client WAIT_EE",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_EE, CFG_PLAIN, 0, {8}, 1, 1, 8},
    {"1.3 client WAIT_CERT_CR",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_CERT_CR, CFG_PLAIN, 0, {11, 13}, 2, 1, 11},
    {"1.3 client WAIT_CERT (after CR)",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_CERT, CFG_CLIENT_AUTH, 0, {11}, 1, 1, 11},
    {"1.3 client WAIT_CV",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_CV, CFG_PLAIN, 0, {15}, 1, 1, 15},
    {"1.3 client WAIT_FINISHED",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_FINISHED, CFG_PLAIN, 0, {20}, 1, 1, 20},
    {"1.3 client DONE",
     TLSM_TLS13, PAIR_CLIENT, HS_DONE, CFG_PLAIN, 0, {4, 24}, 2, 0, 24},
    {"1.3 client WAIT_EE (PSK)",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_EE, CFG_RESUME, 0, {8}, 1, 1, 8},
    {"1.3 client WAIT_FINISHED (PSK: no Certificate)",
     TLSM_TLS13, PAIR_CLIENT, HS_C_WAIT_FINISHED, CFG_RESUME, 0, {20}, 1, 1, 20},
    {"1.3 client DONE (PSK)",
     TLSM_TLS13, PAIR_CLIENT, HS_DONE, CFG_RESUME, 0, {4, 24}, 2, 0, 24},
    /* TLS 1.3 server */
    {"1.3 server WAIT_CH",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_CH, CFG_PLAIN, 0, {1}, 1, 0, 1},
    {"1.3 server WAIT_CH2",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_CH2, CFG_HRR, 0, {1}, 1, 1, 1},
    {"1.3 server WAIT_CERT",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_CERT, CFG_CLIENT_AUTH, 0, {11}, 1, 1, 11},
    {"1.3 server WAIT_CV",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_CV, CFG_CLIENT_AUTH, 0, {15}, 1, 1, 15},
    {"1.3 server WAIT_FINISHED",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_FINISHED, CFG_PLAIN, 0, {20}, 1, 1, 20},
    {"1.3 server DONE",
     TLSM_TLS13, PAIR_SERVER, HS_DONE, CFG_PLAIN, 0, {24}, 1, 0, 24},
    {"1.3 server WAIT_FINISHED (PSK)",
     TLSM_TLS13, PAIR_SERVER, HS_S_WAIT_FINISHED, CFG_RESUME, 0, {20}, 1, 1, 20},
    /* TLS 1.2 client */
    {"1.2 client WAIT_SH",
     TLSM_TLS12, PAIR_CLIENT, HS_C_WAIT_SH, CFG_PLAIN, 0, {2}, 1, 0, 2},
    {"1.2 client WAIT_CERT",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_CERT, CFG_PLAIN, 0, {11}, 1, 0, 11},
    {"1.2 client WAIT_SKE",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_SKE, CFG_PLAIN, 0, {12}, 1, 0, 12},
    {"1.2 client WAIT_CR_SHD",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_CR_SHD, CFG_PLAIN, 0, {13, 14}, 2, 0, 14},
    {"1.2 client WAIT_SHD (after CR)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_SHD, CFG_CLIENT_AUTH, 0, {14}, 1, 0, 14},
    {"1.2 client WAIT_NST_CCS (ticket announced)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_NST_CCS, CFG_PLAIN, 0, {4}, 1, 0, 4},
    {"1.2 client WAIT_CCS (no ticket)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_NST_CCS, CFG_NO_TICKETS, 0, {0}, 0, 1, 20},
    {"1.2 client WAIT_FINISHED",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_FINISHED, CFG_PLAIN, 0, {20}, 1, 0, 20},
    {"1.2 client DONE",
     TLSM_TLS12, PAIR_CLIENT, HS_DONE, CFG_PLAIN, 0, {0}, 1, 0, 0},
    {"1.2 client WAIT_CCS (abbreviated, session ID)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_NST_CCS, CFG_RESUME_SID, 0, {0}, 0, 1, 20},
    {"1.2 client WAIT_FINISHED (abbreviated)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_FINISHED, CFG_RESUME_SID, 0, {20}, 1, 0, 20},
    {"1.2 client WAIT_NST_CCS (abbreviated, ticket)",
     TLSM_TLS12, PAIR_CLIENT, HS_C12_WAIT_NST_CCS, CFG_RESUME, 0, {4}, 1, 0, 4},
    /* TLS 1.2 server */
    {"1.2 server WAIT_CH",
     TLSM_TLS12, PAIR_SERVER, HS_S_WAIT_CH, CFG_PLAIN, 0, {1}, 1, 0, 1},
    {"1.2 server WAIT_CERT",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_CERT, CFG_CLIENT_AUTH, 0, {11}, 1, 0, 11},
    {"1.2 server WAIT_CKE",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_CKE, CFG_PLAIN, 0, {16}, 1, 0, 16},
    {"1.2 server WAIT_CV",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_CV, CFG_CLIENT_AUTH, 0, {15}, 1, 0, 15},
    {"1.2 server WAIT_CCS",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_CCS, CFG_PLAIN, 0, {0}, 0, 1, 20},
    {"1.2 server WAIT_FINISHED",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_FINISHED, CFG_PLAIN, 0, {20}, 1, 0, 20},
    {"1.2 server DONE",
     TLSM_TLS12, PAIR_SERVER, HS_DONE, CFG_PLAIN, 0, {1}, 1, 0, 1},
    {"1.2 server WAIT_CCS (abbreviated)",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_CCS, CFG_RESUME_SID, 0, {0}, 0, 1, 20},
    {"1.2 server WAIT_FINISHED (abbreviated)",
     TLSM_TLS12, PAIR_SERVER, HS_S12_WAIT_FINISHED, CFG_RESUME_SID, 0, {20}, 1, 0, 20},
};

/* Every handshake type of RFC 8446 s.4 and RFC 5246 s.7.4, an unknown one and the synthetic
 * message_hash. */
static const uint8_t all_types[] = {0, 1, 2, 4, 5, 8, 11, 12, 13, 14, 15, 16, 20, 24, 99, 254};

static const uint16_t gcm_suite12[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};

static void make_opts(const state_row *row, pair_opts *co, pair_opts *so)
{
    memset(co, 0, sizeof *co);
    memset(so, 0, sizeof *so);
    co->min_version = co->max_version = row->version;
    so->min_version = so->max_version = row->version;
    so->key = PAIR_KEY_P256;
    if (row->version == TLSM_TLS12) {
        co->suites = so->suites = gcm_suite12;
        co->n_suites = so->n_suites = 1;
    }
    if (row->cfg == CFG_CLIENT_AUTH) {
        so->client_auth = 2;
        co->key = PAIR_KEY_CLIENT;
    }
    if (row->cfg == CFG_HRR)
        so->require_cookie = 1;
    if (row->cfg == CFG_NO_TICKETS || row->cfg == CFG_RESUME_SID)
        so->no_tickets = co->no_tickets = 1;
}

/* ---------------------------------------------------------------- the driver */

typedef struct {
    pair p;
    const state_row *row;
    pair_buf net[2];      /* per sender: ciphertext taken, not yet a whole record */
    pair_buf hs[2];       /* per sender: handshake bytes, not yet a whole message */
    uint8_t iv[2][CRYPTO_AEAD_NONCE_LEN]; /* receiver's read IV the count below is for */
    uint64_t seq[2];      /* per sender: records sealed under that key so far */
    int alert_ev[2];      /* last ALERT event: description, or -1 */
    int alert_fatal[2];
    size_t plain[2];      /* application bytes read */
    int free_run;         /* relay without stopping at the target state */
    pair_buf session;     /* resumption rows: the session the client offers */
    int last_protected;   /* the last input record reached the side protected */
    char why[256];        /* first driver failure */
} drv;

#define CONN(d, who) ((d)->p.side[who].conn)

static int is12(const tlsm_conn *c)
{
    return c->version == TLSM_TLS12;
}

static void fail(drv *d, const char *what)
{
    if (!d->why[0])
        snprintf(d->why, sizeof d->why, "%s", what);
}

static void drain(drv *d, int who)
{
    tlsm_conn *c = CONN(d, who);
    tlsm_event ev;
    while (tlsm_next_event(c, &ev))
        if (ev.type == TLSM_EV_ALERT) {
            d->alert_ev[who] = ev.alert;
            d->alert_fatal[who] = ev.fatal;
        }
    size_t n;
    while (tlsm_read_peek(c, &n) && n) {
        d->plain[who] += n;
        if (tlsm_read_consume(c, n))
            break;
    }
}

/* Feeds all of b to side `to`, reading plaintext and events as it goes; tlsm_feed's last
 * result. */
static int feed(drv *d, int to, const uint8_t *b, size_t n)
{
    tlsm_conn *c = CONN(d, to);
    int rc = 0;
    for (int guard = 0; guard < 64; guard++) {
        size_t used = 0;
        rc = tlsm_feed(c, b, n, &used);
        drain(d, to);
        b += used;
        n -= used;
        if (rc || n == 0 || used == 0)
            break;
    }
    if (!rc && n)
        fail(d, "receiver did not take all input");
    return rc;
}

/* Whether a record of outer type `type` reaches `to` protected. */
static int protected_for(const tlsm_conn *to, uint8_t type)
{
    if (!to->rec.rd.active)
        return 0;
    return is12(to) || type != R_CCS; /* TLS 1.3 never protects a CCS */
}

/* One record of `type` as the peer of `to` would send it next: plaintext, or sealed with a
 * copy of `to`'s read cipher (= the peer's write key at `to`'s next sequence number). */
static void seal_for(drv *d, int to, uint8_t type, const uint8_t *content, size_t n,
                     pair_buf *out)
{
    tlsm_conn *c = CONN(d, to);
    if (!protected_for(c, type)) {
        pair_make_record(out, type, 0x0303, content, n);
        return;
    }
    record_cipher copy = c->rec.rd;
    size_t cap = n + 64, len = 0;
    uint8_t *buf = malloc(cap);
    cr_assert_not_null(buf);
    int rc = is12(c) ? record12_seal(&copy, type, content, n, buf, cap, &len)
                     : record_seal(&copy, type, content, n, 0, buf, cap, &len);
    cr_assert_eq(rc, 0, "sealing a record of type %u failed", type);
    pair_buf_set(out, buf, len);
    crypto_wipe(&copy, sizeof copy);
    free(buf);
}

static int deliver(drv *d, int to, uint8_t type, const uint8_t *content, size_t n)
{
    pair_buf rec = {0};
    d->last_protected = protected_for(CONN(d, to), type);
    seal_for(d, to, type, content, n, &rec);
    int rc = feed(d, to, rec.data, rec.len);
    pair_buf_free(&rec);
    return rc;
}

static int reached(const drv *d)
{
    const state_row *row = d->row;
    const tlsm_conn *c = CONN(d, row->role);
    if (c->error || d->free_run)
        return 0;
    int resuming = row->cfg == CFG_RESUME || row->cfg == CFG_RESUME_SID;
    if (resuming && !c->resumed)
        return 0;
    if (row->target == HS_DONE)
        return c->handshake_done && c->msg_len == 0;
    return c->hs && c->hs->state == row->target && c->msg_len == 0 &&
           (!row->after_hrr || c->hrr);
}

/* Opens a protected record from `from` with the receiver's read key at the sender's
 * sequence number (the receiver may be ahead: its flights were cut into more records). */
static int open_from(drv *d, int from, pair_buf *rec, uint8_t *type, uint8_t **content,
                     size_t *len)
{
    tlsm_conn *r = CONN(d, 1 - from);
    record_cipher copy = r->rec.rd;
    if (memcmp(d->iv[from], copy.iv, sizeof copy.iv)) {
        memcpy(d->iv[from], copy.iv, sizeof copy.iv);
        d->seq[from] = 0;
    }
    copy.seq = d->seq[from]++;
    size_t body = rec->len - REC_HEADER_LEN;
    int rc;
    if (is12(r)) {
        *type = rec->data[0];
        rc = record12_open(&copy, rec->data, body, REC_MAX_PLAINTEXT, content, len);
    } else {
        rc = record_open(&copy, rec->data, body, REC_MAX_PLAINTEXT, type, content, len);
    }
    crypto_wipe(&copy, sizeof copy);
    return rc;
}

/* Delivers the whole handshake messages from `from` waiting in d->hs, one per record,
 * until the side under test is in the target state. Returns 1 if anything moved. */
static int flush_messages(drv *d, int from)
{
    pair_buf *hs = &d->hs[from];
    int moved = 0;
    while (!reached(d) && !d->why[0] && hs->len >= 4) {
        size_t ml = 4 + ((size_t)hs->data[1] << 16 | (size_t)hs->data[2] << 8 | hs->data[3]);
        if (hs->len < ml)
            break;
        deliver(d, 1 - from, R_HS, hs->data, ml);
        pair_buf_drop_front(hs, ml);
        moved = 1;
    }
    return moved;
}

/* Moves what `from` has sent to its peer, one handshake message per record, stopping as
 * soon as the side under test is in the target state. Returns 1 if anything moved. */
static int relay(drv *d, int from)
{
    int to = 1 - from, moved = 0;
    tlsm_conn *s = CONN(d, from);
    size_t n = 0;
    const uint8_t *out = tlsm_output_peek(s, &n);
    if (out && n) {
        pair_buf_append(&d->net[from], out, n);
        cr_assert_eq(tlsm_output_consume(s, n), 0);
        moved = 1;
    }
    pair_buf *net = &d->net[from];
    moved |= flush_messages(d, from);
    while (!reached(d) && !d->why[0] && net->len >= REC_HEADER_LEN) {
        size_t rl = REC_HEADER_LEN + ((size_t)net->data[3] << 8 | net->data[4]);
        if (net->len < rl)
            break;
        pair_buf rec = {0};
        pair_buf_set(&rec, net->data, rl);
        pair_buf_drop_front(net, rl);
        moved = 1;
        uint8_t type = rec.data[0];
        uint8_t *content = rec.data + REC_HEADER_LEN;
        size_t len = rl - REC_HEADER_LEN;
        if (protected_for(CONN(d, to), type) && open_from(d, from, &rec, &type, &content, &len)) {
            fail(d, "relay: a record of the peer did not open");
            pair_buf_free(&rec);
            break;
        }
        if (type != R_HS) {
            deliver(d, to, type, content, len);
        } else {
            pair_buf_append(&d->hs[from], content, len);
            flush_messages(d, from);
        }
        pair_buf_free(&rec);
        if (CONN(d, to)->error || CONN(d, from)->error)
            fail(d, "relay: the handshake failed on the way");
    }
    return moved;
}

/* Fresh connections, driven until the side under test is in the row's state, with its own
 * pending output thrown away. Returns 0 or -1 (d->why says why). */
static int drive(drv *d)
{
    for (int i = 0; i < 2; i++) {
        pair_buf_free(&d->net[i]);
        pair_buf_free(&d->hs[i]);
        memset(d->iv[i], 0, sizeof d->iv[i]);
        d->seq[i] = 0;
        d->alert_ev[i] = -1;
        d->alert_fatal[i] = 0;
        d->plain[i] = 0;
    }
    d->why[0] = 0;
    d->free_run = 0;
    pair_connect(&d->p, PAIR_HOST);
    if (d->session.len)
        cr_assert_eq(tlsm_conn_set_session(CONN(d, PAIR_CLIENT), d->session.data, d->session.len),
                     TLSM_OK);
    size_t n;
    (void)tlsm_output_peek(CONN(d, PAIR_CLIENT), &n); /* starts the client */
    for (int step = 0; step < 64 && !d->why[0]; step++) {
        if (reached(d))
            break;
        int moved = relay(d, PAIR_CLIENT);
        if (reached(d) || d->why[0])
            break;
        moved |= relay(d, PAIR_SERVER);
        if (!moved)
            fail(d, "drive: nothing moves");
    }
    if (!d->why[0] && !reached(d))
        fail(d, "drive: state not reached");
    if (d->why[0])
        return -1;
    /* What the side under test sent so far waits in the network (for resume), so that its
     * output from here on is its answer to the input. */
    int role = d->row->role;
    const uint8_t *out = tlsm_output_peek(CONN(d, role), &n);
    if (out && n) {
        pair_buf_append(&d->net[role], out, n);
        cr_assert_eq(tlsm_output_consume(CONN(d, role), n), 0);
    }
    return 0;
}

/* After an input that must be accepted: the handshake goes on to its end and application
 * data then flows both ways. Returns 0 or -1. */
static int resume(drv *d)
{
    d->free_run = 1;
    for (int step = 0; step < 64 && !d->why[0]; step++)
        if (!(relay(d, PAIR_CLIENT) | relay(d, PAIR_SERVER)))
            break;
    if (d->why[0])
        return -1;
    if (!tlsm_conn_handshake_done(CONN(d, PAIR_CLIENT)) ||
        !tlsm_conn_handshake_done(CONN(d, PAIR_SERVER))) {
        fail(d, "resume: the handshake did not complete");
        return -1;
    }
    static const uint8_t ping[4] = "ping";
    for (int from = 0; from < 2; from++) {
        size_t before = d->plain[1 - from], took = 0;
        if (tlsm_write(CONN(d, from), ping, sizeof ping, &took) || took != sizeof ping) {
            fail(d, "resume: tlsm_write failed");
            return -1;
        }
        relay(d, from);
        if (d->why[0] || d->plain[1 - from] != before + sizeof ping) {
            char w[128];
            snprintf(w, sizeof w, "resume: application data from side %d did not arrive "
                     "(%zu bytes, error %d)", from, d->plain[1 - from] - before,
                     tlsm_conn_error(CONN(d, 1 - from)));
            fail(d, w);
            return -1;
        }
    }
    d->free_run = 0;
    return 0;
}

/* ---------------------------------------------------------------- the checks */

typedef enum {
    THEN_NOTHING = 0,
    THEN_COMPLETE,  /* accepted: the handshake completes and data flows both ways */
    THEN_CCS12,     /* accepted TLS 1.2 CCS: the side now waits for the Finished */
    THEN_CLOSED,    /* accepted close_notify: the side reports the stream closed */
    THEN_CONTROL    /* control row: anything but unexpected_message */
} then_kind;

typedef struct {
    int error;      /* expected sticky error, 0 for none */
    int alert;      /* alert that must end the output (LOCAL_ALERT cases), -1: no alert out */
    then_kind then;
    const char *reason;           /* the check that must fire (tlsm_conn_error_detail) */
    const char *reason_protected; /* ... when the input came protected, if different */
} expect;

static expect local(uint8_t alert, const char *why)
{
    expect e = {TLSM_ERR_LOCAL_ALERT(alert), alert, THEN_NOTHING, why, NULL};
    return e;
}

/* Application data before the handshake is over: refused by the record layer while it
 * comes unprotected, by the connection once it decrypts. */
static expect early_appdata(void)
{
    expect e = local(TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
    e.reason_protected = "APPDATA_BEFORE_HANDSHAKE";
    return e;
}

static expect peer(uint8_t alert)
{
    expect e = {TLSM_ERR_PEER_ALERT(alert), -1, THEN_NOTHING, "PEER_ALERT", NULL};
    return e;
}

static expect accepted(then_kind then)
{
    expect e = {0, -1, then, "", NULL};
    return e;
}

/* The last record of c's (new) output: its content type and content. Protected records are
 * opened with a copy of c's write cipher set back by one record. Returns 0, or -1 if there
 * is no output, or 1 if it could not be opened. */
static int last_output_record(tlsm_conn *c, uint8_t *type, uint8_t *content, size_t *len)
{
    size_t n = 0;
    const uint8_t *out = tlsm_output_peek(c, &n);
    if (!out || n == 0)
        return -1;
    size_t off = 0, last = 0;
    while (off + REC_HEADER_LEN <= n) {
        last = off;
        off += REC_HEADER_LEN + ((size_t)out[off + 3] << 8 | out[off + 4]);
    }
    if (off != n)
        return 1;
    size_t rl = n - last;
    uint8_t *rec = malloc(rl);
    cr_assert_not_null(rec);
    memcpy(rec, out + last, rl);
    int rc = 0;
    uint8_t *p = rec + REC_HEADER_LEN;
    size_t plen = rl - REC_HEADER_LEN;
    *type = rec[0];
    int prot = c->rec.wr.active && (is12(c) || rec[0] == R_APP);
    if (prot) {
        record_cipher copy = c->rec.wr;
        copy.seq--;
        rc = is12(c) ? record12_open(&copy, rec, rl - REC_HEADER_LEN, REC_MAX_PLAINTEXT, &p, &plen)
                     : record_open(&copy, rec, rl - REC_HEADER_LEN, REC_MAX_PLAINTEXT, type, &p,
                                   &plen);
        crypto_wipe(&copy, sizeof copy);
    }
    if (!rc) {
        *len = plen < 16 ? plen : 16;
        memcpy(content, p, *len);
    }
    free(rec);
    return rc ? 1 : 0;
}

static size_t n_cases, n_failed, n_states, n_controls, n_reasons;

static const char *reason_of_conn(const tlsm_conn *c)
{
    tlsm_error_detail det;
    return tlsm_conn_error_detail(c, &det) == 0 ? det.reason : "?";
}

static const char *expected_reason(const drv *d, expect want)
{
    n_reasons++;
    return d->last_protected && want.reason_protected ? want.reason_protected : want.reason;
}

/* Judges the side under test after an input; returns 1 if as expected. */
static int judge(drv *d, const char *input, int feed_rc, expect want)
{
    const state_row *row = d->row;
    tlsm_conn *c = CONN(d, row->role);
    char msg[320] = "";
    int err = tlsm_conn_error(c);
    if (want.then == THEN_CONTROL)
        n_controls++;
    else
        n_cases++;
    if (d->why[0]) {
        snprintf(msg, sizeof msg, "%s", d->why);
    } else if (want.then == THEN_CONTROL) {
        if (err == TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNEXPECTED_MESSAGE))
            snprintf(msg, sizeof msg, "control: an allowed type was refused as unexpected");
    } else if (err != want.error) {
        snprintf(msg, sizeof msg, "error %d (%s), want %d (%s)", err, tlsm_strerror(err),
                 want.error, want.error ? tlsm_strerror(want.error) : "none");
    } else if (feed_rc != want.error) {
        snprintf(msg, sizeof msg, "tlsm_feed returned %d, want %d", feed_rc, want.error);
    } else if (want.error && strcmp(reason_of_conn(c), expected_reason(d, want)) != 0) {
        snprintf(msg, sizeof msg, "reason %s, want %s", reason_of_conn(c),
                 expected_reason(d, want));
    } else {
        uint8_t type = 0, content[16];
        size_t len = 0;
        int rc = last_output_record(c, &type, content, &len);
        if (want.alert >= 0) {
            if (rc != 0)
                snprintf(msg, sizeof msg, "no readable alert record in the output (%d)", rc);
            else if (type != R_ALERT || len != 2 || content[0] != 2 ||
                     content[1] != (uint8_t)want.alert)
                snprintf(msg, sizeof msg, "output ends with type %u len %zu [%u %u], want alert %d",
                         type, len, len > 0 ? content[0] : 0, len > 1 ? content[1] : 0,
                         want.alert);
        } else if (rc == 0 && type == R_ALERT) {
            snprintf(msg, sizeof msg, "sent alert [%u %u], want none", content[0],
                     len > 1 ? content[1] : 0);
        } else if (want.error && TLSM_ERR_IS_PEER_ALERT(want.error) &&
                   (d->alert_ev[row->role] != TLSM_ERR_ALERT(want.error) ||
                    !d->alert_fatal[row->role])) {
            snprintf(msg, sizeof msg, "no fatal ALERT event for %d", TLSM_ERR_ALERT(want.error));
        } else if (want.then == THEN_CCS12) {
            hs_state_id next =
                row->role == PAIR_CLIENT ? HS_C12_WAIT_FINISHED : HS_S12_WAIT_FINISHED;
            if (!c->hs || c->hs->state != next || !c->rec.rd.active)
                snprintf(msg, sizeof msg, "the CCS did not move the side to WAIT_FINISHED");
        } else if (want.then == THEN_CLOSED) {
            if (!(tlsm_status(c) & TLSM_STATUS_CLOSED))
                snprintf(msg, sizeof msg, "close_notify: status without CLOSED");
        } else if (want.then == THEN_COMPLETE && resume(d)) {
            snprintf(msg, sizeof msg, "%s", d->why);
        }
    }
    if (msg[0]) {
        n_failed++;
        cr_log_error("%s <- %s: %s", row->name, input, msg);
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- the rows */

static int allowed(const state_row *row, uint8_t type)
{
    for (size_t i = 0; i < row->n_allowed; i++)
        if (row->allowed[i] == type)
            return 1;
    return 0;
}

static const uint8_t body6[6] = {0};

static void case_message(drv *d, uint8_t type, int control)
{
    char name[64];
    snprintf(name, sizeof name, "%shandshake type %u", control ? "control: allowed " : "", type);
    int rc = 0;
    if (!drive(d)) {
        uint8_t msg[4 + sizeof body6] = {type, 0, 0, sizeof body6};
        memcpy(msg + 4, body6, sizeof body6);
        rc = deliver(d, d->row->role, R_HS, msg, sizeof msg);
    }
    expect ctl = {0, -1, THEN_CONTROL, "", NULL};
    /* TLS 1.2 client waiting for the server's CCS: the NewSessionTicket row exists there,
     * and its handler refuses a ticket the ServerHello did not announce. */
    int unannounced = d->row->target == HS_C12_WAIT_NST_CCS && type == HS_NEW_SESSION_TICKET;
    judge(d, name, rc,
          control ? ctl
                  : local(TLSM_ALERT_UNEXPECTED_MESSAGE,
                          unannounced ? "NST12_UNANNOUNCED" : "HS_UNEXPECTED_MESSAGE"));
}

static void case_record(drv *d, const char *name, uint8_t type, const uint8_t *content,
                        size_t n, expect want)
{
    int rc = 0;
    if (!drive(d))
        rc = deliver(d, d->row->role, type, content, n);
    judge(d, name, rc, want);
}

static void case_alert(drv *d, const char *name, uint8_t level, uint8_t desc, expect want)
{
    uint8_t a[2] = {level, desc};
    case_record(d, name, R_ALERT, a, sizeof a, want);
}

/* Six bytes of a handshake message announced with a 6-byte body, then `type`/`content`. */
static void case_interleave(drv *d, const char *name, uint8_t type, const uint8_t *content,
                            size_t n)
{
    int rc = 0;
    if (!drive(d)) {
        uint8_t frag[6] = {d->row->frag_type, 0, 0, 6, 0, 0};
        rc = deliver(d, d->row->role, R_HS, frag, sizeof frag);
        if (!rc)
            rc = deliver(d, d->row->role, type, content, n);
    }
    /* Unprotected application data is refused by the record layer before the interleaving
     * is seen. */
    expect want = local(TLSM_ALERT_UNEXPECTED_MESSAGE,
                        type == R_APP ? "REC_APPDATA_UNPROTECTED" : "REC_INTERLEAVED");
    want.reason_protected = "REC_INTERLEAVED";
    judge(d, name, rc, want);
}

/* A disallowed message whose header and body come in two records (through reassembly). */
static void case_split_message(drv *d, uint8_t type)
{
    char name[64];
    snprintf(name, sizeof name, "handshake type %u split over two records", type);
    int rc = 0;
    if (!drive(d)) {
        uint8_t hdr[4] = {type, 0, 0, sizeof body6};
        rc = deliver(d, d->row->role, R_HS, hdr, sizeof hdr);
        if (!rc)
            rc = deliver(d, d->row->role, R_HS, body6, sizeof body6);
    }
    judge(d, name, rc, local(TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE"));
}

/* A fatal alert sent in plaintext although the side reads with keys (only where it does:
 * other states have it in the alert rows above). */
static void case_plain_alert(drv *d)
{
    static const uint8_t rec[] = {R_ALERT, 3, 3, 0, 2, 2, TLSM_ALERT_HANDSHAKE_FAILURE};
    const state_row *row = d->row;
    if (drive(d)) {
        judge(d, "unprotected fatal alert", 0, peer(0));
        return;
    }
    tlsm_conn *c = CONN(d, row->role);
    if (!c->rec.rd.active)
        return;
    expect want;
    if (row->version == TLSM_TLS12)   /* RFC 5246 s.6.2.3: fails deprotection (two bytes
                                         cannot hold the explicit nonce and tag) */
        want = local(TLSM_ALERT_BAD_RECORD_MAC, "REC_SHORTER_THAN_TAG");
    else if (row->target == HS_DONE)  /* RFC 8446 s.5: only protected records */
        want = local(TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_NOT_PROTECTED");
    else
        want = peer(TLSM_ALERT_HANDSHAKE_FAILURE); /* a peer that failed before its keys */
    d->last_protected = 0;
    int rc = feed(d, row->role, rec, sizeof rec);
    judge(d, "unprotected fatal alert", rc, want);
}

static void run_state(const state_row *row)
{
    drv *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    d->row = row;
    pair_opts co, so;
    make_opts(row, &co, &so);
    pair_init(&d->p, &co, &so, 8);
    n_states++;
    if (row->cfg == CFG_RESUME || row->cfg == CFG_RESUME_SID) {
        /* A full handshake first, for the session to resume. */
        pair_connect(&d->p, PAIR_HOST);
        int rc = pair_handshake(&d->p);
        cr_assert_eq(rc, 0, "%s: first handshake: %s", row->name, tlsm_strerror(rc));
        cr_assert_eq(pair_get_session(&d->p, &d->session), TLSM_OK);
    }
    int done = row->target == HS_DONE;
    int v13 = row->version == TLSM_TLS13;
    expect ccs_unexpected = local(TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
    expect unknown_type = local(TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_UNKNOWN_TYPE");

    for (size_t i = 0; i < sizeof all_types; i++)
        case_message(d, all_types[i], allowed(row, all_types[i]));

    case_split_message(d, 99);
    /* ... and a type of the other version, which this one does not know here. */
    case_split_message(d, v13 ? HS_SERVER_KEY_EXCHANGE : HS_ENCRYPTED_EXTENSIONS);

    case_alert(d, "fatal handshake_failure", 2, TLSM_ALERT_HANDSHAKE_FAILURE,
               peer(TLSM_ALERT_HANDSHAKE_FAILURE));
    case_alert(d, "fatal unknown alert 255", 2, 255, peer(255));
    /* s.6: "Unknown Alert types MUST be treated as error alerts", in every version. */
    case_alert(d, "warning unknown alert 8", 1, 8, peer(8));
    case_alert(d, "close_notify", 1, TLSM_ALERT_CLOSE_NOTIFY,
               done ? accepted(THEN_CLOSED) : peer(TLSM_ALERT_CLOSE_NOTIFY));
    case_alert(d, "warning user_canceled", 1, TLSM_ALERT_USER_CANCELED, accepted(THEN_COMPLETE));
    if (v13)
        case_alert(d, "warning-level handshake_failure", 1, TLSM_ALERT_HANDSHAKE_FAILURE,
                   peer(TLSM_ALERT_HANDSHAKE_FAILURE));
    else /* assigned, if only used by older versions: a TLS 1.2 warning like any other */
        case_alert(d, "warning decompression_failure", 1, 30, accepted(THEN_COMPLETE));

    /* TLS 1.2, once the version is known and before the peer's CCS: the CCS's length is
     * checked first (decode_error); a second one is unexpected whatever it holds, and
     * before the hellos settle the version a CCS is out of place in either version. */
    int ccs12_first = !v13 && row->target != HS_C_WAIT_SH && row->target != HS_S_WAIT_CH &&
                      row->target != HS_C12_WAIT_FINISHED &&
                      row->target != HS_S12_WAIT_FINISHED && !done;
    case_record(d, "zero-length handshake", R_HS, NULL, 0,
                local(TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_EMPTY_FRAGMENT"));
    case_record(d, "zero-length application_data", R_APP, NULL, 0,
                done ? accepted(THEN_COMPLETE) : early_appdata());
    case_record(d, "zero-length alert", R_ALERT, NULL, 0,
                local(TLSM_ALERT_UNEXPECTED_MESSAGE, "ALERT_EMPTY"));
    case_record(d, "one-byte alert", R_ALERT, (const uint8_t *)"\x02", 1,
                local(TLSM_ALERT_DECODE_ERROR, "ALERT_MALFORMED"));
    case_record(d, "zero-length change_cipher_spec", R_CCS, NULL, 0,
                ccs12_first ? local(TLSM_ALERT_DECODE_ERROR, "CCS_MALFORMED") : ccs_unexpected);

    /* Content types no version defines (heartbeat 24 is not implemented; 255 is unknown):
     * unexpected_message (RFC 8446 s.5, RFC 5246 s.6: unknown record types). Protected
     * where the side reads with keys (TLS 1.3: as the inner type). */
    static const uint8_t byte = 1;
    case_record(d, "record type 24 (heartbeat)", 24, &byte, 1, unknown_type);
    case_record(d, "record type 255", 255, &byte, 1, unknown_type);
    case_plain_alert(d);

    static const uint8_t one = 1;
    /* RFC 5077 s.3.3: an announced NewSessionTicket must come before the CCS. */
    expect ccs_refused = row->target == HS_C12_WAIT_NST_CCS
                             ? local(TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_BEFORE_TICKET")
                             : ccs_unexpected;
    case_record(d, "change_cipher_spec", R_CCS, &one, 1,
                !row->ccs_ok ? ccs_refused : accepted(v13 ? THEN_COMPLETE : THEN_CCS12));

    static const uint8_t data[8] = "appdata";
    static const uint8_t fatal[2] = {2, TLSM_ALERT_HANDSHAKE_FAILURE};
    case_interleave(d, "handshake fragment + application_data", R_APP, data, sizeof data);
    case_interleave(d, "handshake fragment + empty application_data", R_APP, NULL, 0);
    case_interleave(d, "handshake fragment + fatal alert", R_ALERT, fatal, sizeof fatal);
    case_interleave(d, "handshake fragment + change_cipher_spec", R_CCS, &one, 1);

    for (int i = 0; i < 2; i++) {
        pair_buf_free(&d->net[i]);
        pair_buf_free(&d->hs[i]);
    }
    pair_buf_free(&d->session);
    pair_free(&d->p);
    free(d);
}

Test(state_matrix, every_state_every_input)
{
    static const struct {
        uint16_t version;
        int role;
        const char *label;
    } groups[] = {{TLSM_TLS13, PAIR_CLIENT, "1.3 client"},
                  {TLSM_TLS13, PAIR_SERVER, "1.3 server"},
                  {TLSM_TLS12, PAIR_CLIENT, "1.2 client"},
                  {TLSM_TLS12, PAIR_SERVER, "1.2 server"}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char per[256] = "";
    size_t used = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        size_t before = n_cases;
        for (size_t i = 0; i < sizeof states / sizeof *states; i++)
            if (states[i].version == groups[g].version && states[i].role == groups[g].role)
                run_state(&states[i]);
        used += (size_t)snprintf(per + used, sizeof per - used, "%s%s %zu", g ? ", " : "",
                                 groups[g].label, n_cases - before);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("state_matrix: %zu (state, input) cases over %zu states (%s) + %zu controls, "
           "%zu reasons asserted, %zu failed, %.0f ms\n", n_cases, n_states, per, n_controls,
           n_reasons, n_failed, ms);
    fflush(stdout);
    cr_expect_eq(n_failed, 0, "%zu of %zu cases failed (see the log)", n_failed,
                 n_cases + n_controls);
}
