/*
 * util.c - small helpers of tlsm-bench: the in-memory pipes both harnesses use as their
 * network, and reading the test PKI files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char *bench_pki_dir;

static void *host_alloc(void *old, size_t n)
{
    int saved = bench_side;
    bench_side = SIDE_NONE;
    void *p = realloc(old, n);
    bench_side = saved;
    if (p == NULL) {
        fprintf(stderr, "tlsm-bench: out of memory\n");
        exit(2);
    }
    return p;
}

void bench_pipe_init(bench_pipe *p, size_t cap)
{
    p->data = host_alloc(NULL, cap);
    p->off = p->len = 0;
    p->cap = cap;
}

void bench_pipe_push(bench_pipe *p, const uint8_t *d, size_t n)
{
    if (p->off + p->len + n > p->cap) {
        memmove(p->data, p->data + p->off, p->len);
        p->off = 0;
        if (p->len + n > p->cap) {
            size_t cap = p->cap * 2;
            while (cap < p->len + n)
                cap *= 2;
            p->data = host_alloc(p->data, cap);
            p->cap = cap;
        }
    }
    memcpy(p->data + p->off + p->len, d, n);
    p->len += n;
}

void bench_pipe_pop(bench_pipe *p, size_t n)
{
    if (n >= p->len) {
        p->off = p->len = 0;
        return;
    }
    p->off += n;
    p->len -= n;
}

void bench_pipe_free(bench_pipe *p)
{
    int saved = bench_side;
    bench_side = SIDE_NONE;
    free(p->data);
    bench_side = saved;
    p->data = NULL;
    p->off = p->len = p->cap = 0;
}

uint8_t *bench_read_pki(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", bench_pki_dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8192;
            buf = host_alloc(buf, cap + 1);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}
