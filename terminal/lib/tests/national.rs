//! The national core (`sscard_terminal::national`) over the in-process card OS and PSAM: the
//! byte-exact `iReadCardBas` strings of the demo card (2.00 and 3.00), the §6.4 procedure's APDUs,
//! file addresses, writes, PIN functions, HSM mode against the test HSM, and the error codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::VecDeque;

use common::{holder, personalised, profile_for, DEMO_HOLDER};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::PsamParams;
use sscard_keys::SoftwareSecurityModule;
use sscard_specs::SpecVersion;
use sscard_terminal::national::hsm::{self, HsmCard, Step1Fields, TestHsm};
use sscard_terminal::national::{self, Device, DynTransport, Interface, NationalError, PinPrompt};
use sscard_terminal::transport::emulator::{EmulatorOptions, Protocol, PsamEmulatorTransport};
use sscard_terminal::transport::{SharedTransport, Transport, TransportError};
use zeroize::Zeroizing;

type Card = SharedTransport<common::Emu>;
type Psam =
    SharedTransport<PsamEmulatorTransport<sscard_terminal::transport::emulator::RamPsamImage>>;

const TERMINAL: [u8; 6] = [0x11, 0x01, 0x00, 0x00, 0x00, 0x01];

struct Emulated {
    card: Option<Card>,
    psam: Option<Psam>,
    pins: VecDeque<&'static str>,
}

impl Device for Emulated {
    fn open_card(&mut self, i: Interface) -> Result<DynTransport, NationalError> {
        match (&self.card, i) {
            (Some(c), Interface::Contact) => Ok(Box::new(c.clone())),
            (Some(_), _) => Err(TransportError::NoCard("contactless".into()).into()),
            (None, _) => Err(TransportError::NoCard("reader".into()).into()),
        }
    }
    fn open_psam(&mut self) -> Result<DynTransport, NationalError> {
        match &self.psam {
            Some(p) => Ok(Box::new(p.clone())),
            None => Err(NationalError::NoPsam("none configured".into())),
        }
    }
    fn terminal_no(&self) -> Option<String> {
        Some("110100000001".into())
    }
    fn enter_pin(&mut self, _: PinPrompt) -> Result<Zeroizing<String>, NationalError> {
        self.pins
            .pop_front()
            .map(|p| Zeroizing::new(p.to_string()))
            .ok_or(NationalError::PinCancelled)
    }
}

fn psam(version: SpecVersion) -> Psam {
    let profile = profile_for(version);
    let keys = test_issuer_keys(profile);
    SharedTransport::new(
        PsamEmulatorTransport::new_in_memory(&PsamParams {
            profile,
            keys: &keys,
            terminal_number: TERMINAL,
            serial: [0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01],
            issuer_id: [0x11, 0x01, 0, 0, 0, 0, 0, 0],
        })
        .unwrap(),
    )
}

fn device(version: SpecVersion) -> Emulated {
    let h = DEMO_HOLDER.replace(
        "spec_version = \"2.00\"",
        &format!("spec_version = \"{}\"", version.as_str()),
    );
    Emulated {
        card: Some(SharedTransport::new(personalised(
            &holder(&h),
            EmulatorOptions::default(),
        ))),
        psam: Some(psam(version)),
        pins: VecDeque::new(),
    }
}

/// The demo card's `iReadCardBas` (test issuer keys: the card id's authentication code).
const BAS_2: &str = "110100|110101199003071233|A00000011|110100D156000005000000013FB0911D|王小明|00815343208611010000000001|2.00|20240115|20340114|110100000001|00000000000000001001|";
const BAS_3: &str = "110100|110101199003071233|A00000011|110100D1560000050000000189878CA5|王小明|00815343208611010000000001|3.00|20240115|20340114|110100000001|00000000000000001001|";

fn apdus(d: &Emulated) -> (u64, u64) {
    (
        d.card.as_ref().unwrap().apdu_count(),
        d.psam.as_ref().unwrap().apdu_count(),
    )
}

