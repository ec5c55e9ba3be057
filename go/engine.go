package tlsm

/*
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"runtime"
	"unsafe"
)

// An Engine is one TLS connection as a sans-IO state machine, the Go face of tlsm_conn:
// the host feeds it the ciphertext that arrived (Feed), sends what it produces (Output and
// Consume, or AppendOutput), writes and reads plaintext (Write, Read) and asks what
// happened (Status, NextEvent). It never touches a socket, in the style of
// crypto/tls.QUICConn; Client and Server build a net.Conn on top of it.
//
// Memory: the engine's state lives in C. Go memory is lent to C only for the duration of
// a call (Feed and Write pass the caller's slice; C copies what it keeps, as the cgo
// rules require), slices returned by the Engine are Go copies that belong to the caller,
// and Close frees the C state (a cleanup frees it too if an Engine is dropped without
// Close).
//
// An Engine is not safe for concurrent use: one goroutine at a time, or a lock.
// Errors are sticky: after a failure every call returns the same *Error, and the alert
// that tells the peer why is already waiting in the output, so keep draining it.
type Engine struct {
	c          *C.tlsm_conn
	native     *nativeConfig
	server     bool
	serverName string      // client: the name sent and verified
	chains     *lazyChains // ConnectionState.VerifiedChains, once known
	cleanup    runtime.Cleanup
}

func freeEngine(c *C.tlsm_conn) {
	C.tlsm_conn_free(c)
	engineFreed()
}

// goMem lends p to C for one call (nil for an empty slice). cgo allows it because p holds
// no Go pointers and C does not keep it: every core entry point copies what it keeps.
func goMem(p []byte) (*C.uint8_t, C.size_t) {
	if len(p) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(p))), C.size_t(len(p))
}

// errNoIdentity is the error for a server Config without Certificates, worded as the
// other bindings word it.
var errNoIdentity = argErr("a server Config needs an identity: set Certificates")

// ErrEngineClosed is returned by an Engine used after Close.
var ErrEngineClosed = errors.New("tlsm: engine closed")

// NewClientEngine returns a client engine for cfg; cfg.ServerName is the name sent and
// verified. Its first Output is the ClientHello.
func NewClientEngine(cfg *Config) (*Engine, error) { return newEngine(cfg, false, cfg.ServerName) }

// NewServerEngine returns a server engine for cfg, which must hold a certificate.
func NewServerEngine(cfg *Config) (*Engine, error) { return newEngine(cfg, true, "") }

func newEngine(cfg *Config, server bool, serverName string) (*Engine, error) {
	if cfg == nil {
		return nil, errors.New("tlsm: nil Config")
	}
	if server && len(cfg.Certificates) == 0 {
		return nil, errNoIdentity
	}
	if !server && serverName == "" && !cfg.InsecureSkipVerify {
		return nil, errors.New("tlsm: either ServerName or InsecureSkipVerify must be set in the Config")
	}
	n, err := cfg.nativeFor(server)
	if err != nil {
		return nil, err
	}
	var name *C.char
	if serverName != "" {
		if name, err = cString("ServerName", serverName); err != nil {
			return nil, err
		}
		defer C.free(unsafe.Pointer(name))
	}
	c := n.newConn(name)
	if c == nil {
		return nil, errors.New("tlsm: cannot create a connection (out of memory or invalid server name)")
	}
	engineAllocated()
	e := &Engine{c: c, native: n, server: server, serverName: serverName}
	e.cleanup = runtime.AddCleanup(e, freeEngine, c)
	return e, nil
}

// Close frees the engine's C state, wiping its secrets. It does not send close_notify
// (see CloseWrite). Calling Close again does nothing.
func (e *Engine) Close() error {
	if e.c == nil {
		return nil
	}
	e.cleanup.Stop()
	freeEngine(e.c)
	e.c = nil
	return nil
}

// IsServer reports whether the engine plays the server role.
func (e *Engine) IsServer() bool { return e.server }

// err returns the sticky error with its certificate problem and reason, or nil.
func (e *Engine) err() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	code := C.tlsm_conn_error(e.c)
	if code == 0 {
		return nil
	}
	return connError(e.c, code)
}

// fail converts a C return code, attaching the certificate problem and the reason to the
// sticky error.
func (e *Engine) fail(rc C.int) error {
	if rc == 0 {
		return nil
	}
	return connError(e.c, rc)
}

// Err returns the sticky error that ended the connection, or nil.
func (e *Engine) Err() error {
	defer runtime.KeepAlive(e)
	return e.err()
}

// Start queues the client's first flight now (otherwise the first Status, Output or
// Feed does). Servers ignore it.
func (e *Engine) Start() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	return e.fail(C.tlsm_conn_start(e.c))
}

// Feed hands ciphertext received from the transport to the engine and processes every
// complete record. It returns how much of p was taken: less than len(p) only when the
// engine must be drained first (plaintext to Read, or a pending VerifyDone); offer the
// rest again afterwards.
func (e *Engine) Feed(p []byte) (int, error) {
	if e.c == nil {
		return 0, ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	if err := e.err(); err != nil {
		return 0, err
	}
	// One call: the core copies what it can take and processes every complete record.
	ptr, n := goMem(p)
	var consumed C.size_t
	rc := C.tlsm_feed(e.c, ptr, n, &consumed)
	return int(consumed), e.fail(rc)
}

// FeedEOF tells the engine that the transport reached end of stream. Without a prior
// close_notify from the peer this is truncation: an error matching ErrTruncated and
// io.ErrUnexpectedEOF.
func (e *Engine) FeedEOF() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	return e.fail(C.tlsm_feed_eof(e.c))
}

// OutputLen returns how many bytes of ciphertext wait to be sent.
func (e *Engine) OutputLen() int {
	if e.c == nil {
		return 0
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	C.tlsm_output_peek(e.c, &n)
	return int(n)
}

// Output returns a copy of the ciphertext waiting to be sent, without consuming it;
// call Consume with what the transport took.
func (e *Engine) Output() []byte {
	if e.c == nil {
		return nil
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	p := C.tlsm_output_peek(e.c, &n)
	return goBytes(p, n)
}

// Consume drops the first n bytes of the pending output.
func (e *Engine) Consume(n int) error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	if n < 0 {
		return ErrArg
	}
	return codeErr(C.tlsm_output_consume(e.c, C.size_t(n)))
}

// AppendOutput appends all pending ciphertext to dst, consumes it, and returns the
// extended slice.
func (e *Engine) AppendOutput(dst []byte) []byte {
	if e.c == nil {
		return dst
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	p := C.tlsm_output_peek(e.c, &n)
	if n == 0 {
		return dst
	}
	dst = append(dst, cview(p, n)...)
	_ = C.tlsm_output_consume(e.c, n) // n is exactly what is pending
	return dst
}

// Write queues plaintext, encrypted into records that become Output. It returns how much
// was accepted: less than len(p) when the output buffer is full (send the output, then
// offer the rest). Only after the handshake (ErrState before).
func (e *Engine) Write(p []byte) (int, error) {
	if e.c == nil {
		return 0, ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	// The plaintext is read in place: the core encrypts from it into its output buffer.
	ptr, n := goMem(p)
	var accepted C.size_t
	rc := C.tlsm_write(e.c, ptr, n, &accepted)
	return int(accepted), e.fail(rc)
}

// Read copies received plaintext into p. With nothing to read it returns 0 and: io.EOF
// once the peer sent close_notify, the sticky error if the connection failed, nil
// otherwise (feed more ciphertext).
func (e *Engine) Read(p []byte) (int, error) {
	if e.c == nil {
		return 0, ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	src := C.tlsm_read_peek(e.c, &n)
	if n == 0 {
		if err := e.err(); err != nil {
			return 0, err
		}
		if C.tlsm_status(e.c)&C.TLSM_STATUS_CLOSED != 0 {
			return 0, io.EOF
		}
		return 0, nil
	}
	k := copy(p, cview(src, n))
	if rc := C.tlsm_read_consume(e.c, C.size_t(k)); rc != 0 {
		return k, e.fail(rc)
	}
	return k, nil
}

// CloseWrite queues close_notify; later Writes fail with ErrClosed. Reading goes on until
// the peer closes too.
func (e *Engine) CloseWrite() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	return e.fail(C.tlsm_close(e.c))
}

// KeyUpdate updates our sending keys (TLS 1.3 only); askPeer requests the peer to
// update its own too.
func (e *Engine) KeyUpdate(askPeer bool) error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	ask := C.int(0)
	if askPeer {
		ask = 1
	}
	return e.fail(C.tlsm_key_update(e.c, ask))
}

// ExportKeyingMaterial returns length bytes of keying material for label and context
// (RFC 5705, RFC 8446 s.7.5), as crypto/tls.ConnectionState.ExportKeyingMaterial does: a
// nil context and an empty one differ in TLS 1.2 and are the same in TLS 1.3.
func (e *Engine) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if e.c == nil {
		return nil, ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	if length <= 0 {
		return nil, ErrArg
	}
	lab := C.CString(label)
	defer C.free(unsafe.Pointer(lab))
	var ctx *C.uint8_t
	if context != nil {
		ctx = (*C.uint8_t)(C.malloc(C.size_t(len(context) + 1)))
		if ctx == nil {
			return nil, &Error{Code: C.TLSM_ERR_NOMEM}
		}
		defer C.free(unsafe.Pointer(ctx))
		copy(cview(ctx, C.size_t(len(context))), context)
	}
	out := (*C.uint8_t)(C.malloc(C.size_t(length)))
	if out == nil {
		return nil, &Error{Code: C.TLSM_ERR_NOMEM}
	}
	defer func() {
		C.memset(unsafe.Pointer(out), 0, C.size_t(length))
		C.free(unsafe.Pointer(out))
	}()
	rc := C.tlsm_export_keying_material(e.c, lab, C.size_t(len(label)), ctx, C.size_t(len(context)), out, C.size_t(length))
	if rc != 0 {
		return nil, e.fail(rc)
	}
	return goBytes(out, C.size_t(length)), nil
}

// Status is the engine's level-triggered state.
type Status uint

// Status bits (tlsm_status).
const (
	StatusWantInput    Status = 0x01 // needs more ciphertext
	StatusHasOutput    Status = 0x02 // ciphertext waits for the transport
	StatusCanWrite     Status = 0x04 // handshake done, room for plaintext
	StatusHasPlaintext Status = 0x08 // plaintext waits to be read
	StatusBlocked      Status = 0x10 // waiting for VerifyDone or SignDone
	StatusClosed       Status = 0x20 // no more plaintext will come
	StatusHandshaking  Status = 0x40 // the handshake has not finished
	StatusError        Status = 0x80 // failed: see Err
)

// Status returns the current status bits (and starts a client's handshake).
func (e *Engine) Status() Status {
	if e.c == nil {
		return StatusClosed | StatusError
	}
	defer runtime.KeepAlive(e)
	return Status(C.tlsm_status(e.c))
}

// EventKind tells what an Event reports.
type EventKind int

// Event kinds (tlsm_event_type).
const (
	EventNone            EventKind = 0  // no event pending
	EventHandshakeDone   EventKind = 1  // keys ready, Write allowed
	EventPeerClosed      EventKind = 2  // close_notify received
	EventAlert           EventKind = 3  // an alert arrived (Alert, Fatal)
	EventNewTicket       EventKind = 4  // client: Session() has a resumable session
	EventKeyUpdated      EventKind = 5  // keys changed (PeerKeyUpdate tells whose)
	EventMessageSent     EventKind = 6  // trace: handshake message Message sent
	EventMessageReceived EventKind = 7  // trace: handshake message Message received
	EventSign            EventKind = 8  // external signing requested: answer with Sign
	EventError           EventKind = 9  // the connection failed (Err)
	EventVerifyPeer      EventKind = 10 // answer with VerifyPeer (or VerifyDone)
	EventKeyLog          EventKind = 11 // a key log line (KeyLog), already written to Config.KeyLogWriter
)

func (k EventKind) String() string { return C.GoString(C.tlsm_event_name(C.tlsm_event_type(k))) }

// An Event is one thing that happened, from NextEvent.
type Event struct {
	Kind          EventKind
	Err           error  // EventError
	Alert         Alert  // EventAlert: the description
	Fatal         bool   // EventAlert
	PeerKeyUpdate bool   // EventKeyUpdated: the peer updated its keys (else we did)
	Message       uint8  // trace: handshake message type (see MessageName)
	CCS           bool   // trace: the message is a ChangeCipherSpec
	KeyLog        string // EventKeyLog: the NSS key log line, without its newline
}

// MessageName names a handshake message type ("ClientHello", ...).
func MessageName(t uint8) string { return C.GoString(C.tlsm_message_name(C.uint8_t(t))) }

// NextEvent pops the next event; Kind is EventNone when there is none.
func (e *Engine) NextEvent() Event {
	if e.c == nil {
		return Event{}
	}
	defer runtime.KeepAlive(e)
	var ev C.tlsm_event
	if C.tlsm_next_event(e.c, &ev) == 0 {
		return Event{}
	}
	out := Event{Kind: EventKind(ev._type)}
	switch out.Kind {
	case EventError:
		out.Err = connError(e.c, ev.code)
	case EventAlert:
		out.Alert, out.Fatal = Alert(ev.alert), ev.fatal != 0
	case EventKeyUpdated:
		out.PeerKeyUpdate = ev.alert != 0
	case EventMessageSent, EventMessageReceived:
		out.Message, out.CCS = uint8(ev.msg_type), ev.ccs != 0
	case EventKeyLog:
		// The line is lent until the next call that changes the connection: copy it now,
		// and write it where the Config wants it (one place for Conn and Engine users).
		if line := C.tlsm_keylog_line(e.c); line != nil {
			out.KeyLog = C.GoString(line)
			if w := e.native.keyLog; w != nil {
				_, _ = io.WriteString(w, out.KeyLog+"\n")
			}
		}
	}
	return out
}

// VerifyDone answers EventVerifyPeer by hand (VerifyPeer answers it as the Config says):
// ok accepts the peer's chain; otherwise the handshake fails with alert (bad_certificate
// when 0) and the reason ErrCertRejected.
func (e *Engine) VerifyDone(ok bool, alert Alert) error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	v := C.int(0)
	if ok {
		v = 1
	}
	return e.fail(C.tlsm_verify_done(e.c, v, C.uint8_t(alert)))
}

// HandshakeComplete reports whether the handshake finished.
func (e *Engine) HandshakeComplete() bool {
	defer runtime.KeepAlive(e)
	return e.c != nil && C.tlsm_conn_handshake_done(e.c) != 0
}

// Version returns the negotiated version (VersionTLS12 or VersionTLS13), 0 before.
func (e *Engine) Version() uint16 {
	if e.c == nil {
		return 0
	}
	defer runtime.KeepAlive(e)
	return uint16(C.tlsm_conn_version(e.c))
}

// CipherSuite returns the negotiated suite (crypto/tls constants), 0 before.
func (e *Engine) CipherSuite() uint16 {
	if e.c == nil {
		return 0
	}
	defer runtime.KeepAlive(e)
	return uint16(C.tlsm_conn_suite(e.c))
}

// CurveID returns the key-exchange group, 0 if none.
func (e *Engine) CurveID() tls.CurveID {
	if e.c == nil {
		return 0
	}
	defer runtime.KeepAlive(e)
	return tls.CurveID(C.tlsm_conn_group(e.c))
}

// PeerSignatureScheme returns the scheme the peer signed the handshake with, 0 if none.
func (e *Engine) PeerSignatureScheme() tls.SignatureScheme {
	if e.c == nil {
		return 0
	}
	defer runtime.KeepAlive(e)
	return tls.SignatureScheme(C.tlsm_conn_peer_sigalg(e.c))
}

// DidResume reports whether the handshake resumed a session.
func (e *Engine) DidResume() bool {
	defer runtime.KeepAlive(e)
	return e.c != nil && C.tlsm_conn_resumed(e.c) != 0
}

// DidHelloRetryRequest reports whether the TLS 1.3 handshake went through a
// HelloRetryRequest.
func (e *Engine) DidHelloRetryRequest() bool {
	defer runtime.KeepAlive(e)
	return e.c != nil && C.tlsm_conn_hrr(e.c) != 0
}

// NegotiatedProtocol returns the ALPN protocol agreed on, "" if none.
func (e *Engine) NegotiatedProtocol() string {
	if e.c == nil {
		return ""
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	p := C.tlsm_conn_alpn(e.c, &n)
	return string(cview(p, n))
}

// ServerName returns, on a server, the SNI host name the client sent ("" if none).
func (e *Engine) ServerName() string {
	if e.c == nil {
		return ""
	}
	defer runtime.KeepAlive(e)
	p := C.tlsm_conn_server_name(e.c)
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// RawPeerCertificates returns the peer's certificate chain as DER, leaf first.
func (e *Engine) RawPeerCertificates() [][]byte {
	if e.c == nil {
		return nil
	}
	defer runtime.KeepAlive(e)
	count := int(C.tlsm_conn_peer_cert_count(e.c))
	var out [][]byte
	for i := 0; i < count; i++ {
		var n C.size_t
		p := C.tlsm_conn_peer_cert(e.c, C.size_t(i), &n)
		if p == nil {
			break
		}
		out = append(out, goBytes(p, n))
	}
	return out
}

// PeerCertificates returns the peer's certificate chain parsed by crypto/x509, leaf first
// (certificates crypto/x509 cannot parse are left out).
func (e *Engine) PeerCertificates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range e.RawPeerCertificates() {
		if c, err := x509.ParseCertificate(der); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// Session returns the latest resumable session of a client (after EventNewTicket) as an
// opaque blob for SetSession on a later connection. It holds a secret: keep it like a key.
func (e *Engine) Session() ([]byte, error) {
	if e.c == nil {
		return nil, ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	var n C.size_t
	if rc := C.tlsm_conn_get_session(e.c, nil, 0, &n); rc != 0 && n == 0 {
		return nil, codeErr(rc)
	}
	if n == 0 {
		return nil, ErrNoSession
	}
	buf := (*C.uint8_t)(C.malloc(n))
	if buf == nil {
		return nil, &Error{Code: C.TLSM_ERR_NOMEM}
	}
	defer func() {
		C.memset(unsafe.Pointer(buf), 0, n)
		C.free(unsafe.Pointer(buf))
	}()
	var got C.size_t
	if rc := C.tlsm_conn_get_session(e.c, buf, n, &got); rc != 0 {
		return nil, codeErr(rc)
	}
	return goBytes(buf, got), nil
}

// SetSession offers a session from Session on this client before its first output.
func (e *Engine) SetSession(blob []byte) error {
	if e.c == nil {
		return ErrEngineClosed
	}
	defer runtime.KeepAlive(e)
	p, n := cbytes(blob)
	defer func() {
		if p != nil {
			C.memset(unsafe.Pointer(p), 0, n)
			C.free(unsafe.Pointer(p))
		}
	}()
	return codeErr(C.tlsm_conn_set_session(e.c, p, n))
}

// ConnectionState describes a connection, like crypto/tls.ConnectionState.
type ConnectionState struct {
	Version             uint16              // VersionTLS12 or VersionTLS13
	HandshakeComplete   bool                //
	DidResume           bool                // the handshake resumed a session
	HelloRetryRequest   bool                // TLS 1.3: a HelloRetryRequest happened
	CipherSuite         uint16              // crypto/tls constant
	CurveID             tls.CurveID         // key-exchange group
	PeerSignatureScheme tls.SignatureScheme // what the peer signed with
	NegotiatedProtocol  string              // ALPN
	ServerName          string              // server: the SNI the client sent
	PeerCertificates    []*x509.Certificate // leaf first
	// VerifiedChains are the chains the peer was verified with, leaf first and trust
	// anchor last: crypto/x509's (RootCAs, ClientCAs), or the path tlsm's verifier
	// accepted (rebuilt on first use, with the connection's config); nil when nothing
	// was verified (InsecureSkipVerify, ClientAuth without verification). A resumed
	// connection reports the peer of the handshake it resumes (PeerCertificates: the
	// server's whole chain on a client, the client's leaf only on a server, see tlsm.h),
	// and VerifiedChains rebuilt from those on first use: so on a resumed server they
	// are nil unless the client's leaf alone leads to a trust anchor.
	VerifiedChains [][]*x509.Certificate
}

// ConnectionState returns the negotiated parameters.
func (e *Engine) ConnectionState() ConnectionState {
	st := e.connectionState()
	st.VerifiedChains = e.verifiedChains().get()
	return st
}

// connectionState is ConnectionState without VerifiedChains.
func (e *Engine) connectionState() ConnectionState {
	return ConnectionState{
		Version:             e.Version(),
		HandshakeComplete:   e.HandshakeComplete(),
		DidResume:           e.DidResume(),
		HelloRetryRequest:   e.DidHelloRetryRequest(),
		CipherSuite:         e.CipherSuite(),
		CurveID:             e.CurveID(),
		PeerSignatureScheme: e.PeerSignatureScheme(),
		NegotiatedProtocol:  e.NegotiatedProtocol(),
		ServerName:          e.ServerName(),
		PeerCertificates:    e.PeerCertificates(),
	}
}
