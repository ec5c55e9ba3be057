"""Client and server configurations (wrappers of ``tlsm_config``).

A config is built once and shared by any number of connections, also across threads; the
first connection (or :func:`~tlsm.verify_chain` call) freezes it, after which setters raise
:class:`ConfigError` (except :meth:`ServerConfig.rotate_ticket_key`, made for live configs).

Thread safety: the C core lets a frozen config be read by many threads at once, but a
setter must not run while another thread reads the config (adding trust anchors grows the
store a concurrent verification walks). Each config object therefore has a lock: setters
hold it, and so does whatever freezes the config (the first connection, the first
verify_chain, a testing pair), so the freeze happens after any setter in progress and no
setter reaches C afterwards. Frozen configs are used without the lock.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any, Callable, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import capi
from ._errors import ConfigError, TLSError, error_for

__all__ = [
    "TLSVersion",
    "ClientConfig",
    "ServerConfig",
    "PEMSource",
    "CIPHER_SUITES",
    "GROUPS",
    "SIGNATURE_SCHEMES",
    "VerifyCacheStats",
]

#: The protocol versions, the same enum as the ``ssl`` module's (its values are the
#: wire codes: ``TLSVersion.TLSv1_3 == 0x0304``).
TLSVersion = ssl.TLSVersion

#: PEM given as bytes (the PEM text itself), a ``str`` holding PEM text, or a path
#: (``str`` or ``os.PathLike``) to a PEM file.
PEMSource = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]

#: The cipher suites tlsm implements, with the size of their traffic keys in bits (what
#: ``ssl.SSLSocket.cipher()`` reports as secret bits).
_SUITE_KEY_BITS = {
    capi.TLS_AES_128_GCM_SHA256: 128,
    capi.TLS_AES_256_GCM_SHA384: 256,
    capi.TLS_CHACHA20_POLY1305_SHA256: 256,
    capi.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 128,
    capi.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 256,
    capi.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 256,
    capi.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 128,
    capi.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 256,
    capi.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 256,
    capi.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 128,
    capi.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 256,
    capi.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 256,
    capi.TLS_RSA_WITH_AES_128_GCM_SHA256: 128,
    capi.TLS_RSA_WITH_AES_256_GCM_SHA384: 256,
}

#: Cipher suites by IANA name.
CIPHER_SUITES = {capi.suite_name(code): code for code in _SUITE_KEY_BITS}


def cipher_key_bits(suite: int) -> int:
    """The traffic key size in bits of a cipher suite code (128 for
    TLS_AES_128_GCM_SHA256, 256 for the AES-256 and ChaCha20 suites); 0 if unknown."""
    return _SUITE_KEY_BITS.get(suite, 0)


#: Key-exchange groups by name (RFC 8446 / RFC 7919 names, plus the usual aliases).
GROUPS = {
    "X25519MLKEM768": capi.GROUP_X25519MLKEM768,
    "SecP256r1MLKEM768": capi.GROUP_SECP256R1MLKEM768,
    "MLKEM768": capi.GROUP_MLKEM768,
    "SecP384r1MLKEM1024": capi.GROUP_SECP384R1MLKEM1024,
    "MLKEM1024": capi.GROUP_MLKEM1024,
    "x25519": capi.GROUP_X25519,
    "secp256r1": capi.GROUP_SECP256R1,
    "P-256": capi.GROUP_SECP256R1,
    "secp384r1": capi.GROUP_SECP384R1,
    "P-384": capi.GROUP_SECP384R1,
    "ffdhe2048": capi.GROUP_FFDHE2048,
    "ffdhe3072": capi.GROUP_FFDHE3072,
}

#: Signature schemes by RFC 8446 name.
SIGNATURE_SCHEMES = {
    "rsa_pkcs1_sha256": capi.SIG_RSA_PKCS1_SHA256,
    "rsa_pkcs1_sha384": capi.SIG_RSA_PKCS1_SHA384,
    "rsa_pkcs1_sha512": capi.SIG_RSA_PKCS1_SHA512,
    "ecdsa_secp256r1_sha256": capi.SIG_ECDSA_SECP256R1_SHA256,
    "ecdsa_secp384r1_sha384": capi.SIG_ECDSA_SECP384R1_SHA384,
    "ecdsa_secp521r1_sha512": capi.SIG_ECDSA_SECP521R1_SHA512,
    "rsa_pss_rsae_sha256": capi.SIG_RSA_PSS_RSAE_SHA256,
    "rsa_pss_rsae_sha384": capi.SIG_RSA_PSS_RSAE_SHA384,
    "rsa_pss_rsae_sha512": capi.SIG_RSA_PSS_RSAE_SHA512,
    "ed25519": capi.SIG_ED25519,
    "rsa_pss_pss_sha256": capi.SIG_RSA_PSS_PSS_SHA256,
    "rsa_pss_pss_sha384": capi.SIG_RSA_PSS_PSS_SHA384,
    "rsa_pss_pss_sha512": capi.SIG_RSA_PSS_PSS_SHA512,
}


def _read_pem(source: object, what: str) -> bytes:
    """PEM bytes from PEM bytes, PEM text or a file path (str or os.PathLike)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, str) and "-----BEGIN" in source:
        return source.encode("ascii")
    if isinstance(source, (str, os.PathLike)):
        with open(os.fspath(source), "rb") as f:
            return f.read()
    raise TypeError(
        f"{what}: expected a file path (str or os.PathLike), PEM bytes or a PEM string, "
        f"not {type(source).__name__}"
    )


