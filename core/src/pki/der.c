/*
 * der.c - strict DER reader (see der.h for the discipline and what "strict" means).
 */
#include "pki/der.h"

#include <string.h>

void der_init(der_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

size_t der_left(const der_reader *r)
{
    return r->err ? 0 : r->len - r->pos;
}

void der_fail(der_reader *r)
{
    r->err = 1;
    r->pos = r->len;
}

int der_end(der_reader *r)
{
    if (r->err || r->pos != r->len) {
        der_fail(r);
        return -1;
    }
    return 0;
}

int der_leave(der_reader *parent, der_reader *sub)
{
    if (der_end(sub) != 0) {
        der_fail(parent);
        return -1;
    }
    return parent->err ? -1 : 0;
}

int der_peek(const der_reader *r)
{
    if (r->err || r->pos >= r->len)
        return -1;
    return r->p[r->pos];
}

/* Parses the identifier and length octets at the current position. On success returns the
 * header size and writes the tag and contents length; the contents are known to fit. */
static size_t read_header(der_reader *r, uint8_t *tag, size_t *len)
{
    size_t left = der_left(r), hdr = 2;
    if (r->err || left < 2)
        goto bad;
    const uint8_t *h = r->p + r->pos;
    /* High tag numbers (low bits 11111) never occur in the structures we read. */
    if ((h[0] & 0x1f) == 0x1f)
        goto bad;
    size_t n = h[1];
    if (n & 0x80) {
        size_t k = n & 0x7f;
        /* k == 0 is the indefinite form, which DER forbids (X.690 s.10.1). */
        if (k == 0 || k > 4 || left < 2 + k)
            goto bad;
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | h[2 + i];
        /* DER: the fewest length octets (X.690 s.10.1): no leading zero octet, and the
         * long form only for lengths of 128 and more. */
        if (h[2] == 0 || n < 0x80)
            goto bad;
        hdr += k;
    }
    if (n > left - hdr)
        goto bad;
    *tag = h[0];
    *len = n;
    return hdr;
bad:
    der_fail(r);
    return 0;
}

const uint8_t *der_get_any(der_reader *r, uint8_t *tag, size_t *len)
{
    size_t n = 0;
    size_t hdr = read_header(r, tag, &n);
    if (!hdr) {
        *len = 0;
        return NULL;
    }
    const uint8_t *c = r->p + r->pos + hdr;
    r->pos += hdr + n;
    *len = n;
    return c;
}

const uint8_t *der_get(der_reader *r, uint8_t tag, size_t *len)
{
    uint8_t t = 0;
    const uint8_t *c = der_get_any(r, &t, len);
    if (c && t != tag) {
        der_fail(r);
        *len = 0;
        return NULL;
    }
    return c;
}

const uint8_t *der_get_raw(der_reader *r, uint8_t tag, size_t *len)
{
    size_t start = r->pos, n = 0;
    const uint8_t *c = der_get(r, tag, &n);
    if (!c) {
        *len = 0;
        return NULL;
    }
    *len = r->pos - start;
    return r->p + start;
}

void der_enter(der_reader *r, uint8_t tag, der_reader *sub)
{
    size_t n = 0;
    const uint8_t *c = der_get(r, tag, &n);
    der_init(sub, c, n);
    if (!c)
        sub->err = 1;
}

const uint8_t *der_integer(der_reader *r, size_t *len)
{
    const uint8_t *c = der_get(r, DER_INTEGER, len);
    if (!c)
        return NULL;
    /* X.690 s.8.3: at least one octet, and the first nine bits are not all equal. */
    if (*len == 0 || (*len > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) ||
                                   (c[0] == 0xff && (c[1] & 0x80))))) {
        der_fail(r);
        *len = 0;
        return NULL;
    }
    return c;
}

const uint8_t *der_uint(der_reader *r, size_t *len)
{
    const uint8_t *c = der_integer(r, len);
    if (!c)
        return NULL;
    if (c[0] & 0x80) {
        der_fail(r);
        *len = 0;
        return NULL;
    }
    if (*len > 1 && c[0] == 0) {
        c++;
        (*len)--;
    }
    return c;
}

