//! Consistency tests of the tables against each other and against the reference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::codes::*;
use crate::files::{self, DFS};
use crate::items;
use crate::keys::{self, KeyRole};
use crate::layouts_v1::*;
use crate::paths::*;
use crate::types::*;
use crate::versions::*;

fn tags(items: &[ItemSpec]) -> Vec<u8> {
    items.iter().map(|i| i.tag).collect()
}

#[test]
fn dfs_indexed_by_id() {
    for (i, d) in DFS.iter().enumerate() {
        assert_eq!(d.id.index(), i);
        assert_eq!(files::df(d.id).id, d.id);
        for e in d.efs {
            assert_eq!(e.df, d.id, "{:04X} listed under the wrong DF", e.fid);
        }
        for k in d.keys {
            assert_eq!(k.df, d.id, "{} listed under the wrong DF", k.name);
        }
        assert_eq!(keys::keys_of(d.id), d.keys);
    }
}

#[test]
fn fids_and_sfis_unique_within_df() {
    for d in DFS.iter() {
        for (i, a) in d.efs.iter().enumerate() {
            for b in &d.efs[i + 1..] {
                assert_ne!(a.fid, b.fid, "{:?}: duplicate FID", d.id);
                assert_ne!(a.sfi, b.sfi, "{:?}: duplicate SFI", d.id);
            }
            assert!(a.sfi >= 1 && a.sfi <= 30, "SFI out of range");
            assert_eq!(
                u16::from(a.sfi),
                a.fid & 0xFF,
                "SFI = low byte of FID (§2.2)"
            );
        }
    }
}

#[test]
fn tree_matches_reference() {
    let efs = |id: DfId| files::df(id).efs.iter().map(|e| e.fid).collect::<Vec<_>>();
    assert_eq!(efs(DfId::Ssse), [0xEF05, 0xEF06, 0xEF07, 0xEF08]);
    assert_eq!(
        efs(DfId::Df01),
        [
            0xEF05, 0xEF06, 0xEF07, 0xEF08, 0xEF09, 0xEF0A, 0xEF15, 0xEF16, 0xEF17, 0xEF18, 0xEF19,
            0xEF1A
        ]
    );
    assert_eq!(
        efs(DfId::Df02),
        [0xEF05, 0xEF06, 0xEF07, 0xEF09, 0xEF15, 0xEF16]
    );
    assert_eq!(
        efs(DfId::Df03),
        [0xEF05, 0xEF06, 0xEF07, 0xEF15, 0xEF16, 0xEF17, 0xEF18, 0xEF19]
    );
    assert_eq!(efs(DfId::Df04), [0xEF05, 0xEF06, 0xEF08, 0xEF15]);
    assert_eq!(efs(DfId::Df05), [0xEF05]);
    assert_eq!(efs(DfId::Df06), [0xEF05, 0xEF06]);
    assert_eq!(efs(DfId::Df07), [0xEF05, 0xEF06, 0xEF07]);

    let ssse = files::df(DfId::Ssse);
    assert_eq!(ssse.fid, None);
    assert!(ssse.uncertain.is_some());
    #[cfg(feature = "text")]
    assert!(ssse.uncertain.unwrap().contains("§9.7"));
    assert_eq!(ssse.df_name.unwrap().len(), 15);
    assert_eq!(files::df_by_name(files::SSSE_NAME).unwrap().id, DfId::Ssse);
    assert_eq!(
        files::df(DfId::Df04).aid.unwrap(),
        &[0xD1, 0x56, 0x00, 0x00, 0x05, 0x03]
    );
    assert_eq!(files::df(DfId::Df07).aid.unwrap()[5], 0x04);
    assert_eq!(files::df(DfId::Df05).aid, None);
    assert_eq!(files::df(DfId::Df06).aid, None);
    assert_eq!(
        files::df_by_aid(&[0xD1, 0x56, 0, 0, 5, 1]).unwrap().id,
        DfId::Df02
    );
    assert_eq!(files::df_by_fid(0x3F00).unwrap().id, DfId::Mf);

    use EfStructure::*;
    let st = |d, f| files::ef(d, f).unwrap().structure;
    assert_eq!(st(DfId::Ssse, 0xEF07), Transparent { size: 0x300 });
    assert_eq!(st(DfId::Ssse, 0xEF08), Transparent { size: 0x1000 });
    for f in 0xEF16..=0xEF1A {
        assert_eq!(st(DfId::Df01, f), Transparent { size: 0x128 });
        assert_eq!(files::ef(DfId::Df01, f).unwrap().read, ReadRule::Free);
    }
    assert_eq!(
        st(DfId::Df02, 0xEF07),
        Cyclic {
            records: 4,
            record_len: 0x55
        }
    );
    assert_eq!(
        st(DfId::Df02, 0xEF16),
        Cyclic {
            records: 4,
            record_len: 0x12
        }
    );
    assert_eq!(
        st(DfId::Df03, 0xEF19),
        FixedRecords {
            records: 4,
            record_len: 0x29
        }
    );
    assert_eq!(
        st(DfId::Df04, 0xEF08),
        Cyclic {
            records: 30,
            record_len: 0x1C
        }
    );
    assert_eq!(
        st(DfId::Df04, 0xEF15),
        Cyclic {
            records: 8,
            record_len: 0x03
        }
    );
}