#[test]
fn read_card_bas_of_the_demo_card_is_byte_exact_with_the_psam() {
    // APDUs on the card count every leg on the wire: on a T=0 card (the default) the SELECT
    // SSSE and the INTERNAL AUTHENTICATE each need a GET RESPONSE after their 61xx (the national
    // read fetches the FCI), 2 more than on a T=1 card.
    let t0 = EmulatorOptions::default().protocol == Protocol::T0;
    for (version, want, card_apdus_t1, psam_apdus) in [
        // 2.00: SELECT, READ EF05, the EF0D probe that tells national-2.00 from jiangsu-2.00
        // (session::family), INTERNAL AUTHENTICATE, READ EF06.
        (SpecVersion::V2_00, BAS_2, 5, 7),
        (SpecVersion::V3_00, BAS_3, 6, 10),
    ] {
        let card_apdus = card_apdus_t1 + if t0 { 2 } else { 0 };
        let mut d = device(version);
        let before = apdus(&d);
        let s = national::read_card_bas(&mut d, 1).unwrap();
        assert_eq!(s, want, "{version:?}");
        assert_eq!(s.split('|').count(), 12);
        assert!(national::Encoding::Gbk.encode(&s).len() < 256);
        let after = apdus(&d);
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (card_apdus, psam_apdus),
            "{version:?}: APDUs on the card and the PSAM"
        );
        // Auto (contact first) finds the card on the contact interface; contactless has none.
        assert_eq!(national::read_card_bas(&mut d, 3).unwrap(), want);
        assert_eq!(national::read_card_bas(&mut d, 2).unwrap_err().code(), -2);
        assert_eq!(national::read_card_bas(&mut d, 0).unwrap_err().code(), -14);
    }
}

#[test]
fn read_card_bas_error_paths() {
    let mut d = device(SpecVersion::V2_00);
    d.psam = None;
    let e = national::read_card_bas(&mut d, 1).unwrap_err();
    assert_eq!(e.code(), -2201);
    assert!(e.wants_hsm());
    // A PSAM of the other suite: −2202.
    d.psam = Some(psam(SpecVersion::V3_00));
    assert_eq!(
        national::read_card_bas(&mut d, 1).unwrap_err().code(),
        -2202
    );
    // No card at all.
    d.card = None;
    assert_eq!(national::read_card_bas(&mut d, 1).unwrap_err().code(), -2);
    // A PSAM of another issuer: the card is not genuine.
    let mut d = device(SpecVersion::V2_00);
    let profile = profile_for(SpecVersion::V2_00);
    let mut keys = test_issuer_keys(&sscard_keys::profile::SSCARD_3);
    // Same suite, other keys: build a 3DES key set from other bytes.
    keys = {
        let mut ks = sscard_keys::IssuerKeySet::new();
        for name in keys.names() {
            let (_, levels) = keys.get(name).unwrap();
            ks.insert(
                name,
                sscard_keys::Key::new(profile.key_algorithm(), &[0x5A; 16]).unwrap(),
                levels,
            )
            .unwrap();
        }
        ks
    };
    d.psam = Some(SharedTransport::new(
        PsamEmulatorTransport::new_in_memory(&PsamParams {
            profile,
            keys: &keys,
            terminal_number: TERMINAL,
            serial: [0; 10],
            issuer_id: [0; 8],
        })
        .unwrap(),
    ));
    assert_eq!(national::read_card_bas(&mut d, 1).unwrap_err().code(), -21);
}

