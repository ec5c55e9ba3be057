/*
 * fuzz_conn_server.c - libFuzzer target for a whole server connection fed the input as the
 * client's ciphertext, through the public API only (tlsm.h). Built and run by build.sh /
 * run.sh; seeds (real client flights, see gen_seeds.c) in corpus/fuzz_conn_server/.
 *
 * Input: byte 0 = flags: bits 0-1 the server setup (0 default; 1 cookie HelloRetryRequest
 * always; 2 client certificate required + ALPN; 3 P-384 and ChaCha20 only, which sends
 * clients with an X25519 share through an HRR), bits 2-4 the number k of chunk-size bytes
 * that follow, bit 5 echo received plaintext back, bit 6 send a KeyUpdate (asking the peer)
 * once the handshake is done, bit 7 close at the end. Then k sizes (0 = everything left),
 * used in turn to cut the rest into tlsm_feed calls, so reassembly sees every split.
 *
 * Everything is deterministic: the server's RNG is a counter-based generator reset for
 * every input, the clock is fixed, the ticket key is fixed. gen_seeds.c builds its server
 * with fuzz_conn_server_new, so a recorded client flight decrypts here exactly as there.
 *
 * After every call the target drains output, plaintext and events and checks the API
 * contract (tlsm.h): status bits agree with the facts; output is always whole records; an
 * error is sticky, reported by exactly one TLSM_EV_ERROR event and preceded on the wire by
 * the alert it names; a fatal alert event matches the error; plaintext only after the
 * handshake; tlsm_feed consumes everything unless plaintext waits. Any broken expectation
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pki_pem.h"
#include "tlsm.h"

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond))                                                                          \
            abort();                                                                          \
    } while (0)

/* 2027-06-01T00:00:00Z, inside the validity of the test PKI. */
#define FUZZ_NOW_MS 1811808000000ull
#define SETUPS 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Shared with gen_seeds.c: a fresh server connection exactly as the target makes it. */
tlsm_conn *fuzz_conn_server_new(unsigned setup);
/* Shared with gen_seeds.c: what the last input reached (FUZZ_REACHED_* bits). */
unsigned fuzz_conn_server_reached(void);

#define FUZZ_REACHED_HANDSHAKE 1u
#define FUZZ_REACHED_PLAINTEXT 2u
#define FUZZ_REACHED_PEER_CLOSED 4u
#define FUZZ_REACHED_RESUMED 8u
#define FUZZ_REACHED_HRR 16u

/* ------------------------------------------------------------------ determinism */

typedef struct {
    uint64_t seed, counter;
} counter_rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Output block i is mix64(seed + i * golden ratio): reproducible from (seed, counter). */
static int counter_rng_fill(void *ctx, uint8_t *out, size_t len)
{
    counter_rng *r = ctx;
    while (len > 0) {
        uint64_t v = mix64(r->seed + ++r->counter * 0x9e3779b97f4a7c15ull);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        out += n;
        len -= n;
    }
    return 0;
}

static uint64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return FUZZ_NOW_MS;
}

static counter_rng server_rng = {0x5e57e5, 0};
static tlsm_config *configs[SETUPS];
static unsigned reached;

static tlsm_config *make_config(unsigned setup)
{
    static const uint8_t ticket_key[32] = "tlsm fuzz ticket key, fixed....";
    static const uint16_t p384[] = {TLSM_GROUP_SECP384R1};
    static const uint16_t chacha[] = {TLSM_TLS_CHACHA20_POLY1305_SHA256};
    static const uint8_t alpn[] = "\x02h2\x08http/1.1";
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    CHECK(cfg != NULL);
    CHECK(tlsm_config_add_identity_pem(cfg, (const uint8_t *)fuzz_pem_server_p256_chain_pem,
                                       strlen(fuzz_pem_server_p256_chain_pem),
                                       (const uint8_t *)fuzz_pem_server_p256_key,
                                       strlen(fuzz_pem_server_p256_key)) == 0);
    CHECK(tlsm_config_set_rng(cfg, counter_rng_fill, &server_rng) == 0);
    CHECK(tlsm_config_set_clock(cfg, fixed_clock, NULL) == 0);
    CHECK(tlsm_config_set_ticket_key(cfg, ticket_key, sizeof ticket_key) == 0);
    CHECK(tlsm_config_set_tickets(cfg, 2) == 0);
    switch (setup) {
    case 1:
        CHECK(tlsm_config_set_require_cookie(cfg, 1) == 0);
        break;
    case 2:
        CHECK(tlsm_config_add_trust_pem(cfg, (const uint8_t *)fuzz_pem_ca_crt,
                                        strlen(fuzz_pem_ca_crt), NULL) == 0);
        CHECK(tlsm_config_set_client_auth(cfg, 2) == 0);
        CHECK(tlsm_config_set_alpn(cfg, alpn, sizeof alpn - 1) == 0);
        break;
    case 3:
        CHECK(tlsm_config_set_groups(cfg, p384, 1) == 0);
        CHECK(tlsm_config_set_suites(cfg, chacha, 1) == 0);
        CHECK(tlsm_config_set_record_size_limit(cfg, 256) == 0);
        break;
    default:
        break;
    }
    return cfg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (unsigned i = 0; i < SETUPS; i++)
        configs[i] = make_config(i);
    return 0;
}

