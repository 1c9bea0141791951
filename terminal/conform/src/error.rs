//! The crate's error type: what can fail outside the cases themselves (a case never errors, it
//! fails or skips). Today that is building the `--emulator-fresh` card ([`crate::fresh`]).
//!
//! The card OS's own refusals (`FactoryError`, `InitError`, `StoreError`) are carried as the
//! terminal library's [`CardOsError`], which keeps a store failure apart and shows them with the
//! card OS's own `Display`, so a message never shows their `Debug` form.

use sscard_apdu::record::RecordError;
use sscard_keys::keyset::KeySetError;
use sscard_keys::CryptoError;
use sscard_terminal::error::{CardOsError, DataError};

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
    #[error("fresh card: diversification factors: {0}")]
    Factors(CardOsError),
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
    #[error("fresh card: factory initialisation: {0}")]
    Factory(CardOsError),
    /// The card OS refused a personalisation record of the fresh card.
    #[error("fresh card: personalising {ef}: {error}")]
    Personalise {
        /// `DF/FID`.
        ef: String,
        /// Why.
        error: CardOsError,
    },
    /// The card OS did not power up the fresh card's image.
    #[error("fresh card: power-up: {0}")]
    PowerUp(CardOsError),
}

impl From<ConformError> for sscard_terminal::Error {
    /// For callers working with the terminal's error (the `sscard` command line and its exit
    /// codes): terminal and data errors stay what they are, and deriving the card keys from the
    /// test issuer keys is the security module's failure. Everything else is
    /// [`Error::Internal`](sscard_terminal::Error::Internal): the fresh card is built from the
    /// suite's own fixed identity, personalisation and specs tables in memory, so the card OS
    /// refusing it (or the specs lacking one of its EFs) is a bug in sscard — not a reader, an
    /// image or an argument of the caller's.
    fn from(e: ConformError) -> Self {
        use sscard_terminal::Error;
        match e {
            ConformError::Terminal(e) => e,
            ConformError::Data(e) => Error::Data(e),
            e @ (ConformError::CardKey { .. } | ConformError::CardIdAuthCode(_)) => {
                Error::SecurityModule(e.to_string())
            }
            e @ (ConformError::NoSuchEf { .. }
            | ConformError::Record { .. }
            | ConformError::Factors(_)
            | ConformError::CardNumber(_)
            | ConformError::Factory(_)
            | ConformError::Personalise { .. }
            | ConformError::PowerUp(_)) => Error::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sscard_apdu::StatusWord;
    use sscard_card_os::layout::LayoutError;
    use sscard_card_os::store::StoreError;
    use sscard_card_os::{FactoryError, InitError};

    #[test]
    fn messages_are_worded_not_debug() {
        let all = [
            ConformError::Factory(FactoryError::Store(StoreError::Io).into()),
            ConformError::Factory(FactoryError::Layout(StatusWord::NOT_ENOUGH_MEMORY).into()),
            ConformError::Personalise {
                ef: "SSSE/EF05".into(),
                error: FactoryError::StoreTooSmall { need: 9 }.into(),
            },
            ConformError::PowerUp(InitError::Layout(LayoutError::TooManyEfs).into()),
            ConformError::PowerUp(InitError::LayoutVersion(3).into()),
            ConformError::Factors(FactoryError::BadIdentity.into()),
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
        // The card OS refusing the suite's own fixed card is a bug in sscard, not a reader fault.
        let e: sscard_terminal::Error =
            ConformError::PowerUp(InitError::NotFormatted.into()).into();
        assert!(matches!(e, sscard_terminal::Error::Internal(_)), "{e}");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.to_string(),
            "internal error: fresh card: power-up: not formatted"
        );
        let e: sscard_terminal::Error =
            ConformError::CardIdAuthCode(CryptoError::MalformedField).into();
        assert_eq!(e.exit_code(), 6);
    }
}
