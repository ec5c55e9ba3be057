"""asyncio integration: TLS streams and a TLS protocol over any asyncio transport.

Streams, as ``asyncio.open_connection`` / ``asyncio.start_server``::

    reader, writer = await tlsm.aio.open_connection("example.com", 443)
    writer.write(b"GET / HTTP/1.0\\r\\nHost: example.com\\r\\n\\r\\n")
    print(await reader.read())

    server = await tlsm.aio.start_server(handle, "127.0.0.1", 8443, config=server_config)

Protocols: :class:`TLSProtocol` wraps your ``asyncio.Protocol`` the way asyncio's own
SSL support does: your protocol sees a transport carrying plaintext and gets
``connection_made`` once the handshake is done. ``transport.get_extra_info("tlsm")``
(or ``"ssl_object"``) is the :class:`tlsm.Connection`.

Handshakes time out (``ssl_handshake_timeout``, 60 seconds by default as in asyncio) with
:class:`ConnectionAbortedError`. A server never drops a failed handshake silently: it is
logged on the ``tlsm.aio`` logger at WARNING with the peer's address and the reason, and
passed to ``handshake_error_callback`` when one is given.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional, Tuple, Union

from ._config import ClientConfig, ServerConfig, cipher_key_bits
from ._connection import Connection
from ._errors import TLSError
from ._events import ApplicationData, ConnectionClosed, HandshakeComplete

__all__ = ["TLSProtocol", "open_connection", "start_server", "create_connection", "HANDSHAKE_TIMEOUT"]

#: Seconds a handshake may take by default (asyncio's ``ssl_handshake_timeout`` default).
HANDSHAKE_TIMEOUT = 60.0

logger = logging.getLogger("tlsm.aio")

#: Called with the exception and the peer's address when a server's handshake fails.
HandshakeErrorCallback = Callable[[BaseException, Any], None]


class _AppTransport(asyncio.Transport):
    """The plaintext transport the application protocol sees."""

    def __init__(self, tls: "TLSProtocol") -> None:
        super().__init__()
        self._tls = tls

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._tls._extra_info(name, default)

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        self._tls._app_write(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def can_write_eof(self) -> bool:
        return False

    def write_eof(self) -> None:
        raise NotImplementedError("TLS has no half-close: use close()")

    def close(self) -> None:
        self._tls._app_close()

    def abort(self) -> None:
        self._tls._abort(None)

    def is_closing(self) -> bool:
        return self._tls._closing

    def pause_reading(self) -> None:
        if self._tls._raw is not None:
            self._tls._raw.pause_reading()

    def resume_reading(self) -> None:
        if self._tls._raw is not None:
            self._tls._raw.resume_reading()

    def is_reading(self) -> bool:
        raw = self._tls._raw
        return bool(raw is not None and raw.is_reading())

    def set_write_buffer_limits(self, high: Optional[int] = None, low: Optional[int] = None) -> None:
        if self._tls._raw is not None:
            self._tls._raw.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        raw = self._tls._raw
        return raw.get_write_buffer_size() if raw is not None else 0

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._tls._app = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._tls._app


class TLSProtocol(asyncio.Protocol):
    """An ``asyncio.Protocol`` for the TCP side that runs TLS and hands plaintext to
    ``app_protocol``.

    Args:
        config: client or server config.
        app_protocol: the application's protocol (gets ``connection_made`` after the
            handshake, then ``data_received`` / ``eof_received`` / ``connection_lost``).
        server_hostname, session: client only, as for :class:`tlsm.Connection`.
        handshake_waiter: optional future: result None when the handshake completes, or
            the handshake's exception.
        ssl_handshake_timeout: seconds the handshake may take (None: no limit); after
            that the connection is aborted with :class:`ConnectionAbortedError`.
        handshake_error_callback: called as ``callback(exc, peername)`` when the handshake
            does not complete (a TLS error, the timeout, the transport closing first).
    """

    def __init__(
        self,
        config: Union[ClientConfig, ServerConfig],
        app_protocol: asyncio.Protocol,
        *,
        server_hostname: Optional[str] = None,
        session: Optional[bytes] = None,
        handshake_waiter: Optional["asyncio.Future[None]"] = None,
        ssl_handshake_timeout: Optional[float] = HANDSHAKE_TIMEOUT,
        handshake_error_callback: Optional[HandshakeErrorCallback] = None,
    ) -> None:
        if ssl_handshake_timeout is not None and ssl_handshake_timeout <= 0:
            raise ValueError(f"ssl_handshake_timeout must be positive, not {ssl_handshake_timeout}")
        self._config = config
        self._handshake_timeout = ssl_handshake_timeout
        self._on_handshake_error = handshake_error_callback
        self._timer: Optional[asyncio.TimerHandle] = None
        self._handshake_reported = False
        self._app = app_protocol
        self._hostname = server_hostname
        self._session = session
        self._waiter = handshake_waiter
        self._raw: Optional[asyncio.Transport] = None
        self._tls: Optional[Connection] = None
        self._app_transport = _AppTransport(self)
        self._app_connected = False
        self._closing = False
        self._exc: Optional[BaseException] = None

    # ------------------------------------------------------------------ TCP side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """The TCP connection is up: the handshake starts (the client's first flight goes
        out now) and its timer runs."""
        self._raw = transport  # type: ignore[assignment]
        if self._handshake_timeout is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._handshake_timeout, self._handshake_timed_out)
        try:
            self._tls = Connection(self._config, self._hostname, session=self._session)
        except Exception as exc:  # bad arguments: report like a failed handshake
            self._abort(exc)
            return
        self._flush()

    def data_received(self, data: bytes) -> None:
        """Ciphertext from the network into the engine; plaintext on to the application."""
        if self._tls is None:
            return
        try:
            self._tls.receive_data(data)
        except TLSError as exc:
            self._dispatch()
            self._flush()
            self._abort(exc)
            return
        self._dispatch()
        self._flush()

    def eof_received(self) -> Optional[bool]:
        """The peer closed its side of TCP: a clean close after its close_notify, else
        truncation (the application still sees EOF once the handshake is done)."""
        if self._tls is not None:
            try:
                self._tls.receive_eof()
            except TLSError as exc:
                self._dispatch()
                if self._app_connected:
                    # A bare TCP close after the handshake: tell the application it is EOF
                    # (as asyncio's SSL transport does); the reason stays in .error.
                    self._deliver_eof()
                else:
                    self._exc = exc
            else:
                self._dispatch()
        return False  # close the transport

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """The TCP connection is gone; the application's protocol is told."""
        exc = exc or self._exc
        self._closing = True
        self._cancel_timer()
        if not self._app_connected and not self._handshake_done():
            self._report_handshake_error(exc or ConnectionResetError("connection closed during the TLS handshake"))
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc or ConnectionResetError("connection closed during the TLS handshake"))
        if self._app_connected:
            self._app_connected = False
            self._app.connection_lost(exc)
        self._raw = None

    def pause_writing(self) -> None:
        """The TCP buffer is full: passed on to the application."""
        if self._app_connected:
            self._app.pause_writing()

    def resume_writing(self) -> None:
        """The TCP buffer drained: passed on to the application."""
        if self._app_connected:
            self._app.resume_writing()

    # ------------------------------------------------------------------ handshake outcome

    def _handshake_done(self) -> bool:
        return self._tls is not None and self._tls.error is None and self._tls.handshake_complete

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _handshake_timed_out(self) -> None:
        self._timer = None
        if self._app_connected or self._closing:
            return
        self._abort(ConnectionAbortedError(
            f"TLS handshake is taking longer than {self._handshake_timeout} seconds: aborting the connection"
        ))

    def _report_handshake_error(self, exc: BaseException) -> None:
        """Once per connection: the callback, if any, else nothing here (start_server's
        callback logs)."""
        if self._handshake_reported:
            return
        self._handshake_reported = True
        if self._on_handshake_error is not None:
            peer = self._raw.get_extra_info("peername") if self._raw is not None else None
            self._on_handshake_error(exc, peer)

    # ------------------------------------------------------------------ plumbing

    def _flush(self) -> None:
        if self._tls is None or self._raw is None:
            return
        data = self._tls.data_to_send()
        if data and not self._raw.is_closing():
            self._raw.write(data)

    def _dispatch(self) -> None:
        assert self._tls is not None
        for ev in self._tls.events():
            if isinstance(ev, HandshakeComplete):
                self._cancel_timer()
                if not self._app_connected and not self._closing:
                    self._app_connected = True
                    self._app.connection_made(self._app_transport)
                    if self._waiter is not None and not self._waiter.done():
                        self._waiter.set_result(None)
            elif isinstance(ev, ApplicationData):
                if self._app_connected:
                    self._app.data_received(ev.data)
            elif isinstance(ev, ConnectionClosed):
                self._deliver_eof()

    def _deliver_eof(self) -> None:
        if not self._app_connected:
            return
        keep_open = self._app.eof_received()
        if not keep_open:
            self._app_close()

    def _abort(self, exc: Optional[BaseException]) -> None:
        self._exc = exc
        self._closing = True
        self._cancel_timer()
        if exc is not None and not self._app_connected:
            self._report_handshake_error(exc)
        if self._waiter is not None and not self._waiter.done() and exc is not None:
            self._waiter.set_exception(exc)
        if self._raw is not None:
            self._raw.close()  # buffered output (the alert) is still sent

    def _app_write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        if self._tls is None or self._closing:
            raise ConnectionResetError("the TLS connection is closing")
        try:
            self._tls.send_data(data)
        finally:
            self._flush()

    def _app_close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._tls is not None:
            try:
                self._tls.close()
            except TLSError:
                pass
            self._flush()
        if self._raw is not None:
            self._raw.close()

    def _extra_info(self, name: str, default: Any) -> Any:
        tls = self._tls
        if name in ("tlsm", "ssl_object"):
            return tls
        if name == "peercert" and tls is not None:
            return tls.peer_certificate
        if name == "cipher" and tls is not None and tls.cipher_suite:
            version = {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}.get(int(tls.version or 0), "")
            return (tls.cipher, version, cipher_key_bits(tls.cipher_suite))
        if name == "sslcontext":
            return self._config
        if self._raw is not None:
            return self._raw.get_extra_info(name, default)
        return default


