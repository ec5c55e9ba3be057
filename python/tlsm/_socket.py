"""A blocking TLS socket over :class:`tlsm.Connection`, shaped like ``ssl.SSLSocket``::

    with tlsm.connect(("example.com", 443)) as s:
        s.sendall(b"GET / HTTP/1.0\\r\\nHost: example.com\\r\\n\\r\\n")
        print(s.recv(4096))

On the server side, wrap an accepted socket: ``tlsm.wrap_socket(conn, server_config)``.
"""

from __future__ import annotations

import errno
import socket
from typing import Any, List, Optional, Tuple, Union

from . import capi
from ._config import ClientConfig, ServerConfig, cipher_key_bits
from ._connection import Connection
from ._errors import TLSError, TruncatedError
from ._events import ApplicationData, ConnectionClosed

__all__ = ["TLSSocket", "wrap_socket", "connect"]

_RECV_SIZE = 65536


class TLSSocket:
    """TLS over a connected, blocking ``socket.socket`` (timeouts are honoured: they
    raise ``TimeoutError`` like the socket does).

    Use :func:`wrap_socket` or :func:`connect` to make one. The TLS state is
    :attr:`connection` (a :class:`tlsm.Connection`); the socket is :attr:`socket`.
    """

    def __init__(
        self,
        sock: socket.socket,
        config: Union[ClientConfig, ServerConfig],
        *,
        server_hostname: Optional[str] = None,
        session: Optional[bytes] = None,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
    ) -> None:
        self.socket = sock
        self.connection = Connection(config, server_hostname, session=session)
        self.suppress_ragged_eofs = suppress_ragged_eofs
        self._rbuf = bytearray()
        self._peer_closed = False
        self._closed = False
        if do_handshake_on_connect:
            self.do_handshake()

    # ------------------------------------------------------------------ plumbing

    def _check_open(self) -> None:
        """After close() every I/O call raises the same error, as a closed ssl.SSLSocket
        does: OSError EBADF."""
        if self._closed:
            raise OSError(errno.EBADF, "the TLS socket is closed")

    def _flush(self) -> None:
        data = self.connection.data_to_send()
        if data:
            self.socket.sendall(data)

    def _flush_quietly(self) -> None:
        try:
            self._flush()
        except OSError:
            pass

    def _take_events(self) -> None:
        for ev in self.connection.events():
            if isinstance(ev, ApplicationData):
                self._rbuf += ev.data
            elif isinstance(ev, ConnectionClosed):
                self._peer_closed = True

    def _read_more(self) -> None:
        """One recv from the socket into the engine, answering what it produces."""
        data = self.socket.recv(_RECV_SIZE)
        try:
            if data:
                self.connection.receive_data(data)
            else:
                self.connection.receive_eof()
        except TLSError:
            self._take_events()
            self._flush_quietly()  # the alert that tells the peer why
            raise
        self._take_events()
        self._flush()

    # ------------------------------------------------------------------ handshake

    def do_handshake(self) -> None:
        """Runs the handshake to completion (raises its error on failure)."""
        self._check_open()
        self._flush()
        while not self.connection.handshake_complete:
            if self._peer_closed:
                raise TruncatedError(capi.ERR_TRUNCATED, "the peer closed the connection during the handshake")
            self._read_more()
        self._flush()

    # ------------------------------------------------------------------ data

    def recv(self, bufsize: int = _RECV_SIZE, flags: int = 0) -> bytes:
        """Up to ``bufsize`` bytes of plaintext; b"" once the peer closed (close_notify,
        or a bare TCP close when ``suppress_ragged_eofs``)."""
        if flags:
            raise ValueError("flags are not supported on a TLS socket")
        self._check_open()
        while not self._rbuf:
            if self._peer_closed:
                return b""
            try:
                self._read_more()
            except TruncatedError:
                if self.suppress_ragged_eofs:
                    self._peer_closed = True
                    continue
                raise
        out = bytes(self._rbuf[:bufsize])
        del self._rbuf[:bufsize]
        return out

    read = recv

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        """Like ``socket.recv_into``."""
        view = memoryview(buffer).cast("B")
        data = self.recv(nbytes or len(view), flags)
        view[: len(data)] = data
        return len(data)

    def sendall(self, data: Any, flags: int = 0) -> None:
        """Encrypts and sends all of ``data``."""
        if flags:
            raise ValueError("flags are not supported on a TLS socket")
        self._check_open()
        try:
            self.connection.send_data(data)
        finally:
            self._flush()

    def send(self, data: Any, flags: int = 0) -> int:
        """Sends all of ``data`` (blocking) and returns its length."""
        self.sendall(data, flags)
        return len(memoryview(data))

    write = send

    def pending(self) -> int:
        """Decrypted bytes already buffered."""
        return len(self._rbuf)

    # ------------------------------------------------------------------ closing

    def unwrap(self) -> socket.socket:
        """Sends close_notify, waits for the peer's, and returns the plain socket."""
        self._check_open()
        self.connection.close()
        self._flush()
        while not self._peer_closed:
            try:
                self._read_more()
            except TruncatedError:
                break
        return self.socket

    def close(self) -> None:
        """Sends close_notify (best effort, without waiting for the peer's) and closes the
        socket."""
        if self._closed:
            return
        self._closed = True
        try:
            self.connection.close()
            self._flush()
        except (OSError, TLSError):
            pass
        self.socket.close()

    def __enter__(self) -> "TLSSocket":
        """Returns the socket; leaving the block closes it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Closes the socket (:meth:`close`)."""
        self.close()

    # ------------------------------------------------------------------ facts (ssl.SSLSocket names)

    def version(self) -> Optional[str]:
        """``"TLSv1.3"`` or ``"TLSv1.2"`` (None before the handshake)."""
        v = self.connection.version
        return None if v is None else {0x0304: "TLSv1.3", 0x0303: "TLSv1.2"}.get(int(v), v.name)

    def cipher(self) -> Optional[Tuple[str, str, int]]:
        """(IANA suite name, protocol version, secret bits), like ``SSLSocket.cipher``:
        ``("TLS_AES_128_GCM_SHA256", "TLSv1.3", 128)``. The bits are the traffic key size
        from the suite table (:func:`tlsm.cipher_key_bits`)."""
        code = self.connection.cipher_suite
        if not code:
            return None
        return (capi.suite_name(code), self.version() or "", cipher_key_bits(code))

    def selected_alpn_protocol(self) -> Optional[str]:
        """The ALPN protocol agreed on, or None (``SSLSocket.selected_alpn_protocol``)."""
        return self.connection.alpn_protocol

    def getpeercert(self, binary_form: bool = True) -> Optional[bytes]:
        """The peer's leaf certificate as DER (tlsm does not decode certificates for
        Python: ``binary_form=False`` is not supported)."""
        if not binary_form:
            raise ValueError("only binary_form=True is supported (DER)")
        return self.connection.peer_certificate

    def get_verified_chain(self) -> List[bytes]:
        """The peer's certificates as DER, leaf first."""
        return self.connection.peer_certificates

    @property
    def session(self) -> Optional[bytes]:
        """The resumable session (client), for ``session=`` of a later connection."""
        return self.connection.session

    @property
    def session_reused(self) -> bool:
        """True if the handshake resumed a session."""
        return self.connection.resumed

    @property
    def server_hostname(self) -> Optional[str]:
        """Client: the name given; server: the SNI name the client sent."""
        return self.connection.server_hostname

    def fileno(self) -> int:
        """The socket's file descriptor."""
        return self.socket.fileno()

    def settimeout(self, value: Optional[float]) -> None:
        """Sets the socket's timeout (``socket.settimeout``)."""
        self.socket.settimeout(value)

    def gettimeout(self) -> Optional[float]:
        """The socket's timeout."""
        return self.socket.gettimeout()

    def getpeername(self) -> Any:
        """The remote address."""
        return self.socket.getpeername()

    def getsockname(self) -> Any:
        """The local address."""
        return self.socket.getsockname()


