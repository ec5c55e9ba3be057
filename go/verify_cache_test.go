package tlsm

// The verification cache through the Go API (issue 18): a client Config that connects
// again answers the chain's certificate signatures from its cache, counted by
// VerifyCacheStats; a negative VerifyCacheSize turns it off; an out-of-range size fails.

import (
	"strings"
	"testing"
)

func TestVerifyCacheSecondHandshakeHits(t *testing.T) {
	for _, v := range []uint16{VersionTLS13, VersionTLS12} {
		ccfg, scfg := clientConfig(t, v), serverConfig(t, "server-p256", v)
		ccfg.SessionTicketsDisabled = true
		if st := ccfg.VerifyCacheStats(false); st != (VerifyCacheStats{}) {
			t.Fatalf("%s: counters before first use: %+v", versionName(v), st)
		}
		if err := newPair(t, ccfg, scfg).handshake(); err != nil {
			t.Fatal(err)
		}
		first := ccfg.VerifyCacheStats(false)
		if first.Misses == 0 || first.Hits != 0 || first.Entries != first.Misses || first.Capacity != 256 {
			t.Fatalf("%s: after the first handshake: %+v", versionName(v), first)
		}
		if err := newPair(t, ccfg, scfg).handshake(); err != nil {
			t.Fatal(err)
		}
		// The same chain again: every certificate signature is a hit, none verified anew.
		second := ccfg.VerifyCacheStats(false)
		if second.Hits != first.Misses || second.Misses != first.Misses {
			t.Fatalf("%s: after the second handshake: %+v (first %+v)", versionName(v), second, first)
		}
	}
}

func TestVerifyCacheOffAndBounds(t *testing.T) {
	ccfg, scfg := clientConfig(t, VersionTLS13), serverConfig(t, "server-p256", VersionTLS13)
	ccfg.VerifyCacheSize = -1
	for i := 0; i < 2; i++ {
		if err := newPair(t, ccfg, scfg).handshake(); err != nil {
			t.Fatal(err)
		}
	}
	if st := ccfg.VerifyCacheStats(false); st.Hits != 0 || st.Entries != 0 || st.Capacity != 0 {
		t.Fatalf("cache off: %+v", st)
	}
	big := clientConfig(t, VersionTLS13)
	big.VerifyCacheSize = 1<<20 + 1
	if _, err := NewClientEngine(big); err == nil || !strings.Contains(err.Error(), "VerifyCacheSize") {
		t.Fatalf("VerifyCacheSize beyond the maximum: %v", err)
	}
}
