package tlsm

/*
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
*/
import "C"

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Protocol versions (the same values as crypto/tls.VersionTLS12 and VersionTLS13).
const (
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// Key-exchange groups beyond crypto/tls's CurveIDs (X25519, P256, P384 and
// tls.X25519MLKEM768 are shared).
const (
	SecP256r1MLKEM768 tls.CurveID = 0x11eb // TLS 1.3 hybrid
	MLKEM768          tls.CurveID = 0x0201 // TLS 1.3, pure ML-KEM-768, only when configured
	// ML-KEM-1024 (TLS 1.3, only when configured): the hybrid of draft-ietf-tls-ecdhe-mlkem
	// (crypto/tls has it from Go 1.26 as tls.SecP384r1MLKEM1024) and pure ML-KEM-1024.
	SecP384r1MLKEM1024 tls.CurveID = 0x11ed
	MLKEM1024          tls.CurveID = 0x0202
	FFDHE2048          tls.CurveID = 0x0100
	FFDHE3072          tls.CurveID = 0x0101
	// RFC 3526 MODP parameters from a TLS 1.2 server (OpenSSL's and Apache's default):
	// reported by ConnectionState, never configurable (private-use values, tlsm.h).
	MODP2048 tls.CurveID = 0xfe08
	MODP3072 tls.CurveID = 0xfe0c
	MODP4096 tls.CurveID = 0xfe10
	MODP6144 tls.CurveID = 0xfe18
	MODP8192 tls.CurveID = 0xfe20
)

// CipherSuiteName returns the IANA name of a cipher suite, or "unknown".
func CipherSuiteName(id uint16) string { return C.GoString(C.tlsm_suite_name(C.uint16_t(id))) }

// A Config configures a client or a server. Its fields mean what the fields of the same
// name in crypto/tls.Config mean, within what tlsm implements (TLS 1.2 and 1.3, AEAD
// suites only). A Config may be shared by many connections; after its first use it must
// not be modified (the engine freezes a C copy of it, which also holds the server's ticket
// key and TLS 1.2 session cache, so sharing one Config is what makes resumption work).
//
// Peer certificates are verified either by crypto/x509, against RootCAs (ClientCAs on a
// server) exactly as crypto/tls does, or by tlsm's own verifier in the C core, against
// Roots (ClientRoots): the engine's path builder, RFC 5280 and RFC 6125. Set one of the
// two; with neither, tlsm's verifier uses the system's trust store.
type Config struct {
	// Certificates holds the certificate chains (leaf first) with their private keys:
	// servers must have one; clients send one when the server asks. Build them with
	// tls.X509KeyPair or tls.LoadX509KeyPair. RSA, ECDSA (P-256, P-384) and Ed25519 keys
	// are used by the engine directly; any other crypto.Signer (a key in an HSM or a KMS)
	// signs through the engine's external-signing event, in Go, on the goroutine that
	// drives the handshake (at most one such key per key type). Several chains may be
	// given: the engine picks the one matching the peer's signature algorithms.
	Certificates []tls.Certificate

	// RootCAs are the trust anchors a client verifies servers with, through crypto/x509
	// (x509.Certificate.Verify with the ServerName, ExtKeyUsageServerAuth and the config's
	// time) as crypto/tls does; the engine asks for that verdict with its external
	// verification event. Nil means tlsm's verifier with Roots.
	RootCAs *x509.CertPool
	// Roots are the trust anchors of tlsm's own verifier for a client (in the C core);
	// nil with a nil RootCAs means the system's store.
	Roots *CertPool
	// ClientCAs are the trust anchors a server verifies client certificates with, through
	// crypto/x509 (ExtKeyUsageClientAuth), when ClientAuth asks for verification.
	ClientCAs *x509.CertPool
	// ClientRoots are tlsm's own verifier's anchors for client certificates; nil with a
	// nil ClientCAs means the system's store.
	ClientRoots *CertPool
	// ClientAuth is the server's client-certificate policy: tls.NoClientCert (default),
	// RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or
	// RequireAndVerifyClientCert.
	ClientAuth tls.ClientAuthType

	// ServerName is the host name a client sends (SNI) and checks the server's
	// certificate against. An IP address is checked against IP SANs and not sent.
	ServerName string
	// InsecureSkipVerify makes a client accept any server certificate: testing only.
	InsecureSkipVerify bool
	// VerifyPeerCertificate, if set, is called as in crypto/tls once the normal checks
	// passed (or were skipped by InsecureSkipVerify / ClientAuth), with the peer's chain
	// as DER and, when crypto/x509 verified it (RootCAs, ClientCAs), the verified chains.
	// A non-nil error aborts the handshake with a bad_certificate alert. It runs in Go, on
	// the goroutine driving the handshake; the engine waits for it.
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error

	// NextProtos lists the ALPN protocols in preference order. A server with NextProtos
	// fails a client that offers none of them (no_application_protocol).
	NextProtos []string

	// MinVersion and MaxVersion bound the protocol version: VersionTLS12 or VersionTLS13
	// (0 means TLS 1.2 for MinVersion and TLS 1.3 for MaxVersion). Older versions are
	// refused with an error (RFC 8996), as is a MinVersion above MaxVersion.
	MinVersion, MaxVersion uint16
	// CipherSuites lists the enabled suites in preference order (crypto/tls constants).
	// As in crypto/tls, a list without TLS 1.3 suites leaves the three TLS 1.3 suites
	// enabled; a list that names TLS 1.3 suites restricts those too.
	CipherSuites []uint16
	// CurvePreferences lists the key-exchange groups in preference order: tls.X25519,
	// tls.CurveP256, tls.CurveP384, FFDHE2048, FFDHE3072, and the TLS 1.3 ML-KEM groups
	// tls.X25519MLKEM768, SecP256r1MLKEM768, MLKEM768, SecP384r1MLKEM1024, MLKEM1024 (the
	// last three only when listed here).
	CurvePreferences []tls.CurveID

	// SessionTicketsDisabled turns resumption off: a server sends no tickets (TLS 1.3)
	// and a client offers no stored session.
	SessionTicketsDisabled bool
	// SessionTicketKey, if not all zero, is the server's ticket protection key; give
	// several servers the same key to resume across them. By default a random key is
	// drawn when the Config is first used.
	SessionTicketKey [32]byte
	// ClientSessionCache stores sessions for resumption by Client connections, under
	// the ServerName (or the peer address when there is none).
	ClientSessionCache SessionCache

	// KeyLogWriter, if set, receives the NSS key log (SSLKEYLOGFILE format) of every
	// connection, one line per secret, for Wireshark. It exposes the traffic keys:
	// debugging only.
	KeyLogWriter io.Writer

	// RandSeed, if non-nil, replaces the random source by a deterministic generator
	// seeded with it, so that handshakes are reproducible byte for byte. Tests only: the
	// keys it produces are predictable.
	RandSeed []byte
	// FixedTime, if not zero, is the time the engine always reads (certificate validity,
	// ticket ages), and the time crypto/x509 verifies with. Tests only.
	FixedTime time.Time
	// Trace makes the engine report every handshake message sent and received as
	// EventMessageSent / EventMessageReceived (Engine users: for ladders and debugging).
	Trace bool

	// VerifyCacheSize is the capacity of the engine's verification cache: certificate
	// signatures tlsm's verifier (Roots, ClientRoots) checked on this Config, so that a
	// chain seen again costs no public-key operation for them (a hit skips that one
	// check and nothing else; see VerifyCacheStats). 0 means the default (256 entries);
	// a negative value turns it off, e.g. when handshake timing must not reveal whether a
	// chain was seen before. crypto/x509 verification (RootCAs, ClientCAs) does not use it.
	VerifyCacheSize int

	mu     sync.Mutex
	native [2]*nativeConfig // by role, built on first use
}

// Clone returns a copy of c's settings; the copy has its own engine config (and so its
// own ticket key and session cache unless SessionTicketKey is set).
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	return &Config{
		Certificates:           c.Certificates,
		RootCAs:                c.RootCAs,
		Roots:                  c.Roots,
		ClientCAs:              c.ClientCAs,
		ClientRoots:            c.ClientRoots,
		ClientAuth:             c.ClientAuth,
		ServerName:             c.ServerName,
		InsecureSkipVerify:     c.InsecureSkipVerify,
		VerifyPeerCertificate:  c.VerifyPeerCertificate,
		NextProtos:             c.NextProtos,
		MinVersion:             c.MinVersion,
		MaxVersion:             c.MaxVersion,
		CipherSuites:           c.CipherSuites,
		CurvePreferences:       c.CurvePreferences,
		SessionTicketsDisabled: c.SessionTicketsDisabled,
		SessionTicketKey:       c.SessionTicketKey,
		ClientSessionCache:     c.ClientSessionCache,
		KeyLogWriter:           c.KeyLogWriter,
		RandSeed:               c.RandSeed,
		FixedTime:              c.FixedTime,
		Trace:                  c.Trace,
		VerifyCacheSize:        c.VerifyCacheSize,
	}
}

