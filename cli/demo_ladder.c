/*
 * demo_ladder.c - the ladder diagram of `tlsm demo`, drawn from the testing kit's JSON
 * trace (tlsm_pair_trace): one line per message in the order the records went out, client
 * messages on the left with an arrow to the right, server messages on the right with an
 * arrow to the left. The key marks come from the epoch the kit gives each record: as in
 * the figures of RFC 8446 s.2, {Name} is protected with TLS 1.3 handshake traffic keys and
 * [Name] with application traffic keys (TLS 1.2: after the sender's ChangeCipherSpec).
 *
 * A record a fault touched gets a mark on its arrows ('x' where it was lost, '!' where it
 * was changed, repeated, split or held back) and a note with what the kit did to it.
 * The kit's own ladder (TLSM_TRACE_LADDER) is a record-level debugging view, with steps,
 * sizes and the decoded hellos; this one is the handshake figure of the RFCs.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "json.h"

#define LABEL_WIDTH 30
#define ARROW_WIDTH 23

enum { MARK_NONE, MARK_HANDSHAKE, MARK_APPLICATION };

typedef struct {
    FILE *out;
    int tls12;       /* the ServerHello chose TLS 1.2 */
    int marks_shown; /* a {...} or [...] was drawn: the legend explains them */
    int faults_shown; /* records a fault touched */
} ladder;

static int mark_of(const char *epoch)
{
    if (!epoch || strcmp(epoch, "plaintext") == 0)
        return MARK_NONE;
    return strcmp(epoch, "handshake") == 0 ? MARK_HANDSHAKE : MARK_APPLICATION;
}

/* The version the ServerHello chose: its supported_versions, else its legacy version. */
static int chose_tls12(const json_value *records)
{
    for (size_t i = 0; records && i < records->n; i++) {
        const json_value *msgs = json_get(&records->items[i], "messages");
        const json_value *hello = msgs && msgs->n ? &msgs->items[0] : NULL;
        const char *name = json_get_string(hello, "name");
        if (!name || strcmp(name, "ServerHello") != 0)
            continue;
        const json_value *versions = json_get(hello, "versions");
        if (versions && versions->n && versions->items[0].type == JSON_STRING)
            return strcmp(versions->items[0].string, "TLS 1.2") == 0;
        return json_get_number(hello, "legacy_version", 0) == TLSM_TLS12;
    }
    return 0;
}

/* The text of one message, with its key marks. */
static void message_label(ladder *l, const json_value *msg, int mark, char *buf, size_t cap)
{
    const char *name = json_get_string(msg, "name");
    char text[64];
    if (!name)
        name = "?";
    if (strcmp(name, "ChangeCipherSpec") == 0) {
        snprintf(buf, cap, "%s", l->tls12 ? "ChangeCipherSpec" : "ChangeCipherSpec (compat)");
        return;
    }
    if (strcmp(name, "ApplicationData") == 0)
        snprintf(text, sizeof text, "application data");
    else if (strcmp(name, "Alert") == 0)
        snprintf(text, sizeof text, "alert %s",
                 json_get_string(msg, "alert") ? json_get_string(msg, "alert") : "(protected)");
    else
        snprintf(text, sizeof text, "%s", name);
    const char *open = mark == MARK_HANDSHAKE ? "{" : mark == MARK_APPLICATION ? "[" : "";
    const char *close = mark == MARK_HANDSHAKE ? "}" : mark == MARK_APPLICATION ? "]" : "";
    l->marks_shown |= mark != MARK_NONE;
    if (strcmp(name, "ApplicationData") == 0)
        snprintf(buf, cap, "%s%s%s %.0f bytes", open, text, close,
                 json_get_number(msg, "bytes", 0));
    else
        snprintf(buf, cap, "%s%s%s", open, text, close);
}

/* The arrow of one message: fault 'x' stops it halfway, '!' marks its middle. */
static void arrow(int from_client, char fault, char *buf)
{
    memset(buf, '-', ARROW_WIDTH);
    buf[ARROW_WIDTH] = 0;
    if (from_client)
        buf[ARROW_WIDTH - 1] = '>';
    else
        buf[0] = '<';
    if (fault == '!') {
        buf[ARROW_WIDTH / 2] = '!';
    } else if (fault == 'x') {
        size_t half = ARROW_WIDTH / 2;
        if (from_client)
            memset(buf + half + 1, ' ', ARROW_WIDTH - half - 1);
        else
            memset(buf, ' ', half);
        buf[half] = 'x';
    }
}

static void print_line(ladder *l, int from_client, char fault, const char *label)
{
    char a[ARROW_WIDTH + 1];
    arrow(from_client, fault, a);
    if (from_client)
        fprintf(l->out, "  %-*s %.*s\n", LABEL_WIDTH, label, (int)strcspn(a, " "), a);
    else
        fprintf(l->out, "  %-*s %s  %s\n", LABEL_WIDTH, "", a, label);
}

static void print_record(ladder *l, const json_value *rec)
{
    const char *from = json_get_string(rec, "from");
    const char *dir = json_get_string(rec, "dir");
    const char *fault = json_get_string(rec, "fault"); /* null: untouched */
    const json_value *msgs = json_get(rec, "messages");
    int from_client = from && strcmp(from, "client") == 0;
    int mark = mark_of(json_get_string(rec, "epoch"));
    char f = !fault ? 0 : strstr(fault, "dropped") ? 'x' : '!';
    char label[96];
    if (!msgs || msgs->n == 0) {
        const char *type = json_get_string(rec, "type");
        snprintf(label, sizeof label, "(%s record, %.0f bytes)",
                 mark != MARK_NONE ? "protected" : type ? type : "?",
                 json_get_number(rec, "length", 0));
        print_line(l, from_client, f, label);
    }
    for (size_t i = 0; msgs && i < msgs->n; i++) {
        message_label(l, &msgs->items[i], mark, label, sizeof label);
        print_line(l, from_client, f, label);
    }
    if (fault) {
        l->faults_shown++;
        fprintf(l->out, "  %-*s ! fault on %s rec=%.0f: %s\n", LABEL_WIDTH, "", dir ? dir : "?",
                json_get_number(rec, "index", 0), fault);
    }
}

int demo_ladder_print(tlsm_pair *pair, const char *title, FILE *out)
{
    size_t len = 0;
    char *text = demo_trace_text(pair, TLSM_TRACE_JSON, &len);
    json_value *doc = text ? json_parse(text, len) : NULL;
    free(text);
    const json_value *records = json_get(doc, "records");
    if (!records || records->type != JSON_ARRAY) {
        cli_error("cannot read the testing kit's trace");
        json_free(doc);
        return -1;
    }
    ladder l = {out, chose_tls12(records), 0, 0};
    fprintf(out, "%s\n\n", title);
    fprintf(out, "  %-*s %*s  %s\n", LABEL_WIDTH, "client", ARROW_WIDTH, "", "server");
    fprintf(out, "  %-*s %*s  %s\n", LABEL_WIDTH, "------", ARROW_WIDTH, "", "------");
    for (size_t i = 0; i < records->n; i++)
        print_record(&l, &records->items[i]);
    if (l.marks_shown || l.faults_shown)
        fputc('\n', out);
    if (l.marks_shown)
        fprintf(out, "  %s\n", l.tls12 ? "[...] encrypted (after the sender's ChangeCipherSpec)"
                                       : "{...} handshake traffic keys, "
                                         "[...] application traffic keys");
    if (l.faults_shown)
        fprintf(out, "  x lost to a fault, ! changed or moved by a fault\n");
    json_free(doc);
    return l.faults_shown;
}
