/*
 * pem.c - PEM (RFC 7468) block extraction with a strict base64 decoder.
 *
 * Text outside BEGIN/END lines is ignored (comments, "Bag Attributes", the human-readable
 * dump openssl puts before a certificate). Inside a block only base64 characters and
 * whitespace (CRLF or LF line ends, spaces, tabs) are allowed: encapsulated headers such as
 * "Proc-Type: 4,ENCRYPTED" are refused, as are misplaced padding and non-zero pad bits
 * (RFC 4648 s.3.5), so every block has exactly one decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "mem.h"
#include "pki/pki.h"

#define PEM_LABEL_MAX 63

static const char BEGIN[] = "-----BEGIN ";
static const char END[] = "-----END ";
static const char DASHES[] = "-----";

/* Position of needle in hay[from, len) that starts a line, or len if none. */
static size_t find_line(const uint8_t *hay, size_t len, size_t from, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = from; i + nl <= len; i++)
        if ((i == 0 || hay[i - 1] == '\n') && memcmp(hay + i, needle, nl) == 0)
            return i;
    return len;
}

static int b64_value(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

static int is_space(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Decodes base64 text (whitespace ignored) into out, which holds at least len * 3 / 4
 * bytes. Returns the decoded length or -1. */
static long b64_decode(const uint8_t *in, size_t len, uint8_t *out)
{
    uint32_t acc = 0;
    size_t nchars = 0, pad = 0, o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = in[i];
        if (is_space(ch))
            continue;
        if (ch == '=') {
            /* Padding only in the last two places of the final quantum. */
            if (nchars % 4 < 2 || ++pad > 2)
                return -1;
            nchars++;
            continue;
        }
        int v = b64_value(ch);
        if (v < 0 || pad)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        nchars++;
        if (nchars % 4 == 0) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    if (nchars % 4 != 0 && !pad)
        return -1; /* RFC 7468 s.3: the padded form is required */
    if (pad) {
        if (nchars % 4 != 0)
            return -1;
        size_t kept = 4 - pad; /* characters carrying data in the last quantum */
        /* Non-zero bits in the padding would give a second encoding (RFC 4648 s.3.5). */
        if (kept == 2) {
            if (acc & 0xf)
                return -1;
            out[o++] = (uint8_t)(acc >> 4);
        } else {
            if (acc & 0x3)
                return -1;
            out[o++] = (uint8_t)(acc >> 10);
            out[o++] = (uint8_t)(acc >> 2);
        }
    }
    return (long)o;
}

/* Reads the label of a BEGIN/END line starting at p + skip; returns its length, or -1 if
 * the line is not "<prefix>LABEL-----" followed by optional whitespace and a line end. */
static long read_label(const uint8_t *p, size_t len, size_t at, size_t skip, size_t *line_end)
{
    size_t i = at + skip, start = i;
    while (i < len && p[i] != '\n' && !(len - i >= 5 && memcmp(p + i, DASHES, 5) == 0)) {
        /* RFC 7468 s.3: labels are printable ASCII. */
        if (p[i] < 0x20 || p[i] > 0x7e)
            return -1;
        i++;
    }
    size_t n = i - start;
    if (n > PEM_LABEL_MAX || i + 5 > len || memcmp(p + i, DASHES, 5) != 0)
        return -1;
    i += 5;
    while (i < len && p[i] != '\n') {
        if (!is_space(p[i]))
            return -1;
        i++;
    }
    *line_end = i < len ? i + 1 : len;
    return (long)n;
}

int pki_pem_next(const uint8_t *pem, size_t len, size_t *pos, const char *label,
                 char *label_out, uint8_t **der, size_t *der_len)
{
    if (!pem || !pos || !der || !der_len)
        return TLSM_ERR_ARG;
    *der = NULL;
    *der_len = 0;
    size_t at = *pos;
    for (;;) {
        size_t begin = find_line(pem, len, at, BEGIN), body, line_end;
        if (begin >= len)
            return 1;
        long ln = read_label(pem, len, begin, sizeof(BEGIN) - 1, &body);
        if (ln < 0)
            return TLSM_ERR_PEM;
        const uint8_t *lab = pem + begin + sizeof(BEGIN) - 1;
        /* The matching END line carries the same label (RFC 7468 s.2). */
        size_t end = find_line(pem, len, body, END);
        long le = end < len ? read_label(pem, len, end, sizeof(END) - 1, &line_end) : -1;
        if (le != ln || memcmp(pem + end + sizeof(END) - 1, lab, (size_t)ln) != 0)
            return TLSM_ERR_PEM;
        if (label && (strlen(label) != (size_t)ln || memcmp(label, lab, (size_t)ln) != 0)) {
            at = line_end;
            continue;
        }
        size_t text = end - body;
        uint8_t *out = mem_alloc(text / 4 * 3 + 3);
        if (!out)
            return TLSM_ERR_NOMEM;
        long n = b64_decode(pem + body, text, out);
        if (n <= 0) {
            crypto_wipe(out, text / 4 * 3 + 3);
            mem_free(out);
            return TLSM_ERR_PEM;
        }
        if (!label && label_out) {
            memcpy(label_out, lab, (size_t)ln);
            label_out[ln] = '\0';
        }
        *der = out;
        *der_len = (size_t)n;
        *pos = line_end;
        return 0;
    }
}
