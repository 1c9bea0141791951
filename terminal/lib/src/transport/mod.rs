//! Getting APDUs to a card: the [`Transport`] trait, its error type, the PIN-masking APDU trace
//! and every implementation: [`PcscTransport`] (a PC/SC reader), [`emulator`] (the in-process
//! card OS, feature `emulator`), [`scripted`] (canned answers for tests) and [`AnyTransport`]
//! (whichever of PC/SC and the emulator a caller opened).
//!
//! T=0 behaviour (follow `61xx` with GET RESPONSE, re-issue on `6Cxx`, or neither in raw mode) is
//! not implemented here: every transport plugs its raw transmit into
//! [`sscard_apdu::exchange`](mod@sscard_apdu::exchange), the one place that logic lives.

mod any;
#[cfg(feature = "emulator")]
pub mod emulator;
mod error;
mod pcsc;
pub mod pinpad;
mod redact;
mod response;
pub mod scripted;
mod shared;

pub use self::any::AnyTransport;
pub use self::error::TransportError;
pub use self::pcsc::{
    reader_status, wait_for_card, wait_for_card_removed, CardPresence, PcscOperation,
    PcscTransport, Protocols, ReaderSelector, ReaderStatus, ShareMode,
};
pub use self::redact::{redact, SECRET_DATA_INS};
pub use self::shared::SharedTransport;

use sscard_apdu::exchange::T0Policy;

use self::pinpad::PinPadFeatures;

/// A channel to one card.
pub trait Transport {
    /// Send one C-APDU and return the R-APDU (data ‖ SW1 SW2), with the session's T=0 policy
    /// applied (by default `61xx` is followed and `6Cxx` re-issued, so the caller sees the final
    /// answer; in raw mode the card's first answer is returned as is).
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// [`Self::transmit`], except that a `61xx` answer is returned as is (no GET RESPONSE): the
    /// session uses it for SELECT SSSE on T=0 cards, whose FCI it need not fetch when the
    /// announced length already tells the card family (one round trip less). The default is
    /// [`Self::transmit`] (the caller then simply gets the fetched data).
    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit(cmd)
    }
    /// The card's answer-to-reset (as of the last connect / reset).
    fn atr(&self) -> &[u8];
    /// Warm-reset the card (volatile state such as PIN verification and selected files is lost).
    fn reset(&mut self) -> Result<(), TransportError>;
    /// APDUs that reached the reader so far, counting every leg (GET RESPONSE, `6Cxx` re-issue).
    fn apdu_count(&self) -> u64;
    /// Set the T=0 policy [`Transport::transmit`] applies and return the previous one, so a
    /// caller can see the card's raw `61xx` / `6Cxx` for a while ([`T0Policy::RAW`]) and put the
    /// policy back; `None` (nothing changed) for a transport without one.
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        let _ = policy;
        None
    }
    /// The PIN-pad features of the reader (PC/SC part 10, [`pinpad`]); none by default.
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        Ok(PinPadFeatures::NONE)
    }
    /// `SCardControl(code, data)`: a reader control (e.g. a PIN-pad request, whose answer is the
    /// card's R-APDU or the reader's `64xx`). A transport without reader controls refuses.
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        let _ = (code, data);
        Err(TransportError::Pcsc {
            op: "SCardControl",
            message: "this transport has no reader controls".into(),
        })
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(cmd)
    }
    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_leaving_61xx(cmd)
    }
    fn atr(&self) -> &[u8] {
        (**self).atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
    fn apdu_count(&self) -> u64 {
        (**self).apdu_count()
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        (**self).swap_t0_policy(policy)
    }
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        (**self).pin_pad_features()
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).control(code, data)
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(cmd)
    }
    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_leaving_61xx(cmd)
    }
    fn atr(&self) -> &[u8] {
        (**self).atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
    fn apdu_count(&self) -> u64 {
        (**self).apdu_count()
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        (**self).swap_t0_policy(policy)
    }
    fn pin_pad_features(&mut self) -> Result<PinPadFeatures, TransportError> {
        (**self).pin_pad_features()
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).control(code, data)
    }
}
