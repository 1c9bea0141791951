//! Errors of the vpcd client.

use std::io;

use sscard_terminal::error::Quoted;

/// What can go wrong between a virtual card and vpcd.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    /// The host is not a loopback address; vpcd clients connect only to 127.0.0.1 / ::1.
    #[error(
        "refusing to connect to non-loopback host {} (vpcd is reached on 127.0.0.1 only)",
        Quoted(.0)
    )]
    NonLoopback(String),
    /// Could not connect (pcscd not running, vpcd not loaded, or the slot is taken).
    #[error("cannot connect to vpcd at {addr}: {source}")]
    Connect {
        /// The address tried.
        addr: std::net::SocketAddr,
        /// The socket error.
        source: io::Error,
    },
    /// Gave up connecting after the allowed time.
    #[error("vpcd at {0} did not accept a connection in time")]
    ConnectTimeout(std::net::SocketAddr),
    /// vpcd (pcscd) closed the connection.
    #[error("vpcd closed the connection")]
    Closed,
    /// The peer broke the framing (e.g. an R-APDU too long for the 2-byte length).
    #[error("vpcd protocol error: {0}")]
    Protocol(&'static str),
    /// Socket I/O failed.
    #[error("vpcd socket I/O: {0}")]
    Io(#[from] io::Error),
    /// The stop flag was raised.
    #[error("stopped")]
    Stopped,
}
