#!/bin/sh
# run.sh - builds and runs every libFuzzer target in tests/fuzz/ for a fixed time each and
# fails if any of them crashes (a sanitizer finding, an abort, a leak, a timeout or an
# out-of-memory all count as crashes).
#
# Usage: tests/fuzz/run.sh [seconds] [fuzz_name ...]
#   seconds    time per target, default 30
#   fuzz_name  run only these targets (default: every tests/fuzz/fuzz_*.c)
# Environment: TLSM_FUZZ_OUT (default <repo>/build-fuzz), NO_BUILD=1 to skip build.sh,
#   FUZZ_JOBS (default 1) parallel fuzzing processes per target.
# Exit status: 0 if no target crashed, 1 if any did, 2 on a build or usage error.
#
# Conventions for a target (so that new ones need no change here or in build.sh):
#   * One file per target, tests/fuzz/fuzz_<what>.c, defining LLVMFuzzerTestOneInput and
#     optionally LLVMFuzzerInitialize (both with prototypes: warnings are errors). It is
#     linked against every core source (core/src/**/*.c) and what the targets share
#     (tests/fuzz/common/*.c: CHECK, the deterministic RNG and clock, the connection
#     invariants), and includes headers as the core does ("wire/wire.h", "tlsm.h") and
#     "common/fuzz_support.h".
#   * A broken expectation calls abort(); no printing on the hot path. Runs must be
#     deterministic and independent: no state carried from one input to the next (use
#     tlsm_config_set_rng / _set_clock for anything random or timed).
#   * Inputs that must be writable or must be bounds-checked exactly are copied into
#     exactly-sized heap buffers, so that AddressSanitizer sees any read past the end.
#   * Optional, next to the target: fuzz_<what>.dict (a libFuzzer dictionary),
#     fuzz_<what>.options (extra libFuzzer flags on one line, e.g. -max_len=17000),
#     corpus/fuzz_<what>/ (small committed seed inputs, read only), and
#     regressions/fuzz_<what>/ (inputs that once crashed or raised a false alarm, replayed
#     at the start of every run, read only).
#   * The growing corpus lives in $TLSM_FUZZ_OUT/corpus/fuzz_<what>/ and crash inputs in
#     $TLSM_FUZZ_OUT/artifacts/; reproduce one with $TLSM_FUZZ_OUT/fuzz_<what> <file>.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TLSM_FUZZ_OUT:-$root/build-fuzz}
export TLSM_FUZZ_OUT="$out"

secs=30
if [ $# -gt 0 ]; then
    case $1 in
    *[!0-9]* | "") echo "usage: $0 [seconds] [fuzz_name ...]" >&2; exit 2 ;;
    *) secs=$1; shift ;;
    esac
fi
if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')
fi

if [ "${NO_BUILD:-0}" != 1 ]; then
    "$here/build.sh" $targets || { echo "fuzz build failed" >&2; exit 2; }
fi

mkdir -p "$out/artifacts"
failed=""
for t in $targets; do
    corpus="$out/corpus/$t"
    mkdir -p "$corpus"
    set -- -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/artifacts/$t-"
    if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
        set -- "$@" -fork="$FUZZ_JOBS"
    fi
    [ -f "$here/$t.dict" ] && set -- "$@" -dict="$here/$t.dict"
    if [ -f "$here/$t.options" ]; then
        # shellcheck disable=SC2046
        set -- "$@" $(cat "$here/$t.options")
    fi
    set -- "$@" "$corpus"
    [ -d "$here/corpus/$t" ] && set -- "$@" "$here/corpus/$t"
    # Past findings are read at start-up like the seeds, so every run replays them.
    [ -d "$here/regressions/$t" ] && set -- "$@" "$here/regressions/$t"

    log="$out/$t.log"
    echo "== $t: ${secs}s (log: $log)"
    "$out/$t" "$@" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*ft: \([0-9]*\).*/cov \1 ft \2/p')
    if [ -n "$runs" ]; then
        echo "   $runs runs, $rate execs/s, $cov, corpus $(ls "$corpus" | wc -l) inputs"
    fi
    if [ $rc -ne 0 ]; then
        echo "   CRASH (exit $rc):"
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/   /'
        failed="$failed $t"
    fi
done

if [ -n "$failed" ]; then
    echo "crashed:$failed"
    exit 1
fi
echo "no crashes"
