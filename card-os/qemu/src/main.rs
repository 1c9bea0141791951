//! The sscard card OS on a Cortex-M4 (QEMU `mps2-an386`): proof that it runs on the target, and a
//! measurement of its stack.
//!
//! For each profile (sscard-2 = 3DES, sscard-3 = SM4) the firmware factory-initialises a card image
//! in a static 24 KiB RAM buffer (`SliceStore`, the card's "flash"), opens a `Card` over it and
//! runs a realistic terminal session through `Card::process`: the Hunan trace (SELECT SSSE by
//! name, VERIFY, READ RECORD all-from), READ RECORD all-from by SFI 05/06, INTERNAL and EXTERNAL
//! AUTHENTICATE, plain and MAC'd UPDATE RECORD, replayed and forged MACs, CHANGE PIN, cyclic
//! APPEND RECORD in DF04, PIN UNBLOCK/RELOAD (PUK + STK MAC, encrypted field), APPLICATION
//! BLOCK/UNBLOCK, a power cycle and the T=0 flavour (61xx + GET RESPONSE, 6Cxx). Every status word
//! is checked, and response data where the value is known.
//!
//! The terminal side (cryptograms, MACs, the encrypted PIN) is computed here with `sscard-keys`,
//! as a terminal would, outside the measurement. Nothing allocates: there is no heap.
//!
//! Stack measurement: before every APDU, [`measured_process`] paints the free stack below the
//! current stack pointer with a pattern (inline assembly, so the painting itself uses no stack),
//! calls `Card::process` through a non-inlinable function pointer, and finds the lowest
//! overwritten word. The high-water mark is the maximum over the session of (SP at the call −
//! lowest overwritten address): everything `Card::process` and what it calls put on the stack.
//! The caller's APDU buffers (command ≤ 261 B, response [`RESP_MAX`] B) and the card object are
//! reported separately.
//!
//! Output on the semihosting console; exit status 0 (semihosting SYS_EXIT) when every check
//! passed, 1 on any mismatch, panic or fault.
#![no_std]
#![no_main]

use core::arch::asm;
use core::hint::black_box;

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use hex_literal::hex;
use sscard_card_os::factory::{personalise_direct, test_issuer_keys};
use sscard_card_os::store::{SliceStore, Store};
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, Protocol, CARD_STORE_SIZE,
    RESP_MAX,
};
use sscard_keys::profile::{Profile, Suite, SSCARD_2, SSCARD_3};
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, Load, LoadSession, MedicalAmounts, MedicalPurchase,
    OfflineCounter, OnlineCounter, PurchaseSession, TacKey, TerminalId, TerminalSerial,
    TransactionType,
};
use sscard_keys::session::{encrypt_field, external_auth_data, internal_auth_response, line_mac};
use sscard_keys::{DiversificationFactors, IssuerKeySet, Key};
use sscard_specs::files::df;
use sscard_specs::keys::key_by_name;
use sscard_specs::types::DfId;
use sscard_specs::versions::SpecVersion;

/// The stack paint pattern.
const PAINT: u32 = 0x5CA7_C0DE;
/// How far below the stack pointer each APDU's paint reaches.
const PAINT_WINDOW: usize = 16 * 1024;
/// The RAM budget of the card OS, the store excluded (the goal).
const RAM_BUDGET: usize = 8 * 1024;
/// Longest short command APDU: header, Lc, 255 data bytes, Le.
const CMD_MAX: usize = 261;

