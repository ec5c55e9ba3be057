package tlsmtest_test

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/go/internal/header"
	"tlsm.example/tlsm/go/tlsmtest"
)

var versions = []struct {
	name string
	v    uint16
}{{"TLS1.2", tlsm.VersionTLS12}, {"TLS1.3", tlsm.VersionTLS13}}

func TestHandshakeAndData(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tc.v))
			p.Handshake(t)
			if err := p.Write(tlsmtest.Client, []byte("ping")); err != nil {
				t.Fatal(err)
			}
			if got := p.Read(tlsmtest.Server); string(got) != "ping" {
				t.Fatalf("server read %q", got)
			}
			if n := p.Buffered(tlsmtest.Server); n != 0 {
				t.Fatalf("Buffered after Read = %d", n)
			}
			big := bytes.Repeat([]byte("0123456789abcdef"), 3000) // several records
			if err := p.Write(tlsmtest.Server, big); err != nil {
				t.Fatal(err)
			}
			if got := p.Read(tlsmtest.Client); !bytes.Equal(got, big) {
				t.Fatalf("client read %d bytes, want %d", len(got), len(big))
			}
			if err := p.CloseNotify(tlsmtest.Client); err != nil {
				t.Fatal(err)
			}
			if err := p.EOF(tlsmtest.Client); err != nil {
				t.Fatalf("EOF after close_notify: %v", err)
			}
			c, s := p.Report(tlsmtest.Client), p.Report(tlsmtest.Server)
			for _, r := range []tlsmtest.Report{c, s} {
				if r.Err != nil || !r.HandshakeDone || r.Version != tc.v || r.CipherSuite == 0 ||
					r.CurveID == 0 || r.AlertSent != tlsmtest.NoAlert || r.AlertReceived != tlsmtest.NoAlert {
					t.Fatalf("report %+v", r)
				}
			}
			if !s.PeerClosed || c.PeerClosed {
				t.Fatalf("peer closed: client %v server %v", c.PeerClosed, s.PeerClosed)
			}
			if s.AppBytesReceived != 4 || c.AppBytesReceived != uint64(len(big)) {
				t.Fatalf("app bytes: client %d server %d", c.AppBytesReceived, s.AppBytesReceived)
			}
		})
	}
}

// A fault ends with the alert RFC 8446 / RFC 5246 ask for, seen from both sides: the side
// that detects the problem sends it, its peer receives it.
func TestFaultAlerts(t *testing.T) {
	cases := []struct {
		version  uint16
		spec     string
		detector tlsmtest.Side // sends the alert
		alert    tlsm.Alert
	}{
		// A changed byte in a protected record fails its AEAD tag (s.5.2 / s.6.2.3).
		{tlsm.VersionTLS13, "corrupt:-1@s2c:msg=Certificate", tlsmtest.Client, tlsm.AlertBadRecordMAC},
		{tlsm.VersionTLS13, "corrupt:-1@c2s:msg=Finished", tlsmtest.Server, tlsm.AlertBadRecordMAC},
		{tlsm.VersionTLS12, "corrupt:-1@s2c:msg=Finished", tlsmtest.Client, tlsm.AlertBadRecordMAC},
		{tlsm.VersionTLS12, "corrupt:-1@c2s:msg=Finished", tlsmtest.Server, tlsm.AlertBadRecordMAC},
		// A record missing from the stream: the next one arrives in the wrong state.
		{tlsm.VersionTLS13, "drop@s2c:msg=ServerHello", tlsmtest.Client, tlsm.AlertUnexpectedMessage},
		{tlsm.VersionTLS12, "drop@c2s:msg=ClientKeyExchange", tlsmtest.Server, tlsm.AlertUnexpectedMessage},
		// A second ChangeCipherSpec arrives protected in TLS 1.2 (RFC 5246 s.7.1).
		{tlsm.VersionTLS12, "dup@c2s:msg=ChangeCipherSpec", tlsmtest.Server, tlsm.AlertUnexpectedMessage},
	}
	for _, tc := range cases {
		name := map[uint16]string{tlsm.VersionTLS12: "TLS1.2", tlsm.VersionTLS13: "TLS1.3"}[tc.version]
		t.Run(name+"/"+tc.spec, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tc.version), tlsmtest.Fault(tc.spec))
			err := p.Run()
			if !errors.Is(err, tc.alert) {
				t.Fatalf("Run = %v, want alert %v", err, tc.alert)
			}
			var te *tlsm.Error
			if !errors.As(err, &te) || !te.LocalAlert() {
				t.Fatalf("Run = %v, want the detector's local alert first", err)
			}
			det, peer := p.Report(tc.detector), p.Report(1-tc.detector)
			if det.AlertSent != tc.alert || det.AlertReceived != tlsmtest.NoAlert {
				t.Fatalf("%s: sent %v received %v, want sent %v", tc.detector, det.AlertSent, det.AlertReceived, tc.alert)
			}
			if peer.AlertReceived != tc.alert || peer.AlertSent != tlsmtest.NoAlert {
				t.Fatalf("%s: sent %v received %v, want received %v", 1-tc.detector, peer.AlertSent, peer.AlertReceived, tc.alert)
			}
			var de, pe *tlsm.Error
			if !errors.As(det.Err, &de) || !de.LocalAlert() || !errors.Is(de, tc.alert) {
				t.Fatalf("%s error %v", tc.detector, det.Err)
			}
			if !errors.As(peer.Err, &pe) || !pe.PeerAlert() || !errors.Is(pe, tc.alert) {
				t.Fatalf("%s error %v", 1-tc.detector, peer.Err)
			}
			if !strings.Contains(p.Trace(tlsmtest.Ladder), "!! fault:") {
				t.Errorf("the ladder does not show the fault %q", tc.spec)
			}
		})
	}
}

