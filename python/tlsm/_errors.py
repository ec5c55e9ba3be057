"""Exceptions: every tlsm error code becomes one exception class.

They derive from :class:`ssl.SSLError` (and the matching subclass of it where the meaning
is the same), so code written against the standard library's ``ssl`` module catches them
unchanged::

    TLSError                   ssl.SSLError          any tlsm failure (.code, .reason, .reason_text,
                                                     .alert, .alert_sent)
    ├─ ConfigError             ValueError            bad PEM/key/argument while configuring
    ├─ ProtocolError                                 we detected a problem and sent .alert
    │  └─ CertificateVerificationError
    │                          ssl.SSLCertVerificationError
    │                                                .verify_code, .verify_message
    ├─ PeerAlertError                                the peer sent a fatal .alert
    ├─ TruncatedError          ssl.SSLEOFError       transport closed without close_notify
    ├─ ClosedError             ssl.SSLZeroReturnError the connection was closed cleanly
    └─ StateError                                    call not allowed now (write before the
                                                     handshake, key update on TLS 1.2, ...)

A connection's failure also says which check fired: ``reason`` is the core's stable name
for it (``tlsm_conn_error_detail``), so two failures that send the same alert can be told
apart::

    try:
        conn.receive_data(data)
    except tlsm.TLSError as exc:
        log.warning("TLS failed: %s", exc)  # "sent alert bad_record_mac (REC_BAD_MAC: ...)"
        if exc.reason == "CERT_NAME_MISMATCH": ...
"""

from __future__ import annotations

import ssl
from typing import Any, Optional, Tuple

from . import capi

__all__ = [
    "TLSError",
    "ConfigError",
    "ProtocolError",
    "CertificateVerificationError",
    "PeerAlertError",
    "TruncatedError",
    "ClosedError",
    "StateError",
    "strerror",
    "alert_name",
]

#: What ``capi.conn_error_detail`` returns: (code, reason, text, file, line, alert_sent).
Detail = Tuple[int, str, str, Optional[str], int, int]


def strerror(code: int) -> str:
    """The library's name for any tlsm error code (``tlsm_strerror``)."""
    return capi.strerror(int(code))


def alert_name(alert: int) -> str:
    """The RFC name of a TLS alert description, e.g. ``"handshake_failure"``."""
    return capi.alert_name(int(alert))


def _is_local_alert(code: int) -> bool:
    return code < 0 and ((-code) & 0xF00) == capi.ERR_LOCAL_ALERT_BASE


def _is_peer_alert(code: int) -> bool:
    return code < 0 and ((-code) & 0xF00) == capi.ERR_PEER_ALERT_BASE


class TLSError(ssl.SSLError):
    """Base class of every tlsm error; also an :class:`ssl.SSLError`.

    Attributes:
        code: the tlsm error code (a negative int, see ``tlsm.h``).
        reason: for a connection's failure, the name of the check that fired
            (``tlsm_conn_error_detail``), a stable identifier such as
            ``"CERT_NAME_MISMATCH"``, ``"REC_BAD_MAC"`` or ``"PEER_ALERT"`` (as
            ``ssl.SSLError.reason`` is ``"CERTIFICATE_VERIFY_FAILED"``); ``""`` for errors
            that are not a connection's failure (configuration, misuse).
        reason_text: that check in one line of words, ``""`` without a reason.
        alert: the TLS alert description involved (sent or received), or None.
        alert_sent: the fatal alert this side sent because of the failure (also for errors
            that are not alert codes, e.g. internal_error when out of memory), or None
            (the peer's alert, a cut stream, or not a connection's failure).
        library: always ``"tlsm"`` (``ssl.SSLError`` has the same attribute).

    ``str(exc)`` is ``tlsm_strerror(code)`` followed by the reason, e.g. ``"sent alert
    bad_record_mac (REC_BAD_MAC: a record does not authenticate)"``.
    """

    code: int
    reason: str
    reason_text: str
    alert: Optional[int]
    alert_sent: Optional[int]

    def __init__(self, code: int, message: Optional[str] = None, detail: Optional[Detail] = None) -> None:
        reason, text, sent = "", "", None
        if detail is not None and detail[0] == code and detail[1]:
            reason, text, sent = detail[1], detail[2], (detail[5] if detail[5] >= 0 else None)
        message = message or strerror(code)
        if reason:
            # A certificate failure or the peer's alert is already said in words: the name
            # suffices ("peer sent alert bad_certificate (PEER_ALERT)").
            said = isinstance(self, CertificateVerificationError) or _is_peer_alert(code)
            message = f"{message} ({reason})" if said or not text else f"{message} ({reason}: {text})"
        super().__init__(code, message)
        self.code = code
        self.reason = reason
        self.reason_text = text
        self.alert_sent = sent
        self.library = "tlsm"
        is_alert = _is_local_alert(code) or _is_peer_alert(code)
        self.alert = ((-code) & 0xFF) if is_alert else None

    @property
    def alert_name(self) -> Optional[str]:
        """The alert's RFC name, or None."""
        return None if self.alert is None else alert_name(self.alert)

    def __str__(self) -> str:
        return self.args[1] if len(self.args) > 1 else super().__str__()


