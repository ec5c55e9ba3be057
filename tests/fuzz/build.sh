#!/bin/sh
# build.sh - builds the libFuzzer targets of tests/fuzz/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, against the core sources (core/src/**/*.c) compiled with
# coverage instrumentation. Conventions for targets: see run.sh.
#
# Usage: tests/fuzz/build.sh [fuzz_name ...]    (default: every tests/fuzz/fuzz_*.c)
# Output: $TLSM_FUZZ_OUT (default <repo>/build-fuzz)/fuzz_<name>; CC overrides clang.
# Every target is linked with what the targets share, tests/fuzz/common/*.c.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TLSM_FUZZ_OUT:-$root/build-fuzz}
cc=${CC:-clang}
jobs=${JOBS:-2}

# Same language level and warnings as the CMake build; the sanitizers abort on the first
# finding so that libFuzzer records it as a crash. Warnings are errors in the targets; in
# the core they are only shown, because the CMake build (gcc) is where the core's warnings
# are enforced and a clang-only warning must not stop a fuzzing run.
cflags="-std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Wshadow -Wvla \
  -I$root/core/include -I$root/core/src"
libs="$(pkg-config --libs libsodium nettle hogweed) -lgmp"
deps="$(pkg-config --cflags libsodium nettle hogweed)"

mkdir -p "$out/obj"

# The core is compiled once with -fsanitize=fuzzer-no-link (coverage, no main) and shared
# by every target. Object names keep the source path so two files with one name differ.
objs=""
srcs=$(cd "$root" && find core/src -name '*.c' | sort)
for src in $srcs; do
    objs="$objs $out/obj/$(echo "$src" | tr '/' '_').o"
done
echo "$srcs" | tr ' ' '\n' | xargs -P "$jobs" -I{} sh -c '
    obj="$1/obj/$(echo "$2" | tr "/" "_").o"
    if [ ! -f "$obj" ] || [ "$3/$2" -nt "$obj" ] || find "$3/core" -name "*.h" -newer "$obj" | grep -q .; then
        echo "  CC $2"
        $4 $5 $6 -DTLSM_BUILDING -fsanitize=fuzzer-no-link -c "$3/$2" -o "$obj"
    fi' sh "$out" {} "$root" "$cc" "$cflags" "$deps"

if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')
fi
common=$(ls "$here"/common/*.c)
for t in $targets; do
    echo "  LD $t"
    # shellcheck disable=SC2086
    $cc $cflags -Werror -fsanitize=fuzzer "$here/$t.c" $common $objs $libs -o "$out/$t"
done
