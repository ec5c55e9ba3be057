"""The in-memory protocol testing kit (``tlsm_pair_*`` of ``tlsm.h``) for Python tests.

A :class:`Pair` is a tlsm client and a tlsm server wired together in memory: no socket,
no thread, no clock. It moves bytes between them one flight at a time (:meth:`Pair.step`)
or until both are idle (:meth:`Pair.run`), applies scripted faults to what crosses the
wire (:meth:`Pair.add_fault`, deterministic under :attr:`Pair.seed`), reports how each side
ended (:meth:`Pair.report`), and exports what happened: a ladder diagram, Mermaid text or
JSON (:meth:`Pair.trace`), a pcap file and an NSS key log that Wireshark or ``tshark``
decrypt (:meth:`Pair.pcap`, :meth:`Pair.keylog`)::

    from tlsm.testing import Pair

    with Pair(version=tlsm.TLSVersion.TLSv1_3) as pair:   # test PKI, deterministic configs
        pair.add_fault("corrupt:-1@s2c:msg=Finished")
        pair.run()
        assert pair.client_report.alert_sent == "bad_record_mac"
        assert pair.server_report.alert_received == "bad_record_mac"
        print(pair.trace("ladder"))

Fault specs use the C grammar, ``KIND[:ARG]@DIR[:SELECTOR]``: ``drop``, ``dup``,
``corrupt[:OFF]``, ``truncate:N``, ``split:N``, ``fragment[:N]``, ``delay:N``, ``reorder``,
``replace:HEX``, ``inject:HEX``; ``c2s`` or ``s2c``; ``rec=K``, ``msg=NAME`` (e.g.
``msg=Finished``, ``msg=ApplicationData``) or ``all``. See ``tlsm.h`` for the details.

pytest: ``pytest_plugins = ["tlsm.testing"]`` in a ``conftest.py`` provides the fixtures
``tls_pair`` (a fresh :class:`Pair` on the test PKI; parametrize it indirectly with a
:class:`~tlsm.TLSVersion` or a dict of :class:`Pair` arguments), ``tls_pair_factory``
(makes any number of pairs, freed after the test) and ``tlsm_test_pki`` (the PKI
directory). When a test fails, the ladder trace of every pair it made is added to the
failure report.

The configs of a pair get tracing and the key log switched on (the key log exposes
secrets: such configs are for tests only). A config already used by a connection is
frozen and is used as it is, so its trace lacks protected messages; give each pair fresh
configs (the defaults always are).
"""

from __future__ import annotations

import enum
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Generator, Iterable, Iterator, List, Optional, Tuple, Union

from . import capi
from ._args import host_name
from ._config import ClientConfig, ServerConfig, TLSVersion, _use_pair
from ._errors import Detail, StateError, TLSError, alert_name, conn_error_for, error_for, strerror

__all__ = [
    "Side",
    "Pair",
    "Report",
    "PairEvent",
    "LivelockError",
    "TraceFormat",
    "TEST_HOST",
    "TEST_TIME",
    "PCAP_MAGIC",
    "find_test_pki",
    "default_configs",
    "parse_trace",
]

#: The name the default client sends and verifies, as in the Go and Rust kits; the test
#: PKI's leaf certificates also name ``server.tlsm.test``, ``127.0.0.1`` and ``::1``.
TEST_HOST = "localhost"
#: The test PKI installed with the package (from the repository's ``tests/data/pki``).
_PACKAGED_PKI = Path(__file__).resolve().parent / "pki"
#: 2027-06-01T00:00:00Z: inside the validity of the test PKI; the default configs' clock.
TEST_TIME = 1811808000.0
#: The first four bytes of a classic libpcap file as :meth:`Pair.pcap` writes it
#: (microsecond timestamps, little-endian).
PCAP_MAGIC = b"\xd4\xc3\xb2\xa1"

#: Key types of the test PKI's server identities (``server-<key>.chain.pem``).
TEST_KEYS = ("ed25519", "p256", "p384", "rsa", "rsapss")


class Side(enum.IntEnum):
    """One end of a pair. Methods that take a side also accept ``"client"``/``"server"``."""

    CLIENT = capi.PAIR_CLIENT
    SERVER = capi.PAIR_SERVER


