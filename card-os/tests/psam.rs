//! The emulated PSAM (`sscard_card_os::psam`): provisioning, every command and its error status
//! words, the key-id table, equivalence of its cryptograms with `sscard_keys::session`, a card
//! accepting a PSAM-made EXTERNAL AUTHENTICATE, and a bounded random-APDU no-panic property
//! (`PROPTEST_CASES`, default 256).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{
    self, provision, ProvisionError, Psam, PsamInitError, PsamParams, RamPsam, PSAM_STORE_SIZE,
};
use sscard_card_os::store::{RamStore, Store};
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, CARD_STORE_SIZE, RESP_MAX,
};
use sscard_keys::diversify::diversify_multi;
use sscard_keys::profile::{PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::session::{auth_cryptogram, line_mac, process_key};
use sscard_keys::{Algorithm, DiversificationFactors, IssuerKeySet, Key, Profile};
use sscard_specs::keys::key_by_name;
use sscard_specs::psam::{
    key_slot_by_name as slot_by_name, key_slots as assignments, key_type, ASSIGNED_ID_BASE,
};
use sscard_specs::versions::SpecVersion;
use std::collections::HashSet;

const TERMINAL: [u8; 6] = [0x43, 0x02, 0x99, 0x00, 0x00, 0x07];
const SERIAL: [u8; 10] = [0x43, 0x02, 0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34];
const ISSUER: [u8; 8] = [0x43, 0x02, 0x99, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
const DF01_AID_SELECT: &str = "00A4040006D15600000590";
const MF_NAME_SELECT: &str = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF";

/// The Hunan test card of sscard-spec.md §8 (ATR historical bytes, region 430299).
const HUNAN: CardIdentity = CardIdentity {
    region_bcd: [0x43, 0x02, 0x99],
    serial: [0x00, 0x00, 0x00, 0x13],
    atr_historical: [
        0x00, 0x81, 0x54, 0x4C, 0x92, 0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35,
    ],
};

fn hx(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn params<'a>(profile: &'static Profile, keys: &'a IssuerKeySet) -> PsamParams<'a> {
    PsamParams {
        profile,
        keys,
        terminal_number: TERMINAL,
        serial: SERIAL,
        issuer_id: ISSUER,
    }
}

fn image(profile: &'static Profile, keys: &IssuerKeySet) -> RamStore<PSAM_STORE_SIZE> {
    let mut s = RamStore::<PSAM_STORE_SIZE>::new();
    provision(&mut s, &params(profile, keys)).unwrap();
    s
}

fn new_psam(profile: &'static Profile) -> RamPsam {
    let keys = test_issuer_keys(profile);
    Psam::new(image(profile, &keys), profile).unwrap()
}

/// Send; (data, SW).
fn send<S: Store>(p: &mut Psam<S>, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut r = [0u8; RESP_MAX];
    let n = p.process(apdu, &mut r);
    assert!((2..=RESP_MAX).contains(&n), "no SW");
    (
        r[..n - 2].to_vec(),
        u16::from_be_bytes([r[n - 2], r[n - 1]]),
    )
}

fn sx<S: Store>(p: &mut Psam<S>, hex: &str) -> (Vec<u8>, u16) {
    send(p, &hx(hex))
}

/// Send and follow 61xx with GET RESPONSE (what a T=0 host does).
fn send_t0<S: Store>(p: &mut Psam<S>, apdu: &[u8]) -> (Vec<u8>, u16) {
    let (mut d, mut sw) = send(p, apdu);
    while sw >> 8 == 0x61 {
        let (more, s) = send(p, &[0x00, 0xC0, 0x00, 0x00, sw as u8]);
        d.extend(more);
        sw = s;
    }
    (d, sw)
}

fn factors3() -> DiversificationFactors {
    HUNAN.factors(&SSCARD_2).unwrap()
}

/// `BF DE usage id Lc factors(innermost levels) ‖ R`.
fn bfde(name: &str, factors: &DiversificationFactors, r: &[u8; 8]) -> Vec<u8> {
    let (_, slot) = slot_by_name(name).unwrap();
    let f = factors.innermost(slot.levels()).unwrap();
    let mut a = vec![0xBF, 0xDE, slot.usage, slot.id, (f.len() * 8 + 8) as u8];
    f.iter().for_each(|x| a.extend_from_slice(x));
    a.extend_from_slice(r);
    a
}

fn apdu(h: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut a = h.to_vec();
    a.push(data.len() as u8);
    a.extend_from_slice(data);
    a
}

fn card_key(profile: &Profile, name: &str) -> Key {
    test_issuer_keys(profile)
        .card_key(name, &factors3())
        .unwrap()
}

const R: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
const S: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

fn init(p: &mut RamPsam, name: &str) {
    assert_eq!(sx(p, DF01_AID_SELECT).1 >> 8, 0x61);
    assert_eq!(send(p, &bfde(name, &factors3(), &R)).1, 0x9000);
}

// ---------------------------------------------------------------- key table

#[test]
fn key_table_is_collision_free_and_follows_the_reference() {
    let all: Vec<_> = assignments().collect();
    assert_eq!(all.len(), sscard_specs::keys::all_keys().count());
    let ids: HashSet<u8> = all.iter().map(|(_, s)| s.id).collect();
    assert_eq!(ids.len(), all.len(), "PSAM key ids collide");
    let pairs: HashSet<(u8, u8)> = all.iter().map(|(_, s)| (s.usage, s.id)).collect();
    assert_eq!(pairs.len(), all.len());
    for (spec, slot) in &all {
        assert_eq!(slot.levels(), spec.levels, "{}", spec.name);
        if let Some(id) = spec.psam_key_id {
            assert_eq!(slot.id, id, "{}: observed id kept", spec.name);
            assert_eq!(Some(slot.key_type()), spec.psam_usage_type());
        } else {
            assert!(slot.id >= ASSIGNED_ID_BASE, "{}", spec.name);
        }
    }
    let s = |n| slot_by_name(n).unwrap().1;
    // Observed (sscard-spec.md §5.4), level bits from the specs' levels.
    assert_eq!((s("PUK").usage, s("PUK").id), (0x48, 0x10));
    assert_eq!((s("STK").usage, s("STK").id), (0x48, 0x09));
    assert_eq!((s("RK1DF01").usage, s("RK1DF01").id), (0x67, 0x2E));
    assert_eq!((s("RK2DF03").usage, s("RK2DF03").id), (0x67, 0x2C));
    assert_eq!((s("RKSSSE").usage, s("RKSSSE").id), (0x67, 0x0A));
    // Assigned: the first key without an observed id (UKSSSE) gets the base id.
    assert_eq!((s("UKSSSE").usage, s("UKSSSE").id), (0x67, 0x60));
    assert_eq!(s("UK1DF01").usage, 0x67);
    assert_eq!(s("CIDK").key_type(), key_type::MAC);
    assert!(slot_by_name("NOPE").is_none());
    // Deterministic.
    assert_eq!(assignments().collect::<Vec<_>>(), all);
}

// ---------------------------------------------------------------- provisioning

#[test]
fn provisioning_and_open() {
    let keys = test_issuer_keys(&SSCARD_2);
    let img = image(&SSCARD_2, &keys);
    let p = Psam::open(img.clone()).unwrap();
    assert_eq!(p.profile().name, "sscard-2");
    assert_eq!(usize::from(p.key_count()), keys.len());
    assert_eq!(&p.atr()[..4], &[0x3B, 0x6A, 0x00, 0x00]);
    assert_eq!(&p.atr()[4..], &SERIAL);
    assert_eq!(
        Psam::new(img, &SSCARD_3).err(),
        Some(PsamInitError::ProfileMismatch)
    );
    assert_eq!(
        Psam::open(RamStore::<PSAM_STORE_SIZE>::new()).err(),
        Some(PsamInitError::NotProvisioned)
    );
    let mut bad = params(&SSCARD_2, &keys);
    bad.terminal_number = [0x43, 0x02, 0x9A, 0, 0, 1];
    assert_eq!(
        provision(&mut RamStore::<PSAM_STORE_SIZE>::new(), &bad),
        Err(ProvisionError::BadTerminalNumber)
    );
    assert_eq!(
        provision(&mut RamStore::<512>::new(), &params(&SSCARD_2, &keys)),
        Err(ProvisionError::StoreTooSmall)
    );
    let sm4 = test_issuer_keys(&SSCARD_3);
    assert!(matches!(
        provision(
            &mut RamStore::<PSAM_STORE_SIZE>::new(),
            &params(&SSCARD_2, &sm4)
        ),
        Err(ProvisionError::WrongAlgorithm(_))
    ));
    let mut wrong_levels = IssuerKeySet::new();
    wrong_levels
        .insert("PUK", Key::new(Algorithm::Tdes2, &[7; 16]).unwrap(), 3)
        .unwrap();
    assert_eq!(
        provision(
            &mut RamStore::<PSAM_STORE_SIZE>::new(),
            &params(&SSCARD_2, &wrong_levels)
        ),
        Err(ProvisionError::LevelMismatch("PUK"))
    );
    // A subset makes a PSAM with fewer keys.
    let mut subset = IssuerKeySet::new();
    let (k, l) = keys.get("RK1DF01").unwrap();
    subset.insert("RK1DF01", k.clone(), l).unwrap();
    let p = Psam::new(image(&SSCARD_2, &subset), &SSCARD_2).unwrap();
    assert_eq!(p.key_count(), 1);
}

// ---------------------------------------------------------------- SELECT / READ BINARY

#[test]
fn select_by_name_aid_and_fid() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        let mut p = new_psam(profile);
        let (fci, sw) = send_t0(&mut p, &hx(MF_NAME_SELECT));
        assert_eq!(sw, 0x9000);
        assert_eq!(&fci[..4], &[0x6F, fci.len() as u8 - 2, 0x84, 0x0F]);
        assert_eq!(&fci[4..19], psam::MF_NAME);
        let alg_tail = [0x9F, 0x0C, 0x03, 0x86, 0x01, 0x03];
        assert_eq!(fci.ends_with(&alg_tail), profile.name == "sscard-3");
        let (fci, sw) = send_t0(&mut p, &hx(DF01_AID_SELECT));
        assert_eq!(sw, 0x9000);
        assert_eq!(&fci[2..10], &hx("8406D15600000590")[..]);
        assert_eq!(sx(&mut p, "00A4000002DF01").0.len(), 0);
        assert_eq!(sx(&mut p, "00A4000002DF01").1, 0x6100 | fci.len() as u16);
        assert_eq!(sx(&mut p, "00A40000023F00").1 >> 8, 0x61);
        assert_eq!(sx(&mut p, "00A4000C023F00").1, 0x9000);
        assert_eq!(sx(&mut p, "00A4000C00").1, 0x9000);
        assert_eq!(sx(&mut p, "00A4000002DF02").1, 0x6A82);
        assert_eq!(sx(&mut p, "00A4040006D15600000591").1, 0x6A82);
        assert_eq!(sx(&mut p, "00A4030002DF01").1, 0x6A86);
        assert_eq!(sx(&mut p, "00A4000102DF01").1, 0x6A86);
        assert_eq!(sx(&mut p, "00A4000003DF0100").1, 0x6700);
        assert_eq!(sx(&mut p, "00A4040000").1, 0x6700);
        // FCI of a case-1 SELECT of the MF: Le absent → 6Cxx, then the exact Le.
        let (_, sw) = sx(&mut p, "00A40000");
        assert_eq!(sw >> 8, 0x6C);
        let (d, sw) = send(&mut p, &[0x00, 0xA4, 0x00, 0x00, sw as u8]);
        assert_eq!(sw, 0x9000);
        assert_eq!(d[0], 0x6F);
    }
}

#[test]
fn read_public_info_and_terminal_number() {
    let mut p = new_psam(&SSCARD_3);
    // The observed host sequence: select 0015, read 0F bytes.
    assert_eq!(sx(&mut p, "00A40000020015").1, 0x9000);
    let (d, sw) = sx(&mut p, "00B000000F");
    assert_eq!(sw, 0x9000);
    assert_eq!(&d[..10], &SERIAL);
    assert_eq!(&d[10..14], &[0x01, 0x00, 0x01, 0x03]);
    assert_eq!(d[14], ISSUER[0]);
    let (d, sw) = sx(&mut p, "00B0950016");
    assert_eq!(sw, 0x9000);
    assert_eq!(d.len(), psam::EF15_LEN);
    assert_eq!(&d[14..], &ISSUER);
    assert_eq!(sx(&mut p, "00B0950000").1, 0x6C00 | psam::EF15_LEN as u16);
    assert_eq!(sx(&mut p, "00B0950A10").1, 0x6C0C);
    assert_eq!(sx(&mut p, "00B0950A0C").0, d[10..].to_vec());
    assert_eq!(sx(&mut p, "00B0951600").1, 0x6B00);
    // EF16 from DF01: by FID (P1 00 and 02) and by SFI.
    assert_eq!(sx(&mut p, "00A4000C02DF01").1, 0x9000);
    assert_eq!(sx(&mut p, "00A40200020016").1, 0x9000);
    assert_eq!(sx(&mut p, "00B0000006"), (TERMINAL.to_vec(), 0x9000));
    assert_eq!(sx(&mut p, "00B0960006"), (TERMINAL.to_vec(), 0x9000));
    assert_eq!(sx(&mut p, "00B0960306"), (vec![], 0x6C03));
    // Errors.
    p.reset();
    assert_eq!(sx(&mut p, "00B0000006").1, 0x6986);
    assert_eq!(sx(&mut p, "00B0970006").1, 0x6A82);
    assert_eq!(sx(&mut p, "00B0E00006").1, 0x6A86);
    assert_eq!(sx(&mut p, "00B0800006").1, 0x6A86);
    assert_eq!(sx(&mut p, "00B000000100").1, 0x6700);
    assert_eq!(sx(&mut p, "00A40000020017").1, 0x6A82);
}

#[test]
fn get_challenge_and_get_response_errors() {
    let mut p = new_psam(&SSCARD_2);
    let (a, sw) = sx(&mut p, "0084000008");
    assert_eq!((a.len(), sw), (8, 0x9000));
    let (b, _) = sx(&mut p, "0084000008");
    assert_ne!(a, b);
    assert_eq!(sx(&mut p, "0084000010").0.len(), 16);
    assert_eq!(sx(&mut p, "0084000005").1, 0x6700);
    assert_eq!(sx(&mut p, "0084010008").1, 0x6A86);
    assert_eq!(sx(&mut p, "00C0000008").1, 0x6985);
    // Pending data: partial fetch, too-long Le, lost on another command.
    init(&mut p, "RK1DF01");
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &[0; 16])).1, 0x6110);
    assert_eq!(sx(&mut p, "00C0000020").1, 0x6C10);
    let (d1, sw) = sx(&mut p, "00C0000006");
    assert_eq!((d1.len(), sw), (6, 0x610A));
    let (d2, sw) = sx(&mut p, "00C000000A");
    assert_eq!((d2.len(), sw), (10, 0x9000));
    assert_eq!(sx(&mut p, "00C000000A").1, 0x6985);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &[0; 8])).1, 0x6108);
    assert_eq!(sx(&mut p, "0084000004").1, 0x9000);
    assert_eq!(sx(&mut p, "00C0000008").1, 0x6985);
    assert_eq!(sx(&mut p, "00C0010008").1, 0x6A86);
    assert_eq!(sx(&mut p, "80C0000008").1, 0x6E00);
}

