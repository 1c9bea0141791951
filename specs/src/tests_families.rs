//! Tests of the card families (`family.rs`): consistency with the national tables, provenance,
//! recognition, and the structure of the genuine traces of `real-cards.md` (the trace bytes live
//! here, in the tests, never in the family data).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use crate::ef;
use crate::family::*;
use crate::files;
use crate::item;
use crate::paths;
use crate::types::*;
use crate::versions::SpecVersion;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len() % 2 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A response without its trailing `9000`.
fn data(resp: &str) -> Vec<u8> {
    let r = hex(resp);
    assert_eq!(
        &r[r.len() - 2..],
        [0x90, 0x00],
        "{resp} does not end in 9000"
    );
    r[..r.len() - 2].to_vec()
}

/// SIMPLE-TLV records concatenated (READ RECORD P2 = 05).
fn tlvs(mut b: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (t, l) = (b[0], b[1] as usize);
        out.push((t, b[2..2 + l].to_vec()));
        b = &b[2 + l..];
    }
    out
}

/// One TLV record (tag, value).
fn tlv(b: &[u8]) -> (u8, Vec<u8>) {
    let v = tlvs(b);
    assert_eq!(v.len(), 1, "not one record: {b:02X?}");
    v.into_iter().next().unwrap()
}

fn fam(name: &str) -> &'static Family {
    family_by_name(name).unwrap_or_else(|| panic!("no family {name}"))
}

/// The (SFI, algorithm id) an FCI from a trace carries: `6F L 84 L name A5 L 88 01 sfi [9F0C 03 86 01 alg]`
/// (the FCI codec itself is `sscard_apdu::fci`; its tests build these bytes from the families).
fn fci_fields(fci: &[u8]) -> (u8, Option<u8>) {
    let name_len = usize::from(fci[3]);
    let prop = &fci[4 + name_len..];
    assert_eq!(
        (prop[0], prop[2], prop[3]),
        (0xA5, 0x88, 0x01),
        "{fci:02X?}"
    );
    let alg = (prop[1] == 9).then(|| prop[10]);
    (prop[4], alg)
}

fn fci_of(f: &Family) -> (u8, Option<u8>) {
    let c = f.fci().unwrap();
    (c.sfi, c.algorithm_id)
}

// ---------------------------------------------------------------- registry

#[test]
fn registry_names_are_unique_kebab_case_and_found() {
    let mut seen = HashSet::new();
    for f in FAMILIES {
        assert!(seen.insert(f.name), "duplicate family {}", f.name);
        assert!(
            f.name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.'),
            "{} is not kebab-case",
            f.name
        );
        assert!(!f.name.starts_with('-') && !f.name.ends_with('-'));
        assert!(core::ptr::eq(family_by_name(f.name).unwrap(), f));
        assert!(core::ptr::eq(
            family_by_name(&f.name.to_ascii_uppercase()).unwrap(),
            f
        ));
    }
    for required in [
        "national-1.00",
        "national-2.00",
        "national-2.01",
        "national-3.00",
        "hangzhou-1.00",
        "shanghai-2.10",
        "hunan-2.0-test",
        "jiangsu-2.00",
    ] {
        assert!(family_by_name(required).is_some(), "{required} missing");
    }
    assert_eq!(names().count(), FAMILIES.len());
    assert!(family_by_name("national-4.00").is_none());
}

#[test]
fn one_national_family_per_version() {
    for v in SpecVersion::ALL {
        let n = national_for(v);
        assert_eq!(n.kind, FamilyKind::National);
        assert_eq!(n.spec_version(), v);
        assert_eq!(n.version_bytes(), v.as_bytes());
        assert!(core::ptr::eq(n.baseline(), n));
        let count = FAMILIES
            .iter()
            .filter(|f| f.is_national() && f.spec_version() == v)
            .count();
        assert_eq!(count, 1, "{v:?}");
    }
    for f in FAMILIES {
        assert_eq!(f.baseline().spec_version(), f.spec_version());
        assert!(f.baseline().is_national());
    }
}

#[test]
fn version_bytes_parse_to_the_family_version_and_suite() {
    for f in FAMILIES {
        match SpecVersion::parse(f.version_bytes()) {
            Some(v) => assert_eq!(v, f.spec_version(), "{}", f.name),
            None => {
                // only a family whose version string is not national (Shanghai "2.10"), and it
                // must say which national rules it applies
                assert_ne!(
                    f.version.basis.confidence,
                    Confidence::Baseline,
                    "{}",
                    f.name
                );
                assert!(f.version.basis.is_uncertain(), "{}", f.name);
            }
        }
        let want = if f.spec_version() == SpecVersion::V3_00 {
            "sscard-3"
        } else {
            "sscard-2"
        };
        assert_eq!(f.suite(), want, "{}", f.name);
    }
    assert_eq!(fam("shanghai-2.10").version_bytes(), b"2.10");
    assert_eq!(fam("hunan-2.0-test").version_bytes(), b"2.0\0");
    assert_eq!(fam("jiangsu-2.00").version_bytes(), b"2.00");
}

