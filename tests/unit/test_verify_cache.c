/*
 * test_verify_cache.c - the verification cache (tlsm_config_set_verify_cache,
 * core/src/pki/sigcache.c): a certificate signature verified once is not verified again on
 * the same config, and nothing else is skipped.
 *
 *  - hits: the second verification of a chain answers both certificate signatures from the
 *    cache (no public-key operation, counted by the crypto spy), through tlsm_verify_chain
 *    and through handshakes; the handshake's CertificateVerify is still checked.
 *  - changed bytes: every single-byte change anywhere in the leaf or the intermediate of a
 *    cached chain misses (the key function, and whole verifications); the unchanged chain
 *    still hits afterwards.
 *  - only the signature: a cached chain verified after its expiry, for another name or for
 *    the other purpose fails exactly as without the cache.
 *  - off switch, bound, argument checks, and threads sharing one config.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_spy.h"
#include "pair.h"
#include "pki/pki.h"

#define T_2027 INT64_C(1811808000) /* 2027-06-01, inside the committed test PKI */
#define T_2127 INT64_C(4954435200) /* 2127-01-01, after it */

typedef struct {
    uint8_t *der[4];
    size_t len[4];
    size_t n;
} chain_t;

/* The leaf and the intermediate of a committed chain file (leaf first). */
static void chain_load(chain_t *c, const char *file)
{
    size_t len, pos = 0;
    uint8_t *pem = pair_read_pki(file, &len);
    memset(c, 0, sizeof *c);
    while (c->n < 4 &&
           pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &c->der[c->n], &c->len[c->n]) == 0)
        c->n++;
    free(pem);
    cr_assert_eq(c->n, 2, "%s: want leaf and intermediate", file);
}

static void chain_free(chain_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->der[i]);
}

static int verify_at(tlsm_config *cfg, const chain_t *c, const char *name, int purpose,
                     int64_t t)
{
    tlsm_verify_result r;
    return tlsm_verify_chain(cfg, (const uint8_t *const *)c->der, c->len, c->n, name, purpose,
                             t, 0, &r);
}

static int verify(tlsm_config *cfg, const chain_t *c)
{
    return verify_at(cfg, c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027);
}

static tlsm_verify_cache_stats stats_of(const tlsm_config *cfg)
{
    tlsm_verify_cache_stats s;
    cr_assert_eq(tlsm_config_verify_cache_stats(cfg, &s), 0);
    return s;
}

static tlsm_config *client_config(void)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_not_null(cfg);
    cr_assert_eq(pair_add_trust(cfg, "ca.crt"), 0);
    return cfg;
}

Test(verify_cache, second_verification_is_answered_by_the_cache)
{
    tlsm_config *cfg = client_config();
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    tlsm_verify_cache_stats s = stats_of(cfg);
    cr_assert_eq(s.capacity, TLSM_VERIFY_CACHE_DEFAULT, "on by default");
    cr_assert_eq(s.hits + s.misses + s.entries, 0);

    spy_install();
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(spy.verify, 2, "leaf and intermediate signatures checked");
    s = stats_of(cfg);
    cr_assert(s.hits == 0 && s.misses == 2 && s.entries == 2);

    spy.verify = 0;
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(spy.verify, 0, "no public-key operation the second time");
    s = stats_of(cfg);
    cr_assert(s.hits == 2 && s.misses == 2 && s.entries == 2);
    spy_uninstall();
    chain_free(&c);
    tlsm_config_free(cfg);
}

Test(verify_cache, a_hit_skips_only_the_signature)
{
    tlsm_config *cfg = client_config();
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(verify_at(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2127),
                 TLSM_ERR_CERT_EXPIRED);
    cr_assert_eq(verify_at(cfg, &c, "other.tlsm.test", TLSM_PURPOSE_SERVER, T_2027),
                 TLSM_ERR_CERT_NAME_MISMATCH);
    cr_assert_eq(verify_at(cfg, &c, PAIR_HOST, TLSM_PURPOSE_CLIENT, T_2027),
                 TLSM_ERR_CERT_USAGE);
    /* Without the intermediate there is no path, cache or not. */
    chain_t leaf_only = c;
    leaf_only.n = 1;
    cr_assert_eq(verify_at(cfg, &leaf_only, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027),
                 TLSM_ERR_CERT_UNKNOWN_ISSUER);
    chain_free(&c);
    tlsm_config_free(cfg);
}