/// The Hunan test card of sscard-spec.md §8: ATR 3B6D0000 0081544C928684420100000135.
const HUNAN: CardIdentity = CardIdentity {
    region_bcd: [0x43, 0x02, 0x99],
    serial: [0x00, 0x00, 0x00, 0x13],
    atr_historical: hex!("0081544C928684420100000135"),
};
const HUNAN_ATR: [u8; 17] = hex!("3B6D00000081544C928684420100000135");
/// The same card in T=1: T0 = ED (TD1 follows), TD1 = 01 (T=1), the historical bytes, TCK.
const HUNAN_ATR_T1: [u8; 19] = hex!("3BED0000010081544C92868442010000013592");
/// The trace's EF05 records and its READ RECORD all-from answer.
const HUNAN_EF05: [&[u8]; 7] = [
    &hex!("0110430299D156000005000000133A05F2E3"),
    &hex!("020133"),
    &hex!("0304322E3000"),
    &hex!("040C9156000002430200430100D5"),
    &hex!("050432303132"),
    &hex!("060432303232"),
    &hex!("0709423030303030313331"),
];
const HUNAN_EF05_ALL: [u8; 64] = hex!(
    "0110430299D156000005000000133A05F2E3 020133 0304322E3000 040C9156000002430200430100D5
     050432303132 060432303232 0709423030303030313331"
);
const SELECT_SSSE: [u8; 20] = hex!("00A404000F7378312E73682EC9E7BBE1B1A3D5CF");
const HUNAN_FCI: [u8; 24] = hex!("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E");
/// sscard-3 DF FCIs end with the algorithm tag `9F0C 86 01 03` (SM4).
const SM4_FCI_TAIL: [u8; 6] = hex!("9F0C03860103");
/// An EF06 record (tag 0D, 4 bytes).
const EF06_REC: [u8; 6] = hex!("0D0419800101");
/// Distinct command labels tracked per profile.
const MAX_LABELS: usize = 64;

