/*
 * der_ecdsa.c - DER encoding of ECDSA signatures (RFC 3279 s.2.2.3, Ecdsa-Sig-Value:
 * SEQUENCE { r INTEGER, s INTEGER }).
 *
 * Decoding is strict DER, not BER: a signature has exactly one valid encoding, so
 * malleated encodings (long-form short lengths, padded or negative integers, trailing
 * bytes) are rejected before any arithmetic. Signatures are at most 2 + 2 * (2 + 49) bytes
 * for P-384 but long-form lengths are still parsed so that the rejection is by rule.
 */
#include <string.h>

#include "crypto/backend.h"

/* Reads a DER length at der[*pos]; only minimal definite forms up to 2 length bytes. */
static int der_length(const uint8_t *der, size_t len, size_t *pos, size_t *out)
{
    if (*pos >= len)
        return -1;
    uint8_t b = der[(*pos)++];
    if (b < 0x80) {
        *out = b;
        return 0;
    }
    size_t n = b & 0x7f, v = 0;
    if (n == 0 || n > 2 || len - *pos < n || der[*pos] == 0)
        return -1; /* indefinite, too long, or a leading zero byte */
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | der[(*pos)++];
    if (v < 0x80)
        return -1; /* long form for a short length */
    *out = v;
    return 0;
}

static int der_integer(const uint8_t *der, size_t len, size_t *pos, const uint8_t **v,
                       size_t *v_len)
{
    size_t n;
    if (*pos >= len || der[(*pos)++] != 0x02 || der_length(der, len, pos, &n) != 0)
        return -1;
    if (n == 0 || len - *pos < n)
        return -1;
    const uint8_t *p = der + *pos;
    if (p[0] & 0x80)
        return -1; /* negative */
    if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
        return -1; /* non-minimal */
    *pos += n;
    if (p[0] == 0 && n > 1) {
        p++;
        n--;
    }
    *v = p;
    *v_len = n;
    return 0;
}

int ecdsa_der_decode(const uint8_t *der, size_t len, const uint8_t **r, size_t *r_len,
                     const uint8_t **s, size_t *s_len)
{
    size_t pos = 0, seq_len;
    if (len < 1 || der[pos++] != 0x30 || der_length(der, len, &pos, &seq_len) != 0)
        return -1;
    if (seq_len != len - pos)
        return -1; /* truncated or trailing bytes */
    if (der_integer(der, len, &pos, r, r_len) != 0 || der_integer(der, len, &pos, s, s_len) != 0)
        return -1;
    return pos == len ? 0 : -1;
}

/* Writes INTEGER for an unsigned big-endian value; returns bytes written or 0. */
static size_t put_integer(const uint8_t *v, size_t v_len, uint8_t *out, size_t cap)
{
    v = bn_strip(v, &v_len);
    int pad = v_len == 0 || (v[0] & 0x80);
    size_t n = v_len + (size_t)pad;
    if (n > 0x7f || cap < 2 + n)
        return 0;
    out[0] = 0x02;
    out[1] = (uint8_t)n;
    if (pad)
        out[2] = 0;
    if (v_len > 0)
        memcpy(out + 2 + pad, v, v_len);
    return 2 + n;
}

int ecdsa_der_encode(const uint8_t *r, size_t r_len, const uint8_t *s, size_t s_len,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t body[2 * (2 + 1 + 66)];
    size_t a = put_integer(r, r_len, body, sizeof body);
    size_t b = a ? put_integer(s, s_len, body + a, sizeof body - a) : 0;
    if (b == 0)
        return -1;
    size_t n = a + b, hdr = n < 0x80 ? 2 : 3;
    if (cap < hdr + n)
        return -1;
    out[0] = 0x30;
    if (hdr == 2) {
        out[1] = (uint8_t)n;
    } else {
        out[1] = 0x81;
        out[2] = (uint8_t)n;
    }
    memcpy(out + hdr, body, n);
    *out_len = hdr + n;
    return 0;
}
