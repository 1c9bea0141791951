//! The terminal's one error type: transport faults, card refusals (with the status word and its
//! meaning) and data problems are separate variants, so integrators can react to each.

use sscard_apdu::StatusWord;

use crate::transport::TransportError;

/// `Result` with the terminal's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a session operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The reader, the link or the card's presence failed (no reader, card removed, reset...).
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// The card refused a command; `sw` says why.
    #[error("card refused {operation}: {sw}")]
    Card {
        /// What the session was doing (e.g. "READ RECORD SSSE/EF05").
        operation: String,
        /// The status word the card answered.
        sw: StatusWord,
    },
    /// VERIFY (or another PIN check) failed; the card reported how many tries are left.
    #[error("wrong PIN: {tries_left} tries left")]
    WrongPin {
        /// Tries left before the PIN blocks.
        tries_left: u8,
    },
    /// The PIN (or the key needed) is blocked.
    #[error("PIN or key blocked (6983)")]
    Blocked,
    /// The card's answer does not make sense (malformed record, failed check character...).
    #[error("card data: {0}")]
    Data(#[from] DataError),
    /// The security module (software key set or PSAM) failed.
    #[error("security module: {0}")]
    SecurityModule(String),
    /// The caller asked for something that cannot be done (unknown item path, bad value...).
    #[error("{0}")]
    Usage(String),
    /// A write was accepted by the card but reading it back gave different bytes.
    #[error("write of {path} not confirmed: card holds {read_back}, expected {expected}")]
    WriteNotConfirmed {
        /// The item path.
        path: String,
        /// What the card holds (hex).
        read_back: String,
        /// What was written (hex).
        expected: String,
    },
}

impl Error {
    /// Build a card refusal, mapping the PIN/blocked cases to their own variants.
    pub fn card(operation: impl Into<String>, sw: StatusWord) -> Self {
        if let Some(tries_left) = sw.tries_left() {
            return Error::WrongPin { tries_left };
        }
        if sw == StatusWord::AUTH_BLOCKED {
            return Error::Blocked;
        }
        Error::Card {
            operation: operation.into(),
            sw,
        }
    }

    /// The status word, for card refusals.
    pub fn status_word(&self) -> Option<StatusWord> {
        match self {
            Error::Card { sw, .. } => Some(*sw),
            Error::WrongPin { tries_left } => Some(StatusWord::pin_failed(*tries_left)),
            Error::Blocked => Some(StatusWord::AUTH_BLOCKED),
            _ => None,
        }
    }

    /// The process exit code of the `sscard` command line for this error: 3 transport, 4 card
    /// refusal (including wrong PIN / blocked), 5 card data, 6 security module, 7 write not
    /// confirmed, 2 usage.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Transport(_) => 3,
            Error::Card { .. } | Error::WrongPin { .. } | Error::Blocked => 4,
            Error::Data(_) => 5,
            Error::SecurityModule(_) => 6,
            Error::WriteNotConfirmed { .. } => 7,
        }
    }

    /// A card refusal kept as [`Error::Card`] even for `63Cx`/`6983` (used for key
    /// authentication, where `63Cx` counts key tries, not PIN tries).
    pub fn refused(operation: impl Into<String>, sw: StatusWord) -> Self {
        Error::Card {
            operation: operation.into(),
            sw,
        }
    }

    /// The national read-card interface's error code for this error (sscard-spec.md §6.3):
    /// card refusals are −SW, transport faults −2 (no card) / −11 (reader), data −22.
    pub fn national_code(&self) -> i32 {
        match self {
            Error::Transport(TransportError::NoReader(_)) => -11,
            Error::Transport(TransportError::CardRemoved) => -2,
            Error::Transport(_) => -4,
            Error::WrongPin { .. } => -51,
            Error::Blocked => -52,
            Error::Card { sw, .. } => -i32::from(sw.0),
            Error::Data(_) => -22,
            Error::SecurityModule(_) => -24,
            Error::Usage(_) => -14,
            Error::WriteNotConfirmed { .. } => -22,
        }
    }
}

impl From<sscard_specs::PathError> for Error {
    fn from(e: sscard_specs::PathError) -> Self {
        Error::Usage(format!("bad item path: {e}"))
    }
}

impl From<sscard_keys::pin::PinError> for Error {
    fn from(e: sscard_keys::pin::PinError) -> Self {
        Error::Usage(format!("bad PIN: {e}"))
    }
}

/// A problem with data read from (or about to be written to) a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// A record or group could not be parsed.
    #[error("malformed {what}: {hex}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// The bytes (hex).
        hex: String,
    },
    /// An expected item is missing from the card.
    #[error("item {0} not present on the card")]
    Missing(String),
    /// The card number's check character is wrong.
    #[error("card number {number} fails its check character (expected {expected})")]
    CardNumberCheck {
        /// The card number as read.
        number: String,
        /// The check character it should end with.
        expected: char,
    },
    /// An `an` value is not valid GBK text.
    #[error("not valid GBK text: {hex}")]
    BadText {
        /// The bytes (hex).
        hex: String,
    },
    /// A `cn` value has a nibble other than 0–9 before its F padding.
    #[error("not valid BCD: {hex}")]
    BadBcd {
        /// The bytes (hex).
        hex: String,
    },
    /// Text cannot be represented in GBK.
    #[error("text cannot be encoded in GBK: {text}")]
    NotGbk {
        /// The text.
        text: String,
    },
    /// A value is longer than the item's defined length.
    #[error("value too long: at most {max}, got {got}")]
    TooLong {
        /// Maximum length.
        max: usize,
        /// Given length.
        got: usize,
    },
    /// A `cn` value must be digits.
    #[error("expected digits, got {text:?}")]
    NotDigits {
        /// The text.
        text: String,
    },
    /// A `b` value must be hex.
    #[error("expected hex, got {text:?}")]
    NotHex {
        /// The text.
        text: String,
    },
    /// A B-TLV value must be `TT=value;TT=value` with known sub-tags.
    #[error("expected sub-items as TT=value;TT=value, got {text:?}")]
    BadGroup {
        /// The text.
        text: String,
    },
    /// A value is not in its code table.
    #[error("{item}: code {code:?} is not in the code table")]
    UnknownCode {
        /// The item.
        item: String,
        /// The code.
        code: String,
    },
}
