//! The virtual-card side of the vsmartcard **vpcd** protocol.
//!
//! pcscd loads the vpcd IFD handler, which exposes one reader per TCP port ("Virtual PCD 00 00" on
//! 35963, "Virtual PCD 00 01" on 35964) and *listens* there; a virtual card is the TCP *client*.
//! Every message is a 2-byte big-endian length followed by that many bytes. A 1-byte payload is a
//! control code ([`CTRL_OFF`], [`CTRL_ON`], [`CTRL_RESET`], [`CTRL_ATR`]); anything longer is a
//! C-APDU whose answer is the R-APDU. Only [`CTRL_ATR`] and APDUs get an answer. vpcd checks card
//! presence by asking for the ATR (every ~400 ms from pcscd's polling thread, also between
//! APDUs), so a card must answer ATR requests at any time. vpcd has no T=0 layer: `61xx`/`6Cxx`
//! behaviour must come from the card.
//!
//! [`VpcdConnection`] connects only to loopback addresses.

mod connection;
mod control;
mod error;
mod quickack;

pub use connection::{RunStats, VpcdConnection, DEFAULT_PORT, SECOND_PORT};
pub use control::{CardControl, PullMode};
pub use error::VpcdError;

/// Control code: power the card off (no answer).
pub const CTRL_OFF: u8 = 0x00;
/// Control code: power the card on (no answer).
pub const CTRL_ON: u8 = 0x01;
/// Control code: warm reset (no answer).
pub const CTRL_RESET: u8 = 0x02;
/// Control code: send the ATR (answered; also vpcd's presence check).
pub const CTRL_ATR: u8 = 0x04;

/// A card that vpcd can talk to. Implemented by the emulator (`sscard emulate`) and by tests.
pub trait VirtualCard {
    /// The answer-to-reset. Asked for at any time (presence polling), not only after power-on.
    fn atr(&mut self) -> Vec<u8>;
    /// Contacts powered (cold start).
    fn power_on(&mut self);
    /// Contacts unpowered; volatile state is lost.
    fn power_off(&mut self);
    /// Warm reset.
    fn reset(&mut self);
    /// Process one C-APDU and return the R-APDU (data ‖ SW1 SW2; never empty).
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl<C: VirtualCard + ?Sized> VirtualCard for Box<C> {
    fn atr(&mut self) -> Vec<u8> {
        (**self).atr()
    }
    fn power_on(&mut self) {
        (**self).power_on();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        (**self).execute(apdu)
    }
}
