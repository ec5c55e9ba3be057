package tlsmtest_test

import (
	"errors"
	"strings"
	"testing"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/go/tlsmtest"
)

// Two faults that end in the same alert (RFC 8446 s.5.2: a changed byte, and a record
// cut below its tag, both fail with bad_record_mac) are told apart by the reason, in the
// reports, in Run's error and in the error events.
func TestReportsNameTheReason(t *testing.T) {
	for _, tc := range []struct{ spec, reason string }{
		{"corrupt:-1@c2s:msg=Finished", "REC_BAD_MAC"},
		{"truncate:3@c2s:msg=Finished", "REC_SHORTER_THAN_TAG"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			p := tlsmtest.New(t, tlsmtest.Version(tlsm.VersionTLS13), tlsmtest.Fault(tc.spec))
			err := p.Run()
			s, c := p.Report(tlsmtest.Server), p.Report(tlsmtest.Client)
			if s.AlertSent != tlsm.AlertBadRecordMAC || c.AlertReceived != tlsm.AlertBadRecordMAC {
				t.Fatalf("alerts: server sent %v, client received %v", s.AlertSent, c.AlertReceived)
			}
			if s.Reason != tc.reason || c.Reason != "PEER_ALERT" {
				t.Fatalf("reasons: server %q, client %q", s.Reason, c.Reason)
			}
			var se, ce, re *tlsm.Error
			if !errors.As(s.Err, &se) || !errors.As(c.Err, &ce) || !errors.As(err, &re) {
				t.Fatalf("errors %v / %v / %v", s.Err, c.Err, err)
			}
			if se.Reason != tc.reason || se.AlertSent != tlsm.AlertBadRecordMAC || se.ReasonText == "" ||
				!strings.Contains(se.Error(), "("+tc.reason+": "+se.ReasonText+")") {
				t.Fatalf("server error %q: reason %q, sent %v", se, se.Reason, se.AlertSent)
			}
			if ce.Reason != "PEER_ALERT" || ce.AlertSent != tlsm.AlertNone {
				t.Fatalf("client error %q: sent %v", ce, ce.AlertSent)
			}
			if *re != *se && *re != *ce {
				t.Fatalf("Run returned %+v, neither side's error", re)
			}
			for _, ev := range p.Events(tlsmtest.Server) {
				var ee *tlsm.Error
				if ev.Kind == tlsm.EventError && (!errors.As(ev.Err, &ee) || *ee != *se) {
					t.Fatalf("error event %v, report %v", ev.Err, se)
				}
			}
			// EOF on the failed server returns its sticky error, with the reason.
			var eof *tlsm.Error
			if !errors.As(p.EOF(tlsmtest.Client), &eof) || *eof != *se {
				t.Fatalf("EOF: %v", eof)
			}
		})
	}
}

// A cut stream: the receiver's reason is TRUNCATED, and it sent no alert.
func TestTruncationReason(t *testing.T) {
	p := tlsmtest.New(t)
	p.Handshake(t)
	err := p.EOF(tlsmtest.Client)
	var te *tlsm.Error
	if !errors.As(err, &te) || !errors.Is(err, tlsm.ErrTruncated) || te.Reason != "TRUNCATED" || te.AlertSent != tlsm.AlertNone {
		t.Fatalf("EOF: %v", err)
	}
	if r := p.Report(tlsmtest.Server); r.Reason != "TRUNCATED" || r.AlertSent != tlsmtest.NoAlert {
		t.Fatalf("report %+v", r)
	}
	if r := p.Report(tlsmtest.Client); r.Reason != "" || r.Err != nil {
		t.Fatalf("client report %+v", r)
	}
}
