/*
 * test_verify_chain.c - tlsm_verify_chain / tlsm_verify_chain_pem (core/src/verify_chain.c):
 * certificate verification without a handshake.
 *
 *  - api: the committed test PKI (tests/data/pki: ca.crt as the anchor, intermediate.crt,
 *    server-*.crt, client.crt; valid from 2026-11-28 for 100 years): the built path (leaf,
 *    intermediate, anchor) and the anchor's DER, intermediates out of order and with
 *    unrelated extras, pinned leaves, names and IP literals, purposes, validation times
 *    (explicit, and TLSM_VERIFY_TIME_NOW through the clock hook or the real clock), no
 *    anchors, malformed DER, max depth, argument errors, the PEM form.
 *  - handshake: in-memory handshakes (tests/common/pair.h) over TLS 1.2 and 1.3 that fail
 *    or succeed at certificate verification on either side; tlsm_verify_chain on the
 *    certificates the connection received (tlsm_conn_peer_cert), with the connection's
 *    name, purpose and clock, gives tlsm_conn_verify_error's verdict.
 *  - corpus: every case of the generated PKI corpus (tests/pki/gen-cases.sh, run once by
 *    a PRE_ALL hook into a temporary directory) through tlsm_verify_chain, the PEM form and
 *    pki_cert_parse + pki_verify_chain: the same verdicts and certificates at fault, the
 *    manifest's expectation, and on success a path whose links are issuer -> subject.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certforge.h"
#include "corpus.h"
#include "pair.h"
#include "pki/pki.h"

#define T_2027 INT64_C(1811808000)  /* 2027-06-01, inside the committed test PKI */
#define T_2026 INT64_C(1795000000)  /* 2026-11-18, before it */
#define T_2127 INT64_C(4954435200)  /* 2127-01-01, after it */
#define MAX_CERTS 16

/* ------------------------------------------------------------------ the corpus hook */

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    corpus_setup("test_verify_chain");
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    corpus_teardown();
}

/* ------------------------------------------------------------------ helpers */

/* A list of DER certificates, as tlsm_verify_chain takes them. */
typedef struct {
    uint8_t *der[MAX_CERTS];
    size_t len[MAX_CERTS];
    size_t n;
} certs_t;

static void certs_add_pem(certs_t *c, const uint8_t *pem, size_t len)
{
    size_t pos = 0;
    for (;;) {
        uint8_t *der;
        size_t der_len;
        int rc = pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &der, &der_len);
        if (rc == 1)
            return;
        cr_assert_eq(rc, 0, "PEM error");
        cr_assert_lt(c->n, MAX_CERTS, "more than %d certificates", MAX_CERTS);
        c->der[c->n] = der;
        c->len[c->n++] = der_len;
    }
}

/* Appends every certificate of a file (PEM) of the committed test PKI. */
static void certs_add(certs_t *c, const char *name)
{
    size_t len;
    uint8_t *pem = pair_read_pki(name, &len);
    certs_add_pem(c, pem, len);
    free(pem);
}

static void certs_add_raw(certs_t *c, const void *der, size_t len)
{
    cr_assert_lt(c->n, MAX_CERTS);
    c->der[c->n] = malloc(len ? len : 1);
    cr_assert_not_null(c->der[c->n]);
    memcpy(c->der[c->n], der, len);
    c->len[c->n++] = len;
}

static void certs_free(certs_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->der[i]);
    c->n = 0;
}

static int verify(const tlsm_config *trust, const certs_t *c, const char *name, int purpose,
                  int64_t t, size_t depth, tlsm_verify_result *r)
{
    return tlsm_verify_chain(trust, (const uint8_t *const *)c->der, c->len, c->n, name, purpose,
                             t, depth, r);
}

/* A config whose anchors are the certificates of the given committed files. */
static tlsm_config *trust_of(const char *a, const char *b)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_not_null(cfg);
    if (a)
        cr_assert_eq(pair_add_trust(cfg, a), 0);
    if (b)
        cr_assert_eq(pair_add_trust(cfg, b), 0);
    return cfg;
}

static void expect_fail(int rc, const tlsm_verify_result *r, int want, int32_t fault)
{
    cr_assert_eq(rc, want, "got %d (%s), want %d (%s)", rc, tlsm_strerror(rc), want,
                 tlsm_strerror(want));
    cr_assert_eq(r->error, rc);
    cr_assert_eq(r->fault, fault, "fault %d, want %d", r->fault, fault);
    cr_assert_eq(r->path_len, 0);
    for (size_t i = 0; i < TLSM_VERIFY_MAX_PATH; i++)
        cr_assert(r->path_input[i] == -1 && r->path_anchor[i] == -1);
}