// ---------------------------------------------------------------- against the national tables

fn national_records(ef: &EfSpec, v: SpecVersion) -> Vec<(u8, u8, u8)> {
    let mut out = Vec::new();
    for i in ef.items_for(v).iter().filter(|i| i.versions.contains(v)) {
        for occ in 1..=i.repeat.max(1) {
            out.push((i.tag, i.len, occ));
        }
    }
    out
}

fn family_records(f: &Family, ef: impl Into<EfAddr>) -> Vec<(u8, u8, u8)> {
    f.records_of(ef)
        .map(|r| (r.tag, r.len, r.occurrence))
        .collect()
}

#[test]
fn national_families_are_the_national_tables() {
    for f in FAMILIES.iter().filter(|f| f.is_national()) {
        assert!(f.layouts.is_empty() && f.extra_efs.is_empty() && f.dates.is_empty());
        assert_eq!(f.deviations().count(), 0, "{}", f.name);
        let v = f.spec_version();
        for ef in files::all_efs() {
            assert_eq!(
                family_records(f, ef),
                national_records(ef, v),
                "{} {:?}/{:04X}",
                f.name,
                ef.df,
                ef.fid
            );
            for (n, r) in f.records_of(ef).enumerate() {
                assert_eq!(usize::from(r.number), n + 1);
                assert!(r.national);
                assert_eq!(
                    paths::record_number_for(ef, v, r.tag, r.occurrence),
                    Some(r.number)
                );
            }
            assert_eq!(f.structure_of(ef), Some(ef.structure_for(v)));
            assert!(f.has_ef(ef));
        }
    }
    // what the version implies, from versions.rs (not copied)
    let ext = item::SSSE_EF06_NAME_EXT.tag();
    assert!(!fam("national-1.00").has_item(ef::SSSE_EF06, ext));
    assert!(fam("national-2.00").has_item(ef::SSSE_EF06, ext));
    assert_eq!(
        fam("national-1.00").record(ef::SSSE_EF06, 3).unwrap().tag,
        item::SSSE_EF06_SEX.tag()
    );
    assert_eq!(
        fam("national-3.00").record(ef::SSSE_EF06, 3).unwrap().tag,
        ext
    );
    assert_eq!(
        fam("national-1.00").records_of(ef::DF01_EF05).count(),
        crate::layouts_v1::V1_DF01_EF05.len()
    );
}

#[test]
fn layouts_keep_national_items_and_mark_extras() {
    for f in FAMILIES {
        let v = f.spec_version();
        for l in f.layouts {
            let efspec = l.ef.spec().unwrap();
            assert!(
                matches!(efspec.structure, EfStructure::VariableRecords { .. }),
                "{}: layout of a non-record EF",
                f.name
            );
            let national_tags: HashSet<u8> = efspec
                .items_for(v)
                .iter()
                .filter(|i| i.versions.contains(v))
                .map(|i| i.tag)
                .collect();
            for r in l.records {
                match r.item {
                    LayoutItem::National(ir) => {
                        assert_eq!(ir.ef(), l.ef, "{}: item of another EF", f.name);
                        let spec = ir.spec().expect("national item in items.rs");
                        assert!(core::ptr::eq(spec, efspec.item(ir.tag()).unwrap()));
                        assert!(
                            spec.versions.contains(v),
                            "{}: {:02X} not on {v:?}",
                            f.name,
                            ir.tag()
                        );
                    }
                    LayoutItem::Extra(s) => {
                        assert!(
                            !national_tags.contains(&s.tag),
                            "{}: extra {:02X} is a national item",
                            f.name,
                            s.tag
                        );
                        assert!(s.uncertain.is_some(), "{}: extra item without note", f.name);
                    }
                }
            }
            // every record comes out, numbered, national flag as declared
            let recs: Vec<_> = f.records_of(l.ef).collect();
            assert_eq!(recs.len(), l.records.len());
            for (r, lr) in recs.iter().zip(l.records) {
                assert_eq!(r.national, lr.item.is_national());
                assert_eq!(r.tag, lr.item.spec().unwrap().tag);
            }
            // a layout is only written where it differs from the national one
            assert_ne!(
                family_records(f, l.ef),
                national_records(efspec, v),
                "{}: layout of {} equals the national one",
                f.name,
                l.ef.path()
            );
            assert!(f.deviations().any(|d| d.aspect == Aspect::Layout(l.ef)));
        }
    }
}

