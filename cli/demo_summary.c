/*
 * demo_summary.c - what `tlsm demo` says after a ladder: the parameters both sides
 * negotiated, cross-checked between them (the same version, suite, group, ALPN,
 * resumption, HelloRetryRequest and exported keying material), or how each side ended
 * when the connection failed.
 */
#include <string.h>

#include "cli.h"
#include "demo.h"

static const char exporter_label[] = "EXPERIMENTAL tlsm demo";

static int same_alpn(tlsm_conn *a, tlsm_conn *b)
{
    size_t la = 0, lb = 0;
    const uint8_t *pa = tlsm_conn_alpn(a, &la), *pb = tlsm_conn_alpn(b, &lb);
    return (!pa && !pb) || (pa && pb && la == lb && memcmp(pa, pb, la) == 0);
}

const char *demo_disagreement(tlsm_conn *c, tlsm_conn *s, uint8_t exported[32])
{
    uint8_t se[32];
    if (tlsm_conn_version(c) != tlsm_conn_version(s))
        return "the protocol version";
    if (tlsm_conn_suite(c) != tlsm_conn_suite(s))
        return "the cipher suite";
    if (tlsm_conn_group(c) != tlsm_conn_group(s))
        return "the key-exchange group";
    if (!same_alpn(c, s))
        return "the ALPN protocol";
    if (tlsm_conn_resumed(c) != tlsm_conn_resumed(s))
        return "whether the session was resumed";
    if (tlsm_conn_hrr(c) != tlsm_conn_hrr(s))
        return "whether a HelloRetryRequest happened";
    if (tlsm_export_keying_material(c, exporter_label, strlen(exporter_label), NULL, 0,
                                    exported, 32) != 0 ||
        tlsm_export_keying_material(s, exporter_label, strlen(exporter_label), NULL, 0, se,
                                    sizeof se) != 0)
        return "exported keying material (the exporter failed)";
    if (memcmp(exported, se, sizeof se) != 0)
        return "exported keying material";
    return NULL;
}

void demo_print_summary(tlsm_conn *c, tlsm_conn *s, const char *key, int client_auth, FILE *out)
{
    size_t alpn_len = 0;
    const uint8_t *alpn = tlsm_conn_alpn(c, &alpn_len);
    const char *sni = tlsm_conn_server_name(s);
    fprintf(out, "\n  %-20s %s\n", "version", cli_version_name(tlsm_conn_version(c)));
    fprintf(out, "  %-20s %s\n", "cipher suite", cli_suite_name(tlsm_conn_suite(c)));
    fprintf(out, "  %-20s %s%s\n", "key exchange", cli_group_name(tlsm_conn_group(c)),
            tlsm_conn_group(c) == 0 && tlsm_conn_resumed(c) ? " (keys from the resumed session)"
                                                             : "");
    if (tlsm_conn_peer_sigalg(c) != 0)
        fprintf(out, "  %-20s %s (server-%s certificate)\n", "server signature",
                cli_sigalg_name(tlsm_conn_peer_sigalg(c)), key);
    else
        fprintf(out, "  %-20s none%s\n", "server signature",
                tlsm_conn_resumed(c) ? " (authenticated by the resumed session)" : "");
    if (tlsm_conn_peer_sigalg(s) != 0)
        fprintf(out, "  %-20s %s (client certificate)\n", "client signature",
                cli_sigalg_name(tlsm_conn_peer_sigalg(s)));
    else if (client_auth)
        fprintf(out, "  %-20s none (authenticated by the resumed session)\n", "client signature");
    fprintf(out, "  %-20s %.*s\n", "ALPN", alpn ? (int)alpn_len : 4,
            alpn ? (const char *)alpn : "none");
    fprintf(out, "  %-20s %s\n", "server name (SNI)", sni ? sni : "none");
    fprintf(out, "  %-20s %s\n", "HelloRetryRequest", tlsm_conn_hrr(c) ? "yes" : "no");
    fprintf(out, "  %-20s %s\n", "resumed",
            !tlsm_conn_resumed(c)                 ? "no"
            : tlsm_conn_version(c) == TLSM_TLS12 ? "yes (abbreviated handshake with the ticket)"
                                                 : "yes (PSK from the ticket)");
}

void demo_print_exporter(const uint8_t exported[32], FILE *out)
{
    fprintf(out, "  %-20s ", "exporter");
    for (size_t i = 0; i < 12; i++)
        fprintf(out, "%02x", exported[i]);
    fprintf(out, "... (same 32 bytes on both sides)\n");
}

void demo_print_outcome(const demo_conversation *dc, FILE *out)
{
    char text[400];
    fputc('\n', out);
    if (dc->stalled)
        fprintf(out, "  %-20s %s\n", "stalled",
                "both sides waited with nothing in flight: the demo ended the stream both ways");
    demo_describe_side(dc, TLSM_PAIR_CLIENT, text, sizeof text);
    fprintf(out, "  %-20s %s\n", "client ended", text);
    demo_describe_side(dc, TLSM_PAIR_SERVER, text, sizeof text);
    fprintf(out, "  %-20s %s\n", "server ended", text);
}
