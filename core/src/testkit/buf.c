/*
 * buf.c - the testing kit's growable byte/text buffer. An allocation failure is remembered
 * in the buffer (failed) instead of being checked at every append; the kit reports it as
 * TLSM_ERR_NOMEM when the buffer is exported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/testkit.h"

static int reserve(kit_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap - b->len >= n)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void kit_buf_put(kit_buf *b, const void *p, size_t n)
{
    if (n == 0 || reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void kit_buf_putc(kit_buf *b, char ch)
{
    kit_buf_put(b, &ch, 1);
}

void kit_buf_puts(kit_buf *b, const char *s)
{
    kit_buf_put(b, s, strlen(s));
}

void kit_buf_printf(kit_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        kit_buf_put(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void kit_buf_free(kit_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int kit_buf_export(const kit_buf *b, void *buf, size_t cap, size_t *len)
{
    if (!len)
        return TLSM_ERR_ARG;
    if (b->failed)
        return TLSM_ERR_NOMEM;
    *len = b->len;
    if (!buf)
        return 0;
    if (cap < b->len)
        return TLSM_ERR_BUFFER;
    if (b->len)
        memcpy(buf, b->data, b->len);
    return 0;
}
