//! The card: persistent state behind the journal, volatile security state, and `process`.

use crate::config::CardConfig;
use crate::layout::{self, hdr, Layout, LayoutError};
use crate::rng::Rng;
use crate::security::Volatile;
use crate::store::{Journal, Store, StoreError};
use crate::t0::Pending;
use sscard_apdu::commands::CardCommand as Command;
use sscard_apdu::{CommandView, StatusWord};
use sscard_keys::profile::Suite;
use sscard_specs::types::DfId;
use sscard_specs::versions::SpecVersion;

/// Longest response `process` writes: 256 data bytes + SW1 SW2.
pub const RESP_MAX: usize = 258;
/// ATR length: `3B 6D 00 00` + 13 historical bytes.
pub const ATR_LEN: usize = 17;
/// ATR prefix (TS, T0 = 6D: TB1, TC1 present, 13 historical bytes; TB1 = TC1 = 00), sscard-spec.md §5.2.
pub const ATR_PREFIX: [u8; 4] = [0x3B, 0x6D, 0x00, 0x00];

/// Why [`Card::new`] refused a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InitError {
    /// The store could not be read or recovered.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// No card image (run [`crate::factory::factory_initialise`] first).
    #[error("not formatted")]
    NotFormatted,
    /// The image was formatted for another layout version.
    #[error("formatted with layout version {0}, not this card OS's")]
    LayoutVersion(u8),
    /// The image's algorithm suite differs from `CardConfig::profile`.
    #[error("formatted for another algorithm suite than the profile's")]
    ProfileMismatch,
    /// The spec tables do not fit the layout.
    #[error(transparent)]
    Layout(LayoutError),
    /// The store is smaller than the layout needs.
    #[error("smaller than the layout needs")]
    StoreTooSmall,
}

/// A successful handler result: `len` response bytes were written, answer `sw`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reply {
    pub len: usize,
    pub sw: StatusWord,
}

impl Reply {
    pub(crate) const OK: Reply = Reply {
        len: 0,
        sw: StatusWord::OK,
    };
    pub(crate) fn data(len: usize) -> Reply {
        Reply {
            len,
            sw: StatusWord::OK,
        }
    }
}

/// Handler result.
pub(crate) type Res = Result<Reply, StatusWord>;

pub(crate) fn suite_code(s: Suite) -> u8 {
    match s {
        Suite::Tdes => 1,
        Suite::Sm4 => 2,
    }
}

pub(crate) fn version_code(v: SpecVersion) -> u8 {
    v as u8
}

fn version_from(code: u8) -> Option<SpecVersion> {
    SpecVersion::ALL.get(usize::from(code)).copied()
}

/// An emulated social security card over a [`Store`].
pub struct Card<S: Store> {
    pub(crate) j: Journal<S>,
    pub(crate) cfg: CardConfig,
    pub(crate) layout: Layout,
    atr: [u8; ATR_LEN],
    pub(crate) vol: Volatile,
    pub(crate) pending: Pending,
    pub(crate) rng: Rng,
    powered: bool,
    boots: u32,
}

impl<S: Store> Card<S> {
    /// Open a formatted card image: recover the journal, check the header, power on.
    pub fn new(store: S, cfg: CardConfig) -> Result<Self, InitError> {
        let mut j = Journal::new(store);
        j.recover()?;
        let mut h = [0u8; layout::HEADER_LEN];
        j.read(layout::HEADER_OFF, &mut h)?;
        if h.get(..4) != Some(&layout::MAGIC[..]) {
            return Err(InitError::NotFormatted);
        }
        let lv = h.get(hdr::LAYOUT).copied().unwrap_or(0);
        if lv != layout::LAYOUT_VERSION {
            return Err(InitError::LayoutVersion(lv));
        }
        if h.get(hdr::SUITE).copied() != Some(suite_code(cfg.profile.suite)) {
            return Err(InitError::ProfileMismatch);
        }
        let version = h
            .get(hdr::VERSION)
            .copied()
            .and_then(version_from)
            .ok_or(InitError::NotFormatted)?;
        let layout = Layout::new(version).map_err(InitError::Layout)?;
        if (layout.end() as usize) > j.data_capacity() {
            return Err(InitError::StoreTooSmall);
        }
        let mut atr = [0u8; ATR_LEN];
        atr.iter_mut()
            .zip(
                ATR_PREFIX
                    .iter()
                    .chain(h.get(hdr::HISTORICAL..hdr::HISTORICAL + 13).unwrap_or(&[])),
            )
            .for_each(|(d, s)| *d = *s);
        let rng = Rng::new(&cfg.rng_seed);
        let mut card = Self {
            j,
            cfg,
            layout,
            atr,
            vol: Volatile::default(),
            pending: Pending::default(),
            rng,
            powered: false,
            boots: 0,
        };
        card.power_on();
        Ok(card)
    }

