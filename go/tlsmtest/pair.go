// Package tlsmtest is tlsm's in-memory protocol testing kit for Go: a client and a
// server wired together without sockets (a Pair), scripted faults between them, and a
// picture of what happened: traces (a terminal ladder, a Mermaid sequence diagram,
// JSON), a pcap file and an NSS key log that Wireshark or tshark decrypt, and a Report
// of how each side ended. It wraps the C kit (tlsm_pair_* in core/include/tlsm.h), whose
// comment there documents the step model and the fault grammar.
//
//	func TestServerFinishedCorrupted(t *testing.T) {
//		p := tlsmtest.New(t, tlsmtest.Version(tlsm.VersionTLS12),
//			tlsmtest.Fault("corrupt:-1@s2c:msg=Finished"))
//		err := p.Run() // the handshake, ended by the fault
//		if !errors.Is(err, tlsm.AlertBadRecordMAC) { ... }
//		r := p.Report(tlsmtest.Server) // AlertReceived == int(tlsm.AlertBadRecordMAC)
//		t.Log(p.Trace(tlsmtest.Ladder))
//	}
//
// Memory follows the rules of package tlsm: the kit's state lives in C, every byte
// crosses by copy, Close frees it (a cleanup does too if a Pair is dropped without
// Close). A Pair is not safe for concurrent use.
package tlsmtest

/*
#cgo CFLAGS: -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -I${SRCDIR}/../../core/include
#include <stdlib.h>
#include "tlsm.h"
*/
import "C"

import (
	"crypto/tls"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/go/internal/native"
)

// Side names one end of a Pair; as a direction it is the sending side.
type Side int

const (
	Client Side = 0
	Server Side = 1
)

