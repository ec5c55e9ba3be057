#!/usr/bin/env bash
# Builds and tests the Go module in go/ (called by scripts/test.sh when executable):
# checks that go/internal/ccore wraps every core/src/*.c, runs `go vet ./...` and
# `go test -race -count=1 ./...` over every package (tlsm and the testing kit
# tlsm/tlsmtest; benchmarks are not run), prints the counts of each package, and ends
# with one line: "N passed, N failed, N skipped" (every test, subtest and example counts
# once).
# Exit status 0 only when nothing failed.
#
# Needs Go >= 1.24 (on PATH or in /usr/local/go/bin), a C compiler, pkg-config and the
# libsodium, Nettle and GMP development packages (scripts/install-deps.sh).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/go"

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

passed=0 failed=0 skipped=0

# A file added to or removed from core/src needs its wrapper regenerated and committed,
# or `go test` from a fresh clone fails to link. Count that as a failure, then regenerate
# so that the rest of the suite still says something useful.
echo "== core wrappers (go/internal/ccore)"
if (cd internal/ccore && "$go" run gen.go -check); then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    (cd internal/ccore && "$go" run gen.go) || { echo "$passed passed, $failed failed, $skipped skipped"; exit 1; }
fi

echo "== go vet"
if "$go" vet ./...; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

echo "== go test -race"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$go" test -race -count=1 -timeout 240s -json ./... >"$json" 2>&1
rc=$?
# Per-test results: lines with a "Test" field and a final Action.
count() { grep '"Test":' "$json" | grep -c "\"Action\":\"$1\""; }
p=$(count pass) f=$(count fail) s=$(count skip)
# Print the output of failed tests (and build failures, which have no test lines).
if [ "$rc" -ne 0 ]; then
    grep '"Action":"output"' "$json" | sed -n 's/.*"Output":"\(.*\)"}$/\1/p' |
        sed 's/\\n$//; s/\\t/    /g; s/\\"/"/g' |
        grep -E -e '--- FAIL|_test\.go:[0-9]+|^panic|^FAIL|build failed|\.go:[0-9]+:[0-9]+' | tail -80
    grep -v '^{' "$json" | tail -40
    [ "$f" -gt 0 ] || f=1
fi
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
# One line per package with tests (tlsm, tlsm/tlsmtest, ...), then the total.
for pkg in $("$go" list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...); do
    pcount() { grep "\"Package\":\"$pkg\"" "$json" | grep '"Test":' | grep -c "\"Action\":\"$1\""; }
    printf '  %s: %d passed, %d failed, %d skipped\n' "$pkg" "$(pcount pass)" "$(pcount fail)" "$(pcount skip)"
done
printf '  go test: %d passed, %d failed, %d skipped\n' "$p" "$f" "$s"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