#[test]
fn extra_efs_are_outside_the_national_tree() {
    for f in FAMILIES {
        for e in f.extra_efs {
            let s = e.spec;
            assert!(
                files::ef(s.df, s.fid).is_none(),
                "{}: {:04X} is national",
                f.name,
                s.fid
            );
            assert!(ef::find(s.df, s.fid).is_none());
            assert_eq!(u16::from(s.sfi), s.fid & 0xFF);
            let df = files::df(s.df);
            assert!(df.efs.iter().all(|n| n.sfi != s.sfi && n.fid != s.fid));
            assert!(s.uncertain.is_some());
            assert_eq!(s.structure, fit_records(s.items));
            assert!(s.items.iter().all(|i| i.uncertain.is_some()));
            let recs: Vec<_> = f.records_of(s).collect();
            assert_eq!(recs.len(), s.items.len());
            assert!(recs.iter().all(|r| !r.national));
            assert!(f.has_ef(s));
            assert!(core::ptr::eq(f.ef_spec(s).unwrap(), s));
            assert_eq!(f.structure_of(s), Some(s.structure));
            // no other family has it
            for g in FAMILIES.iter().filter(|g| !core::ptr::eq(**g, f)) {
                assert!(!g.has_ef(s), "{} has {}'s EF", g.name, f.name);
                assert_eq!(g.records_of(s).count(), 0);
            }
        }
    }
    let js = fam("jiangsu-2.00");
    let ef0d = EfAddr::of(&JIANGSU_SSSE_EF0D);
    assert_eq!((ef0d.df, ef0d.fid), (DfId::Ssse, 0xEF0D));
    assert_eq!(
        family_records(js, ef0d),
        [
            (0xEA, 0x0C, 1),
            (0xEB, 0x03, 1),
            (0xEC, 0x01, 1),
            (0xED, 0x01, 1)
        ]
    );
    assert_eq!(JIANGSU_SSSE_EF0D.read, ReadRule::Free);
}

// ---------------------------------------------------------------- provenance

#[test]
fn every_statement_carries_a_source_and_notes_where_not_observed() {
    for f in FAMILIES {
        for b in f.bases() {
            match b.confidence {
                Confidence::Baseline => assert!(
                    matches!(b.source, Source::Spec | Source::Sscard | Source::TableE),
                    "{}: baseline from {:?}",
                    f.name,
                    b.source
                ),
                Confidence::Observed => {
                    assert!(
                        b.source.is_trace(),
                        "{}: observed from {:?}",
                        f.name,
                        b.source
                    )
                }
                Confidence::Inferred | Confidence::NationalKept | Confidence::HostCode => {
                    assert!(
                        b.is_uncertain(),
                        "{}: {:?} without a note",
                        f.name,
                        b.confidence
                    )
                }
            }
            #[cfg(feature = "text")]
            {
                if b.confidence != Confidence::NationalKept {
                    assert!(!b.evidence.is_empty(), "{}: no evidence line", f.name);
                }
                if let Some(n) = b.uncertain {
                    assert!(!n.is_empty());
                }
            }
        }
        // a national family states nothing that is not the baseline (confirmations aside)
        if f.is_national() {
            for b in [
                &f.version.basis,
                &f.version_bytes.basis,
                &f.atr.basis,
                &f.ssse.basis,
                &f.le_short.basis,
                &f.le_long.basis,
                &f.an_padding.basis,
            ] {
                assert_eq!(b.confidence, Confidence::Baseline, "{}", f.name);
            }
        } else {
            assert!(f.uncertain.is_some(), "{}: no family note", f.name);
        }
        // every deviation rests on something other than the baseline
        for d in f.deviations() {
            assert_ne!(
                d.basis.confidence,
                Confidence::Baseline,
                "{}: {:?}",
                f.name,
                d.aspect
            );
        }
    }
    for s in Source::ALL {
        assert!(!s.citation().is_empty());
    }
}

#[test]
fn deviations_are_what_the_traces_show() {
    let aspects =
        |name: &str| -> Vec<Aspect> { fam(name).deviations().map(|d| d.aspect).collect() };
    assert_eq!(
        aspects("hangzhou-1.00"),
        [Aspect::Ssse, Aspect::LeLong, Aspect::AnPadding]
    );
    assert_eq!(
        aspects("shanghai-2.10"),
        [
            Aspect::Version,
            Aspect::Atr,
            Aspect::Ssse,
            Aspect::LeShort,
            Aspect::LeLong,
            Aspect::AnPadding,
            Aspect::Layout(ef::SSSE_EF06),
        ]
    );
    assert_eq!(
        aspects("hunan-2.0-test"),
        [
            Aspect::Version,
            Aspect::DateCoding(item::SSSE_EF05_ISSUE_DATE),
            Aspect::DateCoding(item::SSSE_EF05_EXPIRY_DATE),
        ]
    );
    assert_eq!(
        aspects("jiangsu-2.00"),
        [Aspect::ExtraEf(EfAddr::of(&JIANGSU_SSSE_EF0D))]
    );
    // the sources of the deviations
    for d in fam("shanghai-2.10").deviations() {
        assert_eq!(d.basis.source, Source::T2Shanghai);
    }
    for d in fam("hangzhou-1.00").deviations() {
        assert_eq!(d.basis.source, Source::T1Hangzhou);
    }
    for d in fam("hunan-2.0-test").deviations() {
        assert_eq!(d.basis.source, Source::T3Hunan);
    }
}

// ---------------------------------------------------------------- T2 Shanghai

