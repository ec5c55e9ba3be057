/*
 * fuzz_x509.c - libFuzzer target for the PKI parsers (core/src/pki): X.509 DER, PEM
 * blocks, private keys, host names. Built and run by build.sh / run.sh; seeds (the test
 * PKI as DER and PEM) in corpus/fuzz_x509/, written by gen_seeds.c.
 *
 * The first input byte picks a mode (low two bits); the rest is the payload:
 *   0  DER certificate: pki_cert_parse; on success every borrowed pointer lies inside the
 *      input, and the certificate goes through host matching and chain verification
 *      against the test CA (any answer is fine, but only a TLSM_ERR_CERT_* one).
 *   1  PEM: pki_pem_next over every block (any label); each block's DER is parsed as a
 *      certificate and as a private key.
 *   2  private key: pki_privkey_pem and pki_privkey_der on the payload.
 *   3  host name: the payload as a C string through pki_parse_ip and pki_match_host
 *      against the test server and client certificates.
 * Payloads are copied into exactly-sized heap buffers so AddressSanitizer sees any read
 * past the end. Any broken expectation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz_support.h"
#include "fuzz_pki_pem.h"
#include "pki/pki.h"

/* 2027-06-01T00:00:00Z, inside the validity of the test PKI. */
#define FUZZ_NOW 1811808000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Trust anchors and two known certificates, parsed once (read only afterwards). */
static pki_store anchors;
static uint8_t *server_der, *client_der;
static size_t server_len, client_len;
static pki_cert server_cert, client_cert;

static uint8_t *first_der(const char *pem, size_t *len)
{
    size_t pos = 0;
    uint8_t *der = NULL;
    CHECK(pki_pem_next((const uint8_t *)pem, strlen(pem), &pos, "CERTIFICATE", NULL, &der,
                       len) == 0);
    return der;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    CHECK(crypto_init() == 0);
    size_t len;
    uint8_t *ca = first_der(fuzz_pem_ca_crt, &len);
    pki_store_init(&anchors);
    CHECK(pki_store_add_der(&anchors, ca, len) == 0);
    free(ca);
    server_der = first_der(fuzz_pem_server_p256_chain_pem, &server_len);
    client_der = first_der(fuzz_pem_client_chain_pem, &client_len);
    CHECK(pki_cert_parse(&server_cert, server_der, server_len) == 0);
    CHECK(pki_cert_parse(&client_cert, client_der, client_len) == 0);
    return 0;
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    CHECK(q != NULL);
    if (n)
        memcpy(q, p, n);
    return q;
}

/* A borrowed span is NULL/empty or lies inside [base, base + len). */
static void inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
    if (p == NULL) {
        CHECK(n == 0);
        return;
    }
    CHECK(p >= base && n <= len && (size_t)(p - base) <= len - n);
}

/* A certificate error: in the TLSM_ERR_CERT_* range and named by tlsm_strerror. */
static int is_cert_error(int rc)
{
    return rc <= TLSM_ERR_CERT_PARSE && rc > -0x500 &&
           strcmp(tlsm_strerror(rc), "unknown error") != 0;
}

