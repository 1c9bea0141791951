//! `iDoDebit` / `iReadDebitRecord` of the national core over the in-process card OS and PSAM:
//! the settlement and its log record, bad pPayInfo and pCardInfo charging nothing, and the card
//! lost during DEBIT FOR PURCHASE (before / after the card executes it): the call fails with −4,
//! and the retry with the same pPayInfo answers the transaction the card made — never a second
//! charge (the log read back has exactly one settlement).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use common::{demo_card, profile_for};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::PsamParams;
use sscard_specs::SpecVersion;
use sscard_terminal::national::{self, Device, DynTransport, Interface, NationalError, PinPrompt};
use sscard_terminal::transport::emulator::PsamEmulatorTransport;
use sscard_terminal::transport::{SharedTransport, Transport, TransportError};
use zeroize::Zeroizing;

const NONE: u8 = 0;
const BEFORE: u8 = 1;
const AFTER: u8 = 2;

/// The card, pulled once at the next DEBIT FOR PURCHASE when armed; put back (a fresh
/// power-up) before the next command after that.
struct Pullable {
    inner: common::Emu,
    arm: Arc<AtomicU8>,
    pulled: bool,
}

impl Transport for Pullable {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.pulled {
            self.pulled = false;
            self.inner.reset()?;
        }
        if cmd.get(..2) == Some(&[0x80, 0x54]) {
            let mode = self.arm.swap(NONE, Ordering::SeqCst);
            if mode != NONE {
                if mode == AFTER {
                    let _ = self.inner.transmit(cmd);
                }
                self.pulled = true;
                return Err(TransportError::CardRemoved);
            }
        }
        self.inner.transmit(cmd)
    }
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.pulled = false;
        self.inner.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.inner.apdu_count()
    }
}

type Psam =
    SharedTransport<PsamEmulatorTransport<sscard_terminal::transport::emulator::RamPsamImage>>;

struct Dev {
    card: SharedTransport<Pullable>,
    psam: Psam,
}

impl Device for Dev {
    fn open_card(&mut self, i: Interface) -> Result<DynTransport, NationalError> {
        match i {
            Interface::Contact => Ok(Box::new(self.card.clone())),
            _ => Err(TransportError::NoCard("contactless".into()).into()),
        }
    }
    fn open_psam(&mut self) -> Result<DynTransport, NationalError> {
        Ok(Box::new(self.psam.clone()))
    }
    fn enter_pin(&mut self, _: PinPrompt) -> Result<Zeroizing<String>, NationalError> {
        Ok(Zeroizing::new("123456".into()))
    }
}

fn dev() -> (Dev, Arc<AtomicU8>) {
    let profile = profile_for(SpecVersion::V2_00);
    let keys = test_issuer_keys(profile);
    let psam = SharedTransport::new(
        PsamEmulatorTransport::new_in_memory(&PsamParams {
            profile,
            keys: &keys,
            terminal_number: [0x11, 0x01, 0x00, 0x00, 0x00, 0x01],
            serial: [0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01],
            issuer_id: [0x11, 0x01, 0, 0, 0, 0, 0, 0],
        })
        .unwrap(),
    );
    let arm = Arc::new(AtomicU8::new(NONE));
    let card = SharedTransport::new(Pullable {
        inner: demo_card(),
        arm: Arc::clone(&arm),
        pulled: false,
    });
    (Dev { card, psam }, arm)
}

/// `iDoDebit` keeps a lost transaction per process (by card id, and every test card has the
/// demo card's id): the tests run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

const CARD_INFO: &str = "110100D156000005000000013FB0911D|A00000011|";
const PAY: &str = "12.5|3.05|20261203101010|";

fn settlements(d: &mut Dev) -> Vec<String> {
    let out = national::read_debit_record(d, 1).unwrap();
    let f: Vec<&str> = out.split('|').collect();
    f.chunks(7)
        .filter(|c| c.len() == 7)
        .map(|c| c.join("|"))
        .collect()
}

#[test]
fn do_debit_charges_once_and_the_record_reads_back() {
    let _g = one_at_a_time();
    let (mut d, _) = dev();
    assert!(settlements(&mut d).is_empty());
    let out = national::do_debit(&mut d, 1, CARD_INFO, PAY).unwrap();
    let f: Vec<&str> = out.split('|').collect();
    assert_eq!(
        &f[..4],
        ["0", "110100000001", "1", "20261203101010"],
        "{out}"
    );
    assert_eq!((f[4].len(), f[5].len(), f.len()), (8, 8, 7), "{out}");
    assert_eq!(
        settlements(&mut d),
        ["0|2|110100000001|20261203101010|0.00|12.50|3.05"]
    );
}

#[test]
fn bad_pay_info_or_card_info_charges_nothing() {
    let _g = one_at_a_time();
    let (mut d, _) = dev();
    for (card, pay, code) in [
        (CARD_INFO, "", -14),
        (CARD_INFO, "12.5|3.05|", -14),
        (CARD_INFO, "-1|3.05|20261203101010|", -14),
        (CARD_INFO, "x|3.05|20261203101010|", -14),
        (CARD_INFO, "1.234|3.05|20261203101010|", -14),
        (CARD_INFO, "1|2|20261203251010|", -14),
        (CARD_INFO, "1|2|2026120310101|", -14),
        (CARD_INFO, "99999999999|2|20261203101010|", -14),
        ("", PAY, -14),
        ("00000000000000000000000000000000|A00000011|", PAY, -22),
        ("nothex|A00000011|", PAY, -20),
    ] {
        let e = national::do_debit(&mut d, 1, card, pay).unwrap_err();
        assert_eq!(e.code(), code, "{card} {pay}: {e}");
    }
    assert!(settlements(&mut d).is_empty(), "nothing charged");
}

fn lost_then_retried(mode: u8) -> (String, Vec<String>) {
    let _g = one_at_a_time();
    let (mut d, arm) = dev();
    arm.store(mode, Ordering::SeqCst);
    let e = national::do_debit(&mut d, 1, CARD_INFO, PAY).unwrap_err();
    assert_eq!(e.code(), -4, "{e}");
    assert!(e.to_string().contains("not known yet"), "{e}");
    let out = national::do_debit(&mut d, 1, CARD_INFO, PAY).unwrap();
    (out, settlements(&mut d))
}

#[test]
fn card_lost_before_debit_the_retry_charges_once() {
    let (out, log) = lost_then_retried(BEFORE);
    assert!(out.starts_with("0|110100000001|2|"), "a new serial: {out}");
    assert_eq!(log.len(), 1, "{log:?}");
}

#[test]
fn card_lost_after_debit_the_retry_answers_the_charged_transaction() {
    let (out, log) = lost_then_retried(AFTER);
    assert!(
        out.starts_with("0|110100000001|1|20261203101010|"),
        "the lost transaction, serial 1: {out}"
    );
    assert_eq!(log.len(), 1, "never charged twice: {log:?}");
}
