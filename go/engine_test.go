package tlsm

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	if v := Version(); !strings.HasPrefix(v, "0.") {
		t.Fatalf("Version() = %q", v)
	}
	if got := CipherSuiteName(tls.TLS_AES_128_GCM_SHA256); got != "TLS_AES_128_GCM_SHA256" {
		t.Fatalf("CipherSuiteName = %q", got)
	}
}

func TestEngineHandshake(t *testing.T) {
	for _, v := range versions {
		for _, key := range []string{"server-p256", "server-rsa", "server-ed25519", "server-p384"} {
			t.Run(v.name+"/"+key, func(t *testing.T) {
				scfg := serverConfig(t, key, v.v)
				scfg.NextProtos = []string{"h2", "http/1.1"}
				ccfg := clientConfig(t, v.v)
				ccfg.NextProtos = []string{"http/1.1"}
				p := newPair(t, ccfg, scfg)
				if _, err := p.client.Write([]byte("early")); !errors.Is(err, ErrState) {
					t.Fatalf("write before the handshake: %v, want ErrState", err)
				}
				if err := p.handshake(); err != nil {
					t.Fatal(err)
				}
				for _, e := range []*Engine{p.client, p.server} {
					st := e.ConnectionState()
					if st.Version != v.v || st.CipherSuite == 0 || !st.HandshakeComplete || st.DidResume {
						t.Fatalf("state %+v", st)
					}
					if st.NegotiatedProtocol != "http/1.1" {
						t.Fatalf("ALPN %q", st.NegotiatedProtocol)
					}
					if e.Status()&StatusCanWrite == 0 {
						t.Fatalf("status %#x lacks CanWrite", e.Status())
					}
				}
				if p.client.CipherSuite() != p.server.CipherSuite() || p.client.CurveID() != p.server.CurveID() {
					t.Fatal("the two sides disagree")
				}
				if got := p.server.ServerName(); got != "localhost" {
					t.Fatalf("SNI %q", got)
				}
				certs := p.client.PeerCertificates()
				if len(certs) != 2 || certs[0].Subject.CommonName != "server.tlsm.test" {
					t.Fatalf("peer certificates %v", certs)
				}
				if len(p.server.PeerCertificates()) != 0 {
					t.Fatal("server has client certificates without client auth")
				}
				if !hasEvent(drainEvents(p.client), EventHandshakeDone) || !hasEvent(drainEvents(p.server), EventHandshakeDone) {
					t.Fatal("no EventHandshakeDone")
				}

				msg := []byte("hello from the client")
				if n, err := p.client.Write(msg); err != nil || n != len(msg) {
					t.Fatalf("write: %d, %v", n, err)
				}
				if got := p.readAll(p.server, len(msg)); !bytes.Equal(got, msg) {
					t.Fatalf("server read %q", got)
				}
				reply := []byte("hello from the server")
				if _, err := p.server.Write(reply); err != nil {
					t.Fatal(err)
				}
				if got := p.readAll(p.client, len(reply)); !bytes.Equal(got, reply) {
					t.Fatalf("client read %q", got)
				}
			})
		}
	}
}

// A megabyte each way through the engines' bounded buffers: Write accepts what fits,
// Feed stops while plaintext waits.
func TestEngineBulkBackpressure(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			p := newPair(t, clientConfig(t, v.v), serverConfig(t, "server-p256", v.v))
			if err := p.handshake(); err != nil {
				t.Fatal(err)
			}
			data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
			var got []byte
			buf := make([]byte, 5000)
			sent, partial := 0, false
			for len(got) < len(data) {
				if sent < len(data) {
					n, err := p.client.Write(data[sent:])
					if err != nil {
						t.Fatal(err)
					}
					if n < len(data)-sent {
						partial = true
					}
					sent += n
				}
				if _, err := p.move(p.client, p.server, 0); err != nil {
					t.Fatal(err)
				}
				for {
					n, err := p.server.Read(buf)
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						break
					}
					got = append(got, buf[:n]...)
				}
			}
			if !bytes.Equal(got, data) {
				t.Fatal("data differs")
			}
			if !partial {
				t.Fatal("Write never pushed back on 1 MiB")
			}
		})
	}
}