def _sources(value: object) -> List[object]:
    """One PEM source or a list/tuple of them."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _codes(values: object, names: dict, what: str) -> List[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{what}s: expected a sequence of names or codes, not {type(values).__name__}")
    out = []
    for v in values:
        if isinstance(v, str):
            if v not in names:
                raise ConfigError(capi.ERR_ARG, f"unknown {what}: {v!r}")
            out.append(names[v])
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(v)
        else:
            raise TypeError(f"{what}s: expected names (str) or codes (int), not {type(v).__name__} {v!r}")
    return out


def _alpn_wire(protocols: object) -> bytes:
    if isinstance(protocols, (str, bytes)) or not isinstance(protocols, Iterable):
        raise TypeError(f"alpn_protocols: expected a sequence of str or bytes, not {type(protocols).__name__}")
    out = bytearray()
    for p in protocols:
        if isinstance(p, str):
            b = p.encode("ascii")
        elif isinstance(p, (bytes, bytearray)):
            b = bytes(p)
        else:
            raise TypeError(f"alpn_protocols: expected str or bytes items, not {type(p).__name__} {p!r}")
        if not 0 < len(b) < 256:
            raise ConfigError(capi.ERR_ARG, f"alpn_protocols: {p!r} is not 1 to 255 bytes long")
        out.append(len(b))
        out += b
    return bytes(out)


_VERSION_NAMES = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


def _version_name(v: int) -> str:
    return _VERSION_NAMES.get(v, f"version {v:#06x}")


def _version(value: object, what: str, default: int) -> int:
    """A version bound as a wire code: ssl.TLSVersion (MINIMUM_SUPPORTED and
    MAXIMUM_SUPPORTED mean 1.2 and 1.3) or its int value; only TLS 1.2 and 1.3 exist here."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected a tlsm.TLSVersion, not {type(value).__name__}")
    v = int(value)
    if v == ssl.TLSVersion.MINIMUM_SUPPORTED:
        return capi.TLS12
    if v == ssl.TLSVersion.MAXIMUM_SUPPORTED:
        return capi.TLS13
    if v not in (capi.TLS12, capi.TLS13):
        raise ConfigError(capi.ERR_ARG, f"{what}: {_version_name(v)} is not supported (tlsm speaks TLS 1.2 and 1.3)")
    return v


def _version_range(minimum: object, maximum: object) -> Tuple[int, int]:
    lo = _version(minimum, "minimum_version", capi.TLS12)
    hi = _version(maximum, "maximum_version", capi.TLS13)
    if lo > hi:
        raise ConfigError(
            capi.ERR_ARG,
            f"minimum_version {_version_name(lo)} is above maximum_version {_version_name(hi)}",
        )
    return lo, hi


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected an int, not {type(value).__name__}")
    return value