async def create_connection(
    protocol_factory: Callable[[], asyncio.Protocol],
    host: str,
    port: int,
    *,
    config: Optional[ClientConfig] = None,
    server_hostname: Optional[str] = None,
    session: Optional[bytes] = None,
    ssl_handshake_timeout: Optional[float] = HANDSHAKE_TIMEOUT,
    **kwargs: Any,
) -> Tuple[asyncio.Transport, asyncio.Protocol]:
    """Like ``loop.create_connection`` with TLS: returns (plaintext transport, your
    protocol) once the handshake is done, or raises its error
    (:class:`ConnectionAbortedError` after ``ssl_handshake_timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    if config is None:
        config = ClientConfig()
    app = protocol_factory()
    waiter: asyncio.Future[None] = loop.create_future()
    _, tls = await loop.create_connection(
        lambda: TLSProtocol(
            config,
            app,
            server_hostname=server_hostname or host,
            session=session,
            handshake_waiter=waiter,
            ssl_handshake_timeout=ssl_handshake_timeout,
        ),
        host,
        port,
        **kwargs,
    )
    try:
        await waiter
    except BaseException:
        tls._abort(None)
        raise
    return tls._app_transport, app


async def open_connection(
    host: str,
    port: int,
    *,
    config: Optional[ClientConfig] = None,
    server_hostname: Optional[str] = None,
    session: Optional[bytes] = None,
    limit: int = 2**16,
    ssl_handshake_timeout: Optional[float] = HANDSHAKE_TIMEOUT,
    **kwargs: Any,
) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Like ``asyncio.open_connection`` with TLS by tlsm. ``config`` defaults to
    ``ClientConfig()``; ``server_hostname`` to ``host``. Returns after the handshake, or
    raises its error (:class:`ConnectionAbortedError` when it takes longer than
    ``ssl_handshake_timeout`` seconds). ``writer.get_extra_info("tlsm")`` is the
    :class:`tlsm.Connection`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    transport, proto = await create_connection(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop),
        host,
        port,
        config=config,
        server_hostname=server_hostname,
        session=session,
        ssl_handshake_timeout=ssl_handshake_timeout,
        **kwargs,
    )
    writer = asyncio.StreamWriter(transport, proto, reader, loop)  # type: ignore[arg-type]
    return reader, writer


async def start_server(
    client_connected_cb: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Optional[Awaitable[None]]],
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    config: ServerConfig,
    limit: int = 2**16,
    ssl_handshake_timeout: Optional[float] = HANDSHAKE_TIMEOUT,
    handshake_error_callback: Optional[HandshakeErrorCallback] = None,
    **kwargs: Any,
) -> asyncio.AbstractServer:
    """Like ``asyncio.start_server`` with TLS by tlsm: ``client_connected_cb(reader,
    writer)`` runs for each client once its handshake is done.

    A handshake that fails (a TLS error, no handshake within ``ssl_handshake_timeout``
    seconds, the client closing first) is logged on the ``tlsm.aio`` logger at WARNING
    and passed to ``handshake_error_callback(exc, peername)`` if given."""
    if not isinstance(config, ServerConfig):
        raise TypeError(f"config must be a tlsm.ServerConfig, not {type(config).__name__}")
    loop = asyncio.get_running_loop()

    def report(exc: BaseException, peer: Any) -> None:
        logger.warning("TLS handshake with %s failed: %s", peer, exc)
        if handshake_error_callback is not None:
            handshake_error_callback(exc, peer)

    def factory() -> TLSProtocol:
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        app = asyncio.StreamReaderProtocol(reader, client_connected_cb, loop=loop)
        return TLSProtocol(
            config, app, ssl_handshake_timeout=ssl_handshake_timeout, handshake_error_callback=report
        )

    return await loop.create_server(factory, host, port, **kwargs)
