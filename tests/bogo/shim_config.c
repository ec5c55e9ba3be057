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
           g == TLSM_GROUP_SECP384R1MLKEM1024 || g == TLSM_GROUP_MLKEM768 ||
           g == TLSM_GROUP_MLKEM1024;
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

/* Copies the schemes of `given` that tlsm implements into *out (BoringSSL ignores the
 * schemes it cannot use too); a list of nothing but unknown ones is unimplemented. */
static int known_schemes(const shim_codes *given, shim_codes *out, const char *flag)
{
    for (size_t i = 0; i < given->n; i++)
        if (shim_sigalg_known(given->v[i]) && shim_codes_push(out, given->v[i]) != 0)
            return -1;
    if (out->n == 0)
        shim_unimplemented("%s: signature scheme 0x%04x is not implemented", flag, given->v[0]);
    return 0;
}

/* -verify-prefs: the schemes accepted from the peer (and offered), tlsm_config_set_sigalgs.
 * What the shim signs with is set per credential (set_signing_prefs). */
static int set_sigalgs(tlsm_config *cfg, const shim_opts *o)
{
    if (o->verify_prefs.n == 0)
        return 0;
    shim_codes list = {0};
    int rc = known_schemes(&o->verify_prefs, &list, "-verify-prefs");
    if (rc == 0 && (rc = tlsm_config_set_sigalgs(cfg, list.v, list.n)) != 0)
        shim_fail("tlsm_config_set_sigalgs: %s", tlsm_strerror(rc));
    shim_codes_free(&list);
    return rc;
}

/* -must-match-issuer, then the schemes the index-th identity signs with: its -signing-prefs, or with -verify-prefs
 * alone BoringSSL's default of signing with any scheme it has (tlsm's defaults), since
 * verify preferences do not limit signing there. */
static int set_signing_prefs(tlsm_config *cfg, const shim_opts *o, size_t index,
                             const shim_credential *c)
{
    if (c->must_match_issuer && tlsm_config_set_identity_issuer_match(cfg, index, 1) != 0) {
        shim_fail("tlsm_config_set_identity_issuer_match failed");
        return -1;
    }
    static const uint16_t defaults[] = {
        TLSM_SIG_ECDSA_SECP256R1_SHA256, TLSM_SIG_ECDSA_SECP384R1_SHA384,
        TLSM_SIG_ECDSA_SECP521R1_SHA512, TLSM_SIG_ED25519,
        TLSM_SIG_RSA_PSS_RSAE_SHA256,    TLSM_SIG_RSA_PSS_RSAE_SHA384,
        TLSM_SIG_RSA_PSS_RSAE_SHA512,    TLSM_SIG_RSA_PKCS1_SHA256,
        TLSM_SIG_RSA_PKCS1_SHA384,       TLSM_SIG_RSA_PKCS1_SHA512};
    shim_codes list = {0};
    int rc = 0;
    if (c->signing_prefs.n)
        rc = known_schemes(&c->signing_prefs, &list, "-signing-prefs");
    else if (o->verify_prefs.n)
        for (size_t i = 0; i < sizeof defaults / sizeof *defaults && rc == 0; i++)
            rc = shim_codes_push(&list, defaults[i]);
    if (rc == 0 && list.n && (rc = tlsm_config_set_identity_sigalgs(cfg, index, list.v, list.n)))
        shim_fail("tlsm_config_set_identity_sigalgs: %s", tlsm_strerror(rc));
    shim_codes_free(&list);
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
            set_ocsp(cfg, o, i, &o->credentials[i]) ||
            set_signing_prefs(cfg, o, i, &o->credentials[i]))
            return -1;
    }
    if (add_credential(cfg, &o->default_credential) != 0)
        return -1;
    return o->default_credential.cert_file
               ? set_ocsp(cfg, o, o->n_credentials, &o->default_credential) ||
                     set_signing_prefs(cfg, o, o->n_credentials, &o->default_credential)
               : 0;
}

/* -use-client-ca-list: the names a server sends in its CertificateRequest, hex DER Names
 * separated by commas; "<NULL>" and "<EMPTY>" both mean none. */
static int set_ca_names(tlsm_config *cfg, const shim_opts *o)
{
    const char *s = o->use_client_ca_list;
    if (!s)
        return 0;
    size_t n = strlen(s), len = 0;
    uint8_t *names = malloc(n / 2 + 1);
    if (!names)
        return -1;
    if (strcmp(s, "<NULL>") != 0 && strcmp(s, "<EMPTY>") != 0) {
        for (size_t i = 0; i < n;) {
            unsigned v;
            if (s[i] == ',') {
                i++;
                continue;
            }
            if (i + 1 >= n || sscanf(s + i, "%2x", &v) != 1) {
                free(names);
                shim_fail("-use-client-ca-list: not hex");
                return -1;
            }
            names[len++] = (uint8_t)v;
            i += 2;
        }
    }
    int rc = tlsm_config_set_ca_names(cfg, names, len);
    free(names);
    if (rc != 0)
        shim_fail("tlsm_config_set_ca_names: %s", tlsm_strerror(rc));
    return rc;
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
        set_sigalgs(cfg, o) || add_credentials(cfg, o) || set_ca_names(cfg, o) || set_alpn(cfg, o) ||
        set_peer_verification(cfg, o) || set_sessions(cfg, o, ticket_key)) {
        tlsm_config_free(cfg);
        return NULL;
    }
    return cfg;
}