/* The key covers every byte of both certificates and the algorithm. */
Test(verify_cache, key_changes_with_every_byte_of_either_certificate)
{
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    pki_cert leaf, issuer;
    cr_assert_eq(pki_cert_parse(&leaf, c.der[0], c.len[0]), 0);
    cr_assert_eq(pki_cert_parse(&issuer, c.der[1], c.len[1]), 0);
    uint8_t want[PKI_SIG_CACHE_KEY_LEN], got[PKI_SIG_CACHE_KEY_LEN];
    pki_sig_cache_key(&issuer, &leaf, want);
    for (int which = 0; which < 2; which++) {
        pki_cert *cert = which ? &issuer : &leaf;
        uint8_t *copy = malloc(cert->der_len);
        cr_assert_not_null(copy);
        memcpy(copy, cert->der, cert->der_len);
        const uint8_t *orig = cert->der;
        cert->der = copy;
        for (size_t i = 0; i < cert->der_len; i++) {
            copy[i] ^= 0x01;
            pki_sig_cache_key(&issuer, &leaf, got);
            cr_assert_neq(memcmp(got, want, sizeof got), 0, "cert %d byte %zu", which, i);
            copy[i] ^= 0x01;
        }
        pki_sig_cache_key(&issuer, &leaf, got);
        cr_assert_eq(memcmp(got, want, sizeof got), 0);
        cert->der = orig;
        free(copy);
    }
    /* The roles are part of the key: (issuer, child) is not (child, issuer). */
    pki_sig_cache_key(&leaf, &issuer, got);
    cr_assert_neq(memcmp(got, want, sizeof got), 0);
    chain_free(&c);
}

Test(verify_cache, a_changed_byte_anywhere_in_a_cached_certificate_misses)
{
    tlsm_config *cfg = client_config();
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(verify(cfg, &c), 0);
    tlsm_verify_cache_stats before = stats_of(cfg);
    cr_assert_eq(before.hits, 2);
    size_t tried = 0, verified = 0;
    for (size_t which = 0; which < c.n; which++) {
        for (size_t i = 0; i < c.len[which]; i++) {
            uint64_t hits = stats_of(cfg).hits;
            c.der[which][i] ^= 0x01;
            int rc = verify(cfg, &c);
            c.der[which][i] ^= 0x01;
            tried++;
            verified += rc == 0;
            tlsm_verify_cache_stats s = stats_of(cfg);
            /* A changed leaf leaves the intermediate's signature (by the root) cached: at
             * most that one hit; the changed certificate's own check never hits. */
            uint64_t allowed = which == 0 ? 1 : 0;
            cr_assert_leq(s.hits - hits, allowed, "cert %zu byte %zu: %llu hits", which, i,
                          (unsigned long long)(s.hits - hits));
        }
    }
    cr_assert_eq(verified, 0, "no changed certificate verifies (%zu tried)", tried);
    /* The unchanged chain still hits twice. */
    uint64_t hits = stats_of(cfg).hits;
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(stats_of(cfg).hits - hits, 2);
    chain_free(&c);
    tlsm_config_free(cfg);
}

Test(verify_cache, off_switch)
{
    tlsm_config *cfg = client_config();
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, 0), 0);
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    spy_install();
    for (int i = 0; i < 3; i++)
        cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(spy.verify, 6, "every signature checked every time");
    spy_uninstall();
    tlsm_verify_cache_stats s = stats_of(cfg);
    cr_assert(s.hits == 0 && s.misses == 0 && s.entries == 0 && s.capacity == 0);
    chain_free(&c);
    tlsm_config_free(cfg);
}

