/*
 * hex.c - hex decoding and encoding for tests (see hex.h).
 */
#include "hex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Counts the bytes hex encodes, or returns -1 if it is not valid hex. */
static long hex_count(const char *hex)
{
    long digits = 0;
    for (const char *p = hex; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (nibble(*p) < 0)
            return -1;
        digits++;
    }
    return digits % 2 ? -1 : digits / 2;
}

int hex_decode_into(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    long n = hex_count(hex);
    if (n < 0 || (size_t)n > cap)
        return -1;
    size_t i = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (hi < 0) {
            hi = nibble(*p);
        } else {
            out[i++] = (uint8_t)(hi << 4 | nibble(*p));
            hi = -1;
        }
    }
    *len = i;
    return 0;
}

uint8_t *hex_decode(const char *hex, size_t *len)
{
    long n = hex_count(hex);
    if (n < 0)
        return NULL;
    uint8_t *out = malloc(n > 0 ? (size_t)n : 1);
    if (out == NULL)
        return NULL;
    if (hex_decode_into(hex, out, (size_t)n, len) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *hex_encode(const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(2 * len + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}
