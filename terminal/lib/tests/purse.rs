//! The DF04 purse from the terminal (`Session::{balance, load, purchase, purse_log, resolve}`)
//! against the in-process card OS, both suites, with the software key set and with the emulated
//! PSAM: MAC2 checked by the module, TAC checked here from the test key set; a debit above the
//! balance charges nothing; and the card pulled at every step of the terminal's flow, before
//! and after the card executes the command, with the outcome the terminal reports and the
//! balance and log read back afterwards.
// Amounts are written yuan_fen (12_34 = 12.34 yuan), hence the digit grouping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::inconsistent_digit_grouping
)]

mod common;

use common::{demo_card, holder, personalised, profile_for, DEMO_HOLDER};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::PsamParams;
use sscard_keys::purse::{Amount, DateTime, MedicalAmounts, MedicalPurchase, TacKey};
use sscard_keys::purse::{TerminalId, TerminalSerial, TransactionType};
use sscard_keys::Profile;
use sscard_specs::purse::class;
use sscard_specs::SpecVersion;
use sscard_terminal::error::Error;
use sscard_terminal::model::Fen;
use sscard_terminal::security::psam;
use sscard_terminal::security::purse::{PurseModule, SoftwarePurse};
use sscard_terminal::security::terminal_serial::SerialStore;
use sscard_terminal::session::{PurchaseOrder, Receipt, Resolution};
use sscard_terminal::transport::emulator::{EmulatorOptions, PsamEmulatorTransport};
use sscard_terminal::transport::{Transport, TransportError};
use sscard_terminal::Session;

const PIN: &str = "123456";
const TERMINAL: [u8; 6] = [0x11, 0x01, 0x00, 0x00, 0x00, 0x42];
const WHEN: DateTime = DateTime::new([0x20, 0x26, 0x12, 0x03], [0x10, 0x20, 0x30]);

fn card(version: SpecVersion) -> common::Emu {
    if version == SpecVersion::V2_00 {
        return demo_card();
    }
    let h = DEMO_HOLDER.replace(
        "spec_version = \"2.00\"",
        &format!("spec_version = \"{}\"", version.as_str()),
    );
    personalised(&holder(&h), EmulatorOptions::default())
}

fn software(profile: &'static Profile) -> SoftwarePurse {
    SoftwarePurse::new(
        profile,
        test_issuer_keys(profile),
        TerminalId(TERMINAL),
        SerialStore::Memory(0),
    )
}

fn psam_module(
    profile: &'static Profile,
) -> psam::PsamSecurityModule<
    PsamEmulatorTransport<sscard_terminal::transport::emulator::RamPsamImage>,
> {
    let keys = test_issuer_keys(profile);
    let t = PsamEmulatorTransport::new_in_memory(&PsamParams {
        profile,
        keys: &keys,
        terminal_number: TERMINAL,
        serial: [0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01],
        issuer_id: [0x11, 0x01, 0, 0, 0, 0, 0, 0],
    })
    .unwrap();
    psam::open(t, profile).unwrap()
}

fn order(personal: u32, total: u32, fund: u32, class: u8) -> PurchaseOrder {
    PurchaseOrder {
        amounts: MedicalAmounts {
            personal_account: Amount(personal),
            total: Amount(total),
            account_and_fund: Amount(fund),
        },
        class,
        when: WHEN,
    }
}

/// The TAC of `r` recomputed from the test key set (DTK diversified by the card's factors).
fn tac_ok<T: Transport>(s: &mut Session<T>, r: &Receipt, o: &PurchaseOrder) -> bool {
    let profile = s.profile();
    let f = s.factors(sscard_specs::key::DTK).unwrap();
    let dtk = test_issuer_keys(profile)
        .card_key(sscard_specs::key::DTK, &f)
        .unwrap();
    let tk = TacKey::new(profile, &dtk).unwrap();
    let tx = MedicalPurchase {
        amounts: o.amounts,
        tx_type: TransactionType::EP_PURCHASE,
        terminal: TerminalId(TERMINAL),
        serial: TerminalSerial(r.serial.unwrap()),
        when: o.when,
    };
    tk.verify_purchase_tac(&tx, &hex::decode(&r.tac).unwrap())
}

