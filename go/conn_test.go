package tlsm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// transports give two connected net.Conns: a synchronous in-memory pipe and TCP on
// 127.0.0.1.
var transports = []struct {
	name string
	make func(t testing.TB) (net.Conn, net.Conn)
}{
	{"pipe", func(t testing.TB) (net.Conn, net.Conn) { return net.Pipe() }},
	{"tcp", tcpPair},
}

func tcpPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	if b == nil {
		t.Fatal("accept failed")
	}
	return a, b
}

// goEcho serves one crypto/tls connection: echoes until EOF, then closes. The result
// (handshake state or error) arrives on the channel.
type goResult struct {
	state tls.ConnectionState
	err   error
}

func goEcho(conn *tls.Conn) chan goResult {
	done := make(chan goResult, 1)
	go func() {
		defer conn.Close()
		if err := conn.Handshake(); err != nil {
			done <- goResult{err: err}
			return
		}
		_, err := io.Copy(conn, conn)
		done <- goResult{state: conn.ConnectionState(), err: err}
	}()
	return done
}

// roundTrip writes msg on c and reads it back.
func roundTrip(t testing.TB, c net.Conn, msg string) {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read: %v", err)
	}
	if string(buf) != msg {
		t.Fatalf("echo %q, want %q", buf, msg)
	}
}

func TestInteropClientAgainstCryptoTLS(t *testing.T) {
	for _, tr := range transports {
		for _, v := range versions {
			for _, key := range []string{"server-p256", "server-rsa", "server-ed25519"} {
				t.Run(tr.name+"/"+v.name+"/"+key, func(t *testing.T) {
					a, b := tr.make(t)
					gcfg := goServerConfig(t, key, v.v)
					gcfg.NextProtos = []string{"h2", "http/1.1"}
					done := goEcho(tls.Server(b, gcfg))
					cfg := clientConfig(t, v.v)
					cfg.NextProtos = []string{"http/1.1"}
					c := Client(a, cfg)
					roundTrip(t, c, "hello crypto/tls")
					st := c.ConnectionState()
					if st.Version != v.v || !st.HandshakeComplete || st.NegotiatedProtocol != "http/1.1" {
						t.Fatalf("state %+v", st)
					}
					if len(st.PeerCertificates) != 2 || st.PeerCertificates[0].Subject.CommonName != "server.tlsm.test" {
						t.Fatalf("peer certificates %v", st.PeerCertificates)
					}
					if err := c.Close(); err != nil {
						t.Fatal(err)
					}
					res := <-done
					if res.err != nil {
						t.Fatalf("crypto/tls server: %v", res.err)
					}
					if res.state.CipherSuite != st.CipherSuite || res.state.ServerName != "localhost" {
						t.Fatalf("crypto/tls saw %+v", res.state)
					}
				})
			}
		}
	}
}

func TestInteropServerAgainstCryptoTLS(t *testing.T) {
	for _, tr := range transports {
		for _, v := range versions {
			for _, key := range []string{"server-p256", "server-rsa", "server-ed25519"} {
				t.Run(tr.name+"/"+v.name+"/"+key, func(t *testing.T) {
					a, b := tr.make(t)
					scfg := serverConfig(t, key, v.v)
					scfg.NextProtos = []string{"h2"}
					s := Server(b, scfg)
					errc := make(chan error, 1)
					go func() {
						defer s.Close()
						_, err := io.Copy(s, s)
						errc <- err
					}()
					gcfg := goClientConfig(t, v.v)
					gcfg.NextProtos = []string{"h2"}
					c := tls.Client(a, gcfg)
					roundTrip(t, c, "hello tlsm")
					gst := c.ConnectionState()
					if gst.Version != v.v || gst.NegotiatedProtocol != "h2" {
						t.Fatalf("crypto/tls state %+v", gst)
					}
					c.Close()
					if err := <-errc; err != nil {
						t.Fatalf("tlsm server: %v", err)
					}
					st := s.ConnectionState()
					if st.Version != v.v || st.CipherSuite != gst.CipherSuite || st.ServerName != "localhost" {
						t.Fatalf("tlsm state %+v", st)
					}
				})
			}
		}
	}
}

