#!/usr/bin/env bash
# The second README command (and what CI runs through .ci/run): installs dependencies,
# builds tlsm twice (plain and ASan+UBSan), runs every Criterion suite in both builds, the
# mutation testing of the core's checks (tests/mutation/run.sh), the interop tests against
# the openssl and gnutls command-line tools on 127.0.0.1, the tests of the tlsm command's
# flags and of its server under load (both builds), a short fuzzing pass, BoringSSL's
# conformance runner (tests/bogo/run.sh), and the language bindings' suites. Ends with one
# line: "N passed, N failed, N skipped", after lines that say what N is made of. Exit
# status 0 only when nothing failed.
#
# Honest counts: a Criterion test counts from its TAP report (skipped tests are counted
# and named, not left out); every suite of tests/expected-suites.txt must have run with at
# least its number of cases, so a suite that disappears, a script that lost its run bit
# or a fuzzing pass that ran no target fails the run; absent shared vectors
# (../shared/vectors) show as named skips, and fail the run under CI=true.
#
# Environment: TLSM_FUZZ_SECONDS (per fuzz target, default 30; 0 skips fuzzing),
#              TLSM_MUTATION (rotate: a third of the mutants, by day, the default; all;
#              0 skips mutation testing),
#              TLSM_SKIP_ASAN=1 to skip the sanitizer build (local iteration only; both
#              fail the run under CI=true), TLSM_VECTORS_DIR (default ../shared/vectors).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ci=${CI:-false}
vectors=${TLSM_VECTORS_DIR:-$root/../shared/vectors}
export TLSM_VECTORS_DIR="$vectors" # for the scripts below (tests/mutation/run.sh)

passed=0 failed=0 skipped=0
failures=()
skip_notes=()            # "suite: test (reason)", for the summary
declare -A ran=()        # label -> cases counted (passed + failed + skipped)
declare -A group_n=() group_p=() group_f=() group_s=() group_suites=()
groups=()                # in order of first use

add() { # suite passed failed skipped [group]
    local label=$1 p=$2 f=$3 s=$4 g=${5:-$1}
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    printf '  %-44s %4d passed, %d failed, %d skipped\n' "$label" "$p" "$f" "$s"
    [ "$f" -eq 0 ] || failures+=("$label")
    ran[$label]=$(( ${ran[$label]:-0} + p + f + s ))
    if [ -z "${group_n[$g]+x}" ]; then
        groups+=("$g")
        group_n[$g]=0 group_p[$g]=0 group_f[$g]=0 group_s[$g]=0 group_suites[$g]=0
    fi
    group_n[$g]=$(( group_n[$g] + p + f + s ))
    group_p[$g]=$(( group_p[$g] + p )) group_f[$g]=$(( group_f[$g] + f ))
    group_s[$g]=$(( group_s[$g] + s )) group_suites[$g]=$(( group_suites[$g] + 1 ))
}

