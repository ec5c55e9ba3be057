package tlsm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A Conn is a TLS connection over any net.Conn (TCP, pipes, in-memory transports), the
// counterpart of crypto/tls.Conn. It implements net.Conn. The handshake runs on the first
// Read or Write, or explicitly with Handshake or HandshakeContext.
//
// One goroutine may Read while another Writes. The engine is guarded by a mutex that is
// never held across I/O on the underlying connection; deadlines are those of the
// underlying connection.
type Conn struct {
	conn       net.Conn
	config     *Config
	server     bool
	serverName string // client: the name sent and verified

	handshakeMu   sync.Mutex
	handshakeErr  error       // guarded by handshakeMu
	handshakeDone atomic.Bool // set once, after a successful handshake

	mu     sync.Mutex // guards eng, state and chains
	eng    *Engine
	state  ConnectionState // snapshot after the handshake, kept after Close
	chains *lazyChains     // its VerifiedChains, built on first use

	inMu  sync.Mutex // serializes reading from conn (Read and the handshake)
	rawIn []byte     // ciphertext read from conn that the engine has not taken yet (inMu)

	outMu        sync.Mutex // serializes writing to conn, keeping record order
	outBuf       []byte
	writeErr     error // sticky transport write error, guarded by outMu
	pendingFlush atomic.Bool

	closed atomic.Bool
}

// Client returns a client-side TLS connection over conn. config must set ServerName or
// InsecureSkipVerify.
func Client(conn net.Conn, config *Config) *Conn {
	name := ""
	if config != nil {
		name = config.ServerName
	}
	return &Conn{conn: conn, config: config, serverName: name}
}

// Server returns a server-side TLS connection over conn. config must hold a certificate.
func Server(conn net.Conn, config *Config) *Conn {
	return &Conn{conn: conn, config: config, server: true}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.conn }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the underlying connection. A Write
// that times out may have sent part of a record: the connection cannot be written again.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// Handshake runs the handshake if it has not run yet. Most uses need not call it: Read
// and Write do.
func (c *Conn) Handshake() error { return c.HandshakeContext(context.Background()) }

// HandshakeContext runs the handshake if it has not run yet. If ctx is done before the
// handshake completes, the underlying connection is closed to interrupt it and ctx's
// error is returned. Once the handshake has completed, ctx has no effect.
func (c *Conn) HandshakeContext(ctx context.Context) (err error) {
	if c.handshakeDone.Load() {
		return nil
	}
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.handshakeErr != nil {
		return c.handshakeErr
	}
	if c.handshakeDone.Load() {
		return nil
	}
	if c.closed.Load() {
		return net.ErrClosed
	}
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		stop := make(chan struct{})
		interrupted := make(chan error, 1)
		go func() {
			select {
			case <-ctx.Done():
				_ = c.conn.Close()
				interrupted <- ctx.Err()
			case <-stop:
				interrupted <- nil
			}
		}()
		defer func() {
			close(stop)
			if ctxErr := <-interrupted; ctxErr != nil {
				err = ctxErr
				c.handshakeErr = ctxErr
			}
		}()
	}
	c.inMu.Lock()
	err = c.runHandshake()
	c.inMu.Unlock()
	if err != nil {
		c.handshakeErr = err
		return err
	}
	c.handshakeDone.Store(true)
	return nil
}