// ---------------------------------------------------------------- BF DE / 80 FA

#[test]
fn encrypt_and_mac_match_the_session_functions() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        for name in ["RKSSSE", "RK1DF01", "UK1DF01", "PUK", "STK", "IRK"] {
            let mut p = new_psam(profile);
            init(&mut p, name);
            let ck = card_key(profile, name);
            let sk = process_key(profile, &ck, &R).unwrap();
            let bs = profile.suite.block_size();
            // Encrypt one source block (S or S ‖ ¬S): the authentication cryptogram.
            let mut src = S.to_vec();
            if bs == 16 {
                src.extend(S.iter().map(|b| !b));
            }
            let (c, sw) = send_t0(&mut p, &apdu([0x80, 0xFA, 0, 0], &src));
            assert_eq!(sw, 0x9000);
            assert_eq!(
                c,
                auth_cryptogram(&sk, &S).to_vec(),
                "{} {name}",
                profile.name
            );
            // The process key survives 80 FA: MAC next (zero IV, unpadded input).
            let unblock = hx("8424000004");
            let mut data = vec![0u8; bs];
            data.extend_from_slice(&unblock);
            let (m, sw) = send_t0(&mut p, &apdu([0x80, 0xFA, 0x05, 0x00], &data));
            assert_eq!(sw, 0x9000);
            assert_eq!(m, line_mac(profile, &ck, &R, &[&unblock]).unwrap().to_vec());
            // Longer input, in two parts on the host side.
            let rec = hx("011E00030B200905260000000000000000000000000000000000000000000000");
            let hdr = hx("04DC010424");
            let mut data = vec![0u8; bs];
            data.extend(&hdr);
            data.extend(&rec);
            let (m, _) = send_t0(&mut p, &apdu([0x80, 0xFA, 0x05, 0x00], &data));
            assert_eq!(
                m,
                line_mac(profile, &ck, &R, &[&hdr, &rec]).unwrap().to_vec()
            );
            // Block-aligned multi-block ECB.
            let plain: Vec<u8> = (0..(2 * bs) as u8).collect();
            let (c, _) = send_t0(&mut p, &apdu([0x80, 0xFA, 0, 0], &plain));
            let mut want = plain.clone();
            sscard_keys::BlockCipher::new(&sk)
                .ecb_encrypt(&mut want)
                .unwrap();
            assert_eq!(c, want);
        }
    }
}

