//! The national read procedure's genuineness check (issue 11 item 6): `Session::check_genuine`
//! runs INTERNAL AUTHENTICATE (IRK) with a security module; a card made with another IRK than
//! the terminal's key set is not genuine, and its data still reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_update)]

mod common;

use common::*;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::FactoryParams;
use sscard_keys::Key;
use sscard_specs::{key, SpecVersion};
use sscard_terminal::session::{personalize, Genuineness};
use sscard_terminal::transport::emulator::{identity, EmulatorOptions, EmulatorTransport};
use sscard_terminal::transport::Transport;
use sscard_terminal::{Error, Session};

/// A card of `version` made from the test key set with its IRK replaced, personalised.
fn card_with_wrong_irk(version: SpecVersion, t0: bool) -> Emu {
    let profile = profile_for(version);
    let mut keys = test_issuer_keys(profile);
    let levels = keys.get(key::IRK).unwrap().1;
    keys.insert(
        key::IRK,
        Key::new(profile.key_algorithm(), &[0x5A; 16]).unwrap(),
        levels,
    )
    .unwrap();
    let params = FactoryParams {
        profile,
        version,
        identity: identity("110100", "00000001").unwrap(),
        keys: &keys,
        pin: INITIAL_PIN.as_bytes(),
    };
    let opts = EmulatorOptions {
        protocol: sscard_card_os::Protocol::from_t0(t0),
        ..EmulatorOptions::default()
    };
    let t = EmulatorTransport::new_in_memory(&params, opts).unwrap();
    // Personalised with the (right) update keys: only the IRK differs.
    let text = DEMO_HOLDER.replace(
        "spec_version = \"2.00\"",
        &format!("spec_version = \"{}\"", version.as_str()),
    );
    let mut s = Session::open(t).unwrap().with_security_module(sm(profile));
    personalize(&mut s, &holder(&text)).unwrap();
    let mut t = s.into_transport();
    t.reset().unwrap();
    t
}

#[test]
fn a_card_with_another_irk_is_not_genuine_and_still_reads() {
    for version in [SpecVersion::V2_00, SpecVersion::V3_00] {
        for t0 in [false, true] {
            let profile = profile_for(version);
            let mut s = Session::open(card_with_wrong_irk(version, t0))
                .unwrap()
                .with_security_module(sm(profile));
            let info = s.read_basic_info().unwrap();
            assert_eq!(info.holder.name, "王小明");
            let (g, reason) = s.check_genuine().unwrap();
            assert_eq!(g, Genuineness::Checked(false), "{version:?} t0={t0}");
            assert!(reason.unwrap().contains("not the issuer's"));
        }
    }
}

#[test]
fn a_genuine_card_is_genuine_and_without_keys_not_checked() {
    for version in ["2.00", "3.00"] {
        for t0 in [false, true] {
            let h = holder(&DEMO_HOLDER.replace(
                "spec_version = \"2.00\"",
                &format!("spec_version = \"{version}\""),
            ));
            let v = h.version().unwrap();
            let opts = EmulatorOptions {
                protocol: sscard_card_os::Protocol::from_t0(t0),
                ..EmulatorOptions::default()
            };
            let t = personalised(&h, opts);
            let before = t.apdu_count();
            let mut s = Session::open(t)
                .unwrap()
                .with_security_module(sm(profile_for(v)));
            s.read_basic_info().unwrap();
            let read = s.apdu_count() - before;
            assert_eq!(s.check_genuine().unwrap().0, Genuineness::Checked(true));
            // INTERNAL AUTHENTICATE in the SSSE already selected (3.00: after the RKSSSE
            // authentication EF06 needed): one command, two legs on T=0 (61xx + GET RESPONSE).
            assert_eq!(s.apdu_count() - before - read, if t0 { 2 } else { 1 });
        }
    }
    let mut s = Session::open(demo_card()).unwrap();
    s.read_basic_info().unwrap();
    let n = s.apdu_count();
    assert_eq!(s.check_genuine().unwrap(), (Genuineness::NotChecked, None));
    assert_eq!(s.apdu_count(), n);
    let e = Error::NotGenuine {
        card_number: "A00000011".into(),
        reason: "x".into(),
    };
    assert_eq!(e.exit_code(), 5);
    assert_eq!(
        serde_json::to_string(&[Genuineness::Checked(true), Genuineness::NotChecked]).unwrap(),
        "[true,\"not checked\"]"
    );
}