// VerifyCacheStats is what a verification cache did so far.
type VerifyCacheStats struct {
	Hits     uint64 // signature checks answered by the cache
	Misses   uint64 // signature checks the cache did not hold (then verified)
	Entries  uint64 // signatures held now
	Capacity uint64 // the most it holds (0: off)
}

// VerifyCacheStats returns the counters of the verification cache of c's engine config
// for clients (server false) or servers; all zero while c was not used in that role.
func (c *Config) VerifyCacheStats(server bool) VerifyCacheStats {
	role := 0
	if server {
		role = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.native[role]
	if n == nil {
		return VerifyCacheStats{}
	}
	var st C.tlsm_verify_cache_stats
	C.tlsm_config_verify_cache_stats(n.c, &st)
	runtime.KeepAlive(n)
	return VerifyCacheStats{Hits: uint64(st.hits), Misses: uint64(st.misses),
		Entries: uint64(st.entries), Capacity: uint64(st.capacity)}
}

// A CertPool is a set of trust anchors: certificates added as PEM or as parsed
// certificates, and optionally the system's store (loaded by the engine).
type CertPool struct {
	der    [][]byte
	system bool
}

// NewCertPool returns an empty pool.
func NewCertPool() *CertPool { return &CertPool{} }

// SystemCertPool returns a pool holding the system's trust store
// (/etc/ssl/certs/ca-certificates.crt on Debian); more certificates may be added to it.
func SystemCertPool() *CertPool { return &CertPool{system: true} }

// AppendCertsFromPEM adds every CERTIFICATE block of pemCerts that parses as X.509 and
// reports whether any was added.
func (s *CertPool) AppendCertsFromPEM(pemCerts []byte) bool {
	ok := false
	for len(pemCerts) > 0 {
		var block *pem.Block
		block, pemCerts = pem.Decode(pemCerts)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			continue
		}
		s.der = append(s.der, block.Bytes)
		ok = true
	}
	return ok
}