/// The stack `Card::process` used: the deepest command, and the maximum per command label.
struct StackMark {
    bytes: usize,
    what: &'static str,
    per_label: [(&'static str, usize); MAX_LABELS],
    labels: usize,
}

impl StackMark {
    const fn new() -> Self {
        Self {
            bytes: 0,
            what: "",
            per_label: [("", 0); MAX_LABELS],
            labels: 0,
        }
    }

    fn record(&mut self, what: &'static str, bytes: usize) {
        if bytes > self.bytes {
            self.bytes = bytes;
            self.what = what;
        }
        let n = self.labels;
        match self.per_label[..n].iter_mut().find(|(l, _)| *l == what) {
            Some((_, b)) => *b = (*b).max(bytes),
            None if n < MAX_LABELS => {
                self.per_label[n] = (what, bytes);
                self.labels += 1;
            }
            None => {}
        }
    }

    /// Prints every command label with its maximum, deepest first, three to a line.
    fn print_labels(&mut self) {
        let t = &mut self.per_label[..self.labels];
        t.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for row in t.chunks(3) {
            let cell = |i: usize| row.get(i).copied().unwrap_or(("", 0));
            let ((a, x), (b, y), (c, z)) = (cell(0), cell(1), cell(2));
            match row.len() {
                1 => hprintln!("    {:>4} {:<26}", x, a),
                2 => hprintln!("    {:>4} {:<26} {:>4} {:<26}", x, a, y, b),
                _ => hprintln!("    {:>4} {:<26} {:>4} {:<26} {:>4} {}", x, a, y, b, z, c),
            }
        }
    }
}

/// One profile's session: the card, the terminal's keys, the last response and the tallies.
struct Run<'s> {
    card: Card<SliceStore<'s>>,
    profile: &'static Profile,
    keys: &'s IssuerKeySet,
    factors: DiversificationFactors,
    resp: [u8; RESP_MAX],
    len: usize,
    apdus: u32,
    checks: u32,
    mark: StackMark,
}

#[entry]
fn main() -> ! {
    hprintln!("sscard card OS on Cortex-M4 (QEMU mps2-an386), firmware profile");
    let store = cortex_m::singleton!(: [u8; CARD_STORE_SIZE] = [0xFF; CARD_STORE_SIZE]);
    let Some(store) = store else {
        fail("store singleton")
    };
    let mut total_apdus = 0;
    let mut total_checks = 0;
    let mut worst = 0;
    for (profile, version, pin) in [
        (&SSCARD_2, SpecVersion::V2_00, &b"666666"[..]),
        (&SSCARD_3, SpecVersion::V3_00, &b"123456"[..]),
    ] {
        let (apdus, checks, mut mark) = profile_run(&mut store[..], profile, version, pin);
        hprintln!(
            "{}: {} APDUs, {} checks passed, stack high-water: {} bytes (deepest: {})",
            profile.name,
            apdus,
            checks,
            mark.bytes,
            mark.what
        );
        mark.print_labels();
        total_apdus += apdus;
        total_checks += checks;
        worst = worst.max(mark.bytes);
    }
    let card_object = core::mem::size_of::<Option<Card<SliceStore<'static>>>>(); // as size.sh
    let buffers = CMD_MAX + RESP_MAX;
    let total = worst + card_object + buffers;
    hprintln!(
        "APDUs: {} (every status word as expected; {} checks)",
        total_apdus,
        total_checks
    );
    hprintln!("stack high-water: {} bytes", worst);
    hprintln!(
        "RAM without the store: stack {} + card object {} + APDU buffers {} = {} bytes (budget {})",
        worst,
        card_object,
        buffers,
        total,
        RAM_BUDGET
    );
    if total > RAM_BUDGET {
        hprintln!("FAIL: over the RAM budget");
        exit(false);
    }
    hprintln!("PASS");
    exit(true)
}

/// Factory-initialise the image, then the session; (APDUs, checks, stack mark).
fn profile_run(
    store: &mut [u8],
    profile: &'static Profile,
    version: SpecVersion,
    pin: &[u8],
) -> (u32, u32, StackMark) {
    store.fill(0xFF); // erased flash
    let keys = test_issuer_keys(profile);
    let mut s = SliceStore::new(store);
    let params = FactoryParams {
        profile,
        version,
        identity: HUNAN,
        keys: &keys,
        pin,
    };
    if factory_initialise(&mut s, &params).is_err() {
        fail("factory_initialise");
    }
    if version == SpecVersion::V2_00
        && personalise_direct(&mut s, version, DfId::Ssse, 0xEF05, &HUNAN_EF05).is_err()
    {
        fail("personalise EF05");
    }
    let Ok(factors) = HUNAN.factors(profile) else {
        fail("factors")
    };
    let Ok(card) = Card::new(s, CardConfig::new(profile).with_protocol(Protocol::T1)) else {
        fail("Card::new")
    };
    let mut r = Run {
        card,
        profile,
        keys: &keys,
        factors,
        resp: [0; RESP_MAX],
        len: 0,
        apdus: 0,
        checks: 0,
        mark: StackMark::new(),
    };
    r.session(pin);
    // The T=0 flavour (the default): reopen the image (a power-up) as the genuine T=0 card.
    let (fci, fci_len, ef05_len) = r.t1_reference();
    let Run {
        card,
        factors,
        apdus,
        checks,
        mark,
        ..
    } = r;
    let Ok(card) = Card::new(card.into_store(), CardConfig::new(profile)) else {
        fail("Card::new (T=0)")
    };
    let mut r = Run {
        card,
        profile,
        keys: &keys,
        factors,
        resp: [0; RESP_MAX],
        len: 0,
        apdus,
        checks,
        mark,
    };
    r.t0_session(&fci[..fci_len], ef05_len);
    (r.apdus, r.checks, r.mark)
}

impl Run<'_> {
    /// The T=1 session.
    fn session(&mut self, pin: &[u8]) {
        let sm4 = self.profile.suite == Suite::Sm4;
        self.check("ATR (T=1)", self.card.atr() == HUNAN_ATR_T1);

        // The Hunan trace: SELECT SSSE by name, VERIFY, SELECT EF05, READ RECORD all from 1.
        self.expect("SELECT SSSE", &SELECT_SSSE, 0x9000);
        let fci_ok = if sm4 {
            self.data().get(2..19) == HUNAN_FCI.get(2..19) && self.data().ends_with(&SM4_FCI_TAIL)
        } else {
            self.data() == HUNAN_FCI
        };
        self.check("SSSE FCI", fci_ok);
        let mut verify = [0u8; 8];
        verify[..5].copy_from_slice(&hex!("0020000003"));
        verify[5..].copy_from_slice(&bcd3(pin));
        self.expect("VERIFY (wrong PIN)", &hex!("0020000003999999"), 0x63C2);
        self.expect("VERIFY", &verify, 0x9000);
        self.expect("SELECT EF05", &hex!("00A4000002EF05"), 0x9000);
        self.expect("READ RECORD EF05 all", &hex!("00B20105FF"), 0x9000);
        let ef05_ok = if sm4 {
            self.data()
                .starts_with(&hex!("0110430299D15600000500000013"))
        } else {
            self.data() == HUNAN_EF05_ALL
        };
        self.check("EF05 records", ef05_ok);

        // READ RECORD all-from by SFI: 05 and 06.
        self.expect("READ RECORD SFI 05 all", &hex!("00B2012D00"), 0x9000);
        self.check(
            "EF05 by SFI",
            self.data().starts_with(&hex!("0110430299D156")),
        );
        if sm4 {
            // 3.00: SSSE EF06 is read under RKSSSE (2.x: free).
            self.expect("READ RECORD SFI 06 all", &hex!("00B2013500"), 0x6982);
            self.ext_auth("RKSSSE", true, 0x9000);
        }
        self.expect("READ RECORD SFI 06 all", &hex!("00B2013500"), 0x9000);
        self.check("EF06 by SFI", self.data().len() > 2);

        // INTERNAL AUTHENTICATE (IRK): the card is genuine.
        let p = hex!("1122334455667788");
        let src = hex!("0102030405060708");
        let mut ia = [0u8; 21];
        ia[..5].copy_from_slice(&hex!("0088000010"));
        ia[5..13].copy_from_slice(&p);
        ia[13..].copy_from_slice(&src);
        self.expect("INTERNAL AUTHENTICATE", &ia, 0x9000);
        let irk = self.key("IRK");
        let Ok(want) = internal_auth_response(self.profile, &irk, &p, &src) else {
            fail("internal_auth_response")
        };
        self.check("internal auth cryptogram", self.data() == &want[..]);

        // GET CHALLENGE + EXTERNAL AUTHENTICATE (UKSSSE), then a plain UPDATE RECORD on EF06.
        self.ext_auth("UKSSSE", false, 0x63C2);
        self.ext_auth("UKSSSE", true, 0x9000);
        self.expect("SELECT EF06", &hex!("00A4000002EF06"), 0x9000);
        let mut upd = [0u8; 11];
        upd[..5].copy_from_slice(&hex!("00DC070406"));
        upd[5..].copy_from_slice(&EF06_REC);
        self.expect("UPDATE RECORD (plain)", &upd, 0x9000);

        // GET CHALLENGE + MAC'd UPDATE RECORD (04 DC) under UKSSSE's process key; replay; forgery.
        let mut cmd = [0u8; CMD_MAX];
        let n = self.mac_apdu("UKSSSE", hex!("04DC0704"), &EF06_REC, &mut cmd);
        self.expect("UPDATE RECORD (MAC)", &cmd[..n], 0x9000);
        self.expect("UPDATE RECORD (MAC replay)", &cmd[..n], 0x6984);
        let n = self.mac_apdu("UKSSSE", hex!("04DC0704"), &EF06_REC, &mut cmd);
        cmd[n - 1] ^= 1;
        self.expect("UPDATE RECORD (bad MAC)", &cmd[..n], 0x6988);
        let n = self.mac_apdu("UK1DF01", hex!("04DC0704"), &EF06_REC, &mut cmd);
        self.expect("UPDATE RECORD (wrong key)", &cmd[..n], 0x6988);
        self.expect("READ RECORD EF06 #7", &hex!("00B2070400"), 0x9000);
        if !sm4 {
            self.check("EF06 record 7", self.data() == EF06_REC);
        }

        // MAC'd UPDATE BINARY (04 D6) on the transparent EF07, read back under RKSSSE.
        self.expect("SELECT EF07", &hex!("00A4000002EF07"), 0x9000);
        let n = self.mac_apdu("UKSSSE", hex!("04D60010"), &hex!("AABBCCDD"), &mut cmd);
        self.expect("UPDATE BINARY (MAC)", &cmd[..n], 0x9000);
        self.ext_auth("RKSSSE", true, 0x9000);
        self.expect("READ BINARY", &hex!("00B0000E08"), 0x9000);
        self.check("EF07 bytes", self.data() == hex!("0000AABBCCDD0000"));

        // CHANGE PIN and VERIFY with the new one.
        let mut change = [0u8; 12];
        change[..5].copy_from_slice(&hex!("805E010007"));
        change[5..8].copy_from_slice(&bcd3(pin));
        change[8..].copy_from_slice(&hex!("FF654321"));
        self.expect("CHANGE PIN", &change, 0x9000);
        self.expect("VERIFY (new PIN)", &hex!("0020000003654321"), 0x9000);

        // DF04: cyclic EF15, APPEND RECORD after UK2DF04, read back after RK1DF04.
        let mut sel = hex!("00A4000002DF04");
        if let Some(fid) = df(DfId::Df04).fid {
            sel[5..].copy_from_slice(&fid.to_be_bytes());
        }
        self.expect("SELECT DF04", &sel, 0x9000);
        self.expect("SELECT EF15", &hex!("00A4000002EF15"), 0x9000);
        self.ext_auth("UK2DF04", true, 0x9000);
        self.expect("APPEND RECORD", &hex!("00E2000003010031"), 0x9000);
        self.expect("APPEND RECORD", &hex!("00E2000003020031"), 0x9000);
        let n = self.mac_apdu("UK2DF04", hex!("04E20000"), &hex!("030031"), &mut cmd);
        self.expect("APPEND RECORD (MAC)", &cmd[..n], 0x9000);
        self.ext_auth("RK1DF04", true, 0x9000);
        self.expect("READ RECORD EF15 #1", &hex!("00B2010400"), 0x9000);
        self.check("EF15 newest record", self.data() == hex!("030031"));
        self.expect("READ RECORD EF15 #3", &hex!("00B2030400"), 0x9000);
        self.check("EF15 oldest record", self.data() == hex!("010031"));

        // PIN: block it, PIN UNBLOCK (PUK + STK MAC), PIN RELOAD (encrypted new PIN).
        self.expect("SELECT SSSE", &SELECT_SSSE, 0x9000);
        for sw in [0x63C2, 0x63C1, 0x63C0, 0x6983] {
            self.expect("VERIFY (wrong PIN)", &hex!("0020000003999999"), sw);
        }
        self.ext_auth("PUK", true, 0x9000);
        let n = self.mac_apdu("STK", hex!("84240000"), &[], &mut cmd);
        self.expect("PIN UNBLOCK", &cmd[..n], 0x9000);
        self.expect("VERIFY (unblocked)", &hex!("0020000003654321"), 0x9000);
        let n = self.pin_reload_apdu(&hex!("888888"), &mut cmd);
        self.expect("PIN RELOAD", &cmd[..n], 0x9000);
        self.expect("VERIFY (reloaded PIN)", &hex!("0020000003888888"), 0x9000);

        // APPLICATION BLOCK / UNBLOCK (STK MAC); blocked SSSE answers 6985, SELECT 6283.
        let n = self.mac_apdu("STK", hex!("841E0000"), &[], &mut cmd);
        self.expect("APPLICATION BLOCK", &cmd[..n], 0x9000);
        self.expect("READ RECORD (blocked)", &hex!("00B2012D00"), 0x6985);
        self.expect("SELECT SSSE (blocked)", &SELECT_SSSE, 0x6283);
        self.ext_auth("UKSSSE", true, 0x9000);
        let n = self.mac_apdu("STK", hex!("84180000"), &[], &mut cmd);
        self.expect("APPLICATION UNBLOCK", &cmd[..n], 0x9000);
        self.expect("SELECT SSSE", &SELECT_SSSE, 0x9000);

        // Errors: unknown instruction, wrong length, file not found.
        self.expect("unknown INS", &hex!("0012000000"), 0x6D00);
        self.expect("SELECT (bad Lc)", &hex!("00A4000003EF0501"), 0x6700);
        self.expect("SELECT (not found)", &hex!("00A4000002EF99"), 0x6A82);

        // Power cycle: PIN flag and selection are gone.
        self.card.power_off();
        self.card.power_on();
        self.expect(
            "READ RECORD (after power cycle)",
            &hex!("00B2010400"),
            0x6986,
        );
        self.purse();
    }

