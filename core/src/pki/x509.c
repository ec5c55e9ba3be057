/*
 * x509.c - strict X.509 v1/v2/v3 certificate parsing (RFC 5280 s.4).
 *
 * The parsed pki_cert borrows from the DER buffer. Everything is read through the DER
 * reader. The result names the first problem in this order: any structural malformation
 * (non-minimal length, trailing bytes, wrong tag, bad BOOLEAN, ...) is TLSM_ERR_CERT_PARSE;
 * then a serial number that is not a positive integer of at most 20 octets is
 * TLSM_ERR_CERT_BAD_SERIAL; a validity time that is malformed or of the wrong type for its
 * year TLSM_ERR_CERT_BAD_TIME; an algorithm tlsm does not accept
 * TLSM_ERR_CERT_UNSUPPORTED_ALG, an RSA key too large to compute with
 * TLSM_ERR_CERT_RSA_TOO_LARGE / _RSA_EXPONENT; an unknown critical extension
 * TLSM_ERR_CERT_CRITICAL_EXT; a dNSName constraint outside the DNS name syntax of
 * dnsname.c TLSM_ERR_CERT_BAD_DNS_NAME.
 *
 * A critical nameConstraints extension on a name form tlsm does not check (anything but
 * dNSName, rfc822Name and iPAddress) is not refused here: the forms are recorded
 * (nc_forms, nc_critical) and nc.c refuses a chain only where a name of such a form is
 * present below the CA (RFC 5280 s.4.2.1.10, issue 16 item 18).
 *
 * Serial numbers: RFC 5280 s.4.1.2.2 says the serial "MUST be a positive integer", so a
 * negative or zero serial is refused in a peer's certificate. Trust anchors are trusted as
 * configured, and two conformance slips of long-lived roots that play no part in
 * validation are tolerated there: a zero serial (Go Daddy and Starfield Class 2, SECOM
 * RootCA1/2, HARICA 2015 in Debian's store) and a GeneralizedTime before 2050 (Certum
 * Trusted Network CA 2).
 */
#include <string.h>

#include "pki/alg.h"
#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pki.h"
#include "pki/x509.h"

/* Name ::= SEQUENCE OF RelativeDistinguishedName (RFC 5280 s.4.1.2.4); an RDN is a
 * non-empty SET OF AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }. Only the
 * structure is checked: names are compared as whole DER encodings. */
static const uint8_t *read_name(der_reader *r, size_t *len)
{
    der_reader name, rdn, atv;
    size_t start = r->pos, n = 0;
    uint8_t tag;
    der_enter(r, DER_SEQUENCE, &name);
    while (der_left(&name)) {
        der_enter(&name, DER_SET, &rdn);
        if (!der_left(&rdn))
            der_fail(&rdn);
        while (der_left(&rdn)) {
            der_enter(&rdn, DER_SEQUENCE, &atv);
            der_oid(&atv, &n);
            der_get_any(&atv, &tag, &n);
            der_leave(&rdn, &atv);
        }
        der_leave(&name, &rdn);
    }
    if (der_leave(r, &name) != 0) {
        *len = 0;
        return NULL;
    }
    *len = r->pos - start;
    return r->p + start;
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
 * (0..MAX) OPTIONAL } (RFC 5280 s.4.2.1.9). Whether a CA certificate marks it critical is
 * judged where the CA issues (verify.c). */
static int ext_basic_constraints(pki_cert *c, der_reader *v, int critical)
{
    der_reader s;
    c->bc_critical = critical;
    der_enter(v, DER_SEQUENCE, &s);
    if (der_peek(&s) == DER_BOOLEAN) {
        c->is_ca = der_bool(&s);
        /* DER omits a DEFAULT value (X.690 s.11.5): an explicit FALSE is not DER. */
        if (!c->is_ca)
            der_fail(&s);
    }
    if (der_peek(&s) == DER_INTEGER) {
        c->path_len = (int)der_small_uint(&s, 0x7fffffff);
        /* s.4.2.1.9: CAs MUST NOT include pathLenConstraint unless cA is asserted. */
        if (!c->is_ca)
            der_fail(&s);
    }
    return der_leave(v, &s);
}

