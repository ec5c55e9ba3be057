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
// errors.Is matches an *Error against the sentinels below by Code or by Verify, against an
// AlertError by alert description, and truncation against io.ErrUnexpectedEOF.
type Error struct {
	Code   int
	Verify int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tlsm: ")
	if e.Verify != 0 {
		b.WriteString(C.GoString(C.tlsm_strerror(C.int(e.Verify))))
		b.WriteString("; ")
	}
	b.WriteString(C.GoString(C.tlsm_strerror(C.int(e.Code))))
	return b.String()
}

// Alert returns the TLS alert description behind the error, if it is a protocol error.
func (e *Error) Alert() (AlertError, bool) {
	if e.LocalAlert() || e.PeerAlert() {
		return AlertError((-e.Code) & 0xff), true
	}
	return 0, false
}

// LocalAlert reports whether tlsm detected the problem and sent the alert.
func (e *Error) LocalAlert() bool {
	return e.Code < 0 && (-e.Code)&0xf00 == C.TLSM_ERR_LOCAL_ALERT_BASE
}

// PeerAlert reports whether the peer sent the fatal alert.
func (e *Error) PeerAlert() bool {
	return e.Code < 0 && (-e.Code)&0xf00 == C.TLSM_ERR_PEER_ALERT_BASE
}

// Is lets errors.Is compare with the Err* sentinels, an AlertError and io.ErrUnexpectedEOF.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		if t.Verify != 0 {
			return t.Verify == e.Verify && t.Code == e.Code
		}
		return t.Code == e.Code || (e.Verify != 0 && t.Code == e.Verify)
	case AlertError:
		a, ok := e.Alert()
		return ok && a == t
	}
	return target == io.ErrUnexpectedEOF && e.Code == C.TLSM_ERR_TRUNCATED
}

// AlertError is a TLS alert description, e.g. AlertError(48) is unknown_ca. Use it with
// errors.Is to test which alert ended a connection, whichever side sent it.
type AlertError uint8

func (a AlertError) Error() string {
	return "tlsm: alert " + C.GoString(C.tlsm_alert_name(C.uint8_t(a)))
}

// Alerts that applications commonly test for.
const (
	AlertUnexpectedMessage     AlertError = C.TLSM_ALERT_UNEXPECTED_MESSAGE
	AlertBadRecordMAC          AlertError = C.TLSM_ALERT_BAD_RECORD_MAC
	AlertRecordOverflow        AlertError = C.TLSM_ALERT_RECORD_OVERFLOW
	AlertIllegalParameter      AlertError = C.TLSM_ALERT_ILLEGAL_PARAMETER
	AlertDecodeError           AlertError = C.TLSM_ALERT_DECODE_ERROR
	AlertInternalError         AlertError = C.TLSM_ALERT_INTERNAL_ERROR
	AlertHandshakeFailure      AlertError = C.TLSM_ALERT_HANDSHAKE_FAILURE
	AlertBadCertificate        AlertError = C.TLSM_ALERT_BAD_CERTIFICATE
	AlertCertificateExpired    AlertError = C.TLSM_ALERT_CERTIFICATE_EXPIRED
	AlertUnknownCA             AlertError = C.TLSM_ALERT_UNKNOWN_CA
	AlertDecryptError          AlertError = C.TLSM_ALERT_DECRYPT_ERROR
	AlertProtocolVersion       AlertError = C.TLSM_ALERT_PROTOCOL_VERSION
	AlertCertificateRequired   AlertError = C.TLSM_ALERT_CERTIFICATE_REQUIRED
	AlertNoApplicationProtocol AlertError = C.TLSM_ALERT_NO_APPLICATION_PROTOCOL
)

// Sentinel errors for errors.Is. The ErrCert* values match the reason of a failed
// certificate check (Error.Verify) as well as an Error whose Code is that reason.
var (
	ErrArg       = &Error{Code: C.TLSM_ERR_ARG}
	ErrState     = &Error{Code: C.TLSM_ERR_STATE}
	ErrClosed    = &Error{Code: C.TLSM_ERR_CLOSED}
	ErrTruncated = &Error{Code: C.TLSM_ERR_TRUNCATED}
	ErrNoSession = &Error{Code: C.TLSM_ERR_NO_SESSION}
	ErrPEM       = &Error{Code: C.TLSM_ERR_PEM}
	ErrKey       = &Error{Code: C.TLSM_ERR_KEY}

	ErrCertParse          = &Error{Code: C.TLSM_ERR_CERT_PARSE}
	ErrCertUnknownIssuer  = &Error{Code: C.TLSM_ERR_CERT_UNKNOWN_ISSUER}
	ErrCertSignature      = &Error{Code: C.TLSM_ERR_CERT_SIGNATURE}
	ErrCertExpired        = &Error{Code: C.TLSM_ERR_CERT_EXPIRED}
	ErrCertNotYetValid    = &Error{Code: C.TLSM_ERR_CERT_NOT_YET_VALID}
	ErrCertNotCA          = &Error{Code: C.TLSM_ERR_CERT_NOT_CA}
	ErrCertUsage          = &Error{Code: C.TLSM_ERR_CERT_USAGE}
	ErrCertNameMismatch   = &Error{Code: C.TLSM_ERR_CERT_NAME_MISMATCH}
	ErrCertUnsupportedAlg = &Error{Code: C.TLSM_ERR_CERT_UNSUPPORTED_ALG}
	ErrCertNoTrust        = &Error{Code: C.TLSM_ERR_CERT_NO_TRUST}
	ErrCertRejected       = &Error{Code: C.TLSM_ERR_CERT_REJECTED} // by VerifyPeerCertificate
	ErrCertPathLen        = &Error{Code: C.TLSM_ERR_CERT_PATH_LEN}
	ErrCertCriticalExt    = &Error{Code: C.TLSM_ERR_CERT_CRITICAL_EXT}
	ErrCertWeakKey        = &Error{Code: C.TLSM_ERR_CERT_WEAK_KEY}
	ErrCertNameConstraint = &Error{Code: C.TLSM_ERR_CERT_NAME_CONSTRAINT}
	ErrCertBadSerial      = &Error{Code: C.TLSM_ERR_CERT_BAD_SERIAL}
	ErrCertBadTime        = &Error{Code: C.TLSM_ERR_CERT_BAD_TIME}
	ErrCertRSATooLarge    = &Error{Code: C.TLSM_ERR_CERT_RSA_TOO_LARGE}
	ErrCertRSAExponent    = &Error{Code: C.TLSM_ERR_CERT_RSA_EXPONENT}
	ErrCertWorkLimit      = &Error{Code: C.TLSM_ERR_CERT_WORK_LIMIT}
	ErrNoCert             = &Error{Code: C.TLSM_ERR_NO_CERT}
)

// argError is an invalid argument, named with its value in the text; errors.Is(err,
// ErrArg) matches it.
type argError struct{ msg string }

func (e *argError) Error() string { return "tlsm: " + e.msg }

// Is matches ErrArg.
func (e *argError) Is(target error) bool { return target == ErrArg }

func argErr(format string, args ...any) error {
	return &argError{msg: fmt.Sprintf(format, args...)}
}

// codeErr turns a C return code into an error (nil for 0).
func codeErr(rc C.int) error {
	if rc == 0 {
		return nil
	}
	return &Error{Code: int(rc)}
}
