package tlsm

/*
#include "hooks.h"
*/
import "C"

import (
	"fmt"
	"io"
	"strings"
)

// Error is a failure reported by the tlsm engine. Errors are sticky: once a connection
// failed, every later call reports the same Error, and the alert that tells the peer why
// has already been queued as output.
//
// Code is the engine's code (one negative integer namespace, see tlsm.h). For protocol
// errors its low byte is the TLS alert, sent by us (LocalAlert) or received from the peer
// (PeerAlert). When a certificate check failed, Verify holds the reason (one of the
// ErrCert* codes) and Code the alert that was sent.
//
// An Error that ended a connection also names the check that fired (Reason), so that two
// failures that send the same alert can be told apart:
//
//	var te *tlsm.Error
//	if errors.As(err, &te) && te.Reason == "CERT_NAME_MISMATCH" { ... }
//
// errors.Is matches an *Error against the sentinels below by Code or by Verify, against an
// Alert by alert description, and truncation against io.ErrUnexpectedEOF.
type Error struct {
	Code   int
	Verify int
	// Reason is the engine's name for the check that ended the connection
	// (tlsm_conn_error_detail): a stable identifier such as "CERT_NAME_MISMATCH",
	// "REC_BAD_MAC", "TRUNCATED" or "PEER_ALERT" (the peer's alert ended it). Empty for an
	// error that is not a connection's failure (a configuration refused, a call made at
	// the wrong time).
	Reason string
	// ReasonText says the same in one line of words, e.g. "a record does not
	// authenticate"; empty without a Reason.
	ReasonText string
	// AlertSent is the fatal alert this side sent because of the failure (also for codes
	// that are not alerts: internal_error when out of memory), or AlertNone when it sent
	// none (the peer's alert, a cut stream). Set together with Reason; without a Reason it
	// means nothing.
	AlertSent Alert
}

// Error reads as tlsm_strerror's text of the code, after the certificate problem if
// there is one, and then the reason: "tlsm: sent alert bad_record_mac (REC_BAD_MAC: a
// record does not authenticate)". A certificate problem or the peer's alert is said in
// words once, so only the reason's name follows it: "tlsm: peer sent alert
// bad_certificate (PEER_ALERT)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tlsm: ")
	if e.Verify != 0 {
		b.WriteString(C.GoString(C.tlsm_strerror(C.int(e.Verify))))
		b.WriteString("; ")
	}
	b.WriteString(C.GoString(C.tlsm_strerror(C.int(e.Code))))
	if e.Reason != "" {
		b.WriteString(" (")
		b.WriteString(e.Reason)
		if e.Verify == 0 && !e.PeerAlert() && e.ReasonText != "" {
			b.WriteString(": ")
			b.WriteString(e.ReasonText)
		}
		b.WriteString(")")
	}
	return b.String()
}

// connError is the *Error for code, returned by a call on the connection c: when code is
// c's sticky error, with the certificate problem and the reason that ended it.
func connError(c *C.tlsm_conn, code C.int) *Error {
	e := &Error{Code: int(code)}
	if code == 0 || code != C.tlsm_conn_error(c) {
		return e
	}
	e.Verify = int(C.tlsm_conn_verify_error(c))
	var d C.tlsm_error_detail
	if C.tlsm_conn_error_detail(c, &d) != 0 || d.reason == nil || *d.reason == 0 {
		return e
	}
	e.Reason, e.ReasonText, e.AlertSent = C.GoString(d.reason), C.GoString(d.text), AlertNone
	if d.alert_sent >= 0 {
		e.AlertSent = Alert(d.alert_sent)
	}
	return e
}

// Alert returns the TLS alert description behind the error, if it is a protocol error.
func (e *Error) Alert() (Alert, bool) {
	if e.LocalAlert() || e.PeerAlert() {
		return Alert((-e.Code) & 0xff), true
	}
	return 0, false
}

// LocalAlert reports whether tlsm detected the problem and sent the alert.
func (e *Error) LocalAlert() bool {
	return e.Code < 0 && (-e.Code)&0xf00 == localAlertBase
}

// PeerAlert reports whether the peer sent the fatal alert.
func (e *Error) PeerAlert() bool {
	return e.Code < 0 && (-e.Code)&0xf00 == peerAlertBase
}

// The code ranges of protocol errors: -(localAlertBase | alert) when tlsm sent the
// alert, -(peerAlertBase | alert) when the peer did (TLSM_ERR_LOCAL_ALERT_BASE,
// TLSM_ERR_PEER_ALERT_BASE).
const (
	localAlertBase = 0x100
	peerAlertBase  = 0x200
)

