//! [`EmulatorTransport`]: the in-process card OS (`sscard_card_os::Card`) behind the
//! [`Transport`] trait — `sscard --emulator IMAGE` with a persistent image file, and the
//! integration tests and benches with an in-memory image.
//!
//! Like the PC/SC transport, the card's raw `process` is plugged into
//! [`sscard_apdu::exchange`](mod@sscard_apdu::exchange), the one place where `61xx` / `6Cxx` are handled; every leg is
//! counted and traced at `debug` with PIN and key data masked.

use std::path::Path;

use sscard_apdu::exchange::{exchange, ExchangeError, RawTransmit, T0Policy};
use sscard_apdu::CommandView;
use sscard_card_os::store::{FileStore, RamStore, Store, StoreError};
#[cfg(feature = "faults")]
use sscard_card_os::Faults;
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, InitError, Quirks,
    CARD_STORE_SIZE,
};
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::{IssuerKeySet, Profile};
use sscard_specs::SpecVersion;

use crate::error::{CardImageDefect, CardOsError, Error, ImageError, ImageKind, Result};
use crate::transport::response::exchange_response;
use crate::transport::{redact, Transport, TransportError};

/// Room for the response data of all GET RESPONSE rounds plus the status word.
const OUT_MAX: usize = 8 * 1024;

/// An emulated card in-process, over image store `S`.
pub struct EmulatorTransport<S: Store> {
    card: Card<S>,
    policy: T0Policy,
    apdus: u64,
    name: String,
}

/// An in-memory card image.
pub type RamImage = RamStore<CARD_STORE_SIZE>;

impl<S: Store> std::fmt::Debug for EmulatorTransport<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorTransport")
            .field("name", &self.name)
            .field("atr", &hex::encode_upper(self.card.atr()))
            .field("apdus", &self.apdus)
            .finish()
    }
}

struct Leg<'a, S: Store> {
    card: &'a mut Card<S>,
    count: &'a mut u64,
    name: &'a str,
}

impl<S: Store> RawTransmit for Leg<'_, S> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        tracing::debug!(target: "sscard::apdu", reader = self.name, "> {}", redact(cmd));
        *self.count = self.count.saturating_add(1);
        let n = self.card.process(cmd, resp);
        let shown = resp.get(..n).unwrap_or_default();
        tracing::debug!(target: "sscard::apdu", reader = self.name, "< {}", hex::encode_upper(shown));
        Ok(n)
    }
}

fn exchange_error(e: ExchangeError<TransportError>) -> TransportError {
    match e {
        ExchangeError::Transport(t) => t,
        other => TransportError::Exchange(other.to_string()),
    }
}

/// [`Error::Image`] for the image at `path`.
pub(crate) fn image_error(path: &str, reason: ImageError) -> Error {
    Error::Image {
        path: path.to_string(),
        reason,
    }
}

/// Why `Card::new` refused the image at `path`: a file that is not a card image (no header, a
/// damaged header, structures pointing outside the file) is [`ImageError::NotCardImage`] /
/// [`ImageError::CorruptCardImage`], not a store (I/O) failure.
fn init_error(path: &str, e: InitError) -> Error {
    image_error(
        path,
        match e {
            InitError::NotFormatted => ImageError::NotCardImage,
            InitError::ProfileMismatch => ImageError::UnknownSuite,
            InitError::LayoutVersion(v) => {
                ImageError::CorruptCardImage(CardImageDefect::LayoutVersion(v))
            }
            InitError::StoreTooSmall => {
                ImageError::CorruptCardImage(CardImageDefect::TooSmallForLayout)
            }
            InitError::Store(StoreError::OutOfRange) => {
                ImageError::CorruptCardImage(CardImageDefect::OutOfRange)
            }
            other => ImageError::CardOs(other.into()),
        },
    )
}

/// The checks a card image file passes before the card OS opens it: not empty, not shorter
/// than a card image ([`CARD_STORE_SIZE`]).
pub fn check_card_image_file(path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| Error::Io {
            context: format!("cannot read {name}"),
            source: e,
        })?
        .len();
    let defect = if len == 0 {
        CardImageDefect::Empty
    } else if len < CARD_STORE_SIZE as u64 {
        CardImageDefect::Truncated {
            len,
            need: CARD_STORE_SIZE,
        }
    } else {
        return Ok(());
    };
    Err(image_error(&name, ImageError::CorruptCardImage(defect)))
}