tlsm_conn *fuzz_conn_server_new(unsigned setup)
{
    server_rng.counter = 0;
    tlsm_conn *c = tlsm_conn_new(configs[setup % SETUPS], NULL);
    CHECK(c != NULL);
    return c;
}

unsigned fuzz_conn_server_reached(void)
{
    return reached;
}

/* ------------------------------------------------------------------ the checked connection */

typedef struct {
    tlsm_conn *c;
    int echo;
    int closed;           /* we called tlsm_close */
    int err;              /* the sticky error once seen */
    int error_events, done_events, peer_closed_events;
    uint8_t last_type;    /* outer type of the last record sent */
    uint8_t last_body[2]; /* its first two body bytes */
    size_t last_len;
} watch;

static void check_status(watch *w)
{
    tlsm_conn *c = w->c;
    unsigned s = tlsm_status(c);
    int err = tlsm_conn_error(c), done = tlsm_conn_handshake_done(c);
    size_t out_len = 0, pt_len = 0;
    const uint8_t *out = tlsm_output_peek(c, &out_len);
    const uint8_t *pt = tlsm_read_peek(c, &pt_len);
    CHECK((out != NULL) == (out_len > 0) && (pt != NULL) == (pt_len > 0));
    CHECK(!(s & TLSM_STATUS_ERROR) == !err);
    CHECK(!(s & TLSM_STATUS_HANDSHAKING) == !!done);
    CHECK(!(s & TLSM_STATUS_HAS_OUTPUT) == !out_len);
    CHECK(!(s & TLSM_STATUS_HAS_PLAINTEXT) == !pt_len);
    CHECK(!(s & TLSM_STATUS_BLOCKED));
    if (err) {
        CHECK(s & TLSM_STATUS_CLOSED);
        CHECK(!(s & (TLSM_STATUS_WANT_INPUT | TLSM_STATUS_CAN_WRITE | TLSM_STATUS_HAS_PLAINTEXT)));
    }
    if (s & (TLSM_STATUS_CAN_WRITE | TLSM_STATUS_HAS_PLAINTEXT))
        CHECK(done);
    if (s & TLSM_STATUS_WANT_INPUT)
        CHECK(!(s & TLSM_STATUS_HAS_PLAINTEXT));
    if (done && !err) {
        CHECK(tlsm_conn_version(c) == TLSM_TLS13);
        uint16_t suite = tlsm_conn_suite(c);
        CHECK(suite >= TLSM_TLS_AES_128_GCM_SHA256 && suite <= TLSM_TLS_CHACHA20_POLY1305_SHA256);
    }
    if (w->err)
        CHECK(err == w->err);
}

/* Output must be a sequence of whole TLS 1.3 records. */
static void drain_output(watch *w)
{
    size_t len = 0;
    const uint8_t *out = tlsm_output_peek(w->c, &len);
    if (len == 0)
        return;
    for (size_t off = 0; off < len;) {
        CHECK(len - off >= 5);
        uint8_t type = out[off];
        size_t body = (size_t)out[off + 3] << 8 | out[off + 4];
        CHECK(type >= 20 && type <= 23);
        CHECK(out[off + 1] == 3 && out[off + 2] == 3);
        CHECK(body > 0 && body <= 16384 + 256 && body <= len - off - 5);
        w->last_type = type;
        w->last_len = body;
        w->last_body[0] = out[off + 5];
        w->last_body[1] = body > 1 ? out[off + 6] : 0;
        off += 5 + body;
    }
    /* Consume in two steps: the rest stays where it was. */
    size_t half = len / 2, len2 = 0;
    CHECK(tlsm_output_consume(w->c, half) == 0);
    const uint8_t *rest = tlsm_output_peek(w->c, &len2);
    CHECK(len2 == len - half && rest == out + half);
    CHECK(tlsm_output_consume(w->c, len2 + 1) == TLSM_ERR_ARG);
    CHECK(tlsm_output_consume(w->c, len2) == 0);
    CHECK(tlsm_output_peek(w->c, &len2) == NULL && len2 == 0);
}

