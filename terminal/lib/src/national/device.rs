//! [`Device`]: where a national-interface call gets its card, its PSAM and its PIN from — a
//! configured pair of PC/SC readers ([`super::PcscDevice`]), the in-process emulator, or a test's
//! scripted transports. Every call opens what it needs and drops it before returning, so the
//! readers are closed on every exit path (a dropped `PcscTransport` disconnects, leaving the card).

use std::cell::RefCell;
use std::rc::Rc;

use sscard_keys::{DiversificationFactors, KeyRef, Pin, Profile, SecurityModule};
use zeroize::Zeroizing;

use super::error::{NationalError, NationalResult};
use crate::security::psam::{PsamError, PsamSecurityModule};
use crate::transport::pinpad::PinPadLayout;
use crate::transport::Transport;

/// The card interface an `iType` asks for (sscard-spec.md §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interface {
    /// 1: contact.
    Contact,
    /// 2: contactless.
    Contactless,
    /// 3: automatic, contact first.
    AutoContactFirst,
    /// 4: automatic, contactless first.
    AutoContactlessFirst,
}

impl Interface {
    /// The interface of `iType` 1–4; anything else is a bad parameter (−14).
    pub fn from_itype(itype: i32) -> NationalResult<Self> {
        match itype {
            1 => Ok(Interface::Contact),
            2 => Ok(Interface::Contactless),
            3 => Ok(Interface::AutoContactFirst),
            4 => Ok(Interface::AutoContactlessFirst),
            other => Err(NationalError::BadParameter(format!(
                "iType {other} (1 contact, 2 contactless, 3 auto contact first, 4 auto contactless first)"
            ))),
        }
    }

    /// The interfaces to try, in order.
    pub fn order(self) -> &'static [Interface] {
        match self {
            Interface::Contact => &[Interface::Contact],
            Interface::Contactless => &[Interface::Contactless],
            Interface::AutoContactFirst => &[Interface::Contact, Interface::Contactless],
            Interface::AutoContactlessFirst => &[Interface::Contactless, Interface::Contact],
        }
    }
}

/// What a PIN entry asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinPrompt {
    /// The PIN, to verify it.
    Verify,
    /// The current PIN (change).
    Old,
    /// The new PIN (change, reload).
    New,
    /// The new PIN again.
    Confirm,
}

impl PinPrompt {
    /// The word passed to a PIN-entry program: `verify`, `old`, `new`, `confirm`.
    pub fn word(self) -> &'static str {
        match self {
            PinPrompt::Verify => "verify",
            PinPrompt::Old => "old",
            PinPrompt::New => "new",
            PinPrompt::Confirm => "confirm",
        }
    }
}

/// A card transport of any kind.
pub type DynTransport = Box<dyn Transport>;

/// Where the card, the PSAM and the PIN come from.
pub trait Device {
    /// Connect to the card for `interface` (−11 no reader, −2 no card).
    fn open_card(&mut self, interface: Interface) -> NationalResult<DynTransport>;
    /// Connect to the PSAM ([`NationalError::NoPsam`], −2201, when there is none).
    fn open_psam(&mut self) -> NationalResult<DynTransport>;
    /// 终端设备号; `None`: the PSAM's serial number (its ATR's historical bytes).
    fn device_no(&self) -> Option<String> {
        None
    }
    /// 终端机编号 reported without a PSAM (HSM mode); `None`: empty.
    fn terminal_no(&self) -> Option<String> {
        None
    }
    /// Ask the holder for a PIN (digits). Errors: −31 cancelled, −32 timed out.
    fn enter_pin(&mut self, prompt: PinPrompt) -> NationalResult<Zeroizing<String>>;
    /// The PIN pad request to use when the card's reader has a PIN pad (PC/SC part 10);
    /// `None`: never use one (the PIN comes from [`Device::enter_pin`]).
    fn pin_pad(&self) -> Option<PinPadLayout> {
        None
    }
}

/// A PSAM security module shared between a session (which owns its security module) and the
/// national core (which reads the terminal number afterwards and wants the PSAM's own error,
/// not its text): the last PSAM error is kept.
pub(crate) struct SharedPsam {
    inner: Rc<RefCell<PsamSecurityModule<DynTransport>>>,
    last_error: Rc<RefCell<Option<PsamError>>>,
}

impl Clone for SharedPsam {
    fn clone(&self) -> Self {
        SharedPsam {
            inner: Rc::clone(&self.inner),
            last_error: Rc::clone(&self.last_error),
        }
    }
}

impl SharedPsam {
    pub(crate) fn new(sm: PsamSecurityModule<DynTransport>) -> Self {
        SharedPsam {
            inner: Rc::new(RefCell::new(sm)),
            last_error: Rc::new(RefCell::new(None)),
        }
    }

    /// The module, for operations outside the session (terminal number).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut PsamSecurityModule<DynTransport>) -> R) -> R {
        f(&mut self.inner.borrow_mut())
    }

    /// The PSAM error behind a session's `Error::SecurityModule`, if any.
    pub(crate) fn take_error(&self) -> Option<PsamError> {
        self.last_error.borrow_mut().take()
    }

    fn note<T>(&self, r: Result<T, PsamError>) -> Result<T, PsamError> {
        if let Err(e) = &r {
            *self.last_error.borrow_mut() = Some(e.clone());
        }
        r
    }
}

impl SecurityModule for SharedPsam {
    type Error = PsamError;

    fn external_auth(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16], PsamError> {
        let r = self
            .inner
            .borrow_mut()
            .external_auth(key, factors, challenge, source);
        self.note(r)
    }

    fn line_mac(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4], PsamError> {
        let r = self
            .inner
            .borrow_mut()
            .line_mac(key, factors, challenge, mac_input);
        self.note(r)
    }

    fn internal_auth_expected(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<heapless::Vec<u8, 16>, PsamError> {
        let r = self
            .inner
            .borrow_mut()
            .internal_auth_expected(key, factors, p, s);
        self.note(r)
    }

    fn encrypt_pin_block(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<heapless::Vec<u8, 32>, PsamError> {
        let r = self
            .inner
            .borrow_mut()
            .encrypt_pin_block(key, factors, challenge, pin);
        self.note(r)
    }

    fn profile(&self) -> &'static Profile {
        self.inner.borrow().profile()
    }
}
