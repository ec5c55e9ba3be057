#!/usr/bin/env bash
# Runs BoringSSL's TLS conformance runner (BoGo) against tlsm through tlsm-bogo-shim.
#
#   tests/bogo/run.sh [--all] [--prune] [--build DIR] [--test 'Pat1;Pat2']
#
# The runner's source is not in this repository: it is read from ../shared/bogo next to the
# repository root (or $TLSM_BOGO_DIR); see its README.md. Without it the suite is skipped
# (and fails under CI=true). The runner is built with Go >= 1.26 (`go test -c`, four
# modules from the Go module proxy) into DIR/bogo/; the shim is built by CMake in DIR
# (default build-bogo). The runner listens on loopback only and starts the shim once per
# test.
#
# What runs: tests/bogo/config.json disables what tlsm does not do by design (each pattern
# with its reason); everything else is the TLS 1.2/1.3 TCP set, about 1,900 tests, which
# takes about 4 minutes on 2 cores, so the default run is the whole set. --all adds the
# disabled tests (-include-disabled): informative, expected to fail. --test narrows the
# run to the runner's ';'-separated glob patterns.
#
# Known core bugs: tests/bogo/known-failures.txt lists failing tests, one per line,
# "Name<space>reason". They are reported but do not fail the run; any other failure does,
# and a listed test that now passes is reported so that its line gets removed (--prune
# removes those lines itself).
#
# Output: the failures with the runner's details, the ten most common reasons for
# unimplemented tests, "bogo: N passed, N failed, N unimplemented", and last a line for
# scripts/test.sh: "bogo: N passed, N failed, N skipped" where failed counts the new
# failures only and skipped the unimplemented tests and the known failures.
# Exit status: 0 when there is no new failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/bogo"
bogo=${TLSM_BOGO_DIR:-$root/../shared/bogo}
build="$root/build-bogo"
all=0
prune=0
tests=""
while [ $# -gt 0 ]; do
    case "$1" in
    --all) all=1 ;;
    --prune) prune=1 ;;
    --build) build=$(cd "$2" 2>/dev/null && pwd || echo "$2"); shift ;;
    --test) tests=$2; shift ;;
    *) echo "usage: $0 [--all] [--prune] [--build DIR] [--test PATTERNS]" >&2; exit 2 ;;
    esac
    shift
done

skip_or_fail() { # reason
    if [ "${CI:-}" = true ]; then
        echo "bogo: $1 (required under CI=true)"
        echo "bogo: 0 passed, 1 failed, 0 skipped"
        exit 1
    fi
    echo "bogo: skipped: $1"
    echo "bogo: 0 passed, 0 failed, 1 skipped"
    exit 0
}

runner_src="$bogo/boringssl/ssl/test/runner"
[ -d "$runner_src" ] || skip_or_fail "no BoGo runner at $bogo (see issue 17)"

go=$(command -v go || true)
[ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
[ -n "$go" ] || skip_or_fail "no Go toolchain to build the runner (Go >= 1.26)"

# The shim (an existing build directory keeps its own settings, e.g. the sanitizers).
mkdir -p "$build/bogo"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug >"$build/bogo/cmake.log" 2>&1 &&
       cmake --build "$build" -j"$(nproc)" --target tlsm-bogo-shim >"$build/bogo/shim.log" 2>&1; }; then
    tail -30 "$build/bogo/shim.log" "$build/bogo/cmake.log" 2>/dev/null
    echo "bogo: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
shim="$build/tlsm-bogo-shim"

# The runner (a Go test binary). go.mod asks for Go 1.26; an older go fetches that
# toolchain through the module proxy (GOTOOLCHAIN=auto).
runner="$build/bogo/runner.test"
if ! (cd "$bogo/boringssl" && "$go" test -c ./ssl/test/runner -o "$runner") >"$build/bogo/go.log" 2>&1; then
    tail -20 "$build/bogo/go.log"
    echo "bogo: the runner did not build"
    echo "bogo: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

# Self-check: the shim answers the runner's probe, ends a test with an unknown flag as
# unimplemented (89), and fails a test whose expectation is false (a TLS 1.3 test told to
# expect TLS 1.2), so that a shim which checks nothing cannot pass.
selfcheck_failed=0
probe=$("$shim" -is-handshaker-supported 2>/dev/null)
"$shim" -no-such-flag >/dev/null 2>&1
unknown_status=$?
wrong=$(cd "$runner_src" && timeout 120 "$runner" -shim-path "$shim" -pipe -num-workers 1 \
        -test KeyUpdate-ToClient -shim-extra-flags '-expect-version;771' 2>&1)
