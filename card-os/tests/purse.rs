//! The DF04 medical purse driven by APDUs (docs/purse.md), both suites: MAC1 checked, MAC2 and
//! TAC verified by an independent computation with `sscard_keys::purse` from the test key set,
//! the status words of every refusal with the state read back unchanged, counters, EF08/EF15
//! content and order, the yearly roll-over and GET TRANSACTION PROVE.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_specs::purse::{amount_file as af, class};

const PROFILES: [&Profile; 2] = [&SSCARD_2, &SSCARD_3];
const Y2026: [u8; 4] = WHEN.0;
const Y2027: [u8; 4] = [0x20, 0x27, 0x01, 0x05];

fn host(p: &'static Profile) -> Host {
    let mut h = Host::new(p);
    h.enter_df04();
    h
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(b[at..at + 2].try_into().unwrap())
}

#[test]
fn load_then_purchase_mac2_tac_counters_log() {
    for p in PROFILES {
        let mut h = host(p);
        assert_eq!(h.balance(), 0);
        h.load(10_000);
        assert_eq!(h.balance(), 10_000);
        let a = amounts(300, 500, 200);
        let r = h.purchase(a, class::ORDINARY, 1, Y2026);
        assert_eq!((r.init.balance, r.init.counter), (10_000, 0));
        assert_eq!(r.init.key_version, 1);
        assert_eq!(r.init.alg_id, if p.name == "sscard-3" { 4 } else { 0 });
        assert_eq!(h.balance(), 9_700);
        let r2 = h.purchase(amounts(0, 800, 800), class::ORDINARY, 2, Y2026);
        assert_eq!(r2.init.counter, 1, "offline counter progresses");
        assert_eq!(h.balance(), 9_700, "online flow: personal account 0");
        let (i, _) = h.init_load(5);
        assert_eq!(i.unwrap().counter, 1, "online counter progresses");
        // EF08: record 1 newest.
        let (r1, sw) = h.ef08(1);
        assert_eq!(sw, 0x9000);
        assert_eq!(
            r1,
            hx(&format!(
                "0001 32 {} 20261203102030 00000000 00000320 00000320",
                "430100000007"
            ))
        );
        let (r2b, _) = h.ef08(2);
        assert_eq!(
            r2b,
            hx("0000 32 430100000007 20261203102030 0000012C 000001F4 000000C8")
        );
        let (r3, _) = h.ef08(3);
        assert_eq!(
            r3,
            hx("0000 31 430100000007 20261203102030 00002710 00000000 00000000")
        );
        assert_eq!(h.ef08(4).1, 0x6A83);
        let amt = h.card.purse_amount_file();
        assert_eq!(u16_at(&amt, af::ONLINE_CTR), 1);
        assert_eq!(u16_at(&amt, af::OFFLINE_CTR), 2);
        assert_eq!(u32_at(&amt, af::YEAR_SELF_PAY), 1300);
        assert_eq!(u32_at(&amt, af::YEAR_POOLED), 1000);
        assert_eq!(&amt[af::PAY_YEAR..af::PAY_YEAR + 2], &[0x20, 0x26]);
    }
}

#[test]
fn bad_mac1_is_9302_and_changes_nothing() {
    for p in PROFILES {
        let mut h = host(p);
        h.load(1000);
        let a = amounts(100, 100, 0);
        let (init, _) = h.init_purchase(a, class::ORDINARY);
        let mut apdu = h.debit_apdu(&init.unwrap(), &medical(a, 7, Y2026, WHEN.1));
        let before = h.image();
        let n = apdu.len();
        apdu[n - 2] ^= 0x01; // last MAC1 byte (before Le)
        assert_eq!(h.send(&apdu).1, 0x9302);
        assert_eq!(h.image(), before);
        // the session is used up: the right MAC1 afterwards is refused too
        apdu[n - 2] ^= 0x01;
        assert_eq!(h.send(&apdu).1, 0x6985);
        assert_eq!(h.image(), before);
        assert_eq!(h.balance(), 1000);
    }
}

#[test]
fn replayed_debit_is_refused() {
    for p in PROFILES {
        let mut h = host(p);
        h.load(1000);
        let a = amounts(100, 100, 0);
        let (init, _) = h.init_purchase(a, class::ORDINARY);
        let apdu = h.debit_apdu(&init.unwrap(), &medical(a, 9, Y2026, WHEN.1));
        assert_eq!(h.send(&apdu).1, 0x9000);
        let after = h.image();
        assert_eq!(h.send(&apdu).1, 0x6985, "no session: replay refused");
        // a new INITIALIZE has a new random and counter: the old MAC1 is wrong
        let (_, sw) = h.init_purchase(a, class::ORDINARY);
        assert_eq!(sw, 0x9000);
        assert_eq!(h.send(&apdu).1, 0x9302);
        assert_eq!(h.image(), after);
        assert_eq!(h.balance(), 900);
    }
}