// AddCert adds one certificate.
func (s *CertPool) AddCert(cert *x509.Certificate) {
	if cert == nil {
		panic("tlsm: AddCert called with nil certificate")
	}
	s.der = append(s.der, cert.Raw)
}

// nativeConfig is the frozen C config behind a Config for one role, with what the Go side
// of a connection needs from the Config, captured when it was built.
type nativeConfig struct {
	c   *C.tlsm_config
	det *C.tlsmgo_det
	// frozen is set once a connection was made from c; until then, connections are made
	// under freezeMu (see newConn).
	frozen atomic.Bool

	server bool
	// builtin: the C core verifies peers (tlsm's verifier, or none when insecure).
	builtin bool
	// x509Roots, when set, are the anchors crypto/x509 verifies peers with.
	x509Roots *x509.CertPool
	// verifyCB is Config.VerifyPeerCertificate.
	verifyCB func([][]byte, [][]*x509.Certificate) error
	// external: the engine asks the host (EventVerifyPeer) after its own checks.
	external bool
	// now is the verification time of crypto/x509 (Config.FixedTime or the clock).
	now func() time.Time
	// signers are the Certificates whose keys sign in Go (EventSign).
	signers []crypto.Signer
	// keyLog is Config.KeyLogWriter.
	keyLog io.Writer
}

type nativeHandles struct {
	c   *C.tlsm_config
	det *C.tlsmgo_det
}

func freeNative(h nativeHandles) {
	C.tlsm_config_free(h.c)
	C.free(unsafe.Pointer(h.det))
}

// native returns the C config for role, building it on first use.
func (c *Config) nativeFor(server bool) (*nativeConfig, error) {
	role := 0
	if server {
		role = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.native[role]; n != nil {
		return n, nil
	}
	n, err := c.build(server)
	if err != nil {
		return nil, err
	}
	c.native[role] = n
	return n, nil
}

// versionName names a protocol version the way all tlsm bindings do in errors.
func versionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("version %#04x", v)
}