/* A successful result whose path is inputs[] / anchors[] (len elements; -1 = not one). */
static void expect_path(int rc, const tlsm_verify_result *r, const int32_t *inputs,
                        const int32_t *anchors, uint32_t len)
{
    cr_assert_eq(rc, 0, "got %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(r->error, 0);
    cr_assert_eq(r->fault, TLSM_VERIFY_FAULT_NONE);
    cr_assert_eq(r->fault_anchor, -1);
    cr_assert_eq(r->path_len, len, "path of %u, want %u", r->path_len, len);
    for (uint32_t i = 0; i < TLSM_VERIFY_MAX_PATH; i++) {
        int32_t wi = i < len ? inputs[i] : -1, wa = i < len ? anchors[i] : -1;
        cr_assert_eq(r->path_input[i], wi, "path_input[%u] = %d, want %d", i, r->path_input[i], wi);
        cr_assert_eq(r->path_anchor[i], wa, "path_anchor[%u] = %d, want %d", i,
                     r->path_anchor[i], wa);
    }
}

/* The DER of the first certificate of a committed file equals (der, len). */
static void expect_same_der(const char *name, const uint8_t *der, size_t len)
{
    certs_t c = {0};
    certs_add(&c, name);
    cr_assert_not_null(der);
    cr_assert(c.len[0] == len && memcmp(c.der[0], der, len) == 0, "not the DER of %s", name);
    certs_free(&c);
}

/* ------------------------------------------------------------------ api */

Test(api, leaf_intermediate_anchor)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    cr_assert_eq(c.n, 2);
    tlsm_verify_result r;
    int rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
    cr_assert_eq(r.time, T_2027);
    cr_assert_eq(tlsm_config_trust_count(cfg), 1);
    size_t len = 0;
    const uint8_t *der = tlsm_config_trust_cert(cfg, (size_t)r.path_anchor[2], &len);
    expect_same_der("ca.crt", der, len);
    cr_assert_null(tlsm_config_trust_cert(cfg, 1, &len));
    cr_assert_eq(len, 0);
    cr_assert_null(tlsm_config_trust_cert(NULL, 0, &len));
    cr_assert_eq(tlsm_config_trust_count(NULL), 0);
    /* Every key type of the test PKI. */
    const char *chains[] = {"server-ed25519.chain.pem", "server-p384.chain.pem",
                            "server-rsa.chain.pem", "server-rsapss.chain.pem"};
    for (size_t i = 0; i < 4; i++) {
        certs_t k = {0};
        certs_add(&k, chains[i]);
        rc = verify(cfg, &k, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
        expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
        certs_free(&k);
    }
    /* result may be NULL. */
    cr_assert_eq(verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, NULL), 0);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* RFC 8446 s.4.4.2: the peer's list may be out of order and carry extras; the path is
 * built, and an input copy of an anchor is not needed (the store's own is used). */
Test(api, out_of_order_with_extras)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p384.crt");     /* 0: leaf */
    certs_add(&c, "client.crt");          /* 1: unrelated, same issuer */
    certs_add(&c, "server-ed25519.crt");  /* 2: unrelated */
    certs_add(&c, "ca.crt");              /* 3: the anchor itself */
    certs_add(&c, "intermediate.crt");    /* 4: the intermediate, last */
    tlsm_verify_result r;
    int rc = verify(cfg, &c, "localhost", TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0, 4, -1}, (int32_t[]){-1, -1, 0}, 3);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* Two anchors: the intermediate is trusted too, so the shortest path ends there (anchors
 * are tried before input certificates); the anchor index is its position in the config. */
Test(api, anchor_index_and_pinned_leaf)
{
    tlsm_config *cfg = trust_of("ca.crt", "intermediate.crt");
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    tlsm_verify_result r;
    int rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0, -1}, (int32_t[]){-1, 1}, 2);
    size_t len;
    const uint8_t *der = tlsm_config_trust_cert(cfg, 1, &len);
    expect_same_der("intermediate.crt", der, len);
    tlsm_config_free(cfg);

    /* A leaf that is itself an anchor: a one-element path, both an input and an anchor. */
    cfg = trust_of("ca.crt", "server-p256.crt");
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0}, (int32_t[]){1}, 1);
    /* ... still held to the leaf checks: name and time. */
    rc = verify(cfg, &c, "other.tlsm.test", TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_NAME_MISMATCH, 0);
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2127, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_EXPIRED, 0);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* RFC 6125 via pki_match_host: DNS names from the SAN (case-insensitive), IP literals only
 * against iPAddress entries, no CN fallback. */
