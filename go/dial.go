package tlsm

import (
	"context"
	"errors"
	"net"
)

type listener struct {
	net.Listener
	config *Config
}

// Accept waits for the next connection and returns it as a server-side *Conn (the
// handshake runs on its first Read or Write).
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Server(c, l.config), nil
}

// NewListener returns a listener whose connections are server-side TLS connections over
// the ones inner accepts.
func NewListener(inner net.Listener, config *Config) net.Listener {
	return &listener{Listener: inner, config: config}
}

// Listen listens on the given network address (net.Listen) and wraps its connections
// with Server. config must hold a certificate.
func Listen(network, laddr string, config *Config) (net.Listener, error) {
	if config == nil || len(config.Certificates) == 0 {
		return nil, errors.New("tlsm: Listen needs a Config with Certificates")
	}
	l, err := net.Listen(network, laddr)
	if err != nil {
		return nil, err
	}
	return NewListener(l, config), nil
}

// Dial connects to addr and runs the handshake. If config.ServerName is empty, the host
// part of addr is the name sent and verified.
func Dial(network, addr string, config *Config) (*Conn, error) {
	return dial(context.Background(), new(net.Dialer), network, addr, config)
}

// DialWithDialer is Dial with a net.Dialer whose Timeout and Deadline also bound the
// handshake.
func DialWithDialer(dialer *net.Dialer, network, addr string, config *Config) (*Conn, error) {
	return dial(context.Background(), dialer, network, addr, config)
}

// A Dialer dials TLS connections with a net.Dialer and a Config.
type Dialer struct {
	NetDialer *net.Dialer // nil: a zero net.Dialer
	Config    *Config
}

// Dial connects and runs the handshake.
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

// DialContext connects and runs the handshake; ctx bounds both.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := d.NetDialer
	if nd == nil {
		nd = new(net.Dialer)
	}
	c, err := dial(ctx, nd, network, addr, d.Config)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

func dial(ctx context.Context, nd *net.Dialer, network, addr string, config *Config) (*Conn, error) {
	if config == nil {
		return nil, errors.New("tlsm: nil Config")
	}
	if nd.Timeout != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, nd.Timeout)
		defer cancel()
	}
	if !nd.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, nd.Deadline)
		defer cancel()
	}
	raw, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	name := config.ServerName
	if name == "" {
		name = addr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			name = host
		}
	}
	c := &Conn{conn: raw, config: config, serverName: name}
	if err := c.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return c, nil
}