// runHandshake drives the engine until the handshake is done or fails. inMu is held.
func (c *Conn) runHandshake() error {
	if c.config == nil {
		return errors.New("tlsm: nil Config")
	}
	eng, err := newEngine(c.config, c.server, c.serverName)
	if err != nil {
		return err
	}
	if !c.server && c.config.ClientSessionCache != nil && !c.config.SessionTicketsDisabled {
		if blob, ok := c.config.ClientSessionCache.Get(c.sessionKey()); ok && blob != nil {
			if eng.SetSession(blob) != nil {
				c.config.ClientSessionCache.Put(c.sessionKey(), nil)
			}
		}
	}
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		eng.Close()
		return net.ErrClosed
	}
	c.eng = eng
	c.mu.Unlock()

	for {
		c.mu.Lock()
		if c.eng.c == nil {
			c.mu.Unlock()
			return net.ErrClosed
		}
		ev := c.takeEvents()
		herr := c.eng.Err()
		done := c.eng.HandshakeComplete()
		var raw [][]byte
		if ev.verify {
			raw = c.eng.RawPeerCertificates()
		}
		c.mu.Unlock()
		c.storeSession(ev.session)
		if herr != nil {
			_ = c.flush() // the alert that tells the peer why
			return herr
		}
		// The engine's questions are answered in Go without holding mu (crypto/x509, the
		// application's callback, a crypto.Signer may take their time); only the answer
		// goes back under it.
		if ev.verify {
			chains, alert, verr := c.eng.native.verifyPeer(raw, c.serverName)
			c.mu.Lock()
			err := c.eng.verified(chains, alert, verr)
			c.mu.Unlock()
			if err != nil {
				_ = c.flush()
				return err
			}
			continue
		}
		if ev.sign {
			if err := c.sign(); err != nil {
				// The engine cannot be told that signing failed (it would stay blocked and
				// send nothing): close the transport so that the peer is not left waiting.
				_ = c.conn.Close()
				return err
			}
			continue
		}
		if done {
			c.mu.Lock()
			c.state = c.eng.connectionState()
			c.chains = c.eng.verifiedChains()
			c.mu.Unlock()
			if c.server && c.state.Version == VersionTLS13 {
				c.sendTicketsAsync()
				return nil
			}
			return c.flush()
		}
		if err := c.flush(); err != nil {
			return err
		}
		if err := c.readTransport(); err != nil {
			return err
		}
	}
}

// sendTicketsAsync sends what a TLS 1.3 server has left once its handshake is done: only
// post-handshake messages (NewSessionTicket), which the client does not wait for. They go
// out from a goroutine holding the output lock, so that a Write queues behind them and
// keeps the record order, while the handshake returns at once: over a synchronous
// transport (net.Pipe) a client that writes before it reads would otherwise deadlock with
// a server blocked on sending its tickets.
func (c *Conn) sendTicketsAsync() {
	c.outMu.Lock()
	c.mu.Lock()
	out := c.eng.AppendOutput(nil)
	c.mu.Unlock()
	if len(out) == 0 {
		c.unlockOut()
		return
	}
	go func() {
		defer c.unlockOut()
		if _, err := c.conn.Write(out); err != nil {
			c.writeErr = err
		}
	}()
}

// sessionKey names this client's sessions in the ClientSessionCache.
func (c *Conn) sessionKey() string {
	if c.serverName != "" {
		return c.serverName
	}
	return c.conn.RemoteAddr().String()
}

type events struct {
	session []byte // a new resumable session (client)
	verify  bool   // the engine waits for a verdict on the peer's chain
	sign    bool   // the engine waits for a signature
}

// sign answers the engine's external-signing request with the Config's crypto.Signer.
func (c *Conn) sign() error {
	c.mu.Lock()
	scheme, msg, err := c.eng.signRequest()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	sig, err := c.eng.native.sign(scheme, msg)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eng.SignDone(sig)
}

// takeEvents drains the engine's events. mu is held.
func (c *Conn) takeEvents() events {
	var out events
	for {
		ev := c.eng.NextEvent()
		switch ev.Kind {
		case EventNone:
			return out
		case EventNewTicket:
			if !c.server && c.config.ClientSessionCache != nil {
				if blob, err := c.eng.Session(); err == nil {
					out.session = blob
				}
			}
		case EventVerifyPeer:
			out.verify = true
		case EventSign:
			out.sign = true
		}
	}
}

func (c *Conn) storeSession(blob []byte) {
	if blob != nil {
		c.config.ClientSessionCache.Put(c.sessionKey(), blob)
	}
}

