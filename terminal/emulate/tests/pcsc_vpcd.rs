//! End to end through a real pcscd with the vsmartcard vpcd driver: an in-test virtual card
//! serves vpcd's slots over 127.0.0.1 and the terminal talks to it with PC/SC.
//!
//! Needs `scripts/pcscd-start.sh` (pcscd in a private network namespace) and this test running
//! inside that namespace; `scripts/e2e-pcsc.sh` does both. Every test is `#[ignore]`d (a plain
//! `cargo test` reports it ignored, not passed); the script runs them with `--include-ignored`.
//! Run without `SSCARD_PCSC_E2E` set, or with it while pcscd does not answer, a test fails;
//! anything wrong fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use sscard_apdu::exchange::T0Policy;
use sscard_emulate::vpcd::{
    CardControl, PullMode, RunStats, VirtualCard, VpcdConnection, DEFAULT_PORT, SECOND_PORT,
};
use sscard_terminal::transport::{
    wait_for_card, wait_for_card_removed, PcscTransport, Protocols, ShareMode, Transport,
    TransportError,
};

const READER0: &str = "Virtual PCD 00 00";
const READER1: &str = "Virtual PCD 00 01";
const WAIT: Duration = Duration::from_secs(15);

/// One test at a time per vpcd slot (tests run in parallel unless --test-threads=1).
static SLOTS: Mutex<()> = Mutex::new(());

/// The vpcd slots for this test (a guard). Panics — the test fails, it is not skipped — unless
/// `SSCARD_PCSC_E2E=1` (set by `scripts/e2e-pcsc.sh`) and pcscd answers.
fn e2e(test: &str) -> MutexGuard<'static, ()> {
    match std::env::var("SSCARD_PCSC_E2E") {
        Ok(v) if !v.is_empty() && v != "0" => {}
        _ => panic!("{test}: needs pcscd + vpcd; run scripts/e2e-pcsc.sh (sets SSCARD_PCSC_E2E=1)"),
    }
    let guard = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = PcscTransport::list_readers() {
        panic!("{test}: SSCARD_PCSC_E2E is set but pcscd is unreachable: {e}");
    }
    guard
}

/// A T=1 ATR with 5 historical bytes and its TCK.
fn atr_with(hist: [u8; 5]) -> Vec<u8> {
    let mut atr = vec![0x3B, 0x95, 0x13, 0x81, 0x01];
    atr.extend_from_slice(&hist);
    let tck = atr.iter().skip(1).fold(0u8, |a, b| a ^ b);
    atr.push(tck);
    atr
}

/// A small card that behaves like a T=0 card where it matters:
/// - `00 A4 ..` SELECT → 9000
/// - `00 84 00 00 08` GET CHALLENGE → 8 bytes ‖ 9000
/// - `00 88 00 00 Lc data` (case 4, no Le) → `61 08`, then `00 C0 00 00 Le` serves 8 bytes
/// - `00 B0 00 00 Le` READ BINARY of a 16-byte file → `6C 10` unless Le is 16 (or 0)
/// - `80 EE 00 00 Lc data [Le]` ECHO → data ‖ 9000
/// - anything else → 6D00
struct TestCard {
    atr: Vec<u8>,
    pending: Vec<u8>,
    counter: u8,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    events: Arc<Mutex<Vec<&'static str>>>,
}

const FILE: [u8; 16] = *b"sscard-vpcd-file";

impl VirtualCard for TestCard {
    fn atr(&mut self) -> Vec<u8> {
        self.atr.clone()
    }
    fn power_on(&mut self) {
        self.events.lock().unwrap().push("on");
    }
    fn power_off(&mut self) {
        self.pending.clear();
        self.events.lock().unwrap().push("off");
    }
    fn reset(&mut self) {
        self.pending.clear();
        self.events.lock().unwrap().push("reset");
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.log.lock().unwrap().push(apdu.to_vec());
        let sw = |mut v: Vec<u8>, sw1: u8, sw2: u8| {
            v.push(sw1);
            v.push(sw2);
            v
        };
        match apdu {
            [0x00, 0xA4, ..] => sw(vec![], 0x90, 0x00),
            [0x00, 0x84, 0x00, 0x00, 0x08] => {
                self.counter = self.counter.wrapping_add(1);
                sw(
                    (0..8).map(|i| self.counter.wrapping_add(i)).collect(),
                    0x90,
                    0x00,
                )
            }
            [0x00, 0x88, 0x00, 0x00, lc, data @ ..] if usize::from(*lc) == data.len() => {
                self.pending = data
                    .iter()
                    .rev()
                    .copied()
                    .chain([0xA5; 8])
                    .take(8)
                    .collect();
                sw(vec![], 0x61, 0x08)
            }
            [0x00, 0xC0, 0x00, 0x00, le] => {
                if self.pending.is_empty() {
                    return sw(vec![], 0x69, 0x85);
                }
                let n = if *le == 0 {
                    self.pending.len()
                } else {
                    usize::from(*le).min(self.pending.len())
                };
                let out: Vec<u8> = self.pending.drain(..n).collect();
                match u8::try_from(self.pending.len()) {
                    Ok(0) => sw(out, 0x90, 0x00),
                    Ok(left) => sw(out, 0x61, left),
                    Err(_) => sw(out, 0x61, 0x00),
                }
            }
            [0x00, 0xB0, 0x00, 0x00, le] if *le == 0 || usize::from(*le) == FILE.len() => {
                sw(FILE.to_vec(), 0x90, 0x00)
            }
            [0x00, 0xB0, 0x00, 0x00, _] => sw(vec![], 0x6C, FILE.len() as u8),
            [0x80, 0xEE, 0x00, 0x00, lc, rest @ ..] if rest.len() >= usize::from(*lc) => {
                sw(rest[..usize::from(*lc)].to_vec(), 0x90, 0x00)
            }
            _ => sw(vec![], 0x6D, 0x00),
        }
    }
}

