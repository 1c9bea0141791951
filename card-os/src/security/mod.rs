//! The card's security area: the volatile security state ([`state`]: current DF/EF, PIN flag,
//! key flags, the single-use challenge), the access rules and line-protection MAC checks
//! ([`access`], rules from `sscard_specs`), and the one try-counter protocol ([`tries`]) the PIN
//! and the keys share.

pub(crate) mod access;
pub(crate) mod state;
pub(crate) mod tries;

pub(crate) use state::{Challenge, Volatile};