SideLike = Union[Side, int, str]
#: Directions for :meth:`Pair.eof`: ``"c2s"`` (client to server) or ``"s2c"``.
Direction = Union[str, int]
TraceFormat = str  # "ladder" | "mermaid" | "json"

_TRACE_FORMATS = {
    "ladder": capi.TRACE_LADDER,
    "mermaid": capi.TRACE_MERMAID,
    "json": capi.TRACE_JSON,
}


def _side(side: SideLike) -> Side:
    if isinstance(side, str):
        try:
            return Side[side.upper()]
        except KeyError:
            raise ValueError(f"side must be 'client' or 'server', not {side!r}") from None
    return Side(side)


def _direction(direction: Direction) -> int:
    if isinstance(direction, str):
        table = {"c2s": capi.PAIR_C2S, "s2c": capi.PAIR_S2C}
        if direction not in table:
            raise ValueError(f"direction must be 'c2s' or 's2c', not {direction!r}")
        return table[direction]
    if direction not in (capi.PAIR_C2S, capi.PAIR_S2C):
        raise ValueError(f"unknown direction {direction!r}")
    return int(direction)


class LivelockError(RuntimeError):
    """The pair was still not idle after ``TLSM_PAIR_MAX_STEPS`` steps: the two sides keep
    sending to each other (a bug, not a slow case)."""


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class Report:
    """How one side of a pair ended (``tlsm_pair_report``).

    Attributes:
        side: which side this is.
        error: the sticky error code, 0 if none.
        error_name: ``tlsm_strerror(error)``, e.g. ``"sent alert bad_record_mac"``; None if
            no error.
        verify_error: the ``TLSM_ERR_CERT_*`` code of a failed certificate check, or 0.
        alert_sent: name of the fatal alert this side sent (``"bad_record_mac"``), or None.
        alert_received: name of the fatal alert the peer sent and this side read, or None.
        handshake_done: the handshake finished on this side.
        peer_closed: close_notify was received.
        version: the negotiated version, None before the handshake finished.
        suite: IANA name of the negotiated cipher suite, None before.
        group: name of the key-exchange group (``"x25519"``), None before or for psk_ke.
        resumed: the handshake resumed a session.
        hrr: a HelloRetryRequest happened.
        app_bytes_received: application data this side received so far.
        reason: why this side failed: the name of the check that fired
            (``tlsm_conn_error_detail``), e.g. ``"REC_BAD_MAC"``, ``"PEER_ALERT"`` when the
            peer's alert ended it; ``""`` if it did not fail.
        reason_text: the reason in one line of words, ``""`` if none.
    """

    side: Side
    error: int
    error_name: Optional[str]
    verify_error: int
    alert_sent: Optional[str]
    alert_received: Optional[str]
    handshake_done: bool
    peer_closed: bool
    version: Optional[TLSVersion]
    suite: Optional[str]
    group: Optional[str]
    resumed: bool
    hrr: bool
    app_bytes_received: int
    reason: str = ""
    reason_text: str = ""
    _detail: Optional[Detail] = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """The handshake finished and no error happened."""
        return self.handshake_done and self.error == 0

    @property
    def exception(self) -> Optional[TLSError]:
        """The error as the exception a :class:`~tlsm.Connection` would raise, or None."""
        return error_for(self.error, self.verify_error, self._detail) if self.error else None


@dataclass(frozen=True)
class PairEvent:
    """One event the kit popped from a side (``tlsm_event``), in order.

    ``name`` is the event type's name (``tlsm_event_name``); ``message`` the handshake
    message of a trace event (``"ClientHello"``, ``"ChangeCipherSpec"``...), else None.
    """

    type: int
    name: str
    code: int
    alert: int
    fatal: bool
    message: Optional[str]
    ccs: bool
    hrr: bool