    /// The DF04 purse (docs/purse.md): a load then a purchase, MAC2/TAC checked with
    /// sscard_keys::purse.
    fn purse(&mut self) {
        const TERM: [u8; 6] = hex!("430100000007");
        let when = DateTime::new(hex!("20261203"), hex!("102030"));
        self.expect("SELECT SSSE", &SELECT_SSSE, 0x9000);
        self.expect("VERIFY (purse)", &hex!("0020000003888888"), 0x9000);
        self.expect("SELECT DF04", &hex!("00A4000002DF04"), 0x9000);
        // load 1000
        self.expect(
            "INITIALIZE FOR LOAD",
            &hex!("805000020B 01 000003E8 430100000007 10"),
            0x9000,
        );
        let mut rnd = [0u8; 4];
        rnd.copy_from_slice(self.data().get(8..12).unwrap_or(&[0; 4]));
        let ctr = OnlineCounter(0);
        let load = Load {
            amount: Amount(1000),
            tx_type: TransactionType(0x02),
            terminal: TerminalId(TERM),
        };
        let Ok(ls) = LoadSession::new(self.profile, &self.key("DLK"), CardRandom(rnd), ctr) else {
            fail("SESLK")
        };
        let ok = ls.verify_mac1(Balance(0), &load, self.data().get(12..16).unwrap_or(&[]));
        self.check("load MAC1", ok);
        let Ok(mac2) = ls.mac2(&load, &when) else {
            fail("load MAC2")
        };
        let mut credit = hex!("805200000B 20261203 102030 00000000 04");
        credit[12..16].copy_from_slice(&mac2);
        self.expect("CREDIT FOR LOAD", &credit, 0x9000);
        let Ok(tac) = TacKey::new(self.profile, &self.key("DTK")) else {
            fail("TAC key")
        };
        let ok = tac.verify_load_tac(Balance(1000), ctr, &load, &when, self.data());
        self.check("load TAC", ok);
        // purchase: personal 300, total 500, account+fund 200
        self.expect(
            "INITIALIZE FOR PURCHASE",
            &hex!("8050010214 01 0000012C 000001F4 000000C8 430100000007 30 0F"),
            0x9000,
        );
        rnd.copy_from_slice(self.data().get(11..15).unwrap_or(&[0; 4]));
        let tx = MedicalPurchase {
            amounts: MedicalAmounts {
                personal_account: Amount(300),
                total: Amount(500),
                account_and_fund: Amount(200),
            },
            tx_type: TransactionType(0x06),
            terminal: TerminalId(TERM),
            serial: TerminalSerial(1),
            when,
        };
        let Ok(ps) = PurchaseSession::new(
            self.profile,
            &self.key("DPK"),
            CardRandom(rnd),
            OfflineCounter(0),
            TerminalSerial(1),
        ) else {
            fail("SESPK")
        };
        let Ok(mac1) = ps.mac1(&tx) else {
            fail("MAC1")
        };
        let mut debit = hex!("805401000F 00000001 20261203 102030 00000000 08");
        debit[16..20].copy_from_slice(&mac1);
        let mut bad = debit;
        bad[19] ^= 1;
        self.expect("DEBIT FOR PURCHASE (bad MAC1)", &bad, 0x9302);
        self.expect(
            "INITIALIZE FOR PURCHASE",
            &hex!("8050010214 01 0000012C 000001F4 000000C8 430100000007 30 0F"),
            0x9000,
        );
        rnd.copy_from_slice(self.data().get(11..15).unwrap_or(&[0; 4]));
        let Ok(ps) = PurchaseSession::new(
            self.profile,
            &self.key("DPK"),
            CardRandom(rnd),
            OfflineCounter(0),
            TerminalSerial(1),
        ) else {
            fail("SESPK")
        };
        let Ok(mac1) = ps.mac1(&tx) else {
            fail("MAC1")
        };
        debit[16..20].copy_from_slice(&mac1);
        self.expect("DEBIT FOR PURCHASE", &debit, 0x9000);
        let ok = tac.verify_purchase_tac(&tx, self.data().get(..4).unwrap_or(&[]))
            && ps.verify_mac2(&tx, self.data().get(4..8).unwrap_or(&[]));
        self.check("purchase TAC and MAC2", ok);
        self.expect("GET BALANCE", &hex!("805C000204"), 0x9000);
        self.check("balance 700", self.data() == hex!("000002BC"));
        self.expect("READ RECORD DF04 EF08", &hex!("00B201441C"), 0x9000);
    }

