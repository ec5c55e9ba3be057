// Package pki is the committed test PKI (made by scripts/gen-test-pki.sh) as files
// embedded in the Go module, so that the Go testing kit (go/tlsmtest) finds it wherever
// the module is: in this repository, in the module cache, vendored. Go's embedding can
// only reach files in a package's own directory, hence this file next to the PKI.
package pki

import "embed"

// FS holds the certificates and the keys of the server and client identities (not the
// CA keys): ca.crt, intermediate.crt, server-KIND.{crt,chain.pem,key} for KIND ed25519,
// p256, p384, rsa and rsapss, and client.{crt,chain.pem,key}.
//
//go:embed ca.crt intermediate.crt server-*.crt server-*.chain.pem server-*.key client.crt client.chain.pem client.key
var FS embed.FS
