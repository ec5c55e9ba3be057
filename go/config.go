package tlsm

/*
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
*/
import "C"

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Protocol versions (the same values as crypto/tls.VersionTLS12 and VersionTLS13).
const (
	VersionTLS12 uint16 = C.TLSM_TLS12
	VersionTLS13 uint16 = C.TLSM_TLS13
)

// Key-exchange groups beyond crypto/tls's CurveIDs (X25519, P256 and P384 are shared).
const (
	FFDHE2048 tls.CurveID = C.TLSM_GROUP_FFDHE2048
	FFDHE3072 tls.CurveID = C.TLSM_GROUP_FFDHE3072
)

// CipherSuiteName returns the IANA name of a cipher suite, or "unknown".
func CipherSuiteName(id uint16) string { return C.GoString(C.tlsm_suite_name(C.uint16_t(id))) }

// A Config configures a client or a server. Its fields mean what the fields of the same
// name in crypto/tls.Config mean, within what tlsm implements (TLS 1.2 and 1.3, AEAD
// suites only). A Config may be shared by many connections; after its first use it must
// not be modified (the engine freezes a C copy of it, which also holds the server's ticket
// key and TLS 1.2 session cache, so sharing one Config is what makes resumption work).
type Config struct {
	// Certificates holds the certificate chains (leaf first) with their private keys:
	// servers must have one; clients send one when the server asks. Build them with
	// tls.X509KeyPair or tls.LoadX509KeyPair. RSA, ECDSA (P-256, P-384) and Ed25519 keys
	// are supported; several chains may be given, the engine picks the one matching the
	// peer's signature algorithms.
	Certificates []tls.Certificate

	// RootCAs are the trust anchors a client verifies servers with; nil means the
	// system's store.
	RootCAs *CertPool
	// ClientCAs are the trust anchors a server verifies client certificates with when
	// ClientAuth asks for verification; nil means the system's store.
	ClientCAs *CertPool
	// ClientAuth is the server's client-certificate policy: tls.NoClientCert (default),
	// RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or
	// RequireAndVerifyClientCert.
	ClientAuth tls.ClientAuthType

	// ServerName is the host name a client sends (SNI) and checks the server's
	// certificate against. An IP address is checked against IP SANs and not sent.
	ServerName string
	// InsecureSkipVerify makes a client accept any server certificate: testing only.
	InsecureSkipVerify bool
	// VerifyPeerCertificate, if set, is called after the built-in checks pass (or are
	// skipped by InsecureSkipVerify / ClientAuth) with the peer's chain as DER; a non-nil
	// error aborts the handshake with a bad_certificate alert. It runs in Go, on the
	// goroutine driving the handshake; the engine waits for it.
	VerifyPeerCertificate func(rawCerts [][]byte) error

	// NextProtos lists the ALPN protocols in preference order. A server with NextProtos
	// fails a client that offers none of them (no_application_protocol).
	NextProtos []string

	// MinVersion and MaxVersion bound the protocol version (VersionTLS12 or VersionTLS13;
	// 0 means both). Versions below TLS 1.2 are never spoken: a lower MinVersion counts as
	// TLS 1.2.
	MinVersion, MaxVersion uint16
	// CipherSuites lists the enabled suites in preference order (crypto/tls constants).
	// As in crypto/tls, a list without TLS 1.3 suites leaves the three TLS 1.3 suites
	// enabled; a list that names TLS 1.3 suites restricts those too.
	CipherSuites []uint16
	// CurvePreferences lists the key-exchange groups in preference order: tls.X25519,
	// tls.CurveP256, tls.CurveP384, FFDHE2048, FFDHE3072.
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

	// RandSeed, if non-nil, replaces the random source by a deterministic generator
	// seeded with it, so that handshakes are reproducible byte for byte. Tests only: the
	// keys it produces are predictable.
	RandSeed []byte
	// FixedTime, if not zero, is the time the engine always reads (certificate validity,
	// ticket ages). Tests only.
	FixedTime time.Time
	// Trace makes the engine report every handshake message sent and received as
	// EventMessageSent / EventMessageReceived (Engine users: for ladders and debugging).
	Trace bool

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
		ClientCAs:              c.ClientCAs,
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
		RandSeed:               c.RandSeed,
		FixedTime:              c.FixedTime,
		Trace:                  c.Trace,
	}
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

