/*
 * nc.c - name constraints (RFC 5280 s.4.2.1.10) applied to one certificate below the CA
 * that imposes them; verify.c calls pki_nc_check for every certificate under each CA (and
 * trust anchor) of a candidate path.
 *
 * Forms checked: dNSName, rfc822Name and iPAddress. The other forms (otherName,
 * directoryName, URI, ...) are not implemented: in a non-critical extension they are
 * ignored; in a critical one (s.4.2.1.10: "If a name constraints extension that is marked
 * as critical imposes constraints on a particular name form, and an instance of that name
 * form appears in the subject field or subjectAltName extension of a subsequent
 * certificate, then the application MUST either process the constraint or reject the
 * certificate.") a certificate below the CA that carries a name of such a form is refused
 * with TLSM_ERR_CERT_NC_UNSUPPORTED_NAME, and one that carries none passes. A non-empty
 * subject is a directoryName, so a critical directoryName constraint passes only
 * certificates with an empty subject (and a critical subjectAltName) below it.
 * For each name of a checked form in the certificate:
 *  - excluded: no excluded subtree of that form may contain it (s.4.2.1.10 "no name
 *    within the excluded subtrees");
 *  - permitted: when the CA lists permitted subtrees of that form, one must contain it.
 * IPv4 and IPv6 are one form (iPAddress): permitted v4 ranges alone permit no v6 address.
 *
 * Containment, per form:
 *  - dNSName "example.com": the name itself and any name made by adding labels on the left
 *    ("www.example.com", not "badexample.com"); ".example.com" (a widespread reading,
 *    OpenSSL's and Go's): only the names below it; "" contains every name. ASCII case is
 *    ignored. Both sides are in the DNS name syntax of dnsname.c: x509.c refuses a CA with
 *    a malformed dNSName constraint, and a malformed dNSName in the certificate below a CA
 *    that constrains DNS names is refused with TLSM_ERR_CERT_BAD_DNS_NAME, since no
 *    constraint can be applied to it (".example.com" would otherwise pass a permitted
 *    "example.com", "a..example.com" too). A wildcard SAN "*.example.com" is within a permitted
 *    subtree only if all it can match is, and meets an excluded subtree if any name it can
 *    match is in it (so "*.example.com" hits an exclusion of "secret.example.com").
 *  - rfc822Name: "user@host" is that mailbox (local part compared exactly, host without
 *    case), "host" every mailbox at that host, ".example.com" every mailbox at a host
 *    below example.com. A name that is not "local@host" is never within a subtree.
 *  - iPAddress: address and mask; an address of the same length whose masked bits equal
 *    the masked constraint address.
 * Names checked: the subjectAltName entries, and (s.4.2.1.10: "the rfc822Name constraint
 * MUST be applied to the attribute of type emailAddress in the subject distinguished
 * name") every emailAddress attribute of the subject, with or without a subjectAltName.
 */
#include <string.h>

#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pki.h"

typedef struct {
    const uint8_t *p;
    size_t len;
} span;

static uint8_t lower(uint8_t ch)
{
    return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch - 'A' + 'a') : ch;
}

static int equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

/* 1 if s ends with suffix, ignoring ASCII case. */
static int ends_with(span s, span suffix)
{
    return s.len >= suffix.len &&
           equal_nocase(s.p + s.len - suffix.len, suffix.p, suffix.len);
}

/* Whether the domain `name` lies in the subtree `cons`. */
static int dns_within(span name, span cons)
{
    if (cons.len == 0)
        return 1;
    if (cons.p[0] == '.')
        return name.len > cons.len && ends_with(name, cons);
    if (name.len == cons.len)
        return equal_nocase(name.p, cons.p, name.len);
    return name.len > cons.len && name.p[name.len - cons.len - 1] == '.' &&
           ends_with(name, cons);
}

/* Whether a wildcard name "*.rest" could match a name inside the subtree `cons`: either
 * all of it lies inside, or `cons` is one label on top of rest ("a.rest"). */
static int dns_wildcard_meets(span name, span cons)
{
    if (dns_within(name, cons))
        return 1;
    span rest = {name.p + 2, name.len - 2};
    if (cons.len <= rest.len + 1 || cons.p[0] == '.')
        return 0;
    size_t label = cons.len - rest.len - 1;
    return cons.p[label] == '.' && memchr(cons.p, '.', label) == NULL &&
           ends_with(cons, rest);
}

/* Mailbox containment (see the top of the file). */
static int email_within(span name, span cons)
{
    const uint8_t *at = NULL;
    for (size_t i = 0; i < name.len; i++)
        if (name.p[i] == '@')
            at = name.p + i;
    if (!at || at == name.p || at == name.p + name.len - 1)
        return 0;
    span host = {at + 1, (size_t)(name.p + name.len - at - 1)};
    if (memchr(cons.p, '@', cons.len)) {
        const uint8_t *cat = memchr(cons.p, '@', cons.len);
        size_t local = (size_t)(cat - cons.p);
        return local == (size_t)(at - name.p) && memcmp(cons.p, name.p, local) == 0 &&
               cons.len - local == name.len - local &&
               equal_nocase(cat, at, cons.len - local);
    }
    if (cons.len && cons.p[0] == '.')
        return host.len > cons.len && ends_with(host, cons);
    return host.len == cons.len && equal_nocase(host.p, cons.p, host.len);
}

static int ip_within(span name, span cons)
{
    if (cons.len != 2 * name.len)
        return 0;
    for (size_t i = 0; i < name.len; i++) {
        uint8_t mask = cons.p[name.len + i];
        if ((name.p[i] & mask) != (cons.p[i] & mask))
            return 0;
    }
    return 1;
}

