/*
 * trace.c - the testing kit's traces of a pair: a ladder diagram for the terminal, Mermaid
 * sequenceDiagram text and a JSON document, all built from the labelled records (see
 * records.c) and the two sides' reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/testkit.h"

/* ---------------------------------------------------------------- shared text */

/* How a side ended, in a few words: the error and the check that fired, or how far the
 * handshake got. */
static void end_state(const tlsm_pair_report *rep, kit_buf *out)
{
    if (rep->error && rep->reason[0])
        kit_buf_printf(out, "%s (%s)", tlsm_strerror(rep->error), rep->reason);
    else if (rep->error)
        kit_buf_puts(out, tlsm_strerror(rep->error));
    else if (!rep->handshake_done)
        kit_buf_puts(out, "handshake not finished");
    else
        kit_buf_puts(out, rep->peer_closed ? "handshake done, closed by the peer"
                                           : "handshake done");
}

static const char *msg_label(const kit_record *r, size_t i)
{
    if (r->msgs[i] == 2 && i == 0 && r->hello.hrr)
        return "HelloRetryRequest";
    return kit_msg_name(r->msgs[i]);
}

void kit_record_label(const tlsm_pair *p, const kit_record *r, kit_buf *out)
{
    (void)p;
    for (size_t i = 0; i < r->n_msgs; i++) {
        if (i)
            kit_buf_puts(out, ", ");
        kit_buf_puts(out, msg_label(r, i));
        if (r->msgs[i] == KIT_MSG_ALERT && r->alert >= 0)
            kit_buf_printf(out, "(%s %s)", r->alert_level == 2 ? "fatal" : "warning",
                           tlsm_alert_name((uint8_t)r->alert));
        if (r->msgs[i] == KIT_MSG_APPDATA)
            kit_buf_printf(out, "(%zu bytes)", r->app_len);
    }
    if (r->n_msgs == 0)
        kit_buf_puts(out, r->encrypted ? "(protected, continued)" : kit_type_name(r->type));
}

static void suite_text(uint16_t suite, kit_buf *out)
{
    const char *n = tlsm_suite_name(suite);
    if (strcmp(n, "unknown") == 0)
        kit_buf_printf(out, "0x%04x", suite);
    else
        kit_buf_puts(out, n);
}

static void version_text(uint16_t v, kit_buf *out)
{
    const char *n = tlsm_version_name(v);
    if (strcmp(n, "unknown") == 0)
        kit_buf_printf(out, "0x%04x", v);
    else
        kit_buf_puts(out, n);
}

void kit_hello_text(const kit_hello *h, kit_buf *out)
{
    char tmp[16];
    kit_buf_puts(out, h->n_versions > 1 ? "versions " : "version ");
    if (h->n_versions == 0)
        version_text(h->legacy_version, out);
    for (size_t i = 0; i < h->n_versions; i++) {
        kit_buf_puts(out, i ? ", " : "");
        version_text(h->versions[i], out);
    }
    kit_buf_puts(out, h->n_suites > 1 ? "; suites " : "; suite ");
    for (size_t i = 0; i < h->n_suites; i++) {
        kit_buf_puts(out, i ? ", " : "");
        suite_text(h->suites[i], out);
    }
    kit_buf_puts(out, "; extensions ");
    for (size_t i = 0; i < h->n_exts; i++) {
        kit_buf_puts(out, i ? ", " : "");
        kit_buf_puts(out, kit_ext_name(h->exts[i], tmp, sizeof tmp));
    }
    if (h->n_exts == 0)
        kit_buf_puts(out, "none");
}

static const char *side_name(int side)
{
    return side == TLSM_PAIR_CLIENT ? "client" : "server";
}

static const char *alert_text(int alert)
{
    return alert < 0 ? "none" : tlsm_alert_name((uint8_t)alert);
}

/* ---------------------------------------------------------------- ladder */

#define LADDER_ARROW 56