#[test]
fn access_rules_match_reference() {
    let e = |d, f| files::ef(d, f).unwrap();
    assert_eq!(e(DfId::Ssse, 0xEF05).read, ReadRule::Free);
    assert_eq!(e(DfId::Ssse, 0xEF07).read, ReadRule::Key("RKSSSE"));
    assert_eq!(e(DfId::Df01, 0xEF0A).write, WriteRule::Key("UK5DF01"));
    assert_eq!(e(DfId::Df01, 0xEF1A).write, WriteRule::Key("UKBDF01"));
    assert_eq!(e(DfId::Df03, 0xEF05).read, ReadRule::PinOrKey("RK2DF03"));
    assert_eq!(e(DfId::Df03, 0xEF06).read, ReadRule::PinOrKey("RK1DF03"));
    assert_eq!(e(DfId::Df04, 0xEF06).read, ReadRule::PinAndKey("RK1DF04"));
    assert_eq!(e(DfId::Df04, 0xEF08).read, ReadRule::Pin);
    assert_eq!(e(DfId::Df04, 0xEF08).write, WriteRule::Never);
    assert_eq!(e(DfId::Df04, 0xEF15).write, WriteRule::Key("UK2DF04"));
    assert_eq!(e(DfId::Df05, 0xEF05).read, ReadRule::Free);
    assert_eq!(e(DfId::Df06, 0xEF06).read, ReadRule::Key("RK1DF06"));
    assert_eq!(e(DfId::Df07, 0xEF07).read, ReadRule::Key("RK3DF07"));
}

#[test]
fn ssse_ef06_read_rule_per_version() {
    let ef06 = files::ef(DfId::Ssse, 0xEF06).unwrap();
    assert_eq!(ef06.read_for(SpecVersion::V1_00), ReadRule::Free);
    assert_eq!(ef06.read_for(SpecVersion::V2_00), ReadRule::Free);
    assert_eq!(ef06.read_for(SpecVersion::V2_01), ReadRule::Free);
    assert_eq!(ef06.read_for(SpecVersion::V3_00), ReadRule::Key("RKSSSE"));
    assert!(ef06.uncertain.is_some());
    let ef05 = files::ef(DfId::Ssse, 0xEF05).unwrap();
    assert_eq!(ef05.read_for(SpecVersion::V3_00), ReadRule::Free);
}

#[test]
fn every_rule_key_exists_in_its_df() {
    for e in files::all_efs() {
        let rules = e
            .read_overrides
            .iter()
            .map(|(_, r)| r.key())
            .chain([e.read.key(), e.write.key()]);
        for k in rules.flatten() {
            let spec = keys::key_by_name(k).unwrap_or_else(|| panic!("{k} not in key table"));
            assert_eq!(
                spec.df, e.df,
                "{k} guards {:?}/{:04X} but lives in {:?}",
                e.df, e.fid, spec.df
            );
            assert!(spec.kid.is_some(), "{k} has no KID");
            assert!(spec.implemented);
            match spec.role {
                KeyRole::Read => assert!(
                    e.read.key() == Some(k)
                        || e.read_overrides.iter().any(|(_, r)| r.key() == Some(k))
                ),
                KeyRole::Update => assert_eq!(e.write.key(), Some(k)),
                r => panic!("{k} has role {r:?} in an access rule"),
            }
        }
    }
}