class ConfigError(TLSError, ValueError):
    """A configuration call was refused: malformed PEM, unsupported key, key not matching
    the certificate, unknown code, or a config already used by a connection."""


class ProtocolError(TLSError):
    """tlsm detected a protocol problem and sent :attr:`alert` to the peer."""


class CertificateVerificationError(ProtocolError, ssl.SSLCertVerificationError):
    """The peer's certificate chain or name did not verify.

    ``verify_code`` is the ``TLSM_ERR_CERT_*`` code (``tlsm_conn_verify_error``) and
    ``verify_message`` its reason, e.g. ``"certificate: unknown issuer (no path to a trust
    anchor)"``, the same attributes :class:`ssl.SSLCertVerificationError` has.
    """

    verify_code: int
    verify_message: str

    def __init__(self, code: int, verify_code: int, detail: Optional[Detail] = None) -> None:
        self.verify_code = verify_code
        self.verify_message = strerror(verify_code)
        super().__init__(code, f"{self.verify_message}; {strerror(code)}", detail)
        self.verify_code = verify_code
        self.verify_message = strerror(verify_code)


class PeerAlertError(TLSError):
    """The peer sent a fatal alert (:attr:`alert`); the connection is over."""


class TruncatedError(TLSError, ssl.SSLEOFError):
    """The transport closed without a close_notify: the data may have been cut."""


class ClosedError(TLSError, ssl.SSLZeroReturnError):
    """The TLS connection was closed cleanly; no more data can be sent."""


class StateError(TLSError):
    """The call is not allowed in this state (e.g. sending before the handshake)."""


_CONFIG_CODES = {
    capi.ERR_ARG,
    capi.ERR_FROZEN,
    capi.ERR_PEM,
    capi.ERR_KEY,
    capi.ERR_KEY_MISMATCH,
    capi.ERR_NO_CERT,
    capi.ERR_IO,
}


def error_for(code: int, verify_code: int = 0, detail: Optional[Detail] = None) -> TLSError:
    """The exception for a tlsm error ``code`` (``verify_code`` and ``detail``, from
    ``capi.conn_error_detail``, come from the connection that failed with it)."""
    if verify_code and (_is_local_alert(code) or code <= capi.ERR_CERT_PARSE):
        return CertificateVerificationError(code, verify_code, detail)
    if _is_local_alert(code):
        return ProtocolError(code, None, detail)
    if _is_peer_alert(code):
        return PeerAlertError(code, None, detail)
    if code == capi.ERR_TRUNCATED:
        return TruncatedError(code, None, detail)
    if code == capi.ERR_CLOSED:
        return ClosedError(code)
    if code == capi.ERR_STATE:
        return StateError(code)
    if code in _CONFIG_CODES or code <= capi.ERR_CERT_PARSE:
        return ConfigError(code)
    return TLSError(code, None, detail)


def conn_error_for(conn: Any, code: int) -> TLSError:
    """The exception for ``code``, returned by a call on the C connection ``conn``: when it
    is the connection's sticky error, with its certificate problem and its reason."""
    if code != capi.conn_error(conn):
        return error_for(code)
    return error_for(code, capi.conn_verify_error(conn), capi.conn_error_detail(conn))
