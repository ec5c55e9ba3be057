/*
 * fuzz_pair.c - libFuzzer target for a real client and a real server talking in memory
 * while the input tampers with records in flight (a differential check of the two
 * engines against each other). Built and run by build.sh / run.sh; seeds (every setup, no
 * tampering and a few tamperings each) in corpus/fuzz_pair/, written by gen_seeds.c.
 *
 * Input: byte 0 = server key (bits 0-2, mod 5: P-256, Ed25519, P-384, RSA, RSA-PSS),
 * groups (bits 3-4: defaults; client X25519+P-256 vs server P-256 only = HRR for a group;
 * server cookie HRR; client P-384 only), client suites (bits 5-6: all, or only 0x1301,
 * 0x1302, 0x1303), client certificate required (bit 7). Byte 1 = resumption (bit 0: a clean
 * first connection gets a ticket, the tampered second one offers it), middlebox
 * compatibility off (bit 1), record_size_limit 64 on both sides (bit 2), long messages
 * (bit 3), bytes moved per step (bits 4-7, 0 = all). Then up to 4 operations of 5 bytes:
 * direction (bit 0) and kind (bits 1-3: flip, set, insert, delete, truncate, drop,
 * duplicate, inject a plaintext alert before), record index, 16-bit offset, value.
 *
 * The exchange: handshake, client sends A, server sends B, client closes, server closes,
 * then end of stream on both sides. Invariants (any broken one aborts):
 *  - plaintext a side received is always a prefix of what the other side sent;
 *  - every side ends complete (handshake done, all data, close_notify, no error) or with a
 *    sticky error, or (a plaintext close_notify before any key, which tlsm accepts) closed
 *    before its handshake finished with no plaintext;
 *  - without tampering both sides are complete;
 *  - when both sides are complete, every tampering was one TLS allows to pass unnoticed:
 *    legacy_record_version bytes, a ChangeCipherSpec record, bytes after the last record,
 *    a duplicate of the last record, operations that cancel out on a record (judged by the
 *    net change), or an injected plaintext alert that is a warning of an assigned
 *    description other than close_notify. That is the engine's rule (alert.c): such a
 *    warning is reported and ignored while TLS 1.2 may still be chosen, and in TLS 1.3
 *    user_canceled before keys; RFC 8446 s.6: a fatal level or an unknown description
 *    ("Unknown Alert types MUST be treated as error alerts") always ends the connection,
 *    in every version. (Which warnings TLS 1.3 refuses depends on the moment the alert
 *    arrives, which the target does not track: those are left to test_state_matrix.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz_support.h"
#include "fuzz_pki_pem.h"
#include "tlsm.h"

#define MAX_OPS 4
#define MAX_STEPS 200000 /* enough for 20 KB moved one byte per step */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Shared with gen_seeds.c: 1 if both sides were complete after the last input. */
int fuzz_pair_both_complete(void);

static counter_rng rngs[2] = {{0xc11e47, 0}, {0x5e57e5, 0}};

/* ------------------------------------------------------------------ configs (cached) */

static const char *const key_pems[5][2] = {
    {fuzz_pem_server_p256_chain_pem, fuzz_pem_server_p256_key},
    {fuzz_pem_server_ed25519_chain_pem, fuzz_pem_server_ed25519_key},
    {fuzz_pem_server_p384_chain_pem, fuzz_pem_server_p384_key},
    {fuzz_pem_server_rsa_chain_pem, fuzz_pem_server_rsa_key},
    {fuzz_pem_server_rsapss_chain_pem, fuzz_pem_server_rsapss_key}};

/* Configs are immutable once frozen and their RNG state is reset for every input, so they
 * are built once per setup; the ticket key is fixed so that freezing draws nothing. */
static tlsm_config *client_cfgs[128], *server_cfgs[80];

static void add_identity(tlsm_config *cfg, const char *chain, const char *key)
{
    CHECK(tlsm_config_add_identity_pem(cfg, (const uint8_t *)chain, strlen(chain),
                                       (const uint8_t *)key, strlen(key)) == 0);
}

static void add_ca(tlsm_config *cfg)
{
    CHECK(tlsm_config_add_trust_pem(cfg, (const uint8_t *)fuzz_pem_ca_crt,
                                    strlen(fuzz_pem_ca_crt), NULL) == 0);
}

