//! The card: the card application (persistent state behind the journal, volatile security
//! state, the command dispatch and lifecycle gate) run by the shared [`Chip`] frame.

use crate::chip::rng::Rng;
use crate::chip::{self, Application, Chip, Reply, Res, Transport};
use crate::config::{CardConfig, Protocol};
use crate::ctx::{Config, Ctx, RamCtx, ReadCtx, WriteCtx};
use crate::handlers::{auth, data, lifecycle, pin, purse, select};
use crate::layout::{self, family_from, hdr, suite_code, version_from, Layout, LayoutError};
use crate::security::{Challenge, Volatile};
use crate::store::{Journal, Store, StoreError};
use sscard_apdu::commands::CardCommand as Command;
use sscard_apdu::{CommandView, StatusWord};
use sscard_specs::family::ReadRecordAnswer;
use sscard_specs::versions::SpecVersion;

/// ATR length in T=0 ([`Protocol::T0`]): `3B 6D 00 00` + 13 historical bytes (no TCK: T=0 only).
pub const ATR_LEN: usize = 17;
/// ATR prefix in T=0 (TS, T0 = 6D: TB1, TC1 present, no TD1 so T=0 implicit, 13 historical
/// bytes; TB1 = TC1 = 00), sscard-spec.md §5.2, the shape of the genuine cards (real-cards.md T1, T3).
pub const ATR_PREFIX: [u8; 4] = [0x3B, 0x6D, 0x00, 0x00];
/// ATR prefix in T=1 ([`Protocol::T1`]): TS, T0 = ED (TB1, TC1, TD1 present, 13 historical
/// bytes), TB1 = TC1 = 00, TD1 = 01 (T=1, no further interface bytes: IFSC, CWI, BWI default).
/// ISO/IEC 7816-3 §8.2.5: an ATR offering a protocol other than T=0 ends with TCK.
pub const ATR_T1_PREFIX: [u8; 5] = [0x3B, 0xED, 0x00, 0x00, 0x01];
/// ATR length in T=1: [`ATR_T1_PREFIX`] + 13 historical bytes + TCK.
pub const ATR_T1_LEN: usize = 19;
/// The longest ATR of either protocol.
pub const ATR_MAX: usize = ATR_T1_LEN;
/// Historical bytes of the card ATR (kept in the image header).
const HISTORICAL_LEN: usize = 13;

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
    /// The header names a card family this card OS does not know (or one of another spec
    /// version than the image's).
    #[error("not a card image: unknown card family code {0:#04x} in the header")]
    UnknownFamily(u8),
    /// The spec tables do not fit the layout.
    #[error(transparent)]
    Layout(LayoutError),
    /// The store is smaller than the layout needs.
    #[error("smaller than the layout needs")]
    StoreTooSmall,
}

/// The card application: what [`Card`] runs in the chip frame.
pub(crate) struct CardApp<S: Store> {
    /// Persistent: the journaled image.
    j: Journal<S>,
    /// Read-only: configuration and layout.
    config: Config,
    /// The ATR ([`ATR_LEN`] or [`ATR_T1_LEN`] bytes used, by protocol).
    atr: [u8; ATR_MAX],
    atr_len: u8,
    /// Volatile: the security state.
    vol: Volatile,
}

