//! sscard card OS: a `no_std`, allocation-free emulation of a personalised Chinese social security
//! card (社会保障卡), 3DES (`sscard-2`) and SM4 (`sscard-3`) suites.
//!
//! * [`store`]: byte-addressed NVM ([`store::Store`]), RAM/slice/file stores, the anti-tearing
//!   [`store::Journal`] and the [`store::TearingStore`] power-cut simulator;
//! * [`Card`]: `process(apdu, resp) -> len`, ATR, power on/off/reset — the chip frame
//!   (`chip`: power, process framing, T=0 shaping, challenge generator) around the card
//!   application, whose handlers (`handlers`) get a context (`ctx`) typed by what they may touch
//!   and check access through `security` (state, rules, the one try-counter protocol);
//! * [`psam`]: the PSAM, the same chip frame around the PSAM application;
//! * [`factory`]: format a blank store into a card image from an issuer key set.
//!
//! The file tree, access rules and key table come from `sscard_specs`; records are encoded with
//! `sscard_apdu::record`; all cryptography is `sscard_keys`.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[macro_use]
mod faults;
mod card;
mod chip;
mod config;
mod ctx;
pub mod factory;
mod fs;
mod handlers;
pub mod layout;
pub mod psam;
mod security;
pub mod store;

pub use card::{Card, InitError, ATR_LEN, ATR_MAX, ATR_PREFIX, ATR_T1_LEN, ATR_T1_PREFIX};
pub use chip::RESP_MAX;
pub use config::{CardConfig, Protocol, Quirks};
pub use factory::{
    factory_initialise, factory_initialise_family, CardIdentity, FactoryError, FactoryParams,
};
#[cfg(feature = "faults")]
pub use faults::{FaultInfo, Faults, FAULTS};
pub use layout::{required_store_size, required_store_size_of};

/// Store size that holds a card image of any spec version (journal included).
pub const CARD_STORE_SIZE: usize = 24 * 1024;

/// A card over an in-RAM image of [`CARD_STORE_SIZE`] bytes.
pub type RamCard = Card<store::RamStore<CARD_STORE_SIZE>>;

#[cfg(test)]
mod footprint {
    #[test]
    fn card_ram_footprint_is_small() {
        let n = core::mem::size_of::<crate::Card<crate::store::SliceStore<'static>>>();
        println!("size_of::<Card<SliceStore>>() = {n} bytes");
        assert!(n < 2048, "{n}");
    }
}
