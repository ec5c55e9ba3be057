/*
 * capture.c - the two files Wireshark needs to show a pair's conversation: a classic
 * libpcap capture (LINKTYPE_ETHERNET) with synthetic Ethernet, IPv4 and TCP framing around
 * every byte each side sent, and the NSS key log that decrypts it.
 *
 * The TCP stream is what a real one would look like: a three-way handshake, segments of
 * at most 1460 bytes with the right sequence and acknowledgement numbers and checksums,
 * and an acknowledgement after each flight. Time is synthetic too (a fixed start, one
 * millisecond per step), so the same run always gives the same file.
 */
#include <string.h>

#include "testkit/testkit.h"

#define LINKTYPE_ETHERNET 1
#define MSS 1460
#define START_SECONDS 1700000000u
#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_PSH 0x08

typedef struct {
    kit_buf *out;
    uint32_t seq[2];     /* next sequence number of each side */
    uint16_t ip_id[2];
    uint64_t usec;       /* time of the next packet */
} tcp_stream;

static const uint8_t mac[2][6] = {{0x02, 0, 0, 0, 0, 1}, {0x02, 0, 0, 0, 0, 2}};
static const uint8_t ip[2][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}};
static const uint16_t port[2] = {49152, 443};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void put32le(kit_buf *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    kit_buf_put(b, le, 4);
}

/* RFC 1071 ones' complement sum, folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* One packet from side `from`: flags, payload. */
static void packet(tcp_stream *t, int from, uint8_t flags, const uint8_t *data, size_t n)
{
    uint8_t h[14 + 20 + 20];
    int to = 1 - from;
    memcpy(h, mac[to], 6);
    memcpy(h + 6, mac[from], 6);
    put16(h + 12, 0x0800);
    uint8_t *iph = h + 14, *tcp = h + 34;
    memset(iph, 0, 20);
    iph[0] = 0x45;
    put16(iph + 2, (uint32_t)(20 + 20 + n));
    put16(iph + 4, t->ip_id[from]++);
    put16(iph + 6, 0x4000); /* don't fragment */
    iph[8] = 64;
    iph[9] = 6;
    memcpy(iph + 12, ip[from], 4);
    memcpy(iph + 16, ip[to], 4);
    put16(iph + 10, fold(sum16(0, iph, 20)));
    memset(tcp, 0, 20);
    put16(tcp, port[from]);
    put16(tcp + 2, port[to]);
    put32(tcp + 4, t->seq[from]);
    put32(tcp + 8, flags & TCP_ACK ? t->seq[to] : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    uint8_t pseudo[12];
    memcpy(pseudo, ip[from], 4);
    memcpy(pseudo + 4, ip[to], 4);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (uint32_t)(20 + n));
    uint32_t sum = sum16(sum16(sum16(0, pseudo, 12), tcp, 20), data, n);
    put16(tcp + 16, fold(sum));

    put32le(t->out, START_SECONDS + (uint32_t)(t->usec / 1000000));
    put32le(t->out, (uint32_t)(t->usec % 1000000));
    put32le(t->out, (uint32_t)(sizeof h + n));
    put32le(t->out, (uint32_t)(sizeof h + n));
    kit_buf_put(t->out, h, sizeof h);
    kit_buf_put(t->out, data, n);
    t->usec += 10;
    t->seq[from] += (uint32_t)n + ((flags & TCP_SYN) ? 1 : 0);
}

static void flight(tcp_stream *t, int from, const uint8_t *data, size_t n)
{
    for (size_t off = 0; off < n; off += MSS) {
        size_t k = n - off < MSS ? n - off : MSS;
        packet(t, from, TCP_ACK | TCP_PSH, data + off, k);
    }
    packet(t, 1 - from, TCP_ACK, NULL, 0);
}

int tlsm_pair_pcap(tlsm_pair *p, uint8_t *buf, size_t cap, size_t *len)
{
    if (!p || !len)
        return TLSM_ERR_ARG;
    kit_buf out = {0};
    put32le(&out, 0xa1b2c3d4); /* microsecond timestamps, written in our byte order */
    uint8_t ver[4] = {2, 0, 4, 0};
    kit_buf_put(&out, ver, 4);
    put32le(&out, 0);       /* thiszone */
    put32le(&out, 0);       /* sigfigs */
    put32le(&out, 65535);   /* snaplen */
    put32le(&out, LINKTYPE_ETHERNET);
    tcp_stream t = {&out, {0x10000000u, 0x20000000u}, {1, 1}, 0};
    packet(&t, TLSM_PAIR_CLIENT, TCP_SYN, NULL, 0);
    packet(&t, TLSM_PAIR_SERVER, TCP_SYN | TCP_ACK, NULL, 0);
    packet(&t, TLSM_PAIR_CLIENT, TCP_ACK, NULL, 0);
    /* The records of one step (one direction) form one flight, in the order sent. */
    size_t n = 0;
    size_t *order = kit_sent_order(p, &n);
    if (!order && n)
        out.failed = 1;
    for (size_t i = 0; order && i < n;) {
        const kit_record *r = &p->records[order[i]];
        kit_buf data = {0};
        size_t j = i;
        for (; j < n && p->records[order[j]].step == r->step; j++) {
            const kit_record *q = &p->records[order[j]];
            kit_buf_put(&data, p->sent[q->dir].data + q->off, q->len);
        }
        if (t.usec < (uint64_t)r->step * 1000)
            t.usec = (uint64_t)r->step * 1000;
        flight(&t, r->dir, data.data, data.len);
        out.failed |= data.failed;
        kit_buf_free(&data);
        i = j;
    }
    free(order);
    int rc = kit_buf_export(&out, buf, cap, len);
    kit_buf_free(&out);
    return rc;
}

int tlsm_pair_keylog(tlsm_pair *p, char *buf, size_t cap, size_t *len)
{
    if (!p || !len)
        return TLSM_ERR_ARG;
    return kit_buf_export(&p->keylog, buf, cap, len);
}
