//! sscard terminal: the host side of the Chinese social security card (社会保障卡).
//!
//! | module | holds |
//! | --- | --- |
//! | [`transport`] | getting APDUs to a card: PC/SC, the in-process card OS (feature `emulator`), a scripted fake; PIN-masked traces (T=0 handling is `sscard_apdu::exchange`) |
//! | [`session`] | the typed SSC session: select, read, write with read-back, PIN, authentication, lifecycle, personalisation — in the fewest APDUs |
//! | [`model`] | every card data type: basic info, issuer data and holder, items, EF contents, raw records; the holder profile file, value codecs, the ATR |
//! | [`security`] | security modules: software keys (issuer key files) and the PSAM |
//! | [`national`] | the national read-card interface's string formats |
//! | [`error`] | the library's one error type |
//!
//! The command line (`sscard-cli`), the conformance suite (`sscard-conform`) and the virtual-card
//! server (`sscard-emulate`) are separate crates built on this one.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod model;
pub mod national;
pub mod security;
pub mod session;
pub mod transport;

pub use error::{DataError, Error, Result};
pub use session::Session;