// Faults TLS tolerates, and one that stalls the handshake until the stream ends.
func TestToleratedAndStalled(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tc.v), tlsmtest.Fault("fragment:1@c2s:all"),
				tlsmtest.Fault("delay:2@s2c"), tlsmtest.Fault("split:3@s2c:msg=ServerHello"))
			p.Handshake(t)
			if err := p.Write(tlsmtest.Client, []byte("fragmented")); err != nil {
				t.Fatal(err)
			}
			if got := p.Read(tlsmtest.Server); string(got) != "fragmented" {
				t.Fatalf("server read %q", got)
			}

			q := tlsmtest.New(t, tlsmtest.Version(tc.v), tlsmtest.Fault("drop@c2s:msg=Finished"))
			if err := q.Run(); err != nil {
				t.Fatalf("a dropped last record stalls without an error, got %v", err)
			}
			if q.Report(tlsmtest.Server).HandshakeDone {
				t.Fatal("the server finished without the client's Finished")
			}
			err := q.EOF(tlsmtest.Client)
			if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, tlsm.ErrTruncated) {
				t.Fatalf("EOF = %v, want truncation", err)
			}
		})
	}
}

func TestStepByStep(t *testing.T) {
	p := tlsmtest.New(t)
	steps := 0
	for {
		moved, err := p.Step()
		if err != nil {
			t.Fatal(err)
		}
		if !moved {
			break
		}
		steps++
		if steps == 1 && p.Report(tlsmtest.Client).HandshakeDone {
			t.Fatal("handshake done after the first flight")
		}
		if steps > 20 {
			t.Fatal("no end")
		}
	}
	// ClientHello; server flight; client Finished; ticket(s) back.
	if steps < 3 {
		t.Fatalf("%d steps", steps)
	}
	c, s := p.Report(tlsmtest.Client), p.Report(tlsmtest.Server)
	if !c.HandshakeDone || !s.HandshakeDone || c.Version != tlsm.VersionTLS13 {
		t.Fatalf("reports %+v %+v", c, s)
	}
	if moved, _ := p.Step(); moved {
		t.Fatal("an idle pair moved")
	}
	var sent []string
	for _, ev := range p.Events(tlsmtest.Client) {
		if ev.Kind == tlsm.EventMessageSent && !ev.CCS {
			sent = append(sent, tlsm.MessageName(ev.Message))
		}
	}
	if len(sent) < 2 || sent[0] != "ClientHello" || sent[len(sent)-1] != "Finished" {
		t.Fatalf("client sent %v", sent)
	}
	if p.Events(tlsmtest.Server)[0].Kind != tlsm.EventMessageReceived {
		t.Fatal("the server's first event is not the ClientHello received")
	}
}

