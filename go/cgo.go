package tlsm

// The C side: tlsm.h from the core, and hooks.c in this directory. The core itself is
// compiled by the internal/ccore package (see its documentation and README.md).

/*
#cgo CFLAGS: -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -I${SRCDIR}/../core/include
#include <stdlib.h>
#include "hooks.h"
*/
import "C"

import (
	"strings"
	"unsafe"

	_ "tlsm.example/tlsm/go/internal/ccore" // links the C core
)

// cbytes copies p into C memory (nil for an empty slice); free it with C.free.
func cbytes(p []byte) (*C.uint8_t, C.size_t) {
	if len(p) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(C.CBytes(p)), C.size_t(len(p))
}

// goBytes copies n bytes of C memory into a new Go slice.
func goBytes(p *C.uint8_t, n C.size_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n))
}

// cview is a Go view of C memory; it must not outlive the next engine call.
func cview(p *C.uint8_t, n C.size_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// cString copies s into C memory as a NUL-terminated string (free it with C.free). A NUL
// inside s is refused: C would read only what comes before it, so
// "localhost\x00.attacker.example" would be checked as "localhost".
func cString(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, argErr("%s %q contains a NUL byte", what, s)
	}
	return C.CString(s), nil
}

// Version returns the version of the C core, e.g. "0.1.0".
func Version() string { return C.GoString(C.tlsm_version_string()) }
