package tlsm

import (
	"bytes"
	"encoding/pem"
	"errors"
	"testing"
	"time"
)

func pemDER(t *testing.T, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(pkiFile(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	return b.Bytes
}

func TestVerifyChainGood(t *testing.T) {
	leaf, inter, root := pemDER(t, "server-p256.crt"), pemDER(t, "intermediate.crt"), pemDER(t, "ca.crt")
	for _, name := range []string{"localhost", "server.tlsm.test", "127.0.0.1", "::1", ""} {
		v, err := VerifyChain([][]byte{leaf, inter}, VerifyOptions{Roots: testCAs(t), Name: name, CurrentTime: fixedNow})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if !v.Time.Equal(fixedNow) || len(v.Path) != 3 {
			t.Fatalf("%q: %+v", name, v)
		}
		want := []PathCert{{0, -1, leaf}, {1, -1, inter}, {-1, 0, root}}
		for i, w := range want {
			if g := v.Path[i]; g.Input != w.Input || g.Anchor != w.Anchor || !bytes.Equal(g.Raw, w.Raw) {
				t.Fatalf("%q: path[%d] = {%d %d}, want {%d %d}", name, i, g.Input, g.Anchor, w.Input, w.Anchor)
			}
		}
	}
	// Intermediates in any order, extras allowed; a client certificate for the client purpose.
	v, err := VerifyChain([][]byte{leaf, pemDER(t, "server-rsa.crt"), inter},
		VerifyOptions{Roots: testCAs(t), Name: "localhost", CurrentTime: fixedNow})
	if err != nil || v.Path[1].Input != 2 {
		t.Fatalf("%v %+v", err, v)
	}
	if _, err := VerifyChain([][]byte{pemDER(t, "client.crt"), inter},
		VerifyOptions{Roots: testCAs(t), Purpose: PurposeClient, CurrentTime: fixedNow}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyChainFailures(t *testing.T) {
	leaf, inter := pemDER(t, "server-p256.crt"), pemDER(t, "intermediate.crt")
	badSig := append([]byte(nil), inter...)
	badSig[len(badSig)-1] ^= 1
	opts := func(f func(*VerifyOptions)) VerifyOptions {
		o := VerifyOptions{Roots: testCAs(t), Name: "localhost", CurrentTime: fixedNow}
		if f != nil {
			f(&o)
		}
		return o
	}
	cases := []struct {
		name  string
		certs [][]byte
		opts  VerifyOptions
		want  error
		fault int
	}{
		{"name mismatch", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.Name = "example.com" }), ErrCertNameMismatch, 0},
		{"no intermediate", [][]byte{leaf}, opts(nil), ErrCertUnknownIssuer, 0},
		{"server cert as client", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.Purpose, o.Name = PurposeClient, "" }), ErrCertUsage, 0},
		{"client cert as server", [][]byte{pemDER(t, "client.crt"), inter}, opts(func(o *VerifyOptions) { o.Name = "" }), ErrCertUsage, 0},
		{"not yet valid", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.CurrentTime = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC) }), ErrCertNotYetValid, -100},
		{"expired", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.CurrentTime = time.Date(2130, 1, 1, 0, 0, 0, 0, time.UTC) }), ErrCertExpired, -100},
		{"depth", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.MaxDepth = 2 }), ErrCertPathLen, -100},
		{"signature", [][]byte{leaf, badSig}, opts(nil), ErrCertSignature, 1},
		{"garbage", [][]byte{leaf, []byte("not a certificate")}, opts(nil), ErrCertParse, 1},
		{"no certificates", nil, opts(nil), ErrNoCert, FaultNone},
		{"no anchors", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.Roots = NewCertPool() }), ErrCertNoTrust, FaultNone},
		{"bad purpose", [][]byte{leaf, inter}, opts(func(o *VerifyOptions) { o.Purpose = 7 }), ErrArg, FaultNone},
	}
	for _, tc := range cases {
		v, err := VerifyChain(tc.certs, tc.opts)
		if v != nil || !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			continue
		}
		var ve *VerifyError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %T is not a *VerifyError", tc.name, err)
			continue
		}
		if tc.fault != -100 && ve.Fault != tc.fault {
			t.Errorf("%s: fault %d, want %d (%v)", tc.name, ve.Fault, tc.fault, err)
		}
	}
}

// The handshake reports the reason VerifyChain gives for the same chain, name and time.
func TestVerifyChainSameVerdictAsHandshake(t *testing.T) {
	leaf, inter := pemDER(t, "server-p256.crt"), pemDER(t, "intermediate.crt")
	for _, tc := range []struct {
		name string
		at   time.Time
	}{{"localhost", fixedNow}, {"wrong.test", fixedNow}, {"localhost", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		_, verr := VerifyChain([][]byte{leaf, inter}, VerifyOptions{Roots: testCAs(t), Name: tc.name, CurrentTime: tc.at})
		cc := clientConfig(t, VersionTLS13)
		cc.ServerName, cc.FixedTime = tc.name, tc.at
		sc := serverConfig(t, "server-p256", VersionTLS13)
		sc.FixedTime = tc.at
		p := newPair(t, cc, sc)
		_ = p.handshake()
		herr := p.client.Err()
		if (verr == nil) != (herr == nil) {
			t.Fatalf("%s %v: VerifyChain %v, handshake %v", tc.name, tc.at, verr, herr)
		}
		var ve *VerifyError
		var he *Error
		if verr != nil && (!errors.As(verr, &ve) || !errors.As(herr, &he) || he.Verify != ve.Err.Code) {
			t.Fatalf("%s %v: VerifyChain %v, handshake %v", tc.name, tc.at, verr, herr)
		}
	}
}
