//! `sscard emulate`: the card OS — and optionally the PSAM — as virtual cards inside pcscd, through
//! the vsmartcard vpcd driver ([`crate::vpcd`]). Any PC/SC application (the `sscard` CLI,
//! `opensc-tool`, `scriptor`, a hospital's HIS) then sees a personalised social security card in
//! "Virtual PCD 00 00" and a PSAM in "Virtual PCD 00 01".
//!
//! - [`VirtualCard`] is implemented for [`Card`] and [`Psam`] over any [`Store`]: the ATR is
//!   answered at any time (vpcd polls presence by asking for it), vpcd's power off / on / reset
//!   become the card's `power_off` / `power_on` / `reset` (volatile security state — PIN verified,
//!   keys authenticated, challenge, selection — cleared; the image kept).
//! - Persistence: over a [`FileStore`] every store write goes straight to the image file and the
//!   card's journal flushes (fsyncs) at the end of each state-changing command, so a card written
//!   through pcscd stays written, even if the emulator is killed; [`Emulator::stop`] syncs once more.
//! - [`Traced`] prints each exchange decoded: command name, the C-APDU with PIN/key data masked
//!   ([`redact`], plus the PSAM's plain PIN block in `80 FA 00 00`), the R-APDU and the status
//!   word's meaning.
//! - [`Emulator`] runs one thread per vpcd slot and stops them together (Ctrl-C / SIGTERM in the
//!   CLI), handing the images back synced.
//!
//! Transport behaviour ([`EmulateOptions::protocol`]): the card answers like the card its ATR
//! announces, and pcscd negotiates that protocol from the ATR (vpcd carries APDUs either way).
//! [`Protocol::T0`] (the default, like genuine cards): the ATR `3B 6D 00 00 …` has no TD1 (T=0
//! only); case-4 commands answer `61xx` and the data is fetched with GET RESPONSE, a wrong Le
//! answers `6Cxx` with the exact length. [`Protocol::T1`]: the ATR `3B ED 00 00 01 … TCK`
//! announces T=1 only; data comes back at once. The PSAM always behaves like the T=0 PSAM its
//! ATR announces.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use sscard_emulate::serve::{EmulateOptions, Emulator};
//! let opts = EmulateOptions::new(PathBuf::from("card.img"));
//! let emu = Emulator::start(&opts)?;
//! // ... PC/SC clients use "Virtual PCD 00 00" ...
//! let report = emu.stop()?;
//! println!("{} APDUs served", report.card.apdus);
//! # Ok::<(), sscard_terminal::Error>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use sscard_apdu::{CommandView, PsamCommand, StatusWord};
use sscard_card_os::psam::{Psam, PsamInitError};
use sscard_card_os::store::{FileStore, Store};
use sscard_card_os::{Card, CardConfig, InitError, Protocol, Quirks, RESP_MAX};
use sscard_keys::profile::{SSCARD_2, SSCARD_3};

use crate::vpcd::{
    CardControl, RunStats, VirtualCard, VpcdConnection, VpcdError, DEFAULT_PORT, SECOND_PORT,
};
use sscard_terminal::error::{Error, ImageError, ImageKind, Result};
use sscard_terminal::transport::emulator::EmulatorOptions;
use sscard_terminal::transport::{redact, TransportError};

fn respond(process: impl FnOnce(&mut [u8]) -> usize) -> Vec<u8> {
    let mut resp = vec![0u8; RESP_MAX];
    let n = process(&mut resp);
    if n < 2 {
        return StatusWord::NO_PRECISE_DIAGNOSIS.to_bytes().to_vec();
    }
    resp.truncate(n);
    resp
}

impl<S: Store> VirtualCard for Card<S> {
    fn atr(&mut self) -> Vec<u8> {
        Card::atr(self).to_vec()
    }
    fn power_on(&mut self) {
        Card::power_on(self);
    }
    fn power_off(&mut self) {
        Card::power_off(self);
    }
    fn reset(&mut self) {
        Card::reset(self);
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        respond(|resp| self.process(apdu, resp))
    }
}

impl<S: Store> VirtualCard for Psam<S> {
    fn atr(&mut self) -> Vec<u8> {
        Psam::atr(self).to_vec()
    }
    fn power_on(&mut self) {
        Psam::power_on(self);
    }
    fn power_off(&mut self) {
        Psam::power_off(self);
    }
    fn reset(&mut self) {
        Psam::reset(self);
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        respond(|resp| self.process(apdu, resp))
    }
}

