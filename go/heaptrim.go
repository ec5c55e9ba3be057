package tlsm

// Returning the C heap's free memory to the system after connections close.
//
// An engine's state is in C memory, and cgo runs C calls on whichever OS thread the
// goroutine is on, so a busy server spreads its engines over many glibc malloc arenas
// (one per thread that allocated, up to 8 per core). When the connections close, the
// memory is free for malloc but most of it stays in the process: glibc gives an arena's
// memory back only from its top, and Go's scavenger, which returns freed Go memory, does
// not see C's. Measured with bench/load-bindings.sh (500 connections, closed, then GC and
// debug.FreeOSMemory): 17-26 MB kept, growing over rounds, against 11 MB for crypto/tls.
//
// So once many engines have been freed, at least half of those that were live since the
// last trim, the free memory of every arena is released (malloc_trim). That is one pass
// over the free lists per such wave of closes, on a goroutine of its own, at most one at
// a time and at most one per trimInterval: a server at a steady level of connections
// trims once per turnover of its whole population; a program with one connection at a
// time trims at most ten times per second. Outside glibc it does nothing.

/*
#include "hooks.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"time"
)

const (
	trimMinFreed = 64                     // engines freed before a trim is worth it (unless none are left)
	trimInterval = 100 * time.Millisecond // between two trims
)

var heapTrim struct {
	live    atomic.Int64 // engines not freed yet
	freed   atomic.Int64 // engines freed since the last trim
	pending atomic.Bool  // a trim is scheduled or running
	mu      sync.Mutex   // guards last
	last    time.Time    // when the last trim started
	runs    atomic.Int64 // trims done (for tests)
}

// engineAllocated counts a new engine.
func engineAllocated() { heapTrim.live.Add(1) }

// engineFreed counts a freed engine and schedules a trim when enough have gone.
func engineFreed() {
	live := heapTrim.live.Add(-1)
	freed := heapTrim.freed.Add(1)
	if freed < live || (freed < trimMinFreed && live > 0) {
		return
	}
	if !heapTrim.pending.CompareAndSwap(false, true) {
		return
	}
	heapTrim.mu.Lock()
	wait := time.Until(heapTrim.last.Add(trimInterval))
	heapTrim.mu.Unlock()
	if wait < 0 {
		wait = 0
	}
	time.AfterFunc(wait, trimHeap)
}

// trimHeap releases the C heap's free memory.
func trimHeap() {
	heapTrim.mu.Lock()
	heapTrim.last = time.Now()
	heapTrim.mu.Unlock()
	heapTrim.freed.Store(0)
	C.tlsmgo_release_free_memory()
	heapTrim.runs.Add(1)
	heapTrim.pending.Store(false)
}
