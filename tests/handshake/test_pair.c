/*
 * test_pair.c - the test pair itself (tests/common/pair.h over the testing kit): each knob
 * the other suites rely on does what it says, so that a suite passing with it means
 * something. Chunks cut every tlsm_feed and tlsm_output_consume; without them a
 * direction's due records go in one tlsm_feed; the record hook sees every record once, in
 * order, and what it changes arrives (and shows in the kit's trace); injected bytes arrive
 * before the record whose hook injected them; the pair mirrors the kit's events,
 * plaintext and record counts.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

static const pair_opts server_p256 = {.key = PAIR_KEY_P256};

static void start(pair *p, uint64_t seed)
{
    pair_init(p, NULL, &server_p256, seed);
    pair_connect(p, PAIR_HOST);
}

static void handshake_ok(pair *p)
{
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
}

/* Every tlsm_feed carries at most `chunk` bytes: at least bytes/chunk of them per direction. */
Test(pair, chunk_cuts_every_feed)
{
    pair p;
    start(&p, 1);
    p.chunk = 7;
    handshake_ok(&p);
    for (int d = 0; d < 2; d++) {
        size_t bytes = p.kit->sent[d].len;
        cr_assert_gt(bytes, 0);
        cr_assert_geq(p.kit->feeds[d], (bytes + 6) / 7, "direction %d: %zu feeds for %zu bytes",
                      d, p.kit->feeds[d], bytes);
    }
    pair_free(&p);
}

/* Without a chunk, a flight of several records reaches the client in fewer tlsm_feed calls
 * than it has records, as from a stream socket. */
Test(pair, records_in_a_row_share_a_feed)
{
    pair p;
    start(&p, 2);
    handshake_ok(&p);
    size_t records = p.type_count[PAIR_S2C][20] + p.type_count[PAIR_S2C][22] +
                     p.type_count[PAIR_S2C][23];
    cr_assert_geq(records, 3, "the server sent %zu records", records);
    cr_assert_lt(p.kit->feeds[PAIR_S2C], records, "%zu feeds for %zu records",
                 p.kit->feeds[PAIR_S2C], records);
    pair_free(&p);
}

typedef struct {
    size_t seen[2];  /* records per direction */
    int in_order;    /* every index was the count so far */
    size_t flip_app; /* 1: flip the last byte of the next client application record */
} watch;

static void watch_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    watch *w = ctx;
    w->in_order &= index == w->seen[dir]++;
    if (w->flip_app && dir == PAIR_C2S && pair_record_type(rec) == 23) {
        rec->data[rec->len - 1] ^= 0x01;
        w->flip_app = 0;
    }
}

/* The hook sees each record once, with its index in the direction; a byte it flips
 * reaches the server (bad_record_mac) and the kit's trace says the hook changed it. */
Test(pair, hook_sees_every_record_and_its_change_arrives)
{
    watch w = {.in_order = 1};
    pair p;
    start(&p, 3);
    p.hook = watch_hook;
    p.hook_ctx = &w;
    handshake_ok(&p);
    for (int d = 0; d < 2; d++)
        cr_assert_eq(w.seen[d], p.kit->n_dir_records[d], "direction %d", d);
    cr_assert(w.in_order);
    w.flip_app = 1;
    cr_assert_eq(pair_send(&p, PAIR_CLIENT, (const uint8_t *)"x", 1), 0);
    cr_assert_eq(tlsm_conn_error(p.side[PAIR_SERVER].conn),
                 TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_BAD_RECORD_MAC));
    cr_assert_eq(p.side[PAIR_SERVER].rx.len, 0);
    size_t len = 0;
    cr_assert_eq(tlsm_pair_trace(p.kit, TLSM_TRACE_LADDER, NULL, 0, &len), 0);
    char *text = malloc(len + 1);
    cr_assert_not_null(text);
    cr_assert_eq(tlsm_pair_trace(p.kit, TLSM_TRACE_LADDER, text, len, &len), 0);
    text[len] = 0;
    cr_assert_not_null(strstr(text, "rewritten by the test's record hook"), "%s", text);
    free(text);
    pair_free(&p);
}

static void inject_before_first(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)rec;
    const pair_buf *bytes = ctx;
    if (dir == PAIR_C2S && index == 0)
        pair_inject(p, dir, bytes->data, bytes->len);
}

/* Bytes injected from the hook arrive before the record: an unknown content type where the
 * ClientHello belongs (RFC 8446 s.5: unexpected_message) stops the server first. */
Test(pair, inject_from_hook_goes_first)
{
    static const uint8_t bogus[] = {0x63, 3, 3, 0, 1, 0};
    pair_buf bytes = {0};
    pair_buf_set(&bytes, bogus, sizeof bogus);
    pair p;
    start(&p, 4);
    p.hook = inject_before_first;
    p.hook_ctx = &bytes;
    pair_pump(&p);
    cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), "REC_UNKNOWN_TYPE");
    cr_assert_eq(pair_count_msgs(&p, PAIR_SERVER, TLSM_EV_MESSAGE_RECEIVED, 1, 0), 0,
                 "the ClientHello came first");
    pair_buf_free(&bytes);
    pair_free(&p);
}

/* The pair's view is the kit's: the same events, the plaintext, the records by type. */
Test(pair, mirrors_the_kit)
{
    pair p;
    start(&p, 5);
    handshake_ok(&p);
    cr_assert_eq(pair_send(&p, PAIR_SERVER, (const uint8_t *)"hello", 5), 0);
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, 5);
    cr_assert(memcmp(p.side[PAIR_CLIENT].rx.data, "hello", 5) == 0);
    for (int who = 0; who < 2; who++) {
        tlsm_event ev;
        size_t n = 0;
        while (tlsm_pair_event(p.kit, who, n, &ev))
            n++;
        cr_assert_eq(p.side[who].n_ev, n);
        cr_assert_eq(pair_count_events(&p, who, TLSM_EV_HANDSHAKE_DONE), 1);
    }
    size_t total = 0;
    for (int d = 0; d < 2; d++)
        for (int t = 0; t < 256; t++)
            total += p.type_count[d][t];
    cr_assert_eq(total, p.kit->n_records);
    cr_assert_geq(p.type_count[PAIR_S2C][23], 1);
    pair_free(&p);
}
