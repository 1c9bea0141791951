//! The persistent layout of the card image, computed from the `sscard_specs` tables.
//!
//! Data area (after the journal, see [`crate::store::Journal`]):
//!
//! | offset | bytes | content |
//! | --- | --- | --- |
//! | 0 | 48 | card header: magic `SSC\x01`, layout version, suite, spec version, card lifecycle, ATR historical bytes (13), region (3), serial (4), card family (1: `0` = the national family of the spec version, else 1 + index in `sscard_specs::family::FAMILIES`) |
//! | 48 | 16 | PIN record: tries left, try limit, BCD length, BCD (8, `F`-padded) |
//! | 64 | 16 | application state per DF (in `DfId::ALL` order): 00 active, 01 temporarily blocked, 02 permanently blocked |
//! | 80 | 24 × keys | key slots, per DF in `DfId::ALL` order, per key in `sscard_specs::keys::keys_of` order |
//! | … | … | EFs, per DF, per EF in `DfSpec::efs` order: record files `count newest` + slots, transparent files raw |
//! | … | 40 | DF04 purse (`purse`): the amount file (`sscard_specs::purse::amount_file`, 20), the last purchase's proof (valid, counter, MAC2, TAC: 11), the last load's (valid, counter, TAC: 7), 2 reserved |
//!
//! Every counter (PIN tries, key tries, states) is a single byte, so its update cannot tear.

use sscard_keys::profile::Suite;
use sscard_specs::family::{national_for, Family, FAMILIES};
use sscard_specs::files::DFS;
use sscard_specs::keys::keys_of;
use sscard_specs::types::{DfId, EfSpec, EfStructure};
use sscard_specs::versions::SpecVersion;

/// Card header offset.
pub(crate) const HEADER_OFF: u32 = 0;
/// Card header length.
pub(crate) const HEADER_LEN: usize = 48;
/// Magic at the start of the header (written last by the factory).
pub(crate) const MAGIC: [u8; 4] = *b"SSC\x01";
/// Layout version byte.
pub(crate) const LAYOUT_VERSION: u8 = 2;
/// Header field offsets.
pub(crate) mod hdr {
    pub const LAYOUT: usize = 4;
    pub const SUITE: usize = 5;
    pub const VERSION: usize = 6;
    pub const LIFECYCLE: usize = 7;
    pub const HISTORICAL: usize = 8;
    pub const REGION: usize = 21;
    pub const SERIAL: usize = 24;
    pub const FAMILY: usize = 28;
}
/// Card lifecycle: operational.
pub(crate) const CARD_ACTIVE: u8 = 0x0F;
/// Card lifecycle: blocked by CARD BLOCK (irreversible).
pub(crate) const CARD_BLOCKED: u8 = 0xB0;

/// Header byte of an algorithm suite.
pub(crate) fn suite_code(s: Suite) -> u8 {
    match s {
        Suite::Tdes => 1,
        Suite::Sm4 => 2,
    }
}

/// Header byte of a spec version.
pub(crate) fn version_code(v: SpecVersion) -> u8 {
    v as u8
}

/// The spec version of a header byte.
pub(crate) fn version_from(code: u8) -> Option<SpecVersion> {
    SpecVersion::ALL.get(usize::from(code)).copied()
}

/// Header byte of a card family: `0` for the national family of `version` (what images made
/// before families were stored carry, so they stay readable), else 1 + its index in
/// [`FAMILIES`].
pub(crate) fn family_code(f: &'static Family, version: SpecVersion) -> u8 {
    if core::ptr::eq(f, national_for(version)) {
        return 0;
    }
    FAMILIES
        .iter()
        .position(|g| core::ptr::eq(*g, f))
        .map_or(0, |i| (i as u8).saturating_add(1))
}

/// The family of a header byte on an image of `version` (`None`: unknown code, or a family of
/// another spec version).
pub(crate) fn family_from(code: u8, version: SpecVersion) -> Option<&'static Family> {
    let f = match code.checked_sub(1) {
        None => national_for(version),
        Some(i) => FAMILIES.get(usize::from(i)).copied()?,
    };
    (f.spec_version() == version).then_some(f)
}

/// PIN record offset.
pub(crate) const PIN_OFF: u32 = 48;
/// PIN record fields.
pub(crate) mod pin {
    pub const TRIES: u32 = 0;
    pub const LIMIT: u32 = 1;
    pub const LEN: u32 = 2;
    pub const BCD: u32 = 3;
    pub const BCD_MAX: usize = 8;
}