/// `real-cards.md` T2, EF05: (record number, response).
const T2_EF05: [(u8, &str); 7] = [
    (1, "01 10 310000D156000005198271541753D7B3 9000"),
    (2, "02 01 33 9000"),
    (3, "03 04 322E3130 9000"),
    (4, "04 0C 915600000231000031010001 9000"),
    (5, "05 04 20130701 9000"),
    (6, "06 04 20230630 9000"),
    (7, "07 09 453034353130353336 9000"),
];

/// `real-cards.md` T2, EF06 records read in full: (record number, response).
const T2_EF06: [(u8, &str); 4] = [
    (1, "08 12 333130313035313937393039323431323230 9000"),
    (
        2,
        "09 1E D5C5D0DECEC5002020202020202020202020202020202020202020202020 9000",
    ),
    (4, "0B 01 01 9000"),
    (7, "0E 04 00000000 9000"),
];

const T2_ATR: &str = "3B2F00008527022101211C17832C45587368";

#[test]
fn shanghai_reproduces_the_t2_structure() {
    let sh = fam("shanghai-2.10");
    // EF05 records 1-7: tags and lengths at the record numbers of the trace
    for (n, resp) in T2_EF05 {
        let (tag, value) = tlv(&data(resp));
        let r = sh.record(ef::SSSE_EF05, n).unwrap();
        assert_eq!(
            (r.tag, usize::from(r.len)),
            (tag, value.len()),
            "EF05 record {n}"
        );
        assert!(r.national);
    }
    assert_eq!(sh.records_of(ef::SSSE_EF05).count(), 7);
    // EF06 records 1, 2, 4, 7 (full reads)
    for (n, resp) in T2_EF06 {
        let (tag, value) = tlv(&data(resp));
        let r = sh.record(ef::SSSE_EF06, n).unwrap();
        assert_eq!(
            (r.tag, usize::from(r.len)),
            (tag, value.len()),
            "EF06 record {n}"
        );
        assert_eq!(r.basis.confidence, Confidence::Observed);
        // the Le the notes sent was exactly 2 + len
        assert_eq!(
            sh.read_record_answer(2 + r.len, 2 + r.len),
            ReadRecordAnswer::Exact
        );
    }
    let tags: Vec<u8> = sh.records_of(ef::SSSE_EF06).map(|r| r.tag).collect();
    assert_eq!(tags, [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E]);
    assert!(!sh.has_item(ef::SSSE_EF06, item::SSSE_EF06_NAME_EXT.tag()));
    let r7 = sh.record(ef::SSSE_EF06, 7).unwrap();
    assert!(!r7.national);
    assert!(core::ptr::eq(r7.spec, &SHANGHAI_EF06_0E));
    // record 3 (inferred 0A): Le 0x16 > 3 → 6F00, as the trace shows
    let r3 = sh.record(ef::SSSE_EF06, 3).unwrap();
    assert_eq!((r3.tag, r3.len), (item::SSSE_EF06_SEX.tag(), 1));
    assert_eq!(r3.basis.confidence, Confidence::Inferred);
    assert_eq!(
        sh.read_record_answer(0x16, r3.record_len() as u8),
        ReadRecordAnswer::NoPreciseDiagnosis6F00
    );
    // record 6: Le 5 of a 6-byte record → the first 5 bytes + 9000
    let r6 = sh.record(ef::SSSE_EF06, 6).unwrap();
    assert_eq!((r6.tag, r6.len), (item::SSSE_EF06_BIRTH_DATE.tag(), 4));
    let got = data("0D 04 197909 9000");
    let answer = sh.read_record_answer(5, r6.record_len() as u8);
    assert_eq!(answer, ReadRecordAnswer::Truncate9000 { len: 5 });
    assert_eq!(
        usize::from(answer.data_len(r6.record_len() as u8)),
        got.len()
    );
    assert_eq!(got[..2], [r6.tag, r6.len]);
    // record 5 is not in the trace: national 0C kept, and said so
    let r5 = sh.record(ef::SSSE_EF06, 5).unwrap();
    assert_eq!(r5.tag, item::SSSE_EF06_BIRTHPLACE.tag());
    assert_eq!(r5.basis.confidence, Confidence::NationalKept);
    // the name: 30 bytes, 00 then 0x20
    let (_, name) = tlv(&data(T2_EF06[1].1));
    let mut field = [0u8; 30];
    sh.pad_an(&hex("D5C5D0DECEC5"), &mut field).unwrap();
    assert_eq!(field[..], name[..]);
    assert_eq!(sh.trim_an(&name), hex("D5C5D0DECEC5"));
    // version, dates BCD, ATR, SSSE not selectable by name
    assert_eq!(&tlv(&data(T2_EF05[2].1)).1[..], sh.version_bytes());
    let (_, issue) = tlv(&data(T2_EF05[4].1));
    assert_eq!(
        sh.date_coding(item::SSSE_EF05_ISSUE_DATE),
        DateCoding::BcdYyyymmdd
    );
    assert_eq!(
        DateCoding::BcdYyyymmdd.decode(&issue),
        Some(DateValue {
            year: 2013,
            month: Some(7),
            day: Some(1)
        })
    );
    let atr = hex(T2_ATR);
    assert!(sh.atr.value.matches(&atr));
    assert_eq!(sh.atr.value.historical(&atr).unwrap().len(), 15);
    assert!(sh.t0_only());
    assert_eq!(sh.atr.value.serial(&atr), None);
    assert!(!fam("national-2.00").atr.value.matches(&atr));
    assert!(!sh.ssse_by_name());
    assert_eq!(sh.fci(), None);
    assert_eq!(
        sh.structure_of(ef::SSSE_EF06),
        Some(EfStructure::VariableRecords {
            max_records: 7,
            max_record_len: 0x20,
        })
    );
}

