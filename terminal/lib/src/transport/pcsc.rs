//! [`PcscTransport`]: a card in a PC/SC reader, through pcsc-lite / WinSCard (crate `pcsc`).
//!
//! The `pcsc` crate's `Drop for Card` disconnects with `SCARD_RESET_CARD`, which would throw away
//! the PIN state and selection for every process using the card. This transport always
//! disconnects with [`Disposition::LeaveCard`] itself, in [`PcscTransport::close`] and in `Drop`.

use std::ffi::CString;
use std::time::{Duration, Instant};

pub use pcsc::Protocols;
use pcsc::{Card, Context, Disposition, Protocol, ReaderState, Scope, State};
use sscard_apdu::exchange::{RawTransmit, T0Policy};
use sscard_apdu::CommandView;

use super::pinpad::{PinPadFeatures, GET_FEATURE_REQUEST_FUNCTION};
use super::response::exchange_response;
use super::{redact, Transport, TransportError};
use crate::error::Quoted;

/// Receive buffer size: the largest extended R-APDU pcsc-lite handles.
const RECV_MAX: usize = pcsc::MAX_BUFFER_SIZE_EXTENDED;

/// How the reader is shared with other processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShareMode {
    /// Other processes may use the card between our transactions.
    #[default]
    Shared,
    /// Nobody else may connect while we are connected.
    Exclusive,
}

impl ShareMode {
    fn to_pcsc(self) -> pcsc::ShareMode {
        match self {
            Self::Shared => pcsc::ShareMode::Shared,
            Self::Exclusive => pcsc::ShareMode::Exclusive,
        }
    }
}

/// Which reader to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSelector {
    /// Exact reader name as listed by [`PcscTransport::list_readers`].
    Name(String),
    /// Position in [`PcscTransport::list_readers`].
    Index(usize),
}

impl ReaderSelector {
    /// What a user typed for `--reader` / `--psam-reader`: a number is an index into the reader
    /// list (as `sscard readers` prints it), anything else a reader name.
    pub fn parse(s: &str) -> Self {
        match s.parse::<usize>() {
            Ok(i) => Self::Index(i),
            Err(_) => Self::Name(s.to_owned()),
        }
    }
}

impl From<&str> for ReaderSelector {
    fn from(name: &str) -> Self {
        Self::Name(name.to_owned())
    }
}

impl From<String> for ReaderSelector {
    fn from(name: String) -> Self {
        Self::Name(name)
    }
}

impl From<usize> for ReaderSelector {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

fn resolve(ctx: &Context, reader: ReaderSelector) -> Result<String, TransportError> {
    match reader {
        ReaderSelector::Name(name) => Ok(name),
        ReaderSelector::Index(i) => {
            let names = reader_names(ctx)?;
            let count = names.len();
            names.into_iter().nth(i).ok_or_else(|| {
                TransportError::NoReader(format!("reader index {i} (there are {count})"))
            })
        }
    }
}

/// "No such reader", naming the readers there are (so a typo is one glance away from its fix).
fn unknown_reader(ctx: &Context, name: &str) -> TransportError {
    let known = reader_names(ctx).unwrap_or_default();
    let list = if known.is_empty() {
        "there are no readers".to_string()
    } else {
        let items: Vec<String> = known
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{i}: {n}"))
            .collect();
        format!("readers: {}", items.join(", "))
    };
    TransportError::NoReader(format!("{} ({list})", Quoted(name)))
}

/// Map a pcsc error of operation `op`.
fn map_err(op: &'static str, e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::NoReadersAvailable | E::UnknownReader | E::ReaderUnavailable => {
            TransportError::NoReader(e.to_string())
        }
        E::RemovedCard | E::NoSmartcard => TransportError::CardRemoved,
        E::ResetCard => TransportError::CardReset,
        E::Timeout => TransportError::Timeout,
        E::NoService | E::ServiceStopped => TransportError::NoService,
        other => TransportError::Pcsc {
            op,
            message: other.to_string(),
        },
    }
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(|e| map_err("SCardEstablishContext", e))
}

fn reader_names(ctx: &Context) -> Result<Vec<String>, TransportError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_err("SCardListReaders", e)),
    }
}

