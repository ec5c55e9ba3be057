/*
 * host.c - matching a host name or IP literal against a certificate's subjectAltName
 * (RFC 6125 s.6, as profiled for TLS by RFC 9525).
 *
 * Policy, stricter than the minimum and the same as modern browsers:
 *  - Only subjectAltName counts; the subject CN is never consulted (RFC 9525 s.6.3).
 *  - DNS names compare ASCII case-insensitively (RFC 6125 s.6.4.1). Both the host name
 *    and the dNSName entries must be in the DNS name syntax of dnsname.c; the host may end
 *    with one dot ("example.com." is the absolute form of "example.com"), a dNSName may
 *    not (RFC 5280 s.4.2.1.6 preferred name syntax): a malformed entry never matches.
 *  - A wildcard is only "*" as the entire left-most label and matches exactly one
 *    non-empty label (RFC 6125 s.6.4.3, RFC 9525 s.6.3: no "f*o.example.com", no "*" in
 *    other labels, no matching of several labels or of the bare parent).
 *  - A wildcard pattern must have at least three labels ("*.example.com"), so "*.com" or
 *    "*" never match; public-suffix knowledge beyond that is out of scope.
 *  - An IP literal matches only iPAddress entries, byte for byte (4 or 16 bytes), and
 *    never a dNSName, wildcard or not (RFC 6125 s.1.7.2 / RFC 9525 s.6.2).
 */
#include <string.h>

#include "pki/der.h"
#include "pki/pki.h"

static int parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        /* 1-3 digits, at most 255, and no leading zero, which some resolvers read as
         * octal: "010.0.0.1" is not accepted as an IP literal. */
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
    }
    return i == len;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* RFC 4291 s.2.2 text forms: eight groups of 1-4 hex digits, one "::" standing for one
 * or more zero groups, and an optional dotted IPv4 tail. No zone index, no brackets. */
static int parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    uint8_t buf[16];
    size_t n = 0, i = 0;
    long gap = -1; /* byte offset of "::" */
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        return 0;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        while (i < len && hex_value(s[i]) >= 0 && i - start < 4)
            v = (v << 4) | (unsigned)hex_value(s[i++]);
        if (i < len && s[i] == '.') {
            /* IPv4 tail: only as the last 32 bits. */
            if (n > 12 || !parse_ipv4(s + start, len - start, buf + n))
                return 0;
            n += 4;
            i = len;
            break;
        }
        if (i == start || n + 2 > 16)
            return 0;
        buf[n++] = (uint8_t)(v >> 8);
        buf[n++] = (uint8_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = (long)n;
            i++;
        } else if (i == len) {
            return 0; /* a single trailing colon */
        }
    }
    if (gap < 0) {
        if (n != 16)
            return 0;
        memcpy(out, buf, 16);
        return 1;
    }
    /* "::" stands for at least one zero group (RFC 5952 s.4.2.2 forbids it for one group
     * when producing, but RFC 4291 accepts it when reading). */
    if (n > 14)
        return 0;
    memset(out, 0, 16);
    memcpy(out, buf, (size_t)gap);
    memcpy(out + 16 - (n - (size_t)gap), buf + gap, n - (size_t)gap);
    return 1;
}

int pki_parse_ip(const char *host, uint8_t ip[16], size_t *ip_len)
{
    if (!host || !ip || !ip_len)
        return 0;
    size_t len = strlen(host);
    if (parse_ipv4(host, len, ip)) {
        *ip_len = 4;
        return 1;
    }
    if (memchr(host, ':', len) && parse_ipv6(host, len, ip)) {
        *ip_len = 16;
        return 1;
    }
    return 0;
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static int ascii_equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

static size_t count_labels(const char *p, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += p[i] == '.';
    return n;
}

/* Matches one dNSName pattern against a valid host. */
static int match_dns(const char *pat, size_t plen, const char *host, size_t hlen)
{
    if (!pki_dns_name_valid((const uint8_t *)pat, plen, PKI_DNS_WILDCARD))
        return 0;
    if (pat[0] == '*') {
        /* "*." then at least two more labels (the syntax allows no other '*'). */
        if (count_labels(pat, plen) < 3)
            return 0;
        const char *dot = memchr(host, '.', hlen);
        if (!dot || dot == host)
            return 0;
        size_t rest = hlen - (size_t)(dot - host);
        return rest == plen - 1 && ascii_equal_nocase(dot, pat + 1, rest);
    }
    return plen == hlen && ascii_equal_nocase(pat, host, hlen);
}

int pki_match_host(const pki_cert *cert, const char *host)
{
    uint8_t ip[16];
    size_t ip_len = 0, n = 0;
    uint8_t tag;
    if (!cert || !host || !cert->san)
        return TLSM_ERR_CERT_NAME_MISMATCH;
    int is_ip = pki_parse_ip(host, ip, &ip_len);
    size_t hlen = strlen(host);
    if (!is_ip) {
        if (hlen && host[hlen - 1] == '.')
            hlen--;
        if (!pki_dns_name_valid((const uint8_t *)host, hlen, 0))
            return TLSM_ERR_CERT_NAME_MISMATCH;
    }
    der_reader r;
    der_init(&r, cert->san, cert->san_len);
    while (der_left(&r)) {
        const uint8_t *g = der_get_any(&r, &tag, &n);
        if (!g)
            break;
        if (is_ip && tag == DER_CTX(7) && n == ip_len && memcmp(g, ip, n) == 0)
            return 0;
        if (!is_ip && tag == DER_CTX(2) && match_dns((const char *)g, n, host, hlen))
            return 0;
    }
    return TLSM_ERR_CERT_NAME_MISMATCH;
}
