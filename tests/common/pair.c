/*
 * pair.c - the in-memory client/server harness (see pair.h).
 *
 * One pump step does, for each direction: take at most `chunk` bytes of the sender's output
 * into the wire buffer; cut every whole record out of the wire buffer, pass it through the
 * hook and queue the result for the receiver; feed at most `chunk` queued bytes and keep the
 * unconsumed rest; then drain plaintext (unless no_read) and events on both sides. The pump
 * stops after a step in which no byte moved, no plaintext was read and no event appeared.
 */
#include "pair.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- buffers */

void pair_buf_append(pair_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (d == NULL)
            abort();
        b->data = d;
        b->cap = cap;
    }
    memmove(b->data + b->len, p, n);
    b->len += n;
}

void pair_buf_set(pair_buf *b, const void *p, size_t n)
{
    b->len = 0;
    pair_buf_append(b, p, n);
}

void pair_buf_drop_front(pair_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void pair_buf_free(pair_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---------------------------------------------------------------- determinism */

void pair_rng_seed(pair_rng *r, uint64_t seed)
{
    r->state = seed;
}

/* splitmix64: a full-period 64-bit generator, plenty for reproducible test randomness. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int pair_rng_fill(void *ctx, uint8_t *out, size_t len)
{
    pair_rng *r = ctx;
    while (len > 0) {
        uint64_t v = splitmix64(&r->state);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        out += n;
        len -= n;
    }
    return 0;
}

uint64_t pair_clock_now(void *ctx)
{
    return *(const uint64_t *)ctx;
}

/* ---------------------------------------------------------------- test PKI */

static const char *const key_names[] = {"none", "ed25519", "p256", "p384", "rsa", "rsapss",
                                        "client", "rsapss384"};

const char *pair_key_name(pair_key k)
{
    return (unsigned)k < sizeof key_names / sizeof key_names[0] ? key_names[k] : "?";
}

uint8_t *pair_read_pki(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/pki/%s", TLSM_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    pair_buf b = {0};
    uint8_t tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        pair_buf_append(&b, tmp, n);
    fclose(f);
    *len = b.len;
    pair_buf_append(&b, "", 1);
    return b.data;
}

int pair_add_identity(tlsm_config *cfg, pair_key k)
{
    char chain_name[64], key_name[64];
    if (k == PAIR_KEY_CLIENT) {
        snprintf(chain_name, sizeof chain_name, "client.chain.pem");
        snprintf(key_name, sizeof key_name, "client.key");
    } else {
        snprintf(chain_name, sizeof chain_name, "server-%s.chain.pem", pair_key_name(k));
        snprintf(key_name, sizeof key_name, "server-%s.key", pair_key_name(k));
    }
    size_t chain_len, key_len;
    uint8_t *chain = pair_read_pki(chain_name, &chain_len);
    uint8_t *key = pair_read_pki(key_name, &key_len);
    int rc = tlsm_config_add_identity_pem(cfg, chain, chain_len, key, key_len);
    free(chain);
    free(key);
    return rc;
}

int pair_add_trust(tlsm_config *cfg, const char *name)
{
    size_t len, added = 0;
    uint8_t *pem = pair_read_pki(name, &len);
    int rc = tlsm_config_add_trust_pem(cfg, pem, len, &added);
    free(pem);
    return rc;
}

/* ---------------------------------------------------------------- configs */

const uint16_t pair_suites12_all[11] = {
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384};
const uint16_t pair_suites12_rsa_kx[2] = {TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
                                          TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384};

#define CFG_OK(call) cr_assert_eq((call), TLSM_OK, "%s failed", #call)

tlsm_config *pair_config(tlsm_role role, const pair_opts *o, pair_rng *rng, uint64_t *now_ms)
{
    static const pair_opts defaults;
    if (o == NULL)
        o = &defaults;
    tlsm_config *cfg = tlsm_config_new(role);
    cr_assert_not_null(cfg);
    CFG_OK(tlsm_config_set_rng(cfg, pair_rng_fill, rng));
    CFG_OK(tlsm_config_set_clock(cfg, pair_clock_now, now_ms));
    if (o->n_suites)
        CFG_OK(tlsm_config_set_suites(cfg, o->suites, o->n_suites));
    if (o->n_groups)
        CFG_OK(tlsm_config_set_groups(cfg, o->groups, o->n_groups));
    if (o->n_sigalgs)
        CFG_OK(tlsm_config_set_sigalgs(cfg, o->sigalgs, o->n_sigalgs));
    if (o->alpn)
        CFG_OK(tlsm_config_set_alpn(cfg, (const uint8_t *)o->alpn, strlen(o->alpn)));
    if (o->key != PAIR_KEY_NONE)
        CFG_OK(pair_add_identity(cfg, o->key));
    /* Clients verify the server with ca.crt; servers need it to verify client certificates. */
    const char *trust = o->trust ? o->trust : "ca.crt";
    if (trust[0] != '\0')
        CFG_OK(pair_add_trust(cfg, trust));
    if (o->client_auth)
        CFG_OK(tlsm_config_set_client_auth(cfg, o->client_auth));
    if (o->require_cookie)
        CFG_OK(tlsm_config_set_require_cookie(cfg, 1));
    if (o->no_tickets)
        CFG_OK(tlsm_config_set_tickets(cfg, 0));
    if (o->no_middlebox)
        CFG_OK(tlsm_config_set_middlebox_compat(cfg, 0));
    if (o->insecure)
        CFG_OK(tlsm_config_set_verify(cfg, TLSM_VERIFY_INSECURE_NO_VERIFICATION));
    if (o->trace)
        CFG_OK(tlsm_config_set_trace(cfg, 1));
    if (o->record_size_limit)
        CFG_OK(tlsm_config_set_record_size_limit(cfg, o->record_size_limit));
    if (o->min_version || o->max_version)
        CFG_OK(tlsm_config_set_versions(cfg, o->min_version ? o->min_version : TLSM_TLS12,
                                        o->max_version ? o->max_version : TLSM_TLS13));
    if (o->no_require_ems)
        CFG_OK(tlsm_config_set_require_ems(cfg, 0));
    if (o->no_session_cache)
        CFG_OK(tlsm_config_set_session_cache(cfg, 0));
    else if (o->session_cache)
        CFG_OK(tlsm_config_set_session_cache(cfg, o->session_cache));
    return cfg;
}

/* ---------------------------------------------------------------- the pair */

void pair_init(pair *p, const pair_opts *client, const pair_opts *server, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->now_ms = PAIR_NOW_MS;
    pair_rng_seed(&p->rng[PAIR_CLIENT], seed * 2 + 1);
    pair_rng_seed(&p->rng[PAIR_SERVER], seed * 2 + 2);
    p->side[PAIR_CLIENT].cfg =
        pair_config(TLSM_ROLE_CLIENT, client, &p->rng[PAIR_CLIENT], &p->now_ms);
    p->side[PAIR_SERVER].cfg =
        pair_config(TLSM_ROLE_SERVER, server, &p->rng[PAIR_SERVER], &p->now_ms);
}

static void side_reset(pair_side *s)
{
    tlsm_conn_free(s->conn);
    s->conn = NULL;
    free(s->ev);
    s->ev = NULL;
    s->n_ev = s->cap_ev = 0;
    pair_buf_free(&s->rx);
    s->rc = 0;
}

static void network_reset(pair *p)
{
    for (int d = 0; d < 2; d++) {
        pair_buf_free(&p->wire[d]);
        pair_buf_free(&p->deliver[d]);
        p->records[d] = 0;
        p->hold[d] = 0;
        memset(p->type_count[d], 0, sizeof p->type_count[d]);
    }
}

void pair_connect(pair *p, const char *server_name)
{
    for (int i = 0; i < 2; i++)
        side_reset(&p->side[i]);
    network_reset(p);
    p->side[PAIR_CLIENT].conn = tlsm_conn_new(p->side[PAIR_CLIENT].cfg, server_name);
    p->side[PAIR_SERVER].conn = tlsm_conn_new(p->side[PAIR_SERVER].cfg, NULL);
    cr_assert_not_null(p->side[PAIR_CLIENT].conn, "tlsm_conn_new(client) failed");
    cr_assert_not_null(p->side[PAIR_SERVER].conn, "tlsm_conn_new(server) failed");
}

void pair_free(pair *p)
{
    for (int i = 0; i < 2; i++) {
        side_reset(&p->side[i]);
        tlsm_config_free(p->side[i].cfg);
        p->side[i].cfg = NULL;
    }
    network_reset(p);
}

static void note_rc(pair_side *s, int rc)
{
    if (rc < 0 && s->rc == 0)
        s->rc = rc;
}

void pair_collect(pair *p, int who)
{
    pair_side *s = &p->side[who];
    tlsm_event ev;
    while (tlsm_next_event(s->conn, &ev) == 1) {
        if (s->n_ev == s->cap_ev) {
            size_t cap = s->cap_ev ? s->cap_ev * 2 : 32;
            tlsm_event *e = realloc(s->ev, cap * sizeof *e);
            if (e == NULL)
                abort();
            s->ev = e;
            s->cap_ev = cap;
        }
        s->ev[s->n_ev++] = ev;
    }
}

size_t pair_count_events(const pair *p, int who, tlsm_event_type type)
{
    size_t n = 0;
    for (size_t i = 0; i < p->side[who].n_ev; i++)
        n += p->side[who].ev[i].type == type;
    return n;
}

const tlsm_event *pair_find_event(const pair *p, int who, tlsm_event_type type, size_t nth)
{
    for (size_t i = 0; i < p->side[who].n_ev; i++)
        if (p->side[who].ev[i].type == type && nth-- == 0)
            return &p->side[who].ev[i];
    return NULL;
}

/* Moves whole records from wire[d] through the hook into deliver[d]. */
static int split_records(pair *p, int d)
{
    int moved = 0;
    pair_buf rec = {0};
    while (p->wire[d].len >= 5) {
        size_t body = ((size_t)p->wire[d].data[3] << 8) | p->wire[d].data[4];
        if (p->wire[d].len < 5 + body)
            break;
        pair_buf_set(&rec, p->wire[d].data, 5 + body);
        pair_buf_drop_front(&p->wire[d], 5 + body);
        p->type_count[d][rec.data[0]]++;
        size_t index = p->records[d]++;
        if (p->hook)
            p->hook(p, (pair_dir)d, index, &rec, p->hook_ctx);
        pair_buf_append(&p->deliver[d], rec.data, rec.len);
        moved = 1;
    }
    pair_buf_free(&rec);
    return moved;
}

static size_t limit(const pair *p, size_t n)
{
    return p->chunk && n > p->chunk ? p->chunk : n;
}

/* One direction of one step; returns 1 if anything moved. */
static int step_dir(pair *p, int d)
{
    pair_side *snd = &p->side[d], *rcv = &p->side[1 - d];
    int moved = 0;
    size_t len = 0;
    const uint8_t *out = tlsm_output_peek(snd->conn, &len);
    if (out != NULL && len > 0) {
        size_t n = limit(p, len);
        pair_buf_append(&p->wire[d], out, n);
        int rc = tlsm_output_consume(snd->conn, n);
        note_rc(snd, rc);
        cr_assert_eq(rc, TLSM_OK, "tlsm_output_consume(%zu of %zu) returned %d", n, len, rc);
        moved = 1;
    }
    moved |= split_records(p, d);
    if (!p->hold[d] && p->deliver[d].len > 0) {
        size_t consumed = 0;
        int rc = tlsm_feed(rcv->conn, p->deliver[d].data, limit(p, p->deliver[d].len),
                           &consumed);
        note_rc(rcv, rc);
        if (consumed > 0) {
            pair_buf_drop_front(&p->deliver[d], consumed);
            moved = 1;
        }
    }
    return moved;
}

static int drain_plaintext(pair *p, int who)
{
    pair_side *s = &p->side[who];
    size_t len = 0;
    const uint8_t *pt = tlsm_read_peek(s->conn, &len);
    if (pt == NULL || len == 0)
        return 0;
    pair_buf_append(&s->rx, pt, len);
    int rc = tlsm_read_consume(s->conn, len);
    note_rc(s, rc);
    cr_assert_eq(rc, TLSM_OK, "tlsm_read_consume(%zu) returned %d", len, rc);
    return 1;
}

int pair_pump(pair *p)
{
    for (unsigned step = 0; step < PAIR_MAX_STEPS; step++) {
        int moved = 0;
        for (int d = 0; d < 2; d++)
            moved |= step_dir(p, d);
        for (int who = 0; who < 2; who++) {
            size_t before = p->side[who].n_ev;
            if (!p->no_read)
                moved |= drain_plaintext(p, who);
            pair_collect(p, who);
            moved |= p->side[who].n_ev != before;
        }
        if (!moved)
            return (int)step;
    }
    return PAIR_STUCK;
}

int pair_handshake(pair *p)
{
    pair_pump(p);
    tlsm_conn *c = p->side[PAIR_CLIENT].conn, *s = p->side[PAIR_SERVER].conn;
    if (tlsm_conn_handshake_done(c) && tlsm_conn_handshake_done(s) && tlsm_conn_error(c) == 0 &&
        tlsm_conn_error(s) == 0)
        return 0;
    if (tlsm_conn_error(c) != 0)
        return tlsm_conn_error(c);
    if (tlsm_conn_error(s) != 0)
        return tlsm_conn_error(s);
    return PAIR_STUCK;
}

int pair_send(pair *p, int from, const uint8_t *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t accepted = 0;
        int rc = tlsm_write(p->side[from].conn, data + off, len - off, &accepted);
        note_rc(&p->side[from], rc);
        if (rc < 0)
            return rc;
        off += accepted;
        int steps = pair_pump(p);
        if (steps == PAIR_STUCK || (accepted == 0 && steps == 0))
            return PAIR_STUCK;
    }
    return pair_pump(p) == PAIR_STUCK ? PAIR_STUCK : 0;
}

void pair_inject(pair *p, pair_dir dir, const void *bytes, size_t n)
{
    pair_buf_append(&p->deliver[dir], bytes, n);
}

int pair_eof(pair *p, pair_dir dir)
{
    pair_buf_append(&p->deliver[dir], p->wire[dir].data, p->wire[dir].len);
    p->wire[dir].len = 0;
    pair_side *rcv = &p->side[1 - dir];
    while (p->deliver[dir].len > 0) {
        size_t consumed = 0;
        int rc = tlsm_feed(rcv->conn, p->deliver[dir].data, p->deliver[dir].len, &consumed);
        note_rc(rcv, rc);
        if (consumed == 0)
            break;
        pair_buf_drop_front(&p->deliver[dir], consumed);
        if (!p->no_read)
            drain_plaintext(p, 1 - (int)dir);
    }
    int rc = tlsm_feed_eof(rcv->conn);
    note_rc(rcv, rc);
    pair_collect(p, 1 - (int)dir);
    return rc;
}

int pair_get_session(pair *p, pair_buf *out)
{
    tlsm_conn *c = p->side[PAIR_CLIENT].conn;
    size_t len = 0;
    int rc = tlsm_conn_get_session(c, NULL, 0, &len);
    if (rc != TLSM_OK && rc != TLSM_ERR_BUFFER)
        return rc;
    out->len = 0;
    uint8_t *tmp = calloc(1, len ? len : 1);
    if (tmp == NULL)
        abort();
    rc = tlsm_conn_get_session(c, tmp, len, &len);
    if (rc == TLSM_OK)
        pair_buf_set(out, tmp, len);
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------------- records */

uint8_t pair_record_type(const pair_buf *rec)
{
    return rec->len >= 1 ? rec->data[0] : 0;
}

size_t pair_record_body_len(const pair_buf *rec)
{
    return rec->len >= 5 ? (((size_t)rec->data[3] << 8) | rec->data[4]) : 0;
}

void pair_make_record(pair_buf *out, uint8_t type, uint16_t version, const void *body, size_t n)
{
    uint8_t hdr[5] = {type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(n >> 8),
                      (uint8_t)n};
    pair_buf_set(out, hdr, sizeof hdr);
    pair_buf_append(out, body, n);
}

static size_t get24(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

size_t pair_hs_find(const pair_buf *rec, uint8_t msg_type, size_t *msg_len)
{
    if (pair_record_type(rec) != 22)
        return PAIR_NONE;
    size_t end = 5 + pair_record_body_len(rec);
    if (end > rec->len)
        end = rec->len;
    for (size_t off = 5; off + 4 <= end;) {
        size_t n = 4 + get24(rec->data + off + 1);
        if (off + n > end)
            break;
        if (rec->data[off] == msg_type) {
            *msg_len = n;
            return off;
        }
        off += n;
    }
    return PAIR_NONE;
}

/* Offset of the extensions block's 2-byte length in the hello that starts the record. */
static size_t hello_extensions(const pair_buf *rec)
{
    if (pair_record_type(rec) != 22 || rec->len < 9 || (rec->data[5] != 1 && rec->data[5] != 2))
        return PAIR_NONE;
    int client = rec->data[5] == 1;
    size_t end = 9 + get24(rec->data + 6);
    if (end > rec->len)
        return PAIR_NONE;
    size_t off = 9 + 2 + 32; /* version, random */
    if (off >= end)
        return PAIR_NONE;
    off += 1 + rec->data[off]; /* session id */
    if (client) {
        if (off + 2 > end)
            return PAIR_NONE;
        off += 2 + ((size_t)rec->data[off] << 8 | rec->data[off + 1]); /* suites */
        if (off >= end)
            return PAIR_NONE;
        off += 1 + rec->data[off]; /* compressions */
    } else {
        off += 2 + 1; /* suite, compression */
    }
    return off + 2 <= end ? off : PAIR_NONE;
}

size_t pair_hello_find_ext(const pair_buf *rec, uint16_t ext_type, size_t *ext_len)
{
    size_t at = hello_extensions(rec);
    if (at == PAIR_NONE)
        return PAIR_NONE;
    size_t end = at + 2 + ((size_t)rec->data[at] << 8 | rec->data[at + 1]);
    if (end > rec->len)
        return PAIR_NONE;
    for (size_t off = at + 2; off + 4 <= end;) {
        uint16_t type = (uint16_t)(rec->data[off] << 8 | rec->data[off + 1]);
        size_t n = (size_t)rec->data[off + 2] << 8 | rec->data[off + 3];
        if (off + 4 + n > end)
            break;
        if (type == ext_type) {
            *ext_len = n;
            return off + 4;
        }
        off += 4 + n;
    }
    return PAIR_NONE;
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

int pair_hello_strip_ext(pair_buf *rec, uint16_t ext_type)
{
    size_t n = 0;
    size_t data = pair_hello_find_ext(rec, ext_type, &n);
    if (data == PAIR_NONE)
        return 0;
    size_t cut = 4 + n, from = data - 4;
    size_t at = hello_extensions(rec);
    memmove(rec->data + from, rec->data + from + cut, rec->len - from - cut);
    rec->len -= cut;
    put16(rec->data + at, ((size_t)rec->data[at] << 8 | rec->data[at + 1]) - cut);
    size_t hs = get24(rec->data + 6) - cut;
    rec->data[6] = (uint8_t)(hs >> 16);
    put16(rec->data + 7, hs);
    put16(rec->data + 3, pair_record_body_len(rec) - cut);
    return 1;
}

size_t pair_count_msgs(const pair *p, int who, tlsm_event_type type, uint8_t msg_type, int ccs)
{
    size_t n = 0;
    for (size_t i = 0; i < p->side[who].n_ev; i++) {
        const tlsm_event *e = &p->side[who].ev[i];
        n += e->type == type && e->msg_type == msg_type && !!e->ccs == !!ccs;
    }
    return n;
}

const char *pair_reason(const tlsm_conn *c)
{
    tlsm_error_detail d;
    return tlsm_conn_error_detail(c, &d) == 0 ? d.reason : "(no detail)";
}

void pair_expect_alert(const pair *p, int detector, uint8_t alert, const char *reason)
{
    static const char *const names[2] = {"client", "server"};
    const tlsm_conn *d = p->side[detector].conn, *o = p->side[1 - detector].conn;
    cr_assert_str_eq(pair_reason(d), reason, "%s: reason %s, want %s", names[detector],
                     pair_reason(d), reason);
    cr_assert_eq(tlsm_conn_error(d), TLSM_ERR_LOCAL_ALERT(alert), "%s: %s, want alert %s sent",
                 names[detector], tlsm_strerror(tlsm_conn_error(d)), tlsm_alert_name(alert));
    cr_assert_eq(tlsm_conn_error(o), TLSM_ERR_PEER_ALERT(alert), "%s: %s, want alert %s received",
                 names[1 - detector], tlsm_strerror(tlsm_conn_error(o)), tlsm_alert_name(alert));
    const tlsm_event *e = pair_find_event(p, 1 - detector, TLSM_EV_ALERT, 0);
    cr_assert_not_null(e, "%s: no ALERT event", names[1 - detector]);
    cr_assert(e->alert == alert && e->fatal, "%s: alert %u fatal %u", names[1 - detector],
              e->alert, e->fatal);
    cr_assert_eq(p->side[0].rx.len + p->side[1].rx.len, 0, "plaintext was delivered");
}
