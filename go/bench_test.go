package tlsm

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// Benchmarks, tlsm next to crypto/tls; not run by the test command. Each side talks to
// itself over net.Pipe, so both pay the same transport cost:
//
//	go test -run '^$' -bench . -benchtime 2s
//
// EngineHandshake is the sans-IO engine alone, bytes copied in memory.

func BenchmarkHandshake(b *testing.B) {
	for _, v := range versions {
		b.Run("tlsm/"+v.name, func(b *testing.B) {
			scfg, ccfg := serverConfig(b, "server-p256", v.v), clientConfig(b, v.v)
			for i := 0; i < b.N; i++ {
				ca, sa := net.Pipe()
				s, c := Server(sa, scfg), Client(ca, ccfg)
				benchHandshake(b, s, c)
			}
		})
		b.Run("crypto-tls/"+v.name, func(b *testing.B) {
			scfg, ccfg := goServerConfig(b, "server-p256", v.v), goClientConfig(b, v.v)
			for i := 0; i < b.N; i++ {
				ca, sa := net.Pipe()
				s, c := tls.Server(sa, scfg), tls.Client(ca, ccfg)
				benchHandshake(b, s, c)
			}
		})
	}
}

type handshaker interface {
	net.Conn
	Handshake() error
	NetConn() net.Conn
}

func benchHandshake(b *testing.B, s, c handshaker) {
	errc := make(chan error, 1)
	go func() { errc <- s.Handshake() }()
	if err := c.Handshake(); err != nil {
		b.Fatal(err)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	c.NetConn().Close()
	s.NetConn().Close()
	c.Close() // frees the engine; close_notify fails fast on the closed pipe
	s.Close()
}

func BenchmarkEngineHandshake(b *testing.B) {
	for _, v := range versions {
		b.Run(v.name, func(b *testing.B) {
			scfg, ccfg := serverConfig(b, "server-p256", v.v), clientConfig(b, v.v)
			for i := 0; i < b.N; i++ {
				c, err := NewClientEngine(ccfg)
				if err != nil {
					b.Fatal(err)
				}
				s, err := NewServerEngine(scfg)
				if err != nil {
					b.Fatal(err)
				}
				p := &pair{t: b, client: c, server: s}
				if err := p.handshake(); err != nil {
					b.Fatal(err)
				}
				c.Close()
				s.Close()
			}
		})
	}
}

func BenchmarkBulk(b *testing.B) {
	const chunk = 64 << 10
	for _, v := range versions {
		b.Run("tlsm/"+v.name, func(b *testing.B) {
			ca, sa := net.Pipe()
			benchBulk(b, Server(sa, serverConfig(b, "server-p256", v.v)), Client(ca, clientConfig(b, v.v)), chunk)
		})
		b.Run("crypto-tls/"+v.name, func(b *testing.B) {
			ca, sa := net.Pipe()
			benchBulk(b, tls.Server(sa, goServerConfig(b, "server-p256", v.v)), tls.Client(ca, goClientConfig(b, v.v)), chunk)
		})
	}
}

func benchBulk(b *testing.B, s, c handshaker, chunk int) {
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, s)
		done <- err
	}()
	if err := c.Handshake(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, chunk)
	b.SetBytes(int64(chunk))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	s.Close()
}
