//! A typed session with the social security application (SSSE) of one card.
//!
//! [`Session::open`] selects the SSSE by name and picks the security [`Profile`] from the FCI's
//! algorithm id (`9F0C`/`86`: absent ⇒ `sscard-2` 3DES, `03` ⇒ `sscard-3` SM4) — on a T=0 card
//! from the FCI length its `61xx` announces, without fetching it, when that already tells the
//! suite; on a card whose SSSE cannot be selected by name (`6A82`, Shanghai) the MF is the SSSE.
//! The card family is recognised from the answers as the reads go ([`Session::family`]), and
//! data is decoded by its rules ([`Session::rules`]). The session then
//! keeps track of what the card has selected and which access conditions are satisfied, so every
//! operation sends the fewest APDUs: a DF or EF already selected is not selected again, READ
//! RECORD names the EF by SFI instead of a SELECT, and a key authentication passed in the current
//! DF is not repeated.
//!
//! The operations are split by concern:
//!
//! | module | operations |
//! | --- | --- |
//! | `select` | SSSE / DF selection, spec version and suite detection |
//! | `family` | which card family (`sscard_specs::family`) the card is, from its answers; the probes that tell the candidates apart; the family's exact Le of every READ RECORD |
//! | `read` | EF05/EF06 fast path, items and whole EFs by path |
//! | `write` | UPDATE RECORD after UK authentication, with read-back |
//! | `pin` | VERIFY, CHANGE PIN, PIN UNBLOCK, PIN RELOAD |
//! | `auth` | GET CHALLENGE, EXTERNAL / INTERNAL AUTHENTICATE, diversification factors |
//! | `lifecycle` | APPLICATION BLOCK / UNBLOCK |
//! | `purse` | DF04 balance, purchase, load, log; resolving a transaction whose answer was lost |

mod auth;
mod family;
mod lifecycle;
mod personalize;
mod pin;
mod purse;
mod read;
mod select;
mod write;

use sscard_apdu::{Command, StatusWord};
use sscard_keys::{DiversificationFactors, KeyRef, Pin, Profile, SecurityModule};
use sscard_specs::family::{EfAddr, Observations};
use sscard_specs::{DfId, SpecVersion};

use crate::error::{Error, Result};
use crate::model::EfRecords;
use crate::transport::{Transport, TransportError};

pub use self::auth::{AuthVerdict, Genuineness};
pub use self::personalize::{personalize, PersonalizeReport};
pub use self::pin::PinOutcome;
pub use self::purse::{purchase_receipt, PurchaseOrder, Receipt, Resolution};
pub use crate::error::{PendingTransaction, TxKind};