/// Application state bytes offset (one per DF).
pub(crate) const APP_STATE_OFF: u32 = 64;
/// Application active.
pub(crate) const APP_ACTIVE: u8 = 0;
/// Application temporarily blocked (APPLICATION BLOCK P2 = 00).
pub(crate) const APP_BLOCKED: u8 = 1;
/// Application permanently blocked (APPLICATION BLOCK P2 = 01).
pub(crate) const APP_DEAD: u8 = 2;

/// First key slot.
pub(crate) const KEYS_OFF: u32 = 80;
/// Bytes per key slot: tries, limit, algorithm code, key length, key bytes (16), reserved (4).
pub(crate) const KEY_SLOT: u32 = 24;
/// Key slot fields.
pub(crate) mod key {
    pub const TRIES: u32 = 0;
    pub const LIMIT: u32 = 1;
    pub const ALG: u32 = 2;
    pub const LEN: u32 = 3;
    pub const BYTES: u32 = 4;
    pub const BYTES_MAX: usize = 16;
}

/// The DF04 purse area (after the EFs): offsets inside it.
pub(crate) mod purse {
    use sscard_specs::purse::amount_file;
    /// The amount file.
    pub const AMOUNT: u32 = 0;
    /// Last purchase: valid flag (1 = valid), offline counter (2), MAC2 (4), TAC (4).
    pub const PROOF_PURCHASE: u32 = amount_file::LEN as u32;
    /// Length of the purchase proof.
    pub const PROOF_PURCHASE_LEN: usize = 11;
    /// Last load: valid flag, online counter (2), TAC (4).
    pub const PROOF_LOAD: u32 = PROOF_PURCHASE + PROOF_PURCHASE_LEN as u32;
    /// Length of the load proof.
    pub const PROOF_LOAD_LEN: usize = 7;
    /// Bytes of the area.
    pub const LEN: u32 = 40;
    const _: () = assert!(PROOF_LOAD + PROOF_LOAD_LEN as u32 <= LEN);
}

/// Bytes of a record EF's header (`count newest`) before its slots.
pub(crate) const RECORD_HEADER: u32 = 2;

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
                RECORD_HEADER + u32::from(n) * (1 + u32::from(l))
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

/// Most EFs the layout can hold.
pub(crate) const MAX_EFS: usize = 48;

/// Why the spec tables do not fit the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// More EFs than the layout holds (`MAX_EFS`, 48).
    #[error("the spec tables do not fit the layout (too many EFs)")]
    TooManyEfs,
}

/// Resolved offsets of one card image (depends on the spec version, whose 1.0 layouts differ).
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    version: SpecVersion,
    key_base: [u32; 9],
    ef_first: [u8; 10],
    ef: [EfGeom; MAX_EFS],
    purse: u32,
    end: u32,
}

/// The stored structure of an EF on a card of `version`.
pub(crate) fn kind_of(ef: &EfSpec, version: SpecVersion) -> EfKind {
    kind_of_structure(ef.structure_for(version))
}

/// The stored structure of an [`EfStructure`].
fn kind_of_structure(s: EfStructure) -> EfKind {
    match s {
        EfStructure::Transparent { size } => EfKind::Transparent { size },
        EfStructure::VariableRecords {
            max_records,
            max_record_len,
        } => EfKind::Variable {
            max_records,
            max_len: max_record_len,
        },
        EfStructure::FixedRecords {
            records,
            record_len,
        } => EfKind::Fixed {
            records,
            len: record_len,
        },
        EfStructure::Cyclic {
            records,
            record_len,
        } => EfKind::Cyclic {
            records,
            len: record_len,
        },
    }
}

/// The EFs of `df` on a card of `family`, in layout order: the national ones (`DfSpec::efs`),
/// then the family's extra EFs of that DF (`Family::extra_efs`, e.g. Jiangsu SSSE EF0D). An EF
/// index (`Volatile::ef`, [`Layout::ef`]) is a position in this sequence.
pub(crate) fn efs_of(
    family: &'static Family,
    df: DfId,
) -> impl Iterator<Item = &'static EfSpec> + Clone {
    DFS.get(df.index()).map_or(&[][..], |d| d.efs).iter().chain(
        family
            .extra_efs
            .iter()
            .filter(move |e| e.spec.df == df)
            .map(|e| e.spec),
    )
}

