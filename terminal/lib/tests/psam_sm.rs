//! The PSAM security module (`sscard_terminal::security::psam`) over an in-process PSAM
//! (`sscard_card_os::psam::Psam` behind a tiny `Transport`): byte-identical to the
//! `SoftwareSecurityModule` holding the same root keys for every operation, for both profiles and
//! 3- and 2-level keys; a card factory-initialised from the same key set accepts its external
//! authentication, internal-authentication answer, MAC and encrypted PIN block; errors carry
//! the national interface's codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sscard_apdu::exchange::{exchange, RawTransmit, T0Policy};
use sscard_apdu::CommandView;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{provision, Psam, PsamParams, RamPsam, PSAM_STORE_SIZE};
use sscard_card_os::store::{RamStore, Store, StoreError};
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, CARD_STORE_SIZE, RESP_MAX,
};
use sscard_keys::profile::{PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::{
    DiversificationFactors, IssuerKeySet, KeyRef, Pin, Profile, SecurityModule,
    SoftwareSecurityModule,
};
use sscard_specs::keys::key_by_name;
use sscard_specs::versions::SpecVersion;
use sscard_terminal::security::psam::{self, PsamError, PsamSecurityModule, TerminalNumber};
use sscard_terminal::transport::{Transport, TransportError};

const TERMINAL: [u8; 6] = [0x43, 0x02, 0x99, 0x00, 0x00, 0x07];
const S: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// The Hunan test card of sscard-spec.md §8.
const HUNAN: CardIdentity = CardIdentity {
    region_bcd: [0x43, 0x02, 0x99],
    serial: [0x00, 0x00, 0x00, 0x13],
    atr_historical: [
        0x00, 0x81, 0x54, 0x4C, 0x92, 0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35,
    ],
};

// ---------------------------------------------------------------- an in-process PSAM transport

struct Raw<'a>(&'a mut RamPsam, &'a mut u64, Option<u64>);

impl RawTransmit for Raw<'_> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        if Some(*self.1) == self.2 {
            // Simulated reset of the PSAM by someone else, right before this APDU.
            self.0.reset();
        }
        *self.1 += 1;
        Ok(self.0.process(cmd, resp))
    }
}

/// The emulated PSAM as a `Transport`; T=0 handled by `sscard_apdu::exchange`.
#[derive(Debug)]
struct PsamTransport {
    psam: RamPsam,
    apdus: u64,
    atr: Vec<u8>,
    fail: bool,
    reset_at: Option<u64>,
}

impl Transport for PsamTransport {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.fail {
            return Err(TransportError::CardRemoved);
        }
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let mut out = [0u8; 2048];
        let (n, sw) = exchange(
            &mut Raw(&mut self.psam, &mut self.apdus, self.reset_at),
            &view,
            &T0Policy::DEFAULT,
            &mut out,
        )?;
        let mut r = out[..n].to_vec();
        r.extend_from_slice(&sw.to_bytes());
        Ok(r)
    }
    fn atr(&self) -> &[u8] {
        &self.atr
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.psam.reset();
        Ok(())
    }
    fn apdu_count(&self) -> u64 {
        self.apdus
    }
}