#[test]
fn pboc_classic_mac_under_the_card_key() {
    let mut p = new_psam(&PBOC_CLASSIC_2);
    let ck = card_key(&PBOC_CLASSIC_2, "STK");
    assert_eq!(sx(&mut p, DF01_AID_SELECT).1 >> 8, 0x61);
    assert_eq!(send(&mut p, &bfde("STK", &factors3(), &R)).1, 0x9000);
    let hdr = hx("8424000004");
    for ch in [&R[..4], &R[..]] {
        let mut data = ch.to_vec();
        data.resize(8, 0);
        data.extend(&hdr);
        let (m, sw) = send_t0(&mut p, &apdu([0x80, 0xFA, 0x05, 0x01], &data));
        assert_eq!(sw, 0x9000);
        assert_eq!(
            m,
            line_mac(&PBOC_CLASSIC_2, &ck, ch, &[&hdr])
                .unwrap()
                .to_vec()
        );
    }
    // P2 01 only for MAC.
    assert_eq!(
        send(&mut p, &apdu([0x80, 0xFA, 0x00, 0x01], &[0; 8])).1,
        0x6A86
    );
}

#[test]
fn diversify_init_errors() {
    let mut p = new_psam(&SSCARD_2);
    let f = factors3();
    // Not in DF01.
    assert_eq!(send(&mut p, &bfde("RK1DF01", &f, &R)).1, 0x6985);
    assert_eq!(sx(&mut p, DF01_AID_SELECT).1 >> 8, 0x61);
    // Unknown key id, and a known id with the wrong usage byte.
    let mut a = bfde("RK1DF01", &f, &R);
    a[3] = 0x5F;
    assert_eq!(send(&mut p, &a).1, 0x6A88);
    let mut a = bfde("RK1DF01", &f, &R);
    a[2] = 0x47;
    assert_eq!(send(&mut p, &a).1, 0x6A88);
    // Wrong number of factors: 2 factors + R for a 3-level key, 3 + R for a 2-level key.
    let mut a = bfde("RK1DF01", &f, &R);
    a.drain(5..13);
    a[4] = 0x18;
    assert_eq!(send(&mut p, &a).1, 0x6A80);
    let f3 = f.as_slice();
    let (_, puk) = slot_by_name("PUK").unwrap();
    let mut a = vec![0xBF, 0xDE, puk.usage, puk.id, 0x20];
    f3.iter().for_each(|x| a.extend_from_slice(x));
    a.extend_from_slice(&R);
    assert_eq!(send(&mut p, &a).1, 0x6A80);
    // Only R, not whole blocks, empty.
    assert_eq!(send(&mut p, &apdu([0xBF, 0xDE, 0x67, 0x2E], &R)).1, 0x6A80);
    assert_eq!(
        send(&mut p, &apdu([0xBF, 0xDE, 0x67, 0x2E], &[0; 31])).1,
        0x6700
    );
    assert_eq!(
        send(&mut p, &apdu([0xBF, 0xDE, 0x67, 0x2E], &[0; 7])).1,
        0x6700
    );
    assert_eq!(sx(&mut p, "BFDE672E").1, 0x6700);
    // Wrong CLA for the INS.
    let mut a = bfde("RK1DF01", &f, &R);
    a[0] = 0x80;
    assert_eq!(send(&mut p, &a).1, 0x6E00);
    // A failed BF DE leaves no process key.
    assert_eq!(send(&mut p, &bfde("RK1DF01", &f, &R)).1, 0x9000);
    assert_eq!(
        send(&mut p, &apdu([0xBF, 0xDE, 0x67, 0x5F], &[0; 32])).1,
        0x6A88
    );
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6985);
}