// versionRange resolves MinVersion and MaxVersion: 0 means the default bound, anything
// but TLS 1.2 and 1.3 is an error, and so is a reversed range.
func (c *Config) versionRange() (uint16, uint16, error) {
	minV, maxV := c.MinVersion, c.MaxVersion
	if minV == 0 {
		minV = VersionTLS12
	}
	if maxV == 0 {
		maxV = VersionTLS13
	}
	for _, b := range []struct {
		field string
		v     uint16
	}{{"MinVersion", minV}, {"MaxVersion", maxV}} {
		if b.v != VersionTLS12 && b.v != VersionTLS13 {
			return 0, 0, argErr("%s: %s is not supported (tlsm speaks TLS 1.2 and 1.3)", b.field, versionName(b.v))
		}
	}
	if minV > maxV {
		return 0, 0, argErr("MinVersion %s is above MaxVersion %s", versionName(minV), versionName(maxV))
	}
	return minV, maxV, nil
}

// groupName names a key-exchange group: tlsm's name, else crypto/tls's.
func groupName(g tls.CurveID) string {
	if name := C.GoString(C.tlsm_group_name(C.uint16_t(g))); name != "unknown" {
		return name
	}
	return g.String()
}

func (c *Config) build(server bool) (n *nativeConfig, err error) {
	minV, maxV, err := c.versionRange()
	if err != nil {
		return nil, err
	}
	role := C.TLSM_ROLE_CLIENT
	if server {
		role = C.TLSM_ROLE_SERVER
	}
	cc := C.tlsm_config_new(C.tlsm_role(role))
	if cc == nil {
		return nil, &Error{Code: codeNoMem}
	}
	nc := &nativeConfig{c: cc, server: server, verifyCB: c.VerifyPeerCertificate, keyLog: c.KeyLogWriter}
	defer func() {
		if err != nil {
			freeNative(nativeHandles{nc.c, nc.det})
		}
	}()
	n = nc
	// step reports a refused setting as "tlsm: <field>: <the engine's reason>".
	step := func(field string, rc C.int) error {
		if rc != 0 {
			return &configErr{field: field, err: &Error{Code: int(rc)}}
		}
		return nil
	}

	if err := step("MinVersion/MaxVersion", C.tlsm_config_set_versions(cc, C.uint16_t(minV), C.uint16_t(maxV))); err != nil {
		return nil, err
	}
	if len(c.CipherSuites) > 0 {
		suites := append([]uint16(nil), c.CipherSuites...)
		has13 := false
		for _, s := range suites {
			if CipherSuiteName(s) == "unknown" {
				return nil, argErr("CipherSuites: unsupported cipher suite %s", tls.CipherSuiteName(s))
			}
			if s>>8 == 0x13 {
				has13 = true
			}
		}
		if !has13 {
			suites = append(suites, tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256)
		}
		if err := step("CipherSuites", setU16(cc, suites, func(cfg *C.tlsm_config, p *C.uint16_t, k C.size_t) C.int {
			return C.tlsm_config_set_suites(cfg, p, k)
		})); err != nil {
			return nil, err
		}
	}
	if len(c.CurvePreferences) > 0 {
		groups := make([]uint16, len(c.CurvePreferences))
		for i, g := range c.CurvePreferences {
			if C.GoString(C.tlsm_group_name(C.uint16_t(g))) == "unknown" {
				return nil, argErr("CurvePreferences: unsupported group %s", groupName(g))
			}
			groups[i] = uint16(g)
		}
		if err := step("CurvePreferences", setU16(cc, groups, func(cfg *C.tlsm_config, p *C.uint16_t, k C.size_t) C.int {
			return C.tlsm_config_set_groups(cfg, p, k)
		})); err != nil {
			return nil, err
		}
	}
	if len(c.NextProtos) > 0 {
		var wire []byte
		for _, p := range c.NextProtos {
			if len(p) == 0 || len(p) > 255 {
				return nil, argErr("NextProtos: %q is not 1 to 255 bytes long", p)
			}
			wire = append(wire, byte(len(p)))
			wire = append(wire, p...)
		}
		p, k := cbytes(wire)
		rc := C.tlsm_config_set_alpn(cc, p, k)
		C.free(unsafe.Pointer(p))
		if err := step("NextProtos", rc); err != nil {
			return nil, err
		}
	}
	for i := range c.Certificates {
		signer, err := addIdentity(cc, &c.Certificates[i])
		if err != nil {
			return nil, fmt.Errorf("tlsm: Certificates[%d]: %w", i, err)
		}
		if signer != nil {
			nc.signers = append(nc.signers, signer)
		}
	}
	if err := c.applyVerification(nc, server); err != nil {
		return nil, err
	}

	if c.SessionTicketsDisabled {
		if err := step("SessionTicketsDisabled", C.tlsm_config_set_tickets(cc, 0)); err != nil {
			return nil, err
		}
	}
	if server && c.SessionTicketKey != [32]byte{} {
		p, k := cbytes(c.SessionTicketKey[:])
		rc := C.tlsm_config_set_ticket_key(cc, p, k)
		C.free(unsafe.Pointer(p))
		if err := step("SessionTicketKey", rc); err != nil {
			return nil, err
		}
	}
	if c.KeyLogWriter != nil {
		if err := step("KeyLogWriter", C.tlsm_config_set_keylog(cc, 1)); err != nil {
			return nil, err
		}
	}
	if c.Trace {
		if err := step("Trace", C.tlsm_config_set_trace(cc, 1)); err != nil {
			return nil, err
		}
	}
	if c.VerifyCacheSize != 0 {
		size := c.VerifyCacheSize
		if size < 0 {
			size = 0
		}
		if err := step("VerifyCacheSize", C.tlsm_config_set_verify_cache(cc, C.size_t(size))); err != nil {
			return nil, err
		}
	}
	nc.now = time.Now
	if c.RandSeed != nil || !c.FixedTime.IsZero() {
		n.det = (*C.tlsmgo_det)(C.calloc(1, C.size_t(unsafe.Sizeof(C.tlsmgo_det{}))))
		if n.det == nil {
			return nil, &Error{Code: codeNoMem}
		}
		if c.RandSeed != nil {
			seed := sha256.Sum256(c.RandSeed)
			for i, b := range seed {
				n.det.seed[i] = C.uint8_t(b)
			}
			if err := step("RandSeed", C.tlsmgo_set_det_rng(cc, n.det)); err != nil {
				return nil, err
			}
		}
		if !c.FixedTime.IsZero() {
			fixed := c.FixedTime
			nc.now = func() time.Time { return fixed }
			n.det.now_ms = C.uint64_t(c.FixedTime.UnixMilli())
			if err := step("FixedTime", C.tlsmgo_set_det_clock(cc, n.det)); err != nil {
				return nil, err
			}
		}
	}
	runtime.AddCleanup(n, freeNative, nativeHandles{n.c, n.det})
	return n, nil
}