fn session<T: Transport>(t: T) -> Session<T> {
    let mut s = Session::open(t).unwrap();
    s.set_pin(PIN).unwrap();
    s
}

#[test]
fn load_then_settle_with_the_key_set_and_the_log_shows_both() {
    for v in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let profile = profile_for(v);
        let mut s = session(card(v));
        let mut sm = software(profile);
        assert_eq!(s.balance().unwrap(), Fen(0), "{v:?}");
        let l = s.load(&mut sm, Fen(100_00), WHEN).unwrap();
        assert_eq!(
            (l.balance_before, l.balance_after, l.counter),
            (Fen(0), Fen(100_00), 0)
        );
        assert_eq!(s.balance().unwrap(), Fen(100_00));
        let o = order(12_34, 50_00, 30_00, class::WORK_INJURY);
        let r = s.purchase(&mut sm, &o).unwrap();
        assert_eq!(r.mac2_valid, Some(true), "{v:?}");
        assert_eq!((r.counter, r.serial), (0, Some(1)));
        assert_eq!(r.balance_after, Fen(87_66));
        assert!(tac_ok(&mut s, &r, &o), "{v:?}: the TAC is the issuer's");
        assert_eq!(s.balance().unwrap(), Fen(87_66));
        let log = s.purse_log().unwrap();
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!(log[0].kind, "settlement");
        assert_eq!(
            (log[0].personal_account, log[0].self_pay, log[0].pooled_fund),
            (Fen(12_34), Fen(50_00), Fen(30_00))
        );
        assert_eq!(log[0].class.as_deref(), Some("work-injury"));
        assert_eq!(log[0].terminal, "110100000042");
        assert_eq!(log[0].time, "2026-12-03 10:20:30");
        assert_eq!(
            (log[1].kind.as_str(), log[1].personal_account),
            ("load", Fen(100_00))
        );
        assert_eq!(log[1].class, None);
    }
}

#[test]
fn settle_with_the_psam_its_serials_count_up_and_mac2_is_checked() {
    for v in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let profile = profile_for(v);
        let mut s = session(card(v));
        s.load(&mut software(profile), Fen(10_00), WHEN).unwrap();
        let mut p = psam_module(profile);
        let o = order(1_00, 1_00, 0, class::ORDINARY);
        let a = s.purchase(&mut p, &o).unwrap();
        let b = s.purchase(&mut p, &o).unwrap();
        assert_eq!(
            (a.mac2_valid, b.mac2_valid),
            (Some(true), Some(true)),
            "{v:?}"
        );
        assert_eq!((a.serial, b.serial), (Some(1), Some(2)));
        assert_eq!((a.counter, b.counter), (0, 1));
        assert!(tac_ok(&mut s, &a, &o) && tac_ok(&mut s, &b, &o));
        assert_eq!(s.balance().unwrap(), Fen(8_00));
        let e = p
            .load_mac2(
                &s.factors("DLK").unwrap(),
                &sscard_terminal::security::purse::LoadRequest {
                    random: sscard_keys::purse::CardRandom([0; 4]),
                    counter: sscard_keys::purse::OnlineCounter(0),
                    balance: sscard_keys::purse::Balance(0),
                    amount: Amount(1),
                    terminal: TerminalId(TERMINAL),
                    when: WHEN,
                },
                &[0; 4],
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("load with the issuer keys"), "{e}");
    }
}

