//! Every session operation against the in-process card OS (sscard-card-os), including refusals.
// `..EmulatorOptions::default()` also fills `faults` when a workspace build enables the feature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_update)]

mod common;

use common::*;
use sscard_apdu::StatusWord;
use sscard_card_os::Quirks;
use sscard_keys::profile::SSCARD_2;
use sscard_keys::{IssuerKeySet, Key, SoftwareSecurityModule};
use sscard_specs::SpecVersion;
use sscard_terminal::error::{HolderProfileError, ItemError};
use sscard_terminal::model::value::Value;
use sscard_terminal::model::{EfContent, ReadResult};
use sscard_terminal::transport::emulator::{EmulatorOptions, Protocol};
use sscard_terminal::transport::{Transport, TransportError};
use sscard_terminal::{Error, Session};

fn sw_of(e: &Error) -> Option<u16> {
    match e {
        Error::Card { sw, .. } => Some(sw.0),
        _ => None,
    }
}

fn session(t: Emu) -> Session<Emu> {
    Session::open(t).unwrap()
}

fn with_keys(t: Emu) -> Session<Emu> {
    Session::open(t)
        .unwrap()
        .with_security_module(sm(&SSCARD_2))
}

/// A key set where every key is wrong.
fn wrong_keys() -> SoftwareSecurityModule {
    let mut ks = IssuerKeySet::new();
    for spec in sscard_specs::keys::all_keys() {
        let k = Key::new(SSCARD_2.key_algorithm(), &[0x11; 16]).unwrap();
        ks.insert(spec.name, k, spec.levels).unwrap();
    }
    SoftwareSecurityModule::new(&SSCARD_2, ks)
}

#[test]
fn info_is_four_apdus_on_a_2_00_card() {
    let t = demo_card();
    let before = t.apdu_count();
    let mut s = session(t);
    let info = s.read_basic_info().unwrap();
    // SELECT SSSE, EF05, the EF0D probe that tells national-2.00 from jiangsu-2.00, EF06
    // (tests/families.rs: every family, T=0 and T=1).
    assert_eq!(s.apdu_count() - before, 4);
    assert_eq!(info.family, Some("national-2.00"));
    assert_eq!(info.holder.name, "王小明");
    assert_eq!(info.holder.ssn, "110101199003071233");
    assert_eq!(info.holder.sex.code, "1");
    assert_eq!(info.holder.birth_date, "19900307");
    assert_eq!(info.issuer.card_number, "A00000011");
    assert_eq!(info.issuer.version, "2.00");
    assert_eq!(info.issuer.card_id.region, "110100");
    assert_eq!(info.profile, "sscard-2");
    assert_eq!(s.version(), Some(SpecVersion::V2_00));
}

#[test]
fn info_falls_back_when_the_card_refuses_all_records() {
    let opts = EmulatorOptions {
        quirks: Quirks {
            refuse_read_all_records: true,
        },
        ..EmulatorOptions::default()
    };
    let quirky = personalised(&holder(DEMO_HOLDER), opts);
    let before = quirky.apdu_count();
    let mut s = session(quirky);
    let slow = s.read_basic_info().unwrap();
    // SELECT SSSE, refused all-records, SELECT EF05 + 7 by tag, SELECT EF0D (the probe: 6A82),
    // SELECT EF06 + 7 by tag.
    assert_eq!(s.apdu_count() - before, 19);
    let mut fast = session(demo_card());
    assert_eq!(fast.read_basic_info().unwrap(), slow);
}

#[test]
fn info_on_a_t0_card_goes_through_the_exchange() {
    let opts = EmulatorOptions {
        protocol: Protocol::T0,
        quirks: Quirks::default(),
        ..EmulatorOptions::default()
    };
    let t = personalised(&holder(DEMO_HOLDER), opts);
    let mut s = session(t);
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.holder.name, "王小明");
}

