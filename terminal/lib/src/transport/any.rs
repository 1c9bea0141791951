//! [`AnyTransport`]: a card connection of a kind chosen at run time — a PC/SC reader or, with the
//! `emulator` feature, the in-process card OS over an image file.

use sscard_apdu::exchange::T0Policy;

use super::{PcscTransport, Transport, TransportError};

#[cfg(feature = "emulator")]
use super::emulator::EmulatorTransport;
#[cfg(feature = "emulator")]
use sscard_card_os::store::FileStore;

/// A card connection: PC/SC or the in-process emulator.
pub enum AnyTransport {
    /// A PC/SC reader.
    Pcsc(Box<PcscTransport>),
    /// The in-process card OS over an image file.
    #[cfg(feature = "emulator")]
    Emulator(Box<EmulatorTransport<FileStore>>),
}

impl AnyTransport {
    /// Set the T=0 policy.
    pub fn set_t0_policy(&mut self, p: T0Policy) {
        match self {
            AnyTransport::Pcsc(t) => t.set_t0_policy(p),
            #[cfg(feature = "emulator")]
            AnyTransport::Emulator(t) => t.set_t0_policy(p),
        }
    }

    /// Disconnect, leaving the card as it is (PC/SC `LEAVE_CARD`).
    pub fn close(self) -> Result<(), TransportError> {
        match self {
            AnyTransport::Pcsc(t) => t.close(),
            #[cfg(feature = "emulator")]
            AnyTransport::Emulator(_) => Ok(()),
        }
    }

    /// The transport as a trait object.
    fn inner(&self) -> &dyn Transport {
        match self {
            AnyTransport::Pcsc(t) => t.as_ref(),
            #[cfg(feature = "emulator")]
            AnyTransport::Emulator(t) => t.as_ref(),
        }
    }

    /// The transport as a mutable trait object.
    fn inner_mut(&mut self) -> &mut dyn Transport {
        match self {
            AnyTransport::Pcsc(t) => t.as_mut(),
            #[cfg(feature = "emulator")]
            AnyTransport::Emulator(t) => t.as_mut(),
        }
    }
}

impl From<PcscTransport> for AnyTransport {
    fn from(t: PcscTransport) -> Self {
        AnyTransport::Pcsc(Box::new(t))
    }
}

#[cfg(feature = "emulator")]
impl From<EmulatorTransport<FileStore>> for AnyTransport {
    fn from(t: EmulatorTransport<FileStore>) -> Self {
        AnyTransport::Emulator(Box::new(t))
    }
}

impl Transport for AnyTransport {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.inner_mut().transmit(cmd)
    }
    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.inner_mut().transmit_leaving_61xx(cmd)
    }
    fn atr(&self) -> &[u8] {
        self.inner().atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner_mut().reset()
    }
    fn apdu_count(&self) -> u64 {
        self.inner().apdu_count()
    }
    fn swap_t0_policy(&mut self, policy: T0Policy) -> Option<T0Policy> {
        self.inner_mut().swap_t0_policy(policy)
    }
    fn pin_pad_features(&mut self) -> Result<super::pinpad::PinPadFeatures, TransportError> {
        self.inner_mut().pin_pad_features()
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.inner_mut().control(code, data)
    }
}
