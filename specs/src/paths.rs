//! Item paths used by the CLI and the national interface.
//!
//! * CLI form: `DF04/EF05/81` (an item), `SSSE/EF06/09`, `SSSE/EF05` (whole EF),
//!   `DF01/EF15/40#2` (2nd occurrence of a repeated tag), `DF04/EF08#3` (record 3 of an EF without
//!   tags, e.g. a cyclic file). DF names: `MF`, `SSSE`, `DF01`..`DF07`; EF as `EFxx` or 4 hex digits;
//!   tags 2 hex digits; occurrences decimal, 1-based. Case-insensitive.
//! * National interface pFileAddr (sscard-spec.md §6.2): `SSSEEF05|06|07|$SSSEEF06|08|09|$` — file
//!   name = DF name + EF FID, then each tag followed by `|`, each file ended by `$`. The regional
//!   variants `DF01EF15|40:01|` (occurrence) and `DF02EF07:01$` (record) are accepted too.
//!
//! [`record_number`] and [`is_unique_tag`] let the terminal choose between READ RECORD by tag
//! (P2 = 00, unique tags) and by absolute number (P2 = 04, repeated tags), sscard-spec.md §3.2.

use core::fmt;

use crate::ef::EfRef;
use crate::files;
use crate::item::ItemRef;
use crate::types::{DfId, DfSpec, EfSpec, ItemSpec};
use crate::versions::SpecVersion;

/// Why a path could not be parsed or resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Empty input.
    #[error("empty path")]
    Empty,
    /// The DF segment is not `MF`/`SSSE`/`DF01`..`DF07`.
    #[error("bad DF name (MF, SSSE, DF01..DF07)")]
    BadDf,
    /// The EF segment is not `EFxx` / 4 hex digits.
    #[error("bad EF (EFxx)")]
    BadEf,
    /// The tag is not 2 hex digits.
    #[error("bad tag (2 hex digits)")]
    BadTag,
    /// The occurrence / record number is not a decimal number 1..=255.
    #[error("bad occurrence (1..255)")]
    BadOccurrence,
    /// More segments than `DF/EF/TAG`.
    #[error("too many path segments")]
    TooManySegments,
    /// The DF has no EF with this FID.
    #[error("no such EF in this DF")]
    UnknownEf,
    /// The EF has no item with this tag.
    #[error("no such tag in this EF")]
    UnknownTag,
    /// The occurrence exceeds the item's repeat count (or the EF's record count).
    #[error("occurrence out of range")]
    OccurrenceOutOfRange,
}

/// A parsed CLI path (not yet checked against the tables; see [`ItemPath::resolve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemPath {
    /// DF.
    pub df: DfId,
    /// EF FID.
    pub ef: u16,
    /// Tag, or `None` for the whole EF / a record of it.
    pub tag: Option<u8>,
    /// With a tag: 1-based occurrence (1 = first). Without: 0 = whole EF, n = record n.
    pub occurrence: u8,
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn parse_hex_u8(s: &str) -> Option<u8> {
    match *s.as_bytes() {
        [h, l] => Some(hex_val(h)? << 4 | hex_val(l)?),
        _ => None,
    }
}

fn parse_hex_u16(s: &str) -> Option<u16> {
    match *s.as_bytes() {
        [a, b, c, d] => Some(
            u16::from(hex_val(a)?) << 12
                | u16::from(hex_val(b)?) << 8
                | u16::from(hex_val(c)?) << 4
                | u16::from(hex_val(d)?),
        ),
        _ => None,
    }
}

fn parse_dec_u8(s: &str) -> Option<u8> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<u8>().ok()
}

fn parse_occurrence(s: &str) -> Result<u8, PathError> {
    match parse_dec_u8(s) {
        Some(n) if n >= 1 => Ok(n),
        _ => Err(PathError::BadOccurrence),
    }
}

/// Parse `EFxx` (or 4 hex digits).
fn parse_ef(s: &str) -> Option<u16> {
    if s.len() == 4 {
        return parse_hex_u16(s);
    }
    None
}

