/*
 * mem_common.c - the helpers the memory programs share (see mem_common.h).
 */
#include "mem_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pki_dir = TLSM_PKI_DIR;

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

void pipe_push(pipe_buf *p, const uint8_t *d, size_t n)
{
    if (p->len + n > p->cap) {
        p->cap = (p->len + n) * 2;
        p->data = xrealloc(p->data, p->cap);
    }
    memcpy(p->data + p->len, d, n);
    p->len += n;
}

void pipe_pop(pipe_buf *p, size_t n)
{
    memmove(p->data, p->data + n, p->len - n);
    p->len -= n;
}

uint8_t *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", pki_dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    uint8_t *buf = xrealloc(NULL, 1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* Moves `from`'s output into `to`, then reads `to`'s plaintext and events. Sets *moved
 * when a byte moved. */
static int flow(tlsm_conn *from, pipe_buf *pipe, tlsm_conn *to, int *moved, int *ticket,
                size_t *received)
{
    size_t len, used;
    const uint8_t *p;
    while ((p = tlsm_output_peek(from, &len)) != NULL && len > 0) {
        pipe_push(pipe, p, len);
        int rc = tlsm_output_consume(from, len);
        if (rc)
            return rc;
        *moved = 1;
    }
    while (pipe->len > 0) {
        int rc = tlsm_feed(to, pipe->data, pipe->len, &used);
        pipe_pop(pipe, used);
        if (rc)
            return rc;
        size_t got = 0;
        while ((p = tlsm_read_peek(to, &len)) != NULL && len > 0) {
            got += len;
            if ((rc = tlsm_read_consume(to, len)) != 0)
                return rc;
        }
        *received += got;
        tlsm_event ev;
        while (tlsm_next_event(to, &ev)) {
            if (ev.type == TLSM_EV_ERROR)
                return ev.code;
            if (ev.type == TLSM_EV_NEW_TICKET && ticket)
                *ticket = 1;
        }
        if (used == 0 && got == 0)
            break;
        *moved = 1;
    }
    return 0;
}

int mem_settle(tlsm_conn *c, tlsm_conn *s, pipe_buf *c2s, pipe_buf *s2c, int *ticket,
               size_t *received)
{
    for (int step = 0; step < 64; step++) {
        int moved = 0, rc;
        if ((rc = flow(c, c2s, s, &moved, ticket, received)) != 0 ||
            (rc = flow(s, s2c, c, &moved, ticket, received)) != 0)
            return rc;
        if (!moved)
            return 0;
    }
    return -1;
}