// nativeConfig is the frozen C config behind a Config for one role.
type nativeConfig struct {
	c   *C.tlsm_config
	det *C.tlsmgo_det
	// frozen is set once a connection was made from c; until then, connections are made
	// under freezeMu (see newConn).
	frozen atomic.Bool
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

func (c *Config) build(server bool) (n *nativeConfig, err error) {
	role := C.TLSM_ROLE_CLIENT
	if server {
		role = C.TLSM_ROLE_SERVER
	}
	cc := C.tlsm_config_new(C.tlsm_role(role))
	if cc == nil {
		return nil, &Error{Code: C.TLSM_ERR_NOMEM}
	}
	nc := &nativeConfig{c: cc}
	defer func() {
		if err != nil {
			freeNative(nativeHandles{nc.c, nc.det})
		}
	}()
	n = nc
	step := func(what string, rc C.int) error {
		if rc != 0 {
			return fmt.Errorf("tlsm: config: %s: %w", what, codeErr(rc))
		}
		return nil
	}

	minV, maxV := c.MinVersion, c.MaxVersion
	if minV < VersionTLS12 {
		minV = VersionTLS12
	}
	if maxV == 0 {
		maxV = VersionTLS13
	}
	if maxV < VersionTLS12 || maxV > VersionTLS13 || minV > maxV {
		return nil, fmt.Errorf("tlsm: config: unsupported versions %#04x..%#04x (TLS 1.2 and 1.3 only)", c.MinVersion, c.MaxVersion)
	}
	if err := step("versions", C.tlsm_config_set_versions(cc, C.uint16_t(minV), C.uint16_t(maxV))); err != nil {
		return nil, err
	}
	if len(c.CipherSuites) > 0 {
		suites := append([]uint16(nil), c.CipherSuites...)
		has13 := false
		for _, s := range suites {
			if s>>8 == 0x13 {
				has13 = true
			}
		}
		if !has13 {
			suites = append(suites, tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256)
		}
		if err := step("cipher suites", setU16(cc, suites, func(cfg *C.tlsm_config, p *C.uint16_t, k C.size_t) C.int {
			return C.tlsm_config_set_suites(cfg, p, k)
		})); err != nil {
			return nil, err
		}
	}
	if len(c.CurvePreferences) > 0 {
		groups := make([]uint16, len(c.CurvePreferences))
		for i, g := range c.CurvePreferences {
			groups[i] = uint16(g)
		}
		if err := step("curve preferences", setU16(cc, groups, func(cfg *C.tlsm_config, p *C.uint16_t, k C.size_t) C.int {
			return C.tlsm_config_set_groups(cfg, p, k)
		})); err != nil {
			return nil, err
		}
	}
	if len(c.NextProtos) > 0 {
		var wire []byte
		for _, p := range c.NextProtos {
			if len(p) == 0 || len(p) > 255 {
				return nil, fmt.Errorf("tlsm: config: invalid ALPN protocol %q", p)
			}
			wire = append(wire, byte(len(p)))
			wire = append(wire, p...)
		}
		p, k := cbytes(wire)
		rc := C.tlsm_config_set_alpn(cc, p, k)
		C.free(unsafe.Pointer(p))
		if err := step("ALPN", rc); err != nil {
			return nil, err
		}
	}
	for i := range c.Certificates {
		if err := addIdentity(cc, &c.Certificates[i]); err != nil {
			return nil, fmt.Errorf("tlsm: config: certificate %d: %w", i, err)
		}
	}

	verify := C.TLSM_VERIFY_PEER
	pool := c.RootCAs
	if server {
		pool = c.ClientCAs
		mode := 0
		switch c.ClientAuth {
		case tls.NoClientCert:
		case tls.RequestClientCert:
			mode, verify = 1, C.TLSM_VERIFY_INSECURE_NO_VERIFICATION
		case tls.RequireAnyClientCert:
			mode, verify = 2, C.TLSM_VERIFY_INSECURE_NO_VERIFICATION
		case tls.VerifyClientCertIfGiven:
			mode = 1
		case tls.RequireAndVerifyClientCert:
			mode = 2
		default:
			return nil, fmt.Errorf("tlsm: config: unknown ClientAuth %d", c.ClientAuth)
		}
		if err := step("client auth", C.tlsm_config_set_client_auth(cc, C.int(mode))); err != nil {
			return nil, err
		}
		if mode == 0 {
			pool = nil
		} else if pool == nil && verify == C.TLSM_VERIFY_PEER {
			pool = SystemCertPool()
		}
	} else {
		if c.InsecureSkipVerify {
			verify = C.TLSM_VERIFY_INSECURE_NO_VERIFICATION
		}
		if pool == nil && !c.InsecureSkipVerify {
			pool = SystemCertPool()
		}
	}
	if err := step("verification", C.tlsm_config_set_verify(cc, C.tlsm_verify_mode(verify))); err != nil {
		return nil, err
	}
	if pool != nil {
		if pool.system {
			// A machine without a store still gets the explicit anchors below.
			var added C.size_t
			_ = C.tlsm_config_load_system_trust(cc, &added)
		}
		for _, der := range pool.der {
			p, k := cbytes(der)
			rc := C.tlsm_config_add_trust_der(cc, p, k)
			C.free(unsafe.Pointer(p))
			if err := step("trust anchor", rc); err != nil {
				return nil, err
			}
		}
	}
	if c.VerifyPeerCertificate != nil {
		if err := step("external verification", C.tlsm_config_set_verify_external(cc, 1)); err != nil {
			return nil, err
		}
	}

	if c.SessionTicketsDisabled {
		if err := step("tickets", C.tlsm_config_set_tickets(cc, 0)); err != nil {
			return nil, err
		}
	}
	if server && c.SessionTicketKey != [32]byte{} {
		p, k := cbytes(c.SessionTicketKey[:])
		rc := C.tlsm_config_set_ticket_key(cc, p, k)
		C.free(unsafe.Pointer(p))
		if err := step("ticket key", rc); err != nil {
			return nil, err
		}
	}

	if c.Trace {
		if err := step("trace", C.tlsm_config_set_trace(cc, 1)); err != nil {
			return nil, err
		}
	}
	if c.RandSeed != nil || !c.FixedTime.IsZero() {
		n.det = (*C.tlsmgo_det)(C.calloc(1, C.size_t(unsafe.Sizeof(C.tlsmgo_det{}))))
		if n.det == nil {
			return nil, &Error{Code: C.TLSM_ERR_NOMEM}
		}
		if c.RandSeed != nil {
			seed := sha256.Sum256(c.RandSeed)
			for i, b := range seed {
				n.det.seed[i] = C.uint8_t(b)
			}
			if err := step("rng", C.tlsmgo_set_det_rng(cc, n.det)); err != nil {
				return nil, err
			}
		}
		if !c.FixedTime.IsZero() {
			n.det.now_ms = C.uint64_t(c.FixedTime.UnixMilli())
			if err := step("clock", C.tlsmgo_set_det_clock(cc, n.det)); err != nil {
				return nil, err
			}
		}
	}
	runtime.AddCleanup(n, freeNative, nativeHandles{n.c, n.det})
	return n, nil
}

// setU16 passes a list of 16-bit codes to a C setter through C memory.
func setU16(cc *C.tlsm_config, list []uint16, set func(*C.tlsm_config, *C.uint16_t, C.size_t) C.int) C.int {
	p := (*C.uint16_t)(C.malloc(C.size_t(2 * len(list))))
	if p == nil {
		return C.TLSM_ERR_NOMEM
	}
	defer C.free(unsafe.Pointer(p))
	copy(unsafe.Slice((*uint16)(unsafe.Pointer(p)), len(list)), list)
	return set(cc, p, C.size_t(len(list)))
}

// addIdentity hands a certificate chain and its private key (as PKCS#8 DER) to the engine.
func addIdentity(cc *C.tlsm_config, cert *tls.Certificate) error {
	if len(cert.Certificate) == 0 {
		return errors.New("empty certificate chain")
	}
	if cert.PrivateKey == nil {
		return errors.New("no private key")
	}
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
		return &Error{Code: C.TLSM_ERR_NOMEM}
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
