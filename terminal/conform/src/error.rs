//! The crate's error type: what can fail outside the cases themselves (a case never errors, it
//! fails or skips). Today that is building the `--emulator-fresh` card ([`crate::fresh`]).
//!
//! The card OS's error types (`FactoryError`, `InitError`, `StoreError`, `LayoutError`) have no
//! `Display` (the card OS is `no_std` and keeps its firmware small), so this module words them
//! itself instead of showing their `Debug` form.

use sscard_apdu::record::RecordError;
use sscard_card_os::layout::LayoutError;
use sscard_card_os::store::StoreError;
use sscard_card_os::{FactoryError, InitError};
use sscard_keys::keyset::KeySetError;
use sscard_keys::CryptoError;
use sscard_terminal::error::DataError;
use sscard_terminal::transport::TransportError;

/// Why the suite could not do something outside a case.
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    /// A terminal-library step of building the fresh card failed (card identity, challenge
    /// seed …).
    #[error("fresh card: {0}")]
    Terminal(#[from] sscard_terminal::Error),
    /// A personalisation value of the fresh card could not be encoded.
    #[error("fresh card: {0}")]
    Data(#[from] DataError),
    /// The fresh card's personalisation names an EF the specs do not have.
    #[error("fresh card: the specs have no EF {ef}")]
    NoSuchEf {
        /// `DF/FID`.
        ef: String,
    },
    /// A record of the fresh card could not be encoded.
    #[error("fresh card: record of tag {tag:02X}: {error}")]
    Record {
        /// The record's tag.
        tag: u8,
        /// Why.
        error: RecordError,
    },
    /// The diversification factors of the fresh card's identity could not be formed.
    #[error("fresh card: diversification factors: {}", factory_text(.0))]
    Factors(FactoryError),
    /// A card key of the fresh card could not be derived from the test issuer keys.
    #[error("fresh card: card key {key}: {error}")]
    CardKey {
        /// The key's name.
        key: &'static str,
        /// Why.
        error: KeySetError,
    },
    /// The card identification code's authentication code could not be computed.
    #[error("fresh card: card identification code: {0}")]
    CardIdAuthCode(CryptoError),
    /// The card number has no check character.
    #[error("fresh card: no check character for the card number {0}")]
    CardNumber(String),
    /// The card OS's factory initialisation refused the fresh card.
    #[error("fresh card: factory initialisation: {}", factory_text(.0))]
    Factory(FactoryError),
    /// The card OS refused a personalisation record of the fresh card.
    #[error("fresh card: personalising {ef}: {}", factory_text(.error))]
    Personalise {
        /// `DF/FID`.
        ef: String,
        /// Why.
        error: FactoryError,
    },
    /// The card OS did not power up the fresh card's image.
    #[error("fresh card: power-up: {}", init_text(.0))]
    PowerUp(InitError),
}

impl From<ConformError> for sscard_terminal::Error {
    /// For callers working with the terminal's error (the `sscard` command line and its exit
    /// codes): terminal and data errors stay what they are, key derivation failures are security
    /// module errors, and a card OS that cannot bring the fresh card up is a transport error (the
    /// in-process card is the run's reader).
    fn from(e: ConformError) -> Self {
        use sscard_terminal::Error;
        match e {
            ConformError::Terminal(e) => e,
            ConformError::Data(e) => Error::Data(e),
            e @ (ConformError::Factors(_)
            | ConformError::CardKey { .. }
            | ConformError::CardIdAuthCode(_)) => Error::SecurityModule(e.to_string()),
            e @ (ConformError::NoSuchEf { .. }
            | ConformError::Record { .. }
            | ConformError::CardNumber(_)
            | ConformError::Factory(_)
            | ConformError::Personalise { .. }
            | ConformError::PowerUp(_)) => {
                Error::Transport(TransportError::NoReader(e.to_string()))
            }
        }
    }
}

fn store_text(e: &StoreError) -> &'static str {
    match e {
        StoreError::OutOfRange => "access outside the store",
        StoreError::PowerLoss => "power lost",
        StoreError::Io => "the backing medium failed",
        StoreError::JournalFull => "a journal batch is larger than the journal area",
    }
}

fn factory_text(e: &FactoryError) -> String {
    match e {
        FactoryError::Store(s) => format!("store: {}", store_text(s)),
        FactoryError::StoreTooSmall { need } => {
            format!("the store is too small ({need} bytes needed)")
        }
        FactoryError::MissingKey(k) => format!("the issuer key set lacks the root key {k}"),
        FactoryError::Crypto => {
            "key derivation or MAC failed (wrong algorithm for the profile)".to_string()
        }
        FactoryError::BadIdentity => "the region code is not BCD".to_string(),
        FactoryError::BadPin => "the PIN is not 4–12 digits".to_string(),
        FactoryError::Layout(sw) => format!(
            "the spec tables do not fit the layout or a record does not fit its file ({sw})"
        ),
    }
}

fn init_text(e: &InitError) -> String {
    match e {
        InitError::Store(s) => format!("store: {}", store_text(s)),
        InitError::NotFormatted => "no card image in the store".to_string(),
        InitError::LayoutVersion(v) => format!("the image was formatted for layout version {v}"),
        InitError::ProfileMismatch => {
            "the image's algorithm suite differs from the configured profile".to_string()
        }
        InitError::Layout(LayoutError::TooManyEfs) => {
            "the spec tables do not fit the layout (too many EFs)".to_string()
        }
        InitError::StoreTooSmall => "the store is smaller than the layout needs".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sscard_apdu::StatusWord;

    #[test]
    fn messages_are_worded_not_debug() {
        let all = [
            ConformError::Factory(FactoryError::Store(StoreError::Io)),
            ConformError::Factory(FactoryError::Layout(StatusWord::NOT_ENOUGH_MEMORY)),
            ConformError::Personalise {
                ef: "SSSE/EF05".into(),
                error: FactoryError::StoreTooSmall { need: 9 },
            },
            ConformError::PowerUp(InitError::Layout(LayoutError::TooManyEfs)),
            ConformError::PowerUp(InitError::LayoutVersion(3)),
            ConformError::Factors(FactoryError::BadIdentity),
            ConformError::Record {
                tag: 7,
                error: RecordError::InvalidTag,
            },
        ];
        for e in all {
            let text = e.to_string();
            assert!(text.starts_with("fresh card: "), "{text}");
            for debug in [
                "Store(",
                "Layout(",
                "TooManyEfs",
                "StoreTooSmall",
                "{ ",
                "Io",
            ] {
                assert!(!text.contains(debug), "{text}");
            }
        }
        let e: sscard_terminal::Error = ConformError::PowerUp(InitError::NotFormatted).into();
        assert_eq!(e.exit_code(), 3);
        let e: sscard_terminal::Error = ConformError::Factors(FactoryError::Crypto).into();
        assert_eq!(e.exit_code(), 6);
    }
}