fn split_once(s: &str, c: char) -> (&str, Option<&str>) {
    match s.split_once(c) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

impl ItemPath {
    /// Parse `DF/EF[/TAG][#n]` (or `DF/EF#n`).
    pub fn parse(s: &str) -> Result<ItemPath, PathError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(PathError::Empty);
        }
        let mut parts = s.split('/');
        let df = DfId::parse(parts.next().ok_or(PathError::Empty)?).ok_or(PathError::BadDf)?;
        let ef_part = parts.next().ok_or(PathError::BadEf)?;
        let tag_part = parts.next();
        if parts.next().is_some() {
            return Err(PathError::TooManySegments);
        }
        match tag_part {
            None => {
                let (ef_s, occ) = split_once(ef_part, '#');
                let ef = parse_ef(ef_s).ok_or(PathError::BadEf)?;
                let occurrence = match occ {
                    Some(o) => parse_occurrence(o)?,
                    None => 0,
                };
                Ok(ItemPath {
                    df,
                    ef,
                    tag: None,
                    occurrence,
                })
            }
            Some(t) => {
                let ef = parse_ef(ef_part).ok_or(PathError::BadEf)?;
                let (tag_s, occ) = split_once(t, '#');
                let tag = parse_hex_u8(tag_s).ok_or(PathError::BadTag)?;
                let occurrence = match occ {
                    Some(o) => parse_occurrence(o)?,
                    None => 1,
                };
                Ok(ItemPath {
                    df,
                    ef,
                    tag: Some(tag),
                    occurrence,
                })
            }
        }
    }

    /// Check the path against the tables.
    pub fn resolve(&self) -> Result<Resolved, PathError> {
        let df = files::df(self.df);
        let ef = df.ef(self.ef).ok_or(PathError::UnknownEf)?;
        let item = match self.tag {
            Some(tag) => {
                let item = ef.item(tag).ok_or(PathError::UnknownTag)?;
                if self.occurrence == 0 || self.occurrence > item.repeat {
                    return Err(PathError::OccurrenceOutOfRange);
                }
                Some(item)
            }
            None => {
                if let Some(n) = record_capacity(ef) {
                    if u16::from(self.occurrence) > n {
                        return Err(PathError::OccurrenceOutOfRange);
                    }
                } else if self.occurrence != 0 {
                    // transparent EF: no records
                    return Err(PathError::OccurrenceOutOfRange);
                }
                None
            }
        };
        Ok(Resolved {
            df,
            ef,
            item,
            occurrence: self.occurrence,
        })
    }
}

fn record_capacity(ef: &EfSpec) -> Option<u16> {
    use crate::types::EfStructure::*;
    match ef.structure {
        Transparent { .. } => None,
        VariableRecords { max_records, .. } => Some(u16::from(max_records)),
        FixedRecords { records, .. } | Cyclic { records, .. } => Some(u16::from(records)),
    }
}

impl fmt::Display for ItemPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:04X}", self.df.name(), self.ef)?;
        match self.tag {
            Some(tag) => {
                write!(f, "/{tag:02X}")?;
                if self.occurrence != 1 {
                    write!(f, "#{}", self.occurrence)?;
                }
            }
            None => {
                if self.occurrence != 0 {
                    write!(f, "#{}", self.occurrence)?;
                }
            }
        }
        Ok(())
    }
}

impl core::str::FromStr for ItemPath {
    type Err = PathError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ItemPath::parse(s)
    }
}

/// A path resolved against the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The DF.
    pub df: &'static DfSpec,
    /// The EF.
    pub ef: &'static EfSpec,
    /// The item, when the path names a tag.
    pub item: Option<&'static ItemSpec>,
    /// As [`ItemPath::occurrence`].
    pub occurrence: u8,
}

impl Resolved {
    /// `(df, ef, item, occurrence)`.
    pub fn into_parts(
        self,
    ) -> (
        &'static DfSpec,
        &'static EfSpec,
        Option<&'static ItemSpec>,
        u8,
    ) {
        (self.df, self.ef, self.item, self.occurrence)
    }