static void drain_plaintext(watch *w)
{
    size_t len = 0;
    const uint8_t *pt = tlsm_read_peek(w->c, &len);
    if (len == 0)
        return;
    reached |= FUZZ_REACHED_PLAINTEXT;
    CHECK(tlsm_conn_handshake_done(w->c));
    if (w->echo && !w->closed) {
        /* tlsm_write may move the output buffer but never the plaintext. */
        uint8_t *copy = malloc(len);
        CHECK(copy != NULL);
        memcpy(copy, pt, len);
        size_t accepted = 0;
        CHECK(tlsm_write(w->c, copy, len, &accepted) == 0 && accepted <= len);
        free(copy);
        drain_output(w);
        size_t len2 = 0;
        CHECK(tlsm_read_peek(w->c, &len2) == pt && len2 == len);
    }
    CHECK(tlsm_read_consume(w->c, len + 1) == TLSM_ERR_ARG);
    size_t first = len / 3;
    if (first) {
        CHECK(tlsm_read_consume(w->c, first) == 0);
        size_t len2 = 0;
        CHECK(tlsm_read_peek(w->c, &len2) == pt + first && len2 == len - first);
    }
    int rc = tlsm_read_consume(w->c, len - first);
    CHECK(rc == tlsm_conn_error(w->c));
}

static void drain_events(watch *w)
{
    tlsm_event ev;
    while (tlsm_next_event(w->c, &ev) == 1) {
        int err = tlsm_conn_error(w->c);
        switch (ev.type) {
        case TLSM_EV_HANDSHAKE_DONE:
            CHECK(++w->done_events == 1 && tlsm_conn_handshake_done(w->c));
            break;
        case TLSM_EV_ERROR:
            CHECK(++w->error_events == 1 && ev.code != 0 && ev.code == err);
            break;
        case TLSM_EV_PEER_CLOSED:
            CHECK(++w->peer_closed_events == 1);
            break;
        case TLSM_EV_ALERT:
            if (ev.fatal)
                CHECK(err == TLSM_ERR_PEER_ALERT(ev.alert));
            else
                /* Warnings: user_canceled, or any warning while TLS 1.2 is (or may
                 * still be) the version; close_notify comes as PEER_CLOSED. */
                CHECK(ev.alert != TLSM_ALERT_CLOSE_NOTIFY);
            break;
        case TLSM_EV_KEY_UPDATED:
            CHECK(tlsm_conn_handshake_done(w->c));
            break;
        default:
            /* No tracing, no external signer, and a server gets no tickets. */
            CHECK(0);
        }
    }
}

/* After every call: output, plaintext, events, then the status and the error rules. */
static void settle(watch *w)
{
    size_t pt_len = 1;
    /* Reading plaintext lets the engine process the next buffered record. */
    while (pt_len > 0) {
        drain_output(w);
        drain_plaintext(w);
        drain_output(w);
        drain_events(w);
        check_status(w);
        tlsm_read_peek(w->c, &pt_len);
    }
    int err = tlsm_conn_error(w->c);
    if (err && !w->err) {
        w->err = err;
        /* The alert that tells the peer why is the last thing on the wire (unless we had
         * already closed: then no alert follows close_notify). */
        if (TLSM_ERR_IS_LOCAL_ALERT(err) && !w->closed) {
            CHECK(w->last_type == 21 || w->last_type == 23);
            if (w->last_type == 21)
                CHECK(w->last_len == 2 && w->last_body[0] == 2 &&
                      w->last_body[1] == TLSM_ERR_ALERT(err));
        }
    }
    if (w->err)
        CHECK(w->error_events == 1);
}

/* Every call after a fatal error returns it and changes nothing. */
static void check_sticky(watch *w)
{
    tlsm_conn *c = w->c;
    int err = w->err;
    size_t n = 1, cap = 1;
    uint16_t scheme;
    const uint8_t *msg;
    uint8_t buf[16] = {0};
    CHECK(tlsm_feed(c, buf, 1, &n) == err && n == 0);
    CHECK(tlsm_write(c, (const uint8_t *)"x", 1, &n) == err && n == 0);
    CHECK(tlsm_read_consume(c, 0) == err);
    CHECK(tlsm_close(c) == err);
    CHECK(tlsm_key_update(c, 1) == err);
    CHECK(tlsm_export_keying_material(c, "EXPORTER-x", 10, NULL, 0, buf, sizeof buf) == err);
    CHECK(tlsm_conn_start(c) == err);
    CHECK(tlsm_input_buf(c, &cap) == NULL && cap == 0);
    CHECK(tlsm_input_ack(c, 0) == err);
    CHECK(tlsm_sign_request(c, &scheme, &msg, &n) == err);
    CHECK(tlsm_sign_done(c, buf, 1) == err);
    CHECK(tlsm_feed_eof(c) == err);
    CHECK(tlsm_output_peek(c, &n) == NULL && n == 0);
    settle(w);
    CHECK(tlsm_conn_error(c) == err);
}

