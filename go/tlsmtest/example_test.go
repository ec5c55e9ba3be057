package tlsmtest_test

import (
	"errors"
	"fmt"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/go/tlsmtest"
)

// A corrupted server Finished in TLS 1.2: the client detects it and sends bad_record_mac.
func ExampleNewPair() {
	client, server, err := tlsmtest.DefaultConfigs(tlsm.VersionTLS12)
	if err != nil {
		panic(err)
	}
	p, err := tlsmtest.NewPair(client, server)
	if err != nil {
		panic(err)
	}
	defer p.Close()
	if err := p.AddFault("corrupt:-1@s2c:msg=Finished"); err != nil {
		panic(err)
	}
	err = p.Run()
	fmt.Println(errors.Is(err, tlsm.AlertBadRecordMAC))
	c, s := p.Report(tlsmtest.Client), p.Report(tlsmtest.Server)
	fmt.Println(c.AlertSent == tlsm.AlertBadRecordMAC, s.AlertReceived == tlsm.AlertBadRecordMAC)
	fmt.Printf("client sent %v, server received %v, server sent %v\n", c.AlertSent, s.AlertReceived, s.AlertSent)
	fmt.Println(s.HandshakeDone, c.HandshakeDone)
	// Output:
	// true
	// true true
	// client sent bad_record_mac, server received bad_record_mac, server sent none
	// true false
}