/// Send one APDU as is and count it; both legs traced at `debug` with PIN/key data masked.
fn raw_transmit(
    card: &Card,
    reader: &str,
    count: &mut u64,
    cmd: &[u8],
    resp: &mut [u8],
) -> Result<usize, TransportError> {
    tracing::debug!(target: "sscard::apdu", reader, "> {}", redact(cmd));
    *count = count.saturating_add(1);
    let started = Instant::now();
    let r = card
        .transmit(cmd, resp)
        .map(|r| r.len())
        .map_err(|e| map_err("SCardTransmit", e))
        .and_then(|n| {
            if n < 2 {
                Err(TransportError::NoResponse(n))
            } else {
                Ok(n)
            }
        });
    match &r {
        Ok(n) => {
            let shown = resp.get(..*n).unwrap_or_default();
            tracing::debug!(target: "sscard::apdu", reader, micros = started.elapsed().as_micros() as u64, "< {}", hex::encode_upper(shown));
        }
        Err(e) => tracing::debug!(target: "sscard::apdu", reader, "< error: {e}"),
    }
    r
}

/// One leg of a T=0 exchange inside an open transaction.
struct Leg<'a> {
    card: &'a Card,
    reader: &'a str,
    count: &'a mut u64,
}

impl RawTransmit for Leg<'_> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, Self::Error> {
        raw_transmit(self.card, self.reader, self.count, cmd, resp)
    }
}

/// A connection to the card in one PC/SC reader.
pub struct PcscTransport {
    // Field order matters for Drop: `card` is taken and disconnected in `Drop::drop` before the
    // context is released.
    card: Option<Card>,
    ctx: Context,
    reader: String,
    share: ShareMode,
    protocols: Protocols,
    protocol: Option<Protocol>,
    atr: Vec<u8>,
    apdus: u64,
    policy: T0Policy,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("connected", &self.card.is_some())
            .field("share", &self.share)
            .field("protocol", &self.protocol)
            .field("atr", &hex::encode_upper(&self.atr))
            .field("apdus", &self.apdus)
            .finish()
    }
}

impl PcscTransport {
    /// Names of the readers pcscd knows (empty when there are none).
    pub fn list_readers() -> Result<Vec<String>, TransportError> {
        reader_names(&establish()?)
    }

    /// The reader name `reader` stands for (an index is looked up in [`Self::list_readers`]).
    /// A name is returned as is, without asking pcscd (no context is established for it: the
    /// service resolves every request's reader, and a context is a pcscd client connection).
    pub fn reader_name(reader: impl Into<ReaderSelector>) -> Result<String, TransportError> {
        match reader.into() {
            ReaderSelector::Name(name) => Ok(name),
            index => resolve(&establish()?, index),
        }
    }

    /// Connect to the card in `reader` (a name or an index into [`Self::list_readers`]).
    /// `protocols` is usually `Protocols::T0 | Protocols::T1`.
    pub fn connect(
        reader: impl Into<ReaderSelector>,
        share: ShareMode,
        protocols: Protocols,
    ) -> Result<Self, TransportError> {
        let ctx = establish()?;
        let name = resolve(&ctx, reader.into())?;
        let c_name =
            CString::new(name.as_str()).map_err(|_| TransportError::NoReader(name.clone()))?;
        let card = ctx
            .connect(&c_name, share.to_pcsc(), protocols)
            .map_err(|e| match e {
                pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => {
                    TransportError::NoCard(name.clone())
                }
                pcsc::Error::UnknownReader => unknown_reader(&ctx, &name),
                other => map_err("SCardConnect", other),
            })?;
        let mut t = Self {
            card: Some(card),
            ctx,
            reader: name,
            share,
            protocols,
            protocol: None,
            atr: Vec::new(),
            apdus: 0,
            policy: T0Policy::default(),
        };
        t.refresh_status()?;
        tracing::debug!(reader = %t.reader, atr = %hex::encode_upper(&t.atr), protocol = ?t.protocol, "connected");
        Ok(t)
    }

