#!/usr/bin/env bash
# run.sh - mutation testing of tlsm's security checks (issue 15): each mutant of
# tests/mutation/mutants.txt breaks one rule the core enforces (one exact piece of code
# replaced); the Criterion suites must notice. For every mutant it prints
#   KILLED    <id>  by <suite>: <test>     (a suite failed, crashed or hung)
#   SURVIVED  <id>  <file>: <rule>         (every suite that executes the code still passed)
# and at the end "mutation: N killed, N survived".
#
# How: the sources (CMakeLists.txt, core/, tests/, cli/, examples/, docs/) are mirrored into a
# scratch tree, $TLSM_MUTATION_DIR (default <repo>/build-mutation) /src, and built twice
# there, once plain (build/) and once with gcov instrumentation (cov/); the working tree is
# never written to. Every suite runs once on the coverage build, which records the core
# lines it executes (and shows that the suites pass without any mutant). A mutant is
# applied to the scratch copy of its file; the suites that execute one of the lines it
# changes are brought up to date in the plain build (one object, the library archive and
# those test binaries) and run until the first failure (the mutant's `suites` first, then
# the others from fastest to slowest); then the file is put back. A suite that never
# executes a line cannot notice a change to it, so the others are not run; a mutant no
# suite executes survives without a run.
#
# A pattern that matches no code, or more than one place, is a failure of the list (the
# code moved: update mutants.txt), reported before anything is built; so is a mutant that
# does not compile, and a suite that fails without any mutant.
#
# Usage: tests/mutation/run.sh [--all | --rotate N [--slot K]] [--only ID...] [--check]
#   --all       every mutant (the default)
#   --rotate N  only the mutants whose position in the list is K modulo N, where K is
#               --slot K or else the day number (date +%j) modulo N, so that N consecutive
#               days cover the whole list
#   --only ID   just these mutants (repeatable)
#   --check     only check that every pattern matches exactly once; no build
# Environment: TLSM_MUTATION_DIR (scratch dir), TLSM_VECTORS_DIR (../shared/vectors by
#   default), TLSM_PKI_CORPUS (generated into the scratch dir when unset), JOBS (2).
# Exit status: 0 when every mutant ran and was killed, 1 when one survived, 2 when the
# list, the build or the unmutated suites are broken.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
list=$here/mutants.txt
work=${TLSM_MUTATION_DIR:-$root/build-mutation}
src=$work/src
build=$work/build
cov=$work/cov
jobs=${JOBS:-2}
vectors=${TLSM_VECTORS_DIR:-$root/../shared/vectors}

rotate=0 slot="" check_only=0
only=()
while [ $# -gt 0 ]; do
    case $1 in
    --all) rotate=0; shift ;;
    --rotate) rotate=$2; shift 2 ;;
    --slot) slot=$2; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    --check) check_only=1; shift ;;
    *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done

die() { echo "mutation: $*" >&2; echo "mutation: 0 killed, 0 survived"; exit 2; }