Test(api, names_and_ip_literals)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-ed25519.chain.pem");
    static const char *const good[] = {"server.tlsm.test", "SERVER.tlsm.TEST", "localhost",
                                       "server.tlsm.test.", "127.0.0.1", "::1",
                                       "0:0:0:0:0:0:0:1"};
    static const char *const bad[] = {"wrong.tlsm.test", "tlsm.test", "x.server.tlsm.test",
                                      "127.0.0.2", "::2", "10.0.0.1", "*.tlsm.test"};
    tlsm_verify_result r;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int rc = verify(cfg, &c, good[i], TLSM_PURPOSE_SERVER, T_2027, 0, &r);
        cr_assert_eq(rc, 0, "%s: %s", good[i], tlsm_strerror(rc));
        cr_assert_eq(r.path_len, 3);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = verify(cfg, &c, bad[i], TLSM_PURPOSE_SERVER, T_2027, 0, &r);
        expect_fail(rc, &r, TLSM_ERR_CERT_NAME_MISMATCH, 0);
    }
    /* NULL: no name is checked. */
    cr_assert_eq(verify(cfg, &c, NULL, TLSM_PURPOSE_SERVER, T_2027, 0, &r), 0);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* RFC 5280 s.4.2.1.12: the leaf's extendedKeyUsage must list the purpose. */
Test(api, purposes)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t server = {0}, client = {0};
    certs_add(&server, "server-p256.chain.pem");
    certs_add(&client, "client.chain.pem");
    tlsm_verify_result r;
    int rc = verify(cfg, &server, PAIR_HOST, TLSM_PURPOSE_CLIENT, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_USAGE, 0);
    rc = verify(cfg, &client, NULL, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_USAGE, 0);
    rc = verify(cfg, &client, NULL, TLSM_PURPOSE_CLIENT, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
    rc = verify(cfg, &client, "client.tlsm.test", TLSM_PURPOSE_CLIENT, T_2027, 0, &r);
    cr_assert_eq(rc, 0);
    certs_free(&server);
    certs_free(&client);
    tlsm_config_free(cfg);
}

static uint64_t clock_value_ms;
static uint64_t test_clock(void *ctx)
{
    (void)ctx;
    return clock_value_ms;
}

