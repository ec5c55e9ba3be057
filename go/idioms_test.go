package tlsm

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// The crypto/tls idioms: RootCAs / ClientCAs as *x509.CertPool verified by crypto/x509,
// ConnectionState.VerifiedChains, a crypto.Signer key, KeyLogWriter.

// handshakeBoth runs a tlsm client against a tlsm server over TCP on 127.0.0.1 (whose
// buffers take an alert nobody reads yet) and returns both sides' handshake errors.
func handshakeBoth(t *testing.T, ccfg, scfg *Config) (cerr, serr error, c, s *Conn) {
	t.Helper()
	a, b := tcpPair(t)
	c, s = Client(a, ccfg), Server(b, scfg)
	t.Cleanup(func() { a.Close(); b.Close(); c.Close(); s.Close() })
	done := make(chan error, 1)
	go func() { done <- s.Handshake() }()
	cerr = c.Handshake()
	if cerr != nil {
		a.Close() // the server may be waiting for more
	}
	serr = <-done
	return cerr, serr, c, s
}

func TestRootCAsVerifiedByCryptoX509(t *testing.T) {
	ccfg := &Config{RootCAs: goCAs(t), ServerName: "localhost", FixedTime: fixedNow}
	cerr, serr, c, _ := handshakeBoth(t, ccfg, serverConfig(t, "server-p256", 0))
	if cerr != nil || serr != nil {
		t.Fatal(cerr, serr)
	}
	st := c.ConnectionState()
	if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) != 3 {
		t.Fatalf("verified chains %v", st.VerifiedChains)
	}
	if leaf := st.VerifiedChains[0][0]; !leaf.Equal(st.PeerCertificates[0]) {
		t.Fatal("the verified chain does not start at the leaf")
	}
	if root := st.VerifiedChains[0][2]; root.Subject.CommonName != "tlsm test CA" && !root.IsCA {
		t.Fatalf("chain ends at %v", root.Subject)
	}
}

func TestRootCAsFailuresSayWhy(t *testing.T) {
	cases := []struct {
		name  string
		cfg   *Config
		alert Alert
		as    func(error) bool
	}{
		{"unknown authority", &Config{RootCAs: x509.NewCertPool(), ServerName: "localhost", FixedTime: fixedNow},
			AlertUnknownCA, func(err error) bool { var u x509.UnknownAuthorityError; return errors.As(err, &u) }},
		{"wrong host", &Config{RootCAs: goCAs(t), ServerName: "wrong.example", FixedTime: fixedNow},
			AlertBadCertificate, func(err error) bool { var h x509.HostnameError; return errors.As(err, &h) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cerr, serr, _, _ := handshakeBoth(t, tc.cfg, serverConfig(t, "server-p256", 0))
			if !tc.as(cerr) {
				t.Fatalf("client error %v does not carry crypto/x509's reason", cerr)
			}
			var cve *tls.CertificateVerificationError
			if !errors.As(cerr, &cve) || len(cve.UnverifiedCertificates) != 2 {
				t.Fatalf("client error %v is not a *tls.CertificateVerificationError with the chain", cerr)
			}
			if !errors.Is(cerr, tc.alert) || !errors.Is(cerr, ErrCertRejected) {
				t.Fatalf("client error %v: want alert %v and ErrCertRejected", cerr, tc.alert)
			}
			if !errors.Is(serr, tc.alert) {
				t.Fatalf("server error %v: the alert %v did not reach it", serr, tc.alert)
			}
		})
	}
}

func TestClientCAsVerifiedByCryptoX509(t *testing.T) {
	scfg := serverConfig(t, "server-p256", 0)
	scfg.ClientAuth = tls.RequireAndVerifyClientCert
	scfg.ClientCAs = goCAs(t)
	ccfg := clientConfig(t, 0)
	ccfg.Certificates = []tls.Certificate{keyPair(t, "client")}
	cerr, serr, _, s := handshakeBoth(t, ccfg, scfg)
	if cerr != nil || serr != nil {
		t.Fatal(cerr, serr)
	}
	if ch := s.ConnectionState().VerifiedChains; len(ch) == 0 || len(ch[0]) != 3 {
		t.Fatalf("server's verified chains %v", ch)
	}
	// A server certificate offered as a client certificate: wrong extended key usage.
	ccfg = clientConfig(t, 0)
	ccfg.Certificates = []tls.Certificate{keyPair(t, "server-p384")}
	_, serr, _, _ = handshakeBoth(t, ccfg, scfg)
	var inv x509.CertificateInvalidError
	if !errors.As(serr, &inv) || inv.Reason != x509.IncompatibleUsage {
		t.Fatalf("server error %v: want crypto/x509's incompatible usage", serr)
	}
}

