/*
 * tlsm.i - the SWIG interface over tlsm.h, kept thin: the Pythonic layer (python/tlsm/)
 * is where the API becomes pleasant; this file only moves handles, bytes and integers.
 *
 *  - Handles (tlsm_config *, tlsm_conn *) are opaque pointers. SWIG never frees them: the
 *    Python layer owns them and calls config_free / conn_free exactly once.
 *  - Every tlsm_ prefix is dropped: tlsm_feed is capi.feed, TLSM_STATUS_HAS_OUTPUT is
 *    capi.STATUS_HAS_OUTPUT.
 *  - Bytes in: any object with the buffer protocol (bytes, bytearray, memoryview). The
 *    buffer is held (so a bytearray cannot be resized) until the call returns.
 *  - Bytes out: a function that fills or borrows memory returns a bytes copy. Functions
 *    with size_t out-parameters return (rc, value). Errors are the int codes of tlsm.h.
 *  - Events: next_event(conn) returns None or a tuple (type, code, alert, fatal, msg_type,
 *    ccs), the fields of tlsm_event.
 *  - Why a connection failed: conn_error_detail(conn) returns the fields of
 *    tlsm_error_detail as a tuple (code, reason, text, file, line, alert_sent).
 *  - The GIL is released around every call that can do crypto or parse certificates
 *    (feed, write, status and output_peek on a client that starts, the
 *    config_add_* loaders, sign_done, verify_done, export_keying_material, close, ...):
 *    other Python threads run while a handshake computes. A connection must still be used
 *    by one thread at a time (tlsm.h); the Python layer enforces that.
 *  - The in-memory testing kit (tlsm_pair_*): the pair is an opaque handle like the others;
 *    pair_read, pair_pending, pair_get_report, pair_event, pair_trace, pair_pcap and
 *    pair_keylog return (rc, bytes/str/tuple) or tuples instead of filling caller buffers
 *    and structs.
 *  - verify_chain(trust, certs, name, purpose, use_now, time, max_depth) and
 *    verify_chain_pem(...) return (error, fault, fault_anchor, time, path) with path a
 *    tuple of (input index, anchor index) pairs, leaf first; config_trust_cert gives an
 *    anchor's DER.
 *  - No callbacks from C into Python. The RNG and clock hooks of tlsm.h are C function
 *    pointers, so deterministic tests get them from C here: test_hooks_new(seed, now_ms)
 *    makes a seeded splitmix64 generator and a settable clock, test_hooks_install puts
 *    them on a config. The hooks must outlive every connection of that config; the
 *    Python layer keeps them alive with the config object.
 */
%module(package="tlsm", threads="1") capi

%{
#define PY_SSIZE_T_CLEAN
#include <stdlib.h>
#include <string.h>
#include "tlsm.h"
%}

%include <stdint.i>

/* Names without the prefix: the module is already called tlsm. */
%rename("%(strip:[tlsm_])s", %$isfunction) "";
%rename("%(strip:[TLSM_])s", %$isconstant) "";
%rename("%(strip:[TLSM_])s", %$isenumitem) "";

/* ------------------------------------------------------------------ typemaps */

/* (pointer, length) from any contiguous buffer; None gives (NULL, 0). */
%typemap(in) (const uint8_t *BYTES, size_t LEN) (Py_buffer view = {0}) {
    if ($input != Py_None) {
        if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) != 0)
            SWIG_fail;
        $1 = ($1_ltype)view.buf;
        $2 = (size_t)view.len;
    } else {
        $1 = NULL;
        $2 = 0;
    }
}
%typemap(freearg) (const uint8_t *BYTES, size_t LEN) {
    if (view$argnum.obj)
        PyBuffer_Release(&view$argnum);
}
%typemap(typecheck) (const uint8_t *BYTES, size_t LEN) {
    $1 = $input == Py_None || PyObject_CheckBuffer($input);
}
%apply (const uint8_t *BYTES, size_t LEN) {
    (const uint8_t *in, size_t len), (const uint8_t *p, size_t len),
    (const uint8_t *list, size_t len), (const uint8_t *pem, size_t len),
    (const uint8_t *der, size_t len), (const uint8_t *key, size_t len),
    (const uint8_t *sig, size_t len), (const uint8_t *blob, size_t len),
    (const uint8_t *chain_pem, size_t chain_len), (const uint8_t *key_pem, size_t key_len),
    (const uint8_t *data, size_t len)
};

