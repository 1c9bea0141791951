//! The PSAM's purchase side (`80 70` MAC1 with its own terminal serial, `80 72` MAC2) against
//! the emulated card's DF04 purse, both suites: a full purchase card ↔ PSAM with the TAC checked
//! independently, the serial kept (and persisted) by the PSAM, and the PSAM's refusals.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_apdu::commands::purse::{PsamInitPurchase, PsamMac1Response};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{provision, Psam, PsamParams, PSAM_STORE_SIZE};
use sscard_card_os::store::{RamStore, Store, TearingStore};
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_keys::IssuerKeySet;

const DF01_AID_SELECT: &str = "00A4040006D15600000590";

fn psam_image(profile: &'static Profile, keys: &IssuerKeySet) -> RamStore<PSAM_STORE_SIZE> {
    let mut s = RamStore::<PSAM_STORE_SIZE>::new();
    provision(
        &mut s,
        &PsamParams {
            profile,
            keys,
            terminal_number: TERM,
            serial: [0x43, 0x01, 0, 0, 0, 0, 0, 0, 0x56, 0x78],
            issuer_id: [0x43, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        },
    )
    .unwrap();
    s
}

fn psend<S: Store>(p: &mut Psam<S>, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut r = [0u8; 258];
    let n = p.process(apdu, &mut r);
    let (mut d, mut sw) = (
        r[..n - 2].to_vec(),
        u16::from_be_bytes([r[n - 2], r[n - 1]]),
    );
    while sw >> 8 == 0x61 {
        let n = p.process(&[0x00, 0xC0, 0x00, 0x00, sw as u8], &mut r);
        d.extend_from_slice(&r[..n - 2]);
        sw = u16::from_be_bytes([r[n - 2], r[n - 1]]);
    }
    (d, sw)
}

fn bytes(c: sscard_apdu::Command) -> Vec<u8> {
    let mut b = [0u8; 300];
    let n = c.encode(&mut b).unwrap();
    b[..n].to_vec()
}

fn factors(profile: &Profile) -> Vec<u8> {
    HUNAN
        .factors(profile)
        .unwrap()
        .innermost(3)
        .unwrap()
        .concat()
}

fn init_apdu(profile: &Profile, init: &InitPurchaseResponse, a: PurseAmounts, f: &[u8]) -> Vec<u8> {
    let _ = profile;
    bytes(
        purse_cmd::psam_init_for_purchase(&PsamInitPurchase {
            random: init.random,
            counter: init.counter,
            amounts: a,
            tx_type: purse_cmd::TX_PURCHASE,
            date: WHEN.0,
            time: WHEN.1,
            key_version: init.key_version,
            alg_id: init.alg_id,
            factors: f,
        })
        .unwrap(),
    )
}

/// One purchase card ↔ PSAM; returns the serial the PSAM used.
fn purchase<S: Store>(h: &mut Host, p: &mut Psam<S>, a: PurseAmounts) -> u32 {
    let (init, sw) = h.init_purchase(a, b'0');
    assert_eq!(sw, 0x9000);
    let init = init.unwrap();
    let (d, sw) = psend(p, &init_apdu(h.profile, &init, a, &factors(h.profile)));
    assert_eq!(sw, 0x9000, "80 70");
    let m = PsamMac1Response::parse(&d).unwrap();
    let debit = bytes(
        purse_cmd::debit_for_purchase(&Debit {
            serial: m.serial,
            date: WHEN.0,
            time: WHEN.1,
            mac1: m.mac1,
        })
        .unwrap(),
    );
    let (d, sw) = h.send(&debit);
    assert_eq!(sw, 0x9000, "DEBIT with the PSAM's MAC1");
    let r = DebitResponse::parse(&d).unwrap();
    let tx = medical(a, m.serial, WHEN.0, WHEN.1);
    assert!(h.tac_key().verify_purchase_tac(&tx, &r.tac), "TAC");
    assert!(h
        .purchase_session(&init, m.serial)
        .verify_mac1(&tx, &m.mac1));
    let (_, sw) = psend(p, &bytes(purse_cmd::psam_verify_mac2(&r.mac2).unwrap()));
    assert_eq!(sw, 0x9000, "80 72 accepts the card's MAC2");
    m.serial
}

#[test]
fn card_and_psam_purchase_with_the_psams_serial() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        let keys = test_issuer_keys(profile);
        let mut p = Psam::new(psam_image(profile, &keys), profile).unwrap();
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        let mut h = Host::new(profile);
        h.enter_df04();
        h.load(1_000);
        assert_eq!(purchase(&mut h, &mut p, amounts(100, 150, 50)), 1);
        assert_eq!(purchase(&mut h, &mut p, amounts(0, 80, 80)), 2);
        assert_eq!(h.balance(), 900);
        // the serial survives power-off (persisted)
        let store = p.into_store();
        let mut p = Psam::new(store, profile).unwrap();
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        assert_eq!(purchase(&mut h, &mut p, amounts(1, 1, 1)), 3);
    }
}