static void ladder(tlsm_pair *p, kit_buf *out)
{
    char tmp[32];
    kit_buf_printf(out, "%-8s%-*s%s\n", "step", LADDER_ARROW - 6, "client", "server");
    size_t n_order = 0;
    size_t *order = kit_sent_order(p, &n_order);
    if (!order && n_order)
        out->failed = 1;
    for (size_t i = 0; order && i < n_order; i++) {
        const kit_record *r = &p->records[order[i]];
        kit_buf label = {0};
        kit_record_label(p, r, &label);
        kit_buf_putc(&label, 0);
        const char *text = label.failed ? "?" : (const char *)label.data;
        size_t n = strlen(text), room = LADDER_ARROW - 8;
        if (n > room)
            n = room;
        size_t dashes = LADDER_ARROW - 4 - n;
        kit_buf_printf(out, "%-8u", r->step);
        if (r->dir == TLSM_PAIR_C2S) {
            kit_buf_puts(out, "|-- ");
            kit_buf_put(out, text, n);
            kit_buf_putc(out, ' ');
            for (size_t k = 1; k < dashes - 1; k++)
                kit_buf_putc(out, '-');
            kit_buf_puts(out, ">|");
        } else {
            kit_buf_puts(out, "|<");
            for (size_t k = 1; k < dashes - 1; k++)
                kit_buf_putc(out, '-');
            kit_buf_putc(out, ' ');
            kit_buf_put(out, text, n);
            kit_buf_puts(out, " --|");
        }
        kit_buf_printf(out, "  %s %s %zu B\n", kit_epoch_name(r->epoch, tmp, sizeof tmp),
                       kit_type_name(r->type), r->len);
        if (strlen(text) > n)
            kit_buf_printf(out, "%8s|   %s\n", "", text);
        if (r->hello.present) {
            kit_buf_printf(out, "%8s|   ", "");
            kit_hello_text(&r->hello, out);
            kit_buf_putc(out, '\n');
        }
        if (r->fault[0])
            kit_buf_printf(out, "%8s|   !! fault: %s\n", "", r->fault);
        kit_buf_free(&label);
    }
    free(order);
    for (int side = 0; side < 2; side++) {
        tlsm_pair_report rep;
        if (tlsm_pair_get_report(p, side, &rep))
            continue;
        kit_buf_printf(out, "%s: ", side_name(side));
        end_state(&rep, out);
        if (rep.handshake_done) {
            kit_buf_puts(out, ", ");
            version_text(rep.version, out);
            kit_buf_puts(out, ", ");
            suite_text(rep.suite, out);
            if (rep.resumed)
                kit_buf_puts(out, ", resumed");
            if (rep.hrr)
                kit_buf_puts(out, ", after HelloRetryRequest");
        }
        kit_buf_printf(out, "; alert sent %s, received %s\n", alert_text(rep.alert_sent),
                       alert_text(rep.alert_received));
    }
}

/* ---------------------------------------------------------------- Mermaid */

/* Mermaid message text may not hold ';' '#' ':' (statement and entity syntax) or newlines. */
static void mermaid_text(kit_buf *out, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = (char)s[i];
        kit_buf_putc(out, c == ';' || c == '#' || c == ':' || c == '\n' ? ',' : c);
    }
}