#[test]
fn compute_errors_and_process_key_lifetime() {
    let mut p = new_psam(&SSCARD_2);
    // 80 FA without BF DE.
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6985);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 5, 0], &[0; 12])).1, 0x6985);
    init(&mut p, "STK");
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6108);
    // Malformed.
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &[0; 7])).1, 0x6700);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 5, 0], &[0; 7])).1, 0x6700);
    assert_eq!(sx(&mut p, "80FA0000").1, 0x6700);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 1, 0], &S)).1, 0x6A86);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 2], &S)).1, 0x6A86);
    assert_eq!(send(&mut p, &apdu([0x00, 0xFA, 0, 0], &S)).1, 0x6E00);
    // An 8-byte IV and no data is a valid MAC of the padding block.
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 5, 0], &[0; 8])).1, 0x6104);
    // Still there after the errors; gone after SELECT, reset, power-off.
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6108);
    assert_eq!(sx(&mut p, "00A40000020016").1, 0x9000);
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6985);
    init(&mut p, "STK");
    p.reset();
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6985);
    init(&mut p, "STK");
    p.power_off();
    assert!(!p.is_powered());
    assert_eq!(send(&mut p, &apdu([0x80, 0xFA, 0, 0], &S)).1, 0x6985);
    assert!(p.is_powered());
}

