//! [`EfRecords`]: the raw records of one record EF (`tag | len | value` each), as READ RECORD
//! returns them, before any item is decoded.

use sscard_apdu::record::RecordIter;

use crate::error::DataError;

/// The records of one record EF, by tag in card order (repeated tags keep their order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EfRecords {
    records: Vec<(u8, Vec<u8>)>,
}

impl EfRecords {
    /// Empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse a READ RECORD "all records" reply (concatenated `tag | len | value` records).
    /// Unwritten records (all `FF`/`00`) end the list.
    pub fn from_concatenated(bytes: &[u8]) -> Result<Self, DataError> {
        let mut out = Self::new();
        for rec in RecordIter::new(bytes) {
            let rec = rec.map_err(|_| DataError::Malformed {
                what: "record list",
                hex: hex::encode_upper(bytes),
            })?;
            out.push(rec.tag, rec.value.to_vec());
        }
        Ok(out)
    }

    /// Add a record.
    pub fn push(&mut self, tag: u8, value: Vec<u8>) {
        self.records.push((tag, value));
    }

    /// The first record with `tag`.
    pub fn get(&self, tag: u8) -> Option<&[u8]> {
        self.nth(tag, 1)
    }

    /// The `occurrence`-th (1-based) record with `tag`.
    pub fn nth(&self, tag: u8, occurrence: usize) -> Option<&[u8]> {
        self.records
            .iter()
            .filter(|(t, _)| *t == tag)
            .nth(occurrence.checked_sub(1)?)
            .map(|(_, v)| v.as_slice())
    }

    /// All records in card order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.records.iter().map(|(t, v)| (*t, v.as_slice()))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}