    fn card(&self) -> Result<&Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::Closed)
    }

    fn refresh_status(&mut self) -> Result<(), TransportError> {
        let status = self
            .card()?
            .status2_owned()
            .map_err(|e| map_err("SCardStatus", e))?;
        self.atr = status.atr().to_vec();
        self.protocol = status.protocol2();
        Ok(())
    }

    /// The reader name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// Set the T=0 policy (e.g. raw mode, or GET RESPONSE with another CLA).
    pub fn set_t0_policy(&mut self, policy: T0Policy) {
        self.policy = policy;
    }

    /// Send one APDU exactly as given, no T=0 handling, no transaction; returns the length
    /// written to `resp`.
    pub fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::Closed)?;
        raw_transmit(card, &self.reader, &mut self.apdus, cmd, resp)
    }

    /// [`Self::transmit_raw`] returning an owned R-APDU.
    pub fn transmit_raw_vec(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut resp = vec![0u8; RECV_MAX];
        let n = self.transmit_raw(cmd, &mut resp)?;
        resp.truncate(n);
        Ok(resp)
    }

    /// Re-attach after [`TransportError::CardReset`] (someone else reset the card) without
    /// resetting it again; after [`TransportError::CardRemoved`] and a reinsertion, connect anew.
    pub fn reconnect(&mut self) -> Result<(), TransportError> {
        let reconnected = match self.card.as_mut() {
            Some(card) => {
                card.reconnect(self.share.to_pcsc(), self.protocols, Disposition::LeaveCard)
            }
            None => return Err(TransportError::Closed),
        };
        if let Err(e) = reconnected {
            tracing::debug!(reader = %self.reader, error = %e, "SCardReconnect failed; connecting anew");
            let c_name = CString::new(self.reader.as_str())
                .map_err(|_| TransportError::NoReader(self.reader.clone()))?;
            let card = self
                .ctx
                .connect(&c_name, self.share.to_pcsc(), self.protocols)
                .map_err(|e| map_err("SCardConnect", e))?;
            if let Some(old) = self.card.replace(card) {
                // The old handle is dead; leave the card alone when letting it go.
                let _ = leave_card(old);
            }
        }
        self.refresh_status()
    }

    /// Disconnect resetting the card (`SCARD_RESET_CARD`): its security state (a verified PIN,
    /// passed keys) ends with this connection. For services that must not leave a verified PIN
    /// open to the next caller; [`Self::close`] otherwise.
    pub fn close_resetting(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => match card.disconnect(Disposition::ResetCard) {
                Ok(()) => Ok(()),
                Err((card, e)) => {
                    // Dropping the handle resets the card too.
                    drop(card);
                    Err(map_err("SCardDisconnect", e))
                }
            },
            None => Ok(()),
        }
    }

    /// Disconnect, leaving the card powered and its state intact (`SCARD_LEAVE_CARD`).
    pub fn close(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => leave_card(card),
            None => Ok(()),
        }
    }
}

/// `SCardDisconnect(LEAVE_CARD)`. If that fails, the handle is leaked rather than handed back to
/// `pcsc`'s `Drop`, which would reset the card.
fn leave_card(card: Card) -> Result<(), TransportError> {
    match card.disconnect(Disposition::LeaveCard) {
        Ok(()) => Ok(()),
        Err((card, e)) => {
            tracing::warn!(error = %e, "SCardDisconnect(LEAVE_CARD) failed; leaking the handle instead of resetting the card");
            std::mem::forget(card);
            Err(map_err("SCardDisconnect", e))
        }
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            let _ = leave_card(card);
        }
    }
}

impl PcscTransport {
    /// One logical operation = one PC/SC transaction: the command and its GET RESPONSE / `6Cxx`
    /// legs cannot be interleaved with another process's APDUs.
    fn transmit_policy(
        &mut self,
        cmd: &[u8],
        follow_61xx: bool,
    ) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let Self {
            card,
            reader,
            apdus,
            policy,
            ..
        } = self;
        let policy = &T0Policy {
            follow_61xx: policy.follow_61xx && follow_61xx,
            ..*policy
        };
        let card = card.as_mut().ok_or(TransportError::Closed)?;
        let tx = card
            .transaction()
            .map_err(|e| map_err("SCardBeginTransaction", e))?;
        let result = {
            let mut leg = Leg {
                card: &tx,
                reader,
                count: apdus,
            };
            exchange_response(&mut leg, &view, policy, RECV_MAX)
        };
        if let Err((_, e)) = tx.end(Disposition::LeaveCard) {
            tracing::debug!(error = %e, "SCardEndTransaction failed");
        }
        result.map_err(TransportError::from)
    }
}