/* KeyUsage ::= BIT STRING (RFC 5280 s.4.2.1.3), bit 0 = digitalSignature. */
static int ext_key_usage(pki_cert *c, der_reader *v)
{
    size_t n = 0;
    unsigned unused = 0;
    const uint8_t *b = der_bits(v, &n, &unused);
    /* Nine bits are defined; DER strips trailing zero bits of a named bit list (X.690
     * s.11.2.2), so the last used bit must be one. s.4.2.1.3: "When the keyUsage extension
     * appears in a certificate, at least one of the bits MUST be set to 1." */
    if (!b || n == 0 || n > 2 || !(b[n - 1] & (1u << unused))) {
        der_fail(v);
        return -1;
    }
    c->key_usage = 0;
    for (unsigned i = 0; i < n * 8 - unused; i++)
        if (b[i / 8] & (0x80u >> (i % 8)))
            c->key_usage |= 1u << i;
    c->has_key_usage = 1;
    return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (RFC 5280 s.4.2.1.12).
 * Purposes tlsm does not use are ignored. */
static int ext_eku(pki_cert *c, der_reader *v)
{
    der_reader s;
    size_t n = 0;
    der_enter(v, DER_SEQUENCE, &s);
    if (!der_left(&s))
        der_fail(&s);
    c->eku = 0;
    while (der_left(&s)) {
        const uint8_t *oid = der_oid(&s, &n);
        if (DER_OID_IS(oid, n, OID_EKU_SERVER_AUTH))
            c->eku |= PKI_EKU_SERVER_AUTH;
        else if (DER_OID_IS(oid, n, OID_EKU_CLIENT_AUTH))
            c->eku |= PKI_EKU_CLIENT_AUTH;
        else if (DER_OID_IS(oid, n, OID_EKU_ANY))
            c->eku |= PKI_EKU_ANY;
    }
    c->has_eku = 1;
    return der_leave(v, &s);
}

/* The form of a GeneralName with this tag (its context tag number, 0 .. 8), or -1 when the
 * tag is not one of GeneralName's alternatives (RFC 5280 s.4.2.1.6): constructed for the
 * SEQUENCE forms otherName, x400Address and ediPartyName and for directoryName (a CHOICE,
 * so explicitly tagged), primitive for the others. */
static int general_name_form(uint8_t tag)
{
    static const uint8_t tags[] = {DER_CTX_CONS(0), DER_CTX(1), DER_CTX(2),
                                   DER_CTX_CONS(3), DER_CTX_CONS(4), DER_CTX_CONS(5),
                                   DER_CTX(6), DER_CTX(7), DER_CTX(8)};
    unsigned form = tag & 0x1f;
    return form < sizeof tags && tag == tags[form] ? (int)form : -1;
}

/* GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (RFC 5280 s.4.2.1.6). Each name
 * is one of GeneralName's alternatives; the encodings tlsm reads are checked so that the
 * matcher can trust them: rfc822Name and dNSName are IA5Strings, iPAddress is 4 or 16
 * bytes. A dNSName outside the DNS name syntax is well-formed DER: it never matches a host
 * and fails a chain only under a CA that constrains DNS names (dnsname.c). */
static int ext_san(pki_cert *c, der_reader *v, int critical)
{
    der_reader s;
    size_t n = 0;
    uint8_t tag;
    c->san_critical = critical;
    der_enter(v, DER_SEQUENCE, &s);
    c->san = s.p;
    c->san_len = s.len;
    if (!der_left(&s))
        der_fail(&s);
    while (der_left(&s)) {
        const uint8_t *g = der_get_any(&s, &tag, &n);
        if (!g || general_name_form(tag) < 0)
            der_fail(&s);
        else if (tag == DER_CTX(1) || tag == DER_CTX(2)) {
            /* rfc822Name and dNSName are IA5Strings (s.4.2.1.6): ASCII only. */
            for (size_t i = 0; i < n; i++)
                if (g[i] >= 0x80)
                    der_fail(&s);
        } else if (tag == DER_CTX(7) && n != 4 && n != 16) {
            der_fail(&s);
        }
    }
    return der_leave(v, &s);
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL, authorityCertIssuer
 * [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL } (RFC 5280 s.4.2.1.1). */
static int ext_aki(pki_cert *c, der_reader *v)
{
    der_reader s;
    size_t n = 0;
    der_enter(v, DER_SEQUENCE, &s);
    if (der_peek(&s) == DER_CTX(0))
        c->aki = der_get(&s, DER_CTX(0), &c->aki_len);
    if (der_peek(&s) == DER_CTX_CONS(1))
        der_get(&s, DER_CTX_CONS(1), &n);
    if (der_peek(&s) == DER_CTX(2))
        der_get(&s, DER_CTX(2), &n);
    return der_leave(v, &s);
}

/* Reads the base GeneralName of one GeneralSubtree and checks it. Returns its form (the
 * context tag number), -1 when malformed; *bad_dns is set for a dNSName outside the DNS
 * name syntax (well-formed DER, but no constraint tlsm can apply). */
static int nc_base(der_reader *subtree, int *bad_dns)
{
    size_t n = 0;
    uint8_t tag = 0;
    const uint8_t *g = der_get_any(subtree, &tag, &n);
    if (!g || general_name_form(tag) < 0)
        return -1;
    switch (tag) {
    case DER_CTX(1): /* rfc822Name, IA5String */
    case DER_CTX(2): /* dNSName, IA5String */
        for (size_t i = 0; i < n; i++)
            if (g[i] >= 0x80)
                return -1;
        if (tag == DER_CTX(2) && !pki_dns_name_valid(g, n, PKI_DNS_CONSTRAINT))
            *bad_dns = 1;
        return general_name_form(tag);
    case DER_CTX(7): { /* iPAddress: address then mask, 8 octets for v4, 32 for v6 */
        /* s.4.2.1.10: the constraint is an address range written in CIDR style; tlsm
         * requires the mask to be a prefix (ones, then zeros), as every use of it is. */
        if (n != 8 && n != 32)
            return -1;
        int zero_seen = 0;
        for (size_t i = n / 2; i < n; i++)
            for (int b = 7; b >= 0; b--) {
                int bit = (g[i] >> b) & 1;
                if (bit && zero_seen)
                    return -1;
                zero_seen |= !bit;
            }
        return PKI_GN_IP;
    }
    default:
        /* otherName, x400Address, directoryName, ediPartyName, URI, registeredID:
         * well-formed as far as the DER reader is concerned, but not checked by nc.c. */
        return general_name_form(tag);
    }
}

/* GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree; GeneralSubtree ::=
 * SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1]
 * BaseDistance OPTIONAL }. Poisons trees when malformed. */
static void nc_subtrees(pki_cert *c, der_reader *trees, int *bad_dns)
{
    der_reader t;
    if (!der_left(trees))
        der_fail(trees);
    while (der_left(trees)) {
        der_enter(trees, DER_SEQUENCE, &t);
        int form = nc_base(&t, bad_dns);
        if (form < 0)
            der_fail(&t);
        else
            c->nc_forms |= PKI_GN_BIT(form);
        /* s.4.2.1.10: "the minimum MUST be zero, and maximum MUST be absent"; DER omits
         * a zero minimum (X.690 s.11.5), so nothing may follow the base. */
        der_leave(trees, &t);
    }
}

/* NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 * excludedSubtrees [1] GeneralSubtrees OPTIONAL } (RFC 5280 s.4.2.1.10). The subtrees are
 * kept as DER for pki_nc_check, with the forms they constrain and the criticality. *bad_dns
 * is set when a dNSName subtree is outside the DNS name syntax. Whether the certificate
 * may carry the extension at all (a CA only) is judged where it is used (verify.c). */
static int ext_name_constraints(pki_cert *c, der_reader *v, int critical, int *bad_dns)
{
    der_reader s, trees;
    c->nc_critical = critical;
    der_enter(v, DER_SEQUENCE, &s);
    /* s.4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is
     * an empty sequence." */
    if (!der_left(&s))
        der_fail(&s);
    if (der_peek(&s) == DER_CTX_CONS(0)) {
        der_enter(&s, DER_CTX_CONS(0), &trees);
        c->nc_permitted = trees.p;
        c->nc_permitted_len = trees.len;
        nc_subtrees(c, &trees, bad_dns);
        der_leave(&s, &trees);
    }
    if (der_peek(&s) == DER_CTX_CONS(1)) {
        der_enter(&s, DER_CTX_CONS(1), &trees);
        c->nc_excluded = trees.p;
        c->nc_excluded_len = trees.len;
        nc_subtrees(c, &trees, bad_dns);
        der_leave(&s, &trees);
    }
    c->has_nc = 1;
    return der_leave(v, &s);
}

/* Returns 1 if an extension with this OID appears in exts before position `before`. */
static int seen_before(const der_reader *exts, size_t before, const uint8_t *oid, size_t len)
{
    der_reader r, e;
    size_t n = 0;
    der_init(&r, exts->p, before);
    while (der_left(&r)) {
        der_enter(&r, DER_SEQUENCE, &e);
        const uint8_t *o = der_oid(&e, &n);
        if (der_oid_is(o, n, oid, len))
            return 1;
    }
    return 0;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC 5280 s.4.1.2.9); Extension ::=
 * SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
static int read_extensions(pki_cert *c, der_reader *r)
{
    der_reader exts, e, v;
    size_t n = 0, vlen = 0;
    int critical_unknown = 0, bad_dns = 0;
    der_enter(r, DER_SEQUENCE, &exts);
    if (!der_left(&exts))
        der_fail(&exts);
    while (der_left(&exts)) {
        size_t at = exts.pos;
        int critical = 0;
        der_enter(&exts, DER_SEQUENCE, &e);
        const uint8_t *oid = der_oid(&e, &n);
        if (der_peek(&e) == DER_BOOLEAN) {
            critical = der_bool(&e);
            if (!critical) /* DEFAULT FALSE must be omitted in DER (X.690 s.11.5) */
                der_fail(&e);
        }
        const uint8_t *val = der_get(&e, DER_OCTET_STRING, &vlen);
        if (der_leave(&exts, &e) != 0)
            break;
        /* s.4.2: "A certificate MUST NOT include more than one instance of a particular
         * extension." */
        if (seen_before(&exts, at, oid, n))
            return TLSM_ERR_CERT_PARSE;
        /* s.4.2.1.1 and s.4.2.1.2: the authority and subject key identifiers "MUST be
         * marked non-critical". */
        if (critical && (DER_OID_IS(oid, n, OID_EXT_AKI) || DER_OID_IS(oid, n, OID_EXT_SKI)))
            return TLSM_ERR_CERT_PARSE;
        der_init(&v, val, vlen);
        int rc = 0, known = 1;
        if (DER_OID_IS(oid, n, OID_EXT_BASIC_CONSTRAINTS))
            rc = ext_basic_constraints(c, &v, critical);
        else if (DER_OID_IS(oid, n, OID_EXT_KEY_USAGE))
            rc = ext_key_usage(c, &v);
        else if (DER_OID_IS(oid, n, OID_EXT_EKU))
            rc = ext_eku(c, &v);
        else if (DER_OID_IS(oid, n, OID_EXT_SAN))
            rc = ext_san(c, &v, critical);
        else if (DER_OID_IS(oid, n, OID_EXT_SKI))
            c->ski = der_get(&v, DER_OCTET_STRING, &c->ski_len);
        else if (DER_OID_IS(oid, n, OID_EXT_AKI))
            rc = ext_aki(c, &v);
        else if (DER_OID_IS(oid, n, OID_EXT_NAME_CONSTRAINTS))
            rc = ext_name_constraints(c, &v, critical, &bad_dns);
        else
            known = 0;
        if (known && (rc != 0 || der_end(&v) != 0))
            return TLSM_ERR_CERT_PARSE;
        /* s.4.2: "A certificate-using system MUST reject the certificate if it encounters
         * a critical extension it does not recognize". Finish parsing first so that a
         * malformed certificate is reported as such. */
        if (!known && critical)
            critical_unknown = 1;
    }
    if (der_leave(r, &exts) != 0)
        return TLSM_ERR_CERT_PARSE;
    if (critical_unknown)
        return TLSM_ERR_CERT_CRITICAL_EXT;
    return bad_dns ? TLSM_ERR_CERT_BAD_DNS_NAME : 0;
}

/* Validity ::= SEQUENCE { notBefore Time, notAfter Time }, Time ::= CHOICE { utcTime,
 * generalTime } (s.4.1.2.5): "CAs conforming to this profile MUST always encode
 * certificate validity dates through the year 2049 as UTCTime; certificate validity dates
 * in 2050 or later MUST be encoded as GeneralizedTime." The exact forms are der_time's. */
static int read_validity(pki_cert *c, const uint8_t *p, size_t len, int anchor)
{
    static const int64_t y2050 = INT64_C(2524608000); /* 2050-01-01T00:00:00Z */
    der_reader r;
    int64_t t[2];
    der_init(&r, p, len);
    for (int i = 0; i < 2; i++) {
        int tag = der_peek(&r);
        t[i] = der_time(&r);
        if (r.err || (tag == DER_GENERALIZED_TIME && t[i] < y2050 && !anchor))
            return -1;
    }
    if (der_end(&r) != 0)
        return -1;
    c->not_before = t[0];
    c->not_after = t[1];
    return 0;
}

static int parse(pki_cert *c, const uint8_t *der, size_t len, int anchor)
{
    der_reader r, cert, tbs_seq, tbs, f;
    size_t n = 0, inner_len = 0, outer_len = 0;
    sig_alg inner = SIG_NONE, pss = SIG_NONE;
    unsigned unused = 0;
    int alg_rc = 0, rc;

    memset(c, 0, sizeof(*c));
    c->path_len = -1;
    c->der = der;
    c->der_len = len;
    der_init(&r, der, len);
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
    der_enter(&r, DER_SEQUENCE, &cert);
    if (der_end(&r) != 0) /* no trailing bytes after the certificate */
        return TLSM_ERR_CERT_PARSE;
    c->tbs = der_get_raw(&cert, DER_SEQUENCE, &c->tbs_len);
    der_init(&tbs_seq, c->tbs, c->tbs_len);
    der_enter(&tbs_seq, DER_SEQUENCE, &tbs);

    /* version [0] EXPLICIT Version DEFAULT v1: DER omits v1, so an explicit version is
     * 1 (v2) or 2 (v3). */
    c->version = 1;
    if (der_peek(&tbs) == DER_CTX_CONS(0)) {
        der_enter(&tbs, DER_CTX_CONS(0), &f);
        uint32_t v = der_small_uint(&f, 2);
        if (v == 0)
            der_fail(&f);
        der_leave(&tbs, &f);
        c->version = (int)v + 1;
    }
    /* s.4.1.2.2: "The serial number MUST be a positive integer"; "Conforming CAs MUST NOT
     * use serialNumber values longer than 20 octets." See the top of the file for the
     * anchor relaxation. */
    int semantic_rc = 0;
    c->serial = der_integer(&tbs, &c->serial_len);
    if (c->serial && ((c->serial[0] & 0x80) || c->serial_len > 20 ||
                      (c->serial_len == 1 && c->serial[0] == 0 && !anchor)))
        semantic_rc = TLSM_ERR_CERT_BAD_SERIAL;
    if (tbs.err) /* a poisoned reader may hold no buffer: no pointer arithmetic on it */
        return TLSM_ERR_CERT_PARSE;
    const uint8_t *inner_raw = tbs.p + tbs.pos;
    rc = alg_read_sig(&tbs, &inner);
    inner_len = tbs.p + tbs.pos - inner_raw;
    if (rc == TLSM_ERR_CERT_PARSE)
        return rc;
    if (rc != 0)
        alg_rc = rc;
    c->issuer = read_name(&tbs, &c->issuer_len);
    size_t validity_len = 0;
    const uint8_t *validity = der_get(&tbs, DER_SEQUENCE, &validity_len);
    if (validity && read_validity(c, validity, validity_len, anchor) != 0 && semantic_rc == 0)
        semantic_rc = TLSM_ERR_CERT_BAD_TIME;
    c->subject = read_name(&tbs, &c->subject_len);
    c->spki = der_get_raw(&tbs, DER_SEQUENCE, &c->spki_len);
    if (tbs.err)
        return TLSM_ERR_CERT_PARSE;
    rc = alg_read_spki(c->spki, c->spki_len, &c->pubkey, &pss);
    if (rc == TLSM_ERR_CERT_PARSE)
        return rc;
    if (rc != 0)
        c->pubkey.type = PK_NONE; /* a refused key is never computed with */
    if (rc != 0 && alg_rc == 0)
        alg_rc = rc;
    c->pss_params = pss;
    /* s.4.1.2.8: unique identifiers "MUST only appear if the version is 2 or 3". */
    if (der_peek(&tbs) == DER_CTX(1) && c->version >= 2)
        der_get(&tbs, DER_CTX(1), &n);
    if (der_peek(&tbs) == DER_CTX(2) && c->version >= 2)
        der_get(&tbs, DER_CTX(2), &n);
    int ext_rc = 0;
    /* s.4.1.2.9: extensions "MUST only appear if the version is 3". */
    if (der_peek(&tbs) == DER_CTX_CONS(3) && c->version == 3) {
        der_enter(&tbs, DER_CTX_CONS(3), &f);
        ext_rc = read_extensions(c, &f);
        if (ext_rc == TLSM_ERR_CERT_PARSE)
            return ext_rc;
        der_leave(&tbs, &f);
    }
    if (der_end(&tbs) != 0)
        return TLSM_ERR_CERT_PARSE;

    if (cert.err)
        return TLSM_ERR_CERT_PARSE;
    const uint8_t *outer_raw = cert.p + cert.pos;
    rc = alg_read_sig(&cert, &c->sig_alg);
    outer_len = cert.p + cert.pos - outer_raw;
    if (rc == TLSM_ERR_CERT_PARSE)
        return rc;
    c->sig = der_bits(&cert, &c->sig_len, &unused);
    if (der_leave(&r, &cert) != 0 || unused != 0)
        return TLSM_ERR_CERT_PARSE;
    /* s.4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the
     * signature field in the sequence tbsCertificate" (compared as DER). */
    if (inner_len != outer_len || memcmp(inner_raw, outer_raw, inner_len) != 0)
        return TLSM_ERR_CERT_PARSE;
    if (semantic_rc != 0)
        return semantic_rc;
    if (alg_rc == TLSM_ERR_CERT_UNSUPPORTED_ALG && c->pubkey.type != PK_NONE &&
        c->sig_alg == SIG_NONE && anchor)
        alg_rc = 0;
    if (alg_rc != 0)
        return alg_rc;
    return ext_rc;
}

int x509_parse(pki_cert *c, const uint8_t *der, size_t len, int anchor)
{
    int rc = parse(c, der, len, anchor);
    c->defect = rc == TLSM_ERR_CERT_PARSE ? 0 : rc;
    return rc;
}

int pki_cert_names(const uint8_t *der, size_t len, pki_cert *c)
{
    der_reader r, cert, tbs;
    size_t n;
    memset(c, 0, sizeof *c);
    der_init(&r, der, len);
    der_enter(&r, DER_SEQUENCE, &cert);
    der_enter(&cert, DER_SEQUENCE, &tbs);
    if (der_peek(&tbs) == DER_CTX_CONS(0))
        der_get(&tbs, DER_CTX_CONS(0), &n);
    c->serial = der_integer(&tbs, &c->serial_len);
    der_get(&tbs, DER_SEQUENCE, &n); /* signature algorithm */
    c->issuer = der_get_raw(&tbs, DER_SEQUENCE, &c->issuer_len);
    der_reader validity;
    der_enter(&tbs, DER_SEQUENCE, &validity);
    c->not_before = der_time(&validity);
    c->not_after = der_time(&validity);
    der_leave(&tbs, &validity);
    c->subject = der_get_raw(&tbs, DER_SEQUENCE, &c->subject_len);
    return tbs.err || !c->issuer || !c->subject ? TLSM_ERR_CERT_PARSE : 0;
}

int pki_cert_parse(pki_cert *out, const uint8_t *der, size_t len)
{
    if (!out || !der)
        return TLSM_ERR_ARG;
    return x509_parse(out, der, len, 0);
}

int pki_chain_parse(pki_cert *out, const uint8_t *const *certs, const size_t *lens, size_t n,
                    size_t *bad_index)
{
    for (size_t i = 0; i < n; i++) {
        int rc = pki_cert_parse(&out[i], certs[i], lens[i]);
        if (rc != 0 && (i == 0 || rc == TLSM_ERR_CERT_PARSE || rc == TLSM_ERR_ARG)) {
            if (bad_index)
                *bad_index = i;
            return rc;
        }
    }
    return 0;
}
