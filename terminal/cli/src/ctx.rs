//! [`Ctx`]: what every subcommand gets — the global options, and the transports, session and
//! security modules they open.

use std::path::PathBuf;

use sscard_keys::Profile;
use sscard_terminal::error::{Error, Result};
use sscard_terminal::security::keyfile::KeyFile;
use sscard_terminal::security::psam::PsamSecurityModule;
use sscard_terminal::session::Session;
use sscard_terminal::transport::emulator::{
    default_protocol, EmulatorOptions, EmulatorTransport, Protocol,
};
use sscard_terminal::transport::{
    AnyTransport, PcscTransport, Protocols, ReaderSelector, ShareMode,
};

/// What every subcommand gets.
pub struct Ctx {
    /// The parsed global options.
    pub reader: Option<String>,
    /// Emulator image.
    pub emulator: Option<PathBuf>,
    /// Key file.
    pub keys: Option<PathBuf>,
    /// PC/SC reader of the PSAM (name or index).
    pub psam_reader: Option<String>,
    /// Verbosity.
    pub verbose: u8,
    /// JSON output.
    pub json: bool,
    /// Emulator behaviour.
    pub emulator_opts: EmulatorOptions,
}

impl Ctx {
    /// Connect to the card (emulator image or PC/SC reader).
    pub fn connect(&self) -> Result<AnyTransport> {
        if let Some(img) = &self.emulator {
            let t = EmulatorTransport::open_image(img, self.emulator_opts)?;
            return Ok(AnyTransport::Emulator(Box::new(t)));
        }
        let t = PcscTransport::connect(
            self.reader_selector(),
            ShareMode::Shared,
            Protocols::T0 | Protocols::T1,
        )?;
        Ok(AnyTransport::Pcsc(Box::new(t)))
    }

    /// The card's reader: `--reader` (a name, or an index into the reader list), else the first.
    pub fn reader_selector(&self) -> ReaderSelector {
        match &self.reader {
            Some(r) => ReaderSelector::parse(r),
            None => ReaderSelector::Index(0),
        }
    }

    /// The key file, required.
    pub fn key_file(&self) -> Result<KeyFile> {
        let path = self.keys.as_ref().ok_or_else(|| {
            Error::Usage("this command needs the issuer keys: --keys FILE".into())
        })?;
        KeyFile::load(path)
    }

    /// Open a session on the card, with the security module when --keys or --psam-reader is
    /// given (`need_keys`: one of them is required).
    pub fn session(&self, need_keys: bool) -> Result<Session<AnyTransport>> {
        let keys = match (&self.keys, &self.psam_reader) {
            (Some(_), _) => Some(self.key_file()?),
            (None, None) if need_keys => {
                return Err(Error::Usage(
                    "this command needs a security module: the issuer keys (--keys FILE) or a \
                     PSAM (--psam-reader READER)"
                        .into(),
                ))
            }
            (None, _) => None,
        };
        let mut s = Session::open(self.connect()?)?;
        if let Some(k) = keys {
            s.set_security_module(k.into_security_module());
        } else if let Some(sm) = self.open_psam(s.profile())? {
            // The card's suite (FCI 9F0C / version) is known once the SSSE is selected; the PSAM
            // must hold the same suite's keys.
            s.set_security_module(sm);
        }
        Ok(s)
    }

    /// The PSAM in `--psam-reader`, DF01 selected, for a card of `profile` (`None` without
    /// `--psam-reader`).
    pub fn open_psam(
        &self,
        profile: &'static Profile,
    ) -> Result<Option<PsamSecurityModule<PcscTransport>>> {
        let Some(reader) = &self.psam_reader else {
            return Ok(None);
        };
        let t = PcscTransport::connect(
            ReaderSelector::parse(reader),
            ShareMode::Shared,
            Protocols::T0 | Protocols::T1,
        )?;
        sscard_terminal::security::psam::open(t, profile)
            .map(Some)
            .map_err(|e| Error::SecurityModule(format!("PSAM in {reader}: {e}")))
    }

    /// Close the session: report the APDU count with -v, disconnect leaving the card.
    pub fn finish(&self, s: Session<AnyTransport>) -> Result<()> {
        self.report_apdus(s.apdu_count());
        Ok(s.into_transport().close()?)
    }

    /// `apdus: N` on stderr with -v.
    pub fn report_apdus(&self, n: u64) {
        if self.verbose > 0 {
            eprintln!("apdus: {n}");
        }
    }

    /// Print a value as pretty JSON on stdout.
    pub fn print_json<T: serde::Serialize>(&self, v: &T) -> Result<()> {
        let s = serde_json::to_string_pretty(v)
            .map_err(|e| Error::Internal(format!("JSON output: {e}")))?;
        println!("{s}");
        Ok(())
    }
}

/// The emulated card's protocol: `--t0` / `--t1` flags first, else `SSCARD_CARD_PROTOCOL`
/// ([`default_protocol`]), else T=0.
pub(crate) fn emulator_protocol(t0: bool, t1: bool) -> Result<Protocol> {
    match (t0, t1) {
        (true, _) => Ok(Protocol::T0),
        (false, true) => Ok(Protocol::T1),
        (false, false) => default_protocol(),
    }
}
