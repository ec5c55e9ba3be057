/*
 * dnsname.c - the one definition of a DNS name that tlsm accepts, shared by the host name
 * matcher (host.c: the name asked for and the dNSName entries of a certificate), the name
 * constraint checker (nc.c) and the certificate parser (x509.c: dNSName constraints).
 *
 * RFC 5280 s.4.2.1.6: "The name MUST be in the "preferred name syntax", as specified by
 * Section 3.5 of [RFC1034] and as modified by Section 2.1 of [RFC1123]." and
 * s.4.2.1.10: "DNS name restrictions are expressed as host.example.com." The rules:
 *  - labels separated by single dots, each 1 to 63 characters of ASCII letters, digits,
 *    '-' and '_', not starting or ending with '-' (RFC 1034 s.3.5: a label ends with a
 *    letter or digit; RFC 1123 s.2.1 lets it start with a digit); at most 253 characters;
 *  - so no empty label: no leading dot, no "..", and no trailing dot. The absolute form
 *    "example.com." is not preferred name syntax; only the host name a caller asks for may
 *    carry one trailing dot, which host.c removes before matching;
 *  - '_' is tolerated although the preferred syntax has no place for it: private names
 *    such as "_sip._tcp.example.com" or "build_01.corp" carry it, OpenSSL and Go accept
 *    it, and no name can be confused with another because of it (pyca/cryptography
 *    refuses it; tlsm keeps names that real private PKIs issue);
 *  - PKI_DNS_WILDCARD (subjectAltName): the left-most label may be "*" alone, the only
 *    wildcard RFC 9525 s.6.3 lets match; "f*o" or "*" elsewhere is malformed;
 *  - PKI_DNS_CONSTRAINT (nameConstraints): "" (every name, as OpenSSL, Go and NSS read it)
 *    and a leading '.' (".example.com": only the names below example.com, the widespread
 *    reading of OpenSSL and Go; RFC 5280 defines the leading dot for URIs and mailboxes)
 *    are accepted; a wildcard never is.
 * Where tlsm judges: a malformed dNSName constraint makes its CA certificate unusable
 * (x509.c records TLSM_ERR_CERT_BAD_DNS_NAME as its defect); a malformed dNSName in a
 * subjectAltName never matches a host name, and fails the chain only when a CA on the
 * path constrains DNS names (nc.c), because no constraint can be applied to it. The
 * certificate itself stays usable for its well-formed names.
 */
#include "pki/pki.h"

static int ldh(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

int pki_dns_name_valid(const uint8_t *name, size_t len, unsigned flags)
{
    if (!name)
        return 0;
    if (flags & PKI_DNS_CONSTRAINT) {
        if (len == 0)
            return 1;
        if (name[0] == '.') {
            name++;
            len--;
        }
    }
    if ((flags & PKI_DNS_WILDCARD) && len >= 2 && name[0] == '*' && name[1] == '.') {
        name += 2;
        len -= 2;
    }
    if (len == 0 || len > 253)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.') {
            if (!ldh(name[i]))
                return 0;
            continue;
        }
        size_t label = i - start;
        if (label == 0 || label > 63 || name[start] == '-' || name[i - 1] == '-')
            return 0;
        start = i + 1;
    }
    return 1;
}
