//! Exhaustive power-cut test: for every state-changing command, for every k = 0..=W (W = store
//! writes the command makes) and for several torn-write prefixes, cut the power after k writes,
//! power up (journal recovery) and require the persistent image (journal area excluded) to equal the
//! full old state or the full new state. For the decrement-first commands (VERIFY, EXTERNAL
//! AUTHENTICATE) a third state is legitimate: "one try consumed", i.e. exactly the image a wrong
//! attempt leaves — that is the point of decrementing before comparing.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_card_os::store::{TearingStore, JOURNAL_SIZE};
use sscard_card_os::{Card, CardConfig};
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_specs::types::DfId;

type THost = Host<TearingStore<BoxStore>>;

/// Brings a fresh card into the pre-state and returns (the command, an optional "wrong attempt"
/// variant whose outcome is an allowed intermediate state).
type Setup = fn(&mut THost) -> (Vec<u8>, Option<Vec<u8>>);

fn fresh(base: &BoxStore, profile: &'static Profile) -> THost {
    let card = Card::new(TearingStore::new(base.clone()), CardConfig::new(profile)).unwrap();
    Host::wrap(card, profile)
}

fn data(h: &THost) -> Vec<u8> {
    h.card.store().inner().as_bytes()[JOURNAL_SIZE..].to_vec()
}

fn ok(sw: u16) {
    assert!(sw == 0x9000 || sw >> 8 == 0x61, "{sw:04X}");
}

fn scenarios() -> Vec<(&'static str, Setup)> {
    vec![
        ("UPDATE RECORD 00 DC (SSSE EF06)", |h| {
            h.select_ssse();
            h.select_ef(0xEF06);
            ok(h.ext_auth("UKSSSE"));
            (hx(&format!("00DC02041E091C{}", "C4E3BAC3".repeat(7))), None)
        }),
        ("UPDATE RECORD 04 DC (MAC, DF01 EF05)", |h| {
            h.select_ssse();
            h.select_df(DfId::Df01);
            h.select_ef(0xEF05);
            (
                h.mac_apdu("UK1DF01", [0x04, 0xDC, 0x01, 0x04], &hx("20023130")),
                None,
            )
        }),
        ("UPDATE RECORD fixed file (DF03 EF19)", |h| {
            h.select_ssse();
            h.select_df(DfId::Df03);
            h.select_ef(0xEF19);
            ok(h.ext_auth("UK8DF03"));
            let mut rec = hx("7927");
            rec.extend((0..0x27).map(|i| i as u8));
            let mut a = vec![0x00, 0xDC, 0x02, 0x04, rec.len() as u8];
            a.extend(rec);
            (a, None)
        }),
        ("UPDATE BINARY (SSSE EF07, 200 bytes)", |h| {
            h.select_ssse();
            h.select_ef(0xEF07);
            ok(h.ext_auth("UKSSSE"));
            let mut a = hx("00D60010C8");
            a.extend((0..200).map(|i| i as u8));
            (a, None)
        }),
        ("APPEND RECORD cyclic, wrapping (DF04 EF15)", |h| {
            h.select_ssse();
            h.select_df(DfId::Df04);
            h.select_ef(0xEF15);
            ok(h.ext_auth("UK2DF04"));
            for i in 0..8u8 {
                ok(h.sw(&format!("00E2000003{i:02X}0031")));
            }
            (hx("00E2000003FF0039"), None)
        }),
        ("APPEND RECORD cyclic, first (DF02 EF07)", |h| {
            h.select_ssse();
            h.select_df(DfId::Df02);
            h.select_ef(0xEF07);
            ok(h.ext_auth("UK3DF02"));
            let mut a = vec![0x00, 0xE2, 0x00, 0x00, 0x55];
            a.extend(std::iter::repeat_n(0x41, 0x55));
            (a, None)
        }),
        ("VERIFY wrong", |h| {
            h.select_ssse();
            (hx("0020000003999999"), None)
        }),
        ("VERIFY right (after a wrong one)", |h| {
            h.select_ssse();
            assert_eq!(h.sw("0020000003999999"), 0x63C2);
            (hx("0020000003123456"), Some(hx("0020000003999999")))
        }),
        ("CHANGE PIN", |h| {
            h.select_ssse();
            (
                hx("805E010007123456FF87654321"
                    .replace("87654321", "654321")
                    .as_str()),
                Some(hx("805E010007999999FF654321")),
            )
        }),
        ("PIN UNBLOCK", |h| {
            h.select_ssse();
            for _ in 0..3 {
                h.sw("0020000003999999");
            }
            ok(h.ext_auth("PUK"));
            (h.mac_apdu("STK", [0x84, 0x24, 0x00, 0x00], &[]), None)
        }),
        ("PIN RELOAD", |h| {
            h.select_ssse();
            ok(h.ext_auth("PUK"));
            (h.pin_reload_apdu(&hx("24681357")), None)
        }),
        ("EXTERNAL AUTHENTICATE fail", |h| {
            h.select_ssse();
            h.challenge();
            (hx("0082000A10000102030405060708090A0B0C0D0E0F"), None)
        }),
        ("EXTERNAL AUTHENTICATE success (after a failure)", |h| {
            h.select_ssse();
            h.challenge();
            assert_eq!(h.sw("0082000A10000102030405060708090A0B0C0D0E0F"), 0x63C2);
            let r = h.challenge();
            let d = sscard_keys::session::external_auth_data(
                h.profile,
                &h.card_key("RKSSSE"),
                &r,
                &[9; 8],
            )
            .unwrap();
            let mut a = hx("0082000A10");
            a.extend_from_slice(&d);
            let mut wrong = a.clone();
            wrong[5] ^= 0xFF;
            wrong[13] ^= 0xFF;
            (a, Some(wrong))
        }),
        ("APPLICATION BLOCK temporary", |h| {
            h.select_ssse();
            (h.mac_apdu("STK", [0x84, 0x1E, 0x00, 0x00], &[]), None)
        }),
        ("APPLICATION BLOCK permanent", |h| {
            h.select_ssse();
            h.select_df(DfId::Df02);
            (h.mac_apdu("STK", [0x84, 0x1E, 0x00, 0x01], &[]), None)
        }),
        ("APPLICATION UNBLOCK", |h| {
            h.select_ssse();
            ok(h.send_mac("STK", [0x84, 0x1E, 0x00, 0x00], &[]));
            (h.mac_apdu("STK", [0x84, 0x18, 0x00, 0x00], &[]), None)
        }),
        ("CARD BLOCK", |h| {
            (h.mac_apdu("STK", [0x84, 0x16, 0x00, 0x00], &[]), None)
        }),
    ]
}

