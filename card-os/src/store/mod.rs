//! Byte-addressed non-volatile memory and the anti-tearing journal over it.
//!
//! Everything persistent goes through [`Store`]; every state-changing command goes through
//! [`Journal::atomic`], which makes the whole batch of writes land or none of it, even when the
//! power is cut between (or in the middle of) the individual [`Store::write`] calls.

#[cfg(feature = "std")]
mod file;
mod journal;
mod ram;
mod tearing;

#[cfg(feature = "std")]
pub use file::FileStore;
pub use journal::{Journal, Recovery, JOURNAL_SIZE, MAX_BATCH};
pub use ram::{RamStore, SliceStore};
pub use tearing::{Landing, TearingStore};

use sscard_apdu::StatusWord;

/// Why a store operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The range `off..off+len` is outside the store.
    #[error("access outside the store")]
    OutOfRange,
    /// The power was cut (only [`TearingStore`] produces this); nothing after it lands.
    #[error("power lost during a write")]
    PowerLoss,
    /// The backing medium failed (file I/O with the `std` feature).
    #[error("I/O error")]
    Io,
    /// A journal batch is larger than the journal area.
    #[error("journal full")]
    JournalFull,
}

/// A store failure seen by a command: the card answers `6581` (memory failure).
impl From<StoreError> for StatusWord {
    fn from(_: StoreError) -> Self {
        StatusWord::MEMORY_FAILURE
    }
}

/// Byte-addressed non-volatile memory.
///
/// One `write` call is the unit a power cut can interrupt: a cut may happen between two calls, and a
/// call may land only a prefix of its bytes.
pub trait Store {
    /// Size in bytes.
    fn capacity(&self) -> usize;
    /// Read `buf.len()` bytes at `off`.
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError>;
    /// Write `data` at `off`.
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError>;
    /// Make earlier writes durable (no-op for memory-backed stores).
    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

impl<S: Store + ?Sized> Store for &mut S {
    fn capacity(&self) -> usize {
        (**self).capacity()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        (**self).read(off, buf)
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        (**self).write(off, data)
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        (**self).flush()
    }
}

/// The byte range `off..off+len` if it lies inside a store of `capacity` bytes.
pub(crate) fn range(
    capacity: usize,
    off: u32,
    len: usize,
) -> Result<core::ops::Range<usize>, StoreError> {
    let start = usize::try_from(off).map_err(|_| StoreError::OutOfRange)?;
    let end = start.checked_add(len).ok_or(StoreError::OutOfRange)?;
    if end > capacity {
        return Err(StoreError::OutOfRange);
    }
    Ok(start..end)
}
