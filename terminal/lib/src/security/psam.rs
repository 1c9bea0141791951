//! The PSAM as the terminal's security module: [`PsamSecurityModule`] implements
//! [`sscard_keys::SecurityModule`] by driving a social-security PSAM over any [`Transport`] — a
//! real PSAM in a second PC/SC reader, or the emulated `sscard_card_os::psam::Psam` in-process.
//! The issuer keys stay in the PSAM; the host only sends factors, challenges and data
//! (sscard-spec.md §5.4, §5.7; profile.md §6).
//!
//! The protocol (`BF DE` diversify-and-initialise with the card's factors and challenge, then
//! `80 FA 00 00` encrypt / `80 FA 05 00` MAC) is driven by [`PsamSecurityModule`] (in
//! [`super::psam_driver`]) over the transport, whose T=0 policy follows the PSAM's `61xx` with
//! GET RESPONSE; the key → `(usage, PSAM key id)` table is [`sscard_specs::psam::key_slot_by_name`].
//! This module holds its errors with their national-interface codes ([`PsamError::national_code`]),
//! [`open`] and the terminal number.
//!
//! ```no_run
//! # fn demo(psam_reader: impl sscard_terminal::transport::Transport) -> Result<(), sscard_terminal::security::psam::PsamError> {
//! use sscard_keys::profile::SSCARD_2;
//! let mut sm = sscard_terminal::security::psam::open(psam_reader, &SSCARD_2)?;
//! let terminal_no = sscard_terminal::security::psam::TerminalNumber::from(sm.read_terminal_number()?);
//! println!("终端机编号 {terminal_no}");
//! # Ok(()) }
//! ```
//!
//! Note: `encrypt_pin_block` sends the plain PIN block (`Lpin ‖ BCD ‖ 80 00…`) to the PSAM in
//! `80 FA 00 00`; an APDU trace of the PSAM's transport must mask INS `FA`.

use std::fmt;

use sscard_apdu::StatusWord;
use sscard_specs::key;
use sscard_specs::psam::TERMINAL_NUMBER_LEN;

use crate::transport::TransportError;

pub use super::psam_driver::{new, open, PsamSecurityModule, EF15_LEN, EF16_LEN};

/// National read-card interface codes for PSAM problems (sscard-spec.md §5.7, §6.3).
pub mod national {
    /// No PSAM (−2201).
    pub const NO_PSAM: i32 = -2201;
    /// The PSAM lacks the algorithm environment (SSF33/SM4) the card needs (−2202).
    pub const NO_ALGORITHM: i32 = -2202;
    /// The PSAM lacks RKSSSE (−2203).
    pub const NO_RKSSSE: i32 = -2203;
    /// PSAM key level insufficient (−24).
    pub const KEY_LEVEL_INSUFFICIENT: i32 = -24;
}

/// Why a PSAM operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PsamError {
    /// The PSAM's reader/link failed.
    #[error("PSAM transport: {0}")]
    Transport(#[from] TransportError),
    /// The PSAM refused a command.
    #[error("PSAM refused {operation}: {sw}")]
    Refused {
        /// The command (e.g. `"BF DE"`).
        operation: &'static str,
        /// Its status word.
        sw: StatusWord,
    },
    /// The PSAM has no key record for this key (`BF DE` → `6A88`).
    #[error("key {name} is not in the PSAM (6A88: PSAM key level insufficient)")]
    KeyNotInPsam {
        /// Key name.
        name: &'static str,
    },
    /// The key name has no PSAM slot (not a key of `sscard_specs::keys`).
    #[error("key has no PSAM slot (not in the specs' key table)")]
    UnknownKey,
    /// The card's factors have fewer levels than the key.
    #[error("key {name} needs {needed} diversification levels, factors have {given}")]
    NotEnoughFactors {
        /// Key name.
        name: &'static str,
        /// Levels of the key.
        needed: u8,
        /// Levels of the factors.
        given: u8,
    },
    /// The PSAM's DF01 announces another algorithm than the profile's.
    #[error("PSAM algorithm id {psam:02X}, the profile needs {expected:02X}")]
    AlgorithmMismatch {
        /// FCI algorithm id of the PSAM.
        psam: u8,
        /// The profile's algorithm id.
        expected: u8,
    },
    /// A challenge of unusable length.
    #[error("challenge of {0} bytes not usable")]
    BadChallenge(usize),
    /// The data does not fit one short PSAM command.
    #[error("{0} bytes do not fit one PSAM command")]
    InputTooLong(usize),
    /// The PIN does not fit a PIN block.
    #[error("PIN does not fit a PIN block")]
    BadPin,
    /// The PSAM answered a length the operation cannot use.
    #[error("PSAM answered {got} bytes to {operation}, expected {expected}")]
    BadResponse {
        /// The command.
        operation: &'static str,
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// The profile asks for something a PSAM does not do.
    #[error("not supported with a PSAM: {0}")]
    Unsupported(&'static str),
}

impl PsamError {
    /// The national read-card interface code (sscard-spec.md §5.7, §6.3): a key the PSAM lacks is
    /// −24 "PSAM key level insufficient" (−2203 for RKSSSE, which the table names separately), a
    /// wrong algorithm environment −2202, no PSAM (link failure) −2201, other refusals −SW, the
    /// rest −24.
    pub fn national_code(&self) -> i32 {
        match self {
            PsamError::Transport(_) => national::NO_PSAM,
            PsamError::KeyNotInPsam { name: key::RKSSSE } => national::NO_RKSSSE,
            PsamError::KeyNotInPsam { .. } => national::KEY_LEVEL_INSUFFICIENT,
            PsamError::AlgorithmMismatch { .. } => national::NO_ALGORITHM,
            PsamError::Refused { sw, .. } => sw.national_error_code(),
            _ => national::KEY_LEVEL_INSUFFICIENT,
        }
    }
}

/// The terminal number of PSAM EF16 (终端机编号): 6 bytes cn, region (6 digits) ‖ 6 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TerminalNumber(pub [u8; TERMINAL_NUMBER_LEN]);

impl From<[u8; TERMINAL_NUMBER_LEN]> for TerminalNumber {
    fn from(b: [u8; TERMINAL_NUMBER_LEN]) -> Self {
        TerminalNumber(b)
    }
}

impl TerminalNumber {
    /// The 12 digits as the national interface prints them (`iReadCardBas` field 10).
    pub fn digits(&self) -> String {
        hex::encode_upper(self.0)
    }

    /// The region code (first 6 digits).
    pub fn region(&self) -> String {
        self.digits().chars().take(6).collect()
    }
}

impl fmt::Display for TerminalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}
