//! Purse cryptography (`sscard_keys::purse`): the public load vector of crypto.md §1.4 [V], the
//! purchase regression of §2.3 [S], sscard regression values for the remaining MACs/TACs and
//! both suites [S], and property tests (compute → verify round trips, any flipped MAC byte
//! fails).
//!
//! The [S] values below were computed independently with Python `cryptography` 48 (which
//! reproduces the §1.4/§2.3 values too), not with this crate; they pin behaviour, they are not
//! an external authority.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use hex_literal::hex;
use proptest::prelude::*;
use sscard_keys::algorithm::Algorithm;
use sscard_keys::profile::{Profile, PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::purse::{
    load_process_key, purchase_process_key, tac_key, Amount, Balance, CardRandom, DateTime, Load,
    LoadSession, MedicalAmounts, MedicalPurchase, OfflineCounter, OnlineCounter, Purchase,
    PurchaseMessage, PurchaseSession, TacKey, TerminalId, TerminalSerial, TransactionType,
};
use sscard_keys::Key;

fn key(alg: Algorithm, b: &[u8]) -> Key {
    Key::new(alg, b).unwrap()
}

const K1122: [u8; 16] = hex!("11223344556677888877665544332211");
const DTK_2_3: [u8; 16] = hex!("479E71BEFF107A76138D34F84B2031FF");
const K0123: [u8; 16] = hex!("0123456789ABCDEFFEDCBA9876543210");
const KFEDC: [u8; 16] = hex!("FEDCBA98765432100123456789ABCDEF");
const TERM: TerminalId = TerminalId(hex!("001122334455"));
const WHEN: DateTime = DateTime::from_bytes(hex!("20111221214822"));
const RND: CardRandom = CardRandom(hex!("11223344"));

/// The load of crypto.md §1.4: 0x1000 fen, ED load, terminal 001122334455.
const LOAD: Load = Load {
    amount: Amount(0x1000),
    tx_type: TransactionType::ED_LOAD,
    terminal: TERM,
};

fn purchase() -> Purchase {
    Purchase {
        amount: Amount(0x64),
        tx_type: TransactionType::EP_PURCHASE,
        terminal: TERM,
        serial: TerminalSerial(1),
        when: WHEN,
    }
}

fn medical() -> MedicalPurchase {
    MedicalPurchase {
        amounts: MedicalAmounts::settlement(Amount(300), Amount(200)),
        tx_type: TransactionType::EP_PURCHASE,
        terminal: TERM,
        serial: TerminalSerial(1),
        when: WHEN,
    }
}

// ---------- crypto.md §1.4 public load vector [V] ----------

#[test]
fn load_vector_crypto_md_1_4() {
    let dlk = key(Algorithm::Tdes2, &K1122);
    // INITIALIZE FOR LOAD answer: balance 00000000, online ctr 0000, rnd 11223344, MAC1 2988AE5A
    let seslk = load_process_key(&SSCARD_2, &dlk, RND, OnlineCounter(0)).unwrap();
    assert_eq!(seslk.algorithm(), Algorithm::Des);
    assert_eq!(seslk.as_bytes(), hex!("9B1D924E05595603"));
    let card = LoadSession::new(&SSCARD_2, &dlk, RND, OnlineCounter(0)).unwrap();
    assert_eq!(card.mac1(Balance(0), &LOAD).unwrap(), hex!("2988AE5A"));
    // CREDIT FOR LOAD 80 52 00 00 0B | 20111221 214822 3A845BF0
    let terminal = LoadSession::from_process_key(&seslk);
    assert!(terminal.verify_mac1(Balance(0), &LOAD, &hex!("2988AE5A")));
    assert_eq!(terminal.mac2(&LOAD, &WHEN).unwrap(), hex!("3A845BF0"));
    assert!(card.verify_mac2(&LOAD, &WHEN, &hex!("3A845BF0")));
    assert!(!card.verify_mac2(&LOAD, &WHEN, &hex!("3A845BF1")));
    assert!(!card.verify_mac2(&LOAD, &WHEN, &hex!("3A845B")));
    // the same for the other 3DES profile
    let p = LoadSession::new(&PBOC_CLASSIC_2, &dlk, RND, OnlineCounter(0)).unwrap();
    assert_eq!(p.mac1(Balance(0), &LOAD).unwrap(), hex!("2988AE5A"));
}

// ---------- crypto.md §2.3 purchase regression [S] ----------

#[test]
fn purchase_key_and_tac_key_crypto_md_2_3() {
    let dpk = key(Algorithm::Tdes2, &K1122);
    let sespk = purchase_process_key(
        &SSCARD_2,
        &dpk,
        RND,
        OfflineCounter(0),
        TerminalSerial(0x0000_0001),
    )
    .unwrap();
    assert_eq!(sespk.algorithm(), Algorithm::Des);
    assert_eq!(sespk.as_bytes(), hex!("003238ABC57659DD"));
    // only the rightmost 2 bytes of the terminal serial enter SESPK
    let high = purchase_process_key(
        &SSCARD_2,
        &dpk,
        RND,
        OfflineCounter(0),
        TerminalSerial(0xABCD_0001),
    )
    .unwrap();
    assert_eq!(high, sespk);
    let tk = tac_key(&SSCARD_2, &key(Algorithm::Tdes2, &DTK_2_3)).unwrap();
    assert_eq!(tk.algorithm(), Algorithm::Des);
    assert_eq!(tk.as_bytes(), hex!("54134546B4304B89"));
}

// ---------- sscard regression values [S] ----------

#[test]
fn tdes_suite_regression_s() {
    let tac = TacKey::new(&SSCARD_2, &key(Algorithm::Tdes2, &DTK_2_3)).unwrap();
    assert_eq!(
        tac.load_tac(Balance(0x1000), OnlineCounter(0), &LOAD, &WHEN)
            .unwrap(),
        hex!("5B35865C")
    );
    let s = PurchaseSession::new(
        &SSCARD_2,
        &key(Algorithm::Tdes2, &K1122),
        RND,
        OfflineCounter(0),
        TerminalSerial(1),
    )
    .unwrap();
    let p = purchase();
    assert_eq!(s.mac1(&p).unwrap(), hex!("23FD4B3E"));
    assert_eq!(s.mac2(&p).unwrap(), hex!("D245F03A"));
    assert_eq!(tac.purchase_tac(&p).unwrap(), hex!("626A4611"));
    let m = medical();
    assert_eq!(s.mac1(&m).unwrap(), hex!("338D6502"));
    assert_eq!(s.mac2(&m).unwrap(), hex!("EF193C9B"));
    assert_eq!(tac.purchase_tac(&m).unwrap(), hex!("89B7D8F9"));
    assert!(s.verify_mac1(&m, &hex!("338D6502")));
    assert!(!s.verify_mac1(&p, &hex!("338D6502")));
    assert!(tac.verify_purchase_tac(&m, &hex!("89B7D8F9")));
}

#[test]
fn sm4_suite_regression_s() {
    let dlk = key(Algorithm::Sm4, &K0123);
    let seslk = load_process_key(&SSCARD_3, &dlk, RND, OnlineCounter(0)).unwrap();
    assert_eq!(seslk.algorithm(), Algorithm::Sm4);
    assert_eq!(seslk.as_bytes(), hex!("B8DDC2428D8E28E0E20572AEB493187E"));
    let l = LoadSession::from_process_key(&seslk);
    assert_eq!(l.mac1(Balance(0), &LOAD).unwrap(), hex!("7D601C02"));
    assert_eq!(l.mac2(&LOAD, &WHEN).unwrap(), hex!("9C1155F5"));
    let dtk = key(Algorithm::Sm4, &KFEDC);
    assert_eq!(tac_key(&SSCARD_3, &dtk).unwrap(), dtk); // TacKeyRule::Direct
    let tac = TacKey::new(&SSCARD_3, &dtk).unwrap();
    assert_eq!(
        tac.load_tac(Balance(0x1000), OnlineCounter(0), &LOAD, &WHEN)
            .unwrap(),
        hex!("A3CCEBC6")
    );
    let sespk =
        purchase_process_key(&SSCARD_3, &dlk, RND, OfflineCounter(0), TerminalSerial(1)).unwrap();
    assert_eq!(sespk.as_bytes(), hex!("A4AF91355FCACDF8A1A27DB580DFB81B"));
    let s = PurchaseSession::from_process_key(&sespk);
    let p = purchase();
    assert_eq!(s.mac1(&p).unwrap(), hex!("0D20E9E6"));
    assert_eq!(s.mac2(&p).unwrap(), hex!("0604FB61"));
    assert_eq!(tac.purchase_tac(&p).unwrap(), hex!("6EB92DC7"));
    let m = medical();
    assert_eq!(s.mac1(&m).unwrap(), hex!("9BB6215C"));
    assert_eq!(s.mac2(&m).unwrap(), hex!("088D8D51"));
    assert_eq!(tac.purchase_tac(&m).unwrap(), hex!("9724B018"));
}

#[test]
fn sm4_process_key_is_the_sm4_diversification_step() {
    // SESPK input 12345678 ‖ 9012 ‖ 3445 = the §2.2 factor 1234567890123445 → crypto.md §2.2 [S]
    let sespk = purchase_process_key(
        &SSCARD_3,
        &key(Algorithm::Sm4, &K0123),
        CardRandom(hex!("12345678")),
        OfflineCounter(0x9012),
        TerminalSerial(0x3445),
    )
    .unwrap();
    assert_eq!(sespk.as_bytes(), hex!("1E7D5BB9E0A1ABA11531AE1083DB3A0D"));
}

#[test]
fn suites_refuse_the_other_suites_keys() {
    let sm4 = key(Algorithm::Sm4, &K0123);
    let tdes = key(Algorithm::Tdes2, &K1122);
    assert!(LoadSession::new(&SSCARD_2, &sm4, RND, OnlineCounter(0)).is_err());
    assert!(
        PurchaseSession::new(&SSCARD_2, &sm4, RND, OfflineCounter(0), TerminalSerial(0)).is_err()
    );
    assert!(TacKey::new(&SSCARD_2, &sm4).is_err());
    assert!(TacKey::new(&SSCARD_2, &key(Algorithm::Des, &[1; 8])).is_err());
    assert!(LoadSession::new(
        &SSCARD_3,
        &key(Algorithm::Des, &[1; 8]),
        RND,
        OnlineCounter(0)
    )
    .is_err());
    // 2-key 3DES under the SM4 suite's complement rule is defined (16-byte 3DES SESxK)
    assert_eq!(
        load_process_key(&SSCARD_3, &tdes, RND, OnlineCounter(0))
            .unwrap()
            .algorithm(),
        Algorithm::Tdes2
    );
}

// ---------- properties ----------

fn suite(which: usize) -> &'static Profile {
    [&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2][which]
}

