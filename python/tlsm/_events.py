"""Events returned by :meth:`tlsm.Connection.next_event`: small frozen dataclasses, in the
order things happened on the wire."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Optional, Tuple

__all__ = [
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
]


@dataclass(frozen=True)
class Event:
    """Base class of all events."""


@dataclass(frozen=True)
class HandshakeComplete(Event):
    """The handshake finished: application data can flow both ways."""

    version: ssl.TLSVersion
    cipher: str
    alpn_protocol: Optional[str]
    resumed: bool


@dataclass(frozen=True)
class ApplicationData(Event):
    """Plaintext from the peer (one record's worth)."""

    data: bytes


@dataclass(frozen=True)
class AlertReceived(Event):
    """The peer sent an alert other than close_notify. A fatal one also makes the call
    that received it raise :class:`~tlsm.PeerAlertError`."""

    alert: int
    description: str
    fatal: bool


@dataclass(frozen=True)
class ConnectionClosed(Event):
    """The peer sent close_notify: no more data will come from it."""


@dataclass(frozen=True)
class NewSessionTicket(Event):
    """Client: a resumable session is available. Pass ``session`` to a later
    :class:`~tlsm.Connection` (``session=...``) to resume. It holds a secret, so
    the repr leaves it out."""

    session: bytes = field(repr=False)


@dataclass(frozen=True)
class KeyUpdated(Event):
    """Traffic keys changed (TLS 1.3): ``peer`` is True when the peer updated its sending
    keys, False when we updated ours."""

    peer: bool


@dataclass(frozen=True)
class HandshakeMessage(Event):
    """Trace (``trace=True``): a handshake message was sent or received. ``name`` is e.g.
    ``"ClientHello"``; a ChangeCipherSpec has ``ccs=True``."""

    sent: bool
    msg_type: int
    name: str
    ccs: bool


@dataclass(frozen=True)
class SignatureRequested(Event):
    """External signing: sign ``message`` with ``scheme`` and pass the signature to
    :meth:`~tlsm.Connection.sign_done`."""

    scheme: int
    message: bytes


@dataclass(frozen=True)
class PeerVerificationRequested(Event):
    """External verification: look at ``certificates`` (DER, leaf first) and answer with
    :meth:`~tlsm.Connection.accept_peer` or :meth:`~tlsm.Connection.reject_peer`."""

    certificates: Tuple[bytes, ...]
