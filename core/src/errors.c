/*
 * errors.c - names for every tlsm code, TLS alert, event and handshake message, so that
 * hosts and the CLI can print one clear line for any failure.
 */
#include "internal.h"

const char *tlsm_version_string(void)
{
    return "0.1.0";
}

const char *tlsm_alert_name(uint8_t alert)
{
    switch (alert) {
    case TLSM_ALERT_CLOSE_NOTIFY: return "close_notify";
    case TLSM_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
    case TLSM_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
    case TLSM_ALERT_RECORD_OVERFLOW: return "record_overflow";
    case TLSM_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case TLSM_ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case TLSM_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
    case TLSM_ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
    case TLSM_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case TLSM_ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
    case TLSM_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case TLSM_ALERT_UNKNOWN_CA: return "unknown_ca";
    case TLSM_ALERT_ACCESS_DENIED: return "access_denied";
    case TLSM_ALERT_DECODE_ERROR: return "decode_error";
    case TLSM_ALERT_DECRYPT_ERROR: return "decrypt_error";
    case TLSM_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case TLSM_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case TLSM_ALERT_INTERNAL_ERROR: return "internal_error";
    case TLSM_ALERT_INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
    case TLSM_ALERT_USER_CANCELED: return "user_canceled";
    case TLSM_ALERT_NO_RENEGOTIATION: return "no_renegotiation";
    case TLSM_ALERT_MISSING_EXTENSION: return "missing_extension";
    case TLSM_ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case TLSM_ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
    case TLSM_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE: return "bad_certificate_status_response";
    case TLSM_ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
    case TLSM_ALERT_CERTIFICATE_REQUIRED: return "certificate_required";
    case TLSM_ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
    }
    return "unknown_alert";
}