/// An emulated social security card over a [`Store`].
pub struct Card<S: Store> {
    chip: Chip<CardApp<S>>,
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
        let code = h.get(hdr::FAMILY).copied().unwrap_or(0);
        let family = family_from(code, version).ok_or(InitError::UnknownFamily(code))?;
        let layout = Layout::new(family).map_err(InitError::Layout)?;
        if (layout.end() as usize) > j.data_capacity() {
            return Err(InitError::StoreTooSmall);
        }
        let historical = h
            .get(hdr::HISTORICAL..hdr::HISTORICAL + HISTORICAL_LEN)
            .unwrap_or(&[]);
        let (atr, atr_len) = match cfg.protocol {
            Protocol::T0 => (chip::atr(&ATR_PREFIX, historical, false), ATR_LEN),
            Protocol::T1 => (chip::atr(&ATR_T1_PREFIX, historical, true), ATR_T1_LEN),
        };
        let rng = Rng::new(&cfg.rng_seed);
        let app = CardApp {
            j,
            config: Config {
                card: cfg,
                layout,
                family,
            },
            atr,
            atr_len: atr_len as u8,
            vol: Volatile::default(),
        };
        Ok(Card {
            chip: Chip::new(app, rng),
        })
    }

    /// The ATR (available at any time, powered or not).
    pub fn atr(&self) -> &[u8] {
        let app = &self.chip.app;
        app.atr.get(..usize::from(app.atr_len)).unwrap_or(&app.atr)
    }

    /// The configuration.
    pub fn config(&self) -> &CardConfig {
        &self.chip.app.config.card
    }

    /// Spec version of the image.
    pub fn spec_version(&self) -> SpecVersion {
        self.chip.app.config.layout.version()
    }

    /// The card family of the image (`sscard_specs::family`).
    pub fn family(&self) -> &'static sscard_specs::family::Family {
        self.chip.app.config.family
    }

    /// Cold power-up: run journal recovery, clear the volatile state.
    pub fn power_on(&mut self) {
        self.chip.power_on();
    }

    /// Warm reset: same as a power cycle for the card's state.
    pub fn reset(&mut self) {
        if fault!(self.chip.app.config, reset_keeps_security_state) {
            let vol = self.chip.app.vol;
            self.chip.power_on();
            let app = &mut self.chip.app;
            app.vol = Volatile {
                challenge: None,
                card_blocked: app.vol.card_blocked,
                ..vol
            };
            return;
        }
        self.chip.power_on();
    }

    /// Power off: the volatile state is lost.
    pub fn power_off(&mut self) {
        self.chip.power_off();
    }

    /// Whether the card is powered.
    pub fn is_powered(&self) -> bool {
        self.chip.is_powered()
    }

    /// The store (read-only: tests compare images).
    pub fn store(&self) -> &S {
        self.chip.app.j.store()
    }

    /// The store, mutable (tests arm power cuts). Writing to it behind the card's back is undefined.
    pub fn store_mut(&mut self) -> &mut S {
        self.chip.app.j.store_mut()
    }

    /// The DF04 amount file as stored (COS-internal, `sscard_specs::purse::amount_file`; no
    /// command reads it whole): for tests and diagnostics. Zeros if unreadable.
    pub fn purse_amount_file(&self) -> [u8; sscard_specs::purse::amount_file::LEN] {
        let mut b = [0u8; sscard_specs::purse::amount_file::LEN];
        let app = &self.chip.app;
        let off = app.config.layout.purse() + layout::purse::AMOUNT;
        if app.j.read(off, &mut b).is_err() {
            b = [0; sscard_specs::purse::amount_file::LEN];
        }
        b
    }

    /// Give the store back.
    pub fn into_store(self) -> S {
        self.chip.app.j.into_store()
    }

    /// Process one command APDU; writes `data ‖ SW1 SW2` into `resp` and returns its length.
    /// `resp` should hold [`RESP_MAX`](crate::RESP_MAX) bytes (a shorter buffer caps the data);
    /// never panics. A card that is not powered is powered on first.
    pub fn process(&mut self, cmd: &[u8], resp: &mut [u8]) -> usize {
        self.chip.process(cmd, resp)
    }
}

impl<S: Store> Application for CardApp<S> {
    type Command<'a> = Command<'a>;
    type Admit = Option<Challenge>;

