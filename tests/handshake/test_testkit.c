/*
 * test_testkit.c - the in-memory testing kit (tlsm_pair_*): a fault matrix (each fault
 * kind x each flight x TLS 1.2 and 1.3) where every case must end as the RFCs ask - the
 * right alert on both sides, a clean success where TLS tolerates the fault, or a stalled
 * stream that ends in truncation - with no crash and no hang; plus the traces (ladder,
 * Mermaid, JSON), the pcap framing, the fault grammar, determinism and key epochs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pair.h"

/* A stalled stream: no error, a handshake left unfinished; both transports then end. */
#define STALL 1
#define LA(a) TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_##a)
#define PA(a) TLSM_ERR_PEER_ALERT(TLSM_ALERT_##a)

/* Plaintext alert records: unexpected_message (warning level byte 2 = fatal), and a fatal
 * handshake_failure. */
#define ALERT_UNEXPECTED "1503030002020a"
#define ALERT_HS_FAILURE "15030300020228"

static const char *const kinds[10] = {
    "drop", "dup", "corrupt:-1", "truncate:3", "split:1", "fragment:1", "delay:2", "reorder",
    "replace:" ALERT_UNEXPECTED, "inject:" ALERT_HS_FAILURE};

typedef struct {
    int client, server; /* expected sticky errors, 0 = success, STALL */
    const char *reason; /* the detecting side's reason (tlsm_conn_error_detail); the other
                           side's is PEER_ALERT */
} outcome;

typedef struct {
    const char *target; /* "c2s:msg=ClientHello" ... */
    outcome want[10];   /* in the order of kinds[] */
} flight;

#define OK {0, 0, ""}
#define ST {STALL, STALL, ""}

/* The application data flight: a 20000-byte write (two records), answers both ways, a
 * close. A fault that removes or moves a protected record shows up as bad_record_mac on the
 * next one (the sequence number is in the nonce / additional data). */
