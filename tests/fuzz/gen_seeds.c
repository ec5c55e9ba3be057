/*
 * gen_seeds.c - writes the seed corpora of the connection, PKI and codec fuzz targets
 * (tests/fuzz/corpus/fuzz_<target>/), built and run by gen_seeds.sh.
 *
 * The connection targets are compiled into this program (entry points renamed), so a seed
 * is recorded against the very connection the target builds: fuzz_conn_server_new /
 * fuzz_conn_client_new, whose RNG is reset per connection. A real peer (deterministic too)
 * runs an in-memory handshake and a short exchange with it, every record each side sends
 * is recorded, and the peer's records become the seed, in the target's input format. Every
 * seed is then run through the target and must reach what it was made for (a finished
 * handshake, unless it is a deliberate failure), so a stale seed is caught here.
 *
 * fuzz_pair gets its setups without tampering (and a few tamperings); fuzz_x509 the DER and
 * PEM of the test PKI; fuzz_hs_codec ClientHello and ServerHello bodies cut from the
 * recorded flights and Certificate bodies built from the test PKI.
 *
 * Usage: gen_seeds <corpus dir> <tests/data/pki dir>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conn_invariants.h"
#include "common/fuzz_support.h"
#include "pki/pki.h"
#include "tlsm.h"

/* From the targets (compiled in by gen_seeds.sh with their entry points renamed). */
int fuzz_conn_server_init(int *argc, char ***argv);
int fuzz_conn_server_run(const uint8_t *data, size_t size);
tlsm_conn *fuzz_conn_server_new(unsigned setup);
unsigned fuzz_conn_server_reached(void);
int fuzz_conn_client_init(int *argc, char ***argv);
int fuzz_conn_client_run(const uint8_t *data, size_t size);
tlsm_conn *fuzz_conn_client_new(unsigned setup, const uint8_t *session, size_t session_len);
unsigned fuzz_conn_client_reached(void);
int fuzz_pair_init(int *argc, char ***argv);
int fuzz_pair_run(const uint8_t *data, size_t size);
int fuzz_pair_both_complete(void);

static const char *corpus_dir, *pki_dir;

static void die(const char *what)
{
    fprintf(stderr, "gen_seeds: %s\n", what);
    exit(1);
}

#define MUST(cond)                                                                            \
    do {                                                                                      \
        if (!(cond))                                                                          \
            die(#cond);                                                                       \
    } while (0)

/* ------------------------------------------------------------------ bytes */

typedef struct {
    uint8_t *d;
    size_t len, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n)
            cap *= 2;
        b->d = realloc(b->d, cap);
        MUST(b->d != NULL);
        b->cap = cap;
    }
    if (n && p)
        memcpy(b->d + b->len, p, n);
    else if (n)
        memset(b->d + b->len, 0, n);
    b->len += n;
}

static void put_u8(bytes *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void write_seed(const char *target, const char *name, const bytes *b)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", corpus_dir, target, name);
    FILE *f = fopen(path, "wb");
    MUST(f != NULL);
    MUST(fwrite(b->d, 1, b->len, f) == b->len);
    MUST(fclose(f) == 0);
}

