//! Blocking `Read + Write` adapters over a [`Connection`] and a transport, in the style of
//! `rustls::Stream` / `rustls::StreamOwned`.
use std::io::{self, Read, Write};

use crate::conn::Connection;

/// A connection and a transport borrowed together; `Read` and `Write` give plaintext and
/// drive the handshake on first use.
#[derive(Debug)]
pub struct Stream<'a, T: Read + Write + ?Sized> {
    /// The TLS connection.
    pub conn: &'a mut Connection,
    /// The transport (e.g. a `TcpStream`).
    pub sock: &'a mut T,
}

impl<'a, T: Read + Write + ?Sized> Stream<'a, T> {
    /// Pairs a connection with a transport.
    pub fn new(conn: &'a mut Connection, sock: &'a mut T) -> Stream<'a, T> {
        Stream { conn, sock }
    }

    fn finish_handshake(&mut self) -> io::Result<()> {
        if !self.conn.handshake_done() {
            self.conn.complete_io(self.sock)?;
            if !self.conn.handshake_done() {
                if let Some(e) = self.conn.error() {
                    return Err(e.into());
                }
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "transport closed during the handshake"));
            }
        }
        Ok(())
    }

    /// Sends close_notify and flushes it to the transport: the peer reads the end of the
    /// stream (a clean one, not truncation). Writing afterwards fails; reading still
    /// returns what the peer sends until it closes too. The transport stays open.
    pub fn close(&mut self) -> io::Result<()> {
        let closed = self.conn.close();
        // close_notify, or the alert of a connection that had failed, goes out either way.
        self.send_output()?;
        self.sock.flush()?;
        match closed {
            Err(e) if !e.is_closed() => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn send_output(&mut self) -> io::Result<()> {
        while self.conn.status().has_output() {
            if self.conn.write_tls(self.sock)? == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
        }
        Ok(())
    }
}

impl<T: Read + Write + ?Sized> Read for Stream<'_, T> {
    /// Returns plaintext; `Ok(0)` after the peer's close_notify, an `UnexpectedEof` error
    /// when the transport ends without one (truncation).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.finish_handshake()?;
        loop {
            let n = self.conn.read_plaintext(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // Anything the engine queued (KeyUpdate answers, alerts) goes out first.
            self.send_output()?;
            self.sock.flush()?;
            if let Some(e) = self.conn.error() {
                return Err(e.into());
            }
            if self.conn.status().closed() {
                return Ok(0);
            }
            if self.conn.read_tls(self.sock)? == 0 {
                self.conn.feed_eof()?;
                return Ok(0);
            }
        }
    }
}

impl<T: Read + Write + ?Sized> Write for Stream<'_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.finish_handshake()?;
        let mut n = self.conn.write_plaintext(buf)?;
        if n == 0 && !buf.is_empty() {
            // Output full: send it, then the engine has room again.
            self.send_output()?;
            n = self.conn.write_plaintext(buf)?;
        }
        self.send_output()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_output()?;
        self.sock.flush()
    }
}

/// Like [`Stream`], owning both halves.
#[derive(Debug)]
pub struct StreamOwned<T: Read + Write> {
    /// The TLS connection.
    pub conn: Connection,
    /// The transport.
    pub sock: T,
}

impl<T: Read + Write> StreamOwned<T> {
    /// Pairs a connection with a transport, taking both.
    pub fn new(conn: Connection, sock: T) -> StreamOwned<T> {
        StreamOwned { conn, sock }
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.sock
    }

    /// The transport, mutably (reading or writing it directly breaks the TLS stream).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.sock
    }

    /// Both halves back.
    pub fn into_parts(self) -> (Connection, T) {
        (self.conn, self.sock)
    }

    /// Sends close_notify and flushes it ([`Stream::close`]).
    pub fn close(&mut self) -> io::Result<()> {
        self.as_stream().close()
    }

    fn as_stream(&mut self) -> Stream<'_, T> {
        Stream { conn: &mut self.conn, sock: &mut self.sock }
    }
}

impl<T: Read + Write> Read for StreamOwned<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.as_stream().read(buf)
    }
}

impl<T: Read + Write> Write for StreamOwned<T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.as_stream().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.as_stream().flush()
    }
}
