//! The file system over the journaled store: record and transparent EF storage.
//!
//! Files are addressed by an [`EfGeom`] (where the EF lives in the data area and its structure),
//! computed once by [`crate::layout`] from the `sscard_specs` tables.

pub(crate) mod binary;
pub(crate) mod keyfile;
pub(crate) mod pin;
pub(crate) mod records;

use crate::store::StoreError;
use sscard_apdu::StatusWord;

/// Structure of a stored EF (mirrors `sscard_specs::types::EfStructure`, with sizes resolved).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EfKind {
    /// Transparent file of `size` bytes.
    Transparent { size: u16 },
    /// Variable-length records (each ≤ `max_len` bytes); records exist from 1 to the stored count.
    Variable { max_records: u8, max_len: u8 },
    /// Fixed-length records, all present.
    Fixed { records: u8, len: u8 },
    /// Cyclic records of `len` bytes, record 1 = newest.
    Cyclic { records: u8, len: u8 },
}

impl EfKind {
    /// Bytes the EF occupies in the data area.
    pub(crate) fn footprint(self) -> u32 {
        match self {
            EfKind::Transparent { size } => u32::from(size),
            EfKind::Variable {
                max_records: n,
                max_len: l,
            }
            | EfKind::Fixed { records: n, len: l }
            | EfKind::Cyclic { records: n, len: l } => {
                records::HEADER + u32::from(n) * (1 + u32::from(l))
            }
        }
    }
    /// Record-oriented?
    pub(crate) fn is_record(self) -> bool {
        !matches!(self, EfKind::Transparent { .. })
    }
}

/// Where an EF lives and how it is structured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EfGeom {
    /// Offset in the data area.
    pub off: u32,
    /// Structure.
    pub kind: EfKind,
}

/// A store failure seen by a command: the card answers `6581` (memory failure).
impl From<StoreError> for StatusWord {
    fn from(_: StoreError) -> Self {
        StatusWord::MEMORY_FAILURE
    }
}
