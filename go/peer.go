package tlsm

/*
#include "hooks.h"
*/
import "C"

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
)

// This file is where the engine's two questions to the host are answered in Go:
// EventVerifyPeer (crypto/x509 with RootCAs / ClientCAs, then VerifyPeerCertificate) and
// EventSign (a Certificates key that is a crypto.Signer). Conn answers them while it
// drives the handshake; an Engine user calls VerifyPeer and Sign.

// verifyPeer is the verdict on a peer's chain: crypto/x509's when the config has x509
// anchors, then the application's callback. It returns the chains crypto/x509 built,
// and on failure the alert to send with the reason. It does not touch the engine.
func (n *nativeConfig) verifyPeer(raw [][]byte, serverName string) ([][]*x509.Certificate, Alert, error) {
	var chains [][]*x509.Certificate
	if n.x509Roots != nil {
		var alert Alert
		var err error
		if chains, alert, err = n.x509Verify(raw, serverName); err != nil {
			return nil, alert, err
		}
	}
	if n.verifyCB != nil {
		if err := n.verifyCB(raw, chains); err != nil {
			return nil, AlertBadCertificate, err
		}
	}
	return chains, 0, nil
}

// x509Verify verifies a peer's chain (DER, leaf first) with crypto/x509 against the
// config's x509 anchors, as crypto/tls does: the chains it built, or the alert to send and
// the reason.
func (n *nativeConfig) x509Verify(raw [][]byte, serverName string) ([][]*x509.Certificate, Alert, error) {
	if len(raw) == 0 {
		return nil, AlertCertificateRequired, errors.New("tlsm: the peer sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, AlertBadCertificate, &tls.CertificateVerificationError{Err: err}
		}
		certs[i] = c
	}
	opts := x509.VerifyOptions{
		Roots:         n.x509Roots,
		Intermediates: x509.NewCertPool(),
		CurrentTime:   n.now(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if n.server {
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		opts.DNSName = serverName
	}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := certs[0].Verify(opts)
	if err != nil {
		return nil, x509Alert(err), &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return chains, 0, nil
}

// x509Alert is the alert crypto/tls sends for a crypto/x509 verification error.
func x509Alert(err error) Alert {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return AlertUnknownCA
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return AlertCertificateExpired
	}
	return AlertBadCertificate
}

// VerifyPeer answers EventVerifyPeer the way the Config says: crypto/x509 verifies the
// peer's chain against RootCAs (ClientCAs on a server) with the ServerName, then
// VerifyPeerCertificate has its say. On success the handshake goes on; otherwise the
// alert is sent and the returned error matches both the engine's *Error (ErrCertRejected,
// the alert) and the reason (errors.As to *tls.CertificateVerificationError for
// crypto/x509's, or the callback's error). Conn calls it itself.
func (e *Engine) VerifyPeer() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	chains, alert, verr := e.native.verifyPeer(e.RawPeerCertificates(), e.serverName)
	return e.verified(chains, alert, verr)
}

// verified passes a verdict from verifyPeer to the engine.
func (e *Engine) verified(chains [][]*x509.Certificate, alert Alert, verr error) error {
	if verr == nil {
		if e.native.x509Roots != nil { // else the C core verified: its path is rebuilt lazily
			e.chains = &lazyChains{chains: chains, done: true}
		}
		return e.VerifyDone(true, 0)
	}
	err := e.VerifyDone(false, alert)
	if err == nil { // the engine had already failed: its error stands
		err = e.Err()
	}
	return fmt.Errorf("%w: %w", err, verr)
}

// Sign answers EventSign: it signs the engine's request with the Certificates key that is
// a crypto.Signer (the one whose key type matches the requested scheme) and passes the
// signature on. Conn calls it itself.
func (e *Engine) Sign() error {
	if e.c == nil {
		return ErrEngineClosed
	}
	scheme, msg, err := e.signRequest()
	if err != nil {
		return err
	}
	sig, serr := e.native.sign(scheme, msg)
	if serr != nil {
		// The engine has no way to fail a signature request: it stays blocked, and the
		// handshake is over for this connection (Close it).
		return serr
	}
	return e.SignDone(sig)
}

// signRequest copies the engine's external-signing request.
func (e *Engine) signRequest() (tls.SignatureScheme, []byte, error) {
	var scheme C.uint16_t
	var msg *C.uint8_t
	var n C.size_t
	if rc := C.tlsm_sign_request(e.c, &scheme, &msg, &n); rc != 0 {
		return 0, nil, e.fail(rc)
	}
	return tls.SignatureScheme(scheme), goBytes(msg, n), nil
}

// SignDone supplies the signature for EventSign; the handshake continues.
func (e *Engine) SignDone(sig []byte) error {
	if e.c == nil {
		return ErrEngineClosed
	}
	p, k := goMem(sig)
	return e.fail(C.tlsm_sign_done(e.c, p, k))
}

// sign makes the signature of msg for scheme with the external signer whose key fits it.
func (n *nativeConfig) sign(scheme tls.SignatureScheme, msg []byte) ([]byte, error) {
	for _, s := range n.signers {
		if opts, digest, ok := signingInput(s.Public(), scheme, msg); ok {
			sig, err := s.Sign(rand.Reader, digest, opts)
			if err != nil {
				return nil, fmt.Errorf("tlsm: external signer (%s): %w", scheme, err)
			}
			return sig, nil
		}
	}
	return nil, fmt.Errorf("tlsm: no crypto.Signer in Certificates for the scheme %s", scheme)
}

// signingInput is what crypto.Signer.Sign takes for scheme with key pub: the options and
// the digest (the message itself for Ed25519), or false if pub cannot make that scheme.
func signingInput(pub crypto.PublicKey, scheme tls.SignatureScheme, msg []byte) (crypto.SignerOpts, []byte, bool) {
	hashOf := func(h crypto.Hash) []byte {
		switch h {
		case crypto.SHA256:
			d := sha256.Sum256(msg)
			return d[:]
		case crypto.SHA384:
			d := sha512.Sum384(msg)
			return d[:]
		}
		d := sha512.Sum512(msg)
		return d[:]
	}
	switch pub.(type) {
	case *ecdsa.PublicKey:
		// The engine asks for the scheme it negotiated: in TLS 1.3 the curve's own, in
		// TLS 1.2 any ECDSA hash (there the scheme does not name the curve).
		switch scheme {
		case tls.ECDSAWithP256AndSHA256:
			return crypto.SHA256, hashOf(crypto.SHA256), true
		case tls.ECDSAWithP384AndSHA384:
			return crypto.SHA384, hashOf(crypto.SHA384), true
		case tls.ECDSAWithP521AndSHA512:
			return crypto.SHA512, hashOf(crypto.SHA512), true
		}
	case ed25519.PublicKey:
		if scheme == tls.Ed25519 {
			return crypto.Hash(0), msg, true
		}
	case *rsa.PublicKey:
		pss := func(h crypto.Hash) (crypto.SignerOpts, []byte, bool) {
			return &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}, hashOf(h), true
		}
		switch scheme {
		case tls.PSSWithSHA256, 0x0809:
			return pss(crypto.SHA256)
		case tls.PSSWithSHA384, 0x080a:
			return pss(crypto.SHA384)
		case tls.PSSWithSHA512, 0x080b:
			return pss(crypto.SHA512)
		case tls.PKCS1WithSHA256:
			return crypto.SHA256, hashOf(crypto.SHA256), true
		case tls.PKCS1WithSHA384:
			return crypto.SHA384, hashOf(crypto.SHA384), true
		case tls.PKCS1WithSHA512:
			return crypto.SHA512, hashOf(crypto.SHA512), true
		}
	}
	return nil, nil, false
}

