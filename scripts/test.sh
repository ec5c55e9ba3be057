#!/usr/bin/env bash
# The second README command (and what CI runs through .ci/run): installs dependencies,
# builds tlsm twice (plain and ASan+UBSan), runs every Criterion suite in both builds, the
# interop tests against the openssl and gnutls command-line tools on 127.0.0.1, the tests of
# the tlsm command's flags and of its server under load (both builds), a short fuzzing
# pass, BoringSSL's conformance runner (tests/bogo/run.sh), and the language bindings'
# suites that exist. Ends with one line:
# "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
#
# Environment: TLSM_FUZZ_SECONDS (per fuzz target, default 30; 0 skips fuzzing),
#              TLSM_SKIP_ASAN=1 to skip the sanitizer build (local iteration only).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

passed=0 failed=0 skipped=0
failures=()

add() { # suite passed failed skipped
    passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
    printf '  %-40s %4d passed, %d failed, %d skipped\n' "$1" "$2" "$3" "$4"
    [ "$3" -eq 0 ] || failures+=("$1")
}

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
if ! scripts/install-deps.sh; then
    echo "dependency installation failed"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

# Every C copy of the test PKI (cli/demo_pki_data.c, tests/fuzz/fuzz_pki_pem.h) must be
# what scripts/embed-test-pki.sh makes from tests/data/pki now.
step "embedded test PKI"
if scripts/embed-test-pki.sh --check; then
    add "embedded test PKI is current" 1 0 0
else
    add "embedded test PKI is current" 0 1 0
fi

# The PKI corpus (made with the openssl CLI) is generated once and shared by every suite
# that reads it (the PKI tests in both builds and tlsm verify).
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
if tests/pki/gen-cases.sh "$corpus" >/dev/null 2>&1; then
    export TLSM_PKI_CORPUS="$corpus"
else
    echo "PKI corpus generation failed here; each suite will try itself"
fi

build() { # dir, extra cmake args...
    local dir=$1; shift
    mkdir -p "$dir"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >"$dir/cmake.log" 2>&1 &&
        cmake --build "$dir" -j"$(nproc)" >"$dir/build.log" 2>&1
}

