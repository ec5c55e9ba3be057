package tlsm_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	tlsm "tlsm.example/tlsm/go"
)

// A tlsm server and a tlsm client over an in-memory pipe; any net.Conn works the same
// way (a TCP connection, a Unix socket, a tunnel).
func Example() {
	pki := "../tests/data/pki/"
	cert, err := tls.LoadX509KeyPair(pki+"server-p256.chain.pem", pki+"server-p256.key")
	if err != nil {
		log.Fatal(err)
	}
	ca, err := os.ReadFile(pki + "ca.crt")
	if err != nil {
		log.Fatal(err)
	}
	roots := tlsm.NewCertPool()
	roots.AppendCertsFromPEM(ca)

	clientSide, serverSide := net.Pipe()
	go func() {
		s := tlsm.Server(serverSide, &tlsm.Config{Certificates: []tls.Certificate{cert}})
		defer s.Close()
		io.Copy(s, s) // echo until the client's close_notify
	}()

	c := tlsm.Client(clientSide, &tlsm.Config{Roots: roots, ServerName: "localhost"})
	defer c.Close()
	if _, err := io.WriteString(c, "hello"); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		log.Fatal(err)
	}
	st := c.ConnectionState()
	fmt.Printf("%s, TLS %x, %s, server %s\n", buf, st.Version, tlsm.CipherSuiteName(st.CipherSuite),
		st.PeerCertificates[0].Subject.CommonName)
	// Output: hello, TLS 304, TLS_AES_128_GCM_SHA256, server server.tlsm.test
}

// The sans-IO engine: the host moves the bytes. Here two engines talk in memory; with a
// socket, Feed what arrived and send what AppendOutput returns.
func ExampleEngine() {
	pki := "../tests/data/pki/"
	cert, err := tls.LoadX509KeyPair(pki+"server-ed25519.chain.pem", pki+"server-ed25519.key")
	if err != nil {
		log.Fatal(err)
	}
	server, err := tlsm.NewServerEngine(&tlsm.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()
	client, err := tlsm.NewClientEngine(&tlsm.Config{InsecureSkipVerify: true, MaxVersion: tlsm.VersionTLS12})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// move sends everything one side has to the other.
	move := func(from, to *tlsm.Engine) {
		for out := from.AppendOutput(nil); len(out) > 0; {
			n, err := to.Feed(out)
			if err != nil {
				log.Fatal(err)
			}
			out = out[n:]
		}
	}
	for !client.HandshakeComplete() || !server.HandshakeComplete() {
		move(client, server)
		move(server, client)
	}
	// TLS 1.2 sends its NewSessionTicket before the server's Finished.
	for ev := client.NextEvent(); ev.Kind != tlsm.EventNone; ev = client.NextEvent() {
		fmt.Println("client event:", ev.Kind)
	}

	client.Write([]byte("ping"))
	move(client, server)
	buf := make([]byte, 16)
	n, _ := server.Read(buf)
	fmt.Printf("server read %q over %s\n", buf[:n], tlsm.CipherSuiteName(server.CipherSuite()))
	// Output:
	// client event: new_ticket
	// client event: handshake_done
	// server read "ping" over TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
}