class VerifyCacheStats(NamedTuple):
    """What a config's verification cache did so far (:meth:`ClientConfig.verify_cache_stats`)."""

    hits: int  #: signature checks answered by the cache
    misses: int  #: signature checks the cache did not hold (then verified)
    entries: int  #: signatures held now
    capacity: int  #: the most it holds (0: off)


class _Config:
    """What client and server configs share. Not instantiated directly."""

    _role: int

    def __init__(
        self,
        *,
        minimum_version: TLSVersion,
        maximum_version: TLSVersion,
        alpn_protocols: Optional[Sequence[Union[str, bytes]]],
        cipher_suites: Optional[Sequence[Union[int, str]]],
        groups: Optional[Sequence[Union[int, str]]],
        signature_algorithms: Optional[Sequence[Union[int, str]]],
        record_size_limit: Optional[int],
        trace: bool,
        rng_seed: Optional[int],
        fixed_time: Optional[float],
        verify_cache: Optional[int] = None,
    ) -> None:
        self._cfg = None
        self._hooks = None
        self._lock = threading.Lock()
        self._frozen = False
        cfg = capi.config_new(self._role)
        if cfg is None:
            raise MemoryError("tlsm_config_new failed")
        self._cfg = cfg
        if rng_seed is not None or fixed_time is not None:
            now_ms = int(round((fixed_time or 0) * 1000))
            self._hooks = capi.test_hooks_new(int(rng_seed or 0) & (2**64 - 1), now_ms)
            if self._hooks is None:
                raise MemoryError("test hooks")
            self._check(
                capi.test_hooks_install(
                    cfg, self._hooks, int(rng_seed is not None), int(fixed_time is not None)
                )
            )
        self._check(capi.config_set_versions(cfg, *_version_range(minimum_version, maximum_version)))
        if alpn_protocols is not None:
            self._check(capi.config_set_alpn(cfg, _alpn_wire(alpn_protocols)))
        if cipher_suites is not None:
            self._check(capi.config_set_suites(cfg, _codes(cipher_suites, CIPHER_SUITES, "cipher suite")))
        if groups is not None:
            self._check(capi.config_set_groups(cfg, _codes(groups, GROUPS, "group")))
        if signature_algorithms is not None:
            sigs = _codes(signature_algorithms, SIGNATURE_SCHEMES, "signature scheme")
            self._check(capi.config_set_sigalgs(cfg, sigs))
        if record_size_limit is not None:
            self._check(capi.config_set_record_size_limit(cfg, _int(record_size_limit, "record_size_limit")))
        if trace:
            self._check(capi.config_set_trace(cfg, 1))
        if verify_cache is not None:
            self._check(capi.config_set_verify_cache(cfg, _int(verify_cache, "verify_cache")))

    def verify_cache_stats(self) -> VerifyCacheStats:
        """The verification cache's counters (thread-safe, at any time)."""
        return VerifyCacheStats(*capi.config_verify_cache_stats(self._cfg))

    @staticmethod
    def _check(rc: int) -> None:
        if rc:
            err = error_for(rc)
            if not isinstance(err, ConfigError):
                err = ConfigError(rc)
            raise err

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Calls the C setter ``fn(cfg, *args)`` under the config's lock; refuses once the
        config is frozen (the C call would race the threads reading it)."""
        with self._lock:
            if self._frozen:
                raise ConfigError(
                    capi.ERR_FROZEN,
                    "this config is in use (by a connection or verify_chain) and can no longer change",
                )
            return fn(self._cfg, *args)

    def _use(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Calls ``fn(cfg, *args)``, a call that reads the config and freezes it (conn_new,
        verify_chain), under the lock until the config is frozen, so it never overlaps a
        setter. A result of None (conn_new failed) freezes nothing."""
        if self._frozen:
            return fn(self._cfg, *args)
        with self._lock:
            out = fn(self._cfg, *args)
            if out is not None:
                self._frozen = True
            return out

    @property
    def frozen(self) -> bool:
        """True once a connection or :func:`~tlsm.verify_chain` used the config: from then
        on it can no longer change."""
        return self._frozen

    def set_time(self, unix_seconds: float) -> None:
        """Moves the fixed clock (only for a config made with ``fixed_time``)."""
        if self._hooks is None:
            raise ValueError("this config has no fixed clock (pass fixed_time=...)")
        capi.test_hooks_set_time(self._hooks, int(round(unix_seconds * 1000)))

    def add_trust(self, pem: PEMSource) -> int:
        """Adds trust anchors (any number of CERTIFICATE blocks); returns how many."""
        rc, added = self._call(capi.config_add_trust_pem, _read_pem(pem, "trust"))
        self._check(rc)
        return added

    def add_trust_der(self, der: bytes) -> None:
        """Adds one DER trust anchor."""
        if not isinstance(der, (bytes, bytearray, memoryview)):
            raise TypeError(f"add_trust_der: expected DER bytes, not {type(der).__name__}")
        self._check(self._call(capi.config_add_trust_der, der))

    def load_system_trust(self) -> int:
        """Adds the system trust store; returns how many anchors it had."""
        rc, added = self._call(capi.config_load_system_trust)
        self._check(rc)
        return added

    def add_identity(self, certificate_chain: PEMSource, private_key: PEMSource) -> None:
        """Adds a certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8,
        SEC1 or PKCS#1). Several identities may be added; the one matching the peer's
        signature algorithms is used."""
        self._check(
            self._call(
                capi.config_add_identity_pem,
                _read_pem(certificate_chain, "certificate_chain"),
                _read_pem(private_key, "private_key"),
            )
        )

    def add_identity_der(self, chain: Sequence[bytes], private_key: bytes) -> None:
        """Same as :meth:`add_identity` with DER certificates (leaf first) and a DER key."""
        if isinstance(chain, (bytes, bytearray, str)) or not all(
            isinstance(c, (bytes, bytearray, memoryview)) for c in chain
        ):
            raise TypeError("add_identity_der: chain must be a list of DER bytes, leaf first")
        if not isinstance(private_key, (bytes, bytearray, memoryview)):
            raise TypeError(f"add_identity_der: expected the private key as DER bytes, not {type(private_key).__name__}")
        self._check(self._call(capi.config_add_identity_der, [bytes(c) for c in chain], bytes(private_key)))

    def _identity_arguments(self, certificate_chain: object, private_key: object) -> None:
        """The constructors' certificate_chain/private_key: PEM (bytes, text or paths), or
        a list of DER certificates with a DER key."""
        if (certificate_chain is None) != (private_key is None):
            raise ValueError("certificate_chain and private_key go together")
        if certificate_chain is None:
            return
        if isinstance(certificate_chain, (list, tuple)):
            self.add_identity_der(certificate_chain, private_key)  # type: ignore[arg-type]
        else:
            self.add_identity(certificate_chain, private_key)  # type: ignore[arg-type]

    def __del__(self) -> None:
        cfg, self._cfg = getattr(self, "_cfg", None), None
        if cfg is not None:
            capi.config_free(cfg)
        hooks, self._hooks = getattr(self, "_hooks", None), None
        if hooks is not None:
            capi.test_hooks_free(hooks)


