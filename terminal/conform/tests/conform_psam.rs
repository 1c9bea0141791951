//! `sscard conform` with a PSAM as the security module (`--psam-reader`): the authenticated,
//! MAC, PIN-unblock/reload and lifecycle cases run with the keys inside an emulated PSAM
//! (`sscard_card_os::psam::Psam` behind a tiny `Transport`), never in host memory, and the
//! correct card passes all of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_apdu::exchange::{exchange, RawTransmit, T0Policy};
use sscard_apdu::CommandView;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{provision, Psam, PsamParams, RamPsam, PSAM_STORE_SIZE};
use sscard_card_os::store::RamStore;
use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Area, Options, Verdict};
use sscard_specs::SpecVersion;
use sscard_terminal::transport::emulator::EmulatorOptions;
use sscard_terminal::transport::{Transport, TransportError};

struct Raw<'a>(&'a mut RamPsam, &'a mut u64);

impl RawTransmit for Raw<'_> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        *self.1 += 1;
        Ok(self.0.process(cmd, resp))
    }
}

/// The emulated PSAM as a `Transport` (T=0 handled by `sscard_apdu::exchange`).
struct PsamTransport {
    psam: RamPsam,
    apdus: u64,
    atr: Vec<u8>,
}

impl Transport for PsamTransport {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let mut out = [0u8; 2048];
        let (n, sw) = exchange(
            &mut Raw(&mut self.psam, &mut self.apdus),
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

#[test]
fn correct_card_passes_with_a_psam() {
    for version in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let fresh = FreshCard::new(version).unwrap();
        let keys = test_issuer_keys(fresh.profile);
        let mut img = RamStore::<PSAM_STORE_SIZE>::new();
        provision(
            &mut img,
            &PsamParams {
                profile: fresh.profile,
                keys: &keys,
                terminal_number: [0x11, 0x01, 0x00, 0x00, 0x00, 0x01],
                serial: [0x11, 0x01, 0x00, 0, 0, 0, 0, 0, 0x00, 0x01],
                issuer_id: [0x11, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            },
        )
        .unwrap();
        let psam = Psam::new(img, fresh.profile).unwrap();
        let atr = psam.atr().to_vec();
        let transport = PsamTransport {
            psam,
            apdus: 0,
            atr,
        };
        let mut sm = sscard_terminal::security::psam::open(transport, fresh.profile).unwrap();
        let mut card = fresh
            .build(fresh.config(EmulatorOptions::default()).unwrap())
            .unwrap();
        let opts = Options {
            destructive: true,
            confirm_card_number: Some(fresh.card_number.clone()),
            pin: Some(FRESH_PIN.into()),
            target_name: format!("fresh {} with an emulated PSAM", version.as_str()),
            ..Options::default()
        };
        let report = conform::run_with(&mut card, Some(&mut sm), &opts, &mut |_| {});
        assert!(!report.has_failures(), "{}", report.to_text(false));
        // Every case that needs keys ran.
        // (The purse cases compute MAC1/MAC2/TAC from the card's DPK/DLK/DTK, which a PSAM does
        // not give out: they skip, saying so.)
        for r in report.results.iter().filter(|r| r.needs.keys) {
            if let Verdict::Skip { reason } = &r.verdict {
                if r.area == Area::Purse {
                    assert!(reason.contains("a PSAM"), "{} skipped: {reason}", r.id);
                    continue;
                }
                assert!(!reason.contains("keys"), "{} skipped: {reason}", r.id);
            }
        }
        println!(
            "{} with a PSAM: {} passed, {} skipped, PSAM APDUs {}",
            version.as_str(),
            report.totals().passed,
            report.totals().skipped,
            sm.transport().apdu_count()
        );
    }
}