/* RFC 5280 s.6.1.3(a)(2): the validity period must include the validation time. */
Test(api, validation_time)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    tlsm_verify_result r;
    int rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2127, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_EXPIRED, 0);
    cr_assert_eq(r.time, T_2127);
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2026, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_NOT_YET_VALID, 0);

    /* TLSM_VERIFY_TIME_NOW without a hook: the real clock, and the verdict of that time. */
    /* The library reads CLOCK_REALTIME; time(NULL) may lag it by a tick near a second
     * boundary, so the bracket reads the same clock. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t before = (int64_t)ts.tv_sec;
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, TLSM_VERIFY_TIME_NOW, 0, &r);
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t after = (int64_t)ts.tv_sec;
    cr_assert(r.time >= before && r.time <= after, "time %lld not in [%lld, %lld]",
              (long long)r.time, (long long)before, (long long)after);
    tlsm_verify_result again;
    cr_assert_eq(verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, r.time, 0, &again), rc);

    /* The verification froze the config, as a connection would. */
    cr_assert_eq(tlsm_config_set_clock(cfg, test_clock, NULL), TLSM_ERR_FROZEN);
    tlsm_config_free(cfg);

    /* ... with a hook: the hook, as the handshake reads it (milliseconds, truncated). */
    cfg = trust_of("ca.crt", NULL);
    cr_assert_eq(tlsm_config_set_clock(cfg, test_clock, NULL), 0);
    clock_value_ms = (uint64_t)T_2127 * 1000u + 999u;
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, TLSM_VERIFY_TIME_NOW, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_EXPIRED, 0);
    cr_assert_eq(r.time, T_2127);
    clock_value_ms = (uint64_t)T_2027 * 1000u;
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, TLSM_VERIFY_TIME_NOW, 0, &r);
    cr_assert_eq(rc, 0);
    cr_assert_eq(r.time, T_2027);
    /* An explicit time ignores the hook. */
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2026, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_NOT_YET_VALID, 0);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* A config shared across threads: one thread adds trust anchors while another verifies
 * with it (the Python README's pattern). The verification freezes the config, so the
 * store is never grown under it: every add either lands before the freeze or returns
 * TLSM_ERR_FROZEN, and nothing is read after being freed (ASan build). */
#define RACE_ANCHORS 1500
typedef struct {
    tlsm_config *cfg;
    forge_der anchors[RACE_ANCHORS];
    size_t added, frozen_at;
    int bad_rc;
    const certs_t *chain;
    int verify_bad;
    pthread_barrier_t start;
} race_t;

static void *race_adder(void *arg)
{
    race_t *r = arg;
    pthread_barrier_wait(&r->start);
    r->frozen_at = RACE_ANCHORS;
    for (size_t i = 0; i < RACE_ANCHORS; i++) {
        int rc = tlsm_config_add_trust_der(r->cfg, r->anchors[i].p, r->anchors[i].len);
        if (rc == 0 && r->frozen_at == RACE_ANCHORS)
            r->added++;
        else if (rc == TLSM_ERR_FROZEN && r->frozen_at == RACE_ANCHORS)
            r->frozen_at = i;
        else if (rc != TLSM_ERR_FROZEN)
            r->bad_rc = rc ? rc : 1; /* an add after FROZEN succeeded, or another error */
    }
    return NULL;
}

static void *race_verifier(void *arg)
{
    race_t *r = arg;
    pthread_barrier_wait(&r->start);
    for (int i = 0; i < 200; i++) {
        tlsm_verify_result res;
        int rc = tlsm_verify_chain(r->cfg, (const uint8_t *const *)r->chain->der, r->chain->len,
                                   r->chain->n, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &res);
        if (rc != 0)
            r->verify_bad = rc;
    }
    return NULL;
}

Test(api, config_shared_across_threads)
{
    static race_t r;
    forge_der ca;
    forge_read_pki_cert("ca.crt", &ca);
    for (size_t i = 0; i < RACE_ANCHORS; i++) {
        /* Distinct anchors (an anchor's own signature is never checked). */
        forge_opts o = {.garbage_len = 8 + i};
        forge_cert(ca.p, ca.len, &o, &r.anchors[i]);
    }
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    r.chain = &c;
    r.cfg = trust_of("ca.crt", NULL);
    pthread_barrier_init(&r.start, NULL, 2);
    pthread_t a, v;
    cr_assert_eq(pthread_create(&a, NULL, race_adder, &r), 0);
    cr_assert_eq(pthread_create(&v, NULL, race_verifier, &r), 0);
    pthread_join(a, NULL);
    pthread_join(v, NULL);
    cr_assert_eq(r.bad_rc, 0, "an add gave %d", r.bad_rc);
    cr_assert_eq(r.verify_bad, 0, "a verification failed: %s", tlsm_strerror(r.verify_bad));
    cr_assert_eq(tlsm_config_trust_count(r.cfg), 1 + r.added,
                 "the store holds exactly the adds that returned 0");
    cr_assert_eq(tlsm_config_add_trust_der(r.cfg, ca.p, ca.len), TLSM_ERR_FROZEN);
    tlsm_config_free(r.cfg);
    certs_free(&c);
    for (size_t i = 0; i < RACE_ANCHORS; i++)
        forge_free(&r.anchors[i]);
    forge_free(&ca);
    pthread_barrier_destroy(&r.start);
}

Test(api, no_anchors_and_no_issuer)
{
    tlsm_config *none = trust_of(NULL, NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    tlsm_verify_result r;
    int rc = verify(none, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_NO_TRUST, TLSM_VERIFY_FAULT_NONE);
    tlsm_config_free(none);

    /* The intermediate missing: the leaf is left without an issuer. */
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    c.n = 1;
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    c.n = 2;
    expect_fail(rc, &r, TLSM_ERR_CERT_UNKNOWN_ISSUER, 0);
    /* Only unrelated anchors: the intermediate is left without one. */
    tlsm_config *other = trust_of("client.crt", NULL);
    rc = verify(other, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_UNKNOWN_ISSUER, 1);
    certs_free(&c);
    tlsm_config_free(other);
    tlsm_config_free(cfg);
}

/* As in a handshake, every certificate must parse, even one the path would not use. */
Test(api, malformed_der)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    tlsm_verify_result r;
    size_t full = c.len[0];
    c.len[0] = full - 1;
    int rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_PARSE, 0);
    c.len[0] = full;
    c.der[0][full / 2] ^= 0x01; /* inside the key or the signature: parses, fails later */
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    cr_assert_neq(rc, 0);
    cr_assert_eq(r.fault, 0);
    c.der[0][full / 2] ^= 0x01;
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    certs_add_raw(&c, junk, sizeof junk);
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_PARSE, 2);
    certs_free(&c);
    tlsm_config_free(cfg);
}

