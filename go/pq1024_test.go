// pq1024_test.go: the ML-KEM-1024 groups, which tlsm offers only when configured.
// SecP384r1MLKEM1024 (draft-ietf-tls-ecdhe-mlkem) against Go's crypto/tls in both roles:
// crypto/tls implements it from Go 1.26 (older toolchains skip, visibly; GODEBUG
// tlssecpmlkem=1 because go.mod's Go version predates it). Pure MLKEM1024
// (draft-ietf-tls-mlkem) is not in crypto/tls, so it runs between two tlsm ends here.
package tlsm

import (
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// goMinor is the minor version of the running Go (26 for go1.26.x), 0 if unknown.
func goMinor() int {
	v := strings.TrimPrefix(runtime.Version(), "go1.")
	if i := strings.IndexAny(v, ".rc-b "); i >= 0 {
		v = v[:i]
	}
	n, _ := strconv.Atoi(v)
	return n
}

// pqServe runs a tlsm echo server on one end of a pipe and returns the other end and a
// channel with the server's state once the client has closed.
func pqServe(t *testing.T, cfg *Config) (net.Conn, chan ConnectionState) {
	a, b := net.Pipe()
	s := Server(b, cfg)
	states := make(chan ConnectionState, 1)
	go func() {
		defer s.Close()
		if _, err := io.Copy(s, s); err != nil {
			t.Errorf("tlsm server: %v", err)
		}
		states <- s.ConnectionState()
	}()
	return a, states
}

func TestSecP384r1MLKEM1024WithCryptoTLS(t *testing.T) {
	if goMinor() < 26 {
		t.Skipf("%s: crypto/tls has SecP384r1MLKEM1024 from Go 1.26", runtime.Version())
	}
	// go.mod's "go 1.24" keeps crypto/tls at its pre-1.26 defaults, without the SecP*
	// hybrids even when configured; the setting turns them on (read again on change).
	t.Setenv("GODEBUG", "tlssecpmlkem=1")
	only := []tls.CurveID{SecP384r1MLKEM1024}
	t.Run("tlsm-client", func(t *testing.T) {
		a, b := net.Pipe()
		gcfg := goServerConfig(t, "server-p256", VersionTLS13)
		gcfg.CurvePreferences = only
		done := goEcho(tls.Server(b, gcfg))
		cfg := clientConfig(t, VersionTLS13)
		cfg.CurvePreferences = only
		c := Client(a, cfg)
		roundTrip(t, c, "hello ML-KEM-1024")
		st := c.ConnectionState()
		if st.CurveID != SecP384r1MLKEM1024 || st.HelloRetryRequest {
			t.Fatalf("tlsm client: group %v, HRR %v", st.CurveID, st.HelloRetryRequest)
		}
		c.Close()
		if res := <-done; res.err != nil {
			t.Fatalf("crypto/tls server: %v", res.err)
		}
	})
	t.Run("go-client", func(t *testing.T) {
		cfg := serverConfig(t, "server-p256", VersionTLS13)
		cfg.CurvePreferences = only
		a, states := pqServe(t, cfg)
		gcfg := goClientConfig(t, VersionTLS13)
		gcfg.CurvePreferences = only
		c := tls.Client(a, gcfg)
		roundTrip(t, c, "hello ML-KEM-1024")
		// crypto/tls reports its group only from Go 1.25 (ConnectionState.CurveID) and the
		// module says go 1.24: the tlsm server's state below names the group.
		c.Close()
		if st := <-states; st.CurveID != SecP384r1MLKEM1024 || st.HelloRetryRequest {
			t.Fatalf("tlsm server: group %v, HRR %v", st.CurveID, st.HelloRetryRequest)
		}
	})
}

func TestMLKEM1024BetweenTlsmEnds(t *testing.T) {
	only := []tls.CurveID{MLKEM1024}
	scfg := serverConfig(t, "server-p256", VersionTLS13)
	scfg.CurvePreferences = only
	a, states := pqServe(t, scfg)
	cfg := clientConfig(t, VersionTLS13)
	cfg.CurvePreferences = only
	c := Client(a, cfg)
	roundTrip(t, c, "hello ML-KEM-1024")
	if got := c.ConnectionState().CurveID; got != MLKEM1024 {
		t.Fatalf("tlsm client: group %v", got)
	}
	c.Close()
	if st := <-states; st.CurveID != MLKEM1024 {
		t.Fatalf("tlsm server: group %v", st.CurveID)
	}
}