static tlsm_config *client_config(unsigned suite, unsigned groups, int auth, int no_mb, int rsl)
{
    unsigned idx = suite | groups << 2 | (unsigned)auth << 4 | (unsigned)no_mb << 5 |
                   (unsigned)rsl << 6;
    if (client_cfgs[idx])
        return client_cfgs[idx];
    static const uint16_t suites[3] = {TLSM_TLS_AES_128_GCM_SHA256, TLSM_TLS_AES_256_GCM_SHA384,
                                       TLSM_TLS_CHACHA20_POLY1305_SHA256};
    static const uint16_t x_p256[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1};
    static const uint16_t p384[] = {TLSM_GROUP_SECP384R1};
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    CHECK(cfg != NULL);
    add_ca(cfg);
    if (auth)
        add_identity(cfg, fuzz_pem_client_chain_pem, fuzz_pem_client_key);
    CHECK(tlsm_config_set_rng(cfg, counter_rng_fill, &rngs[0]) == 0);
    CHECK(tlsm_config_set_clock(cfg, fuzz_fixed_clock, NULL) == 0);
    if (suite)
        CHECK(tlsm_config_set_suites(cfg, &suites[suite - 1], 1) == 0);
    if (groups == 1)
        CHECK(tlsm_config_set_groups(cfg, x_p256, 2) == 0);
    if (groups == 3)
        CHECK(tlsm_config_set_groups(cfg, p384, 1) == 0);
    if (no_mb)
        CHECK(tlsm_config_set_middlebox_compat(cfg, 0) == 0);
    if (rsl)
        CHECK(tlsm_config_set_record_size_limit(cfg, 64) == 0);
    return client_cfgs[idx] = cfg;
}

static tlsm_config *server_config(unsigned key, unsigned groups, int auth, int rsl)
{
    unsigned idx = key << 4 | groups << 2 | (unsigned)auth << 1 | (unsigned)rsl;
    if (server_cfgs[idx])
        return server_cfgs[idx];
    static const uint8_t ticket_key[32] = "tlsm fuzz pair ticket key......";
    static const uint16_t p256[] = {TLSM_GROUP_SECP256R1};
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    CHECK(cfg != NULL);
    add_identity(cfg, key_pems[key][0], key_pems[key][1]);
    if (auth) {
        add_ca(cfg);
        CHECK(tlsm_config_set_client_auth(cfg, 2) == 0);
    }
    CHECK(tlsm_config_set_rng(cfg, counter_rng_fill, &rngs[1]) == 0);
    CHECK(tlsm_config_set_clock(cfg, fuzz_fixed_clock, NULL) == 0);
    CHECK(tlsm_config_set_ticket_key(cfg, ticket_key, sizeof ticket_key) == 0);
    if (groups == 1)
        CHECK(tlsm_config_set_groups(cfg, p256, 1) == 0);
    if (groups == 2)
        CHECK(tlsm_config_set_require_cookie(cfg, 1) == 0);
    if (rsl)
        CHECK(tlsm_config_set_record_size_limit(cfg, 64) == 0);
    return server_cfgs[idx] = cfg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* ------------------------------------------------------------------ buffers */

typedef struct {
    uint8_t *d;
    size_t len, cap;
} buf;

/* p must not point into b (the buffer may move). */
static void buf_insert(buf *b, size_t at, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->d, cap);
        CHECK(d != NULL);
        b->d = d;
        b->cap = cap;
    }
    memmove(b->d + at + n, b->d + at, b->len - at);
    memcpy(b->d + at, p, n);
    b->len += n;
}

static void buf_append(buf *b, const uint8_t *p, size_t n)
{
    buf_insert(b, b->len, p, n);
}

static void buf_cut(buf *b, size_t at, size_t n)
{
    memmove(b->d + at, b->d + at + n, b->len - at - n);
    b->len -= n;
}

/* ------------------------------------------------------------------ the pair */

enum { OP_FLIP, OP_SET, OP_INSERT, OP_DELETE, OP_TRUNCATE, OP_DROP, OP_DUP, OP_ALERT };

typedef struct {
    unsigned dir, kind, index, offset, value;
    int applied;
    int benign;       /* TLS lets this change pass */
    int needs_last;   /* ... but only if it hit the last record of its direction */
} op;

typedef struct {
    tlsm_conn *c;
    buf rx;
    int peer_closed;
} side;

typedef struct {
    side s[2];         /* 0 client, 1 server; direction d goes from s[d] to s[1 - d] */
    buf wire[2], deliver[2];
    size_t records[2];
    size_t chunk;
    op ops[MAX_OPS];
    size_t n_ops;
    int tamper;        /* apply ops (the second connection when resuming) */
    const uint8_t *sent[2];
    size_t sent_len[2];
} pair;

static int both_complete;

int fuzz_pair_both_complete(void)
{
    return both_complete;
}

