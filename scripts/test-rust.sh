#!/usr/bin/env bash
# Builds and tests the Rust crates in rust/ (tlsm-sys compiles the C core with the cc
# crate): `cargo clippy --all-targets --all-features -- -D warnings` when clippy is
# installed (the crate has #![warn(missing_docs)]: an undocumented item fails it), `cargo
# doc` with warnings as errors, then `cargo test --all-features` (so the `testing` kit and
# the `tokio` adapters are built and tested too), then the packaged crates: `cargo package`,
# unpacked into a new workspace away from the repository, built and tested there. Ends with one line "N passed, N failed, N skipped" (the sum of cargo's
# "test result:" lines; ignored tests count as skipped) and exits non-zero on any failure.
# Needs cargo, a C compiler, pkg-config, libsodium-dev, nettle-dev and libgmp-dev
# (scripts/install-deps.sh installs the C side).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/rust"

# rustup installs into ~/.cargo/bin, which a non-login shell may not have on PATH.
if ! command -v cargo >/dev/null && [ -x "${HOME:-/root}/.cargo/bin/cargo" ]; then
    PATH="${HOME:-/root}/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust (rustup) to test the Rust binding"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

extra_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if cargo clippy --version >/dev/null 2>&1; then
    echo "== cargo clippy --all-targets --all-features -- -D warnings"
    if ! cargo clippy --quiet --all-targets --all-features -- -D warnings; then
        echo "clippy: FAILED"
        extra_fail=1
    fi
else
    echo "clippy not installed: skipped (rustup component add clippy)"
fi

# The documentation builds without a warning (broken links, missing docs) and shows the
# feature-gated modules (the testing kit, the tokio adapters).
echo "== cargo doc --all-features (warnings are errors)"
if RUSTDOCFLAGS="-D warnings" cargo doc --quiet --all-features --no-deps -p tlsm -p tlsm-sys &&
    [ -f target/doc/tlsm/testing/index.html ] && [ -f target/doc/tlsm/tokio/index.html ]; then
    echo "docs: ok"
else
    echo "docs: FAILED"
    extra_fail=$((extra_fail + 1))
fi

echo "== cargo test --all-features"
cargo test --all-features --no-fail-fast 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}

# The crates as a registry would serve them: cargo package (the C core and the test PKI
# are copied in through the symbolic links rust/tlsm-sys/core and rust/tlsm/test-pki),
# unpacked into a new workspace outside the repository that takes both from their unpacked
# copies (a [patch], as for unpublished crates), built and tested there alone, with a
# crate made of rust/README.md's snippets (its Cargo.toml dependencies, tests/hello.rs).
echo "== cargo package -p tlsm-sys -p tlsm, then build and test the unpacked crates"
pkg_fail=0
ws=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$ws"' EXIT
rm -f target/package/tlsm-*.crate
if cargo package --quiet --no-verify --allow-dirty -p tlsm-sys -p tlsm; then
    for c in target/package/tlsm-sys-*.crate target/package/tlsm-[0-9]*.crate; do
        tar xzf "$c" -C "$ws" || pkg_fail=1
        echo "  $(basename "$c"): $(tar tzf "$c" | wc -l) files"
    done
    sys=$(basename "$ws"/tlsm-sys-*) lib=$(basename "$ws"/tlsm-[0-9]*)
    # A crate of a user: rust/README.md's Cargo.toml dependencies and tests/hello.rs.
    mkdir -p "$ws/hello/src"
    if python3 "$root/scripts/readme_snippets.py" "$root/rust/README.md" "$ws/hello" >/dev/null; then
        { printf '%s\n' '[package]' 'name = "hello"' 'version = "0.1.0"' 'edition = "2021"' ''
          cat "$ws/hello/Cargo.toml"; } >"$ws/hello/Cargo.toml.new" && mv "$ws/hello/Cargo.toml.new" "$ws/hello/Cargo.toml"
        : >"$ws/hello/src/lib.rs"
    else
        echo "rust/README.md: no snippets"
        pkg_fail=1
    fi
    printf '%s\n' '[workspace]' "members = [\"$sys\", \"$lib\", \"hello\"]" 'resolver = "2"' '' \
        '[patch.crates-io]' "tlsm-sys = { path = \"$sys\" }" "tlsm = { path = \"$lib\" }" '' \
        '[profile.test]' 'opt-level = 1' >"$ws/Cargo.toml"
    cp Cargo.lock "$ws/"
    # The sources are in the crate, not behind a link back into the repository.
    if [ -L "$ws/$sys/core" ] || [ ! -f "$ws/$sys/core/include/tlsm.h" ]; then
        echo "tlsm-sys does not carry the C core"
        pkg_fail=1
    fi
    (cd "$ws" && CARGO_TARGET_DIR="$root/rust/target/unpacked" cargo test --all-features --no-fail-fast) >"$ws/test.log" 2>&1
    [ $? -eq 0 ] || pkg_fail=1
    grep -E '^test result|^error|panicked|FAILED' "$ws/test.log" | tail -30
    cat "$ws/test.log" >>"$log"
else
    pkg_fail=1
fi
[ "$pkg_fail" -eq 0 ] || echo "packaged crates: FAILED"

passed=0 failed=0 skipped=0
while read -r p f i; do
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + i))
done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed; \([0-9]*\) ignored.*/\1 \2 \3/p' "$log")

# A build failure or a crashed test binary prints no result line: count it as a failure.
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
failed=$((failed + extra_fail + pkg_fail))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
