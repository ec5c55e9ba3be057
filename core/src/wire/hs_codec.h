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
    HS_CERTIFICATE_STATUS = 22, /* TLS 1.2, RFC 6066 s.8 */
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

/* psk_key_exchange_modes values (RFC 8446 s.4.2.9); tlsm uses psk_dhe_ke only. */
#define PSK_MODE_DHE_KE 1

#define HS_HEADER_LEN 4
#define HS_RANDOM_LEN 32
/* The largest ClientHello the length fields allow: version, random, session_id<0..32>,
 * cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>, extensions<0..2^16-1>. */
#define HS_CLIENT_HELLO_MAX (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

typedef struct {
    uint16_t type;
    const uint8_t *data;
    size_t len;
} ext_entry;

/* An extension block, read whole: every extension is checked for form and uniqueness, and
 * however many there are, only the types tlsm reads (the enum above) are kept for
 * ext_find; the others are ignored as RFC 8446 s.4.2 requires, but stay visible to
 * ext_next (a response may carry only what we asked for). There is no count limit: the
 * work is bounded by the block's length. */
#define EXT_KNOWN 24
typedef struct {
    const uint8_t *p; size_t len;  /* the extensions, after the block's 2-byte length */
    size_t n;                      /* how many */
    size_t last_type;              /* type of the last one (pre_shared_key's rule) */
    ext_entry known[EXT_KNOWN];    /* by ext_slot(type); .data NULL when absent */
} ext_list;

/* Reads an extension block (2-byte length prefix) and every extension in it. Duplicate
 * types: R_EXT_DUPLICATE; malformed: R_EXT_DECODE. */
int ext_parse(wire_reader *r, ext_list *out);
/* The extension of that type, NULL if absent (or a type tlsm does not read). */
const ext_entry *ext_find(const ext_list *l, uint16_t type);
/* Walks every extension in order: start with *pos = 0; returns 1 and fills *e, or 0 at
 * the end. */
int ext_next(const ext_list *l, size_t *pos, ext_entry *e);

typedef struct {
    uint16_t legacy_version;
    const uint8_t *random;
    const uint8_t *sid; size_t sid_len;
    const uint8_t *suites; size_t suites_len;      /* bytes, even */
    const uint8_t *compressions; size_t comp_len;
    ext_list ext;
} ch_msg;

/* Decodes a ClientHello body (after the 4-byte header). Version-specific rules (where
 * pre_shared_key may be, what it holds) are the version's handler's. */
int ch_decode(const uint8_t *body, size_t len, ch_msg *out);
/* 1 if the ClientHello lists that cipher suite (or signalling value). */
int ch_offers_suite(const ch_msg *ch, uint16_t suite);

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

/* Certificate (s.4.4.2): the request context and the list of CertificateEntry, read
 * whole. cert_next walks the entries (cert_data and its extensions block). */
typedef struct {
    const uint8_t *context; size_t context_len;
    const uint8_t *list; size_t list_len;
    size_t n;             /* how many entries */
    int has_extensions;   /* some entry carries an extension */
    int tls12;            /* RFC 5246 s.7.4.2 layout: certificates without extensions */
} cert_msg;

int cert_decode(const uint8_t *body, size_t len, cert_msg *out);
/* Walks the entries: start with *pos = 0; returns 1 with the certificate's DER, or 0. */
int cert_next(const cert_msg *m, size_t *pos, const uint8_t **der, size_t *der_len);
/* The same with the entry's extensions (the block's contents, after its 2-byte length;
 * empty for TLS 1.2 lists). */
int cert_next_entry(const cert_msg *m, size_t *pos, const uint8_t **der, size_t *der_len,
                    const uint8_t **exts, size_t *exts_len);

#endif