func TestInteropClientAuth(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name+"/tlsm-client", func(t *testing.T) {
			a, b := tcpPair(t)
			gcfg := goServerConfig(t, "server-p256", v.v)
			gcfg.ClientAuth = tls.RequireAndVerifyClientCert
			gcfg.ClientCAs = goCAs(t)
			done := goEcho(tls.Server(b, gcfg))
			cfg := clientConfig(t, v.v)
			cfg.Certificates = []tls.Certificate{keyPair(t, "client")}
			c := Client(a, cfg)
			roundTrip(t, c, "with a client certificate")
			c.Close()
			res := <-done
			if res.err != nil {
				t.Fatal(res.err)
			}
			if len(res.state.PeerCertificates) == 0 || res.state.PeerCertificates[0].Subject.CommonName != "client.tlsm.test" {
				t.Fatalf("crypto/tls saw client certificates %v", res.state.PeerCertificates)
			}
		})
		t.Run(v.name+"/tlsm-server", func(t *testing.T) {
			a, b := net.Pipe()
			scfg := serverConfig(t, "server-p256", v.v)
			scfg.ClientAuth = tls.RequireAndVerifyClientCert
			scfg.ClientRoots = testCAs(t)
			s := Server(b, scfg)
			errc := make(chan error, 1)
			go func() {
				defer s.Close()
				_, err := io.Copy(s, s)
				errc <- err
			}()
			gcfg := goClientConfig(t, v.v)
			gcfg.Certificates = []tls.Certificate{keyPair(t, "client")}
			c := tls.Client(a, gcfg)
			roundTrip(t, c, "with a client certificate")
			c.Close()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			certs := s.ConnectionState().PeerCertificates
			if len(certs) == 0 || certs[0].Subject.CommonName != "client.tlsm.test" {
				t.Fatalf("tlsm saw client certificates %v", certs)
			}
		})
		t.Run(v.name+"/tlsm-server-refuses", func(t *testing.T) {
			a, b := net.Pipe()
			scfg := serverConfig(t, "server-p256", v.v)
			scfg.ClientAuth = tls.RequireAndVerifyClientCert
			scfg.ClientRoots = testCAs(t)
			s := Server(b, scfg)
			errc := make(chan error, 1)
			go func() { errc <- s.Handshake(); s.Close() }()
			c := tls.Client(a, goClientConfig(t, v.v))
			// TLS 1.3 clients finish before the server judges them: the refusal shows on read.
			_, cerr := c.Read(make([]byte, 1))
			if herr := c.Handshake(); herr != nil {
				cerr = herr
			}
			c.Close()
			if err := <-errc; err == nil {
				t.Fatal("tlsm server accepted a client without a certificate")
			}
			if cerr == nil {
				t.Fatal("crypto/tls client saw no error")
			}
		})
	}
}

func TestInteropResumption(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name+"/tlsm-client", func(t *testing.T) {
			gcfg := goServerConfig(t, "server-p256", v.v)
			cfg := clientConfig(t, v.v)
			cfg.ClientSessionCache = NewLRUSessionCache(4)
			for i, wantResume := range []bool{false, true, true} {
				a, b := tcpPair(t)
				done := goEcho(tls.Server(b, gcfg))
				c := Client(a, cfg)
				roundTrip(t, c, "resume?") // reading picks up the TLS 1.3 ticket
				if got := c.ConnectionState().DidResume; got != wantResume {
					t.Fatalf("connection %d: DidResume = %v", i, got)
				}
				c.Close()
				if res := <-done; res.err != nil || res.state.DidResume != wantResume {
					t.Fatalf("connection %d: crypto/tls %v, resumed %v", i, res.err, res.state.DidResume)
				}
			}
		})
		t.Run(v.name+"/tlsm-server", func(t *testing.T) {
			scfg := serverConfig(t, "server-p256", v.v)
			gcfg := goClientConfig(t, v.v)
			gcfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			for i, wantResume := range []bool{false, true} {
				a, b := tcpPair(t)
				s := Server(b, scfg)
				errc := make(chan error, 1)
				go func() {
					defer s.Close()
					_, err := io.Copy(s, s)
					errc <- err
				}()
				c := tls.Client(a, gcfg)
				roundTrip(t, c, "resume?")
				if got := c.ConnectionState().DidResume; got != wantResume {
					t.Fatalf("connection %d: crypto/tls DidResume = %v", i, got)
				}
				c.Close()
				if err := <-errc; err != nil {
					t.Fatal(err)
				}
				if got := s.ConnectionState().DidResume; got != wantResume {
					t.Fatalf("connection %d: tlsm DidResume = %v", i, got)
				}
			}
		})
		// Explicit export and import of a session into a second connection.
		t.Run(v.name+"/session-blob", func(t *testing.T) {
			scfg := serverConfig(t, "server-ed25519", v.v)
			ccfg := clientConfig(t, v.v)
			var blob []byte
			for i := 0; i < 2; i++ {
				a, b := net.Pipe()
				s := Server(b, scfg)
				go func() { defer s.Close(); io.Copy(s, s) }()
				c := Client(a, ccfg)
				if blob != nil {
					if err := c.Handshake(); err != nil {
						t.Fatal(err)
					}
				}
				roundTrip(t, c, "x")
				if i == 1 && !c.ConnectionState().DidResume {
					t.Fatal("imported session not resumed")
				}
				var err error
				if blob, err = c.Session(); err != nil {
					t.Fatal(err)
				}
				c.Close()
				if i == 0 {
					// The next connection offers it: through a cache holding the blob.
					ccfg = clientConfig(t, v.v)
					ccfg.ClientSessionCache = NewLRUSessionCache(1)
					ccfg.ClientSessionCache.Put("localhost", blob)
				}
			}
		})
	}
}