func (s Side) String() string {
	switch s {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// Format selects the text of Trace.
type Format int

const (
	Ladder  Format = 0 // a ladder diagram for the terminal (plain ASCII)
	Mermaid Format = 1 // Mermaid "sequenceDiagram" text
	JSON    Format = 2 // {"records": [...], "client": {...}, "server": {...}}
)

// MaxSteps is how many steps Run takes before it gives up (a livelock, not a slow case).
const MaxSteps = 10000

// NoAlert is Report.AlertSent / AlertReceived when there was no fatal alert
// (tlsm.AlertNone, whose String is "none").
const NoAlert = tlsm.AlertNone

// ErrStuck is returned by Run (and Write, CloseNotify) when the pair was still not
// idle after MaxSteps steps.
var ErrStuck = errors.New("tlsmtest: the pair is not idle after MaxSteps steps")

// A Pair is a connected client and server in memory with the pump between them.
type Pair struct {
	p       *C.tlsm_pair
	keep    any // the tlsm configs' C state, used by the pair's connections
	cleanup runtime.Cleanup
}

// NewPair wires a client made from client (whose ServerName is the name it sends and
// verifies) to a server made from server. The kit turns on tracing and the key log in
// both configs if no connection used them yet; a Config already used by an engine or a
// Conn is used as it is, so its traces lack the protected messages and its key log is
// empty: give the kit fresh Configs (or Clones). Sharing a Config between pairs shares
// its ticket key and session cache, as for engines. VerifyPeerCertificate is not
// supported (the kit cannot answer the engine's question). Nothing is sent before the
// first Step or Run.
func NewPair(client, server *tlsm.Config) (*Pair, error) {
	if client == nil || server == nil {
		return nil, errors.New("tlsmtest: nil Config")
	}
	if len(server.Certificates) == 0 {
		return nil, errors.New("tlsmtest: the server Config needs Certificates")
	}
	if client.ServerName == "" && !client.InsecureSkipVerify {
		return nil, errors.New("tlsmtest: either ServerName or InsecureSkipVerify must be set in the client Config")
	}
	if client.VerifyPeerCertificate != nil || server.VerifyPeerCertificate != nil {
		return nil, errors.New("tlsmtest: VerifyPeerCertificate is not supported by the testing kit")
	}
	var name *C.char
	if client.ServerName != "" {
		if strings.IndexByte(client.ServerName, 0) >= 0 {
			return nil, argErr("ServerName %q contains a NUL byte", client.ServerName)
		}
		name = C.CString(client.ServerName)
		defer C.free(unsafe.Pointer(name))
	}
	var cp *C.tlsm_pair
	keep, err := native.PairConfigs(client, server, func(c, s unsafe.Pointer) bool {
		cp = C.tlsm_pair_new((*C.tlsm_config)(c), (*C.tlsm_config)(s), name)
		return cp != nil
	})
	if err != nil {
		return nil, err
	}
	if cp == nil {
		return nil, errors.New("tlsmtest: cannot create the pair (out of memory or invalid server name)")
	}
	p := &Pair{p: cp, keep: keep}
	p.cleanup = runtime.AddCleanup(p, freePair, cp)
	return p, nil
}

func freePair(p *C.tlsm_pair) { C.tlsm_pair_free(p) }

// argError is an invalid argument named in the text; errors.Is(err, tlsm.ErrArg) matches.
type argError struct{ msg string }

func (e *argError) Error() string        { return "tlsmtest: " + e.msg }
func (e *argError) Is(target error) bool { return target == tlsm.ErrArg }

func argErr(format string, args ...any) error { return &argError{fmt.Sprintf(format, args...)} }

// Close frees the pair, its connections and everything it recorded. Calling it again
// does nothing; any other method of a closed Pair panics.
func (p *Pair) Close() error {
	if p.p == nil {
		return nil
	}
	p.cleanup.Stop()
	C.tlsm_pair_free(p.p)
	p.p = nil
	runtime.KeepAlive(p.keep)
	p.keep = nil
	return nil
}

func (p *Pair) live() *C.tlsm_pair {
	if p.p == nil {
		panic("tlsmtest: Pair used after Close")
	}
	return p.p
}

func side(s Side) C.int {
	if s != Client && s != Server {
		panic(fmt.Sprintf("tlsmtest: invalid side %d", int(s)))
	}
	return C.int(s)
}

// runErr turns what tlsm_pair_run (and the calls that run) return into an error: nil,
// ErrStuck, or the *tlsm.Error a connection ended with, with its reason.
func (p *Pair) runErr(rc C.int) error {
	switch rc {
	case 0:
		return nil
	case C.TLSM_ERR_STATE:
		return ErrStuck
	}
	for _, s := range []Side{Client, Server} {
		if c := p.conn(s); C.tlsm_conn_error(c) == rc {
			return p.connErr(c, rc)
		}
	}
	return &tlsm.Error{Code: int(rc)}
}

// connErr is the *tlsm.Error for code from the connection c of this pair (see
// tlsm.Error: the certificate problem and the reason when code is c's sticky error).
func (p *Pair) connErr(c *C.tlsm_conn, code C.int) error {
	defer runtime.KeepAlive(p)
	return native.ConnError(unsafe.Pointer(c), int(code))
}

// Seed seeds the faults' randomness (default 0): the same seed and faults replay the
// same run byte for byte (with deterministic configs: RandSeed and FixedTime).
func (p *Pair) Seed(seed uint64) {
	C.tlsm_pair_seed(p.live(), C.uint64_t(seed))
	runtime.KeepAlive(p)
}

// AddFault adds a fault, KIND[:ARG]@DIR[:SELECTOR], e.g. "drop@c2s:msg=Finished",
// "corrupt:-1@s2c:msg=Finished", "fragment:1@c2s:all", "delay:3@s2c", "inject:HEX@c2s"
// (the grammar is in tlsm.h, above tlsm_pair_new).
func (p *Pair) AddFault(spec string) error {
	if strings.IndexByte(spec, 0) >= 0 {
		return argErr("fault %q contains a NUL byte", spec)
	}
	cs := C.CString(spec)
	defer C.free(unsafe.Pointer(cs))
	rc := C.tlsm_pair_add_fault(p.live(), cs)
	runtime.KeepAlive(p)
	switch rc {
	case 0:
		return nil
	case -2: // TLSM_ERR_ARG
		return argErr("bad fault spec %q (KIND[:ARG]@c2s|s2c[:rec=K|:msg=NAME|:all])", spec)
	}
	return fmt.Errorf("tlsmtest: fault %q: %w", spec, &tlsm.Error{Code: int(rc)})
}

// Step moves one flight: everything one side has sent (sides alternate; a side with
// nothing to send is skipped) goes through the faults to the other side. It reports
// whether something moved; false means the pair is idle. Connection errors are not
// returned here: see Report.
func (p *Pair) Step() (bool, error) {
	rc := C.tlsm_pair_step(p.live())
	runtime.KeepAlive(p)
	if rc < 0 {
		return false, &tlsm.Error{Code: int(rc)}
	}
	return rc == 1, nil
}

// Run steps until the pair is idle. It returns nil when neither connection failed, else
// the first error a connection ended with (a *tlsm.Error: errors.Is(err,
// tlsm.AlertBadRecordMAC) matches its alert), or ErrStuck. A handshake that stalled
// without an error (a dropped last record) returns nil: check the Report, or end the
// stream with EOF.
func (p *Pair) Run() error {
	rc := C.tlsm_pair_run(p.live())
	runtime.KeepAlive(p)
	return p.runErr(rc)
}

// Write sends all of data as application data from side and runs the pair. It fails
// with tlsm.ErrState before the handshake is done, else returns what Run returns.
func (p *Pair) Write(from Side, data []byte) error {
	var cdata unsafe.Pointer
	if len(data) > 0 {
		cdata = C.CBytes(data)
		defer C.free(cdata)
	}
	rc := C.tlsm_pair_write(p.live(), side(from), (*C.uint8_t)(cdata), C.size_t(len(data)))
	runtime.KeepAlive(p)
	if rc == C.TLSM_ERR_STATE && !p.Report(from).HandshakeDone {
		return tlsm.ErrState
	}
	return p.runErr(rc)
}

// Buffered returns how many bytes of application data side received and has not Read.
func (p *Pair) Buffered(at Side) int {
	var n C.size_t
	_ = C.tlsm_pair_read(p.live(), side(at), nil, 0, &n)
	runtime.KeepAlive(p)
	return int(n)
}

// Read returns (and removes) the application data side received so far; nil if none.
func (p *Pair) Read(at Side) []byte {
	n := p.Buffered(at)
	if n == 0 {
		return nil
	}
	buf := C.malloc(C.size_t(n))
	if buf == nil {
		panic("tlsmtest: out of memory")
	}
	defer C.free(buf)
	var got C.size_t
	rc := C.tlsm_pair_read(p.p, side(at), (*C.uint8_t)(buf), C.size_t(n), &got)
	runtime.KeepAlive(p)
	if rc != 0 {
		return nil
	}
	return C.GoBytes(buf, C.int(got))
}

// CloseNotify makes side send close_notify and runs the pair (returns as Run).
func (p *Pair) CloseNotify(from Side) error {
	rc := C.tlsm_pair_close(p.live(), side(from))
	runtime.KeepAlive(p)
	return p.runErr(rc)
}

// EOF ends the transport from side: what is in transit arrives (delays ignored), then
// the receiver sees the end of the stream. It returns the receiver's result: nil after a
// close_notify, an error matching io.ErrUnexpectedEOF (tlsm.ErrTruncated) without one.
func (p *Pair) EOF(from Side) error {
	rc := C.tlsm_pair_eof(p.live(), side(from))
	runtime.KeepAlive(p)
	if rc == 0 {
		return nil
	}
	return p.connErr(p.conn(1-from), rc)
}

// Report is how one side of a Pair ended (so far).
type Report struct {
	// Err is the connection's sticky error (a *tlsm.Error with its certificate problem and
	// its Reason), nil if none.
	Err error
	// Reason names the check that ended this side (tlsm.Error.Reason, e.g. "REC_BAD_MAC";
	// "PEER_ALERT" when the peer's alert did), "" if it did not fail.
	Reason string
	// AlertSent is the fatal alert this side sent, AlertReceived the one it received from
	// its peer (compare with tlsm.AlertBadRecordMAC; %v prints "bad_record_mac"), or
	// NoAlert.
	AlertSent, AlertReceived tlsm.Alert
	HandshakeDone            bool
	PeerClosed               bool // close_notify received
	// The facts, zero before the handshake finished.
	Version           uint16
	CipherSuite       uint16
	CurveID           tls.CurveID
	DidResume         bool
	HelloRetryRequest bool
	// AppBytesReceived counts the application data received so far (Read or not).
	AppBytesReceived uint64
}

// Report returns how side ended (or where it is).
func (p *Pair) Report(at Side) Report {
	var r C.tlsm_pair_report
	rc := C.tlsm_pair_get_report(p.live(), side(at), &r)
	runtime.KeepAlive(p)
	if rc != 0 {
		return Report{Err: &tlsm.Error{Code: int(rc)}, AlertSent: NoAlert, AlertReceived: NoAlert}
	}
	out := Report{
		AlertSent:         reportAlert(r.alert_sent),
		AlertReceived:     reportAlert(r.alert_received),
		HandshakeDone:     r.handshake_done != 0,
		PeerClosed:        r.peer_closed != 0,
		Version:           uint16(r.version),
		CipherSuite:       uint16(r.suite),
		CurveID:           tls.CurveID(r.group),
		DidResume:         r.resumed != 0,
		HelloRetryRequest: r.hrr != 0,
		AppBytesReceived:  uint64(r.app_bytes_received),
	}
	if r.error != 0 {
		out.Err = p.connErr(p.conn(at), r.error)
		out.Reason = C.GoString(r.reason)
	}
	return out
}

// reportAlert turns the report's alert (-1 for none) into a tlsm.Alert.
func reportAlert(a C.int) tlsm.Alert {
	if a < 0 {
		return NoAlert
	}
	return tlsm.Alert(a)
}

func (p *Pair) conn(s Side) *C.tlsm_conn {
	if s == Client {
		return C.tlsm_pair_client(p.live())
	}
	return C.tlsm_pair_server(p.live())
}

// Events returns the events the kit took from side, in order (handshake messages sent
// and received, alerts, tickets, key updates, the error...).
func (p *Pair) Events(at Side) []tlsm.Event {
	var out []tlsm.Event
	pp, s := p.live(), side(at)
	for i := 0; ; i++ {
		var ev C.tlsm_event
		if C.tlsm_pair_event(pp, s, C.size_t(i), &ev) != 1 {
			break
		}
		e := tlsm.Event{Kind: tlsm.EventKind(ev._type)}
		switch e.Kind {
		case tlsm.EventError:
			e.Err = p.connErr(p.conn(at), ev.code)
		case tlsm.EventAlert:
			e.Alert, e.Fatal = tlsm.Alert(ev.alert), ev.fatal != 0
		case tlsm.EventKeyUpdated:
			e.PeerKeyUpdate = ev.alert != 0
		case tlsm.EventMessageSent, tlsm.EventMessageReceived:
			e.Message, e.CCS = uint8(ev.msg_type), ev.ccs != 0
		}
		out = append(out, e)
	}
	runtime.KeepAlive(p)
	return out
}

// Session returns the client's resumable session (after a ticket arrived, or a TLS 1.2
// handshake), to offer with SetSession on a pair whose configs are shared with this one.
// The blob holds a secret.
func (p *Pair) Session() ([]byte, error) {
	c := p.conn(Client)
	var n C.size_t
	if rc := C.tlsm_conn_get_session(c, nil, 0, &n); rc != 0 {
		runtime.KeepAlive(p)
		return nil, &tlsm.Error{Code: int(rc)}
	}
	buf := C.malloc(n)
	if buf == nil {
		panic("tlsmtest: out of memory")
	}
	defer C.free(buf)
	rc := C.tlsm_conn_get_session(c, (*C.uint8_t)(buf), n, &n)
	runtime.KeepAlive(p)
	if rc != 0 {
		return nil, &tlsm.Error{Code: int(rc)}
	}
	return C.GoBytes(buf, C.int(n)), nil
}

// SetSession makes the client offer a session from Session; call it before the first
// Step or Run.
func (p *Pair) SetSession(blob []byte) error {
	if len(blob) == 0 {
		return tlsm.ErrArg
	}
	cb := C.CBytes(blob)
	defer C.free(cb)
	rc := C.tlsm_conn_set_session(p.conn(Client), (*C.uint8_t)(cb), C.size_t(len(blob)))
	runtime.KeepAlive(p)
	if rc != 0 {
		return &tlsm.Error{Code: int(rc)}
	}
	return nil
}

// fetch runs one of the kit's size-then-copy calls and returns a Go copy of the result.
func (p *Pair) fetch(get func(pp *C.tlsm_pair, buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int) []byte {
	pp := p.live()
	defer runtime.KeepAlive(p)
	var n C.size_t
	if get(pp, nil, 0, &n) != 0 || n == 0 {
		return nil
	}
	buf := C.malloc(n)
	if buf == nil {
		panic("tlsmtest: out of memory")
	}
	defer C.free(buf)
	if get(pp, buf, n, &n) != 0 {
		return nil
	}
	return C.GoBytes(buf, C.int(n))
}

// Trace returns the trace of every record so far in the given format: step, direction,
// content type, length, key epoch, the messages it carries (hellos decoded), what a
// fault did to it, and how each side ended. An unknown format gives "".
func (p *Pair) Trace(f Format) string {
	return string(p.fetch(func(pp *C.tlsm_pair, buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.tlsm_pair_trace(pp, C.int(f), (*C.char)(buf), cap, n)
	}))
}

// Pcap returns a libpcap file of the conversation over synthetic IPv4 + TCP (client
// 10.0.0.1:49152, server 10.0.0.2:443), every byte as each side sent it, before the
// faults. With Keylog, Wireshark decrypts it: tshark -r F -o tls.keylog_file:K.
func (p *Pair) Pcap() []byte {
	return p.fetch(func(pp *C.tlsm_pair, buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.tlsm_pair_pcap(pp, (*C.uint8_t)(buf), cap, n)
	})
}

// Keylog returns the NSS key log (SSLKEYLOGFILE lines) of the pair's handshakes.
func (p *Pair) Keylog() string {
	return string(p.fetch(func(pp *C.tlsm_pair, buf unsafe.Pointer, cap C.size_t, n *C.size_t) C.int {
		return C.tlsm_pair_keylog(pp, (*C.char)(buf), cap, n)
	}))
}