def parse_trace(text: str) -> Dict[str, Any]:
    """Parses a JSON trace (``pair.trace("json")``) into Python objects:
    ``{"steps": N, "records": [...], "client": {...}, "server": {...}}``; each record has
    its step, direction, content type, length, key epoch, messages (hellos decoded) and the
    fault that hit it, if any."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or "records" not in doc:
        raise ValueError("not a tlsm trace")
    return doc


# ---------------------------------------------------------------------- test PKI


def find_test_pki(path: Union[str, "os.PathLike[str]", None] = None) -> Path:
    """The directory of tlsm's test PKI (``ca.crt``, ``server-*.chain.pem``...).

    ``path`` if given, else ``$TLSM_TEST_PKI`` if set, else the copy installed with this
    package (``tlsm/pki``, the repository's ``tests/data/pki``), so the kit works in any
    project. A directory without ``ca.crt`` is an error (:class:`FileNotFoundError`
    naming it), never a reason to look elsewhere.
    """
    if path is not None:
        cand, origin = Path(path), "pki="
    elif os.environ.get("TLSM_TEST_PKI"):
        cand, origin = Path(os.environ["TLSM_TEST_PKI"]), "$TLSM_TEST_PKI"
    else:
        cand, origin = _PACKAGED_PKI, "the copy installed with tlsm"
    if (cand / "ca.crt").is_file():
        return cand
    raise FileNotFoundError(f"tlsm test PKI not found in {cand} ({origin}): no ca.crt there")


def default_configs(
    version: Optional[TLSVersion] = None,
    *,
    pki: Union[str, "os.PathLike[str]", None] = None,
    key: str = "p256",
    client_auth: bool = False,
    seed: int = 1,
    fixed_time: Optional[float] = TEST_TIME,
    client_kw: Optional[Dict[str, Any]] = None,
    server_kw: Optional[Dict[str, Any]] = None,
) -> Tuple[ClientConfig, ServerConfig]:
    """Fresh client and server configs on the test PKI, deterministic by default.

    Args:
        version: pin both sides to one :class:`~tlsm.TLSVersion` (default: 1.2 and 1.3,
            which negotiates 1.3).
        pki: the PKI directory (default: :func:`find_test_pki`).
        key: the server's key type: one of ``"ed25519"``, ``"p256"``, ``"p384"``,
            ``"rsa"``, ``"rsapss"``.
        client_auth: the server requires a client certificate and the client has one.
        seed: seeds the random generators (client ``seed``, server ``seed + 1``); None
            uses the system's random source.
        fixed_time: the clock of both configs (unix seconds); None uses the real clock.
        client_kw, server_kw: more arguments for :class:`~tlsm.ClientConfig` /
            :class:`~tlsm.ServerConfig` (they override the ones above).
    """
    if key not in TEST_KEYS:
        raise ValueError(f"key must be one of {', '.join(TEST_KEYS)}")
    d = find_test_pki(pki)
    ckw: Dict[str, Any] = {"trust": d / "ca.crt"}
    skw: Dict[str, Any] = {}
    for kw, s in ((ckw, seed), (skw, None if seed is None else seed + 1)):
        if version is not None:
            kw["minimum_version"] = kw["maximum_version"] = version
        if s is not None:
            kw["rng_seed"] = s
        if fixed_time is not None:
            kw["fixed_time"] = fixed_time
    if client_auth:
        import ssl

        ckw["certificate_chain"] = d / "client.chain.pem"
        ckw["private_key"] = d / "client.key"
        skw["client_auth"] = ssl.CERT_REQUIRED
        skw["client_trust"] = d / "ca.crt"
    ckw.update(client_kw or {})
    skw.update(server_kw or {})
    server = ServerConfig(d / f"server-{key}.chain.pem", d / f"server-{key}.key", **skw)
    return ClientConfig(**ckw), server


# ---------------------------------------------------------------------- the pair


class _Guard:
    """One thread at a time: the kit's C calls release the GIL."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("a tlsm.testing.Pair was used by two threads at once")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class Pair:
    """A tlsm client and server connected in memory (``tlsm_pair``).

    Args:
        client_config, server_config: the two configs; when both are omitted,
            :func:`default_configs` makes them (with ``version``, ``pki`` and ``key``).
            Give fresh configs: the pair switches on their trace and key log.
        server_name: the name the client sends and verifies (default :data:`TEST_HOST`;
            None for a client without verification).
        version, pki, key: passed to :func:`default_configs` when it makes the configs.
        seed: seeds the fault randomness (``corrupt`` without an offset); default 0.
        faults: fault specs to add (see :meth:`add_fault`).
        session: a client session (``pair.session`` of an earlier pair, or a
            :class:`~tlsm.NewSessionTicket` session) offered for resumption.

    Nothing is sent before the first :meth:`step` or :meth:`run`. Use it as a context
    manager, or call :meth:`free`, to release it at once (else the garbage collector does).
    """

    def __init__(
        self,
        client_config: Optional[ClientConfig] = None,
        server_config: Optional[ServerConfig] = None,
        server_name: Optional[str] = TEST_HOST,
        *,
        version: Optional[TLSVersion] = None,
        pki: Union[str, "os.PathLike[str]", None] = None,
        key: str = "p256",
        seed: Optional[int] = None,
        faults: Iterable[str] = (),
        session: Optional[bytes] = None,
    ) -> None:
        self._p = None
        self._guard = _Guard()
        if server_name is not None:
            server_name = host_name(server_name, "server_name")
        if (client_config is None) != (server_config is None):
            raise ValueError("give both configs or neither")
        if client_config is None or server_config is None:
            client_config, server_config = default_configs(version, pki=pki, key=key)
        if not isinstance(client_config, ClientConfig) or not isinstance(server_config, ServerConfig):
            raise TypeError("a pair needs a tlsm.ClientConfig and a tlsm.ServerConfig")
        # The pair holds C references to both configs; these keep their test hooks alive.
        self._configs = (client_config, server_config)
        p = _use_pair(client_config, server_config, lambda c, s: capi.pair_new(c, s, server_name))
        if p is None:
            raise ValueError(
                "tlsm_pair_new failed (a server config needs an identity; a verifying "
                "client needs a server name)"
            )
        self._p = p
        self._seed = 0
        self.server_name = server_name
        if seed is not None:
            self.seed = seed
        for spec in faults:
            self.add_fault(spec)
        if session is not None:
            rc = capi.conn_set_session(capi.pair_client(p), bytes(session))
            if rc:
                raise error_for(rc)

    # ------------------------------------------------------------------ lifetime

    def free(self) -> None:
        """Frees the pair, its connections and what it recorded. Idempotent; any later
        call raises :class:`ValueError`. Raises :class:`RuntimeError` while another thread
        is inside a call on the pair (freeing it then would pull the memory from under
        that call)."""
        with self._guard:
            p, self._p = self._p, None
            if p is not None:
                capi.pair_free(p)

    def __enter__(self) -> "Pair":
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    def __del__(self) -> None:
        if getattr(self, "_p", None) is not None:
            self.free()

    def __repr__(self) -> str:
        if self._p is None:
            return "<tlsm.testing.Pair freed>"
        c, s = self.client_report, self.server_report
        state = lambda r: r.error_name or ("established" if r.handshake_done else "handshaking")  # noqa: E731
        return f"<tlsm.testing.Pair client={state(c)} server={state(s)}>"

    @property
    def _handle(self) -> Any:
        if self._p is None:
            raise ValueError("the pair was freed")
        return self._p

    def _conn(self, side: SideLike) -> Any:
        p = self._handle
        return capi.pair_client(p) if _side(side) is Side.CLIENT else capi.pair_server(p)

    @property
    def client_config(self) -> ClientConfig:
        """The client's config (frozen once the pair is made)."""
        return self._configs[0]

    @property
    def server_config(self) -> ServerConfig:
        """The server's config (frozen once the pair is made)."""
        return self._configs[1]

    # ------------------------------------------------------------------ faults

    @property
    def seed(self) -> int:
        """The seed of the fault randomness (``tlsm_pair_seed``): the same seed, faults
        and deterministic configs replay the same run byte for byte."""
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        value = int(value) & (2**64 - 1)
        with self._guard:
            capi.pair_seed(self._handle, value)
        self._seed = value

    def add_fault(self, spec: str) -> "Pair":
        """Adds a fault between the two sides, e.g. ``"drop@s2c:msg=Certificate"``,
        ``"corrupt:-1@c2s:msg=Finished"``, ``"fragment:1@c2s"``. Each applies once, to
        the first matching record (``all``: every record). Returns the pair (chainable).
        Raises :class:`ValueError` for a spec that does not parse."""
        with self._guard:
            rc = capi.pair_add_fault(self._handle, str(spec))
        if rc == capi.ERR_ARG:
            raise ValueError(f"bad fault spec {spec!r} (KIND[:ARG]@c2s|s2c[:rec=K|:msg=NAME|:all])")
        if rc:
            raise error_for(rc)
        return self

    # ------------------------------------------------------------------ moving bytes

    def _outcome(self, rc: int, check: bool) -> Optional[TLSError]:
        if rc == capi.ERR_STATE:
            raise LivelockError(f"the pair was not idle after {capi.PAIR_MAX_STEPS} steps")
        if rc == capi.ERR_NOMEM:
            raise MemoryError("the testing kit ran out of memory")
        if rc == 0:
            return None
        err = error_for(rc)
        for side in Side:
            conn = self._conn(side)
            if capi.conn_error(conn) == rc:
                err = conn_error_for(conn, rc)
                break
        if check:
            raise err
        return err

    def step(self) -> bool:
        """Moves one flight (everything one side has output, through the faults, into
        the other side). Returns True if something moved, False when the pair is idle.
        Connection errors are not raised here: see :meth:`report`."""
        with self._guard:
            rc = capi.pair_step(self._handle)
            if rc < 0:
                self._outcome(rc, True)
        return rc == 1

    def steps(self) -> Iterator[int]:
        """Steps until idle, yielding the number of each step that moved something
        (from 1): ``for n in pair.steps(): print(n, pair.report("client"))``."""
        n = 0
        while self.step():
            n += 1
            yield n
            if n >= capi.PAIR_MAX_STEPS:
                raise LivelockError(f"the pair was not idle after {capi.PAIR_MAX_STEPS} steps")

    def run(self, check: bool = False) -> Optional[TLSError]:
        """Steps until both sides are idle: the handshake, or whatever the faults made of
        it. Returns None when neither side failed, else the first error a side ended with
        (the exception a :class:`~tlsm.Connection` would raise), which is raised instead
        with ``check=True``. A stalled stream (a dropped last record) is not an error:
        look at :meth:`report`, or end the stream with :meth:`eof`. Raises
        :class:`LivelockError` if the pair never becomes idle."""
        with self._guard:
            rc = capi.pair_run(self._handle)
            return self._outcome(rc, check)

    def write(self, side: SideLike, data: Union[bytes, bytearray, memoryview], check: bool = False) -> Optional[TLSError]:
        """Sends ``data`` as application data from ``side`` and runs. Raises
        :class:`~tlsm.StateError` before that side's handshake finished; otherwise returns
        (or raises with ``check=True``) as :meth:`run`, including a sticky error of the
        writing side."""
        s = _side(side)
        with self._guard:
            conn = self._conn(s)
            if not capi.conn_error(conn) and not capi.conn_handshake_done(conn):
                raise StateError(capi.ERR_STATE, f"the {s.name.lower()} has not finished its handshake")
            rc = capi.pair_write(self._handle, int(s), data)
            return self._outcome(rc, check)

    def read(self, side: SideLike, max_bytes: int = -1) -> bytes:
        """Application data ``side`` received and nobody read yet (at most ``max_bytes``,
        all of it by default), removed from the pair."""
        with self._guard:
            rc, data = capi.pair_read(self._handle, int(_side(side)), int(max_bytes))
        if rc:
            raise error_for(rc)
        return data

    def pending(self, side: SideLike) -> int:
        """How many received application bytes ``side`` holds unread."""
        with self._guard:
            rc, n = capi.pair_pending(self._handle, int(_side(side)))
        if rc:
            raise error_for(rc)
        return n

    def close(self, side: SideLike, check: bool = False) -> Optional[TLSError]:
        """``side`` sends close_notify and the pair runs. Returns as :meth:`run`."""
        with self._guard:
            rc = capi.pair_close(self._handle, int(_side(side)))
            return self._outcome(rc, check)

    def eof(self, direction: Direction) -> Optional[TLSError]:
        """The transport of ``direction`` (``"c2s"`` or ``"s2c"``) ends: what is in
        transit arrives, then the receiver sees the end of the stream. Returns the
        receiver's error: None after a close_notify, :class:`~tlsm.TruncatedError`
        without one (or the receiver's earlier sticky error)."""
        with self._guard:
            rc = capi.pair_eof(self._handle, _direction(direction))
            if rc == capi.ERR_NOMEM:
                raise MemoryError("the testing kit ran out of memory")
            if rc == 0:
                return None
            receiver = Side.SERVER if _direction(direction) == capi.PAIR_C2S else Side.CLIENT
            return conn_error_for(self._conn(receiver), rc)

    def key_update(self, side: SideLike, request_peer: bool = False, check: bool = False) -> Optional[TLSError]:
        """TLS 1.3: ``side`` updates its sending keys (and asks the peer to update too
        with ``request_peer``), then the pair runs. Returns as :meth:`run`."""
        s = _side(side)
        with self._guard:
            conn = self._conn(s)
            rc = capi.key_update(conn, int(request_peer))
            err = conn_error_for(conn, rc) if rc else None
        if err is not None:
            if check or isinstance(err, StateError):
                raise err
            return err
        return self.run(check)

    # ------------------------------------------------------------------ what happened

    def report(self, side: SideLike) -> Report:
        """How ``side`` ended (or stands now)."""
        s = _side(side)
        with self._guard:
            rc, r = capi.pair_get_report(self._handle, int(s))
            verify = capi.conn_verify_error(self._conn(s))
            detail = capi.conn_error_detail(self._conn(s))
        if rc:
            raise error_for(rc)
        error, sent, received, done, closed, version, suite, group, resumed, hrr, nbytes, reason = r
        return Report(
            side=s,
            error=error,
            error_name=strerror(error) if error else None,
            verify_error=verify,
            alert_sent=alert_name(sent) if sent >= 0 else None,
            alert_received=alert_name(received) if received >= 0 else None,
            handshake_done=bool(done),
            peer_closed=bool(closed),
            version=TLSVersion(version) if version else None,
            suite=capi.suite_name(suite) if suite else None,
            group=capi.group_name(group) if group else None,
            resumed=bool(resumed),
            hrr=bool(hrr),
            app_bytes_received=nbytes,
            reason=reason,
            reason_text=detail[2] if reason else "",
            _detail=detail,
        )

    @property
    def client_report(self) -> Report:
        """``report("client")``."""
        return self.report(Side.CLIENT)

    @property
    def server_report(self) -> Report:
        """``report("server")``."""
        return self.report(Side.SERVER)

    @property
    def reports(self) -> Tuple[Report, Report]:
        """(client report, server report)."""
        return self.client_report, self.server_report

    @property
    def handshake_complete(self) -> bool:
        """Both sides finished the handshake and neither failed."""
        return self.client_report.ok and self.server_report.ok

    def events(self, side: SideLike) -> List[PairEvent]:
        """Every event the kit popped from ``side`` so far, in order (with the trace on,
        that includes every handshake message sent and received)."""
        s = int(_side(side))
        out: List[PairEvent] = []
        with self._guard:
            p = self._handle
            while True:
                ev = capi.pair_event(p, s, len(out))
                if ev is None:
                    return out
                etype, code, alert, fatal, msg_type, ccs, hrr = ev
                is_msg = etype in (capi.EV_MESSAGE_SENT, capi.EV_MESSAGE_RECEIVED)
                message = None
                if is_msg:
                    message = "ChangeCipherSpec" if ccs else capi.message_name(msg_type)
                out.append(
                    PairEvent(
                        type=etype,
                        name=capi.event_name(etype),
                        code=code,
                        alert=alert,
                        fatal=bool(fatal),
                        message=message,
                        ccs=bool(ccs),
                        hrr=bool(hrr),
                    )
                )

    def peer_certificates(self, side: SideLike) -> Tuple[bytes, ...]:
        """The certificates ``side`` received from its peer (DER, leaf first)."""
        with self._guard:
            conn = self._conn(side)
            n = capi.conn_peer_cert_count(conn)
            return tuple(capi.conn_peer_cert(conn, i) for i in range(n))

    def alpn_protocol(self, side: SideLike) -> Optional[str]:
        """The ALPN protocol ``side`` negotiated, or None."""
        with self._guard:
            proto = capi.conn_alpn(self._conn(side))
        return None if proto is None else proto.decode("ascii", "replace")

    @property
    def session(self) -> Optional[bytes]:
        """The client's latest resumable session (after the server's ticket, or a TLS 1.2
        handshake with a session ID), for ``Pair(..., session=...)``; None if none. It
        holds a secret."""
        with self._guard:
            rc, blob = capi.conn_get_session(self._conn(Side.CLIENT))
        return blob if rc == 0 else None

    # ------------------------------------------------------------------ exports

    def trace(self, format: TraceFormat = "ladder") -> str:
        """Every record both ways with step, direction, content type, length, key epoch,
        the messages it carries (hellos decoded) and what a fault did to it, then how each
        side ended: ``"ladder"`` (terminal diagram), ``"mermaid"`` (``sequenceDiagram``
        text) or ``"json"`` (see :meth:`trace_json`)."""
        if format not in _TRACE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(_TRACE_FORMATS)}")
        with self._guard:
            rc, text = capi.pair_trace(self._handle, _TRACE_FORMATS[format])
        if rc:
            raise error_for(rc)
        return text

    def trace_json(self) -> Dict[str, Any]:
        """The JSON trace parsed (:func:`parse_trace`)."""
        return parse_trace(self.trace("json"))

    def pcap(self) -> bytes:
        """A libpcap file of the conversation over synthetic IPv4/TCP (client
        10.0.0.1:49152, server 10.0.0.2:443), every byte as sent, before faults. Open it
        with the :meth:`keylog` to see the decrypted handshake and data."""
        with self._guard:
            rc, data = capi.pair_pcap(self._handle)
        if rc:
            raise error_for(rc)
        return data

    def keylog(self) -> str:
        """The NSS key log (SSLKEYLOGFILE lines) of the pair's handshakes."""
        with self._guard:
            rc, text = capi.pair_keylog(self._handle)
        if rc:
            raise error_for(rc)
        return text

    def save_capture(
        self, pcap_path: Union[str, "os.PathLike[str]"], keylog_path: Union[str, "os.PathLike[str]"]
    ) -> None:
        """Writes :meth:`pcap` and :meth:`keylog` to files, ready for
        ``tshark -r PCAP -o tls.keylog_file:KEYLOG`` or Wireshark."""
        Path(pcap_path).write_bytes(self.pcap())
        Path(keylog_path).write_text(self.keylog(), encoding="ascii")