/* C strings (server names, fault specs, paths): None gives NULL; a str is passed as UTF-8
 * and refused with ValueError when it holds a NUL, which C would take as the end of the
 * string ("localhost\0.attacker.example" would be checked as "localhost"). */
%typemap(in, fragment="SWIG_AsCharPtrAndSize") const char * (char *buf = NULL, size_t size = 0, int alloc = 0) {
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        int res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
        if (!SWIG_IsOK(res))
            SWIG_exception_fail(SWIG_ArgError(res), "in method '$symname', argument $argnum must be a str or None");
        if (size > 0 && memchr(buf, 0, size - 1)) {
            PyErr_Format(PyExc_ValueError, "%s: argument %d contains a NUL byte", "$symname", $argnum);
            SWIG_fail;
        }
        $1 = buf;
    }
}
%typemap(freearg) const char * {
    if (alloc$argnum == SWIG_NEWOBJ)
        free(buf$argnum);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const char * {
    $1 = $input == Py_None || PyUnicode_Check($input);
}

/* Lists of 16-bit codes (suites, groups, signature schemes) from a sequence of ints. */
%typemap(in) (const uint16_t *CODES, size_t N) {
    PyObject *seq = PySequence_Fast($input, "expected a sequence of integers");
    if (!seq)
        SWIG_fail;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    $1 = malloc((n ? n : 1) * sizeof(uint16_t));
    if (!$1) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        SWIG_fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            SWIG_fail;
        }
        if (v < 0 || v > 0xffff) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_OverflowError, "code out of the 16-bit range");
            SWIG_fail;
        }
        ((uint16_t *)$1)[i] = (uint16_t)v;
    }
    $2 = (size_t)n;
    Py_DECREF(seq);
}
%typemap(freearg) (const uint16_t *CODES, size_t N) "free((void *)$1);";
%apply (const uint16_t *CODES, size_t N) {
    (const uint16_t *suites, size_t n), (const uint16_t *groups, size_t n),
    (const uint16_t *sigs, size_t n)
};

/* size_t out-parameters: the Python call returns (rc, value). */
%typemap(in, numinputs=0) size_t *consumed (size_t tmp = 0), size_t *accepted (size_t tmp = 0),
                          size_t *added (size_t tmp = 0) "$1 = &tmp;";
%typemap(argout) size_t *consumed, size_t *accepted, size_t *added {
    %append_output(PyLong_FromSize_t(*$1));
}

/* ------------------------------------------------------------------ what is wrapped */

/* Replaced below by functions that return Python objects, or not for Python at all. */
%ignore tlsm_output_peek;
%ignore tlsm_read_peek;
/* Zero-copy input is not offered to Python: a writable view into the connection would
 * outlive the next call and the connection itself (a use after free for the caller to
 * make). feed() copies instead. */
%ignore tlsm_input_buf;
%ignore tlsm_input_ack;
%ignore tlsm_next_event;
%ignore tlsm_sign_request;
%ignore tlsm_export_keying_material;
%ignore tlsm_conn_alpn;
%ignore tlsm_conn_peer_cert;
%ignore tlsm_conn_get_session;
%ignore tlsm_config_add_identity_der;
%ignore tlsm_config_set_rng;
%ignore tlsm_config_set_clock;
%ignore tlsm_config_ref;
%ignore tlsm_event;
%ignore tlsm_conn_error_detail;
%ignore tlsm_error_detail;
/* The testing kit: calls that fill caller buffers or out-structs get Python versions. */
%ignore tlsm_pair_read;
%ignore tlsm_pair_get_report;
%ignore tlsm_pair_report;
%ignore tlsm_pair_event;
%ignore tlsm_pair_trace;
%ignore tlsm_pair_pcap;
%ignore tlsm_pair_keylog;
/* Chain verification: a Python version returns the result as a tuple. */
%ignore tlsm_verify_chain;
%ignore tlsm_verify_chain_pem;
%ignore tlsm_verify_result;
%ignore tlsm_config_trust_cert;
/* The verification cache's counters: a Python version returns them as a tuple. */
%ignore tlsm_config_verify_cache_stats;
%ignore tlsm_verify_cache_stats;
%ignore TLSM_VERIFY_TIME_NOW;

