//! [`ConfiguredDevice`]: the [`Device`] a [`Config`] describes — PC/SC readers by name, index,
//! `first` / `first-other`, or (feature `emulator`) sscard card and PSAM images in-process
//! (`emulator:PATH`, kept open for the life of the process so the card's state survives between
//! calls like a PC/SC card left powered) — and the PIN-entry program.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::config::Config;
use crate::transport::pinpad::PinPadLayout;

use super::device::{Device, DynTransport, Interface, PinPrompt};
use super::error::{NationalError, NationalResult};
use crate::transport::{PcscTransport, Protocols, ReaderSelector, ShareMode, TransportError};

/// The prefix of an in-process image in a reader setting.
pub const EMULATOR_PREFIX: &str = "emulator:";

/// The device of a configuration.
#[derive(Clone, Debug)]
pub struct ConfiguredDevice {
    config: Config,
    card_reader: Option<String>,
}

impl ConfiguredDevice {
    /// The device `config` describes (nothing is opened yet).
    pub fn new(config: Config) -> Self {
        ConfiguredDevice {
            config,
            card_reader: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

#[cfg(feature = "emulator")]
mod emulated {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    use sscard_card_os::store::FileStore;

    use crate::transport::emulator::{EmulatorOptions, EmulatorTransport, PsamEmulatorTransport};
    use crate::transport::SharedTransport;

    type Card = SharedTransport<EmulatorTransport<FileStore>>;
    type Psam = SharedTransport<PsamEmulatorTransport<FileStore>>;

    static CARDS: Mutex<BTreeMap<PathBuf, Card>> = Mutex::new(BTreeMap::new());
    static PSAMS: Mutex<BTreeMap<PathBuf, Psam>> = Mutex::new(BTreeMap::new());

    pub(super) fn card(path: &Path) -> crate::Result<Card> {
        let mut m = CARDS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = m.get(path) {
            return Ok(c.clone());
        }
        let c = SharedTransport::new(EmulatorTransport::open_image(
            path,
            EmulatorOptions::default(),
        )?);
        m.insert(path.to_path_buf(), c.clone());
        Ok(c)
    }

    pub(super) fn psam(path: &Path) -> crate::Result<Psam> {
        let mut m = PSAMS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = m.get(path) {
            return Ok(c.clone());
        }
        let c = SharedTransport::new(PsamEmulatorTransport::open_image(path)?);
        m.insert(path.to_path_buf(), c.clone());
        Ok(c)
    }
}

fn selector(setting: &str) -> ReaderSelector {
    match setting.trim() {
        "first" => ReaderSelector::Index(0),
        s => ReaderSelector::parse(s),
    }
}

fn connect(sel: ReaderSelector) -> NationalResult<DynTransport> {
    let t = PcscTransport::connect(sel, ShareMode::Shared, Protocols::T0 | Protocols::T1)?;
    Ok(Box::new(t))
}

impl ConfiguredDevice {
    fn open_setting(&mut self, setting: &str, psam: bool) -> NationalResult<DynTransport> {
        if let Some(path) = setting.strip_prefix(EMULATOR_PREFIX) {
            return self.open_emulated(path, psam);
        }
        if setting.trim() == "first-other" {
            let readers = PcscTransport::list_readers()?;
            let card = self
                .card_reader
                .clone()
                .or_else(|| PcscTransport::reader_name(selector(&self.config.reader)).ok());
            let other = readers
                .into_iter()
                .find(|r| Some(r) != card.as_ref())
                .ok_or_else(|| TransportError::NoReader("no second reader for the PSAM".into()))?;
            return connect(ReaderSelector::Name(other));
        }
        let sel = selector(setting);
        if !psam {
            // Only a PSAM reader "first-other" needs the card reader's name (an index costs a
            // reader listing, so it is resolved only then).
            self.card_reader = match &sel {
                ReaderSelector::Name(n) => Some(n.clone()),
                ReaderSelector::Index(_) if self.config.psam_reader.trim() == "first-other" => {
                    PcscTransport::reader_name(sel.clone()).ok()
                }
                ReaderSelector::Index(_) => None,
            };
        }
        connect(sel)
    }

    #[cfg(feature = "emulator")]
    fn open_emulated(&mut self, path: &str, psam: bool) -> NationalResult<DynTransport> {
        let path = std::path::Path::new(path);
        if psam {
            Ok(Box::new(emulated::psam(path)?))
        } else {
            Ok(Box::new(emulated::card(path)?))
        }
    }

    #[cfg(not(feature = "emulator"))]
    fn open_emulated(&mut self, _path: &str, _psam: bool) -> NationalResult<DynTransport> {
        Err(NationalError::Unsupported(
            "emulator: readers (built without the emulator feature)".into(),
        ))
    }
}

impl Device for ConfiguredDevice {
    fn open_card(&mut self, interface: Interface) -> NationalResult<DynTransport> {
        let setting = match interface {
            Interface::Contactless => self.config.contactless_reader.clone(),
            _ => self.config.reader.clone(),
        };
        if setting.trim().is_empty() {
            return Err(TransportError::NoReader(format!(
                "no reader configured for {interface:?}"
            ))
            .into());
        }
        self.open_setting(&setting, false)
    }

    fn open_psam(&mut self) -> NationalResult<DynTransport> {
        let setting = self.config.psam_reader.clone();
        if setting.trim().is_empty() {
            return Err(NationalError::NoPsam("no PSAM reader configured".into()));
        }
        self.open_setting(&setting, true)
            .map_err(|e| NationalError::NoPsam(e.to_string()))
    }

    fn device_no(&self) -> Option<String> {
        Some(self.config.device_no.clone()).filter(|s| !s.is_empty())
    }

    fn terminal_no(&self) -> Option<String> {
        Some(self.config.terminal_no.clone()).filter(|s| !s.is_empty())
    }

    fn pin_pad(&self) -> Option<PinPadLayout> {
        if !self.config.pin_pad {
            return None;
        }
        let timeout = u8::try_from(self.config.pin_timeout_secs).unwrap_or(u8::MAX);
        PinPadLayout::new(self.config.pin_pad_digits, timeout).ok()
    }

    fn enter_pin(&mut self, prompt: PinPrompt) -> NationalResult<Zeroizing<String>> {
        run_pin_program(
            &self.config.pin_program,
            prompt,
            Duration::from_secs(self.config.pin_timeout_secs),
        )
    }
}

/// Run the PIN-entry program `program prompt-word`; the PIN is the first line of its stdout
/// (never logged). Exit status ≠ 0: cancelled (−31); no answer within `timeout`: −32 (the
/// program is killed).
pub fn run_pin_program(
    program: &str,
    prompt: PinPrompt,
    timeout: Duration,
) -> NationalResult<Zeroizing<String>> {
    if program.trim().is_empty() {
        return Err(NationalError::Unsupported(
            "PIN entry: the reader has no PIN pad and no pin_program is configured".into(),
        ));
    }
    let mut child = Command::new(program)
        .arg(prompt.word())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| NationalError::BadParameter(format!("pin_program {program:?}: {e}")))?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(NationalError::PinTimeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(NationalError::BadParameter(format!("pin_program: {e}"))),
        }
    };
    if !status.success() {
        return Err(NationalError::PinCancelled);
    }
    let mut out = Zeroizing::new(String::new());
    if let Some(mut s) = child.stdout.take() {
        s.read_to_string(&mut out)
            .map_err(|e| NationalError::BadParameter(format!("pin_program output: {e}")))?;
    }
    let pin = Zeroizing::new(out.lines().next().unwrap_or_default().trim().to_string());
    Ok(pin)
}