#[test]
fn read_items_needing_the_pin() {
    let mut s = session(demo_card());
    // Neither PIN nor keys: the card's refusal is surfaced as a typed error.
    let e = s.read_item("DF04/EF05/81").unwrap_err();
    assert_eq!(sw_of(&e), Some(0x6982), "{e}");
    assert_eq!(
        e.to_string(),
        "card refused READ RECORD DF04/EF05: 6982 (security status not satisfied)"
    );
    s.set_pin("123456").unwrap();
    let v = s.read_item("DF04/EF05/81").unwrap();
    assert_eq!(v.value, Value::Text("31010000".into()));
    assert_eq!(v.path, "DF04/EF05/81");
    let v = s.read_item("DF01/EF05/21").unwrap();
    assert_eq!(v.value, Value::Text("北京市东城区示例胡同1号".into()));
    assert!(s.pin_verified());
}

#[test]
fn read_with_the_read_key_instead_of_the_pin() {
    let mut s = with_keys(demo_card());
    let v = s.read_item("DF01/EF05/20").unwrap();
    assert_eq!(v.value, Value::Text("10".into()));
    assert!(!s.pin_verified());
    // A second item of the same DF needs no second authentication.
    let n = s.apdu_count();
    s.read_item("DF01/EF05/21").unwrap();
    assert_eq!(s.apdu_count() - n, 1);
}

#[test]
fn read_whole_efs() {
    let mut s = session(demo_card());
    let ReadResult::Ef { path, content } = s.read_path("SSSE/EF06").unwrap() else {
        panic!("not an EF");
    };
    assert_eq!(path, "SSSE/EF06");
    let EfContent::Records { items } = content else {
        panic!("not records")
    };
    let tags: Vec<&str> = items.iter().map(|i| i.tag.as_str()).collect();
    assert_eq!(tags, ["08", "09", "4E", "0A", "0B", "0C", "0D"]);
    assert_eq!(items[1].value, Value::Text("王小明".into()));
}

#[test]
fn write_without_authentication_is_6982() {
    let mut s = session(demo_card());
    let e = s.write_item("DF04/EF05/8F", "2").unwrap_err();
    assert_eq!(sw_of(&e), Some(0x6982), "{e}");
    assert!(matches!(
        e,
        Error::Card {
            sw: StatusWord::SECURITY_NOT_SATISFIED,
            ..
        }
    ));
}

#[test]
fn write_with_keys_is_read_back() {
    let mut s = with_keys(demo_card());
    let v = s.write_item("DF04/EF05/8F", "2").unwrap();
    assert_eq!(v.value, Value::Text("2".into()));
    // Repeated tag by occurrence: DF01/EF15/40#2 (B-TLV).
    s.write_item("DF01/EF15/40#2", "57=123;58=110101;59=清华大学")
        .unwrap();
    let v = s.read_item("DF01/EF15/40#2").unwrap();
    let Value::Group(g) = v.value else {
        panic!("not a group")
    };
    assert_eq!(g[0], ("57".into(), Value::Text("123".into())));
    assert_eq!(g[2], ("59".into(), Value::Text("清华大学".into())));
    // The first occurrence is untouched (zero-filled by the factory).
    let first = s.read_item("DF01/EF15/40").unwrap();
    assert_ne!(first.raw, v.raw);
    // And a fresh session sees the same.
    let mut s2 = with_keys(s.into_transport());
    assert_eq!(
        s2.read_item("DF04/EF05/8F").unwrap().value,
        Value::Text("2".into())
    );
}

#[test]
fn write_with_wrong_keys_is_refused_by_ext_auth() {
    let mut s = session(demo_card()).with_security_module(wrong_keys());
    let e = s.write_item("DF04/EF05/8F", "2").unwrap_err();
    assert_eq!(sw_of(&e), Some(0x63C2), "{e}");
}

#[test]
fn write_bad_values_are_usage_or_data_errors() {
    let mut s = with_keys(demo_card());
    assert!(matches!(
        s.write_item("DF04/EF05/8F", "12"),
        Err(Error::Data(_))
    ));
    for (path, usage) in [
        ("DF04/EF05", false),
        ("DF09/EF05/8F", true),
        ("DF04/EF08/01", true),
    ] {
        let e = s.write_item(path, "1").unwrap_err();
        if usage {
            assert!(matches!(e, Error::Path(_)), "{path}: {e}");
        } else {
            assert!(
                matches!(
                    e,
                    Error::Item {
                        reason: ItemError::NotAnItem,
                        ..
                    }
                ),
                "{path}: {e}"
            );
        }
        assert_eq!(e.exit_code(), 2, "{path}: {e}");
    }
}