/* Cheap calls keep the GIL (releasing it would cost more than the call). The rest of
 * tlsm.h releases it: anything that takes a connection or config may run crypto. */
%nothread tlsm_version_string;
%nothread tlsm_suite_name;
%nothread tlsm_strerror;
%nothread tlsm_alert_name;
%nothread tlsm_event_name;
%nothread tlsm_message_name;
%nothread tlsm_config_new;
%nothread tlsm_output_consume;
%nothread tlsm_conn_error;
%nothread tlsm_conn_verify_error;
%nothread tlsm_conn_handshake_done;
%nothread tlsm_conn_version;
%nothread tlsm_conn_suite;
%nothread tlsm_conn_group;
%nothread tlsm_conn_peer_sigalg;
%nothread tlsm_conn_resumed;
%nothread tlsm_conn_hrr;
%nothread tlsm_conn_server_name;
%nothread tlsm_conn_peer_cert_count;
%nothread tlsm_pair_client;
%nothread tlsm_pair_server;
%nothread tlsm_pair_seed;
%nothread tlsm_pair_free;
%nothread tlsm_config_trust_count;
%nothread config_verify_cache_stats;

%include "tlsm.h"

/* ------------------------------------------------------------------ hand-written calls */

/* These build Python objects, so SWIG must not drop the GIL around them; each releases it
 * itself around the tlsm call that may compute. */
%nothread;

%{
/* Deterministic hooks for tests: a splitmix64 generator seeded from `seed` and a clock
 * that returns now_ms until changed. Not cryptographically secure: tests only. */
typedef struct test_hooks {
    uint64_t state;
    uint64_t now_ms;
} test_hooks;

static int test_hooks_rng(void *ctx, uint8_t *out, size_t len)
{
    test_hooks *h = ctx;
    while (len) {
        uint64_t z = (h->state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(z >> (8 * i));
        out += n;
        len -= n;
    }
    return 0;
}

static uint64_t test_hooks_clock(void *ctx)
{
    return ((test_hooks *)ctx)->now_ms;
}

%}

/* Opaque to SWIG: Python holds it as a pointer, like the handles. */
typedef struct test_hooks test_hooks;

%inline %{
/* Pending ciphertext as bytes (b"" when none). Does not consume: call output_consume with
 * the length the transport took. On a client that has not started this runs the
 * ClientHello (key generation). */
PyObject *output_peek(tlsm_conn *conn)
{
    size_t len = 0;
    const uint8_t *p;
    Py_BEGIN_ALLOW_THREADS
    p = tlsm_output_peek(conn, &len);
    Py_END_ALLOW_THREADS
    return PyBytes_FromStringAndSize(p ? (const char *)p : "", p ? (Py_ssize_t)len : 0);
}

/* All pending ciphertext, consumed: the common "take everything" of a host. */
PyObject *output_take(tlsm_conn *conn)
{
    size_t len = 0;
    const uint8_t *p;
    Py_BEGIN_ALLOW_THREADS
    p = tlsm_output_peek(conn, &len);
    Py_END_ALLOW_THREADS
    PyObject *out = PyBytes_FromStringAndSize(p ? (const char *)p : "", p ? (Py_ssize_t)len : 0);
    if (out && p && tlsm_output_consume(conn, len) != 0) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_RuntimeError, "tlsm_output_consume refused what it offered");
        return NULL;
    }
    return out;
}

/* Received plaintext available now, as bytes (b"" when none). Does not consume. */
PyObject *read_peek(tlsm_conn *conn)
{
    size_t len = 0;
    const uint8_t *p = tlsm_read_peek(conn, &len);
    return PyBytes_FromStringAndSize(p ? (const char *)p : "", p ? (Py_ssize_t)len : 0);
}