    /// The ATR (available at any time, powered or not).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// The configuration.
    pub fn config(&self) -> &CardConfig {
        &self.cfg
    }

    /// Spec version of the image.
    pub fn spec_version(&self) -> SpecVersion {
        self.layout.version()
    }

    /// Cold power-up: run journal recovery, clear the volatile state.
    pub fn power_on(&mut self) {
        let _ = self.j.recover();
        self.vol = Volatile::default();
        self.pending.clear();
        let mut lc = [0u8; 1];
        self.vol.card_blocked = self
            .j
            .read(layout::HEADER_OFF + hdr::LIFECYCLE as u32, &mut lc)
            .map_or(true, |_| lc[0] != layout::CARD_ACTIVE);
        self.boots = self.boots.wrapping_add(1);
        self.rng.stir(self.boots);
        self.powered = true;
    }

    /// Warm reset: same as a power cycle for the card's state.
    pub fn reset(&mut self) {
        if fault!(self, reset_keeps_security_state) {
            let vol = self.vol;
            self.power_on();
            self.vol = Volatile {
                challenge: None,
                card_blocked: self.vol.card_blocked,
                ..vol
            };
            return;
        }
        self.power_on();
    }

    /// Power off: the volatile state is lost.
    pub fn power_off(&mut self) {
        self.vol = Volatile::default();
        self.pending.clear();
        self.powered = false;
    }

    /// Whether the card is powered.
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// The store (read-only: tests compare images).
    pub fn store(&self) -> &S {
        self.j.store()
    }

    /// The store, mutable (tests arm power cuts). Writing to it behind the card's back is undefined.
    pub fn store_mut(&mut self) -> &mut S {
        self.j.store_mut()
    }

    /// Give the store back.
    pub fn into_store(self) -> S {
        self.j.into_store()
    }

    /// Process one command APDU; writes `data ‖ SW1 SW2` into `resp` and returns its length.
    /// `resp` should hold [`RESP_MAX`] bytes (a shorter buffer caps the data); never panics.
    /// A card that is not powered is powered on first.
    pub fn process(&mut self, cmd: &[u8], resp: &mut [u8]) -> usize {
        if resp.len() < 2 {
            return 0;
        }
        if !self.powered {
            self.power_on();
        }
        let cap = (resp.len() - 2).min(256);
        let (len, sw) = match resp.get_mut(..cap) {
            Some(out) => self.run(cmd, out),
            None => (0, StatusWord::NO_PRECISE_DIAGNOSIS),
        };
        let len = len.min(cap);
        match resp.get_mut(len..len + 2) {
            Some(s) => {
                s.copy_from_slice(&sw.to_bytes());
                len + 2
            }
            None => 0,
        }
    }