fn card_key(p: &Profile, bytes: &[u8; 16]) -> Key {
    Key::new(p.key_algorithm(), bytes).unwrap()
}

prop_compose! {
    fn date_time()(b in any::<[u8; 7]>()) -> DateTime { DateTime::from_bytes(b) }
}

prop_compose! {
    fn load()(amount in any::<u32>(), t in any::<u8>(), term in any::<[u8; 6]>()) -> Load {
        Load { amount: Amount(amount), tx_type: TransactionType(t), terminal: TerminalId(term) }
    }
}

prop_compose! {
    fn purchase_tx()(
        amount in any::<u32>(), t in any::<u8>(), term in any::<[u8; 6]>(),
        serial in any::<u32>(), when in date_time(),
    ) -> Purchase {
        Purchase {
            amount: Amount(amount),
            tx_type: TransactionType(t),
            terminal: TerminalId(term),
            serial: TerminalSerial(serial),
            when,
        }
    }
}

prop_compose! {
    fn medical_tx()(
        a in any::<[u32; 3]>(), t in any::<u8>(), term in any::<[u8; 6]>(),
        serial in any::<u32>(), when in date_time(),
    ) -> MedicalPurchase {
        MedicalPurchase {
            amounts: MedicalAmounts {
                personal_account: Amount(a[0]),
                total: Amount(a[1]),
                account_and_fund: Amount(a[2]),
            },
            tx_type: TransactionType(t),
            terminal: TerminalId(term),
            serial: TerminalSerial(serial),
            when,
        }
    }
}

