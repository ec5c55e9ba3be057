/*
 * hello.c - what the testing kit's traces say about a ClientHello or ServerHello: the
 * offered or chosen versions and suites and the list of extensions. Bounds are checked at
 * every step: a hello the kit cannot read (a fault cut or changed it) is simply not
 * summarized.
 */
#include <stdio.h>
#include <string.h>

#include "testkit/testkit.h"

/* RFC 8446 s.4.1.3: the random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

#define EXT_SUPPORTED_VERSIONS 43

static size_t get16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

/* Reads the extensions block at msg[off..end). */
static void decode_exts(const uint8_t *msg, size_t off, size_t end, int client, kit_hello *h)
{
    if (off + 2 > end)
        return;
    size_t stop = off + 2 + get16(msg + off);
    if (stop > end)
        return;
    for (off += 2; off + 4 <= stop;) {
        uint16_t type = (uint16_t)get16(msg + off);
        size_t n = get16(msg + off + 2);
        const uint8_t *data = msg + off + 4;
        if (off + 4 + n > stop)
            return;
        if (h->n_exts < KIT_HELLO_MAX)
            h->exts[h->n_exts++] = type;
        if (type == EXT_SUPPORTED_VERSIONS) {
            if (!client && n == 2) {
                h->versions[0] = (uint16_t)get16(data);
                h->n_versions = 1;
            } else if (client && n >= 1 && data[0] + 1u == n) {
                for (size_t i = 1; i + 1 < n && h->n_versions < 16; i += 2)
                    h->versions[h->n_versions++] = (uint16_t)get16(data + i);
            }
        }
        off += 4 + n;
    }
}

void kit_hello_decode(const uint8_t *msg, size_t len, kit_hello *h)
{
    memset(h, 0, sizeof *h);
    if (len < 4 || (msg[0] != 1 && msg[0] != 2))
        return;
    int client = msg[0] == 1;
    size_t end = 4 + ((size_t)msg[1] << 16 | get16(msg + 2));
    if (end > len)
        return;
    size_t off = 4;
    if (off + 2 + 32 + 1 > end)
        return;
    h->legacy_version = (uint16_t)get16(msg + off);
    h->hrr = !client && memcmp(msg + off + 2, hrr_random, 32) == 0;
    off += 2 + 32;
    off += 1 + msg[off]; /* session id */
    if (client) {
        if (off + 2 > end)
            return;
        size_t n = get16(msg + off);
        if (off + 2 + n > end)
            return;
        for (size_t i = 0; i + 1 < n && h->n_suites < KIT_HELLO_MAX; i += 2)
            h->suites[h->n_suites++] = (uint16_t)get16(msg + off + 2 + i);
        off += 2 + n;
        if (off >= end)
            return;
        off += 1 + msg[off]; /* compression methods */
    } else {
        if (off + 3 > end)
            return;
        h->suites[0] = (uint16_t)get16(msg + off);
        h->n_suites = 1;
        off += 3;
    }
    h->present = 1;
    decode_exts(msg, off, end, client, h);
}

const char *kit_ext_name(uint16_t type, char *buf, size_t cap)
{
    switch (type) {
    case 0: return "server_name";
    case 1: return "max_fragment_length";
    case 5: return "status_request";
    case 10: return "supported_groups";
    case 11: return "ec_point_formats";
    case 13: return "signature_algorithms";
    case 16: return "application_layer_protocol_negotiation";
    case 18: return "signed_certificate_timestamp";
    case 21: return "padding";
    case 22: return "encrypt_then_mac";
    case 23: return "extended_master_secret";
    case 28: return "record_size_limit";
    case 35: return "session_ticket";
    case 41: return "pre_shared_key";
    case 42: return "early_data";
    case 43: return "supported_versions";
    case 44: return "cookie";
    case 45: return "psk_key_exchange_modes";
    case 47: return "certificate_authorities";
    case 49: return "post_handshake_auth";
    case 50: return "signature_algorithms_cert";
    case 51: return "key_share";
    case 0xff01: return "renegotiation_info";
    }
    snprintf(buf, cap, "0x%04x", type);
    return buf;
}