#[test]
fn kids_unique_within_df_and_names_unique() {
    for d in DFS.iter() {
        for (i, a) in d.keys.iter().enumerate() {
            for b in &d.keys[i + 1..] {
                if a.kid.is_some() {
                    assert_ne!(
                        a.kid, b.kid,
                        "{:?}: {} and {} share a KID",
                        d.id, a.name, b.name
                    );
                }
            }
        }
    }
    let all: Vec<_> = keys::all_keys().collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a.name, b.name);
        }
    }
}

#[test]
fn observed_kids_and_levels() {
    let kid = |n| keys::key_by_name(n).unwrap().kid.unwrap();
    assert_eq!(kid("PUK"), 0x06);
    assert_eq!(kid("RKSSSE"), 0x0A);
    assert_eq!(kid("UKSSSE"), 0x04);
    assert_eq!(kid("RK1DF01"), 0x88);
    assert_eq!(kid("RK1DF03"), 0x84);
    assert_eq!(kid("RK2DF03"), 0x85);
    assert_eq!(kid("RK1DF04"), 0x84);
    for n in [
        "PUK", "RKSSSE", "UKSSSE", "RK1DF01", "RK1DF03", "RK2DF03", "RK1DF04",
    ] {
        assert!(keys::key_by_name(n).unwrap().kid_observed, "{n}");
    }
    assert!(!keys::key_by_name("UK1DF01").unwrap().kid_observed);
    for k in keys::all_keys() {
        let expected = match k.df {
            DfId::Df05 | DfId::Df06 => 2,
            _ if k.name == "PUK" || k.name == "STK" => 2,
            _ => 3,
        };
        assert_eq!(k.levels, expected, "{}", k.name);
        if !k.kid_observed {
            assert!(
                k.uncertain.is_some(),
                "{} has an assigned KID without a note",
                k.name
            );
        }
        assert!(k.df != DfId::Mf);
    }
    assert_eq!(
        keys::key_by_name("RK1DF01").unwrap().psam_usage_levels(),
        Some(3)
    );
    assert_eq!(
        keys::key_by_name("PUK").unwrap().psam_usage_levels(),
        Some(2)
    );
    assert_eq!(keys::key_by_kid(DfId::Df03, 0x85).unwrap().name, "RK2DF03");
    assert_eq!(keys::key_by_kid(DfId::Ssse, 0x06).unwrap().name, "PUK");
    assert!(keys::key_by_kid(DfId::Df01, 0x06).is_none());
    assert_eq!(keys::resolve_kid(DfId::Df01, 0x06).unwrap().name, "PUK");
    assert_eq!(keys::resolve_kid(DfId::Df01, 0x88).unwrap().name, "RK1DF01");
    assert_eq!(keys::key_by_name("CIDK").unwrap().kid, None);
    assert_eq!(keys::key_by_name("CIDK").unwrap().role, KeyRole::CardIdAuth);
    assert_eq!(keys::key_by_name("IRK").unwrap().df, DfId::Ssse);
    // DPK/DLK/DTK are implemented since issue 14 (the DF04 purse), with assigned KIDs.
    assert!(keys::key_by_name("DPK").unwrap().implemented);
    assert_eq!(keys::key_by_name("DTK").unwrap().kid, Some(0xB3));
    // The full list the brief names.
    for n in [
        "RKSSSE", "UKSSSE", "RK1DF01", "UK1DF01", "UKBDF01", "RK1DF02", "UK6DF02", "RK1DF03",
        "RK2DF03", "UK8DF03", "RK1DF04", "UK1DF04", "UK2DF04", "UK1DF05", "RK1DF06", "UK1DF06",
        "UK2DF06", "RK1DF07", "RK3DF07", "UK3DF07", "IRK", "PUK", "STK", "CIDK", "DLK", "DTK",
    ] {
        assert!(keys::key_by_name(n).is_some(), "{n}");
    }
}

fn check_items_fit(name: &str, items: &[ItemSpec], st: EfStructure) {
    match st {
        EfStructure::VariableRecords {
            max_records,
            max_record_len,
        } => {
            assert!(
                items_record_count(items) <= u16::from(max_records),
                "{name}: too many records"
            );
            for i in items {
                assert!(
                    i.record_len() <= u16::from(max_record_len),
                    "{name}: tag {:02X} too long",
                    i.tag
                );
            }
        }
        EfStructure::FixedRecords {
            records,
            record_len,
        } => {
            assert_eq!(items_record_count(items), u16::from(records), "{name}");
            for i in items {
                assert_eq!(i.record_len(), u16::from(record_len), "{name}");
            }
        }
        _ => assert!(items.is_empty(), "{name}: items in a non-record EF"),
    }
}

