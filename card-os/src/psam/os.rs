//! The PSAM card OS: the PSAM application (its image, volatile state, the command dispatch) run
//! by the shared chip frame; the handlers are in [`super::handlers`], the state in
//! [`super::state`].

use super::handlers::purchase::{self, PurchaseCtx};
use super::handlers::{challenge, compute, diversify, read, select, Config, Ctx};
use super::image::{self, LAYOUT_VERSION, MAGIC, PROFILE_NAME_LEN};
use super::state::{Df, Volatile};
use crate::chip::rng::Rng;
use crate::chip::{self, Application, Chip, Res, Transport};
use crate::store::{Store, StoreError};
use sscard_apdu::commands::PsamCommand;
use sscard_apdu::{CommandView, StatusWord};
use sscard_keys::profile::ALL as ALL_PROFILES;
use sscard_keys::Profile;
use sscard_specs::psam::SERIAL_LEN;

/// PSAM ATR length: `3B 6A 00 00` + 10 historical bytes (the PSAM serial).
pub const PSAM_ATR_LEN: usize = 14;
/// PSAM ATR prefix: TS, T0 = `6A` (TB1, TC1 present, 10 historical bytes), TB1 = TC1 = 00.
pub const PSAM_ATR_PREFIX: [u8; 4] = [0x3B, 0x6A, 0x00, 0x00];

/// Why [`Psam::new`] refused a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PsamInitError {
    /// The store could not be read.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// No PSAM image (run [`super::provision`] first).
    #[error("not provisioned")]
    NotProvisioned,
    /// The image has another layout version.
    #[error("provisioned with layout version {0}, not this PSAM's")]
    LayoutVersion(u8),
    /// The image was provisioned for a profile that is not built in / not the one asked for.
    #[error("provisioned for a profile that is not built in or not the one asked for")]
    ProfileMismatch,
}

/// The PSAM application: what [`Psam`] runs in the chip frame.
pub(crate) struct PsamApp<S: Store> {
    /// Persistent: the provisioned image.
    store: S,
    /// Read-only: what the image says.
    config: Config,
    atr: [u8; PSAM_ATR_LEN],
    /// Volatile: selection and crypto session.
    vol: Volatile,
}

/// An emulated social-security PSAM over a provisioned [`Store`] (see the module docs for the
/// command set). T=0 behaviour like real PSAMs: a command with a data field that produces data
/// answers `61xx` and the data is fetched with GET RESPONSE; a case-2 command whose Le differs
/// from the data length answers `6Cxx`.
pub struct Psam<S: Store> {
    chip: Chip<PsamApp<S>>,
}

impl<S: Store> core::fmt::Debug for Psam<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let app = &self.chip.app;
        f.debug_struct("Psam")
            .field("profile", &app.config.profile.name)
            .field("atr", &app.atr)
            .field("keys", &app.config.key_count)
            .field("df01_selected", &(app.vol.df == Df::Df01))
            .field("session", &app.vol.session.is_some())
            .finish()
    }
}

impl<S: Store> Psam<S> {
    /// Opens a provisioned image; the profile is the one named in the image (a built-in profile).
    pub fn open(store: S) -> Result<Self, PsamInitError> {
        Self::open_with(store, None)
    }

    /// Opens a provisioned image that must have been provisioned for `profile`.
    pub fn new(store: S, profile: &'static Profile) -> Result<Self, PsamInitError> {
        Self::open_with(store, Some(profile))
    }

    fn open_with(store: S, want: Option<&'static Profile>) -> Result<Self, PsamInitError> {
        let mut h = [0u8; image::OFF_KEYS as usize];
        store.read(0, &mut h)?;
        if h.get(..4) != Some(&MAGIC[..]) {
            return Err(PsamInitError::NotProvisioned);
        }
        let lv = h.get(image::OFF_LAYOUT as usize).copied().unwrap_or(0);
        if lv != LAYOUT_VERSION {
            return Err(PsamInitError::LayoutVersion(lv));
        }
        let key_count = h.get(image::OFF_KEY_COUNT as usize).copied().unwrap_or(0);
        let start = image::OFF_PROFILE as usize;
        let raw = h
            .get(start..start + PROFILE_NAME_LEN)
            .ok_or(PsamInitError::NotProvisioned)?;
        let name_len = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let name = raw.get(..name_len).unwrap_or(&[]);
        let profile = match want {
            Some(p) if p.name.as_bytes() == name => p,
            Some(_) => return Err(PsamInitError::ProfileMismatch),
            None => ALL_PROFILES
                .iter()
                .copied()
                .find(|p| p.name.as_bytes() == name)
                .ok_or(PsamInitError::ProfileMismatch)?,
        };
        let serial_at = image::OFF_EF15 as usize;
        let atr: [u8; PSAM_ATR_LEN] = chip::atr(
            &PSAM_ATR_PREFIX,
            h.get(serial_at..serial_at + SERIAL_LEN).unwrap_or(&[]),
            false,
        );
        let mut seed = [0x3Cu8; 16];
        seed.iter_mut()
            .zip(atr.iter().skip(4))
            .for_each(|(d, s)| *d ^= *s);
        let app = PsamApp {
            store,
            config: Config { profile, key_count },
            atr,
            vol: Volatile::default(),
        };
        Ok(Psam {
            chip: Chip::new(app, Rng::new(&seed)),
        })
    }