pub use sscard_card_os::Protocol;

/// The environment variable that sets the protocol of every emulated card (`t0` | `t1`) where
/// no flag or option sets it: the in-process emulator (`sscard --emulator`, the test harnesses)
/// and `sscard emulate`. `scripts/test.sh` runs part of the suite a second time with `t1`.
pub const PROTOCOL_ENV: &str = "SSCARD_CARD_PROTOCOL";

/// The default protocol of emulated cards: [`PROTOCOL_ENV`] when set, else [`Protocol::T0`]
/// (like genuine cards). The one place [`PROTOCOL_ENV`] is read; a value other than `t0` / `t1`
/// is a usage error.
pub fn default_protocol() -> Result<Protocol> {
    match std::env::var(PROTOCOL_ENV) {
        Ok(v) if v.trim().is_empty() => Ok(Protocol::default()),
        Ok(v) => Protocol::from_name(&v).ok_or_else(|| {
            Error::Usage(format!(
                "{PROTOCOL_ENV}={} is not a protocol: t0 or t1",
                crate::error::Quoted(&v)
            ))
        }),
        Err(_) => Ok(Protocol::default()),
    }
}

/// How the emulated card behaves on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmulatorOptions {
    /// The protocol its ATR announces and its answers follow: T=0 (`61xx` + GET RESPONSE for
    /// case 4, `6Cxx` for a wrong Le, like genuine cards) or T=1 (data at once). Default:
    /// [`default_protocol`].
    pub protocol: Protocol,
    /// Card-OS quirks (e.g. refuse READ RECORD all-records).
    pub quirks: Quirks,
    /// Deliberately faulty card-OS behaviour (feature `faults`: the conformance suite's own
    /// tests and `sscard conform --fault`; never in a default build).
    #[cfg(feature = "faults")]
    pub faults: Faults,
}

impl Default for EmulatorOptions {
    /// [`default_protocol`] (T=0 unless [`PROTOCOL_ENV`] says `t1`; an invalid value is logged
    /// and T=0 used — the CLI refuses it), no quirks, no faults.
    fn default() -> Self {
        let protocol = default_protocol().unwrap_or_else(|e| {
            tracing::warn!("{e}");
            Protocol::default()
        });
        EmulatorOptions {
            protocol,
            quirks: Quirks::default(),
            #[cfg(feature = "faults")]
            faults: Faults::default(),
        }
    }
}

impl EmulatorOptions {
    /// These options with `protocol`.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The card OS configuration these options give a card of `profile` (a fresh random
    /// challenge seed each time).
    pub fn card_config(&self, profile: &'static Profile) -> Result<CardConfig> {
        let seed: [u8; 16] = crate::session::random()?;
        let config = CardConfig::new(profile)
            .with_protocol(self.protocol)
            .with_quirks(self.quirks)
            .with_rng_seed(seed);
        #[cfg(feature = "faults")]
        let config = config.with_faults(self.faults);
        Ok(config)
    }
}

impl<S: Store> EmulatorTransport<S> {
    /// Wrap a card.
    pub fn new(card: Card<S>, name: impl Into<String>) -> Self {
        EmulatorTransport {
            card,
            policy: T0Policy::DEFAULT,
            apdus: 0,
            name: name.into(),
        }
    }

    /// Open a formatted image in `store`: its suite is found by trying the built-in profiles.
    pub fn open_store<F: FnMut() -> Result<S>>(
        mut store: F,
        opts: EmulatorOptions,
        name: &str,
    ) -> Result<Self> {
        for profile in [&SSCARD_2, &SSCARD_3] {
            match Card::new(store()?, opts.card_config(profile)?) {
                Ok(card) => return Ok(Self::new(card, name)),
                Err(InitError::ProfileMismatch) => {}
                Err(e) => return Err(init_error(name, e)),
            }
        }
        Err(image_error(name, ImageError::UnknownSuite))
    }

    /// The T=0 policy [`Transport::transmit`] applies (default: follow `61xx`, re-issue `6Cxx`).
    pub fn set_t0_policy(&mut self, policy: T0Policy) {
        self.policy = policy;
    }