func TestEngineDeterministic(t *testing.T) {
	run := func(seed string) [2][]byte {
		scfg := serverConfig(t, "server-ed25519", 0)
		scfg.RandSeed = []byte(seed)
		ccfg := clientConfig(t, 0)
		ccfg.RandSeed = []byte(seed)
		p := newPair(t, ccfg, scfg)
		if err := p.handshake(); err != nil {
			t.Fatal(err)
		}
		return p.wire
	}
	a, b, c := run("seed"), run("seed"), run("other")
	if !bytes.Equal(a[0], b[0]) || !bytes.Equal(a[1], b[1]) {
		t.Fatal("same seed, different bytes")
	}
	if bytes.Equal(a[0], c[0]) {
		t.Fatal("different seeds, same ClientHello")
	}
}

func TestEngineResumption(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			scfg := serverConfig(t, "server-p256", v.v)
			ccfg := clientConfig(t, v.v)
			p := newPair(t, ccfg, scfg)
			if err := p.handshake(); err != nil {
				t.Fatal(err)
			}
			// The TLS 1.3 NewSessionTicket follows the server's Finished; the pump
			// delivered it.
			if !hasEvent(drainEvents(p.client), EventNewTicket) {
				t.Fatal("no EventNewTicket")
			}
			blob, err := p.client.Session()
			if err != nil {
				t.Fatal(err)
			}
			if p.client.DidResume() {
				t.Fatal("first connection resumed")
			}

			q := newPair(t, ccfg, scfg)
			if err := q.client.SetSession(blob); err != nil {
				t.Fatal(err)
			}
			if err := q.handshake(); err != nil {
				t.Fatal(err)
			}
			if !q.client.DidResume() || !q.server.DidResume() {
				t.Fatal("second connection did not resume")
			}
			if q.client.Version() != v.v {
				t.Fatalf("version %#x", q.client.Version())
			}
			// A garbled blob is refused, not crashed on.
			r := newPair(t, ccfg, scfg)
			if err := r.client.SetSession([]byte("not a session")); err == nil {
				t.Fatal("garbage session accepted")
			}
		})
	}
}

func TestEngineKeyUpdate(t *testing.T) {
	p := newPair(t, clientConfig(t, VersionTLS13), serverConfig(t, "server-p256", VersionTLS13))
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	drainEvents(p.client)
	drainEvents(p.server)
	if err := p.client.KeyUpdate(true); err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.Write([]byte("after update")); err != nil {
		t.Fatal(err)
	}
	if got := p.readAll(p.server, 12); string(got) != "after update" {
		t.Fatalf("got %q", got)
	}
	if err := p.pump(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.server.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	if got := p.readAll(p.client, 4); string(got) != "pong" {
		t.Fatalf("got %q", got)
	}
	sawPeer := false
	for _, ev := range drainEvents(p.server) {
		if ev.Kind == EventKeyUpdated && ev.PeerKeyUpdate {
			sawPeer = true
		}
	}
	if !sawPeer {
		t.Fatal("server saw no peer KeyUpdate")
	}

	q := newPair(t, clientConfig(t, VersionTLS12), serverConfig(t, "server-p256", VersionTLS12))
	if err := q.handshake(); err != nil {
		t.Fatal(err)
	}
	if err := q.client.KeyUpdate(false); !errors.Is(err, ErrState) {
		t.Fatalf("KeyUpdate in TLS 1.2: %v, want ErrState", err)
	}
}

func TestEngineExporter(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			p := newPair(t, clientConfig(t, v.v), serverConfig(t, "server-p256", v.v))
			if _, err := p.client.ExportKeyingMaterial("EXPERIMENTAL x", nil, 32); !errors.Is(err, ErrState) {
				t.Fatalf("exporter before the handshake: %v", err)
			}
			if err := p.handshake(); err != nil {
				t.Fatal(err)
			}
			a, err := p.client.ExportKeyingMaterial("EXPERIMENTAL x", []byte("ctx"), 48)
			if err != nil {
				t.Fatal(err)
			}
			b, err := p.server.ExportKeyingMaterial("EXPERIMENTAL x", []byte("ctx"), 48)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) || len(a) != 48 {
				t.Fatal("client and server export different keys")
			}
			noCtx, _ := p.client.ExportKeyingMaterial("EXPERIMENTAL x", nil, 48)
			emptyCtx, _ := p.client.ExportKeyingMaterial("EXPERIMENTAL x", []byte{}, 48)
			if same := bytes.Equal(noCtx, emptyCtx); same != (v.v == VersionTLS13) {
				t.Fatalf("nil vs empty context equal = %v", same)
			}
		})
	}
}