/// Flips the last data byte of the READ RECORD that follows an UPDATE RECORD.
struct Tamper {
    inner: Emu,
    armed: bool,
}

impl Transport for Tamper {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut r = self.inner.transmit(cmd)?;
        match cmd.get(1) {
            Some(0xDC) => self.armed = true,
            Some(0xB2) if self.armed && r.len() > 2 => {
                let i = r.len() - 3;
                r[i] ^= 0x01;
                self.armed = false;
            }
            _ => {}
        }
        Ok(r)
    }
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.inner.apdu_count()
    }
}

#[test]
fn a_write_the_card_does_not_hold_is_not_confirmed() {
    let t = Tamper {
        inner: demo_card(),
        armed: false,
    };
    let mut s = Session::open(t)
        .unwrap()
        .with_security_module(sm(&SSCARD_2));
    let e = s.write_item("DF04/EF05/8F", "2").unwrap_err();
    assert!(
        matches!(e, Error::WriteNotConfirmed { ref path, .. } if path == "DF04/EF05/8F"),
        "{e}"
    );
}

#[test]
fn wrong_pin_counts_down_then_blocks_then_unblock() {
    let mut s = with_keys(demo_card());
    assert_eq!(s.pin_tries().unwrap(), 3);
    assert!(matches!(
        s.verify_pin("654321"),
        Err(Error::WrongPin { tries_left: 2 })
    ));
    assert!(matches!(
        s.verify_pin("654321"),
        Err(Error::WrongPin { tries_left: 1 })
    ));
    assert!(matches!(
        s.verify_pin("654321"),
        Err(Error::WrongPin { tries_left: 0 })
    ));
    assert_eq!(s.pin_tries().unwrap(), 0);
    assert!(matches!(s.verify_pin("123456"), Err(Error::Blocked)));
    assert!(matches!(
        s.change_pin("123456", "111111"),
        Err(Error::Blocked)
    ));
    assert_eq!(s.unblock_pin().unwrap().tries_left, 3);
    assert_eq!(s.pin_tries().unwrap(), 3);
    s.verify_pin("123456").unwrap();
}

#[test]
fn bad_pin_format_is_a_usage_error() {
    let mut s = session(demo_card());
    for pin in ["12a456", "123", "1234567890123"] {
        let e = s.verify_pin(pin).unwrap_err();
        assert!(matches!(e, Error::Pin(_)), "{pin}: {e}");
        assert_eq!(e.exit_code(), 2, "{pin}: {e}");
    }
}

