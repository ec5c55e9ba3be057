/*
 * shim_config.c - one tlsm_config from one connection's options, configured the way
 * BoringSSL's own shim configures BoringSSL (ssl/test/test_config.cc), so that the
 * runner's expectations hold:
 *  - the peer's certificate chain goes to the shim's verification hook and is accepted
 *    there unless -verify-fail (the reference shim does the same with its verify callback;
 *    BoGo tests the protocol, not X.509 path building);
 *  - Extended Master Secret is optional, as in BoringSSL, unless the test expects it;
 *  - the cipher list is BoringSSL's "ALL" (RSA key transport included) unless -cipher;
 *  - TLS 1.0 and 1.1 do not exist: a test that needs them is unimplemented.
 * Anything tlsm cannot do exits 89 through shim_unimplemented() with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli.h"
#include "shim.h"

/* The clock every config reads: the time the shim started, moved forward only by
 * -resumption-delay, as the reference shim's clock does, so that ticket ages are exact
 * (the runner checks the obfuscated ticket age to the millisecond). */
static uint64_t clock_start_ms;
static uint64_t clock_offset_ms;

void shim_clock_advance(unsigned seconds)
{
    clock_offset_ms += (uint64_t)seconds * 1000;
}

static uint64_t shim_clock(void *ctx)
{
    (void)ctx;
    if (clock_start_ms == 0) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        clock_start_ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
    }
    return clock_start_ms + clock_offset_ms;
}

static int set_versions(tlsm_config *cfg, const shim_opts *o)
{
    int min = o->min_version ? o->min_version : TLSM_TLS12;
    int max = o->max_version ? o->max_version : TLSM_TLS13;
    if (max < TLSM_TLS12)
        shim_unimplemented("maximum version 0x%04x: only TLS 1.2 and 1.3 exist in tlsm", max);
    if (min > TLSM_TLS13)
        shim_unimplemented("minimum version 0x%04x is above TLS 1.3", min);
    if (min < TLSM_TLS12)
        min = TLSM_TLS12; /* BoringSSL's floor is TLS 1.0; tlsm's is TLS 1.2 (RFC 8996) */
    if (o->no_tls13 && max > TLSM_TLS12)
        max = TLSM_TLS12;
    if (o->no_tls12 && min < TLSM_TLS13)
        min = TLSM_TLS13;
    if (min > max) {
        shim_fail("no protocol versions enabled");
        return -1;
    }
    int rc = tlsm_config_set_versions(cfg, (uint16_t)min, (uint16_t)max);
    if (rc != 0)
        shim_fail("tlsm_config_set_versions: %s", tlsm_strerror(rc));
    return rc;
}

static int set_suites(tlsm_config *cfg, const shim_opts *o)
{
    shim_codes suites = {0};
    int rc = o->cipher ? shim_cipher_rule(o->cipher, &suites) : shim_all_suites(&suites);
    if (rc != 0) {
        shim_codes_free(&suites);
        shim_unimplemented("-cipher: %s", strchr(o->cipher, '[')
                                              ? "equal-preference groups [a|b] have no tlsm counterpart"
                                              : "a rule item tlsm has no counterpart for");
    }
    rc = tlsm_config_set_suites(cfg, suites.v, suites.n);
    shim_codes_free(&suites);
    if (rc != 0)
        shim_fail("tlsm_config_set_suites: %s", tlsm_strerror(rc));
    return rc;
}

static int is_kem_group(uint16_t g)
{
    return g == TLSM_GROUP_X25519MLKEM768 || g == TLSM_GROUP_SECP256R1MLKEM768 ||
           g == TLSM_GROUP_MLKEM768;
}