static const uint8_t *payload(size_t n)
{
    static uint8_t buf[20000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    return n <= sizeof buf ? buf : NULL;
}

static tlsm_pair *new_pair(pair *cfgs, uint16_t version, uint64_t seed)
{
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(cfgs, NULL, &so, seed);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(tlsm_config_set_versions(cfgs->side[i].cfg, version, version), 0);
    tlsm_pair *p = tlsm_pair_new(cfgs->side[0].cfg, cfgs->side[1].cfg, PAIR_HOST);
    cr_assert_not_null(p);
    return p;
}

static char *export_text(tlsm_pair *p, int format, size_t *len)
{
    cr_assert_eq(tlsm_pair_trace(p, format, NULL, 0, len), 0);
    char *buf = malloc(*len + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(tlsm_pair_trace(p, format, buf, *len, len), 0);
    buf[*len] = 0;
    return buf;
}

/* Every trace is well formed whatever happened. */
static void check_traces(tlsm_pair *p, const char *spec)
{
    size_t n;
    char *ladder = export_text(p, TLSM_TRACE_LADDER, &n);
    cr_expect(n > 0 && strstr(ladder, "ClientHello"), "%s: ladder", spec);
    free(ladder);
    char *mermaid = export_text(p, TLSM_TRACE_MERMAID, &n);
    cr_expect(strncmp(mermaid, "sequenceDiagram\n", 16) == 0, "%s: mermaid", spec);
    free(mermaid);
    char *text = export_text(p, TLSM_TRACE_JSON, &n);
    json_value *doc = json_parse(text, n);
    cr_expect_not_null(doc, "%s: JSON does not parse:\n%s", spec, text);
    cr_expect(json_len(json_get(doc, "records")) > 0, "%s: no records", spec);
    cr_expect_not_null(json_get(json_get(doc, "client"), "error"), "%s", spec);
    json_free(doc);
    free(text);
    cr_assert_eq(tlsm_pair_pcap(p, NULL, 0, &n), 0);
    cr_expect(n > 24, "%s: pcap", spec);
}

static size_t reasons_checked;

static void check_side(const tlsm_pair_report *r, int want, const char *reason, const char *who,
                       const char *spec)
{
    cr_expect_eq(r->error, want, "%s: %s ended with %s, expected %s", spec, who,
                 tlsm_strerror(r->error), tlsm_strerror(want));
    const char *want_reason = TLSM_ERR_IS_PEER_ALERT(want) ? "PEER_ALERT" : want ? reason : "";
    cr_expect_str_eq(r->reason, want_reason ? want_reason : "(none given)",
                     "%s: %s reason %s, expected %s", spec, who, r->reason, want_reason);
    reasons_checked++;
    if (TLSM_ERR_IS_LOCAL_ALERT(want))
        cr_expect_eq(r->alert_sent, TLSM_ERR_ALERT(want), "%s: %s alert sent %d", spec, who,
                     r->alert_sent);
    if (TLSM_ERR_IS_PEER_ALERT(want))
        cr_expect_eq(r->alert_received, TLSM_ERR_ALERT(want), "%s: %s alert received %d", spec,
                     who, r->alert_received);
}

static void run_case(uint16_t version, const char *spec, outcome want)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, version, 5);
    cr_assert_eq(tlsm_pair_add_fault(p, spec), 0, "%s does not parse", spec);
    int rc = tlsm_pair_run(p);
    cr_assert_neq(rc, TLSM_ERR_STATE, "%s: the pair never became idle", spec);
    tlsm_pair_report c, s;
    if (tlsm_conn_handshake_done(tlsm_pair_client(p)) && rc == 0) {
        /* Errors surface in the reports below; the calls only have to return. */
        rc = tlsm_pair_write(p, TLSM_PAIR_CLIENT, payload(20000), 20000);
        rc = rc ? rc : tlsm_pair_write(p, TLSM_PAIR_SERVER, payload(100), 100);
        rc = rc ? rc : tlsm_pair_write(p, TLSM_PAIR_CLIENT, payload(100), 100);
        rc = rc ? rc : tlsm_pair_close(p, TLSM_PAIR_CLIENT);
        cr_assert_neq(rc, TLSM_ERR_STATE, "%s: stuck after the handshake", spec);
    }
    cr_assert_eq(tlsm_pair_get_report(p, TLSM_PAIR_CLIENT, &c), 0);
    cr_assert_eq(tlsm_pair_get_report(p, TLSM_PAIR_SERVER, &s), 0);
    if (want.client == STALL) {
        cr_expect(c.error == 0 && s.error == 0 && !(c.handshake_done && s.handshake_done),
                  "%s: expected a stall, got %s / %s", spec, tlsm_strerror(c.error),
                  tlsm_strerror(s.error));
        /* RFC 8446 s.6.1 / RFC 5246 s.7.2.1: the stream ends without close_notify. */
        cr_expect_eq(tlsm_pair_eof(p, TLSM_PAIR_C2S), TLSM_ERR_TRUNCATED, "%s", spec);
        cr_expect_eq(tlsm_pair_eof(p, TLSM_PAIR_S2C), TLSM_ERR_TRUNCATED, "%s", spec);
    } else {
        check_side(&c, want.client, want.reason, "client", spec);
        check_side(&s, want.server, want.reason, "server", spec);
    }
    if (want.client == 0 && want.server == 0) {
        cr_expect_eq(s.app_bytes_received, 20100, "%s: server got %llu bytes", spec,
                     (unsigned long long)s.app_bytes_received);
        cr_expect_eq(c.app_bytes_received, 100, "%s", spec);
        cr_expect(s.peer_closed, "%s: no close_notify", spec);
        uint8_t got[20100];
        size_t n = 0;
        cr_expect_eq(tlsm_pair_read(p, TLSM_PAIR_SERVER, got, sizeof got, &n), 0);
        cr_expect(n == 20100 && memcmp(got, payload(20000), 20000) == 0, "%s: data", spec);
    }
    check_traces(p, spec);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

static void run_flight(uint16_t version, const flight *f)
{
    for (size_t k = 0; k < 10; k++) {
        char spec[128];
        snprintf(spec, sizeof spec, "%s@%s", kinds[k], f->target);
        run_case(version, spec, f->want[k]);
    }
}

/* TLS 1.3. A changed ClientHello changes the transcript, so both sides' handshake keys
 * differ and each fails to open the other's records; a record missing from a stream makes
 * the next one arrive in the wrong state (unexpected_message) or fail to open
 * (bad_record_mac); a plaintext alert is read during the handshake and is
 * unexpected_message once it is over (s.5); fragmentation, delays and moving the
 * compatibility CCS (s.5, "MUST simply drop it") are tolerated. */
static const flight flights13[] = {
    {"c2s:msg=ClientHello", {ST, {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "REC_NOT_PROTECTED"},
      {LA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"}, ST, OK, OK, OK, OK,
      {0, PA(UNEXPECTED_MESSAGE), ""}, {0, PA(HANDSHAKE_FAILURE), ""}}},
    {"s2c:msg=ServerHello", {{LA(UNEXPECTED_MESSAGE), PA(UNEXPECTED_MESSAGE), "REC_APPDATA_UNPROTECTED"},
      {LA(UNEXPECTED_MESSAGE), PA(UNEXPECTED_MESSAGE), "REC_NOT_PROTECTED"},
      /* the last byte is the selected version: s.4.2.1 illegal_parameter */
      {LA(ILLEGAL_PARAMETER), PA(ILLEGAL_PARAMETER), "SH_SUPPORTED_VERSIONS_BAD"},
      /* an unfinished message, then a CCS record: s.5.1 unexpected_message */
      {LA(UNEXPECTED_MESSAGE), PA(UNEXPECTED_MESSAGE), "REC_INTERLEAVED"}, OK, OK, OK, OK,
      {PA(UNEXPECTED_MESSAGE), 0, ""}, {PA(HANDSHAKE_FAILURE), 0, ""}}},
    {"s2c:msg=Certificate", {ST, {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}, OK, OK, OK,
      {PA(UNEXPECTED_MESSAGE), 0, ""}, {PA(HANDSHAKE_FAILURE), 0, ""}}},
    {"c2s:msg=Finished", {{PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      OK, OK, OK, {0, PA(UNEXPECTED_MESSAGE), ""}, {0, PA(HANDSHAKE_FAILURE), ""}}},
    {"c2s:msg=ApplicationData", {{PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      OK, OK, {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "REC_NOT_PROTECTED"},
      {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "REC_NOT_PROTECTED"}}},
};

/* TLS 1.2. The randoms and the key exchange feed the keys, so changing them shows up as
 * bad_record_mac on the first protected record (the Finished); after ChangeCipherSpec every
 * record is protected (RFC 5246 s.6.1), so an injected plaintext alert fails to open; a CCS
 * before the ClientKeyExchange is unexpected_message (s.7.1); a flight that loses its last
 * record stalls. */
static const flight flights12[] = {
    {"c2s:msg=ClientHello", {ST, {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "HS_UNEXPECTED_MESSAGE"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"}, ST, OK, OK, OK, OK,
      {0, PA(UNEXPECTED_MESSAGE), ""}, {0, PA(HANDSHAKE_FAILURE), ""}}},
    /* corrupt:-1 changes the ServerHelloDone length: the client waits for the rest */
    {"s2c:msg=ServerHello", {ST, {LA(UNEXPECTED_MESSAGE), PA(UNEXPECTED_MESSAGE), "HS_UNEXPECTED_MESSAGE"}, ST, ST,
      OK, OK, OK, OK, {PA(UNEXPECTED_MESSAGE), 0, ""}, {PA(HANDSHAKE_FAILURE), 0, ""}}},
    {"c2s:msg=ClientKeyExchange", {{PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "CCS_UNEXPECTED"},
      {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "HS_UNEXPECTED_MESSAGE"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "REC_INTERLEAVED"}, OK, OK, OK,
      {PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "CCS_UNEXPECTED"},
      {0, PA(UNEXPECTED_MESSAGE), ""}, {0, PA(HANDSHAKE_FAILURE), ""}}},
    {"c2s:msg=Finished", {ST, {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}, OK, OK, OK,
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}}},
    {"s2c:msg=Finished", {ST, {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}, OK, OK, OK,
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {LA(BAD_RECORD_MAC), PA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}}},
    {"c2s:msg=ApplicationData", {{PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      OK, OK, {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_BAD_MAC"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"},
      {PA(BAD_RECORD_MAC), LA(BAD_RECORD_MAC), "REC_SHORTER_THAN_TAG"}}},
};

Test(testkit_faults13, client_hello) { run_flight(TLSM_TLS13, &flights13[0]); }
Test(testkit_faults13, server_hello) { run_flight(TLSM_TLS13, &flights13[1]); }
Test(testkit_faults13, server_encrypted_flight) { run_flight(TLSM_TLS13, &flights13[2]); }
Test(testkit_faults13, client_finished) { run_flight(TLSM_TLS13, &flights13[3]); }
Test(testkit_faults13, application_data) { run_flight(TLSM_TLS13, &flights13[4]); }
Test(testkit_faults12, client_hello) { run_flight(TLSM_TLS12, &flights12[0]); }
Test(testkit_faults12, server_flight) { run_flight(TLSM_TLS12, &flights12[1]); }
Test(testkit_faults12, client_key_exchange) { run_flight(TLSM_TLS12, &flights12[2]); }
Test(testkit_faults12, client_finished) { run_flight(TLSM_TLS12, &flights12[3]); }
Test(testkit_faults12, server_finished) { run_flight(TLSM_TLS12, &flights12[4]); }
Test(testkit_faults12, application_data) { run_flight(TLSM_TLS12, &flights12[5]); }

/* RFC 8446 s.5: a TLS 1.3 peer drops every plaintext CCS until the peer's Finished, so a
 * duplicate is harmless; RFC 5246 s.7.1: in TLS 1.2 a second CCS arrives when the record
 * layer is already protected and is unexpected_message. */
Test(testkit_faults13, duplicate_ccs_is_dropped)
{
    run_case(TLSM_TLS13, "dup@c2s:msg=ChangeCipherSpec", (outcome)OK);
    run_case(TLSM_TLS13, "dup@s2c:msg=ChangeCipherSpec", (outcome)OK);
}

Test(testkit_faults12, duplicate_ccs_is_unexpected)
{
    run_case(TLSM_TLS12, "dup@c2s:msg=ChangeCipherSpec",
             (outcome){PA(UNEXPECTED_MESSAGE), LA(UNEXPECTED_MESSAGE), "CCS_UNEXPECTED"});
}

/* ---------------------------------------------------------------- the kit itself */

Test(testkit, fault_grammar)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 1);
    static const char *const good[] = {
        "drop@c2s", "dup@s2c:rec=3", "corrupt@c2s:all", "corrupt:-1@s2c:msg=finished",
        "truncate:0@c2s", "split:7@s2c:msg=Certificate", "fragment@c2s", "fragment:3@c2s",
        "delay:4@s2c:msg=ApplicationData", "reorder@c2s:msg=ChangeCipherSpec",
        "replace:16030300@c2s", "inject:AbCd@s2c:msg=Alert"};
    static const char *const bad[] = {
        "", "drop", "drop@", "drop@x2y", "drop@c2s:", "drop@c2s:rec=", "drop@c2s:rec=-1",
        "drop:1@c2s", "truncate@c2s", "split:0@c2s", "delay:x@c2s", "replace@c2s",
        "replace:abc@c2s", "inject:zz@c2s", "drop@c2s:msg=Hello", "explode@c2s",
        "drop@c2s:rec=1:rec=2", "fragment:0@c2s"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect_eq(tlsm_pair_add_fault(p, good[i]), 0, "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(tlsm_pair_add_fault(p, bad[i]), TLSM_ERR_ARG, "%s", bad[i]);
    cr_expect_eq(tlsm_pair_add_fault(p, NULL), TLSM_ERR_ARG);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

/* Same seed, same run, byte for byte; the seed drives the corrupted byte. */
static char *seeded_run(uint64_t seed, uint8_t **pcap, size_t *pcap_len)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 9);
    tlsm_pair_seed(p, seed);
    cr_assert_eq(tlsm_pair_add_fault(p, "corrupt@s2c:msg=Certificate"), 0);
    cr_expect_eq(tlsm_pair_run(p), LA(BAD_RECORD_MAC));
    size_t n;
    char *json = export_text(p, TLSM_TRACE_JSON, &n);
    cr_assert_eq(tlsm_pair_pcap(p, NULL, 0, pcap_len), 0);
    *pcap = malloc(*pcap_len);
    cr_assert_eq(tlsm_pair_pcap(p, *pcap, *pcap_len, pcap_len), 0);
    tlsm_pair_free(p);
    pair_free(&cfgs);
    return json;
}

Test(testkit, deterministic_under_seed)
{
    uint8_t *pa, *pb, *pc;
    size_t la, lb, lc;
    char *a = seeded_run(42, &pa, &la), *b = seeded_run(42, &pb, &lb), *c = seeded_run(43, &pc, &lc);
    cr_expect_str_eq(a, b);
    cr_expect(la == lb && memcmp(pa, pb, la) == 0);
    cr_expect_str_neq(a, c);
    free(a);
    free(b);
    free(c);
    free(pa);
    free(pb);
    free(pc);
}

Test(testkit, buffer_conventions)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 2);
    cr_assert_eq(tlsm_pair_run(p), 0);
    size_t need = 0, len = 0;
    char small[8];
    cr_assert_eq(tlsm_pair_keylog(p, NULL, 0, &need), 0);
    cr_expect_gt(need, sizeof small);
    cr_expect_eq(tlsm_pair_keylog(p, small, sizeof small, &len), TLSM_ERR_BUFFER);
    cr_expect_eq(len, need);
    cr_expect_eq(tlsm_pair_trace(p, 99, NULL, 0, &len), TLSM_ERR_ARG);
    cr_expect_eq(tlsm_pair_step(p), 0, "an idle pair does not step");
    cr_expect_eq(tlsm_pair_write(p, 2, (const uint8_t *)"x", 1), TLSM_ERR_ARG);
    /* Five TLS 1.3 secrets, each once although both sides log them. */
    char *log = malloc(need + 1);
    cr_assert_eq(tlsm_pair_keylog(p, log, need, &len), 0);
    log[len] = 0;
    size_t lines = 0;
    for (char *q = log; (q = strchr(q, '\n')) != NULL; q++)
        lines++;
    cr_expect_eq(lines, 5, "%s", log);
    cr_expect(strstr(log, "SERVER_HANDSHAKE_TRAFFIC_SECRET ") != NULL);
    free(log);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

/* Records carry their sender's key epoch: a KeyUpdate moves it to application 1. */
Test(testkit, key_epochs_in_json)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 3);
    cr_assert_eq(tlsm_pair_run(p), 0);
    cr_assert_eq(tlsm_key_update(tlsm_pair_client(p), 1), 0);
    cr_assert_eq(tlsm_pair_write(p, TLSM_PAIR_CLIENT, (const uint8_t *)"after", 5), 0);
    cr_assert_eq(tlsm_pair_write(p, TLSM_PAIR_SERVER, (const uint8_t *)"back", 4), 0);
    size_t n;
    char *text = export_text(p, TLSM_TRACE_JSON, &n);
    json_value *doc = json_parse(text, n);
    cr_assert_not_null(doc, "%s", text);
    const json_value *recs = json_get(doc, "records");
    const char *epoch_of[2][3] = {{0}}; /* [dir][ClientHello/KeyUpdate/data after] */
    int seen_update[2] = {0, 0};
    for (size_t i = 0; i < json_len(recs); i++) {
        const json_value *r = json_at(recs, i);
        int d = strcmp(json_str(json_get(r, "dir")), "s2c") == 0;
        const char *name = json_str(json_get(json_at(json_get(r, "messages"), 0), "name"));
        const char *epoch = json_str(json_get(r, "epoch"));
        if (name && strcmp(name, "KeyUpdate") == 0) {
            epoch_of[d][1] = epoch;
            seen_update[d] = 1;
        } else if (name && strcmp(name, "ApplicationData") == 0 && seen_update[d]) {
            epoch_of[d][2] = epoch;
        } else if (name && strcmp(name, "ClientHello") == 0) {
            epoch_of[d][0] = epoch;
        }
    }
    cr_expect_str_eq(epoch_of[0][0], "plaintext");
    for (int d = 0; d < 2; d++) {
        cr_expect(seen_update[d], "no KeyUpdate in direction %d:\n%s", d, text);
        cr_expect(epoch_of[d][1] && strcmp(epoch_of[d][1], "application 0") == 0, "%d", d);
        cr_expect(epoch_of[d][2] && strcmp(epoch_of[d][2], "application 1") == 0, "%d", d);
    }
    json_free(doc);
    free(text);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The pcap: a libpcap header, a TCP three-way handshake, valid IPv4 checksums, and sequence
 * numbers that advance by exactly the payload each side sent. */
Test(testkit, pcap_framing)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS12, 4);
    cr_assert_eq(tlsm_pair_run(p), 0);
    cr_assert_eq(tlsm_pair_write(p, TLSM_PAIR_CLIENT, payload(3000), 3000), 0);
    size_t n;
    cr_assert_eq(tlsm_pair_pcap(p, NULL, 0, &n), 0);
    uint8_t *f = malloc(n);
    cr_assert_eq(tlsm_pair_pcap(p, f, n, &n), 0);
    cr_assert_eq(le32(f), 0xa1b2c3d4u);
    cr_assert_eq(le32(f + 20), 1u, "LINKTYPE_ETHERNET");
    uint32_t next_seq[2] = {0, 0};
    size_t payload_bytes[2] = {0, 0}, packets = 0;
    uint8_t flags0[3] = {0};
    for (size_t off = 24; off < n; packets++) {
        cr_assert_leq(off + 16, n);
        size_t cap = le32(f + off + 8);
        const uint8_t *pkt = f + off + 16, *ip = pkt + 14, *tcp = ip + 20;
        cr_assert_leq(off + 16 + cap, n);
        cr_expect_eq(be16(pkt + 12), 0x0800u);
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += be16(ip + i);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        cr_expect_eq(sum, 0xffffu, "IPv4 checksum of packet %zu", packets);
        int from = ip[15] == 2; /* 10.0.0.2 is the server */
        size_t len = be16(ip + 2) - 40;
        if (packets < 3)
            flags0[packets] = tcp[13];
        else
            cr_expect_eq(be32(tcp + 4), next_seq[from], "seq of packet %zu", packets);
        next_seq[from] = be32(tcp + 4) + (uint32_t)len + ((tcp[13] & 0x02) ? 1 : 0);
        payload_bytes[from] += len;
        off += 16 + cap;
    }
    cr_expect_eq(flags0[0], 0x02, "SYN");
    cr_expect_eq(flags0[1], 0x12, "SYN|ACK");
    cr_expect_eq(flags0[2], 0x10, "ACK");
    /* Every byte of every record sent is in the capture. */
    char *text = export_text(p, TLSM_TRACE_JSON, &n);
    json_value *doc = json_parse(text, n);
    size_t sent[2] = {0, 0};
    for (size_t i = 0; i < json_len(json_get(doc, "records")); i++) {
        const json_value *r = json_at(json_get(doc, "records"), i);
        sent[strcmp(json_str(json_get(r, "dir")), "s2c") == 0] += (size_t)json_num(json_get(r, "length"));
    }
    cr_expect_eq(payload_bytes[0], sent[0]);
    cr_expect_eq(payload_bytes[1], sent[1]);
    json_free(doc);
    free(text);
    free(f);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

/* A run never hangs: a fault on every record still ends idle within the step bound. */
Test(testkit, every_record_fragmented_and_delayed)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 6);
    cr_assert_eq(tlsm_pair_add_fault(p, "fragment:2@c2s:all"), 0);
    cr_assert_eq(tlsm_pair_add_fault(p, "delay:3@s2c:all"), 0);
    cr_expect_eq(tlsm_pair_run(p), 0);
    cr_expect(tlsm_conn_handshake_done(tlsm_pair_client(p)) &&
              tlsm_conn_handshake_done(tlsm_pair_server(p)));
    cr_expect_eq(tlsm_pair_write(p, TLSM_PAIR_SERVER, payload(50), 50), 0);
    tlsm_pair_report r;
    cr_assert_eq(tlsm_pair_get_report(p, TLSM_PAIR_CLIENT, &r), 0);
    cr_expect_eq(r.app_bytes_received, 50);
    cr_expect_eq(r.version, TLSM_TLS13);
    tlsm_pair_free(p);
    pair_free(&cfgs);
}

/* Issue 16 item 6: a pair turns traces and the key log on for its own connections only;
 * a later connection on the same configs is neither traced nor key-logged. */
Test(testkit, pair_leaves_configs_unchanged)
{
    pair cfgs;
    tlsm_pair *p = new_pair(&cfgs, TLSM_TLS13, 1);
    cr_assert_eq(tlsm_pair_run(p), 0);
    size_t len = 0;
    cr_assert_eq(tlsm_pair_keylog(p, NULL, 0, &len), 0);
    cr_assert_gt(len, 0, "the pair's own connections are key-logged");
    tlsm_pair_free(p);
    tlsm_conn *later = tlsm_conn_new(cfgs.side[0].cfg, PAIR_HOST);
    cr_assert_not_null(later);
    size_t n;
    (void)tlsm_output_peek(later, &n);
    tlsm_event ev;
    while (tlsm_next_event(later, &ev))
        cr_assert(ev.type != TLSM_EV_KEYLOG && ev.type != TLSM_EV_MESSAGE_SENT,
                  "a later connection emitted event %d", ev.type);
    tlsm_conn_free(later);
    pair_free(&cfgs);
}
