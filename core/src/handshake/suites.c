/*
 * suites.c - the cipher suite table (RFC 8446 B.4, RFC 5288, RFC 5289, RFC 7905).
 */
#include "handshake/suites.h"

#include <stddef.h>

static const suite_info suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", TLSM_TLS13, KX_TLS13, AUTH_ANY, AEAD_AES128_GCM, HASH_SHA256},
    {0x1302, "TLS_AES_256_GCM_SHA384", TLSM_TLS13, KX_TLS13, AUTH_ANY, AEAD_AES256_GCM, HASH_SHA384},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", TLSM_TLS13, KX_TLS13, AUTH_ANY,
     AEAD_CHACHA20_POLY1305, HASH_SHA256},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TLSM_TLS12, KX_ECDHE, AUTH_ECDSA,
     AEAD_AES128_GCM, HASH_SHA256},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TLSM_TLS12, KX_ECDHE, AUTH_ECDSA,
     AEAD_AES256_GCM, HASH_SHA384},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLSM_TLS12, KX_ECDHE, AUTH_ECDSA,
     AEAD_CHACHA20_POLY1305, HASH_SHA256},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLSM_TLS12, KX_ECDHE, AUTH_RSA,
     AEAD_AES128_GCM, HASH_SHA256},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLSM_TLS12, KX_ECDHE, AUTH_RSA,
     AEAD_AES256_GCM, HASH_SHA384},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLSM_TLS12, KX_ECDHE, AUTH_RSA,
     AEAD_CHACHA20_POLY1305, HASH_SHA256},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", TLSM_TLS12, KX_DHE, AUTH_RSA,
     AEAD_AES128_GCM, HASH_SHA256},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TLSM_TLS12, KX_DHE, AUTH_RSA,
     AEAD_AES256_GCM, HASH_SHA384},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLSM_TLS12, KX_DHE, AUTH_RSA,
     AEAD_CHACHA20_POLY1305, HASH_SHA256},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", TLSM_TLS12, KX_RSA, AUTH_RSA, AEAD_AES128_GCM,
     HASH_SHA256},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", TLSM_TLS12, KX_RSA, AUTH_RSA, AEAD_AES256_GCM,
     HASH_SHA384},
};

const suite_info *suite_find(uint16_t code)
{
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        if (suites[i].code == code)
            return &suites[i];
    return NULL;
}

int suite_allows_key(const suite_info *s, pk_type key)
{
    switch (s->auth) {
    case AUTH_ANY:
        return 1;
    case AUTH_ECDSA:
        return key == PK_EC_P256 || key == PK_EC_P384 || key == PK_ED25519;
    case AUTH_RSA:
        /* RSA key transport needs an rsaEncryption key; signatures may use RSA-PSS keys. */
        return key == PK_RSA || (key == PK_RSA_PSS && s->kx != KX_RSA);
    }
    return 0;
}

const char *tlsm_suite_name(uint16_t code)
{
    const suite_info *s = suite_find(code);
    return s ? s->name : "unknown";
}
