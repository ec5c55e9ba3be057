// Command mlkemdiff is the differential test of tlsm's ML-KEM (ML-KEM-768 and
// ML-KEM-1024, -set) against Go's crypto/mlkem (run by tests/mlkem_diff/run.sh, a counted
// suite of scripts/test.sh).
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
//
// With -kat N it prints N known answers of Go's crypto/mlkem for the parameter set instead
// (fixed seeds and messages, no peer): the values tests/unit/test_mlkem_kat.c holds.
package main

import (
	"bufio"
	"bytes"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/rand"
	"crypto/sha3"
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
	ssLen   = mlkem.SharedKeySize
	q       = 3329
)

// decapsulationKey is what the test needs of Go's two key types.
type decapsulationKey interface {
	Decapsulate(ciphertext []byte) ([]byte, error)
	ekBytes() []byte
}

type dk768 struct{ *mlkem.DecapsulationKey768 }

func (d dk768) ekBytes() []byte { return d.EncapsulationKey().Bytes() }

type dk1024 struct{ *mlkem.DecapsulationKey1024 }

func (d dk1024) ekBytes() []byte { return d.EncapsulationKey().Bytes() }

// paramSet is one ML-KEM parameter set as Go offers it, with FIPS 203's sizes.
type paramSet struct {
	name                string
	k                   int
	ekLen, dkLen, ctLen int
	newKey              func(seed []byte) (decapsulationKey, error)
	checkEK             func(ek []byte) error
	encapsulate         func(ek, m []byte) (ss, ct []byte, err error)
}

var sets = map[string]paramSet{
	"768": {"ML-KEM-768", 3, mlkem.EncapsulationKeySize768, 2400, mlkem.CiphertextSize768,
		func(seed []byte) (decapsulationKey, error) {
			d, err := mlkem.NewDecapsulationKey768(seed)
			return dk768{d}, err
		},
		func(ek []byte) error { _, err := mlkem.NewEncapsulationKey768(ek); return err },
		func(ek, m []byte) ([]byte, []byte, error) {
			key, err := mlkem.NewEncapsulationKey768(ek)
			if err != nil {
				return nil, nil, err
			}
			return mlkemtest.Encapsulate768(key, m)
		}},
	"1024": {"ML-KEM-1024", 4, mlkem.EncapsulationKeySize1024, 3168, mlkem.CiphertextSize1024,
		func(seed []byte) (decapsulationKey, error) {
			d, err := mlkem.NewDecapsulationKey1024(seed)
			return dk1024{d}, err
		},
		func(ek []byte) error { _, err := mlkem.NewEncapsulationKey1024(ek); return err },
		func(ek, m []byte) ([]byte, []byte, error) {
			key, err := mlkem.NewEncapsulationKey1024(ek)
			if err != nil {
				return nil, nil, err
			}
			return mlkemtest.Encapsulate1024(key, m)
		}},
}

// The records of tests/mlkem_diff/mlkem_peer.c, fields in this order, each of its set's
// size, no padding.
type request struct {
	Seed, M, CtGo, CtRandom, CtFlipped, EkMod []byte
}

type response struct {
	Ek, Dk, Ct, Ss, SsGo, SsRandom, SsFlipped []byte
	EkModOK                                   []byte // one byte, 1 if tlsm accepted EkMod
	CtOwn, SsOwn                              []byte
}

func newResponse(ps paramSet) *response {
	return &response{make([]byte, ps.ekLen), make([]byte, ps.dkLen), make([]byte, ps.ctLen),
		make([]byte, ssLen), make([]byte, ssLen), make([]byte, ssLen), make([]byte, ssLen),
		make([]byte, 1), make([]byte, ps.ctLen), make([]byte, ssLen)}
}