uint32_t der_small_uint(der_reader *r, uint32_t max)
{
    size_t n = 0;
    const uint8_t *c = der_uint(r, &n);
    if (!c)
        return 0;
    uint64_t v = 0;
    if (n > 4)
        goto bad;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | c[i];
    if (v > max)
        goto bad;
    return (uint32_t)v;
bad:
    der_fail(r);
    return 0;
}

int der_bool(der_reader *r)
{
    size_t n = 0;
    const uint8_t *c = der_get(r, DER_BOOLEAN, &n);
    if (!c)
        return 0;
    if (n != 1 || (c[0] != 0x00 && c[0] != 0xff)) {
        der_fail(r);
        return 0;
    }
    return c[0] == 0xff;
}

void der_null(der_reader *r)
{
    size_t n = 0;
    if (der_get(r, DER_NULL, &n) && n != 0)
        der_fail(r);
}

const uint8_t *der_bits(der_reader *r, size_t *len, unsigned *unused)
{
    size_t n = 0;
    const uint8_t *c = der_get(r, DER_BIT_STRING, &n);
    *unused = 0;
    *len = 0;
    if (!c)
        return NULL;
    /* X.690 s.8.6.2: the initial octet counts unused bits (0..7), 0 when empty; s.11.2.1:
     * DER sets the unused bits to zero. */
    if (n == 0 || c[0] > 7 || (n == 1 && c[0] != 0) ||
        (n > 1 && (c[n - 1] & ((1u << c[0]) - 1)) != 0)) {
        der_fail(r);
        return NULL;
    }
    *unused = c[0];
    *len = n - 1;
    return c + 1;
}

const uint8_t *der_oid(der_reader *r, size_t *len)
{
    const uint8_t *c = der_get(r, DER_OID, len);
    if (!c)
        return NULL;
    /* X.690 s.8.19.2: each arc is base 128, high bit set on all but its last octet, and
     * the leading octet of an arc is never 0x80 (minimal). */
    int arc_start = 1;
    for (size_t i = 0; i < *len; i++) {
        if (arc_start && c[i] == 0x80)
            goto bad;
        arc_start = !(c[i] & 0x80);
    }
    if (*len == 0 || !arc_start)
        goto bad;
    return c;
bad:
    der_fail(r);
    *len = 0;
    return NULL;
}

int der_oid_is(const uint8_t *oid, size_t len, const uint8_t *ref, size_t ref_len)
{
    return oid && len == ref_len && memcmp(oid, ref, len) == 0;
}

/* Reads n decimal digits; -1 if any is not a digit. */
static int digits(const uint8_t *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t der_time(der_reader *r)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    uint8_t tag = 0;
    size_t n = 0;
    const uint8_t *c = der_get_any(r, &tag, &n);
    int year;
    if (!c)
        return 0;
    /* RFC 5280 s.4.1.2.5.1: UTCTime MUST be YYMMDDHHMMSSZ (seconds present, Zulu);
     * YY >= 50 is 19YY and YY < 50 is 20YY. */
    if (tag == DER_UTC_TIME && n == 13) {
        year = digits(c, 2);
        if (year < 0)
            goto bad;
        year += year >= 50 ? 1900 : 2000;
        c += 2;
    } else if (tag == DER_GENERALIZED_TIME && n == 15) {
        /* RFC 5280 s.4.1.2.5.2: YYYYMMDDHHMMSSZ, no fractional seconds, Zulu. */
        year = digits(c, 4);
        if (year < 0)
            goto bad;
        c += 4;
    } else {
        goto bad;
    }
    int mon = digits(c, 2), day = digits(c + 2, 2), hour = digits(c + 4, 2);
    int min = digits(c + 6, 2), sec = digits(c + 8, 2);
    if (c[10] != 'Z' || mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 ||
        min > 59 || sec < 0 || sec > 59)
        goto bad;
    if (day > mdays[mon - 1] + (mon == 2 && is_leap(year)))
        goto bad;
    return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
bad:
    der_fail(r);
    return 0;
}
