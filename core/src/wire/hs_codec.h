/*
 * hs_codec.h - TLS 1.3 handshake message and extension codes, and decoders for the
 * messages whose structure is more than a few fields: the extension block (with the
 * duplicate check of RFC 8446 s.4.2), ClientHello and ServerHello/HelloRetryRequest, and the
 * Certificate message. Decoders borrow from the input and return 0 or FAIL(R_...).
 * The simple messages (Finished, KeyUpdate, CertificateVerify, ...) are read field by field
 * with the cursor where they are handled.
 */
#ifndef TLSM_HS_CODEC_H
#define TLSM_HS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

enum {
    HS_HELLO_REQUEST = 0,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14,
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
    HS_KEY_UPDATE = 24,
    HS_MESSAGE_HASH = 254
};

enum {
    EXT_SERVER_NAME = 0,
    EXT_STATUS_REQUEST = 5,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_SCT = 18,
    EXT_PADDING = 21,
    EXT_EXTENDED_MASTER_SECRET = 23,
    EXT_RECORD_SIZE_LIMIT = 28,
    EXT_SESSION_TICKET = 35,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_COOKIE = 44,
    EXT_PSK_KEY_EXCHANGE_MODES = 45,
    EXT_CERTIFICATE_AUTHORITIES = 47,
    EXT_OID_FILTERS = 48,
    EXT_POST_HANDSHAKE_AUTH = 49,
    EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    EXT_KEY_SHARE = 51,
    EXT_RENEGOTIATION_INFO = 0xff01
};

#define HS_HEADER_LEN 4
#define HS_RANDOM_LEN 32
#define EXT_MAX 64

typedef struct {
    uint16_t type;
    const uint8_t *data;
    size_t len;
} ext_entry;

typedef struct {
    ext_entry e[EXT_MAX];
    size_t n;
} ext_list;

/* Reads an extension block (2-byte length prefix) and every extension in it. Duplicate
 * types: illegal_parameter; malformed: decode_error. */
int ext_parse(wire_reader *r, ext_list *out);
const ext_entry *ext_find(const ext_list *l, uint16_t type);

typedef struct {
    uint16_t legacy_version;
    const uint8_t *random;
    const uint8_t *sid; size_t sid_len;
    const uint8_t *suites; size_t suites_len;      /* bytes, even */
    const uint8_t *compressions; size_t comp_len;
    ext_list ext;
    size_t binders_len;   /* bytes at the end of the message taken by the PSK binders
                             (with their 2-byte length), 0 without pre_shared_key */
} ch_msg;

/* Decodes a ClientHello body (after the 4-byte header). Checks pre_shared_key is the last
 * extension (s.4.2.11: illegal_parameter). */
int ch_decode(const uint8_t *body, size_t len, ch_msg *out);

typedef struct {
    uint16_t legacy_version;
    const uint8_t *random;
    const uint8_t *sid; size_t sid_len;
    uint16_t suite;
    uint8_t compression;
    ext_list ext;
    int is_hrr;
} sh_msg;

/* The HelloRetryRequest marker: SHA-256("HelloRetryRequest") as ServerHello.random. */
extern const uint8_t HS_HRR_RANDOM[HS_RANDOM_LEN];

int sh_decode(const uint8_t *body, size_t len, sh_msg *out);

/* Certificate (s.4.4.2): request context and up to max entries of cert_data (extensions per
 * entry are checked for form and otherwise ignored). Empty list allowed here; callers
 * decide. More than max entries: bad_certificate. */
typedef struct {
    const uint8_t *context; size_t context_len;
    const uint8_t *cert[10]; size_t cert_len[10];
    size_t n;
} cert_msg;

int cert_decode(const uint8_t *body, size_t len, size_t max, cert_msg *out);

#endif
