#!/usr/bin/env bash
# The differential test of tlsm's ML-KEM (ML-KEM-768 and ML-KEM-1024) against Go's
# crypto/mlkem (issue 19), a counted suite of scripts/test.sh: builds the C peer
# (mlkem_peer) in BUILD_DIR and runs tests/mlkem_diff/go with COUNT random cases per
# parameter set (default 3000, each set bounded to 30 seconds). Needs Go >= 1.26
# (crypto/mlkem/mlkemtest), on PATH or in /usr/local/go/bin; without it the suite is
# skipped, visibly. Go's standard library only: nothing is downloaded.
#
# Usage: tests/mlkem_diff/run.sh BUILD_DIR [COUNT] [extra flags for the Go program, e.g.
# -seed HEX to replay]. Last line: "N passed, N failed, N skipped" over both sets.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: tests/mlkem_diff/run.sh BUILD_DIR [COUNT]}" && pwd)
count=${2:-3000}
shift $(($# < 2 ? $# : 2))

go=$(command -v go || true)
[ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
if [ -z "$go" ]; then
    echo "no Go toolchain: the ML-KEM differential test against Go's crypto/mlkem is skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
minor=$("$go" env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 26 ]; then
    echo "$("$go" env GOVERSION) has no crypto/mlkem/mlkemtest (Go 1.26+): the differential test is skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! cmake --build "$build" --target mlkem_peer >"$build/mlkem-peer-build.log" 2>&1; then
    tail -20 "$build/mlkem-peer-build.log"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
cd "$root/tests/mlkem_diff/go" || exit 1
passed=0 failed=0
for set in 768 1024; do
    out=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" run . -peer "$build/mlkem_peer" -set "$set" \
        -n "$count" -seconds 30 "$@" 2>&1)
    rc=$?
    echo "$out"
    last=$(echo "$out" | tail -1)
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
        [ "$rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -gt 0 ] || failed=$((failed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
