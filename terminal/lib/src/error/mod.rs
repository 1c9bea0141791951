//! The terminal's one error type: transport faults, card refusals (with the status word and its
//! meaning), data problems, and the ways a request can be wrong (a bad path, PIN, key name, file
//! or image) are separate variants, so integrators can react to each.
//!
//! Messages are for people and use `Display` throughout; they never name a command-line option
//! (the `sscard` command line adds its own hints when it prints them).
//!
//! | variant | [`Error::exit_code`] | [`Error::national_code`] |
//! | --- | --- | --- |
//! | [`Error::Internal`] | 1 | −14 |
//! | [`Error::Usage`], [`Error::Path`], [`Error::Item`], [`Error::UnknownKey`], [`Error::NoCardKid`], [`Error::Value`], [`Error::KeyFile`], [`Error::HolderProfile`], [`Error::Command`], [`Error::Io`] | 2 | −14 bad parameter |
//! | [`Error::Pin`] | 2 | −33 bad PIN length (too short / long), else −14 |
//! | [`Error::NoSecurityModule`] | 2 | −2201 no PSAM |
//! | [`Error::SuiteMismatch`] | 2 | −2202 PSAM lacks the algorithm |
//! | [`Error::Image`] | 2; 3 when the image's store fails | −14; −11 reader connect error when the store fails |
//! | [`Error::Transport`] | 3 | −11 no reader, −2 card removed, else −4 no answer |
//! | [`Error::Card`] | 4 | −SW (e.g. −27010 for `6982`) |
//! | [`Error::WrongPin`], [`Error::Blocked`] | 4 | −51, −52 |
//! | [`Error::PinPad`] | 3 (2 for a bad digit count) | −31 cancelled, −32 timed out, −33 wrong length, −34 PINs differ, −11 reader refused, −14 bad digit count |
//! | [`Error::Data`] | 5 | −22 |
//! | [`Error::NotGenuine`] | 5 | −22 |
//! | [`Error::SecurityModule`] | 6 | −24 |
//! | [`Error::WriteNotConfirmed`] | 7 | −22 |
//! | [`Error::InDoubt`] | 8 | −4 |
//! | [`Error::NotCharged`] | 3 | −4 |

mod data;
mod holder;
mod image;
mod keyfile;
mod pending;
mod quoted;

use std::fmt;

use sscard_apdu::{ApduError, StatusWord};
use sscard_keys::pin::PinError;
use sscard_specs::PathError;