func TestVerifiedChainsFromTlsmVerifier(t *testing.T) {
	cerr, serr, c, _ := handshakeBoth(t, clientConfig(t, 0), serverConfig(t, "server-rsa", 0))
	if cerr != nil || serr != nil {
		t.Fatal(cerr, serr)
	}
	st := c.ConnectionState()
	if len(st.VerifiedChains) != 1 || len(st.VerifiedChains[0]) != 3 || !st.VerifiedChains[0][0].Equal(st.PeerCertificates[0]) {
		t.Fatalf("verified chains %v", st.VerifiedChains)
	}
	// Also after Close, from the snapshot.
	c.Close()
	if again := c.ConnectionState().VerifiedChains; len(again) != 1 {
		t.Fatalf("after Close: %v", again)
	}
	// A VerifyPeerCertificate callback next to tlsm's verifier does not hide its path.
	ccfg0 := clientConfig(t, 0)
	ccfg0.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return nil }
	_, _, c1, _ := handshakeBoth(t, ccfg0, serverConfig(t, "server-p256", 0))
	if ch := c1.ConnectionState().VerifiedChains; len(ch) != 1 {
		t.Fatalf("with a callback: %v", ch)
	}
	// Nothing verified, nothing reported.
	ccfg := &Config{InsecureSkipVerify: true, FixedTime: fixedNow}
	_, _, c2, _ := handshakeBoth(t, ccfg, serverConfig(t, "server-p256", 0))
	if ch := c2.ConnectionState().VerifiedChains; ch != nil {
		t.Fatalf("InsecureSkipVerify reported chains %v", ch)
	}
}

func TestVerifyPeerCertificateSeesVerifiedChains(t *testing.T) {
	var got [][]*x509.Certificate
	ccfg := &Config{RootCAs: goCAs(t), ServerName: "localhost", FixedTime: fixedNow,
		VerifyPeerCertificate: func(raw [][]byte, chains [][]*x509.Certificate) error {
			got = chains
			return nil
		}}
	if cerr, serr, _, _ := handshakeBoth(t, ccfg, serverConfig(t, "server-p256", 0)); cerr != nil || serr != nil {
		t.Fatal(cerr, serr)
	}
	if len(got) == 0 {
		t.Fatal("VerifyPeerCertificate did not get crypto/x509's chains")
	}
}

// opaqueSigner is a key the engine cannot export: it only signs (an HSM, a KMS).
type opaqueSigner struct {
	key   crypto.Signer
	mu    sync.Mutex
	calls int
}

func (s *opaqueSigner) Public() crypto.PublicKey { return s.key.Public() }

func (s *opaqueSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return s.key.Sign(r, digest, opts)
}

func TestCryptoSignerKeysSignThroughTheEngine(t *testing.T) {
	for _, key := range []string{"server-p256", "server-p384", "server-rsa", "server-ed25519"} {
		for _, v := range versions {
			t.Run(key+"/"+v.name, func(t *testing.T) {
				cert := keyPair(t, key)
				signer := &opaqueSigner{key: cert.PrivateKey.(crypto.Signer)}
				cert.PrivateKey = signer
				scfg := &Config{Certificates: []tls.Certificate{cert}, MinVersion: v.v, MaxVersion: v.v, FixedTime: fixedNow}
				cerr, serr, c, _ := handshakeBoth(t, clientConfig(t, v.v), scfg)
				if cerr != nil || serr != nil {
					t.Fatal(cerr, serr)
				}
				if signer.calls != 1 {
					t.Fatalf("the signer was called %d times", signer.calls)
				}
				if c.ConnectionState().Version != v.v {
					t.Fatal("version")
				}
			})
		}
	}
	// Against crypto/tls as the client too, and as a client certificate.
	cert := keyPair(t, "client")
	cert.PrivateKey = &opaqueSigner{key: cert.PrivateKey.(*ecdsa.PrivateKey)}
	scfg := serverConfig(t, "server-p256", 0)
	scfg.ClientAuth = tls.RequireAndVerifyClientCert
	scfg.ClientRoots = testCAs(t)
	ccfg := clientConfig(t, 0)
	ccfg.Certificates = []tls.Certificate{cert}
	if cerr, serr, _, _ := handshakeBoth(t, ccfg, scfg); cerr != nil || serr != nil {
		t.Fatal(cerr, serr)
	}
}

func TestKeyLogWriter(t *testing.T) {
	for _, v := range versions {
		var log bytes.Buffer
		ccfg := clientConfig(t, v.v)
		ccfg.KeyLogWriter = &log
		if cerr, serr, _, _ := handshakeBoth(t, ccfg, serverConfig(t, "server-p256", v.v)); cerr != nil || serr != nil {
			t.Fatal(cerr, serr)
		}
		labels := map[string]bool{}
		sc := bufio.NewScanner(&log)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || len(f[1]) != 64 {
				t.Fatalf("%s: not an NSS key log line: %q", v.name, sc.Text())
			}
			labels[f[0]] = true
		}
		want := []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
			"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}
		if v.v == VersionTLS12 {
			want = []string{"CLIENT_RANDOM"}
		}
		for _, w := range want {
			if !labels[w] {
				t.Fatalf("%s: no %s line in %v", v.name, w, labels)
			}
		}
	}
}
