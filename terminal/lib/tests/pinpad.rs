//! PIN pads (PC/SC part 10) for `iVerifyPIN` / `iChangePIN`: the national functions over a
//! reader that has a PIN pad. The reader here does what part 10 §2.5 says a pad reader does
//! with a `PIN_VERIFY_STRUCTURE` / `PIN_MODIFY_STRUCTURE`: it reads the structure, collects the
//! holder's digits (a scripted keypad), checks their count against min/max, writes them as
//! packed BCD into the APDU of `abData` at the position `bmFormatString` / the insertion offsets
//! give, sends that APDU to the card (the in-process card OS) and returns the card's answer, or
//! its own `64 00` (timeout), `64 01` (cancel), `64 02` (the new PINs differ), `64 03` (length).
//! The host never sees the PIN: no VERIFY or CHANGE PIN passes through `transmit`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use common::{holder, personalised, DEMO_HOLDER};
use sscard_terminal::national::{self, Device, DynTransport, Interface, NationalError, PinPrompt};
use sscard_terminal::transport::emulator::EmulatorOptions;
use sscard_terminal::transport::pinpad::{
    PinPadFeatures, PinPadLayout, FEATURE_MODIFY_PIN_DIRECT, FEATURE_VERIFY_PIN_DIRECT,
};
use sscard_terminal::transport::{SharedTransport, Transport, TransportError};
use sscard_terminal::Session;
use zeroize::Zeroizing;

type Card = SharedTransport<common::Emu>;

const VERIFY_CODE: u32 = 0x4233_1306;
const MODIFY_CODE: u32 = 0x4233_1307;
/// The demo holder's PIN (demo/holder.toml).
const DEMO_PIN: &str = "123456";

/// What the holder does at the pad, one entry per prompt.
#[derive(Clone, Debug)]
enum Key {
    Digits(&'static str),
    Cancel,
    Timeout,
}

/// A reader with a PIN pad, in front of the emulated card.
#[derive(Clone)]
struct PadReader {
    card: Card,
    keypad: Arc<Mutex<VecDeque<Key>>>,
    /// INS bytes of the APDUs the host sent with `transmit`.
    host_ins: Arc<Mutex<Vec<u8>>>,
    has_pad: bool,
}

fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn le32(b: &[u8]) -> usize {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
}

impl PadReader {
    fn next_entry(&self, min: u8, max: u8) -> Result<&'static str, [u8; 2]> {
        match self.keypad.lock().unwrap().pop_front() {
            Some(Key::Digits(d)) if (min as usize..=max as usize).contains(&d.len()) => Ok(d),
            Some(Key::Digits(_)) => Err([0x64, 0x03]),
            Some(Key::Cancel) | None => Err([0x64, 0x01]),
            Some(Key::Timeout) => Err([0x64, 0x00]),
        }
    }

    /// Write `digits` as left-justified packed BCD at byte `at` of the APDU's data field.
    fn insert(apdu: &mut [u8], at: usize, digits: &str) {
        for (i, d) in digits.bytes().enumerate() {
            let nib = d - b'0';
            let b = &mut apdu[5 + at + i / 2];
            *b = if i % 2 == 0 {
                (*b & 0x0F) | (nib << 4)
            } else {
                (*b & 0xF0) | nib
            };
        }
    }

    fn verify(&self, s: &[u8]) -> Vec<u8> {
        let fmt = s[2];
        assert_eq!(fmt & 0x03, 0x01, "BCD");
        assert_eq!(fmt & 0x80, 0x80, "system units: bytes");
        assert_eq!(fmt & 0x04, 0, "left-justified");
        let pos = usize::from((fmt >> 3) & 0x0F);
        let block = usize::from(s[3] & 0x0F);
        let [min, max] = le16(&s[5..7]).to_be_bytes();
        assert_eq!(s[7], 0x02, "validation key");
        let len = le32(&s[15..19]);
        let mut apdu = s[19..].to_vec();
        assert_eq!(apdu.len(), len, "ulDataLength");
        assert_eq!(usize::from(apdu[4]), block, "Lc = PIN block");
        let digits = match self.next_entry(min, max) {
            Ok(d) => d,
            Err(sw) => return sw.to_vec(),
        };
        Self::insert(&mut apdu, pos, digits);
        self.card.clone().transmit(&apdu).unwrap()
    }

