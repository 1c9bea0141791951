//! Tests of the names (`ef`, `item`, `key`, `psam`, `DfId` facts) against the tables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use crate::ef::{self, EfRef};
use crate::files::{self, DFS};
use crate::item::{self, ItemRef};
use crate::key;
use crate::keys::{self, KeySpec};
use crate::paths::{self, item_by_path, resolve, ItemPath};
use crate::psam;
use crate::types::*;

// ---------------------------------------------------------------- DFs

#[test]
fn df_facts_match_table() {
    for d in DfId::ALL {
        let spec = d.spec();
        assert_eq!(spec.id, d);
        assert!(core::ptr::eq(spec, files::df(d)));
        assert_eq!(spec.fid, d.fid(), "{d:?}");
        assert_eq!(spec.aid, d.aid(), "{d:?}");
        assert_eq!(spec.df_name, d.df_name(), "{d:?}");
        if let Some(fid) = d.fid() {
            assert_eq!(DfId::from_fid(fid), Some(d));
            assert_eq!(files::df_by_fid(fid).unwrap().id, d);
        }
        if let Some(aid) = d.aid() {
            assert_eq!(files::df_by_aid(aid).unwrap().id, d);
        }
    }
    assert_eq!(DfId::Mf.fid(), Some(files::MF_FID));
    assert_eq!(files::MF_FID, 0x3F00);
    assert_eq!(DfId::Ssse.fid(), None);
    assert_eq!(DfId::Ssse.df_name(), Some(files::SSSE_NAME));
    assert_eq!(
        DfId::Df07.aid(),
        Some(&[0xD1, 0x56, 0x00, 0x00, 0x05, 0x04][..])
    );
    assert_eq!(DfId::from_fid(0xDF08), None);
    // FIDs and AIDs unique
    let fids: HashSet<_> = DfId::ALL.iter().filter_map(|d| d.fid()).collect();
    assert_eq!(fids.len(), 8);
    let aids: HashSet<_> = DfId::ALL.iter().filter_map(|d| d.aid()).collect();
    assert_eq!(aids.len(), 5);
}

// ---------------------------------------------------------------- EFs

#[test]
fn every_ef_constant_matches_its_table_entry() {
    for &r in ef::ALL {
        let spec = r
            .spec()
            .unwrap_or_else(|| panic!("{} not in files.rs", r.path()));
        assert_eq!((spec.df, spec.fid, spec.sfi), (r.df(), r.fid(), r.sfi()));
        assert!(r.is(spec));
        assert!(core::ptr::eq(spec, files::ef(r.df(), r.fid()).unwrap()));
        assert!(core::ptr::eq(
            spec,
            files::ef_by_sfi(r.df(), r.sfi()).unwrap()
        ));
        assert_eq!(EfRef::of(spec), Some(r));
        assert_eq!(ef::find(r.df(), r.fid()), Some(r));
        // the path is the paths.rs form and resolves to the same EF
        assert_eq!(r.path(), r.item_path().to_string());
        assert_eq!(ItemPath::from(r), r.item_path());
        assert_eq!(ItemPath::parse(r.path()).unwrap(), r.item_path());
        let res = resolve(r.path()).unwrap();
        assert!(core::ptr::eq(res.ef, spec));
        assert_eq!(res.item, None);
        assert_eq!(r.record(3).to_string(), format!("{}#3", r.path()));
    }
}

#[test]
fn every_table_ef_has_a_constant_in_tree_order() {
    let table: Vec<_> = files::all_efs().map(|e| (e.df, e.fid)).collect();
    let names: Vec<_> = ef::ALL.iter().map(|r| (r.df(), r.fid())).collect();
    assert_eq!(names, table);
    assert_eq!(ef::ALL.len(), 40);
    for d in DFS.iter() {
        for e in d.efs {
            let r = EfRef::of(e).unwrap();
            assert!(r.is(e));
            assert_eq!(r.spec(), Some(e));
        }
    }
}

#[test]
fn ef_constants_unique() {
    let by_fid: HashSet<_> = ef::ALL.iter().map(|r| (r.df(), r.fid())).collect();
    let by_sfi: HashSet<_> = ef::ALL.iter().map(|r| (r.df(), r.sfi())).collect();
    let by_path: HashSet<_> = ef::ALL.iter().map(|r| r.path()).collect();
    assert_eq!(
        by_fid.len(),
        ef::ALL.len(),
        "two ef:: constants share (df, fid)"
    );
    assert_eq!(
        by_sfi.len(),
        ef::ALL.len(),
        "two ef:: constants share (df, sfi)"
    );
    assert_eq!(by_path.len(), ef::ALL.len());
}

