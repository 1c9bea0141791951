//! Faulty cards built *outside* the card OS: a proxy between the suite and the fresh emulated
//! card rewrites commands or answers the way a faulty COS would (VERIFY ignoring P1/P2, a wrong
//! status word, a reply longer than Le …). Each fault names the case written for the behaviour
//! it breaks (issue 10's gap families), and the test checks that case fails on the faulty card —
//! and that the correct card (no proxy fault) passes everything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_apdu::exchange::T0Policy;
use sscard_conform::fresh::{FreshCard, FreshTransport, FRESH_PIN};
use sscard_conform::{self as conform, Options, PowerControl, Report, Target};
use sscard_specs::SpecVersion;
use sscard_terminal::transport::emulator::EmulatorOptions;
use sscard_terminal::transport::{Transport, TransportError};

/// What the faulty card does with one command: forward it (possibly changed) to the correct
/// card and return (possibly changed) its answer.
type Behaviour = fn(&mut Card<'_>, &[u8]) -> Result<Vec<u8>, TransportError>;

/// What a stateful faulty behaviour remembers (cleared by a reset).
#[derive(Default)]
struct State {
    /// The last VERIFY answered 9000.
    verified: bool,
    /// A VERIFY answered 6983.
    blocked: bool,
    /// The data of the last answer that carried data.
    last_data: Vec<u8>,
}

/// The correct card and the faulty behaviour's memory.
struct Card<'a> {
    card: &'a mut FreshTransport,
    state: &'a mut State,
}

impl Card<'_> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.card.transmit(cmd)?;
        if r.len() > 2 {
            self.state.last_data = r[..r.len() - 2].to_vec();
        }
        if ins(cmd) == VERIFY && cmd.len() > 5 {
            self.state.verified = sw(&r) == 0x9000;
            self.state.blocked = sw(&r) == 0x6983 || (self.state.blocked && sw(&r) != 0x9000);
        }
        Ok(r)
    }
}

struct Proxy {
    card: FreshTransport,
    state: State,
    behaviour: Behaviour,
    /// Present the card's ATR without its last byte (a T=1 ATR without TCK).
    drop_atr_tck: bool,
}

impl Transport for Proxy {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut c = Card {
            card: &mut self.card,
            state: &mut self.state,
        };
        (self.behaviour)(&mut c, cmd)
    }
    fn atr(&self) -> &[u8] {
        let atr = self.card.atr();
        if self.drop_atr_tck {
            return &atr[..atr.len() - 1];
        }
        atr
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.state.verified = false;
        self.card.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.card.apdu_count()
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        self.card.swap_t0_policy(policy)
    }
}

impl Target for Proxy {
    fn transport(&mut self) -> &mut dyn Transport {
        self
    }
    fn power(&mut self) -> Option<&mut dyn PowerControl> {
        Some(&mut self.card)
    }
}

fn sw(r: &[u8]) -> u16 {
    let n = r.len();
    u16::from_be_bytes([r[n - 2], r[n - 1]])
}

fn with_sw(mut r: Vec<u8>, sw: u16) -> Vec<u8> {
    let n = r.len();
    r[n - 2..].copy_from_slice(&sw.to_be_bytes());
    r
}

fn ins(cmd: &[u8]) -> u8 {
    cmd[1]
}

/// One faulty behaviour: its name, the case that must catch it, and the behaviour.
struct WireFault {
    name: &'static str,
    caught_by: &'static str,
    behaviour: Behaviour,
    /// Only with T=0 answers (`Some(true)`), only with T=1 answers (`Some(false)`), or both.
    t0: Option<bool>,
}

const VERIFY: u8 = 0x20;
const CHANGE_PIN: u8 = 0x5E;
const PIN_UNBLOCK_RELOAD: u8 = 0x24;
/// The fresh card's PIN as packed BCD.
const PIN_BCD: [u8; 3] = [0x12, 0x34, 0x56];