/// A [`TestCard`] served on a vpcd port by a background thread; stopped (and its removal seen
/// by pcscd) on drop.
struct RunningCard {
    reader: &'static str,
    atr: Vec<u8>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<RunStats>>,
    control: CardControl,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    events: Arc<Mutex<Vec<&'static str>>>,
}

impl RunningCard {
    /// Warm resets the card has seen so far.
    fn resets(&self) -> usize {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| **e == "reset")
            .count()
    }

    fn start(port: u16, reader: &'static str, hist: [u8; 5]) -> Self {
        let atr = atr_with(hist);
        let log = Arc::new(Mutex::new(Vec::new()));
        let events = Arc::new(Mutex::new(Vec::new()));
        let mut card = TestCard {
            atr: atr.clone(),
            pending: Vec::new(),
            counter: 0,
            log: Arc::clone(&log),
            events: Arc::clone(&events),
        };
        let mut conn = VpcdConnection::new("127.0.0.1", port).unwrap();
        let control = conn.control();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            conn.run_until(&mut card, &stop2)
                .expect("vpcd connection loop")
        });
        let running = Self {
            reader,
            atr,
            stop,
            thread: Some(thread),
            control,
            log,
            events,
        };
        running.await_inserted();
        running
    }

    fn await_inserted(&self) {
        match wait_for_card(self.reader, WAIT) {
            Ok(atr) => assert_eq!(hex::encode_upper(&atr), hex::encode_upper(&self.atr), "ATR seen by pcscd"),
            Err(e) => panic!(
                "card on {} not seen by pcscd within {WAIT:?}: {e} (connected to vpcd: {}; is this test \
                 running inside pcscd's network namespace, i.e. via scripts/e2e-pcsc.sh?)",
                self.reader,
                self.control.is_connected()
            ),
        }
    }

    fn commands(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(hex::encode_upper)
            .collect()
    }
}

impl Drop for RunningCard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // Let pcscd notice the removal before the next test inserts a card in this slot.
        let _ = wait_for_card_removed(self.reader, WAIT);
    }
}