#[test]
fn ef_examples() {
    assert_eq!(ef::SSSE_EF05.fid(), 0xEF05);
    assert_eq!(ef::SSSE_EF05.sfi(), 0x05);
    assert_eq!(ef::SSSE_EF05.df(), DfId::Ssse);
    assert_eq!(ef::SSSE_EF06.path(), "SSSE/EF06");
    assert_eq!(ef::DF01_EF1A.sfi(), 0x1A);
    assert_eq!(ef::DF01_EF1A.path(), "DF01/EF1A");
    assert_eq!(ef::DF04_EF08.path(), "DF04/EF08");
    assert!(ef::SSSE_EF06.is(files::ef(DfId::Ssse, 0xEF06).unwrap()));
    assert!(!ef::SSSE_EF06.is(files::ef(DfId::Df01, 0xEF06).unwrap()));
    assert_eq!(ef::find(DfId::Df04, 0xEF07), None);
    // usable in const context / patterns
    const EF06: u16 = ef::SSSE_EF06.fid();
    const SFI: u8 = ef::DF04_EF15.sfi();
    assert_eq!((EF06, SFI), (0xEF06, 0x15));
    assert!(matches!(ef::find(DfId::Ssse, 0xEF06), Some(ef::SSSE_EF06)));
}

// ---------------------------------------------------------------- items

#[test]
fn every_item_constant_resolves_by_path() {
    for &r in item::ALL {
        let spec = r
            .spec()
            .unwrap_or_else(|| panic!("{} not in items.rs", r.path()));
        // the path is generated in the paths.rs form …
        assert_eq!(r.path(), r.item_path().to_string());
        assert_eq!(ItemPath::parse(r.path()).unwrap(), r.item_path());
        assert_eq!(ItemPath::from(r), r.item_path());
        assert_eq!(r.path(), format!("{}/{:02X}", r.ef().path(), r.tag()));
        // … and resolves to the same table entry
        let by_path = item_by_path(r.path()).unwrap_or_else(|| panic!("{}", r.path()));
        assert!(core::ptr::eq(by_path, spec), "{}", r.path());
        let res = resolve(r.path()).unwrap();
        assert!(core::ptr::eq(res.ef, r.ef_spec().unwrap()));
        assert!(core::ptr::eq(res.item.unwrap(), spec));
        assert_eq!(spec.tag, r.tag());
        assert!(r.is(res.ef, r.tag()));
        assert_eq!(item::find(r.ef(), r.tag()), Some(r));
        assert_eq!(r.record_number(1), res.record_number());
        for occ in 1..=spec.repeat {
            let p = r.at(occ);
            let res = p.resolve().unwrap();
            assert!(core::ptr::eq(res.item.unwrap(), spec));
            assert_eq!(
                r.record_number(occ),
                paths::record_number(res.ef, r.tag(), occ)
            );
        }
        assert!(r.at(spec.repeat + 1).resolve().is_err());
    }
}

#[test]
fn every_table_item_has_a_constant_in_record_order() {
    let mut table = Vec::new();
    for e in files::all_efs() {
        let er = EfRef::of(e).unwrap();
        for i in e.items {
            let r = item::find(er, i.tag)
                .unwrap_or_else(|| panic!("{}/{:02X} has no item:: constant", er.path(), i.tag));
            assert!(core::ptr::eq(r.spec().unwrap(), i));
            table.push(r);
        }
    }
    assert_eq!(item::ALL, &table[..]);
    assert_eq!(item::ALL.len(), 126);
}

#[test]
fn item_constants_unique() {
    let by_tag: HashSet<_> = item::ALL.iter().map(|r| (r.ef(), r.tag())).collect();
    let by_path: HashSet<_> = item::ALL.iter().map(|r| r.path()).collect();
    assert_eq!(
        by_tag.len(),
        item::ALL.len(),
        "two item:: constants share (ef, tag)"
    );
    assert_eq!(by_path.len(), item::ALL.len());
    // The spec repeats a tag only across EFs: 60 is in DF02 EF06 and DF03 EF05 (§3.7).
    let mut tags: Vec<_> = item::ALL.iter().map(|r| r.tag()).collect();
    tags.sort_unstable();
    let repeated: Vec<_> = tags
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    assert_eq!(repeated, [0x60]);
    assert_eq!(item::DF02_EF06_UNEMPLOYMENT_DATE.tag(), 0x60);
    assert_eq!(item::DF03_EF05_UNEMPLOYMENT_DATE.tag(), 0x60);
}