fn psam_transport(profile: &'static Profile, keys: &IssuerKeySet) -> PsamTransport {
    let mut img = RamStore::<PSAM_STORE_SIZE>::new();
    provision(
        &mut img,
        &PsamParams {
            profile,
            keys,
            terminal_number: TERMINAL,
            serial: [0x43, 0x02, 0x99, 0, 0, 0, 0, 0, 0x12, 0x34],
            issuer_id: [0x43, 0x02, 0x99, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        },
    )
    .unwrap();
    let psam = Psam::new(img, profile).unwrap();
    let atr = psam.atr().to_vec();
    PsamTransport {
        psam,
        apdus: 0,
        atr,
        fail: false,
        reset_at: None,
    }
}

fn factors(profile: &Profile) -> DiversificationFactors {
    HUNAN.factors(profile).unwrap()
}

// ---------------------------------------------------------------- equivalence

#[test]
fn psam_module_equals_software_module() {
    for profile in [&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2] {
        let keys = test_issuer_keys(profile);
        let mut hw = psam::open(psam_transport(profile, &keys), profile).unwrap();
        let mut sw = SoftwareSecurityModule::new(profile, test_issuer_keys(profile));
        let f = factors(profile);
        let pins: Vec<Pin> = ["1234", "123456", "1234567", "123456789012"]
            .iter()
            .map(|p| Pin::new(profile, p.as_bytes()).unwrap())
            .collect();
        // 3-level national keys and 2-level provincial keys.
        for name in [
            "RKSSSE", "UK1DF01", "RK1DF01", "IRK", "PUK", "STK", "UK1DF06",
        ] {
            let k = KeyRef::new(name);
            for r in [[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], [0; 8]] {
                let ctx = format!("{} {name} {r:02X?}", profile.name);
                assert_eq!(
                    hw.external_auth(k, &f, &r, &S).unwrap(),
                    sw.external_auth(k, &f, &r, &S).unwrap(),
                    "external_auth {ctx}"
                );
                assert_eq!(
                    hw.internal_auth_expected(k, &f, &r, &S).unwrap(),
                    sw.internal_auth_expected(k, &f, &r, &S).unwrap(),
                    "internal_auth_expected {ctx}"
                );
                for body in [&[][..], &[0xA5; 7][..], &[0x3C; 64][..]] {
                    let hdr = [0x04, 0xDC, 0x01, 0x04, (body.len() + 4) as u8];
                    assert_eq!(
                        hw.line_mac(k, &f, &r, &[&hdr, body]).unwrap(),
                        sw.line_mac(k, &f, &r, &[&hdr, body]).unwrap(),
                        "line_mac {ctx}"
                    );
                }
                for pin in &pins {
                    assert_eq!(
                        hw.encrypt_pin_block(k, &f, &r, pin).unwrap(),
                        sw.encrypt_pin_block(k, &f, &r, pin).unwrap(),
                        "encrypt_pin_block {ctx}"
                    );
                }
            }
        }
        assert_eq!(SecurityModule::profile(&hw).name, profile.name);
    }
}

// ---------------------------------------------------------------- against a card

struct BoxStore(Box<RamStore<CARD_STORE_SIZE>>);

impl Store for BoxStore {
    fn capacity(&self) -> usize {
        self.0.capacity()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        self.0.read(off, buf)
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        self.0.write(off, data)
    }
}

struct TestCard(Card<BoxStore>);

impl TestCard {
    fn new(profile: &'static Profile, keys: &IssuerKeySet) -> Self {
        let mut img = BoxStore(Box::new(RamStore::<CARD_STORE_SIZE>::new()));
        factory_initialise(
            &mut img,
            &FactoryParams {
                profile,
                version: if profile.name == "sscard-3" {
                    SpecVersion::V3_00
                } else {
                    SpecVersion::V2_00
                },
                identity: HUNAN,
                keys,
                pin: b"123456",
            },
        )
        .unwrap();
        TestCard(Card::new(img, CardConfig::new(profile)).unwrap())
    }
    /// As a terminal sends on the (T=0) card: `61xx` followed with GET RESPONSE.
    fn send(&mut self, a: &[u8]) -> (Vec<u8>, u16) {
        let (mut data, mut sw) = self.send_raw(a);
        while sw >> 8 == 0x61 {
            let (more, next) = self.send_raw(&[0x00, 0xC0, 0x00, 0x00, sw as u8]);
            data.extend_from_slice(&more);
            sw = next;
        }
        (data, sw)
    }
    fn send_raw(&mut self, a: &[u8]) -> (Vec<u8>, u16) {
        let mut r = [0u8; RESP_MAX];
        let n = self.0.process(a, &mut r);
        (
            r[..n - 2].to_vec(),
            u16::from_be_bytes([r[n - 2], r[n - 1]]),
        )
    }
    fn challenge(&mut self) -> [u8; 8] {
        let (c, sw) = self.send(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        assert_eq!(sw, 0x9000);
        c.try_into().unwrap()
    }
    fn apdu(h: [u8; 4], data: &[u8]) -> Vec<u8> {
        let mut a = h.to_vec();
        a.push(data.len() as u8);
        a.extend_from_slice(data);
        a
    }
}

fn ext_auth<T: Transport>(
    card: &mut TestCard,
    hw: &mut PsamSecurityModule<T>,
    f: &DiversificationFactors,
    name: &str,
) -> u16 {
    let r = card.challenge();
    let d = hw.external_auth(KeyRef::new(name), f, &r, &S).unwrap();
    let kid = key_by_name(name).unwrap().kid.unwrap();
    card.send(&TestCard::apdu([0x00, 0x82, 0x00, kid], &d)).1
}

#[test]
fn a_card_accepts_what_the_psam_computes() {
    for profile in [&SSCARD_2, &SSCARD_3] {
        let keys = test_issuer_keys(profile);
        let mut card = TestCard::new(profile, &keys);
        let mut hw = psam::open(psam_transport(profile, &keys), profile).unwrap();
        let f = factors(profile);
        let ssse = hex::decode("00A404000F7378312E73682EC9E7BBE1B1A3D5CF").unwrap();
        assert_eq!(card.send(&ssse).1, 0x9000);
        // EXTERNAL AUTHENTICATE with a 3-level (RKSSSE) and a 2-level (PUK) key.
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "RKSSSE"), 0x9000);
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "PUK"), 0x9000);
        // A cryptogram for the wrong key is refused (try counter: 63C2).
        let r = card.challenge();
        let d = hw.external_auth(KeyRef::new("UKSSSE"), &f, &r, &S).unwrap();
        assert_eq!(
            card.send(&TestCard::apdu([0x00, 0x82, 0x00, 0x0A], &d)).1,
            0x63C2
        );
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "RKSSSE"), 0x9000);
        // DF01 keys (3 levels).
        assert_eq!(card.send(&hex::decode("00A4000002DF01").unwrap()).1, 0x9000);
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "RK1DF01"), 0x9000);
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "UK1DF01"), 0x9000);
        // INTERNAL AUTHENTICATE: the card's answer is what the PSAM expects.
        assert_eq!(card.send(&ssse).1, 0x9000);
        let p = [0x5A; 8];
        let mut pd = p.to_vec();
        pd.extend_from_slice(&S);
        let (resp, sw) = card.send(&TestCard::apdu([0x00, 0x88, 0x00, 0x00], &pd));
        assert_eq!(sw, 0x9000);
        assert_eq!(
            resp,
            hw.internal_auth_expected(KeyRef::new("IRK"), &f, &p, &S)
                .unwrap()
                .to_vec()
        );
        // PIN RELOAD: PUK external authentication, then E_SK(PIN block) ‖ MAC under STK.
        assert_eq!(ext_auth(&mut card, &mut hw, &f, "PUK"), 0x9000);
        let r = card.challenge();
        let pin = Pin::new(profile, b"654321").unwrap();
        let enc = hw
            .encrypt_pin_block(KeyRef::new("STK"), &f, &r, &pin)
            .unwrap();
        let h5 = [0x84, 0x24, 0x00, 0x01, (enc.len() + 4) as u8];
        let mac = hw
            .line_mac(KeyRef::new("STK"), &f, &r, &[&h5, &enc])
            .unwrap();
        let mut a = h5.to_vec();
        a.extend_from_slice(&enc);
        a.extend_from_slice(&mac);
        assert_eq!(card.send(&a).1, 0x9000, "{} PIN RELOAD", profile.name);
        assert_eq!(
            card.send(&hex::decode("0020000003654321").unwrap()).1,
            0x9000
        );
        assert_eq!(
            card.send(&hex::decode("0020000003123456").unwrap()).1,
            0x63C2
        );
    }
}