    /// Absolute record number of the item (2.0 layout), or the record named by an EF path.
    pub fn record_number(&self) -> Option<u8> {
        match self.item {
            Some(item) => record_number(self.ef, item.tag, self.occurrence),
            None if self.occurrence > 0 => Some(self.occurrence),
            None => None,
        }
    }

    /// The path back.
    pub fn path(&self) -> ItemPath {
        ItemPath {
            df: self.df.id,
            ef: self.ef.fid,
            tag: self.item.map(|i| i.tag),
            occurrence: self.occurrence,
        }
    }
}

/// Parse and resolve a CLI path.
pub fn resolve(path: &str) -> Result<Resolved, PathError> {
    ItemPath::parse(path)?.resolve()
}

/// The item a path names (`item_by_path("DF04/EF05/81")`).
pub fn item_by_path(path: &str) -> Option<&'static ItemSpec> {
    resolve(path).ok()?.item
}

fn record_number_in<'a>(
    items: impl Iterator<Item = &'a ItemSpec>,
    tag: u8,
    occurrence: u8,
) -> Option<u8> {
    if occurrence == 0 {
        return None;
    }
    let mut rec: u16 = 1;
    for item in items {
        if item.tag == tag {
            if occurrence > item.repeat {
                return None;
            }
            return u8::try_from(rec + u16::from(occurrence) - 1).ok();
        }
        rec += u16::from(item.repeat);
    }
    None
}

/// Absolute record number (P1 of READ RECORD with P2 = 04) of the `occurrence`-th (1-based)
/// record with `tag` in `ef`, in the 2.0/3.0 record order. Repeated tags occupy consecutive records.
pub fn record_number(ef: &EfSpec, tag: u8, occurrence: u8) -> Option<u8> {
    record_number_in(ef.items.iter(), tag, occurrence)
}

/// As [`record_number`], for a card of `version` (1.0 layouts; items absent on that version skipped).
pub fn record_number_for(ef: &EfSpec, version: SpecVersion, tag: u8, occurrence: u8) -> Option<u8> {
    record_number_in(
        ef.items_for(version)
            .iter()
            .filter(|i| i.versions.contains(version)),
        tag,
        occurrence,
    )
}

/// Whether `tag` occurs in exactly one record of `ef` (then READ RECORD by tag, P2 = 00, is safe).
pub fn is_unique_tag(ef: &EfSpec, tag: u8) -> bool {
    let mut n = 0u16;
    for i in ef.items.iter().filter(|i| i.tag == tag) {
        n += u16::from(i.repeat);
    }
    n == 1
}

// ---------------------------------------------------------------- national pFileAddr

/// One file of a pFileAddr string: `SSSEEF05|06|07|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileAddr<'a> {
    /// DF.
    pub df: DfId,
    /// EF FID.
    pub ef: u16,
    /// Record number (`DF02EF07:01`, regional cyclic form), if given.
    pub record: Option<u8>,
    tags: &'a str,
}

/// One tag of a [`FileAddr`]: the tag and, in the `40:01` form, its 1-based occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileAddrTag {
    /// Tag.
    pub tag: u8,
    /// Occurrence (1 when not given).
    pub occurrence: u8,
}

impl<'a> FileAddr<'a> {
    /// The tags, in order.
    pub fn tags(&self) -> impl Iterator<Item = Result<FileAddrTag, PathError>> + 'a {
        self.tags
            .split('|')
            .filter(|t| !t.trim().is_empty())
            .map(|t| {
                let (tag_s, occ) = split_once(t.trim(), ':');
                let tag = parse_hex_u8(tag_s).ok_or(PathError::BadTag)?;
                let occurrence = match occ {
                    Some(o) => parse_occurrence(o)?,
                    None => 1,
                };
                Ok(FileAddrTag { tag, occurrence })
            })
    }

    /// Number of tags.
    pub fn tag_count(&self) -> usize {
        self.tags().count()
    }

    /// The `ItemPath` of each tag.
    pub fn item_paths(&self) -> impl Iterator<Item = Result<ItemPath, PathError>> + 'a {
        let (df, ef) = (self.df, self.ef);
        self.tags().map(move |t| {
            t.map(|t| ItemPath {
                df,
                ef,
                tag: Some(t.tag),
                occurrence: t.occurrence,
            })
        })
    }
}