// What Go expects for one request.
type expected struct {
	dk        decapsulationKey
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
func newCase(ps paramSet, rng *mrand.ChaCha8) (*request, *expected) {
	req := &request{make([]byte, seedLen), make([]byte, msgLen), nil, make([]byte, ps.ctLen),
		make([]byte, ps.ctLen), make([]byte, ps.ekLen)}
	rng.Read(req.Seed)
	rng.Read(req.M)
	rng.Read(req.CtRandom)
	dk := must(ps.newKey(req.Seed))
	ek := dk.ekBytes()
	ss, ct, err := ps.encapsulate(ek, req.M)
	must(0, err)
	req.CtGo = ct
	copy(req.CtFlipped, ct)
	bit := rng.Uint64() % uint64(ps.ctLen*8)
	req.CtFlipped[bit/8] ^= 1 << (bit % 8)

	// One of the 256k 12-bit coefficients rewritten: half the time to a value >= q, which
	// the FIPS 203 s.7.2 modulus check must refuse, else to another value below q.
	copy(req.EkMod, ek)
	i := int(rng.Uint64() % uint64(256*ps.k))
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

	return req, &expected{
		dk:        dk,
		ek:        ek,
		ss:        ss,
		ssRandom:  must(dk.Decapsulate(req.CtRandom)),
		ssFlipped: must(dk.Decapsulate(req.CtFlipped)),
		ekModOK:   ps.checkEK(req.EkMod) == nil,
	}
}

// compare returns, per check, whether this case passed it.
func compare(ps paramSet, req *request, want *expected, got *response) []bool {
	h := sha3.Sum256(want.ek)
	vec := 384 * ps.k
	layout := bytes.Equal(got.Dk[vec:vec+ps.ekLen], want.ek) &&
		bytes.Equal(got.Dk[vec+ps.ekLen:vec+ps.ekLen+32], h[:]) &&
		bytes.Equal(got.Dk[vec+ps.ekLen+32:], req.Seed[32:])
	goSide, err := want.dk.Decapsulate(got.CtOwn)
	return []bool{
		bytes.Equal(got.Ek, want.ek),
		layout,
		bytes.Equal(got.Ct, req.CtGo) && bytes.Equal(got.Ss, want.ss),
		bytes.Equal(got.SsGo, want.ss),
		bytes.Equal(got.SsRandom, want.ssRandom),
		bytes.Equal(got.SsFlipped, want.ssFlipped),
		err == nil && bytes.Equal(goSide, got.SsOwn),
		(got.EkModOK[0] == 1) == want.ekModOK,
	}
}

// printKAT prints n known answers: seed[i] = case + i, m[i] = 2 case + 3 i (bytes), and
// SHA3-256 of ek and of the ciphertext, the shared secret, and the implicit rejection key
// of the ciphertext with its last byte's low bit flipped.
func printKAT(ps paramSet, n int) {
	for c := 0; c < n; c++ {
		seed, m := make([]byte, seedLen), make([]byte, msgLen)
		for i := range seed {
			seed[i] = byte(c + i)
		}
		for i := range m {
			m[i] = byte(2*c + 3*i)
		}
		dk := must(ps.newKey(seed))
		ek := dk.ekBytes()
		ss, ct, err := ps.encapsulate(ek, m)
		must(0, err)
		// Go does not export the expanded dk: it is dk_PKE || ek || H(ek) || z, and
		// dk_PKE is checked through decapsulation (the shared secrets) instead.
		ct[len(ct)-1] ^= 1
		rej := must(dk.Decapsulate(ct))
		ct[len(ct)-1] ^= 1
		hek, hct := sha3.Sum256(ek), sha3.Sum256(ct)
		fmt.Printf("    {%d, \"%x\",\n     \"%x\",\n     \"%x\",\n     \"%x\"},\n", c, hek, hct, ss, rej)
	}
}

func main() {
	peer := flag.String("peer", "", "path to the mlkem_peer program")
	n := flag.Int("n", 3000, "number of cases")
	seconds := flag.Float64("seconds", 30, "stop sending new cases after this long")
	seedHex := flag.String("seed", "", "32-byte hex seed of the case generator (random if empty)")
	setName := flag.String("set", "768", "parameter set: 768 or 1024")
	kat := flag.Int("kat", 0, "print this many known answers of Go and exit (no peer)")
	flag.Parse()
	ps, ok := sets[*setName]
	if !ok {
		fmt.Fprintln(os.Stderr, "mlkemdiff: -set must be 768 or 1024")
		os.Exit(2)
	}
	if *kat > 0 {
		printKAT(ps, *kat)
		return
	}
	if *peer == "" {
		fmt.Fprintln(os.Stderr, "usage: mlkemdiff -peer PATH [-set 768|1024] [-n N] [-seconds S] [-seed HEX]")
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
	fmt.Printf("mlkem diff %s: case generator seed %x (replay with -seed)\n", ps.name, genSeed)
	rng := mrand.NewChaCha8(genSeed)

	cmd := exec.Command(*peer, *setName)
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
			req, want := newCase(ps, rng)
			for _, f := range [][]byte{req.Seed, req.M, req.CtGo, req.CtRandom, req.CtFlipped, req.EkMod} {
				must(w.Write(f))
			}
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
		got := newResponse(ps)
		for _, f := range [][]byte{got.Ek, got.Dk, got.Ct, got.Ss, got.SsGo, got.SsRandom,
			got.SsFlipped, got.EkModOK, got.CtOwn, got.SsOwn} {
			if _, err := io.ReadFull(r, f); err != nil {
				fmt.Fprintln(os.Stderr, "mlkemdiff: reading the peer:", err)
				os.Exit(1)
			}
		}
		for i, ok := range compare(ps, s.req, s.want, got) {
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
	fmt.Printf("mlkem diff: %d cases of %s (tlsm and Go %s)\n", cases, ps.name, "crypto/mlkem")
	fmt.Printf("%d passed, %d failed, 0 skipped\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