/* Feeds one chunk, as often as needed: only pending plaintext may hold bytes back. */
static void feed(watch *w, const uint8_t *p, size_t n)
{
    /* Exactly-sized copy: a read past the chunk shows. */
    uint8_t *chunk = malloc(n ? n : 1);
    CHECK(chunk != NULL);
    memcpy(chunk, p, n);
    size_t off = 0;
    while (off < n && !w->err) {
        size_t consumed = 0;
        int rc = tlsm_feed(w->c, chunk + off, n - off, &consumed);
        CHECK(rc == tlsm_conn_error(w->c));
        CHECK(consumed <= n - off);
        if (rc == 0 && consumed < n - off)
            CHECK(tlsm_status(w->c) & TLSM_STATUS_HAS_PLAINTEXT);
        off += consumed;
        settle(w);
    }
    free(chunk);
}

/* After the input: the post-handshake calls, then end of stream. */
static void finish(watch *w, unsigned flags)
{
    tlsm_conn *c = w->c;
    uint8_t a[32], b[32];
    if (!w->err && tlsm_conn_handshake_done(c)) {
        reached |= FUZZ_REACHED_HANDSHAKE;
        if (tlsm_conn_resumed(c))
            reached |= FUZZ_REACHED_RESUMED;
        CHECK(tlsm_export_keying_material(c, "EXPORTER-fuzz", 13, NULL, 0, a, sizeof a) == 0);
        CHECK(tlsm_export_keying_material(c, "EXPORTER-fuzz", 13, (const uint8_t *)"", 0, b,
                                          sizeof b) == 0);
        CHECK(memcmp(a, b, sizeof a) == 0);
        if (!w->closed) {
            size_t accepted = 0;
            CHECK(tlsm_write(c, (const uint8_t *)"bye", 3, &accepted) == 0 && accepted == 3);
            settle(w);
        }
        if (flags & 0x80) {
            CHECK(tlsm_close(c) == 0);
            w->closed = 1;
            CHECK(tlsm_write(c, (const uint8_t *)"x", 1, NULL) == TLSM_ERR_CLOSED);
            CHECK(tlsm_key_update(c, 0) == TLSM_ERR_CLOSED);
            settle(w);
            CHECK(w->last_type == 23);
        }
    } else if (!w->err) {
        CHECK(tlsm_write(c, (const uint8_t *)"x", 1, NULL) == TLSM_ERR_STATE);
        CHECK(tlsm_key_update(c, 0) == TLSM_ERR_STATE);
        CHECK(tlsm_export_keying_material(c, "EXPORTER-x", 10, NULL, 0, a, sizeof a) ==
              TLSM_ERR_STATE);
    }
    if (tlsm_conn_hrr(c))
        reached |= FUZZ_REACHED_HRR;
    if (w->peer_closed_events)
        reached |= FUZZ_REACHED_PEER_CLOSED;
    if (!w->err) {
        int rc = tlsm_feed_eof(c);
        if (w->peer_closed_events) {
            CHECK(rc == 0);
            size_t n = 0;
            CHECK(tlsm_feed(c, a, 1, &n) == TLSM_ERR_STATE && n == 0);
        } else {
            CHECK(rc == TLSM_ERR_TRUNCATED);
        }
        settle(w);
    }
    if (w->err)
        check_sticky(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reached = 0;
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    size_t k = (flags >> 2) & 7;
    if (size < 1 + k)
        return 0;
    const uint8_t *sizes = data + 1, *p = data + 1 + k;
    size_t n = size - 1 - k;

    watch w;
    memset(&w, 0, sizeof w);
    w.c = fuzz_conn_server_new(flags & 3);
    w.echo = (flags >> 5) & 1;
    CHECK(tlsm_conn_start(w.c) == 0); /* a no-op for a server */
    settle(&w);
    CHECK(tlsm_status(w.c) == (TLSM_STATUS_WANT_INPUT | TLSM_STATUS_HANDSHAKING));

    int key_update = (flags >> 6) & 1;
    for (size_t i = 0; n > 0 && !w.err; i++) {
        size_t want = k ? sizes[i % k] : 0;
        size_t len = want == 0 || want > n ? n : want;
        feed(&w, p, len);
        p += len;
        n -= len;
        if (key_update && !w.err && tlsm_conn_handshake_done(w.c)) {
            key_update = 0;
            CHECK(tlsm_key_update(w.c, 1) == 0);
            settle(&w);
        }
    }
    finish(&w, flags);
    tlsm_conn_free(w.c);
    return 0;
}
