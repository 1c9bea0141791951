//! [`DataError`]: what is wrong with data read from a card, or about to be written to one.

use super::Quoted;

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
    /// An item's bytes do not fit what the card's family stores there (a length, a date
    /// coding, a record the family puts elsewhere): the card deviates in a way no known family
    /// describes, so no value is given for it.
    #[error("{item}: {problem} (read as {family}): {hex}")]
    Item {
        /// The item (`SSSE/EF05/05`).
        item: String,
        /// The family whose rules the card was read by.
        family: String,
        /// What does not fit.
        problem: String,
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
    #[error("expected digits, got {}", Quoted(.text))]
    NotDigits {
        /// The text.
        text: String,
    },
    /// A `b` value must be hex.
    #[error("expected hex, got {}", Quoted(.text))]
    NotHex {
        /// The text.
        text: String,
    },
    /// A B-TLV value must be `TT=value;TT=value` with known sub-tags.
    #[error("expected sub-items as TT=value;TT=value, got {}", Quoted(.text))]
    BadGroup {
        /// The text.
        text: String,
    },
    /// A value is not in its code table.
    #[error("{item}: code {} is not in the code table", Quoted(.code))]
    UnknownCode {
        /// The item.
        item: String,
        /// The code.
        code: String,
    },
}
