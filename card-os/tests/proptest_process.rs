//! Property test on `Card::process`: random APDUs and random sequences never panic, always answer a
//! status word, and a command answered with an error status word leaves the persistent image
//! unchanged (the only state-changing non-success answer is `63Cx`, a consumed PIN/key try) —
//! the DF04 purse commands included (a DEBIT/CREDIT with a wrong MAC is `9302`, image unchanged).
//! Bounded by `PROPTEST_CASES` (proptest reads it; default 256).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use proptest::prelude::*;
use sscard_card_os::{Card, CardConfig, Quirks, RESP_MAX};
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use std::sync::OnceLock;

fn base(sm4: bool) -> &'static BoxStore {
    static B2: OnceLock<BoxStore> = OnceLock::new();
    static B3: OnceLock<BoxStore> = OnceLock::new();
    if sm4 {
        B3.get_or_init(|| image(&SSCARD_3, b"123456"))
    } else {
        B2.get_or_init(|| image(&SSCARD_2, b"123456"))
    }
}

/// APDUs biased towards the card's command set: known CLA/INS, plausible P1/P2 and lengths, plus
/// fully random byte strings.
fn apdu() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![0x00u8, 0x04, 0x80, 0x84, 0x0C, 0xFF]);
    let ins = prop::sample::select(vec![
        0xA4u8, 0xB0, 0xD6, 0xB2, 0xDC, 0xE2, 0x20, 0x5E, 0x24, 0x84, 0x82, 0x88, 0xC0, 0x1E, 0x18,
        0x16, 0x00, 0xCA, 0x50, 0x52, 0x54, 0x5A, 0x5C,
    ]);
    let p = prop::sample::select(vec![
        0x00u8, 0x01, 0x02, 0x04, 0x05, 0x0C, 0x2C, 0x3C, 0x85, 0xDF, 0xEF, 0xFF,
    ]);
    let structured = (
        cla,
        ins,
        p.clone(),
        p,
        prop::collection::vec(any::<u8>(), 0..40),
        prop::option::of(any::<u8>()),
        any::<bool>(),
    )
        .prop_map(|(cla, ins, p1, p2, data, le, honest_lc)| {
            let mut a = vec![cla, ins, p1, p2];
            if !data.is_empty() {
                a.push(if honest_lc {
                    data.len() as u8
                } else {
                    data.len() as u8 ^ 1
                });
                a.extend(&data);
            }
            if let Some(le) = le {
                a.push(le);
            }
            a
        });
    let known = prop::sample::select(vec![
        hx("00A404000F7378312E73682EC9E7BBE1B1A3D5CF"),
        hx("00A4000002DF01"),
        hx("00A4000002DF04"),
        hx("00A4020002EF05"),
        hx("00A4020002EF07"),
        hx("0020000003123456"),
        hx("0084000008"),
        hx("00B20105FF"),
        hx("00C0000018"),
        // DF04 purse (docs/purse.md): INITIALIZE FOR PURCHASE / LOAD, DEBIT and CREDIT with
        // wrong MACs, GET BALANCE, GET TRANSACTION PROVE.
        hx("805001021401000000000000012C000000C843010000000730 0F"),
        hx("805000020B01000003E8430100000007 10"),
        hx("805401000F000000012026120310203001020304 08"),
        hx("805200000B2026120310203001020304 04"),
        hx("805C000204"),
        hx("805A000602000008"),
    ]);
    prop_oneof![3 => structured, 2 => known, 1 => prop::collection::vec(any::<u8>(), 0..300)]
}

fn allowed_change(sw: u16) -> bool {
    sw == 0x9000 || sw >> 8 == 0x61 || sw & 0xFFF0 == 0x63C0
}

proptest! {
    #[test]
    fn process_never_panics_and_errors_change_nothing(
        sm4 in any::<bool>(),
        t0 in any::<bool>(),
        quirk in any::<bool>(),
        seq in prop::collection::vec(apdu(), 1..24),
    ) {
        let profile = if sm4 { &SSCARD_3 } else { &SSCARD_2 };
        let cfg = CardConfig::new(profile).with_t0(t0).with_quirks(Quirks { refuse_read_all_records: quirk });
        let mut card = Card::new(base(sm4).clone(), cfg).unwrap();
        let mut resp = [0u8; RESP_MAX];
        for a in &seq {
            let before = card.store().as_bytes().to_vec();
            let n = card.process(a, &mut resp);
            prop_assert!((2..=RESP_MAX).contains(&n));
            let sw = u16::from_be_bytes([resp[n - 2], resp[n - 1]]);
            if !allowed_change(sw) {
                prop_assert!(card.store().as_bytes() == &before[..], "{:02X?} -> {:04X} changed the image", a, sw);
            }
            if sw >> 8 == 0x6C {
                prop_assert_eq!(n, 2);
            }
        }
    }
}
