#!/bin/sh
# gen_seeds.sh - regenerates what the connection and PKI fuzz targets are seeded with:
# tests/fuzz/corpus/fuzz_<target>/, seed inputs written by gen_seeds.c, which runs real
# in-memory handshakes against the very connection setup of each target (the targets' own
# files are compiled in, entry points renamed) and records the records in flight. (The
# test PKI the targets embed, fuzz_pki_pem.h, comes from scripts/embed-test-pki.sh.)
# The core comes from a normal CMake build (static library) in $TLSM_SEEDS_BUILD (default
# <repo>/build-seeds, configured without tests or CLI). Run it after changing a target's
# input format or the core's handshake bytes, then commit the corpus.
#
# Usage: tests/fuzz/gen_seeds.sh     Environment: CC (default gcc), TLSM_SEEDS_BUILD.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TLSM_SEEDS_BUILD:-$root/build-seeds}
cc=${CC:-gcc}
pki=$root/tests/data/pki

# 1. The core library.
# The configure log stays inside the build directory (ignored by git), not beside it.
if [ ! -f "$build/CMakeCache.txt" ]; then
    mkdir -p "$build"
    cmake -S "$root" -B "$build" -DTLSM_TESTS=OFF -DTLSM_CLI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
fi
cmake --build "$build" --target tlsm_static -j 2 >"$build/build-seeds.log" 2>&1 ||
    { cat "$build/build-seeds.log" >&2; exit 1; }

# 2. The generator, with the connection targets compiled in under other entry-point names
# and what the targets share (common/*.c).
cflags="-std=c11 -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Wshadow -Wvla -Werror \
  -I$root/core/include -I$root/core/src $(pkg-config --cflags libsodium nettle hogweed)"
libs="$build/libtlsm.a $(pkg-config --libs libsodium nettle hogweed) -lgmp"
obj=$build/gen_seeds_obj
mkdir -p "$obj"
for t in fuzz_conn_server fuzz_conn_client fuzz_pair; do
    # shellcheck disable=SC2086
    $cc $cflags -DLLVMFuzzerTestOneInput=${t}_run -DLLVMFuzzerInitialize=${t}_init \
        -c "$here/$t.c" -o "$obj/$t.o"
done
# shellcheck disable=SC2086
$cc $cflags "$here/gen_seeds.c" "$obj/fuzz_conn_server.o" "$obj/fuzz_conn_client.o" \
    "$obj/fuzz_pair.o" "$here"/common/*.c $libs -o "$obj/gen_seeds"

# 3. The seeds (replaced as a whole, so that a stale seed never lingers).
for t in fuzz_conn_server fuzz_conn_client fuzz_pair fuzz_x509 fuzz_hs_codec; do
    rm -rf "$here/corpus/$t"
    mkdir -p "$here/corpus/$t"
done
mkdir -p "$here/regressions/fuzz_conn_client"
"$obj/gen_seeds" "$here/corpus" "$pki" "$here/regressions/fuzz_conn_client"
du -sh "$here/corpus"