static void apply_ops(pair *p, unsigned d, size_t index, buf *rec)
{
    /* Ops that cancel out (two flips of one byte) leave the record as it was: judged by
     * their net effect, they are benign. */
    uint8_t *orig = malloc(rec->len ? rec->len : 1);
    CHECK(orig != NULL);
    size_t orig_len = rec->len;
    memcpy(orig, rec->d, rec->len);
    int here[MAX_OPS] = {0};
    for (size_t i = 0; i < p->n_ops; i++) {
        op *o = &p->ops[i];
        if (o->dir != d || o->index != index || rec->len == 0)
            continue;
        size_t len = rec->len, pos = o->offset % len;
        int ccs = rec->d[0] == 20;
        uint8_t v = (uint8_t)o->value;
        switch (o->kind) {
        case OP_FLIP:
            rec->d[pos] ^= v ? v : 1;
            o->benign = ccs || pos == 1 || pos == 2;
            break;
        case OP_SET:
            if (rec->d[pos] == v)
                continue;
            rec->d[pos] = v;
            o->benign = ccs || pos == 1 || pos == 2;
            break;
        case OP_INSERT:
            pos = o->offset % (len + 1);
            buf_insert(rec, pos, &v, 1);
            o->benign = ccs;
            o->needs_last = pos == len;
            break;
        case OP_DELETE: {
            size_t n = 1 + v % 8;
            if (n > len - pos)
                n = len - pos;
            buf_cut(rec, pos, n);
            o->benign = ccs;
            break;
        }
        case OP_TRUNCATE:
            rec->len = pos;
            o->benign = ccs;
            break;
        case OP_DROP:
            rec->len = 0;
            o->benign = ccs;
            break;
        case OP_DUP: {
            uint8_t *copy = malloc(len);
            CHECK(copy != NULL);
            memcpy(copy, rec->d, len);
            buf_append(rec, copy, len);
            free(copy);
            o->benign = ccs;
            o->needs_last = 1;
            break;
        }
        default: {
            uint8_t level = (uint8_t)(1 + (o->offset & 1));
            uint8_t alert[7] = {21, 3, 3, 0, 2, level, v};
            buf_insert(rec, 0, alert, sizeof alert);
            o->benign = level == 1 && v != TLSM_ALERT_CLOSE_NOTIFY &&
                        strcmp(tlsm_alert_name(v), "unknown_alert") != 0;
            break;
        }
        }
        o->applied = 1;
        here[i] = 1;
    }
    if (rec->len == orig_len && memcmp(rec->d, orig, orig_len) == 0)
        for (size_t i = 0; i < p->n_ops; i++)
            if (here[i])
                p->ops[i].benign = 1;
    free(orig);
}

/* Cuts whole records out of wire[d], tampers, queues them for the receiver. */
static int split_records(pair *p, unsigned d)
{
    int moved = 0;
    buf rec = {0};
    while (p->wire[d].len >= 5) {
        size_t n = 5 + ((size_t)p->wire[d].d[3] << 8 | p->wire[d].d[4]);
        if (p->wire[d].len < n)
            break;
        rec.len = 0;
        buf_append(&rec, p->wire[d].d, n);
        buf_cut(&p->wire[d], 0, n);
        if (p->tamper)
            apply_ops(p, d, p->records[d], &rec);
        p->records[d]++;
        buf_append(&p->deliver[d], rec.d, rec.len);
        moved = 1;
    }
    free(rec.d);
    return moved;
}

static void check_rx(const pair *p, unsigned who)
{
    /* Plaintext at `who` came from the other side: never anything but what it sent. */
    const buf *rx = &p->s[who].rx;
    CHECK(rx->len <= p->sent_len[1 - who]);
    CHECK(rx->len == 0 || memcmp(rx->d, p->sent[1 - who], rx->len) == 0);
}

static int drain(pair *p, unsigned who)
{
    side *s = &p->s[who];
    int moved = 0;
    size_t len = 0;
    const uint8_t *pt;
    while ((pt = tlsm_read_peek(s->c, &len)) != NULL) {
        CHECK(len > 0 && tlsm_conn_handshake_done(s->c));
        buf_append(&s->rx, pt, len);
        int rc = tlsm_read_consume(s->c, len);
        CHECK(rc == tlsm_conn_error(s->c));
        moved = 1;
    }
    check_rx(p, who);
    tlsm_event ev;
    while (tlsm_next_event(s->c, &ev) == 1) {
        moved = 1;
        if (ev.type == TLSM_EV_PEER_CLOSED)
            s->peer_closed = 1;
        if (ev.type == TLSM_EV_ERROR)
            CHECK(ev.code == tlsm_conn_error(s->c));
    }
    unsigned st = tlsm_status(s->c);
    CHECK(!(st & TLSM_STATUS_ERROR) == !tlsm_conn_error(s->c));
    return moved;
}

