/*
 * test_ca_names.c - certificate_authorities (RFC 8446 s.4.2.4; RFC 5246 s.7.4.4): the names
 * we send (tlsm_config_set_ca_names), identities used only when the peer names one of
 * their issuers (tlsm_config_set_identity_issuer_match), and the framing of a received
 * list, in both versions and both roles.
 *
 * Every identity of the test PKI is issued by the same intermediate, itself issued by the
 * root: naming the root (or the intermediate) matches them all, and a made-up name none.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "internal.h"
#include "pair.h"
#include "pki/pki.h"
#include "wire/hs_codec.h"

static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};

static const char *vname(uint16_t v)
{
    return v == TLSM_TLS13 ? "TLS 1.3" : "TLS 1.2";
}

/* A Name no certificate here has: CN=nobody (SEQUENCE { SET { SEQUENCE { 2.5.4.3, "nobody" } } }). */
static const uint8_t nobody[] = {0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06, 0x03, 0x55, 0x04,
                                 0x03, 0x0c, 0x06, 'n',  'o',  'b',  'o',  'd',  'y'};

/* The DER subject of the root (tests/data/pki/ca.crt), copied into out. */
static size_t root_subject(uint8_t *out, size_t cap)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_eq(pair_add_trust(cfg, "ca.crt"), 0);
    size_t len = 0;
    const uint8_t *der = tlsm_config_trust_cert(cfg, 0, &len);
    cr_assert_not_null(der);
    pki_cert cert;
    cr_assert_eq(pki_cert_parse(&cert, der, len), 0);
    cr_assert_leq(cert.subject_len, cap);
    memcpy(out, cert.subject, cert.subject_len);
    size_t n = cert.subject_len;
    tlsm_config_free(cfg);
    return n;
}

/* ------------------------------------------------------------------ server identities */

typedef struct {
    const uint8_t *names; size_t len; /* what the client sends; NULL: nothing */
    int fallback;                     /* the server has a second, unrestricted identity */
} server_case;

/* The server's P-256 identity (index 0) must match an issuer; returns the server's
 * identity index, or -1 after checking that the handshake failed with NO_MATCHING_ISSUER. */
static int server_identity(uint16_t v, const server_case *sc, uint64_t seed)
{
    pair p;
    /* The client offers TLS 1.3 even when the server speaks only 1.2: a client sends the
     * extension only then, and a TLS 1.2 server reads it all the same. */
    pair_init(&p, &(pair_opts){0},
              &(pair_opts){.key = PAIR_KEY_P256, .min_version = v, .max_version = v}, seed);
    tlsm_config *s = p.side[PAIR_SERVER].cfg;
    if (sc->fallback)
        cr_assert_eq(pair_add_identity(s, PAIR_KEY_RSA), 0);
    cr_assert_eq(tlsm_config_set_identity_issuer_match(s, 0, 1), 0);
    if (sc->names)
        cr_assert_eq(tlsm_config_set_ca_names(p.side[PAIR_CLIENT].cfg, sc->names, sc->len), 0);
    pair_connect(&p, PAIR_HOST);
    int rc = pair_handshake(&p), id = -1;
    if (rc == 0) {
        id = tlsm_conn_identity(p.side[PAIR_SERVER].conn);
    } else {
        cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), "NO_MATCHING_ISSUER", "%s: %s",
                         vname(v), pair_reason(p.side[PAIR_SERVER].conn));
        cr_assert_eq(tlsm_conn_error(p.side[PAIR_SERVER].conn),
                     TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE));
    }
    pair_free(&p);
    return id;
}

Test(ca_names, server_identity_needs_a_named_issuer)
{
    uint8_t root[512], both[600];
    size_t n = root_subject(root, sizeof root);
    memcpy(both, nobody, sizeof nobody);
    memcpy(both + sizeof nobody, root, n);
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        uint16_t v = versions[i];
        cr_assert_eq(server_identity(v, &(server_case){root, n, 0}, 11), 0, "%s", vname(v));
        /* The matching name second in the list. */
        cr_assert_eq(server_identity(v, &(server_case){both, sizeof nobody + n, 0}, 12), 0);
        /* No name of ours, or no list: the identity is passed over. */
        cr_assert_eq(server_identity(v, &(server_case){nobody, sizeof nobody, 0}, 13), -1);
        cr_assert_eq(server_identity(v, &(server_case){NULL, 0, 0}, 14), -1);
        /* Another identity that need not match serves instead. */
        cr_assert_eq(server_identity(v, &(server_case){nobody, sizeof nobody, 1}, 15), 1);
        cr_assert_eq(server_identity(v, &(server_case){root, n, 1}, 16), 0);
    }
}

