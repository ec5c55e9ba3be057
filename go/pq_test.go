// pq_test.go: the post-quantum hybrid X25519MLKEM768 (issue 19) against Go's crypto/tls
// with its default settings, both roles: tlsm's ConnectionState names the hybrid and no
// HelloRetryRequest happened; a Go client limited to X25519 still gets X25519 without a
// retry. (crypto/tls reports its group only from Go 1.25; go.mod asks for 1.24.)
package tlsm

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

func TestHybridWithCryptoTLSDefaults(t *testing.T) {
	t.Run("tlsm-client", func(t *testing.T) {
		a, b := net.Pipe()
		done := goEcho(tls.Server(b, goServerConfig(t, "server-p256", VersionTLS13)))
		c := Client(a, clientConfig(t, VersionTLS13))
		roundTrip(t, c, "hello hybrid")
		st := c.ConnectionState()
		if st.CurveID != tls.X25519MLKEM768 || st.HelloRetryRequest {
			t.Fatalf("tlsm client: group %v, HRR %v", st.CurveID, st.HelloRetryRequest)
		}
		c.Close()
		if res := <-done; res.err != nil {
			t.Fatalf("crypto/tls server: %v", res.err)
		}
	})
	for _, goCurves := range [][]tls.CurveID{nil, {tls.X25519}} {
		name := "go-client-default"
		want := tls.X25519MLKEM768
		if goCurves != nil {
			name, want = "go-client-x25519-only", tls.X25519
		}
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			s := Server(b, serverConfig(t, "server-p256", VersionTLS13))
			errc := make(chan error, 1)
			go func() {
				defer s.Close()
				_, err := io.Copy(s, s)
				errc <- err
			}()
			gcfg := goClientConfig(t, VersionTLS13)
			gcfg.CurvePreferences = goCurves
			c := tls.Client(a, gcfg)
			roundTrip(t, c, "hello hybrid")
			c.Close()
			if err := <-errc; err != nil {
				t.Fatalf("tlsm server: %v", err)
			}
			st := s.ConnectionState()
			if st.CurveID != want || st.HelloRetryRequest {
				t.Fatalf("tlsm %v (HRR %v), want %v", st.CurveID, st.HelloRetryRequest, want)
			}
		})
	}
}