    fn modify(&self, s: &[u8]) -> Vec<u8> {
        let (old_at, new_at) = (usize::from(s[5]), usize::from(s[6]));
        let [min, max] = le16(&s[7..9]).to_be_bytes();
        let confirm = s[9] & 0x01 != 0;
        let len = le32(&s[20..24]);
        let mut apdu = s[24..].to_vec();
        assert_eq!(apdu.len(), len, "ulDataLength");
        let old = match self.next_entry(min, max) {
            Ok(d) => d,
            Err(sw) => return sw.to_vec(),
        };
        let new = match self.next_entry(min, max) {
            Ok(d) => d,
            Err(sw) => return sw.to_vec(),
        };
        if confirm {
            match self.next_entry(min, max) {
                Ok(again) if again == new => {}
                Ok(_) => return vec![0x64, 0x02],
                Err(sw) => return sw.to_vec(),
            }
        }
        Self::insert(&mut apdu, old_at, old);
        Self::insert(&mut apdu, new_at, new);
        self.card.clone().transmit(&apdu).unwrap()
    }
}

impl Transport for PadReader {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.host_ins.lock().unwrap().push(cmd[1]);
        self.card.transmit(cmd)
    }
    fn atr(&self) -> &[u8] {
        self.card.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.card.apdu_count()
    }
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        if !self.has_pad {
            return Ok(PinPadFeatures::NONE);
        }
        let mut list = vec![FEATURE_VERIFY_PIN_DIRECT, 4];
        list.extend_from_slice(&VERIFY_CODE.to_be_bytes());
        list.extend_from_slice(&[FEATURE_MODIFY_PIN_DIRECT, 4]);
        list.extend_from_slice(&MODIFY_CODE.to_be_bytes());
        Ok(PinPadFeatures::parse(&list).unwrap())
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        match code {
            VERIFY_CODE if self.has_pad => Ok(self.verify(data)),
            MODIFY_CODE if self.has_pad => Ok(self.modify(data)),
            _ => Err(TransportError::Pcsc {
                op: "SCardControl",
                message: "unsupported".into(),
            }),
        }
    }
}

struct PadDevice {
    reader: PadReader,
    use_pad: bool,
    /// PINs of the configured PIN-entry program (used only without a pad).
    program: VecDeque<&'static str>,
}

impl Device for PadDevice {
    fn open_card(&mut self, i: Interface) -> Result<DynTransport, NationalError> {
        match i {
            Interface::Contact => Ok(Box::new(self.reader.clone())),
            _ => Err(TransportError::NoCard("contactless".into()).into()),
        }
    }
    fn open_psam(&mut self) -> Result<DynTransport, NationalError> {
        Err(NationalError::NoPsam("none configured".into()))
    }
    fn enter_pin(&mut self, _: PinPrompt) -> Result<Zeroizing<String>, NationalError> {
        self.program
            .pop_front()
            .map(|p| Zeroizing::new(p.to_string()))
            .ok_or(NationalError::PinCancelled)
    }
    fn pin_pad(&self) -> Option<PinPadLayout> {
        self.use_pad.then(|| PinPadLayout::new(6, 30).unwrap())
    }
}

fn device(has_pad: bool, use_pad: bool) -> PadDevice {
    let card = SharedTransport::new(personalised(
        &holder(DEMO_HOLDER),
        EmulatorOptions::default(),
    ));
    PadDevice {
        reader: PadReader {
            card,
            keypad: Arc::default(),
            host_ins: Arc::default(),
            has_pad,
        },
        use_pad,
        program: VecDeque::new(),
    }
}

