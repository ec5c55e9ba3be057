/*
 * reason.c - the reason table of reason.h: names, one-line texts, the alert each reason
 * sends and the public error code it becomes.
 */
#include "reason.h"

#include <stddef.h>

#define ALERT_NONE (-1)
#define TLSM_ALERT_NONE ALERT_NONE

static const struct {
    const char *name;
    const char *text;
    int alert;
} table[] = {
    /* Slot 0 is R_NONE, the others r - R__BASE: the reasons' values start far from 0
     * (reason.h), and indexing by them directly would make this table 1.5 MB. */
    [0] = {"", "", ALERT_NONE},
#define TLSM_REASON_ROW(name, alert, text) [R_##name - R__BASE] = {#name, text, TLSM_ALERT_##alert},
    TLSM_REASONS(TLSM_REASON_ROW)
#undef TLSM_REASON_ROW
};

#ifndef NDEBUG
static _Thread_local struct {
    reason r;
    const char *file;
    int line;
} last_note;

int reason_note(reason r, const char *file, int line)
{
    last_note.r = r;
    last_note.file = file;
    last_note.line = line;
    return RC(r);
}
#endif

void reason_site(reason r, const char **file, int *line)
{
    *file = NULL;
    *line = 0;
#ifndef NDEBUG
    if (last_note.r == r) {
        *file = last_note.file;
        *line = last_note.line;
    }
#else
    (void)r;
#endif
}

static int known(reason r)
{
    return r == R_NONE || (r > R__BASE && r < R__END);
}

static size_t slot(reason r)
{
    return r == R_NONE ? 0 : (size_t)(r - R__BASE);
}

const char *reason_name(reason r)
{
    return known(r) ? table[slot(r)].name : "UNKNOWN";
}

const char *reason_text(reason r)
{
    return known(r) ? table[slot(r)].text : "unknown reason";
}

int reason_alert(reason r)
{
    return known(r) ? table[slot(r)].alert : TLSM_ALERT_INTERNAL_ERROR;
}

int reason_code(reason r)
{
    switch (r) {
    case R_NONE: return 0;
    case R_NOMEM: return TLSM_ERR_NOMEM;
    case R_RNG: return TLSM_ERR_RNG;
    case R_CRYPTO: return TLSM_ERR_CRYPTO;
    case R_OUTPUT_FULL: return TLSM_ERR_BUFFER;
    case R_TRUNCATED: return TLSM_ERR_TRUNCATED;
    case R_NO_SERVER_NAME: return TLSM_ERR_NO_SERVER_NAME;
    default: break;
    }
    int alert = reason_alert(r);
    return alert >= 0 ? TLSM_ERR_LOCAL_ALERT(alert) : TLSM_ERR_STATE;
}

reason reason_of_cert(int err)
{
    switch (err) {
    case TLSM_ERR_CERT_PARSE: return R_CERT_PARSE;
    case TLSM_ERR_CERT_UNKNOWN_ISSUER: return R_CERT_UNKNOWN_ISSUER;
    case TLSM_ERR_CERT_SIGNATURE: return R_CERT_SIGNATURE;
    case TLSM_ERR_CERT_EXPIRED: return R_CERT_EXPIRED;
    case TLSM_ERR_CERT_NOT_YET_VALID: return R_CERT_NOT_YET_VALID;
    case TLSM_ERR_CERT_NOT_CA: return R_CERT_NOT_CA;
    case TLSM_ERR_CERT_PATH_LEN: return R_CERT_PATH_LEN;
    case TLSM_ERR_CERT_USAGE: return R_CERT_USAGE;
    case TLSM_ERR_CERT_NAME_MISMATCH: return R_CERT_NAME_MISMATCH;
    case TLSM_ERR_CERT_UNSUPPORTED_ALG: return R_CERT_UNSUPPORTED_ALG;
    case TLSM_ERR_CERT_CRITICAL_EXT: return R_CERT_CRITICAL_EXT;
    case TLSM_ERR_CERT_WEAK_KEY: return R_CERT_WEAK_KEY;
    case TLSM_ERR_CERT_NO_TRUST: return R_CERT_NO_TRUST;
    case TLSM_ERR_CERT_NAME_CONSTRAINT: return R_CERT_NAME_CONSTRAINT;
    case TLSM_ERR_CERT_BAD_SERIAL: return R_CERT_BAD_SERIAL;
    case TLSM_ERR_CERT_BAD_TIME: return R_CERT_BAD_TIME;
    case TLSM_ERR_CERT_RSA_TOO_LARGE: return R_CERT_RSA_KEY_TOO_LARGE;
    case TLSM_ERR_CERT_RSA_EXPONENT: return R_CERT_RSA_EXPONENT;
    case TLSM_ERR_CERT_WORK_LIMIT: return R_CERT_WORK_LIMIT;
    case TLSM_ERR_CERT_BAD_DNS_NAME: return R_CERT_BAD_DNS_NAME;
    case TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS: return R_CERT_LEAF_NAME_CONSTRAINTS;
    case TLSM_ERR_CERT_BC_NOT_CRITICAL: return R_CERT_BC_NOT_CRITICAL;
    case TLSM_ERR_CERT_LEAF_IS_CA: return R_CERT_LEAF_IS_CA;
    case TLSM_ERR_CERT_EMPTY_SUBJECT: return R_CERT_EMPTY_SUBJECT;
    case TLSM_ERR_CERT_NC_UNSUPPORTED_NAME: return R_CERT_NC_UNSUPPORTED_NAME;
    case TLSM_ERR_NOMEM: return R_NOMEM;
    default: return R_CERT_OTHER;
    }
}

reason reason_of(int rc)
{
    if (rc >= 0)
        return R_NONE;
    if (-rc > R__BASE && -rc < R__END)
        return (reason)-rc;
    switch (rc) {
    case TLSM_ERR_NOMEM: return R_NOMEM;
    case TLSM_ERR_RNG: return R_RNG;
    case TLSM_ERR_BUFFER: return R_OUTPUT_FULL;
    case TLSM_ERR_TRUNCATED: return R_TRUNCATED;
    case TLSM_ERR_NO_SERVER_NAME: return R_NO_SERVER_NAME;
    default: break;
    }
    if (rc <= TLSM_ERR_CERT_PARSE && rc > -0x500)
        return reason_of_cert(rc);
    return R_CRYPTO;
}