#[test]
fn items_fit_structures() {
    for e in files::all_efs() {
        let name = format!("{:?}/{:04X}", e.df, e.fid);
        check_items_fit(&name, e.items, e.structure);
        match e.structure {
            EfStructure::Cyclic { record_len, .. } => {
                assert_eq!(
                    fields_len(e.fields),
                    u16::from(record_len),
                    "{name}: fields"
                );
                assert!(e.items.is_empty());
            }
            EfStructure::VariableRecords { .. } | EfStructure::FixedRecords { .. } => {
                assert!(!e.items.is_empty(), "{name}: no items");
                assert!(e.fields.is_empty());
            }
            EfStructure::Transparent { .. } => assert!(e.fields.is_empty()),
        }
        // tags unique inside an EF (repeats are expressed by `repeat`)
        for (i, a) in e.items.iter().enumerate() {
            for b in &e.items[i + 1..] {
                assert_ne!(a.tag, b.tag, "{name}: duplicate tag");
            }
            assert!(a.repeat >= 1);
            assert_eq!(
                a.data_type == DataType::BTlv,
                !a.sub_items.is_empty(),
                "{name}: {:02X}",
                a.tag
            );
            if !a.sub_items.is_empty() {
                let sum: u16 = a.sub_items.iter().map(ItemSpec::record_len).sum();
                assert_eq!(
                    sum,
                    u16::from(a.len),
                    "{name}: B-TLV {:02X} sub-items",
                    a.tag
                );
            }
            if a.star_new_in_2_0 {
                assert_eq!(a.versions, VersionSet::V2_PLUS);
            }
        }
    }
    for l in V1_LAYOUTS.iter() {
        let name = format!("1.0 layout {}/{:04X}", l.df.name(), l.fid);
        check_items_fit(&name, l.items, l.structure);
        for i in l.items {
            assert!(i.versions.contains(SpecVersion::V1_00));
        }
    }
    assert_eq!(fields_len(items::DF04_AMOUNT_FILE_FIELDS), 20);
}

