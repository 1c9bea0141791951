//! What the suite runs against: a [`Target`] is a transport plus, where the transport can do it,
//! [`PowerControl`] for the anti-tearing cases (the in-process card OS over a
//! [`TearingStore`]; a PC/SC reader cannot cut the power mid-command).

pub use sscard_card_os::store::Landing;
use sscard_card_os::store::{Store, TearingStore};

use sscard_terminal::transport::emulator::EmulatorTransport;
use sscard_terminal::transport::Transport;

/// Cutting the card's power in the middle of a command.
pub trait PowerControl {
    /// Cut the power after `writes` more non-volatile writes (the next one lands nothing).
    fn arm_cut(&mut self, writes: usize);
    /// Cut the power after `writes` more non-volatile writes, the next one landing part of its
    /// bytes (its first byte, half, all but its last byte).
    fn arm_cut_landing(&mut self, writes: usize, landing: Landing);
    /// Whether the armed cut happened.
    fn was_cut(&self) -> bool;
    /// Restore the power: disarm and cold-boot the card (its journal recovery runs).
    fn restore(&mut self);
}

/// A card the suite can run against.
pub trait Target {
    /// The channel to the card.
    fn transport(&mut self) -> &mut dyn Transport;
    /// Power control, when the target has it.
    fn power(&mut self) -> Option<&mut dyn PowerControl> {
        None
    }
}

/// Any transport, without power control.
pub struct Plain<'a>(pub &'a mut dyn Transport);

impl Target for Plain<'_> {
    fn transport(&mut self) -> &mut dyn Transport {
        &mut *self.0
    }
}

impl<S: Store> PowerControl for EmulatorTransport<TearingStore<S>> {
    fn arm_cut(&mut self, writes: usize) {
        self.card_mut().store_mut().arm(writes, 0);
    }
    fn arm_cut_landing(&mut self, writes: usize, landing: Landing) {
        self.card_mut().store_mut().arm_landing(writes, landing);
    }
    fn was_cut(&self) -> bool {
        self.card().store().was_cut()
    }
    fn restore(&mut self) {
        let card = self.card_mut();
        card.power_off();
        card.store_mut().disarm();
        card.power_on();
    }
}

impl<S: Store> Target for EmulatorTransport<TearingStore<S>> {
    fn transport(&mut self) -> &mut dyn Transport {
        self
    }
    fn power(&mut self) -> Option<&mut dyn PowerControl> {
        Some(self)
    }
}