// lazyChains is ConnectionState.VerifiedChains: the chains crypto/x509 built during the
// handshake, or else the peer's chain verified again on first use, so that a handshake
// does not pay for it unless the application asks: with tlsm_verify_chain on the
// connection's own (frozen, shareable) config when the C core verified the peer, with
// crypto/x509 and the config's x509 anchors on a resumed connection (which verified
// nothing: the session vouches for the peer the first handshake verified).
type lazyChains struct {
	once   sync.Once
	done   bool // chains is final (crypto/x509's, or nothing to build)
	chains [][]*x509.Certificate
	native *nativeConfig
	raw    [][]byte
	name   string
}

func (l *lazyChains) get() [][]*x509.Certificate {
	if l == nil {
		return nil
	}
	l.once.Do(func() {
		if l.done {
			return
		}
		if l.native.x509Roots != nil {
			l.chains, _, _ = l.native.x509Verify(l.raw, l.name)
			return
		}
		purpose := PurposeServer
		name := l.name
		if l.native.server {
			purpose, name = PurposeClient, ""
		}
		v, err := verifyOn(l.native.c, l.raw, name, purpose, C.TLSM_VERIFY_TIME_NOW, 0)
		if err != nil {
			return
		}
		var chain []*x509.Certificate
		for _, pc := range v.Path {
			c, err := x509.ParseCertificate(pc.Raw)
			if err != nil {
				return // a certificate crypto/x509 cannot represent: no chain to show
			}
			chain = append(chain, c)
		}
		l.chains = [][]*x509.Certificate{chain}
	})
	return l.chains
}

// verifiedChains is what ConnectionState.VerifiedChains reports for this engine.
func (e *Engine) verifiedChains() *lazyChains {
	if e.chains != nil {
		return e.chains
	}
	if e.c == nil || C.tlsm_conn_handshake_done(e.c) == 0 {
		return nil
	}
	// Verified by the C core, or by crypto/x509 in the handshake this one resumed.
	resumedX509 := e.native.x509Roots != nil && C.tlsm_conn_resumed(e.c) != 0
	if !e.native.builtin && !resumedX509 {
		return nil
	}
	raw := e.RawPeerCertificates()
	if len(raw) == 0 {
		return nil
	}
	e.chains = &lazyChains{native: e.native, raw: raw, name: e.serverName}
	return e.chains
}