# ---------------------------------------------------------------------- pytest plugin

try:
    import pytest as _pytest
except ImportError:  # the kit works without pytest; only the fixtures need it
    _pytest = None  # type: ignore[assignment]

if _pytest is not None:
    _PAIRS_ATTR = "_tlsm_testing_pairs"

    @_pytest.fixture(scope="session")
    def tlsm_test_pki() -> Path:
        """The test PKI directory (:func:`find_test_pki`). A missing PKI is an error of
        every test that uses the kit, never a silent skip."""
        return find_test_pki()

    @_pytest.fixture
    def tls_pair_factory(request: Any, tlsm_test_pki: Path) -> Iterator[Callable[..., Pair]]:
        """A function that makes :class:`Pair` objects (same arguments; ``pki`` defaults
        to the test PKI); every pair is freed after the test, and a failing test's report
        carries their ladder traces."""
        made: List[Pair] = []
        setattr(request.node, _PAIRS_ATTR, made)

        def make(*args: Any, **kwargs: Any) -> Pair:
            if not args and "client_config" not in kwargs:
                kwargs.setdefault("pki", tlsm_test_pki)
            pair = Pair(*args, **kwargs)
            made.append(pair)
            return pair

        yield make
        for pair in made:
            pair.free()
        made.clear()

    @_pytest.fixture
    def tls_pair(request: Any, tls_pair_factory: Callable[..., Pair]) -> Pair:
        """A fresh :class:`Pair` on the test PKI with deterministic configs, not yet
        started. Parametrize indirectly with a :class:`~tlsm.TLSVersion` or a dict of
        :class:`Pair` arguments::

            @pytest.mark.parametrize("tls_pair", [TLSVersion.TLSv1_2, TLSVersion.TLSv1_3],
                                     indirect=True)
            def test_x(tls_pair): ...
        """
        param = getattr(request, "param", None)
        if param is None:
            return tls_pair_factory()
        if isinstance(param, dict):
            return tls_pair_factory(**param)
        return tls_pair_factory(version=TLSVersion(param))

    @_pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item: Any, call: Any) -> Generator[None, Any, None]:
        """Adds the ladder trace of every pair a failing test made to its report."""
        outcome = yield
        rep = outcome.get_result()
        if rep.when != "call" or not rep.failed:
            return
        for i, pair in enumerate(getattr(item, _PAIRS_ATTR, ())):
            if pair._p is None:
                continue
            try:
                text = pair.trace("ladder")
            except Exception as exc:  # never hide the test's own failure
                text = f"(no trace: {exc})"
            rep.sections.append((f"tlsm pair {i} trace", text))
