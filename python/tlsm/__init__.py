"""tlsm: TLS 1.2 and 1.3 for Python over the tlsm C library's sans-IO core.

Three ways to use it:

* sans-IO, in the style of h11 and ``ssl.SSLObject``: :class:`Connection` with
  ``receive_data()``, ``data_to_send()``, ``next_event()`` and ``send_data()``;
* blocking sockets: :func:`connect` and :func:`wrap_socket` (``ssl.SSLSocket``-like);
* asyncio: :mod:`tlsm.aio` (``open_connection`` / ``start_server`` / ``TLSProtocol``).

Also :func:`verify_chain` (a certificate chain checked as a handshake would) and
:mod:`tlsm.testing` (a client and a server in memory with faults, traces and captures).

Errors are :class:`TLSError` subclasses, which are also ``ssl.SSLError`` subclasses.
"""

from . import capi
from ._config import (
    CIPHER_SUITES,
    GROUPS,
    SIGNATURE_SCHEMES,
    ClientConfig,
    PEMSource,
    ServerConfig,
    TLSVersion,
    VerifyCacheStats,
    cipher_key_bits,
)
from ._connection import Connection
from ._errors import (
    CertificateVerificationError,
    ClosedError,
    ConfigError,
    PeerAlertError,
    ProtocolError,
    StateError,
    TLSError,
    TruncatedError,
    alert_name,
    strerror,
)
from ._events import (
    AlertReceived,
    ApplicationData,
    ConnectionClosed,
    Event,
    HandshakeComplete,
    HandshakeMessage,
    KeyUpdated,
    NewSessionTicket,
    PeerVerificationRequested,
    SignatureRequested,
)
from ._socket import TLSSocket, connect, wrap_socket
from ._verify import VerifyResult, verify_chain

__version__ = "0.1.0"
#: Version of the C library the extension was built from.
library_version: str = capi.version_string()

__all__ = [
    "ClientConfig",
    "ServerConfig",
    "VerifyCacheStats",
    "TLSVersion",
    "PEMSource",
    "CIPHER_SUITES",
    "cipher_key_bits",
    "GROUPS",
    "SIGNATURE_SCHEMES",
    "Connection",
    "Event",
    "HandshakeComplete",
    "ApplicationData",
    "AlertReceived",
    "ConnectionClosed",
    "NewSessionTicket",
    "KeyUpdated",
    "HandshakeMessage",
    "SignatureRequested",
    "PeerVerificationRequested",
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
    "TLSSocket",
    "connect",
    "wrap_socket",
    "verify_chain",
    "VerifyResult",
    "capi",
]