static void mermaid(tlsm_pair *p, kit_buf *out)
{
    char tmp[32];
    kit_buf_puts(out, "sequenceDiagram\n    participant C as client\n"
                      "    participant S as server\n");
    unsigned step = 0;
    size_t n_order = 0;
    size_t *order = kit_sent_order(p, &n_order);
    if (!order && n_order)
        out->failed = 1;
    for (size_t i = 0; order && i < n_order; i++) {
        const kit_record *r = &p->records[order[i]];
        if (r->step != step) {
            step = r->step;
            kit_buf_printf(out, "    Note over C,S: step %u\n", step);
        }
        kit_buf label = {0};
        kit_record_label(p, r, &label);
        int lost = strstr(r->fault, "dropped") != NULL;
        kit_buf_printf(out, "    %s%s%s: ", r->dir == TLSM_PAIR_C2S ? "C" : "S",
                       lost ? "-x" : "->>", r->dir == TLSM_PAIR_C2S ? "S" : "C");
        mermaid_text(out, label.data, label.len);
        kit_buf_printf(out, " [%s]\n", kit_epoch_name(r->epoch, tmp, sizeof tmp));
        kit_buf_free(&label);
        if (r->hello.present) {
            kit_buf text = {0};
            kit_hello_text(&r->hello, &text);
            kit_buf_printf(out, "    Note %s of %s: ", r->dir == TLSM_PAIR_C2S ? "left" : "right",
                           r->dir == TLSM_PAIR_C2S ? "C" : "S");
            /* A rendered note must stay readable: long hello summaries are cut (the ladder
             * and JSON keep them whole). */
            enum { NOTE_MAX = 120 };
            mermaid_text(out, text.data, text.len > NOTE_MAX ? NOTE_MAX : text.len);
            if (text.len > NOTE_MAX)
                kit_buf_puts(out, " ...");
            kit_buf_putc(out, '\n');
            kit_buf_free(&text);
        }
        if (r->fault[0]) {
            kit_buf_puts(out, "    Note over C,S: fault ");
            mermaid_text(out, (const uint8_t *)r->fault, strlen(r->fault));
            kit_buf_putc(out, '\n');
        }
    }
    free(order);
    for (int side = 0; side < 2; side++) {
        tlsm_pair_report rep;
        if (tlsm_pair_get_report(p, side, &rep))
            continue;
        kit_buf state = {0};
        end_state(&rep, &state);
        kit_buf_printf(out, "    Note %s of %s: ", side ? "right" : "left", side ? "S" : "C");
        mermaid_text(out, state.data, state.len);
        kit_buf_putc(out, '\n');
        kit_buf_free(&state);
    }
}

/* ---------------------------------------------------------------- JSON */

static void json_string(kit_buf *out, const char *s, size_t n)
{
    kit_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            kit_buf_printf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            kit_buf_printf(out, "\\u%04x", c);
        else
            kit_buf_putc(out, (char)c);
    }
    kit_buf_putc(out, '"');
}

static void json_cstr(kit_buf *out, const char *s)
{
    json_string(out, s, strlen(s));
}

static void json_hello(kit_buf *out, const kit_hello *h)
{
    char tmp[16];
    kit_buf_printf(out, ",\"legacy_version\":%u,\"versions\":[", h->legacy_version);
    for (size_t i = 0; i < h->n_versions; i++) {
        kit_buf_puts(out, i ? "," : "");
        json_cstr(out, tlsm_version_name(h->versions[i]));
    }
    kit_buf_puts(out, "],\"suites\":[");
    for (size_t i = 0; i < h->n_suites; i++) {
        kit_buf_puts(out, i ? "," : "");
        kit_buf text = {0};
        suite_text(h->suites[i], &text);
        json_string(out, (const char *)text.data, text.len);
        kit_buf_free(&text);
    }
    kit_buf_puts(out, "],\"extensions\":[");
    for (size_t i = 0; i < h->n_exts; i++) {
        kit_buf_puts(out, i ? "," : "");
        json_cstr(out, kit_ext_name(h->exts[i], tmp, sizeof tmp));
    }
    kit_buf_putc(out, ']');
}