#[test]
fn refusals_leave_state_unchanged() {
    for p in PROFILES {
        let mut h = host(p);
        h.load(500);
        let before = h.image();
        let a = amounts(100, 100, 0);
        // key index
        let (_, sw) = h.send(&Host::<BoxStore>::init_purchase_apdu(a, class::ORDINARY, 2));
        assert_eq!(sw, 0x9403);
        // insufficient balance
        assert_eq!(
            h.init_purchase(amounts(501, 0, 0), class::ORDINARY).1,
            0x9401
        );
        // bad class
        assert_eq!(h.init_purchase(a, b'4').1, 0x6A80);
        // load: amount 0, overflow, key index
        assert_eq!(h.init_load(0).1, 0x6A80);
        assert_eq!(h.init_load(u32::MAX).1, 0x6A80);
        assert_eq!(h.sw("805000020B020000000100000000000010"), 0x9403);
        // malformed
        for bad in [
            "805001020B0100000001430100000007",
            "8050010314010000000000000001000000014301000000073000",
            "805401000E0000000120261203102030000000",
            "805C0001",
            "805A000302 0000",
            "845C000204",
        ] {
            let sw = h.sw(bad);
            assert!(matches!(sw, 0x6700 | 0x6A86 | 0x6E00), "{bad}: {sw:04X}");
        }
        // DEBIT / CREDIT without INITIALIZE
        assert_eq!(h.sw("805401000F00000001202612031020300102030408"), 0x6985);
        assert_eq!(h.sw("805200000B202612031020300102030404"), 0x6985);
        // bad date in DEBIT (valid session): 6A80, nothing written
        let (init, _) = h.init_purchase(a, class::ORDINARY);
        let mut tx = medical(a, 3, [0x20, 0x26, 0x13, 0x01], WHEN.1);
        let apdu = h.debit_apdu(&init.unwrap(), &tx);
        assert_eq!(h.send(&apdu).1, 0x6A80);
        // any other command closes the session
        tx.when.date = Y2026;
        let (init, _) = h.init_purchase(a, class::ORDINARY);
        let apdu = h.debit_apdu(&init.unwrap(), &tx);
        h.balance();
        assert_eq!(h.send(&apdu).1, 0x6985);
        // GET TRANSACTION PROVE with no such transaction
        assert_eq!(h.sw("805A000602000008"), 0x9406);
        assert_eq!(h.image(), before);
        assert_eq!(h.balance(), 500);
    }
}

#[test]
fn pin_and_df04_required() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        assert_eq!(h.sw("805C000204"), 0x6985, "not in DF04");
        h.select_df(sscard_specs::types::DfId::Df04);
        assert_eq!(h.init_purchase(amounts(0, 1, 1), class::ORDINARY).1, 0x6982);
        // load needs no PIN
        h.load(10);
        assert_eq!(h.balance(), 10);
    }
}

#[test]
fn special_settlement_writes_ef15() {
    for p in PROFILES {
        let mut h = host(p);
        h.purchase(amounts(0, 10, 5), class::ORDINARY, 1, Y2026);
        h.purchase(amounts(0, 10, 5), class::MATERNITY, 2, Y2026);
        h.purchase(amounts(0, 10, 5), class::WORK_INJURY, 3, Y2026);
        let (r, sw) = h.send(&[0x00, 0xB2, 0x01, (0x15 << 3) | 4, 0x03]);
        assert_eq!((r, sw), (hx("000231"), 0x9000));
        let (r, _) = h.send(&[0x00, 0xB2, 0x02, (0x15 << 3) | 4, 0x03]);
        assert_eq!(r, hx("000132"));
        assert_eq!(h.send(&[0x00, 0xB2, 0x03, (0x15 << 3) | 4, 0x03]).1, 0x6A83);
    }
}

#[test]
fn ef08_is_cyclic_record_one_newest() {
    let mut h = host(&SSCARD_2);
    for i in 0..32u32 {
        h.purchase(amounts(0, i, 0), class::ORDINARY, i + 1, Y2026);
    }
    for n in 1..=30u8 {
        let (r, sw) = h.ef08(n);
        assert_eq!(sw, 0x9000);
        let seq = 32 - u16::from(n);
        assert_eq!(u16_at(&r, 0), seq, "record {n}");
        assert_eq!(u32_at(&r, 20), u32::from(seq), "record {n}");
    }
    assert_eq!(h.ef08(31).1, 0x6A83);
}