#[test]
fn bad_cla_ins_and_malformed_apdus() {
    let mut p = new_psam(&SSCARD_2);
    for (a, sw) in [
        ("90A4000002DF01", 0x6E00),
        ("FFFA000000", 0x6E00),
        ("00B2010400", 0x6D00),
        ("80DE000000", 0x6E00),
        ("BFFA0000", 0x6E00),
        ("80CA000000", 0x6D00),
        ("00A4", 0x6700),
        ("", 0x6700),
        ("00A4000003DF01", 0x6700),
        ("00A40000020000DF01", 0x6700),
        ("00B000000000060000", 0x6700),
    ] {
        assert_eq!(sx(&mut p, a).1, sw, "{a}");
    }
    // A response buffer too small for a status word: nothing written.
    assert_eq!(p.process(&hx("0084000008"), &mut [0u8; 1]), 0);
    // A buffer too short for the data: a status word, no data.
    let mut r = [0u8; 6];
    let n = p.process(&hx("0084000008"), &mut r);
    assert_eq!((n, &r[..2]), (2, &[0x67, 0x00][..]));
}

// ---------------------------------------------------------------- against a card

#[test]
fn a_card_accepts_the_psams_external_authentication() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        let keys = test_issuer_keys(profile);
        let mut img = Box::new(RamStore::<CARD_STORE_SIZE>::new());
        factory_initialise(
            &mut *img,
            &FactoryParams {
                profile,
                version: if profile.name == "sscard-3" {
                    SpecVersion::V3_00
                } else {
                    SpecVersion::V2_00
                },
                identity: HUNAN,
                keys: &keys,
                pin: b"123456",
            },
        )
        .unwrap();
        let mut card = Card::new(&mut *img, CardConfig::new(profile)).unwrap();
        let mut p = new_psam(profile);
        assert_eq!(sx(&mut p, DF01_AID_SELECT).1 >> 8, 0x61);
        let mut csend = |a: &[u8]| {
            let mut r = [0u8; RESP_MAX];
            let n = card.process(a, &mut r);
            (
                r[..n - 2].to_vec(),
                u16::from_be_bytes([r[n - 2], r[n - 1]]),
            )
        };
        // The card is T=0 (the default): the FCI waits for GET RESPONSE.
        assert_eq!(csend(&hx(MF_NAME_SELECT)).1 >> 8, 0x61);
        for name in ["RKSSSE", "PUK"] {
            let (r, sw) = csend(&hx("0084000008"));
            assert_eq!(sw, 0x9000);
            let r: [u8; 8] = r.try_into().unwrap();
            let f = factors3();
            assert_eq!(send(&mut p, &bfde(name, &f, &r)).1, 0x9000);
            let mut src = S.to_vec();
            if profile.suite.block_size() == 16 {
                src.extend(S.iter().map(|b| !b));
            }
            let (c, sw) = send_t0(&mut p, &apdu([0x80, 0xFA, 0, 0], &src));
            assert_eq!(sw, 0x9000);
            let mut data = c.clone();
            if c.len() == 8 {
                data.extend_from_slice(&S);
            }
            let kid = key_by_name(name).unwrap().kid.unwrap();
            assert_eq!(
                csend(&apdu([0x00, 0x82, 0x00, kid], &data)).1,
                0x9000,
                "{} {name}",
                profile.name
            );
            // And the diversified key the PSAM used is the card's key.
            let (_, slot) = slot_by_name(name).unwrap();
            let root = keys.get(name).unwrap().0;
            assert_eq!(
                diversify_multi(root, f.innermost(slot.levels()).unwrap()).unwrap(),
                keys.card_key(name, &f).unwrap()
            );
        }
    }
}

