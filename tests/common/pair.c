/*
 * pair.c - the test pair over the public testing kit (see pair.h).
 *
 * Every call that moves bytes first hands the pair's knobs to the kit (the record hook, the
 * chunk size, unread plaintext) and, after it, mirrors what the kit saw back into the pair:
 * the event log, the plaintext received, the first error a call returned, the records per
 * content type. The kit always feeds a direction's due bytes in one tlsm_feed (coalesce),
 * as the engines would get them from a stream socket.
 */
#include "pair.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The kit calls this for each record in flight; the pair's hook sees the pair. */
static void record_hook(tlsm_pair *kit, int dir, size_t index, kit_buf *rec, void *ctx)
{
    (void)kit;
    pair *p = ctx;
    p->hook(p, (pair_dir)dir, index, rec, p->hook_ctx);
}

/* The kit with the pair's current knobs. */
static tlsm_pair *kit_of(pair *p)
{
    tlsm_pair *k = p->kit;
    cr_assert_not_null(k, "pair_connect first");
    k->hook = p->hook ? record_hook : NULL;
    k->hook_ctx = p;
    k->chunk = p->chunk;
    k->no_read = p->no_read;
    k->coalesce = 1;
    return k;
}

/* Mirrors the kit into the pair. */
static void mirror(pair *p)
{
    tlsm_pair *k = p->kit;
    cr_assert(!k->failed, "the testing kit ran out of memory");
    for (int i = 0; i < 2; i++) {
        pair_side *s = &p->side[i];
        s->ev = k->side[i].events;
        s->n_ev = k->side[i].n_events;
        s->rc = k->side[i].first_rc;
        size_t n = 0;
        cr_assert_eq(tlsm_pair_read(k, i, NULL, 0, &n), 0);
        if (n == 0)
            continue;
        uint8_t *tmp = malloc(n);
        cr_assert_not_null(tmp);
        cr_assert_eq(tlsm_pair_read(k, i, tmp, n, &n), 0);
        pair_buf_append(&s->rx, tmp, n);
        free(tmp);
    }
    for (; p->counted < k->n_records; p->counted++) {
        const kit_record *r = &k->records[p->counted];
        p->type_count[r->dir][r->type]++;
    }
}

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

/* Forgets the connections and everything they did. */
static void disconnect(pair *p)
{
    tlsm_pair_free(p->kit);
    p->kit = NULL;
    for (int i = 0; i < 2; i++) {
        pair_side *s = &p->side[i];
        s->conn = NULL;
        s->ev = NULL;
        s->n_ev = 0;
        s->rc = 0;
        pair_buf_free(&s->rx);
    }
    memset(p->type_count, 0, sizeof p->type_count);
    p->counted = 0;
}

void pair_connect(pair *p, const char *server_name)
{
    disconnect(p);
    p->kit = tlsm_pair_new(p->side[PAIR_CLIENT].cfg, p->side[PAIR_SERVER].cfg, server_name);
    cr_assert_not_null(p->kit, "tlsm_pair_new failed");
    p->side[PAIR_CLIENT].conn = tlsm_pair_client(p->kit);
    p->side[PAIR_SERVER].conn = tlsm_pair_server(p->kit);
}

void pair_free(pair *p)
{
    disconnect(p);
    for (int i = 0; i < 2; i++) {
        tlsm_config_free(p->side[i].cfg);
        p->side[i].cfg = NULL;
    }
}

void pair_collect(pair *p, int who)
{
    kit_capture(kit_of(p), who, KIT_FROM_ENGINE);
    mirror(p);
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

size_t pair_count_msgs(const pair *p, int who, tlsm_event_type type, uint8_t msg_type, int ccs)
{
    size_t n = 0;
    for (size_t i = 0; i < p->side[who].n_ev; i++) {
        const tlsm_event *e = &p->side[who].ev[i];
        n += e->type == type && e->msg_type == msg_type && !!e->ccs == !!ccs;
    }
    return n;
}

int pair_pump(pair *p)
{
    tlsm_pair *k = kit_of(p);
    int steps = 0;
    for (;;) {
        int rc = tlsm_pair_step(k);
        cr_assert_geq(rc, 0, "tlsm_pair_step: %d (%s)", rc, tlsm_strerror(rc));
        if (rc == 0)
            break;
        if (++steps == (int)PAIR_MAX_STEPS) {
            mirror(p);
            return PAIR_STUCK;
        }
    }
    mirror(p);
    return steps;
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
        int rc = kit_write(kit_of(p), from, data + off, len - off, &accepted);
        if (rc < 0) {
            mirror(p);
            return rc;
        }
        off += accepted;
        int steps = pair_pump(p);
        if (steps == PAIR_STUCK || (accepted == 0 && steps == 0))
            return PAIR_STUCK;
    }
    return pair_pump(p) == PAIR_STUCK ? PAIR_STUCK : 0;
}

void pair_inject(pair *p, pair_dir dir, const void *bytes, size_t n)
{
    kit_inject(kit_of(p), dir, bytes, n);
}

size_t pair_queued(const pair *p, pair_dir dir)
{
    return p->kit ? kit_queued(p->kit, dir) : 0;
}

int pair_eof(pair *p, pair_dir dir)
{
    int rc = tlsm_pair_eof(kit_of(p), dir);
    mirror(p);
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