// ---------------------------------------------------------------- T1 Hangzhou

/// `real-cards.md` T1: (command, response) at the APDU level.
const T1_READS: [(&str, &str); 6] = [
    ("00B2012812", "0110330100D1560000050114F199D286DF7E9000"),
    ("00B2032806", "0304312E30309000"),
    ("00B207280E", "07094131353932313632329000"),
    ("00B2083014", "08123333323630333139373931323232353431369000"),
    (
        "00B2093020",
        "091EB4F7C8FCD1C22020202020202020202020202020202020202020202020209000",
    ),
    ("00B20A3003", "0A01319000"),
];
const T1_ATR: &str = "3B6D00000081008843866533010114F199";
const T1_FCI: &str = "6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388010B";

#[test]
fn hangzhou_reproduces_the_t1_structure() {
    let hz = fam("hangzhou-1.00");
    for (cmd, resp) in T1_READS {
        let c = hex(cmd);
        let (p1, p2, le) = (c[2], c[3], c[4]);
        assert_eq!(p2 & 0x07, 0, "mode 000: record identifier");
        let ef = match p2 >> 3 {
            5 => ef::SSSE_EF05,
            6 => ef::SSSE_EF06,
            s => panic!("SFI {s}"),
        };
        assert_eq!(ef.sfi(), p2 >> 3);
        let rec = data(resp);
        let (tag, value) = tlv(&rec);
        assert_eq!(tag, p1);
        let r = hz.item(ef, tag, 1).unwrap();
        assert_eq!(usize::from(r.len), value.len(), "{cmd}");
        assert!(r.national);
        // Le and what came back: exact, or the whole record on a longer Le (00B207280E)
        let answer = hz.read_record_answer(le, r.record_len() as u8);
        if usize::from(le) == rec.len() {
            assert_eq!(answer, ReadRecordAnswer::Exact);
        } else {
            assert!(usize::from(le) > rec.len());
            assert_eq!(answer, ReadRecordAnswer::Full9000, "{cmd}");
        }
        assert_eq!(
            usize::from(answer.data_len(r.record_len() as u8)),
            rec.len()
        );
    }
    // national 1.0 order: record numbers = the tags' positions
    assert_eq!(hz.record_number(ef::SSSE_EF05, 0x07, 1), Some(7));
    assert_eq!(
        hz.record(ef::SSSE_EF06, 3).unwrap().tag,
        item::SSSE_EF06_SEX.tag()
    );
    // version "1.00"
    let (_, v) = tlv(&data(T1_READS[1].1));
    assert_eq!(&v[..], hz.version_bytes());
    // name: 30 bytes, 0x20-padded, no 00
    let (_, name) = tlv(&data(T1_READS[4].1));
    let mut field = [0u8; 0x1E];
    hz.pad_an(&hex("B4F7C8FCD1C2"), &mut field).unwrap();
    assert_eq!(field[..], name[..]);
    assert!(!name.contains(&0));
    assert_eq!(hz.trim_an(&name), hex("B4F7C8FCD1C2"));
    // FCI with SFI 0B, byte for byte
    assert_eq!(fci_of(hz), fci_fields(&hex(T1_FCI)));
    assert_eq!(hz.fci().unwrap().sfi, 0x0B);
    // ATR: T=0 only, 13 historical bytes, the serial at the end = card id bytes 8-11
    let atr = hex(T1_ATR);
    assert!(hz.atr.value.matches(&atr));
    assert!(hz.t0_only());
    let (_, card_id) = tlv(&data(T1_READS[0].1));
    assert_eq!(hz.atr.value.serial(&atr).unwrap(), &card_id[8..12]);
}

// ---------------------------------------------------------------- T3 Hunan

const T3_EF05_ALL: &str = "01 10 43 02 99 d1 56 00 00 05 00 00 00 13 3a 05 f2 e3 02 01 33 03 04 32 2e 30 00 04 0c 91 56 00 00 02 43 02 00 43 01 00 d5 05 04 32 30 31 32 06 04 32 30 32 32 07 09 42 30 30 30 30 30 31 33 31 90 00";
const T3_FCI: &str =
    "6f 16 84 0f 73 78 31 2e 73 68 2e c9 e7 bb e1 b1 a3 d5 cf a5 03 88 01 1e 90 00";
const T3_ATR: &str = "3B6D00000081544C928684420100000135";

