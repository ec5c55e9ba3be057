package tlsm

import (
	"crypto/aes"
	"crypto/cipher"
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

// BenchmarkBulk is the bulk transfer figure: 16 KiB writes (one full record each) with
// AES-128-GCM, tlsm next to crypto/tls in the same run, each talking to itself over
// net.Pipe. The cipher suite is checked on both sides: TLS_AES_128_GCM_SHA256 in TLS 1.3,
// ECDHE-ECDSA with AES-128-GCM in TLS 1.2.
func BenchmarkBulk(b *testing.B) {
	const chunk = 16 << 10
	for _, v := range versions {
		suite := tls.TLS_AES_128_GCM_SHA256
		if v.v == VersionTLS12 {
			suite = tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
		}
		b.Run("tlsm/"+v.name, func(b *testing.B) {
			scfg, ccfg := serverConfig(b, "server-p256", v.v), clientConfig(b, v.v)
			ccfg.CipherSuites = []uint16{suite}
			ca, sa := net.Pipe()
			c := Client(ca, ccfg)
			benchBulk(b, Server(sa, scfg), c, chunk, func() uint16 { return c.ConnectionState().CipherSuite }, suite)
		})
		b.Run("crypto-tls/"+v.name, func(b *testing.B) {
			scfg, ccfg := goServerConfig(b, "server-p256", v.v), goClientConfig(b, v.v)
			ccfg.CipherSuites = []uint16{suite} // TLS 1.3 ignores it: AES-128-GCM is checked below
			ca, sa := net.Pipe()
			c := tls.Client(ca, ccfg)
			benchBulk(b, tls.Server(sa, scfg), c, chunk, func() uint16 { return c.ConnectionState().CipherSuite }, suite)
		})
	}
}

func benchBulk(b *testing.B, s, c handshaker, chunk int, negotiated func() uint16, suite uint16) {
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, s)
		done <- err
	}()
	if err := c.Handshake(); err != nil {
		b.Fatal(err)
	}
	if got := negotiated(); got != suite {
		b.Fatalf("negotiated %s, want %s", tls.CipherSuiteName(got), tls.CipherSuiteName(suite))
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

// BenchmarkRecordSeal is the record layer alone, no transport: one 16 KiB record sealed
// with AES-128-GCM by the engine (Write, then the ciphertext taken with AppendOutput)
// next to crypto/cipher's AES-128-GCM Seal of the same size. It shows how much of
// BenchmarkBulk is the AEAD itself (Nettle's GCM in the core, Go's assembly in crypto/tls).
func BenchmarkRecordSeal(b *testing.B) {
	const chunk = 16 << 10
	b.Run("tlsm-engine", func(b *testing.B) {
		ccfg := clientConfig(b, VersionTLS13)
		ccfg.CipherSuites = []uint16{tls.TLS_AES_128_GCM_SHA256}
		p := newPair(b, ccfg, serverConfig(b, "server-p256", VersionTLS13))
		if err := p.handshake(); err != nil {
			b.Fatal(err)
		}
		buf, out := make([]byte, chunk), make([]byte, 0, chunk+64)
		b.SetBytes(chunk)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if n, err := p.client.Write(buf); err != nil || n != chunk {
				b.Fatal(n, err)
			}
			out = p.client.AppendOutput(out[:0])
		}
	})
	b.Run("crypto-cipher", func(b *testing.B) {
		block, err := aes.NewCipher(make([]byte, 16))
		if err != nil {
			b.Fatal(err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			b.Fatal(err)
		}
		buf, out, nonce := make([]byte, chunk), make([]byte, 0, chunk+64), make([]byte, 12)
		b.SetBytes(chunk)
		for i := 0; i < b.N; i++ {
			out = aead.Seal(out[:0], nonce, buf, nonce[:5])
		}
	})
}
