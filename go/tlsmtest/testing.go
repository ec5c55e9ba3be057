package tlsmtest

import (
	"testing"

	tlsm "tlsm.example/tlsm/go"
)

// An Option changes what New builds.
type Option func(*options)

type options struct {
	version        uint16
	client, server *tlsm.Config
	seed           uint64
	faults         []string
}

// Version pins the default configs to a protocol version (tlsm.VersionTLS12 or
// VersionTLS13). It has no effect on configs given with Configs.
func Version(v uint16) Option { return func(o *options) { o.version = v } }

// Configs makes the pair from these configs instead of DefaultConfigs; a nil one is
// replaced by its default.
func Configs(client, server *tlsm.Config) Option {
	return func(o *options) { o.client, o.server = client, server }
}

// Fault adds a fault (Pair.AddFault).
func Fault(spec string) Option { return func(o *options) { o.faults = append(o.faults, spec) } }

// Seed seeds the faults' randomness (Pair.Seed).
func Seed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// New builds a Pair for a test, failing the test (t.Fatal) if it cannot: the default
// configs over the committed test PKI unless Configs says otherwise. The pair is closed
// when the test ends; if the test failed, its ladder trace is logged first.
func New(t testing.TB, opts ...Option) *Pair {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil || o.server == nil {
		c, s, err := DefaultConfigs(o.version)
		if err != nil {
			t.Fatal(err)
		}
		if o.client == nil {
			o.client = c
		}
		if o.server == nil {
			o.server = s
		}
	}
	p, err := NewPair(o.client, o.server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		t.Helper()
		if t.Failed() && p.p != nil {
			t.Logf("tlsmtest: trace of the failed test's pair:\n%s", p.Trace(Ladder))
		}
		p.Close()
	})
	p.Seed(o.seed)
	for _, f := range o.faults {
		if err := p.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// Handshake runs the pair (Run) and fails the test unless both sides finished the
// handshake without an error.
func (p *Pair) Handshake(t testing.TB) {
	t.Helper()
	if err := p.Run(); err != nil {
		t.Fatalf("tlsmtest: handshake: %v", err)
	}
	for _, s := range []Side{Client, Server} {
		if r := p.Report(s); !r.HandshakeDone {
			t.Fatalf("tlsmtest: the %s did not finish the handshake (error %v)", s, r.Err)
		}
	}
}