#[test]
fn hunan_reproduces_the_t3_structure() {
    let hn = fam("hunan-2.0-test");
    let all = data(T3_EF05_ALL);
    assert_eq!(all.len(), 64);
    let got: Vec<(u8, u8)> = tlvs(&all)
        .iter()
        .map(|(t, v)| (*t, v.len() as u8))
        .collect();
    let want: Vec<(u8, u8)> = hn
        .records_of(ef::SSSE_EF05)
        .map(|r| (r.tag, r.len))
        .collect();
    assert_eq!(got, want);
    let total: u16 = hn.records_of(ef::SSSE_EF05).map(|r| r.record_len()).sum();
    assert_eq!(usize::from(total), all.len());
    // the concatenation lengths, record by record
    let mut off = 0;
    for r in hn.records_of(ef::SSSE_EF05) {
        assert_eq!(all[off], r.tag);
        assert_eq!(all[off + 1], r.len);
        off += usize::from(r.record_len());
    }
    let recs = tlvs(&all);
    assert_eq!(&recs[2].1[..], hn.version_bytes());
    // issue / expiry as ASCII years
    for (i, item, year) in [
        (4, item::SSSE_EF05_ISSUE_DATE, 2012),
        (5, item::SSSE_EF05_EXPIRY_DATE, 2022),
    ] {
        assert_eq!(recs[i].0, item.tag());
        let coding = hn.date_coding(item);
        assert_eq!(coding, DateCoding::AsciiYear);
        let d = coding.decode(&recs[i].1).unwrap();
        assert_eq!((d.year, d.month, d.day), (year, None, None));
        assert_eq!(DateCoding::BcdYyyymmdd.decode(&recs[i].1), None);
        assert_eq!(coding.encode(d).unwrap()[..], recs[i].1[..]);
    }
    assert_eq!(
        hn.date_coding(item::SSSE_EF06_BIRTH_DATE),
        DateCoding::BcdYyyymmdd
    );
    // FCI 1E, byte for byte (national-2.00 too: table E)
    assert_eq!(fci_of(hn), fci_fields(&data(T3_FCI)));
    assert_eq!(fci_of(fam("national-2.00")), fci_fields(&data(T3_FCI)));
    // ATR shape
    assert!(hn.atr.value.matches(&hex(T3_ATR)));
    assert_eq!(hn.kind, FamilyKind::TestCard);
}

// ---------------------------------------------------------------- T4 Wenzhou (national-3.00)

#[test]
fn national_3_00_reproduces_the_t4_records() {
    let n3 = fam("national-3.00");
    for (n, resp) in [
        (1, "0110 330300D15600000599110145FFFFFFFF 9000"),
        (3, "0304 332E3030 9000"),
    ] {
        let (tag, value) = tlv(&data(resp));
        let r = n3.record(ef::SSSE_EF05, n).unwrap();
        assert_eq!((r.tag, usize::from(r.len)), (tag, value.len()));
    }
    assert_eq!(&tlv(&data("0304332E30309000")).1[..], n3.version_bytes());
    assert_eq!(fci_of(n3), (0x1E, Some(FCI_ALGORITHM_SM4)));
    assert_eq!(n3.fci().unwrap().algorithm_id, Some(FCI_ALGORITHM_SM4));
}

// ---------------------------------------------------------------- helpers

#[test]
fn read_record_answers_per_family() {
    for f in FAMILIES {
        for len in [1u8, 3, 0x12, 0x20, 0xFF] {
            assert_eq!(f.read_record_answer(len, len), ReadRecordAnswer::Exact);
        }
    }
    let n2 = fam("national-2.00");
    assert_eq!(
        n2.read_record_answer(5, 6),
        ReadRecordAnswer::WrongLe6C { record_len: 6 }
    );
    assert_eq!(
        n2.read_record_answer(0x16, 3),
        ReadRecordAnswer::WrongLe6C { record_len: 3 }
    );
    // Le 00 = 256: longer than any record
    assert_eq!(
        n2.read_record_answer(0, 0x12),
        ReadRecordAnswer::WrongLe6C { record_len: 0x12 }
    );
    assert_eq!(
        fam("hangzhou-1.00").read_record_answer(0, 0x12),
        ReadRecordAnswer::Full9000
    );
    assert_eq!(
        fam("hangzhou-1.00").read_record_answer(5, 6),
        ReadRecordAnswer::WrongLe6C { record_len: 6 }
    );
    assert_eq!(
        fam("shanghai-2.10").read_record_answer(0, 3),
        ReadRecordAnswer::NoPreciseDiagnosis6F00
    );
    assert_eq!(ReadRecordAnswer::NoPreciseDiagnosis6F00.data_len(3), 0);
}