// feedLocked offers buffered ciphertext to the engine. mu is held. It reports whether
// the engine took any.
func (c *Conn) feedLocked() (bool, error) {
	if len(c.rawIn) == 0 {
		return false, nil
	}
	n, err := c.eng.Feed(c.rawIn)
	if n > 0 {
		c.rawIn = c.rawIn[:copy(c.rawIn, c.rawIn[n:])]
	}
	return n > 0, err
}

// Reads from the transport offer at least minRead bytes of room, in a buffer that grows
// by readSize: a little over four full records.
const (
	minRead  = 17 << 10
	readSize = 68 << 10
)

// readTransport moves ciphertext from the underlying connection into the engine: the
// buffered rest first, else one Read. At end of stream the engine learns it (a clean
// close or truncation). It returns only transport errors; engine errors stay in the
// engine. inMu is held; mu is not.
func (c *Conn) readTransport() error {
	c.mu.Lock()
	if c.eng.c == nil {
		c.mu.Unlock()
		return net.ErrClosed
	}
	// Engine errors are sticky: the caller finds them in the engine (and sends the alert).
	took, err := c.feedLocked()
	c.mu.Unlock()
	if took || err != nil {
		return nil
	}
	// Read straight into rawIn's free space (only holders of inMu touch rawIn), and take
	// whatever the transport has, several records at once: the sender is not kept
	// waiting while this side decrypts, so both sides compute at the same time.
	if cap(c.rawIn)-len(c.rawIn) < minRead {
		c.rawIn = append(make([]byte, 0, len(c.rawIn)+readSize), c.rawIn...)
	}
	n, rerr := c.conn.Read(c.rawIn[len(c.rawIn):cap(c.rawIn)])
	c.rawIn = c.rawIn[:len(c.rawIn)+n]
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eng.c == nil {
		return net.ErrClosed
	}
	if n > 0 {
		if _, err := c.feedLocked(); err != nil {
			return nil
		}
	}
	if rerr == io.EOF {
		_ = c.eng.FeedEOF() // clean close or truncation, as the engine decides
		return nil
	}
	if rerr != nil && c.closed.Load() {
		return net.ErrClosed
	}
	return rerr
}

// flush sends everything the engine has to send, in order. It blocks until it has the
// output lock.
func (c *Conn) flush() error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.flushLocked()
}

// flushLocked is flush with outMu held.
func (c *Conn) flushLocked() error {
	for {
		c.pendingFlush.Store(false)
		if c.writeErr != nil {
			return c.writeErr
		}
		c.mu.Lock()
		c.outBuf = c.eng.AppendOutput(c.outBuf[:0])
		c.mu.Unlock()
		if len(c.outBuf) == 0 {
			return nil
		}
		if _, err := c.conn.Write(c.outBuf); err != nil {
			c.writeErr = err
			return err
		}
	}
}

// flushSoon sends the engine's output without waiting behind a writer: if a Write holds
// the output lock, it sends this output when it is done.
func (c *Conn) flushSoon() {
	c.pendingFlush.Store(true)
	if c.outMu.TryLock() {
		_ = c.flushLocked()
		c.outMu.Unlock()
	}
}

// unlockOut releases the output lock and sends output a reader left behind meanwhile.
func (c *Conn) unlockOut() {
	c.outMu.Unlock()
	if c.pendingFlush.Load() {
		c.flushSoon()
	}
}

// Read reads application data, running the handshake first if needed. It returns io.EOF
// after the peer's close_notify; a transport that ends without one is truncation (an
// error matching io.ErrUnexpectedEOF).
func (c *Conn) Read(b []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	for {
		c.mu.Lock()
		if c.eng.c == nil {
			c.mu.Unlock()
			return 0, net.ErrClosed
		}
		_, ferr := c.feedLocked()
		n, rerr := c.eng.Read(b)
		ev := c.takeEvents()
		hasOut := c.eng.OutputLen() > 0
		c.mu.Unlock()
		c.storeSession(ev.session)
		if hasOut {
			c.flushSoon()
		}
		if n > 0 {
			return n, nil
		}
		if rerr != nil {
			return 0, rerr
		}
		if ferr != nil {
			return 0, ferr
		}
		if err := c.readTransport(); err != nil {
			return 0, err
		}
	}
}