    /// The SSSE FCI (buffer, length) and the length of EF05's records, as T=1 returns them.
    fn t1_reference(&mut self) -> ([u8; 64], usize, usize) {
        let mut fci = [0u8; 64];
        self.expect("SELECT SSSE", &SELECT_SSSE, 0x9000);
        let fci_len = self.data().len().min(fci.len());
        fci[..fci_len].copy_from_slice(&self.data()[..fci_len]);
        self.expect("READ RECORD SFI 05 all", &hex!("00B2012D00"), 0x9000);
        (fci, fci_len, self.data().len())
    }

    /// The T=0 flavour of the trace: 61xx + GET RESPONSE, 6Cxx + exact Le.
    fn t0_session(&mut self, fci: &[u8], ef05_len: usize) {
        let profile = self.profile;
        let fci_len = fci.len();
        self.check("ATR (T=0)", self.card.atr() == HUNAN_ATR);
        self.expect("SELECT SSSE (T=0)", &SELECT_SSSE, 0x6100 | fci_len as u16);
        let get_response = [0x00, 0xC0, 0x00, 0x00, fci_len as u8];
        self.expect("GET RESPONSE", &get_response, 0x9000);
        self.check("FCI via GET RESPONSE", self.data() == fci);
        self.expect("VERIFY (T=0)", &hex!("0020000003888888"), 0x9000);
        self.expect("SELECT EF05", &hex!("00A4000002EF05"), 0x9000);
        self.expect(
            "READ RECORD (Le FF, T=0)",
            &hex!("00B20105FF"),
            0x6C00 | ef05_len as u16,
        );
        let rr = [0x00, 0xB2, 0x01, 0x05, ef05_len as u8];
        self.expect("READ RECORD (exact Le, T=0)", &rr, 0x9000);
        self.check("EF05 length", self.data().len() == ef05_len);
        if profile.suite != Suite::Sm4 {
            self.check("EF05 records (T=0)", self.data() == HUNAN_EF05_ALL);
        }
    }

