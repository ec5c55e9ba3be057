"""The sans-IO connection (a ``tlsm_conn``), in the style of h11 and ``ssl.SSLObject``.

Bytes from the network go into :meth:`Connection.receive_data`; bytes for the network come
out of :meth:`Connection.data_to_send`; what happened comes out of
:meth:`Connection.next_event` (or by iterating the connection); plaintext goes in with
:meth:`Connection.send_data`. The connection never does I/O itself.

Errors are sticky: the call that meets a fatal error raises it and every later call raises
the same exception, except :meth:`data_to_send` (the alert that tells the peer why is
waiting there: always send it) and :meth:`next_event` (events that came before the error
are still delivered).
"""

from __future__ import annotations

import collections
import functools
import ssl
import threading
from typing import Any, Callable, Deque, Iterator, List, Optional, Union

from . import capi
from ._args import host_name
from ._config import ClientConfig, ServerConfig, _Config
from ._errors import StateError, TLSError, conn_error_for, error_for
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

__all__ = ["Connection"]

Buffer = Union[bytes, bytearray, memoryview]


class _Guard:
    """Raises instead of letting two threads drive one connection at once (the C engine
    is single-threaded and releases the GIL while it computes). Every method and property
    that reaches the C connection takes it, queries included: a query may run while
    another thread is inside a call that changes the connection (and frees what the query
    reads)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("a tlsm.Connection was used by two threads at once")

    def try_enter(self) -> bool:
        """Enters if no other call is in progress; False otherwise."""
        return self._lock.acquire(blocking=False)

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Runs the method under the connection's one-thread guard."""

    @functools.wraps(fn)
    def call(self: "Connection", *args: Any, **kwargs: Any) -> Any:
        with self._guard:
            return fn(self, *args, **kwargs)

    return call