#[test]
fn psam_purchase_refusals() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        let keys = test_issuer_keys(profile);
        let mut p = Psam::new(psam_image(profile, &keys), profile).unwrap();
        let mut h = Host::new(profile);
        h.enter_df04();
        let a = amounts(0, 10, 10);
        let (init, _) = h.init_purchase(a, b'0');
        let init = init.unwrap();
        let f = factors(profile);
        let good = init_apdu(profile, &init, a, &f);
        let mac2 = bytes(purse_cmd::psam_verify_mac2(&[0; 4]).unwrap());
        assert_eq!(psend(&mut p, &mac2).1, 0x6985, "VERIFY MAC2 without INIT");
        assert_eq!(psend(&mut p, &good).1, 0x6985, "DF01 not selected");
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        assert_eq!(
            psend(&mut p, &init_apdu(profile, &init, a, &f[..16])).1,
            0x6A80
        );
        let mut bad_type = good.clone();
        bad_type[5 + 18] = 0x02;
        assert_eq!(psend(&mut p, &bad_type).1, 0x6A80);
        let mut bad_date = good.clone();
        bad_date[5 + 21] = 0x13;
        assert_eq!(psend(&mut p, &bad_date).1, 0x6A80);
        assert_eq!(psend(&mut p, &good[..good.len() - 3]).1, 0x6700);
        // a wrong MAC2 is 9302 and ends the purchase
        let (d, sw) = psend(&mut p, &good);
        assert_eq!(sw, 0x9000);
        assert_eq!(
            PsamMac1Response::parse(&d).unwrap().serial,
            1,
            "refusals spend no serial"
        );
        assert_eq!(psend(&mut p, &mac2).1, 0x9302);
        assert_eq!(psend(&mut p, &mac2).1, 0x6985);
        // a PSAM without DPK
        let mut few = IssuerKeySet::new();
        let (k, l) = keys.get("RKSSSE").unwrap();
        few.insert("RKSSSE", k.clone(), l).unwrap();
        let mut p2 = Psam::new(psam_image(profile, &few), profile).unwrap();
        assert_eq!(psend(&mut p2, &hx(DF01_AID_SELECT)).1, 0x9000);
        assert_eq!(psend(&mut p2, &good).1, 0x6A88);
    }
}

/// A power cut while the PSAM persists its serial: afterwards the next serial is the cut one
/// or the one after — never a serial whose MAC1 was already given out.
#[test]
fn psam_serial_power_cut() {
    let profile = &SSCARD_2;
    let keys = test_issuer_keys(profile);
    let mut h = Host::new(profile);
    h.enter_df04();
    let a = amounts(0, 10, 10);
    let (init, _) = h.init_purchase(a, b'0');
    let init = init.unwrap();
    let good = init_apdu(profile, &init, a, &factors(profile));
    let mut cuts = 0;
    for partial in 0..=8 {
        let mut p = Psam::new(TearingStore::new(psam_image(profile, &keys)), profile).unwrap();
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        let (d, _) = psend(&mut p, &good);
        assert_eq!(PsamMac1Response::parse(&d).unwrap().serial, 1);
        let mut store = p.into_store();
        store.arm(0, partial);
        let mut p = Psam::new(store, profile).unwrap();
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        let (_, sw) = psend(&mut p, &good);
        assert_ne!(sw, 0x9000, "the cut write fails");
        let mut store = p.into_store();
        store.disarm();
        let mut p = Psam::new(store, profile).unwrap();
        assert_eq!(psend(&mut p, &hx(DF01_AID_SELECT)).1, 0x9000);
        let (d, sw) = psend(&mut p, &good);
        assert_eq!(sw, 0x9000);
        let s = PsamMac1Response::parse(&d).unwrap().serial;
        assert!(s == 2 || s == 3, "partial {partial}: serial {s}");
        cuts += 1;
    }
    println!("PSAM serial power cuts: {cuts}, 0 reused serials");
}