    /// Send `cmd`, measuring the stack; the status word.
    fn send(&mut self, what: &'static str, cmd: &[u8]) -> u16 {
        let (len, stack) = measured_process(&mut self.card, cmd, &mut self.resp);
        self.apdus += 1;
        self.mark.record(what, stack);
        if !(2..=RESP_MAX).contains(&len) {
            hprintln!(
                "FAIL {} {}: response length {}",
                self.profile.name,
                what,
                len
            );
            exit(false);
        }
        self.len = len;
        u16::from_be_bytes([self.resp[len - 2], self.resp[len - 1]])
    }

    /// Send `cmd` and check its status word.
    fn expect(&mut self, what: &'static str, cmd: &[u8], want: u16) {
        let sw = self.send(what, cmd);
        if sw != want {
            hprintln!(
                "FAIL {} {}: SW {:04X}, expected {:04X}",
                self.profile.name,
                what,
                sw,
                want
            );
            exit(false);
        }
        self.checks += 1;
    }

    /// A check on response data.
    fn check(&mut self, what: &'static str, ok: bool) {
        if !ok {
            hprintln!("FAIL {} {}: {:02X?}", self.profile.name, what, self.data());
            exit(false);
        }
        self.checks += 1;
    }

    /// The last response's data (without SW).
    fn data(&self) -> &[u8] {
        &self.resp[..self.len - 2]
    }