impl PadDevice {
    fn keys(&self, keys: &[Key]) {
        self.reader
            .keypad
            .lock()
            .unwrap()
            .extend(keys.iter().cloned());
    }
    /// The card's PIN tries left, asked by the host (an empty VERIFY).
    fn tries(&self) -> u8 {
        let mut s = Session::open(self.reader.card.clone()).unwrap();
        s.pin_tries().unwrap()
    }
    fn host_sent_pin_commands(&self) -> bool {
        // VERIFY 20 with data, CHANGE PIN 5E: the host's only VERIFY is the empty one of tries().
        self.reader.host_ins.lock().unwrap().contains(&0x5E)
            || self.reader.host_ins.lock().unwrap().contains(&0x20)
    }
}

#[test]
fn verify_pin_on_the_pad_never_sends_the_pin_from_the_host() {
    let mut d = device(true, true);
    d.keys(&[Key::Digits(DEMO_PIN)]);
    assert_eq!(national::verify_pin(&mut d, 1).unwrap(), "");
    assert!(!d.host_sent_pin_commands(), "the PIN came from the pad");
    assert!(d.reader.keypad.lock().unwrap().is_empty());

    d.keys(&[Key::Digits("111111")]);
    let e = national::verify_pin(&mut d, 1).unwrap_err();
    assert_eq!(e.code(), -51, "{e}");
    assert!(e.to_string().contains("2 tries left"), "{e}");
    assert_eq!(d.tries(), 2);
    d.keys(&[Key::Digits(DEMO_PIN)]);
    national::verify_pin(&mut d, 1).unwrap();
    assert_eq!(d.tries(), 3, "a good PIN restores the tries");
}

#[test]
fn pad_cancel_timeout_and_length_cost_no_try() {
    let mut d = device(true, true);
    for (key, code) in [
        (Key::Cancel, -31),
        (Key::Timeout, -32),
        (Key::Digits("12345"), -33),
        (Key::Digits("1234567"), -33),
    ] {
        d.keys(std::slice::from_ref(&key));
        let e = national::verify_pin(&mut d, 1).unwrap_err();
        assert_eq!(e.code(), code, "{key:?}: {e}");
        assert_eq!(d.tries(), 3, "{key:?}: the card was not asked");
    }
}

#[test]
fn change_pin_on_the_pad() {
    let mut d = device(true, true);
    // The new PIN and its confirmation differ: refused by the reader, the PIN unchanged.
    d.keys(&[
        Key::Digits(DEMO_PIN),
        Key::Digits("654321"),
        Key::Digits("654320"),
    ]);
    assert_eq!(national::change_pin(&mut d, 1).unwrap_err().code(), -34);
    d.keys(&[Key::Digits(DEMO_PIN)]);
    national::verify_pin(&mut d, 1).unwrap();

    d.keys(&[
        Key::Digits(DEMO_PIN),
        Key::Digits("654321"),
        Key::Digits("654321"),
    ]);
    national::change_pin(&mut d, 1).unwrap();
    assert!(!d.host_sent_pin_commands());
    d.keys(&[Key::Digits("654321")]);
    national::verify_pin(&mut d, 1).unwrap();
    d.keys(&[Key::Digits(DEMO_PIN)]);
    assert_eq!(national::verify_pin(&mut d, 1).unwrap_err().code(), -51);

    // A wrong old PIN: the card refuses (63Cx), the PIN stays.
    d.keys(&[
        Key::Digits("000000"),
        Key::Digits("222222"),
        Key::Digits("222222"),
    ]);
    assert_eq!(national::change_pin(&mut d, 1).unwrap_err().code(), -51);
    d.keys(&[Key::Digits("654321")]);
    national::verify_pin(&mut d, 1).unwrap();
}

#[test]
fn without_a_pad_or_with_the_pad_switched_off_the_pin_program_is_used() {
    for (has_pad, use_pad) in [(false, true), (true, false)] {
        let mut d = device(has_pad, use_pad);
        d.keys(&[Key::Digits("999999")]); // never read
        d.program.push_back(DEMO_PIN);
        assert_eq!(national::verify_pin(&mut d, 1).unwrap(), "");
        assert_eq!(d.reader.keypad.lock().unwrap().len(), 1, "pad not used");
        assert!(d.reader.host_ins.lock().unwrap().contains(&0x20));
    }
}
