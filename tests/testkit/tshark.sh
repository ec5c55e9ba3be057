#!/bin/sh
# tshark.sh - checks that the testing kit's pcap and key log let Wireshark decrypt an
# in-memory conversation. For TLS 1.3 and TLS 1.2, write_capture.c (built here with cc
# against the static library of a CMake build) runs a handshake with application data both
# ways through tlsm_pair and writes a pcap, a key log and a ladder; tshark must then show
# the decrypted handshake messages and the application data.
# tshark is installed from Debian when missing (wireshark-common's setuid question is
# answered "no" beforehand). Last line: "N passed, N failed, N skipped".
#
# Usage: tests/testkit/tshark.sh     Environment: CC (default cc), TLSM_TESTKIT_BUILD (a
# build directory with libtlsm.a; default <repo>/build-testkit, configured here if needed).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TLSM_TESTKIT_BUILD:-$root/build-testkit}
cc=${CC:-cc}
passed=0 failed=0 skipped=0

pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; }
finish() { echo "$passed passed, $failed failed, $skipped skipped"; exit $([ "$failed" -eq 0 ] && echo 0 || echo 1); }

if ! command -v tshark >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    $sudo apt-get update -q >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q tshark >/dev/null 2>&1
fi
if ! command -v tshark >/dev/null 2>&1; then
    echo "tshark is not available and could not be installed"
    skipped=2
    finish
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DTLSM_TESTS=OFF -DTLSM_CLI=OFF -DCMAKE_BUILD_TYPE=Debug \
        >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; fail "configure"; finish; }
fi
if ! cmake --build "$build" --target tlsm_static -j 2 >"$build/testkit-build.log" 2>&1; then
    tail -20 "$build/testkit-build.log"
    fail "build libtlsm.a"
    finish
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046
if ! $cc -std=c11 -D_DEFAULT_SOURCE -g -Wall -Wextra -Wshadow -Wvla -Wformat=2 -Werror \
    -I"$root/core/include" "$here/write_capture.c" "$build/libtlsm.a" \
    $(pkg-config --libs libsodium nettle hogweed) -lgmp -o "$work/write_capture"; then
    fail "build write_capture"
    finish
fi

# Every pattern must appear in the decrypted dissection (-V) or the decrypted bytes (-x).
expect() { # label, file, pattern...
    label=$1 file=$2
    shift 2
    missing=""
    for pat in "$@"; do
        grep -q -- "$pat" "$file" || missing="$missing [$pat]"
    done
    if [ -z "$missing" ]; then pass "$label"; else fail "$label: missing$missing"; fi
}

for v in 13 12; do
    pcap=$work/tls$v.pcap keys=$work/tls$v.keys
    if ! "$work/write_capture" "$root/tests/data/pki" "$v" "$pcap" "$keys" "$work/tls$v.ladder"; then
        fail "TLS 1.${v#1}: write_capture"
        continue
    fi
    tshark -r "$pcap" -o "tls.keylog_file:$keys" -Y tls -V >"$work/tls$v.txt" 2>&1
    tshark -r "$pcap" -o "tls.keylog_file:$keys" -Y tls -x >"$work/tls$v.hex" 2>&1
    if [ "$v" = 13 ]; then
        expect "TLS 1.3: decrypted handshake" "$work/tls13.txt" \
            "Handshake Type: Client Hello" "Handshake Type: Server Hello" \
            "Handshake Type: Encrypted Extensions" "Handshake Type: Certificate (11)" \
            "Handshake Type: Certificate Verify" "Handshake Type: Finished" \
            "Handshake Type: New Session Ticket" "Supported Version: TLS 1.3"
    else
        expect "TLS 1.2: decrypted handshake" "$work/tls12.txt" \
            "Handshake Type: Client Hello" "Handshake Type: Server Hello" \
            "Handshake Type: Certificate (11)" "Handshake Type: Server Key Exchange" \
            "Handshake Type: Client Key Exchange" "Handshake Type: Finished" \
            "Version: TLS 1.2"
    fi
    expect "TLS 1.${v#1}: decrypted application data" "$work/tls$v.hex" \
        "testkit-ping" "testkit-pong"
    expect "TLS 1.${v#1}: close_notify" "$work/tls$v.txt" "Description: Close Notify"
done
finish
