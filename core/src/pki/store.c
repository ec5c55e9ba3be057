/*
 * store.c - a growable set of trust anchors. Each anchor keeps its own copy of the DER,
 * so the parsed pki_cert (which borrows from it) stays valid for the store's lifetime
 * even when the arrays grow.
 */
#include <stdlib.h>
#include <string.h>

#include "pki/pki.h"
#include "mem.h"
#include "pki/x509.h"

void pki_store_init(pki_store *s)
{
    memset(s, 0, sizeof(*s));
}

void pki_store_free(pki_store *s)
{
    for (size_t i = 0; i < s->n; i++)
        mem_free(s->der[i]);
    mem_free(s->der);
    mem_free(s->der_len);
    mem_free(s->certs);
    pki_store_init(s);
}

static int grow(pki_store *s)
{
    size_t cap = s->cap ? s->cap * 2 : 8;
    uint8_t **der = mem_realloc(s->der, cap * sizeof(*der));
    if (!der)
        return TLSM_ERR_NOMEM;
    s->der = der;
    size_t *der_len = mem_realloc(s->der_len, cap * sizeof(*der_len));
    if (!der_len)
        return TLSM_ERR_NOMEM;
    s->der_len = der_len;
    pki_cert *certs = mem_realloc(s->certs, cap * sizeof(*certs));
    if (!certs)
        return TLSM_ERR_NOMEM;
    s->certs = certs;
    s->cap = cap;
    return 0;
}

int pki_store_add_der(pki_store *s, const uint8_t *der, size_t len)
{
    if (!s || !der || !len)
        return TLSM_ERR_ARG;
    /* The same anchor twice adds nothing but work to path building. */
    for (size_t i = 0; i < s->n; i++)
        if (s->der_len[i] == len && memcmp(s->der[i], der, len) == 0)
            return 0;
    if (s->n == s->cap) {
        int rc = grow(s);
        if (rc != 0)
            return rc;
    }
    uint8_t *copy = mem_alloc(len);
    if (!copy)
        return TLSM_ERR_NOMEM;
    memcpy(copy, der, len);
    int rc = x509_parse(&s->certs[s->n], copy, len, 1);
    if (rc != 0) {
        mem_free(copy);
        return rc;
    }
    s->der[s->n] = copy;
    s->der_len[s->n] = len;
    s->n++;
    return 0;
}