fn parse_file_name(name: &str) -> Result<(DfId, u16, Option<u8>), PathError> {
    let name = name.trim();
    let (name, rec) = split_once(name, ':');
    let record = match rec {
        Some(r) => Some(parse_occurrence(r)?),
        None => None,
    };
    // The EF is the last 4 characters; the DF name is the rest.
    let split = name.len().checked_sub(4).ok_or(PathError::BadEf)?;
    if !name.is_char_boundary(split) {
        return Err(PathError::BadEf);
    }
    let (df_s, ef_s) = name.split_at(split);
    let df = match DfId::parse(df_s).ok_or(PathError::BadDf)? {
        // Regional variants `MFEF05|…` (Jiangsu) and `3F00EF06|…` (Sichuan) address the SSSE EFs
        // (sscard-spec.md §6.2): the MF itself has no EFs.
        DfId::Mf => DfId::Ssse,
        d => d,
    };
    let ef = parse_ef(ef_s).ok_or(PathError::BadEf)?;
    Ok((df, ef, record))
}

/// Parse one file entry (without the `$`): `SSSEEF05|06|07|`.
pub fn parse_file_addr(entry: &str) -> Result<FileAddr<'_>, PathError> {
    let (name, tags) = split_once(entry, '|');
    let (df, ef, record) = parse_file_name(name)?;
    Ok(FileAddr {
        df,
        ef,
        record,
        tags: tags.unwrap_or(""),
    })
}

/// Parse a pFileAddr string into its files: `SSSEEF05|06|07|$SSSEEF06|08|09|$`.
pub fn parse_pfileaddr(s: &str) -> impl Iterator<Item = Result<FileAddr<'_>, PathError>> {
    s.split('$')
        .filter(|e| !e.trim().is_empty())
        .map(parse_file_addr)
}

/// Write one pFileAddr file entry: `SSSEEF05|06|07|$`.
pub fn write_file_addr<W: fmt::Write>(w: &mut W, df: DfId, ef: u16, tags: &[u8]) -> fmt::Result {
    write!(w, "{}{:04X}|", df.name(), ef)?;
    for t in tags {
        write!(w, "{t:02X}|")?;
    }
    w.write_char('$')
}

/// The typed paths of an item constant (here, so that `item` stays below `paths`).
impl ItemRef {
    /// The typed path of the first occurrence (`SSSE/EF06/09`).
    pub const fn item_path(self) -> ItemPath {
        self.at(1)
    }

    /// The typed path of the `occurrence`-th (1-based) record with this tag (`DF01/EF15/40#2`).
    pub const fn at(self, occurrence: u8) -> ItemPath {
        ItemPath {
            df: self.ef().df(),
            ef: self.ef().fid(),
            tag: Some(self.tag()),
            occurrence,
        }
    }

    /// Absolute record number (2.0/3.0 layout) of the `occurrence`-th record with this tag; see
    /// [`record_number`].
    pub fn record_number(self, occurrence: u8) -> Option<u8> {
        record_number(self.ef().spec()?, self.tag(), occurrence)
    }
}

impl From<ItemRef> for ItemPath {
    fn from(r: ItemRef) -> ItemPath {
        r.item_path()
    }
}

/// The typed paths of an EF constant (here, not in `ef`, so that `ef` stays below `paths`).
impl EfRef {
    /// The typed path of the whole EF (`SSSE/EF05`).
    pub const fn item_path(self) -> ItemPath {
        self.record(0)
    }

    /// The typed path of record `n` of the EF (`DF04/EF08#3`; 0 = whole EF).
    pub const fn record(self, n: u8) -> ItemPath {
        ItemPath {
            df: self.df(),
            ef: self.fid(),
            tag: None,
            occurrence: n,
        }
    }
}

impl From<EfRef> for ItemPath {
    fn from(r: EfRef) -> ItemPath {
        r.item_path()
    }
}
