"""flags.py - the flags of `tlsm server` and `tlsm client` that conformance tools drive
them with, each shown by its effect on a real peer (openssl s_client / s_server, curl) on
127.0.0.1:
  --suite / --group  lists (commas and repeated options) in which the peer has only the
                     last name; `all` (RSA key transport included, every group) against
                     peers that only have what the defaults leave out; TLS 1.2 group order
  --ems              a client (and a server) without Extended Master Secret is refused by
                     default and with `required`, accepted with `optional`
  --tickets N        N NewSessionTicket messages, counted with s_client -msg
  --http             an HTTP/1.0 200 page for openssl s_client and curl
and that `all` names every suite and group of core/include/tlsm.h.
"""
import os
import random
import re
import shutil
import subprocess
import tempfile

from peers import (ROOT, SECONDS, fail, last_line, ok, openssl_server, pki, skip, talk,
                   tlsm_server)

# OpenSSL 3.0 has no s_client flag to leave out Extended Master Secret: its configuration
# file does it (SSL_CONF "Options = -ExtendedMasterSecret").
NO_EMS_CONF = """openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_module
[ssl_module]
system_default = tls_defaults
[tls_defaults]
Options = -ExtendedMasterSecret
"""


class Outcome:
    def __init__(self, replied, peer_rc, peer_text, tlsm_rc, tlsm_text):
        self.replied, self.peer_rc, self.peer_text = replied, peer_rc, peer_text
        self.tlsm_rc, self.tlsm_text = tlsm_rc, tlsm_text


def message():
    return f"tlsm-cli-{random.randrange(1 << 30)}\n".encode()


def s_client(port, *args):
    return ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", pki("ca.crt"),
            "-verify_return_error", "-servername", "localhost", "-brief", *args]


def tlsm_serves(tlsm, key, server_args, client_args, env=None):
    """`tlsm server --once SERVER_ARGS`, and s_client CLIENT_ARGS sends it one line."""
    with tlsm_server(tlsm, key, "--once", *server_args) as srv:
        rc, out, err, replied = talk(s_client(srv.port, *client_args), message(), env=env)
        src = srv.wait(SECONDS if replied else 2)
        return Outcome(replied, rc, out + err, src, srv.stderr())


def tlsm_connects(tlsm, key, server_args, client_args, env=None):
    """`openssl s_server -rev SERVER_ARGS`, and `tlsm client CLIENT_ARGS` sends it a line
    (which comes back reversed)."""
    with openssl_server(key, *server_args, env=env) as srv:
        msg = message()
        rc, out, err, replied = talk(
            [tlsm, "client", f"127.0.0.1:{srv.port}", "--ca", pki("ca.crt"),
             "--servername", "localhost", *client_args],
            msg, reply=msg[:-1][::-1] + b"\n")
        srv.wait(SECONDS if replied else 1)
        return Outcome(replied, srv.proc.returncode, srv.stdout() + srv.stderr(), rc, err)


def expect_served(name, o, *lines):
    """The line came back, both ended cleanly, and the s_client output has each regex."""
    missing = [r for r in lines if not re.search(r, o.peer_text, re.M)]
    if not o.replied:
        fail(name, f"no echo (s_client: {last_line(o.peer_text)}; tlsm: {last_line(o.tlsm_text)})")
    elif o.tlsm_rc != 0:
        fail(name, f"tlsm server exit {o.tlsm_rc}: {last_line(o.tlsm_text)}")
    elif missing:
        fail(name, f"s_client output lacks /{missing[0]}/")
    else:
        ok(name)


def expect_connected(name, o, summary):
    """tlsm client got its line back, exited 0, and its summary has `summary`."""
    if not o.replied or o.tlsm_rc != 0:
        fail(name, f"tlsm client exit {o.tlsm_rc}: {last_line(o.tlsm_text)}")
    elif summary not in o.tlsm_text:
        fail(name, f"summary lacks '{summary}': {last_line(o.tlsm_text)}")
    else:
        ok(name)


def expect_refused(name, o, who):
    """No data went through and tlsm (`who`: server or client) reports a failed handshake."""
    if o.replied:
        fail(name, "the handshake should have failed, and data went through")
    elif o.tlsm_rc != 1 or not re.search(r"handshake.* failed", o.tlsm_text):
        fail(name, f"tlsm {who} exit {o.tlsm_rc}, expected 1 and 'handshake failed': "
                   f"{last_line(o.tlsm_text)}")
    else:
        ok(name)