Test(verify_cache, bounded)
{
    tlsm_config *cfg = client_config();
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, 3), 0);
    cr_assert_eq(stats_of(cfg).capacity, 4, "rounded up to a set of 4");
    static const char *const files[] = {"server-p256.chain.pem", "server-p384.chain.pem",
                                        "server-ed25519.chain.pem", "server-rsa.chain.pem",
                                        "server-rsapss.chain.pem"};
    for (size_t round = 0; round < 2; round++) {
        for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
            chain_t c;
            chain_load(&c, files[f]);
            cr_assert_eq(verify(cfg, &c), 0, "%s", files[f]);
            chain_free(&c);
            cr_assert_leq(stats_of(cfg).entries, 4);
        }
    }
    /* 6 distinct signatures (5 leaves, one intermediate) through 4 entries. */
    tlsm_verify_cache_stats s = stats_of(cfg);
    cr_assert_eq(s.entries, 4);
    cr_assert_eq(s.hits + s.misses, 20);
    cr_assert_gt(s.misses, 6, "some entries were replaced and verified again");
    tlsm_config_free(cfg);
}

Test(verify_cache, setter_arguments)
{
    tlsm_config *cfg = client_config();
    cr_assert_eq(tlsm_config_set_verify_cache(NULL, 4), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, TLSM_VERIFY_CACHE_MAX + 1), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, TLSM_VERIFY_CACHE_MAX), 0);
    cr_assert_eq(stats_of(cfg).capacity, TLSM_VERIFY_CACHE_MAX);
    tlsm_verify_cache_stats s;
    cr_assert_eq(tlsm_config_verify_cache_stats(NULL, &s), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_verify_cache_stats(cfg, NULL), TLSM_ERR_ARG);
    /* A verification freezes the config like a connection. */
    chain_t c;
    chain_load(&c, "server-p256.chain.pem");
    cr_assert_eq(verify(cfg, &c), 0);
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, 8), TLSM_ERR_FROZEN);
    chain_free(&c);
    tlsm_config_free(cfg);
}

/* Client handshakes on one config: the second verifies the server's chain from the cache;
 * the CertificateVerify (a handshake signature) is checked every time. */
Test(verify_cache, handshakes_reuse_verified_signatures)
{
    tlsm_config *client = client_config();
    tlsm_config *server = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert_not_null(server);
    cr_assert_eq(pair_add_identity(server, PAIR_KEY_P256), 0);
    for (int i = 0; i < 3; i++) {
        spy_install();
        tlsm_pair *p = tlsm_pair_new(client, server, PAIR_HOST);
        cr_assert_not_null(p);
        cr_assert_eq(tlsm_pair_run(p), 0);
        cr_assert(tlsm_conn_handshake_done(tlsm_pair_client(p)));
        tlsm_pair_free(p);
        /* Client: 2 certificate signatures the first time, then none; the server's
         * CertificateVerify every time. The server verifies nothing (no client auth). */
        cr_assert_eq(spy.verify, i == 0 ? 3 : 1, "handshake %d: %zu verifications", i,
                     spy.verify);
        spy_uninstall();
    }
    tlsm_verify_cache_stats s = stats_of(client);
    cr_assert(s.misses == 2 && s.hits == 4, "%llu misses, %llu hits",
              (unsigned long long)s.misses, (unsigned long long)s.hits);
    tlsm_config_free(client);
    tlsm_config_free(server);
}

/* ------------------------------------------------------------------ threads */

typedef struct {
    tlsm_config *cfg;
    const chain_t *chains;
    size_t n_chains;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < 40; i++)
        a->failures += verify(a->cfg, &a->chains[(size_t)i % a->n_chains]) != 0;
    return NULL;
}

Test(verify_cache, threads_share_one_config)
{
    tlsm_config *cfg = client_config();
    cr_assert_eq(tlsm_config_set_verify_cache(cfg, 4), 0);
    chain_t chains[3];
    chain_load(&chains[0], "server-p256.chain.pem");
    chain_load(&chains[1], "server-ed25519.chain.pem");
    chain_load(&chains[2], "server-p384.chain.pem");
    pthread_t t[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){cfg, chains, 3, 0};
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(args[i].failures, 0);
    }
    tlsm_verify_cache_stats s = stats_of(cfg);
    cr_assert_eq(s.hits + s.misses, 4 * 40 * 2, "every signature check counted once");
    cr_assert_leq(s.entries, 4);
    for (int i = 0; i < 3; i++)
        chain_free(&chains[i]);
    tlsm_config_free(cfg);
}