static void json_record(tlsm_pair *p, const kit_record *r, kit_buf *out)
{
    char tmp[32];
    (void)p;
    kit_buf_printf(out, "{\"step\":%u,\"dir\":\"%s\",\"from\":\"%s\",\"index\":%zu,"
                        "\"type\":\"%s\",\"type_code\":%u,\"length\":%zu,\"epoch\":",
                   r->step, r->dir == TLSM_PAIR_C2S ? "c2s" : "s2c", side_name(r->dir),
                   r->index, kit_type_name(r->type), r->type, r->len);
    json_cstr(out, kit_epoch_name(r->epoch, tmp, sizeof tmp));
    kit_buf_printf(out, ",\"protected\":%s,\"messages\":[", r->encrypted ? "true" : "false");
    for (size_t i = 0; i < r->n_msgs; i++) {
        kit_buf_puts(out, i ? "," : "");
        kit_buf_puts(out, "{\"name\":");
        json_cstr(out, msg_label(r, i));
        if (r->msgs[i] < 256)
            kit_buf_printf(out, ",\"msg_type\":%u", r->msgs[i]);
        if (r->msgs[i] == KIT_MSG_APPDATA)
            kit_buf_printf(out, ",\"bytes\":%zu", r->app_len);
        if (r->msgs[i] == KIT_MSG_ALERT && r->alert >= 0) {
            kit_buf_printf(out, ",\"level\":\"%s\",\"alert\":",
                           r->alert_level == 2 ? "fatal" : "warning");
            json_cstr(out, tlsm_alert_name((uint8_t)r->alert));
        }
        if (i == 0 && r->hello.present)
            json_hello(out, &r->hello);
        kit_buf_putc(out, '}');
    }
    kit_buf_puts(out, "],\"fault\":");
    if (r->fault[0])
        json_cstr(out, r->fault);
    else
        kit_buf_puts(out, "null");
    kit_buf_putc(out, '}');
}

static void json_report(tlsm_pair *p, int side, kit_buf *out)
{
    tlsm_pair_report rep;
    if (tlsm_pair_get_report(p, side, &rep)) {
        kit_buf_puts(out, "null");
        return;
    }
    kit_buf_printf(out, "{\"error\":%d,\"error_name\":", rep.error);
    json_cstr(out, rep.error ? tlsm_strerror(rep.error) : "none");
    kit_buf_puts(out, ",\"reason\":");
    json_cstr(out, rep.reason);
    kit_buf_puts(out, ",\"alert_sent\":");
    json_cstr(out, alert_text(rep.alert_sent));
    kit_buf_puts(out, ",\"alert_received\":");
    json_cstr(out, alert_text(rep.alert_received));
    kit_buf_printf(out, ",\"handshake_done\":%s,\"peer_closed\":%s,\"version\":",
                   rep.handshake_done ? "true" : "false", rep.peer_closed ? "true" : "false");
    json_cstr(out, rep.version ? tlsm_version_name(rep.version) : "none");
    kit_buf_puts(out, ",\"suite\":");
    json_cstr(out, rep.suite ? tlsm_suite_name(rep.suite) : "none");
    kit_buf_puts(out, ",\"group\":");
    json_cstr(out, rep.group ? tlsm_group_name(rep.group) : "none");
    kit_buf_printf(out, ",\"resumed\":%s,\"hrr\":%s,\"app_bytes_received\":%llu}",
                   rep.resumed ? "true" : "false", rep.hrr ? "true" : "false",
                   (unsigned long long)rep.app_bytes_received);
}

static void json(tlsm_pair *p, kit_buf *out)
{
    kit_buf_printf(out, "{\"steps\":%u,\"records\":[", p->step);
    size_t n_order = 0;
    size_t *order = kit_sent_order(p, &n_order);
    if (!order && n_order)
        out->failed = 1;
    for (size_t i = 0; order && i < n_order; i++) {
        kit_buf_puts(out, i ? ",\n  " : "\n  ");
        json_record(p, &p->records[order[i]], out);
    }
    free(order);
    kit_buf_puts(out, "],\n\"client\":");
    json_report(p, TLSM_PAIR_CLIENT, out);
    kit_buf_puts(out, ",\n\"server\":");
    json_report(p, TLSM_PAIR_SERVER, out);
    kit_buf_puts(out, "}\n");
}

int tlsm_pair_trace(tlsm_pair *p, int format, char *buf, size_t cap, size_t *len)
{
    if (!p || !len)
        return TLSM_ERR_ARG;
    kit_buf out = {0};
    switch (format) {
    case TLSM_TRACE_LADDER:
        ladder(p, &out);
        break;
    case TLSM_TRACE_MERMAID:
        mermaid(p, &out);
        break;
    case TLSM_TRACE_JSON:
        json(p, &out);
        break;
    default:
        return TLSM_ERR_ARG;
    }
    int rc = kit_buf_export(&out, buf, cap, len);
    kit_buf_free(&out);
    return rc;
}
