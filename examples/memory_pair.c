/*
 * memory_pair.c - the smallest complete use of tlsm: a client and a server in one process,
 * their "network" two byte copies. It shows the sans-IO loop every host writes: feed what
 * arrived, send what is pending, look at the status and the events. The README quotes it;
 * the test command builds and runs it.
 *
 * Usage: memory_pair CHAIN.pem KEY.pem CA.pem
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsm.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

/* Moves everything `from` has to send into `to`. Returns an error code or 0. */
static int pump(tlsm_conn *from, tlsm_conn *to)
{
    size_t len, used;
    const uint8_t *out;
    while ((out = tlsm_output_peek(from, &len)) != NULL) {
        int rc = tlsm_feed(to, out, len, &used);
        if (tlsm_output_consume(from, used) != 0 || rc != 0)
            return rc;
        if (used == 0)
            break; /* `to` is full: the host must read its plaintext first */
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s CHAIN.pem KEY.pem CA.pem\n", argv[0]);
        return 2;
    }
    size_t chain_len, key_len, ca_len;
    uint8_t *chain = slurp(argv[1], &chain_len), *key = slurp(argv[2], &key_len),
            *ca = slurp(argv[3], &ca_len);
    if (!chain || !key || !ca) {
        fprintf(stderr, "cannot read the PEM files\n");
        return 2;
    }

    tlsm_config *scfg = tlsm_config_new(TLSM_ROLE_SERVER);
    tlsm_config *ccfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    int rc = tlsm_config_add_identity_pem(scfg, chain, chain_len, key, key_len);
    if (!rc)
        rc = tlsm_config_add_trust_pem(ccfg, ca, ca_len, NULL);
    if (rc) {
        fprintf(stderr, "config: %s\n", tlsm_strerror(rc));
        return 1;
    }
    tlsm_conn *client = tlsm_conn_new(ccfg, "localhost");
    tlsm_conn *server = tlsm_conn_new(scfg, NULL);

    /* Handshake: shuttle bytes until both sides are done or one fails. */
    while (!tlsm_conn_handshake_done(client) || !tlsm_conn_handshake_done(server)) {
        if ((rc = pump(client, server)) || (rc = pump(server, client)))
            break;
        if (!(tlsm_status(client) & TLSM_STATUS_HAS_OUTPUT) &&
            !(tlsm_status(server) & TLSM_STATUS_HAS_OUTPUT))
            break;
    }
    if (!tlsm_conn_handshake_done(client)) {
        fprintf(stderr, "handshake failed: client: %s, server: %s\n",
                tlsm_strerror(tlsm_conn_error(client)), tlsm_strerror(tlsm_conn_error(server)));
        return 1;
    }

    const char msg[] = "hello over TLS 1.3";
    size_t accepted, len;
    rc = tlsm_write(client, (const uint8_t *)msg, sizeof msg - 1, &accepted);
    if (!rc)
        rc = pump(client, server);
    const uint8_t *pt = tlsm_read_peek(server, &len);
    if (rc || !pt) {
        fprintf(stderr, "no data: %s\n", tlsm_strerror(rc));
        return 1;
    }
    printf("server got \"%.*s\" with suite 0x%04x\n", (int)len, (const char *)pt,
           tlsm_conn_suite(server));
    rc = tlsm_read_consume(server, len);

    tlsm_conn_free(client);
    tlsm_conn_free(server);
    tlsm_config_free(ccfg);
    tlsm_config_free(scfg);
    free(chain);
    free(key);
    free(ca);
    return rc ? 1 : 0;
}