def case_suite_lists(tlsm):
    # A comma list, then the option again: the peer has only the last name of the list, or
    # only the name the option added.
    both = ["--suite", "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
            "--suite", "TLS_AES_128_GCM_SHA256"]
    for suite in ("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"):
        expect_served(f"server-suite-list-peer-has-only-{suite}",
                      tlsm_serves(tlsm, "p256", both, ["-tls1_3", "-ciphersuites", suite]),
                      rf"^Ciphersuite: {suite}$")
    expect_refused("server-suite-list-without-the-peers",
                   tlsm_serves(tlsm, "p256", both[:2],
                               ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]),
                   "server")
    expect_served("server-suite-list-peer-has-only-the-last-tls12",
                  tlsm_serves(tlsm, "p256", [
                      "--tls12", "--suite", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
                      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                      "--suite", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"],
                      ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]),
                  r"^Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256$")
    expect_connected("client-suite-list-peer-has-only-the-last",
                     tlsm_connects(tlsm, "p256", ["-tls1_3", "-ciphersuites",
                                                  "TLS_CHACHA20_POLY1305_SHA256"],
                                   ["--suite", "TLS_AES_128_GCM_SHA256,"
                                    "TLS_CHACHA20_POLY1305_SHA256",
                                    "--suite", "TLS_AES_256_GCM_SHA384"]),
                     "TLS 1.3, TLS_CHACHA20_POLY1305_SHA256,")


def case_suite_all(tlsm):
    rsa_kx = ["-tls1_2", "-cipher", "AES256-GCM-SHA384"]
    expect_served("server-suite-all-rsa-key-transport",
                  tlsm_serves(tlsm, "rsa", ["--suite", "all"], rsa_kx),
                  r"^Protocol version: TLSv1\.2$", r"^Ciphersuite: AES256-GCM-SHA384$")
    expect_refused("server-default-suites-no-rsa-key-transport",
                   tlsm_serves(tlsm, "rsa", [], rsa_kx), "server")
    expect_served("server-suite-all-tls13",
                  tlsm_serves(tlsm, "rsa", ["--suite", "all"],
                              ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"]),
                  r"^Ciphersuite: TLS_CHACHA20_POLY1305_SHA256$")
    rsa_kx_server = ["-tls1_2", "-cipher", "AES128-GCM-SHA256"]
    expect_connected("client-suite-all-rsa-key-transport",
                     tlsm_connects(tlsm, "rsa", rsa_kx_server, ["--suite", "all"]),
                     "TLS 1.2, TLS_RSA_WITH_AES_128_GCM_SHA256,")
    expect_refused("client-default-suites-no-rsa-key-transport",
                   tlsm_connects(tlsm, "rsa", rsa_kx_server, []), "client")


def case_groups(tlsm):
    # TLS 1.2: the server picks by its own order among the client's groups.
    expect_served("server-group-list-order-tls12",
                  tlsm_serves(tlsm, "rsa", ["--group", "P-384", "--group", "all"],
                              ["-tls1_2", "-groups", "X25519:P-384"]),
                  r"^Server Temp Key: ECDH, secp384r1")
    ffdhe = ["-tls1_3", "-groups", "ffdhe3072"]
    expect_served("server-group-all",
                  tlsm_serves(tlsm, "p256", ["--group", "P-256,all"], ffdhe),
                  r"^Server Temp Key: DH, 3072 bits")
    expect_refused("server-group-list-without-the-peers",
                   tlsm_serves(tlsm, "p256", ["--group", "P-256"], ffdhe), "server")
    expect_connected("client-group-all",
                     tlsm_connects(tlsm, "p256", ffdhe, ["--group", "P-256", "--group", "all"]),
                     "TLS 1.3, TLS_AES_128_GCM_SHA256, ffdhe3072,")
    expect_refused("client-group-list-without-the-peers",
                   tlsm_connects(tlsm, "p256", ffdhe, ["--group", "P-256"]), "client")


def case_ems(tlsm):
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "no-ems.cnf")
        with open(conf, "w") as f:
            f.write(NO_EMS_CONF)
        env = {"OPENSSL_CONF": conf}
        tls12 = ["-tls1_2"]
        expect_refused("server-ems-default-refuses-client-without",
                       tlsm_serves(tlsm, "rsa", ["--tls12"], tls12, env=env), "server")
        expect_refused("server-ems-required-refuses-client-without",
                       tlsm_serves(tlsm, "rsa", ["--tls12", "--ems", "required"], tls12,
                                   env=env), "server")
        expect_served("server-ems-optional-accepts-client-without",
                      tlsm_serves(tlsm, "rsa", ["--tls12", "--ems", "optional"], tls12,
                                  env=env), r"^Protocol version: TLSv1\.2$")
        expect_served("server-ems-optional-still-serves-client-with",
                      tlsm_serves(tlsm, "rsa", ["--ems", "optional"], tls12),
                      r"^Protocol version: TLSv1\.2$")
        expect_refused("client-ems-default-refuses-server-without",
                       tlsm_connects(tlsm, "rsa", tls12, ["--tls12"], env=env), "client")
        expect_connected("client-ems-optional-accepts-server-without",
                         tlsm_connects(tlsm, "rsa", tls12, ["--tls12", "--ems", "optional"],
                                       env=env), "TLS 1.2,")