#[test]
fn refused_purchases_charge_nothing() {
    let profile = profile_for(SpecVersion::V2_00);
    let mut s = session(demo_card());
    let mut sm = software(profile);
    s.load(&mut sm, Fen(5_00), WHEN).unwrap();
    // above the balance: 9401 at INITIALIZE
    let e = s
        .purchase(&mut sm, &order(5_01, 5_01, 0, class::ORDINARY))
        .unwrap_err();
    assert!(matches!(e, Error::Card { sw, .. } if sw.0 == 0x9401), "{e}");
    assert!(e.to_string().contains("9401"), "{e}");
    // a class the card does not know: refused before anything is sent
    let n = s.apdu_count();
    let e = s
        .purchase(&mut sm, &order(1, 1, 0, b'7'))
        .unwrap_err()
        .to_string();
    assert!(e.contains("settlement class"), "{e}");
    assert_eq!(s.apdu_count(), n, "nothing sent");
    // no PIN (the card taken out and put back, no PIN given): 6982
    let mut t = s.into_transport();
    t.reset().unwrap();
    let mut s2 = Session::open(t).unwrap();
    let e = s2
        .purchase(&mut sm, &order(1, 1, 0, class::ORDINARY))
        .unwrap_err();
    assert!(matches!(e, Error::Card { sw, .. } if sw.0 == 0x6982), "{e}");
    s2.set_pin(PIN).unwrap();
    assert_eq!(s2.balance().unwrap(), Fen(5_00));
    assert_eq!(s2.purse_log().unwrap().len(), 1, "only the load");
}

// ---------------------------------------------------------------- the card pulled

/// When the card goes away, relative to the command it happens at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pull {
    /// The command never reaches the card.
    Before,
    /// The card executes the command; its answer is lost.
    After,
}

/// A transport whose card is pulled at its `at`-th transmit; every transmit after that fails
/// until the card is put back ([`Transport::reset`]: a fresh power-up, RAM state lost).
struct Pulled<T> {
    inner: T,
    n: u64,
    at: u64,
    how: Pull,
    gone: bool,
    /// `CLA INS` of every command transmitted (or attempted).
    sent: Vec<[u8; 2]>,
}

fn pulled<T>(inner: T, at: u64, how: Pull) -> Pulled<T> {
    Pulled {
        inner,
        n: 0,
        at,
        how,
        gone: false,
        sent: Vec::new(),
    }
}

/// The step names of a purchase/load flow, by `CLA INS`.
fn step(c: [u8; 2]) -> &'static str {
    match c {
        [0x00, 0xA4] => "SELECT",
        [0x00, 0xB2] => "READ RECORD",
        [0x00, 0x20] => "VERIFY",
        [0x80, 0x50] => "INITIALIZE",
        [0x80, 0x54] => "DEBIT FOR PURCHASE",
        [0x80, 0x52] => "CREDIT FOR LOAD",
        _ => "other",
    }
}

impl<T: Transport> Transport for Pulled<T> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.gone {
            return Err(TransportError::CardRemoved);
        }
        self.n += 1;
        self.sent.push([cmd[0], cmd.get(1).copied().unwrap_or(0)]);
        if self.n == self.at {
            self.gone = true;
            if self.how == Pull::After {
                let _ = self.inner.transmit(cmd);
            }
            return Err(TransportError::CardRemoved);
        }
        self.inner.transmit(cmd)
    }
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.gone = false;
        self.at = 0;
        self.inner.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.inner.apdu_count()
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Reported {
    Charged,
    NotCharged,
    /// Resolved after reinsertion.
    ResolvedCharged,
    ResolvedNotCharged,
}

