//! sscard terminal: the host side of the Chinese social security card (社会保障卡).
//!
//! - [`transport`]: getting APDUs to a card (PC/SC, the in-process [`emulator`], a
//!   [`scripted`] fake), T=0 handling in `sscard_apdu::exchange`, PIN-masked traces;
//! - [`session`]: the typed SSC session (select, read, write with read-back, PIN, auth,
//!   lifecycle) in the fewest APDUs;
//! - [`card_data`], [`value`]: decoding items with the specs' tables; [`national`]: the
//!   national read-card interface's output strings;
//! - [`keyfile`], [`holder`]: issuer key set and holder profile files;
//! - [`cli`]: the `sscard` command line.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod atr;
pub mod card_data;
pub mod cli;
pub mod conform;
pub mod emulate;
pub mod emulator;
pub mod error;
pub mod holder;
pub mod keyfile;
pub mod national;
pub mod personalize;
pub mod psam;
pub mod scripted;
pub mod session;
pub mod transport;
pub mod value;
pub mod vpcd;

pub use error::{DataError, Error, Result};
pub use session::Session;