#[test]
fn read_card_by_file_address() {
    let mut d = device(SpecVersion::V2_00);
    let out = national::read_card(&mut d, 1, 0, "", "SSSEEF05|07|05|$SSSEEF06|08|09|4E|$").unwrap();
    assert_eq!(
        out,
        "SSSEEF05|A00000011|20240115|$SSSEEF06|110101199003071233|王小明||$"
    );
    // With pCardInfo naming the card.
    let info = "110100D156000005000000013FB0911D|A00000011|";
    assert!(national::read_card(&mut d, 1, 0, info, "SSSEEF05|07|$").is_ok());
    // Another card: −22; a card id that is not hex: −20.
    let other = "110100D156000005000000023FB0911D|A00000011|";
    assert_eq!(
        national::read_card(&mut d, 1, 0, other, "SSSEEF05|07|$")
            .unwrap_err()
            .code(),
        -22
    );
    assert_eq!(
        national::read_card(&mut d, 1, 0, "xyz|A|", "SSSEEF05|07|$")
            .unwrap_err()
            .code(),
        -20
    );
    // A PIN-protected item with the PIN entered.
    d.pins.push_back("123456");
    let out = national::read_card(&mut d, 1, 1, "", "DF04EF05|81|8F|$").unwrap();
    assert_eq!(out, "DF04EF05|31010000|1|$");
    // The same through the PSAM's RK key.
    let out = national::read_card(&mut d, 1, 2, "", "DF01EF05|21|$").unwrap();
    assert_eq!(out, "DF01EF05|北京市东城区示例胡同1号|$");
    // Malformed addresses and unknown tags: nothing sent to the card.
    let before = d.card.as_ref().unwrap().apdu_count();
    for (addr, code) in [
        ("", -14),
        ("SSSEEF5|07|$", -14),
        ("XXXXEF05|07|$", -14),
        ("SSSEEF05|7|$", -14),
        ("SSSEEF05|ZZ|$", -14),
        ("SSSEEF05|$", -14),
        ("SSSEEF05|EE|$", -23),
        ("SSSEEF99|01|$", -23),
        ("DF01EF15|40:09|$", -23),
    ] {
        let e = national::read_card(&mut d, 1, 0, "", addr).unwrap_err();
        assert_eq!(e.code(), code, "{addr}: {e}");
    }
    assert_eq!(
        national::read_card(&mut d, 1, 7, "", "SSSEEF05|07|$")
            .unwrap_err()
            .code(),
        -14
    );
    assert_eq!(d.card.as_ref().unwrap().apdu_count(), before);
}

#[test]
fn write_card_through_the_psam_and_bad_values_write_nothing() {
    let mut d = device(SpecVersion::V2_00);
    let out = national::write_card(&mut d, 1, "", "DF04EF05|81|$", "DF04EF05|31090000|$").unwrap();
    assert_eq!(out, "DF04EF05|31090000|$");
    // Values without the file name work too.
    let out = national::write_card(&mut d, 1, "", "DF04EF05|81|$", "31080000|$").unwrap();
    assert_eq!(out, "DF04EF05|31080000|$");
    for (data, code) in [
        ("3108000|x|$", -14),
        ("31080000AA|$", -42),
        ("😀|$", -41),
        ("$", -14),
    ] {
        let e = national::write_card(&mut d, 1, "", "DF04EF05|81|$", data).unwrap_err();
        assert_eq!(e.code(), code, "{data}: {e}");
    }
    d.pins.push_back("123456");
    assert_eq!(
        national::read_card(&mut d, 1, 1, "", "DF04EF05|81|$").unwrap(),
        "DF04EF05|31080000|$"
    );
    // Without a PSAM: −2201, nothing written.
    d.psam = None;
    assert_eq!(
        national::write_card(&mut d, 1, "", "DF04EF05|81|$", "31070000|$")
            .unwrap_err()
            .code(),
        -2201
    );
}