/// Pull the card at every transmit of a purchase (and of a load), before and after the card
/// executes it. Each time: the terminal's report is "charged" or "not charged" (directly, or
/// after reinsertion through GET TRANSACTION PROVE), the balance read back agrees with it, and
/// the retry that follows a "not charged" charges exactly once.
#[test]
fn card_pulled_at_every_step_is_never_a_guess_and_a_retry_never_charges_twice() {
    for v in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let profile = profile_for(v);
        // transmits of one purchase on a fresh session with the PIN stored
        let steps = {
            let mut s = session(card(v));
            s.load(&mut software(profile), Fen(50_00), WHEN).unwrap();
            let mut t = s.into_transport();
            t.reset().unwrap();
            let mut s = session(pulled(t, 0, Pull::Before));
            s.purchase(
                &mut software(profile),
                &order(7_00, 7_00, 0, class::MATERNITY),
            )
            .unwrap();
            s.into_transport().sent.split_off(1)
        };
        let names: Vec<_> = steps.iter().map(|c| step(*c)).collect();
        assert_eq!(names.last(), Some(&"DEBIT FOR PURCHASE"), "{names:?}");
        assert!(names.contains(&"INITIALIZE"), "{names:?}");
        let mut seen = Vec::new();
        for at in 1..=steps.len() as u64 {
            for how in [Pull::Before, Pull::After] {
                let mut s = session(card(v));
                let mut sm = software(profile);
                s.load(&mut sm, Fen(50_00), WHEN).unwrap();
                let mut t = s.into_transport();
                t.reset().unwrap();
                // +1: SELECT SSSE of Session::open
                let mut s = session(pulled(t, at + 1, how));
                let o = order(7_00, 7_00, 0, class::MATERNITY);
                let first = s.purchase(&mut sm, &o);
                let mut t = s.into_transport();
                t.reset().unwrap(); // the card is back
                let mut s = session(t);
                let reported = match first {
                    Ok(r) => {
                        assert!(tac_ok(&mut s, &r, &o));
                        Reported::Charged
                    }
                    Err(Error::InDoubt(p)) => match s.resolve(&p, Some(&mut sm)).unwrap() {
                        Resolution::Charged(r) => {
                            assert!(r.recovered);
                            assert!(tac_ok(&mut s, &r, &o), "{v:?} {at} {how:?}: proven TAC");
                            assert_eq!(r.mac2_valid, Some(true));
                            Reported::ResolvedCharged
                        }
                        Resolution::NotCharged => Reported::ResolvedNotCharged,
                    },
                    Err(_) => Reported::NotCharged,
                };
                let balance = s.balance().unwrap();
                let charged = matches!(reported, Reported::Charged | Reported::ResolvedCharged);
                assert_eq!(
                    balance,
                    Fen(if charged { 43_00 } else { 50_00 }),
                    "{v:?} pulled at {at} {how:?}: reported {reported:?}"
                );
                if !charged {
                    s.purchase(&mut sm, &o).unwrap();
                }
                assert_eq!(s.balance().unwrap(), Fen(43_00), "charged exactly once");
                let log = s.purse_log().unwrap();
                assert_eq!(
                    log.len(),
                    2,
                    "{v:?} {at} {how:?}: one load + one settlement"
                );
                seen.push((names[at as usize - 1], how, reported));
            }
        }
        // the in-doubt cases really happened: DEBIT pulled before and after execution
        assert!(
            seen.iter().any(|x| x.2 == Reported::ResolvedCharged),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|x| x.2 == Reported::ResolvedNotCharged),
            "{seen:?}"
        );
        if v == SpecVersion::V2_00 {
            for (name, how, r) in &seen {
                eprintln!("purchase: card pulled at {name} ({how:?}): {r:?}");
            }
        }
    }
}

#[test]
fn card_pulled_during_a_load_is_resolved_the_same_way() {
    let v = SpecVersion::V2_00;
    let profile = profile_for(v);
    let steps = {
        let mut t = card(v);
        t.reset().unwrap();
        let mut s = session(pulled(t, 0, Pull::Before));
        s.load(&mut software(profile), Fen(1_00), WHEN).unwrap();
        s.into_transport().sent.split_off(1)
    };
    assert_eq!(steps.last().map(|c| step(*c)), Some("CREDIT FOR LOAD"));
    let mut outcomes = Vec::new();
    for at in 1..=steps.len() as u64 {
        for how in [Pull::Before, Pull::After] {
            let mut t = card(v);
            t.reset().unwrap();
            let mut s = session(pulled(t, at + 1, how));
            let mut sm = software(profile);
            let first = s.load(&mut sm, Fen(1_00), WHEN);
            let mut t = s.into_transport();
            t.reset().unwrap();
            let mut s = session(t);
            let charged = match first {
                Ok(_) => true,
                Err(Error::InDoubt(p)) => matches!(
                    s.resolve(&p, None).unwrap(),
                    Resolution::Charged(ref r) if r.recovered
                ),
                Err(_) => false,
            };
            assert_eq!(
                s.balance().unwrap(),
                Fen(if charged { 1_00 } else { 0 }),
                "load pulled at {at} {how:?}"
            );
            eprintln!(
                "load: card pulled at {} ({how:?}): charged {charged}",
                step(steps[at as usize - 1])
            );
            outcomes.push(charged);
        }
    }
    assert!(outcomes.contains(&true) && outcomes.contains(&false));
}
