//! End-to-end test support for sscard through a real PC/SC stack.
//!
//! The `tests/pcsc_*.rs` targets each build a fresh, factory-initialised and personalised card
//! image (card OS factory + the terminal's `personalize` over the in-process emulator, i.e. real
//! APDUs), serve it — and a PSAM image provisioned with the same issuer keys — to pcscd through
//! vpcd with [`sscard_emulate::serve::Emulator`] (in a thread of the test process, which
//! `scripts/e2e-pcsc.sh` runs inside pcscd's network namespace), then drive it through PC/SC with
//! the terminal library, the `sscard` command line and peer tools (`opensc-tool`, `scriptor`).
//!
//! Gate: every test is `#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]`, so a plain
//! `cargo test` lists it as ignored instead of passing it; `scripts/e2e-pcsc.sh` runs them
//! (`--include-ignored`, `SSCARD_PCSC_E2E=1`, inside pcscd's network namespace). A test run
//! any other way — without `SSCARD_PCSC_E2E=1`, or with it while pcscd does not answer — fails
//! ([`e2e`]); anything wrong fails. One vpcd slot pair, so the tests of a binary are serialised
//! by a static mutex ([`e2e`]); `scripts/e2e-pcsc.sh` also runs each binary with
//! `--test-threads=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sscard_card_os::psam::{provision, PsamParams, PSAM_STORE_SIZE};
use sscard_card_os::store::FileStore;
use sscard_emulate::serve::{memory_sink, EmulateOptions, EmulateReport, Emulator};
use sscard_emulate::vpcd::{CardControl, PullMode, DEFAULT_PORT, SECOND_PORT};
use sscard_keys::Profile;
use sscard_specs::SpecVersion;
use sscard_terminal::model::holder::HolderProfile;
use sscard_terminal::security::keyfile::{generate, KeyFile};
use sscard_terminal::session::personalize;
use sscard_terminal::transport::emulator::{
    create_image, identity, EmulatorOptions, EmulatorTransport,
};
use sscard_terminal::transport::{
    wait_for_card, wait_for_card_removed, PcscTransport, Protocols, ShareMode, Transport,
    TransportError,
};
use sscard_terminal::Session;

/// vpcd's first reader: the card.
pub const READER0: &str = "Virtual PCD 00 00";
/// vpcd's second reader: the PSAM.
pub const READER1: &str = "Virtual PCD 00 01";
/// How long pcscd may take to see a card come or go.
pub const WAIT: Duration = Duration::from_secs(15);
/// The demo holder profile (`demo/holder.toml`), PIN 123456.
pub const DEMO_HOLDER: &str = include_str!("../../demo/holder.toml");
/// The demo holder's PIN.
pub const PIN: &str = "123456";
/// The factory PIN before personalisation.
pub const INITIAL_PIN: &str = "000000";
/// The PSAM's terminal number.
pub const TERMINAL_NUMBER: &str = "110100000001";

static SLOTS: Mutex<()> = Mutex::new(());

/// The vpcd slots for this test (a guard). Panics — the test fails, it is not skipped — unless
/// the end-to-end environment is there: `SSCARD_PCSC_E2E=1` (set by `scripts/e2e-pcsc.sh`) and a
/// pcscd that answers.
pub fn e2e(test: &str) -> MutexGuard<'static, ()> {
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

/// Hex without spaces, upper case.
pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// A temporary directory with a personalised card image, its issuer key file and a PSAM image
/// provisioned with the same keys; removed on drop.
pub struct CardFiles {
    /// The directory.
    pub dir: PathBuf,
    /// Issuer key file (TOML, `sscard keys generate` format).
    pub keys: PathBuf,
    /// The card image.
    pub card: PathBuf,
    /// The PSAM image.
    pub psam: PathBuf,
    /// The profile.
    pub profile: &'static Profile,
}

static DIRS: AtomicU32 = AtomicU32::new(0);

impl CardFiles {
    /// Fresh random issuer keys, a factory-initialised 2.00 card personalised with the demo
    /// holder through APDUs (in-process), and a PSAM with the same root keys.
    pub fn personalised(name: &str) -> Self {
        Self::personalised_as(name, SpecVersion::V2_00)
    }