pub use self::data::DataError;
pub use self::holder::HolderProfileError;
#[cfg(feature = "emulator")]
pub use self::image::CardOsError;
pub use self::image::{CardImageDefect, ImageError, ImageKind};
pub use self::keyfile::KeyFileError;
pub use self::pending::{PendingTransaction, TxKind};
pub use self::quoted::Quoted;
use crate::transport::pinpad::PinPadError;
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
    /// The reader's PIN pad did not produce a PIN (cancelled, timed out, the two new PINs
    /// differed, wrong length, request refused); the card was not asked.
    #[error("{0}")]
    PinPad(#[from] PinPadError),
    /// The card's answer does not make sense (malformed record, failed check character...).
    #[error("card data: {0}")]
    Data(#[from] DataError),
    /// The card failed INTERNAL AUTHENTICATE (IRK): its answer is not what the issuer's keys give
    /// (or it refused the command). Its data may be readable — `sscard info` prints it, then
    /// exits with this error.
    #[error("card {card_number} is not genuine: {reason}")]
    NotGenuine {
        /// The card number it carries (EF05/07), or `?` when not read.
        card_number: String,
        /// What the internal authentication gave.
        reason: String,
    },
    /// The security module (software key set or PSAM) failed.
    #[error("security module: {0}")]
    SecurityModule(String),
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
    /// An item path does not parse, or names nothing in the specs' tables.
    #[error("bad item path: {0}")]
    Path(PathError),
    /// A valid path that does not suit the operation (an EF where an item is needed, an item
    /// that cannot be written...).
    #[error("{path} {reason}")]
    Item {
        /// The path (`DF04/EF05`, `SSSE/EF05/07#2`).
        path: String,
        /// Why it does not suit.
        reason: ItemError,
    },
    /// A PIN the profile does not accept (not digits, too short or too long).
    #[error("bad PIN: {0}")]
    Pin(#[from] PinError),
    /// A key name the specs' key table does not have.
    #[error("unknown key {0}")]
    UnknownKey(String),
    /// A key with no card KID (it cannot be authenticated with on the card).
    #[error("key {0} has no card KID")]
    NoCardKid(String),
    /// The operation needs a security module (issuer keys or a PSAM) and the session has none.
    #[error("this operation needs the issuer keys")]
    NoSecurityModule,
    /// The security module implements another algorithm suite than the card's.
    #[error("the key set is for {keys} but the card uses {card}")]
    SuiteMismatch {
        /// The security module's profile.
        keys: &'static str,
        /// The card's profile.
        card: &'static str,
    },
    /// A value given to the library is not of the required form (a region code, a serial, a
    /// suite name...).
    #[error("{what} must be {expected}, got {}", Quoted(.got))]
    Value {
        /// What the value is.
        what: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What was given.
        got: String,
    },
    /// An issuer key file cannot be read or is not valid.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A holder profile cannot be read, is not valid, or does not fit the card.
    #[error(transparent)]
    HolderProfile(#[from] HolderProfileError),
    /// A card or PSAM image file cannot be used.
    #[error("{}", image::image_message(.path, .reason))]
    Image {
        /// The image file (or `in-memory image`).
        path: String,
        /// Why.
        reason: ImageError,
    },
    /// A command APDU could not be built (its data does not fit).
    #[error("{operation}: {source}")]
    Command {
        /// The command (e.g. `UPDATE RECORD DF04/EF05/8F`).
        operation: String,
        /// Why.
        source: ApduError,
    },
    /// A local file or stream could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (e.g. `cannot write the JSON report out.json`).
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Something that cannot happen did (a bug in sscard: a thread panicked, the specs lack an
    /// entry the code names).
    #[error("internal error: {0}")]
    Internal(String),
    /// The caller asked for something that cannot be done (used by the command line for its
    /// own arguments).
    #[error("{0}")]
    Usage(String),
    /// The card was lost (removed, mute, reset) after a DEBIT or CREDIT may have reached it:
    /// whether it was charged is not known until the card is back. Never retry blindly:
    /// [`crate::session::Session::resolve`] asks the card (GET TRANSACTION PROVE for the
    /// counter) and says "charged, with TAC" or "not charged".
    #[error(
        "card lost during the {} (counter {}): not known yet whether it was charged — insert \
         the card again to find out; do not retry before ({})",
        .0.kind,
        .0.counter,
        .0.cause
    )]
    InDoubt(Box<PendingTransaction>),
    /// A purse transaction whose answer was lost turned out, once the card was back, not to
    /// have been executed (GET TRANSACTION PROVE: not the card's last one): nothing was charged;
    /// it may be retried.
    #[error("not charged: the card was lost before it executed the {kind} (counter {counter}); nothing was debited or loaded — it may be retried")]
    NotCharged {
        /// `purchase` / `load`.
        kind: String,
        /// The counter INITIALIZE returned.
        counter: u16,
    },
}

impl From<crate::model::money::AmountError> for Error {
    fn from(e: crate::model::money::AmountError) -> Self {
        Error::Value {
            what: e.what,
            expected: crate::model::money::AmountError::EXPECTED,
            got: e.got,
        }
    }
}

impl From<PathError> for Error {
    fn from(e: PathError) -> Self {
        Error::Path(e)
    }
}

/// Why a valid path does not suit an operation ([`Error::Item`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    /// The path names an EF (or a record); the operation needs a data item (`DF/EF/TAG`).
    #[error("names an EF, not an item")]
    NotAnItem,
    /// The EF is transparent; the operation needs a record EF.
    #[error("is not a record EF")]
    NotRecordEf,
    /// The EF cannot be written with UPDATE RECORD from outside the card.
    #[error("is not writable from outside the card")]
    NotWritable,
    /// The item has no record on a card of this spec version.
    #[error("has no record on a {version} card")]
    NoRecord {
        /// The spec version (`"1.00"`, `"2.00"`...).
        version: &'static str,
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

    /// A card refusal kept as [`Error::Card`] even for `63Cx`/`6983` (used for key
    /// authentication, where `63Cx` counts key tries, not PIN tries).
    pub fn refused(operation: impl Into<String>, sw: StatusWord) -> Self {
        Error::Card {
            operation: operation.into(),
            sw,
        }
    }

    /// The process exit code of the `sscard` command line for this error (see the module docs):
    /// 1 internal, 2 the request cannot be carried out as given (usage, paths, PIN format, key
    /// names, key / holder / image files, local I/O), 3 transport (and a failing image store),
    /// 4 card refusal (including wrong PIN / blocked), 5 card data (and a card that is not
    /// genuine), 6 security module, 7 write not confirmed, 8 a purse transaction in doubt (card lost mid-transaction).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Internal(_) => 1,
            Error::Image { reason, .. } if reason.is_store_failure() => 3,
            Error::Usage(_)
            | Error::Path(_)
            | Error::Item { .. }
            | Error::Pin(_)
            | Error::UnknownKey(_)
            | Error::NoCardKid(_)
            | Error::NoSecurityModule
            | Error::SuiteMismatch { .. }
            | Error::Value { .. }
            | Error::KeyFile(_)
            | Error::HolderProfile(_)
            | Error::Image { .. }
            | Error::Command { .. }
            | Error::Io { .. } => 2,
            Error::PinPad(PinPadError::BadDigits(_)) => 2,
            Error::Transport(_) | Error::PinPad(_) => 3,
            Error::Card { .. } | Error::WrongPin { .. } | Error::Blocked => 4,
            Error::Data(_) | Error::NotGenuine { .. } => 5,
            Error::SecurityModule(_) => 6,
            Error::WriteNotConfirmed { .. } => 7,
            Error::InDoubt(_) => 8,
            Error::NotCharged { .. } => 3,
        }
    }

    /// The national read-card interface's error code for this error (sscard-spec.md §6.3; see
    /// the module docs): card refusals are −SW, transport faults −2 (no card) / −11 (reader) /
    /// −4, data −22, a bad request −14 (−33 for a PIN of the wrong length), no security module
    /// −2201, a security module of the wrong suite −2202.
    pub fn national_code(&self) -> i32 {
        match self {
            Error::Transport(TransportError::NoReader(_)) => -11,
            Error::Transport(TransportError::CardRemoved) => -2,
            Error::Transport(_) | Error::InDoubt(_) | Error::NotCharged { .. } => -4,
            Error::WrongPin { .. } => -51,
            Error::Blocked => -52,
            Error::PinPad(p) => match p {
                PinPadError::Cancelled => -31,
                PinPadError::Timeout => -32,
                PinPadError::WrongLength => -33,
                PinPadError::PinsDiffer => -34,
                PinPadError::Refused | PinPadError::BadFeatureList(_) => -11,
                PinPadError::BadDigits(_) => -14,
            },
            Error::Card { sw, .. } => -i32::from(sw.0),
            Error::Data(_) | Error::NotGenuine { .. } => -22,
            Error::SecurityModule(_) => -24,
            Error::WriteNotConfirmed { .. } => -22,
            Error::Pin(PinError::TooShort { .. } | PinError::TooLong { .. }) => -33,
            Error::NoSecurityModule => -2201,
            Error::SuiteMismatch { .. } => -2202,
            Error::Image { reason, .. } if reason.is_store_failure() => -11,
            Error::Internal(_)
            | Error::Usage(_)
            | Error::Path(_)
            | Error::Item { .. }
            | Error::Pin(_)
            | Error::UnknownKey(_)
            | Error::NoCardKid(_)
            | Error::Value { .. }
            | Error::KeyFile(_)
            | Error::HolderProfile(_)
            | Error::Image { .. }
            | Error::Command { .. }
            | Error::Io { .. } => -14,
        }
    }

    /// [`Error::Item`] for `path`.
    pub(crate) fn item(path: impl fmt::Display, reason: ItemError) -> Self {
        Error::Item {
            path: path.to_string(),
            reason,
        }
    }

    /// [`Error::Command`]: building the APDU of `operation` failed.
    pub(crate) fn command(operation: impl fmt::Display) -> impl FnOnce(ApduError) -> Self {
        move |source| Error::Command {
            operation: operation.to_string(),
            source,
        }
    }
}
