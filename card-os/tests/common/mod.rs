//! Shared helpers for the card-os integration tests: a formatted card, APDU exchange, and the host
//! side of authentication and line protection (through sscard_keys, as a terminal would).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sscard_card_os::factory::{personalise_direct, test_issuer_keys};
use sscard_card_os::store::{RamStore, Store};
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, Protocol, CARD_STORE_SIZE,
    RESP_MAX,
};
use sscard_keys::session::{encrypt_field, external_auth_data, line_mac, process_key};
use sscard_keys::{IssuerKeySet, Key, Profile};
use sscard_specs::types::DfId;
use sscard_specs::versions::SpecVersion;

pub type Img = RamStore<CARD_STORE_SIZE>;

/// A boxed RAM image (keeps the 24 KiB image off the stack).
#[derive(Clone)]
pub struct BoxStore(pub Box<Img>);

impl BoxStore {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Store for BoxStore {
    fn capacity(&self) -> usize {
        self.0.capacity()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), sscard_card_os::store::StoreError> {
        self.0.read(off, buf)
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), sscard_card_os::store::StoreError> {
        self.0.write(off, data)
    }
}

/// The Hunan test card of sscard-spec.md §8: ATR 3B6D0000 0081544C928684420100000135.
pub const HUNAN: CardIdentity = CardIdentity {
    region_bcd: [0x43, 0x02, 0x99],
    serial: [0x00, 0x00, 0x00, 0x13],
    atr_historical: [
        0x00, 0x81, 0x54, 0x4C, 0x92, 0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35,
    ],
};

pub fn hx(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn version_of(p: &Profile) -> SpecVersion {
    if p.name == "sscard-3" {
        SpecVersion::V3_00
    } else {
        SpecVersion::V2_00
    }
}

/// A freshly formatted image (PIN 123456).
pub fn image(profile: &'static Profile, pin: &[u8]) -> BoxStore {
    let mut s = BoxStore(Box::new(Img::new()));
    let keys = test_issuer_keys(profile);
    factory_initialise(
        &mut s,
        &FactoryParams {
            profile,
            version: version_of(profile),
            identity: HUNAN,
            keys: &keys,
            pin,
        },
    )
    .unwrap();
    s
}

pub struct Host<S: Store = BoxStore> {
    pub card: Card<S>,
    pub profile: &'static Profile,
    pub keys: IssuerKeySet,
    /// [`Host::send`] follows `61xx` / re-issues `6Cxx` on a T=0 card, as a terminal does
    /// (hosts made by `new` / `from_image` / `wrap`, on the default T=0 card); off for hosts
    /// made by [`Host::with`], whose tests look at the raw T=0 or T=1 wire.
    pub follow_t0: bool,
}

impl Host<BoxStore> {
    /// The default (T=0) card; [`Host::send`] handles `61xx` / `6Cxx` like a terminal.
    pub fn new(profile: &'static Profile) -> Self {
        Host {
            follow_t0: true,
            ..Self::with(profile, true, Default::default())
        }
    }
    /// A card in T=0 (`t0`) or T=1; [`Host::send`] shows the raw wire.
    pub fn with(profile: &'static Profile, t0: bool, quirks: sscard_card_os::Quirks) -> Self {
        let img = image(profile, b"123456");
        let cfg = CardConfig::new(profile).with_t0(t0).with_quirks(quirks);
        Host {
            card: Card::new(img, cfg).unwrap(),
            profile,
            keys: test_issuer_keys(profile),
            follow_t0: false,
        }
    }
    pub fn from_image(img: BoxStore, profile: &'static Profile) -> Self {
        Host {
            card: Card::new(img, CardConfig::new(profile)).unwrap(),
            profile,
            keys: test_issuer_keys(profile),
            follow_t0: true,
        }
    }

    pub fn image(&self) -> Vec<u8> {
        self.card.store().as_bytes().to_vec()
    }
}

impl<S: Store> Host<S> {
    pub fn wrap(card: Card<S>, profile: &'static Profile) -> Self {
        Host {
            card,
            profile,
            keys: test_issuer_keys(profile),
            follow_t0: true,
        }
    }

    /// Send `apdu` as a terminal does: on a T=0 card a case-2 `6Cxx` is re-issued once with
    /// Le = xx and `61xx` followed with GET RESPONSE (what `sscard_apdu::exchange` does); on a
    /// T=1 card the answer as it is. (data, SW).
    pub fn send(&mut self, apdu: &[u8]) -> (Vec<u8>, u16) {
        let (mut data, mut sw) = self.send_raw(apdu);
        if !self.follow_t0 || self.card.config().protocol != Protocol::T0 {
            return (data, sw);
        }
        if sw >> 8 == 0x6C {
            // Re-issued once with Le = xx (appended on case 1 / 3, replaced on case 2 / 4).
            let mut again = apdu.to_vec();
            let has_le = match apdu.len() {
                4 => false,
                5 => true,
                n => n == 6 + usize::from(apdu[4]),
            };
            if has_le {
                again.pop();
            }
            again.push(sw as u8);
            (data, sw) = self.send_raw(&again);
        }
        while sw >> 8 == 0x61 {
            let (more, next) = self.send_raw(&[0x00, 0xC0, 0x00, 0x00, sw as u8]);
            data.extend_from_slice(&more);
            sw = next;
        }
        let has_data_field = apdu.len() > 5;
        if data.is_empty() && has_data_field && matches!(sw >> 8, 0x62 | 0x63) {
            // A warning to a command with data: the reply may wait for GET RESPONSE (ISO/IEC
            // 7816-3 §12.2.4); Le 00, re-issued with the exact length on 6Cxx.
            let (mut more, mut next) = self.send_raw(&[0x00, 0xC0, 0x00, 0x00, 0x00]);
            if next >> 8 == 0x6C {
                (more, next) = self.send_raw(&[0x00, 0xC0, 0x00, 0x00, next as u8]);
            }
            if !more.is_empty() {
                data = more;
                sw = next;
            }
        }
        (data, sw)
    }

    /// Send raw bytes, no T=0 handling; (data, SW).
    pub fn send_raw(&mut self, apdu: &[u8]) -> (Vec<u8>, u16) {
        let mut r = [0u8; RESP_MAX];
        let n = self.card.process(apdu, &mut r);
        assert!(n >= 2, "no SW");
        (
            r[..n - 2].to_vec(),
            u16::from_be_bytes([r[n - 2], r[n - 1]]),
        )
    }
    pub fn sx(&mut self, hex: &str) -> (Vec<u8>, u16) {
        self.send(&hx(hex))
    }
    pub fn sw(&mut self, hex: &str) -> u16 {
        self.sx(hex).1
    }

    pub fn card_key(&self, name: &str) -> Key {
        let f = HUNAN.factors(self.profile).unwrap();
        self.keys.card_key(name, &f).unwrap()
    }

    pub fn challenge(&mut self) -> [u8; 8] {
        let (c, sw) = self.sx("0084000008");
        assert_eq!(sw, 0x9000);
        c.try_into().unwrap()
    }

    /// GET CHALLENGE + EXTERNAL AUTHENTICATE with the card key `name` (KID from specs).
    pub fn ext_auth_kid(&mut self, name: &str, kid: u8) -> u16 {
        let r = self.challenge();
        let d = external_auth_data(
            self.profile,
            &self.card_key(name),
            &r,
            &[1, 2, 3, 4, 5, 6, 7, 8],
        )
        .unwrap();
        let mut a = vec![0x00, 0x82, 0x00, kid, 0x10];
        a.extend_from_slice(&d);
        self.send(&a).1
    }
    pub fn ext_auth(&mut self, name: &str) -> u16 {
        let kid = sscard_specs::keys::key_by_name(name).unwrap().kid.unwrap();
        self.ext_auth_kid(name, kid)
    }

    /// A MAC'd command `cla ins p1 p2 Lc' data MAC` under `key`'s line MAC after a fresh challenge.
    pub fn mac_apdu(&mut self, key: &str, hdr: [u8; 4], data: &[u8]) -> Vec<u8> {
        let r = self.challenge();
        let lc = (data.len() + 4) as u8;
        let h5 = [hdr[0], hdr[1], hdr[2], hdr[3], lc];
        let mac = line_mac(self.profile, &self.card_key(key), &r, &[&h5, data]).unwrap();
        let mut a = h5.to_vec();
        a.extend_from_slice(data);
        a.extend_from_slice(&mac);
        a
    }
    pub fn send_mac(&mut self, key: &str, hdr: [u8; 4], data: &[u8]) -> u16 {
        let a = self.mac_apdu(key, hdr, data);
        self.send(&a).1
    }

    /// PIN RELOAD data: E_SK(Lpin ‖ BCD) under STK's process key, then MAC.
    pub fn pin_reload_apdu(&mut self, bcd: &[u8]) -> Vec<u8> {
        let r = self.challenge();
        let stk = self.card_key("STK");
        let sk = process_key(self.profile, &stk, &r).unwrap();
        let mut enc = [0u8; 48];
        let n = encrypt_field(self.profile, &sk, bcd, &mut enc).unwrap();
        let lc = (n + 4) as u8;
        let h5 = [0x84, 0x24, 0x00, 0x01, lc];
        let mac = line_mac(self.profile, &stk, &r, &[&h5, &enc[..n]]).unwrap();
        let mut a = h5.to_vec();
        a.extend_from_slice(&enc[..n]);
        a.extend_from_slice(&mac);
        a
    }

    pub fn select_ssse(&mut self) {
        let sw = self.sx("00A404000F7378312E73682EC9E7BBE1B1A3D5CF").1;
        assert!(sw == 0x9000 || sw >> 8 == 0x61, "{sw:04X}");
    }
    pub fn select_df(&mut self, df: DfId) -> u16 {
        let fid = sscard_specs::files::df(df).fid.unwrap_or(0x3F00);
        let mut a = vec![0x00, 0xA4, 0x00, 0x00, 0x02];
        a.extend_from_slice(&fid.to_be_bytes());
        self.send(&a).1
    }
    pub fn select_ef(&mut self, fid: u16) -> u16 {
        let mut a = vec![0x00, 0xA4, 0x02, 0x00, 0x02];
        a.extend_from_slice(&fid.to_be_bytes());
        self.send(&a).1
    }
}

/// Write the Hunan trace's EF05 into an image.
pub fn personalise_hunan_ef05(img: &mut BoxStore) {
    let recs: [Vec<u8>; 7] = [
        hx("0110430299D156000005000000133A05F2E3"),
        hx("020133"),
        hx("0304322E3000"),
        hx("040C9156000002430200430100D5"),
        hx("050432303132"),
        hx("060432303232"),
        hx("0709423030303030313331"),
    ];
    let refs: Vec<&[u8]> = recs.iter().map(|r| r.as_slice()).collect();
    personalise_direct(img, SpecVersion::V2_00, DfId::Ssse, 0xEF05, &refs).unwrap();
}

// ---- DF04 purse: the host side, computed independently with sscard_keys::purse ----------------

pub use sscard_apdu::commands::purse::{
    self as purse_cmd, Credit, Debit, DebitResponse, InitLoad, InitLoadResponse, InitPurchase,
    InitPurchaseResponse, PurseAmounts,
};
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, Load, LoadSession, MedicalAmounts, MedicalPurchase,
    OfflineCounter, OnlineCounter, PurchaseSession, TacKey, TerminalId, TerminalSerial,
    TransactionType,
};

/// The terminal number of the purse tests.
pub const TERM: [u8; 6] = [0x43, 0x01, 0x00, 0x00, 0x00, 0x07];
/// 2026-12-03 10:20:30.
pub const WHEN: ([u8; 4], [u8; 3]) = ([0x20, 0x26, 0x12, 0x03], [0x10, 0x20, 0x30]);

pub fn amounts(personal: u32, total: u32, fund: u32) -> PurseAmounts {
    PurseAmounts {
        personal_account: personal,
        total,
        account_and_fund: fund,
    }
}

fn encode(c: sscard_apdu::Command) -> Vec<u8> {
    let mut b = [0u8; 300];
    let n = c.encode(&mut b).unwrap();
    b[..n].to_vec()
}

/// A medical purchase as the keys crate sees it.
pub fn medical(a: PurseAmounts, serial: u32, date: [u8; 4], time: [u8; 3]) -> MedicalPurchase {
    MedicalPurchase {
        amounts: MedicalAmounts {
            personal_account: Amount(a.personal_account),
            total: Amount(a.total),
            account_and_fund: Amount(a.account_and_fund),
        },
        tx_type: TransactionType(purse_cmd::TX_PURCHASE),
        terminal: TerminalId(TERM),
        serial: TerminalSerial(serial),
        when: DateTime::new(date, time),
    }
}

pub fn load_tx(amount: u32) -> Load {
    Load {
        amount: Amount(amount),
        tx_type: TransactionType(purse_cmd::TX_LOAD),
        terminal: TerminalId(TERM),
    }
}

/// A completed purchase: what the card answered and what the host computed.
pub struct Purchased {
    pub init: InitPurchaseResponse,
    pub resp: DebitResponse,
    pub tx: MedicalPurchase,
}

impl<S: Store> Host<S> {
    /// SELECT SSSE, VERIFY 123456, SELECT DF04.
    pub fn enter_df04(&mut self) {
        self.select_ssse();
        assert_eq!(self.sw("0020000003123456"), 0x9000);
        let sw = self.select_df(DfId::Df04);
        assert!(sw == 0x9000 || sw >> 8 == 0x61, "{sw:04X}");
    }

