package tlsm

// A resumed connection reports the peer that the original handshake authenticated (issue
// 16 item 5): the client sees the server's whole chain and signature scheme again, the
// server the client's leaf and scheme, in TLS 1.3 (tickets) and TLS 1.2 (tickets and
// session ids), and again when the resumed connection's own session is resumed.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"testing"
)

// peerView is what an engine knows about its peer.
type peerView struct {
	chain  [][]byte
	scheme tls.SignatureScheme
}

func viewOf(e *Engine) peerView {
	return peerView{chain: e.RawPeerCertificates(), scheme: e.PeerSignatureScheme()}
}

// expectView fails unless e reports the scheme of want and its first n certificates.
func expectView(t *testing.T, who string, e *Engine, want peerView, n int) {
	t.Helper()
	got := viewOf(e)
	if got.scheme != want.scheme {
		t.Fatalf("%s: scheme %v, first handshake %v", who, got.scheme, want.scheme)
	}
	if len(got.chain) != n {
		t.Fatalf("%s: %d certificates, want %d", who, len(got.chain), n)
	}
	for i := range n {
		if !bytes.Equal(got.chain[i], want.chain[i]) {
			t.Fatalf("%s: certificate %d differs from the first handshake's", who, i)
		}
	}
	if n > 0 && !bytes.Equal(e.PeerCertificates()[0].Raw, want.chain[0]) {
		t.Fatalf("%s: parsed leaf differs", who)
	}
}

// handshakeVerifying runs p's handshake, answering the engines' EventVerifyPeer (crypto/x509
// verification) the way Conn does.
func handshakeVerifying(p *pair) error {
	for {
		if err := p.pump(); err != nil {
			return err
		}
		asked := false
		for _, e := range []*Engine{p.client, p.server} {
			if e.Status()&StatusBlocked == 0 {
				continue
			}
			asked = true
			if err := e.VerifyPeer(); err != nil {
				return err
			}
		}
		if !asked {
			return p.handshake()
		}
	}
}

// sameChain reports whether two verified chains hold the same certificates.
func sameChain(a, b []*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestResumedConnectionKeepsPeerIdentity(t *testing.T) {
	cases := []struct {
		name      string
		version   uint16
		noTickets bool // TLS 1.2: resume by session id
	}{
		{"TLS1.3-ticket", VersionTLS13, false},
		{"TLS1.2-ticket", VersionTLS12, false},
		{"TLS1.2-session-id", VersionTLS12, true},
	}
	for _, tc := range cases {
		// Peers verified by tlsm's verifier (Roots) or by crypto/x509 (RootCAs).
		for _, x509Verifier := range []bool{false, true} {
			name := tc.name + "/tlsm-verifier"
			if x509Verifier {
				name = tc.name + "/crypto-x509"
			}
			t.Run(name, func(t *testing.T) {
				scfg := serverConfig(t, "server-p256", tc.version)
				scfg.ClientAuth = tls.RequireAndVerifyClientCert
				scfg.SessionTicketsDisabled = tc.noTickets
				ccfg := clientConfig(t, tc.version)
				ccfg.Certificates = []tls.Certificate{keyPair(t, "client")}
				if x509Verifier {
					ccfg.Roots, ccfg.RootCAs, scfg.ClientCAs = nil, goCAs(t), goCAs(t)
				} else {
					scfg.ClientRoots = testCAs(t)
				}
				resumedKeepsIdentity(t, ccfg, scfg)
			})
		}
	}
}

func resumedKeepsIdentity(t *testing.T, ccfg, scfg *Config) {
	p := newPair(t, ccfg, scfg)
	if err := handshakeVerifying(p); err != nil {
		t.Fatal(err)
	}
	serverSeen, clientSeen := viewOf(p.client), viewOf(p.server)
	// The test PKI: each side sends its leaf and the intermediate.
	if len(serverSeen.chain) != 2 || len(clientSeen.chain) != 2 || serverSeen.scheme == 0 || clientSeen.scheme == 0 {
		t.Fatalf("first handshake: server chain %d, client chain %d, schemes %v %v",
			len(serverSeen.chain), len(clientSeen.chain), serverSeen.scheme, clientSeen.scheme)
	}
	if p.client.DidResume() || p.server.DidResume() {
		t.Fatal("the first handshake resumed")
	}
	verified := p.client.ConnectionState().VerifiedChains
	if len(verified) != 1 || len(verified[0]) != 3 {
		t.Fatalf("first handshake: verified chains %v", verified)
	}
	prev := p
	// The second round resumes the session the first resumed connection kept.
	for round := 1; round <= 2; round++ {
		blob, err := prev.client.Session()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		q := newPair(t, ccfg, scfg)
		if err := q.client.SetSession(blob); err != nil {
			t.Fatal(err)
		}
		if err := q.handshake(); err != nil { // nothing to verify when resuming
			t.Fatalf("round %d: %v", round, err)
		}
		if !q.client.DidResume() || !q.server.DidResume() {
			t.Fatalf("round %d: not resumed", round)
		}
		// The client keeps the server's whole chain, the server the client's leaf.
		expectView(t, "client", q.client, serverSeen, len(serverSeen.chain))
		expectView(t, "server", q.server, clientSeen, 1)
		st := q.client.ConnectionState()
		if !st.DidResume || len(st.PeerCertificates) != 2 || st.PeerSignatureScheme != serverSeen.scheme {
			t.Fatalf("round %d: ConnectionState resumed %v with %d certificates, scheme %v",
				round, st.DidResume, len(st.PeerCertificates), st.PeerSignatureScheme)
		}
		if len(st.VerifiedChains) != 1 || !sameChain(st.VerifiedChains[0], verified[0]) {
			t.Fatalf("round %d: verified chains %v, first handshake %v", round, st.VerifiedChains, verified)
		}
		prev = q
	}
}