    /// The card key `name` (the issuer's root key diversified for the Hunan card).
    fn key(&self, name: &'static str) -> Key {
        match self.keys.card_key(name, &self.factors) {
            Ok(k) => k,
            Err(_) => fail(name),
        }
    }

    /// GET CHALLENGE (8 bytes); the challenge.
    fn challenge(&mut self) -> [u8; 8] {
        self.expect("GET CHALLENGE", &hex!("0084000008"), 0x9000);
        let mut c = [0u8; 8];
        if self.data().len() != 8 {
            fail("challenge length");
        }
        c.copy_from_slice(self.data());
        c
    }

    /// GET CHALLENGE + EXTERNAL AUTHENTICATE with card key `name` (a wrong cryptogram unless `right`).
    fn ext_auth(&mut self, name: &'static str, right: bool, want: u16) {
        let Some(kid) = key_by_name(name).and_then(|k| k.kid) else {
            fail(name)
        };
        let r = self.challenge();
        let key = self.key(name);
        let Ok(mut d) = external_auth_data(self.profile, &key, &r, &hex!("0102030405060708"))
        else {
            fail("external_auth_data")
        };
        if !right {
            d[0] ^= 0x80;
        }
        let mut a = [0u8; 21];
        a[..5].copy_from_slice(&[0x00, 0x82, 0x00, kid, 0x10]);
        a[5..].copy_from_slice(&d);
        self.expect("EXTERNAL AUTHENTICATE", &a, want);
    }