    pub fn init_purchase_apdu(a: PurseAmounts, class: u8, key_index: u8) -> Vec<u8> {
        encode(
            purse_cmd::initialize_for_purchase(&InitPurchase {
                key_index,
                amounts: a,
                terminal: TERM,
                class,
            })
            .unwrap(),
        )
    }

    pub fn init_purchase(
        &mut self,
        a: PurseAmounts,
        class: u8,
    ) -> (Option<InitPurchaseResponse>, u16) {
        let (d, sw) = self.send(&Self::init_purchase_apdu(a, class, 1));
        (InitPurchaseResponse::parse(&d).ok(), sw)
    }

    /// DEBIT FOR PURCHASE with the MAC1 a PSAM would compute (from the root DPK + factors).
    pub fn debit_apdu(&self, init: &InitPurchaseResponse, tx: &MedicalPurchase) -> Vec<u8> {
        let s = self.purchase_session(init, tx.serial.0);
        let mac1 = s.mac1(tx).unwrap();
        encode(
            purse_cmd::debit_for_purchase(&Debit {
                serial: tx.serial.0,
                date: tx.when.date,
                time: tx.when.time,
                mac1,
            })
            .unwrap(),
        )
    }

    pub fn purchase_session(&self, init: &InitPurchaseResponse, serial: u32) -> PurchaseSession {
        PurchaseSession::new(
            self.profile,
            &self.card_key("DPK"),
            CardRandom(init.random),
            OfflineCounter(init.counter),
            TerminalSerial(serial),
        )
        .unwrap()
    }

