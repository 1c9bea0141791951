//! Card families (`sscard_specs::family`): a card formatted for a family answers the family's
//! way, read from the same `Family` values the terminal and the conformance suite use — SELECT
//! SSSE by name (FCI with the family's SFI, or `6A82` and the SSSE EFs selected from the MF),
//! its records (order, missing and extra items, extra EFs), EF05's version bytes and READ RECORD
//! with a wrong Le. Both transports; and no APDU makes any family's card panic.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]

mod common;
use common::*;
use proptest::prelude::*;
use sscard_card_os::{Card, CardConfig, InitError, RESP_MAX};
use sscard_specs::ef;
use sscard_specs::family::{
    family_by_name, Family, ReadRecordAnswer, FAMILIES, HANGZHOU_1_00, SHANGHAI_2_10,
};
use sscard_specs::files::{self, MF_FID, SSSE_NAME};
use sscard_specs::types::{DfId, EfSpec, ReadRule};

fn select_apdu(fid: u16, p1: u8) -> Vec<u8> {
    let mut a = vec![0x00, 0xA4, p1, 0x00, 0x02];
    a.extend_from_slice(&fid.to_be_bytes());
    a
}

fn select_ssse_by_name() -> Vec<u8> {
    let mut a = vec![0x00, 0xA4, 0x04, 0x00, SSSE_NAME.len() as u8];
    a.extend_from_slice(SSSE_NAME);
    a
}

/// Make `ef` (an SSSE EF) current the family's way: under the SSSE selected by name, or from
/// the MF with P1 = 02 when the SSSE is not selectable by name.
fn select_ssse_ef(h: &mut Host, family: &Family, fid: u16) {
    if family.ssse_by_name() {
        let (_, sw) = h.send(&select_ssse_by_name());
        assert_eq!(sw, 0x9000, "{}: SELECT SSSE by name", family.name);
    } else {
        assert_eq!(h.send(&select_apdu(MF_FID, 0x00)).1, 0x9000);
    }
    let (_, sw) = h.send(&select_apdu(fid, 0x02));
    assert_eq!(sw, 0x9000, "{}: SELECT {fid:04X}", family.name);
}

