#!/usr/bin/env bash
# Installs what tlsm needs to build and test on Debian (run as root, or with sudo available):
# the C toolchain, libsodium, Nettle (with GMP), Criterion, SWIG, the OpenSSL and GnuTLS
# command-line peers for interop tests, and clang with libFuzzer for the fuzz targets.
# Packages already present are left alone, so a second run is quick.
set -euo pipefail

pkgs=(build-essential cmake pkg-config libsodium-dev nettle-dev libgmp-dev libcriterion-dev
      openssl libssl-dev gnutls-bin libnss3-tools swig clang python3 python3-venv python3-dev
      tshark valgrind curl ninja-build)
# libFuzzer's runtime: the package name follows clang's version.
clang_major=$( (clang --version 2>/dev/null || true) | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ -n "$clang_major" ] && ! dpkg-query -W -f='${Status}' "libclang-rt-$clang_major-dev" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("libclang-rt-$clang_major-dev")
fi

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    # tshark asks whether non-root users may capture; the tests only read files: no.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
    # clang may have come with this run: its libFuzzer runtime is a separate package.
    clang_major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
    if ! dpkg-query -W -f='${Status}' "libclang-rt-$clang_major-dev" 2>/dev/null | grep -q "install ok installed"; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "libclang-rt-$clang_major-dev" || true
    fi
fi
echo "dependencies ready"
