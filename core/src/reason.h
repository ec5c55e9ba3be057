/*
 * reason.h - why a connection failed: one named reason for every check that can end a
 * connection, and the one table that says which alert each reason sends.
 *
 * The return convention below the connection driver (conn.c): a function that fails
 * returns FAIL(R_...), a negative int that names the reason; 0 is success. Reasons sit far
 * from the public TLSM_ERR_* codes (which lower layers such as pki/ and crypto/ still
 * return), so reason_of() turns either into a reason. Only the driver turns a reason into
 * the sticky error and queues its alert (conn_fail), so a test or a host can tell which
 * check fired, not only which alert went out (tlsm_conn_error_detail).
 *
 * The list: X(NAME, ALERT, "text"). ALERT is the TLSM_ALERT_* suffix of the alert sent, or
 * NONE when nothing is sent. The public error code is TLSM_ERR_LOCAL_ALERT(alert) unless
 * reason_code() says otherwise (out of memory, truncation, a peer's alert, ...).
 */
#ifndef TLSM_REASON_H
#define TLSM_REASON_H

#include "tlsm.h"

#define TLSM_REASONS(X)                                                                      \
    /* ---- resources and internal failures */                                             \
    X(NOMEM, INTERNAL_ERROR, "out of memory")                                                \
    X(RNG, INTERNAL_ERROR, "the random generator failed")                                    \
    X(CRYPTO, INTERNAL_ERROR, "a crypto primitive failed unexpectedly")                      \
    X(KEY_SCHEDULE, INTERNAL_ERROR, "a key could not be derived")                            \
    X(OUTPUT_FULL, INTERNAL_ERROR, "the output buffer bound was reached")                    \
    X(HS_FLIGHT_TOO_LARGE, INTERNAL_ERROR, "our handshake flight exceeds the output bound")  \
    X(MESSAGE_ENCODE, INTERNAL_ERROR, "a handshake message we build did not fit")            \
    X(SIGN_FAILED, INTERNAL_ERROR, "our signature could not be made")                        \
    X(EXTERNAL_SIGNATURE_INVALID, INTERNAL_ERROR,                                            \
      "the external signer's signature does not verify with our certificate")                \
    X(TRANSCRIPT_NOT_KEPT, INTERNAL_ERROR, "the handshake messages to sign were not kept")   \
    X(TICKET_SEAL, INTERNAL_ERROR, "a session ticket could not be sealed")                   \
    X(RSA_ENCRYPT, INTERNAL_ERROR, "the premaster secret could not be encrypted")            \
    X(DH_PARAMS, INTERNAL_ERROR, "our DH group has no parameters")                           \
    /* ---- the transport and the API */                                                    \
    X(TRUNCATED, NONE, "the transport closed without close_notify")                         \
    X(NO_SERVER_NAME, NONE, "a verifying client was given no server name")                  \
    X(PEER_ALERT, NONE, "the peer sent a fatal alert")                                       \
    X(CERT_REJECTED_BY_HOST, BAD_CERTIFICATE, "the host rejected the peer's certificate")    \
    X(HOST_ABORT, INTERNAL_ERROR, "the host ended the connection (tlsm_conn_abort)")          \
    /* ---- records (RFC 8446 s.5, RFC 5246 s.6) */                                         \
    X(REC_UNKNOWN_TYPE, UNEXPECTED_MESSAGE, "a record of an unknown content type")          \
    X(REC_TOO_LONG, RECORD_OVERFLOW, "a record longer than the protocol allows")             \
    X(REC_PLAINTEXT_TOO_LONG, RECORD_OVERFLOW, "an unprotected record over 2^14 bytes")      \
    X(REC_DECRYPTED_TOO_LONG, RECORD_OVERFLOW,                                               \
      "a record decrypts to more than the plaintext limit")                                  \
    X(REC_BAD_MAC, BAD_RECORD_MAC, "a record does not authenticate")                         \
    X(REC_EARLY_DATA_TOO_MUCH, UNEXPECTED_MESSAGE,                                          \
      "more refused 0-RTT data than a server skips (16 KiB)")                              \
    X(REC_SHORTER_THAN_TAG, BAD_RECORD_MAC, "a protected record too short to authenticate")  \
    X(REC_SEQ_EXHAUSTED, BAD_RECORD_MAC, "the read sequence number is exhausted")            \
    X(REC_NO_CONTENT_TYPE, UNEXPECTED_MESSAGE, "a TLS 1.3 record with no non-zero type byte")\
    X(REC_CIPHER_STATE, INTERNAL_ERROR, "a record was opened with an unusable cipher")       \
    X(REC_NOT_PROTECTED, UNEXPECTED_MESSAGE, "an unprotected record after keys were set")    \
    X(REC_APPDATA_UNPROTECTED, UNEXPECTED_MESSAGE, "application data before any keys")       \
    X(REC_INTERLEAVED, UNEXPECTED_MESSAGE,                                                   \
      "another record type in the middle of a handshake message")                            \
    X(APPDATA_BEFORE_HANDSHAKE, UNEXPECTED_MESSAGE,                                          \
      "application data before the handshake finished")                                      \
    X(CCS_UNEXPECTED, UNEXPECTED_MESSAGE, "a ChangeCipherSpec where none may come")          \
    X(CCS_MALFORMED, DECODE_ERROR, "a ChangeCipherSpec that is not the single byte 1")       \
    X(CCS_BEFORE_TICKET, UNEXPECTED_MESSAGE,                                                 \
      "ChangeCipherSpec before the NewSessionTicket the ServerHello announced")              \
    /* ---- alerts (RFC 8446 s.6) */                                                        \
    X(ALERT_MALFORMED, DECODE_ERROR, "an alert record that is not one two-byte alert")       \
    X(ALERT_EMPTY, UNEXPECTED_MESSAGE, "an empty alert record")                              \
    X(WARNING_FLOOD, UNEXPECTED_MESSAGE, "too many warning alerts or renegotiation requests")\
    /* ---- handshake framing and order */                                                  \
    X(HS_EMPTY_FRAGMENT, UNEXPECTED_MESSAGE, "a zero-length handshake record")              \
    X(HS_MESSAGE_TOO_LARGE, DECODE_ERROR, "a handshake message larger than allowed")         \
    X(HS_SPANS_KEY_CHANGE, UNEXPECTED_MESSAGE, "a handshake message spans a key change")     \
    X(HS_UNEXPECTED_MESSAGE, UNEXPECTED_MESSAGE, "a handshake message not allowed here")     \
    X(HS_BAD_TRANSITION, INTERNAL_ERROR, "a handler moved to a state its row does not list") \
    /* ---- extensions (RFC 8446 s.4.2) */                                                  \
    X(EXT_DECODE, DECODE_ERROR, "a malformed extension block")                               \
    X(EXT_DUPLICATE, ILLEGAL_PARAMETER, "the same extension twice in one block")             \
    X(EXT_UNSOLICITED, UNSUPPORTED_EXTENSION, "an extension we did not offer")               \
    X(EXT_NOT_ALLOWED_HERE, ILLEGAL_PARAMETER, "an extension that does not belong here")     \
    /* ---- ClientHello (server side) */                                                    \
    X(CH_DECODE, DECODE_ERROR, "a malformed ClientHello")                                    \
    X(CH_PSK_NOT_LAST, ILLEGAL_PARAMETER, "pre_shared_key is not the last extension")        \
    X(CH2_PSK_DROPPED, MISSING_EXTENSION,                                                   \
      "the second ClientHello dropped the pre_shared_key the first had")                   \
    X(CH2_EARLY_DATA, ILLEGAL_PARAMETER, "early_data in the ClientHello after a retry")      \
    X(CH_NO_COMMON_VERSION, PROTOCOL_VERSION, "no protocol version in common")               \
    X(CH_LEGACY_VERSION_SSL3, PROTOCOL_VERSION, "a ClientHello legacy_version of SSL 3.0 or older")\
    X(CH_INAPPROPRIATE_FALLBACK, INAPPROPRIATE_FALLBACK,                                      \
      "TLS_FALLBACK_SCSV from a client that offers less than our highest version")           \
    X(CH_VERSIONS_DECODE, DECODE_ERROR, "a malformed supported_versions list")               \
    X(CH_COMPRESSION, ILLEGAL_PARAMETER, "legacy_compression_methods is not { null }")       \
    X(CH2_NOT_TLS13, ILLEGAL_PARAMETER, "the second ClientHello does not offer TLS 1.3")     \
    X(CH2_CHANGED, ILLEGAL_PARAMETER,                                                        \
      "the second ClientHello changed more than a HelloRetryRequest allows")                 \
    X(CH2_SHARES, ILLEGAL_PARAMETER,                                                         \
      "the second ClientHello does not carry the one key share asked for")                   \
    X(CH_NO_COMMON_SUITE, HANDSHAKE_FAILURE, "no cipher suite in common")                    \
    X(CH_NO_COMMON_GROUP, HANDSHAKE_FAILURE, "no key exchange group in common")              \
    X(CH_NO_KEY_SHARE_EXT, MISSING_EXTENSION, "key_share and supported_groups must come together")\
    X(CH_GROUPS_DECODE, DECODE_ERROR, "a malformed supported_groups list")                   \
    X(CH_KEY_SHARES_DECODE, DECODE_ERROR, "a malformed key_share list")                      \
    X(CH_KEY_SHARE_DUPLICATE, ILLEGAL_PARAMETER, "two key shares for one group")             \
    X(CH_KEY_SHARE_NOT_IN_GROUPS, ILLEGAL_PARAMETER,                                         \
      "a key share for a group not in supported_groups")                                     \
    X(CH_KEY_SHARE_INVALID, ILLEGAL_PARAMETER, "the client's key share is not a valid key")  \
    X(CH_NO_SIGALGS, MISSING_EXTENSION, "certificate authentication without signature_algorithms")\
    X(CH_NO_COMMON_SIGALG, HANDSHAKE_FAILURE, "no certificate of ours fits the client's schemes")\
    X(NO_MATCHING_ISSUER, HANDSHAKE_FAILURE, "the peer's certificate_authorities name no issuer "  \
                                             "of the identities that must match one")           \
    X(CA_NAMES_DECODE, DECODE_ERROR, "a malformed certificate_authorities list")              \
    X(SNI_DECODE, DECODE_ERROR, "a malformed server_name extension")                         \
    X(SNI_INVALID, ILLEGAL_PARAMETER, "a server name over 255 bytes or with a NUL")          \
    X(ALPN_DECODE, DECODE_ERROR, "a malformed ALPN extension")                               \
    X(ALPN_NO_OVERLAP, NO_APPLICATION_PROTOCOL, "no application protocol in common")         \
    X(RSL_DECODE, DECODE_ERROR, "a malformed record_size_limit")                             \
    X(RSL_TOO_SMALL, ILLEGAL_PARAMETER, "a record_size_limit below 64")                      \
    X(COOKIE_MISSING, MISSING_EXTENSION, "the second ClientHello lost the cookie")           \
    X(COOKIE_DECODE, DECODE_ERROR, "a malformed cookie extension")                           \
    X(COOKIE_MISMATCH, ILLEGAL_PARAMETER, "the cookie came back changed")                    \
    X(COOKIE_UNSOLICITED, ILLEGAL_PARAMETER, "a cookie we never sent")                       \
    X(PSK_NO_MODES, MISSING_EXTENSION, "pre_shared_key without psk_key_exchange_modes")      \
    X(PSK_MODES_DECODE, DECODE_ERROR, "a malformed psk_key_exchange_modes")                  \
    X(PSK_DECODE, DECODE_ERROR, "a malformed pre_shared_key")                                \
    X(PSK_BINDER_DECODE, DECODE_ERROR, "a malformed list of PSK binders")                    \
    X(PSK_BINDER_COUNT, ILLEGAL_PARAMETER, "not one PSK binder for each identity")           \
    X(PSK_BINDER_INVALID, DECRYPT_ERROR, "a PSK binder that does not verify")                \
    X(SIGALGS_DECODE, DECODE_ERROR, "a malformed signature_algorithms list")                 \
    /* ---- ServerHello and HelloRetryRequest (client side) */                              \
    X(SH_DECODE, DECODE_ERROR, "a malformed ServerHello")                                    \
    X(SH_VERSION_NOT_OFFERED, PROTOCOL_VERSION, "the server chose a version we did not offer")\
    X(SH_SUPPORTED_VERSIONS_DECODE, DECODE_ERROR, "a malformed selected_version")            \
    X(SH_SUPPORTED_VERSIONS_BAD, ILLEGAL_PARAMETER, "selected_version is not TLS 1.3 as offered")\
    X(SH_SESSION_ID_TOO_LONG, ILLEGAL_PARAMETER, "a ServerHello session id over 32 bytes")   \
    X(SH_SESSION_ID_MISMATCH, ILLEGAL_PARAMETER, "the ServerHello does not echo our session id")\
    X(SH_LEGACY_VERSION, ILLEGAL_PARAMETER, "a TLS 1.3 ServerHello legacy_version not 0x0303")\
    X(SH_LEGACY_VERSION_SSL3, PROTOCOL_VERSION, "a ServerHello legacy_version of SSL 3.0 or older")\
    X(SH_LEGACY_VERSION_UNKNOWN, PROTOCOL_VERSION, "a ServerHello legacy_version above TLS 1.2")\
    X(SH2_VERSION_CHANGED, ILLEGAL_PARAMETER,                                                \
      "the ServerHello after a HelloRetryRequest is not TLS 1.3")                            \
    X(SH_SUITE_NOT_OFFERED, ILLEGAL_PARAMETER, "the server chose a suite we did not offer")  \
    X(SH_COMPRESSION, ILLEGAL_PARAMETER, "the server chose a compression method")            \
    X(SH_SUITE_CHANGED_AFTER_HRR, ILLEGAL_PARAMETER,                                         \
      "the ServerHello suite differs from the HelloRetryRequest's")                          \
    X(SH_PSK_DECODE, DECODE_ERROR, "a malformed pre_shared_key in the ServerHello")          \
    X(SH_PSK_NOT_OFFERED, ILLEGAL_PARAMETER, "the server selected a PSK we did not offer")   \
    X(SH_NO_KEY_SHARE, MISSING_EXTENSION, "a ServerHello without key_share")                 \
    X(SH_KEY_SHARE_DECODE, DECODE_ERROR, "a malformed key_share in the ServerHello")         \
    X(SH_KEY_SHARE_GROUP, ILLEGAL_PARAMETER, "the server's share is not for our group")      \
    X(SH_KEY_SHARE_INVALID, ILLEGAL_PARAMETER, "the server's key share is not a valid key")  \
    X(SH_DOWNGRADE, ILLEGAL_PARAMETER, "a TLS 1.2 ServerHello with the TLS 1.3 downgrade sentinel")\
    X(HRR_SECOND, UNEXPECTED_MESSAGE, "a second HelloRetryRequest")                          \
    X(HRR_KEY_SHARE_DECODE, DECODE_ERROR, "a malformed key_share in the HelloRetryRequest") \
    X(HRR_GROUP, ILLEGAL_PARAMETER,                                                          \
      "the HelloRetryRequest asks for a group we did not offer or already sent")            \
    X(HRR_COOKIE_DECODE, DECODE_ERROR, "a malformed cookie in the HelloRetryRequest")        \
    X(HRR_NO_CHANGE, ILLEGAL_PARAMETER, "a HelloRetryRequest that would change nothing")     \
    /* ---- the server's flight (client side, TLS 1.3) */                                   \
    X(EE_DECODE, DECODE_ERROR, "malformed EncryptedExtensions")                              \
    X(EE_SNI_NOT_EMPTY, DECODE_ERROR, "the server's server_name answer is not empty")        \
    X(EE_GROUPS_DECODE, DECODE_ERROR, "a malformed supported_groups in EncryptedExtensions")\
    X(ALPN_NOT_OFFERED, ILLEGAL_PARAMETER, "the server chose a protocol we did not offer")   \
    X(CR_DECODE, DECODE_ERROR, "a malformed CertificateRequest")                             \
    X(CR_CONTEXT_NOT_EMPTY, ILLEGAL_PARAMETER, "a handshake CertificateRequest with a context")\
    X(CR_NO_SIGALGS, MISSING_EXTENSION, "a CertificateRequest without signature_algorithms") \
    /* ---- certificates and signatures (both versions) */                                  \
    X(CERT_MSG_DECODE, DECODE_ERROR, "a malformed Certificate message")                      \
    X(OCSP_REQUEST_DECODE, DECODE_ERROR, "a malformed status_request in a ClientHello")        \
    X(OCSP_RESPONSE_DECODE, DECODE_ERROR, "a malformed stapled OCSP response (CertificateStatus)")\
    X(CERT_STATUS_UNEXPECTED, UNEXPECTED_MESSAGE, "a CertificateStatus the ServerHello did not announce")\
    X(CERT_EXT_UNSOLICITED, UNSUPPORTED_EXTENSION, "a certificate entry extension we did not ask for")\
    X(CERT_CONTEXT_MISMATCH, ILLEGAL_PARAMETER, "the Certificate context is not the request's")\
    X(CERT_EMPTY_SERVER, DECODE_ERROR, "the server sent no certificate")                     \
    X(CERT_REQUIRED, CERTIFICATE_REQUIRED, "the client sent no certificate, one is required")\
    X(CERT12_REQUIRED, HANDSHAKE_FAILURE, "the TLS 1.2 client sent no certificate, one is required")\
    X(CERT_KEY_NOT_FOR_SUITE, UNSUPPORTED_CERTIFICATE, "the leaf key does not fit the TLS 1.2 suite")\
    X(CERT12_CURVE_NOT_OFFERED, ILLEGAL_PARAMETER, "the server's ECDSA key is on a curve we did "    \
                                                    "not offer (TLS 1.2)")                          \
    X(CERT_KU_NO_SIGNATURE, UNSUPPORTED_CERTIFICATE,                                          \
      "the leaf's keyUsage does not allow signing (digitalSignature)")                      \
    X(CERT_KU_NO_ENCIPHERMENT, UNSUPPORTED_CERTIFICATE,                                       \
      "the leaf's keyUsage does not allow RSA key transport (keyEncipherment)")             \
    X(CERT_PARSE, BAD_CERTIFICATE, "a certificate is not strict DER X.509")                  \
    X(CERT_UNKNOWN_ISSUER, UNKNOWN_CA, "no path to a trust anchor")                          \
    X(CERT_NO_TRUST, UNKNOWN_CA, "no trust anchors are configured")                          \
    X(CERT_SIGNATURE, BAD_CERTIFICATE, "a signature in the chain does not verify")           \
    X(CERT_EXPIRED, CERTIFICATE_EXPIRED, "a certificate has expired")                        \
    X(CERT_NOT_YET_VALID, CERTIFICATE_EXPIRED, "a certificate is not valid yet")             \
    X(CERT_NOT_CA, BAD_CERTIFICATE, "an issuer is not a CA")                                 \
    X(CERT_PATH_LEN, BAD_CERTIFICATE, "the path is longer than allowed")                     \
    X(CERT_USAGE, UNSUPPORTED_CERTIFICATE, "key usage forbids this use")                     \
    X(CERT_NAME_MISMATCH, BAD_CERTIFICATE, "the certificate is not for this name")           \
    X(CERT_UNSUPPORTED_ALG, UNSUPPORTED_CERTIFICATE, "an algorithm tlsm does not accept")    \
    X(CERT_CRITICAL_EXT, BAD_CERTIFICATE, "an unknown critical extension")                   \
    X(CERT_WEAK_KEY, UNSUPPORTED_CERTIFICATE, "an RSA key under 2048 bits")                  \
    X(CERT_NAME_CONSTRAINT, BAD_CERTIFICATE, "a name outside the issuer's name constraints") \
    X(CERT_BAD_SERIAL, BAD_CERTIFICATE, "a serial number that is not a positive integer")    \
    X(CERT_BAD_TIME, BAD_CERTIFICATE, "a malformed validity time")                           \
    X(CERT_RSA_KEY_TOO_LARGE, BAD_CERTIFICATE, "an RSA modulus over 8192 bits")              \
    X(CERT_RSA_EXPONENT, BAD_CERTIFICATE, "an RSA public exponent even, below 3 or over 32 bits")\
    X(CERT_WORK_LIMIT, BAD_CERTIFICATE, "verifying the chain would take too much work")      \
    X(CERT_BAD_DNS_NAME, BAD_CERTIFICATE,                                                    \
      "a DNS name of a certificate or name constraint is malformed")                         \
    X(CERT_LEAF_NAME_CONSTRAINTS, BAD_CERTIFICATE,                                           \
      "nameConstraints in an end-entity certificate")                                        \
    X(CERT_BC_NOT_CRITICAL, BAD_CERTIFICATE,                                                 \
      "an issuing CA whose basicConstraints is not critical")                                \
    X(CERT_LEAF_IS_CA, UNSUPPORTED_CERTIFICATE,                                              \
      "the peer's end-entity certificate is a CA certificate")                               \
    X(CERT_EMPTY_SUBJECT, BAD_CERTIFICATE,                                                   \
      "an empty subject on a CA, or without a critical subjectAltName")                      \
    X(CERT_NC_UNSUPPORTED_NAME, BAD_CERTIFICATE,                                             \
      "a name of a form critical name constraints restrict that tlsm does not check")        \
    X(CERT_OTHER, BAD_CERTIFICATE, "the certificate could not be verified")                  \
    X(CV_DECODE, DECODE_ERROR, "a malformed CertificateVerify")                              \
    X(SIG_SCHEME_NOT_OFFERED, ILLEGAL_PARAMETER, "a signature scheme we did not offer")      \
    X(SIG_SCHEME_KEY_MISMATCH, ILLEGAL_PARAMETER, "a signature scheme that does not fit the key")\
    X(SIG_SCHEME_PSS_PARAMS, ILLEGAL_PARAMETER,                                              \
      "a PSS scheme the key's RSASSA-PSS parameters do not allow")                           \
    X(SIG_INVALID, DECRYPT_ERROR, "the peer's signature does not verify")                    \
    /* ---- Finished (both versions) */                                                     \
    X(FINISHED_DECODE, DECODE_ERROR, "a Finished of the wrong length")                       \
    X(FINISHED_MISMATCH, DECRYPT_ERROR, "the peer's Finished verify_data is wrong")          \
    /* ---- after the handshake (TLS 1.3) */                                                \
    X(NST_DECODE, DECODE_ERROR, "a malformed NewSessionTicket")                              \
    X(NST_LIFETIME, ILLEGAL_PARAMETER, "a ticket lifetime over seven days")                  \
    X(KU_DECODE, DECODE_ERROR, "a malformed KeyUpdate")                                      \
    X(KU_BAD_REQUEST, ILLEGAL_PARAMETER, "a KeyUpdate request value other than 0 or 1")      \
    /* ---- TLS 1.2 */                                                                     \
    X(SH12_VERSION_NOT_ENABLED, PROTOCOL_VERSION, "a TLS 1.2 ServerHello with TLS 1.2 off") \
    X(SH12_SUITE_NOT_OFFERED, ILLEGAL_PARAMETER, "the server chose a suite we did not offer")\
    X(SH12_EXT_DECODE, DECODE_ERROR, "a malformed extension in the TLS 1.2 ServerHello")     \
    X(SH12_EXT_UNSOLICITED, UNSUPPORTED_EXTENSION, "an extension we did not offer")          \
    X(SH12_RENEGOTIATION_INFO, HANDSHAKE_FAILURE, "a non-empty renegotiation_info")          \
    X(SH12_POINT_FORMATS, ILLEGAL_PARAMETER, "ec_point_formats without uncompressed")        \
    X(SH12_NO_EMS, HANDSHAKE_FAILURE, "the server does not do Extended Master Secret")       \
    X(SH12_SESSION_ID_NOT_OFFERED, ILLEGAL_PARAMETER,                                       \
      "the TLS 1.2 ServerHello echoes a session id that offered no session")                 \
    X(SH12_RESUMED_SUITE, ILLEGAL_PARAMETER, "the resumed session's suite changed")          \
    X(SH12_RESUMED_EMS, HANDSHAKE_FAILURE, "the resumed session's EMS changed")              \
    X(SKE_DECODE, DECODE_ERROR, "a malformed ServerKeyExchange")                             \
    X(SKE_CURVE, ILLEGAL_PARAMETER, "a ServerKeyExchange curve we did not offer")            \
    X(SKE_DH_GROUP, INSUFFICIENT_SECURITY, "DH parameters that are not a known safe group")  \
    X(SKE_SHARE_TOO_LONG, ILLEGAL_PARAMETER, "a ServerKeyExchange public value too long")    \
    X(SKE_SHARE_INVALID, ILLEGAL_PARAMETER, "the server's key exchange value is not valid")  \
    X(CR12_DECODE, DECODE_ERROR, "a malformed TLS 1.2 CertificateRequest")                   \
    X(SHD_NOT_EMPTY, DECODE_ERROR, "a ServerHelloDone with a body")                          \
    X(NST12_DECODE, DECODE_ERROR, "a malformed TLS 1.2 NewSessionTicket")                    \
    X(NST12_UNANNOUNCED, UNEXPECTED_MESSAGE, "a NewSessionTicket the ServerHello did not announce")\
    X(CH12_RENEGOTIATION_INFO, HANDSHAKE_FAILURE, "a non-empty renegotiation_info")          \
    X(CH12_EMS_DECODE, DECODE_ERROR, "an extended_master_secret extension with a body")      \
    X(CH12_NO_EMS, HANDSHAKE_FAILURE, "the client does not do Extended Master Secret")       \
    X(CH12_RESUME_WITHOUT_EMS, HANDSHAKE_FAILURE,                                             \
      "resuming an Extended Master Secret session without the extension")                   \
    X(CKE_DECODE, DECODE_ERROR, "a malformed ClientKeyExchange")                             \
    X(CKE_SHARE_INVALID, ILLEGAL_PARAMETER, "the client's key exchange value is not valid")  \
    X(CV12_DECODE, DECODE_ERROR, "a malformed TLS 1.2 CertificateVerify")

