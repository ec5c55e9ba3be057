#!/usr/bin/env bash
# The benchmark README command: builds tlsm in Release (build-bench/) with tlsm-bench and
# runs it; arguments go to tlsm-bench (--quick for a few seconds, --scenario NAME,... to
# filter, --detail for the per-side crypto breakdown, --list for the scenarios).
# Needs the OpenSSL development files (Debian: libssl-dev); Go for the ML-KEM comparison.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! pkg-config --exists openssl; then
    echo "tlsm-bench needs the OpenSSL development files: apt-get install libssl-dev" >&2
    exit 1
fi
args=(-DCMAKE_BUILD_TYPE=Release -DTLSM_TESTS=OFF -DTLSM_CLI=OFF)
# Until the top-level CMakeLists.txt adds bench/ itself, attach it from outside.
if ! grep -q 'add_subdirectory(bench)' CMakeLists.txt; then
    args+=("-DCMAKE_PROJECT_INCLUDE=$root/bench/attach.cmake")
fi
mkdir -p build-bench
cmake -S . -B build-bench "${args[@]}" >build-bench/cmake.log 2>&1 ||
    { tail -30 build-bench/cmake.log; exit 1; }
cmake --build build-bench -j"$(nproc)" --target tlsm-bench >build-bench/build.log 2>&1 ||
    { tail -30 build-bench/build.log; exit 1; }
# Go's crypto/mlkem timed next to tlsm's ML-KEM-768 (scenario mlkem768) when Go >= 1.24
# is here: the helper uses only Go's standard library.
go=$(command -v go || true)
[ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
extra=()
if [ -n "$go" ] && (cd bench/mlkem_go && GOTOOLCHAIN=local "$go" build -o "$root/build-bench/mlkemgo" .) \
    >build-bench/mlkemgo.log 2>&1; then
    extra=(--go-mlkem "$root/build-bench/mlkemgo")
else
    echo "(Go's crypto/mlkem is not timed: no Go >= 1.24, see build-bench/mlkemgo.log)"
fi
# bench/ is a subdirectory of the build (add_subdirectory), or the top when attached.
bin=build-bench/bench/tlsm-bench
[ -x "$bin" ] || bin=build-bench/tlsm-bench
exec "$bin" "${extra[@]}" "$@"