    pub fn tac_key(&self) -> TacKey {
        TacKey::new(self.profile, &self.card_key("DTK")).unwrap()
    }

    /// INITIALIZE + DEBIT; asserts 9000 and MAC2/TAC against the independent computation.
    pub fn purchase(
        &mut self,
        a: PurseAmounts,
        class: u8,
        serial: u32,
        date: [u8; 4],
    ) -> Purchased {
        let (init, sw) = self.init_purchase(a, class);
        assert_eq!(sw, 0x9000, "INITIALIZE FOR PURCHASE");
        let init = init.unwrap();
        let tx = medical(a, serial, date, WHEN.1);
        let (d, sw) = self.send(&self.debit_apdu(&init, &tx));
        assert_eq!(sw, 0x9000, "DEBIT FOR PURCHASE");
        let resp = DebitResponse::parse(&d).unwrap();
        let s = self.purchase_session(&init, serial);
        assert!(s.verify_mac2(&tx, &resp.mac2), "MAC2");
        assert!(self.tac_key().verify_purchase_tac(&tx, &resp.tac), "TAC");
        Purchased { init, resp, tx }
    }

    pub fn init_load(&mut self, amount: u32) -> (Option<InitLoadResponse>, u16) {
        let a = encode(
            purse_cmd::initialize_for_load(&InitLoad {
                key_index: 1,
                amount,
                terminal: TERM,
            })
            .unwrap(),
        );
        let (d, sw) = self.send(&a);
        (InitLoadResponse::parse(&d).ok(), sw)
    }

