/*
 * demo_ladder.c - the ladder diagram of `tlsm demo`: one line per message, client messages
 * on the left with an arrow to the right, server messages on the right with an arrow to
 * the left. For TLS 1.3, as in the figures of RFC 8446 s.2, {Name} marks a message
 * protected with handshake traffic keys and [Name] one protected with application traffic
 * keys. For TLS 1.2 there is one set of keys, which a side starts to use after its
 * ChangeCipherSpec: [Name] marks what it protects.
 *
 * The same ladder can be drawn as a Mermaid sequence diagram (`tlsm demo --trace
 * mermaid`): plain `sequenceDiagram` text, solid arrows for handshake messages, dashed ones
 * for ChangeCipherSpec, application data and alerts, notes for titles and remarks. Message
 * labels never hold '#' or ';', the two characters Mermaid treats specially in them.
 */
#include <stdio.h>

#include "demo.h"

#define LABEL_WIDTH 30
static const char arrow_right[] = "---------------------->";
static const char arrow_left[] = "<----------------------";

void ladder_add(ladder *l, int side, ladder_kind kind, uint8_t msg_type, int hrr, size_t bytes)
{
    if (l->n == LADDER_MAX) {
        l->dropped++;
        return;
    }
    l->e[l->n++] = (ladder_entry){.side = side, .kind = kind, .msg_type = msg_type,
                                  .hrr = hrr != 0, .bytes = bytes};
}

void ladder_print_mermaid_start(FILE *out)
{
    fprintf(out, "sequenceDiagram\n"
                 "    participant C as Client\n"
                 "    participant S as Server\n");
}

void ladder_print_note(const ladder *l, const char *text, FILE *out)
{
    if (l->format == LADDER_MERMAID)
        fprintf(out, "    Note over C,S: %s\n", text);
    else
        fprintf(out, "  %s\n", text);
}

void ladder_print_header(const ladder *l, const char *title, FILE *out)
{
    if (l->format == LADDER_MERMAID) {
        ladder_print_note(l, title, out);
        return;
    }
    fprintf(out, "%s\n\n", title);
    fprintf(out, "  %-*s %*s  %s\n", LABEL_WIDTH, "client", (int)sizeof arrow_right - 1, "",
            "server");
    fprintf(out, "  %-*s %*s  %s\n", LABEL_WIDTH, "------", (int)sizeof arrow_right - 1, "",
            "------");
}

void ladder_print_legend(const ladder *l, FILE *out)
{
    const char *legend = l->version == TLSM_TLS12
                             ? "[...] encrypted (after the sender's ChangeCipherSpec)"
                             : "{...} handshake traffic keys, [...] application traffic keys";
    if (l->format == LADDER_TEXT)
        fputc('\n', out);
    ladder_print_note(l, legend, out);
}

enum { PLAIN, HANDSHAKE_KEYS, APPLICATION_KEYS };

static void print_entry(const ladder *l, FILE *out, const ladder_entry *e, const char *name,
                        int keys)
{
    char label[64];
    const char *open = keys == HANDSHAKE_KEYS ? "{" : keys == APPLICATION_KEYS ? "[" : "";
    const char *close = keys == HANDSHAKE_KEYS ? "}" : keys == APPLICATION_KEYS ? "]" : "";
    if (e->kind == LADDER_APP_DATA)
        snprintf(label, sizeof label, "%sapplication data%s %zu bytes", open, close, e->bytes);
    else
        snprintf(label, sizeof label, "%s%s%s", open, name, close);
    if (l->format == LADDER_MERMAID)
        fprintf(out, "    %s%s%s: %s\n", e->side == SIDE_CLIENT ? "C" : "S",
                e->kind == LADDER_MESSAGE ? "->>" : "-->>", e->side == SIDE_CLIENT ? "S" : "C",
                label);
    else if (e->side == SIDE_CLIENT)
        fprintf(out, "  %-*s %s\n", LABEL_WIDTH, label, arrow_right);
    else
        fprintf(out, "  %-*s %s  %s\n", LABEL_WIDTH, "", arrow_left, label);
}

void ladder_print(ladder *l, FILE *out)
{
    int keys[2] = {PLAIN, PLAIN}; /* what each side protects its next message with */
    int tls12 = l->version == TLSM_TLS12;
    for (size_t i = 0; i < l->n; i++) {
        const ladder_entry *e = &l->e[i];
        const char *name = "";
        int mark = keys[e->side];
        int server_hello = 0;
        switch (e->kind) {
        case LADDER_CCS:
            name = tls12 ? "ChangeCipherSpec" : "ChangeCipherSpec (compat)";
            mark = PLAIN;
            break;
        case LADDER_CLOSE_NOTIFY: name = "alert close_notify"; break;
        case LADDER_APP_DATA: break;
        case LADDER_MESSAGE:
            name = tlsm_message_name(e->msg_type);
            /* RFC 8446 s.4.1.4: a HelloRetryRequest is a ServerHello with a special random;
             * the trace event says which one it was. */
            if (e->side == SIDE_SERVER && e->msg_type == 2) {
                if (e->hrr)
                    name = "HelloRetryRequest";
                else
                    server_hello = !tls12;
            }
            break;
        }
        if (i >= l->printed)
            print_entry(l, out, e, name, mark);
        /* RFC 8446 s.7.1: after ServerHello both sides switch to handshake keys; each side
         * switches to application keys after sending its Finished. */
        if (server_hello)
            keys[SIDE_CLIENT] = keys[SIDE_SERVER] = HANDSHAKE_KEYS;
        if (e->kind == LADDER_MESSAGE && e->msg_type == 20 && keys[e->side] == HANDSHAKE_KEYS)
            keys[e->side] = APPLICATION_KEYS;
        if (e->kind == LADDER_CCS && tls12)
            keys[e->side] = APPLICATION_KEYS;
    }
    if (l->dropped > 0) {
        char note[64];
        snprintf(note, sizeof note, "(%zu more messages not shown)", l->dropped);
        ladder_print_note(l, note, out);
    }
    l->dropped = 0;
    l->printed = l->n;
}