const char *tlsm_strerror(int code)
{
    static const char *const local[256] = {
#define A(x, n) [TLSM_ALERT_##x] = "sent alert " n
        A(CLOSE_NOTIFY, "close_notify"),
        A(UNEXPECTED_MESSAGE, "unexpected_message"),
        A(BAD_RECORD_MAC, "bad_record_mac"),
        A(RECORD_OVERFLOW, "record_overflow"),
        A(HANDSHAKE_FAILURE, "handshake_failure"),
        A(BAD_CERTIFICATE, "bad_certificate"),
        A(UNSUPPORTED_CERTIFICATE, "unsupported_certificate"),
        A(CERTIFICATE_REVOKED, "certificate_revoked"),
        A(CERTIFICATE_EXPIRED, "certificate_expired"),
        A(CERTIFICATE_UNKNOWN, "certificate_unknown"),
        A(ILLEGAL_PARAMETER, "illegal_parameter"),
        A(UNKNOWN_CA, "unknown_ca"),
        A(ACCESS_DENIED, "access_denied"),
        A(DECODE_ERROR, "decode_error"),
        A(DECRYPT_ERROR, "decrypt_error"),
        A(PROTOCOL_VERSION, "protocol_version"),
        A(INSUFFICIENT_SECURITY, "insufficient_security"),
        A(INTERNAL_ERROR, "internal_error"),
        A(INAPPROPRIATE_FALLBACK, "inappropriate_fallback"),
        A(USER_CANCELED, "user_canceled"),
        A(NO_RENEGOTIATION, "no_renegotiation"),
        A(MISSING_EXTENSION, "missing_extension"),
        A(UNSUPPORTED_EXTENSION, "unsupported_extension"),
        A(UNRECOGNIZED_NAME, "unrecognized_name"),
        A(BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response"),
        A(UNKNOWN_PSK_IDENTITY, "unknown_psk_identity"),
        A(CERTIFICATE_REQUIRED, "certificate_required"),
        A(NO_APPLICATION_PROTOCOL, "no_application_protocol"),
#undef A
    };
    static const char *const peer[256] = {
#define A(x, n) [TLSM_ALERT_##x] = "peer sent alert " n
        A(CLOSE_NOTIFY, "close_notify"),
        A(UNEXPECTED_MESSAGE, "unexpected_message"),
        A(BAD_RECORD_MAC, "bad_record_mac"),
        A(RECORD_OVERFLOW, "record_overflow"),
        A(HANDSHAKE_FAILURE, "handshake_failure"),
        A(BAD_CERTIFICATE, "bad_certificate"),
        A(UNSUPPORTED_CERTIFICATE, "unsupported_certificate"),
        A(CERTIFICATE_REVOKED, "certificate_revoked"),
        A(CERTIFICATE_EXPIRED, "certificate_expired"),
        A(CERTIFICATE_UNKNOWN, "certificate_unknown"),
        A(ILLEGAL_PARAMETER, "illegal_parameter"),
        A(UNKNOWN_CA, "unknown_ca"),
        A(ACCESS_DENIED, "access_denied"),
        A(DECODE_ERROR, "decode_error"),
        A(DECRYPT_ERROR, "decrypt_error"),
        A(PROTOCOL_VERSION, "protocol_version"),
        A(INSUFFICIENT_SECURITY, "insufficient_security"),
        A(INTERNAL_ERROR, "internal_error"),
        A(INAPPROPRIATE_FALLBACK, "inappropriate_fallback"),
        A(USER_CANCELED, "user_canceled"),
        A(NO_RENEGOTIATION, "no_renegotiation"),
        A(MISSING_EXTENSION, "missing_extension"),
        A(UNSUPPORTED_EXTENSION, "unsupported_extension"),
        A(UNRECOGNIZED_NAME, "unrecognized_name"),
        A(BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response"),
        A(UNKNOWN_PSK_IDENTITY, "unknown_psk_identity"),
        A(CERTIFICATE_REQUIRED, "certificate_required"),
        A(NO_APPLICATION_PROTOCOL, "no_application_protocol"),
#undef A
    };
    if (TLSM_ERR_IS_LOCAL_ALERT(code))
        return local[TLSM_ERR_ALERT(code)] ? local[TLSM_ERR_ALERT(code)] : "sent an unknown alert";
    if (TLSM_ERR_IS_PEER_ALERT(code))
        return peer[TLSM_ERR_ALERT(code)] ? peer[TLSM_ERR_ALERT(code)] : "peer sent an unknown alert";
    switch (code) {
    case TLSM_OK: return "ok";
    case TLSM_ERR_NOMEM: return "out of memory";
    case TLSM_ERR_ARG: return "invalid argument";
    case TLSM_ERR_STATE: return "call not allowed in this state";
    case TLSM_ERR_CLOSED: return "connection closed";
    case TLSM_ERR_FROZEN: return "config is in use and can no longer change";
    case TLSM_ERR_BUFFER: return "buffer too small";
    case TLSM_ERR_PEM: return "malformed PEM";
    case TLSM_ERR_KEY: return "unsupported or malformed private key";
    case TLSM_ERR_KEY_MISMATCH: return "private key does not match the certificate";
    case TLSM_ERR_NO_CERT: return "no certificate found";
    case TLSM_ERR_RNG: return "random generator failed";
    case TLSM_ERR_CRYPTO: return "crypto primitive failed";
    case TLSM_ERR_TRUNCATED: return "connection truncated (closed without close_notify)";
    case TLSM_ERR_NO_SESSION: return "no resumable session";
    case TLSM_ERR_IO: return "file could not be read";
    case TLSM_ERR_CERT_PARSE: return "certificate: malformed";
    case TLSM_ERR_CERT_UNKNOWN_ISSUER: return "certificate: unknown issuer (no path to a trust anchor)";
    case TLSM_ERR_CERT_SIGNATURE: return "certificate: bad signature";
    case TLSM_ERR_CERT_EXPIRED: return "certificate: expired";
    case TLSM_ERR_CERT_NOT_YET_VALID: return "certificate: not yet valid";
    case TLSM_ERR_CERT_NOT_CA: return "certificate: issuer is not a CA";
    case TLSM_ERR_CERT_PATH_LEN: return "certificate: path length constraint exceeded";
    case TLSM_ERR_CERT_USAGE: return "certificate: key usage does not allow this use";
    case TLSM_ERR_CERT_NAME_MISMATCH: return "certificate: host name mismatch";
    case TLSM_ERR_CERT_UNSUPPORTED_ALG: return "certificate: unsupported algorithm";
    case TLSM_ERR_CERT_CRITICAL_EXT: return "certificate: unknown critical extension";
    case TLSM_ERR_CERT_WEAK_KEY: return "certificate: key too weak";
    case TLSM_ERR_CERT_NO_TRUST: return "certificate: no trust anchors configured";
    case TLSM_ERR_CERT_REJECTED: return "certificate: rejected by the application";
    case TLSM_ERR_CERT_NAME_CONSTRAINT: return "certificate: name outside the issuer's name constraints";
    case TLSM_ERR_CERT_BAD_SERIAL: return "certificate: serial number not a positive integer of at most 20 octets";
    case TLSM_ERR_CERT_BAD_TIME: return "certificate: malformed validity time";
    }
    return "unknown error";
}

const char *tlsm_event_name(tlsm_event_type type)
{
    switch (type) {
    case TLSM_EV_NONE: return "none";
    case TLSM_EV_HANDSHAKE_DONE: return "handshake_done";
    case TLSM_EV_PEER_CLOSED: return "peer_closed";
    case TLSM_EV_ALERT: return "alert";
    case TLSM_EV_NEW_TICKET: return "new_ticket";
    case TLSM_EV_KEY_UPDATED: return "key_updated";
    case TLSM_EV_MESSAGE_SENT: return "message_sent";
    case TLSM_EV_MESSAGE_RECEIVED: return "message_received";
    case TLSM_EV_SIGN: return "sign";
    case TLSM_EV_ERROR: return "error";
    case TLSM_EV_VERIFY_PEER: return "verify_peer";
    }
    return "unknown";
}

const char *tlsm_message_name(uint8_t t)
{
    switch (t) {
    case 1: return "ClientHello";
    case 2: return "ServerHello";
    case 0: return "HelloRequest";
    case 4: return "NewSessionTicket";
    case 5: return "EndOfEarlyData";
    case 8: return "EncryptedExtensions";
    case 11: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 16: return "ClientKeyExchange";
    case 20: return "Finished";
    case 24: return "KeyUpdate";
    case 254: return "MessageHash";
    }
    return "Unknown";
}
