/*
 * errors.c - names for every tlsm code, TLS alert, event and handshake message, so that
 * hosts and the CLI can print one clear line for any failure.
 */
#include "internal.h"

const char *tlsm_version_string(void)
{
    return "0.1.0";
}

#define TLSM_ALERT_LIST(X) \
    X(CLOSE_NOTIFY, "close_notify") \
    X(UNEXPECTED_MESSAGE, "unexpected_message") \
    X(BAD_RECORD_MAC, "bad_record_mac") \
    X(RECORD_OVERFLOW, "record_overflow") \
    X(HANDSHAKE_FAILURE, "handshake_failure") \
    X(BAD_CERTIFICATE, "bad_certificate") \
    X(UNSUPPORTED_CERTIFICATE, "unsupported_certificate") \
    X(CERTIFICATE_REVOKED, "certificate_revoked") \
    X(CERTIFICATE_EXPIRED, "certificate_expired") \
    X(CERTIFICATE_UNKNOWN, "certificate_unknown") \
    X(ILLEGAL_PARAMETER, "illegal_parameter") \
    X(UNKNOWN_CA, "unknown_ca") \
    X(ACCESS_DENIED, "access_denied") \
    X(DECODE_ERROR, "decode_error") \
    X(DECRYPT_ERROR, "decrypt_error") \
    X(PROTOCOL_VERSION, "protocol_version") \
    X(INSUFFICIENT_SECURITY, "insufficient_security") \
    X(INTERNAL_ERROR, "internal_error") \
    X(INAPPROPRIATE_FALLBACK, "inappropriate_fallback") \
    X(USER_CANCELED, "user_canceled") \
    X(NO_RENEGOTIATION, "no_renegotiation") \
    X(MISSING_EXTENSION, "missing_extension") \
    X(UNSUPPORTED_EXTENSION, "unsupported_extension") \
    X(UNRECOGNIZED_NAME, "unrecognized_name") \
    X(BAD_CERTIFICATE_STATUS_RESPONSE, "bad_certificate_status_response") \
    X(UNKNOWN_PSK_IDENTITY, "unknown_psk_identity") \
    X(CERTIFICATE_REQUIRED, "certificate_required") \
    X(NO_APPLICATION_PROTOCOL, "no_application_protocol")

const char *tlsm_alert_name(uint8_t alert)
{
    switch (alert) {
#define X(sym, name) case TLSM_ALERT_##sym: return name;
        TLSM_ALERT_LIST(X)
#undef X
    }
    return "unknown_alert";
}

const char *tlsm_strerror(int code)
{
    /* Static strings for every alert in both directions, from the one list above. */
    static const char *const local[256] = {
#define X(sym, name) [TLSM_ALERT_##sym] = "sent alert " name,
        TLSM_ALERT_LIST(X)
#undef X
    };
    static const char *const peer[256] = {
#define X(sym, name) [TLSM_ALERT_##sym] = "peer sent alert " name,
        TLSM_ALERT_LIST(X)
#undef X
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
    case TLSM_ERR_NO_SERVER_NAME: return "no server name to verify the certificate against";
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
    case TLSM_ERR_CERT_RSA_TOO_LARGE: return "certificate: RSA modulus over 8192 bits";
    case TLSM_ERR_CERT_RSA_EXPONENT: return "certificate: RSA public exponent even, below 3 or over 32 bits";
    case TLSM_ERR_CERT_WORK_LIMIT: return "certificate: verification needs more work than a chain is allowed";
    case TLSM_ERR_CERT_BAD_DNS_NAME: return "certificate: DNS name not in preferred name syntax (subjectAltName or name constraint)";
    case TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS: return "certificate: name constraints in an end-entity certificate";
    case TLSM_ERR_CERT_BC_NOT_CRITICAL: return "certificate: basicConstraints of an issuing CA not marked critical";
    case TLSM_ERR_CERT_LEAF_IS_CA: return "certificate: end-entity certificate is a CA certificate";
    case TLSM_ERR_CERT_EMPTY_SUBJECT: return "certificate: empty subject on a CA or without a critical subjectAltName";
    case TLSM_ERR_CERT_NC_UNSUPPORTED_NAME: return "certificate: a name of a form tlsm cannot check against critical name constraints";
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
    case TLSM_EV_KEYLOG: return "keylog";
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
    case 22: return "CertificateStatus";
    case 24: return "KeyUpdate";
    case 254: return "MessageHash";
    }
    return "Unknown";
}

const char *tlsm_group_name(uint16_t group)
{
    switch (group) {
    case TLSM_GROUP_SECP256R1: return "secp256r1";
    case TLSM_GROUP_SECP384R1: return "secp384r1";
    case TLSM_GROUP_X25519: return "x25519";
    case TLSM_GROUP_FFDHE2048: return "ffdhe2048";
    case TLSM_GROUP_FFDHE3072: return "ffdhe3072";
    case TLSM_GROUP_X25519MLKEM768: return "X25519MLKEM768";
    case TLSM_GROUP_SECP256R1MLKEM768: return "SecP256r1MLKEM768";
    case TLSM_GROUP_MLKEM768: return "MLKEM768";
    case TLSM_GROUP_SECP384R1MLKEM1024: return "SecP384r1MLKEM1024";
    case TLSM_GROUP_MLKEM1024: return "MLKEM1024";
    case TLSM_GROUP_MODP2048: return "modp2048";
    case TLSM_GROUP_MODP3072: return "modp3072";
    case TLSM_GROUP_MODP4096: return "modp4096";
    case TLSM_GROUP_MODP6144: return "modp6144";
    case TLSM_GROUP_MODP8192: return "modp8192";
    }
    return "unknown";
}

const char *tlsm_sigalg_name(uint16_t scheme)
{
    switch (scheme) {
    case TLSM_SIG_RSA_PKCS1_SHA256: return "rsa_pkcs1_sha256";
    case TLSM_SIG_RSA_PKCS1_SHA384: return "rsa_pkcs1_sha384";
    case TLSM_SIG_RSA_PKCS1_SHA512: return "rsa_pkcs1_sha512";
    case TLSM_SIG_ECDSA_SECP256R1_SHA256: return "ecdsa_secp256r1_sha256";
    case TLSM_SIG_ECDSA_SECP384R1_SHA384: return "ecdsa_secp384r1_sha384";
    case TLSM_SIG_ECDSA_SECP521R1_SHA512: return "ecdsa_secp521r1_sha512";
    case TLSM_SIG_RSA_PSS_RSAE_SHA256: return "rsa_pss_rsae_sha256";
    case TLSM_SIG_RSA_PSS_RSAE_SHA384: return "rsa_pss_rsae_sha384";
    case TLSM_SIG_RSA_PSS_RSAE_SHA512: return "rsa_pss_rsae_sha512";
    case TLSM_SIG_ED25519: return "ed25519";
    case TLSM_SIG_RSA_PSS_PSS_SHA256: return "rsa_pss_pss_sha256";
    case TLSM_SIG_RSA_PSS_PSS_SHA384: return "rsa_pss_pss_sha384";
    case TLSM_SIG_RSA_PSS_PSS_SHA512: return "rsa_pss_pss_sha512";
    }
    return "unknown";
}

const char *tlsm_version_name(uint16_t version)
{
    switch (version) {
    case TLSM_TLS12: return "TLS 1.2";
    case TLSM_TLS13: return "TLS 1.3";
    }
    return "unknown";
}
