//! A redo journal that makes a batch of writes atomic under power cuts.
//!
//! Store map: `[0, JOURNAL_SIZE)` is the journal, everything after it is the data area that the rest
//! of the card OS addresses (offset 0 = first byte after the journal).
//!
//! Journal area: a 16-byte commit header `count(2) total(2) sum(4) seq(4) magic(4)` followed by
//! entries `off(4) len(2) bytes(len)`. A batch is made atomic by:
//!
//! 1. writing every entry into the journal (the home locations are untouched),
//! 2. writing the commit header in one call — its magic is the *last* four bytes, so a torn
//!    header write never carries a valid magic,
//! 3. applying the entries to their home locations,
//! 4. clearing the magic.
//!
//! [`Journal::recover`] (run at power-on) re-applies a batch whose header is valid (magic and
//! checksum over the entries) and ignores anything else: a cut before step 2 completes leaves the old
//! state, a cut after it yields the new one. A batch of one single-byte write skips the journal, as a
//! one-byte write lands entirely or not at all.

use super::{Store, StoreError};

/// Bytes reserved for the journal at the start of the store.
pub const JOURNAL_SIZE: usize = 1024;
/// Most entries in one batch.
pub const MAX_BATCH: usize = 8;

const HEADER_LEN: usize = 16;
const ENTRY_HEAD: usize = 6;
const MAGIC: [u8; 4] = *b"JRNL";
const MAGIC_OFF: u32 = 12;

/// What [`Journal::recover`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// No committed batch was pending.
    Clean,
    /// A committed batch was re-applied.
    RolledForward,
}

/// The journal layer: owns the store, addresses the data area.
pub struct Journal<S> {
    store: S,
    seq: u32,
}

/// Fletcher-style running checksum (cheap, order-sensitive).
#[derive(Clone, Copy)]
struct Sum(u32, u32);

impl Sum {
    fn new() -> Self {
        Sum(0, 0)
    }
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 + u32::from(b)) % 65_521;
            self.1 = (self.1 + self.0) % 65_521;
        }
    }
    fn value(self) -> u32 {
        (self.1 << 16) | self.0
    }
}

fn be_u16(b: &[u8], at: usize) -> u16 {
    match (b.get(at), b.get(at + 1)) {
        (Some(&h), Some(&l)) => u16::from_be_bytes([h, l]),
        _ => 0,
    }
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    (u32::from(be_u16(b, at)) << 16) | u32::from(be_u16(b, at + 2))
}

impl<S: Store> Journal<S> {
    /// Wrap a store (does not recover: call [`Journal::recover`] at power-on).
    pub fn new(store: S) -> Self {
        Self { store, seq: 0 }
    }

    /// The wrapped store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The wrapped store, mutable (tests arm power cuts through it).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Unwrap.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Size of the data area.
    pub fn data_capacity(&self) -> usize {
        self.store.capacity().saturating_sub(JOURNAL_SIZE)
    }

    fn home(off: u32) -> Result<u32, StoreError> {
        off.checked_add(JOURNAL_SIZE as u32)
            .ok_or(StoreError::OutOfRange)
    }