static int step_dir(pair *p, unsigned d)
{
    side *snd = &p->s[d], *rcv = &p->s[1 - d];
    int moved = 0;
    size_t len = 0;
    const uint8_t *out = tlsm_output_peek(snd->c, &len);
    if (out) {
        size_t n = p->chunk && len > p->chunk ? p->chunk : len;
        buf_append(&p->wire[d], out, n);
        CHECK(tlsm_output_consume(snd->c, n) == 0);
        moved = 1;
    }
    moved |= split_records(p, d);
    if (p->deliver[d].len > 0 && !tlsm_conn_error(rcv->c)) {
        size_t n = p->chunk && p->deliver[d].len > p->chunk ? p->chunk : p->deliver[d].len;
        size_t consumed = 0;
        int rc = tlsm_feed(rcv->c, p->deliver[d].d, n, &consumed);
        CHECK(rc == tlsm_conn_error(rcv->c) && consumed <= n);
        if (consumed) {
            buf_cut(&p->deliver[d], 0, consumed);
            moved = 1;
        }
    }
    return moved;
}

static void pump(pair *p)
{
    for (int step = 0;; step++) {
        CHECK(step < MAX_STEPS); /* a livelock between the engines */
        int moved = 0;
        for (unsigned d = 0; d < 2; d++)
            moved |= step_dir(p, d);
        for (unsigned who = 0; who < 2; who++)
            moved |= drain(p, who);
        if (!moved)
            return;
    }
}

static int usable(const side *s)
{
    return tlsm_conn_handshake_done(s->c) && !tlsm_conn_error(s->c);
}

static void send_all(pair *p, unsigned who, const uint8_t *data, size_t len)
{
    size_t off = 0;
    for (int tries = 0; off < len && usable(&p->s[who]); tries++) {
        CHECK(tries < 1000);
        size_t accepted = 0;
        int rc = tlsm_write(p->s[who].c, data + off, len - off, &accepted);
        CHECK(rc == 0 && accepted <= len - off);
        off += accepted;
        pump(p);
    }
}

static int complete(const pair *p, unsigned who)
{
    const side *s = &p->s[who];
    return usable(s) && s->peer_closed && s->rx.len == p->sent_len[1 - who];
}

/* Runs one connection over the pair's configs; the client offers session if given. */
static void run(pair *p, tlsm_config *ccfg, tlsm_config *scfg, const uint8_t *session,
                size_t session_len)
{
    p->s[0].c = tlsm_conn_new(ccfg, FUZZ_HOST);
    p->s[1].c = tlsm_conn_new(scfg, NULL);
    CHECK(p->s[0].c != NULL && p->s[1].c != NULL);
    if (session)
        CHECK(tlsm_conn_set_session(p->s[0].c, session, session_len) == 0);
    pump(p);
    send_all(p, 0, p->sent[0], p->sent_len[0]);
    pump(p);
    send_all(p, 1, p->sent[1], p->sent_len[1]);
    for (unsigned who = 0; who < 2; who++) {
        if (usable(&p->s[who]))
            CHECK(tlsm_close(p->s[who].c) == 0);
        pump(p);
    }
    /* End of stream: whatever is still in flight (a partial record) arrives, then EOF. */
    for (unsigned d = 0; d < 2; d++) {
        side *rcv = &p->s[1 - d];
        buf_append(&p->deliver[d], p->wire[d].d, p->wire[d].len);
        p->wire[d].len = 0;
        size_t off = 0;
        while (off < p->deliver[d].len && !tlsm_conn_error(rcv->c)) {
            size_t consumed = 0;
            int rc = tlsm_feed(rcv->c, p->deliver[d].d + off, p->deliver[d].len - off, &consumed);
            CHECK(rc == tlsm_conn_error(rcv->c));
            off += consumed;
            drain(p, 1 - d);
            if (!consumed && !rc)
                CHECK(0);
        }
        p->deliver[d].len = 0;
        int rc = tlsm_feed_eof(rcv->c);
        CHECK(rc == tlsm_conn_error(rcv->c) || (rc == 0 && rcv->peer_closed));
        drain(p, 1 - d);
    }
    pump(p);
}