#[test]
fn an_padding_round_trips() {
    let value = hex("D5C5");
    for (f, want) in [
        ("national-2.00", "D5C5 000000"),
        ("hangzhou-1.00", "D5C5 202020"),
        ("shanghai-2.10", "D5C5 002020"),
    ] {
        let f = fam(f);
        let mut field = [0xAAu8; 5];
        f.pad_an(&value, &mut field).unwrap();
        assert_eq!(field[..], hex(want)[..], "{}", f.name);
        assert_eq!(f.trim_an(&field), value);
        let mut exact = [0u8; 2];
        f.pad_an(&value, &mut exact).unwrap();
        assert_eq!(exact[..], value[..]);
        let mut short = [0u8; 1];
        assert_eq!(f.pad_an(&value, &mut short), Err(ValueTooLong));
        assert_eq!(f.trim_an(&[]), &[] as &[u8]);
    }
    assert_eq!(fam("national-2.00").an_pad_byte(0), 0x00);
    assert_eq!(fam("shanghai-2.10").an_pad_byte(0), 0x00);
    assert_eq!(fam("shanghai-2.10").an_pad_byte(1), 0x20);
}

#[test]
fn date_codings_round_trip() {
    let d = DateValue {
        year: 1979,
        month: Some(9),
        day: Some(24),
    };
    let b = DateCoding::BcdYyyymmdd.encode(d).unwrap();
    assert_eq!(b, [0x19, 0x79, 0x09, 0x24]);
    assert_eq!(DateCoding::BcdYyyymmdd.decode(&b), Some(d));
    assert_eq!(
        DateCoding::BcdYyyymmdd.decode(&[0x20, 0x13, 0x13, 0x01]),
        None
    );
    assert_eq!(DateCoding::BcdYyyymmdd.decode(&[0x20, 0x13]), None);
    assert_eq!(DateCoding::AsciiYear.encode(d), Some(*b"1979"));
    assert_eq!(DateCoding::AsciiYear.decode(b"19x9"), None);
    assert_eq!(
        DateCoding::BcdYyyymmdd.encode(DateValue {
            year: 2012,
            month: None,
            day: None
        }),
        None
    );
}

#[test]
fn atr_shapes_are_consistent() {
    for f in FAMILIES {
        let a = f.atr.value;
        assert_eq!(
            a.interface.len(),
            a.announced_interface_bytes(),
            "{}",
            f.name
        );
        assert!(a.t0_only(), "{}: every trace is T=0 only", f.name);
        assert!(a.historical_len() >= 4 || !a.serial_at_end);
    }
    // the emulator's ATR (real-cards.md table E) has the national shape, serial at the end
    let emu = hex("3B6D000000815343208611010000000001");
    let n = fam("national-2.00").atr.value;
    assert!(n.matches(&emu));
    assert_eq!(n.serial(&emu).unwrap(), hex("00000001"));
    assert!(!n.matches(&emu[..16]));
}

#[test]
fn records_of_unknown_or_transparent_efs_are_empty() {
    let n2 = fam("national-2.00");
    assert_eq!(n2.records_of(ef::SSSE_EF07).count(), 0);
    assert_eq!(n2.records_of(ef::DF04_EF08).count(), 0);
    let nowhere = EfAddr {
        df: DfId::Df01,
        fid: 0xEF0D,
    };
    assert_eq!(n2.records_of(nowhere).count(), 0);
    assert!(!n2.has_ef(nowhere));
    assert_eq!(n2.structure_of(nowhere), None);
    assert_eq!(n2.record(ef::SSSE_EF06, 8), None);
    assert_eq!(n2.record(ef::SSSE_EF06, 0), None);
    // repeated tags: one record per occurrence
    let degrees: Vec<_> = n2
        .records_of(ef::DF01_EF15)
        .filter(|r| r.tag == item::DF01_EF15_DEGREE.tag())
        .map(|r| (r.number, r.occurrence))
        .collect();
    assert_eq!(degrees, [(2, 1), (3, 2), (4, 3)]);
    assert_eq!(
        n2.record_number(ef::DF01_EF15, item::DF01_EF15_DEGREE.tag(), 2),
        item::DF01_EF15_DEGREE.record_number(2)
    );
}

// ---------------------------------------------------------------- recognition

fn version(v: &[u8; 4]) -> Option<[u8; 4]> {
    Some(*v)
}

#[test]
fn recognition_picks_each_family_from_its_own_observations_only() {
    for f in FAMILIES {
        let obs = f.observations();
        let c: Vec<_> = candidates(&obs).map(|g| g.name).collect();
        assert_eq!(c, [f.name], "{}'s observations fit {c:?}", f.name);
        assert!(core::ptr::eq(recognise(&obs).unwrap(), f));
    }
}

#[test]
fn recognition_from_the_traces() {
    // T1: FCI SFI 0B + "1.00" (EF06 record 3 not read by number, EF0D not probed)
    let t1 = Observations {
        ssse_by_name: Some(SsseAnswer::Fci(FciContent {
            sfi: 0x0B,
            algorithm_id: None,
        })),
        version: version(b"1.00"),
        ..Observations::default()
    };
    assert_eq!(recognise(&t1).unwrap().name, "hangzhou-1.00");
    // T2: 6A82 + "2.10" (record 3 answered 6F00: its tag is not observed)
    let t2 = Observations {
        ssse_by_name: Some(SsseAnswer::NotFound),
        version: version(b"2.10"),
        ..Observations::default()
    };
    assert_eq!(recognise(&t2).unwrap().name, "shanghai-2.10");
    // T3: FCI 1E + "2.0\0"
    let t3 = Observations {
        ssse_by_name: Some(SsseAnswer::Fci(FciContent {
            sfi: 0x1E,
            algorithm_id: None,
        })),
        version: version(b"2.0\0"),
        ..Observations::default()
    };
    assert_eq!(recognise(&t3).unwrap().name, "hunan-2.0-test");
    // T4: "3.00" alone
    let t4 = Observations {
        version: version(b"3.00"),
        ..Observations::default()
    };
    assert_eq!(recognise(&t4).unwrap().name, "national-3.00");
}

