/*
 * cert_files.c - certificates read from files for `tlsm verify`, kept as DER together
 * with where each came from (file and position), so that a verdict can name them.
 *
 * A file holds PEM (every "CERTIFICATE" block in order; blocks with other labels, such as
 * a private key, are skipped) or, when it has no PEM at all, one DER certificate. The
 * PEM reader follows RFC 7468's strict form for the body: base64 in lines, whitespace
 * between lines, "=" padding only at the end; anything else makes the file malformed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PEM_BEGIN "-----BEGIN "
#define PEM_END "-----END "
#define PEM_DASHES "-----"

/* Finds needle in hay[0 .. len). */
static const uint8_t *find(const uint8_t *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decodes the base64 body of one block into a new buffer. Returns 0 or -1. */
static int b64_decode(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    uint8_t *buf = malloc(len / 4 * 3 + 3);
    if (!buf)
        return -1;
    size_t n = 0, chars = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_space(in[i]))
            continue;
        if (in[i] == '=') {
            pad++;
            chars++;
            continue;
        }
        int v = b64_value(in[i]);
        if (v < 0 || pad > 0)
            goto bad; /* a foreign character, or data after the padding */
        acc = (acc << 6) | (uint32_t)v;
        if (++chars % 4 == 0) {
            buf[n++] = (uint8_t)(acc >> 16);
            buf[n++] = (uint8_t)(acc >> 8);
            buf[n++] = (uint8_t)acc;
            acc = 0;
        }
    }
    if (chars % 4 != 0 || pad > 2)
        goto bad;
    if (pad > 0) { /* the last group: 4 - pad characters give 3 - pad bytes */
        acc <<= 6 * pad;
        buf[n++] = (uint8_t)(acc >> 16);
        if (pad == 1)
            buf[n++] = (uint8_t)(acc >> 8);
    }
    if (n == 0)
        goto bad;
    *out = buf;
    *out_len = n;
    return 0;
bad:
    free(buf);
    return -1;
}

static int list_push(cli_cert_list *l, uint8_t *der, size_t len, const char *file, size_t block)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        cli_cert *bigger = realloc(l->v, cap * sizeof(*bigger));
        if (!bigger)
            return -1;
        l->v = bigger;
        l->cap = cap;
    }
    l->v[l->n++] = (cli_cert){.der = der, .len = len, .file = file, .block = block};
    return 0;
}

/* Every CERTIFICATE block of a PEM text. Returns the number of certificates, or -1. */
static long add_pem(cli_cert_list *l, const uint8_t *p, size_t len, const char *path)
{
    size_t pos = 0, certs = 0;
    for (;;) {
        const uint8_t *begin = find(p + pos, len - pos, PEM_BEGIN);
        if (!begin)
            return (long)certs;
        const uint8_t *label = begin + strlen(PEM_BEGIN);
        const uint8_t *label_end = find(label, len - (size_t)(label - p), PEM_DASHES);
        if (!label_end || label_end - label > 64 ||
            memchr(label, '\n', (size_t)(label_end - label))) {
            cli_error("%s: malformed PEM header after certificate %zu", path, certs);
            return -1;
        }
        char end_line[96];
        snprintf(end_line, sizeof end_line, "%s%.*s%s", PEM_END, (int)(label_end - label),
                 (const char *)label, PEM_DASHES);
        const uint8_t *body = label_end + strlen(PEM_DASHES);
        const uint8_t *end = find(body, len - (size_t)(body - p), end_line);
        if (!end) {
            cli_error("%s: PEM block without its end line (%s)", path, end_line);
            return -1;
        }
        pos = (size_t)(end - p) + strlen(end_line);
        if ((size_t)(label_end - label) != strlen("CERTIFICATE") ||
            memcmp(label, "CERTIFICATE", strlen("CERTIFICATE")) != 0)
            continue;
        uint8_t *der;
        size_t der_len;
        if (b64_decode(body, (size_t)(end - body), &der, &der_len) != 0) {
            cli_error("%s: certificate %zu is not valid PEM (bad base64)", path, certs);
            return -1;
        }
        if (list_push(l, der, der_len, path, certs) != 0) {
            free(der);
            cli_error("out of memory");
            return -1;
        }
        certs++;
    }
}

int cli_cert_list_add_file(cli_cert_list *l, const char *path)
{
    uint8_t *data;
    size_t len;
    if (cli_read_file(path, &data, &len) != 0)
        return -1;
    long certs;
    if (find(data, len, PEM_BEGIN)) {
        certs = add_pem(l, data, len, path);
        free(data);
    } else if (len > 0 && data[0] == 0x30) { /* a DER SEQUENCE: one certificate */
        certs = list_push(l, data, len, path, 0) == 0 ? 1 : -1;
        if (certs < 0) {
            free(data);
            cli_error("out of memory");
        }
    } else {
        free(data);
        certs = 0;
    }
    if (certs == 0)
        cli_error("%s: no certificate found (expected PEM or DER)", path);
    return certs > 0 ? 0 : -1;
}

void cli_cert_list_free(cli_cert_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].der);
    free(l->v);
    memset(l, 0, sizeof(*l));
}
