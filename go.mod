// The Go module of tlsm (package tlsm in go/, the testing kit in go/tlsmtest). It sits at
// the repository root so that the C core (core/) is inside the module: cgo compiles it
// from the module's own files, which is all a module proxy serves. See go/README.md.
module tlsm.example/tlsm

go 1.24