static int set_groups(tlsm_config *cfg, const shim_opts *o)
{
    for (size_t i = 0; i < o->curves.n; i++)
        if (!shim_group_known(o->curves.v[i]))
            shim_unimplemented("group 0x%04x is not implemented", o->curves.v[i]);
    /* A tlsm client sends a share for its first group and one for its first group of the
     * other kind, classical or ML-KEM (the defaults: X25519MLKEM768 and X25519).
     * -key-shares must name exactly those. */
    if (o->key_shares.n) {
        uint16_t want[2] = {TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_X25519};
        size_t n_want = 2;
        if (o->curves.n) {
            want[0] = o->curves.v[0];
            n_want = 1;
            for (size_t i = 1; i < o->curves.n && n_want == 1; i++)
                if (is_kem_group(o->curves.v[i]) != is_kem_group(want[0]))
                    want[n_want++] = o->curves.v[i];
        }
        int same = o->key_shares.n == n_want;
        for (size_t i = 0; same && i < n_want; i++)
            same = o->key_shares.v[i] == want[i];
        if (!same)
            shim_unimplemented("-key-shares: a tlsm client sends a share for its first group "
                               "and for its first group of the other kind (classical/ML-KEM)");
    }
    if (o->curves.n == 0)
        return 0;
    int rc = tlsm_config_set_groups(cfg, o->curves.v, o->curves.n);
    if (rc != 0)
        shim_fail("tlsm_config_set_groups: %s", tlsm_strerror(rc));
    return rc;
}

/* The key family of the first certificate of a PEM file, as a bit (1 << SHIM_FAMILY_*), 0
 * when unknown. */
static int file_key_family(const char *path)
{
    cli_cert_list certs = {0};
    int family = 0;
    if (path && cli_cert_list_add_file(&certs, path) == 0 && certs.n > 0)
        family = shim_cert_key_family(certs.v[0].der, certs.v[0].len);
    cli_cert_list_free(&certs);
    return family ? 1 << family : 0;
}

/* The key families of the shim's own certificates, as a bit set. */
static int own_key_families(const shim_opts *o)
{
    int families = file_key_family(o->default_credential.cert_file);
    for (size_t i = 0; i < o->n_credentials; i++)
        families |= file_key_family(o->credentials[i].cert_file);
    return families;
}

/* tlsm has one list of signature schemes: it signs with the first one its key can use and
 * the peer accepts, and it offers and accepts all of them. BoringSSL has two lists. So:
 *  - with -signing-prefs only, the list is those, then the default schemes of the other
 *    key families, so that the peer's signatures of another family still verify. When the
 *    peer's key is of the shim's own family (the runner's roots, -trust-cert, have the key
 *    of its leaves), one list cannot say both things: the test is unimplemented;
 *  - with -verify-prefs only, the list is those, then the default schemes of the shim's
 *    own key family, so that it can still sign (the peer's signatures of that family are
 *    then accepted beyond -verify-prefs: a test relying on that refusal fails here);
 *  - both must then be the same list.
 * Schemes tlsm lacks are left out, as BoringSSL ignores the schemes it cannot use; a list
 * of nothing but those is unsupported. */
/* Appends tlsm's default schemes of the key families in `families` (a bit set). */
static int add_default_schemes(shim_codes *list, int families)
{
    static const uint16_t defaults[] = {
        TLSM_SIG_ECDSA_SECP256R1_SHA256, TLSM_SIG_ECDSA_SECP384R1_SHA384, TLSM_SIG_ED25519,
        TLSM_SIG_RSA_PSS_RSAE_SHA256,    TLSM_SIG_RSA_PSS_RSAE_SHA384,    TLSM_SIG_RSA_PSS_RSAE_SHA512,
        TLSM_SIG_RSA_PKCS1_SHA256,       TLSM_SIG_RSA_PKCS1_SHA384,       TLSM_SIG_RSA_PKCS1_SHA512};
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
        if ((families & (1 << shim_scheme_family(defaults[i]))) &&
            !shim_codes_has(list, defaults[i]) && shim_codes_push(list, defaults[i]) != 0)
            return -1;
    return 0;
}

