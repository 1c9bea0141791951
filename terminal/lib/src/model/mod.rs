//! The card's data as types: what `Session` reads and writes, what the CLI prints and what the
//! national strings are made of.
//!
//! - [`card`]: issuer and holder records (EF05/EF06) decoded with the specs' tables;
//! - [`holder`]: the holder profile file (TOML) a card is personalised from;
//! - [`value`]: one data item's value, decoded by its data type (an/cn/b/B-TLV) and encoded back;
//! - [`atr`]: the answer-to-reset and its historical bytes.

pub mod atr;
pub mod card;
pub mod holder;
pub mod value;
