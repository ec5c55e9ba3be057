/*
 * keylog.c - the NSS key log lines (SSLKEYLOGFILE format) a connection emits with
 * tlsm_config_set_keylog or tlsm_conn_set_keylog: a debugging aid that exposes secrets, off
 * by default. Lines sit in a small ring that the TLSM_EV_KEYLOG events index.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mem.h"

static char *hex(char *o, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        *o++ = digits[p[i] >> 4];
        *o++ = digits[p[i] & 15];
    }
    return o;
}

void conn_keylog(tlsm_conn *c, const char *label, const uint8_t *client_random,
                 const uint8_t *secret, size_t secret_len)
{
    if (!c->keylog_on)
        return;
    if (!c->keylog) {
        c->keylog = mem_calloc(KEYLOG_SLOTS, sizeof *c->keylog);
        if (!c->keylog)
            return; /* a debugging aid: losing a line is not a connection failure */
    }
    unsigned ring = c->keylog_next++ % KEYLOG_SLOTS;
    char *o = c->keylog[ring];
    size_t n = strlen(label);
    memcpy(o, label, n);
    o += n;
    *o++ = ' ';
    o = hex(o, client_random, 32);
    *o++ = ' ';
    o = hex(o, secret, secret_len);
    *o = 0;
    conn_event(c, TLSM_EV_KEYLOG, (int)ring, 0, 0, 0);
}

const char *tlsm_keylog_line(const tlsm_conn *c)
{
    if (!c || !c->keylog || c->keylog_current < 0)
        return NULL;
    return c->keylog[c->keylog_current];
}

int tlsm_conn_set_keylog(tlsm_conn *c, int on)
{
    if (!c)
        return TLSM_ERR_ARG;
    c->keylog_on = !!on;
    return 0;
}