    /// The emulated card.
    pub fn card(&self) -> &Card<S> {
        &self.card
    }

    /// The emulated card, mutably.
    pub fn card_mut(&mut self) -> &mut Card<S> {
        &mut self.card
    }
}

impl EmulatorTransport<FileStore> {
    /// Open the persistent image file `path` (every change is written through to it).
    pub fn open_image(path: &Path, opts: EmulatorOptions) -> Result<Self> {
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(image_error(&name, ImageError::Missing(ImageKind::Card)));
        }
        check_card_image_file(path)?;
        Self::open_store(
            || {
                FileStore::open(path, 0)
                    .map_err(|e| image_error(&name, ImageError::CardOs(e.into())))
            },
            opts,
            &name,
        )
    }
}

impl EmulatorTransport<RamImage> {
    /// A fresh in-memory card, factory-initialised.
    pub fn new_in_memory(params: &FactoryParams<'_>, opts: EmulatorOptions) -> Result<Self> {
        let mut store = RamImage::new();
        const NAME: &str = "in-memory image";
        factory_initialise(&mut store, params)
            .map_err(|e| image_error(NAME, ImageError::CardOs(e.into())))?;
        let card =
            Card::new(store, opts.card_config(params.profile)?).map_err(|e| init_error(NAME, e))?;
        Ok(Self::new(card, "in-memory card"))
    }
}

impl<S: Store> EmulatorTransport<S> {
    fn transmit_policy(
        &mut self,
        cmd: &[u8],
        follow_61xx: bool,
    ) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let Self {
            card,
            policy,
            apdus,
            name,
        } = self;
        let policy = &T0Policy {
            follow_61xx: policy.follow_61xx && follow_61xx,
            ..*policy
        };
        let mut out = vec![0u8; OUT_MAX];
        let mut leg = Leg {
            card,
            count: apdus,
            name,
        };
        let (n, _sw) = exchange(&mut leg, &view, policy, &mut out).map_err(exchange_error)?;
        let end = n.checked_add(2).ok_or(TransportError::Closed)?;
        out.truncate(end);
        Ok(out)
    }
}

impl<S: Store> Transport for EmulatorTransport<S> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, true)
    }

    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, false)
    }

    fn atr(&self) -> &[u8] {
        self.card.atr()
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reset();
        Ok(())
    }

    fn apdu_count(&self) -> u64 {
        self.apdus
    }

    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        Some(std::mem::replace(&mut self.policy, policy))
    }
}

/// The card identity `sscard init` burns in: the region (6 digits) and the serial (8 hex
/// digits) give the card identification code; the ATR's historical bytes are
/// `00 81 53 43 20 | 86 <region> <serial>` so the card-level factor (last 8 bytes) differs per card.
pub fn identity(region: &str, serial: &str) -> Result<CardIdentity> {
    let r = crate::model::value::encode_cn(region, 3)?;
    let region_bcd: [u8; 3] = <[u8; 3]>::try_from(r.as_slice())
        .ok()
        .filter(|_| region.len() == 6)
        .ok_or_else(|| Error::Value {
            what: "region",
            expected: "6 digits",
            got: region.to_string(),
        })?;
    let serial_bytes = hex::decode(serial).ok();
    let serial: [u8; 4] = serial_bytes
        .as_deref()
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .ok_or_else(|| Error::Value {
            what: "serial",
            expected: "8 hex digits",
            got: serial.to_string(),
        })?;
    let mut hist = [0u8; 13];
    let parts = [0x00, 0x81, 0x53, 0x43, 0x20, 0x86]
        .into_iter()
        .chain(region_bcd)
        .chain(serial);
    hist.iter_mut().zip(parts).for_each(|(d, s)| *d = s);
    Ok(CardIdentity {
        region_bcd,
        serial,
        atr_historical: hist,
    })
}