#[test]
fn pin_functions() {
    let mut d = device(SpecVersion::V2_00);
    d.pins.extend(["123456"]);
    assert_eq!(national::verify_pin(&mut d, 1).unwrap(), "");
    d.pins.extend(["111111"]);
    let e = national::verify_pin(&mut d, 1).unwrap_err();
    assert_eq!(e.code(), -51, "{e}");
    d.pins.extend(["12"]);
    assert_eq!(national::verify_pin(&mut d, 1).unwrap_err().code(), -33);
    assert_eq!(national::verify_pin(&mut d, 1).unwrap_err().code(), -31);
    d.pins.extend(["123456", "654321", "654320"]);
    assert_eq!(national::change_pin(&mut d, 1).unwrap_err().code(), -34);
    d.pins.extend(["123456", "654321", "654321", "654321"]);
    national::change_pin(&mut d, 1).unwrap();
    national::verify_pin(&mut d, 1).unwrap();
    // Block it, unblock through the PSAM, reload it back to the demo PIN.
    for _ in 0..3 {
        d.pins.push_back("000001");
        let _ = national::verify_pin(&mut d, 1);
    }
    d.pins.push_back("654321");
    assert_eq!(national::verify_pin(&mut d, 1).unwrap_err().code(), -52);
    let info = "110100D156000005000000013FB0911D|A00000011|";
    national::unblock_pin(&mut d, 1, info).unwrap();
    d.pins.push_back("654321");
    national::verify_pin(&mut d, 1).unwrap();
    d.pins.extend(["123456", "123456"]);
    national::reload_pin(&mut d, 1, info).unwrap();
    d.pins.push_back("123456");
    national::verify_pin(&mut d, 1).unwrap();
}

fn test_hsm(version: SpecVersion) -> TestHsm {
    let profile = profile_for(version);
    TestHsm::new(SoftwareSecurityModule::new(
        profile,
        test_issuer_keys(profile),
    ))
}

#[test]
fn hsm_mode_gives_the_same_basic_info_as_psam_mode() {
    for (version, want) in [(SpecVersion::V2_00, BAS_2), (SpecVersion::V3_00, BAS_3)] {
        let mut d = device(version);
        d.psam = None;
        let (step1, pending) = hsm::read_card_bas_step1(&mut d, 1, Step1Fields::Nine).unwrap();
        let f: Vec<&str> = step1.split('|').collect();
        assert_eq!(f.len(), 10, "{step1}");
        assert_eq!(f[0], "110100");
        assert_eq!(f[1], "00815343208611010000000001");
        let v3 = version == SpecVersion::V3_00;
        assert_eq!(f[2], if v3 { "03" } else { "01" });
        assert!(want.contains(f[3]), "{step1} {want}");
        assert_eq!(f[4].len(), if v3 { 16 } else { 0 });
        let key = test_hsm(version).read_card_bas(&step1).unwrap();
        if v3 {
            assert_eq!(key.len(), 66, "{key}");
        }
        let out = hsm::step(&mut d, "iReadCardBas", pending, &key).unwrap().0;
        // Same as PSAM mode except the device number (no PSAM serial in HSM mode).
        let psam_mode: Vec<&str> = want.split('|').collect();
        let hsm_mode: Vec<&str> = out.split('|').collect();
        assert_eq!(hsm_mode[..10], psam_mode[..10], "{out}");
        // A wrong internal-authentication value: −25.
        if v3 {
            let (step1, pending) = hsm::read_card_bas_step1(&mut d, 1, Step1Fields::Eight).unwrap();
            assert_eq!(step1.split('|').count(), 9);
            let key = test_hsm(version).read_card_bas(&step1).unwrap();
            let bad = format!("0000000000000000{}", &key[16..]);
            assert_eq!(
                hsm::step(&mut d, "iReadCardBas", pending, &bad)
                    .unwrap_err()
                    .code(),
                -25
            );
            for bad in ["", "12|34|", "zz", &key[..40]] {
                let (_, pending) = hsm::read_card_bas_step1(&mut d, 1, Step1Fields::Nine).unwrap();
                assert_eq!(
                    hsm::step(&mut d, "iReadCardBas", pending, bad)
                        .unwrap_err()
                        .code(),
                    -14
                );
            }
        }
    }
}