    fn run(&mut self, raw: &[u8], out: &mut [u8]) -> (usize, StatusWord) {
        let challenge = if fault!(self, challenge_reusable) {
            self.vol.challenge
        } else {
            self.vol.challenge.take()
        };
        if self.vol.card_blocked {
            self.pending.clear();
            return (0, StatusWord::FUNC_NOT_SUPPORTED);
        }
        let Ok(view) = CommandView::parse(raw) else {
            self.pending.clear();
            return (0, StatusWord::WRONG_LENGTH);
        };
        let cmd = match Command::try_from(&view) {
            Ok(c) => c,
            Err(sw) => {
                self.pending.clear();
                return (0, sw);
            }
        };
        if let Command::GetResponse { le } = cmd {
            return self.pending.get_response(le, out);
        }
        self.pending.clear();
        match self.app_state() {
            Ok(layout::APP_ACTIVE) => {}
            Ok(layout::APP_BLOCKED)
                if cmd.allowed_when_blocked() || fault!(self, app_block_not_enforced) => {}
            Ok(layout::APP_BLOCKED) => return (0, StatusWord::CONDITIONS_NOT_SATISFIED),
            Ok(_) if matches!(cmd, Command::Select { .. }) => {}
            Ok(_) => return (0, StatusWord::FUNC_NOT_SUPPORTED),
            Err(sw) => return (0, sw),
        }
        let res = match cmd {
            Command::Select { by, fci } => self.select(by, fci, out),
            Command::ReadBinary { sfi, offset } => self.read_binary(sfi, offset, view.ne, out),
            Command::UpdateBinary { sfi, offset, data } => {
                self.update_binary(sfi, offset, data, challenge)
            }
            Command::ReadRecord { sfi, mode } => self.read_record(sfi, mode, out),
            Command::UpdateRecord { sfi, number, data } => {
                self.update_record(sfi, number, data, challenge)
            }
            Command::AppendRecord { sfi, data } => self.append_record(sfi, data, challenge),
            Command::Verify { pin } => self.verify(pin),
            Command::ChangePin { old, new } => self.change_pin(old, new),
            Command::PinUnblock { mac } => self.pin_unblock(mac, challenge),
            Command::PinReload { mac } => self.pin_reload(mac, challenge),
            Command::GetChallenge { len } => self.get_challenge(len, out),
            Command::ExternalAuthenticate { kid, data } => {
                self.external_authenticate(kid, data, challenge)
            }
            Command::InternalAuthenticate { kid, data } => {
                self.internal_authenticate(kid, data, out)
            }
            Command::ApplicationBlock { permanent, mac } => {
                self.application_block(permanent, mac, challenge)
            }
            Command::ApplicationUnblock { mac } => self.application_unblock(mac, challenge),
            Command::CardBlock { mac } => self.card_block(mac, challenge),
            Command::GetResponse { .. } => Err(StatusWord::NO_PRECISE_DIAGNOSIS),
        };
        match res {
            Ok(reply) => self.shape(!view.data.is_empty(), view.ne, reply, out),
            Err(sw) => (0, sw),
        }
    }

    /// Apply the transport behaviour to a handler's reply: T=0 shaping, or (T=1 style) the data
    /// truncated to Le.
    fn shape(
        &mut self,
        has_data_field: bool,
        ne: Option<u32>,
        reply: Reply,
        out: &mut [u8],
    ) -> (usize, StatusWord) {
        let Reply { len, sw } = reply;
        if !self.cfg.t0 {
            return (ne.map_or(len, |n| len.min(n as usize)), sw);
        }
        let announce_extra = usize::from(fault!(self, t0_wrong_6cxx));
        self.pending
            .shape(has_data_field, ne, len, sw, out, announce_extra)
    }

    /// Effective state of the current application: the current DF's, or the SSSE's when the SSSE
    /// is blocked and the current DF is below it.
    pub(crate) fn app_state(&self) -> Result<u8, StatusWord> {
        let own = self.df_state(self.vol.df)?;
        if matches!(self.vol.df, DfId::Mf | DfId::Ssse) {
            return Ok(own);
        }
        Ok(own.max(self.df_state(DfId::Ssse)?))
    }

    pub(crate) fn df_state(&self, df: DfId) -> Result<u8, StatusWord> {
        let mut b = [0u8; 1];
        self.j
            .read(layout::APP_STATE_OFF + df.index() as u32, &mut b)?;
        Ok(b[0])
    }
}
