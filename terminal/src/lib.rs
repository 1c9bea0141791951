//! sscard terminal: the host side of the Chinese social security card (社会保障卡).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod transport;
pub mod vpcd;