func TestMisuse(t *testing.T) {
	p := tlsmtest.New(t)
	if err := p.Write(tlsmtest.Client, []byte("early")); !errors.Is(err, tlsm.ErrState) {
		t.Fatalf("Write before the handshake = %v", err)
	}
	for _, bad := range []string{"", "explode@c2s", "drop@sideways", "truncate@c2s", "drop@c2s:msg=Nope"} {
		if err := p.AddFault(bad); !errors.Is(err, tlsm.ErrArg) {
			t.Errorf("AddFault(%q) = %v", bad, err)
		}
	}
	if got := p.Trace(tlsmtest.Format(99)); got != "" {
		t.Fatalf("unknown format gave %q", got)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic after Close")
			}
		}()
		_ = p.Run()
	}()

	c, s, err := tlsmtest.DefaultConfigs(0)
	if err != nil {
		t.Fatal(err)
	}
	c.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return nil }
	if _, err := tlsmtest.NewPair(c, s); err == nil {
		t.Fatal("VerifyPeerCertificate accepted")
	}
	if _, err := tlsmtest.NewPair(&tlsm.Config{ServerName: "x"}, &tlsm.Config{}); err == nil {
		t.Fatal("a server without certificates accepted")
	}
}

// The same seed and faults replay the same run byte for byte.
func TestDeterminism(t *testing.T) {
	run := func(seed uint64) ([]byte, string) {
		p := tlsmtest.New(t, tlsmtest.Seed(seed), tlsmtest.Fault("corrupt@c2s:msg=ApplicationData"))
		p.Handshake(t)
		_ = p.Write(tlsmtest.Client, []byte("hello"))
		return p.Pcap(), p.Trace(tlsmtest.JSON)
	}
	pcap1, json1 := run(7)
	pcap2, json2 := run(7)
	if !bytes.Equal(pcap1, pcap2) || json1 != json2 {
		t.Fatal("two runs with seed 7 differ")
	}
	_, json3 := run(8)
	if json1 == json3 {
		t.Log("seeds 7 and 8 happened to corrupt the same way")
	}
}

func TestTraceFormats(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tc.v))
			p.Handshake(t)
			if err := p.Write(tlsmtest.Client, []byte("ping")); err != nil {
				t.Fatal(err)
			}
			ladder := p.Trace(tlsmtest.Ladder)
			for _, want := range []string{"ClientHello", "ServerHello", "Finished", "client", "server"} {
				if !strings.Contains(ladder, want) {
					t.Errorf("ladder lacks %q:\n%s", want, ladder)
				}
			}
			for _, r := range ladder {
				if r > 0x7e || (r < 0x20 && r != '\n') {
					t.Fatalf("ladder is not plain ASCII: %q", r)
				}
			}
			mermaid := p.Trace(tlsmtest.Mermaid)
			if !strings.HasPrefix(strings.TrimSpace(mermaid), "sequenceDiagram") ||
				!strings.Contains(mermaid, "ClientHello") {
				t.Errorf("mermaid:\n%s", mermaid)
			}
			var doc struct {
				Records []map[string]any `json:"records"`
				Client  map[string]any   `json:"client"`
				Server  map[string]any   `json:"server"`
			}
			if err := json.Unmarshal([]byte(p.Trace(tlsmtest.JSON)), &doc); err != nil {
				t.Fatalf("JSON trace: %v", err)
			}
			if len(doc.Records) < 4 || doc.Client == nil || doc.Server == nil {
				t.Fatalf("JSON trace: %d records, client %v, server %v", len(doc.Records), doc.Client, doc.Server)
			}
			if tc.v == tlsm.VersionTLS13 && !strings.Contains(p.Trace(tlsmtest.JSON), "handshake") {
				t.Error("JSON trace shows no handshake key epoch")
			}
		})
	}
}