// One goroutine writes 4 MiB while another reads the echo: the engine lock is never held
// across transport I/O, or the synchronous pipe deadlocks.
func TestConcurrentReadWrite(t *testing.T) {
	for _, tr := range transports {
		for _, v := range versions {
			t.Run(tr.name+"/"+v.name, func(t *testing.T) {
				a, b := tr.make(t)
				done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", v.v)))
				c := Client(a, clientConfig(t, v.v))
				defer c.Close()
				data := make([]byte, 4<<20)
				for i := range data {
					data[i] = byte(i * 7)
				}
				werr := make(chan error, 1)
				go func() {
					for off := 0; off < len(data); off += 100 << 10 {
						if _, err := c.Write(data[off:min(off+100<<10, len(data))]); err != nil {
							werr <- err
							return
						}
					}
					werr <- c.CloseWrite()
				}()
				got, err := io.ReadAll(c)
				if err != nil {
					t.Fatal(err)
				}
				if err := <-werr; err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("echoed %d bytes, differ", len(got))
				}
				if res := <-done; res.err != nil {
					t.Fatal(res.err)
				}
			})
		}
	}
}

// Over TCP: crypto/tls answers an update request from inside its Read, which over a
// synchronous pipe would wait for our Write to finish while our Write waits for it.
func TestKeyUpdateWithCryptoTLS(t *testing.T) {
	a, b := tcpPair(t)
	done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", VersionTLS13)))
	c := Client(a, clientConfig(t, VersionTLS13))
	roundTrip(t, c, "before")
	if err := c.KeyUpdate(true); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "after") // crypto/tls answered with its own KeyUpdate
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatal(res.err)
	}
}

func TestExporterMatchesCryptoTLS(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			a, b := net.Pipe()
			gc := tls.Client(a, goClientConfig(t, v.v))
			s := Server(b, serverConfig(t, "server-p256", v.v))
			go func() { defer s.Close(); io.Copy(s, s) }()
			roundTrip(t, gc, "x")
			gst := gc.ConnectionState()
			want, err := gst.ExportKeyingMaterial("EXPERIMENTAL tlsm", []byte("c"), 32)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.ExportKeyingMaterial("EXPERIMENTAL tlsm", []byte("c"), 32)
			if err != nil {
				t.Fatal(err)
			}
			gc.Close()
			if !bytes.Equal(got, want) {
				t.Fatal("exporters differ")
			}
		})
	}
}

func TestCloseWriteHalfClose(t *testing.T) {
	a, b := net.Pipe()
	srv := tls.Server(b, goServerConfig(t, "server-p256", 0))
	srvErr := make(chan error, 1)
	go func() {
		defer srv.Close()
		got, err := io.ReadAll(srv) // ends with the client's close_notify
		if err == nil && string(got) != "request" {
			err = fmt.Errorf("server got %q", got)
		}
		if err == nil {
			_, err = io.WriteString(srv, "response")
		}
		srvErr <- err
	}()
	c := Client(a, clientConfig(t, 0))
	if err := c.CloseWrite(); err == nil {
		t.Fatal("CloseWrite before the handshake accepted")
	}
	io.WriteString(c, "request")
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("more")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after CloseWrite: %v", err)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "response" {
		t.Fatalf("read %q, %v", got, err)
	}
	if err := <-srvErr; err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestTruncationIsAnError(t *testing.T) {
	a, b := net.Pipe()
	srv := tls.Server(b, goServerConfig(t, "server-p256", 0))
	go func() {
		srv.Handshake()
		io.WriteString(srv, "partial")
		b.Close() // no close_notify
	}()
	c := Client(a, clientConfig(t, 0))
	defer c.Close()
	got, err := io.ReadAll(c)
	if string(got) != "partial" || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("read %q, %v", got, err)
	}
}

func TestDeadlines(t *testing.T) {
	a, b := tcpPair(t)
	done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", 0)))
	c := Client(a, clientConfig(t, 0))
	defer c.Close()
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := c.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	roundTrip(t, c, "still usable")
	c.Close()
	<-done
}

