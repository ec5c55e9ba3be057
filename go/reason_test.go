package tlsm

// Failure reasons (issue 14): an *Error that ended a connection names the check that
// fired (Reason, ReasonText, AlertSent from tlsm_conn_error_detail), so two failures that
// send the same alert are told apart.

import (
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
)

// asError returns the *Error inside err, failing the test if there is none.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("%v (%T) is not a *tlsm.Error", err, err)
	}
	return te
}

// A name the certificate does not cover and a chain the application rejects both send
// bad_certificate; the reason says which check refused the server.
func TestReasonTellsApartTwoBadCertificates(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			ccfg := clientConfig(t, v.v)
			ccfg.ServerName = "wrong.example"
			p := newPair(t, ccfg, serverConfig(t, "server-p256", v.v))
			wrongName := asError(t, p.handshake())

			a, b := net.Pipe()
			s := Server(b, serverConfig(t, "server-p256", v.v))
			serr := make(chan error, 1)
			go func() { serr <- s.Handshake(); s.Close() }()
			ccfg = clientConfig(t, v.v)
			ccfg.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error {
				return errors.New("pinned key does not match")
			}
			c := Client(a, ccfg)
			err := c.Handshake()
			c.Close()
			rejected := asError(t, err)
			peer := asError(t, <-serr)

			for _, e := range []*Error{wrongName, rejected} {
				if !e.LocalAlert() || e.AlertSent != AlertBadCertificate || !errors.Is(e, AlertBadCertificate) {
					t.Fatalf("%v: alert sent %v", e, e.AlertSent)
				}
				if !strings.Contains(e.Error(), "("+e.Reason+")") || e.ReasonText == "" {
					t.Fatalf("%q does not name its reason %q", e.Error(), e.Reason)
				}
			}
			if wrongName.Reason != "CERT_NAME_MISMATCH" || !errors.Is(wrongName, ErrCertNameMismatch) {
				t.Fatalf("wrong name: %v", wrongName)
			}
			if rejected.Reason != "CERT_REJECTED_BY_HOST" || !errors.Is(err, ErrCertRejected) ||
				!strings.Contains(err.Error(), "pinned key") {
				t.Fatalf("rejected: %v", err)
			}
			if wrongName.ReasonText == rejected.ReasonText {
				t.Fatalf("one text for two reasons: %q", wrongName.ReasonText)
			}
			// The server read the alert: the peer's alert is its reason, and it sent none.
			if peer.Reason != "PEER_ALERT" || peer.AlertSent != AlertNone || !peer.PeerAlert() ||
				peer.Error() != "tlsm: peer sent alert bad_certificate (PEER_ALERT)" {
				t.Fatalf("server: %v (reason %q, sent %v)", peer, peer.Reason, peer.AlertSent)
			}
		})
	}
}

func TestReasonOfAnUntrustedCA(t *testing.T) {
	ccfg := clientConfig(t, VersionTLS13)
	ccfg.Roots = otherCA(t)
	p := newPair(t, ccfg, serverConfig(t, "server-p256", VersionTLS13))
	e := asError(t, p.handshake())
	if e.Reason != "CERT_UNKNOWN_ISSUER" || e.AlertSent != AlertUnknownCA {
		t.Fatalf("%v: reason %q, sent %v", e, e.Reason, e.AlertSent)
	}
	// The sticky error keeps it, and so does the error event.
	if again := asError(t, p.client.Err()); *again != *e {
		t.Fatalf("sticky error %+v, first %+v", again, e)
	}
	for _, ev := range drainEvents(p.client) {
		if ev.Kind == EventError && asError(t, ev.Err).Reason != "CERT_UNKNOWN_ISSUER" {
			t.Fatalf("error event %v", ev.Err)
		}
	}
}

// A tampered application record: REC_BAD_MAC, with its text in the message.
func TestReasonOfATamperedRecord(t *testing.T) {
	p := newPair(t, clientConfig(t, VersionTLS13), serverConfig(t, "server-p256", VersionTLS13))
	if err := p.handshake(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.Write([]byte("secret")); err != nil {
		t.Fatal(err)
	}
	rec := append([]byte(nil), p.client.Output()...)
	rec[len(rec)-1] ^= 1
	_, err := p.server.Feed(rec)
	e := asError(t, err)
	want := "tlsm: sent alert bad_record_mac (REC_BAD_MAC: " + e.ReasonText + ")"
	if e.Reason != "REC_BAD_MAC" || e.AlertSent != AlertBadRecordMAC || e.Error() != want {
		t.Fatalf("%q: reason %q, sent %v", e.Error(), e.Reason, e.AlertSent)
	}
}

// Errors that are not a connection's failure carry no reason.
func TestNoReasonOutsideAConnectionFailure(t *testing.T) {
	c, err := NewClientEngine(clientConfig(t, VersionTLS13))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Write([]byte("too early"))
	e := asError(t, err)
	if !errors.Is(err, ErrState) || e.Reason != "" || e.ReasonText != "" || c.Err() != nil {
		t.Fatalf("%v: reason %q", e, e.Reason)
	}
	if e.Error() != ErrState.Error() {
		t.Fatalf("message %q", e.Error())
	}
}
