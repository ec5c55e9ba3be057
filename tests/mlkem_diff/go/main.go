// Command mlkemdiff is the differential test of tlsm's ML-KEM-768 against Go's
// crypto/mlkem (run by tests/mlkem_diff/run.sh, a counted suite of scripts/test.sh).
//
// It starts the C peer (mlkem_peer, built with tlsm) and, for each of -n random cases
// (bounded by -seconds), sends it a seed, a message, three ciphertexts and an
// encapsulation key with one coefficient rewritten, and checks what comes back against Go:
//
//	same keys        tlsm's ek from Go's seed is Go's ek
//	dk layout        tlsm's dk is dk_PKE || ek || H(ek) || z with Go's ek and the seed's z
//	same encaps      with Go's message tlsm gives Go's ciphertext and shared secret
//	decaps of Go     tlsm decapsulates Go's ciphertext to Go's shared secret
//	random ct        tlsm's implicit rejection of a random ciphertext gives Go's key
//	flipped ct       the same for Go's ciphertext with one bit flipped
//	Go decaps tlsm   Go decapsulates tlsm's ciphertext (tlsm's own randomness) to tlsm's key
//	modulus check    tlsm and Go accept or refuse the rewritten key alike
//
// The cases come from a ChaCha8 generator whose seed is printed (and can be given with
// -seed) so that a failure can be replayed. The last line is
// "N passed, N failed, N skipped", one count per check above.
package main

import (
	"bufio"
	"bytes"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/rand"
	"crypto/sha3"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"time"
)

const (
	seedLen = mlkem.SeedSize
	msgLen  = 32
	ekLen   = mlkem.EncapsulationKeySize768
	dkLen   = 2400
	ctLen   = mlkem.CiphertextSize768
	ssLen   = mlkem.SharedKeySize
	q       = 3329
)

// The records of tests/mlkem_diff/mlkem_peer.c (struct request, struct response).
type request struct {
	Seed      [seedLen]byte
	M         [msgLen]byte
	CtGo      [ctLen]byte
	CtRandom  [ctLen]byte
	CtFlipped [ctLen]byte
	EkMod     [ekLen]byte
}

type response struct {
	Ek        [ekLen]byte
	Dk        [dkLen]byte
	Ct        [ctLen]byte
	Ss        [ssLen]byte
	SsGo      [ssLen]byte
	SsRandom  [ssLen]byte
	SsFlipped [ssLen]byte
	EkModOK   uint8
	CtOwn     [ctLen]byte
	SsOwn     [ssLen]byte
}

// What Go expects for one request.
type expected struct {
	dk        *mlkem.DecapsulationKey768
	ek        []byte
	ss        []byte
	ssRandom  []byte
	ssFlipped []byte
	ekModOK   bool
}

var checks = []string{"same keys", "dk layout", "same encaps", "decaps of Go", "random ct",
	"flipped ct", "Go decaps tlsm", "modulus check"}

func must[T any](v T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mlkemdiff:", err)
		os.Exit(2)
	}
	return v
}

// newCase draws one request and computes Go's answers.
func newCase(rng *mrand.ChaCha8) (*request, *expected) {
	var req request
	rng.Read(req.Seed[:])
	rng.Read(req.M[:])
	rng.Read(req.CtRandom[:])
	dk := must(mlkem.NewDecapsulationKey768(req.Seed[:]))
	ek := dk.EncapsulationKey().Bytes()
	ss, ct := func() ([]byte, []byte) {
		s, c, err := mlkemtest.Encapsulate768(dk.EncapsulationKey(), req.M[:])
		must(0, err)
		return s, c
	}()
	copy(req.CtGo[:], ct)
	copy(req.CtFlipped[:], ct)
	bit := rng.Uint64() % (ctLen * 8)
	req.CtFlipped[bit/8] ^= 1 << (bit % 8)

	// One of the 768 12-bit coefficients rewritten: half the time to a value >= q, which
	// the FIPS 203 s.7.2 modulus check must refuse, else to another value below q.
	copy(req.EkMod[:], ek)
	i := int(rng.Uint64() % 768)
	v := uint16(rng.Uint64() % q)
	if rng.Uint64()%2 == 0 {
		v = q + uint16(rng.Uint64()%(4096-q))
	}
	b := req.EkMod[3*(i/2):]
	if i%2 == 0 {
		b[0] = byte(v)
		b[1] = b[1]&0xf0 | byte(v>>8)
	} else {
		b[1] = b[1]&0x0f | byte(v<<4)
		b[2] = byte(v >> 4)
	}
	_, err := mlkem.NewEncapsulationKey768(req.EkMod[:])

	return &req, &expected{
		dk:        dk,
		ek:        ek,
		ss:        ss,
		ssRandom:  must(dk.Decapsulate(req.CtRandom[:])),
		ssFlipped: must(dk.Decapsulate(req.CtFlipped[:])),
		ekModOK:   err == nil,
	}
}