    /// GET CHALLENGE, then `hdr Lc' data MAC` under `key`'s line MAC into `out`; its length.
    fn mac_apdu(&mut self, key: &'static str, hdr: [u8; 4], data: &[u8], out: &mut [u8]) -> usize {
        let r = self.challenge();
        let h5 = [hdr[0], hdr[1], hdr[2], hdr[3], (data.len() + 4) as u8];
        let k = self.key(key);
        let Ok(mac) = line_mac(self.profile, &k, &r, &[&h5, data]) else {
            fail("line_mac")
        };
        let n = 5 + data.len();
        out[..5].copy_from_slice(&h5);
        out[5..n].copy_from_slice(data);
        out[n..n + 4].copy_from_slice(&mac);
        n + 4
    }

    /// PIN RELOAD `84 24 00 01`: E_SK(Lpin ‖ BCD) under STK's process key, then the MAC.
    fn pin_reload_apdu(&mut self, bcd: &[u8], out: &mut [u8]) -> usize {
        let r = self.challenge();
        let stk = self.key("STK");
        let Ok(sk) = sscard_keys::session::process_key(self.profile, &stk, &r) else {
            fail("process_key")
        };
        let mut enc = [0u8; 48];
        let Ok(n) = encrypt_field(self.profile, &sk, bcd, &mut enc) else {
            fail("encrypt_field")
        };
        let h5 = [0x84, 0x24, 0x00, 0x01, (n + 4) as u8];
        let Ok(mac) = line_mac(self.profile, &stk, &r, &[&h5, &enc[..n]]) else {
            fail("line_mac")
        };
        out[..5].copy_from_slice(&h5);
        out[5..5 + n].copy_from_slice(&enc[..n]);
        out[5 + n..9 + n].copy_from_slice(&mac);
        n + 9
    }
}

/// Six ASCII digits → 3 BCD bytes.
fn bcd3(pin: &[u8]) -> [u8; 3] {
    let d = |i: usize| pin.get(i).map_or(0, |c| c.wrapping_sub(b'0'));
    [d(0) << 4 | d(1), d(2) << 4 | d(3), d(4) << 4 | d(5)]
}

/// `card.process(cmd, resp)` with the stack painted below the current stack pointer; (response
/// length, bytes of stack below the call site that the call overwrote).
#[inline(never)]
fn measured_process<S: Store>(card: &mut Card<S>, cmd: &[u8], resp: &mut [u8]) -> (usize, usize) {
    let sp: usize;
    // SAFETY: reads the stack pointer.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    let low = sp - PAINT_WINDOW;
    if low < heap_start() {
        fail("paint window reaches .bss");
    }
    // SAFETY: fills [low, sp) — free stack below this frame, word-aligned (the AAPCS keeps SP
    // 8-byte aligned at calls, and it is 4-byte aligned everywhere) — with the pattern; uses no
    // stack itself.
    unsafe {
        asm!(
            "2:",
            "str {pat}, [{p}], #4",
            "cmp {p}, {end}",
            "blo 2b",
            p = inout(reg) low => _,
            end = in(reg) sp,
            pat = in(reg) PAINT,
            options(nostack),
        );
    }
    // Through a function pointer the compiler cannot see through: `process` keeps its own frame,
    // all of it below `sp`.
    let process: fn(&mut Card<S>, &[u8], &mut [u8]) -> usize = Card::<S>::process;
    let len = black_box(process)(card, cmd, resp);
    let lowest: usize;
    // SAFETY: reads [low, sp) word by word up to the first word that is not the pattern.
    unsafe {
        asm!(
            "2:",
            "ldr {t}, [{p}]",
            "cmp {t}, {pat}",
            "bne 3f",
            "adds {p}, #4",
            "cmp {p}, {end}",
            "blo 2b",
            "3:",
            p = inout(reg) low => lowest,
            end = in(reg) sp,
            pat = in(reg) PAINT,
            t = out(reg) _,
            options(nostack, readonly),
        );
    }
    if lowest == low {
        fail("stack use reached the bottom of the paint window");
    }
    (len, sp - lowest)
}

/// The first address above .bss/.data (cortex-m-rt's `__sheap`): the stack must stay above it.
fn heap_start() -> usize {
    extern "C" {
        static __sheap: u32;
    }
    core::ptr::addr_of!(__sheap) as usize
}

fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

fn fail(what: &str) -> ! {
    hprintln!("FAIL: {}", what);
    exit(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("FAIL: panic: {}", info);
    exit(false)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("FAIL: HardFault at pc {:#010x}", frame.pc());
    exit(false)
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    hprintln!("FAIL: unexpected exception {}", irqn);
    exit(false)
}
