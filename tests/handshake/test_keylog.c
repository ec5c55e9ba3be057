/*
 * test_keylog.c - the opt-in key log (TLSM_EV_KEYLOG / tlsm_keylog_line): both sides log the
 * same NSS key log lines, with the labels Wireshark expects, and nothing is logged unless
 * the config asks for it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pair.h"

typedef struct {
    char text[4096];
    size_t len, lines;
} keylog;

/* Pops every event of one connection, keeping its key log lines. */
static void drain(tlsm_conn *c, keylog *k)
{
    tlsm_event ev;
    while (tlsm_next_event(c, &ev)) {
        const char *line = tlsm_keylog_line(c);
        if (ev.type != TLSM_EV_KEYLOG) {
            cr_assert_null(line);
            continue;
        }
        cr_assert_not_null(line);
        k->len += (size_t)snprintf(k->text + k->len, sizeof k->text - k->len, "%s\n", line);
        k->lines++;
    }
}

/* A handshake pumped by hand, draining events after every call. */
static void handshake(tlsm_conn *client, tlsm_conn *server, keylog *kc, keylog *ks)
{
    tlsm_conn *side[2] = {client, server};
    keylog *k[2] = {kc, ks};
    for (int round = 0; round < 16; round++) {
        for (int from = 0; from < 2; from++) {
            size_t len, used;
            const uint8_t *o;
            while ((o = tlsm_output_peek(side[from], &len)) != NULL) {
                cr_assert_eq(tlsm_feed(side[!from], o, len, &used), 0);
                cr_assert_eq(tlsm_output_consume(side[from], used), 0);
                drain(side[!from], k[!from]);
            }
            drain(side[from], k[from]);
        }
        if (tlsm_conn_handshake_done(client) && tlsm_conn_handshake_done(server))
            return;
    }
    cr_assert_fail("handshake did not finish");
}

static void run(uint16_t version, int enable, size_t want_lines, const char *first_label)
{
    pair_opts so = {.key = PAIR_KEY_P256};
    pair p;
    pair_init(&p, NULL, &so, 77);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(tlsm_config_set_versions(p.side[i].cfg, version, version), 0);
        cr_assert_eq(tlsm_config_set_keylog(p.side[i].cfg, enable), 0);
    }
    /* Connections of its own: the pair's kit turns the key log on for those it makes. */
    tlsm_conn *client = tlsm_conn_new(p.side[0].cfg, PAIR_HOST);
    tlsm_conn *server = tlsm_conn_new(p.side[1].cfg, NULL);
    cr_assert(client && server);
    static keylog kc, ks;
    memset(&kc, 0, sizeof kc);
    memset(&ks, 0, sizeof ks);
    handshake(client, server, &kc, &ks);
    cr_assert_eq(kc.lines, want_lines, "client logged %zu lines:\n%s", kc.lines, kc.text);
    cr_assert_eq(ks.lines, want_lines, "server logged %zu lines", ks.lines);
    /* Same secrets on both sides, in the same order. */
    cr_assert_str_eq(kc.text, ks.text);
    if (want_lines)
        cr_assert(strncmp(kc.text, first_label, strlen(first_label)) == 0, "%s", kc.text);
    tlsm_conn_free(client);
    tlsm_conn_free(server);
    pair_free(&p);
}

Test(keylog, tls13_five_secrets) { run(TLSM_TLS13, 1, 5, "CLIENT_HANDSHAKE_TRAFFIC_SECRET "); }
Test(keylog, tls12_master_secret) { run(TLSM_TLS12, 1, 1, "CLIENT_RANDOM "); }
Test(keylog, off_by_default) { run(TLSM_TLS13, 0, 0, ""); }