// compare returns, per check, whether this case passed it.
func compare(req *request, want *expected, got *response) []bool {
	h := sha3.Sum256(want.ek)
	layout := bytes.Equal(got.Dk[1152:2336], want.ek) && bytes.Equal(got.Dk[2336:2368], h[:]) &&
		bytes.Equal(got.Dk[2368:], req.Seed[32:])
	goSide, err := want.dk.Decapsulate(got.CtOwn[:])
	return []bool{
		bytes.Equal(got.Ek[:], want.ek),
		layout,
		bytes.Equal(got.Ct[:], req.CtGo[:]) && bytes.Equal(got.Ss[:], want.ss),
		bytes.Equal(got.SsGo[:], want.ss),
		bytes.Equal(got.SsRandom[:], want.ssRandom),
		bytes.Equal(got.SsFlipped[:], want.ssFlipped),
		err == nil && bytes.Equal(goSide, got.SsOwn[:]),
		(got.EkModOK == 1) == want.ekModOK,
	}
}

func main() {
	peer := flag.String("peer", "", "path to the mlkem_peer program")
	n := flag.Int("n", 3000, "number of cases")
	seconds := flag.Float64("seconds", 30, "stop sending new cases after this long")
	seedHex := flag.String("seed", "", "32-byte hex seed of the case generator (random if empty)")
	flag.Parse()
	if *peer == "" {
		fmt.Fprintln(os.Stderr, "usage: mlkemdiff -peer PATH [-n N] [-seconds S] [-seed HEX]")
		os.Exit(2)
	}
	var genSeed [32]byte
	if *seedHex != "" {
		b := must(hex.DecodeString(*seedHex))
		if len(b) != 32 {
			must(0, fmt.Errorf("-seed needs 32 bytes"))
		}
		copy(genSeed[:], b)
	} else {
		rand.Read(genSeed[:])
	}
	fmt.Printf("mlkem diff: case generator seed %x (replay with -seed)\n", genSeed)
	rng := mrand.NewChaCha8(genSeed)

	cmd := exec.Command(*peer)
	cmd.Stderr = os.Stderr
	stdin := must(cmd.StdinPipe())
	stdout := must(cmd.StdoutPipe())
	must(0, cmd.Start())

	// Cases are generated and sent by one goroutine while this one reads the answers, so
	// Go and the C peer work at the same time.
	type sent struct {
		req  *request
		want *expected
	}
	queue := make(chan sent, 64)
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	go func() {
		w := bufio.NewWriter(stdin)
		for i := 0; i < *n && time.Now().Before(deadline); i++ {
			req, want := newCase(rng)
			must(0, binary.Write(w, binary.LittleEndian, req))
			must(0, w.Flush())
			queue <- sent{req, want}
		}
		close(queue)
		stdin.Close()
	}()

	failures := make([]int, len(checks))
	cases := 0
	r := bufio.NewReader(stdout)
	for s := range queue {
		var got response
		if err := binary.Read(r, binary.LittleEndian, &got); err != nil {
			fmt.Fprintln(os.Stderr, "mlkemdiff: reading the peer:", err)
			os.Exit(1)
		}
		for i, ok := range compare(s.req, s.want, &got) {
			if !ok {
				if failures[i] < 3 {
					fmt.Printf("FAIL %s: case %d, seed %x, m %x\n", checks[i], cases, s.req.Seed, s.req.M)
				}
				failures[i]++
			}
		}
		cases++
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		must(0, err)
	}
	peerErr := cmd.Wait()

	passed, failed := 0, 0
	for i, name := range checks {
		status := "ok"
		if failures[i] > 0 || cases == 0 {
			status = fmt.Sprintf("FAILED in %d of %d cases", failures[i], cases)
			failed++
		} else {
			passed++
		}
		fmt.Printf("  %-15s %s\n", name, status)
	}
	if peerErr != nil {
		fmt.Println("  mlkem_peer:", peerErr)
		failed++
	}
	fmt.Printf("mlkem diff: %d cases (tlsm and Go %s)\n", cases, "crypto/mlkem")
	fmt.Printf("%d passed, %d failed, 0 skipped\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
