//! TLS over tokio (cargo feature `tokio`), in the style of `tokio-rustls`: a
//! [`TlsConnector`] and a [`TlsAcceptor`] run the handshake over any
//! `AsyncRead + AsyncWrite` transport and give a [`TlsStream`], itself `AsyncRead +
//! AsyncWrite` over plaintext. `shutdown()` sends close_notify before shutting the
//! transport down.
//!
//! ```no_run
//! # async fn demo(ca_pem: &[u8]) -> std::io::Result<()> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! let config = tlsm::ClientConfig::builder().trust_pem(ca_pem).build()?;
//! let tcp = tokio::net::TcpStream::connect("example.com:443").await?;
//! let mut tls = tlsm::tokio::TlsConnector::new(config).connect("example.com", tcp).await?;
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n").await?;
//! let mut page = Vec::new();
//! tls.read_to_end(&mut page).await?;
//! tls.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Errors are `io::Error`s whose inner error is a [`crate::Error`]
//! ([`Error::from_io`](crate::Error::from_io) finds it); a transport that ends without
//! close_notify reads as `UnexpectedEof`.
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::{ClientConfig, Connection, ServerConfig};

/// Makes client connections: [`connect`](Self::connect) runs the handshake.
#[derive(Clone, Debug)]
pub struct TlsConnector {
    config: ClientConfig,
}

impl TlsConnector {
    /// A connector with this config (shared by every connection it makes).
    pub fn new(config: ClientConfig) -> TlsConnector {
        TlsConnector { config }
    }

    /// Runs a client handshake with `server_name` (sent as SNI and checked against the
    /// certificate) over `io` and returns the stream once it is done.
    pub async fn connect<IO>(&self, server_name: &str, io: IO) -> io::Result<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        let conn = Connection::client(&self.config, server_name)?;
        TlsStream::handshake(conn, io).await
    }
}

impl From<ClientConfig> for TlsConnector {
    fn from(config: ClientConfig) -> TlsConnector {
        TlsConnector::new(config)
    }
}

/// Accepts server connections: [`accept`](Self::accept) runs the handshake.
#[derive(Clone, Debug)]
pub struct TlsAcceptor {
    config: ServerConfig,
}

impl TlsAcceptor {
    /// An acceptor with this config (shared by every connection it accepts).
    pub fn new(config: ServerConfig) -> TlsAcceptor {
        TlsAcceptor { config }
    }

    /// Runs a server handshake over `io` and returns the stream once it is done.
    pub async fn accept<IO>(&self, io: IO) -> io::Result<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        let conn = Connection::server(&self.config)?;
        TlsStream::handshake(conn, io).await
    }
}

impl From<ServerConfig> for TlsAcceptor {
    fn from(config: ServerConfig) -> TlsAcceptor {
        TlsAcceptor::new(config)
    }
}

/// A TLS connection over an async transport: plaintext in and out through `AsyncRead` /
/// `AsyncWrite`. Dropping it does not send close_notify: call `shutdown()`.
#[derive(Debug)]
pub struct TlsStream<IO> {
    conn: Connection,
    io: IO,
    /// close_notify has been queued (shutdown started).
    closing: bool,
    /// The transport reached end of stream.
    eof: bool,
}

impl<IO> TlsStream<IO> {
    /// The TLS connection (version, cipher suite, peer certificates, ALPN...).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The transport.
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// The transport, mutably (reading or writing it directly breaks the TLS stream).
    pub fn get_mut(&mut self) -> &mut IO {
        &mut self.io
    }

    /// Both halves back.
    pub fn into_inner(self) -> (IO, Connection) {
        (self.io, self.conn)
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> TlsStream<IO> {
    async fn handshake(conn: Connection, io: IO) -> io::Result<TlsStream<IO>> {
        let mut stream = TlsStream { conn, io, closing: false, eof: false };
        poll_fn(|cx| stream.poll_handshake(cx)).await?;
        Ok(stream)
    }

    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_send(cx))?;
            if let Some(e) = self.conn.error() {
                return Poll::Ready(Err(e.into()));
            }
            let st = self.conn.status();
            if !st.handshaking() {
                // Whatever the handshake queued last (a server's tickets) goes out with the
                // first write or flush.
                return Poll::Ready(Ok(()));
            }
            if st.blocked() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "the handshake waits for external signing or verification, which the tokio adapters do not answer",
                )));
            }
            if self.eof {
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::UnexpectedEof, "transport closed during the TLS handshake")));
            }
            ready!(self.poll_receive(cx))?;
        }
    }

    /// Writes every pending byte of ciphertext to the transport.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let out = self.conn.output();
            if out.is_empty() {
                return Poll::Ready(Ok(()));
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &out))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            out.consume(n)?;
        }
    }

    /// Reads once from the transport straight into the engine's input buffer; at end of
    /// stream, tells the engine (a clean close or truncation, as it decides). An input
    /// buffer with no room left while nothing else can move is an error, not a busy loop.
    fn poll_receive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut input = self.conn.input_buffer();
        if input.is_empty() {
            return Poll::Ready(Err(io::Error::other("the TLS engine's input buffer is full")));
        }
        let n = {
            let mut buf = ReadBuf::new(&mut input[..]);
            ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
            buf.filled().len()
        };
        if n > 0 {
            // A failure is reported with the connection's whole story (the certificate
            // problem behind the alert), as Connection::error() tells it.
            if let Err(e) = input.commit(n) {
                // The alert that tells the peer why is queued: send it if the transport
                // takes it now (best effort; the error is what matters here).
                let _ = self.poll_send(cx);
                return Poll::Ready(Err(self.conn.error().unwrap_or(e).into()));
            }
            return Poll::Ready(Ok(()));
        }
        self.eof = true;
        // A truncation error stays in the connection, where the reader finds it.
        let _ = self.conn.feed_eof();
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let pt = this.conn.plaintext();
            if !pt.is_empty() {
                let n = pt.len().min(buf.remaining());
                buf.put_slice(&pt[..n]);
                pt.consume(n)?;
                // Anything the engine queued meanwhile (a KeyUpdate answer) goes out later.
                return Poll::Ready(Ok(()));
            }
            // What reading produced to send (KeyUpdate answers, alerts) goes out first; a
            // transport that cannot take it now does not stop reading.
            if let Poll::Ready(Err(e)) = this.poll_send(cx) {
                return Poll::Ready(Err(e));
            }
            if let Some(e) = this.conn.error() {
                return Poll::Ready(Err(e.into()));
            }
            if this.conn.status().closed() || this.eof {
                return Poll::Ready(Ok(())); // close_notify received: end of stream
            }
            ready!(this.poll_receive(cx))?;
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<IO> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let n = this.conn.write_plaintext(buf)?;
            if n > 0 {
                // Start sending; what the transport does not take now stays queued in the
                // engine and goes out with the next write or flush.
                if let Poll::Ready(Err(e)) = this.poll_send(cx) {
                    return Poll::Ready(Err(e));
                }
                return Poll::Ready(Ok(n));
            }
            // The engine's output is full: drain it, then offer the data again.
            ready!(this.poll_send(cx))?;
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.closing {
            this.closing = true;
            match this.conn.close() {
                Err(e) if !e.is_closed() && this.conn.error().is_none() => return Poll::Ready(Err(e.into())),
                _ => {} // queued, or already closed or failed: send what is pending anyway
            }
        }
        ready!(this.poll_send(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