/// `mac` verifies, and every single-byte change of it (any position, any non-zero XOR) and
/// every truncation fails.
fn check_tamper(
    mac: [u8; 4],
    pos: usize,
    x: u8,
    verify: impl Fn(&[u8]) -> bool,
) -> Result<(), TestCaseError> {
    prop_assert!(verify(&mac));
    let mut bad = mac;
    bad[pos] ^= x;
    prop_assert!(!verify(&bad));
    prop_assert!(!verify(&mac[..3]));
    prop_assert!(!verify(&[]));
    Ok(())
}

proptest! {
    #[test]
    fn load_round_trip_and_tamper(
        which in 0usize..3,
        k in any::<[u8; 16]>(),
        dtk in any::<[u8; 16]>(),
        rnd in any::<[u8; 4]>(),
        ctr in any::<u16>(),
        balance in any::<u32>(),
        new_balance in any::<u32>(),
        ld in load(),
        when in date_time(),
        pos in 0usize..4,
        x in 1u8..=255,
    ) {
        let p = suite(which);
        let dlk = card_key(p, &k);
        // card and terminal derive SESLK independently
        let card = LoadSession::new(p, &dlk, CardRandom(rnd), OnlineCounter(ctr)).unwrap();
        let terminal = LoadSession::from_process_key(
            &load_process_key(p, &dlk, CardRandom(rnd), OnlineCounter(ctr)).unwrap(),
        );
        let mac1 = card.mac1(Balance(balance), &ld).unwrap();
        check_tamper(mac1, pos, x, |m| terminal.verify_mac1(Balance(balance), &ld, m))?;
        let mac2 = terminal.mac2(&ld, &when).unwrap();
        check_tamper(mac2, pos, x, |m| card.verify_mac2(&ld, &when, m))?;
        let tac_card = TacKey::new(p, &card_key(p, &dtk)).unwrap();
        let tac_host = TacKey::from_tac_key(&tac_key(p, &card_key(p, &dtk)).unwrap());
        let tac = tac_card.load_tac(Balance(new_balance), OnlineCounter(ctr), &ld, &when).unwrap();
        check_tamper(tac, pos, x, |m| {
            tac_host.verify_load_tac(Balance(new_balance), OnlineCounter(ctr), &ld, &when, m)
        })?;
    }

    #[test]
    fn purchase_round_trip_and_tamper(
        which in 0usize..3,
        k in any::<[u8; 16]>(),
        dtk in any::<[u8; 16]>(),
        rnd in any::<[u8; 4]>(),
        ctr in any::<u16>(),
        tx in purchase_tx(),
        pos in 0usize..4,
        x in 1u8..=255,
    ) {
        let p = suite(which);
        let dpk = card_key(p, &k);
        let card = PurchaseSession::new(p, &dpk, CardRandom(rnd), OfflineCounter(ctr), tx.serial)
            .unwrap();
        let psam = PurchaseSession::from_process_key(
            &purchase_process_key(p, &dpk, CardRandom(rnd), OfflineCounter(ctr), tx.serial)
                .unwrap(),
        );
        let mac1 = psam.mac1(&tx).unwrap();
        check_tamper(mac1, pos, x, |m| card.verify_mac1(&tx, m))?;
        let mac2 = card.mac2(&tx).unwrap();
        check_tamper(mac2, pos, x, |m| psam.verify_mac2(&tx, m))?;
        let tac_key = TacKey::new(p, &card_key(p, &dtk)).unwrap();
        let tac = tac_key.purchase_tac(&tx).unwrap();
        check_tamper(tac, pos, x, |m| tac_key.verify_purchase_tac(&tx, m))?;
    }

    #[test]
    fn medical_round_trip_and_tamper(
        which in 0usize..3,
        k in any::<[u8; 16]>(),
        dtk in any::<[u8; 16]>(),
        rnd in any::<[u8; 4]>(),
        ctr in any::<u16>(),
        tx in medical_tx(),
        pos in 0usize..4,
        x in 1u8..=255,
    ) {
        let p = suite(which);
        let dpk = card_key(p, &k);
        let card = PurchaseSession::new(p, &dpk, CardRandom(rnd), OfflineCounter(ctr), tx.serial)
            .unwrap();
        let hsm = PurchaseSession::new(p, &dpk, CardRandom(rnd), OfflineCounter(ctr), tx.serial)
            .unwrap();
        let mac1 = hsm.mac1(&tx).unwrap();
        check_tamper(mac1, pos, x, |m| card.verify_mac1(&tx, m))?;
        let mac2 = card.mac2(&tx).unwrap();
        check_tamper(mac2, pos, x, |m| hsm.verify_mac2(&tx, m))?;
        let tac_key = TacKey::new(p, &card_key(p, &dtk)).unwrap();
        let tac = tac_key.purchase_tac(&tx).unwrap();
        check_tamper(tac, pos, x, |m| tac_key.verify_purchase_tac(&tx, m))?;
    }

    #[test]
    fn input_layouts_have_the_documented_fields(
        tx in medical_tx(),
        p in purchase_tx(),
        ld in load(),
        balance in any::<u32>(),
        ctr in any::<u16>(),
        when in date_time(),
    ) {
        let a = tx.amounts;
        let mut amounts = Vec::new();
        for v in [a.personal_account.0, a.total.0, a.account_and_fund.0] {
            amounts.extend_from_slice(&v.to_be_bytes());
        }
        prop_assert_eq!(&tx.mac2_input()[..], &amounts[..]);
        prop_assert_eq!(&tx.mac1_input()[..12], &amounts[..]);
        let rest = [&[tx.tx_type.0][..], &tx.terminal.0, &tx.when.to_bytes()].concat();
        prop_assert_eq!(&tx.mac1_input()[12..], &rest[..]);
        prop_assert_eq!(&tx.tac_input()[19..23], &tx.serial.0.to_be_bytes());
        prop_assert_eq!(&p.mac2_input(), &p.amount.0.to_be_bytes());
        prop_assert_eq!(&p.tac_input()[11..15], &p.serial.0.to_be_bytes());
        prop_assert_eq!(&p.tac_input()[15..], &p.when.to_bytes());
        prop_assert_eq!(&ld.mac1_input(Balance(balance))[..4], &balance.to_be_bytes());
        let tac = ld.tac_input(Balance(balance), OnlineCounter(ctr), &when);
        prop_assert_eq!(&tac[4..6], &ctr.to_be_bytes());
        prop_assert_eq!(&ld.mac2_input(&when)[11..], &when.to_bytes());
    }
}
