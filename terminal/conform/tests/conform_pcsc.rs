//! `sscard conform` end to end through a real pcscd: the in-process card OS (a fresh personalised
//! card, T=0 behaviour) serves vpcd's first slot and the suite talks to it with PC/SC, exactly as
//! it would talk to a vendor's card in a reader. Every non-destructive case that can run over PC/SC
//! must pass (anti-tearing cases are skipped: a reader cannot cut the power mid-command).
//!
//! Like `pcsc_vpcd.rs`, this needs pcscd + vpcd and must run inside pcscd's network namespace:
//! `scripts/e2e-pcsc.sh` runs it (`-p sscard-conform --test conform_pcsc` in its E2E_TARGETS).
//! The test is `#[ignore]`d, so a plain `cargo test` reports it ignored, never passed; the script
//! runs it with `--include-ignored` and `SSCARD_PCSC_E2E=1`. Run without `SSCARD_PCSC_E2E`, or
//! with it while pcscd does not answer, it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_terminal::transport::emulator::EmulatorOptions;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sscard_card_os::RESP_MAX;
use sscard_conform::fresh::{FreshCard, FreshTransport, FRESH_PIN};
use sscard_conform::{self as conform, Area, Options, Plain, Verdict};
use sscard_emulate::vpcd::{VirtualCard, VpcdConnection, DEFAULT_PORT};
use sscard_specs::SpecVersion;
use sscard_terminal::transport::{wait_for_card, PcscTransport, Protocols, ShareMode, Transport};

const READER0: &str = "Virtual PCD 00 00";

/// The card OS as a vpcd virtual card.
struct OsCard(FreshTransport);

impl VirtualCard for OsCard {
    fn atr(&mut self) -> Vec<u8> {
        self.0.card().atr().to_vec()
    }
    fn power_on(&mut self) {
        self.0.card_mut().power_on();
    }
    fn power_off(&mut self) {
        self.0.card_mut().power_off();
    }
    fn reset(&mut self) {
        self.0.card_mut().reset();
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        let mut resp = [0u8; RESP_MAX];
        let n = self.0.card_mut().process(apdu, &mut resp);
        resp[..n].to_vec()
    }
}

/// Fails the test — it is never skipped — unless `SSCARD_PCSC_E2E=1` (set by
/// `scripts/e2e-pcsc.sh`) and pcscd answers.
fn e2e(test: &str) {
    match std::env::var("SSCARD_PCSC_E2E") {
        Ok(v) if !v.is_empty() && v != "0" => {}
        _ => panic!("{test}: needs pcscd + vpcd; run scripts/e2e-pcsc.sh (sets SSCARD_PCSC_E2E=1)"),
    }
    if let Err(e) = PcscTransport::list_readers() {
        panic!("{test}: SSCARD_PCSC_E2E is set but pcscd is unreachable: {e}");
    }
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn conform_through_pcscd() {
    e2e("conform_through_pcscd");
    let fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
    // The default protocol: T=0 like genuine cards, T=1 with SSCARD_CARD_PROTOCOL=t1.
    let emulator = EmulatorOptions::default();
    let mut card = OsCard(fresh.build(fresh.config(emulator).unwrap()).unwrap());
    let atr = card.atr();
    let mut conn = VpcdConnection::new("127.0.0.1", DEFAULT_PORT).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let server = std::thread::spawn(move || {
        conn.run_until(&mut card, &stop2).expect("vpcd loop");
    });
    let seen = wait_for_card(READER0, Duration::from_secs(15))
        .expect("pcscd did not see the card (run inside pcscd's namespace: scripts/e2e-pcsc.sh)");
    assert_eq!(seen, atr);

    let mut pcsc =
        PcscTransport::connect(READER0, ShareMode::Exclusive, Protocols::T0 | Protocols::T1)
            .unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        pin: Some(FRESH_PIN.into()),
        target_name: format!(
            "reader {READER0} (pcscd + vpcd, card OS {})",
            emulator.protocol.name()
        ),
        ..Options::default()
    };
    let t = Instant::now();
    let report = conform::run_with(
        &mut Plain(&mut pcsc as &mut dyn Transport),
        Some(&mut sm),
        &opts,
        &mut |_| {},
    );
    let elapsed = t.elapsed();
    let _ = pcsc.close();
    stop.store(true, Ordering::SeqCst);
    let _ = server.join();

    print!("{}", report.summary_table());
    println!(
        "{} cases through pcscd in {:.2} s",
        report.results.len(),
        elapsed.as_secs_f64()
    );
    assert!(!report.has_failures(), "{}", report.to_text(false));
    for r in report.results.iter().filter(|r| r.area == Area::Tearing) {
        assert!(matches!(r.verdict, Verdict::Skip { .. }), "{}", r.id);
    }
    assert!(report.totals().passed > 250, "{:?}", report.totals());
}