/// The operations a session needs from a security module, in an object-safe form with the
/// module's errors turned into [`Error::SecurityModule`]. Every
/// [`sscard_keys::SecurityModule`] whose error implements `Display` is one.
pub trait Crypto {
    /// See [`SecurityModule::external_auth`].
    fn external_auth(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16]>;
    /// See [`SecurityModule::line_mac`].
    fn line_mac(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4]>;
    /// See [`SecurityModule::internal_auth_expected`].
    fn internal_auth_expected(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8>>;
    /// See [`SecurityModule::encrypt_pin_block`].
    fn encrypt_pin_block(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<Vec<u8>>;
    /// See [`SecurityModule::purse_card_key`]: `Ok(None)` when the module gives no keys out.
    fn purse_card_key(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
    ) -> Result<Option<sscard_keys::Key>>;
    /// The profile the module implements.
    fn profile(&self) -> &'static Profile;
}

fn sm_err(key: &str, e: impl std::fmt::Display) -> Error {
    Error::SecurityModule(format!("{key}: {e}"))
}

impl<M: SecurityModule> Crypto for M
where
    M::Error: std::fmt::Display,
{
    fn external_auth(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16]> {
        SecurityModule::external_auth(self, KeyRef::new(key), factors, challenge, source)
            .map_err(|e| sm_err(key, e))
    }
    fn line_mac(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4]> {
        SecurityModule::line_mac(self, KeyRef::new(key), factors, challenge, mac_input)
            .map_err(|e| sm_err(key, e))
    }
    fn internal_auth_expected(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8>> {
        SecurityModule::internal_auth_expected(self, KeyRef::new(key), factors, p, s)
            .map(|v| v.to_vec())
            .map_err(|e| sm_err(key, e))
    }
    fn encrypt_pin_block(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<Vec<u8>> {
        SecurityModule::encrypt_pin_block(self, KeyRef::new(key), factors, challenge, pin)
            .map(|v| v.to_vec())
            .map_err(|e| sm_err(key, e))
    }
    fn purse_card_key(
        &mut self,
        key: &str,
        factors: &DiversificationFactors,
    ) -> Result<Option<sscard_keys::Key>> {
        SecurityModule::purse_card_key(self, KeyRef::new(key), factors)
            .transpose()
            .map_err(|e| sm_err(key, e))
    }
    fn profile(&self) -> &'static Profile {
        SecurityModule::profile(self)
    }
}

/// Status words with which a card says "I do not implement this form of the command".
pub(crate) fn is_form_refusal(sw: StatusWord) -> bool {
    matches!(
        sw,
        StatusWord::WRONG_P1P2
            | StatusWord::FUNC_NOT_SUPPORTED
            | StatusWord::INS_NOT_SUPPORTED
            | StatusWord::WRONG_P1P2_6B00
    )
}

/// A session with the SSSE of one card.
pub struct Session<T: Transport> {
    transport: T,
    profile: &'static Profile,
    algorithm_id: Option<u8>,
    app_blocked: bool,
    version: Option<SpecVersion>,
    card_id: Option<[u8; 16]>,
    current_df: Option<DfId>,
    current_ef: Option<u16>,
    /// The card accepts an SFI in READ RECORD's P2 (learned: cleared on a refusal).
    sfi_reads: bool,
    /// The card accepts READ RECORD "all records from P1" (learned: cleared on a refusal).
    read_all: bool,
    pin_verified: bool,
    /// A PIN command was sent (VERIFY, CHANGE PIN, PIN UNBLOCK / RELOAD): the card may hold a
    /// verified PIN this session opened, whatever the session believes now.
    pin_touched: bool,
    /// Keys whose external authentication passed in the current DF.
    keys_passed: Vec<&'static str>,
    sm: Option<Box<dyn Crypto>>,
    pin: Option<Pin>,
    /// What the card answered that tells its family (`session::family`).
    obs: Observations,
    /// On T=0: the FCI length SELECT SSSE announced (`61xx`) when the FCI was not fetched.
    fci_len: Option<u16>,
    /// The next SELECT SSSE fetches the FCI even after `61xx` (the FCI-content probe).
    fetch_fci: bool,
    /// SELECT SSSE by name answers `6A82` and the SSSE's EFs sit in the MF (Shanghai).
    ssse_in_mf: bool,
    /// Records of EFs only some families have, read while probing (Jiangsu EF0D).
    extra_records: Vec<(EfAddr, EfRecords)>,
    /// The items outside the national layout of the last [`Session::read_holder`].
    holder_extra: Vec<crate::model::basic::ExtraItem>,
}

impl<T: Transport> std::fmt::Debug for Session<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("profile", &self.profile.name)
            .field("version", &self.version)
            .field("current_df", &self.current_df)
            .field("current_ef", &self.current_ef)
            .field("pin_verified", &self.pin_verified)
            .field("keys_passed", &self.keys_passed)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Session<T> {
    /// Select the SSSE (one APDU) and detect the algorithm suite.
    pub fn open(transport: T) -> Result<Self> {
        let mut s = Self::new_unselected(transport);
        s.select_ssse()?;
        Ok(s)
    }

    /// A session that has sent nothing yet (the next operation selects what it needs).
    pub fn new_unselected(transport: T) -> Self {
        Session {
            transport,
            profile: &sscard_keys::profile::SSCARD_2,
            algorithm_id: None,
            app_blocked: false,
            version: None,
            card_id: None,
            current_df: None,
            current_ef: None,
            sfi_reads: true,
            read_all: true,
            pin_verified: false,
            pin_touched: false,
            keys_passed: Vec::new(),
            sm: None,
            pin: None,
            obs: Observations::default(),
            fci_len: None,
            fetch_fci: false,
            ssse_in_mf: false,
            extra_records: Vec::new(),
            holder_extra: Vec::new(),
        }
    }

    /// Use this security module for key operations (writes, PIN unblock/reload, authentication,
    /// reads that need an RK key).
    pub fn with_security_module(mut self, sm: impl Crypto + 'static) -> Self {
        self.sm = Some(Box::new(sm));
        self
    }

    /// Set (or replace) the security module.
    pub fn set_security_module(&mut self, sm: impl Crypto + 'static) {
        self.sm = Some(Box::new(sm));
    }

    /// Keep the holder's PIN so reads of PIN-protected files verify it when needed.
    pub fn set_pin(&mut self, pin: &str) -> Result<()> {
        self.pin = Some(Pin::new(self.profile, pin.as_bytes())?);
        Ok(())
    }

    /// The detected security profile.
    pub fn profile(&self) -> &'static Profile {
        self.profile
    }

    /// The algorithm id the FCI carried (`None`: absent, hosts assume `01`).
    pub fn algorithm_id(&self) -> Option<u8> {
        self.algorithm_id
    }

    /// The spec version, once EF05 tag 03 has been read (see [`Self::detect_version`]).
    pub fn version(&self) -> Option<SpecVersion> {
        self.version
    }

    /// Use this card identification code for diversification (blank cards, blocked applications).
    pub fn set_card_id(&mut self, card_id: [u8; 16]) {
        self.card_id = Some(card_id);
    }

    /// Whether SELECT answered that the application is blocked (`6283`).
    pub fn application_blocked(&self) -> bool {
        self.app_blocked
    }

    /// Whether the PIN was verified in this session.
    pub fn pin_verified(&self) -> bool {
        self.pin_verified
    }

    /// Whether the card may hold a verified PIN this session opened: a PIN command was sent
    /// (VERIFY, CHANGE PIN, PIN UNBLOCK / RELOAD), whatever its answer. A service ends such a
    /// connection with a card reset, so the holder's PIN does not outlive the request.
    pub fn pin_state_open(&self) -> bool {
        self.pin_verified || self.pin_touched
    }

    /// The card's ATR.
    pub fn atr(&self) -> &[u8] {
        self.transport.atr()
    }

    /// APDUs sent through the transport so far.
    pub fn apdu_count(&self) -> u64 {
        self.transport.apdu_count()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (raw APDUs sent this way invalidate the session's view of the
    /// card's selection; call [`Self::forget_selection`]).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Forget what the session believes is selected (after raw APDUs or a reset).
    pub fn forget_selection(&mut self) {
        self.current_df = None;
        self.current_ef = None;
        self.keys_passed.clear();
    }

    /// End the session and hand the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Warm-reset the card: PIN and key states and the selection are lost; the SSSE is selected
    /// again.
    pub fn reset(&mut self) -> Result<()> {
        self.transport.reset()?;
        self.forget_selection();
        self.pin_verified = false;
        self.select_ssse()
    }

    /// Send one command; returns the response data and status word (any status word).
    pub(crate) fn send(&mut self, cmd: &Command) -> Result<(Vec<u8>, StatusWord)> {
        let bytes = cmd
            .to_vec()
            .map_err(Error::command("cannot encode command"))?;
        self.send_raw(&bytes)
    }

    /// Send encoded command bytes.
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) -> Result<(Vec<u8>, StatusWord)> {
        let resp = self.transport.transmit(bytes)?;
        split_sw(resp)
    }

    /// Send a command; a `61xx` answer is returned as is (no GET RESPONSE).
    pub(crate) fn send_leaving_61xx(&mut self, cmd: &Command) -> Result<(Vec<u8>, StatusWord)> {
        let bytes = cmd
            .to_vec()
            .map_err(Error::command("cannot encode command"))?;
        let resp = self.transport.transmit_leaving_61xx(&bytes)?;
        split_sw(resp)
    }

    /// Send and require `9000` (or `61xx` left by a raw transport).
    pub(crate) fn send_ok(
        &mut self,
        cmd: &Command,
        operation: impl FnOnce() -> String,
    ) -> Result<Vec<u8>> {
        let (data, sw) = self.send(cmd)?;
        if sw.is_success() {
            Ok(data)
        } else {
            Err(Error::card(operation(), sw))
        }
    }

    fn security_module(&mut self) -> Result<&mut Box<dyn Crypto>> {
        let profile = self.profile;
        let sm = self.sm.as_mut().ok_or(Error::NoSecurityModule)?;
        if sm.profile().suite != profile.suite {
            return Err(Error::SuiteMismatch {
                keys: sm.profile().name,
                card: profile.name,
            });
        }
        Ok(sm)
    }
}

/// Split a response into its data and status word.
fn split_sw(mut resp: Vec<u8>) -> Result<(Vec<u8>, StatusWord)> {
    let n = resp.len().checked_sub(2).ok_or_else(|| {
        TransportError::Exchange(format!(
            "response shorter than a status word: {}",
            hex::encode_upper(&resp)
        ))
    })?;
    let sw = resp
        .get(n..)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map(StatusWord::from_bytes)
        .ok_or(TransportError::Closed)?;
    resp.truncate(n);
    Ok((resp, sw))
}

/// Random bytes from the operating system.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| Error::SecurityModule(format!("no randomness from the OS: {e}")))?;
    Ok(b)
}