/// The name of a command APDU of the card or the PSAM, for traces: sscard-apdu's one INS
/// table ([`sscard_apdu::commands::Instruction::name`], refined by P1/P2).
pub use sscard_apdu::commands::command_name;

/// A C-APDU for a trace: [`redact`], and also the data of the PSAM's `80 FA 00 00` (ENCRYPT),
/// which carries the plain PIN block when the terminal encrypts a PIN for PIN RELOAD.
pub fn masked_command(apdu: &[u8]) -> String {
    let encrypt = CommandView::parse(apdu)
        .ok()
        .and_then(|v| PsamCommand::decode(&v).ok());
    match (encrypt, apdu.get(..5)) {
        (Some(PsamCommand::Encrypt { data }), Some(head)) => {
            format!(
                "{} <{} bytes redacted>",
                hex::encode_upper(head),
                data.len()
            )
        }
        _ => redact(apdu),
    }
}

/// The trace of one exchange, two lines: `[label] NAME > C-APDU (masked)` and
/// `[label] < response data SW meaning`.
pub fn trace_line(label: &str, apdu: &[u8], rapdu: &[u8]) -> String {
    let (data, sw) = match rapdu.len().checked_sub(2) {
        Some(n) => rapdu.split_at(n),
        None => (&[][..], rapdu),
    };
    let sw_text = match sw {
        [a, b] => {
            let sw = StatusWord::new(*a, *b);
            format!("{:04X} {}", sw.0, sw.description())
        }
        _ => format!("{} (no status word)", hex::encode_upper(sw)),
    };
    let data_text = if data.is_empty() {
        String::new()
    } else {
        format!("{} ", hex::encode_upper(data))
    };
    format!(
        "[{label}] {:<24} > {}\n[{label}] {:<24} < {data_text}{sw_text}",
        command_name(apdu),
        masked_command(apdu),
        ""
    )
}

/// Where trace lines go.
pub type TraceSink = Arc<dyn Fn(&str) + Send + Sync>;

/// A trace sink printing to stderr.
pub fn stderr_sink() -> TraceSink {
    Arc::new(|line: &str| {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    })
}

/// A [`VirtualCard`] whose APDUs and control events are traced (see [`trace_line`]).
pub struct Traced<C> {
    inner: C,
    label: String,
    sink: Option<TraceSink>,
}

impl<C> Traced<C> {
    /// Wrap `inner`; `sink` `None` traces nothing.
    pub fn new(inner: C, label: impl Into<String>, sink: Option<TraceSink>) -> Self {
        Self {
            inner,
            label: label.into(),
            sink,
        }
    }

    /// The wrapped card, mutably.
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// Unwrap.
    pub fn into_inner(self) -> C {
        self.inner
    }

    fn event(&self, what: &str) {
        if let Some(sink) = &self.sink {
            sink(&format!("[{}] -- {what}", self.label));
        }
    }
}

impl<C: VirtualCard> VirtualCard for Traced<C> {
    fn atr(&mut self) -> Vec<u8> {
        self.inner.atr()
    }
    fn power_on(&mut self) {
        self.event("power on");
        self.inner.power_on();
    }
    fn power_off(&mut self) {
        self.event("power off (security state cleared)");
        self.inner.power_off();
    }
    fn reset(&mut self) {
        self.event("reset (security state cleared)");
        self.inner.reset();
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        let r = self.inner.execute(apdu);
        if let Some(sink) = &self.sink {
            sink(&trace_line(&self.label, apdu, &r));
        }
        r
    }
}

/// What `sscard emulate` runs.
#[derive(Clone, Debug)]
pub struct EmulateOptions {
    /// The card image (made by `sscard init`, personalised or not).
    pub image: PathBuf,
    /// vpcd port of the card (35963 = "Virtual PCD 00 00").
    pub port: u16,
    /// The PSAM image (made by `sscard psam init`) and its vpcd port (35964 = "Virtual PCD 00 01").
    pub psam: Option<(PathBuf, u16)>,
    /// Trace every exchange on stderr (PIN data masked).
    pub trace: bool,
    /// The card's protocol (ATR and answers): default
    /// [`sscard_terminal::transport::emulator::default_protocol`] (T=0 unless
    /// `SSCARD_CARD_PROTOCOL=t1`).
    pub protocol: Protocol,
    /// Card-OS quirks.
    pub quirks: Quirks,
}

impl EmulateOptions {
    /// The card `image` on the default port, no PSAM, no trace, the default protocol (T=0
    /// unless `SSCARD_CARD_PROTOCOL=t1`).
    pub fn new(image: PathBuf) -> Self {
        Self {
            image,
            port: DEFAULT_PORT,
            psam: None,
            trace: false,
            protocol: EmulatorOptions::default().protocol,
            quirks: Quirks::default(),
        }
    }