    fn decode<'a>(view: &CommandView<'a>) -> Result<Command<'a>, StatusWord> {
        Command::try_from(view)
    }

    fn get_response(cmd: &Command<'_>) -> Option<u16> {
        match cmd {
            Command::GetResponse { le } => Some(*le),
            _ => None,
        }
    }

    /// Every APDU takes the single-use challenge; a blocked card answers `6A81` to everything.
    fn admit(&mut self) -> Result<Option<Challenge>, StatusWord> {
        let challenge = if fault!(self.config, challenge_reusable) {
            self.vol.challenge
        } else {
            self.vol.challenge.take()
        };
        if self.vol.card_blocked {
            return Err(StatusWord::FUNC_NOT_SUPPORTED);
        }
        Ok(challenge)
    }

    fn execute(
        &mut self,
        cmd: Command<'_>,
        challenge: Option<Challenge>,
        ne: Option<u32>,
        rng: &mut Rng,
        out: &mut [u8],
    ) -> Res {
        // The open purse transaction belongs to the command right after INITIALIZE only.
        let purse_session = self.vol.purse.take();
        let read_record_only = fault!(self.config, app_block_read_record_only);
        match self.read().app_state()? {
            layout::APP_ACTIVE => {}
            layout::APP_BLOCKED
                if cmd.allowed_when_blocked()
                    || fault!(self.config, app_block_not_enforced)
                    || (read_record_only && !matches!(cmd, Command::ReadRecord { .. })) => {}
            layout::APP_BLOCKED => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
            _ if matches!(cmd, Command::Select { .. }) => {}
            _ => return Err(StatusWord::FUNC_NOT_SUPPORTED),
        }
        let ch = challenge;
        match cmd {
            Command::Select { by, fci } => select::select(self.read(), by, fci, out),
            Command::ReadBinary { sfi, offset } => {
                data::read_binary(self.read(), sfi, offset, ne, out)
            }
            Command::UpdateBinary { sfi, offset, data } => {
                data::update_binary(self.write(), sfi, offset, data, ch)
            }
            Command::ReadRecord { sfi, mode } => {
                let one_record = !matches!(mode, sscard_apdu::commands::RecordSelector::AllFrom(_));
                let reply = data::read_record(self.read(), sfi, mode, out)?;
                if one_record {
                    self.family_read_record(reply, ne)
                } else {
                    Ok(reply)
                }
            }
            Command::UpdateRecord { sfi, number, data } => {
                data::update_record(self.write(), sfi, number, data, ch)
            }
            Command::AppendRecord { sfi, data } => data::append_record(self.write(), sfi, data, ch),
            Command::Verify { pin } => pin::verify(self.write(), pin),
            Command::ChangePin { old, new } => pin::change_pin(self.write(), old, new),
            Command::PinUnblock { mac } => pin::pin_unblock(self.write(), mac, ch),
            Command::PinReload { mac } => pin::pin_reload(self.write(), mac, ch),
            Command::GetChallenge { len } => auth::get_challenge(self.ram(), rng, len, out),
            Command::ExternalAuthenticate { kid, data } => {
                auth::external_authenticate(self.write(), kid, data, ch)
            }
            Command::InternalAuthenticate { kid, data } => {
                auth::internal_authenticate(self.read(), kid, data, out)
            }
            Command::ApplicationBlock { permanent, mac } => {
                lifecycle::application_block(self.write(), permanent, mac, ch)
            }
            Command::ApplicationUnblock { mac } => {
                lifecycle::application_unblock(self.write(), mac, ch)
            }
            Command::CardBlock { mac } => lifecycle::card_block(self.write(), mac, ch),
            Command::GetResponse { .. } => Err(StatusWord::NO_PRECISE_DIAGNOSIS),
            Command::InitializeForPurchase(c) => {
                purse::initialize_for_purchase(self.read(), rng, c, out)
            }
            Command::InitializeForLoad(c) => purse::initialize_for_load(self.read(), rng, c, out),
            Command::DebitForPurchase(d) => {
                purse::debit_for_purchase(self.write(), purse_session, d, out)
            }
            Command::CreditForLoad(c) => {
                purse::credit_for_load(self.write(), purse_session, c, out)
            }
            Command::GetBalance => purse::get_balance(self.read(), out),
            Command::GetTransactionProve { kind, counter } => {
                purse::get_transaction_prove(self.read(), kind, counter, out)
            }
        }
    }

    fn transport(&self) -> Transport {
        match self.config.card.protocol {
            Protocol::T0 => Transport::T0 {
                announce_extra: usize::from(fault!(self.config, t0_wrong_6cxx)),
            },
            Protocol::T1 => Transport::T1,
        }
    }

    /// Journal recovery, volatile state cleared, the CARD BLOCK state read from the header.
    fn power_on(&mut self) {
        let _ = self.j.recover();
        self.vol = Volatile::default();
        let mut lc = [0u8; 1];
        self.vol.card_blocked = self
            .j
            .read(layout::HEADER_OFF + hdr::LIFECYCLE as u32, &mut lc)
            .map_or(true, |_| lc[0] != layout::CARD_ACTIVE);
    }

    fn power_off(&mut self) {
        self.vol = Volatile::default();
    }
}

impl<S: Store> CardApp<S> {
    /// READ RECORD with an Le other than the record length, answered the family's way on T=0
    /// ([`sscard_specs::family::Family::read_record_answer`]): `6Cxx` (national, left to the
    /// T=0 shaping), the first Le bytes and `9000` (Shanghai), or `6F00` (Shanghai, long Le).
    /// On T=1 the transport truncates to Le as for every command.
    fn family_read_record(&self, reply: Reply, ne: Option<u32>) -> Res {
        if !matches!(self.config.card.protocol, Protocol::T0) || reply.len == 0 {
            return Ok(reply);
        }
        let le = ne.map_or(0, |n| u8::try_from(n).unwrap_or(0));
        let record_len = u8::try_from(reply.len).unwrap_or(u8::MAX);
        match self.config.family.read_record_answer(le, record_len) {
            ReadRecordAnswer::Truncate9000 { len } => Ok(Reply {
                len: usize::from(len),
                sw: reply.sw,
            }),
            ReadRecordAnswer::NoPreciseDiagnosis6F00 => Err(StatusWord::NO_PRECISE_DIAGNOSIS),
            ReadRecordAnswer::Exact
            | ReadRecordAnswer::WrongLe6C { .. }
            | ReadRecordAnswer::Full9000 => Ok(reply),
        }
    }

    /// The context of a handler that reads the image.
    fn read(&mut self) -> ReadCtx<'_, S> {
        Ctx {
            nvm: &self.j,
            ram: &mut self.vol,
            config: &self.config,
        }
    }

    /// The context of a handler that writes the image.
    fn write(&mut self) -> WriteCtx<'_, S> {
        Ctx {
            nvm: &mut self.j,
            ram: &mut self.vol,
            config: &self.config,
        }
    }

    /// The context of a handler that does not touch the image.
    fn ram(&mut self) -> RamCtx<'_> {
        Ctx {
            nvm: (),
            ram: &mut self.vol,
            config: &self.config,
        }
    }
}