static bytes read_file(const char *name)
{
    char path[1024];
    bytes b = {0};
    uint8_t tmp[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/%s", pki_dir, name);
    FILE *f = fopen(path, "rb");
    MUST(f != NULL);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        put(&b, tmp, n);
    fclose(f);
    return b;
}

/* ------------------------------------------------------------------ peers */

/* The peers' own deterministic RNG (a counter through splitmix64's finalizer). */
static counter_rng peer_rng = {0, 0};

typedef struct {
    const char *key;      /* server identity: p256, ed25519, ... ; client: "client" or NULL */
    int cookie;           /* server: always HRR with a cookie */
    int client_auth;      /* server: 2 = require */
    const uint16_t *groups;
    size_t n_groups;
    const char *alpn;
    int no_middlebox;
    unsigned tickets;     /* server: NewSessionTickets (0 = default 1) */
} peer_opts;

static tlsm_config *peer_config(tlsm_role role, const peer_opts *o)
{
    tlsm_config *cfg = tlsm_config_new(role);
    MUST(cfg != NULL);
    MUST(tlsm_config_set_rng(cfg, counter_rng_fill, &peer_rng) == 0);
    MUST(tlsm_config_set_clock(cfg, fuzz_fixed_clock, NULL) == 0);
    bytes ca = read_file("ca.crt");
    MUST(tlsm_config_add_trust_pem(cfg, ca.d, ca.len, NULL) == 0);
    free(ca.d);
    if (o->key) {
        char chain_name[64], key_name[64];
        if (strcmp(o->key, "client") == 0) {
            snprintf(chain_name, sizeof chain_name, "client.chain.pem");
            snprintf(key_name, sizeof key_name, "client.key");
        } else {
            snprintf(chain_name, sizeof chain_name, "server-%s.chain.pem", o->key);
            snprintf(key_name, sizeof key_name, "server-%s.key", o->key);
        }
        bytes chain = read_file(chain_name), key = read_file(key_name);
        MUST(tlsm_config_add_identity_pem(cfg, chain.d, chain.len, key.d, key.len) == 0);
        free(chain.d);
        free(key.d);
    }
    if (o->cookie)
        MUST(tlsm_config_set_require_cookie(cfg, 1) == 0);
    if (o->client_auth)
        MUST(tlsm_config_set_client_auth(cfg, o->client_auth) == 0);
    if (o->n_groups)
        MUST(tlsm_config_set_groups(cfg, o->groups, o->n_groups) == 0);
    if (o->alpn)
        MUST(tlsm_config_set_alpn(cfg, (const uint8_t *)o->alpn, strlen(o->alpn)) == 0);
    if (o->no_middlebox)
        MUST(tlsm_config_set_middlebox_compat(cfg, 0) == 0);
    if (o->tickets)
        MUST(tlsm_config_set_tickets(cfg, o->tickets) == 0);
    return cfg;
}

/* ------------------------------------------------------------------ an in-memory exchange */

/* What the peer does after the handshake (in this order). */
typedef struct {
    int key_updates;      /* KeyUpdates sent (the first asks the other side to update) */
    const char *data;     /* application data sent */
    int close;            /* close_notify */
    int garbage;          /* a final record that cannot be opened */
} peer_script;

/* Moves everything from one connection to the other until nothing moves. rec[0] collects
 * what conn[0] sent, rec[1] what conn[1] sent. */
static void pump(tlsm_conn *conn[2], bytes rec[2])
{
    for (int moved = 1; moved;) {
        moved = 0;
        for (int d = 0; d < 2; d++) {
            size_t len = 0, off = 0;
            const uint8_t *out = tlsm_output_peek(conn[d], &len);
            if (!out)
                continue;
            put(&rec[d], out, len);
            /* The receiver may hold back bytes while plaintext waits: read and retry. */
            while (off < len && !tlsm_conn_error(conn[1 - d])) {
                size_t consumed = 0, pt_len = 0;
                if (tlsm_feed(conn[1 - d], out + off, len - off, &consumed))
                    break;
                off += consumed;
                while (tlsm_read_peek(conn[1 - d], &pt_len) && pt_len)
                    if (tlsm_read_consume(conn[1 - d], pt_len))
                        break;
            }
            MUST(tlsm_output_consume(conn[d], len) == 0);
            moved = 1;
        }
        for (int i = 0; i < 2; i++) {
            tlsm_event ev;
            size_t pt_len = 0;
            while (tlsm_next_event(conn[i], &ev) == 1)
                ;
            while (tlsm_read_peek(conn[i], &pt_len) && pt_len)
                if (tlsm_read_consume(conn[i], pt_len))
                    break;
        }
    }
}

static void play(tlsm_conn *conn[2], bytes rec[2], int who, const peer_script *s)
{
    tlsm_conn *c = conn[who];
    if (!tlsm_conn_handshake_done(c) || tlsm_conn_error(c))
        return;
    for (int i = 0; i < s->key_updates; i++) {
        MUST(tlsm_key_update(c, i == 0) == 0);
        pump(conn, rec);
    }
    if (s->data) {
        size_t accepted = 0;
        MUST(tlsm_write(c, (const uint8_t *)s->data, strlen(s->data), &accepted) == 0);
        pump(conn, rec);
    }
    if (s->close) {
        MUST(tlsm_close(c) == 0);
        pump(conn, rec);
    }
    if (s->garbage) {
        /* An application_data record that no key opens: the receiver must fail. */
        static const uint8_t junk[5 + 20] = {23, 3, 3, 0, 20, 1, 2, 3};
        put(&rec[who], junk, sizeof junk);
    }
}

/* Runs client against server, the scripts after the handshake; rec[0] gets the client's
 * bytes, rec[1] the server's. Both connections are freed; a session left by the server's
 * tickets goes to *session when asked for. */
static void exchange(tlsm_conn *client, tlsm_conn *server, const peer_script *cs,
                     const peer_script *ss, bytes rec[2], bytes *session)
{
    tlsm_conn *conn[2] = {client, server};
    pump(conn, rec);
    MUST(tlsm_conn_handshake_done(client) && tlsm_conn_handshake_done(server));
    play(conn, rec, 1, ss);
    play(conn, rec, 0, cs);
    if (session) {
        size_t len = 0;
        MUST(tlsm_conn_get_session(client, NULL, 0, &len) == 0);
        session->len = 0;
        put(session, NULL, len);
        MUST(tlsm_conn_get_session(client, session->d, len, &len) == 0);
    }
    tlsm_conn_free(client);
    tlsm_conn_free(server);
}

/* ------------------------------------------------------------------ fuzz_conn_server */

static const peer_script talk = {0, "GET / HTTP/1.0\r\n\r\n", 1, 0};
static const peer_script talk_update = {2, "ping", 1, 0};
static const peer_script quiet = {0, NULL, 0, 0};
static const peer_script serve = {0, "HTTP/1.0 200 OK\r\n\r\nhello", 1, 0};
static const peer_script serve_update = {1, "pong", 1, 0};

static size_t n_seeds[3];

/* Writes a server-target seed from the client's bytes and checks what it reaches. */
static void server_seed(unsigned flags, const uint8_t *sizes, size_t k, const bytes *c2s,
                        unsigned want, const char *name)
{
    bytes seed = {0};
    put_u8(&seed, flags | (unsigned)k << 2);
    put(&seed, sizes, k);
    put(&seed, c2s->d, c2s->len);
    fuzz_conn_server_run(seed.d, seed.len);
    if ((fuzz_conn_server_reached() & want) != want) {
        fprintf(stderr, "server seed %s reached %#x, wanted %#x\n", name,
                fuzz_conn_server_reached(), want);
        die("stale server seed");
    }
    write_seed("fuzz_conn_server", name, &seed);
    n_seeds[0]++;
    free(seed.d);
}

static void server_seeds(void)
{
    static const uint16_t x25519[] = {TLSM_GROUP_X25519};
    static const uint16_t p384_first[] = {TLSM_GROUP_SECP384R1, TLSM_GROUP_X25519};
    static const uint8_t small[] = {1, 7, 200};
    struct {
        unsigned setup;
        peer_opts client;
        const peer_script *script;
        unsigned flags;
        unsigned want;
        const char *name;
    } cases[] = {
        {0, {0}, &talk, 0x20, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_PLAINTEXT, "s0-full"},
        {0, {0}, &talk_update, 0xe0, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_PLAINTEXT, "s0-keyupdate"},
        {0, {.no_middlebox = 1, .alpn = "\x08http/1.1"}, &talk, 0, FUZZ_REACHED_HANDSHAKE,
         "s0-nomiddlebox-alpn"},
        {0, {.groups = p384_first, .n_groups = 2}, &talk, 0, FUZZ_REACHED_HANDSHAKE, "s0-p384"},
        {1, {0}, &talk, 0x20, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_HRR, "s1-cookie-hrr"},
        {2, {.key = "client", .alpn = "\x02h2"}, &talk, 0x20, FUZZ_REACHED_HANDSHAKE,
         "s2-client-auth"},
        {3, {.groups = x25519, .n_groups = 1}, &talk, 0, 0, "s3-no-common-group"},
        {3, {0}, &talk_update, 0xa0, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_HRR, "s3-group-hrr"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tlsm_config *ccfg = peer_config(TLSM_ROLE_CLIENT, &cases[i].client);
        bytes rec[2] = {{0}, {0}};
        tlsm_conn *client = tlsm_conn_new(ccfg, FUZZ_HOST);
        tlsm_conn *server = fuzz_conn_server_new(cases[i].setup);
        MUST(client != NULL);
        if (cases[i].want == 0) {
            /* A deliberate failure: no handshake, just the client's first flight. */
            tlsm_conn *conn[2] = {client, server};
            pump(conn, rec);
            tlsm_conn_free(client);
            tlsm_conn_free(server);
        } else {
            exchange(client, server, cases[i].script, &quiet, rec, NULL);
        }
        server_seed(cases[i].setup | cases[i].flags, NULL, 0, &rec[0], cases[i].want,
                    cases[i].name);
        if (i == 0 || i == 4)
            server_seed(cases[i].setup | cases[i].flags, small, sizeof small, &rec[0],
                        cases[i].want, i == 0 ? "s0-full-chunked" : "s1-cookie-hrr-chunked");
        free(rec[0].d);
        free(rec[1].d);
        tlsm_config_free(ccfg);
    }

    /* Resumption: a first connection leaves a ticket of the target's server (same ticket
     * key), the second offers it; its bytes are the seed. */
    for (unsigned setup = 0; setup < 2; setup++) {
        peer_opts o = {0};
        tlsm_config *ccfg = peer_config(TLSM_ROLE_CLIENT, &o);
        bytes rec[2] = {{0}, {0}}, session = {0};
        tlsm_conn *client = tlsm_conn_new(ccfg, FUZZ_HOST);
        MUST(client != NULL);
        exchange(client, fuzz_conn_server_new(setup), &quiet, &quiet, rec, &session);
        rec[0].len = rec[1].len = 0;
        client = tlsm_conn_new(ccfg, FUZZ_HOST);
        MUST(client != NULL && tlsm_conn_set_session(client, session.d, session.len) == 0);
        exchange(client, fuzz_conn_server_new(setup), &talk, &quiet, rec, NULL);
        server_seed(setup | 0x20, NULL, 0, &rec[0], FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_RESUMED,
                    setup ? "s1-resumed-hrr" : "s0-resumed");
        free(rec[0].d);
        free(rec[1].d);
        free(session.d);
        tlsm_config_free(ccfg);
    }
}

/* ------------------------------------------------------------------ fuzz_conn_client */

static void client_seed(unsigned flags, const bytes *session, const uint8_t *sizes, size_t k,
                        const bytes *s2c, unsigned want, const char *dir, const char *name)
{
    bytes seed = {0};
    put_u8(&seed, flags | (unsigned)k << 2 | (session ? 0x80u : 0));
    if (session) {
        put_u8(&seed, (unsigned)(session->len >> 8));
        put_u8(&seed, (unsigned)session->len);
        put(&seed, session->d, session->len);
    }
    put(&seed, sizes, k);
    put(&seed, s2c->d, s2c->len);
    if (strcmp(dir, "fuzz_conn_client") == 0) {
        fuzz_conn_client_run(seed.d, seed.len);
        if ((fuzz_conn_client_reached() & want) != want) {
            fprintf(stderr, "client seed %s reached %#x, wanted %#x\n", name,
                    fuzz_conn_client_reached(), want);
            die("stale client seed");
        }
        write_seed(dir, name, &seed);
        n_seeds[1]++;
    } else {
        /* A regression input (not run here: it may crash the target on purpose), written
         * where its target's regressions live. */
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "wb");
        MUST(f != NULL && fwrite(seed.d, 1, seed.len, f) == seed.len && fclose(f) == 0);
    }
    free(seed.d);
}

/* The client's first flight from a throwaway connection, for the codec seeds. */
static bytes first_flight(unsigned setup)
{
    bytes out = {0};
    tlsm_conn *c = fuzz_conn_client_new(setup, NULL, 0);
    size_t len = 0;
    const uint8_t *p = tlsm_output_peek(c, &len);
    MUST(p != NULL);
    put(&out, p, len);
    tlsm_conn_free(c);
    return out;
}

static bytes client_hellos[6], server_hellos[8];
static size_t n_ch, n_sh;

/* Keeps the body of the first handshake record of a flight (ClientHello / ServerHello). */
static void keep_hello(bytes *list, size_t *n, size_t max, const bytes *flight)
{
    if (*n == max || flight->len < 9 || flight->d[0] != 22)
        return;
    size_t rec_len = (size_t)flight->d[3] << 8 | flight->d[4];
    size_t msg_len = (size_t)flight->d[6] << 16 | (size_t)flight->d[7] << 8 | flight->d[8];
    if (rec_len < 4 + msg_len || flight->len < 5 + rec_len)
        return;
    bytes *b = &list[(*n)++];
    put(b, flight->d + 9, msg_len);
}

static void client_seeds(void)
{
    static const uint16_t p256[] = {TLSM_GROUP_SECP256R1};
    struct {
        unsigned setup;
        peer_opts server;
        const peer_script *script;
        unsigned flags;
        unsigned want;
        const char *name;
    } cases[] = {
        {0, {.key = "p256", .alpn = "\x02h2"}, &serve, 0x20, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_PLAINTEXT,
         "c0-p256-alpn"},
        {0, {.key = "ed25519"}, &serve_update, 0x60, FUZZ_REACHED_HANDSHAKE, "c0-ed25519-update"},
        {0, {.key = "p384"}, &serve, 0, FUZZ_REACHED_HANDSHAKE, "c0-p384"},
        {0, {.key = "rsa"}, &serve, 0, FUZZ_REACHED_HANDSHAKE, "c0-rsa"},
        {0, {.key = "rsapss"}, &serve, 0, FUZZ_REACHED_HANDSHAKE, "c0-rsapss"},
        {0, {.key = "p256", .cookie = 1}, &serve, 0, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_HRR,
         "c0-cookie-hrr"},
        {0, {.key = "p256", .groups = p256, .n_groups = 1, .tickets = 2}, &serve, 0x20,
         FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_HRR, "c0-group-hrr"},
        {1, {.key = "p256", .client_auth = 2}, &serve, 0, FUZZ_REACHED_HANDSHAKE, "c1-client-auth"},
        {1, {.key = "ed25519", .client_auth = 1}, &serve, 0, FUZZ_REACHED_HANDSHAKE,
         "c1-client-auth-requested"},
        {2, {.key = "p384"}, &serve_update, 0x60, FUZZ_REACHED_HANDSHAKE, "c2-aes256-p256"},
        {3, {.key = "p256"}, &serve, 0x20, FUZZ_REACHED_HANDSHAKE, "c3-rsl"},
        {3, {.key = "rsa", .cookie = 1}, &serve, 0, FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_HRR,
         "c3-rsa-cookie-hrr"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tlsm_config *scfg = peer_config(TLSM_ROLE_SERVER, &cases[i].server);
        bytes rec[2] = {{0}, {0}};
        tlsm_conn *server = tlsm_conn_new(scfg, NULL);
        MUST(server != NULL);
        exchange(fuzz_conn_client_new(cases[i].setup, NULL, 0), server, &quiet,
                 cases[i].script, rec, NULL);
        client_seed(cases[i].setup | cases[i].flags, NULL, NULL, 0, &rec[1], cases[i].want,
                    "fuzz_conn_client", cases[i].name);
        if (i == 0) {
            static const uint8_t small[] = {5, 1, 90, 0};
            client_seed(cases[i].setup | cases[i].flags, NULL, small, sizeof small, &rec[1],
                        cases[i].want, "fuzz_conn_client", "c0-p256-chunked");
        }
        keep_hello(client_hellos, &n_ch, 6, &rec[0]);
        keep_hello(server_hellos, &n_sh, 8, &rec[1]);
        free(rec[0].d);
        free(rec[1].d);
        tlsm_config_free(scfg);
    }

    /* Resumption: the session blob goes into the seed; the second connection's ClientHello
     * is then the one the recorded server answered. */
    for (unsigned setup = 0; setup < 3; setup += 2) {
        peer_opts o = {.key = "p256"};
        tlsm_config *scfg = peer_config(TLSM_ROLE_SERVER, &o);
        bytes rec[2] = {{0}, {0}}, session = {0};
        tlsm_conn *server = tlsm_conn_new(scfg, NULL);
        MUST(server != NULL);
        exchange(fuzz_conn_client_new(setup, NULL, 0), server, &quiet, &quiet, rec, &session);
        rec[0].len = rec[1].len = 0;
        server = tlsm_conn_new(scfg, NULL);
        MUST(server != NULL);
        exchange(fuzz_conn_client_new(setup, session.d, session.len), server, &quiet, &serve,
                 rec, NULL);
        client_seed(setup | 0x20, &session, NULL, 0, &rec[1],
                    FUZZ_REACHED_HANDSHAKE | FUZZ_REACHED_RESUMED, "fuzz_conn_client",
                    setup ? "c2-resumed" : "c0-resumed");
        keep_hello(client_hellos, &n_ch, 6, &rec[0]);
        free(rec[0].d);
        free(rec[1].d);
        free(session.d);
        tlsm_config_free(scfg);
    }
}

/* ------------------------------------------------------------------ fuzz_pair */

static void pair_seeds(void)
{
    /* {byte 0, byte 1}: every key, group mode, suite, client auth; resumption, middlebox,
     * record size limit, long messages, step sizes. */
    static const uint8_t setups[][2] = {
        {0x00, 0x00}, {0x01, 0x00}, {0x02, 0x00}, {0x03, 0x00}, {0x04, 0x00}, {0x08, 0x00},
        {0x10, 0x00}, {0x18, 0x00}, {0x20, 0x00}, {0x40, 0x00}, {0x60, 0x00}, {0x80, 0x00},
        {0x00, 0x01}, {0x10, 0x01}, {0x00, 0x02}, {0x00, 0x04}, {0x00, 0x08}, {0x00, 0x30},
        {0x91, 0x71}, {0x2a, 0x0e}, {0x00, 0x0c}};
    /* A few tamperings: flip the ClientHello, the server flight, the client Finished;
     * drop a record; duplicate the CCS; inject a warning alert. */
    static const uint8_t ops[][5] = {
        {0x00, 0, 0x00, 0x40, 0x01}, {0x01, 2, 0x00, 0x30, 0x80}, {0x00, 2, 0x00, 0x09, 0x04},
        {0x0a, 1, 0, 0, 0},          {0x0c, 1, 0, 0, 0},          {0x0e, 0, 0x00, 0x01, 90},
        {0x04, 0, 0x00, 0x05, 0x41}, {0x01, 0, 0x00, 0x01, 0x02}};
    char name[64];
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        bytes seed = {0};
        put(&seed, setups[i], 2);
        fuzz_pair_run(seed.d, seed.len);
        MUST(fuzz_pair_both_complete());
        snprintf(name, sizeof name, "setup-%02x%02x", setups[i][0], setups[i][1]);
        write_seed("fuzz_pair", name, &seed);
        n_seeds[2]++;
        if (i < sizeof ops / sizeof ops[0]) {
            put(&seed, ops[i], 5);
            fuzz_pair_run(seed.d, seed.len);
            snprintf(name, sizeof name, "tamper-%02x%02x-%zu", setups[i][0], setups[i][1], i);
            write_seed("fuzz_pair", name, &seed);
            n_seeds[2]++;
        }
        free(seed.d);
    }
}

/* ------------------------------------------------------------------ fuzz_x509, fuzz_hs_codec */

static size_t n_x509, n_codec;

static void x509_seed(unsigned mode, const uint8_t *p, size_t n, const char *name)
{
    bytes seed = {0};
    put_u8(&seed, mode);
    put(&seed, p, n);
    write_seed("fuzz_x509", name, &seed);
    n_x509++;
    free(seed.d);
}

static void pki_seeds(void)
{
    static const char *const certs[] = {"ca.crt", "intermediate.crt", "server-p256.crt",
                                        "server-ed25519.crt", "server-rsapss.crt",
                                        "client.crt"};
    static const char *const keys[] = {"server-p256.key", "server-ed25519.key",
                                       "server-rsa.key", "server-p384.key"};
    char name[96];
    bytes cert_msg = {0};
    put_u8(&cert_msg, 0); /* certificate_request_context */
    put(&cert_msg, "\0\0\0", 3);
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++) {
        bytes pem = read_file(certs[i]);
        size_t pos = 0, der_len = 0;
        uint8_t *der = NULL;
        MUST(pki_pem_next(pem.d, pem.len, &pos, "CERTIFICATE", NULL, &der, &der_len) == 0);
        snprintf(name, sizeof name, "der-%s", certs[i]);
        x509_seed(0, der, der_len, name);
        if (i < 3) {
            /* Certificate message entries: cert_data<3> extensions<2>. */
            uint8_t h[3] = {(uint8_t)(der_len >> 16), (uint8_t)(der_len >> 8), (uint8_t)der_len};
            put(&cert_msg, h, 3);
            put(&cert_msg, der, der_len);
            put(&cert_msg, i == 1 ? "\0\x04\0\x05\0\0" : "\0\0", i == 1 ? 6 : 2);
        }
        if (i == 2) {
            snprintf(name, sizeof name, "host-%s", certs[i]);
            x509_seed(3, (const uint8_t *)"www.server.tlsm.test", 20, name);
        }
        free(der);
        free(pem.d);
    }
    size_t list = cert_msg.len - 4;
    cert_msg.d[1] = (uint8_t)(list >> 16);
    cert_msg.d[2] = (uint8_t)(list >> 8);
    cert_msg.d[3] = (uint8_t)list;
    write_seed("fuzz_hs_codec", "certificate", &cert_msg);
    n_codec++;
    free(cert_msg.d);

    bytes chain = read_file("server-rsapss.chain.pem");
    x509_seed(1, chain.d, chain.len, "pem-server-rsapss.chain");
    free(chain.d);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        bytes pem = read_file(keys[i]);
        size_t pos = 0, der_len = 0;
        uint8_t *der = NULL;
        char label[64];
        snprintf(name, sizeof name, "pem-%s", keys[i]);
        x509_seed(2, pem.d, pem.len, name);
        MUST(pki_pem_next(pem.d, pem.len, &pos, NULL, label, &der, &der_len) == 0);
        snprintf(name, sizeof name, "der-%s", keys[i]);
        x509_seed(2, der, der_len, name);
        free(der);
        free(pem.d);
    }
    x509_seed(3, (const uint8_t *)"192.0.2.1", 9, "host-ipv4");
    x509_seed(3, (const uint8_t *)"2001:db8::1", 11, "host-ipv6");

    char codec_name[32];
    for (size_t i = 0; i < n_ch; i++) {
        snprintf(codec_name, sizeof codec_name, "client-hello-%zu", i);
        write_seed("fuzz_hs_codec", codec_name, &client_hellos[i]);
        n_codec++;
        free(client_hellos[i].d);
    }
    for (size_t i = 0; i < n_sh; i++) {
        snprintf(codec_name, sizeof codec_name, "server-hello-%zu", i);
        write_seed("fuzz_hs_codec", codec_name, &server_hellos[i]);
        n_codec++;
        free(server_hellos[i].d);
    }
}

