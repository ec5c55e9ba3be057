package tlsm

/*
#include "hooks.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"sync"
	"unsafe"

	"tlsm.example/tlsm/go/internal/native"
)

// freezeMu orders the first connection made from a C config (which freezes it) after
// any change the testing kit still makes to that config (tlsm_pair_new turns on tracing
// and the key log): the C core allows changes only before the first connection and does
// not lock them. Once a config is frozen, connections are made without the lock.
var freezeMu sync.Mutex

// newConn makes a connection from the config (server_name may be nil).
func (n *nativeConfig) newConn(serverName *C.char) *C.tlsm_conn {
	defer runtime.KeepAlive(n)
	if n.frozen.Load() {
		return C.tlsm_conn_new(n.c, serverName)
	}
	freezeMu.Lock()
	defer freezeMu.Unlock()
	c := C.tlsm_conn_new(n.c, serverName)
	if c != nil {
		n.frozen.Store(true)
	}
	return c
}

func init() {
	native.PairConfigs = pairConfigs
	native.ConnError = func(conn unsafe.Pointer, code int) error {
		return connError((*C.tlsm_conn)(conn), C.int(code))
	}
}

// pairConfigs is native.PairConfigs (for package tlsmtest).
func pairConfigs(client, server any, create func(client, server unsafe.Pointer) bool) (any, error) {
	cc, ok1 := client.(*Config)
	sc, ok2 := server.(*Config)
	if !ok1 || !ok2 || cc == nil || sc == nil {
		return nil, errors.New("tlsm: nil Config")
	}
	cn, err := cc.nativeFor(false)
	if err != nil {
		return nil, err
	}
	sn, err := sc.nativeFor(true)
	if err != nil {
		return nil, err
	}
	freezeMu.Lock()
	defer freezeMu.Unlock()
	if create(unsafe.Pointer(cn.c), unsafe.Pointer(sn.c)) {
		cn.frozen.Store(true)
		sn.frozen.Store(true)
	}
	return [2]*nativeConfig{cn, sn}, nil
}