def case_tickets(tlsm):
    for args, want in (([], 1), (["--tickets", "0"], 0), (["--tickets", "3"], 3),
                       (["--no-tickets"], 0)):
        name = "server-tickets-" + ("default" if not args else "-".join(a.strip("-")
                                                                      for a in args))
        o = tlsm_serves(tlsm, "p256", args, ["-tls1_3", "-msg"])
        got = len(re.findall(r"<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], NewSessionTicket",
                             o.peer_text))
        if not o.replied or o.tlsm_rc != 0:
            fail(name, f"no echo: {last_line(o.tlsm_text)}")
        elif got != want:
            fail(name, f"{got} NewSessionTicket messages, expected {want}")
        else:
            ok(name, f"{got} tickets")
    r = subprocess.run([tlsm, "server", "--cert", pki("server-p256.chain.pem"), "--key",
                        pki("server-p256.key"), "--port", "0", "--tickets", "1001"],
                       capture_output=True, timeout=SECONDS)
    if r.returncode == 2 and b"--tickets" in r.stderr:
        ok("server-tickets-usage")
    else:
        fail("server-tickets-usage", f"--tickets 1001: exit {r.returncode}, expected 2")


def check_http_answer(name, text, srv, nth):
    """`text` is the answer to the server's `nth` request."""
    if not re.search(r"^HTTP/1\.0 200 OK\r?$", text, re.M):
        fail(name, f"no 'HTTP/1.0 200 OK' status line: {text[:200]!r}")
    elif not re.search(r"^session: TLS 1\.[23], TLS_", text, re.M):
        fail(name, f"the page does not describe the session: {text[-200:]!r}")
    elif srv.wait_count("answered the request: HTTP/1.0 200", nth) < nth:
        fail(name, f"the server did not log its answer: {last_line(srv.stderr())}")
    else:
        ok(name)


def case_http(tlsm):
    with tlsm_server(tlsm, "p256", "--http") as srv:
        r = subprocess.run(s_client(srv.port, "-quiet", "-ign_eof"),
                           input=b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n",
                           capture_output=True, timeout=SECONDS)
        check_http_answer("server-http-s_client", r.stdout.decode(errors="replace"), srv, 1)
        if shutil.which("curl"):
            r = subprocess.run(["curl", "-sS", "-i", "--max-time", str(SECONDS), "--cacert",
                                pki("ca.crt"), "--resolve", f"localhost:{srv.port}:127.0.0.1",
                                f"https://localhost:{srv.port}/"],
                               capture_output=True, timeout=SECONDS + 2)
            if r.returncode != 0:
                fail("server-http-curl", f"curl exit {r.returncode}: {r.stderr.decode()[-200:]}")
            else:
                check_http_answer("server-http-curl", r.stdout.decode(errors="replace"), srv, 2)
        else:
            skip("server-http-curl", "curl is not installed")
    # A request whose header never ends gets no answer; the client's close_notify ends it.
    with tlsm_server(tlsm, "p256", "--http", "--once") as one:
        r = subprocess.run(s_client(one.port), input=b"GET / HTTP/1.0\r\n",
                           capture_output=True, timeout=SECONDS)
        status = one.wait(SECONDS)
        if r.stdout or status != 0 or "closed cleanly (no request)" not in one.stderr():
            fail("server-http-unfinished-request", f"answer {r.stdout[:100]!r}, server exit "
                 f"{status}: {last_line(one.stderr())}")
        else:
            ok("server-http-unfinished-request")


def case_names_cover_header(tlsm):
    """`all` means every suite and group the library has: tlsm.h's codes are all listed."""
    with open(os.path.join(ROOT, "core", "include", "tlsm.h")) as f:
        header = f.read()
    names = re.findall(r"^#define TLSM_(TLS_[A-Z0-9_]+)\s+0x", header, re.M)
    # The RFC 3526 MODP values are only reported, never configured (tlsm.h): not in `all`.
    names += [g.lower() for g in re.findall(r"^#define TLSM_GROUP_([A-Z0-9_]+)\s", header, re.M)
              if not g.startswith("MODP")]
    shown = subprocess.run([tlsm, "server", "--help"], capture_output=True,
                           timeout=SECONDS).stdout.decode().lower()
    missing = [n for n in names if not re.search(rf"^\s+{re.escape(n.lower())}\b", shown, re.M)]
    if not names:
        fail("names-cover-tlsm.h", "no TLSM_TLS_* / TLSM_GROUP_* codes found in tlsm.h")
    elif missing:
        fail("names-cover-tlsm.h", f"not listed by 'tlsm server --help' (so not in 'all'): "
                                   f"{', '.join(missing)}")
    else:
        ok("names-cover-tlsm.h", f"{len(names)} suites and groups")


CASES = (case_suite_lists, case_suite_all, case_groups, case_ems, case_tickets, case_http,
         case_names_cover_header)


def available():
    """Why these cases cannot run here, or None."""
    return None if shutil.which("openssl") else "openssl is not installed"