/// The SSSE EFs of the family's tree readable without PIN or key: national and extra ones.
fn free_ssse_efs(family: &'static Family) -> Vec<&'static EfSpec> {
    let national = files::DFS[DfId::Ssse.index()].efs.iter();
    let extra = family
        .extra_efs
        .iter()
        .filter(|e| e.spec.df == DfId::Ssse)
        .map(|e| e.spec);
    national
        .chain(extra)
        .filter(|e| e.read_for(family.spec_version()) == ReadRule::Free)
        .filter(|e| family.records_of(*e).next().is_some())
        .collect()
}

#[test]
fn the_image_header_keeps_the_family() {
    for f in FAMILIES {
        let card = Card::new(family_image(f), CardConfig::new(profile_of(f))).unwrap();
        assert_eq!(card.family().name, f.name);
        assert_eq!(card.spec_version(), f.spec_version());
    }
}

#[test]
fn an_unknown_family_code_is_not_a_card_image() {
    let f = family_by_name("national-2.00").unwrap();
    let mut img = family_image(f);
    // Header byte 28 (layout.rs: the family code): no family has code 0xFF.
    let hdr = sscard_card_os::store::JOURNAL_SIZE as u32;
    use sscard_card_os::store::Store;
    img.write(hdr + 28, &[0xFF]).unwrap();
    let err = Card::new(img, CardConfig::new(profile_of(f)))
        .err()
        .unwrap();
    assert_eq!(err, InitError::UnknownFamily(0xFF));
    assert!(err.to_string().starts_with("not a card image: "), "{err}");
}

#[test]
fn every_family_answers_its_records_on_both_transports() {
    for f in FAMILIES {
        for t0 in [true, false] {
            let mut h = family_host(f, t0);
            let efs = free_ssse_efs(f);
            assert!(!efs.is_empty());
            for spec in efs {
                select_ssse_ef(&mut h, f, spec.fid);
                let mut n = 0u8;
                for r in f.records_of(spec) {
                    n = r.number;
                    let le = r.record_len() as u8;
                    let (data, sw) = h.send(&[0x00, 0xB2, r.number, 0x04, le]);
                    assert_eq!(
                        sw, 0x9000,
                        "{} {:04X} record {}",
                        f.name, spec.fid, r.number
                    );
                    assert_eq!(data.len(), usize::from(le), "{} {:04X}", f.name, spec.fid);
                    assert_eq!(
                        (data[0], data[1]),
                        (r.tag, r.len),
                        "{} {:04X}",
                        f.name,
                        spec.fid
                    );
                    if ef::SSSE_EF05.is(spec) && r.tag == ef05_version_tag() {
                        assert_eq!(&data[2..], f.version_bytes(), "{}", f.name);
                    }
                }
                let (_, sw) = h.send(&[0x00, 0xB2, n + 1, 0x04, 0x00]);
                assert_eq!(
                    sw,
                    0x6A83,
                    "{} {:04X}: no record {}",
                    f.name,
                    spec.fid,
                    n + 1
                );
            }
        }
    }
}

fn ef05_version_tag() -> u8 {
    sscard_specs::item::SSSE_EF05_VERSION.tag()
}

#[test]
fn select_ssse_by_name_as_the_family_says() {
    for f in FAMILIES {
        let mut h = family_host(f, true);
        let (fci, sw) = h.send(&select_ssse_by_name());
        match f.fci() {
            None => assert_eq!((fci.len(), sw), (0, 0x6A82), "{}", f.name),
            Some(c) => {
                assert_eq!(sw, 0x9000, "{}", f.name);
                let sfi = fci.windows(3).position(|w| w[0] == 0x88 && w[1] == 0x01);
                assert_eq!(fci[sfi.unwrap() + 2], c.sfi, "{}: FCI tag 88", f.name);
            }
        }
    }
    // Hangzhou's FCI carries SFI 0B (real-cards.md T1), the national ones 1E.
    assert_eq!(HANGZHOU_1_00.fci().unwrap().sfi, 0x0B);
}

#[test]
fn read_record_with_a_wrong_le_on_t0_as_the_family_says() {
    for f in FAMILIES {
        let mut h = family_host(f, true);
        let spec = ef::SSSE_EF05.spec().unwrap();
        select_ssse_ef(&mut h, f, spec.fid);
        let r = f.record(spec, 1).unwrap();
        let len = r.record_len() as u8;
        for le in [len - 1, len + 1, 0x00] {
            let (data, sw) = h.send_raw(&[0x00, 0xB2, 1, 0x04, le]);
            match f.read_record_answer(le, len) {
                ReadRecordAnswer::WrongLe6C { record_len } => {
                    assert_eq!(
                        (data.len(), sw),
                        (0, 0x6C00 | u16::from(record_len)),
                        "{}",
                        f.name
                    )
                }
                ReadRecordAnswer::Truncate9000 { len: n } => {
                    assert_eq!((data.len(), sw), (usize::from(n), 0x9000), "{}", f.name)
                }
                ReadRecordAnswer::NoPreciseDiagnosis6F00 => {
                    assert_eq!((data.len(), sw), (0, 0x6F00), "{}", f.name)
                }
                // Hangzhou's whole-record answer is a reader-frame observation (real-cards.md
                // T1): on the T=0 wire the card announces the length like a national one.
                ReadRecordAnswer::Full9000 => assert_eq!(sw >> 8, 0x6C, "{}", f.name),
                ReadRecordAnswer::Exact => unreachable!(),
            }
        }
    }
    // Shanghai (real-cards.md T2): a short Le truncates with 9000, a long one answers 6F00.
    let mut h = family_host(&SHANGHAI_2_10, true);
    select_ssse_ef(&mut h, &SHANGHAI_2_10, ef::SSSE_EF05.fid());
    assert_eq!(h.send_raw(&hx("00B2010402")), (vec![0x01, 0x10], 0x9000));
    assert_eq!(h.send_raw(&hx("00B20104FF")).1, 0x6F00);
}

#[test]
fn shanghai_ef06_has_no_name_extension_and_an_extra_0e() {
    // On T=1, Le 00 returns the whole record (on T=0 Shanghai answers a long Le with 6F00).
    let mut h = family_host(&SHANGHAI_2_10, false);
    select_ssse_ef(&mut h, &SHANGHAI_2_10, ef::SSSE_EF06.fid());
    let tags: Vec<u8> = (1..=10)
        .map_while(|n| {
            let (d, sw) = h.send(&[0x00, 0xB2, n, 0x04, 0x00]);
            (sw == 0x9000).then(|| d[0])
        })
        .collect();
    assert!(!tags.contains(&0x4E), "{tags:02X?}");
    assert!(tags.contains(&0x0E), "{tags:02X?}");
}

fn arb_apdu() -> impl Strategy<Value = Vec<u8>> {
    let ins = prop::sample::select(vec![0xA4u8, 0xB0, 0xB2, 0xC0, 0xDC, 0x20, 0x84, 0x82]);
    let p = prop::sample::select(vec![0x00u8, 0x01, 0x02, 0x04, 0x0C, 0xFF]);
    let structured = (
        ins,
        p.clone(),
        p,
        prop::collection::vec(any::<u8>(), 0..20),
        prop::option::of(any::<u8>()),
    )
        .prop_map(|(ins, p1, p2, data, le)| {
            let mut a = vec![0x00, ins, p1, p2];
            if !data.is_empty() {
                a.push(data.len() as u8);
                a.extend(&data);
            }
            a.extend(le);
            a
        });
    prop_oneof![structured, prop::collection::vec(any::<u8>(), 0..30)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn no_apdu_makes_a_family_card_panic(
        fam in 0..FAMILIES.len(),
        t0 in any::<bool>(),
        apdus in prop::collection::vec(arb_apdu(), 1..12),
    ) {
        let f = FAMILIES[fam];
        let mut card = Card::new(family_image(f), CardConfig::new(profile_of(f)).with_t0(t0)).unwrap();
        for a in apdus {
            let mut r = [0u8; RESP_MAX];
            let n = card.process(&a, &mut r);
            prop_assert!(n >= 2, "{}: no status word for {:02X?}", f.name, a);
        }
    }
}