/// The packed BCD digits of `bcd` (an F nibble ends them).
fn digits(bcd: &[u8]) -> Vec<u8> {
    bcd.iter()
        .flat_map(|b| [b >> 4, b & 0x0F])
        .take_while(|d| *d != 0x0F)
        .collect()
}

fn verify_apdu(bcd: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, VERIFY, 0x00, 0x00, bcd.len() as u8];
    v.extend_from_slice(bcd);
    v
}
const EXTERNAL_AUTHENTICATE: u8 = 0x82;
const READ_RECORD: u8 = 0xB2;
const READ_BINARY: u8 = 0xB0;
const SELECT: u8 = 0xA4;
const GET_RESPONSE: u8 = 0xC0;
const UPDATE_RECORD: u8 = 0xDC;
const UPDATE_BINARY: u8 = 0xD6;
const APPEND_RECORD: u8 = 0xE2;

const WIRE_FAULTS: &[WireFault] = &[
    WireFault {
        name: "VERIFY ignores P1",
        caught_by: "PIN-VERIFY-WRONG-P1",
        t0: None,
        behaviour: |c, cmd| {
            let mut cmd = cmd.to_vec();
            if ins(&cmd) == VERIFY {
                cmd[2] = 0;
            }
            c.transmit(&cmd)
        },
    },
    WireFault {
        name: "VERIFY ignores P2",
        caught_by: "PIN-VERIFY-WRONG-P2",
        t0: None,
        behaviour: |c, cmd| {
            let mut cmd = cmd.to_vec();
            if ins(&cmd) == VERIFY {
                cmd[3] = 0;
            }
            c.transmit(&cmd)
        },
    },
    WireFault {
        name: "VERIFY compares the first 8 bytes of a longer field",
        caught_by: "PIN-VERIFY-FIELD-TOO-LONG",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == VERIFY && cmd.len() > 5 + 8 {
                let mut short = cmd[..5 + 8].to_vec();
                short[4] = 8;
                return c.transmit(&short);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "VERIFY with P1 ≠ 00 costs a try before answering 6A86",
        caught_by: "PIN-VERIFY-WRONG-P1",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == VERIFY && cmd[2] != 0 {
                // A wrong PIN in the card's own comparison, then the right status word.
                c.transmit(&[0x00, VERIFY, 0x00, 0x00, 0x01, 0xFF])?;
                return Ok(vec![0x6A, 0x86]);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "VERIFY accepts a prefix of the PIN",
        caught_by: "PIN-VERIFY-OTHER-LENGTH-REFUSED",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == VERIFY && cmd.len() > 5 {
                let d = digits(&cmd[5..]);
                if !d.is_empty() && digits(&PIN_BCD).starts_with(&d) {
                    return c.transmit(&verify_apdu(&PIN_BCD));
                }
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "VERIFY with a PIN of another length does not count",
        caught_by: "PIN-VERIFY-OTHER-LENGTH-REFUSED",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == VERIFY && cmd.len() > 5 && cmd[4] as usize != PIN_BCD.len() {
                // The tries left, unchanged (VERIFY without data).
                return c.transmit(&[0x00, VERIFY, 0x00, 0x00]);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "CHANGE PIN skips the old-PIN check once the PIN is verified",
        caught_by: "PIN-CHANGE-WRONG-OLD-AFTER-VERIFY",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == CHANGE_PIN && c.state.verified {
                if let Some(sep) = cmd[5..].iter().position(|b| *b == 0xFF) {
                    let mut fixed = cmd[..5].to_vec();
                    fixed.extend_from_slice(&PIN_BCD);
                    fixed.extend_from_slice(&cmd[5 + sep..]);
                    fixed[4] = (fixed.len() - 5) as u8;
                    return c.transmit(&fixed);
                }
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "a wrong VERIFY keeps an earlier successful verification",
        caught_by: "PIN-WRONG-CLEARS-VERIFIED-STATE",
        t0: None,
        behaviour: |c, cmd| {
            let was = c.state.verified;
            let r = c.transmit(cmd)?;
            if ins(cmd) == VERIFY && was && sw(&r) & 0xFFF0 == 0x63C0 {
                // Verified again behind the host's back (the counter is restored as well).
                c.transmit(&verify_apdu(&PIN_BCD))?;
            }
            Ok(r)
        },
    },
    WireFault {
        name: "PIN RELOAD of a blocked PIN leaves it blocked",
        caught_by: "PIN-RELOAD-UNBLOCKS",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == PIN_UNBLOCK_RELOAD
                && cmd[3] == 0x01
                && sw(&r) == 0x9000
                && c.state.blocked
            {
                c.state.blocked = false;
                for _ in 0..3 {
                    c.transmit(&verify_apdu(&[0x00]))?;
                }
            }
            Ok(r)
        },
    },
    WireFault {
        name: "EXTERNAL AUTHENTICATE with a wrong Lc costs a key try",
        caught_by: "CHL-RKSSSE-WRONG-LENGTH",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == EXTERNAL_AUTHENTICATE && cmd.len() > 5 && cmd[4] != 0x10 {
                // Compared as a (wrong) 16-byte cryptogram, then 6700.
                let mut as16 = cmd[..5].to_vec();
                as16[4] = 0x10;
                as16.extend(cmd[5..].iter().copied().cycle().take(16));
                as16[5] ^= 0x55;
                c.transmit(&as16)?;
                return Ok(vec![0x67, 0x00]);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "EXTERNAL AUTHENTICATE with a wrong Lc answers 6A80",
        caught_by: "CHL-RKSSSE-WRONG-LENGTH",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == EXTERNAL_AUTHENTICATE && sw(&r) == 0x6700 {
                return Ok(with_sw(r, 0x6A80));
            }
            Ok(r)
        },
    },
    WireFault {
        name: "the counter of a key that is not the first of its DF never counts down",
        caught_by: "CHL-UK2DF01-TRY-COUNTER",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            let kid = sscard_specs::key_by_name(sscard_specs::key::UK2DF01).and_then(|k| k.kid);
            if ins(cmd) == EXTERNAL_AUTHENTICATE && Some(cmd[3]) == kid && sw(&r) == 0x63C1 {
                return Ok(with_sw(r, 0x63C2));
            }
            Ok(r)
        },
    },
    WireFault {
        name: "a blocked key accepts the right cryptogram",
        caught_by: "CHL-UK3DF07-BLOCKS-AT-LIMIT",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == EXTERNAL_AUTHENTICATE && sw(&r) == 0x6983 {
                return Ok(with_sw(r, 0x9000));
            }
            Ok(r)
        },
    },
    WireFault {
        name: "APPEND RECORD to a full variable-length file answers 9000",
        caught_by: "FIL-DF01-EF05-APPEND-FULL",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == APPEND_RECORD && sw(&r) == 0x6A84 {
                return Ok(with_sw(r, 0x9000));
            }
            Ok(r)
        },
    },
    WireFault {
        name: "UPDATE RECORD of a wrong length on a fixed file: cut or padded and written",
        caught_by: "FIL-DF03-EF19-UPDATE-WRONG-LENGTH",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == UPDATE_RECORD && cmd[0] == 0x00 && sw(&r) == 0x6700 {
                // The fixed record length of DF03 EF19.
                let len = match sscard_specs::ef::DF03_EF19.spec().map(|e| e.structure) {
                    Some(sscard_specs::types::EfStructure::FixedRecords { record_len, .. }) => {
                        usize::from(record_len)
                    }
                    _ => return Ok(r),
                };
                let mut fixed = cmd[..5].to_vec();
                fixed.extend(
                    cmd[5..]
                        .iter()
                        .copied()
                        .chain(std::iter::repeat(0))
                        .take(len),
                );
                fixed[4] = len as u8;
                return c.transmit(&fixed);
            }
            Ok(r)
        },
    },
    WireFault {
        name: "UPDATE BINARY running past the end writes what fits",
        caught_by: "FIL-DF01-EF16-UPDATE-PAST-END",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == UPDATE_BINARY && cmd[0] == 0x00 && sw(&r) == 0x6700 && cmd.len() > 6 {
                // Halve the data until it fits.
                let mut n = cmd.len() - 5;
                while n > 1 {
                    n /= 2;
                    let mut part = cmd[..5 + n].to_vec();
                    part[4] = n as u8;
                    let r2 = c.transmit(&part)?;
                    if sw(&r2) == 0x9000 {
                        return Ok(r2);
                    }
                }
            }
            Ok(r)
        },
    },
    WireFault {
        name: "READ RECORD all-from-P1 ignores P1 (always from record 1)",
        caught_by: "REC-ALL-FROM-P1-MIDDLE",
        t0: None,
        behaviour: |c, cmd| {
            let mut cmd = cmd.to_vec();
            if ins(&cmd) == READ_RECORD && cmd[3] & 0x07 == 0x05 {
                cmd[2] = 1;
            }
            c.transmit(&cmd)
        },
    },
    WireFault {
        name: "READ RECORD by tag returns the last occurrence of a repeated tag",
        caught_by: "REC-DF01-EF15-BY-TAG-FIRST",
        t0: None,
        behaviour: |c, cmd| {
            if ins(cmd) == READ_RECORD && cmd[3] & 0x07 == 0x00 {
                let first = c.transmit(cmd)?;
                if sw(&first) != 0x9000 {
                    return Ok(first);
                }
                let mut last = first;
                for n in 1..=32u8 {
                    let by_number = [cmd[0], READ_RECORD, n, (cmd[3] & 0xF8) | 0x04, 0x00];
                    let r = c.transmit(&by_number)?;
                    if sw(&r) != 0x9000 {
                        break;
                    }
                    if r.first() == Some(&cmd[2]) {
                        last = r;
                    }
                }
                return Ok(last);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "READ RECORD returns the whole record whatever Le asks",
        caught_by: "REC-LE-SHORTER-THAN-RECORD",
        t0: Some(false),
        behaviour: |c, cmd| {
            if ins(cmd) == READ_RECORD && cmd.len() == 5 && cmd[4] != 0 {
                let mut all = cmd.to_vec();
                all[4] = 0;
                return c.transmit(&all);
            }
            c.transmit(cmd)
        },
    },
    WireFault {
        name: "READ RECORD pads the record up to Le",
        caught_by: "REC-LE-LONGER-THAN-RECORD",
        t0: Some(false),
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == READ_RECORD && cmd.len() == 5 && cmd[4] != 0 && sw(&r) == 0x9000 {
                let le = usize::from(cmd[4]);
                let mut data = r[..r.len() - 2].to_vec();
                if data.len() < le {
                    data.resize(le, 0x00);
                    data.extend_from_slice(&[0x90, 0x00]);
                    return Ok(data);
                }
            }
            Ok(r)
        },
    },
    WireFault {
        name: "READ BINARY with Le 00 returns 255 bytes",
        caught_by: "FIL-DF01-EF16-READ-BINARY-LE",
        t0: None,
        behaviour: |c, cmd| {
            let mut cmd = cmd.to_vec();
            if ins(&cmd) == READ_BINARY && cmd.len() == 5 && cmd[4] == 0 {
                cmd[4] = 0xFF;
            }
            c.transmit(&cmd)
        },
    },
    WireFault {
        name: "61xx announces one byte more than pending",
        caught_by: "SEL-SSSE-T0-GET-RESPONSE-EXACT",
        t0: Some(true),
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == SELECT && r.len() == 2 && r[0] == 0x61 && r[1] < 0xFF {
                return Ok(vec![0x61, r[1] + 1]);
            }
            Ok(r)
        },
    },
    WireFault {
        name: "GET RESPONSE with nothing pending returns the last answer's data",
        caught_by: "SW-GET-RESPONSE-NOTHING-PENDING",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == GET_RESPONSE && r.len() == 2 && r[0] != 0x90 && r[0] != 0x61 {
                let mut stale = c.state.last_data.clone();
                stale.extend_from_slice(&[0x90, 0x00]);
                return Ok(stale);
            }
            Ok(r)
        },
    },
    WireFault {
        name: "a blocked application refuses with 6982 instead of 6985",
        caught_by: "LCY-DF01-BLOCK-UNBLOCK",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == READ_RECORD && sw(&r) == 0x6985 {
                return Ok(with_sw(r, 0x6982));
            }
            Ok(r)
        },
    },
    WireFault {
        name: "EXTERNAL AUTHENTICATE without a challenge answers 6A80 instead of 6984",
        caught_by: "CHL-RKSSSE-REPLAY",
        t0: None,
        behaviour: |c, cmd| {
            let r = c.transmit(cmd)?;
            if ins(cmd) == EXTERNAL_AUTHENTICATE && sw(&r) == 0x6984 {
                return Ok(with_sw(r, 0x6A80));
            }
            Ok(r)
        },
    },
];