// Write writes application data, running the handshake first if needed.
func (c *Conn) Write(b []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.outMu.Lock()
	defer c.unlockOut()
	if c.writeErr != nil {
		return 0, c.writeErr
	}
	total := 0
	for {
		c.mu.Lock()
		if c.eng.c == nil {
			c.mu.Unlock()
			return total, net.ErrClosed
		}
		n, err := c.eng.Write(b[total:])
		c.outBuf = c.eng.AppendOutput(c.outBuf[:0])
		c.mu.Unlock()
		total += n
		if len(c.outBuf) > 0 {
			if _, werr := c.conn.Write(c.outBuf); werr != nil {
				c.writeErr = werr
				return total, werr
			}
		}
		if err != nil {
			return total, err
		}
		if total == len(b) {
			return total, nil
		}
		if n == 0 && len(c.outBuf) == 0 {
			return total, io.ErrShortWrite
		}
	}
}

var errEarlyCloseWrite = errors.New("tlsm: CloseWrite called before the handshake completed")

// CloseWrite sends close_notify: the peer reads io.EOF, and this side can still read.
// The underlying connection stays open.
func (c *Conn) CloseWrite() error {
	if !c.handshakeDone.Load() {
		return errEarlyCloseWrite
	}
	c.outMu.Lock()
	defer c.unlockOut()
	return c.closeNotifyLocked()
}

// closeNotifyLocked queues close_notify and sends it, waiting at most 5 seconds for the
// transport. outMu is held.
func (c *Conn) closeNotifyLocked() error {
	c.mu.Lock()
	err := c.eng.CloseWrite()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err = c.flushLocked()
	_ = c.conn.SetWriteDeadline(time.Time{})
	return err
}

// Close sends close_notify (when the handshake is complete and no Write is in progress),
// closes the underlying connection and frees the engine.
func (c *Conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return net.ErrClosed
	}
	var alertErr error
	if c.handshakeDone.Load() && c.outMu.TryLock() {
		// A Write in progress means Close is used to interrupt it: no close_notify then.
		// A failed engine has already queued its alert: only transport errors count.
		var engineErr *Error
		if err := c.closeNotifyLocked(); err != nil && !errors.As(err, &engineErr) {
			alertErr = fmt.Errorf("tlsm: could not send close_notify (the connection is closed anyway): %w", err)
		}
		c.outMu.Unlock()
	}
	err := c.conn.Close()
	c.mu.Lock()
	if c.eng != nil {
		c.eng.Close()
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return alertErr
}

// ConnectionState returns the negotiated parameters (zero before the handshake).
func (c *Conn) ConnectionState() ConnectionState {
	c.mu.Lock()
	st, chains := c.state, c.chains
	if c.eng != nil && c.eng.c != nil && c.handshakeDone.Load() {
		st = c.eng.connectionState()
	}
	c.mu.Unlock()
	st.VerifiedChains = chains.get() // without mu: it may verify the chain again
	return st
}

// ExportKeyingMaterial derives keying material from the connection's secrets (RFC 5705,
// RFC 8446 s.7.5); see Engine.ExportKeyingMaterial.
func (c *Conn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if !c.handshakeDone.Load() {
		return nil, ErrState
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eng.ExportKeyingMaterial(label, context, length)
}

// KeyUpdate updates our TLS 1.3 sending keys (askPeer: and asks the peer to update its
// own) and sends the KeyUpdate message.
func (c *Conn) KeyUpdate(askPeer bool) error {
	if err := c.Handshake(); err != nil {
		return err
	}
	c.outMu.Lock()
	defer c.unlockOut()
	c.mu.Lock()
	err := c.eng.KeyUpdate(askPeer)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.flushLocked()
}

// Session returns the client's latest resumable session (see Engine.Session).
func (c *Conn) Session() ([]byte, error) {
	if !c.handshakeDone.Load() {
		return nil, ErrNoSession
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eng.Session()
}