static void reset(pair *p)
{
    for (unsigned i = 0; i < 2; i++) {
        tlsm_conn_free(p->s[i].c);
        p->s[i].c = NULL;
        p->s[i].rx.len = 0;
        p->s[i].peer_closed = 0;
        p->wire[i].len = p->deliver[i].len = 0;
        p->records[i] = 0;
    }
}

static void pair_free(pair *p)
{
    reset(p);
    for (unsigned i = 0; i < 2; i++) {
        free(p->s[i].rx.d);
        free(p->wire[i].d);
        free(p->deliver[i].d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[16] = {0,  1,   2,   3,    5,    7,    13,   31,
                                      64, 100, 300, 1000, 4000, 9000, 16389, 17000};
    static uint8_t msg[2][20000];
    both_complete = 0;
    if (size < 2)
        return 0;
    unsigned b0 = data[0], b1 = data[1];
    unsigned key = (b0 & 7) % 5, groups = (b0 >> 3) & 3, suite = (b0 >> 5) & 3;
    int auth = b0 >> 7, resume = b1 & 1, no_mb = (b1 >> 1) & 1, rsl = (b1 >> 2) & 1;
    int long_msgs = (b1 >> 3) & 1;

    pair p;
    memset(&p, 0, sizeof p);
    p.chunk = chunks[b1 >> 4];
    for (size_t i = 2; i + 5 <= size && p.n_ops < MAX_OPS; i += 5) {
        op *o = &p.ops[p.n_ops++];
        o->dir = data[i] & 1;
        o->kind = (data[i] >> 1) & 7;
        o->index = data[i + 1];
        o->offset = (unsigned)data[i + 2] << 8 | data[i + 3];
        o->value = data[i + 4];
    }
    for (unsigned d = 0; d < 2; d++)
        for (size_t i = 0; i < sizeof msg[d]; i++)
            msg[d][i] = (uint8_t)(i * (d ? 7 : 13) + d);
    p.sent[0] = msg[0];
    p.sent_len[0] = long_msgs ? 20000 : 100;
    p.sent[1] = msg[1];
    p.sent_len[1] = long_msgs ? 3000 : 77;

    rngs[0].counter = rngs[1].counter = 0;
    tlsm_config *ccfg = client_config(suite, groups, auth, no_mb, rsl);
    tlsm_config *scfg = server_config(key, groups, auth, rsl);

    uint8_t *session = NULL;
    size_t session_len = 0;
    if (resume) {
        /* A clean first connection: it must succeed and leave a ticket. */
        run(&p, ccfg, scfg, NULL, 0);
        CHECK(complete(&p, 0) && complete(&p, 1));
        CHECK(tlsm_conn_get_session(p.s[0].c, NULL, 0, &session_len) == 0);
        session = malloc(session_len);
        CHECK(session != NULL);
        CHECK(tlsm_conn_get_session(p.s[0].c, session, session_len, &session_len) == 0);
        reset(&p);
    }
    p.tamper = 1;
    run(&p, ccfg, scfg, session, session_len);
    free(session);

    int applied = 0, benign = 1;
    for (size_t i = 0; i < p.n_ops; i++) {
        op *o = &p.ops[i];
        if (!o->applied)
            continue;
        applied = 1;
        int last = o->index + 1 == p.records[o->dir];
        if (!o->benign && !(o->needs_last && last))
            benign = 0;
    }
    for (unsigned who = 0; who < 2; who++) {
        side *s = &p.s[who];
        check_rx(&p, who);
        int early_close = s->peer_closed && !tlsm_conn_error(s->c) &&
                          !tlsm_conn_handshake_done(s->c) && s->rx.len == 0;
        CHECK(complete(&p, who) || tlsm_conn_error(s->c) != 0 || early_close);
        if (tlsm_conn_error(s->c))
            CHECK(tlsm_status(s->c) & TLSM_STATUS_ERROR);
    }
    both_complete = complete(&p, 0) && complete(&p, 1);
    if (!applied)
        CHECK(both_complete);
    if (both_complete) {
        CHECK(benign);
        CHECK(tlsm_conn_resumed(p.s[0].c) == resume && tlsm_conn_resumed(p.s[1].c) == resume);
        CHECK(tlsm_conn_suite(p.s[0].c) == tlsm_conn_suite(p.s[1].c));
        uint8_t k[2][32];
        for (unsigned who = 0; who < 2; who++)
            CHECK(tlsm_export_keying_material(p.s[who].c, "EXPORTER-pair", 13, NULL, 0, k[who],
                                              32) == 0);
        CHECK(memcmp(k[0], k[1], 32) == 0);
    }
    pair_free(&p);
    return 0;
}
