package tlsmtest

import (
	"crypto/tls"
	"fmt"
	"io/fs"
	"time"

	tlsm "tlsm.example/tlsm/go"
	"tlsm.example/tlsm/tests/data/pki"
)

// PKI is the committed test PKI (tests/data/pki in the tlsm repository, made by
// scripts/gen-test-pki.sh), embedded in the module so that it is found wherever the
// module is: ca.crt, intermediate.crt, servers with P-256, P-384, RSA, RSA-PSS and Ed25519
// keys (server-KIND.chain.pem, server-KIND.crt and server-KIND.key; names localhost,
// server.tlsm.test, 127.0.0.1, ::1) and a client (client.chain.pem, client.crt,
// client.key).
var PKI fs.FS = pki.FS

// PKIFile returns one file of PKI, e.g. "ca.crt"; a file that is not there is an error.
func PKIFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(PKI, name)
	if err != nil {
		return nil, fmt.Errorf("tlsmtest: test PKI: %w", err)
	}
	return b, nil
}

// FixedTime is the clock of the default configs: inside the test PKI's validity.
var FixedTime = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

// ServerName is the name the default client sends and verifies.
const ServerName = "localhost"

// KeyPair loads the test PKI's chain and key named name: "server-p256", "server-p384",
// "server-rsa", "server-rsapss", "server-ed25519" or "client".
func KeyPair(name string) (tls.Certificate, error) {
	chain, err := PKIFile(name + ".chain.pem")
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := PKIFile(name + ".key")
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(chain, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsmtest: %s: %w", name, err)
	}
	return cert, nil
}

// CAs returns a pool holding the test PKI's root (ca.crt).
func CAs() (*tlsm.CertPool, error) {
	pem, err := PKIFile("ca.crt")
	if err != nil {
		return nil, err
	}
	pool := tlsm.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tlsmtest: no certificate in ca.crt")
	}
	return pool, nil
}

// DefaultConfigs returns a fresh client and server Config over the test PKI, pinned to
// version (tlsm.VersionTLS12 or VersionTLS13; 0 offers both, so TLS 1.3 is spoken): the
// server presents server-p256, the client trusts ca.crt and connects to "localhost", and
// both are deterministic (RandSeed, FixedTime) so that runs replay byte for byte. Change
// the fields before the first use.
func DefaultConfigs(version uint16) (client, server *tlsm.Config, err error) {
	cert, err := KeyPair("server-p256")
	if err != nil {
		return nil, nil, err
	}
	roots, err := CAs()
	if err != nil {
		return nil, nil, err
	}
	client = &tlsm.Config{
		Roots:      roots,
		ServerName: ServerName,
		MinVersion: version, MaxVersion: version,
		RandSeed:  []byte("tlsmtest client"),
		FixedTime: FixedTime,
	}
	server = &tlsm.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   version, MaxVersion: version,
		RandSeed:  []byte("tlsmtest server"),
		FixedTime: FixedTime,
	}
	return client, server, nil
}
