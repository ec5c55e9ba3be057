#!/usr/bin/env bash
# The benchmark README command: builds tlsm in Release (build-bench/) with tlsm-bench and
# runs it; arguments go to tlsm-bench (--quick for a few seconds, --scenario NAME,... to
# filter, --detail for the per-side crypto breakdown, --list for the scenarios).
# Needs the OpenSSL development files (Debian: libssl-dev).
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
exec build-bench/tlsm-bench "$@"