func TestHandshakeContextCancel(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close() // nobody answers: the ClientHello write blocks
	c := Client(a, clientConfig(t, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.HandshakeContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("HandshakeContext: %v", err)
	}
	if err := c.Handshake(); err == nil {
		t.Fatal("handshake succeeded after the interrupted one")
	}
}

func TestVerifyErrorsWithCryptoTLS(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name+"/name-mismatch", func(t *testing.T) {
			a, b := net.Pipe()
			done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", v.v)))
			cfg := clientConfig(t, v.v)
			cfg.ServerName = "wrong.example"
			c := Client(a, cfg)
			err := c.Handshake()
			if !errors.Is(err, ErrCertNameMismatch) {
				t.Fatalf("handshake: %v", err)
			}
			if !strings.Contains(err.Error(), "host name mismatch") {
				t.Fatalf("message %q", err)
			}
			c.Close()
			if res := <-done; res.err == nil || !strings.Contains(res.err.Error(), "bad certificate") {
				t.Fatalf("crypto/tls server: %v", res.err)
			}
		})
		t.Run(v.name+"/unknown-ca", func(t *testing.T) {
			a, b := net.Pipe()
			done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", v.v)))
			cfg := clientConfig(t, v.v)
			cfg.Roots = otherCA(t)
			c := Client(a, cfg)
			if err := c.Handshake(); !errors.Is(err, ErrCertUnknownIssuer) || !errors.Is(err, AlertUnknownCA) {
				t.Fatalf("handshake: %v", err)
			}
			c.Close()
			if res := <-done; res.err == nil || !strings.Contains(res.err.Error(), "unknown certificate authority") {
				t.Fatalf("crypto/tls server: %v", res.err)
			}
		})
		t.Run(v.name+"/crypto-tls-rejects", func(t *testing.T) {
			a, b := net.Pipe()
			s := Server(b, serverConfig(t, "server-p256", v.v))
			errc := make(chan error, 1)
			go func() { errc <- s.Handshake(); s.Close() }()
			gcfg := goClientConfig(t, v.v)
			gcfg.RootCAs = x509.NewCertPool()
			c := tls.Client(a, gcfg)
			if err := c.Handshake(); err == nil {
				t.Fatal("crypto/tls accepted an unknown CA")
			}
			c.Close()
			err := <-errc
			var te *Error
			if !errors.As(err, &te) || !te.PeerAlert() || !errors.Is(err, AlertBadCertificate) {
				t.Fatalf("tlsm server: %v", err)
			}
		})
		t.Run(v.name+"/callback-rejects", func(t *testing.T) {
			a, b := net.Pipe()
			done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", v.v)))
			cfg := clientConfig(t, v.v)
			var seen int
			cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
				seen = len(raw)
				return errors.New("pinned key does not match")
			}
			c := Client(a, cfg)
			err := c.Handshake()
			if !errors.Is(err, ErrCertRejected) || !strings.Contains(err.Error(), "pinned key") || seen != 2 {
				t.Fatalf("handshake: %v (saw %d certificates)", err, seen)
			}
			c.Close()
			<-done
		})
		t.Run(v.name+"/callback-accepts", func(t *testing.T) {
			a, b := net.Pipe()
			done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", v.v)))
			cfg := clientConfig(t, v.v)
			cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error { return nil }
			c := Client(a, cfg)
			roundTrip(t, c, "ok")
			c.Close()
			<-done
		})
	}
}

func TestALPNMismatchWithCryptoTLS(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			a, b := net.Pipe()
			gcfg := goServerConfig(t, "server-p256", v.v)
			gcfg.NextProtos = []string{"h2"}
			done := goEcho(tls.Server(b, gcfg))
			cfg := clientConfig(t, v.v)
			// Not http/1.1: crypto/tls lets a client offering it fall back to no ALPN.
			cfg.NextProtos = []string{"spdy/3"}
			c := Client(a, cfg)
			err := c.Handshake()
			if !errors.Is(err, AlertNoApplicationProtocol) {
				t.Fatalf("handshake: %v", err)
			}
			c.Close()
			if res := <-done; res.err == nil {
				t.Fatal("crypto/tls server accepted")
			}
		})
	}
}

func TestListenDial(t *testing.T) {
	ln, err := Listen("tcp", "127.0.0.1:0", serverConfig(t, "server-ed25519", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 2; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	cfg := &Config{Roots: testCAs(t), FixedTime: fixedNow} // name from the address: 127.0.0.1
	c, err := Dial("tcp", ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, "dialed")
	if c.ConnectionState().Version != VersionTLS13 {
		t.Fatal("not TLS 1.3")
	}
	c.Close()
	d := &Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg}
	nc, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, nc, "dialer")
	nc.Close()
	wg.Wait()

	if _, err := Listen("tcp", "127.0.0.1:0", &Config{}); err == nil {
		t.Fatal("Listen without certificates accepted")
	}
}

func TestConnUseAfterClose(t *testing.T) {
	a, b := net.Pipe()
	done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", 0)))
	c := Client(a, clientConfig(t, 0))
	roundTrip(t, c, "x")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Fatal("write after Close")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close")
	}
	if c.ConnectionState().Version == 0 {
		t.Fatal("state lost after Close")
	}
}