    /// With a PSAM image on `port` (normally [`SECOND_PORT`]).
    pub fn with_psam(mut self, image: PathBuf, port: u16) -> Self {
        self.psam = Some((image, port));
        self
    }
}

/// The default port of the PSAM slot.
pub const PSAM_DEFAULT_PORT: u16 = SECOND_PORT;

fn image_error(name: &str, reason: ImageError) -> Error {
    Error::Image {
        path: name.to_string(),
        reason,
    }
}

fn open_store(path: &Path, kind: ImageKind) -> Result<FileStore> {
    let name = path.display().to_string();
    if !path.is_file() {
        return Err(image_error(&name, ImageError::Missing(kind)));
    }
    FileStore::open(path, 0).map_err(|e| image_error(&name, ImageError::CardOs(e.into())))
}

/// Open a card image file as a [`Card`]; the suite (sscard-2 / sscard-3) is found by trying the
/// built-in profiles.
pub fn open_card(path: &Path, protocol: Protocol, quirks: Quirks) -> Result<Card<FileStore>> {
    let name = path.display().to_string();
    for profile in [&SSCARD_2, &SSCARD_3] {
        let seed: [u8; 16] = sscard_terminal::session::random()?;
        let cfg = CardConfig::new(profile)
            .with_protocol(protocol)
            .with_quirks(quirks)
            .with_rng_seed(seed);
        match Card::new(open_store(path, ImageKind::Card)?, cfg) {
            Ok(card) => return Ok(card),
            Err(InitError::ProfileMismatch) => continue,
            Err(InitError::NotFormatted) => {
                return Err(image_error(&name, ImageError::NotCardImage))
            }
            Err(e) => return Err(image_error(&name, ImageError::CardOs(e.into()))),
        }
    }
    Err(image_error(&name, ImageError::UnknownSuite))
}

/// Open a PSAM image file (made by `sscard psam init`).
pub fn open_psam(path: &Path) -> Result<Psam<FileStore>> {
    let name = path.display().to_string();
    let seed: [u8; 16] = sscard_terminal::session::random()?;
    match Psam::open(open_store(path, ImageKind::Psam)?) {
        Ok(p) => Ok(p.with_rng_seed(seed)),
        Err(PsamInitError::NotProvisioned) => Err(image_error(&name, ImageError::NotPsamImage)),
        Err(e) => Err(image_error(&name, ImageError::CardOs(e.into()))),
    }
}

/// What one slot served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotReport {
    /// APDUs received.
    pub apdus: u64,
    /// ATR requests (vpcd presence polls).
    pub atr_requests: u64,
    /// Connections to vpcd made (1 + reconnections after pcscd restarts or pulls).
    pub connections: u64,
}

impl From<RunStats> for SlotReport {
    fn from(s: RunStats) -> Self {
        Self {
            apdus: s.apdus,
            atr_requests: s.atr_requests,
            connections: s.connections,
        }
    }
}

/// What an [`Emulator`] run served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmulateReport {
    /// The card's slot.
    pub card: SlotReport,
    /// The PSAM's slot, if any.
    pub psam: Option<SlotReport>,
}

type SlotThread<C> = JoinHandle<(C, std::result::Result<RunStats, VpcdError>)>;

/// Serve `card` on vpcd `127.0.0.1:port` in a new thread until `stop` is raised; the thread hands
/// the card back with the run's counters. The returned [`CardControl`] pulls / reinserts it.
pub fn spawn_slot<C: VirtualCard + Send + 'static>(
    mut card: C,
    port: u16,
    stop: Arc<AtomicBool>,
    name: &str,
) -> Result<(SlotThread<C>, CardControl)> {
    let mut conn = VpcdConnection::localhost(port);
    let control = conn.control();
    let thread = std::thread::Builder::new()
        .name(format!("vpcd-{name}-{port}"))
        .spawn(move || {
            let r = conn.run_until(&mut card, &stop);
            (card, r)
        })
        .map_err(|source| Error::Io {
            context: format!("cannot start the {name} thread"),
            source,
        })?;
    Ok((thread, control))
}

