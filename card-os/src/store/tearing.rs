//! A power-cut simulator for tearing tests.

use super::{Store, StoreError};

/// How much of the write the power cut interrupts lands, relative to that write's length (for
/// cutting the power part-way through a page without knowing its size in advance).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landing {
    /// Only its first byte.
    FirstByte,
    /// Its first half (rounded down).
    Half,
    /// All but its last byte.
    AllButLast,
}

impl Landing {
    fn bytes(self, len: usize) -> usize {
        match self {
            Landing::FirstByte => len.min(1),
            Landing::Half => len / 2,
            Landing::AllButLast => len.saturating_sub(1),
        }
    }
}

/// Wraps a store and cuts the power after a given number of `write` calls.
///
/// With budget `k`, the first `k` writes land; write `k+1` lands only its first `partial` bytes
/// (0 = none) and fails with [`StoreError::PowerLoss`]; every later write fails without landing.
/// Reads keep working (the test inspects the image after the cut).
pub struct TearingStore<S> {
    inner: S,
    budget: Option<usize>,
    partial: usize,
    landing: Option<Landing>,
    writes: usize,
    cut: bool,
}

impl<S: Store> TearingStore<S> {
    /// No cut armed: behaves like `inner` and counts writes.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            budget: None,
            partial: 0,
            landing: None,
            writes: 0,
            cut: false,
        }
    }
    /// Arm a cut after `k` more successful writes, landing `partial` bytes of the failing one.
    pub fn arm(&mut self, k: usize, partial: usize) {
        self.budget = Some(k);
        self.partial = partial;
        self.landing = None;
        self.writes = 0;
        self.cut = false;
    }
    /// Arm a cut after `k` more successful writes, landing `landing` of the failing one.
    pub fn arm_landing(&mut self, k: usize, landing: Landing) {
        self.arm(k, 0);
        self.landing = Some(landing);
    }
    /// Disarm (power restored) and reset the write counter.
    pub fn disarm(&mut self) {
        self.budget = None;
        self.writes = 0;
        self.cut = false;
    }
    /// Writes attempted since `new`/`arm`/`disarm`/`reset_count` (including the failing one).
    pub fn writes(&self) -> usize {
        self.writes
    }
    /// Reset the write counter.
    pub fn reset_count(&mut self) {
        self.writes = 0;
    }
    /// Whether the armed cut has happened.
    pub fn was_cut(&self) -> bool {
        self.cut
    }
    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }
    /// The wrapped store, mutable.
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }
    /// Unwrap.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Store> Store for TearingStore<S> {
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        self.inner.read(off, buf)
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        self.writes = self.writes.saturating_add(1);
        if self.cut {
            return Err(StoreError::PowerLoss);
        }
        match self.budget {
            Some(k) if self.writes > k => {
                self.cut = true;
                let n = self
                    .landing
                    .map_or(self.partial, |l| l.bytes(data.len()))
                    .min(data.len());
                if let Some(prefix) = data.get(..n) {
                    if !prefix.is_empty() {
                        self.inner.write(off, prefix)?;
                    }
                }
                Err(StoreError::PowerLoss)
            }
            _ => self.inner.write(off, data),
        }
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.cut {
            return Err(StoreError::PowerLoss);
        }
        self.inner.flush()
    }
}
