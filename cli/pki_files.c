/*
 * pki_files.c - reading certificate chains, private keys and trust anchors from PEM files
 * into a tlsm_config. The library never opens files; the command does it here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FILE_SIZE (4u << 20)

int cli_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            uint8_t *bigger = cap < MAX_FILE_SIZE ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        cli_error("cannot read %s: %s", path, buf ? "read error" : "file too large");
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

int cli_load_identity_files(tlsm_config *cfg, const char *chain_path, const char *key_path)
{
    uint8_t *chain = NULL, *key = NULL;
    size_t chain_len = 0, key_len = 0;
    int ret = -1;
    if (cli_read_file(chain_path, &chain, &chain_len) != 0 ||
        cli_read_file(key_path, &key, &key_len) != 0)
        goto out;
    int rc = tlsm_config_add_identity_pem(cfg, chain, chain_len, key, key_len);
    if (rc != 0) {
        cli_error("cannot use certificate %s with key %s: %s", chain_path, key_path,
                  tlsm_strerror(rc));
        goto out;
    }
    ret = 0;
out:
    if (key)
        explicit_bzero(key, key_len);
    free(key);
    free(chain);
    return ret;
}

int cli_load_trust_file(tlsm_config *cfg, const char *path)
{
    uint8_t *pem = NULL;
    size_t len = 0, added = 0;
    if (cli_read_file(path, &pem, &len) != 0)
        return -1;
    int rc = tlsm_config_add_trust_pem(cfg, pem, len, &added);
    free(pem);
    if (rc != 0) {
        cli_error("cannot use %s as trust anchors: %s", path, tlsm_strerror(rc));
        return -1;
    }
    return 0;
}