#[test]
fn hsm_read_write_unblock_and_reload() {
    let version = SpecVersion::V2_00;
    let mut d = device(version);
    d.psam = None;
    let card = HsmCard {
        reset_info: "00815343208611010000000001".into(),
        card_id: "110100D156000005000000013FB0911D".into(),
    };
    let mut h = test_hsm(version);
    // Free files: no HSM needed.
    assert_eq!(
        hsm::read_card_step1(&mut d, 1, "", "SSSEEF05|07|$")
            .unwrap_err()
            .code(),
        -2204
    );
    let (req, p) = hsm::read_card_step1(&mut d, 1, "", "DF01EF05|21|$").unwrap();
    assert_eq!(req.split('|').count(), 5, "{req}");
    let key = h.external_auth(&req, &card).unwrap();
    let out = hsm::step(&mut d, "iReadCard", p, &key).unwrap().0;
    assert_eq!(out, "DF01EF05|北京市东城区示例胡同1号|$");
    // A write whose file reads freely (the read-back needs no second key).
    let (req, p) = hsm::write_card_step1(&mut d, 1, "", "SSSEEF06|0A|$", "2|$").unwrap();
    let key = h.external_auth(&req, &card).unwrap();
    assert_eq!(
        hsm::step(&mut d, "iWriteCard", p, &key).unwrap().0,
        "SSSEEF06|2|$"
    );
    // A malformed value: refused before anything is written.
    assert_eq!(
        hsm::write_card_step1(&mut d, 1, "", "DF04EF05|81|$", "😀|$")
            .map(|r| r.0)
            .unwrap_err()
            .code(),
        -41
    );
    // Unblock: Step1 (PUK) → Step2 (STK MAC request) → Step3.
    let (req, p) = hsm::unblock_pin_step1(&mut d, 1, "").unwrap();
    let key = h.external_auth(&req, &card).unwrap();
    let (req2, p2) = hsm::step(&mut d, "iUnblockPIN", p, &key).unwrap();
    assert!(req2.ends_with("|8424000004|"), "{req2}");
    let mac = h.pin_mac(&req2, &card).unwrap();
    assert_eq!(
        hsm::step(&mut d, "iUnblockPIN", p2.unwrap(), &mac)
            .unwrap()
            .0,
        ""
    );
    // Reload to 246810.
    d.pins.extend(["246810", "246810"]);
    let (req, p) = hsm::reload_pin_step1(&mut d, 1, "").unwrap();
    let key = h.external_auth(&req, &card).unwrap();
    let (req2, p2) = hsm::step(&mut d, "iReloadPIN", p, &key).unwrap();
    let mac = h.pin_mac(&req2, &card).unwrap();
    hsm::step(&mut d, "iReloadPIN", p2.unwrap(), &mac).unwrap();
    d.pins.push_back("246810");
    national::verify_pin(&mut d, 1).unwrap();
    // A pending state of another function is refused.
    let (_, p) = hsm::read_card_bas_step1(&mut d, 1, Step1Fields::Nine).unwrap();
    assert_eq!(
        hsm::step(&mut d, "iReadCard", p, "").unwrap_err().code(),
        -14
    );
}

#[test]
fn hsm_key_parsers() {
    let k =
        hsm::parse_read_card_bas_key(&format!("{}|{}|", "11".repeat(16), "22".repeat(16))).unwrap();
    assert_eq!(k.internal, [0x11; 8]);
    assert_eq!(k.external, [0x22; 16]);
    assert!(
        hsm::parse_read_card_bas_key(&format!("{}|{}", "11".repeat(16), "22".repeat(16))).is_ok()
    );
    assert!(hsm::parse_read_card_bas_key("11|22|").is_err());
    assert!(
        hsm::parse_read_card_bas_key(&format!("{}|{}|33|", "11".repeat(16), "22".repeat(16)))
            .is_err()
    );
    assert_eq!(
        hsm::parse_cryptogram_key(&"AB".repeat(16)).unwrap(),
        [0xAB; 16]
    );
    assert!(hsm::parse_cryptogram_key("AB").is_err());
    assert_eq!(
        hsm::key_at_address(&hsm::key_address(
            sscard_specs::key_by_name(sscard_specs::key::RKSSSE).unwrap()
        ))
        .unwrap()
        .name,
        sscard_specs::key::RKSSSE
    );
    assert_eq!(
        national::check_file_address("SSSEEF05|01|$").map_err(|e| e.code()),
        Ok(())
    );
}