// applyVerification sets who verifies the peer: crypto/x509 (RootCAs, ClientCAs) through
// the engine's external-verification event, or the C core with tlsm's pools (Roots,
// ClientRoots, the system store), or nobody (InsecureSkipVerify, ClientAuth without
// verification); VerifyPeerCertificate then runs after either.
func (c *Config) applyVerification(nc *nativeConfig, server bool) error {
	cc := nc.c
	x509Roots, roots, fields := c.RootCAs, c.Roots, "RootCAs and Roots"
	verify := true
	if server {
		x509Roots, roots, fields = c.ClientCAs, c.ClientRoots, "ClientCAs and ClientRoots"
		mode := 0
		switch c.ClientAuth {
		case tls.NoClientCert:
			verify = false
		case tls.RequestClientCert:
			mode, verify = 1, false
		case tls.RequireAnyClientCert:
			mode, verify = 2, false
		case tls.VerifyClientCertIfGiven:
			mode = 1
		case tls.RequireAndVerifyClientCert:
			mode = 2
		default:
			return argErr("ClientAuth: unknown value %d", int(c.ClientAuth))
		}
		if rc := C.tlsm_config_set_client_auth(cc, C.int(mode)); rc != 0 {
			return &configErr{field: "ClientAuth", err: &Error{Code: int(rc)}}
		}
	} else if c.InsecureSkipVerify {
		verify = false
	}
	if x509Roots != nil && roots != nil {
		return argErr("%s are both set: peers are verified by crypto/x509 or by tlsm, not both", fields)
	}
	if verify && x509Roots != nil {
		nc.x509Roots = x509Roots
	}
	nc.builtin = verify && nc.x509Roots == nil
	if !nc.builtin {
		if rc := C.tlsm_config_set_verify(cc, C.TLSM_VERIFY_INSECURE_NO_VERIFICATION); rc != 0 {
			return &configErr{field: "InsecureSkipVerify", err: &Error{Code: int(rc)}}
		}
	}
	nc.external = nc.x509Roots != nil || nc.verifyCB != nil
	if nc.external {
		if rc := C.tlsm_config_set_verify_external(cc, 1); rc != 0 {
			return &configErr{field: "VerifyPeerCertificate", err: &Error{Code: int(rc)}}
		}
	}
	if !nc.builtin {
		return nil
	}
	field := "Roots"
	if server {
		field = "ClientRoots"
	}
	if roots == nil {
		roots = SystemCertPool()
	}
	if roots.system {
		// A machine without a store still gets the explicit anchors below.
		var added C.size_t
		_ = C.tlsm_config_load_system_trust(cc, &added)
	}
	for i, der := range roots.der {
		p, k := cbytes(der)
		rc := C.tlsm_config_add_trust_der(cc, p, k)
		C.free(unsafe.Pointer(p))
		if rc != 0 {
			return &configErr{field: fmt.Sprintf("%s certificate %d", field, i), err: &Error{Code: int(rc)}}
		}
	}
	return nil
}