func TestPcapAndKeylog(t *testing.T) {
	labels := map[uint16][]string{
		tlsm.VersionTLS13: {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
			"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"},
		tlsm.VersionTLS12: {"CLIENT_RANDOM"},
	}
	line := regexp.MustCompile(`^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]{64,})$`)
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tc.v))
			p.Handshake(t)
			if err := p.Write(tlsmtest.Client, []byte("tlsmtest-ping")); err != nil {
				t.Fatal(err)
			}
			if err := p.Write(tlsmtest.Server, []byte("tlsmtest-pong")); err != nil {
				t.Fatal(err)
			}
			if err := p.CloseNotify(tlsmtest.Client); err != nil {
				t.Fatal(err)
			}

			pcap := p.Pcap()
			if len(pcap) < 24 {
				t.Fatalf("pcap of %d bytes", len(pcap))
			}
			magic := binary.LittleEndian.Uint32(pcap)
			order := binary.ByteOrder(binary.LittleEndian)
			if magic != 0xa1b2c3d4 {
				order = binary.BigEndian
				if binary.BigEndian.Uint32(pcap) != 0xa1b2c3d4 {
					t.Fatalf("pcap magic % x", pcap[:4])
				}
			}
			if major, linktype := order.Uint16(pcap[4:]), order.Uint32(pcap[20:]); major != 2 || linktype != 1 {
				t.Fatalf("pcap version %d, link type %d (want 2, Ethernet)", major, linktype)
			}
			if bytes.Contains(pcap, []byte("tlsmtest-ping")) {
				t.Fatal("application data in clear in the pcap")
			}

			keylog := p.Keylog()
			if !strings.HasSuffix(keylog, "\n") {
				t.Fatalf("key log does not end in a newline: %q", keylog)
			}
			seen := map[string]bool{}
			for _, l := range strings.Split(strings.TrimSuffix(keylog, "\n"), "\n") {
				m := line.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("key log line %q", l)
				}
				seen[m[1]] = true
			}
			for _, want := range labels[tc.v] {
				if !seen[want] {
					t.Errorf("key log lacks %s:\n%s", want, keylog)
				}
			}

			tshark(t, tc.v, pcap, keylog)
		})
	}
}

// tshark decrypts the capture with the key log when it is installed (scripts/install-deps.sh).
func tshark(t *testing.T, version uint16, pcap []byte, keylog string) {
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark not installed: decryption not checked")
		return
	}
	dir := t.TempDir()
	pf, kf := filepath.Join(dir, "pair.pcap"), filepath.Join(dir, "pair.keys")
	if err := os.WriteFile(pf, pcap, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, []byte(keylog), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-r", pf, "-o", "tls.keylog_file:"+kf, "-Y", "tls", "-V", "-x")
	cmd.Env = append(os.Environ(), "HOME="+dir) // no user preferences, no profile writes
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	want := []string{"Handshake Type: Client Hello", "Handshake Type: Finished", "Description: Close Notify"}
	if version == tlsm.VersionTLS13 {
		want = append(want, "Handshake Type: Encrypted Extensions", "Handshake Type: Certificate Verify")
	} else {
		want = append(want, "Handshake Type: Server Key Exchange")
	}
	for _, w := range want {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("tshark output lacks %q", w)
		}
	}
	// -x prints each decrypted record ("Decrypted TLS") in hex and ASCII, 16 bytes a row.
	for _, w := range []string{"tlsmtest-ping", "tlsmtest-pong"} {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("tshark did not decrypt the application data %q", w)
		}
	}
}