// ---------------------------------------------------------------- terminal number, errors

#[test]
fn terminal_number_and_public_info() {
    let keys = test_issuer_keys(&SSCARD_2);
    let mut hw = psam::new(psam_transport(&SSCARD_2, &keys), &SSCARD_2);
    let t = TerminalNumber::from(hw.read_terminal_number().unwrap());
    assert_eq!(t.to_string(), "430299000007");
    assert_eq!(t.region(), "430299");
    let info = hw.read_public_info().unwrap();
    assert_eq!(&info[..4], &[0x43, 0x02, 0x99, 0x00]);
    // Crypto still works after the EF reads (DF01 is selected again).
    let f = factors(&SSCARD_2);
    assert!(hw
        .external_auth(KeyRef::new("PUK"), &f, &[0; 8], &S)
        .is_ok());
}

#[test]
fn errors_and_national_codes() {
    let keys = test_issuer_keys(&SSCARD_2);
    let f = factors(&SSCARD_2);
    // A PSAM without UK1DF01 / RKSSSE: 6A88 → −24 / −2203.
    let mut subset = IssuerKeySet::new();
    for name in ["PUK", "STK"] {
        let (root, levels) = keys.get(name).unwrap();
        subset.insert(name, root.clone(), levels).unwrap();
    }
    let mut hw = psam::open(psam_transport(&SSCARD_2, &subset), &SSCARD_2).unwrap();
    let e = hw
        .external_auth(KeyRef::new("UK1DF01"), &f, &[0; 8], &S)
        .unwrap_err();
    assert_eq!(e, PsamError::KeyNotInPsam { name: "UK1DF01" });
    assert_eq!(e.national_code(), -24);
    let e = hw
        .external_auth(KeyRef::new("RKSSSE"), &f, &[0; 8], &S)
        .unwrap_err();
    assert_eq!(e.national_code(), -2203);
    assert!(hw
        .external_auth(KeyRef::new("PUK"), &f, &[0; 8], &S)
        .is_ok());
    // Unknown key name, bad challenge, too few factors.
    assert_eq!(
        hw.line_mac(KeyRef::new("XYZ"), &f, &[0; 8], &[&[0; 5]]),
        Err(PsamError::UnknownKey)
    );
    assert_eq!(
        hw.line_mac(KeyRef::new("STK"), &f, &[0; 4], &[&[0; 5]]),
        Err(PsamError::BadChallenge(4))
    );
    let f1 =
        DiversificationFactors::for_levels(1, &HUNAN.card_factor(), &HUNAN.region_bcd).unwrap();
    assert!(matches!(
        hw.line_mac(KeyRef::new("STK"), &f1, &[0; 8], &[&[0; 5]]),
        Err(PsamError::NotEnoughFactors { needed: 2, .. })
    ));
    assert!(matches!(
        hw.line_mac(KeyRef::new("STK"), &f, &[0; 8], &[&[0; 250]]),
        Err(PsamError::InputTooLong(_))
    ));
    // IV (8) + 247 bytes fill one short APDU exactly; one more byte does not.
    assert!(hw
        .line_mac(KeyRef::new("STK"), &f, &[0; 8], &[&[0; 247]])
        .is_ok());
    assert_eq!(
        hw.line_mac(KeyRef::new("STK"), &f, &[0; 8], &[&[0; 248]]),
        Err(PsamError::InputTooLong(256))
    );
    // No PSAM: −2201.
    hw.transport_mut().fail = true;
    let e = hw
        .external_auth(KeyRef::new("PUK"), &f, &[0; 8], &S)
        .unwrap_err();
    assert_eq!(e, PsamError::Transport(TransportError::CardRemoved));
    assert_eq!(e.national_code(), -2201);
    // Back: the module reselects DF01 by itself.
    hw.transport_mut().fail = false;
    assert!(hw
        .external_auth(KeyRef::new("PUK"), &f, &[0; 8], &S)
        .is_ok());
    // A PSAM reset behind the module's back (right before BF DE): 6985, reselect, retry.
    let at = hw.transport().apdu_count();
    hw.transport_mut().reset_at = Some(at + 2);
    assert!(hw
        .external_auth(KeyRef::new("PUK"), &f, &[0; 8], &S)
        .is_ok());
    // SELECT + GET RESPONSE, BF DE (6985), SELECT + GET RESPONSE, BF DE, 80 FA + GET RESPONSE.
    assert_eq!(hw.transport().apdu_count() - at, 8);
    // An SM4 PSAM opened for the 3DES profile: −2202.
    let sm4 = test_issuer_keys(&SSCARD_3);
    let e = psam::open(psam_transport(&SSCARD_3, &sm4), &SSCARD_2).unwrap_err();
    assert_eq!(
        e,
        PsamError::AlgorithmMismatch {
            psam: 0x03,
            expected: 0x01
        }
    );
    assert_eq!(e.national_code(), -2202);
}

#[test]
fn apdus_per_operation() {
    let keys = test_issuer_keys(&SSCARD_3);
    let mut hw = psam::open(psam_transport(&SSCARD_3, &keys), &SSCARD_3).unwrap();
    let f = factors(&SSCARD_3);
    let before = hw.transport().apdu_count();
    hw.external_auth(KeyRef::new("RKSSSE"), &f, &[7; 8], &S)
        .unwrap();
    // BF DE, 80 FA 00 00 → 61 10, GET RESPONSE: DF01 stays selected.
    assert_eq!(hw.transport().apdu_count() - before, 3);
}
