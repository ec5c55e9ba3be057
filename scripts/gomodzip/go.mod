// A helper of scripts/test-go.sh, its own module so that it is not part of the tlsm
// module (and so that tlsm itself needs no dependency).
module tlsm.example/scripts/gomodzip

go 1.24

require golang.org/x/mod v0.27.0