/// Factory-initialise a new image file at `path` (refused with [`ImageError::Exists`] when a file
/// is already there, unless `force`).
pub fn create_image(
    path: &Path,
    profile: &'static Profile,
    version: SpecVersion,
    identity: CardIdentity,
    keys: &IssuerKeySet,
    initial_pin: &str,
    force: bool,
) -> Result<()> {
    let name = path.display().to_string();
    if path.exists() {
        if !force {
            return Err(image_error(&name, ImageError::Exists));
        }
        std::fs::remove_file(path).map_err(|e| image_error(&name, ImageError::Replace(e)))?;
    }
    let mut store = FileStore::open(path, CARD_STORE_SIZE)
        .map_err(|e| image_error(&name, ImageError::Create(e.into())))?;
    let params = FactoryParams {
        profile,
        version,
        identity,
        keys,
        pin: initial_pin.as_bytes(),
    };
    factory_initialise(&mut store, &params)
        .map_err(|e| image_error(&name, ImageError::CardOs(CardOsError::from(e))))
}

/// The emulated PSAM (`sscard_card_os::psam::Psam`) in-process behind the [`Transport`] trait:
/// the PSAM image of `sscard psam init` (or an in-memory one), T=0 handled by
/// [`sscard_apdu::exchange`](mod@sscard_apdu::exchange) like the card's.
pub struct PsamEmulatorTransport<S: Store> {
    psam: sscard_card_os::psam::Psam<S>,
    policy: T0Policy,
    apdus: u64,
    atr: Vec<u8>,
}

impl<S: Store> std::fmt::Debug for PsamEmulatorTransport<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PsamEmulatorTransport")
            .field("atr", &hex::encode_upper(&self.atr))
            .field("apdus", &self.apdus)
            .finish()
    }
}

struct PsamLeg<'a, S: Store> {
    psam: &'a mut sscard_card_os::psam::Psam<S>,
    count: &'a mut u64,
}

impl<S: Store> RawTransmit for PsamLeg<'_, S> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        tracing::debug!(target: "sscard::apdu", reader = "psam", "> {}", redact(cmd));
        *self.count = self.count.saturating_add(1);
        let n = self.psam.process(cmd, resp);
        tracing::debug!(target: "sscard::apdu", reader = "psam", "< {}", hex::encode_upper(resp.get(..n).unwrap_or_default()));
        Ok(n)
    }
}

/// An in-memory PSAM image.
pub type RamPsamImage = RamStore<{ sscard_card_os::psam::PSAM_STORE_SIZE }>;

impl<S: Store> PsamEmulatorTransport<S> {
    /// Wrap a PSAM.
    pub fn new(psam: sscard_card_os::psam::Psam<S>) -> Self {
        let atr = psam.atr().to_vec();
        PsamEmulatorTransport {
            psam,
            policy: T0Policy::DEFAULT,
            apdus: 0,
            atr,
        }
    }
}

impl PsamEmulatorTransport<FileStore> {
    /// Open a PSAM image file (made by `sscard psam init`).
    pub fn open_image(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(image_error(&name, ImageError::Missing(ImageKind::Psam)));
        }
        let store = FileStore::open(path, 0)
            .map_err(|e| image_error(&name, ImageError::CardOs(e.into())))?;
        let seed: [u8; 16] = crate::session::random()?;
        let psam = sscard_card_os::psam::Psam::open(store)
            .map_err(|e| match e {
                sscard_card_os::psam::PsamInitError::NotProvisioned => {
                    image_error(&name, ImageError::NotPsamImage)
                }
                other => image_error(&name, ImageError::CardOs(other.into())),
            })?
            .with_rng_seed(seed);
        Ok(Self::new(psam))
    }
}

impl PsamEmulatorTransport<RamPsamImage> {
    /// A fresh in-memory PSAM provisioned with `params`.
    pub fn new_in_memory(params: &sscard_card_os::psam::PsamParams<'_>) -> Result<Self> {
        const NAME: &str = "in-memory PSAM";
        let mut img = RamPsamImage::new();
        sscard_card_os::psam::provision(&mut img, params)
            .map_err(|e| image_error(NAME, ImageError::CardOs(e.into())))?;
        let psam = sscard_card_os::psam::Psam::new(img, params.profile)
            .map_err(|e| image_error(NAME, ImageError::CardOs(e.into())))?;
        Ok(Self::new(psam))
    }
}

impl<S: Store> Transport for PsamEmulatorTransport<S> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let mut leg = PsamLeg {
            psam: &mut self.psam,
            count: &mut self.apdus,
        };
        exchange_response(&mut leg, &view, &self.policy, OUT_MAX).map_err(exchange_error)
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
