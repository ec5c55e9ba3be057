/*
 * test_cert_info.c - tlsm_cert_info: names as one escaped line, validity, serial, CA flag,
 * and refusal of malformed input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/pki.h"
#include "tlsm.h"

static uint8_t *first_cert(const char *file, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/pki/%s", TLSM_SOURCE_DIR, file);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static uint8_t pem[65536];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    size_t pos = 0;
    uint8_t *der;
    cr_assert_eq(pki_pem_next(pem, n, &pos, "CERTIFICATE", NULL, &der, len), 0);
    return der;
}

Test(cert_info, leaf_and_ca)
{
    size_t len;
    uint8_t *der = first_cert("server-p256.crt", &len);
    tlsm_cert_facts f;
    cr_assert_eq(tlsm_cert_info(der, len, &f), 0);
    cr_assert_str_eq(f.subject, "CN=server.tlsm.test");
    cr_assert_str_eq(f.issuer, "CN=tlsm test intermediate CA");
    cr_assert(!f.is_ca);
    cr_assert_gt(f.not_after, f.not_before);
    cr_assert(f.serial_len == 8 || f.serial_len == 9); /* 8 random bytes, maybe a sign byte */
    free(der);
    der = first_cert("ca.crt", &len);
    cr_assert_eq(tlsm_cert_info(der, len, &f), 0);
    cr_assert_str_eq(f.subject, "CN=tlsm test root CA");
    cr_assert_str_eq(f.subject, f.issuer);
    cr_assert(f.is_ca);
    /* Every truncation is refused, never read past. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, der, n);
        cr_assert_neq(tlsm_cert_info(cut, n, &f), 0);
        free(cut);
    }
    cr_assert_eq(tlsm_cert_info(NULL, 0, &f), TLSM_ERR_ARG);
    free(der);
}
