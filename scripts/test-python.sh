#!/usr/bin/env bash
# Builds and tests the Python package (python/README.md), as scripts/test.sh calls it:
#  1. a virtual environment in build-python/venv (nothing is installed system-wide);
#  2. `pip install .` from the repository root (scikit-build-core + CMake + SWIG from PyPI
#     compile the extension with the core), plus pytest;
#  3. pytest over python/tests (in-memory, ssl interop, sockets, asyncio, leaks, misuse at
#     the boundary), then again against the extension built with ASan + UBSan;
#  4. the sdist: `python -m build --sdist`, installed into a second fresh environment,
#     which must import and complete a handshake against Python's ssl module.
# The last line is "N passed, N failed, N skipped"; the exit status is non-zero on any
# failure (and pytest collecting no test counts as one).
#
# Environment: PYTHON (default python3), TLSM_SKIP_SDIST=1 skips step 4, TLSM_SKIP_ASAN=1
#              the ASan run of step 3,
#              TLSM_LEAK_HANDSHAKES (see python/tests/test_leaks.py).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build-python
mkdir -p "$out"
py=${PYTHON:-python3}
started=$(date +%s)

finish() { # passed failed skipped
    echo "python: $(( $(date +%s) - started ))s"
    echo "$1 passed, $2 failed, $3 skipped"
    [ "$2" -eq 0 ]
    exit
}

# Debian's python3 needs python3-venv (ensurepip) and python3-dev (Python.h) for this;
# install them when that interpreter is the one in use and they are missing.
if ! "$py" -c 'import ensurepip, sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
    if command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        echo "installing python3-venv, python3-dev for Python $ver"
        $sudo apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-venv python3-dev "python$ver-venv" "python$ver-dev" >/dev/null
    fi
fi

venv=$out/venv
if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    if ! "$py" -m venv "$venv"; then
        echo "cannot create a virtual environment with $py"
        finish 0 1 0
    fi
fi
vpy=$venv/bin/python

echo "== pip install . (scikit-build-core, CMake, SWIG)"
# A persistent CMake build directory makes repeated runs incremental.
if ! "$vpy" -m pip install -q --upgrade pip >"$out/pip.log" 2>&1 ||
    ! "$vpy" -m pip install -q pytest build >>"$out/pip.log" 2>&1 ||
    ! "$vpy" -m pip install --force-reinstall --no-deps \
        --config-settings=build-dir="$out/cmake" . >>"$out/pip.log" 2>&1; then
    tail -40 "$out/pip.log"
    finish 0 1 0
fi

# pytest over python/tests with interpreter $1 (label $2, extra pytest arguments after);
# adds its counts to p, f, s.
p=0 f=0 s=0
run_pytest() { # python, label, pytest args...
    local py=$1 label=$2 junit="$out/junit-$2.xml" rc tp tf ts
    shift 2
    rm -f "$junit"
    "$py" -m pytest python/tests -q -rfEs -p no:cacheprovider --junitxml="$junit" "$@" 2>&1 | tail -40
    rc=${PIPESTATUS[0]}
    read -r tp tf ts < <("$vpy" - "$junit" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 0, 0)
    sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(x.get("tests", 0)) for x in suites)
f = sum(int(x.get("failures", 0)) + int(x.get("errors", 0)) for x in suites)
s = sum(int(x.get("skipped", 0)) for x in suites)
print(t - f - s, f, s)
EOF
)
    : "${tp:=0}" "${tf:=0}" "${ts:=0}"
    # pytest: 0 all passed, 1 some failed, 5 nothing collected, other = internal/usage error
    # (a crash under ASan ends the run with the sanitizer's report and no junit file).
    if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then tf=1; fi
    if [ $((tp + tf + ts)) -eq 0 ]; then tf=1; fi
    echo "  pytest ($label): $tp passed, $tf failed, $ts skipped"
    p=$((p + tp)) f=$((f + tf)) s=$((s + ts))
}

echo "== pytest"
run_pytest "$vpy" plain

# The same tests against the extension built with AddressSanitizer + UBSan: a use after
# free or an overflow at the boundary aborts the run with the sanitizer's report. CPython
# is not instrumented, so the ASan runtime is preloaded (it must come first) and Python
# allocates with malloc so that ASan sees its buffers too. Leak detection is off (the
# interpreter keeps memory to the end by design) and so is the RSS-based leak test;
# --capture=sys leaves file descriptor 2 alone, so a sanitizer report reaches the log.
if [ "${TLSM_SKIP_ASAN:-0}" != 1 ]; then
    echo "== pytest against an ASan + UBSan build of the extension"
    avenv=$out/asan-venv
    [ -x "$avenv/bin/python" ] || "$py" -m venv "$avenv"
    asan_rt=$(gcc -print-file-name=libasan.so)
    if [ ! -e "$asan_rt" ]; then
        echo "no ASan runtime for gcc ($asan_rt)"
        f=$((f + 1))
    elif ! "$avenv/bin/python" -m pip install -q --upgrade pip pytest >"$out/asan-pip.log" 2>&1 ||
        ! CC=gcc "$avenv/bin/python" -m pip install --force-reinstall --no-deps \
            --config-settings=build-dir="$out/cmake-asan" \
            --config-settings=cmake.define.TLSM_SANITIZE=ON \
            --config-settings=cmake.build-type=Debug . >>"$out/asan-pip.log" 2>&1; then
        tail -40 "$out/asan-pip.log"
        f=$((f + 1))
    else
        LD_PRELOAD=$asan_rt PYTHONMALLOC=malloc \
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_pytest "$avenv/bin/python" asan --capture=sys --ignore=python/tests/test_leaks.py
    fi
fi

if [ "${TLSM_SKIP_SDIST:-0}" != 1 ]; then
    echo "== sdist: build, install into a fresh environment, handshake against ssl"
    rm -rf "$out/dist" "$out/sdist-venv"
    if "$vpy" -m build --sdist --outdir "$out/dist" . >"$out/sdist.log" 2>&1 &&
        "$py" -m venv "$out/sdist-venv" >>"$out/sdist.log" 2>&1 &&
        "$out/sdist-venv/bin/python" -m pip install -q "$out"/dist/tlsm-*.tar.gz >>"$out/sdist.log" 2>&1 &&
        (cd "$out" && sdist-venv/bin/python - "$root/tests/data/pki" >>sdist.log 2>&1 <<'EOF'
import ssl, sys, tlsm
pki = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{pki}/server-p256.chain.pem", f"{pki}/server-p256.key")
inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, outg, server_side=True)
conn = tlsm.Connection(tlsm.ClientConfig(f"{pki}/ca.crt"), "localhost")
for _ in range(10):
    inc.write(conn.data_to_send())
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    reply = outg.read()
    if reply:
        conn.receive_data(reply)
assert conn.handshake_complete, "no handshake"
assert "tlsm/python" not in tlsm.__file__
print("sdist ok:", tlsm.__file__, conn.version, conn.cipher)
EOF
        ); then
        echo "sdist: ok ($(ls "$out"/dist))"
        p=$((p + 1))
    else
        tail -30 "$out/sdist.log"
        f=$((f + 1))
    fi
fi

finish "$p" "$f" "$s"