/* The next event as (type, code, alert, fatal, msg_type, ccs), or None. */
PyObject *next_event(tlsm_conn *conn)
{
    tlsm_event ev;
    memset(&ev, 0, sizeof ev);
    if (!tlsm_next_event(conn, &ev))
        Py_RETURN_NONE;
    return Py_BuildValue("(iiiiii)", (int)ev.type, ev.code, (int)ev.alert, (int)ev.fatal,
                         (int)ev.msg_type, (int)ev.ccs);
}

/* Why the connection failed (tlsm_conn_error_detail): (code, reason, text, file, line,
 * alert_sent); reason and text are "" while there is no error, file is None outside debug
 * builds, alert_sent is -1 when this side sent no alert. */
PyObject *conn_error_detail(tlsm_conn *conn)
{
    tlsm_error_detail d;
    memset(&d, 0, sizeof d);
    if (tlsm_conn_error_detail(conn, &d) != 0)
        return PyErr_Format(PyExc_ValueError, "tlsm_conn_error_detail refused the connection");
    return Py_BuildValue("(issziii)", d.code, d.reason ? d.reason : "", d.text ? d.text : "",
                         d.file, d.line, d.alert_sent);
}

/* The verification cache's counters (tlsm_config_verify_cache_stats): (hits, misses,
 * entries, capacity). */
PyObject *config_verify_cache_stats(tlsm_config *cfg)
{
    tlsm_verify_cache_stats st;
    memset(&st, 0, sizeof st);
    if (tlsm_config_verify_cache_stats(cfg, &st) != 0)
        return PyErr_Format(PyExc_ValueError, "tlsm_config_verify_cache_stats refused the config");
    return Py_BuildValue("(KKKK)", (unsigned long long)st.hits, (unsigned long long)st.misses,
                         (unsigned long long)st.entries, (unsigned long long)st.capacity);
}

/* External signing: (rc, scheme, bytes to sign). */
PyObject *sign_request(tlsm_conn *conn)
{
    uint16_t scheme = 0;
    const uint8_t *msg = NULL;
    size_t len = 0;
    int rc = tlsm_sign_request(conn, &scheme, &msg, &len);
    return Py_BuildValue("(iiy#)", rc, (int)scheme, msg ? (const char *)msg : "",
                         (Py_ssize_t)(msg ? len : 0));
}

/* RFC 5705 / RFC 8446 s.7.5 exporter: (rc, bytes). context None = no context. */
PyObject *export_keying_material(tlsm_conn *conn, PyObject *label, PyObject *context,
                                 size_t length)
{
    Py_buffer lab, ctx;
    int have_ctx = context != Py_None, rc;
    if (length == 0 || length > 1 << 20) {
        PyErr_SetString(PyExc_ValueError, "length must be between 1 and 1048576");
        return NULL;
    }
    if (PyObject_GetBuffer(label, &lab, PyBUF_SIMPLE) != 0)
        return NULL;
    if (have_ctx && PyObject_GetBuffer(context, &ctx, PyBUF_SIMPLE) != 0) {
        PyBuffer_Release(&lab);
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
    if (out) {
        uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(out);
        Py_BEGIN_ALLOW_THREADS
        rc = tlsm_export_keying_material(conn, (const char *)lab.buf, (size_t)lab.len,
                                         have_ctx ? (const uint8_t *)ctx.buf : NULL,
                                         have_ctx ? (size_t)ctx.len : 0, dst, length);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&lab);
    if (have_ctx)
        PyBuffer_Release(&ctx);
    if (!out)
        return NULL;
    if (rc != 0) {
        Py_DECREF(out);
        return Py_BuildValue("(iy#)", rc, "", (Py_ssize_t)0);
    }
    return Py_BuildValue("(iN)", 0, out);
}

/* Negotiated ALPN protocol as bytes, or None. */
PyObject *conn_alpn(tlsm_conn *conn)
{
    size_t len = 0;
    const uint8_t *p = tlsm_conn_alpn(conn, &len);
    if (!p)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
}

/* Peer certificate `index` (0 = leaf) as DER bytes, or None past the end. */
PyObject *conn_peer_cert(tlsm_conn *conn, size_t index)
{
    size_t len = 0;
    const uint8_t *p = tlsm_conn_peer_cert(conn, index, &len);
    if (!p)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
}

/* The resumable session as (rc, bytes); rc = NO_SESSION when there is none yet. */
PyObject *conn_get_session(tlsm_conn *conn)
{
    size_t need = 0;
    int rc = tlsm_conn_get_session(conn, NULL, 0, &need);
    if (rc != 0)
        return Py_BuildValue("(iy#)", rc, "", (Py_ssize_t)0);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)need);
    if (!out)
        return NULL;
    rc = tlsm_conn_get_session(conn, (uint8_t *)PyBytes_AS_STRING(out), need, &need);
    if (rc != 0) {
        Py_DECREF(out);
        return Py_BuildValue("(iy#)", rc, "", (Py_ssize_t)0);
    }
    return Py_BuildValue("(iN)", 0, out);
}