impl PcscTransport {
    /// Run one whole operation inside one PC/SC transaction (`SCardBeginTransaction` …
    /// `SCardEndTransaction`): no other process's APDU can come between the operation's APDUs —
    /// a READ after a VERIFY, a DEBIT after its INITIALIZE (which any other command would close).
    /// `f` gets a transport over the transaction; the transaction ends, leaving the card, when
    /// `f` returns.
    pub fn in_transaction<R>(
        &mut self,
        f: impl FnOnce(&mut PcscOperation<'_>) -> R,
    ) -> Result<R, TransportError> {
        let Self {
            card,
            reader,
            apdus,
            policy,
            atr,
            ..
        } = self;
        let card = card.as_mut().ok_or(TransportError::Closed)?;
        let tx = card
            .transaction()
            .map_err(|e| map_err("SCardBeginTransaction", e))?;
        let r = {
            let mut op = PcscOperation {
                card: &tx,
                reader,
                atr,
                apdus,
                policy,
            };
            f(&mut op)
        };
        if let Err((_, e)) = tx.end(Disposition::LeaveCard) {
            tracing::debug!(error = %e, "SCardEndTransaction failed");
        }
        Ok(r)
    }
}

/// The card inside one PC/SC transaction ([`PcscTransport::in_transaction`]): APDUs with the
/// transport's T=0 policy, no transaction of their own. A warm reset is not possible inside a
/// transaction.
pub struct PcscOperation<'t> {
    card: &'t Card,
    reader: &'t str,
    atr: &'t [u8],
    apdus: &'t mut u64,
    policy: &'t mut T0Policy,
}

impl std::fmt::Debug for PcscOperation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscOperation")
            .field("reader", &self.reader)
            .field("apdus", &self.apdus)
            .finish_non_exhaustive()
    }
}

impl PcscOperation<'_> {
    fn exchange(&mut self, cmd: &[u8], follow_61xx: bool) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let policy = T0Policy {
            follow_61xx: self.policy.follow_61xx && follow_61xx,
            ..*self.policy
        };
        let mut leg = Leg {
            card: self.card,
            reader: self.reader,
            count: self.apdus,
        };
        exchange_response(&mut leg, &view, &policy, RECV_MAX).map_err(TransportError::from)
    }
}

/// Largest answer of a reader control (a feature list, a PIN pad's R-APDU).
const CONTROL_MAX: usize = 1024;

/// `SCardControl(code, data)` on `card`.
fn card_control(card: &Card, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut buf = [0u8; CONTROL_MAX];
    let out = card
        .control(code.into(), data, &mut buf)
        .map_err(|e| map_err("SCardControl", e))?;
    Ok(out.to_vec())
}

/// The reader's PIN-pad features (`CM_IOCTL_GET_FEATURE_REQUEST`). A reader whose driver
/// implements no controls (vpcd, most readers without a pad) has none.
fn card_pin_pad_features(card: &Card) -> Result<PinPadFeatures, TransportError> {
    let code = pcsc::ctl_code(GET_FEATURE_REQUEST_FUNCTION.into());
    let mut buf = [0u8; CONTROL_MAX];
    match card.control(code, &[], &mut buf) {
        Ok(list) => PinPadFeatures::parse(list).map_err(|e| TransportError::Pcsc {
            op: "SCardControl",
            message: e.to_string(),
        }),
        Err(
            e @ (pcsc::Error::RemovedCard
            | pcsc::Error::NoSmartcard
            | pcsc::Error::ResetCard
            | pcsc::Error::NoService
            | pcsc::Error::ServiceStopped),
        ) => Err(map_err("SCardControl", e)),
        Err(e) => {
            tracing::debug!(error = %e, "no PC/SC part 10 feature list: no PIN pad");
            Ok(PinPadFeatures::NONE)
        }
    }
}

impl Transport for PcscOperation<'_> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.exchange(cmd, true)
    }
    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.exchange(cmd, false)
    }
    fn atr(&self) -> &[u8] {
        self.atr
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        Err(TransportError::Exchange(
            "no warm reset inside a PC/SC transaction".into(),
        ))
    }
    fn apdu_count(&self) -> u64 {
        *self.apdus
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        Some(std::mem::replace(self.policy, policy))
    }
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        card_pin_pad_features(self.card)
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        card_control(self.card, code, data)
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, true)
    }

    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, false)
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Warm reset via `SCardReconnect(SCARD_RESET_CARD)`; the ATR is re-read.
    fn reset(&mut self) -> Result<(), TransportError> {
        let card = self.card.as_mut().ok_or(TransportError::Closed)?;
        card.reconnect(self.share.to_pcsc(), self.protocols, Disposition::ResetCard)
            .map_err(|e| map_err("SCardReconnect", e))?;
        self.refresh_status()
    }

    fn apdu_count(&self) -> u64 {
        self.apdus
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        Some(std::mem::replace(&mut self.policy, policy))
    }
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        card_pin_pad_features(self.card()?)
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        card_control(self.card()?, code, data)
    }
}