def _use_pair(client: _Config, server: _Config, fn: Callable[[Any, Any], Any]) -> Any:
    """``fn(client cfg, server cfg)`` under both configs' locks (tlsm_pair_new may still
    change unfrozen configs: it turns on the trace and the key log); both count as frozen
    afterwards unless ``fn`` returned None."""
    with client._lock, server._lock:
        out = fn(client._cfg, server._cfg)
        if out is not None:
            client._frozen = server._frozen = True
        return out


class ClientConfig(_Config):
    """Settings for client connections.

    Args:
        trust: trust anchors: a file path (``str`` or ``os.PathLike``), PEM ``bytes``, a
            PEM ``str``, or a list of them. When omitted the system trust store is used.
        system_trust: also load the system store (default: only when ``trust`` is None).
        certificate_chain, private_key: a client certificate for servers that ask (PEM
            as for ``trust``, or a list of DER certificates with a DER key).
        minimum_version, maximum_version: :class:`TLSVersion` bounds, TLS 1.2 and 1.3
            (``MINIMUM_SUPPORTED`` / ``MAXIMUM_SUPPORTED`` mean those); anything older,
            or a minimum above the maximum, is a :class:`ConfigError`.
        alpn_protocols: protocols to offer, most preferred first (``["h2", "http/1.1"]``).
        cipher_suites, groups, signature_algorithms: restrict or reorder (names or codes).
        session_tickets: offer stored sessions for resumption (default on).
        middlebox_compat: TLS 1.3 middlebox compatibility mode (default on).
        require_ems: TLS 1.2: require Extended Master Secret (RFC 7627) (default on).
        record_size_limit: largest record payload we accept (RFC 8449).
        insecure_no_verification: accept any server certificate. For tests only.
        external_verification: stop after the built-in checks with a
            :class:`~tlsm.PeerVerificationRequested` event for the application to decide.
        trace: report every handshake message as a :class:`~tlsm.HandshakeMessage` event.
        verify_cache: capacity of the verification cache, the certificate signatures this
            config verified, so that a chain seen again costs no public-key operation for
            them (a hit skips that one check and nothing else; counters in
            :meth:`verify_cache_stats`). Default 256 entries; 0 turns it off, e.g. when
            handshake timing must not reveal whether a chain was seen before.
        rng_seed, fixed_time: deterministic random generator and clock (unix seconds) for
            tests; never in production.
    """

    _role = capi.ROLE_CLIENT

    def __init__(
        self,
        trust: Union[PEMSource, Sequence[PEMSource], None] = None,
        *,
        system_trust: Optional[bool] = None,
        certificate_chain: Optional[PEMSource] = None,
        private_key: Optional[PEMSource] = None,
        minimum_version: TLSVersion = TLSVersion.TLSv1_2,
        maximum_version: TLSVersion = TLSVersion.TLSv1_3,
        alpn_protocols: Optional[Sequence[Union[str, bytes]]] = None,
        cipher_suites: Optional[Sequence[Union[int, str]]] = None,
        groups: Optional[Sequence[Union[int, str]]] = None,
        signature_algorithms: Optional[Sequence[Union[int, str]]] = None,
        session_tickets: bool = True,
        middlebox_compat: bool = True,
        require_ems: bool = True,
        record_size_limit: Optional[int] = None,
        insecure_no_verification: bool = False,
        external_verification: bool = False,
        trace: bool = False,
        verify_cache: Optional[int] = None,
        rng_seed: Optional[int] = None,
        fixed_time: Optional[float] = None,
    ) -> None:
        super().__init__(
            minimum_version=minimum_version,
            maximum_version=maximum_version,
            alpn_protocols=alpn_protocols,
            cipher_suites=cipher_suites,
            groups=groups,
            signature_algorithms=signature_algorithms,
            record_size_limit=record_size_limit,
            trace=trace,
            rng_seed=rng_seed,
            fixed_time=fixed_time,
            verify_cache=verify_cache,
        )
        self.insecure_no_verification = insecure_no_verification
        if trust is not None:
            for source in _sources(trust):
                self.add_trust(source)  # type: ignore[arg-type]
        if system_trust or (system_trust is None and trust is None and not insecure_no_verification):
            try:
                self.load_system_trust()
            except TLSError:
                # No system store on this machine: handshakes then fail with
                # "no trust anchors configured", which says what is wrong.
                if system_trust:
                    raise
        self._identity_arguments(certificate_chain, private_key)
        if insecure_no_verification:
            self._check(capi.config_set_verify(self._cfg, capi.VERIFY_INSECURE_NO_VERIFICATION))
        if external_verification:
            self._check(capi.config_set_verify_external(self._cfg, 1))
        if not session_tickets:
            self._check(capi.config_set_tickets(self._cfg, 0))
        if not middlebox_compat:
            self._check(capi.config_set_middlebox_compat(self._cfg, 0))
        if not require_ems:
            self._check(capi.config_set_require_ems(self._cfg, 0))