/* ------------------------------------------------------------------ client identities */

/* The server requires a client certificate and sends `names` (NULL: its default, the
 * trust anchors' subjects; len 0 with non-NULL: none); the client's identity must match.
 * Returns whether the client sent its certificate. */
static int client_sends_certificate(uint16_t v, const uint8_t *names, size_t len, uint64_t seed)
{
    pair p;
    pair_init(&p, &(pair_opts){.key = PAIR_KEY_CLIENT, .min_version = v, .max_version = v},
              &(pair_opts){.key = PAIR_KEY_P256, .client_auth = 1}, seed);
    cr_assert_eq(tlsm_config_set_identity_issuer_match(p.side[PAIR_CLIENT].cfg, 0, 1), 0);
    if (names)
        cr_assert_eq(tlsm_config_set_ca_names(p.side[PAIR_SERVER].cfg, names, len), 0);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0, "%s: %s / %s", vname(v), pair_reason(p.side[0].conn),
                 pair_reason(p.side[1].conn));
    int sent = tlsm_conn_identity(p.side[PAIR_CLIENT].conn) == 0;
    cr_assert_eq(sent, tlsm_conn_peer_cert_count(p.side[PAIR_SERVER].conn) > 0);
    pair_free(&p);
    return sent;
}

Test(ca_names, client_identity_needs_a_named_issuer)
{
    uint8_t root[512];
    size_t n = root_subject(root, sizeof root);
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        uint16_t v = versions[i];
        cr_assert(client_sends_certificate(v, NULL, 0, 21), "%s: trust anchors named", vname(v));
        cr_assert(client_sends_certificate(v, root, n, 22), "%s", vname(v));
        cr_assert_not(client_sends_certificate(v, nobody, sizeof nobody, 23), "%s", vname(v));
        cr_assert_not(client_sends_certificate(v, nobody, 0, 24), "%s: none sent", vname(v));
    }
}

/* ------------------------------------------------------------------ what goes on the wire */

static const uint8_t *ca_ext;
static size_t ca_ext_len;

static void keep_ca_ext(ch_parts *ch, ch_extra *x)
{
    (void)x;
    pair_buf *b = ch_ext(ch, EXT_CERTIFICATE_AUTHORITIES);
    static uint8_t copy[1024];
    cr_assert_leq(b->len, sizeof copy);
    memcpy(copy, b->data, b->len);
    ca_ext = copy;
    ca_ext_len = b->len;
}

static void no_edit(ch_parts *ch, ch_extra *x)
{
    (void)ch;
    (void)x;
}

/* A client sends exactly the names it was given, each with its length; a TLS 1.2 server's
 * CertificateRequest lists its trust anchors' subjects by default and nothing after
 * tlsm_config_set_ca_names(cfg, NULL, 0). */
Test(ca_names, wire_format)
{
    uint8_t root[512];
    size_t n = root_subject(root, sizeof root);
    uint8_t two[600];
    memcpy(two, root, n);
    memcpy(two + n, nobody, sizeof nobody);

    pair p;
    hello_edit e;
    pair_init(&p, &(pair_opts){0}, &(pair_opts){.key = PAIR_KEY_P256}, 31);
    cr_assert_eq(tlsm_config_set_ca_names(p.side[PAIR_CLIENT].cfg, two, n + sizeof nobody), 0);
    pair_connect(&p, PAIR_HOST);
    hello_edit_run(&p, &e, keep_ca_ext);
    cr_assert_eq(ca_ext_len, 2 + 2 + n + 2 + sizeof nobody);
    cr_assert_eq(hello_get16(ca_ext), ca_ext_len - 2);
    cr_assert_eq(hello_get16(ca_ext + 2), n);
    cr_assert_eq(memcmp(ca_ext + 4, root, n), 0);
    cr_assert_eq(hello_get16(ca_ext + 4 + n), sizeof nobody);
    cr_assert_eq(memcmp(ca_ext + 6 + n, nobody, sizeof nobody), 0);
    hello_edit_free(&e);
    pair_free(&p);

    for (int none = 0; none < 2; none++) {
        pair_init(&p, &(pair_opts){.key = PAIR_KEY_CLIENT},
                  &(pair_opts){.key = PAIR_KEY_P256, .client_auth = 1, .max_version = TLSM_TLS12},
                  33);
        if (none)
            cr_assert_eq(tlsm_config_set_ca_names(p.side[PAIR_SERVER].cfg, NULL, 0), 0);
        pair_connect(&p, PAIR_HOST);
        hello_edit_run(&p, &e, no_edit);
        size_t len = 0;
        const uint8_t *cr = hello_server_msg(&e, HS_CERTIFICATE_REQUEST, &len);
        cr_assert_not_null(cr);
        /* certificate_types<1..255>, signature algorithms<2..>, authorities<0..> */
        size_t at = 1 + cr[0];
        at += 2 + hello_get16(cr + at);
        size_t list = hello_get16(cr + at);
        cr_assert_eq(at + 2 + list, len);
        if (none) {
            cr_assert_eq(list, 0);
        } else {
            cr_assert_eq(list, 2 + n);
            cr_assert_eq(memcmp(cr + at + 4, root, n), 0);
        }
        hello_edit_free(&e);
        pair_free(&p);
    }
}