if [ "$probe" != No ] || [ "$unknown_status" -ne 89 ] ||
   ! printf '%s\n' "$wrong" | grep -q '^FAILED (KeyUpdate-ToClient)'; then
    echo "bogo: shim self-check failed (probe '$probe', unknown flag status $unknown_status)"
    printf '%s\n' "$wrong" | tail -10
    selfcheck_failed=1
fi

out="$build/bogo/results.txt"
unimpl_log="$build/bogo/unimplemented.txt"
: >"$unimpl_log"
args=(-shim-path "$shim" -shim-config "$here/config.json" -allow-unimplemented -pipe
      -num-workers "$(( $(nproc) * 2 ))" -idle-timeout 10s -test.timeout 60m)
[ "$all" -eq 1 ] && args+=(-include-disabled)
[ -n "$tests" ] && args+=(-test "$tests")
limit=900
[ "$all" -eq 1 ] && limit=3600
start=$(date +%s)
# The runner resolves its own files relative to its directory.
(cd "$runner_src" && TLSM_BOGO_UNIMPLEMENTED_LOG="$unimpl_log" \
    timeout "$limit" "$runner" "${args[@]}") >"$out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))

names() { sed -n "s/^$1 (\(.*\))\$/\1/p" "$out" | sort -u; }
passed=$(names PASSED | grep -c . || true)
unimplemented=$(names UNIMPLEMENTED | grep -c . || true)
failed_list=$(names FAILED)
failed=$(printf '%s\n' "$failed_list" | grep -c . || true)

known=$(sed -e 's/#.*//' "$here/known-failures.txt" 2>/dev/null | awk 'NF {print $1}' | sort -u)
new_failures=$(comm -23 <(printf '%s\n' "$failed_list" | grep .) <(printf '%s\n' "$known" | grep .))
known_failed=$(comm -12 <(printf '%s\n' "$failed_list" | grep .) <(printf '%s\n' "$known" | grep .))
fixed=$(comm -12 <(names PASSED) <(printf '%s\n' "$known" | grep .))
n_new=$(printf '%s\n' "$new_failures" | grep -c . || true)
n_known=$(printf '%s\n' "$known_failed" | grep -c . || true)

# The runner's details of a failure: the lines after its FAILED line, up to the next test.
details() {
    awk -v t="FAILED ($1)" '$0 == t {on = 1; next}
        on && /^(PASSED|FAILED|UNIMPLEMENTED) \(/ {exit} on && NF {print "    " $0}' "$out" | head -25
}

if [ "$n_new" -gt 0 ]; then
    echo "== new failures (not in tests/bogo/known-failures.txt)"
    while read -r t; do
        echo "FAILED $t"
        details "$t"
    done <<<"$new_failures"
fi
if [ "$n_known" -gt 0 ]; then
    echo "== known failures by reason (the tests are named in tests/bogo/known-failures.txt)"
    while read -r t; do
        grep -m1 "^$t[[:space:]]" "$here/known-failures.txt" | sed "s/^[^[:space:]]*[[:space:]]*//"
    done <<<"$known_failed" | sort | uniq -c | sort -rn | cut -c1-160
fi
if [ -n "$fixed" ]; then
    echo "== known failures that now pass: remove them from tests/bogo/known-failures.txt"
    printf '  %s\n' $fixed
    if [ "$prune" = 1 ]; then
        printf '%s\n' $fixed | awk 'NR == FNR { gone[$1] = 1; next } !($1 in gone)' \
            - "$here/known-failures.txt" >"$here/known-failures.txt.new" &&
            mv "$here/known-failures.txt.new" "$here/known-failures.txt"
        echo "   (removed by --prune)"
    fi
fi
if [ -s "$unimpl_log" ]; then
    echo "== most common reasons for unimplemented tests (shim exit 89)"
    sort "$unimpl_log" | uniq -c | sort -rn | head -10
fi
if [ "$rc" -ne 0 ] && [ "$passed" -eq 0 ]; then
    echo "== the runner failed (status $rc)"
    tail -20 "$out"
fi
if [ "$rc" -eq 124 ]; then
    echo "bogo: the run was stopped after ${limit}s"
    n_new=$((n_new + 1))
fi
echo "bogo: $passed passed, $failed failed, $unimplemented unimplemented ($n_known known failures, ${secs}s, runner $(cat "$bogo/COMMIT" 2>/dev/null | cut -c1-12))"
# A whole run that passes nothing means the runner or the shim is broken.
[ -n "$tests" ] || [ "$passed" -gt 0 ] || n_new=$((n_new + 1))
n_new=$((n_new + selfcheck_failed))
echo "bogo: $passed passed, $n_new failed, $((unimplemented + n_known)) skipped"
[ "$n_new" -eq 0 ]