#[test]
fn record_order_ssse() {
    let ef05 = files::ef(DfId::Ssse, 0xEF05).unwrap();
    let ef06 = files::ef(DfId::Ssse, 0xEF06).unwrap();
    assert_eq!(tags(ef05.items), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(tags(ef06.items), [0x08, 0x09, 0x4E, 0x0A, 0x0B, 0x0C, 0x0D]);
    assert_eq!(
        tags(ef06.items_for(SpecVersion::V1_00)),
        [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
    );
    assert_eq!(ef06.items_for(SpecVersion::V3_00), ef06.items);
    // S-EVO personalisation: rec1=08, rec2=09, rec4=0A, rec5=0B, rec7=0D (§3.2)
    for (tag, rec) in [
        (0x08, 1),
        (0x09, 2),
        (0x4E, 3),
        (0x0A, 4),
        (0x0B, 5),
        (0x0C, 6),
        (0x0D, 7),
    ] {
        assert_eq!(record_number(ef06, tag, 1), Some(rec));
        assert_eq!(
            record_number_for(ef06, SpecVersion::V2_01, tag, 1),
            Some(rec)
        );
        assert!(is_unique_tag(ef06, tag));
    }
    // 1.0: S-HN reads records 1–6 = 08,09,0A,0B,0C,0D
    assert_eq!(
        record_number_for(ef06, SpecVersion::V1_00, 0x0A, 1),
        Some(3)
    );
    assert_eq!(record_number_for(ef06, SpecVersion::V1_00, 0x4E, 1), None);
    assert_eq!(record_number(ef05, 0x07, 1), Some(7));
    assert_eq!(
        ef05.structure,
        EfStructure::VariableRecords {
            max_records: 7,
            max_record_len: 0x12
        }
    );
    assert_eq!(
        ef06.structure,
        EfStructure::VariableRecords {
            max_records: 7,
            max_record_len: 0x20
        }
    );
    assert!(ef06.item(0x4E).unwrap().star_new_in_2_0);
    assert!(!ef06
        .item(0x4E)
        .unwrap()
        .versions
        .contains(SpecVersion::V1_00));
}

#[test]
fn repeated_tags_and_record_numbers() {
    let ef15 = files::ef(DfId::Df01, 0xEF15).unwrap();
    assert_eq!(record_number(ef15, 0x2A, 1), Some(1));
    assert_eq!(record_number(ef15, 0x40, 1), Some(2));
    assert_eq!(record_number(ef15, 0x40, 3), Some(4));
    assert_eq!(record_number(ef15, 0x40, 4), None);
    assert_eq!(record_number(ef15, 0x40, 0), None);
    assert!(!is_unique_tag(ef15, 0x40));
    assert!(is_unique_tag(ef15, 0x2A));
    assert!(!is_unique_tag(ef15, 0x57));
    let t40 = ef15.item(0x40).unwrap();
    assert_eq!((t40.repeat, t40.len), (3, 0x34));
    assert_eq!(tags(t40.sub_items), [0x57, 0x58, 0x59]);

    let df02ef05 = files::ef(DfId::Df02, 0xEF05).unwrap();
    assert_eq!(record_number(df02ef05, 0x44, 1), Some(5));
    assert_eq!(record_number(df02ef05, 0x44, 2), Some(6));
    assert_eq!(
        tags(df02ef05.item(0x43).unwrap().sub_items),
        [0x5A, 0x5B, 0x5C, 0x5D, 0x5E]
    );
    let df02ef15 = files::ef(DfId::Df02, 0xEF15).unwrap();
    assert_eq!(df02ef15.item(0x99).unwrap().repeat, 4);
    assert_eq!(record_number(df02ef15, 0x0F, 1), Some(5));
    assert_eq!(
        files::ef(DfId::Df03, 0xEF06)
            .unwrap()
            .item(0x4A)
            .unwrap()
            .repeat,
        3
    );
    let ef19 = files::ef(DfId::Df03, 0xEF19).unwrap();
    assert_eq!(record_number(ef19, 0x79, 4), Some(4));
    assert_eq!(ef19.item(0x79).unwrap().sub_items.len(), 7);

    // 1.0 DF01 layouts
    let df01ef09 = files::ef(DfId::Df01, 0xEF09).unwrap();
    assert_eq!(
        tags(df01ef09.items_for(SpecVersion::V1_00)),
        [0x2E, 0x2F, 0x30, 0x31, 0x32]
    );
    assert_eq!(
        record_number_for(df01ef09, SpecVersion::V1_00, 0x32, 1),
        Some(5)
    );
    assert_eq!(
        record_number_for(df01ef09, SpecVersion::V2_00, 0x32, 1),
        Some(3)
    );
    assert_eq!(
        df01ef09.structure_for(SpecVersion::V1_00),
        EfStructure::VariableRecords {
            max_records: 5,
            max_record_len: 0x40
        }
    );
    let df01ef05 = files::ef(DfId::Df01, 0xEF05).unwrap();
    assert_eq!(
        record_number_for(df01ef05, SpecVersion::V1_00, 0x0E, 1),
        None
    );
    assert_eq!(
        record_number_for(df01ef05, SpecVersion::V3_00, 0x0E, 1),
        Some(3)
    );
}

#[test]
fn item_counts() {
    let n: usize = files::all_efs().map(|e| e.items.len()).sum();
    // SSSE 14, DF01 18, DF02 18, DF03 38, DF04 19, DF05 2, DF06 7, DF07 10
    assert_eq!(n, 126);
    assert_eq!(files::ef(DfId::Df04, 0xEF05).unwrap().items.len(), 16);
    assert_eq!(
        files::ef(DfId::Df06, 0xEF05)
            .unwrap()
            .item(0xC4)
            .unwrap()
            .sub_items
            .len(),
        5
    );
}

#[test]
fn check_character_vectors() {
    assert_eq!(card_number_check_char(b"D2143569"), Some(b'X'));
    assert_eq!(card_number_check_char(b"B0000013"), Some(b'1'));
    assert_eq!(card_number_check_char(b"X0000001"), Some(b'9'));
    assert_eq!(validate_card_number(b"B00000131"), Ok(()));
    assert_eq!(validate_card_number(b"X00000019"), Ok(()));
    assert_eq!(validate_card_number(b"D2143569X"), Ok(()));
    assert_eq!(
        validate_card_number(b"B00000132"),
        Err(CardNumberError::CheckMismatch { expected: b'1' })
    );
    assert_eq!(
        validate_card_number(b"100000131"),
        Err(CardNumberError::FirstNotLetter)
    );
    assert_eq!(
        validate_card_number(b"B0000a131"),
        Err(CardNumberError::InvalidChar(6))
    );
    assert_eq!(card_number_check_char(b"D214356"), None);
    assert_eq!(card_number_check_char(b"D214356-"), None);
    // 11 -> '0': find a number with sum ≡ 0 mod 11: A=10*3=30, 0*..., need +3: '1'*... pos 8 w=2 no;
    // "A0000002": 30 + 4 = 34 ≡ 1 -> 10 -> 'X'; "B0000000": 33 ≡ 0 -> 11 -> '0'.
    assert_eq!(card_number_check_char(b"B0000000"), Some(b'0'));
    assert_eq!(card_number_check_char(b"A0000002"), Some(b'X'));
}

#[test]
fn code_tables() {
    assert_eq!(ETHNICITY.len(), 57);
    for (i, e) in ETHNICITY.iter().take(56).enumerate() {
        assert_eq!(e.0, format!("{:02}", i + 1));
        #[cfg(feature = "text")]
        assert!(e.1.ends_with('族'));
    }
    #[cfg(feature = "text")]
    {
        assert_eq!(lookup(CodeTableId::Ethnicity, "01").unwrap().1, "汉族");
        assert_eq!(lookup(CodeTableId::Ethnicity, "02").unwrap().1, "蒙古族");
        assert_eq!(lookup(CodeTableId::Ethnicity, "56").unwrap().1, "基诺族");
        assert_eq!(lookup(CodeTableId::Ethnicity, "99").unwrap().1, "其他");
        assert_eq!(lookup(CodeTableId::Sex, "2").unwrap().2, "female");
    }
    assert!(lookup(CodeTableId::Ethnicity, "99").is_some());
    assert!(lookup(CodeTableId::Sex, "0").is_none());
    let codes = |id| {
        code_table(id)
            .unwrap()
            .entries
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(CodeTableId::CardCategory), ["1", "2", "3", "4"]);
    assert_eq!(
        codes(CodeTableId::HouseholdType),
        [
            "10", "11", "12", "20", "21", "22", "30", "31", "32", "33", "34", "40", "41", "42",
            "50", "51", "52"
        ]
    );
    assert_eq!(codes(CodeTableId::MaritalStatus), ["1", "2", "3", "4", "9"]);
    assert_eq!(
        codes(CodeTableId::Education),
        ["11", "14", "21", "31", "41", "44", "47", "61", "71", "81", "90"]
    );
    assert_eq!(
        codes(CodeTableId::MedicalInsuranceType),
        ["310", "340", "360", "380", "390", "391"]
    );
    assert_eq!(
        codes(CodeTableId::MedicalPersonCategory),
        ["11", "21", "22", "31", "32", "33", "34", "91"]
    );
    assert_eq!(codes(CodeTableId::EmploymentStatus).len(), 8);
    // every code table an item refers to exists
    for e in files::all_efs() {
        for i in e.items {
            if let Some(id) = i.code_table {
                assert!(code_table(id).is_some());
            }
        }
    }
    for t in CODE_TABLES {
        for (i, a) in t.entries.iter().enumerate() {
            for b in &t.entries[i + 1..] {
                assert_ne!(a.0, b.0);
            }
        }
    }
}

#[test]
fn versions() {
    assert_eq!(SpecVersion::parse(b"1.00"), Some(SpecVersion::V1_00));
    assert_eq!(SpecVersion::parse(b"2.00"), Some(SpecVersion::V2_00));
    assert_eq!(SpecVersion::parse(b"2.01"), Some(SpecVersion::V2_01));
    assert_eq!(SpecVersion::parse(b"3.00"), Some(SpecVersion::V3_00));
    assert_eq!(
        SpecVersion::parse(&[0x32, 0x2E, 0x30, 0x00]),
        Some(SpecVersion::V2_00)
    );
    assert_eq!(SpecVersion::parse(b"3.0\xFF"), Some(SpecVersion::V3_00));
    assert_eq!(SpecVersion::parse(b"4.00"), None);
    assert_eq!(SpecVersion::parse(b"2.02"), None);
    assert_eq!(SpecVersion::parse(&[0xFF; 4]), None);
    assert_eq!(SpecVersion::parse_str("2.0"), Some(SpecVersion::V2_00));
    assert_eq!(SpecVersion::parse_str("3.00"), Some(SpecVersion::V3_00));
    assert_eq!(SpecVersion::parse_str("3.000"), None);
    for v in SpecVersion::ALL {
        assert_eq!(SpecVersion::parse(v.as_bytes()), Some(v));
        assert_eq!(v.as_str().as_bytes(), v.as_bytes());
    }
    assert_eq!(SpecVersion::V1_00.profile_name(), "sscard-2");
    assert_eq!(SpecVersion::V2_01.profile_name(), "sscard-2");
    assert_eq!(SpecVersion::V3_00.profile_name(), "sscard-3");
    assert!(!SpecVersion::V1_00.has_name_extension());
    assert!(SpecVersion::V3_00.requires_rkssse_for_basic_info());
    assert!(VersionSet::V2_PLUS.contains(SpecVersion::V2_01));
    assert!(!VersionSet::V2_PLUS.contains(SpecVersion::V1_00));
    assert!(VersionSet::ALL.contains(SpecVersion::V1_00));
    assert!(has_2_0_meaning_marker(&[0x12, 0xEE]));
    assert!(!has_2_0_meaning_marker(&[0x12, 0x00]));
}

#[test]
fn paths_parse_resolve_roundtrip() {
    for p in [
        "DF04/EF05/81",
        "SSSE/EF06/09",
        "SSSE/EF05",
        "DF01/EF15/40#2",
        "DF04/EF08#3",
        "DF03/EF19/79#4",
        "DF01/EF1A",
    ] {
        let ip = ItemPath::parse(p).unwrap();
        assert_eq!(ip.to_string(), p);
        let r = ip.resolve().unwrap();
        assert_eq!(r.path(), ip);
        assert_eq!(resolve(p).unwrap(), r);
    }
    let r = resolve("df04/ef05/81").unwrap();
    assert_eq!(r.item.unwrap().tag, 0x81);
    assert_eq!(r.ef.fid, 0xEF05);
    assert_eq!(r.df.id, DfId::Df04);
    assert_eq!(r.record_number(), Some(1));
    let (df, ef, item, occ) = resolve("DF01/EF15/40#2").unwrap().into_parts();
    assert_eq!(
        (df.id, ef.fid, item.unwrap().tag, occ),
        (DfId::Df01, 0xEF15, 0x40, 2)
    );
    assert_eq!(resolve("DF01/EF15/40#2").unwrap().record_number(), Some(3));
    let whole = resolve("SSSE/EF05").unwrap();
    assert_eq!(
        (whole.item, whole.occurrence, whole.record_number()),
        (None, 0, None)
    );
    assert_eq!(item_by_path("SSSE/EF06/4E").unwrap().len, 0x14);

    assert_eq!(resolve(""), Err(PathError::Empty));
    assert_eq!(resolve("DF09/EF05"), Err(PathError::BadDf));
    assert_eq!(resolve("DF04/EFZZ"), Err(PathError::BadEf));
    assert_eq!(resolve("DF04/EF05/8"), Err(PathError::BadTag));
    assert_eq!(resolve("DF04/EF05/81/01"), Err(PathError::TooManySegments));
    assert_eq!(resolve("DF04/EF07"), Err(PathError::UnknownEf));
    assert_eq!(resolve("DF04/EF05/01"), Err(PathError::UnknownTag));
    assert_eq!(
        resolve("DF01/EF15/40#4"),
        Err(PathError::OccurrenceOutOfRange)
    );
    assert_eq!(resolve("DF01/EF15/40#0"), Err(PathError::BadOccurrence));
    assert_eq!(resolve("DF01/EF15/40#x"), Err(PathError::BadOccurrence));
    assert_eq!(
        resolve("DF04/EF08#31"),
        Err(PathError::OccurrenceOutOfRange)
    );
    assert_eq!(resolve("SSSE/EF07#1"), Err(PathError::OccurrenceOutOfRange));
    assert_eq!(
        resolve("DF01/EF15/2A#2"),
        Err(PathError::OccurrenceOutOfRange)
    );
    assert_eq!(resolve("SSSE/EF06/é"), Err(PathError::BadTag));
}

#[test]
fn every_item_has_a_resolvable_path() {
    for e in files::all_efs() {
        for i in e.items {
            for occ in 1..=i.repeat {
                let ip = ItemPath {
                    df: e.df,
                    ef: e.fid,
                    tag: Some(i.tag),
                    occurrence: occ,
                };
                let s = ip.to_string();
                let r = resolve(&s).unwrap();
                assert_eq!(r.item.unwrap(), i);
                let rec = record_number(e, i.tag, occ).unwrap();
                assert!(u16::from(rec) <= e.record_count());
                assert_eq!(is_unique_tag(e, i.tag), i.repeat == 1);
            }
        }
    }
}

#[test]
fn pfileaddr() {
    let s = "SSSEEF05|06|07|$SSSEEF06|08|09|$";
    let files: Vec<_> = parse_pfileaddr(s).map(Result::unwrap).collect();
    assert_eq!(files.len(), 2);
    assert_eq!(
        (files[0].df, files[0].ef, files[0].record),
        (DfId::Ssse, 0xEF05, None)
    );
    let t: Vec<_> = files[0].tags().map(|t| t.unwrap().tag).collect();
    assert_eq!(t, [0x06, 0x07]);
    let t: Vec<_> = files[1].tags().map(|t| t.unwrap().tag).collect();
    assert_eq!(t, [0x08, 0x09]);
    for f in &files {
        for p in f.item_paths() {
            p.unwrap().resolve().unwrap();
        }
    }
    // format back
    let mut out = String::new();
    for f in &files {
        let tags: Vec<u8> = f.tags().map(|t| t.unwrap().tag).collect();
        write_file_addr(&mut out, f.df, f.ef, &tags).unwrap();
    }
    assert_eq!(out, s);

    // regional variants
    let f = parse_file_addr("DF01EF15|40:02|").unwrap();
    assert_eq!(f.df, DfId::Df01);
    let t = f.tags().next().unwrap().unwrap();
    assert_eq!((t.tag, t.occurrence), (0x40, 2));
    assert_eq!(
        f.item_paths()
            .next()
            .unwrap()
            .unwrap()
            .resolve()
            .unwrap()
            .record_number(),
        Some(3)
    );
    let f = parse_pfileaddr("DF02EF07:01$").next().unwrap().unwrap();
    assert_eq!(
        (f.df, f.ef, f.record, f.tag_count()),
        (DfId::Df02, 0xEF07, Some(1), 0)
    );
    let f = parse_file_addr("MFEF05|07|").unwrap();
    assert_eq!(f.df, DfId::Ssse);
    let f = parse_file_addr("3F00EF06|08|").unwrap();
    assert_eq!((f.df, f.ef), (DfId::Ssse, 0xEF06));
    assert_eq!(parse_file_addr("XXEF05|01|").unwrap_err(), PathError::BadDf);
    assert_eq!(parse_file_addr("EF5|01|").unwrap_err(), PathError::BadEf);
    assert_eq!(
        parse_file_addr("SSSE社EF|01|").unwrap_err(),
        PathError::BadEf
    );
    assert_eq!(
        parse_file_addr("SSSEEF05|0G|")
            .unwrap()
            .tags()
            .next()
            .unwrap(),
        Err(PathError::BadTag)
    );
    assert_eq!(parse_pfileaddr("").count(), 0);
}

#[test]
#[cfg(feature = "text")]
fn uncertain_notes_cite_the_reference() {
    let cites = |n: &str| n.contains('§') || n.contains("S-") || n.contains("profile.md");
    for d in DFS.iter() {
        if let Some(n) = d.uncertain {
            assert!(cites(n), "{n}");
        }
        for e in d.efs {
            if let Some(n) = e.uncertain {
                assert!(cites(n), "{n}");
            }
            for i in e
                .items
                .iter()
                .chain(e.items.iter().flat_map(|i| i.sub_items))
            {
                if let Some(n) = i.uncertain {
                    assert!(cites(n), "{n}");
                }
            }
        }
        for k in d.keys {
            if let Some(n) = k.uncertain {
                assert!(cites(n), "{}: {n}", k.name);
            }
        }
    }
}

#[test]
fn file_id_bytes() {
    assert_eq!(FileId(0xEF05).to_bytes(), [0xEF, 0x05]);
    assert_eq!(DfId::parse("ssse"), Some(DfId::Ssse));
    assert_eq!(DfId::parse("3f00"), Some(DfId::Mf));
    assert_eq!(DfId::parse("DF08"), None);
}
