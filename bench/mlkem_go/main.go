// Command mlkemgo times Go's crypto/mlkem ML-KEM-768 for tlsm-bench (bench/mlkem.c runs
// it in the same rotation as tlsm's, see scripts/bench.sh). Each operation is timed as a
// TLS 1.3 endpoint uses it:
//
//	keygen  GenerateKey768 (the client's key share, randomness included)
//	encaps  NewEncapsulationKey768 on the client's bytes + Encapsulate (the server)
//	decaps  Decapsulate with the key kept from keygen (the client)
//
// Usage: mlkemgo -ms N -runs R. Prints, for each run, one line
// "go keygen US encaps US decaps US" (microseconds per operation). tlsm-bench runs it with
// -runs 1 between its own runs, so that both see the same machine load.
package main

import (
	"crypto/mlkem"
	"flag"
	"fmt"
	"time"
)

var sink byte

// perOp runs f for about ms milliseconds and returns microseconds per call.
func perOp(ms int, f func()) float64 {
	f() // warm-up
	n := 0
	start := time.Now()
	end := start.Add(time.Duration(ms) * time.Millisecond)
	for {
		for i := 0; i < 16; i++ {
			f()
		}
		n += 16
		if now := time.Now(); now.After(end) {
			return float64(now.Sub(start).Microseconds()) / float64(n)
		}
	}
}

func main() {
	ms := flag.Int("ms", 200, "milliseconds per operation and run")
	runs := flag.Int("runs", 5, "runs")
	flag.Parse()

	dk, err := mlkem.GenerateKey768()
	if err != nil {
		panic(err)
	}
	ekBytes := dk.EncapsulationKey().Bytes()
	_, ct := dk.EncapsulationKey().Encapsulate()

	for r := 0; r < *runs; r++ {
		keygen := perOp(*ms, func() {
			k, err := mlkem.GenerateKey768()
			if err != nil {
				panic(err)
			}
			sink ^= k.EncapsulationKey().Bytes()[0]
		})
		encaps := perOp(*ms, func() {
			ek, err := mlkem.NewEncapsulationKey768(ekBytes)
			if err != nil {
				panic(err)
			}
			ss, _ := ek.Encapsulate()
			sink ^= ss[0]
		})
		decaps := perOp(*ms, func() {
			ss, err := dk.Decapsulate(ct)
			if err != nil {
				panic(err)
			}
			sink ^= ss[0]
		})
		fmt.Printf("go keygen %.2f encaps %.2f decaps %.2f\n", keygen, encaps, decaps)
	}
}
