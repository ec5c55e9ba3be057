package tlsm

import (
	"crypto/tls"
	"path/filepath"
	"strings"
	"testing"

	"tlsm.example/tlsm/go/internal/header"
)

// The exported constants are written as literals (so that go doc shows their values);
// this test holds them to the C header they mirror.

func headerValues(t *testing.T) map[string]int64 {
	t.Helper()
	h, err := header.Values(filepath.Join("..", "core", "include", "tlsm.h"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestConstantsMatchTheHeader(t *testing.T) {
	h := headerValues(t)
	if len(h) < 100 {
		t.Fatalf("only %d constants parsed from tlsm.h", len(h))
	}
	check := map[string]int64{
		"TLSM_TLS12": int64(VersionTLS12), "TLSM_TLS13": int64(VersionTLS13),
		"TLSM_GROUP_FFDHE2048": int64(FFDHE2048), "TLSM_GROUP_FFDHE3072": int64(FFDHE3072),
		"TLSM_GROUP_X25519MLKEM768": int64(tls.X25519MLKEM768), "TLSM_GROUP_SECP256R1MLKEM768": int64(SecP256r1MLKEM768),
		"TLSM_GROUP_MLKEM768": int64(MLKEM768), "TLSM_GROUP_MLKEM1024": int64(MLKEM1024),
		"TLSM_GROUP_SECP384R1MLKEM1024": int64(SecP384r1MLKEM1024),
		"TLSM_GROUP_MODP2048":           int64(MODP2048), "TLSM_GROUP_MODP3072": int64(MODP3072),
		"TLSM_GROUP_MODP4096": int64(MODP4096), "TLSM_GROUP_MODP6144": int64(MODP6144),
		"TLSM_GROUP_MODP8192": int64(MODP8192),

		"TLSM_STATUS_WANT_INPUT": int64(StatusWantInput), "TLSM_STATUS_HAS_OUTPUT": int64(StatusHasOutput),
		"TLSM_STATUS_CAN_WRITE": int64(StatusCanWrite), "TLSM_STATUS_HAS_PLAINTEXT": int64(StatusHasPlaintext),
		"TLSM_STATUS_BLOCKED": int64(StatusBlocked), "TLSM_STATUS_CLOSED": int64(StatusClosed),
		"TLSM_STATUS_HANDSHAKING": int64(StatusHandshaking), "TLSM_STATUS_ERROR": int64(StatusError),

		"TLSM_EV_NONE": int64(EventNone), "TLSM_EV_HANDSHAKE_DONE": int64(EventHandshakeDone),
		"TLSM_EV_PEER_CLOSED": int64(EventPeerClosed), "TLSM_EV_ALERT": int64(EventAlert),
		"TLSM_EV_NEW_TICKET": int64(EventNewTicket), "TLSM_EV_KEY_UPDATED": int64(EventKeyUpdated),
		"TLSM_EV_MESSAGE_SENT": int64(EventMessageSent), "TLSM_EV_MESSAGE_RECEIVED": int64(EventMessageReceived),
		"TLSM_EV_SIGN": int64(EventSign), "TLSM_EV_ERROR": int64(EventError),
		"TLSM_EV_VERIFY_PEER": int64(EventVerifyPeer), "TLSM_EV_KEYLOG": int64(EventKeyLog),

		"TLSM_PURPOSE_SERVER": int64(PurposeServer), "TLSM_PURPOSE_CLIENT": int64(PurposeClient),
		"TLSM_VERIFY_FAULT_NONE": FaultNone, "TLSM_VERIFY_FAULT_ANCHOR": FaultAnchor,
		"TLSM_ERR_LOCAL_ALERT_BASE": localAlertBase, "TLSM_ERR_PEER_ALERT_BASE": peerAlertBase,

		"TLSM_ERR_NOMEM": codeNoMem, "TLSM_ERR_ARG": int64(ErrArg.Code), "TLSM_ERR_STATE": int64(ErrState.Code),
		"TLSM_ERR_CLOSED": int64(ErrClosed.Code), "TLSM_ERR_TRUNCATED": int64(ErrTruncated.Code),
		"TLSM_ERR_NO_SESSION": int64(ErrNoSession.Code), "TLSM_ERR_PEM": int64(ErrPEM.Code),
		"TLSM_ERR_KEY": int64(ErrKey.Code), "TLSM_ERR_NO_CERT": int64(ErrNoCert.Code),
		"TLSM_ERR_CERT_PARSE": int64(ErrCertParse.Code), "TLSM_ERR_CERT_UNKNOWN_ISSUER": int64(ErrCertUnknownIssuer.Code),
		"TLSM_ERR_CERT_SIGNATURE": int64(ErrCertSignature.Code), "TLSM_ERR_CERT_EXPIRED": int64(ErrCertExpired.Code),
		"TLSM_ERR_CERT_NOT_YET_VALID": int64(ErrCertNotYetValid.Code), "TLSM_ERR_CERT_NOT_CA": int64(ErrCertNotCA.Code),
		"TLSM_ERR_CERT_PATH_LEN": int64(ErrCertPathLen.Code), "TLSM_ERR_CERT_USAGE": int64(ErrCertUsage.Code),
		"TLSM_ERR_CERT_NAME_MISMATCH": int64(ErrCertNameMismatch.Code), "TLSM_ERR_CERT_UNSUPPORTED_ALG": int64(ErrCertUnsupportedAlg.Code),
		"TLSM_ERR_CERT_CRITICAL_EXT": int64(ErrCertCriticalExt.Code), "TLSM_ERR_CERT_WEAK_KEY": int64(ErrCertWeakKey.Code),
		"TLSM_ERR_CERT_NO_TRUST": int64(ErrCertNoTrust.Code), "TLSM_ERR_CERT_REJECTED": int64(ErrCertRejected.Code),
		"TLSM_ERR_CERT_NAME_CONSTRAINT": int64(ErrCertNameConstraint.Code), "TLSM_ERR_CERT_BAD_SERIAL": int64(ErrCertBadSerial.Code),
		"TLSM_ERR_CERT_BAD_TIME":      int64(ErrCertBadTime.Code),
		"TLSM_ERR_CERT_RSA_TOO_LARGE": int64(ErrCertRSATooLarge.Code), "TLSM_ERR_CERT_RSA_EXPONENT": int64(ErrCertRSAExponent.Code),
		"TLSM_ERR_CERT_WORK_LIMIT": int64(ErrCertWorkLimit.Code), "TLSM_ERR_CERT_BAD_DNS_NAME": int64(ErrCertBadDNSName.Code),
		"TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS": int64(ErrCertLeafNameConstraints.Code),
		"TLSM_ERR_CERT_BC_NOT_CRITICAL":       int64(ErrCertBCNotCritical.Code), "TLSM_ERR_CERT_LEAF_IS_CA": int64(ErrCertLeafIsCA.Code),
		"TLSM_ERR_CERT_EMPTY_SUBJECT":       int64(ErrCertEmptySubject.Code),
		"TLSM_ERR_CERT_NC_UNSUPPORTED_NAME": int64(ErrCertNCUnsupportedName.Code),
	}
	alerts := map[string]Alert{
		"CLOSE_NOTIFY": AlertCloseNotify, "UNEXPECTED_MESSAGE": AlertUnexpectedMessage,
		"BAD_RECORD_MAC": AlertBadRecordMAC, "RECORD_OVERFLOW": AlertRecordOverflow,
		"HANDSHAKE_FAILURE": AlertHandshakeFailure, "BAD_CERTIFICATE": AlertBadCertificate,
		"UNSUPPORTED_CERTIFICATE": AlertUnsupportedCertificate, "CERTIFICATE_REVOKED": AlertCertificateRevoked,
		"CERTIFICATE_EXPIRED": AlertCertificateExpired, "CERTIFICATE_UNKNOWN": AlertCertificateUnknown,
		"ILLEGAL_PARAMETER": AlertIllegalParameter, "UNKNOWN_CA": AlertUnknownCA,
		"ACCESS_DENIED": AlertAccessDenied, "DECODE_ERROR": AlertDecodeError, "DECRYPT_ERROR": AlertDecryptError,
		"PROTOCOL_VERSION": AlertProtocolVersion, "INSUFFICIENT_SECURITY": AlertInsufficientSecurity,
		"INTERNAL_ERROR": AlertInternalError, "INAPPROPRIATE_FALLBACK": AlertInappropriateFallback,
		"USER_CANCELED": AlertUserCanceled, "NO_RENEGOTIATION": AlertNoRenegotiation,
		"MISSING_EXTENSION": AlertMissingExtension, "UNSUPPORTED_EXTENSION": AlertUnsupportedExtension,
		"UNRECOGNIZED_NAME": AlertUnrecognizedName, "BAD_CERTIFICATE_STATUS_RESPONSE": AlertBadCertificateStatusResponse,
		"UNKNOWN_PSK_IDENTITY": AlertUnknownPSKIdentity, "CERTIFICATE_REQUIRED": AlertCertificateRequired,
		"NO_APPLICATION_PROTOCOL": AlertNoApplicationProtocol,
	}
	for name, a := range alerts {
		check["TLSM_ALERT_"+name] = int64(a)
	}
	// Every alert of the header has its Go constant.
	for name := range h {
		if rest, ok := strings.CutPrefix(name, "TLSM_ALERT_"); ok {
			if _, ok := alerts[rest]; !ok {
				t.Errorf("%s has no Go constant", name)
			}
		}
	}
	// Every certificate error of the header has its sentinel.
	for name := range h {
		if strings.HasPrefix(name, "TLSM_ERR_CERT_") {
			if _, ok := check[name]; !ok {
				t.Errorf("%s has no Go sentinel", name)
			}
		}
	}
	for name, goValue := range check {
		cValue, ok := h[name]
		if !ok {
			t.Errorf("%s is not in tlsm.h", name)
			continue
		}
		if cValue != goValue {
			t.Errorf("%s: Go %d, tlsm.h %d", name, goValue, cValue)
		}
	}
	if a := Alert(AlertNone); a.String() != "none" || AlertUnknownCA.String() != "unknown_ca" {
		t.Fatalf("alert names: %v %v", a, AlertUnknownCA)
	}
}
