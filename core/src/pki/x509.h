/*
 * x509.h - the certificate parser behind pki_cert_parse, with the two relaxations trust
 * anchors need: an anchor's own signature is never checked, so it may use an algorithm
 * tlsm does not verify (old SHA-1 self-signed roots; its key must still be supported), and
 * it may carry a zero serial number or a GeneralizedTime before 2050 (real roots do).
 */
#ifndef TLSM_PKI_X509_H
#define TLSM_PKI_X509_H

#include "pki/pki.h"

/* Parses like pki_cert_parse; with anchor set an unsupported signature algorithm leaves
 * sig_alg = SIG_NONE instead of failing, and a zero serial and a GeneralizedTime before
 * 2050 are accepted. */
int x509_parse(pki_cert *c, const uint8_t *der, size_t len, int anchor);

#endif
