#!/usr/bin/env bash
# Builds and tests the Go module (go.mod at the repository root, module tlsm.example/tlsm;
# package tlsm in go/, the testing kit in go/tlsmtest), as scripts/test.sh calls it:
#  1. go/internal/ccore wraps every core/src/*.c (go run gen.go -check);
#  2. go vet, then go test -race over every package (benchmarks are not run);
#  3. the module as a proxy would serve it: scripts/gomodzip makes the module zip from the
#     committed file list (golang.org/x/mod/zip rules) and unpacks it away from the
#     repository; a new module made with the commands of go/README.md requires it through
#     a replace, runs the README's example test against it, and runs the copy's own tests.
# Prints the counts of each package and ends with one line "N passed, N failed, N skipped"
# (every test, subtest and example counts once; each step of 1 and 3 counts one).
# Exit status 0 only when nothing failed.
#
# Needs Go >= 1.24 (on PATH or in /usr/local/go/bin), git, python3, a C compiler,
# pkg-config and the libsodium, Nettle and GMP development packages
# (scripts/install-deps.sh). Step 3 downloads golang.org/x/mod through the module proxy.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
module=tlsm.example/tlsm

go=$(command -v go || true)
[ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
if [ -z "$go" ]; then
    echo "go: no Go toolchain (install Go >= 1.24); the Go suite is skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
minor=$("$go" env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 24 ]; then
    echo "go: $("$go" env GOVERSION) is older than go1.24; the Go suite is skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
export CGO_ENABLED=1
started=$(date +%s)

passed=0 failed=0 skipped=0
step_ok() { passed=$((passed + 1)); }
step_fail() { failed=$((failed + 1)); echo "FAILED: $*"; }

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# A file added to or removed from core/src needs its wrapper regenerated and committed,
# or building the module fails. Count that as a failure, then regenerate so that the rest
# of the suite still says something useful.
echo "== core wrappers (go/internal/ccore)"
if (cd go/internal/ccore && "$go" run gen.go -check); then
    step_ok
else
    step_fail "go/internal/ccore is out of date"
    (cd go/internal/ccore && "$go" run gen.go) || { echo "$passed passed, $failed failed, $skipped skipped"; exit 1; }
fi

echo "== go vet"
if "$go" vet ./go/... ./tests/data/pki; then step_ok; else step_fail "go vet"; fi

# go test -json over the packages $2..., run in directory $1; adds per-test results and
# prints per-package counts. Extra go test flags come from $GOTEST_FLAGS.
run_gotest() { # dir, packages...
    local dir=$1 json=$tmp/test.json rc p f s pkg
    shift
    (cd "$dir" && "$go" test ${GOTEST_FLAGS:-} -count=1 -timeout 300s -json "$@") >"$json" 2>&1
    rc=$?
    count() { grep '"Test":' "$json" | grep -c "\"Action\":\"$1\""; }
    p=$(count pass) f=$(count fail) s=$(count skip)
    if [ "$rc" -ne 0 ]; then
        # The output of failed tests, and build failures (which have no test lines).
        grep -E '"Action":"(build-)?output"' "$json" | sed -n 's/.*"Output":"\(.*\)"}$/\1/p' |
            sed 's/\\n$//; s/\\t/    /g; s/\\"/"/g' |
            grep -E -e '--- FAIL|_test\.go:[0-9]+|^panic|^FAIL|build failed|\.go:[0-9]+:[0-9]+' | tail -80
        grep -v '^{' "$json" | tail -40
        [ "$f" -gt 0 ] || f=1
    fi
    for pkg in $(grep -o '"Package":"[^"]*"' "$json" | sort -u | sed 's/"Package":"\(.*\)"/\1/'); do
        pc() { grep "\"Package\":\"$pkg\"" "$json" | grep '"Test":' | grep -c "\"Action\":\"$1\""; }
        [ $(( $(pc pass) + $(pc fail) + $(pc skip) )) -gt 0 ] || continue # no tests
        printf '  %s: %d passed, %d failed, %d skipped\n' "$pkg" "$(pc pass)" "$(pc fail)" "$(pc skip)"
    done
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

echo "== go test -race"
GOTEST_FLAGS=-race run_gotest . ./go/...

echo "== the module zip, used from a new module through a replace"
copy=$tmp/mod
if git ls-files -z | (cd scripts/gomodzip && "$go" run . -root "$root" -module "$module" -out "$copy") >"$tmp/zip.log" 2>&1; then
    grep -v '^omitted scripts/gomodzip/' "$tmp/zip.log"
    step_ok
    user=$tmp/user
    mkdir -p "$user"
    # The README's setup commands, with the copy as the checkout they point at.
    if python3 scripts/readme_snippets.py go/README.md "$user" >/dev/null &&
        sed -i "s#/path/to/tlsm#$copy#g" "$user/setup.sh" &&
        (cd "$user" && PATH="$(dirname "$go"):$PATH" sh -ex setup.sh) >"$tmp/setup.log" 2>&1; then
        step_ok
        run_gotest "$user" ./...
        run_gotest "$user" "$module/go/..."
    else
        cat "$tmp/setup.log"
        step_fail "the README's module setup"
    fi
else
    cat "$tmp/zip.log"
    step_fail "module zip"
fi

echo "go: $(( $(date +%s) - started ))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
