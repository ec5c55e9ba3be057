/*
 * pair.c - the testing kit's pair: two connections, the pump between them and the public
 * tlsm_pair_* calls that drive it (see tlsm.h and testkit.h).
 *
 * After every call on a connection the kit drains its events (keeping them, the key log
 * lines and the first error) and its plaintext, then captures its output as labelled
 * records. A step sends one side's captured records through the faults and feeds the
 * pieces that are due to the other side (queue.c), one tlsm_feed per piece (or per
 * fragment), so the receiver's answer is captured right after the record that caused it.
 */
#include <string.h>

#include "testkit/testkit.h"

static int valid_side(int side)
{
    return side == TLSM_PAIR_CLIENT || side == TLSM_PAIR_SERVER;
}

/* ---------------------------------------------------------------- events and plaintext */

void kit_note(tlsm_pair *p, int who, int rc)
{
    if (rc < 0 && p->side[who].first_rc == 0)
        p->side[who].first_rc = rc;
}

static void keep_event(tlsm_pair *p, kit_side *s, const tlsm_event *ev)
{
    if (s->n_events == s->cap_events) {
        size_t cap = s->cap_events ? 2 * s->cap_events : 64;
        tlsm_event *e = realloc(s->events, cap * sizeof *e);
        if (!e) {
            p->failed = 1;
            return;
        }
        s->events = e;
        s->cap_events = cap;
    }
    s->events[s->n_events++] = *ev;
}

/* Adds a key log line unless the other side already logged it (both log every secret). */
static void keep_keylog(tlsm_pair *p, const char *line)
{
    size_t n = strlen(line);
    for (size_t off = 0; off + n < p->keylog.len;) {
        const uint8_t *eol = memchr(p->keylog.data + off, '\n', p->keylog.len - off);
        size_t k = eol ? (size_t)(eol - p->keylog.data) - off : p->keylog.len - off;
        if (k == n && memcmp(p->keylog.data + off, line, n) == 0)
            return;
        off += k + 1;
    }
    kit_buf_put(&p->keylog, line, n);
    kit_buf_putc(&p->keylog, '\n');
}

static int drain_events(tlsm_pair *p, kit_side *s)
{
    tlsm_event ev;
    int any = 0;
    while (tlsm_next_event(s->conn, &ev)) {
        any = 1;
        keep_event(p, s, &ev);
        switch (ev.type) {
        case TLSM_EV_MESSAGE_SENT:
            if (s->n_pending < sizeof s->pending_sent / sizeof *s->pending_sent)
                s->pending_sent[s->n_pending++] = ev.ccs ? KIT_MSG_CCS : ev.msg_type;
            break;
        case TLSM_EV_KEYLOG: {
            const char *line = tlsm_keylog_line(s->conn);
            if (line)
                keep_keylog(p, line);
            break;
        }
        case TLSM_EV_ERROR:
            s->new_error = 1;
            if (!p->first_error)
                p->first_error = ev.code;
            break;
        case TLSM_EV_ALERT:
            if (ev.fatal && s->alert_received < 0)
                s->alert_received = ev.alert;
            break;
        case TLSM_EV_PEER_CLOSED:
            s->peer_closed = 1;
            break;
        default:
            break;
        }
    }
    return any;
}

void kit_drain(tlsm_pair *p, int who)
{
    kit_side *s = &p->side[who];
    /* Reading plaintext lets the engine go on with buffered records: bounded by them. */
    for (;;) {
        int any = drain_events(p, s);
        size_t n;
        const uint8_t *pt = p->no_read ? NULL : tlsm_read_peek(s->conn, &n);
        if (pt && n) {
            kit_buf_put(&s->rx, pt, n);
            s->rx_total += n;
            int rc = tlsm_read_consume(s->conn, n);
            kit_note(p, who, rc);
            any |= rc == 0;
        }
        if (!any)
            return;
    }
}

/* ---------------------------------------------------------------- capturing output */

static int outbox_push(tlsm_pair *p, int who, size_t index)
{
    if (p->n_outbox[who] == p->cap_outbox[who]) {
        size_t cap = p->cap_outbox[who] ? 2 * p->cap_outbox[who] : 16;
        size_t *o = realloc(p->outbox[who], cap * sizeof *o);
        if (!o) {
            p->failed = 1;
            return TLSM_ERR_NOMEM;
        }
        p->outbox[who] = o;
        p->cap_outbox[who] = cap;
    }
    p->outbox[who][p->n_outbox[who]++] = index;
    return 0;
}

