//! The national read-card interface (sscard-spec.md §6) as plain Rust: the functions of the
//! national `SSCardDriver` library (`iReadCardBas`, `iReadCard`, `iWriteCard`, the PIN functions
//! and their HSM steps), each over a [`Device`] that gives it the card, the PSAM and the PIN.
//! The C library `libSSCardDriver` (crate `sscard-driver`) and the local web service are thin
//! layers over these; the strings they exchange are exactly the national ones.
//!
//! | module | holds |
//! | --- | --- |
//! | [`format`] | the output strings (`iReadCardBas`'s 11 fields), GBK / UTF-8 encoding, bounds |
//! | [`error`] | [`NationalError`] and the national error table ([`NationalError::code`]) |
//! | `device` | [`Device`], [`Interface`] (iType), [`PinPrompt`] |
//! | `basic` | `iReadCardBas` in PSAM mode (the §6.4 procedure) |
//! | `file` | `iReadCard` / `iWriteCard` by file address (`SSSEEF05|06|07|$…`) |
//! | `pin` | `iVerifyPIN`, `iChangePIN`, `iReloadPIN`, `iUnblockPIN` |
//! | [`hsm`] | the HSM steps, their key strings, and [`hsm::TestHsm`] (an HSM played from issuer keys) |
//! | [`config`], [`configured`] | the configuration (file + `SSCARD_*` variables) and the device it describes |
//! | `debit` | `iDoDebit` (PSAM mode; a retry never charges twice) and `iReadDebitRecord` |
//! | [`pay`] | the medical purchase's `pPayInfo` parser |

mod basic;
pub mod config;
pub mod configured;
mod debit;
mod device;
pub mod error;
mod file;
pub mod format;
pub mod hsm;
pub mod pay;
mod pin;

pub use self::basic::{read_basic, read_card_bas};
pub use self::config::Config;
pub use self::configured::ConfiguredDevice;
pub use self::debit::{debit_out, debit_records_out, do_debit, read_debit_record};
pub use self::device::{Device, DynTransport, Interface, PinPrompt};
pub use self::error::{NationalError, NationalResult};
pub use self::file::{read_card, write_card, AuthType};
pub use self::format::{Encoding, TerminalIds};
pub use self::pin::{change_pin, reload_pin, unblock_pin, verify_pin};

/// Parse a file address (`pFileAddr`) against the specs, as `iReadCard` does before touching the
/// card: −14 for syntax, −23 for an EF or tag the specs do not have (for callers and fuzzing).
pub fn check_file_address(addr: &str) -> NationalResult<()> {
    file::parse_address(addr).map(|_| ())
}