/// Wait until a (responsive) card is present in `reader`; returns its ATR. Returns at once if
/// a card is already there. [`TransportError::Timeout`] after `timeout`.
pub fn wait_for_card(reader: &str, timeout: Duration) -> Result<Vec<u8>, TransportError> {
    wait_for(reader, timeout, |state| {
        state.contains(State::PRESENT) && !state.contains(State::MUTE)
    })
}

/// What a reader holds right now (`sscard readers`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReaderStatus {
    /// Position in [`PcscTransport::list_readers`] (what `--reader N` takes).
    pub index: usize,
    /// Reader name.
    pub name: String,
    /// Card presence.
    pub card: CardPresence,
    /// The card's ATR (hex) when a card is present.
    pub atr: Option<String>,
    /// Another application holds the card exclusively.
    pub exclusive: bool,
}

/// Card presence in a reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CardPresence {
    /// No card.
    Empty,
    /// A card that answered reset.
    Present,
    /// A card that does not answer reset (inserted the wrong way, broken, not a CPU card).
    Mute,
    /// pcscd cannot tell (reader being removed, driver trouble).
    Unknown,
}

impl std::fmt::Display for CardPresence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Empty => "no card",
            Self::Present => "card present",
            Self::Mute => "card mute (does not answer reset)",
            Self::Unknown => "state unknown",
        })
    }
}

/// Every reader with what it holds, read without waiting (`SCardGetStatusChange`, timeout 0).
pub fn reader_status() -> Result<Vec<ReaderStatus>, TransportError> {
    let ctx = establish()?;
    let names = reader_names(&ctx)?;
    let mut states = Vec::with_capacity(names.len());
    for n in &names {
        let c = CString::new(n.as_str()).map_err(|_| TransportError::NoReader(n.clone()))?;
        states.push(ReaderState::new(c, State::UNAWARE));
    }
    if !states.is_empty() {
        match ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(map_err("SCardGetStatusChange", e)),
        }
    }
    Ok(names
        .into_iter()
        .zip(states.iter())
        .enumerate()
        .map(|(index, (name, st))| {
            let ev = st.event_state();
            let card = if ev.intersects(State::UNKNOWN | State::UNAVAILABLE | State::IGNORE) {
                CardPresence::Unknown
            } else if ev.contains(State::MUTE) {
                CardPresence::Mute
            } else if ev.contains(State::PRESENT) {
                CardPresence::Present
            } else {
                CardPresence::Empty
            };
            ReaderStatus {
                index,
                name,
                card,
                atr: (card == CardPresence::Present).then(|| hex::encode_upper(st.atr())),
                exclusive: ev.contains(State::EXCLUSIVE),
            }
        })
        .collect())
}

/// Wait until `reader` is empty.
pub fn wait_for_card_removed(reader: &str, timeout: Duration) -> Result<(), TransportError> {
    wait_for(reader, timeout, |state| state.contains(State::EMPTY)).map(|_| ())
}

fn wait_for(
    reader: &str,
    timeout: Duration,
    done: impl Fn(State) -> bool,
) -> Result<Vec<u8>, TransportError> {
    let ctx = establish()?;
    let name = CString::new(reader).map_err(|_| TransportError::NoReader(reader.to_owned()))?;
    let mut states = [ReaderState::new(name, State::UNAWARE)];
    let deadline = Instant::now() + timeout;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        ctx.get_status_change(remaining, &mut states)
            .map_err(|e| map_err("SCardGetStatusChange", e))?;
        for st in &mut states {
            let ev = st.event_state();
            if ev.intersects(State::UNKNOWN | State::IGNORE) {
                return Err(TransportError::NoReader(reader.to_owned()));
            }
            if done(ev) {
                return Ok(st.atr().to_vec());
            }
            st.sync_current_state();
        }
        if remaining.is_zero() {
            return Err(TransportError::Timeout);
        }
    }
}