class ServerConfig(_Config):
    """Settings for server connections.

    Args:
        certificate_chain, private_key: the server identity, required: PEM (a path, PEM
            bytes or a PEM string), or a list of DER certificates (leaf first) with a DER
            key. More can be added with :meth:`add_identity` (e.g. an ECDSA and an RSA
            one).
        client_auth: ``ssl.CERT_NONE`` (default), ``ssl.CERT_OPTIONAL`` (ask for a client
            certificate) or ``ssl.CERT_REQUIRED``.
        client_trust: trust anchors for client certificates (PEM, path or list).
        tickets: NewSessionTickets sent after a handshake (default 1; 0 disables
            resumption by ticket).
        ticket_key: 32 bytes protecting tickets; share it to resume across servers.
        ticket_lifetime: seconds a ticket / cached session stays valid.
        session_cache: TLS 1.2 session-id cache entries (0 disables).
        require_ems: require Extended Master Secret from TLS 1.2 clients (default on).
        require_cookie: answer every first ClientHello with a HelloRetryRequest cookie.
        The remaining arguments are those of :class:`ClientConfig`.
    """

    _role = capi.ROLE_SERVER

    def __init__(
        self,
        certificate_chain: Optional[PEMSource] = None,
        private_key: Optional[PEMSource] = None,
        *,
        client_auth: ssl.VerifyMode = ssl.CERT_NONE,
        client_trust: Union[PEMSource, Sequence[PEMSource], None] = None,
        minimum_version: TLSVersion = TLSVersion.TLSv1_2,
        maximum_version: TLSVersion = TLSVersion.TLSv1_3,
        alpn_protocols: Optional[Sequence[Union[str, bytes]]] = None,
        cipher_suites: Optional[Sequence[Union[int, str]]] = None,
        groups: Optional[Sequence[Union[int, str]]] = None,
        signature_algorithms: Optional[Sequence[Union[int, str]]] = None,
        tickets: Optional[int] = None,
        ticket_key: Optional[bytes] = None,
        ticket_lifetime: Optional[int] = None,
        session_cache: Optional[int] = None,
        require_ems: bool = True,
        require_cookie: bool = False,
        record_size_limit: Optional[int] = None,
        external_verification: bool = False,
        trace: bool = False,
        verify_cache: Optional[int] = None,
        rng_seed: Optional[int] = None,
        fixed_time: Optional[float] = None,
    ) -> None:
        if certificate_chain is None and private_key is None:
            raise ConfigError(
                capi.ERR_NO_CERT,
                "a ServerConfig needs an identity: pass certificate_chain and private_key",
            )
        super().__init__(
            minimum_version=minimum_version,
            maximum_version=maximum_version,
            alpn_protocols=alpn_protocols,
            cipher_suites=cipher_suites,
            groups=groups,
            signature_algorithms=signature_algorithms,
            record_size_limit=record_size_limit,
            trace=trace,
            rng_seed=rng_seed,
            fixed_time=fixed_time,
            verify_cache=verify_cache,
        )
        self._identity_arguments(certificate_chain, private_key)
        if isinstance(client_auth, bool) or not isinstance(client_auth, int):
            raise TypeError(f"client_auth: expected ssl.CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED, not {client_auth!r}")
        mode = {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 2}[ssl.VerifyMode(client_auth)]
        if mode:
            self._check(capi.config_set_client_auth(self._cfg, mode))
        if client_trust is not None:
            for source in _sources(client_trust):
                self.add_trust(source)  # type: ignore[arg-type]
        if tickets is not None:
            self._check(capi.config_set_tickets(self._cfg, _int(tickets, "tickets")))
        if ticket_key is not None:
            if not isinstance(ticket_key, (bytes, bytearray, memoryview)):
                raise TypeError(f"ticket_key: expected 32 bytes, not {type(ticket_key).__name__}")
            self._check(capi.config_set_ticket_key(self._cfg, bytes(ticket_key)))
        if ticket_lifetime is not None:
            self._check(capi.config_set_ticket_lifetime(self._cfg, _int(ticket_lifetime, "ticket_lifetime")))
        if session_cache is not None:
            self._check(capi.config_set_session_cache(self._cfg, _int(session_cache, "session_cache")))
        if not require_ems:
            self._check(capi.config_set_require_ems(self._cfg, 0))
        if require_cookie:
            self._check(capi.config_set_require_cookie(self._cfg, 1))
        if external_verification:
            self._check(capi.config_set_verify_external(self._cfg, 1))

    def rotate_ticket_key(self, key: bytes) -> None:
        """Replaces the ticket key of a config in use (thread-safe); tickets sealed with
        the previous key stay valid until the next rotation."""
        key = bytes(key)
        if self._frozen:  # thread-safe in C on a config in use
            self._check(capi.config_rotate_ticket_key(self._cfg, key))
        else:
            with self._lock:
                self._check(capi.config_rotate_ticket_key(self._cfg, key))
