// Package ccore compiles the tlsm C core (../../../core/src) into the Go build.
//
// cgo compiles every .c file of a package directory, and only those, so this directory
// holds one generated wrapper per core source file: crypto_aead.c is the single line
// `#include "../../../core/src/crypto/aead.c"`. One wrapper per file (rather than one
// unity file) keeps each core file its own translation unit, so file-local (static) names
// in different core files cannot collide. gen.go writes the wrappers; run
//
//	go generate ./internal/ccore
//
// after adding or removing a file under core/src (the test suite checks the list).
//
// The package exports nothing to Go: package tlsm declares the public C API through
// tlsm.h and the linker resolves it against the objects built here.
package ccore

/*
#cgo CFLAGS: -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wvla -Werror
#cgo CFLAGS: -I${SRCDIR}/../../../core/include -I${SRCDIR}/../../../core/src
#cgo pkg-config: libsodium nettle hogweed
#cgo LDFLAGS: -lgmp -lpthread
*/
import "C"

//go:generate go run gen.go