#[test]
fn item_examples() {
    let cases: [(ItemRef, &str, u8); 14] = [
        (item::SSSE_EF05_CARD_ID, "SSSE/EF05/01", 0x10),
        (item::SSSE_EF05_CATEGORY, "SSSE/EF05/02", 0x01),
        (item::SSSE_EF05_VERSION, "SSSE/EF05/03", 0x04),
        (item::SSSE_EF05_INIT_ORG, "SSSE/EF05/04", 0x0C),
        (item::SSSE_EF05_ISSUE_DATE, "SSSE/EF05/05", 0x04),
        (item::SSSE_EF05_EXPIRY_DATE, "SSSE/EF05/06", 0x04),
        (item::SSSE_EF05_CARD_NUMBER, "SSSE/EF05/07", 0x09),
        (item::SSSE_EF06_SSN, "SSSE/EF06/08", 0x12),
        (item::SSSE_EF06_NAME, "SSSE/EF06/09", 0x1E),
        (item::SSSE_EF06_NAME_EXT, "SSSE/EF06/4E", 0x14),
        (item::SSSE_EF06_SEX, "SSSE/EF06/0A", 0x01),
        (item::SSSE_EF06_ETHNICITY, "SSSE/EF06/0B", 0x01),
        (item::SSSE_EF06_BIRTHPLACE, "SSSE/EF06/0C", 0x03),
        (item::SSSE_EF06_BIRTH_DATE, "SSSE/EF06/0D", 0x04),
    ];
    for (r, path, len) in cases {
        assert_eq!(r.path(), path);
        assert_eq!(r.spec().unwrap().len, len, "{path}");
    }
    assert_eq!(item::DF04_EF05_INSURANCE_TYPE.path(), "DF04/EF05/81");
    assert_eq!(item::DF01_EF05_HOUSEHOLD_TYPE.path(), "DF01/EF05/20");
    assert_eq!(item::DF01_EF15_DEGREE.at(2).to_string(), "DF01/EF15/40#2");
    assert_eq!(item::DF01_EF15_DEGREE.record_number(3), Some(4));
    assert_eq!(item::DF03_EF19_CERTIFICATE.spec().unwrap().repeat, 4);
    assert_eq!(item::DF04_EF05_USAGE_MODE.ef(), ef::DF04_EF05);
    assert_eq!(item::find(ef::DF04_EF05, 0x01), None);
    const NAME_LEN: u8 = match item::SSSE_EF06_NAME.spec() {
        Some(s) => s.len,
        None => 0,
    };
    const PATH: &str = item::SSSE_EF05_CARD_NUMBER.path();
    assert_eq!((NAME_LEN, PATH), (0x1E, "SSSE/EF05/07"));
}

// ---------------------------------------------------------------- keys

#[test]
fn every_key_constant_is_in_the_key_table() {
    for &name in key::ALL {
        let spec = keys::key_by_name(name).unwrap_or_else(|| panic!("{name} not in keys.rs"));
        assert_eq!(spec.name, name);
        assert!(core::ptr::eq(crate::keys::key_spec(name).unwrap(), spec));
    }
    let table: Vec<_> = keys::all_keys().map(|k| k.name).collect();
    assert_eq!(
        key::ALL,
        &table[..],
        "key:: constants = table, in table order"
    );
    assert_eq!(key::ALL.len(), 54);
    let unique: HashSet<_> = key::ALL.iter().collect();
    assert_eq!(unique.len(), key::ALL.len());
    assert_eq!(crate::keys::key_spec("RK9DF09"), None);
    assert_eq!(crate::keys::key_spec("RKSSS"), None);
}

#[test]
fn key_constant_strings_are_the_reference_names() {
    // The issuer key files use these strings as TOML keys: they must not change.
    let pairs = [
        (key::RKSSSE, "RKSSSE"),
        (key::UKSSSE, "UKSSSE"),
        (key::IRK, "IRK"),
        (key::PUK, "PUK"),
        (key::STK, "STK"),
        (key::CIDK, "CIDK"),
        (key::RK1DF01, "RK1DF01"),
        (key::UK1DF01, "UK1DF01"),
        (key::UKBDF01, "UKBDF01"),
        (key::RK2DF03, "RK2DF03"),
        (key::UK2DF04, "UK2DF04"),
        (key::DPK, "DPK"),
        (key::STKDF05, "STKDF05"),
        (key::LKDF06, "LKDF06"),
        (key::RK3DF07, "RK3DF07"),
    ];
    for (c, s) in pairs {
        assert_eq!(c, s);
    }
    // every key an access rule names is a constant
    for e in files::all_efs() {
        let rules = e.read_overrides.iter().map(|(_, r)| r.key());
        for k in rules.chain([e.read.key(), e.write.key()]).flatten() {
            assert!(key::ALL.contains(&k), "{k}");
        }
    }
}

