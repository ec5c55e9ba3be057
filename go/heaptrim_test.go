package tlsm

import (
	"testing"
	"time"
)

// waitTrims waits up to d for the count of trims to pass n.
func waitTrims(n int64, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if heapTrim.runs.Load() > n {
			return true
		}
	}
	return heapTrim.runs.Load() > n
}

func newServerEngines(t *testing.T, cfg *Config, n int) []*Engine {
	t.Helper()
	es := make([]*Engine, n)
	for i := range es {
		e, err := NewServerEngine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		es[i] = e
	}
	return es
}

// A wave of closed engines returns the C heap's free memory (heaptrim.go), and engines
// are counted in and out exactly once.
func TestHeapTrimAfterCloses(t *testing.T) {
	cfg := serverConfig(t, "server-p256", 0)
	live0 := heapTrim.live.Load()
	es := newServerEngines(t, cfg, 2*trimMinFreed)
	if got := heapTrim.live.Load() - live0; got != int64(len(es)) {
		t.Fatalf("live engines grew by %d, want %d", got, len(es))
	}
	runs := heapTrim.runs.Load()
	for _, e := range es {
		e.Close()
		e.Close() // a second Close frees nothing and counts nothing
	}
	if got := heapTrim.live.Load(); got != live0 {
		t.Fatalf("live engines %d after closing them all, want %d", got, live0)
	}
	if !waitTrims(runs, 3*time.Second) {
		t.Fatal("no trim after closing 128 engines")
	}
}

// A few closes while many engines stay live do not trim: a steady server trims once per
// turnover of its connections, not per close.
func TestHeapTrimNotPerClose(t *testing.T) {
	cfg := serverConfig(t, "server-p256", 0)
	held := newServerEngines(t, cfg, 4*trimMinFreed)
	defer func() {
		for _, e := range held {
			e.Close()
		}
	}()
	time.Sleep(2 * trimInterval) // a trim scheduled before this test has run
	runs := heapTrim.runs.Load()
	for _, e := range newServerEngines(t, cfg, 8) {
		e.Close()
	}
	if waitTrims(runs, 3*trimInterval) {
		t.Fatal("8 closes among 256 live engines trimmed the heap")
	}
}
