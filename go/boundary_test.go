package tlsm

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// Misuse at the Go/C boundary, as a user could write it: a NUL byte inside a name that C
// would read only up to the NUL ("localhost\x00.attacker.example" checked as
// "localhost"). Each is refused with an error matching ErrArg that names the value.

const nulName = "localhost\x00.attacker.example"

func wantNULError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("a name with a NUL byte was accepted")
	}
	if !errors.Is(err, ErrArg) {
		t.Fatalf("error %v does not match ErrArg", err)
	}
	if !strings.Contains(err.Error(), "NUL") || !strings.Contains(err.Error(), `\x00.attacker.example`) {
		t.Fatalf("error %q does not name the value and the NUL", err)
	}
}

func TestNULInServerNameEngine(t *testing.T) {
	cfg := clientConfig(t, 0)
	cfg.ServerName = nulName
	_, err := NewClientEngine(cfg)
	wantNULError(t, err)
}

func TestNULInServerNameConn(t *testing.T) {
	ca, sa := net.Pipe()
	defer sa.Close()
	cfg := clientConfig(t, 0)
	cfg.ServerName = nulName
	c := Client(ca, cfg)
	defer c.Close()
	wantNULError(t, c.Handshake())
}

func TestNULInDialAddressHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Close()
		}
	}()
	cfg := clientConfig(t, 0)
	cfg.ServerName = nulName
	_, err = Dial("tcp", l.Addr().String(), cfg)
	wantNULError(t, err)
}

func TestNULInVerifyName(t *testing.T) {
	chain := [][]byte{pemDER(t, "server-p256.crt"), pemDER(t, "intermediate.crt")}
	_, err := VerifyChain(chain, VerifyOptions{Roots: testCAs(t), Name: nulName, CurrentTime: fixedNow})
	wantNULError(t, err)
}
