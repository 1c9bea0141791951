//! sscard's virtual cards: the card OS (and a PSAM) served to pcscd through the vsmartcard vpcd
//! protocol, so that any PC/SC client sees a card.
//!
//! - [`vpcd`]: the vpcd wire protocol (the card is the TCP client of pcscd's vpcd driver);
//! - [`serve`]: the `sscard emulate` loop — images, power and reset, persistence, traces, Ctrl-C.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod serve;
pub mod vpcd;
