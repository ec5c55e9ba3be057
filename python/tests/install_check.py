"""Checks an installed tlsm from outside the repository (scripts/test-python.sh runs it
in fresh virtual environments: the repaired wheel, the sdist). Not a pytest module.

    python install_check.py [--bundled]

Imports tlsm (which must not come from the repository), runs a tlsm client against
Python's ssl module and a tlsm client against a tlsm server in memory, on the test PKI
installed with the package, and lists the crypto libraries the process mapped. With
--bundled, every one of libsodium, libnettle, libhogweed and libgmp must be the copy
auditwheel put in the wheel (``tlsm.libs/``), and all four must be loaded.
"""

from __future__ import annotations

import re
import ssl
import sys

import tlsm
from tlsm.testing import TEST_HOST, Pair, find_test_pki

CRYPTO = ("sodium", "nettle", "hogweed", "gmp")


def handshake_with_ssl() -> str:
    pki = find_test_pki()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server-p256.chain.pem", pki / "server-p256.key")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    server = ctx.wrap_bio(incoming, outgoing, server_side=True)
    client = tlsm.Connection(tlsm.ClientConfig(pki / "ca.crt"), TEST_HOST)
    for _ in range(10):
        incoming.write(client.data_to_send())
        try:
            server.do_handshake()
        except ssl.SSLWantReadError:
            pass
        reply = outgoing.read()
        if reply:
            client.receive_data(reply)
    assert client.handshake_complete, "no handshake with ssl"
    return f"{client.version.name} {client.cipher}"


def loaded_crypto_libraries() -> list:
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    return sorted(p for p in paths if re.search(r"/lib(%s)[-.]" % "|".join(CRYPTO), p))


def main() -> int:
    bundled = "--bundled" in sys.argv[1:]
    assert "tlsm/python" not in tlsm.__file__.replace("\\", "/"), f"imported from the repository: {tlsm.__file__}"
    print("tlsm from", tlsm.__file__)
    print("handshake with ssl:", handshake_with_ssl())
    with Pair() as pair:
        pair.run(check=True)
        pair.write("client", b"ping")
        assert pair.read("server") == b"ping"
        report = pair.client_report
    print("pair on the installed PKI:", report.version.name if report.version else None, report.suite)
    libs = loaded_crypto_libraries()
    for lib in libs:
        print("loaded:", lib)
    if bundled:
        missing = [name for name in CRYPTO if not any(f"/lib{name}" in p for p in libs)]
        foreign = [p for p in libs if "/tlsm.libs/" not in p]
        assert not missing, f"not loaded at all: {missing}"
        assert not foreign, f"loaded from outside the wheel: {foreign}"
        print("only the wheel's copies of", ", ".join(CRYPTO), "are loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
