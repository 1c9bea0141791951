//! Shared helpers of the integration tests: in-memory cards from the card OS, test keys,
//! the demo holder profile.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::FactoryParams;
use sscard_keys::{Profile, SoftwareSecurityModule};
use sscard_specs::SpecVersion;
use sscard_terminal::model::holder::HolderProfile;
use sscard_terminal::session::personalize;
use sscard_terminal::transport::emulator::{
    identity, EmulatorOptions, EmulatorTransport, RamImage,
};
use sscard_terminal::Session;

pub type Emu = EmulatorTransport<RamImage>;

pub const INITIAL_PIN: &str = "000000";
pub const DEMO_HOLDER: &str = include_str!("../../../../demo/holder.toml");

pub fn profile_for(version: SpecVersion) -> &'static Profile {
    Profile::by_name(version.profile_name()).unwrap()
}

pub fn sm(profile: &'static Profile) -> SoftwareSecurityModule {
    SoftwareSecurityModule::new(profile, test_issuer_keys(profile))
}

/// A factory-fresh in-memory card.
pub fn blank(version: SpecVersion, opts: EmulatorOptions) -> Emu {
    let profile = profile_for(version);
    let keys = test_issuer_keys(profile);
    let params = FactoryParams {
        profile,
        version,
        identity: identity("110100", "00000001").unwrap(),
        keys: &keys,
        pin: INITIAL_PIN.as_bytes(),
    };
    EmulatorTransport::new_in_memory(&params, opts).unwrap()
}

pub fn holder(text: &str) -> HolderProfile {
    HolderProfile::parse(text).unwrap()
}

/// A card personalised with `h` (through APDUs); the transport is handed back.
pub fn personalised(h: &HolderProfile, opts: EmulatorOptions) -> Emu {
    let version = h.version().unwrap();
    let t = blank(version, opts);
    let mut s = Session::open(t)
        .unwrap()
        .with_security_module(sm(profile_for(version)));
    personalize(&mut s, h).unwrap();
    // As if the card were taken out and put back: no PIN or key state carries over.
    let mut t = s.into_transport();
    sscard_terminal::transport::Transport::reset(&mut t).unwrap();
    t
}

pub fn demo_card() -> Emu {
    personalised(&holder(DEMO_HOLDER), EmulatorOptions::default())
}
