/*
 * write_capture.c - writes what tshark.sh checks: an in-memory handshake (TLS 1.2 or 1.3)
 * with application data both ways and a close, run through the testing kit, saved as a
 * pcap file, an NSS key log and a ladder trace. The kit returns buffers; this host writes
 * them.
 *
 * Usage: write_capture PKI_DIR 12|13 OUT.pcap OUT.keys OUT.ladder
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsm.h"

/* 2027-06-01, inside the validity of the test PKI (tests/data/pki). */
#define NOW_MS 1811808000000ull

static uint64_t rng_state[2] = {11, 22};

static int rng(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        out[i] = (uint8_t)(z ^ (z >> 31));
    }
    return 0;
}

static uint64_t now(void *ctx)
{
    (void)ctx;
    return NOW_MS;
}

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", what, tlsm_strerror(rc));
        exit(1);
    }
}

typedef int (*export_fn)(tlsm_pair *, uint8_t *, size_t, size_t *);

static int pcap_out(tlsm_pair *p, uint8_t *b, size_t cap, size_t *len)
{
    return tlsm_pair_pcap(p, b, cap, len);
}

static int keylog_out(tlsm_pair *p, uint8_t *b, size_t cap, size_t *len)
{
    return tlsm_pair_keylog(p, (char *)b, cap, len);
}

static int ladder_out(tlsm_pair *p, uint8_t *b, size_t cap, size_t *len)
{
    return tlsm_pair_trace(p, TLSM_TRACE_LADDER, (char *)b, cap, len);
}

static void save(tlsm_pair *p, export_fn fn, const char *path)
{
    size_t len = 0;
    check(fn(p, NULL, 0, &len), path);
    uint8_t *buf = malloc(len ? len : 1);
    check(buf ? fn(p, buf, len, &len) : TLSM_ERR_NOMEM, path);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s PKI_DIR 12|13 OUT.pcap OUT.keys OUT.ladder\n", argv[0]);
        return 2;
    }
    uint16_t version = strcmp(argv[2], "12") == 0 ? TLSM_TLS12 : TLSM_TLS13;
    tlsm_config *cc = tlsm_config_new(TLSM_ROLE_CLIENT);
    tlsm_config *sc = tlsm_config_new(TLSM_ROLE_SERVER);
    if (!cc || !sc)
        return 1;
    size_t n_ca, n_chain, n_key;
    uint8_t *ca = slurp(argv[1], "ca.crt", &n_ca);
    uint8_t *chain = slurp(argv[1], "server-p256.chain.pem", &n_chain);
    uint8_t *key = slurp(argv[1], "server-p256.key", &n_key);
    check(tlsm_config_add_trust_pem(cc, ca, n_ca, NULL), "trust");
    check(tlsm_config_add_identity_pem(sc, chain, n_chain, key, n_key), "identity");
    tlsm_config *both[2] = {cc, sc};
    for (int i = 0; i < 2; i++) {
        check(tlsm_config_set_versions(both[i], version, version), "versions");
        check(tlsm_config_set_rng(both[i], rng, &rng_state[i]), "rng");
        check(tlsm_config_set_clock(both[i], now, NULL), "clock");
    }
    tlsm_pair *p = tlsm_pair_new(cc, sc, "server.tlsm.test");
    if (!p)
        return 1;
    static const char ping[] = "testkit-ping", pong[] = "testkit-pong";
    check(tlsm_pair_run(p), "handshake");
    check(tlsm_pair_write(p, TLSM_PAIR_CLIENT, (const uint8_t *)ping, strlen(ping)), "ping");
    check(tlsm_pair_write(p, TLSM_PAIR_SERVER, (const uint8_t *)pong, strlen(pong)), "pong");
    check(tlsm_pair_close(p, TLSM_PAIR_CLIENT), "close");
    save(p, pcap_out, argv[3]);
    save(p, keylog_out, argv[4]);
    save(p, ladder_out, argv[5]);
    tlsm_pair_free(p);
    tlsm_config_free(cc);
    tlsm_config_free(sc);
    free(ca);
    free(chain);
    free(key);
    return 0;
}