// Sessions from one pair resume on the next when the configs are shared.
func TestResumption(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			c, s, err := tlsmtest.DefaultConfigs(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			first := tlsmtest.New(t, tlsmtest.Configs(c, s))
			first.Handshake(t)
			blob, err := first.Session()
			if err != nil {
				t.Fatal(err)
			}
			second := tlsmtest.New(t, tlsmtest.Configs(c, s))
			if err := second.SetSession(blob); err != nil {
				t.Fatal(err)
			}
			second.Handshake(t)
			if !second.Report(tlsmtest.Client).DidResume || !second.Report(tlsmtest.Server).DidResume {
				t.Fatal("not resumed")
			}
			if first.Report(tlsmtest.Client).DidResume {
				t.Fatal("the first handshake resumed")
			}
		})
	}
}

// Pairs on different goroutines share nothing but configs.
func TestConcurrentPairs(t *testing.T) {
	c, s, err := tlsmtest.DefaultConfigs(0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			p, err := tlsmtest.NewPair(c, s)
			if err != nil {
				done <- err
				return
			}
			defer p.Close()
			if err := p.Run(); err != nil {
				done <- err
				return
			}
			if err := p.Write(tlsmtest.Client, []byte("x")); err != nil {
				done <- err
				return
			}
			if string(p.Read(tlsmtest.Server)) != "x" {
				done <- errors.New("lost data")
				return
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestNULInServerNameOrFaultIsRefused(t *testing.T) {
	client, server, err := tlsmtest.DefaultConfigs(0)
	if err != nil {
		t.Fatal(err)
	}
	client.ServerName = "localhost\x00.attacker.example"
	if _, err := tlsmtest.NewPair(client, server); !errors.Is(err, tlsm.ErrArg) || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("NewPair with a NUL in ServerName: %v", err)
	}
	p := tlsmtest.New(t)
	if err := p.AddFault("drop@s2c\x00:msg=Finished"); !errors.Is(err, tlsm.ErrArg) || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("AddFault with a NUL: %v", err)
	}
}

func TestKitConstantsMatchTheHeader(t *testing.T) {
	h, err := header.Values(filepath.Join("..", "..", "core", "include", "tlsm.h"))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]int64{
		"TLSM_PAIR_CLIENT": int64(tlsmtest.Client), "TLSM_PAIR_SERVER": int64(tlsmtest.Server),
		"TLSM_TRACE_LADDER": int64(tlsmtest.Ladder), "TLSM_TRACE_MERMAID": int64(tlsmtest.Mermaid),
		"TLSM_TRACE_JSON": int64(tlsmtest.JSON), "TLSM_PAIR_MAX_STEPS": tlsmtest.MaxSteps,
	} {
		if c, ok := h[name]; !ok || c != v {
			t.Errorf("%s: Go %d, tlsm.h %d (present: %v)", name, v, c, ok)
		}
	}
}

// TestKitFailuresPointAtTheTest runs failing kit calls in a child test process and checks
// that the failures are reported at the line of the test that called the kit (t.Helper),
// not inside the kit. In the child (TLSMTEST_HELPER_DEMO set) the test is the failing
// demo itself.
func TestKitFailuresPointAtTheTest(t *testing.T) {
	switch os.Getenv("TLSMTEST_HELPER_DEMO") {
	case "handshake":
		p := tlsmtest.New(t, tlsmtest.Fault("corrupt:-1@s2c:msg=Finished"))
		p.Handshake(t) // fails here, and must say so at this line
		return
	case "new":
		tlsmtest.New(t, tlsmtest.Fault("no-such-fault@c2s")) // fails here
		return
	}
	for _, demo := range []string{"handshake", "new"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestKitFailuresPointAtTheTest$", "-test.v")
		cmd.Env = append(os.Environ(), "TLSMTEST_HELPER_DEMO="+demo)
		out, _ := cmd.CombinedOutput()
		if !regexp.MustCompile(`(?m)^\s+pair_test\.go:\d+: tlsmtest: `).Match(out) {
			t.Errorf("%s: the failure is not reported at the test's line:\n%s", demo, out)
		}
		if regexp.MustCompile(`(?m)^\s+(testing|pair)\.go:\d+: tlsmtest: `).Match(out) {
			t.Errorf("%s: the failure is reported inside the kit:\n%s", demo, out)
		}
	}
}