/* Identity from DER: `chain` is a sequence of certificates (leaf first), `key` PKCS#8,
 * SEC1 or PKCS#1. Returns the tlsm code. */
PyObject *config_add_identity_der(tlsm_config *cfg, PyObject *chain, PyObject *key)
{
    PyObject *seq = PySequence_Fast(chain, "chain must be a sequence of bytes");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Py_buffer kb;
    const uint8_t **certs = calloc(n ? n : 1, sizeof *certs);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    Py_buffer *views = calloc(n ? n : 1, sizeof *views);
    Py_ssize_t got = 0;
    int rc = 0, ok = certs && lens && views;
    if (!ok)
        PyErr_NoMemory();
    for (; ok && got < n; got++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, got), &views[got], PyBUF_SIMPLE)) {
            ok = 0;
            break;
        }
        certs[got] = views[got].buf;
        lens[got] = (size_t)views[got].len;
    }
    if (ok && PyObject_GetBuffer(key, &kb, PyBUF_SIMPLE) != 0)
        ok = 0;
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        rc = tlsm_config_add_identity_der(cfg, certs, lens, (size_t)n, kb.buf, (size_t)kb.len);
        Py_END_ALLOW_THREADS
        PyBuffer_Release(&kb);
    }
    for (Py_ssize_t i = 0; i < got; i++)
        PyBuffer_Release(&views[i]);
    free(certs);
    free(lens);
    free(views);
    Py_DECREF(seq);
    return ok ? PyLong_FromLong(rc) : NULL;
}

test_hooks *test_hooks_new(uint64_t seed, uint64_t now_ms)
{
    test_hooks *h = calloc(1, sizeof *h);
    if (h) {
        h->state = seed;
        h->now_ms = now_ms;
    }
    return h;
}

void test_hooks_free(test_hooks *h)
{
    free(h);
}

void test_hooks_set_time(test_hooks *h, uint64_t now_ms)
{
    if (h)
        h->now_ms = now_ms;
}

/* Installs the generator (if use_rng) and the clock (if use_clock) on cfg. */
int test_hooks_install(tlsm_config *cfg, test_hooks *h, int use_rng, int use_clock)
{
    int rc = 0;
    if (!h)
        return TLSM_ERR_ARG;
    if (use_rng)
        rc = tlsm_config_set_rng(cfg, test_hooks_rng, h);
    if (!rc && use_clock)
        rc = tlsm_config_set_clock(cfg, test_hooks_clock, h);
    return rc;
}
%}

/* ------------------------------------------------------------------ the testing kit */