#[test]
fn change_and_reload_pin() {
    let mut s = with_keys(demo_card());
    s.change_pin("123456", "2468").unwrap();
    assert!(matches!(
        s.verify_pin("123456"),
        Err(Error::WrongPin { tries_left: 2 })
    ));
    s.verify_pin("2468").unwrap();
    s.reload_pin("97531").unwrap();
    assert!(matches!(s.verify_pin("2468"), Err(Error::WrongPin { .. })));
    s.verify_pin("97531").unwrap();
    // Without keys, unblock and reload are usage errors (no card traffic needed to know).
    let mut s2 = session(s.into_transport());
    assert!(matches!(
        s2.reload_pin("123456"),
        Err(Error::NoSecurityModule)
    ));
    let e = s2.unblock_pin().unwrap_err();
    assert!(matches!(e, Error::NoSecurityModule), "{e}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn internal_authentication_tells_genuine_cards() {
    let mut s = with_keys(demo_card());
    let v = s.internal_authenticate().unwrap();
    assert!(v.genuine);
    assert_eq!(v.response.len(), 16); // 8 bytes on sscard-2
    let mut bad = session(demo_card()).with_security_module(wrong_keys());
    assert!(!bad.internal_authenticate().unwrap().genuine);
}

#[test]
fn external_authentication() {
    let mut s = with_keys(demo_card());
    s.external_authenticate("RKSSSE").unwrap();
    let ReadResult::Ef { content, .. } = s.read_path("SSSE/EF07").unwrap() else {
        panic!()
    };
    assert!(matches!(content, EfContent::Binary { size: 0x300, .. }));
    let mut bad = session(demo_card()).with_security_module(wrong_keys());
    let e = bad.external_authenticate("RKSSSE").unwrap_err();
    assert_eq!(sw_of(&e), Some(0x63C2));
    let e = bad.external_authenticate("NOPE").unwrap_err();
    assert!(matches!(e, Error::UnknownKey(ref k) if k == "NOPE"), "{e}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn application_block_and_unblock() {
    let mut s = with_keys(demo_card());
    let id = s.ensure_card_id().unwrap();
    s.block_application(false).unwrap();
    let mut s = with_keys(s.into_transport());
    assert!(s.application_blocked());
    let e = s.read_basic_info().unwrap_err();
    assert!(sw_of(&e).is_some(), "{e}");
    s.set_card_id(id);
    s.unblock_application().unwrap();
    let mut s = session(s.into_transport());
    assert!(!s.application_blocked());
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
}

#[test]
fn long_names_use_the_extension_4e() {
    let name = "爱新觉罗·启星玛丽亚特蕾莎娜塔莉";
    assert_eq!(encoding_rs::GBK.encode(name).0.len(), 32);
    let h = holder(&DEMO_HOLDER.replace("王小明", name));
    let mut s = session(personalised(&h, EmulatorOptions::default()));
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.holder.name, name);
    let v = s.read_item("SSSE/EF06/4E").unwrap();
    assert_eq!(v.value, Value::Text("莉".into()));
}

#[test]
fn a_3_00_card_uses_sm4_and_needs_rkssse_for_ef06() {
    let text = DEMO_HOLDER.replace("spec_version = \"2.00\"", "spec_version = \"3.00\"");
    let h = holder(&text);
    let t = personalised(&h, EmulatorOptions::default());
    let mut s = session(t);
    assert_eq!(s.profile().name, "sscard-3");
    assert_eq!(s.algorithm_id(), Some(0x03));
    let e = s.read_basic_info().unwrap_err();
    assert_eq!(sw_of(&e), Some(0x6982), "{e}");
    let p3 = profile_for(SpecVersion::V3_00);
    let mut s = session(s.into_transport()).with_security_module(sm(p3));
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.issuer.version, "3.00");
    assert_eq!(info.holder.name, "王小明");
    assert!(s.internal_authenticate().unwrap().genuine);
    // A 3DES key set on an SM4 card is refused before any cryptogram is sent.
    let mut s = session(s.into_transport()).with_security_module(sm(&SSCARD_2));
    let e = s.external_authenticate("RKSSSE").unwrap_err();
    assert!(
        matches!(
            e,
            Error::SuiteMismatch {
                keys: "sscard-2",
                card: "sscard-3"
            }
        ),
        "{e}"
    );
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn personalize_refuses_a_version_mismatch() {
    let t = blank(SpecVersion::V2_00, EmulatorOptions::default());
    let text = DEMO_HOLDER.replace("spec_version = \"2.00\"", "spec_version = \"2.01\"");
    let mut s = Session::open(t)
        .unwrap()
        .with_security_module(sm(&SSCARD_2));
    let e = sscard_terminal::session::personalize(&mut s, &holder(&text)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::HolderProfile(HolderProfileError::VersionMismatch {
                card: "2.00",
                profile: "2.01"
            })
        ),
        "{e}"
    );
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn a_1_00_card_has_no_name_extension_and_its_own_layouts() {
    let text = DEMO_HOLDER
        .replace("spec_version = \"2.00\"", "spec_version = \"1.00\"")
        .replace("\"DF01/EF05/20\" = \"10\"\n", "\"DF01/EF05/20\" = \"1\"\n");
    let h = holder(&text);
    let mut s = session(personalised(&h, EmulatorOptions::default()));
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.issuer.version, "1.00");
    assert_eq!(info.holder.name, "王小明");
    assert_eq!(s.version(), Some(SpecVersion::V1_00));
    // No 4E on a 1.0 card.
    let ReadResult::Ef { content, .. } = s.read_path("SSSE/EF06").unwrap() else {
        panic!()
    };
    let EfContent::Records { items } = content else {
        panic!()
    };
    assert!(items.iter().all(|i| i.tag != "4E"));
    // DF01/EF05/20 is `an 01` on 1.0 (`an 02` on 2.0).
    s.set_pin("123456").unwrap();
    let v = s.read_item("DF01/EF05/20").unwrap();
    assert_eq!((v.value, v.raw.len()), (Value::Text("1".into()), 2));
    // A long name does not fit a 1.0 card.
    let long = text.replace("王小明", "爱新觉罗·启星玛丽亚特蕾莎娜塔莉");
    assert!(matches!(holder(&long).plan(), Err(Error::Data(_))));
}

