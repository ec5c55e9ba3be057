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
 * contract: common/conn_invariants.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conn_invariants.h"
#include "common/fuzz_support.h"
#include "fuzz_pki_pem.h"
#include "tlsm.h"

#define SETUPS 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Shared with gen_seeds.c: a fresh server connection exactly as the target makes it. */
tlsm_conn *fuzz_conn_server_new(unsigned setup);
/* Shared with gen_seeds.c: what the last input reached (FUZZ_REACHED_* bits). */
unsigned fuzz_conn_server_reached(void);

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
    CHECK(tlsm_config_set_clock(cfg, fuzz_fixed_clock, NULL) == 0);
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

    conn_watch w;
    conn_watch_init(&w, fuzz_conn_server_new(flags & 3), 0, (flags >> 5) & 1);
    CHECK(tlsm_conn_start(w.c) == 0); /* a no-op for a server */
    conn_settle(&w);
    CHECK(tlsm_status(w.c) == (TLSM_STATUS_WANT_INPUT | TLSM_STATUS_HANDSHAKING));

    conn_feed_input(&w, sizes, k, p, n, (flags >> 6) & 1);
    conn_finish(&w, flags & 0x80);
    reached = w.reached;
    tlsm_conn_free(w.c);
    return 0;
}
