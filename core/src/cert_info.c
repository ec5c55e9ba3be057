/*
 * cert_info.c - a few facts about a certificate for people and tools: subject and issuer
 * as one line of text (RFC 4514 style, most significant RDN first as in OpenSSL's
 * one-line form), validity and serial. Used by `tlsm verify` and the bindings; the
 * handshake never needs it. Values are printed as they are: anything that is not
 * printable ASCII is escaped as \XX, so a hostile name cannot forge a line.
 */
#include <stdio.h>
#include <string.h>

#include "pki/der.h"
#include "pki/pki.h"
#include "tlsm.h"

/* Short names for the attribute types that appear in practice (OID contents bytes). */
static const struct {
    uint8_t oid[10];
    size_t len;
    const char *name;
} attrs[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"},  {{0x55, 0x04, 0x06}, 3, "C"},
    {{0x55, 0x04, 0x07}, 3, "L"},   {{0x55, 0x04, 0x08}, 3, "ST"},
    {{0x55, 0x04, 0x0a}, 3, "O"},   {{0x55, 0x04, 0x0b}, 3, "OU"},
    {{0x55, 0x04, 0x05}, 3, "serialNumber"},
    {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, 10, "DC"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
};

typedef struct {
    char *p;
    size_t cap, len;
} text;

static void put(text *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, t->len++)
        if (t->len + 1 < t->cap)
            t->p[t->len] = s[i];
}

static void put_value(text *t, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char esc[4];
        /* RFC 4514 s.2.4 specials, and anything not printable, are escaped. */
        if (v[i] < 0x20 || v[i] > 0x7e || strchr(",+\"\\<>;=", v[i])) {
            snprintf(esc, sizeof esc, "\\%02X", v[i]);
            put(t, esc, 3);
        } else {
            put(t, (const char *)&v[i], 1);
        }
    }
}

static int name_text(const uint8_t *name, size_t len, char *buf, size_t cap, size_t *out_len)
{
    text t = {buf, cap, 0};
    der_reader r, seq;
    der_init(&r, name, len);
    der_enter(&r, DER_SEQUENCE, &seq);
    int first = 1;
    while (!seq.err && der_left(&seq) > 0) {
        der_reader set;
        der_enter(&seq, DER_SET, &set);
        while (!set.err && der_left(&set) > 0) {
            der_reader atv;
            size_t oid_len, v_len;
            uint8_t tag;
            der_enter(&set, DER_SEQUENCE, &atv);
            const uint8_t *oid = der_oid(&atv, &oid_len);
            const uint8_t *v = der_get_any(&atv, &tag, &v_len);
            der_leave(&set, &atv);
            if (set.err || !oid)
                break;
            if (!first)
                put(&t, ", ", 2);
            first = 0;
            const char *label = NULL;
            for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
                if (attrs[i].len == oid_len && !memcmp(attrs[i].oid, oid, oid_len))
                    label = attrs[i].name;
            if (label) {
                put(&t, label, strlen(label));
            } else {
                /* Unknown type: the OID's bytes in hex keep it unambiguous. */
                put(&t, "OID.", 4);
                for (size_t i = 0; i < oid_len; i++) {
                    char h[3];
                    snprintf(h, sizeof h, "%02x", oid[i]);
                    put(&t, h, 2);
                }
            }
            put(&t, "=", 1);
            put_value(&t, v, v_len);
        }
        der_leave(&seq, &set);
    }
    der_leave(&r, &seq);
    if (r.err || der_end(&r))
        return TLSM_ERR_CERT_PARSE;
    if (cap)
        buf[t.len < cap ? t.len : cap - 1] = 0;
    *out_len = t.len;
    return t.len < cap ? 0 : TLSM_ERR_BUFFER;
}

int tlsm_cert_info(const uint8_t *der, size_t len, tlsm_cert_facts *facts)
{
    if (!der || !facts)
        return TLSM_ERR_ARG;
    memset(facts, 0, sizeof *facts);
    pki_cert c;
    int verdict = pki_cert_parse(&c, der, len);
    if (verdict && pki_cert_names(der, len, &c))
        return verdict;
    size_t n;
    int rc = name_text(c.subject, c.subject_len, facts->subject, sizeof facts->subject, &n);
    if (rc == 0 || rc == TLSM_ERR_BUFFER)
        rc = name_text(c.issuer, c.issuer_len, facts->issuer, sizeof facts->issuer, &n);
    if (rc && rc != TLSM_ERR_BUFFER)
        return verdict ? verdict : rc;
    facts->not_before = c.not_before;
    facts->not_after = c.not_after;
    facts->is_ca = c.is_ca;
    size_t s = c.serial_len < sizeof facts->serial ? c.serial_len : sizeof facts->serial;
    if (c.serial)
        memcpy(facts->serial, c.serial, s);
    facts->serial_len = (uint32_t)s;
    return verdict;
}