#[test]
fn cyclic_and_transparent_efs() {
    let mut s = session(demo_card());
    s.set_pin("123456").unwrap();
    // No purchase has happened: the medical transaction log is empty.
    let ReadResult::Ef { content, .. } = s.read_path("DF04/EF08").unwrap() else {
        panic!()
    };
    assert_eq!(content, EfContent::Cyclic { records: vec![] });
    let e = s.read_path("DF04/EF08#1").unwrap_err();
    assert!(matches!(e, Error::Data(_)), "{e}");
    // EF07 needs RKSSSE: refused without keys.
    let e = s.read_path("SSSE/EF07").unwrap_err();
    assert_eq!(sw_of(&e), Some(0x6982), "{e}");
}

/// Issue 4, acceptance 3: personalise a blank card from a holder profile, then read every item
/// back in a fresh session (card reset, nothing cached): each equals the profile. Text items are
/// compared with the profile's own text, byte items (the GBK name and its extension) with the
/// encoding of the profile's name; 2.00, 3.00 (SM4, EF06 behind RKSSSE/PIN) and a 32-byte name.
#[test]
fn personalise_a_blank_card_then_every_item_reads_back_equal() {
    use sscard_terminal::model::holder::PlannedValue;
    let long = "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜"; // 16 characters = 32 GBK bytes: 30 in 09, 2 in 4E
    let cases = [
        DEMO_HOLDER.to_string(),
        DEMO_HOLDER.replace("spec_version = \"2.00\"", "spec_version = \"3.00\""),
        DEMO_HOLDER.replace("name = \"王小明\"", &format!("name = \"{long}\"")),
    ];
    for text in &cases {
        let h = holder(text);
        let version = h.version().unwrap();
        let t = personalised(&h, EmulatorOptions::default());
        let mut s = session(t).with_security_module(sm(profile_for(version)));
        s.verify_pin(&h.card.pin).unwrap();
        let plan = h.plan().unwrap();
        assert!(plan.len() >= 16, "{} items planned", plan.len());
        let gbk = encoding_rs::GBK.encode(&h.holder.name).0.into_owned();
        for (path, planned) in &plan {
            let got = s.read_item(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            match planned {
                PlannedValue::Text(want) => {
                    assert_eq!(got.value.as_text(), Some(want.as_str()), "{path}");
                }
                PlannedValue::Bytes(_) => {
                    let raw = hex::decode(&got.raw).unwrap();
                    let stored: Vec<u8> = raw.into_iter().take_while(|&b| b != 0).collect();
                    let want: &[u8] = match path.as_str() {
                        "SSSE/EF06/09" => &gbk[..gbk.len().min(30)],
                        "SSSE/EF06/4E" => gbk.get(30..).unwrap_or(&[]),
                        other => panic!("unexpected byte item {other}"),
                    };
                    assert_eq!(stored, want, "{path}");
                }
            }
        }
        let info = s.read_basic_info().unwrap();
        assert_eq!(info.holder.name, h.holder.name);
        assert_eq!(info.issuer.card_number, h.card.card_number);
        assert_eq!(info.issuer.version, version.as_str());
    }
}