    /// Read from the data area.
    pub fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        self.store.read(Self::home(off)?, buf)
    }

    /// Write to the data area without journaling (factory formatting only: not atomic).
    pub fn write_unjournaled(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        self.store.write(Self::home(off)?, data)
    }

    /// Clear the journal header (factory formatting).
    pub fn format(&mut self) -> Result<(), StoreError> {
        self.store.write(0, &[0u8; HEADER_LEN])?;
        self.store.flush()
    }

    /// Apply `(offset, bytes)` writes to the data area atomically: after a power cut at any point,
    /// [`Journal::recover`] leaves either none or all of them.
    pub fn atomic(&mut self, batch: &[(u32, &[u8])]) -> Result<(), StoreError> {
        if batch.len() > MAX_BATCH {
            return Err(StoreError::JournalFull);
        }
        let cap = self.data_capacity();
        let mut total = 0usize;
        for (off, data) in batch {
            super::range(cap, *off, data.len())?;
            total = total
                .checked_add(ENTRY_HEAD + data.len())
                .ok_or(StoreError::JournalFull)?;
        }
        if total > JOURNAL_SIZE - HEADER_LEN {
            return Err(StoreError::JournalFull);
        }
        // A single one-byte write cannot tear.
        if let [(off, data)] = batch {
            if data.len() <= 1 {
                if let Some(&b) = data.first() {
                    self.store.write(Self::home(*off)?, &[b])?;
                    return self.store.flush();
                }
                return Ok(());
            }
        }
        // 1. entries
        let mut sum = Sum::new();
        let mut at = HEADER_LEN as u32;
        for (off, data) in batch {
            let len = u16::try_from(data.len()).map_err(|_| StoreError::JournalFull)?;
            let mut head = [0u8; ENTRY_HEAD];
            head[..4].copy_from_slice(&off.to_be_bytes());
            head[4..].copy_from_slice(&len.to_be_bytes());
            sum.feed(&head);
            sum.feed(data);
            self.store.write(at, &head)?;
            at += ENTRY_HEAD as u32;
            if !data.is_empty() {
                self.store.write(at, data)?;
            }
            at += u32::from(len);
        }
        self.store.flush()?;
        // 2. commit header, magic last
        self.seq = self.seq.wrapping_add(1);
        let mut header = [0u8; HEADER_LEN];
        let count = batch.len() as u16;
        let total16 = total as u16;
        header[0..2].copy_from_slice(&count.to_be_bytes());
        header[2..4].copy_from_slice(&total16.to_be_bytes());
        header[4..8].copy_from_slice(&sum.value().to_be_bytes());
        header[8..12].copy_from_slice(&self.seq.to_be_bytes());
        header[12..16].copy_from_slice(&MAGIC);
        self.store.write(0, &header)?;
        self.store.flush()?;
        // 3. apply
        for (off, data) in batch {
            if !data.is_empty() {
                self.store.write(Self::home(*off)?, data)?;
            }
        }
        self.store.flush()?;
        // 4. clear
        self.store.write(MAGIC_OFF, &[0u8; 4])?;
        self.store.flush()
    }

    /// Power-on recovery: roll a committed batch forward, ignore an uncommitted one.
    pub fn recover(&mut self) -> Result<Recovery, StoreError> {
        let mut header = [0u8; HEADER_LEN];
        self.store.read(0, &mut header)?;
        if header.get(12..16) != Some(&MAGIC[..]) {
            return Ok(Recovery::Clean);
        }
        let count = usize::from(be_u16(&header, 0));
        let total = usize::from(be_u16(&header, 2));
        let want = be_u32(&header, 4);
        self.seq = be_u32(&header, 8);
        if count > MAX_BATCH || total > JOURNAL_SIZE - HEADER_LEN {
            return self.discard();
        }
        // Pass 1: validate structure and checksum. Pass 2: apply.
        if !self.walk(count, total, Some(want), false)? {
            return self.discard();
        }
        self.walk(count, total, None, true)?;
        self.store.flush()?;
        self.store.write(MAGIC_OFF, &[0u8; 4])?;
        self.store.flush()?;
        Ok(Recovery::RolledForward)
    }

    fn discard(&mut self) -> Result<Recovery, StoreError> {
        self.store.write(MAGIC_OFF, &[0u8; 4])?;
        self.store.flush()?;
        Ok(Recovery::Clean)
    }

    /// Walk the entries; when `apply`, copy them home. Returns false on a malformed journal or a
    /// checksum mismatch.
    fn walk(
        &mut self,
        count: usize,
        total: usize,
        want: Option<u32>,
        apply: bool,
    ) -> Result<bool, StoreError> {
        let cap = self.data_capacity();
        let mut sum = Sum::new();
        let mut at = HEADER_LEN;
        let end = HEADER_LEN + total;
        for _ in 0..count {
            if at + ENTRY_HEAD > end {
                return Ok(false);
            }
            let mut head = [0u8; ENTRY_HEAD];
            self.store.read(at as u32, &mut head)?;
            sum.feed(&head);
            let off = be_u32(&head, 0);
            let len = usize::from(be_u16(&head, 4));
            at += ENTRY_HEAD;
            if at + len > end || super::range(cap, off, len).is_err() {
                return Ok(false);
            }
            let mut chunk = [0u8; 32];
            let mut done = 0usize;
            while done < len {
                let n = (len - done).min(chunk.len());
                let buf = chunk.get_mut(..n).ok_or(StoreError::OutOfRange)?;
                self.store.read((at + done) as u32, buf)?;
                sum.feed(buf);
                if apply {
                    self.store.write(Self::home(off + done as u32)?, buf)?;
                }
                done += n;
            }
            at += len;
        }
        Ok(match want {
            Some(w) => at == end && sum.value() == w,
            None => true,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::store::{RamStore, TearingStore};

    const N: usize = JOURNAL_SIZE + 256;

    fn data(s: &RamStore<N>) -> Vec<u8> {
        s.as_bytes()[JOURNAL_SIZE..].to_vec()
    }

    #[test]
    fn batch_lands_and_recovery_is_clean() {
        let mut j = Journal::new(RamStore::<N>::new());
        j.format().unwrap();
        j.atomic(&[(0, &[1, 2, 3]), (100, &[9; 40])]).unwrap();
        let mut b = [0u8; 3];
        j.read(0, &mut b).unwrap();
        assert_eq!(b, [1, 2, 3]);
        assert_eq!(j.recover().unwrap(), Recovery::Clean);
        assert_eq!(j.atomic(&[(250, &[0; 7])]), Err(StoreError::OutOfRange));
    }

    /// Every cut point, with and without a torn (partial) last write, for a few batch shapes.
    #[test]
    fn every_cut_point_yields_old_or_new() {
        let batches: [&[(u32, &[u8])]; 3] = [
            &[(0, &[0xAA, 0xBB])],
            &[(10, &[1; 20]), (0, &[2; 5]), (200, &[3])],
            &[(5, &[4; 50]), (7, &[5; 3])],
        ];
        let mut cuts = 0;
        for batch in batches {
            let mut base = TearingStore::new(RamStore::<N>::new());
            {
                let mut j = Journal::new(&mut base);
                j.format().unwrap();
                j.atomic(&[(0, &[0x11; 200])]).unwrap();
            }
            let old = data(base.inner());
            let mut full = Journal::new(TearingStore::new(base.inner().clone()));
            full.atomic(batch).unwrap();
            let writes = full.store().writes();
            let new = data(full.store().inner());
            for k in 0..=writes {
                for partial in [0usize, 1, 3, 15] {
                    let mut t = TearingStore::new(base.inner().clone());
                    t.arm(k, partial);
                    let mut j = Journal::new(t);
                    let r = j.atomic(batch);
                    assert_eq!(r.is_ok(), k >= writes, "k={k}");
                    let mut s = j.into_store().into_inner();
                    // Cut the recovery itself at every point, then recover again.
                    for r in 0..6 {
                        let mut t2 = TearingStore::new(s.clone());
                        t2.arm(r, partial);
                        let mut jr = Journal::new(t2);
                        let _ = jr.recover();
                        let mut s2 = jr.into_store().into_inner();
                        Journal::new(&mut s2).recover().unwrap();
                        let got = data(&s2);
                        assert!(
                            got == old || got == new,
                            "mixed state after a cut recovery k={k} r={r}"
                        );
                    }
                    let mut j2 = Journal::new(&mut s);
                    j2.recover().unwrap();
                    let got = data(&s);
                    assert!(
                        got == old || got == new,
                        "mixed state at k={k} partial={partial}"
                    );
                    // A second recovery is a no-op.
                    let mut j3 = Journal::new(&mut s);
                    assert_eq!(j3.recover().unwrap(), Recovery::Clean);
                    cuts += 1;
                }
            }
        }
        assert!(cuts > 40);
    }
}
