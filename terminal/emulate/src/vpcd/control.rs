//! Remote control of a running [`VpcdConnection`](super::VpcdConnection): simulate pulling the card
//! out of the reader and putting it back, observe counters. Cloneable and `Send`, so a test can
//! hold it while another thread runs the connection loop.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

/// When a requested "card pull" takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullMode {
    /// Drop the socket when the next APDU arrives, without executing it (the card lost power
    /// before it could act).
    BeforeExecute,
    /// Execute the next APDU, then drop the socket instead of answering (the card changed state
    /// but the terminal never learns the outcome).
    AfterExecute,
    /// Drop the socket at once (at the next read-timeout tick, within ~50 ms).
    Immediately,
}

const NONE: u8 = 0;

impl PullMode {
    fn to_raw(self) -> u8 {
        match self {
            Self::BeforeExecute => 1,
            Self::AfterExecute => 2,
            Self::Immediately => 3,
        }
    }
    fn from_raw(raw: u8) -> Option<Self> {
        match raw {
            1 => Some(Self::BeforeExecute),
            2 => Some(Self::AfterExecute),
            3 => Some(Self::Immediately),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    pull: AtomicU8,
    pulled: AtomicBool,
    reinsert: AtomicBool,
    connected: AtomicBool,
    connections: AtomicU64,
    atr_requests: AtomicU64,
}

/// Shared handle to a connection's fault-injection switches and counters.
#[derive(Debug, Clone, Default)]
pub struct CardControl {
    inner: Arc<Inner>,
}

impl CardControl {
    /// Arm a card pull; it takes effect as described by `mode`. Replaces an armed, unfired pull.
    pub fn pull(&self, mode: PullMode) {
        self.inner.reinsert.store(false, Ordering::SeqCst);
        self.inner.pull.store(mode.to_raw(), Ordering::SeqCst);
    }

    /// Put a pulled card back: the connection loop reconnects to vpcd.
    pub fn reinsert(&self) {
        self.inner.reinsert.store(true, Ordering::SeqCst);
    }

    /// True while the card is out (a pull fired and no reinsert happened yet).
    pub fn is_pulled(&self) -> bool {
        self.inner.pulled.load(Ordering::SeqCst)
    }

    /// True while a TCP connection to vpcd is open.
    pub fn is_connected(&self) -> bool {
        self.inner.connected.load(Ordering::SeqCst)
    }

    /// Number of successful TCP connections so far (1 after the first insert, +1 per reinsert).
    pub fn connections(&self) -> u64 {
        self.inner.connections.load(Ordering::SeqCst)
    }

    /// ATR requests received (vpcd's presence polling).
    pub fn atr_requests(&self) -> u64 {
        self.inner.atr_requests.load(Ordering::SeqCst)
    }

    pub(super) fn armed_pull(&self) -> Option<PullMode> {
        PullMode::from_raw(self.inner.pull.load(Ordering::SeqCst))
    }

    /// Fire the armed pull if it is `mode`; returns whether it fired.
    pub(super) fn fire_if(&self, mode: PullMode) -> bool {
        let fired = self
            .inner
            .pull
            .compare_exchange(mode.to_raw(), NONE, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if fired {
            self.inner.pulled.store(true, Ordering::SeqCst);
        }
        fired
    }

    /// Consume a reinsert request; clears the pulled state.
    pub(super) fn take_reinsert(&self) -> bool {
        if self.inner.reinsert.swap(false, Ordering::SeqCst) {
            self.inner.pulled.store(false, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    pub(super) fn set_connected(&self, connected: bool) {
        let was = self.inner.connected.swap(connected, Ordering::SeqCst);
        if connected && !was {
            self.inner.connections.fetch_add(1, Ordering::SeqCst);
        }
    }

    pub(super) fn count_atr(&self) {
        self.inner.atr_requests.fetch_add(1, Ordering::SeqCst);
    }
}