/// DEBIT FOR PURCHASE and CREDIT FOR LOAD (the DF04 purse): balance, counters, accumulators,
/// proof and EF08 (EF15) must be all old or all new after a cut at any write.
fn purse_scenarios() -> Vec<(&'static str, Setup)> {
    vec![
        ("DEBIT FOR PURCHASE (balance, accumulators, EF08)", |h| {
            h.enter_df04();
            h.load(10_000);
            h.purchase(amounts(100, 300, 200), b'0', 1, WHEN.0);
            let a = amounts(250, 400, 150);
            let (init, sw) = h.init_purchase(a, b'0');
            ok(sw);
            (
                h.debit_apdu(&init.unwrap(), &medical(a, 2, WHEN.0, WHEN.1)),
                None,
            )
        }),
        (
            "DEBIT FOR PURCHASE work injury (EF08 + EF15), year roll-over",
            |h| {
                h.enter_df04();
                h.load(10_000);
                h.purchase(amounts(100, 300, 200), b'0', 1, WHEN.0);
                let a = amounts(250, 400, 150);
                let (init, sw) = h.init_purchase(a, b'1');
                ok(sw);
                let next_year = [0x20, 0x27, 0x02, 0x01];
                (
                    h.debit_apdu(&init.unwrap(), &medical(a, 2, next_year, WHEN.1)),
                    None,
                )
            },
        ),
        ("CREDIT FOR LOAD", |h| {
            h.enter_df04();
            h.load(1_000);
            let (init, sw) = h.init_load(2_500);
            ok(sw);
            (h.credit_apdu(&init.unwrap(), 2_500), None)
        }),
    ]
}

fn run(profile: &'static Profile) -> usize {
    run_scenarios(profile, scenarios())
}

fn run_scenarios(profile: &'static Profile, scenarios: Vec<(&'static str, Setup)>) -> usize {
    let base = image(profile, b"123456");
    let mut cut_points = 0;
    for (name, setup) in scenarios {
        // Reference run: old image, new image, W.
        let mut h = fresh(&base, profile);
        let (cmd, wrong) = setup(&mut h);
        let old = data(&h);
        h.card.store_mut().reset_count();
        let (_, sw) = h.send(&cmd);
        assert!(sw == 0x9000 || sw & 0xFFF0 == 0x63C0, "{name}: {sw:04X}");
        let writes = h.card.store().writes();
        let new = data(&h);
        assert_ne!(old, new, "{name}: no state change");
        let tried = wrong.map(|w| {
            let mut h = fresh(&base, profile);
            setup(&mut h);
            let (_, sw) = h.send(&w);
            assert_eq!(sw & 0xFFF0, 0x63C0, "{name}: wrong variant");
            data(&h)
        });
        for k in 0..=writes {
            for partial in [0usize, 1, 7, 64] {
                let mut h = fresh(&base, profile);
                let (cmd2, _) = setup(&mut h);
                assert_eq!(cmd2, cmd, "{name}: setup is not deterministic");
                h.card.store_mut().arm(k, partial);
                let (_, sw) = h.send(&cmd);
                if k < writes {
                    assert_eq!(
                        sw, 0x6581,
                        "{name}: a failed NVM write answers 6581 (memory failure)"
                    );
                }
                // Power cut: take the image, power up a new card on it (journal recovery).
                let img = h.card.into_store().into_inner();
                let card = Card::new(img, CardConfig::new(profile)).unwrap();
                let got = card.store().as_bytes()[JOURNAL_SIZE..].to_vec();
                let fine = got == old || got == new || tried.as_ref().is_some_and(|t| *t == got);
                assert!(
                    fine,
                    "{name} ({}): mixed state after a cut at write {k} (partial {partial})",
                    profile.name
                );
                cut_points += 1;
            }
        }
        println!("  {name}: {writes} writes, {} cut points", (writes + 1) * 4);
    }
    cut_points
}

#[test]
fn power_cuts_sscard_2() {
    let n = run(&SSCARD_2);
    println!("power-cut test sscard-2: {n} cut points, 0 mixed states");
}

#[test]
fn power_cuts_sscard_3() {
    let n = run(&SSCARD_3);
    println!("power-cut test sscard-3: {n} cut points, 0 mixed states");
}

/// The purse campaign: every write of DEBIT / CREDIT × 4 landings, both suites.
#[test]
fn power_cuts_purse() {
    let mut total = 0;
    for p in [&SSCARD_2, &SSCARD_3] {
        let n = run_scenarios(p, purse_scenarios());
        println!(
            "purse power-cut campaign {}: {n} cut points, 0 mixed states",
            p.name
        );
        assert!(n >= 3 * 4 * 8, "{n}");
        total += n;
    }
    println!("purse power-cut campaign: {total} cut points, 0 mixed states");
}