    /// Reseeds the challenge generator (feed it from a TRNG / the OS on a host).
    pub fn with_rng_seed(mut self, seed: [u8; 16]) -> Self {
        self.chip.rng = Rng::new(&seed);
        self
    }

    /// The ATR (available at any time).
    pub fn atr(&self) -> &[u8] {
        &self.chip.app.atr
    }

    /// The profile the PSAM was provisioned for.
    pub fn profile(&self) -> &'static Profile {
        self.chip.app.config.profile
    }

    /// Number of key records.
    pub fn key_count(&self) -> u8 {
        self.chip.app.config.key_count
    }

    /// Cold power-up: clears the volatile state (selection, process key, pending response).
    pub fn power_on(&mut self) {
        self.chip.power_on();
    }

    /// Warm reset: same as a power cycle.
    pub fn reset(&mut self) {
        self.chip.power_on();
    }

    /// Power off: the volatile state (and the process key) is lost.
    pub fn power_off(&mut self) {
        self.chip.power_off();
    }

    /// Whether the PSAM is powered.
    pub fn is_powered(&self) -> bool {
        self.chip.is_powered()
    }

    /// The store (read-only).
    pub fn store(&self) -> &S {
        &self.chip.app.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.chip.app.store
    }

    /// Processes one command APDU; writes `data ‖ SW1 SW2` into `resp` (should hold
    /// [`RESP_MAX`](crate::RESP_MAX) bytes; a shorter buffer caps the data) and returns its
    /// length. Never panics; 0 only when `resp` is shorter than 2 bytes. An unpowered PSAM is
    /// powered on first.
    pub fn process(&mut self, cmd: &[u8], resp: &mut [u8]) -> usize {
        self.chip.process(cmd, resp)
    }
}

impl<S: Store> Application for PsamApp<S> {
    type Command<'a> = PsamCommand<'a>;
    type Admit = ();

    fn decode<'a>(view: &CommandView<'a>) -> Result<PsamCommand<'a>, StatusWord> {
        PsamCommand::try_from(view)
    }

    fn get_response(cmd: &PsamCommand<'_>) -> Option<u16> {
        match cmd {
            PsamCommand::GetResponse { le } => Some(*le),
            _ => None,
        }
    }

    fn admit(&mut self) -> Result<(), StatusWord> {
        Ok(())
    }

    fn execute(
        &mut self,
        cmd: PsamCommand<'_>,
        (): (),
        ne: Option<u32>,
        rng: &mut Rng,
        out: &mut [u8],
    ) -> Res {
        match cmd {
            PsamCommand::InitForPurchase(c) => {
                let ctx = PurchaseCtx {
                    store: &mut self.store,
                    ram: &mut self.vol,
                    config: &self.config,
                };
                return purchase::init_for_purchase(ctx, c, out);
            }
            PsamCommand::VerifyMac2 { mac2 } => {
                let ctx = PurchaseCtx {
                    store: &mut self.store,
                    ram: &mut self.vol,
                    config: &self.config,
                };
                return purchase::verify_mac2(ctx, &mac2);
            }
            PsamCommand::Select { .. } => self.vol.purchase = None,
            _ => {}
        }
        let ctx = Ctx {
            store: &self.store,
            ram: &mut self.vol,
            rng,
            config: &self.config,
        };
        match cmd {
            PsamCommand::Select { by, fci } => select::select(ctx, by, fci, out),
            PsamCommand::ReadBinary { sfi, offset } => read::read_binary(ctx, sfi, offset, ne, out),
            PsamCommand::GetChallenge { len } => challenge::get_challenge(ctx, len, out),
            PsamCommand::DiversifyInit { usage, id, data } => {
                diversify::diversify_init(ctx, usage, id, data)
            }
            PsamCommand::Encrypt { data } => compute::encrypt(ctx, data, out),
            PsamCommand::Mac { key, data } => compute::mac(ctx, key, data, out),
            PsamCommand::GetResponse { .. } => Err(StatusWord::NO_PRECISE_DIAGNOSIS),
            PsamCommand::InitForPurchase(_) | PsamCommand::VerifyMac2 { .. } => {
                Err(StatusWord::NO_PRECISE_DIAGNOSIS)
            }
        }
    }

    /// PSAMs answer with T=0 behaviour.
    fn transport(&self) -> Transport {
        Transport::T0 { announce_extra: 0 }
    }

    fn power_on(&mut self) {
        self.vol = Volatile::default();
    }

    fn power_off(&mut self) {
        self.vol = Volatile::default();
    }
}

/// A PSAM over an in-RAM image of [`PSAM_STORE_SIZE`] bytes.
pub type RamPsam = Psam<crate::store::RamStore<{ super::PSAM_STORE_SIZE }>>;