    pub fn load_session(&self, init: &InitLoadResponse) -> LoadSession {
        LoadSession::new(
            self.profile,
            &self.card_key("DLK"),
            CardRandom(init.random),
            OnlineCounter(init.counter),
        )
        .unwrap()
    }

    /// CREDIT FOR LOAD with the MAC2 the back end would compute.
    pub fn credit_apdu(&self, init: &InitLoadResponse, amount: u32) -> Vec<u8> {
        let when = DateTime::new(WHEN.0, WHEN.1);
        let mac2 = self
            .load_session(init)
            .mac2(&load_tx(amount), &when)
            .unwrap();
        encode(
            purse_cmd::credit_for_load(&Credit {
                date: WHEN.0,
                time: WHEN.1,
                mac2,
            })
            .unwrap(),
        )
    }

    /// INITIALIZE FOR LOAD + CREDIT; checks MAC1 and the TAC independently; returns the TAC.
    pub fn load(&mut self, amount: u32) -> [u8; 4] {
        let (init, sw) = self.init_load(amount);
        assert_eq!(sw, 0x9000, "INITIALIZE FOR LOAD");
        let init = init.unwrap();
        let s = self.load_session(&init);
        assert!(
            s.verify_mac1(Balance(init.balance), &load_tx(amount), &init.mac1),
            "load MAC1"
        );
        let (d, sw) = self.send(&self.credit_apdu(&init, amount));
        assert_eq!(sw, 0x9000, "CREDIT FOR LOAD");
        let tac: [u8; 4] = d.try_into().unwrap();
        let when = DateTime::new(WHEN.0, WHEN.1);
        assert!(
            self.tac_key().verify_load_tac(
                Balance(init.balance + amount),
                OnlineCounter(init.counter),
                &load_tx(amount),
                &when,
                &tac
            ),
            "load TAC"
        );
        tac
    }

