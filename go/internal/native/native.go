// Package native lets the packages of this module that sit next to package tlsm (such as
// tlsmtest) reach the C objects behind tlsm's public types, without exporting C handles
// from package tlsm itself. Package tlsm fills in the hooks when it is initialized, so
// they are set before any package importing tlsm runs.
package native

import "unsafe"

// PairConfigs resolves the C configs (tlsm_config *) of a client and a server
// *tlsm.Config, building them on first use as an engine would, and calls create with
// them while no engine of this process can be freezing them: create may still change
// a config that no connection used yet (tlsm_pair_new turns on tracing and the key log).
// create reports whether it made connections from both configs (which freezes them).
// keep must stay reachable for as long as C may use the configs (it holds the Go objects
// that own them and their deterministic-RNG state). client and server must be
// *tlsm.Config.
var PairConfigs func(client, server any, create func(client, server unsafe.Pointer) bool) (keep any, err error)

// ConnError returns the *tlsm.Error for code, returned by a call on the C connection conn
// (tlsm_conn *): when code is that connection's sticky error, with its certificate problem
// and the reason that ended it (tlsm_conn_error_detail), as package tlsm reports them.
var ConnError func(conn unsafe.Pointer, code int) error