static int set_sigalgs(tlsm_config *cfg, const shim_opts *o)
{
    int signing = o->signing_prefs.n > 0;
    const shim_codes *given = signing ? &o->signing_prefs : &o->verify_prefs;
    if (given->n == 0)
        return 0;
    if (signing && o->verify_prefs.n &&
        (o->signing_prefs.n != o->verify_prefs.n ||
         memcmp(o->signing_prefs.v, o->verify_prefs.v, 2 * o->verify_prefs.n) != 0))
        shim_unimplemented("different -signing-prefs and -verify-prefs: tlsm has one list");
    int own = own_key_families(o), given_families = 0;
    if (signing && !o->verify_prefs.n && (own & file_key_family(o->trust_cert)))
        shim_unimplemented("-signing-prefs for a key of the peer's type: tlsm has one list "
                           "of signature schemes for signing and verifying");
    shim_codes list = {0};
    int rc = 0;
    for (size_t i = 0; i < given->n && rc == 0; i++) {
        if (!shim_sigalg_known(given->v[i]))
            continue;
        given_families |= 1 << shim_scheme_family(given->v[i]);
        rc = shim_codes_push(&list, given->v[i]);
    }
    if (rc == 0 && list.n == 0) {
        shim_codes_free(&list);
        shim_unimplemented("signature scheme 0x%04x is not implemented", given->v[0]);
    }
    /* Signing preferences: the other families verify as by default. Verify preferences:
     * the shim's own family can still sign. */
    if (rc == 0)
        rc = add_default_schemes(&list, signing ? ~(own ? own : given_families) : own);
    if (rc == 0)
        rc = tlsm_config_set_sigalgs(cfg, list.v, list.n);
    shim_codes_free(&list);
    if (rc != 0)
        shim_fail("tlsm_config_set_sigalgs: %s", tlsm_strerror(rc));
    return rc;
}

static int add_credential(tlsm_config *cfg, const shim_credential *c)
{
    if (!c->cert_file && !c->key_file)
        return 0;
    if (!c->cert_file || !c->key_file) {
        shim_fail("-cert-file and -key-file go together");
        return -1;
    }
    uint8_t *chain = NULL, *key = NULL;
    size_t chain_len = 0, key_len = 0;
    if (cli_read_file(c->cert_file, &chain, &chain_len) != 0 ||
        cli_read_file(c->key_file, &key, &key_len) != 0) {
        free(chain);
        return -1;
    }
    int rc = tlsm_config_add_identity_pem(cfg, chain, chain_len, key, key_len);
    free(chain);
    explicit_bzero(key, key_len);
    free(key);
    if (rc == TLSM_ERR_KEY || rc == TLSM_ERR_CERT_UNSUPPORTED_ALG)
        shim_unimplemented("credential: %s", tlsm_strerror(rc));
    if (rc != 0)
        shim_fail("credential %s / %s: %s", c->cert_file, c->key_file, tlsm_strerror(rc));
    return rc;
}

/* The credential's stapled OCSP response, if it has one (-ocsp-response). */
static int set_ocsp(tlsm_config *cfg, const shim_opts *o, size_t index,
                    const shim_credential *c)
{
    uint8_t *der = NULL;
    size_t len = 0;
    /* A declining status callback staples nothing. */
    if (!c->ocsp_b64 || !*c->ocsp_b64 || (o->use_ocsp_callback && o->decline_ocsp_callback))
        return 0;
    if (shim_base64(c->ocsp_b64, &der, &len) != 0) {
        shim_fail("-ocsp-response: not base64");
        return -1;
    }
    int rc = tlsm_config_set_identity_ocsp(cfg, index, der, len);
    free(der);
    if (rc != 0)
        shim_fail("tlsm_config_set_identity_ocsp: %s", tlsm_strerror(rc));
    return rc;
}

