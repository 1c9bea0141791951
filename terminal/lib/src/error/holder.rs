//! [`HolderProfileError`]: why a holder profile file cannot be used (`model::holder`).

use std::path::PathBuf;

use super::quoted::Quoted;

/// Why a holder profile cannot be used ([`crate::Error::HolderProfile`]).
#[derive(Debug, thiserror::Error)]
pub enum HolderProfileError {
    /// The file cannot be read.
    #[error("cannot read holder profile {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not a holder profile (TOML syntax, missing or unknown fields).
    #[error("holder profile: {0}")]
    Syntax(String),
    /// `spec_version` is not a known version.
    #[error("holder profile: unknown spec_version {} (1.00, 2.00, 2.01, 3.00)", Quoted(.0))]
    UnknownVersion(String),
    /// The card was initialised for another spec version than the profile's.
    #[error("the card was initialised as a {card} card but the holder profile says {profile}")]
    VersionMismatch {
        /// The card's version.
        card: &'static str,
        /// The profile's version.
        profile: &'static str,
    },
}
