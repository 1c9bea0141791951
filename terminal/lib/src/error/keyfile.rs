//! [`KeyFileError`]: why an issuer key file cannot be used (`security::keyfile`).

use std::path::PathBuf;

use sscard_keys::keyset::KeySetError;
use sscard_keys::KeyError;

/// Why an issuer key file cannot be used ([`super::Error::KeyFile`]).
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file cannot be read.
    #[error("cannot read key file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not a key file (TOML syntax, missing or unknown fields).
    #[error("key file: {0}")]
    Syntax(String),
    /// A key name that is not in the specs' key table.
    #[error("key file: unknown key name {0}")]
    UnknownKey(String),
    /// A key that is not hex.
    #[error("key file: {0} is not hex")]
    NotHex(String),
    /// A key that is not a key of the suite's algorithm (wrong length).
    #[error("key file: {name} is not a {algorithm} key: {source}")]
    BadKey {
        /// The key name.
        name: String,
        /// The suite's key algorithm.
        algorithm: &'static str,
        /// Why.
        source: KeyError,
    },
    /// The key set refused the key.
    #[error("key file: {name}: {source}")]
    KeySet {
        /// The key name.
        name: String,
        /// Why.
        source: KeySetError,
    },
}