// Is lets errors.Is compare with the Err* sentinels, an Alert and io.ErrUnexpectedEOF.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		if t.Verify != 0 {
			return t.Verify == e.Verify && t.Code == e.Code
		}
		return t.Code == e.Code || (e.Verify != 0 && t.Code == e.Verify)
	case Alert:
		a, ok := e.Alert()
		return ok && a == t
	}
	return target == io.ErrUnexpectedEOF && e.Code == codeTruncated
}

// Alert is a TLS alert description (RFC 8446 s.6), e.g. AlertUnknownCA (48). It is an
// error, so that errors.Is(err, tlsm.AlertUnknownCA) tells which alert ended a
// connection, whichever side sent it.
type Alert uint8

// String returns the alert's RFC name, e.g. "unknown_ca"; AlertNone is "none".
func (a Alert) String() string {
	if a == AlertNone {
		return "none"
	}
	return C.GoString(C.tlsm_alert_name(C.uint8_t(a)))
}

// Error returns the alert's name, as String does (and as crypto/tls.AlertError does), so
// that %v prints "bad_record_mac" for a Report field and for an error alike.
func (a Alert) Error() string { return a.String() }

// The alerts, with their RFC 8446 / RFC 5246 values (TLSM_ALERT_* in tlsm.h).
const (
	AlertCloseNotify                  Alert = 0
	AlertUnexpectedMessage            Alert = 10
	AlertBadRecordMAC                 Alert = 20
	AlertRecordOverflow               Alert = 22
	AlertHandshakeFailure             Alert = 40
	AlertBadCertificate               Alert = 42
	AlertUnsupportedCertificate       Alert = 43
	AlertCertificateRevoked           Alert = 44
	AlertCertificateExpired           Alert = 45
	AlertCertificateUnknown           Alert = 46
	AlertIllegalParameter             Alert = 47
	AlertUnknownCA                    Alert = 48
	AlertAccessDenied                 Alert = 49
	AlertDecodeError                  Alert = 50
	AlertDecryptError                 Alert = 51
	AlertProtocolVersion              Alert = 70
	AlertInsufficientSecurity         Alert = 71
	AlertInternalError                Alert = 80
	AlertInappropriateFallback        Alert = 86
	AlertUserCanceled                 Alert = 90
	AlertNoRenegotiation              Alert = 100
	AlertMissingExtension             Alert = 109
	AlertUnsupportedExtension         Alert = 110
	AlertUnrecognizedName             Alert = 112
	AlertBadCertificateStatusResponse Alert = 113
	AlertUnknownPSKIdentity           Alert = 115
	AlertCertificateRequired          Alert = 116
	AlertNoApplicationProtocol        Alert = 120

	// AlertNone stands for "no alert" where one may be absent (tlsmtest.Report): a value
	// no TLS alert uses.
	AlertNone Alert = 255
)

// The engine's codes behind the sentinels (TLSM_ERR_* in tlsm.h).
const (
	codeNoMem     = -1
	codeArg       = -2
	codeState     = -3
	codeClosed    = -4
	codeTruncated = -13
)