def wrap_socket(
    sock: socket.socket,
    config: Union[ClientConfig, ServerConfig],
    *,
    server_hostname: Optional[str] = None,
    session: Optional[bytes] = None,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
) -> TLSSocket:
    """TLS over a connected socket: a client with a :class:`ClientConfig` (give
    ``server_hostname``), a server with a :class:`ServerConfig`. The handshake runs now
    unless ``do_handshake_on_connect=False``."""
    return TLSSocket(
        sock,
        config,
        server_hostname=server_hostname,
        session=session,
        do_handshake_on_connect=do_handshake_on_connect,
        suppress_ragged_eofs=suppress_ragged_eofs,
    )


def connect(
    address: Tuple[str, int],
    config: Optional[ClientConfig] = None,
    *,
    server_hostname: Optional[str] = None,
    timeout: Optional[float] = None,
    session: Optional[bytes] = None,
) -> TLSSocket:
    """Opens a TCP connection to ``address`` and runs a TLS handshake over it.

    ``config`` defaults to ``ClientConfig()`` (system trust store, TLS 1.2-1.3) and
    ``server_hostname`` to the host part of ``address``.
    """
    if config is None:
        config = ClientConfig()
    host = address[0]
    sock = socket.create_connection(address, timeout=timeout)
    try:
        return TLSSocket(sock, config, server_hostname=server_hostname or host, session=session)
    except BaseException:
        sock.close()
        raise

