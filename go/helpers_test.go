package tlsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The committed test PKI (scripts/gen-test-pki.sh): a CA, an intermediate, servers with
// several key types (names localhost, server.tlsm.test, 127.0.0.1, ::1) and a client.
var pkiDir = filepath.Join("..", "tests", "data", "pki")

func pkiFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkiDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyPair loads "server-p256", "server-rsa", "server-ed25519", "server-p384" or "client".
func keyPair(t testing.TB, name string) tls.Certificate {
	t.Helper()
	cert, err := tls.X509KeyPair(pkiFile(t, name+".chain.pem"), pkiFile(t, name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func testCAs(t testing.TB) *CertPool {
	p := NewCertPool()
	if !p.AppendCertsFromPEM(pkiFile(t, "ca.crt")) {
		t.Fatal("no CA certificate")
	}
	return p
}

func goCAs(t testing.TB) *x509.CertPool {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pkiFile(t, "ca.crt")) {
		t.Fatal("no CA certificate")
	}
	return p
}

// fixedNow is inside the test PKI's validity (from 2026-11-28 for 100 years).
var fixedNow = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

func serverConfig(t testing.TB, key string, version uint16) *Config {
	return &Config{
		Certificates: []tls.Certificate{keyPair(t, key)},
		MinVersion:   version, MaxVersion: version,
		FixedTime: fixedNow,
	}
}

func clientConfig(t testing.TB, version uint16) *Config {
	return &Config{
		Roots: testCAs(t), ServerName: "localhost",
		MinVersion: version, MaxVersion: version,
		FixedTime: fixedNow,
	}
}

func goServerConfig(t testing.TB, key string, version uint16) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{keyPair(t, key)},
		MinVersion:   version, MaxVersion: version,
		Time: func() time.Time { return fixedNow },
	}
}

func goClientConfig(t testing.TB, version uint16) *tls.Config {
	return &tls.Config{
		RootCAs: goCAs(t), ServerName: "localhost",
		MinVersion: version, MaxVersion: version,
		Time: func() time.Time { return fixedNow },
	}
}

// otherCA returns a pool with a freshly made CA that signed nothing of the test PKI.
func otherCA(t testing.TB) *CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: "unrelated CA"},
		NotBefore:             fixedNow.Add(-time.Hour),
		NotAfter:              fixedNow.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	p := NewCertPool()
	p.AddCert(cert)
	return p
}

var versions = []struct {
	name string
	v    uint16
}{{"TLS1.2", VersionTLS12}, {"TLS1.3", VersionTLS13}}

// pair is a client and a server engine joined in memory.
type pair struct {
	t              testing.TB
	client, server *Engine
	// wire records every byte each side sent, for determinism checks.
	wire [2][]byte
}

func newPair(t testing.TB, ccfg, scfg *Config) *pair {
	t.Helper()
	c, err := NewClientEngine(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServerEngine(scfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return &pair{t: t, client: c, server: s}
}

// move sends what from has to to; it reports whether anything moved and the first error.
func (p *pair) move(from, to *Engine, side int) (bool, error) {
	moved := false
	for {
		out := from.Output()
		if len(out) == 0 {
			return moved, nil
		}
		n, err := to.Feed(out)
		p.wire[side] = append(p.wire[side], out[:n]...)
		if cerr := from.Consume(n); cerr != nil {
			p.t.Fatal(cerr)
		}
		if n > 0 {
			moved = true
		}
		if err != nil {
			return moved, err
		}
		if n == 0 {
			return moved, nil // to must be drained (plaintext to read)
		}
	}
}

// pump moves bytes both ways until nothing moves; it returns the first error.
func (p *pair) pump() error {
	for {
		a, err := p.move(p.client, p.server, 0)
		if err != nil {
			p.move(p.server, p.client, 1) // deliver the alert
			return err
		}
		b, err := p.move(p.server, p.client, 1)
		if err != nil {
			p.move(p.client, p.server, 0)
			return err
		}
		if !a && !b {
			return nil
		}
	}
}

func (p *pair) handshake() error {
	if err := p.pump(); err != nil {
		return err
	}
	if !p.client.HandshakeComplete() || !p.server.HandshakeComplete() {
		return errors.Join(errors.New("handshake did not complete"), p.client.Err(), p.server.Err())
	}
	return nil
}

// events drains an engine's events.
func drainEvents(e *Engine) []Event {
	var out []Event
	for ev := e.NextEvent(); ev.Kind != EventNone; ev = e.NextEvent() {
		out = append(out, ev)
	}
	return out
}

func hasEvent(evs []Event, k EventKind) bool {
	for _, ev := range evs {
		if ev.Kind == k {
			return true
		}
	}
	return false
}

// readAll reads every plaintext byte from e, pumping the pair.
func (p *pair) readAll(e *Engine, want int) []byte {
	p.t.Helper()
	var got []byte
	buf := make([]byte, 8192)
	for len(got) < want {
		n, err := e.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		if n == 0 {
			if err := p.pump(); err != nil {
				p.t.Fatalf("pump: %v", err)
			}
			if e.Status()&StatusHasPlaintext == 0 && p.client.OutputLen() == 0 && p.server.OutputLen() == 0 {
				p.t.Fatalf("stalled after %d of %d bytes", len(got), want)
			}
		}
	}
	return got
}