typedef enum {
    R_NONE = 0,
    /* Far above every TLSM_ERR_* code, so that FAIL(r) never collides with one. */
    R__BASE = 0x10000 - 1,
#define TLSM_REASON_ENUM(name, alert, text) R_##name,
    TLSM_REASONS(TLSM_REASON_ENUM)
#undef TLSM_REASON_ENUM
    R__END
} reason;

/* The return value that stands for reason r (for comparisons). */
#define RC(r) (-(int)(r))
/* Fails with reason r. In debug builds the place is noted too (on this thread only, a
 * debugging aid that tlsm_conn_error_detail reports as file:line). */
#ifdef NDEBUG
#define FAIL(r) RC(r)
#else
#define FAIL(r) reason_note((r), __FILE__, __LINE__)
int reason_note(reason r, const char *file, int line);
#endif
/* Where reason r was last noted on this thread (debug builds), else NULL and 0. */
void reason_site(reason r, const char **file, int *line);

/* The reason of a failure return: FAIL(r) gives r, a TLSM_ERR_* code the reason that
 * stands for it (TLSM_ERR_NOMEM is R_NOMEM, TLSM_ERR_CERT_EXPIRED R_CERT_EXPIRED, ...). */
reason reason_of(int rc);
/* The reason for a certificate verdict (TLSM_ERR_CERT_*). */
reason reason_of_cert(int cert_err);
/* "SH_SESSION_ID_MISMATCH"; "" for R_NONE. */
const char *reason_name(reason r);
const char *reason_text(reason r);
/* The alert a reason sends, -1 for none. */
int reason_alert(reason r);
/* The public error code of a reason (TLSM_ERR_LOCAL_ALERT(alert) for most). */
int reason_code(reason r);

#endif
