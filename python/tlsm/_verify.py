"""Certificate chain verification without a handshake (``tlsm_verify_chain``): the same
parser and path builder that checks a peer's certificates during a handshake, so a chain
that :func:`verify_chain` accepts is one a handshake accepts, for the same name, purpose
and time."""

from __future__ import annotations

import base64
import binascii
import datetime
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

from . import capi
from ._config import ClientConfig, PEMSource, _Config
from ._errors import CertificateVerificationError, TLSError, error_for, strerror

__all__ = ["verify_chain", "VerifyResult"]

_PURPOSES: Dict[str, int] = {"server": capi.PURPOSE_SERVER, "client": capi.PURPOSE_CLIENT}
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)

Certificates = Union[PEMSource, Sequence[Union[bytes, bytearray, memoryview]]]
Trust = Union[_Config, PEMSource, Sequence[PEMSource], None]


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify_chain` found (``tlsm_verify_result``).

    Attributes:
        ok: the verdict: a path to a trust anchor was built and every check passed.
        error: 0, or the ``TLSM_ERR_*`` code of the failure (``capi.ERR_CERT_EXPIRED``...).
        error_name: ``tlsm_strerror(error)``, e.g. ``"certificate: expired"``; None when ok.
        fault: index in the input (PEM: CERTIFICATE block) of the certificate at fault,
            or None (success, no single culprit, or a trust anchor is at fault).
        fault_anchor: index of the trust anchor at fault (as in the trust config), or None.
        chain: on success the built chain as DER, leaf first, trust anchor last; else ().
        path: for each element of ``chain``: (index in the input or None, index of the
            trust anchor or None). A pinned leaf that is itself an anchor has both.
        time: the validation time used (unix seconds), the clock's when none was given.
    """

    ok: bool
    error: int
    error_name: Optional[str]
    fault: Optional[int]
    fault_anchor: Optional[int]
    chain: Tuple[bytes, ...] = field(repr=False)
    path: Tuple[Tuple[Optional[int], Optional[int]], ...]
    time: int

    def __bool__(self) -> bool:
        return self.ok

    @property
    def exception(self) -> Optional[TLSError]:
        """The failure as an exception (a :class:`~tlsm.CertificateVerificationError` for
        certificate problems, an ``ssl.SSLCertVerificationError``), or None."""
        if self.ok:
            return None
        if self.error <= capi.ERR_CERT_PARSE:
            return CertificateVerificationError(self.error, self.error)
        return error_for(self.error)

    def raise_for_error(self) -> None:
        """Raises :attr:`exception` unless the chain verified."""
        exc = self.exception
        if exc is not None:
            raise exc


def _pem_blocks(pem: bytes) -> List[bytes]:
    """DER of every CERTIFICATE block, in order (the indices tlsm_verify_chain_pem uses)."""
    out = []
    for m in _PEM_CERT.finditer(pem):
        body = b"".join(m.group(1).split())
        out.append(base64.b64decode(body, validate=True))
    return out


def _input(certificates: Certificates) -> Tuple[Optional[List[bytes]], Optional[bytes]]:
    """(DER list, None) or (None, PEM bytes)."""
    if isinstance(certificates, (list, tuple)):
        return [bytes(c) for c in certificates], None
    if isinstance(certificates, (bytes, bytearray, memoryview)):
        data = bytes(certificates)
    elif isinstance(certificates, str) and "-----BEGIN" in certificates:
        data = certificates.encode("ascii")
    elif isinstance(certificates, (str, os.PathLike)):
        with open(os.fspath(certificates), "rb") as f:
            data = f.read()
    else:
        raise TypeError("certificates: a list of DER bytes, PEM bytes/text, or a file path")
    if b"-----BEGIN" in data:
        return None, data
    return [data], None  # one DER certificate


def _trust_config(trust: Trust) -> _Config:
    if isinstance(trust, _Config):
        return trust
    # PEM anchors (or the system store for None) in a throwaway config.
    return ClientConfig(trust)  # type: ignore[arg-type]


def _unix_time(time: Union[float, int, datetime.datetime, None]) -> Tuple[int, int]:
    """(use_now, seconds)."""
    if time is None:
        return 1, 0
    if isinstance(time, datetime.datetime):
        if time.tzinfo is None:
            raise ValueError("time: use an aware datetime (e.g. tzinfo=datetime.timezone.utc)")
        return 0, int(time.timestamp())
    return 0, int(time)


def verify_chain(
    certificates: Certificates,
    trust: Trust = None,
    *,
    hostname: Optional[str] = None,
    purpose: str = "server",
    time: Union[float, int, datetime.datetime, None] = None,
    max_depth: int = 0,
) -> VerifyResult:
    """Verifies a certificate chain as a tlsm handshake would, without a handshake.

    Args:
        certificates: the end-entity certificate first, then untrusted intermediates in
            any order: a list of DER ``bytes``, one DER certificate, PEM bytes/text, or a
            path to a PEM (or single DER) file.
        trust: the trust anchors: a :class:`~tlsm.ClientConfig` / :class:`~tlsm.ServerConfig`
            (its anchors, and its clock for ``time=None``; the config is frozen from then
            on, as by a connection, so it can be shared with threads that verify), PEM
            (bytes/text, a path or a list of them), or None for the system trust store.
        hostname: DNS name or IP address the leaf must carry in its subjectAltName (RFC
            6125, as a client checks its server); None checks no name.
        purpose: ``"server"`` (serverAuth, what a client asks of its server) or
            ``"client"`` (clientAuth, what a server asks of client certificates).
        time: the validation time: unix seconds or an aware ``datetime``; None uses the
            trust config's clock (``fixed_time``) if it has one, else the system clock.
        max_depth: most certificates on the path, leaf and anchor included (0: the
            handshake's default, 10).

    Returns a :class:`VerifyResult` (falsy when the chain does not verify). Raises
    :class:`ValueError` for invalid arguments (unknown purpose, empty host name, more
    than 4096 certificates) and :class:`MemoryError`.
    """
    if purpose not in _PURPOSES:
        raise ValueError("purpose must be 'server' or 'client'")
    if hostname is not None:
        hostname = hostname.rstrip(".")
        if hostname.startswith("[") and hostname.endswith("]"):
            hostname = hostname[1:-1]
    if max_depth < 0:
        raise ValueError("max_depth must be >= 0")
    ders, pem = _input(certificates)
    cfg = _trust_config(trust)
    use_now, seconds = _unix_time(time)
    args = (hostname, _PURPOSES[purpose], use_now, seconds, int(max_depth))
    if pem is not None:
        rc, fault, fault_anchor, used_time, path = cfg._use(capi.verify_chain_pem, pem, *args)
    else:
        assert ders is not None
        rc, fault, fault_anchor, used_time, path = cfg._use(capi.verify_chain, ders, *args)
    if rc == capi.ERR_ARG:
        raise ValueError(f"verify_chain: {strerror(rc)} (empty certificate or host name, too many certificates)")
    if rc == capi.ERR_NOMEM:
        raise MemoryError("verify_chain")

    chain: Tuple[bytes, ...] = ()
    if rc == 0:
        inputs = ders if ders is not None else _pem_der_or_fail(pem)
        parts = []
        for index, anchor in path:
            if index >= 0:
                parts.append(inputs[index])
            else:
                der = capi.config_trust_cert(cfg._cfg, anchor)
                if der is None:
                    raise RuntimeError(f"trust anchor {anchor} of the built path is missing")
                parts.append(der)
        chain = tuple(parts)
    return VerifyResult(
        ok=rc == 0,
        error=rc,
        error_name=strerror(rc) if rc else None,
        fault=fault if fault >= 0 else None,
        fault_anchor=fault_anchor if fault_anchor >= 0 else None,
        chain=chain,
        path=tuple((i if i >= 0 else None, a if a >= 0 else None) for i, a in path),
        time=used_time,
    )


def _pem_der_or_fail(pem: Optional[bytes]) -> List[bytes]:
    assert pem is not None
    try:
        return _pem_blocks(pem)
    except (binascii.Error, ValueError) as exc:  # the library read them: should not happen
        raise RuntimeError(f"PEM blocks the library accepted do not decode: {exc}") from exc
