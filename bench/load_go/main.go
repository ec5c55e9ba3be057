// Command load_go measures the memory of a Go TLS echo server under load: tlsm.Listen
// against crypto/tls's tls.Listen, with the same handler, the same certificate (the test
// PKI's server-p256) and the same clients. bench/load-bindings.sh runs it.
//
// Usage: load_go -impl tlsm|std [-conns 500] [-rounds 1] [-msgs 4] [-size 1024] [-timeout 120s]
//
// The process is the server; it listens on 127.0.0.1 on a free port and starts a copy of
// itself (-client) as a separate process, so the clients' memory is not counted. The
// clients use crypto/tls (TLS 1.3) in both cases. Each round: every client connects, does
// the handshake and -msgs echo round trips of -size bytes, and holds its connection until
// all of them are up; the server reads its RSS then (the peak is VmHWM, which includes the
// handshakes), the clients close, the server waits until every handler has returned, runs
// runtime.GC and debug.FreeOSMemory, and reads its RSS again.
//
// Output, one line per round: "go IMPL round R peak_kb K held_kb K after_kb K heap_kb K"
// (peak = VmHWM, held = VmRSS with all connections up, after = VmRSS after closing and GC,
// heap = Go's HeapInuse after). Bounded: loopback only, -conns connections, -timeout.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/go/tlsmtest"
)

func main() {
	impl := flag.String("impl", "tlsm", "server implementation: tlsm or std (crypto/tls)")
	conns := flag.Int("conns", 500, "concurrent connections")
	rounds := flag.Int("rounds", 1, "rounds of connect, hold, close")
	msgs := flag.Int("msgs", 4, "echo round trips per connection")
	size := flag.Int("size", 1024, "bytes per echo message")
	timeout := flag.Duration("timeout", 120*time.Second, "give up after this long")
	client := flag.String("client", "", "internal: run the clients against this address")
	flag.Parse()
	if *conns < 1 || *conns > 5000 || *rounds < 1 || *rounds > 20 || *size < 1 || *size > 1<<16 {
		fail(errors.New("conns must be 1..5000, rounds 1..20, size 1..65536"))
	}
	time.AfterFunc(*timeout, func() { fail(fmt.Errorf("timed out after %v", *timeout)) })
	if *client != "" {
		runClients(*client, *conns, *rounds, *msgs, *size)
		return
	}
	runServer(*impl, *conns, *rounds, *msgs, *size)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "load_go:", err)
	os.Exit(1)
}

// procKB reads a "Name:   N kB" line of /proc/self/status.
func procKB(name string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return -1
}

// echo answers every message with the same bytes until the peer closes.
func echo(c net.Conn, active *sync.WaitGroup) {
	defer active.Done()
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func runServer(impl string, conns, rounds, msgs, size int) {
	cert, err := tlsmtest.KeyPair("server-p256")
	if err != nil {
		fail(err)
	}
	var ln net.Listener
	switch impl {
	case "tlsm":
		ln, err = tlsm.Listen("tcp", "127.0.0.1:0", &tlsm.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tlsm.VersionTLS13, MaxVersion: tlsm.VersionTLS13,
			FixedTime: tlsmtest.FixedTime,
		})
	case "std":
		ln, err = tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
			Time: func() time.Time { return tlsmtest.FixedTime },
		})
	default:
		fail(fmt.Errorf("unknown -impl %q", impl))
	}
	if err != nil {
		fail(err)
	}
	defer ln.Close()

	var active sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			active.Add(1)
			go echo(c, &active)
		}
	}()

	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	cmd := exec.Command(self, "-client", ln.Addr().String(), "-conns", strconv.Itoa(conns),
		"-rounds", strconv.Itoa(rounds), "-msgs", strconv.Itoa(msgs), "-size", strconv.Itoa(size))
	cmd.Stderr = os.Stderr
	toClients, err := cmd.StdinPipe()
	if err != nil {
		fail(err)
	}
	fromClients, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	lines := bufio.NewScanner(fromClients)
	var m runtime.MemStats
	for r := 1; r <= rounds; r++ {
		if _, err := io.WriteString(toClients, "connect\n"); err != nil {
			fail(err)
		}
		// "held": all clients are connected and have echoed.
		if !lines.Scan() || lines.Text() != "held" {
			fail(fmt.Errorf("round %d: the clients stopped (%q)", r, lines.Text()))
		}
		peak, held := procKB("VmHWM"), procKB("VmRSS")
		if _, err := io.WriteString(toClients, "close\n"); err != nil {
			fail(err)
		}
		if !lines.Scan() || lines.Text() != "closed" {
			fail(fmt.Errorf("round %d: the clients did not close", r))
		}
		active.Wait()
		time.Sleep(500 * time.Millisecond) // what runs after closes (timers, trims) has run
		runtime.GC()
		debug.FreeOSMemory()
		runtime.ReadMemStats(&m)
		fmt.Printf("go %s round %d peak_kb %d held_kb %d after_kb %d heap_kb %d threads %d\n",
			impl, r, peak, held, procKB("VmRSS"), m.HeapInuse/1024, procKB("Threads"))
	}
	toClients.Close()
	if err := cmd.Wait(); err != nil {
		fail(fmt.Errorf("clients: %w", err))
	}
}

// runClients connects conns crypto/tls clients per round (when the server says "connect"
// on stdin: it has seen every handler of the previous round return); it says "held" on stdout when
// all are connected and echoed, closes them on "close" from stdin, then says "closed".
func runClients(addr string, conns, rounds, msgs, size int) {
	roots := x509.NewCertPool()
	ca, err := tlsmtest.PKIFile("ca.crt")
	if err != nil || !roots.AppendCertsFromPEM(ca) {
		fail(fmt.Errorf("test PKI ca.crt: %v", err))
	}
	cfg := &tls.Config{
		RootCAs: roots, ServerName: tlsmtest.ServerName,
		MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
		Time:                   func() time.Time { return tlsmtest.FixedTime },
		SessionTicketsDisabled: true, // every connection is a full handshake
	}
	in := bufio.NewScanner(os.Stdin)
	msg := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	for r := 0; r < rounds; r++ {
		if !in.Scan() || in.Text() != "connect" {
			fail(errors.New("no connect from the server"))
		}
		held := make([]*tls.Conn, conns)
		var wg sync.WaitGroup
		var failed atomic.Int32
		sem := make(chan struct{}, 64) // handshakes in flight (the listen backlog)
		for i := range held {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sem <- struct{}{}
				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 30 * time.Second}, "tcp", addr, cfg)
				<-sem
				if err != nil {
					fmt.Fprintln(os.Stderr, "dial:", err)
					failed.Add(1)
					return
				}
				held[i] = c
				got := make([]byte, size)
				for k := 0; k < msgs; k++ {
					if _, err := c.Write(msg); err != nil {
						failed.Add(1)
						return
					}
					if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
						fmt.Fprintln(os.Stderr, "echo:", err)
						failed.Add(1)
						return
					}
				}
			}(i)
		}
		wg.Wait()
		if failed.Load() > 0 {
			fail(fmt.Errorf("%d of %d connections failed", failed.Load(), conns))
		}
		fmt.Println("held")
		if !in.Scan() || in.Text() != "close" {
			fail(errors.New("no close from the server"))
		}
		for _, c := range held {
			c.Close()
		}
		fmt.Println("closed")
	}
}
