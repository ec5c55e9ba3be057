/*
 * report.c - one-line descriptions of a connection: why it failed (naming the alert and,
 * for certificate problems, the verification error) and what was negotiated.
 */
#include <stdio.h>

#include "cli.h"

void cli_describe_failure(const tlsm_conn *conn, int code, char *buf, size_t cap)
{
    /* tlsm_strerror names the alert and who sent it ("sent alert unknown_ca", "peer sent
     * alert handshake_failure"); a failed verification adds the reason behind the alert. */
    int verify = conn ? tlsm_conn_verify_error(conn) : 0;
    if (verify != 0)
        snprintf(buf, cap, "%s; %s", tlsm_strerror(verify), tlsm_strerror(code));
    else
        snprintf(buf, cap, "%s", tlsm_strerror(code));
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