/* max_depth counts the leaf and the anchor; the default is the handshake's (10). */
Test(api, max_depth)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    tlsm_verify_result r;
    int rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 3, &r);
    expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 1000, &r);
    cr_assert_eq(rc, 0, "a depth over the limit counts as the limit");
    /* Depth 2: the anchor would be the third certificate. */
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 2, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_PATH_LEN, TLSM_VERIFY_FAULT_ANCHOR);
    cr_assert_eq(r.fault_anchor, 0);
    /* Depth 1: not even the intermediate fits. */
    rc = verify(cfg, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 1, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_PATH_LEN, 1);
    cr_assert_eq(r.fault_anchor, -1);
    /* With the intermediate trusted, depth 2 is enough. */
    tlsm_config *two = trust_of("ca.crt", "intermediate.crt");
    rc = verify(two, &c, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 2, &r);
    expect_path(rc, &r, (int32_t[]){0, -1}, (int32_t[]){-1, 1}, 2);
    certs_free(&c);
    tlsm_config_free(two);
    tlsm_config_free(cfg);
}

Test(api, argument_errors)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    certs_t c = {0};
    certs_add(&c, "server-p256.chain.pem");
    const uint8_t *const *der = (const uint8_t *const *)c.der;
    tlsm_verify_result r;
    int rc = tlsm_verify_chain(NULL, der, c.len, c.n, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    cr_assert_eq(r.time, 0);
    rc = tlsm_verify_chain(cfg, NULL, c.len, c.n, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, NULL, c.n, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, c.len, 0, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_NO_CERT, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, c.len, TLSM_VERIFY_MAX_CERTS + 1, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, c.len, c.n, "", 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, c.len, c.n, NULL, 2, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    rc = tlsm_verify_chain(cfg, der, c.len, c.n, NULL, -1, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    size_t zero[2] = {c.len[0], 0};
    rc = tlsm_verify_chain(cfg, der, zero, 2, NULL, 0, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    certs_free(&c);
    tlsm_config_free(cfg);
}

Test(api, pem_form)
{
    tlsm_config *cfg = trust_of("ca.crt", NULL);
    size_t len;
    uint8_t *pem = pair_read_pki("server-rsa.chain.pem", &len);
    tlsm_verify_result r;
    int rc = tlsm_verify_chain_pem(cfg, pem, len, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
    rc = tlsm_verify_chain_pem(cfg, pem, len, "nope.test", TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_CERT_NAME_MISMATCH, 0);
    /* Other labels are skipped: a key in front of the chain changes nothing. */
    size_t key_len;
    uint8_t *key = pair_read_pki("server-rsa.key", &key_len);
    uint8_t *both = malloc(key_len + len);
    cr_assert_not_null(both);
    memcpy(both, key, key_len);
    memcpy(both + key_len, pem, len);
    rc = tlsm_verify_chain_pem(cfg, both, key_len + len, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027,
                               0, &r);
    expect_path(rc, &r, (int32_t[]){0, 1, -1}, (int32_t[]){-1, -1, 0}, 3);
    rc = tlsm_verify_chain_pem(cfg, key, key_len, NULL, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_NO_CERT, TLSM_VERIFY_FAULT_NONE);
    /* A broken second block: TLSM_ERR_PEM at block 1. */
    char *second = strstr((char *)pem + 1, "-----BEGIN CERTIFICATE-----");
    cr_assert_not_null(second);
    second[40] = '!';
    rc = tlsm_verify_chain_pem(cfg, pem, len, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_PEM, 1);
    rc = tlsm_verify_chain_pem(cfg, NULL, 0, PAIR_HOST, TLSM_PURPOSE_SERVER, T_2027, 0, &r);
    expect_fail(rc, &r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    free(both);
    free(key);
    free(pem);
    tlsm_config_free(cfg);
}

/* ------------------------------------------------------------------ handshake */

/* Adds the certificates of a corpus file (a different root) to a config. */
static void add_corpus_trust(tlsm_config *cfg, const char *name)
{
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
    uint8_t *pem = test_read_file(path, &len);
    cr_assert_eq(tlsm_config_add_trust_pem(cfg, pem, len, NULL), 0);
    free(pem);
}

typedef struct {
    const char *what;
    pair_key server_key;     /* the server's identity */
    const char *server_name; /* what the client connects to */
    int client_trust_other;  /* the client trusts only the corpus's rootA */
    int server_trust_other;  /* the server trusts only rootA (with client auth) */
    int client_auth;         /* 2: the server requires a client certificate */
    uint64_t now_s;          /* both clocks, 0 = PAIR_NOW_MS */
    int client_err;          /* the verdicts the handshake must reach */
    int server_err;
} hs_case;

/* tlsm_verify_chain over what `conn` received, as that connection verifies it. */
static int verify_like_conn(tlsm_conn *conn, tlsm_config *cfg, const char *name, int purpose,
                            tlsm_verify_result *r)
{
    size_t n = tlsm_conn_peer_cert_count(conn);
    cr_assert_gt(n, 0, "the connection kept no peer certificate");
    cr_assert_leq(n, MAX_CERTS);
    const uint8_t *der[MAX_CERTS];
    size_t len[MAX_CERTS];
    for (size_t i = 0; i < n; i++) {
        der[i] = tlsm_conn_peer_cert(conn, i, &len[i]);
        cr_assert_not_null(der[i]);
    }
    /* The connection's own clock (the pair pins it through the config's hook). */
    return tlsm_verify_chain(cfg, der, len, n, name, purpose, TLSM_VERIFY_TIME_NOW, 0, r);
}

static void run_hs_case(const hs_case *k, uint16_t version)
{
    pair_opts co = {.key = k->client_auth ? PAIR_KEY_CLIENT : PAIR_KEY_NONE,
                    .trust = k->client_trust_other ? "" : NULL,
                    .min_version = version,
                    .max_version = version};
    pair_opts so = {.key = k->server_key,
                    .trust = k->server_trust_other ? "" : NULL,
                    .client_auth = k->client_auth,
                    .min_version = version,
                    .max_version = version};
    pair p;
    pair_init(&p, &co, &so, 5);
    if (k->client_trust_other)
        add_corpus_trust(p.side[PAIR_CLIENT].cfg, "rootA.crt");
    if (k->server_trust_other)
        add_corpus_trust(p.side[PAIR_SERVER].cfg, "rootA.crt");
    if (k->now_s)
        p.now_ms = k->now_s * 1000u;
    pair_connect(&p, k->server_name);
    (void)pair_handshake(&p);
    tlsm_conn *client = p.side[PAIR_CLIENT].conn, *server = p.side[PAIR_SERVER].conn;
    int hs_client = tlsm_conn_verify_error(client), hs_server = tlsm_conn_verify_error(server);
    cr_assert_eq(hs_client, k->client_err, "%s (0x%04x): client verify error %d (%s)", k->what,
                 version, hs_client, tlsm_strerror(hs_client));
    cr_assert_eq(hs_server, k->server_err, "%s (0x%04x): server verify error %d (%s)", k->what,
                 version, hs_server, tlsm_strerror(hs_server));

    tlsm_verify_result r;
    int rc = verify_like_conn(client, p.side[PAIR_CLIENT].cfg, k->server_name,
                              TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, hs_client, "%s (0x%04x): tlsm_verify_chain %d (%s), handshake %d (%s)",
                 k->what, version, rc, tlsm_strerror(rc), hs_client, tlsm_strerror(hs_client));
    cr_assert_eq(r.time, (int64_t)(p.now_ms / 1000u));
    if (rc == 0)
        cr_assert_eq(r.path_len, 3);
    /* The server side, when it got as far as the client's certificate. */
    if (k->client_auth && tlsm_conn_peer_cert_count(server) > 0) {
        rc = verify_like_conn(server, p.side[PAIR_SERVER].cfg, NULL, TLSM_PURPOSE_CLIENT, &r);
        cr_assert_eq(rc, hs_server, "%s (0x%04x): server side: tlsm_verify_chain %d (%s), "
                     "handshake %d (%s)", k->what, version, rc, tlsm_strerror(rc), hs_server,
                     tlsm_strerror(hs_server));
    } else {
        cr_assert_eq(hs_server, 0);
    }
    pair_free(&p);
}

static const hs_case HS_CASES[] = {
    {"success", PAIR_KEY_P256, PAIR_HOST, 0, 0, 0, 0, 0, 0},
    {"success by IP", PAIR_KEY_ED25519, "127.0.0.1", 0, 0, 0, 0, 0, 0},
    {"client trusts another CA", PAIR_KEY_P256, PAIR_HOST, 1, 0, 0, 0,
     TLSM_ERR_CERT_UNKNOWN_ISSUER, 0},
    {"wrong name", PAIR_KEY_RSA, "wrong.tlsm.test", 0, 0, 0, 0, TLSM_ERR_CERT_NAME_MISMATCH, 0},
    {"wrong IP", PAIR_KEY_P384, "127.0.0.2", 0, 0, 0, 0, TLSM_ERR_CERT_NAME_MISMATCH, 0},
    {"expired by the clock", PAIR_KEY_P256, PAIR_HOST, 0, 0, 0, (uint64_t)T_2127, TLSM_ERR_CERT_EXPIRED,
     0},
    {"server with a client certificate", PAIR_KEY_CLIENT, PAIR_HOST, 0, 0, 0, 0,
     TLSM_ERR_CERT_USAGE, 0},
    {"client auth ok", PAIR_KEY_P256, PAIR_HOST, 0, 0, 2, 0, 0, 0},
    {"server trusts another CA", PAIR_KEY_P256, PAIR_HOST, 0, 1, 2, 0, 0,
     TLSM_ERR_CERT_UNKNOWN_ISSUER},
};

Test(handshake, same_verdict_as_tlsm_verify_chain)
{
    static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};
    for (size_t v = 0; v < 2; v++)
        for (size_t i = 0; i < sizeof(HS_CASES) / sizeof(HS_CASES[0]); i++)
            run_hs_case(&HS_CASES[i], versions[v]);
}

/* ------------------------------------------------------------------ corpus */

typedef corpus_case vcase;

/* The internal verdict, as test_pki_corpus.c computes it: first parse failure, else
 * pki_verify_chain (bad = n for an anchor). */
static int internal_verdict(const tlsm_config *cfg, const certs_t *c, const vcase *v, size_t *bad)
{
    pki_cert parsed[MAX_CERTS];
    for (size_t i = 0; i < c->n; i++) {
        int rc = pki_cert_parse(&parsed[i], c->der[i], c->len[i]);
        if (rc != 0) {
            *bad = i;
            return rc;
        }
    }
    pki_store s;
    pki_store_init(&s);
    for (size_t i = 0; i < tlsm_config_trust_count(cfg); i++) {
        size_t len;
        const uint8_t *der = tlsm_config_trust_cert(cfg, i, &len);
        cr_assert_eq(pki_store_add_der(&s, der, len), 0);
    }
    pki_verify_opts o = {.host = strcmp(v->host, "-") ? v->host : NULL,
                         .now = v->at,
                         .purpose = strcmp(v->purpose, "client") ? PKI_PURPOSE_SERVER
                                                                 : PKI_PURPOSE_CLIENT,
                         .max_depth = v->depth};
    *bad = 0;
    int rc = pki_verify_chain(&s, parsed, c->n, &o, bad);
    pki_store_free(&s);
    return rc;
}

/* On success: each certificate of the path was issued by the next (issuer name = subject
 * name), the last is the anchor named, and every input index is in range. */
static void check_path_links(const tlsm_config *cfg, const certs_t *c, const tlsm_verify_result *r,
                             const char *name)
{
    cr_assert_geq(r->path_len, 1, "%s: empty path", name);
    uint8_t prev_issuer[4096];
    size_t prev_issuer_len = 0;
    for (uint32_t i = 0; i < r->path_len; i++) {
        const uint8_t *der;
        size_t len;
        if (r->path_input[i] >= 0) {
            cr_assert_lt((size_t)r->path_input[i], c->n, "%s", name);
            der = c->der[r->path_input[i]];
            len = c->len[r->path_input[i]];
        } else {
            cr_assert_eq(i + 1, r->path_len, "%s: an anchor before the end of the path", name);
            der = tlsm_config_trust_cert(cfg, (size_t)r->path_anchor[i], &len);
            cr_assert_not_null(der, "%s: anchor %d", name, r->path_anchor[i]);
        }
        cr_assert_eq(r->path_anchor[i] >= 0, i + 1 == r->path_len, "%s: path_anchor[%u]", name, i);
        /* Anchors may carry algorithms only tolerated in a store; the store parses them. */
        pki_store s;
        pki_store_init(&s);
        cr_assert_eq(pki_store_add_der(&s, der, len), 0, "%s: element %u", name, i);
        const pki_cert *cur = &s.certs[0];
        if (i > 0)
            cr_assert(prev_issuer_len == cur->subject_len &&
                          memcmp(prev_issuer, cur->subject, cur->subject_len) == 0,
                      "%s: element %u did not issue element %u", name, i, i - 1);
        cr_assert_leq(cur->issuer_len, sizeof prev_issuer);
        memcpy(prev_issuer, cur->issuer, cur->issuer_len);
        prev_issuer_len = cur->issuer_len;
        pki_store_free(&s);
    }
    if (r->path_input[0] >= 0)
        cr_assert_eq(r->path_input[0], 0, "%s: the path starts at the leaf", name);
}

Test(corpus, same_verdicts_as_pki_verify_chain)
{
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s/cases.txt", corpus_dir());
    char *manifest = (char *)test_read_file(path, &len);
    size_t total = 0, skipped = 0, accepted = 0, anchor_faults = 0;
    char *save = NULL;
    for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        vcase v;
        if (!corpus_parse_line(line, &v))
            continue;
        /* The RSA key size floor is the handshake's (2048) and not an input of the API. */
        if (v.min_rsa) {
            skipped++;
            continue;
        }
        total++;
        tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
        cr_assert_not_null(cfg);
        for (char *s2 = NULL, *a = strtok_r(v.anchors, ",", &s2); a; a = strtok_r(NULL, ",", &s2))
            add_corpus_trust(cfg, a);
        snprintf(path, sizeof(path), "%s/%s.chain.pem", corpus_dir(), v.chain);
        size_t pem_len;
        uint8_t *pem = test_read_file(path, &pem_len);
        certs_t c = {0};
        certs_add_pem(&c, pem, pem_len);
        const char *host = strcmp(v.host, "-") ? v.host : NULL;
        int purpose = strcmp(v.purpose, "client") ? TLSM_PURPOSE_SERVER : TLSM_PURPOSE_CLIENT;

        tlsm_verify_result r, rp;
        int rc = verify(cfg, &c, host, purpose, v.at, v.depth, &r);
        int rc_pem = tlsm_verify_chain_pem(cfg, pem, pem_len, host, purpose, v.at, v.depth, &rp);
        size_t bad = 0;
        int internal = internal_verdict(cfg, &c, &v, &bad);

        cr_assert_eq(rc, v.code, "%s: %d (%s), manifest %d (%s)", v.name, rc, tlsm_strerror(rc),
                     v.code, tlsm_strerror(v.code));
        cr_assert_eq(rc, internal, "%s: %d, pki_verify_chain %d", v.name, rc, internal);
        cr_assert_eq(r.error, rc);
        cr_assert(memcmp(&r, &rp, sizeof r) == 0 && rc_pem == rc, "%s: the PEM form differs",
                  v.name);
        if (rc == 0) {
            accepted++;
            cr_assert_eq(r.fault, TLSM_VERIFY_FAULT_NONE);
            check_path_links(cfg, &c, &r, v.name);
        } else if (bad < c.n) {
            cr_assert_eq(r.fault, (int32_t)bad, "%s: fault %d, pki_verify_chain %zu", v.name,
                         r.fault, bad);
            cr_assert_eq((size_t)r.fault, v.bad, "%s: fault %d, manifest %zu", v.name, r.fault,
                         v.bad);
            cr_assert_eq(r.fault_anchor, -1);
        } else {
            anchor_faults++;
            cr_assert_eq(v.bad, c.n, "%s: the manifest blames input %zu", v.name, v.bad);
            cr_assert_eq(r.fault, TLSM_VERIFY_FAULT_ANCHOR, "%s: fault %d", v.name, r.fault);
            cr_assert(r.fault_anchor >= 0 &&
                          (size_t)r.fault_anchor < tlsm_config_trust_count(cfg),
                      "%s: fault_anchor %d", v.name, r.fault_anchor);
        }
        certs_free(&c);
        free(pem);
        tlsm_config_free(cfg);
    }
    free(manifest);
    printf("test_verify_chain: corpus %zu cases through tlsm_verify_chain (%zu accepted, %zu "
           "with an anchor at fault), %zu skipped (RSA floor option)\n",
           total, accepted, anchor_faults, skipped);
    cr_assert_geq(total, 150);
    cr_assert_gt(anchor_faults, 0);
}