#[test]
fn unknown_or_ambiguous_cards_are_not_recognised() {
    let fci = |sfi, algorithm_id| Some(SsseAnswer::Fci(FciContent { sfi, algorithm_id }));
    // no version: never
    assert_eq!(
        recognise(&Observations {
            ssse_by_name: Some(SsseAnswer::NotFound),
            ..Observations::default()
        }),
        None
    );
    assert_eq!(recognise(&Observations::default()), None);
    // a version no family reports
    assert_eq!(
        recognise(&Observations {
            version: version(b"2.02"),
            ..Observations::default()
        }),
        None
    );
    // "2.00" without the EF0D probe: national-2.00 or jiangsu-2.00
    let mut obs = Observations {
        ssse_by_name: fci(0x1E, None),
        version: version(b"2.00"),
        ef06_record3_tag: Some(0x4E),
        ssse_ef0d: None,
    };
    assert_eq!(recognise(&obs), None);
    assert_eq!(candidates(&obs).count(), 2);
    obs.ssse_ef0d = Some(false);
    assert_eq!(recognise(&obs).unwrap().name, "national-2.00");
    obs.ssse_ef0d = Some(true);
    assert_eq!(recognise(&obs).unwrap().name, "jiangsu-2.00");
    // contradictions
    let contradictions = [
        Observations {
            ssse_by_name: fci(0x1E, None),
            version: version(b"2.10"),
            ..Observations::default()
        },
        Observations {
            ssse_by_name: fci(0x1E, None),
            version: version(b"1.00"),
            ef06_record3_tag: Some(0x4E),
            ..Observations::default()
        },
        Observations {
            ssse_by_name: fci(0x1E, None),
            version: version(b"3.00"),
            ..Observations::default()
        },
        Observations {
            ssse_by_name: fci(0x0B, None),
            version: version(b"2.00"),
            ..Observations::default()
        },
        Observations {
            ssse_by_name: Some(SsseAnswer::NotFound),
            version: version(b"2.00"),
            ..Observations::default()
        },
        Observations {
            version: version(b"2.10"),
            ef06_record3_tag: Some(0x4E),
            ..Observations::default()
        },
    ];
    for o in contradictions {
        assert_eq!(recognise(&o), None, "{o:?}");
    }
}

fn without(kind: ObservationKind, mut o: Observations) -> Observations {
    match kind {
        ObservationKind::SsseByName => o.ssse_by_name = None,
        ObservationKind::Version => o.version = None,
        ObservationKind::Ef06Record3 => o.ef06_record3_tag = None,
        ObservationKind::SsseEf0d => o.ssse_ef0d = None,
    }
    o
}

#[test]
fn probes_table_says_which_observations_are_needed() {
    let kinds: HashSet<_> = PROBES.iter().map(|p| p.kind).collect();
    assert_eq!(kinds.len(), PROBES.len());
    for p in &PROBES {
        let sigs: Vec<Observations> = FAMILIES
            .iter()
            .map(|f| without(p.kind, f.observations()))
            .collect();
        let distinct: HashSet<_> = sigs.iter().collect();
        assert_eq!(
            distinct.len() < sigs.len(),
            p.required,
            "{:?}: required = {} but dropping it {} two families",
            p.kind,
            p.required,
            if p.required {
                "does not merge"
            } else {
                "merges"
            }
        );
        #[cfg(feature = "text")]
        assert!(!p.how.is_empty() && !p.separates.is_empty());
    }
}

#[test]
fn trace_card_numbers_follow_the_national_check_character() {
    // EF05 tag 07 of T1, T2, T3: every family keeps the national card number (§3.9)
    for (f, resp) in [
        ("hangzhou-1.00", T1_READS[2].1),
        ("shanghai-2.10", T2_EF05[6].1),
    ] {
        let (tag, n) = tlv(&data(resp));
        assert_eq!(tag, item::SSSE_EF05_CARD_NUMBER.tag());
        assert_eq!(
            fam(f).item(ef::SSSE_EF05, tag, 1).unwrap().len as usize,
            n.len()
        );
        crate::codes::validate_card_number(&<[u8; 9]>::try_from(&n[..]).unwrap()).unwrap();
    }
    let all = data(T3_EF05_ALL);
    let (tag, n) = tlvs(&all).pop().unwrap();
    assert_eq!(tag, item::SSSE_EF05_CARD_NUMBER.tag());
    crate::codes::validate_card_number(&<[u8; 9]>::try_from(&n[..]).unwrap()).unwrap();
}