#[test]
fn accumulators_roll_over_with_the_year() {
    for p in PROFILES {
        let mut h = host(p);
        h.purchase(amounts(0, 100, 60), class::ORDINARY, 1, Y2026);
        h.purchase(amounts(0, 50, 40), class::ORDINARY, 2, Y2026);
        let amt = h.card.purse_amount_file();
        assert_eq!(u32_at(&amt, af::YEAR_SELF_PAY), 150);
        assert_eq!(u32_at(&amt, af::YEAR_POOLED), 100);
        h.purchase(amounts(0, 7, 3), class::ORDINARY, 3, Y2027);
        let amt = h.card.purse_amount_file();
        assert_eq!(u32_at(&amt, af::YEAR_SELF_PAY), 7);
        assert_eq!(u32_at(&amt, af::YEAR_POOLED), 3);
        assert_eq!(&amt[af::PAY_YEAR..af::PAY_YEAR + 2], &[0x20, 0x27]);
        // a back-dated transaction adds to the current year's totals
        h.purchase(amounts(0, 1, 1), class::ORDINARY, 4, Y2026);
        let amt = h.card.purse_amount_file();
        assert_eq!(u32_at(&amt, af::YEAR_SELF_PAY), 8);
        assert_eq!(&amt[af::PAY_YEAR..af::PAY_YEAR + 2], &[0x20, 0x27]);
    }
}

#[test]
fn transaction_prove_survives_power_off() {
    for p in PROFILES {
        let mut h = host(p);
        let tac_load = h.load(1000);
        let r = h.purchase(amounts(10, 10, 0), class::ORDINARY, 5, Y2026);
        h.card.power_off();
        h.card.power_on();
        h.enter_df04();
        let (d, sw) = h.sx("805A00060200 00 08");
        assert_eq!(sw, 0x9000);
        assert_eq!(d[..4], r.resp.mac2);
        assert_eq!(d[4..], r.resp.tac);
        let (d, sw) = h.sx("805A00020200 00 04");
        assert_eq!((d.as_slice(), sw), (&tac_load[..], 0x9000));
        assert_eq!(h.sw("805A00060200 01 08"), 0x9406);
        assert_eq!(h.balance(), 990);
    }
}

/// A key set without DPK/DLK/DTK (an older key file) makes a card without a purse: 9403.
#[test]
fn card_without_purse_keys_answers_9403() {
    use sscard_card_os::factory::test_issuer_keys;
    use sscard_card_os::{factory_initialise, Card, CardConfig, FactoryParams};
    for p in PROFILES {
        let all = test_issuer_keys(p);
        let mut keys = sscard_keys::IssuerKeySet::new();
        for name in all.names() {
            if !matches!(name, "DPK" | "DLK" | "DTK") {
                let (k, l) = all.get(name).unwrap();
                keys.insert(name, k.clone(), l).unwrap();
            }
        }
        let mut img = BoxStore(Box::new(Img::new()));
        factory_initialise(
            &mut img,
            &FactoryParams {
                profile: p,
                version: version_of(p),
                identity: HUNAN,
                keys: &keys,
                pin: b"123456",
            },
        )
        .unwrap();
        let mut h = Host::wrap(Card::new(img, CardConfig::new(p)).unwrap(), p);
        h.enter_df04();
        assert_eq!(h.init_purchase(amounts(0, 1, 1), class::ORDINARY).1, 0x9403);
        assert_eq!(h.init_load(1).1, 0x9403);
        assert_eq!(h.balance(), 0);
    }
}

/// T=0: INITIALIZE answers `61 0F`, the session survives the GET RESPONSE, DEBIT answers
/// `61 08`.
#[test]
fn t0_get_response_keeps_the_session() {
    for p in PROFILES {
        let mut h = Host::with(p, true, Default::default());
        h.select_ssse();
        assert_eq!(h.sw("0020000003123456"), 0x9000);
        let sw = h.select_df(sscard_specs::types::DfId::Df04);
        if sw >> 8 == 0x61 {
            h.send(&[0x00, 0xC0, 0x00, 0x00, sw as u8]);
        }
        let a = amounts(0, 30, 20);
        assert_eq!(
            h.send(&Host::<BoxStore>::init_purchase_apdu(a, class::ORDINARY, 1))
                .1,
            0x610F
        );
        let (d, sw) = h.sx("00C000000F");
        assert_eq!(sw, 0x9000);
        let init = InitPurchaseResponse::parse(&d).unwrap();
        let tx = medical(a, 1, Y2026, WHEN.1);
        assert_eq!(h.send(&h.debit_apdu(&init, &tx)).1, 0x6108);
        let (d, sw) = h.sx("00C0000008");
        assert_eq!(sw, 0x9000);
        let r = DebitResponse::parse(&d).unwrap();
        assert!(h.tac_key().verify_purchase_tac(&tx, &r.tac));
    }
}
