/*
 * report.c - one-line descriptions of a connection: why it failed (naming the alert and,
 * for certificate problems, the verification error) and what was negotiated.
 */
#include <stdio.h>

#include "cli.h"

void cli_describe_failure(const tlsm_conn *conn, int code, char *buf, size_t cap)
{
    int verify = conn ? tlsm_conn_verify_error(conn) : 0;
    char why[160];

    if (TLSM_ERR_IS_PEER_ALERT(code))
        snprintf(why, sizeof why, "peer sent alert %s (%s)", tlsm_alert_name(TLSM_ERR_ALERT(code)),
                 tlsm_strerror(code));
    else if (TLSM_ERR_IS_LOCAL_ALERT(code))
        snprintf(why, sizeof why, "%s (sent alert %s)", tlsm_strerror(code),
                 tlsm_alert_name(TLSM_ERR_ALERT(code)));
    else
        snprintf(why, sizeof why, "%s", tlsm_strerror(code));

    if (verify != 0)
        snprintf(buf, cap, "certificate verification failed: %s; %s", tlsm_strerror(verify), why);
    else
        snprintf(buf, cap, "%s", why);
}

void cli_describe_session(const tlsm_conn *conn, char *buf, size_t cap)
{
    size_t alpn_len = 0;
    const uint8_t *alpn = tlsm_conn_alpn(conn, &alpn_len);
    int n = snprintf(buf, cap, "%s, %s, %s, ALPN %.*s",
                     cli_version_name(tlsm_conn_version(conn)),
                     cli_suite_name(tlsm_conn_suite(conn)), cli_group_name(tlsm_conn_group(conn)),
                     alpn ? (int)alpn_len : 4, alpn ? (const char *)alpn : "none");
    if (n > 0 && (size_t)n < cap && tlsm_conn_resumed(conn))
        n += snprintf(buf + n, cap - (size_t)n, ", resumed");
    if (n > 0 && (size_t)n < cap && tlsm_conn_hrr(conn))
        snprintf(buf + n, cap - (size_t)n, ", after HelloRetryRequest");
}