// ---------------------------------------------------------------- random APDUs

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn random_apdu() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![0x00u8, 0x80, 0xBF, 0x84, 0x04, 0xFF]);
    let ins = prop::sample::select(vec![0xA4u8, 0xB0, 0x84, 0xC0, 0xDE, 0xFA, 0x82, 0x00]);
    let p = prop::sample::select(vec![
        0x00u8, 0x01, 0x02, 0x04, 0x05, 0x0C, 0x15, 0x16, 0x2E, 0x48, 0x67, 0x95, 0x96, 0xDF, 0xFF,
    ]);
    let structured = (
        cla,
        ins,
        p.clone(),
        p,
        prop::collection::vec(any::<u8>(), 0..48),
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
        hx(MF_NAME_SELECT),
        hx(DF01_AID_SELECT),
        hx("00A40000020015"),
        hx("00B0960006"),
        bfde("RK1DF01", &factors3(), &R),
        bfde("PUK", &factors3(), &R),
        apdu([0x80, 0xFA, 0, 0], &S),
        apdu([0x80, 0xFA, 5, 0], &[0; 16]),
        apdu([0x80, 0xFA, 5, 1], &[0; 20]),
        hx("00C0000008"),
        hx("00C0000004"),
    ]);
    prop_oneof![3 => structured, 3 => known, 1 => prop::collection::vec(any::<u8>(), 0..300)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_apdus_never_panic_and_never_touch_the_image(
        profile in prop::sample::select(vec![&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2]),
        seq in prop::collection::vec(random_apdu(), 1..24),
        resp_len in prop::sample::select(vec![RESP_MAX, 64, 8, 2]),
    ) {
        let keys = test_issuer_keys(profile);
        let img = image(profile, &keys);
        let before = img.as_bytes().to_vec();
        let mut p = Psam::new(img, profile).unwrap();
        let mut resp = vec![0u8; resp_len];
        for a in &seq {
            let n = p.process(a, &mut resp);
            prop_assert!((2..=resp_len).contains(&n));
            let sw = u16::from_be_bytes([resp[n - 2], resp[n - 1]]);
            prop_assert!(sw >> 8 >= 0x61 && sw >> 8 <= 0x6F || sw == 0x9000, "{:02X?} -> {:04X}", a, sw);
            if sw >> 8 == 0x6C {
                prop_assert_eq!(n, 2);
            }
        }
        prop_assert!(p.store().as_bytes() == &before[..]);
    }
}
