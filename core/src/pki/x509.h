/*
 * x509.h - the certificate parser behind pki_cert_parse, with the one relaxation trust
 * anchors need: an anchor's own signature is never checked, so it may use an algorithm
 * tlsm does not verify (old SHA-1 self-signed roots); its key must still be supported.
 */
#ifndef TLSM_PKI_X509_H
#define TLSM_PKI_X509_H

#include "pki/pki.h"

/* Parses like pki_cert_parse; with allow_unknown_sig an unsupported signature algorithm
 * leaves sig_alg = SIG_NONE instead of failing. */
int x509_parse(pki_cert *c, const uint8_t *der, size_t len, int allow_unknown_sig);

#endif