func TestEngineCloseNotify(t *testing.T) {
	p := newPair(t, clientConfig(t, 0), serverConfig(t, "server-p256", 0))
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	if err := p.client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after CloseWrite: %v", err)
	}
	if err := p.pump(); err != nil {
		t.Fatal(err)
	}
	if n, err := p.server.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("server read after close_notify: %d, %v", n, err)
	}
	if !hasEvent(drainEvents(p.server), EventPeerClosed) {
		t.Fatal("no EventPeerClosed")
	}
	// Half-close: the server may still answer.
	if _, err := p.server.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	if got := p.readAll(p.client, 3); string(got) != "bye" {
		t.Fatalf("got %q", got)
	}
	if err := p.server.FeedEOF(); err != nil {
		t.Fatalf("EOF after close_notify: %v", err)
	}
}

func TestEngineTruncation(t *testing.T) {
	p := newPair(t, clientConfig(t, 0), serverConfig(t, "server-p256", 0))
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	err := p.server.FeedEOF()
	if !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("FeedEOF without close_notify: %v", err)
	}
	if _, rerr := p.server.Read(make([]byte, 1)); !errors.Is(rerr, ErrTruncated) {
		t.Fatalf("sticky error: %v", rerr)
	}
	if p.server.Status()&StatusError == 0 {
		t.Fatal("no StatusError")
	}
}

func TestEngineVerifyFailure(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name+"/unknown-issuer", func(t *testing.T) {
			ccfg := clientConfig(t, v.v)
			ccfg.Roots = otherCA(t)
			p := newPair(t, ccfg, serverConfig(t, "server-p256", v.v))
			err := p.handshake()
			if !errors.Is(p.client.Err(), ErrCertUnknownIssuer) || !errors.Is(p.client.Err(), AlertUnknownCA) {
				t.Fatalf("client error %v (pump: %v)", p.client.Err(), err)
			}
			var te *Error
			if !errors.As(p.client.Err(), &te) || !te.LocalAlert() || te.Verify != ErrCertUnknownIssuer.Code {
				t.Fatalf("client error %#v", te)
			}
			if !strings.Contains(te.Error(), "unknown issuer") || !strings.Contains(te.Error(), "unknown_ca") {
				t.Fatalf("message %q", te.Error())
			}
			serr := p.server.Err()
			if !errors.As(serr, &te) || !te.PeerAlert() || !errors.Is(serr, AlertUnknownCA) {
				t.Fatalf("server error %v", serr)
			}
		})
		t.Run(v.name+"/name-mismatch", func(t *testing.T) {
			ccfg := clientConfig(t, v.v)
			ccfg.ServerName = "other.example"
			p := newPair(t, ccfg, serverConfig(t, "server-p256", v.v))
			p.handshake()
			if !errors.Is(p.client.Err(), ErrCertNameMismatch) {
				t.Fatalf("client error %v", p.client.Err())
			}
			if p.client.Status()&StatusError == 0 {
				t.Fatal("no StatusError")
			}
		})
		t.Run(v.name+"/insecure", func(t *testing.T) {
			ccfg := clientConfig(t, v.v)
			ccfg.ServerName = "other.example"
			ccfg.InsecureSkipVerify = true
			ccfg.RootCAs = nil
			p := newPair(t, ccfg, serverConfig(t, "server-p256", v.v))
			if err := p.handshake(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestEngineALPNMismatch(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			scfg := serverConfig(t, "server-p256", v.v)
			scfg.NextProtos = []string{"h2"}
			ccfg := clientConfig(t, v.v)
			ccfg.NextProtos = []string{"http/1.1"}
			p := newPair(t, ccfg, scfg)
			p.handshake()
			if !errors.Is(p.server.Err(), AlertNoApplicationProtocol) {
				t.Fatalf("server: %v", p.server.Err())
			}
			var te *Error
			if !errors.As(p.client.Err(), &te) || !te.PeerAlert() || !errors.Is(te, AlertNoApplicationProtocol) {
				t.Fatalf("client: %v", p.client.Err())
			}
		})
	}
}

