#!/usr/bin/env bash
# Memory checks (issue 8, robustness; issue 18, memory per connection): valgrind memcheck
# over the in-memory handshake matrices, the many-handshakes program and the idle-pairs
# program; then the many-handshakes program natively for COUNT handshakes to show flat heap
# and RSS (tests/memory/handshakes.c), and the idle-pairs program natively for PAIRS
# established idle pairs, whose heap and RSS per connection it prints and checks against
# the goals (tests/memory/idle_pairs.c).
#
# Usage: tests/memory/run.sh [--count N] [--pairs N] [--build DIR] [--matrix full|quick|none]
#   --count N     handshakes of the flat-memory run (default 100000; the test command
#                 uses 5000)
#   --pairs N     idle connection pairs held at once (default 10000)
#   --build DIR   a Debug build directory to use (default build-memory, configured and
#                 built here when needed)
#   --matrix      full: every test of test_matrix and test_tls12_matrix under valgrind
#                 (default; 20 minutes or more); quick: a few minutes, TLS 1.3 full and
#                 resumed handshakes with client auth, TLS 1.2 resumption and version
#                 negotiation (the many-handshakes program adds Ed25519 full + resumed
#                 under valgrind in every mode); none: skip them
# Last line: "memory: N passed, N failed". Exit status 0 only when nothing failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

count=100000 pairs=10000 build=build-memory matrix=full
while [ $# -gt 0 ]; do
    case $1 in
    --count) count=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --matrix) matrix=$2; shift 2 ;;
    *) echo "usage: $0 [--count N] [--pairs N] [--build DIR] [--matrix full|quick|none]" >&2
       exit 2 ;;
    esac
done

passed=0 failed=0
result() { # name, status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "  PASS $1"
    else failed=$((failed + 1)); echo "  FAIL $1"; fi
}

if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed (apt-get install valgrind)"
    echo "memory: 0 passed, 1 failed"
    exit 1
fi

echo "== build ($build, Debug)"
if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTLSM_CLI=OFF >"$build/cmake.log" 2>&1 ||
        { tail -20 "$build/cmake.log"; echo "memory: 0 passed, 1 failed"; exit 1; }
fi
targets=(tlsm_static)
[ "$matrix" = none ] || targets+=(test_matrix test_tls12_matrix)
if ! cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >"$build/memory-build.log" 2>&1; then
    tail -30 "$build/memory-build.log"
    echo "memory: 0 passed, 1 failed"
    exit 1
fi
# The programs use only the public API: built here against the static library.
for prog in handshakes idle_pairs; do
    # shellcheck disable=SC2046
    if ! cc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -g -O1 \
        -Icore/include -DTLSM_PKI_DIR="\"$root/tests/data/pki\"" "tests/memory/$prog.c" \
        tests/memory/mem_common.c "$build/libtlsm.a" $(pkg-config --libs libsodium nettle hogweed) -lgmp -lpthread \
        -o "$build/memory_$prog"; then
        echo "memory: 0 passed, 1 failed"
        exit 1
    fi
done

logs=$(mktemp -d)
vg=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes)

# Criterion runs every test in a child process: follow them, one log per process, and judge
# by the logs (a child's valgrind error must not hide behind Criterion's own exit status).
vg_criterion() { # label, binary, extra criterion args...
    local name=$1 bin=$2; shift 2
    mkdir -p "$logs/$name"
    "${vg[@]}" --trace-children=yes --log-file="$logs/$name/vg.%p.log" "$bin" --jobs 1 "$@" \
        >"$logs/$name/out.txt" 2>&1
    local rc=$?
    if grep -l . "$logs/$name"/vg.*.log >/dev/null 2>&1; then
        grep -h -A12 -E "Invalid|uninitialised|definitely lost|indirectly lost|Mismatched" \
            "$logs/$name"/vg.*.log | head -60
        return 1
    fi
    if [ "$rc" -ne 0 ]; then
        tail -20 "$logs/$name/out.txt"
        return 1
    fi
    grep -h "Synthesis" "$logs/$name/out.txt" | sed 's/^/    /'
    # A filter that matches nothing checks nothing: that is a failure, not a pass.
    local tested
    tested=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' "$logs/$name/out.txt" | tail -1)
    if [ "${tested:-0}" -eq 0 ]; then
        echo "    no test ran under valgrind (${*:-no filter} matches none)"
        return 1
    fi
    return 0
}

case $matrix in
full)
    echo "== valgrind: handshake matrices (every test)"
    vg_criterion m13 "$build/test_matrix"; result "valgrind test_matrix" $?
    vg_criterion m12 "$build/test_tls12_matrix"; result "valgrind test_tls12_matrix" $?
    ;;
quick)
    echo "== valgrind: handshake matrices (subset)"
    vg_criterion m13 "$build/test_matrix" --filter 'matrix/client_auth_*'
    result "valgrind test_matrix (matrix/client_auth_*: TLS 1.3 full, resumed, client auth)" $?
    vg_criterion m12res "$build/test_tls12_matrix" --filter 'tls12_resume/*'
    result "valgrind test_tls12_matrix (tls12_resume/*)" $?
    vg_criterion m12ver "$build/test_tls12_matrix" --filter 'tls12_versions/*'
    result "valgrind test_tls12_matrix (tls12_versions/*: negotiation, downgrade checks)" $?
    ;;
none) ;;
*) echo "--matrix must be full, quick or none" >&2; exit 2 ;;
esac

echo "== valgrind: memory_handshakes --count 200"
"${vg[@]}" "$build/memory_handshakes" --count 200 --heap-bound 1000000000 --rss-bound 1000000000 >"$logs/hs.txt" 2>&1
rc=$?
[ "$rc" -eq 0 ] || tail -40 "$logs/hs.txt"
result "valgrind memory_handshakes (200 handshakes, full and resumed)" "$rc"

echo "== valgrind: memory_idle_pairs --pairs 200"
# The per-connection goals are judged natively below (valgrind's allocator is not glibc's).
"${vg[@]}" "$build/memory_idle_pairs" --pairs 200 --no-goals >"$logs/idle.txt" 2>&1
rc=$?
[ "$rc" -eq 0 ] || tail -40 "$logs/idle.txt"
result "valgrind memory_idle_pairs (200 idle pairs, 4 suites, both versions)" "$rc"

echo "== flat memory: $count handshakes"
"$build/memory_handshakes" --count "$count"
result "memory_handshakes --count $count" $?

echo "== idle connections: $pairs pairs"
"$build/memory_idle_pairs" --pairs "$pairs"
result "memory_idle_pairs --pairs $pairs (heap and RSS per idle connection)" $?

rm -rf "$logs"
echo "memory: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