class Connection:
    """One TLS connection, client or server depending on ``config``.

    Args:
        config: a :class:`ClientConfig` or :class:`ServerConfig` (shared, frozen by use).
        server_hostname: client only: the name sent as SNI and checked against the
            server certificate (an IP literal is checked against IP SANs). Required unless
            the config has ``insecure_no_verification``.
        session: client only: a session from :class:`NewSessionTicket` (or
            :attr:`session`) of an earlier connection, offered for resumption.

    A client's first flight (ClientHello) is ready in :meth:`data_to_send` right away.
    """

    def __init__(
        self,
        config: Union[ClientConfig, ServerConfig],
        server_hostname: Optional[str] = None,
        *,
        session: Optional[bytes] = None,
    ) -> None:
        self._conn = None
        self._guard = _Guard()
        if not isinstance(config, _Config):
            raise TypeError("config must be a tlsm.ClientConfig or tlsm.ServerConfig")
        self._config = config  # keeps the C config (and its test hooks) alive
        self.is_client = isinstance(config, ClientConfig)
        if not self.is_client and (server_hostname is not None or session is not None):
            raise ValueError("server_hostname and session are for client connections")
        if self.is_client and server_hostname is None and not config.insecure_no_verification:
            raise ValueError("server_hostname is required to verify the server")
        if server_hostname is not None:
            server_hostname = host_name(server_hostname, "server_hostname")
        conn = config._use(capi.conn_new, server_hostname)
        if conn is None:
            raise ValueError("tlsm_conn_new failed (a server config needs an identity; names are at most 255 bytes)")
        self._conn = conn
        self._hostname = server_hostname
        self._events: Deque[Event] = collections.deque()
        self._pending_in = bytearray()  # ciphertext the engine could not take yet
        self._out = bytearray()  # ciphertext moved out of the engine to make room
        self._error: Optional[TLSError] = None
        self._eof = False
        self._session: Optional[bytes] = None
        if session is not None:
            rc = capi.conn_set_session(conn, bytes(session))
            if rc:
                raise error_for(rc)
        if self.is_client:
            rc = capi.conn_start(conn)
            if rc:
                self._fail(rc)

    def __del__(self) -> None:
        conn, self._conn = getattr(self, "_conn", None), None
        if conn is not None:
            capi.conn_free(conn)

    def __repr__(self) -> str:
        role = "client" if self.is_client else "server"
        if self._error:
            state = "failed"
        elif not self._guard.try_enter():
            state = "busy"  # another thread is inside a call: do not touch the engine
        else:
            try:
                state = "established" if capi.conn_handshake_done(self._conn) else "handshaking"
            finally:
                self._guard.__exit__()
        return f"<tlsm.Connection {role} {state}>"

    # ------------------------------------------------------------------ errors

    def _fail(self, rc: int) -> None:
        """Records the sticky error for rc and raises it."""
        if self._error is None:
            self._collect_events()
            self._error = conn_error_for(self._conn, rc)
        raise self._error.with_traceback(None)  # a fresh traceback each time, not a growing one

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error.with_traceback(None)

    @property
    @_guarded
    def error(self) -> Optional[TLSError]:
        """The sticky error, or None."""
        if self._error is None and self._conn is not None:
            rc = capi.conn_error(self._conn)
            if rc:
                self._error = conn_error_for(self._conn, rc)
        return self._error

    # ------------------------------------------------------------------ input

    def receive_data(self, data: Buffer) -> None:
        """Feeds ciphertext from the network (b"" is a no-op; the end of the stream is
        :meth:`receive_eof`).

        Raises the connection's :class:`TLSError` on a fatal error; the alert to send is
        then in :meth:`data_to_send`.
        """
        with self._guard:
            self._raise_if_failed()
            if len(data) == 0:
                return
            if self._eof:
                raise StateError(capi.ERR_STATE, "data received after end of stream")
            if self._pending_in:
                self._pending_in += data
                self._feed_pending()
                return
            view = memoryview(data).cast("B")
            off = 0
            while off < len(view):
                rc, used = capi.feed(self._conn, view[off:])
                off += used
                moved = self._drain()
                if rc:
                    self._fail(rc)
                if used == 0 and not moved:
                    break  # blocked (external signing or verification): keep the rest
            if off < len(view):
                self._pending_in += view[off:]

    def receive_eof(self) -> None:
        """The transport reached end of stream (``recv`` returned b""). After the peer's
        close_notify that is a clean close; before it, it raises :class:`TruncatedError`
        (an ``ssl.SSLEOFError``): the data may have been cut."""
        with self._guard:
            self._raise_if_failed()
            self._receive_eof()

    def _feed_pending(self) -> None:
        while self._pending_in:
            rc, used = capi.feed(self._conn, self._pending_in)
            del self._pending_in[:used]
            moved = self._drain()
            if rc:
                self._fail(rc)
            if used == 0 and not moved:
                break

    def _receive_eof(self) -> None:
        if self._eof:
            return
        if self._pending_in:
            self._feed_pending()
        self._eof = True
        rc = capi.feed_eof(self._conn)
        self._collect_events()
        if rc:
            self._fail(rc)

    def _drain(self) -> bool:
        """Moves events and plaintext from the engine into the event queue, in order (the
        engine stops at each record of application data until it is read). Returns True
        if anything moved."""
        moved = self._collect_events()
        while True:
            chunk = capi.read_peek(self._conn)
            if not chunk:
                return moved
            self._events.append(ApplicationData(chunk))
            moved = True
            rc = capi.read_consume(self._conn, len(chunk))
            self._collect_events()
            if rc:
                self._fail(rc)

    def _collect_events(self) -> bool:
        conn = self._conn
        moved = False
        while True:
            ev = capi.next_event(conn)
            if ev is None:
                return moved
            moved = True
            kind, _code, alert, fatal, msg_type, ccs = ev
            if kind == capi.EV_HANDSHAKE_DONE:
                self._events.append(
                    HandshakeComplete(
                        version=ssl.TLSVersion(capi.conn_version(conn)),
                        cipher=capi.suite_name(capi.conn_suite(conn)),
                        alpn_protocol=self._alpn(),
                        resumed=bool(capi.conn_resumed(conn)),
                    )
                )
            elif kind == capi.EV_PEER_CLOSED:
                self._events.append(ConnectionClosed())
            elif kind == capi.EV_ALERT:
                self._events.append(AlertReceived(alert, capi.alert_name(alert), bool(fatal)))
            elif kind == capi.EV_NEW_TICKET:
                rc, blob = capi.conn_get_session(conn)
                if rc == 0:
                    self._session = blob
                    self._events.append(NewSessionTicket(blob))
            elif kind == capi.EV_KEY_UPDATED:
                self._events.append(KeyUpdated(peer=bool(alert)))
            elif kind in (capi.EV_MESSAGE_SENT, capi.EV_MESSAGE_RECEIVED):
                name = "ChangeCipherSpec" if ccs else capi.message_name(msg_type)
                self._events.append(HandshakeMessage(kind == capi.EV_MESSAGE_SENT, msg_type, name, bool(ccs)))
            elif kind == capi.EV_SIGN:
                rc, scheme, message = capi.sign_request(conn)
                if rc == 0:
                    self._events.append(SignatureRequested(scheme, message))
            elif kind == getattr(capi, "EV_VERIFY_PEER", -1):
                self._events.append(PeerVerificationRequested(tuple(self._peer_certs())))
            # EV_ERROR: the failing call raises; nothing to queue.

    # ------------------------------------------------------------------ output

    def data_to_send(self) -> bytes:
        """Returns (and removes) all ciphertext waiting for the network, b"" if none.
        Never raises for a connection error: after one, the alert is here."""
        with self._guard:
            out = capi.output_take(self._conn)
            if self._out:
                out = bytes(self._out) + out
                self._out.clear()
            return out

    def send_data(self, data: Buffer) -> None:
        """Encrypts application data; the records come out of :meth:`data_to_send`.
        Allowed once :class:`HandshakeComplete` was seen, until :meth:`close`."""
        with self._guard:
            self._raise_if_failed()
            view = memoryview(data).cast("B")
            off = 0
            while True:
                rc, accepted = capi.write(self._conn, view[off:])
                off += accepted
                if rc:
                    if rc in (capi.ERR_STATE, capi.ERR_CLOSED):
                        raise error_for(rc)  # misuse: not sticky
                    self._fail(rc)
                if off >= len(view):
                    return
                # The engine's output is full: move it out and go on.
                pending = capi.output_take(self._conn)
                if not pending and accepted == 0:
                    raise TLSError(capi.ERR_BUFFER, "the engine accepted no data")
                self._out += pending

    def close(self) -> None:
        """Sends close_notify (in :meth:`data_to_send`). Further :meth:`send_data` calls
        raise :class:`ClosedError`. Data from the peer may still arrive until it closes
        too (:class:`ConnectionClosed`). Does nothing on a failed connection."""
        with self._guard:
            if self._error is not None:
                return
            rc = capi.close(self._conn)
            if rc:
                self._fail(rc)

    def key_update(self, request_peer: bool = False) -> None:
        """TLS 1.3: updates our sending keys; ``request_peer`` asks the peer to update its
        own too. Raises :class:`StateError` before the handshake or on TLS 1.2."""
        with self._guard:
            self._raise_if_failed()
            rc = capi.key_update(self._conn, int(bool(request_peer)))
            self._collect_events()
            if rc:
                if rc in (capi.ERR_STATE, capi.ERR_CLOSED):
                    raise error_for(rc)
                self._fail(rc)

    def sign_done(self, signature: bytes) -> None:
        """Answers :class:`SignatureRequested` with the signature; the handshake goes on."""
        with self._guard:
            self._raise_if_failed()
            rc = capi.sign_done(self._conn, bytes(signature))
            self._resume_after_block(rc)

    def accept_peer(self) -> None:
        """Answers :class:`PeerVerificationRequested`: the peer's chain is accepted."""
        with self._guard:
            self._raise_if_failed()
            self._resume_after_block(capi.verify_done(self._conn, 1, 0))

    def reject_peer(self, alert: int = capi.ALERT_BAD_CERTIFICATE) -> None:
        """Answers :class:`PeerVerificationRequested`: the handshake fails with ``alert``
        sent to the peer, and this call raises :class:`CertificateVerificationError`."""
        with self._guard:
            self._raise_if_failed()
            self._resume_after_block(capi.verify_done(self._conn, 0, int(alert)))

    def _resume_after_block(self, rc: int) -> None:
        self._drain()
        if rc:
            if rc == capi.ERR_STATE:
                raise error_for(rc)
            self._fail(rc)
        if self._pending_in:
            self._feed_pending()

    # ------------------------------------------------------------------ events

    def next_event(self) -> Optional[Event]:
        """The next event, or None when there is none for now."""
        with self._guard:
            if not self._events:
                self._drain_quietly()
            return self._events.popleft() if self._events else None

    def events(self) -> List[Event]:
        """All events available now, in order."""
        out = []
        while True:
            ev = self.next_event()
            if ev is None:
                return out
            out.append(ev)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events())

    def _drain_quietly(self) -> None:
        if self._error is None:
            try:
                self._drain()
            except TLSError:
                pass  # raised by the next call that can raise
        else:
            self._collect_events()

    # ------------------------------------------------------------------ facts

    @property
    @_guarded
    def handshake_complete(self) -> bool:
        """True once the handshake finished."""
        return bool(capi.conn_handshake_done(self._conn))

    @property
    @_guarded
    def version(self) -> Optional[ssl.TLSVersion]:
        """The negotiated protocol version (``ssl.TLSVersion``), None before."""
        v = capi.conn_version(self._conn)
        return ssl.TLSVersion(v) if v else None

    @property
    @_guarded
    def cipher(self) -> Optional[str]:
        """The negotiated cipher suite's IANA name, e.g. ``"TLS_AES_128_GCM_SHA256"``."""
        s = capi.conn_suite(self._conn)
        return capi.suite_name(s) if s else None

    @property
    @_guarded
    def cipher_suite(self) -> int:
        """The negotiated cipher suite's code (0 before the handshake)."""
        return capi.conn_suite(self._conn)

    @property
    @_guarded
    def group(self) -> int:
        """The key-exchange group's code (``tlsm.GROUPS``), 0 if none."""
        return capi.conn_group(self._conn)

    @property
    @_guarded
    def peer_signature_scheme(self) -> int:
        """The signature scheme the peer signed with, 0 if none."""
        return capi.conn_peer_sigalg(self._conn)

    @property
    @_guarded
    def alpn_protocol(self) -> Optional[str]:
        """The negotiated ALPN protocol, or None."""
        return self._alpn()

    def _alpn(self) -> Optional[str]:
        p = capi.conn_alpn(self._conn)
        return None if p is None else p.decode("ascii", "replace")

    @property
    @_guarded
    def server_hostname(self) -> Optional[str]:
        """Client: the name given at creation. Server: the SNI name the client sent."""
        if self.is_client:
            return self._hostname
        return capi.conn_server_name(self._conn)

    @property
    @_guarded
    def peer_certificates(self) -> List[bytes]:
        """The peer's certificate chain as DER, leaf first (empty if none was sent)."""
        return self._peer_certs()

    def _peer_certs(self) -> List[bytes]:
        n = capi.conn_peer_cert_count(self._conn)
        return [capi.conn_peer_cert(self._conn, i) for i in range(n)]

    @property
    @_guarded
    def peer_certificate(self) -> Optional[bytes]:
        """The peer's leaf certificate as DER (``getpeercert(binary_form=True)``)."""
        return capi.conn_peer_cert(self._conn, 0)

    @property
    @_guarded
    def resumed(self) -> bool:
        """True if the handshake resumed a session (``SSLObject.session_reused``)."""
        return bool(capi.conn_resumed(self._conn))

    @property
    @_guarded
    def hello_retry(self) -> bool:
        """True if a HelloRetryRequest happened."""
        return bool(capi.conn_hrr(self._conn))

    @property
    @_guarded
    def session(self) -> Optional[bytes]:
        """Client: the latest resumable session as bytes (a secret: store it like a key),
        or None. Give it to a new :class:`Connection` as ``session=``."""
        if self._session is None and self.is_client:
            rc, blob = capi.conn_get_session(self._conn)
            if rc == 0:
                self._session = blob
        return self._session

    @property
    @_guarded
    def verify_error(self) -> int:
        """The ``TLSM_ERR_CERT_*`` code of a failed certificate verification, or 0."""
        return capi.conn_verify_error(self._conn)

    @property
    @_guarded
    def wants_input(self) -> bool:
        """True when the engine waits for more ciphertext."""
        return bool(capi.status(self._conn) & capi.STATUS_WANT_INPUT)

    @property
    @_guarded
    def closed(self) -> bool:
        """True when no more data will come from the peer (closed or failed)."""
        return bool(capi.status(self._conn) & capi.STATUS_CLOSED)

    def export_keying_material(self, label: Union[str, bytes], length: int, context: Optional[bytes] = None) -> bytes:
        """RFC 5705 / RFC 8446 s.7.5 exporter: ``length`` bytes bound to this session."""
        lab = label.encode("ascii") if isinstance(label, str) else bytes(label)
        with self._guard:
            self._raise_if_failed()
            rc, out = capi.export_keying_material(self._conn, lab, None if context is None else bytes(context), int(length))
            if rc:
                raise error_for(rc)
            return out