func TestEngineClientAuth(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			scfg := serverConfig(t, "server-p256", v.v)
			scfg.ClientAuth = tls.RequireAndVerifyClientCert
			scfg.ClientRoots = testCAs(t)
			ccfg := clientConfig(t, v.v)
			ccfg.Certificates = []tls.Certificate{keyPair(t, "client")}
			p := newPair(t, ccfg, scfg)
			if err := p.handshake(); err != nil {
				t.Fatal(err)
			}
			certs := p.server.PeerCertificates()
			if len(certs) == 0 || certs[0].Subject.CommonName != "client.tlsm.test" {
				t.Fatalf("client certificates %v", certs)
			}

			// Without a certificate the server refuses.
			q := newPair(t, clientConfig(t, v.v), scfg)
			q.handshake()
			if q.server.Err() == nil {
				t.Fatal("server accepted a client without a certificate")
			}
			if v.v == VersionTLS13 && !errors.Is(q.server.Err(), AlertCertificateRequired) {
				t.Fatalf("server error %v", q.server.Err())
			}
		})
	}
}

func TestEngineTrace(t *testing.T) {
	scfg := serverConfig(t, "server-p256", 0)
	scfg.Trace = true
	p := newPair(t, clientConfig(t, 0), scfg)
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range drainEvents(p.server) {
		if ev.Kind == EventMessageReceived && !ev.CCS {
			got = append(got, MessageName(ev.Message))
		}
	}
	if len(got) == 0 || got[0] != "ClientHello" {
		t.Fatalf("received messages %v", got)
	}
	if EventHandshakeDone.String() != "handshake_done" {
		t.Fatalf("event name %q", EventHandshakeDone.String())
	}
}