// ---------------------------------------------------------------- PSAM

#[test]
fn psam_tree() {
    assert_eq!(psam::MF.fid(), 0x3F00);
    assert_eq!(psam::MF.name(), files::SSSE_NAME);
    assert_eq!(psam::MF.name().len(), 15);
    assert_eq!(psam::DF01.fid(), 0xDF01);
    assert_eq!(psam::DF01.name(), &[0xD1, 0x56, 0x00, 0x00, 0x05, 0x90]);
    assert_eq!(psam::DF01.name(), &psam::DF01_AID);
    assert_eq!(psam::FCI_DIR_SFI, 0x1E);
    assert_eq!(
        (psam::EF15.fid(), psam::EF15.sfi(), psam::EF15.size()),
        (0x0015, 0x15, 22)
    );
    assert_eq!(
        (psam::EF16.fid(), psam::EF16.sfi(), psam::EF16.size()),
        (0x0016, 0x16, psam::TERMINAL_NUMBER_LEN)
    );
    assert_eq!(psam::EF15.fields()[0].len as usize, psam::SERIAL_LEN);
    assert_eq!(
        psam::EF15.fields().last().unwrap().len as usize,
        psam::ISSUER_ID_LEN
    );
    assert_eq!(fields_len(psam::EF15_FIELDS) as usize, psam::EF15.size());
    assert_eq!(fields_len(psam::EF16_FIELDS) as usize, psam::EF16.size());
    assert!(psam::EF16
        .fields()
        .iter()
        .all(|f| f.data_type == DataType::Cn));
    let fids: HashSet<_> = [psam::MF.fid(), psam::DF01.fid()]
        .into_iter()
        .chain(psam::EFS.iter().map(|e| e.fid()))
        .collect();
    assert_eq!(fids.len(), 4);
    assert!(psam::EFS.iter().all(|e| e.uncertain.is_some()));
    // array lengths from the constants
    let _serial = [0u8; psam::SERIAL_LEN];
    let _ef15 = [0u8; psam::EF15.size()];
}

#[test]
fn psam_key_slots() {
    let slots: Vec<(&KeySpec, psam::KeySlot)> = psam::key_slots().collect();
    assert_eq!(
        slots.len(),
        keys::all_keys().count(),
        "every key has a slot"
    );
    let ids: HashSet<_> = slots.iter().map(|(_, s)| s.id).collect();
    assert_eq!(
        ids.len(),
        slots.len(),
        "PSAM key ids unique across the PSAM"
    );
    for (k, s) in &slots {
        assert_eq!(s.levels(), k.levels, "{}", k.name);
        match k.psam_key_id {
            Some(id) => assert_eq!(s.id, id, "{}: observed id kept", k.name),
            None => assert!(s.id >= psam::ASSIGNED_ID_BASE, "{}", k.name),
        }
        match k.psam_usage_type() {
            Some(t) => assert_eq!(s.key_type(), t, "{}", k.name),
            None => assert_eq!(s.key_type(), psam::type_for_role(k.role), "{}", k.name),
        }
        assert_eq!(psam::key_slot_by_name(k.name), Some((*k, *s)));
    }
    let slot = |n| psam::key_slot_by_name(n).unwrap().1;
    let pair = |n| (slot(n).usage, slot(n).id);
    assert_eq!(pair(key::RKSSSE), (0x67, 0x0A)); // observed 47, spec levels 3 win
    assert_eq!(pair(key::PUK), (0x48, 0x10));
    assert_eq!(pair(key::STK), (0x48, 0x09));
    assert_eq!(pair(key::RK1DF01), (0x67, 0x2E));
    assert_eq!(pair(key::UK1DF06), (0x48, 0x53));
    assert_eq!(pair(key::UK1DF07), (0x67, 0x3E));
    assert_eq!(slot(key::CIDK).usage, 0x66);
    assert_eq!(slot(key::UKSSSE).id, psam::ASSIGNED_ID_BASE);
    assert_eq!(psam::usage_byte(8, 7), None);
    assert_eq!(
        psam::usage_byte(2, psam::key_type::MAC_ENCRYPTION),
        Some(0x48)
    );
    assert_eq!(psam::key_slot_by_name("XK"), None);
    assert_eq!(
        (psam::alg::TDES, psam::alg::DES, psam::alg::SM4),
        (0x00, 0x01, 0x03)
    );
}