%{
/* What tlsm_pair_trace / _pcap / _keylog export: one size convention for all three. */
enum { PAIR_EXPORT_TRACE, PAIR_EXPORT_PCAP, PAIR_EXPORT_KEYLOG };

static int pair_export_call(tlsm_pair *p, int what, int format, void *buf, size_t cap,
                            size_t *len)
{
    switch (what) {
    case PAIR_EXPORT_TRACE:
        return tlsm_pair_trace(p, format, buf, cap, len);
    case PAIR_EXPORT_PCAP:
        return tlsm_pair_pcap(p, buf, cap, len);
    default:
        return tlsm_pair_keylog(p, buf, cap, len);
    }
}

/* (rc, bytes or str): asks for the size, then fills a Python object of that size. */
static PyObject *pair_export(tlsm_pair *p, int what, int format, int text)
{
    size_t need = 0;
    int rc = pair_export_call(p, what, format, NULL, 0, &need);
    if (rc != 0)
        return Py_BuildValue(text ? "(is)" : "(iy)", rc, "");
    char *buf = malloc(need ? need : 1);
    if (!buf)
        return PyErr_NoMemory();
    size_t len = 0;
    rc = pair_export_call(p, what, format, buf, need, &len);
    PyObject *out = NULL;
    if (rc != 0)
        out = Py_BuildValue(text ? "(is)" : "(iy)", rc, "");
    else if (text) /* ASCII by design; never fail on a stray byte of a peer's name */
        out = Py_BuildValue("(iN)", 0, PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "replace"));
    else
        out = Py_BuildValue("(iy#)", 0, buf, (Py_ssize_t)len);
    free(buf);
    return out;
}
%}

%inline %{
/* Application data `side` received: (rc, bytes), at most `max` bytes (max < 0: all of it),
 * removed from the pair. */
PyObject *pair_read(tlsm_pair *p, int side, long max)
{
    size_t waiting = 0;
    int rc = tlsm_pair_read(p, side, NULL, 0, &waiting);
    if (rc != 0)
        return Py_BuildValue("(iy)", rc, "");
    size_t want = max < 0 || (size_t)max > waiting ? waiting : (size_t)max;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)want);
    if (!out)
        return NULL;
    size_t got = 0;
    rc = want ? tlsm_pair_read(p, side, (uint8_t *)PyBytes_AS_STRING(out), want, &got) : 0;
    if (rc != 0 || got != want) {
        Py_DECREF(out);
        return Py_BuildValue("(iy)", rc ? rc : TLSM_ERR_STATE, "");
    }
    return Py_BuildValue("(iN)", 0, out);
}

/* How many application bytes `side` received and nobody read yet: (rc, n). */
PyObject *pair_pending(tlsm_pair *p, int side)
{
    size_t waiting = 0;
    int rc = tlsm_pair_read(p, side, NULL, 0, &waiting);
    return Py_BuildValue("(in)", rc, (Py_ssize_t)(rc ? 0 : waiting));
}

/* How `side` ended: (rc, (error, alert_sent, alert_received, handshake_done, peer_closed,
 * version, suite, group, resumed, hrr, app_bytes_received, reason)). */
PyObject *pair_get_report(tlsm_pair *p, int side)
{
    tlsm_pair_report r;
    memset(&r, 0, sizeof r);
    int rc = tlsm_pair_get_report(p, side, &r);
    if (rc != 0)
        return Py_BuildValue("(iO)", rc, Py_None);
    return Py_BuildValue("(i(iiiiiiiiiiKs))", 0, r.error, r.alert_sent, r.alert_received,
                         r.handshake_done, r.peer_closed, (int)r.version, (int)r.suite,
                         (int)r.group, r.resumed, r.hrr,
                         (unsigned long long)r.app_bytes_received, r.reason ? r.reason : "");
}

/* The index-th event the kit popped from `side` as (type, code, alert, fatal, msg_type,
 * ccs, hrr), or None past the end. */
PyObject *pair_event(tlsm_pair *p, int side, size_t index)
{
    tlsm_event ev;
    memset(&ev, 0, sizeof ev);
    if (!tlsm_pair_event(p, side, index, &ev))
        Py_RETURN_NONE;
    return Py_BuildValue("(iiiiiii)", (int)ev.type, ev.code, (int)ev.alert, (int)ev.fatal,
                         (int)ev.msg_type, (int)ev.ccs, (int)ev.hrr);
}