func TestEngineClose(t *testing.T) {
	e, err := NewClientEngine(clientConfig(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	if e.Status()&StatusHasOutput == 0 || len(e.Output()) == 0 {
		t.Fatal("no ClientHello")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := e.Feed([]byte{22, 3, 3}); err != ErrEngineClosed {
		t.Fatalf("Feed after Close: %v", err)
	}
	if e.Output() != nil || e.HandshakeComplete() || e.Version() != 0 {
		t.Fatal("closed engine reports state")
	}
}

func TestEngineGarbageInput(t *testing.T) {
	s, err := NewServerEngine(serverConfig(t, "server-p256", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Feed([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if err == nil {
		t.Fatal("HTTP accepted as TLS")
	}
	if s.OutputLen() == 0 {
		t.Fatal("no alert queued")
	}
	if _, err2 := s.Feed([]byte{1}); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("error not sticky: %v then %v", err, err2)
	}
}

func TestConfigErrors(t *testing.T) {
	cert := keyPair(t, "server-p256")
	noKey := tls.Certificate{Certificate: cert.Certificate}
	bad := []struct {
		cfg    *Config
		server bool
		want   string // the whole message: the field, the bad value once, what is wrong
		value  string
	}{
		{&Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}, false,
			"tlsm: MaxVersion: TLS 1.1 is not supported (tlsm speaks TLS 1.2 and 1.3)", "TLS 1.1"},
		{&Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}, false,
			"tlsm: MinVersion: TLS 1.0 is not supported (tlsm speaks TLS 1.2 and 1.3)", "TLS 1.0"},
		{&Config{InsecureSkipVerify: true, MinVersion: VersionTLS13, MaxVersion: VersionTLS12}, false,
			"tlsm: MinVersion TLS 1.3 is above MaxVersion TLS 1.2", "TLS 1.3"},
		{&Config{InsecureSkipVerify: true, CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA}}, false,
			"tlsm: CipherSuites: unsupported cipher suite TLS_RSA_WITH_RC4_128_SHA", "RC4"},
		{&Config{InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{0x0202}}, false,
			"tlsm: CurvePreferences: unsupported group CurveID(514)", "CurveID(514)"},
		{&Config{InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{tls.CurveP521}}, false,
			"tlsm: CurvePreferences: unsupported group CurveP521", "CurveP521"},
		{&Config{InsecureSkipVerify: true, NextProtos: []string{""}}, false,
			`tlsm: NextProtos: "" is not 1 to 255 bytes long`, `""`},
		{&Config{ServerName: "x", Roots: NewCertPool(), RootCAs: goCAs(t)}, false,
			"tlsm: RootCAs and Roots are both set: peers are verified by crypto/x509 or by tlsm, not both", "RootCAs"},
		{&Config{}, true, "tlsm: a server Config needs an identity: set Certificates", "Certificates"},
		{&Config{Certificates: []tls.Certificate{cert}, ClientAuth: 99}, true, "tlsm: ClientAuth: unknown value 99", "99"},
		{&Config{Certificates: []tls.Certificate{noKey}}, true, "tlsm: Certificates[0]: no private key", "Certificates[0]"},
	}
	for _, b := range bad {
		var err error
		if b.server {
			_, err = NewServerEngine(b.cfg)
		} else {
			_, err = NewClientEngine(b.cfg)
		}
		if err == nil {
			t.Errorf("%q: accepted", b.want)
			continue
		}
		msg := err.Error()
		if msg != b.want {
			t.Errorf("got  %q\nwant %q", msg, b.want)
		}
		if strings.Count(msg, b.value) != 1 || strings.Count(msg, "tlsm:") != 1 {
			t.Errorf("%q: the value %q or the prefix is not there exactly once", msg, b.value)
		}
		if !strings.Contains(b.want, "Certificates[0]") && !errors.Is(err, ErrArg) {
			t.Errorf("%q does not match ErrArg", msg)
		}
	}
	if _, err := NewClientEngine(&Config{Roots: NewCertPool()}); err == nil {
		t.Error("a verifying client without a server name accepted")
	}
	// Suites without TLS 1.3 ones keep TLS 1.3 on.
	cfg := clientConfig(t, 0)
	cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
	p := newPair(t, cfg, serverConfig(t, "server-p256", 0))
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	if p.client.Version() != VersionTLS13 {
		t.Fatalf("version %#x", p.client.Version())
	}
	cfg12 := clientConfig(t, VersionTLS12)
	cfg12.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
	q := newPair(t, cfg12, serverConfig(t, "server-p256", 0))
	if err := q.handshake(); err != nil {
		t.Fatal(err)
	}
	if q.client.CipherSuite() != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Fatalf("suite %s", CipherSuiteName(q.client.CipherSuite()))
	}
}