    /// [`CardFiles::personalised`] for another spec version: `3.00` gives an SM4 (`sscard-3`)
    /// card and PSAM; the demo holder's `spec_version` is changed to match.
    pub fn personalised_as(name: &str, version: SpecVersion) -> Self {
        let n = DIRS.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("sscard-e2e-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let profile = Profile::by_name(version.profile_name()).unwrap();
        let files = CardFiles {
            keys: dir.join("keys.toml"),
            card: dir.join("card.img"),
            psam: dir.join("psam.img"),
            dir,
            profile,
        };
        std::fs::write(&files.keys, generate(profile).unwrap().as_bytes()).unwrap();
        let kf = files.key_file();
        create_image(
            &files.card,
            profile,
            version,
            identity("110100", "00000001").unwrap(),
            &kf.keys,
            INITIAL_PIN,
            false,
        )
        .unwrap();
        {
            let t = EmulatorTransport::open_image(&files.card, EmulatorOptions::default()).unwrap();
            let mut s = Session::open(t).unwrap();
            s.set_security_module(files.key_file().into_security_module());
            let holder = DEMO_HOLDER.replace(
                "spec_version = \"2.00\"",
                &format!("spec_version = \"{}\"", version.as_str()),
            );
            personalize(&mut s, &HolderProfile::parse(&holder).unwrap()).unwrap();
        }
        let mut store = FileStore::open(&files.psam, PSAM_STORE_SIZE).unwrap();
        let mut tn = [0u8; 6];
        tn.copy_from_slice(&h(TERMINAL_NUMBER));
        provision(
            &mut store,
            &PsamParams {
                profile,
                keys: &kf.keys,
                terminal_number: tn,
                serial: [0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01],
                issuer_id: [0x11, 0x01, 0, 0, 0, 0, 0, 0],
            },
        )
        .unwrap();
        store.sync().unwrap();
        files
    }

    /// The issuer key file.
    pub fn key_file(&self) -> KeyFile {
        KeyFile::load(&self.keys).unwrap()
    }

    /// A copy of the card image (a reference for the in-process emulator).
    pub fn copy_card(&self, name: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::copy(&self.card, &p).unwrap();
        p
    }
}

impl Drop for CardFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The emulator serving a card image (and optionally the PSAM) to pcscd, with its trace
/// collected in memory. Stopped on drop, after which pcscd has seen the readers empty.
pub struct Live {
    emu: Option<Emulator>,
    /// Decoded exchanges (`sscard emulate --trace` lines).
    pub trace: Arc<Mutex<Vec<String>>>,
    /// The card's ATR.
    pub atr: Vec<u8>,
    /// The PSAM's ATR.
    pub psam_atr: Option<Vec<u8>>,
}

impl Live {
    /// Serve the card (the default protocol: T=0 unless `SSCARD_CARD_PROTOCOL=t1`) without a PSAM.
    pub fn card(files: &CardFiles) -> Self {
        Self::start(EmulateOptions::new(files.card.clone()))
    }

    /// Serve the card and the PSAM.
    pub fn card_and_psam(files: &CardFiles) -> Self {
        Self::start(
            EmulateOptions::new(files.card.clone()).with_psam(files.psam.clone(), SECOND_PORT),
        )
    }

    /// Serve with these options; waits until pcscd sees the card(s).
    pub fn start(opts: EmulateOptions) -> Self {
        assert_eq!(
            opts.port, DEFAULT_PORT,
            "the tests use vpcd's first slot for the card"
        );
        if opts.psam.is_some() {
            await_empty(&[READER0, READER1]);
        } else {
            await_empty(&[READER0]);
        }
        let (sink, trace) = memory_sink();
        let emu = Emulator::start_with_sink(&opts, Some(sink)).expect("start the emulator");
        let live = Live {
            atr: emu.atr().to_vec(),
            psam_atr: emu.psam_atr().map(<[u8]>::to_vec),
            emu: Some(emu),
            trace,
        };
        live.await_inserted(READER0);
        if live.psam_atr.is_some() {
            live.await_inserted(READER1);
        }
        live
    }

    /// Wait until pcscd reports the card (or PSAM) in `reader` with the right ATR.
    pub fn await_inserted(&self, reader: &str) {
        let want = if reader == READER1 {
            self.psam_atr.clone().unwrap()
        } else {
            self.atr.clone()
        };
        match wait_for_card(reader, WAIT) {
            Ok(atr) => assert_eq!(
                hex::encode_upper(&atr),
                hex::encode_upper(&want),
                "ATR seen by pcscd in {reader}: another card is in this vpcd slot (a concurrent \
                 e2e run by another process? the tests serialise only within one test binary)"
            ),
            Err(e) => panic!(
                "card in {reader} not seen by pcscd within {WAIT:?}: {e} (is this test running \
                 inside pcscd's network namespace, i.e. via scripts/e2e-pcsc.sh?)"
            ),
        }
    }

    /// Pull / reinsert the card.
    pub fn control(&self) -> CardControl {
        self.emu.as_ref().unwrap().card_control()
    }