/* ------------------------------------------------------------------ regressions */

/* A server flight followed by 40 KeyUpdates and a record no key opens, fed at once: the
 * client must report its error with a TLSM_EV_ERROR event (see the report). */
static void event_overflow_regression(const char *dir)
{
    peer_opts o = {.key = "p256"};
    peer_script flood = {40, NULL, 0, 1};
    tlsm_config *scfg = peer_config(TLSM_ROLE_SERVER, &o);
    tlsm_conn *server = tlsm_conn_new(scfg, NULL);
    MUST(server != NULL);
    bytes rec[2] = {{0}, {0}};
    tlsm_conn *client = fuzz_conn_client_new(0, NULL, 0);
    tlsm_conn *conn[2] = {client, server};
    pump(conn, rec);
    MUST(tlsm_conn_handshake_done(client) && tlsm_conn_handshake_done(server));
    /* The KeyUpdates are recorded without delivering them (so they arrive in one feed). */
    for (int i = 0; i < flood.key_updates; i++) {
        size_t len = 0;
        MUST(tlsm_key_update(server, 0) == 0);
        const uint8_t *p = tlsm_output_peek(server, &len);
        put(&rec[1], p, len);
        MUST(tlsm_output_consume(server, len) == 0);
    }
    static const uint8_t junk[5 + 20] = {23, 3, 3, 0, 20, 1, 2, 3};
    put(&rec[1], junk, sizeof junk);
    client_seed(0, NULL, NULL, 0, &rec[1], 0, dir, "event-queue-overflow-drops-error");
    tlsm_conn_free(client);
    tlsm_conn_free(server);
    free(rec[0].d);
    free(rec[1].d);
    tlsm_config_free(scfg);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        die("usage: gen_seeds <corpus dir> <pki dir> [regressions dir]");
    corpus_dir = argv[1];
    pki_dir = argv[2];
    fuzz_conn_server_init(NULL, NULL);
    fuzz_conn_client_init(NULL, NULL);
    fuzz_pair_init(NULL, NULL);
    server_seeds();
    client_seeds();
    for (unsigned setup = 0; setup < 4; setup++) {
        bytes f = first_flight(setup);
        keep_hello(client_hellos, &n_ch, 6, &f);
        free(f.d);
    }
    pair_seeds();
    pki_seeds();
    if (argc > 3)
        event_overflow_regression(argv[3]);
    printf("seeds: fuzz_conn_server %zu, fuzz_conn_client %zu, fuzz_pair %zu, fuzz_x509 %zu, "
           "fuzz_hs_codec %zu\n",
           n_seeds[0], n_seeds[1], n_seeds[2], n_x509, n_codec);
    return 0;
}