// setU16 passes a list of 16-bit codes to a C setter through C memory.
func setU16(cc *C.tlsm_config, list []uint16, set func(*C.tlsm_config, *C.uint16_t, C.size_t) C.int) C.int {
	p := (*C.uint16_t)(C.malloc(C.size_t(2 * len(list))))
	if p == nil {
		return codeNoMem
	}
	defer C.free(unsafe.Pointer(p))
	copy(unsafe.Slice((*uint16)(unsafe.Pointer(p)), len(list)), list)
	return set(cc, p, C.size_t(len(list)))
}

// addIdentity hands a certificate chain and its private key to the engine: as PKCS#8 DER
// for the key types the engine signs with itself, else (any other crypto.Signer) as an
// external identity whose signatures are made in Go; that signer is returned.
func addIdentity(cc *C.tlsm_config, cert *tls.Certificate) (crypto.Signer, error) {
	if len(cert.Certificate) == 0 {
		return nil, errors.New("empty certificate chain")
	}
	switch key := cert.PrivateKey.(type) {
	case nil:
		return nil, errors.New("no private key")
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil, addKeyIdentity(cc, cert)
	case crypto.Signer:
		var chain []byte
		for _, der := range cert.Certificate {
			chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
		}
		p, k := cbytes(chain)
		defer C.free(unsafe.Pointer(p))
		if err := codeErr(C.tlsm_config_add_identity_external(cc, p, k)); err != nil {
			return nil, err
		}
		return key, nil
	default:
		return nil, fmt.Errorf("private key of type %T is not a crypto.Signer", cert.PrivateKey)
	}
}

func addKeyIdentity(cc *C.tlsm_config, cert *tls.Certificate) error {
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return fmt.Errorf("private key of type %T: %w", cert.PrivateKey, err)
	}
	n := len(cert.Certificate)
	pp := (**C.uint8_t)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof((*C.uint8_t)(nil)))))
	lp := (*C.size_t)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.size_t(0)))))
	if pp == nil || lp == nil {
		C.free(unsafe.Pointer(pp))
		C.free(unsafe.Pointer(lp))
		return &Error{Code: codeNoMem}
	}
	ptrs, lens := unsafe.Slice(pp, n), unsafe.Slice(lp, n)
	kp, kn := cbytes(key)
	clear(key)
	defer func() {
		for i := 0; i < n; i++ {
			C.free(unsafe.Pointer(ptrs[i]))
		}
		C.free(unsafe.Pointer(pp))
		C.free(unsafe.Pointer(lp))
		if kp != nil {
			C.memset(unsafe.Pointer(kp), 0, kn)
			C.free(unsafe.Pointer(kp))
		}
	}()
	for i, der := range cert.Certificate {
		ptrs[i], lens[i] = cbytes(der)
	}
	return codeErr(C.tlsm_config_add_identity_der(cc, pp, lp, C.size_t(n), kp, kn))
}