int kit_capture(tlsm_pair *p, int who, kit_origin origin)
{
    kit_side *s = &p->side[who];
    kit_drain(p, who);
    size_t len;
    const uint8_t *out = tlsm_output_peek(s->conn, &len);
    /* Peeking may start the client: its events belong to this output. */
    kit_drain(p, who);
    out = tlsm_output_peek(s->conn, &len);
    if (!out || !len)
        return 0;
    kit_buf *sent = &p->sent[who];
    size_t base = sent->len;
    kit_buf_put(sent, out, len);
    /* With a chunk size, the output is taken in several tlsm_output_consume calls. */
    for (size_t done = 0, n; done < len && !sent->failed; done += n) {
        n = p->chunk && p->chunk < len - done ? p->chunk : len - done;
        int rc = tlsm_output_consume(s->conn, n);
        kit_note(p, who, rc);
        sent->failed |= rc != 0;
    }
    if (sent->failed) {
        p->failed = 1;
        return TLSM_ERR_NOMEM;
    }
    for (size_t off = 0; off < len;) {
        const uint8_t *h = sent->data + base + off;
        size_t n = len - off;
        if (n >= 5 && 5 + ((size_t)h[3] << 8 | h[4]) < n)
            n = 5 + ((size_t)h[3] << 8 | h[4]);
        kit_record *r = kit_record_new(p, who);
        if (!r)
            return TLSM_ERR_NOMEM;
        r->off = base + off;
        r->len = n;
        kit_label(p, who, r, h, n, origin, off + n == len);
        if (outbox_push(p, who, p->n_records - 1))
            return TLSM_ERR_NOMEM;
        off += n;
    }
    s->new_error = 0;
    return 0;
}

/* ---------------------------------------------------------------- steps */

static void send_flight(tlsm_pair *p, int who)
{
    for (size_t i = 0; i < p->n_outbox[who]; i++) {
        p->records[p->outbox[who][i]].step = p->step;
        kit_send_record(p, p->outbox[who][i]);
    }
    p->n_outbox[who] = 0;
}

int tlsm_pair_step(tlsm_pair *p)
{
    if (!p)
        return TLSM_ERR_ARG;
    for (int who = 0; who < 2; who++)
        kit_capture(p, who, KIT_FROM_ENGINE);
    if (p->failed)
        return TLSM_ERR_NOMEM;
    int ready[2];
    for (int who = 0; who < 2; who++)
        ready[who] = p->n_outbox[who] > 0 || kit_has_due(p, who);
    if (!ready[0] && !ready[1]) {
        int waiting = 0;
        for (int d = 0; d < 2; d++) {
            if (p->has_held[d]) {
                kit_release_held(p, d);
                waiting = 1;
            }
            for (size_t i = 0; i < p->n_queue[d]; i++)
                waiting |= p->queue[d][i].due > p->step; /* delayed: time passes */
        }
        if (!waiting)
            return 0;
        p->step++;
        return p->failed ? TLSM_ERR_NOMEM : 1;
    }
    int who = ready[1 - p->last_sender] ? 1 - p->last_sender : p->last_sender;
    p->step++;
    p->last_sender = who;
    send_flight(p, who);
    kit_deliver(p, who, 0);
    return p->failed ? TLSM_ERR_NOMEM : 1;
}

int tlsm_pair_run(tlsm_pair *p)
{
    if (!p)
        return TLSM_ERR_ARG;
    for (unsigned i = 0; i < TLSM_PAIR_MAX_STEPS; i++) {
        int rc = tlsm_pair_step(p);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return p->first_error;
    }
    return TLSM_ERR_STATE;
}

/* ---------------------------------------------------------------- lifecycle */

tlsm_pair *tlsm_pair_new(tlsm_config *client, tlsm_config *server, const char *server_name)
{
    if (!client || !server)
        return NULL;
    tlsm_config *cfg[2] = {client, server};
    tlsm_pair *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->last_sender = TLSM_PAIR_SERVER; /* the client goes first */
    for (int i = 0; i < 2; i++) {
        p->side[i].alert_sent = p->side[i].alert_received = -1;
        p->side[i].cfg = tlsm_config_ref(cfg[i]);
        p->side[i].conn = tlsm_conn_new(cfg[i], i == TLSM_PAIR_CLIENT ? server_name : NULL);
        /* Traces and the key log for this pair's connections only: the caller's configs
         * are left as they are. */
        if (!p->side[i].conn || tlsm_conn_set_trace(p->side[i].conn, 1) ||
            tlsm_conn_set_keylog(p->side[i].conn, 1)) {
            tlsm_pair_free(p);
            return NULL;
        }
    }
    return p;
}

void tlsm_pair_free(tlsm_pair *p)
{
    if (!p)
        return;
    for (int i = 0; i < 2; i++) {
        kit_side *s = &p->side[i];
        tlsm_conn_free(s->conn);
        tlsm_config_free(s->cfg);
        free(s->events);
        kit_buf_free(&s->rx);
        kit_buf_free(&p->sent[i]);
        free(p->outbox[i]);
        kit_drop_queue(p, i);
        free(p->queue[i]);
        if (p->has_held[i])
            free(p->held[i].data);
    }
    for (size_t i = 0; i < p->n_faults; i++)
        free(p->faults[i].bytes);
    free(p->faults);
    free(p->records);
    kit_buf_free(&p->keylog);
    free(p);
}

tlsm_conn *tlsm_pair_client(tlsm_pair *p)
{
    return p ? p->side[TLSM_PAIR_CLIENT].conn : NULL;
}

tlsm_conn *tlsm_pair_server(tlsm_pair *p)
{
    return p ? p->side[TLSM_PAIR_SERVER].conn : NULL;
}