# Runs each Criterion binary of a build and adds up its synthesis line.
run_criterion() { # build dir, label
    local dir=$1 label=$2 t out rc tested pass fail crash skip
    for t in "$dir"/test_*; do
        [ -x "$t" ] || continue
        out=$("$t" --jobs 2 2>&1); rc=$?
        tested=$(printf '%s\n' "$out" | sed -n 's/.*Tested: \([0-9]*\).*/\1/p' | tail -1)
        pass=$(printf '%s\n' "$out" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p' | tail -1)
        fail=$(printf '%s\n' "$out" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p' | tail -1)
        crash=$(printf '%s\n' "$out" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' | tail -1)
        skip=$(printf '%s\n' "$out" | grep -c '^\[SKIP\]')
        : "${tested:=0}" "${pass:=0}" "${fail:=0}" "${crash:=0}"
        fail=$((fail + crash))
        if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
        if [ "$fail" -ne 0 ]; then
            printf '%s\n' "$out" | grep -v '^\[----\]   *$' | tail -40
        fi
        add "$label $(basename "$t")" "$pass" "$fail" "$skip"
    done
}

step "build (Debug)"
if build build-test; then
    step "C tests"
    run_criterion build-test "C"
else
    tail -30 build-test/build.log build-test/cmake.log 2>/dev/null
    add "C build" 0 1 0
fi

step "examples and installation"
pki=tests/data/pki
if build-test/example_memory_pair $pki/server-ed25519.chain.pem $pki/server-ed25519.key $pki/ca.crt; then
    add "example memory_pair" 1 0 0
else
    add "example memory_pair" 0 1 0
fi
# cmake --install into a scratch prefix, then build the example against it with pkg-config,
# as a binding or an application would.
prefix=$(mktemp -d)
if cmake --install build-test --prefix "$prefix" >/dev/null &&
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig" \
        sh -c 'cc -Wall -Wextra -Werror examples/memory_pair.c -o "$0/ex_shared" $(pkg-config --cflags --libs tlsm) &&
               cc -Wall -Wextra -Werror examples/memory_pair.c -o "$0/ex_static" $(pkg-config --cflags tlsm) \
                  "$(pkg-config --variable=libdir tlsm)/libtlsm.a" $(pkg-config --libs-only-l --static tlsm | sed "s/-ltlsm//")' "$prefix" &&
    LD_LIBRARY_PATH="$prefix/lib:$prefix/lib/x86_64-linux-gnu" "$prefix/ex_shared" $pki/server-p256.chain.pem $pki/server-p256.key $pki/ca.crt &&
    "$prefix/ex_static" $pki/server-rsa.chain.pem $pki/server-rsa.key $pki/ca.crt; then
    add "install + pkg-config (shared, static)" 1 0 0
else
    add "install + pkg-config (shared, static)" 0 1 0
fi
rm -rf "$prefix"

if [ "${TLSM_SKIP_ASAN:-0}" != 1 ]; then
    step "build (ASan + UBSan)"
    if build build-asan -DTLSM_SANITIZE=ON -DTLSM_CLI=ON; then
        step "C tests under ASan + UBSan"
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_criterion build-asan "asan"
    else
        tail -30 build-asan/build.log 2>/dev/null
        add "asan build" 0 1 0
    fi
fi

step "interop (openssl, gnutls on 127.0.0.1)"
if [ -x build-test/tlsm ] && [ -x tests/interop/run.sh ]; then
    out=$(tests/interop/run.sh "$root/build-test/tlsm" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^(FAIL|skip)' | head -40
    line=$(printf '%s\n' "$out" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' | tail -1 |
           sed 's/^[A-Za-z]*: //')
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
        f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
        s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p'); : "${s:=0}"
        [ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || f=1
        add "interop" "$p" "$f" "$s"
    else
        printf '%s\n' "$out" | tail -20
        add "interop" 0 1 0
    fi
else
    add "interop (no tlsm binary)" 0 1 0
fi

fuzz_secs=${TLSM_FUZZ_SECONDS:-30}
if [ "$fuzz_secs" -gt 0 ] && [ -x tests/fuzz/run.sh ]; then
    step "fuzzing (${fuzz_secs}s per target)"
    if command -v clang >/dev/null; then
        out=$(tests/fuzz/run.sh "$fuzz_secs" 2>&1); rc=$?
        printf '%s\n' "$out" | tail -15
        n=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | wc -l)
        if [ "$rc" -eq 0 ]; then add "fuzz targets" "$n" 0 0; else add "fuzz targets" 0 1 0; fi
    else
        add "fuzz targets (no clang)" 0 0 1
    fi
fi

# Language bindings: scripts/test-<lang>.sh builds and tests one binding and ends with its
# own "N passed, N failed, N skipped" line, which is added to the total.
run_counted() { # label, command...
    local label=$1 out rc line p f sk
    shift
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | tail -25
    line=$(printf '%s\n' "$out" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' | tail -1 |
           sed 's/^[A-Za-z]*: //')
    if [ -z "$line" ]; then
        add "$label" 0 1 0
        return
    fi
    p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
    sk=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p'); : "${sk:=0}"
    [ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || f=1
    add "$label" "$p" "$f" "$sk"
}
step "tlsm server and client flags, tlsm server under load (127.0.0.1)"
run_counted "cli" python3 tests/cli/run.py "$root/build-test/tlsm"
if [ -x build-asan/tlsm ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_counted "cli (ASan + UBSan)" python3 tests/cli/run.py "$root/build-asan/tlsm"
fi

step "ML-KEM-768 constant time: valgrind with the secrets undefined, no division"
run_counted "mlkem constant time" tests/ct/run.sh "$root/build-test"

step "ML-KEM-768 and ML-KEM-1024 against Go's crypto/mlkem: 3,000 random cases each"
run_counted "mlkem diff (Go)" tests/mlkem_diff/run.sh "$root/build-test" 3000

step "tlsm verify against openssl verify on the PKI corpus"
run_counted "tlsm verify" tests/interop/verify.sh "$root/build-test/tlsm"

# BoringSSL's conformance runner against tlsm-bogo-shim, on the sanitizer build when there is
# one (a memory error or leak in a test fails it). Known core failures are listed in
# tests/bogo/known-failures.txt and counted as skipped; any other failure counts.
step "BoGo: BoringSSL's TLS 1.2/1.3 conformance runner (../shared/bogo)"
bogo_build=build-test
[ -x build-asan/tlsm-bogo-shim ] && bogo_build=build-asan
run_counted "bogo" tests/bogo/run.sh --build "$root/$bogo_build"

step "memory: valgrind over the in-memory handshakes, 5,000 handshakes with flat memory, 10,000 idle pairs"
run_counted "memory" tests/memory/run.sh --count 5000 --matrix quick --build build-test

step "testkit: pcap + key log decrypted by tshark"
run_counted "testkit tshark" env TLSM_TESTKIT_BUILD="$root/build-test" tests/testkit/tshark.sh

for lang in python go rust; do
    if [ -x "scripts/test-$lang.sh" ]; then
        step "$lang"
        run_counted "$lang" "scripts/test-$lang.sh"
    fi
done

# After the Python suite, whose build-python/venv it uses: an echo server at 500 TLS 1.3
# connections in Go and Python, tlsm next to crypto/tls and ssl; four memory goals (~40 s).
step "bindings under load: Go and Python echo servers, RSS next to crypto/tls and ssl (127.0.0.1)"
run_counted "bindings under load" bench/load-bindings.sh

echo
if [ ${#failures[@]} -gt 0 ]; then
    echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