    /// The trace so far.
    pub fn trace_lines(&self) -> Vec<String> {
        self.trace.lock().unwrap().clone()
    }

    /// Stop serving (image synced), wait until pcscd sees the readers empty.
    pub fn stop(mut self) -> EmulateReport {
        self.stop_inner().expect("emulator stop")
    }

    fn stop_inner(&mut self) -> Option<EmulateReport> {
        let emu = self.emu.take()?;
        let psam = emu.psam_atr().is_some();
        let r = emu.stop().expect("emulator stopped cleanly");
        let _ = wait_for_card_removed(READER0, WAIT);
        if psam {
            let _ = wait_for_card_removed(READER1, WAIT);
        }
        Some(r)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Wait until pcscd reports `readers` empty: a card served by an earlier test (of this or
/// another binary — the same image identity gives the same ATR) must be gone before the next is
/// inserted, or pcscd would still show the old one.
pub fn await_empty(readers: &[&str]) {
    for r in readers {
        if let Err(e) = wait_for_card_removed(r, WAIT) {
            panic!(
                "{r} still holds a card after {WAIT:?} ({e}): another process is serving this vpcd \
                 slot (a concurrent e2e run?)"
            );
        }
    }
}

/// The command lines (`… > C-APDU`) of the trace that carry PIN material — VERIFY, CHANGE PIN,
/// PIN RELOAD and the PSAM's ENCRYPT (the plain PIN block) — checking each masks its data.
/// (Responses and other commands carry random bytes that may contain any digit string.)
pub fn pin_command_lines(trace: &[String]) -> Vec<String> {
    let lines: Vec<String> = trace
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| l.contains(" > "))
        .filter(|l| {
            ["VERIFY", "CHANGE PIN", "PIN RELOAD", "PSAM ENCRYPT"]
                .iter()
                .any(|n| l.contains(n))
        })
        .map(str::to_owned)
        .collect();
    for l in &lines {
        // A VERIFY without data (tries-left query) has nothing to mask.
        let header_only = l.split(" > ").nth(1).is_some_and(|a| a.trim().len() <= 10);
        assert!(
            header_only || l.contains("redacted"),
            "unmasked PIN command: {l}"
        );
    }
    lines
}

/// A PC/SC connection (shared, T=0 or T=1) to `reader`.
pub fn connect(reader: &str) -> PcscTransport {
    PcscTransport::connect(reader, ShareMode::Shared, Protocols::T0 | Protocols::T1)
        .unwrap_or_else(|e| panic!("connect to {reader}: {e}"))
}

/// A transport that pulls the card (via vpcd) right when a command with instruction `ins` is
/// sent — before or after the card executes it — once.
pub struct PullOn<T> {
    /// The real transport.
    pub inner: T,
    control: CardControl,
    ins: u8,
    mode: PullMode,
    /// Whether the pull was armed.
    pub fired: bool,
}

impl<T> PullOn<T> {
    /// Pull on the first command with INS `ins`.
    pub fn new(inner: T, control: CardControl, ins: u8, mode: PullMode) -> Self {
        Self {
            inner,
            control,
            ins,
            mode,
            fired: false,
        }
    }
}

impl<T: Transport> Transport for PullOn<T> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.fired && cmd.get(1) == Some(&self.ins) {
            self.fired = true;
            self.control.pull(self.mode);
        }
        self.inner.transmit(cmd)
    }
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
    fn apdu_count(&self) -> u64 {
        self.inner.apdu_count()
    }
}

/// The `sscard` command line (path from the test's `env!("CARGO_BIN_EXE_e2e-sscard")`).
pub struct Cli {
    bin: PathBuf,
}

/// What one `sscard` run did.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Assert exit code 0 and return stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "sscard failed: {self:?}");
        &self.stdout
    }

    /// Parse stdout as JSON (asserting success).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

impl Cli {
    /// The binary at `bin`.
    pub fn new(bin: &str) -> Self {
        Self {
            bin: PathBuf::from(bin),
        }
    }

    /// Run with `args`, empty stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, "")
    }

    /// Run with `args` and `stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(&self.bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run {}: {e}", self.bin.display()));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    /// Run against the card through PC/SC (`--reader "Virtual PCD 00 00"`).
    pub fn pcsc(&self, args: &[&str]) -> Run {
        let mut all = vec!["--reader", READER0];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Run against an image with the in-process emulator (`--emulator IMAGE`).
    pub fn emulator(&self, image: &Path, args: &[&str]) -> Run {
        let img = image.to_str().unwrap();
        let mut all = vec!["--emulator", img];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// The binary.
    pub fn bin(&self) -> &Path {
        &self.bin
    }
}