void tlsm_pair_seed(tlsm_pair *p, uint64_t seed)
{
    if (p)
        p->rng = seed;
}

int tlsm_pair_add_fault(tlsm_pair *p, const char *spec)
{
    if (!p || !spec)
        return TLSM_ERR_ARG;
    kit_fault f;
    int rc = kit_fault_parse(spec, &f);
    if (rc)
        return rc;
    kit_fault *all = realloc(p->faults, (p->n_faults + 1) * sizeof *all);
    if (!all) {
        free(f.bytes);
        return TLSM_ERR_NOMEM;
    }
    p->faults = all;
    p->faults[p->n_faults++] = f;
    return 0;
}

/* ---------------------------------------------------------------- application data */

int kit_write(tlsm_pair *p, int side, const uint8_t *data, size_t len, size_t *accepted)
{
    kit_capture(p, side, KIT_FROM_ENGINE); /* what direct calls queued before */
    int rc = tlsm_write(p->side[side].conn, data, len, accepted);
    kit_note(p, side, rc);
    kit_capture(p, side, KIT_FROM_WRITE);
    return rc;
}

int tlsm_pair_write(tlsm_pair *p, int side, const uint8_t *data, size_t len)
{
    if (!p || !valid_side(side) || (!data && len))
        return TLSM_ERR_ARG;
    size_t off = 0;
    do {
        size_t accepted = 0;
        int rc = kit_write(p, side, data + off, len - off, &accepted);
        if (rc)
            return rc;
        off += accepted;
        if (off < len) {
            unsigned before = p->step;
            rc = tlsm_pair_run(p);
            if (rc)
                return rc;
            if (accepted == 0 && p->step == before)
                return TLSM_ERR_STATE; /* nothing moves: the peer does not read */
        }
    } while (off < len);
    return tlsm_pair_run(p);
}

int tlsm_pair_read(tlsm_pair *p, int side, uint8_t *buf, size_t cap, size_t *len)
{
    if (!p || !valid_side(side) || !len)
        return TLSM_ERR_ARG;
    kit_buf *rx = &p->side[side].rx;
    if (rx->failed)
        return TLSM_ERR_NOMEM;
    if (!buf) {
        *len = rx->len;
        return 0;
    }
    size_t n = rx->len < cap ? rx->len : cap;
    if (n)
        memcpy(buf, rx->data, n);
    memmove(rx->data, rx->data + n, rx->len - n);
    rx->len -= n;
    *len = n;
    return 0;
}

int tlsm_pair_close(tlsm_pair *p, int side)
{
    if (!p || !valid_side(side))
        return TLSM_ERR_ARG;
    kit_capture(p, side, KIT_FROM_ENGINE);
    int rc = tlsm_close(p->side[side].conn);
    kit_capture(p, side, KIT_FROM_CLOSE);
    return rc ? rc : tlsm_pair_run(p);
}

int tlsm_pair_eof(tlsm_pair *p, int dir)
{
    if (!p || !valid_side(dir))
        return TLSM_ERR_ARG;
    kit_capture(p, dir, KIT_FROM_ENGINE);
    if (p->n_outbox[dir] > 0) {
        p->step++;
        p->last_sender = dir;
        send_flight(p, dir);
    }
    kit_release_held(p, dir);
    kit_deliver(p, dir, 1);
    kit_side *r = &p->side[1 - dir];
    int rc = tlsm_feed_eof(r->conn);
    kit_note(p, 1 - dir, rc);
    kit_capture(p, 1 - dir, KIT_FROM_ENGINE);
    return p->failed ? TLSM_ERR_NOMEM : rc;
}

/* ---------------------------------------------------------------- results */

int tlsm_pair_get_report(const tlsm_pair *p, int side, tlsm_pair_report *r)
{
    if (!p || !valid_side(side) || !r)
        return TLSM_ERR_ARG;
    const kit_side *s = &p->side[side];
    memset(r, 0, sizeof *r);
    r->error = tlsm_conn_error(s->conn);
    r->alert_sent = s->alert_sent;
    tlsm_error_detail d;
    /* A protected alert is not readable on the wire: the connection says what it sent. */
    if (r->alert_sent < 0 && tlsm_conn_error_detail(s->conn, &d) == 0)
        r->alert_sent = d.alert_sent;
    r->alert_received = s->alert_received;
    r->handshake_done = tlsm_conn_handshake_done(s->conn);
    r->peer_closed = s->peer_closed;
    r->version = tlsm_conn_version(s->conn);
    r->suite = tlsm_conn_suite(s->conn);
    r->group = tlsm_conn_group(s->conn);
    r->resumed = tlsm_conn_resumed(s->conn);
    r->hrr = tlsm_conn_hrr(s->conn);
    r->app_bytes_received = s->rx_total;
    r->reason = tlsm_conn_error_detail(s->conn, &d) == 0 ? d.reason : "";
    return 0;
}

int tlsm_pair_event(const tlsm_pair *p, int side, size_t index, tlsm_event *ev)
{
    if (!p || !valid_side(side) || !ev || index >= p->side[side].n_events)
        return 0;
    *ev = p->side[side].events[index];
    return 1;
}