// Sentinel errors for errors.Is: each matches an *Error with that Code (what the call
// failed with) or, for the ErrCert* ones, that Verify (why a certificate check failed; the
// Code is then the alert that was sent).
var (
	// ErrArg: an invalid argument (an unknown code, a bad length, a NUL byte in a name).
	ErrArg = &Error{Code: codeArg}
	// ErrState: the call is not allowed now (Write before the handshake, KeyUpdate on
	// TLS 1.2, VerifyDone without a pending question).
	ErrState = &Error{Code: codeState}
	// ErrClosed: the connection was closed (close_notify sent): no more writes.
	ErrClosed = &Error{Code: codeClosed}
	// ErrTruncated: the transport ended without the peer's close_notify, so the data may
	// have been cut; it also matches io.ErrUnexpectedEOF.
	ErrTruncated = &Error{Code: codeTruncated}
	// ErrNoSession: no resumable session (yet).
	ErrNoSession = &Error{Code: -14}
	// ErrPEM: malformed PEM.
	ErrPEM = &Error{Code: -7}
	// ErrKey: an unsupported or malformed private key.
	ErrKey = &Error{Code: -8}
	// ErrNoCert: no certificate where one was needed (an empty chain, no input).
	ErrNoCert = &Error{Code: -10}

	// ErrCertParse: a certificate is not valid DER / X.509.
	ErrCertParse = &Error{Code: -0x400}
	// ErrCertUnknownIssuer: no path from the chain to a trust anchor.
	ErrCertUnknownIssuer = &Error{Code: -0x401}
	// ErrCertSignature: a signature in the chain does not verify.
	ErrCertSignature = &Error{Code: -0x402}
	// ErrCertExpired: the time is after a certificate's notAfter.
	ErrCertExpired = &Error{Code: -0x403}
	// ErrCertNotYetValid: the time is before a certificate's notBefore.
	ErrCertNotYetValid = &Error{Code: -0x404}
	// ErrCertNotCA: an issuer lacks basicConstraints cA or keyCertSign.
	ErrCertNotCA = &Error{Code: -0x405}
	// ErrCertPathLen: a pathLenConstraint is exceeded or the chain is too deep.
	ErrCertPathLen = &Error{Code: -0x406}
	// ErrCertUsage: keyUsage or extendedKeyUsage forbids this use.
	ErrCertUsage = &Error{Code: -0x407}
	// ErrCertNameMismatch: the host name or IP is not in the leaf's subjectAltName.
	ErrCertNameMismatch = &Error{Code: -0x408}
	// ErrCertUnsupportedAlg: a signature or key algorithm is not supported or allowed.
	ErrCertUnsupportedAlg = &Error{Code: -0x409}
	// ErrCertCriticalExt: a certificate has an unknown critical extension.
	ErrCertCriticalExt = &Error{Code: -0x40a}
	// ErrCertWeakKey: a key is too small for the policy.
	ErrCertWeakKey = &Error{Code: -0x40b}
	// ErrCertNoTrust: no trust anchors are configured.
	ErrCertNoTrust = &Error{Code: -0x40c}
	// ErrCertRejected: the application rejected the chain (VerifyPeerCertificate, or a
	// RootCAs / ClientCAs verification by crypto/x509 that failed).
	ErrCertRejected = &Error{Code: -0x40d}
	// ErrCertNameConstraint: a name is outside an issuer's nameConstraints.
	ErrCertNameConstraint = &Error{Code: -0x40e}
	// ErrCertBadSerial: a serialNumber is negative, zero or longer than 20 octets.
	ErrCertBadSerial = &Error{Code: -0x40f}
	// ErrCertBadTime: a validity time is malformed or of the wrong ASN.1 type.
	ErrCertBadTime = &Error{Code: -0x410}
	// ErrCertRSATooLarge: an RSA modulus over 8192 bits (refused before any RSA operation).
	ErrCertRSATooLarge = &Error{Code: -0x411}
	// ErrCertRSAExponent: an RSA public exponent even, below 3 or over 32 bits.
	ErrCertRSAExponent = &Error{Code: -0x412}
	// ErrCertWorkLimit: the path search needed more than 64 signature checks or 2^20
	// name-constraint comparisons.
	ErrCertWorkLimit = &Error{Code: -0x413}
	// ErrCertBadDNSName: a DNS name in a subjectAltName or a name constraint does not
	// follow the preferred name syntax (RFC 5280 s.4.2.1.6).
	ErrCertBadDNSName = &Error{Code: -0x414}
	// ErrCertLeafNameConstraints: an end-entity certificate carries nameConstraints.
	ErrCertLeafNameConstraints = &Error{Code: -0x415}
	// ErrCertBCNotCritical: an issuing CA's basicConstraints is not critical.
	ErrCertBCNotCritical = &Error{Code: -0x416}
	// ErrCertLeafIsCA: the leaf says cA=TRUE (refused for TLS authentication).
	ErrCertLeafIsCA = &Error{Code: -0x417}
	// ErrCertEmptySubject: an empty subject on a CA, or on a leaf without a critical SAN.
	ErrCertEmptySubject = &Error{Code: -0x418}
	// ErrCertNCUnsupportedName: a name of a form tlsm does not check, under a critical
	// nameConstraints of that form.
	ErrCertNCUnsupportedName = &Error{Code: -0x419}
)

// codeErr turns a C return code into an error (nil for 0).
func codeErr(rc C.int) error {
	if rc == 0 {
		return nil
	}
	return &Error{Code: int(rc)}
}

// argError is an invalid argument, named with its value in the text; errors.Is(err,
// ErrArg) matches it.
type argError struct{ msg string }

func (e *argError) Error() string { return "tlsm: " + e.msg }

// Is matches ErrArg.
func (e *argError) Is(target error) bool { return target == ErrArg }

func argErr(format string, args ...any) error {
	return &argError{msg: fmt.Sprintf(format, args...)}
}

// configErr is a Config field the engine refused: "tlsm: <field>: <the engine's reason>",
// matching the engine's *Error with errors.Is.
type configErr struct {
	field string
	err   *Error
}

func (e *configErr) Error() string {
	return "tlsm: " + e.field + ": " + C.GoString(C.tlsm_strerror(C.int(e.err.Code)))
}

func (e *configErr) Unwrap() error { return e.err }