# ------------------------------------------------------------------ the list
# A mutant is a stanza: "[id]" then "key = value" lines (file, find, replace, rule and the
# optional suites); "\n" in find/replace stands for a line break.
ids=() files=() finds=() repls=() rules=() hints=()
parse_list() {
    local line key val n=-1
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
        '#'* | '') continue ;;
        '['*']')
            n=$((n + 1))
            ids[n]=${line:1:${#line}-2}
            files[n]="" finds[n]="" repls[n]="" rules[n]="" hints[n]=""
            continue ;;
        esac
        [ "$n" -ge 0 ] || die "$list: '$line' before the first [id]"
        key=${line%%=*}; key=${key//[[:space:]]/}
        val=${line#*= }
        case $key in
        file) files[n]=$val ;;
        find) finds[n]=$val ;;
        replace) repls[n]=$val ;;
        rule) rules[n]=$val ;;
        suites) hints[n]=$val ;;
        *) die "$list: unknown key '$key' in [${ids[n]}]" ;;
        esac
    done <"$list"
}
parse_list
[ ${#ids[@]} -gt 0 ] || die "no mutants in $list"

# Replaces the one occurrence of find by replace in a file and prints the first and last
# line numbers it spanned; prints the count and exits 3 if it is not exactly one.
apply() { # file find replace
    python3 - "$@" <<'PY'
import sys
path, find, repl = sys.argv[1:]
find, repl = find.replace('\\n', '\n'), repl.replace('\\n', '\n')
text = open(path).read()
n = text.count(find)
if n != 1:
    print(n)
    sys.exit(3)
at = text.index(find)
first = text.count('\n', 0, at) + 1
print(first, first + find.count('\n'))
open(path, 'w').write(text.replace(find, repl))
PY
}

# Every mutant must match exactly once in the working tree, whatever subset runs.
stale=0
declare -A seen_id=()
for i in "${!ids[@]}"; do
    id=${ids[i]}
    if [ -n "${seen_id[$id]:-}" ]; then echo "LIST  $id: duplicate id"; stale=1; fi
    seen_id[$id]=1
    f=${files[i]}
    if [ -z "$f" ] || [ -z "${finds[i]}" ] || [ -z "${rules[i]}" ]; then
        echo "LIST  $id: file, find and rule are required"; stale=1; continue
    fi
    if [ ! -f "$root/$f" ]; then echo "LIST  $id: no file $f"; stale=1; continue; fi
    tmp=$(mktemp)
    cp "$root/$f" "$tmp"
    if ! n=$(apply "$tmp" "${finds[i]}" "${repls[i]}"); then
        echo "LIST  $id: the pattern matches $n times in $f (the code moved: update the list)"
        stale=1
    fi
    rm -f "$tmp"
done
[ "$stale" -eq 0 ] || die "mutants.txt does not match the code"
if [ "$check_only" -eq 1 ]; then
    echo "mutation: ${#ids[@]} mutants, every pattern matches once"
    exit 0
fi

# Which mutants run.
selected=()
if [ ${#only[@]} -gt 0 ]; then
    for want in "${only[@]}"; do
        found=0
        for i in "${!ids[@]}"; do [ "${ids[i]}" = "$want" ] && selected+=("$i") && found=1; done
        [ "$found" -eq 1 ] || die "no mutant $want"
    done
elif [ "$rotate" -gt 0 ]; then
    [ -n "$slot" ] || slot=$((10#$(date +%j) % rotate))
    for i in "${!ids[@]}"; do [ $((i % rotate)) -eq "$slot" ] && selected+=("$i"); done
    echo "rotating subset: slot $slot of $rotate (${#selected[@]} of ${#ids[@]} mutants)"
else
    selected=("${!ids[@]}")
fi

# ------------------------------------------------------------------ the scratch tree
mirror() {
    mkdir -p "$src"
    local f
    (cd "$root" && find CMakeLists.txt core tests cli examples docs -type f \
        -not -path 'tests/fuzz/corpus/*') >"$work/files.txt"
    while IFS= read -r f; do
        # Unchanged files keep their time stamps, so make rebuilds only what changed.
        if ! cmp -s "$root/$f" "$src/$f"; then
            mkdir -p "$(dirname "$src/$f")"
            cp "$root/$f" "$src/$f"
        fi
    done <"$work/files.txt"
    (cd "$src" && find . -type f | sed 's|^\./||') | sort >"$work/scratch.txt"
    sort "$work/files.txt" | comm -13 - "$work/scratch.txt" | (cd "$src" && xargs -r rm -f)
}

mkdir -p "$work"
echo "== scratch tree $src (${SECONDS}s)"
mirror
suites=()
for t in "$src"/tests/{unit,handshake,vectors}/test_*.c; do suites+=("$(basename "$t" .c)"); done
# The fuzz targets' committed inputs, replayed as Criterion suites (tests/fuzz/replay.c).
for t in "$src"/tests/fuzz/fuzz_*.c; do suites+=("test_replay_$(basename "$t" .c)"); done

# Ninja when there is one: its no-op check of 33 targets takes a fraction of a second,
# make's several seconds, and that is paid once per mutant.
generator="Unix Makefiles"
command -v ninja >/dev/null && generator=Ninja
configure() { # dir, extra cmake arguments...
    local dir=$1; shift
    local args="$generator $vectors $*"
    [ -f "$dir/CMakeCache.txt" ] && [ "$(cat "$dir.args" 2>/dev/null)" = "$args" ] && return 0
    rm -rf "$dir"
    echo "$args" >"$dir.args"
    cmake -S "$src" -B "$dir" -G "$generator" -DCMAKE_BUILD_TYPE=Debug -DTLSM_CLI=OFF \
        -DTLSM_BENCH=OFF -DTLSM_VECTORS_DIR="$vectors" "$@" >"$dir.cmake.log" 2>&1 ||
        { tail -20 "$dir.cmake.log"; die "cmake failed (log: $dir.cmake.log)"; }
}
echo "== build: ${#suites[@]} suites, plain and with coverage"
# A mutant that disables a check can leave a variable, parameter or helper unused, or a
# result ignored: in the mutants' build those warnings stay warnings.
configure "$build" -DCMAKE_C_FLAGS="-Wno-error=unused-variable -Wno-error=unused-parameter \
-Wno-error=unused-function -Wno-error=unused-but-set-variable -Wno-error=unused-result"
configure "$cov" -DCMAKE_C_FLAGS=--coverage
for dir in "$build" "$cov"; do
    cmake --build "$dir" -j"$jobs" --target "${suites[@]}" >"$dir.build.log" 2>&1 ||
        { tail -30 "$dir.build.log"; die "the unmutated build failed (log: $dir.build.log)"; }
done

if [ -z "${TLSM_PKI_CORPUS:-}" ]; then
    if [ ! -f "$work/pki-corpus/cases.txt" ]; then
        rm -rf "$work/pki-corpus"
        (cd "$root" && tests/pki/gen-cases.sh "$work/pki-corpus") >"$work/pki-corpus.log" 2>&1 ||
            die "PKI corpus generation failed (log: $work/pki-corpus.log)"
    fi
    export TLSM_PKI_CORPUS=$work/pki-corpus
fi

# Runs one suite of a build until its first failure. Sets `verdict` to "" (passed) or the
# failure: the first failing test, a hang, or an exit status.
run_suite() { # build dir, suite, timeout seconds
    local dir=$1 t=$2 limit=$3 out=$work/out.txt tap=$work/tap.txt rc
    rm -f "$tap"
    (cd "$dir" && timeout -k 5 "$limit" "./$t" --jobs "$jobs" --fail-fast --tap="$tap") \
        >"$out" 2>&1
    rc=$?
    verdict=""
    [ "$rc" -eq 0 ] && return
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        verdict="hung (timeout ${limit}s)"
        return
    fi
    verdict=$( { grep -h '^not ok' "$tap" 2>/dev/null
                 sed -n 's/^\[FAIL\] \([^:]*::[^:]*\).*/not ok - \1/p' "$out"; } |
               head -1 | sed 's/^not ok[ 0-9]*- *//; s/ .*//')
    [ -n "$verdict" ] || verdict="exit status $rc"
}

# The core lines a suite executes, one "path:line" each (gcov's JSON over the library's
# objects); kept in $cov/lines/ until the suite's coverage binary is rebuilt.
covered_lines() { # suite
    local t=$1
    find "$cov/CMakeFiles/tlsm_objects.dir" -name '*.gcda' -delete
    run_suite "$cov" "$t" 1200
    [ -z "$verdict" ] || return 1
    (cd "$cov/CMakeFiles/tlsm_objects.dir" &&
        gcov --json-format --stdout $(find . -name '*.gcda') 2>/dev/null) |
        python3 -c '
import json, sys
prefix = sys.argv[1] + "/"
for doc in sys.stdin:
    if not doc.strip():
        continue
    for f in json.loads(doc)["files"]:
        name = f["file"][len(prefix):] if f["file"].startswith(prefix) else f["file"]
        for line in f["lines"]:
            if line["count"] > 0:
                print("%s:%d" % (name, line["line_number"]))
' "$src" | sort -u >"$cov/lines/$t.lines"
}

echo "== the unmutated suites, with coverage (${SECONDS}s)"
mkdir -p "$cov/lines"
declare -A secs=()
for t in "${suites[@]}"; do
    if [ -f "$cov/lines/$t.lines" ] && [ "$cov/lines/$t.lines" -nt "$cov/$t" ] &&
        [ -f "$cov/lines/$t.ms" ]; then
        secs[$t]=$(cat "$cov/lines/$t.ms")
        continue
    fi
    start=$(date +%s%N)
    if ! covered_lines "$t"; then
        tail -30 "$work/out.txt"
        die "$t fails without any mutant ($verdict)"
    fi
    secs[$t]=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "${secs[$t]}" >"$cov/lines/$t.ms"
done
# Fastest first: a mutant is usually killed by a small, quick suite.
mapfile -t by_speed < <(for t in "${suites[@]}"; do echo "${secs[$t]} $t"; done | sort -n |
                        cut -d' ' -f2)

# The suites that execute any of the lines first..last of a core file.
suites_executing() { # file, first line, last line
    local f=$1 first=$2 last=$3 t l found=()
    for t in "${by_speed[@]}"; do
        for ((l = first; l <= last; l++)); do
            if grep -qxF "$f:$l" "$cov/lines/$t.lines"; then found+=("$t"); break; fi
        done
    done
    echo "${found[*]}"
}

# ------------------------------------------------------------------ the mutants
current=""
restore() {
    if [ -n "$current" ]; then
        cp "$root/$current" "$src/$current" # a fresh time stamp: the original is rebuilt
        current=""
    fi
}
trap restore EXIT
trap 'restore; exit 130' INT TERM

killed=0 survived=0 broken=0
survivors=()
echo "== ${#selected[@]} mutants (${SECONDS}s)"
for i in "${selected[@]}"; do
    id=${ids[i]} f=${files[i]} t0=$SECONDS
    restore
    current=$f
    if ! span=$(apply "$src/$f" "${finds[i]}" "${repls[i]}"); then
        echo "ERROR     $id: the pattern does not match the scratch copy of $f"
        broken=$((broken + 1)); continue
    fi
    read -r -a visible <<<"$(suites_executing "$f" $span)"
    if [ ${#visible[@]} -eq 0 ]; then
        survived=$((survived + 1))
        survivors+=("$id")
        printf 'SURVIVED  %-34s %s: %s (no suite executes line %s)\n' "$id" "$f" "${rules[i]}" "${span%% *}"
        continue
    fi
    if ! cmake --build "$build" -j"$jobs" --target "${visible[@]}" >"$work/mutant-build.log" 2>&1; then
        echo "ERROR     $id: the mutant does not compile (log: $work/mutant-build.log)"
        grep -m3 'error' "$work/mutant-build.log" | sed 's/^/          /'
        broken=$((broken + 1)); continue
    fi
    order=()
    for h in ${hints[i]}; do
        for t in "${visible[@]}"; do [ "$t" = "$h" ] && order+=("$t"); done
    done
    for t in "${visible[@]}"; do
        case " ${order[*]} " in *" $t "*) ;; *) order+=("$t") ;; esac
    done
    by=""
    for t in "${order[@]}"; do
        limit=$(( secs[$t] / 100 + 60 ))
        run_suite "$build" "$t" "$limit"
        if [ -n "$verdict" ]; then by="$t: $verdict"; break; fi
    done
    if [ -n "$by" ]; then
        killed=$((killed + 1))
        printf 'KILLED    %-34s by %s (%ds)\n' "$id" "$by" $((SECONDS - t0))
    else
        survived=$((survived + 1))
        survivors+=("$id")
        printf 'SURVIVED  %-34s %s: %s (%d suites, %ds)\n' "$id" "$f" "${rules[i]}" \
            ${#order[@]} $((SECONDS - t0))
    fi
done
restore

echo
[ "$broken" -eq 0 ] || echo "broken mutants: $broken (see ERROR above)"
[ "$survived" -eq 0 ] || echo "survivors: ${survivors[*]}"
echo "mutation run: ${SECONDS}s"
echo "mutation: $killed killed, $survived survived"
[ "$broken" -eq 0 ] || exit 2
[ "$survived" -eq 0 ]
