#!/usr/bin/env bash
# The bindings under load (issue 18): the memory of an echo server at many concurrent TLS
# 1.3 connections, tlsm against the language's own TLS, printed side by side.
#   Go:     tlsm.Listen against crypto/tls tls.Listen (bench/load_go)
#   Python: tlsm.aio.start_server against asyncio.start_server with ssl (bench/load_py.py)
# Each server runs in a process of its own with its clients in another; every round opens
# CONNS connections (handshake, 4 echoes of SIZE bytes, held until all are up), closes them
# and reads the server's RSS: the peak (VmHWM), with all held (VmRSS), and after the close
# and a GC (Go: runtime.GC + debug.FreeOSMemory; Python: gc.collect). Loopback only,
# bounded by CONNS, ROUNDS and a timeout per run.
#
# Goals checked, four counted checks (the last line is "N passed, N failed, N skipped", as
# scripts/test.sh counts suites; exit status 1 if one is missed): Go peak, and Go after,
# <= 1.5x crypto/tls in every round; Python held <= 1.2x ssl in every round, and flat:
# after the last round at most 5% above after the first. A language not run is skipped.
#
# Environment: CONNS (500), ROUNDS (4), SIZE (1024), PYTHON (an interpreter that imports
# tlsm; default build-python/venv/bin/python as scripts/test-python.sh makes it, else a
# venv in build-load/ with the package built from this checkout), SKIP_GO=1, SKIP_PY=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
conns=${CONNS:-500} rounds=${ROUNDS:-4} size=${SIZE:-1024}
out=build-load
mkdir -p "$out"
: >"$out/results.txt"

if [ "${SKIP_GO:-0}" != 1 ]; then
    go=$(command -v go || true)
    [ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
    if [ -z "$go" ]; then
        echo "no Go toolchain (Go >= 1.24): the Go servers are not measured"
    else
        CGO_ENABLED=1 "$go" build -o "$out/load_go" ./bench/load_go
        for impl in tlsm std; do
            "$out/load_go" -impl "$impl" -conns "$conns" -rounds "$rounds" -size "$size" -timeout 300s |
                tee -a "$out/results.txt"
        done
    fi
fi

if [ "${SKIP_PY:-0}" != 1 ]; then
    py=${PYTHON:-}
    if [ -z "$py" ]; then
        py=build-python/venv/bin/python
        if ! [ -x "$py" ] || ! "$py" -c 'import tlsm.aio' 2>/dev/null; then
            py=$out/venv/bin/python
            if ! [ -x "$py" ] || ! "$py" -c 'import tlsm.aio' 2>/dev/null; then
                echo "building the Python package into $out/venv (a few minutes)"
                python3 -m venv "$out/venv"
                "$py" -m pip install -q --upgrade pip >"$out/pip.log" 2>&1
                "$py" -m pip install --config-settings=build-dir="$out/cmake" . >>"$out/pip.log" 2>&1 ||
                    { tail -30 "$out/pip.log"; exit 1; }
            fi
        fi
    fi
    echo "python: $("$py" -c 'import sys, tlsm; print(sys.version.split()[0], tlsm.__file__)')"
    for impl in tlsm ssl; do
        "$py" bench/load_py.py --impl "$impl" --conns "$conns" --rounds "$rounds" --size "$size" --timeout 300 |
            tee -a "$out/results.txt"
    done
fi

python3 - "$out/results.txt" "$conns" "$size" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    lang, impl, r = f[0], f[1], int(f[3])
    rows[(lang, impl, r)] = {f[i]: int(f[i + 1]) for i in range(4, len(f) - 1, 2)}
def mb(kb): return f"{kb / 1024:7.1f}"
missed = []
checks = {"go peak": None, "go after": None, "py held": None, "py flat": None}  # None: not run
print(f"\nserver RSS in MB, {sys.argv[2]} concurrent TLS 1.3 connections, {sys.argv[3]}-byte echoes")
for lang, ours, theirs, cols, goal in (
    ("go", "tlsm", "std", ("peak_kb", "after_kb"), {"peak_kb": 1.5, "after_kb": 1.5}),
    ("py", "tlsm", "ssl", ("peak_kb", "held_kb", "after_kb"), {"held_kb": 1.2}),
):
    rs = sorted(r for (l, i, r) in rows if l == lang and i == ours and (l, theirs, r) in rows)
    if not rs:
        continue
    name = {"go": "Go: tlsm.Listen vs crypto/tls", "py": "Python: tlsm.aio vs asyncio+ssl"}[lang]
    for c in goal:
        checks[f"{lang} {c[:-3]}"] = True
    if lang == "py":
        checks["py flat"] = True
    print(f"\n{name}")
    print("round " + "".join(f"| {c[:-3] + ' tlsm':>10} {theirs:>7} {'ratio':>6} " for c in cols))
    for r in rs:
        a, b = rows[(lang, ours, r)], rows[(lang, theirs, r)]
        cells = []
        for c in cols:
            ratio = a[c] / b[c]
            cells.append(f"| {mb(a[c]):>10} {mb(b[c])} {ratio:5.2f}x ")
            if c in goal and ratio > goal[c]:
                missed.append(f"{lang} round {r}: {c[:-3]} {ratio:.2f}x > {goal[c]}x")
                checks[f"{lang} {c[:-3]}"] = False
        print(f"{r:5} " + "".join(cells))
    if lang == "py" and len(rs) > 1:
        first, last = rows[(lang, ours, rs[0])]["after_kb"], rows[(lang, ours, rs[-1])]["after_kb"]
        growth = (last - first) / first
        print(f"tlsm after: round {rs[0]} {mb(first).strip()} MB -> round {rs[-1]} {mb(last).strip()} MB ({growth:+.1%})")
        if growth > 0.05:
            missed.append(f"py: tlsm grew {growth:+.1%} over the rounds")
            checks["py flat"] = False
print()
print("goals: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
v = list(checks.values())
print(f"{v.count(True)} passed, {v.count(False)} failed, {v.count(None)} skipped")
sys.exit(1 if missed else 0)
PY