/* The trace in TRACE_LADDER / TRACE_MERMAID / TRACE_JSON as (rc, str). */
PyObject *pair_trace(tlsm_pair *p, int format)
{
    return pair_export(p, PAIR_EXPORT_TRACE, format, 1);
}

/* The libpcap file as (rc, bytes). */
PyObject *pair_pcap(tlsm_pair *p)
{
    return pair_export(p, PAIR_EXPORT_PCAP, 0, 0);
}

/* The NSS key log as (rc, str). */
PyObject *pair_keylog(tlsm_pair *p)
{
    return pair_export(p, PAIR_EXPORT_KEYLOG, 0, 1);
}
%}

/* ------------------------------------------------------------------ chain verification */

%{
static PyObject *verify_result_tuple(int rc, const tlsm_verify_result *r)
{
    uint32_t n = r->path_len <= TLSM_VERIFY_MAX_PATH ? r->path_len : TLSM_VERIFY_MAX_PATH;
    PyObject *path = PyTuple_New((Py_ssize_t)n);
    if (!path)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        PyObject *el = Py_BuildValue("(ii)", (int)r->path_input[i], (int)r->path_anchor[i]);
        if (!el) {
            Py_DECREF(path);
            return NULL;
        }
        PyTuple_SET_ITEM(path, (Py_ssize_t)i, el);
    }
    return Py_BuildValue("(iiiLN)", rc, (int)r->fault, (int)r->fault_anchor,
                         (long long)r->time, path);
}
%}

%inline %{
/* tlsm_verify_chain over a sequence of DER certificates (leaf first); use_now = 1 means
 * TLSM_VERIFY_TIME_NOW, else `time` (unix seconds). peer_name None checks no name. */
PyObject *verify_chain(tlsm_config *trust, PyObject *certs, const char *peer_name, int purpose,
                       int use_now, int64_t time, size_t max_depth)
{
    PyObject *seq = PySequence_Fast(certs, "certificates must be a sequence of bytes");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    const uint8_t **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    Py_buffer *views = calloc(n ? n : 1, sizeof *views);
    Py_ssize_t got = 0;
    int ok = ptrs && lens && views, rc = 0;
    tlsm_verify_result r;
    memset(&r, 0, sizeof r);
    if (!ok)
        PyErr_NoMemory();
    for (; ok && got < n; got++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, got), &views[got], PyBUF_SIMPLE)) {
            ok = 0;
            break;
        }
        ptrs[got] = views[got].buf;
        lens[got] = (size_t)views[got].len;
    }
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        rc = tlsm_verify_chain(trust, ptrs, lens, (size_t)n, peer_name, purpose,
                               use_now ? TLSM_VERIFY_TIME_NOW : time, max_depth, &r);
        Py_END_ALLOW_THREADS
    }
    for (Py_ssize_t i = 0; i < got; i++)
        PyBuffer_Release(&views[i]);
    free(ptrs);
    free(lens);
    free(views);
    Py_DECREF(seq);
    return ok ? verify_result_tuple(rc, &r) : NULL;
}

/* tlsm_verify_chain_pem: the CERTIFICATE blocks of `pem`, leaf first. */
PyObject *verify_chain_pem(tlsm_config *trust, PyObject *pem, const char *peer_name,
                           int purpose, int use_now, int64_t time, size_t max_depth)
{
    Py_buffer view;
    int rc;
    tlsm_verify_result r;
    memset(&r, 0, sizeof r);
    if (PyObject_GetBuffer(pem, &view, PyBUF_SIMPLE) != 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = tlsm_verify_chain_pem(trust, view.buf, (size_t)view.len, peer_name, purpose,
                               use_now ? TLSM_VERIFY_TIME_NOW : time, max_depth, &r);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return verify_result_tuple(rc, &r);
}

/* Trust anchor `index` of cfg (in the order added) as DER bytes, or None past the end. */
PyObject *config_trust_cert(tlsm_config *cfg, size_t index)
{
    size_t len = 0;
    const uint8_t *p = tlsm_config_trust_cert(cfg, index, &len);
    if (!p)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)len);
}
%}