/* Looks through GeneralSubtrees for subtrees of form `tag`. Returns -1 when there is none
 * of that form, else 1 if one of them meets the name (`excluded`: could contain some name
 * the presented one stands for; permitted: contains all of them), else 0; NC_OUT_OF_WORK
 * once *budget subtrees have been looked at. */
#define NC_OUT_OF_WORK 2
static int subtrees_match(const uint8_t *trees, size_t len, uint8_t tag, span name, int excluded,
                          unsigned long *budget)
{
    der_reader r, t;
    int seen = 0;
    uint8_t gtag = 0;
    size_t n = 0;
    der_init(&r, trees, len);
    while (der_left(&r)) {
        if (*budget == 0)
            return NC_OUT_OF_WORK;
        (*budget)--;
        der_enter(&r, DER_SEQUENCE, &t);
        const uint8_t *g = der_get_any(&t, &gtag, &n);
        if (!g || gtag != tag)
            continue;
        seen = 1;
        span cons = {g, n};
        int hit;
        if (tag == DER_CTX(7)) {
            hit = ip_within(name, cons);
        } else if (tag == DER_CTX(1)) {
            hit = email_within(name, cons);
        } else {
            int wildcard = name.len > 2 && name.p[0] == '*' && name.p[1] == '.';
            hit = wildcard && excluded ? dns_wildcard_meets(name, cons) : dns_within(name, cons);
        }
        if (hit)
            return 1;
    }
    return seen ? 0 : -1;
}

static int check_name(const pki_cert *ca, uint8_t tag, span name, unsigned long *budget)
{
    /* s.4.2.1.10: "any name matching a restriction in the excludedSubtrees field is
     * invalid regardless of information appearing in the permittedSubtrees". */
    int m = ca->nc_excluded ? subtrees_match(ca->nc_excluded, ca->nc_excluded_len, tag, name,
                                             1, budget)
                            : -1;
    if (m == 1)
        return TLSM_ERR_CERT_NAME_CONSTRAINT;
    if (m == NC_OUT_OF_WORK)
        return TLSM_ERR_CERT_WORK_LIMIT;
    m = ca->nc_permitted ? subtrees_match(ca->nc_permitted, ca->nc_permitted_len, tag, name, 0,
                                          budget)
                         : -1;
    if (m == 0)
        return TLSM_ERR_CERT_NAME_CONSTRAINT;
    if (m == NC_OUT_OF_WORK)
        return TLSM_ERR_CERT_WORK_LIMIT;
    return 0;
}

/* emailAddress attributes of the subject Name (checked structurally by x509.c). */
static int check_subject_email(const pki_cert *ca, const pki_cert *cert, unsigned long *budget)
{
    der_reader r, name, rdn, atv;
    size_t n = 0, vlen = 0;
    uint8_t vtag = 0;
    der_init(&r, cert->subject, cert->subject_len);
    der_enter(&r, DER_SEQUENCE, &name);
    while (der_left(&name)) {
        der_enter(&name, DER_SET, &rdn);
        while (der_left(&rdn)) {
            der_enter(&rdn, DER_SEQUENCE, &atv);
            const uint8_t *oid = der_oid(&atv, &n);
            const uint8_t *v = der_get_any(&atv, &vtag, &vlen);
            if (v && DER_OID_IS(oid, n, OID_EMAIL_ADDRESS)) {
                int rc = check_name(ca, DER_CTX(1), (span){v, vlen}, budget);
                if (rc != 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* The forms a critical extension of `ca` constrains that nc.c does not check: a name of
 * one of them in `cert` cannot be judged (see the top of the file). */
static int check_unchecked_forms(const pki_cert *ca, const pki_cert *cert)
{
    unsigned unchecked = ca->nc_critical ? ca->nc_forms & ~PKI_GN_CHECKED : 0;
    if (!unchecked)
        return 0;
    if ((unchecked & PKI_GN_BIT(PKI_GN_DIRECTORY)) && !pki_subject_empty(cert))
        return TLSM_ERR_CERT_NC_UNSUPPORTED_NAME;
    der_reader r;
    uint8_t tag = 0;
    size_t n = 0;
    der_init(&r, cert->san, cert->san ? cert->san_len : 0);
    while (der_left(&r))
        if (der_get_any(&r, &tag, &n) && (unchecked & PKI_GN_BIT(tag & 0x1f)))
            return TLSM_ERR_CERT_NC_UNSUPPORTED_NAME;
    return 0;
}

int pki_nc_check(const pki_cert *ca, const pki_cert *cert, unsigned long *budget)
{
    if (!ca || !cert || !budget)
        return TLSM_ERR_ARG;
    if (!ca->has_nc)
        return 0;
    int rc = check_unchecked_forms(ca, cert);
    if (rc == 0)
        rc = check_subject_email(ca, cert, budget);
    if (rc != 0 || !cert->san)
        return rc;
    der_reader r;
    uint8_t tag = 0;
    size_t n = 0;
    der_init(&r, cert->san, cert->san_len);
    while (der_left(&r)) {
        const uint8_t *g = der_get_any(&r, &tag, &n);
        if (!g || (tag != DER_CTX(1) && tag != DER_CTX(2) && tag != DER_CTX(7)))
            continue;
        if (tag == DER_CTX(2) && (ca->nc_forms & PKI_GN_BIT(PKI_GN_DNS)) &&
            !pki_dns_name_valid(g, n, PKI_DNS_WILDCARD))
            return TLSM_ERR_CERT_BAD_DNS_NAME;
        rc = check_name(ca, tag, (span){g, n}, budget);
        if (rc != 0)
            return rc;
    }
    return 0;
}