# A suite that was deliberately not run: one skipped case, with the reason in the summary
# (a failure under CI=true, which must run everything).
not_run() { # label, reason
    if [ "$ci" = true ]; then
        add "$1 ($2)" 0 1 0 "$1"
    else
        add "$1" 0 0 1
        skip_notes+=("$1: not run ($2)")
    fi
    ran[$1]=-1 # known, not counted against its floor
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
# that reads it (the PKI tests in both builds, the mutation run and tlsm verify).
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
if tests/pki/gen-cases.sh "$corpus" >/dev/null 2>&1; then
    export TLSM_PKI_CORPUS="$corpus"
else
    echo "PKI corpus generation failed here; each suite will try itself"
fi

step "shared test vectors ($vectors)"
if [ -d "$vectors/wycheproof" ] && [ -d "$vectors/rfc8448" ]; then
    echo "present"
elif [ "$ci" = true ]; then
    echo "absent: the Wycheproof and RFC 8448 tests cannot run"
    add "shared vectors (absent, CI=true)" 0 1 0 "shared vectors"
else
    echo "absent: the Wycheproof and RFC 8448 tests are skipped (named below); CI=true fails"
fi

build() { # dir, extra cmake args...
    local dir=$1; shift
    mkdir -p "$dir"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DTLSM_VECTORS_DIR="$vectors" "$@" \
        >"$dir/cmake.log" 2>&1 &&
        cmake --build "$dir" -j"$(nproc)" >"$dir/build.log" 2>&1
}

# Runs each Criterion binary of a build and counts its TAP report: "ok" lines passed, "ok
# ... # SKIP" skipped (named in the summary), "not ok" failed (crashes included); a
# binary that exits non-zero without a failed test, or whose report is missing or short
# of its plan, counts one failure more.
run_criterion() { # build dir, label, group
    local dir=$1 label=$2 group=$3 t out rc tap plan oks skip fail name
    tap=$(mktemp)
    for t in "$dir"/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        : >"$tap"
        out=$("$t" --jobs 2 --tap="$tap" 2>&1); rc=$?
        plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -1)
        oks=$(grep -c '^ok ' "$tap")
        skip=$(grep -c '^ok .* # SKIP' "$tap")
        fail=$(grep -c '^not ok' "$tap")
        if { [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; } || [ -z "$plan" ] ||
            [ $((oks + fail)) -lt "${plan:-1}" ]; then
            fail=$((fail + 1))
        fi
        if [ "$fail" -ne 0 ]; then
            printf '%s\n' "$out" | grep -v '^\[----\]   *$' | tail -40
            grep -A8 '^not ok' "$tap" | head -40
        fi
        while IFS= read -r line; do
            skip_notes+=("$label $name: $(printf '%s' "$line" |
                sed 's/^ok - \([^ ]*\) *# SKIP \(.*\)/\1 (\2)/')")
        done < <(grep '^ok .* # SKIP' "$tap")
        add "$label $name" $((oks - skip)) "$fail" "$skip" "$group"
    done
    rm -f "$tap"
}

step "build (Debug)"
if build build-test; then
    step "C tests"
    run_criterion build-test "C" "C tests, plain build"
else
    tail -30 build-test/build.log build-test/cmake.log 2>/dev/null
    add "C build" 0 1 0 "C tests, plain build"
fi

step "examples and installation"
pki=tests/data/pki
if build-test/example_memory_pair $pki/server-ed25519.chain.pem $pki/server-ed25519.key $pki/ca.crt; then
    add "example memory_pair" 1 0 0 "examples and installation"
else
    add "example memory_pair" 0 1 0 "examples and installation"
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
    add "install + pkg-config (shared, static)" 1 0 0 "examples and installation"
else
    add "install + pkg-config (shared, static)" 0 1 0 "examples and installation"
fi
rm -rf "$prefix"

if [ "${TLSM_SKIP_ASAN:-0}" != 1 ]; then
    step "build (ASan + UBSan)"
    if build build-asan -DTLSM_SANITIZE=ON -DTLSM_CLI=ON; then
        step "C tests under ASan + UBSan"
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_criterion build-asan "asan" "C tests, ASan + UBSan build"
    else
        tail -30 build-asan/build.log 2>/dev/null
        add "asan build" 0 1 0 "C tests, ASan + UBSan build"
    fi
else
    not_run "asan" "TLSM_SKIP_ASAN=1"
fi

# Mutation testing: the mutants of tests/mutation/mutants.txt must be killed by the
# Criterion suites. The whole list takes longer than this command can spend on it (from a
# clean tree on a busy 2-core machine: 7 minutes for its two builds and a coverage run of
# each suite, then 3 to 5 s per mutant, 20 minutes in all), so it runs a rotating third:
# the slot is the day of the year modulo 3, and three consecutive days cover every
# mutant. TLSM_MUTATION=all runs them all (as `tests/mutation/run.sh --all` does), 0 skips
# the step (a failure under CI=true). Every pattern is checked against the code in any case.
# A killed mutant counts as passed, a survivor as failed.
mutation=${TLSM_MUTATION:-rotate}
mutation_args=(--rotate 3)
[ "$mutation" = all ] && mutation_args=(--all)
if [ "$mutation" = 0 ]; then
    not_run "mutation" "TLSM_MUTATION=0"
else
    step "mutation testing (tests/mutation/run.sh ${mutation_args[*]})"
    out=$(tests/mutation/run.sh "${mutation_args[@]}" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^(rotating|SURVIVED|ERROR|LIST)' | head -40
    printf '%s\n' "$out" | grep -E '^(mutation run|broken|survivors)' | head -5
    line=$(printf '%s\n' "$out" | grep -E '^mutation: [0-9]+ killed, [0-9]+ survived$' | tail -1)
    if [ -n "$line" ]; then
        k=$(echo "$line" | sed 's/^mutation: \([0-9]*\) killed.*/\1/')
        sv=$(echo "$line" | sed 's/.* \([0-9]*\) survived$/\1/')
        [ "$rc" -eq 0 ] || [ "$sv" -ne 0 ] || sv=1
        add "mutation" "$k" "$sv" 0 "mutants killed by the C tests (${mutation_args[*]})"
    else
        printf '%s\n' "$out" | tail -20
        add "mutation" 0 1 0 "mutants killed by the C tests (${mutation_args[*]})"
    fi
fi

step "interop (openssl, gnutls on 127.0.0.1)"
if [ -x build-test/tlsm ] && [ -x tests/interop/run.sh ]; then
    out=$(tests/interop/run.sh "$root/build-test/tlsm" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^(FAIL|skip)' | head -40
    while IFS= read -r l; do skip_notes+=("interop: ${l#skip }"); done \
        < <(printf '%s\n' "$out" | grep -E '^skip ' | head -20)
    line=$(printf '%s\n' "$out" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' | tail -1 |
           sed 's/^[A-Za-z]*: //')
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
        f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
        s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p'); : "${s:=0}"
        [ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || f=1
        add "interop" "$p" "$f" "$s" "interop cases (openssl, gnutls-cli, NSS tstclnt)"
    else
        printf '%s\n' "$out" | tail -20
        add "interop" 0 1 0 "interop cases (openssl, gnutls-cli, NSS tstclnt)"
    fi
else
    add "interop (no tlsm binary or no run bit)" 0 1 0 "interop cases (openssl, gnutls-cli, NSS tstclnt)"
fi

# Fuzzing: every target of tests/fuzz/ must run; a crash, or a target that did not run,
# fails. One case per target.
fuzz_secs=${TLSM_FUZZ_SECONDS:-30}
n_targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | wc -l)
if [ "$fuzz_secs" -eq 0 ]; then
    not_run "fuzz targets" "TLSM_FUZZ_SECONDS=0"
elif ! command -v clang >/dev/null; then
    if [ "$ci" = true ]; then add "fuzz targets (no clang)" 0 1 0 "fuzz targets"
    else not_run "fuzz targets" "no clang"; fi
else
    step "fuzzing (${fuzz_secs}s per target, $n_targets targets)"
    out=$(tests/fuzz/run.sh "$fuzz_secs" 2>&1); rc=$?
    printf '%s\n' "$out" | tail -15
    n_ran=$(printf '%s\n' "$out" | grep -c '^== fuzz_')
    n_crashed=$(printf '%s\n' "$out" | grep -c 'CRASH')
    if [ "$rc" -ne 0 ] && [ "$n_crashed" -eq 0 ]; then n_crashed=1; fi
    missing=$(( n_targets - n_ran ))
    [ "$missing" -ge 0 ] || missing=0
    [ "$n_ran" -gt 0 ] || echo "fuzzing ran no target"
    p=$(( n_ran - n_crashed )); [ "$p" -ge 0 ] || p=0
    add "fuzz targets" "$p" $(( n_crashed + missing )) 0 "fuzz targets (${fuzz_secs}s each)"
fi

# Language bindings and the other scripts: each ends with its own "N passed, N failed,
# N skipped" line, which is added to the total; their skipped cases are named from their
# lines that say "skip".
run_counted() { # label, group, command...
    local label=$1 group=$2 out rc line p f sk
    shift 2
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | tail -25
    line=$(printf '%s\n' "$out" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' | tail -1 |
           sed 's/^[A-Za-z]*: //')
    if [ -z "$line" ]; then
        add "$label" 0 1 0 "$group"
        return
    fi
    p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
    sk=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p'); : "${sk:=0}"
    [ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || f=1
    if [ "$sk" -gt 0 ]; then
        while IFS= read -r l; do skip_notes+=("$label: $l"); done \
            < <(printf '%s\n' "$out" | grep -iE '(^| )skip' | grep -vE '[0-9]+ skipped$' | head -10)
    fi
    add "$label" "$p" "$f" "$sk" "$group"
}

# A script the run needs: present and executable, or the suite fails by name.
runnable() { # label, group, script
    [ -x "$3" ] && return 0
    if [ -f "$3" ]; then add "$1 ($3 is not executable)" 0 1 0 "$2"
    else add "$1 ($3 is missing)" 0 1 0 "$2"; fi
    return 1
}

step "tlsm server and client flags, tlsm server under load (127.0.0.1)"
run_counted "cli" "tlsm command cases (plain, ASan + UBSan)" python3 tests/cli/run.py "$root/build-test/tlsm"
if [ -x build-asan/tlsm ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_counted "cli (ASan + UBSan)" "tlsm command cases (plain, ASan + UBSan)" \
        python3 tests/cli/run.py "$root/build-asan/tlsm"
fi

step "ML-KEM-768 constant time: valgrind with the secrets undefined, no division"
runnable "mlkem constant time" "ML-KEM checks" tests/ct/run.sh &&
    run_counted "mlkem constant time" "ML-KEM checks" tests/ct/run.sh "$root/build-test"

step "ML-KEM-768 and ML-KEM-1024 against Go's crypto/mlkem: 3,000 random cases each"
runnable "mlkem diff (Go)" "ML-KEM checks" tests/mlkem_diff/run.sh &&
    run_counted "mlkem diff (Go)" "ML-KEM checks" tests/mlkem_diff/run.sh "$root/build-test" 3000

step "tlsm verify against openssl verify on the PKI corpus"
runnable "tlsm verify" "tlsm verify vs openssl verify" tests/interop/verify.sh &&
    run_counted "tlsm verify" "tlsm verify vs openssl verify" tests/interop/verify.sh "$root/build-test/tlsm"

# BoringSSL's conformance runner against tlsm-bogo-shim, on the sanitizer build when there is
# one (a memory error or leak in a test fails it). Known core failures are listed in
# tests/bogo/known-failures.txt and counted as skipped; any other failure counts.
step "BoGo: BoringSSL's TLS 1.2/1.3 conformance runner (../shared/bogo)"
bogo_build=build-test
[ -x build-asan/tlsm-bogo-shim ] && bogo_build=build-asan
runnable "bogo" "BoGo runner tests" tests/bogo/run.sh &&
    run_counted "bogo" "BoGo runner tests" tests/bogo/run.sh --build "$root/$bogo_build"

step "memory: valgrind over the in-memory handshakes, 5,000 handshakes with flat memory, 10,000 idle pairs"
runnable "memory" "memory checks (valgrind, flat heap)" tests/memory/run.sh &&
    run_counted "memory" "memory checks (valgrind, flat heap)" \
        tests/memory/run.sh --count 5000 --matrix quick --build build-test

step "testkit: pcap + key log decrypted by tshark"
runnable "testkit tshark" "testkit tshark" tests/testkit/tshark.sh &&
    run_counted "testkit tshark" "testkit tshark" env TLSM_TESTKIT_BUILD="$root/build-test" tests/testkit/tshark.sh

for lang in python go rust; do
    step "$lang"
    runnable "$lang" "$lang binding tests" "scripts/test-$lang.sh" &&
        run_counted "$lang" "$lang binding tests" "scripts/test-$lang.sh"
done

# After the Python suite, whose build-python/venv it uses: an echo server at 500 TLS 1.3
# connections in Go and Python, tlsm next to crypto/tls and ssl; four memory goals (~40 s).
step "bindings under load: Go and Python echo servers, RSS next to crypto/tls and ssl (127.0.0.1)"
runnable "bindings under load" "bindings under load (Go, Python)" bench/load-bindings.sh &&
    run_counted "bindings under load" "bindings under load (Go, Python)" bench/load-bindings.sh

# Every expected suite ran, with at least its floor of cases (tests/expected-suites.txt).
step "expected suites (tests/expected-suites.txt)"
missing_suites=0
check_floor() { # label, floor
    local have=${ran[$1]:-}
    if [ "$have" = -1 ]; then
        return # deliberately not run: already a named skip (or a failure under CI=true)
    elif [ -z "$have" ]; then
        add "expected suite did not run: $1" 0 1 0 "expected suites missing or short"
    elif [ "$have" -lt "$2" ]; then
        add "$1: $have cases, expected at least $2" 0 1 0 "expected suites missing or short"
    else
        return
    fi
    missing_suites=$((missing_suites + 1))
}
while read -r kind rest; do
    case $kind in '#'* | '') continue ;; esac
    floor=${rest##* } name=${rest% *}
    case $kind in
    criterion)
        check_floor "C $name" "$floor"
        if [ "${TLSM_SKIP_ASAN:-0}" != 1 ]; then check_floor "asan $name" "$floor"; fi ;;
    suite) check_floor "$name" "$floor" ;;
    *) add "tests/expected-suites.txt: unknown kind $kind" 0 1 0 "expected suites missing or short" ;;
    esac
done <tests/expected-suites.txt
echo "$missing_suites missing or short"

echo
echo "what the total is made of:"
for g in "${groups[@]}"; do
    printf '  %-44s %5d cases in %d suite(s): %d passed, %d failed, %d skipped\n' "$g" \
        "${group_n[$g]}" "${group_suites[$g]}" "${group_p[$g]}" "${group_f[$g]}" "${group_s[$g]}"
done
echo "  (the C tests count twice: once per build; a mutant counts once, killed = passed)"
if [ ${#skip_notes[@]} -gt 0 ]; then
    echo "skipped (${#skip_notes[@]}):"
    printf '  %s\n' "${skip_notes[@]}" | head -60
fi
if [ ${#failures[@]} -gt 0 ]; then
    echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
