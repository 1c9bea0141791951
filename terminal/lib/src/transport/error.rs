//! [`TransportError`].

use crate::error::Quoted;

/// Why an APDU did not get an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No reader by that name/index, or no readers at all.
    #[error("no such reader: {0}")]
    NoReader(String),
    /// The card was removed (or is absent).
    #[error("card removed")]
    CardRemoved,
    /// Connecting found no card in the reader.
    #[error("no card in reader {}", Quoted(.0))]
    NoCard(String),
    /// pcscd is not running (or not reachable).
    #[error(
        "the PC/SC service (pcscd) is not running: start it (`systemctl start pcscd.socket`, or \
         scripts/pcscd-start.sh for the virtual readers)"
    )]
    NoService,
    /// The card was reset (by another process, or a power event); reconnect and re-establish state.
    #[error("card was reset; volatile state (PIN, selection, session keys) is lost")]
    CardReset,
    /// The reader reported success but the card's answer has no status word (fewer than 2
    /// bytes). vpcd does this when the card's socket closes mid-command (card pulled); a real
    /// reader when the card is mute. The command may or may not have been executed.
    #[error(
        "no response from the card ({0} bytes, no status word): card pulled mid-command or mute"
    )]
    NoResponse(usize),
    /// A wait or transmit timed out.
    #[error("timed out")]
    Timeout,
    /// The command is not a well-formed APDU.
    #[error("malformed command APDU: {0}")]
    BadCommand(String),
    /// The T=0 exchange could not complete (e.g. GET RESPONSE chain too long).
    #[error("T=0 exchange: {0}")]
    Exchange(String),
    /// The transport was closed.
    #[error("transport closed")]
    Closed,
    /// Any other PC/SC failure, with pcsc-lite's text.
    #[error("PC/SC {op}: {message}")]
    Pcsc {
        /// The PC/SC operation (e.g. "SCardTransmit").
        op: &'static str,
        /// The error text.
        message: String,
    },
}

impl From<sscard_apdu::exchange::ExchangeError<TransportError>> for TransportError {
    fn from(e: sscard_apdu::exchange::ExchangeError<TransportError>) -> Self {
        use sscard_apdu::exchange::ExchangeError as X;
        match e {
            X::Transport(inner) => inner,
            X::Apdu(apdu) => Self::BadCommand(apdu.to_string()),
            other => Self::Exchange(other.to_string()),
        }
    }
}
