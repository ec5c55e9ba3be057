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