/// EF number `idx` of `df` on a card of `family` ([`efs_of`]).
pub(crate) fn ef_at(family: &'static Family, df: DfId, idx: usize) -> Option<&'static EfSpec> {
    efs_of(family, df).nth(idx)
}

/// The stored structure of an EF on a card of `family` (a family's changed record layout gives
/// variable records sized for its records: `Family::structure_of`).
pub(crate) fn family_kind_of(ef: &EfSpec, family: &'static Family) -> EfKind {
    match family.structure_of(ef) {
        Some(s) => kind_of_structure(s),
        None => kind_of(ef, family.spec_version()),
    }
}

impl Layout {
    /// Allocate every DF's keys and EFs of the spec tables for a card of `family`.
    pub(crate) fn new(family: &'static Family) -> Result<Self, LayoutError> {
        let version = family.spec_version();
        let mut key_base = [0u32; 9];
        let mut at = KEYS_OFF;
        for (i, base) in key_base.iter_mut().enumerate() {
            *base = at;
            let df = DfId::ALL.get(i).copied().unwrap_or(DfId::Mf);
            at += KEY_SLOT * keys_of(df).len() as u32;
        }
        let mut ef = [EfGeom {
            off: 0,
            kind: EfKind::Transparent { size: 0 },
        }; MAX_EFS];
        let mut ef_first = [0u8; 10];
        let mut n = 0usize;
        for i in 0..DFS.len() {
            if let Some(f) = ef_first.get_mut(i) {
                *f = n as u8;
            }
            let id = DfId::ALL.get(i).copied().unwrap_or(DfId::Mf);
            for spec in efs_of(family, id) {
                let kind = family_kind_of(spec, family);
                let slot = ef.get_mut(n).ok_or(LayoutError::TooManyEfs)?;
                *slot = EfGeom { off: at, kind };
                at += kind.footprint();
                n += 1;
            }
        }
        if let Some(f) = ef_first.get_mut(DFS.len()) {
            *f = n as u8;
        }
        Ok(Self {
            version,
            key_base,
            ef_first,
            ef,
            purse: at,
            end: at + purse::LEN,
        })
    }

    /// Spec version the layout was built for.
    pub(crate) fn version(&self) -> SpecVersion {
        self.version
    }

    /// Data-area bytes the image needs.
    pub(crate) fn end(&self) -> u32 {
        self.end
    }

    /// Offset of the DF04 purse area (`purse`).
    pub(crate) fn purse(&self) -> u32 {
        self.purse
    }

    /// Offset of key slot `idx` (index in `keys_of(df)`).
    pub(crate) fn key_slot(&self, df: DfId, idx: usize) -> u32 {
        self.key_base.get(df.index()).copied().unwrap_or(0) + KEY_SLOT * idx as u32
    }

    /// Geometry of EF number `idx` of `df` (index in `DfSpec::efs`).
    pub(crate) fn ef(&self, df: DfId, idx: usize) -> Option<EfGeom> {
        let first = usize::from(*self.ef_first.get(df.index())?);
        let next = usize::from(*self.ef_first.get(df.index() + 1)?);
        let g = first.checked_add(idx)?;
        if g >= next {
            return None;
        }
        self.ef.get(g).copied()
    }
}

/// Store bytes (journal included) a card image of `version` (its national family) needs.
pub fn required_store_size(version: SpecVersion) -> usize {
    required_store_size_of(national_for(version))
}

/// Store bytes (journal included) a card image of `family` needs.
pub fn required_store_size_of(family: &'static Family) -> usize {
    let end = Layout::new(family).map_or(u32::MAX, |l| l.end());
    crate::store::JOURNAL_SIZE + end as usize
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn layout_covers_every_ef_without_overlap() {
        for f in FAMILIES {
            let l = Layout::new(f).unwrap();
            let mut spans: Vec<(u32, u32)> = Vec::new();
            for i in 0..DFS.len() {
                let id = DfId::ALL[i];
                let count = efs_of(f, id).count();
                for k in 0..count {
                    let g = l.ef(id, k).unwrap();
                    spans.push((g.off, g.off + g.kind.footprint()));
                }
                assert!(l.ef(id, count).is_none());
            }
            spans.sort();
            for w in spans.windows(2) {
                assert!(w[0].1 <= w[1].0);
            }
            assert!(spans[0].0 >= l.key_slot(DfId::Df07, keys_of(DfId::Df07).len()));
            assert!(
                required_store_size_of(f) <= crate::CARD_STORE_SIZE,
                "{}: {}",
                f.name,
                required_store_size_of(f)
            );
        }
    }
}