/// The card (and PSAM) served to pcscd by background threads; see the module docs.
pub struct Emulator {
    stop: Arc<AtomicBool>,
    card: Option<SlotThread<Traced<Card<FileStore>>>>,
    psam: Option<SlotThread<Traced<Psam<FileStore>>>>,
    card_control: CardControl,
    atr: Vec<u8>,
    psam_atr: Option<Vec<u8>>,
    /// The card image (for messages).
    image: String,
    /// The PSAM image (for messages).
    psam_image: Option<String>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("atr", &hex::encode_upper(&self.atr))
            .field("psam_atr", &self.psam_atr.as_ref().map(hex::encode_upper))
            .field("stopping", &self.stop.load(Ordering::SeqCst))
            .finish()
    }
}

impl Emulator {
    /// Open the images and start serving: the card on `opts.port`, the PSAM (if any) on its
    /// port, each in its own thread (connecting to vpcd with back-off until pcscd is up).
    pub fn start(opts: &EmulateOptions) -> Result<Self> {
        Self::start_with_sink(opts, opts.trace.then(stderr_sink))
    }

    /// [`Emulator::start`] with the trace going to `sink` (tests capture it).
    pub fn start_with_sink(opts: &EmulateOptions, sink: Option<TraceSink>) -> Result<Self> {
        let card = open_card(&opts.image, opts.protocol, opts.quirks)?;
        let atr = card.atr().to_vec();
        let psam = match &opts.psam {
            Some((path, port)) => Some((open_psam(path)?, *port)),
            None => None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (card_thread, card_control) = spawn_slot(
            Traced::new(card, "card", sink.clone()),
            opts.port,
            Arc::clone(&stop),
            "card",
        )?;
        let mut emu = Emulator {
            stop: Arc::clone(&stop),
            card: Some(card_thread),
            psam: None,
            card_control,
            atr,
            psam_atr: None,
            image: opts.image.display().to_string(),
            psam_image: opts.psam.as_ref().map(|(p, _)| p.display().to_string()),
        };
        if let Some((psam, port)) = psam {
            emu.psam_atr = Some(psam.atr().to_vec());
            let (t, _control) = spawn_slot(Traced::new(psam, "psam", sink), port, stop, "psam")?;
            emu.psam = Some(t);
        }
        Ok(emu)
    }

    /// The card's ATR.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// The PSAM's ATR.
    pub fn psam_atr(&self) -> Option<&[u8]> {
        self.psam_atr.as_deref()
    }

    /// Pull / reinsert the card, watch its counters.
    pub fn card_control(&self) -> CardControl {
        self.card_control.clone()
    }

    /// The flag that stops every slot (raise it from a signal handler).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// True once a slot thread has ended on its own (a vpcd protocol error).
    pub fn has_failed(&self) -> bool {
        self.card.as_ref().is_some_and(|t| t.is_finished())
            || self.psam.as_ref().is_some_and(|t| t.is_finished())
    }

    /// Stop serving ("remove the cards"), wait for the threads, sync the images to disk.
    pub fn stop(mut self) -> Result<EmulateReport> {
        self.stop.store(true, Ordering::SeqCst);
        let mut report = EmulateReport::default();
        let mut first_err = None;
        if let Some(t) = self.card.take() {
            let (card, r) = t
                .join()
                .map_err(|_| Error::Internal("the card thread panicked".into()))?;
            let mut card = card.into_inner();
            if let Err(e) = card.store_mut().sync() {
                first_err.get_or_insert(image_error(&self.image, ImageError::CardOs(e.into())));
            }
            match r {
                Ok(stats) => report.card = stats.into(),
                Err(e) => {
                    first_err.get_or_insert(vpcd_error("card", e));
                }
            }
        }
        if let Some(t) = self.psam.take() {
            let (psam, r) = t
                .join()
                .map_err(|_| Error::Internal("the PSAM thread panicked".into()))?;
            let mut store = psam.into_inner().into_store();
            if let Err(e) = store.sync() {
                let name = self.psam_image.as_deref().unwrap_or("PSAM image");
                first_err.get_or_insert(image_error(name, ImageError::CardOs(e.into())));
            }
            match r {
                Ok(stats) => report.psam = Some(stats.into()),
                Err(e) => {
                    first_err.get_or_insert(vpcd_error("PSAM", e));
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.card.take() {
            if let Ok((mut card, _)) = t.join() {
                let _ = card.inner_mut().store_mut().sync();
            }
        }
        if let Some(t) = self.psam.take() {
            let _ = t.join();
        }
    }
}

fn vpcd_error(slot: &str, e: VpcdError) -> Error {
    Error::Transport(TransportError::NoReader(format!("{slot} vpcd slot: {e}")))
}

/// Shared log of trace lines, for tests: a sink and the lines it collected.
pub fn memory_sink() -> (TraceSink, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l2 = Arc::clone(&lines);
    let sink: TraceSink = Arc::new(move |line: &str| {
        if let Ok(mut v) = l2.lock() {
            v.push(line.to_owned());
        }
    });
    (sink, lines)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sscard_card_os::factory::test_issuer_keys;
    use sscard_card_os::store::RamStore;
    use sscard_card_os::{factory_initialise, FactoryParams, CARD_STORE_SIZE};
    use sscard_specs::SpecVersion;
    use sscard_terminal::transport::emulator::identity;

    const SELECT_SSSE: &str = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF00";
    /// READ RECORD by tag 03 (spec version) in EF05 by SFI, with the record's exact Le (a T=0
    /// card answers 6C06 to Le 00).
    const READ_VERSION: &str = "00B2032806";

    /// SELECT SSSE succeeded: `61xx` on the T=0 card (the FCI waits for GET RESPONSE).
    fn selected(answer: String) -> bool {
        answer.len() == 4 && answer.starts_with("61")
    }

    fn x(vc: &mut impl VirtualCard, apdu: &str) -> String {
        hex::encode_upper(vc.execute(&hex::decode(apdu).unwrap()))
    }

    #[test]
    fn card_as_virtual_card_power_cycle_clears_volatile_state_not_the_image() {
        let keys = test_issuer_keys(&SSCARD_2);
        let params = FactoryParams {
            profile: &SSCARD_2,
            version: SpecVersion::V2_00,
            identity: identity("110100", "00000001").unwrap(),
            keys: &keys,
            pin: b"123456",
        };
        let mut store = Box::new(RamStore::<CARD_STORE_SIZE>::new());
        factory_initialise(&mut *store, &params).unwrap();
        let card = Card::new(&mut *store, CardConfig::new(&SSCARD_2)).unwrap();
        let (sink, lines) = memory_sink();
        let mut vc = Traced::new(card, "card", Some(sink));
        let atr = vc.atr();
        assert_eq!(atr.get(..4).unwrap(), [0x3B, 0x6D, 0x00, 0x00]);
        assert!(selected(x(&mut vc, SELECT_SSSE)));
        let version = x(&mut vc, READ_VERSION);
        assert_eq!(version, "0304322E30309000");
        assert_eq!(x(&mut vc, "0020000003123456"), "9000");
        for cycle in ["off/on", "reset"] {
            if cycle == "reset" {
                assert!(selected(x(&mut vc, SELECT_SSSE)));
                vc.reset();
            } else {
                vc.power_off();
                assert_eq!(vc.atr(), atr, "ATR answered while unpowered");
                vc.power_on();
            }
            // The selection is gone (back in the MF)...
            assert!(!x(&mut vc, READ_VERSION).ends_with("9000"), "{cycle}");
            // ...the data is not.
            assert!(selected(x(&mut vc, SELECT_SSSE)));
            assert_eq!(x(&mut vc, READ_VERSION), version, "{cycle}");
        }
        let lines = lines.lock().unwrap().join("\n");
        assert!(lines.contains("[card] -- power off"), "{lines}");
        assert!(lines.contains("[card] -- reset"), "{lines}");
        assert!(lines.contains("VERIFY"), "{lines}");
        assert!(!lines.contains("123456"), "{lines}");
    }

    #[test]
    fn names_and_masks() {
        assert_eq!(
            command_name(&[0x00, 0xB2, 0x08, 0x00, 0x00]),
            "READ RECORD (by tag)"
        );
        assert_eq!(command_name(&[0x84, 0x24, 0x00, 0x01, 0x00]), "PIN RELOAD");
        assert_eq!(command_name(&[0x00]), "MALFORMED");
        let verify = [0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56];
        let line = trace_line("card", &verify, &[0x63, 0xC2]);
        assert!(line.contains("VERIFY"), "{line}");
        assert!(line.contains("<3 bytes redacted>"), "{line}");
        assert!(!line.contains("123456"), "{line}");
        assert!(line.contains("63C2"), "{line}");
        let enc = [
            0x80, 0xFA, 0x00, 0x00, 0x08, 0x06, 0x12, 0x34, 0x56, 0x80, 0, 0, 0,
        ];
        let m = masked_command(&enc);
        assert_eq!(m, "80FA000008 <8 bytes redacted>");
        let line = trace_line(
            "card",
            &[0x00, 0xB2, 0x08, 0x00, 0x00],
            &[0x08, 0x01, 0x41, 0x90, 0x00],
        );
        assert!(line.contains("080141 9000"), "{line}");
    }
}
