#!/usr/bin/env bash
# The constant-time check of tlsm's ML-KEM, both parameter sets (issue 19), a counted
# suite of scripts/test.sh. Needs a build directory configured with the tests (the mlkem_ct_*
# programs, see CMakeLists.txt), valgrind and objdump.
#
#  1. mlkem_ct_O2, _O3, _Os under valgrind memcheck: the seed, the message and the
#     decapsulation key are marked undefined; any branch or address that depends on them
#     is an error and fails the run (tests/ct/mlkem_ct.c).
#  2. The same program with a planted secret-dependent branch and a planted secret table
#     index: memcheck must report both, or a clean run above would prove nothing.
#  3. No division instruction in any compiled ML-KEM object (KyberSlash: memcheck does not
#     see variable-time instructions), checked on the library's objects and on the three
#     programs' objects; and the pattern is shown to catch a planted division.
#
# Usage: tests/ct/run.sh BUILD_DIR. Last line: "ct: N passed, N failed, N skipped".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: tests/ct/run.sh BUILD_DIR}
cd "$root"

passed=0 failed=0 skipped=0
result() { # name, status
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "  PASS $1"
    else failed=$((failed + 1)); echo "  FAIL $1"; fi
}
finish() { echo "ct: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }

for tool in valgrind objdump; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is not installed (scripts/install-deps.sh installs it)"
        failed=$((failed + 1)); finish
    fi
done
if ! cmake --build "$build" -j"$(nproc)" --target mlkem_ct_O2 mlkem_ct_O3 mlkem_ct_Os \
    >"$build/ct-build.log" 2>&1; then
    tail -20 "$build/ct-build.log"
    echo "the mlkem_ct programs did not build (valgrind/memcheck.h missing, or a sanitizer build?)"
    failed=$((failed + 1)); finish
fi

log=$(mktemp)
trap 'rm -f "$log" "$log.o"' EXIT
vg=(valgrind -q --error-exitcode=99 --track-origins=yes)

echo "== valgrind memcheck, secrets marked undefined"
for opt in O2 O3 Os; do
    "${vg[@]}" "$build/mlkem_ct_$opt" >"$log" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || head -40 "$log"
    result "no secret-dependent branch or index at -$opt ($(tail -1 "$log"))" "$rc"
done

echo "== the check catches planted leaks"
for plant in branch index; do
    "${vg[@]}" "$build/mlkem_ct_O2" "--plant-$plant" >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 99 ] && grep -qE "Conditional jump|uninitialised value" "$log"; then
        result "planted secret $plant reported by memcheck" 0
    else
        cat "$log"
        result "planted secret $plant reported by memcheck (exit $rc)" 1
    fi
done

echo "== no division instruction in the ML-KEM objects"
# div/idiv in any width (divl, idivq, ...); SSE divisions (divss/divsd) are floating point
# and cannot appear in this integer code, but they would be caught too.
div_re='[[:space:]](i?div[bwlq]?|v?div[sp][sd])[[:space:]]'
objs=$(find "$build/CMakeFiles" -path '*/core/src/crypto/mlkem_*.c.o' | sort)
if [ -z "$objs" ]; then
    result "ML-KEM objects found under $build/CMakeFiles" 1
else
    n=$(echo "$objs" | wc -l)
    # shellcheck disable=SC2086
    hits=$(objdump -d --no-show-raw-insn $objs | grep -E "$div_re")
    [ -z "$hits" ] || echo "$hits" | head -20
    result "no div/idiv in $n ML-KEM object files (library and mlkem_ct_*)" "$([ -z "$hits" ]; echo $?)"
fi
printf 'int planted_div(int a, int b) { return a / b; }\n' |
    cc -O2 -x c -c - -o "$log.o" 2>/dev/null
objdump -d --no-show-raw-insn "$log.o" 2>/dev/null | grep -qE "$div_re"
result "the division pattern catches a planted division" $?

finish