static void check_cert(const uint8_t *der, size_t len)
{
    pki_cert c;
    int rc = pki_cert_parse(&c, der, len);
    CHECK(rc == 0 || is_cert_error(rc));
    if (rc)
        return;
    CHECK(c.der == der && c.der_len == len);
    inside(c.tbs, c.tbs_len, der, len);
    inside(c.sig, c.sig_len, der, len);
    inside(c.serial, c.serial_len, der, len);
    inside(c.issuer, c.issuer_len, der, len);
    inside(c.subject, c.subject_len, der, len);
    inside(c.spki, c.spki_len, der, len);
    inside(c.san, c.san_len, der, len);
    inside(c.ski, c.ski_len, der, len);
    inside(c.aki, c.aki_len, der, len);
    CHECK(c.tbs != NULL && c.issuer != NULL && c.subject != NULL && c.spki != NULL);
    CHECK(c.version >= 1 && c.version <= 3 && c.path_len >= -1);

    rc = pki_match_host(&c, "server.tlsm.test");
    CHECK(rc == 0 || rc == TLSM_ERR_CERT_NAME_MISMATCH);
    rc = pki_match_host(&c, "192.0.2.1");
    CHECK(rc == 0 || rc == TLSM_ERR_CERT_NAME_MISMATCH);

    /* Alone and as the intermediate of a known leaf. */
    /* No verification cache: nothing may carry over from one input to the next. */
    pki_verify_opts opts = {"server.tlsm.test", FUZZ_NOW, PKI_PURPOSE_SERVER, 0, 0, NULL};
    size_t bad = 99;
    rc = pki_verify_chain(&anchors, &c, 1, &opts, &bad);
    CHECK(rc == 0 || is_cert_error(rc));
    CHECK(rc == 0 || bad <= 1);
    pki_cert chain[2] = {client_cert, c};
    opts.host = NULL;
    opts.purpose = PKI_PURPOSE_CLIENT;
    rc = pki_verify_chain(&anchors, chain, 2, &opts, &bad);
    CHECK(rc == 0 || is_cert_error(rc));
}

static void check_key_der(const uint8_t *der, size_t len)
{
    crypto_privkey *key = NULL;
    int rc = pki_privkey_der(der, len, &key);
    CHECK((rc == 0) == (key != NULL));
    if (key) {
        CHECK(crypto_privkey_bits(key) > 0 && crypto_privkey_sig_max(key) > 0);
        /* The test server key matches only the test server certificate. */
        (void)crypto_privkey_matches(key, &server_cert.pubkey);
        crypto_privkey_free(key);
    }
}

static void fuzz_pem(const uint8_t *p, size_t n)
{
    size_t pos = 0;
    for (int blocks = 0; blocks < 16; blocks++) {
        char label[64];
        uint8_t *der = NULL;
        size_t der_len = 0, before = pos;
        memset(label, 0xaa, sizeof label);
        int rc = pki_pem_next(p, n, &pos, NULL, label, &der, &der_len);
        CHECK(rc == 0 || rc == 1 || rc == TLSM_ERR_PEM);
        if (rc != 0) {
            CHECK(der == NULL || rc == TLSM_ERR_PEM);
            free(der);
            return;
        }
        CHECK(pos > before && pos <= n);
        CHECK(memchr(label, 0, sizeof label) != NULL);
        CHECK(der_len <= (pos - before) * 3 / 4);
        uint8_t *exact = dup_exact(der, der_len);
        free(der);
        check_cert(exact, der_len);
        check_key_der(exact, der_len);
        free(exact);
    }
}

static void fuzz_keys(const uint8_t *p, size_t n)
{
    crypto_privkey *key = NULL;
    int rc = pki_privkey_pem(p, n, &key);
    CHECK((rc == 0) == (key != NULL));
    crypto_privkey_free(key);
    check_key_der(p, n);
}

static void fuzz_host(const uint8_t *p, size_t n)
{
    char *host = malloc(n + 1);
    CHECK(host != NULL);
    if (n)
        memcpy(host, p, n);
    host[n] = 0;
    uint8_t ip[16];
    size_t ip_len = 0;
    int is_ip = pki_parse_ip(host, ip, &ip_len);
    CHECK(is_ip == 0 || (is_ip == 1 && (ip_len == 4 || ip_len == 16)));
    int rc = pki_match_host(&server_cert, host);
    CHECK(rc == 0 || rc == TLSM_ERR_CERT_NAME_MISMATCH);
    rc = pki_match_host(&client_cert, host);
    CHECK(rc == 0 || rc == TLSM_ERR_CERT_NAME_MISMATCH);
    free(host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t *p = dup_exact(data + 1, size - 1);
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0: check_cert(p, n); break;
    case 1: fuzz_pem(p, n); break;
    case 2: fuzz_keys(p, n); break;
    default: fuzz_host(p, n); break;
    }
    free(p);
    return 0;
}