    pub fn balance(&mut self) -> u32 {
        let (d, sw) = self.sx("805C000204");
        assert_eq!(sw, 0x9000);
        u32::from_be_bytes(d.try_into().unwrap())
    }

    /// DF04 EF08 record `n` (SFI 08).
    pub fn ef08(&mut self, n: u8) -> (Vec<u8>, u16) {
        self.send(&[0x00, 0xB2, n, (8 << 3) | 4, 0x1C])
    }
}

/// The profile a card of `family` uses: `sscard-3` (SM4) on 3.00, `sscard-2` otherwise.
pub fn profile_of(family: &sscard_specs::family::Family) -> &'static Profile {
    if family.spec_version() == SpecVersion::V3_00 {
        &sscard_keys::profile::SSCARD_3
    } else {
        &sscard_keys::profile::SSCARD_2
    }
}

/// A freshly formatted image of `family` (PIN 123456).
pub fn family_image(family: &'static sscard_specs::family::Family) -> BoxStore {
    let profile = profile_of(family);
    let mut s = BoxStore(Box::new(Img::new()));
    let keys = test_issuer_keys(profile);
    sscard_card_os::factory_initialise_family(
        &mut s,
        &FactoryParams {
            profile,
            version: family.spec_version(),
            identity: HUNAN,
            keys: &keys,
            pin: b"123456",
        },
        family,
    )
    .unwrap();
    s
}

/// A T=0 (`t0`) or T=1 card of `family`; [`Host::send`] follows `61xx` / `6Cxx` on T=0.
pub fn family_host(family: &'static sscard_specs::family::Family, t0: bool) -> Host<BoxStore> {
    let profile = profile_of(family);
    let cfg = CardConfig::new(profile).with_t0(t0);
    Host {
        card: Card::new(family_image(family), cfg).unwrap(),
        profile,
        keys: test_issuer_keys(profile),
        follow_t0: true,
    }
}