/* ------------------------------------------------------------------ received framing */

static const uint8_t *bad_body;
static size_t bad_len;

static void add_bad_ext(ch_parts *ch, ch_extra *x)
{
    (void)ch;
    hello_put16(&x->front, EXT_CERTIFICATE_AUTHORITIES);
    hello_put16(&x->front, bad_len);
    pair_buf_append(&x->front, bad_body, bad_len);
}

/* s.4.2.4: authorities<3..2^16-1>, each DistinguishedName<1..2^16-1>, exactly covering the
 * extension: an empty list, an empty name, a name running past the list, and a byte after
 * the list are decode_error, read whether or not an identity needs them. */
Test(ca_names, malformed_lists_are_decode_error)
{
    static const uint8_t empty_list[] = {0x00, 0x00};
    static const uint8_t empty_name[] = {0x00, 0x02, 0x00, 0x00};
    static const uint8_t overrun[] = {0x00, 0x04, 0x00, 0x05, 0x30, 0x00};
    static const uint8_t trailing[] = {0x00, 0x04, 0x00, 0x02, 0x30, 0x00, 0xff};
    static const uint8_t ok[] = {0x00, 0x04, 0x00, 0x02, 0x30, 0x00};
    const struct { const uint8_t *b; size_t n; int good; } cases[] = {
        {empty_list, sizeof empty_list, 0}, {empty_name, sizeof empty_name, 0},
        {overrun, sizeof overrun, 0},       {trailing, sizeof trailing, 0},
        {ok, sizeof ok, 1}};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
            pair p;
            hello_edit e;
            pair_init(&p, &(pair_opts){0},
                      &(pair_opts){.key = PAIR_KEY_P256, .max_version = versions[i]}, 41 + k);
            pair_connect(&p, PAIR_HOST);
            bad_body = cases[k].b;
            bad_len = cases[k].n;
            hello_edit_run(&p, &e, add_bad_ext);
            size_t len;
            const char *why = pair_reason(p.side[PAIR_SERVER].conn);
            if (cases[k].good) {
                cr_assert_not_null(hello_server_msg(&e, HS_SERVER_HELLO, &len), "%s case %zu: %s",
                                   vname(versions[i]), k, why);
            } else {
                cr_assert_str_eq(why, "CA_NAMES_DECODE", "%s case %zu: %s", vname(versions[i]),
                                 k, why);
                cr_assert_eq(tlsm_conn_error(p.side[PAIR_SERVER].conn),
                             TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_DECODE_ERROR));
            }
            hello_edit_free(&e);
            pair_free(&p);
        }
    }
}

Test(ca_names, arguments)
{
    static const uint8_t not_der[] = {0x30, 0x05, 0x00};
    static const uint8_t not_seq[] = {0x04, 0x00};
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert_eq(tlsm_config_set_ca_names(cfg, not_der, sizeof not_der), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_ca_names(cfg, not_seq, sizeof not_seq), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_ca_names(cfg, NULL, 3), TLSM_ERR_ARG);
    /* 3,500 names of 19 bytes (+2 each on the wire) pass 65,535 bytes. */
    size_t many = 3500;
    uint8_t *big = malloc(many * sizeof nobody);
    for (size_t i = 0; i < many; i++)
        memcpy(big + i * sizeof nobody, nobody, sizeof nobody);
    cr_assert_eq(tlsm_config_set_ca_names(cfg, big, many * sizeof nobody), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_ca_names(cfg, big, 3000 * sizeof nobody), 0);
    free(big);
    cr_assert_eq(tlsm_config_set_identity_issuer_match(cfg, 0, 1), TLSM_ERR_ARG, "no identity");
    cr_assert_eq(pair_add_identity(cfg, PAIR_KEY_P256), 0);
    cr_assert_eq(tlsm_config_set_identity_issuer_match(cfg, 0, 1), 0);
    tlsm_config_free(cfg);
}
