/*
 * fuzz_conn_client.c - libFuzzer target for a whole client connection: it first sends its
 * ClientHello, then gets the input as the server's ciphertext, through the public API only
 * (tlsm.h). Built and run by build.sh / run.sh; seeds (real server flights recorded by
 * gen_seeds.c, with HRR, resumption, client auth, every suite and key type) in
 * corpus/fuzz_conn_client/.
 *
 * Input: byte 0 = flags: bits 0-1 the client setup (0 default with ALPN; 1 with a client
 * certificate; 2 P-256/P-384 and AES-256-GCM only; 3 no middlebox compatibility and
 * record_size_limit 256), bits 2-4 the number k of chunk-size bytes, bit 5 echo received
 * plaintext back, bit 6 send a KeyUpdate (asking the peer) once the handshake is done,
 * bit 7 a session to offer follows. Then, with bit 7, a 2-byte length and a session blob
 * (tlsm_conn_set_session, itself fuzzed); then k sizes (0 = everything left) used in turn
 * to cut the rest into tlsm_feed calls.
 *
 * Everything is deterministic: the client's RNG is a counter-based generator reset for
 * every input, the clock is fixed; gen_seeds.c builds its client with fuzz_conn_client_new,
 * so its ClientHello here is byte for byte the one the recorded server answered.
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
/* Shared with gen_seeds.c: a fresh client connection exactly as the target makes it,
 * offering session (if not NULL and accepted by tlsm_conn_set_session). */
tlsm_conn *fuzz_conn_client_new(unsigned setup, const uint8_t *session, size_t session_len);
/* Shared with gen_seeds.c: what the last input reached (FUZZ_REACHED_* bits). */
unsigned fuzz_conn_client_reached(void);

static counter_rng client_rng = {0xc11e47, 0};
static tlsm_config *configs[SETUPS];
static unsigned reached;

static tlsm_config *make_config(unsigned setup)
{
    static const uint16_t ec_groups[] = {TLSM_GROUP_SECP256R1, TLSM_GROUP_SECP384R1};
    static const uint16_t aes256[] = {TLSM_TLS_AES_256_GCM_SHA384};
    static const uint8_t alpn[] = "\x02h2\x08http/1.1";
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    CHECK(cfg != NULL);
    CHECK(tlsm_config_add_trust_pem(cfg, (const uint8_t *)fuzz_pem_ca_crt, strlen(fuzz_pem_ca_crt),
                                    NULL) == 0);
    CHECK(tlsm_config_set_rng(cfg, counter_rng_fill, &client_rng) == 0);
    CHECK(tlsm_config_set_clock(cfg, fuzz_fixed_clock, NULL) == 0);
    switch (setup) {
    case 0:
        CHECK(tlsm_config_set_alpn(cfg, alpn, sizeof alpn - 1) == 0);
        break;
    case 1:
        CHECK(tlsm_config_add_identity_pem(cfg, (const uint8_t *)fuzz_pem_client_chain_pem,
                                           strlen(fuzz_pem_client_chain_pem),
                                           (const uint8_t *)fuzz_pem_client_key,
                                           strlen(fuzz_pem_client_key)) == 0);
        break;
    case 2:
        CHECK(tlsm_config_set_groups(cfg, ec_groups, 2) == 0);
        CHECK(tlsm_config_set_suites(cfg, aes256, 1) == 0);
        break;
    default:
        CHECK(tlsm_config_set_middlebox_compat(cfg, 0) == 0);
        CHECK(tlsm_config_set_record_size_limit(cfg, 256) == 0);
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

tlsm_conn *fuzz_conn_client_new(unsigned setup, const uint8_t *session, size_t session_len)
{
    client_rng.counter = 0;
    tlsm_conn *c = tlsm_conn_new(configs[setup % SETUPS], FUZZ_HOST);
    CHECK(c != NULL);
    if (session) {
        int rc = tlsm_conn_set_session(c, session, session_len);
        CHECK(rc == 0 || rc == TLSM_ERR_ARG);
    }
    return c;
}

unsigned fuzz_conn_client_reached(void)
{
    return reached;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reached = 0;
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    size_t k = (flags >> 2) & 7, used = 1;
    const uint8_t *session = NULL;
    size_t session_len = 0;
    if (flags & 0x80) {
        if (size < used + 2)
            return 0;
        session_len = (size_t)data[used] << 8 | data[used + 1];
        used += 2;
        if (size - used < session_len)
            return 0;
        session = data + used;
        used += session_len;
    }
    if (size - used < k)
        return 0;
    const uint8_t *sizes = data + used, *p = data + used + k;
    size_t n = size - used - k;

    uint8_t *blob = NULL;
    if (session) {
        blob = malloc(session_len ? session_len : 1);
        CHECK(blob != NULL);
        memcpy(blob, session, session_len);
    }
    conn_watch w;
    conn_watch_init(&w, fuzz_conn_client_new(flags & 3, blob, session_len), 1, (flags >> 5) & 1);
    w.resume_cfg = configs[0];
    free(blob);
    CHECK(tlsm_status(w.c) & TLSM_STATUS_HANDSHAKING);
    CHECK(tlsm_conn_start(w.c) == 0);
    CHECK(tlsm_conn_set_session(w.c, data, 0) == TLSM_ERR_STATE);
    conn_settle(&w);
    CHECK(w.last_type == 22 || w.last_type == 20);
    CHECK(tlsm_status(w.c) == (TLSM_STATUS_WANT_INPUT | TLSM_STATUS_HANDSHAKING));

    conn_feed_input(&w, sizes, k, p, n, (flags >> 6) & 1);
    conn_finish(&w, flags & 0x80);
    reached = w.reached;
    tlsm_conn_free(w.c);
    return 0;
}