/* The added credentials first, in order, then the default one (BoringSSL's order). */
static int add_credentials(tlsm_config *cfg, const shim_opts *o)
{
    for (size_t i = 0; i < o->n_credentials; i++) {
        if (!o->credentials[i].cert_file || !o->credentials[i].key_file) {
            shim_fail("-new-x509-credential without -cert-file and -key-file");
            return -1;
        }
        if (add_credential(cfg, &o->credentials[i]) != 0 ||
            set_ocsp(cfg, o, i, &o->credentials[i]))
            return -1;
    }
    if (add_credential(cfg, &o->default_credential) != 0)
        return -1;
    return o->default_credential.cert_file
               ? set_ocsp(cfg, o, o->n_credentials, &o->default_credential)
               : 0;
}

/* ALPN: a client advertises the runner's wire-format list as given; a server "selects"
 * -select-alpn by offering only that protocol (tlsm picks from its own list). */
static int set_alpn(tlsm_config *cfg, const shim_opts *o)
{
    int rc = 0;
    if (!o->is_server && o->advertise_alpn && *o->advertise_alpn) {
        rc = tlsm_config_set_alpn(cfg, (const uint8_t *)o->advertise_alpn,
                                  strlen(o->advertise_alpn));
    } else if (o->is_server && o->select_alpn && !o->decline_alpn) {
        size_t n = strlen(o->select_alpn);
        if (n == 0 || n > 255)
            shim_unimplemented("-select-alpn of %zu bytes", n);
        uint8_t wire[256];
        wire[0] = (uint8_t)n;
        memcpy(wire + 1, o->select_alpn, n);
        rc = tlsm_config_set_alpn(cfg, wire, n + 1);
    }
    if (rc != 0)
        shim_fail("tlsm_config_set_alpn: %s", tlsm_strerror(rc));
    return rc;
}

static int set_peer_verification(tlsm_config *cfg, const shim_opts *o)
{
    int rc = tlsm_config_set_verify(cfg, TLSM_VERIFY_INSECURE_NO_VERIFICATION);
    if (rc == 0)
        rc = tlsm_config_set_verify_external(cfg, 1);
    if (rc == 0 && o->reverify_on_resume)
        rc = tlsm_config_set_reverify_on_resume(cfg, 1);
    if (rc == 0 && o->enable_ocsp_stapling && !o->is_server)
        rc = tlsm_config_set_ocsp_request(cfg, 1);
    if (rc == 0 && o->is_server && (o->require_any_client_certificate || o->verify_peer))
        rc = tlsm_config_set_client_auth(cfg, o->require_any_client_certificate ? 2 : 1);
    if (rc != 0)
        shim_fail("peer verification settings: %s", tlsm_strerror(rc));
    return rc;
}

static int set_sessions(tlsm_config *cfg, const shim_opts *o, const uint8_t ticket_key[32])
{
    int rc = tlsm_config_set_require_ems(cfg, o->expect_extended_master_secret);
    if (rc == 0 && o->no_ticket)
        rc = tlsm_config_set_tickets(cfg, 0);
    if (rc == 0 && o->is_server)
        rc = tlsm_config_set_ticket_key(cfg, ticket_key, 32);
    if (rc == 0)
        rc = tlsm_config_set_clock(cfg, shim_clock, NULL);
    if (rc != 0)
        shim_fail("session settings: %s", tlsm_strerror(rc));
    return rc;
}

tlsm_config *shim_build_config(const shim_opts *o, const uint8_t ticket_key[32])
{
    tlsm_config *cfg = tlsm_config_new(o->is_server ? TLSM_ROLE_SERVER : TLSM_ROLE_CLIENT);
    if (!cfg) {
        shim_fail("tlsm_config_new failed");
        return NULL;
    }
    if (set_versions(cfg, o) || set_suites(cfg, o) || set_groups(cfg, o) ||
        set_sigalgs(cfg, o) || add_credentials(cfg, o) || set_alpn(cfg, o) ||
        set_peer_verification(cfg, o) || set_sessions(cfg, o, ticket_key)) {
        tlsm_config_free(cfg);
        return NULL;
    }
    return cfg;
}
