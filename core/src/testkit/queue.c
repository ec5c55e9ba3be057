/*
 * queue.c - the bytes on their way from one side of a testing-kit pair to the other: a
 * per-direction queue of pieces (a record after the faults, or injected bytes) in stream
 * order, and their delivery to the receiver with tlsm_feed.
 *
 * A piece is fed as one tlsm_feed (or fragment by fragment), and the receiver's answer is
 * captured right after it. With the white-box `coalesce` every due piece in a row goes into
 * one tlsm_feed instead, as a read from a stream socket would bring them; `chunk` caps the
 * bytes of any one tlsm_feed.
 */
#include <string.h>

#include "testkit/testkit.h"

int kit_push(tlsm_pair *p, int dir, kit_piece piece)
{
    if (piece.len == 0) { /* a record a hook emptied: nothing travels */
        free(piece.data);
        return 0;
    }
    if (p->n_queue[dir] == p->cap_queue[dir]) {
        size_t cap = p->cap_queue[dir] ? 2 * p->cap_queue[dir] : 16;
        kit_piece *q = realloc(p->queue[dir], cap * sizeof *q);
        if (!q) {
            free(piece.data);
            p->failed = 1;
            return TLSM_ERR_NOMEM;
        }
        p->queue[dir] = q;
        p->cap_queue[dir] = cap;
    }
    if (piece.due < p->delay_until[dir])
        piece.due = p->delay_until[dir];
    p->queue[dir][p->n_queue[dir]++] = piece;
    return 0;
}

void kit_release_held(tlsm_pair *p, int dir)
{
    if (!p->has_held[dir])
        return;
    p->has_held[dir] = 0;
    p->held[dir].due = p->step;
    kit_push(p, dir, p->held[dir]);
}

void kit_inject(tlsm_pair *p, int dir, const void *bytes, size_t n)
{
    if (n == 0)
        return;
    uint8_t *copy = malloc(n);
    if (!copy) {
        p->failed = 1;
        return;
    }
    memcpy(copy, bytes, n);
    kit_push(p, dir, (kit_piece){copy, n, 0, p->step, -1, 0});
}

size_t kit_queued(const tlsm_pair *p, int dir)
{
    size_t n = p->has_held[dir] ? p->held[dir].len : 0;
    for (size_t i = 0; i < p->n_queue[dir]; i++)
        n += p->queue[dir][i].len - p->queue[dir][i].fed;
    return n;
}

void kit_drop_queue(tlsm_pair *p, int dir)
{
    for (size_t i = 0; i < p->n_queue[dir]; i++)
        free(p->queue[dir][i].data);
    p->n_queue[dir] = 0;
}

/* A receiver that failed never reads again; one waiting for the host (external verify or
 * signature, or unread plaintext the host left there) takes nothing until the host acts. */
static int receiver_waits(tlsm_conn *to)
{
    return tlsm_conn_error(to) ||
           (tlsm_status(to) & (TLSM_STATUS_BLOCKED | TLSM_STATUS_HAS_PLAINTEXT));
}

int kit_has_due(const tlsm_pair *p, int dir)
{
    if (p->n_queue[dir] == 0 || p->queue[dir][0].due > p->step + 1)
        return 0;
    return !receiver_waits(p->side[1 - dir].conn);
}

static size_t at_most(size_t n, size_t limit)
{
    return limit && limit < n ? limit : n;
}

/* The bytes of the next tlsm_feed: the front piece (its fragment size and `chunk` apply),
 * or with coalesce the due pieces in a row, copied into *joined. */
static const uint8_t *next_feed(tlsm_pair *p, int dir, int force, kit_buf *joined, size_t *n)
{
    kit_piece *k = &p->queue[dir][0];
    size_t left = k->len - k->fed;
    *n = at_most(at_most(left, k->chunk), p->chunk);
    if (!p->coalesce || k->chunk || *n < left || p->n_queue[dir] == 1)
        return k->data + k->fed;
    size_t limit = p->chunk ? p->chunk : (size_t)-1;
    joined->len = 0;
    for (size_t i = 0; i < p->n_queue[dir] && joined->len < limit; i++) {
        kit_piece *q = &p->queue[dir][i];
        if (i > 0 && (q->chunk || (!force && q->due > p->step)))
            break;
        kit_buf_put(joined, q->data + q->fed, at_most(q->len - q->fed, limit - joined->len));
    }
    if (joined->failed) {
        p->failed = 1;
        *n = 0;
        return NULL;
    }
    *n = joined->len;
    return joined->data;
}

/* The receiver took n bytes from the front of the queue. */
static void advance(tlsm_pair *p, int dir, size_t n)
{
    while (n > 0 && p->n_queue[dir] > 0) {
        kit_piece *k = &p->queue[dir][0];
        size_t take = at_most(k->len - k->fed, n);
        k->fed += take;
        n -= take;
        if (k->fed == k->len) {
            free(k->data);
            memmove(p->queue[dir], p->queue[dir] + 1, --p->n_queue[dir] * sizeof *k);
        }
    }
}

int kit_deliver(tlsm_pair *p, int dir, int force)
{
    int to = 1 - dir, moved = 0;
    kit_side *r = &p->side[to];
    kit_buf joined = {0};
    while (p->n_queue[dir] > 0 && !p->failed) {
        if (!force && p->queue[dir][0].due > p->step)
            break;
        if (receiver_waits(r->conn)) {
            if (tlsm_conn_error(r->conn))
                kit_drop_queue(p, dir);
            break;
        }
        size_t want, used = 0;
        const uint8_t *bytes = next_feed(p, dir, force, &joined, &want);
        if (!bytes)
            break;
        int rc = tlsm_feed(r->conn, bytes, want, &used);
        p->feeds[dir]++;
        kit_note(p, to, rc);
        kit_capture(p, to, KIT_FROM_ENGINE);
        if (used) {
            moved = 1;
            advance(p, dir, used);
        } else if (rc == 0) {
            break; /* the engine must be drained by the host first: try next step */
        } else {
            kit_drop_queue(p, dir);
        }
    }
    kit_buf_free(&joined);
    return moved;
}