fn run(version: SpecVersion, t0: bool, behaviour: Behaviour) -> Report {
    run_with_atr(version, t0, behaviour, false)
}

fn run_with_atr(
    version: SpecVersion,
    t0: bool,
    behaviour: Behaviour,
    drop_atr_tck: bool,
) -> Report {
    let fresh = FreshCard::new(version).unwrap();
    let card = fresh
        .build(
            fresh
                .config(EmulatorOptions {
                    protocol: sscard_card_os::Protocol::from_t0(t0),
                    ..EmulatorOptions::default()
                })
                .unwrap(),
        )
        .unwrap();
    let mut proxy = Proxy {
        card,
        state: State::default(),
        behaviour,
        drop_atr_tck,
    };
    let mut sm = fresh.security_module();
    let opts = Options {
        destructive: true,
        confirm_card_number: Some(fresh.card_number.clone()),
        pin: Some(FRESH_PIN.to_string()),
        ..Options::default()
    };
    conform::run_with(&mut proxy, Some(&mut sm), &opts, &mut |_| {})
}

#[test]
fn every_wire_fault_is_caught_by_its_case() {
    let mut missed = Vec::new();
    for version in [SpecVersion::V2_00, SpecVersion::V3_00] {
        for t0 in [false, true] {
            let good = run(version, t0, |c, cmd| c.transmit(cmd));
            assert!(
                !good.has_failures(),
                "the correct card behind a transparent proxy must pass:\n{}",
                good.to_text(false)
            );
            for f in WIRE_FAULTS
                .iter()
                .filter(|f| f.t0.is_none_or(|want| want == t0))
            {
                let report = run(version, t0, f.behaviour);
                let failed: Vec<&str> = report.failures().map(|r| r.id.as_str()).collect();
                let ok = failed.contains(&f.caught_by);
                println!(
                    "{:<5} T={} {:<72} {} {}",
                    version.as_str(),
                    if t0 { 0 } else { 1 },
                    f.name,
                    if ok { "caught by" } else { "MISSED by" },
                    f.caught_by
                );
                if !ok {
                    missed.push(format!(
                        "{} ({}, T={}): {} did not fail (failed: {failed:?})",
                        f.name,
                        version.as_str(),
                        if t0 { 0 } else { 1 },
                        f.caught_by
                    ));
                }
            }
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// A T=1 ATR must end with its TCK (ISO/IEC 7816-3 §8.2.5): without it, ATR-WELL-FORMED fails
/// (SEL-ATR-WELL-FORMED, and only that case).
#[test]
fn a_t1_atr_without_its_tck_is_caught() {
    let report = run_with_atr(SpecVersion::V2_00, false, |c, cmd| c.transmit(cmd), true);
    let failed: Vec<&str> = report.failures().map(|r| r.id.as_str()).collect();
    assert_eq!(failed, ["SEL-ATR-WELL-FORMED"], "{}", report.to_text(false));
}