fn connect(reader: &str) -> PcscTransport {
    PcscTransport::connect(reader, ShareMode::Shared, Protocols::T0 | Protocols::T1)
        .unwrap_or_else(|e| panic!("connect to {reader}: {e}"))
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn lists_both_vpcd_readers() {
    let _g = e2e("lists_both_vpcd_readers");
    let readers = PcscTransport::list_readers().expect("list readers (is pcscd running?)");
    assert!(readers.iter().any(|r| r == READER0), "{readers:?}");
    assert!(readers.iter().any(|r| r == READER1), "{readers:?}");
    // An unknown reader is NoReader, not some other error.
    let err =
        PcscTransport::connect("No Such Reader 99", ShareMode::Shared, Protocols::T1).unwrap_err();
    assert!(matches!(err, TransportError::NoReader(_)), "{err:?}");
    let err = PcscTransport::connect(1000usize, ShareMode::Shared, Protocols::T1).unwrap_err();
    assert!(matches!(err, TransportError::NoReader(_)), "{err:?}");
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn connect_atr_transmit_and_leave_card() {
    let _g = e2e("connect_atr_transmit_and_leave_card");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-A");
    let mut t = connect(READER0);
    assert_eq!(t.atr(), card.atr.as_slice());
    assert_eq!(t.reader(), READER0);
    assert_eq!(t.transmit(&h("00A4000C023F00")).unwrap(), h("9000"));
    let r = t.transmit(&h("0084000008")).unwrap();
    assert_eq!(r, h("01020304050607089000"));
    assert_eq!(t.apdu_count(), 2);
    // By index too: the reader list order is pcscd's.
    let index = PcscTransport::list_readers()
        .unwrap()
        .iter()
        .position(|r| r == READER0)
        .unwrap();
    let mut t2 = PcscTransport::connect(index, ShareMode::Shared, Protocols::T1).unwrap();
    assert_eq!(
        t2.transmit(&h("0084000008")).unwrap(),
        h("02030405060708099000")
    );
    t2.close().unwrap();
    let resets_before = card.resets();
    t.close().unwrap();
    // Closing (LEAVE_CARD) neither resets nor powers the card down right away.
    std::thread::sleep(Duration::from_millis(300));
    let events = card.events.lock().unwrap().clone();
    assert_eq!(card.resets(), resets_before, "{events:?}");
    // Dropping without close() also leaves the card alone.
    let mut t3 = connect(READER0);
    t3.transmit(&h("00A4000C023F00")).unwrap();
    drop(t3);
    std::thread::sleep(Duration::from_millis(300));
    let events = card.events.lock().unwrap().clone();
    assert_eq!(card.resets(), resets_before, "{events:?}");
    // Transport::reset is a warm reset the card sees.
    let mut t4 = connect(READER0);
    t4.reset().unwrap();
    assert_eq!(t4.atr(), card.atr.as_slice());
    let events = card.events.lock().unwrap().clone();
    assert!(card.resets() > resets_before, "{events:?}");
    t4.close().unwrap();
}

/// Another application resets the card behind our back (shared mode): the next command on our
/// handle fails with the typed `CardReset` (the card's security state is gone, so nothing may be
/// assumed), never with a success; `reconnect()` re-attaches without a further reset.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn reset_by_another_application_is_reported_then_reconnect_recovers() {
    let _g = e2e("reset_by_another_application_is_reported_then_reconnect_recovers");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-R");
    let mut ours = connect(READER0);
    assert_eq!(ours.transmit(&h("00A4000C023F00")).unwrap(), h("9000"));
    let before = card.resets();
    let mut other = connect(READER0);
    other.reset().unwrap();
    other.close().unwrap();
    assert_eq!(
        card.resets(),
        before + 1,
        "the other handle's reset reached the card"
    );
    match ours.transmit(&h("00A4000C023F00")) {
        Err(TransportError::CardReset) => {}
        other => panic!("expected CardReset after another application's reset, got {other:?}"),
    }
    ours.reconnect().unwrap();
    assert_eq!(ours.transmit(&h("00A4000C023F00")).unwrap(), h("9000"));
    assert_eq!(
        card.resets(),
        before + 1,
        "reconnect must not reset the card again"
    );
    ours.close().unwrap();
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn t0_61xx_is_followed_and_raw_mode_shows_it() {
    let _g = e2e("t0_61xx_is_followed_and_raw_mode_shows_it");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-B");
    let mut t = connect(READER0);
    let r = t.transmit(&h("0088000004 11223344")).unwrap();
    assert_eq!(r, h("44332211A5A5A5A5 9000"));
    assert_eq!(t.apdu_count(), 2, "command + GET RESPONSE");
    assert_eq!(
        card.commands(),
        vec!["008800000411223344".to_owned(), "00C0000008".to_owned()]
    );

    t.set_t0_policy(T0Policy::RAW);
    let r = t.transmit(&h("0088000004 55667788")).unwrap();
    assert_eq!(r, h("6108"), "raw mode returns the card's first answer");
    assert_eq!(t.apdu_count(), 3);
    // The caller can then fetch the data itself.
    assert_eq!(
        t.transmit(&h("00C0000008")).unwrap(),
        h("88776655A5A5A5A5 9000")
    );
    t.close().unwrap();
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn t0_6cxx_is_reissued_and_raw_mode_shows_it() {
    let _g = e2e("t0_6cxx_is_reissued_and_raw_mode_shows_it");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-C");
    let mut t = connect(READER0);
    let mut expected = FILE.to_vec();
    expected.extend_from_slice(&[0x90, 0x00]);
    assert_eq!(t.transmit(&h("00B0000004")).unwrap(), expected);
    assert_eq!(
        card.commands(),
        vec!["00B0000004".to_owned(), "00B0000010".to_owned()]
    );
    assert_eq!(t.apdu_count(), 2);
    let raw = t.transmit_raw_vec(&h("00B0000004")).unwrap();
    assert_eq!(raw, h("6C10"));
    t.set_t0_policy(T0Policy::RAW);
    assert_eq!(t.transmit(&h("00B0000004")).unwrap(), h("6C10"));
    t.close().unwrap();
}

fn pulled_mid_command(mode: PullMode) {
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-D");
    let mut t = connect(READER0);
    assert_eq!(t.transmit(&h("00A4000C023F00")).unwrap(), h("9000"));
    card.control.pull(mode);
    let r = t.transmit(&h("80EE000002CAFE00"));
    // Debian's vpcd answers the interrupted command with 0 bytes and SCARD_S_SUCCESS; the
    // transport turns that into NoResponse. Never a success.
    match &r {
        Err(TransportError::CardRemoved | TransportError::NoResponse(0)) => {}
        Err(e) => panic!("card pulled ({mode:?}): unexpected error {e:?}"),
        Ok(v) => panic!(
            "a pulled card must not yield a response, got {}",
            hex::encode_upper(v)
        ),
    }
    let executed = card.commands().iter().any(|c| c == "80EE000002CAFE00");
    assert_eq!(
        executed,
        mode == PullMode::AfterExecute,
        "{:?}",
        card.commands()
    );
    assert!(card.control.is_pulled());
    // Once pcscd's presence poll has seen the empty slot, commands fail with CardRemoved.
    wait_for_card_removed(READER0, WAIT).expect("pcscd sees the reader empty");
    let again = t.transmit(&h("00A4000C023F00"));
    assert_eq!(again, Err(TransportError::CardRemoved));

    // Reinsert: the same transport reconnects and works again.
    card.control.reinsert();
    card.await_inserted();
    t.reconnect().expect("reconnect after reinsertion");
    assert_eq!(t.atr(), card.atr.as_slice());
    assert_eq!(t.transmit(&h("80EE000002BEEF00")).unwrap(), h("BEEF9000"));
    t.close().unwrap();
    assert_eq!(card.control.connections(), 2);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_before_execute_is_an_error() {
    let _g = e2e("card_pulled_before_execute_is_an_error");
    pulled_mid_command(PullMode::BeforeExecute);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_after_execute_is_an_error() {
    let _g = e2e("card_pulled_after_execute_is_an_error");
    pulled_mid_command(PullMode::AfterExecute);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn two_readers_served_at_once() {
    let _g = e2e("two_readers_served_at_once");
    let a = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-0");
    let b = RunningCard::start(SECOND_PORT, READER1, *b"SSC-1");
    assert_ne!(a.atr, b.atr);
    let mut ta = connect(READER0);
    let mut tb = connect(READER1);
    assert_eq!(ta.atr(), a.atr.as_slice());
    assert_eq!(tb.atr(), b.atr.as_slice());
    for i in 0u8..5 {
        assert_eq!(
            ta.transmit(&[0x80, 0xEE, 0, 0, 1, i, 0]).unwrap(),
            vec![i, 0x90, 0x00]
        );
        assert_eq!(
            tb.transmit(&[0x80, 0xEE, 0, 0, 1, 0x80 | i, 0]).unwrap(),
            vec![0x80 | i, 0x90, 0x00]
        );
    }
    assert_eq!(a.log.lock().unwrap().len(), 5);
    assert_eq!(b.log.lock().unwrap().len(), 5);
    ta.close().unwrap();
    tb.close().unwrap();
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn vpcd_answers_atr_polls() {
    let _g = e2e("vpcd_answers_atr_polls");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-E");
    let before = card.control.atr_requests();
    std::thread::sleep(Duration::from_millis(1500));
    let polls = card.control.atr_requests() - before;
    let _ = writeln!(std::io::stderr(), "vpcd presence polls in 1.5 s: {polls}");
    assert!(polls >= 1, "vpcd polls card presence by asking for the ATR");
}

/// Independent PC/SC clients see the same card: OpenSC's opensc-tool and pcsc-tools' scriptor.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn peer_tools_see_the_card() {
    let _g = e2e("peer_tools_see_the_card");
    let card = RunningCard::start(DEFAULT_PORT, READER0, *b"SSC-F");
    let index = PcscTransport::list_readers()
        .unwrap()
        .iter()
        .position(|r| r == READER0)
        .unwrap();

    let out = Command::new("opensc-tool")
        .args(["--reader", &index.to_string(), "--atr"])
        .output()
        .expect("run opensc-tool (Debian package opensc)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "opensc-tool failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let colon_hex = card
        .atr
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    assert!(
        stdout.to_lowercase().contains(&colon_hex),
        "opensc-tool printed {stdout:?}, want {colon_hex}"
    );

    let mut child = Command::new("scriptor")
        .args(["-r", READER0, "-p", "T=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scriptor (Debian package pcsc-tools)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"80 EE 00 00 03 CA FE 42 00\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scriptor failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("CA FE 42 90 00"),
        "scriptor printed {stdout:?}"
    );
    assert!(card.commands().contains(&"80EE000003CAFE4200".to_owned()));
}
