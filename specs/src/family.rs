//! Card families: named descriptions of how a kind of card deviates from the national layout and
//! behaviour, each deviation with its source (`real-cards.md` T1–T4, `sscard-spec.md`).
//!
//! Cards from different issuers and vendors differ; where a genuine trace contradicts the spec,
//! the trace wins *for that family* (`real-cards.md`, introduction). This module is the one place
//! those differences are written: the card OS answers as a family, the terminal recognises a
//! family from the card's answers ([`recognise`]) and the conformance suite reports a family's
//! [`Family::deviations`], all from the same [`Family`] values.
//!
//! A family is `'static` const data:
//!
//! * the **national families** `national-1.00`, `national-2.00`, `national-2.01`,
//!   `national-3.00` are today's behaviour: the national tables of this crate for their
//!   [`SpecVersion`] (1.00 layouts from [`crate::layouts_v1::V1_LAYOUTS`], nothing copied), the
//!   sscard ATR, the SSSE FCI, T=0 Le rules (`6Cxx`), `00` padding, BCD dates;
//! * the **regional families** `hangzhou-1.00` (T1), `shanghai-2.10` (T2), `jiangsu-2.00`
//!   (S-JS, EF0D) and the **test-card family** `hunan-2.0-test` (T3) list only what differs;
//!   everything they do not list is the national behaviour of their [`Family::spec_version`].
//!
//! Every value that a family states carries a [`Basis`]: where it comes from ([`Source`]), how
//! sure it is ([`Confidence`]), the trace line it rests on (`evidence`) and, where inferred or
//! where the trace is silent and the national behaviour was kept, an `uncertain` note. Texts are
//! [`Text`] (compiled out without the `text` feature, like the rest of the crate).
//!
//! ```
//! use sscard_specs::family::{self, ReadRecordAnswer};
//! use sscard_specs::{ef, item};
//!
//! let sh = family::family_by_name("shanghai-2.10").unwrap();
//! assert_eq!(sh.version_bytes(), b"2.10");
//! assert!(!sh.ssse_by_name());
//! // EF06 has no name extension: record 3 is the sex 0A, record 7 an extra tag 0E
//! assert_eq!(sh.record(ef::SSSE_EF06, 3).unwrap().tag, item::SSSE_EF06_SEX.tag());
//! assert!(!sh.has_item(ef::SSSE_EF06, item::SSSE_EF06_NAME_EXT.tag()));
//! let r7 = sh.record(ef::SSSE_EF06, 7).unwrap();
//! assert_eq!((r7.tag, r7.len, r7.national), (0x0E, 4, false));
//! // short Le: truncated + 9000; long Le: 6F00
//! assert_eq!(sh.read_record_answer(5, 6), ReadRecordAnswer::Truncate9000 { len: 5 });
//! assert_eq!(sh.read_record_answer(0x16, 3), ReadRecordAnswer::NoPreciseDiagnosis6F00);
//! assert_eq!(family::national_for(sscard_specs::SpecVersion::V2_00).name, "national-2.00");
//! ```

use core::fmt;

use crate::ef::{self, EfRef};
use crate::files::{self, SSSE_DIR_SFI, SSSE_NAME};
use crate::item::{self, ItemRef};
use crate::key;
use crate::text::{note, text, Text};
use crate::types::{
    fit_records, Category, DataType, DfId, EfSpec, EfStructure, ItemSpec, ReadRule, WriteRule,
};
use crate::versions::SpecVersion;

// ================================================================ provenance

/// Where a family's statement comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `sscard-spec.md`: the national tables (S-SPEC20) and the facts it cites.
    Spec,
    /// sscard's own choice where the public record is silent (`profile.md`, today's emulator).
    Sscard,
    /// `real-cards.md` T1: Zhejiang (Hangzhou 330100) "1.00" card, Mingwah X3 wire-level log.
    T1Hangzhou,
    /// `real-cards.md` T2: Shanghai "2.10" card, MingTai reader, developer's notes.
    T2Shanghai,
    /// `real-cards.md` T3: Hunan (Loudi) 2.0 test card, Huada/Mingwah DLL log.
    T3Hunan,
    /// `real-cards.md` T4: Zhejiang (Wenzhou 330300) "3.00" cards, printer-driver comments.
    T4Wenzhou,
    /// `real-cards.md` table E: the evidence against today's emulator.
    TableE,
    /// S-JS (`sscard-spec.md` §0, §3.7): Huada SSSE32 library for Jiangsu (vendor host code, no
    /// card response).
    SJs,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 8] = [
        Source::Spec,
        Source::Sscard,
        Source::T1Hangzhou,
        Source::T2Shanghai,
        Source::T3Hunan,
        Source::T4Wenzhou,
        Source::TableE,
        Source::SJs,
    ];

    /// Short citation: `"real-cards.md T2"`, `"sscard-spec.md"`, …
    pub const fn citation(self) -> &'static str {
        match self {
            Source::Spec => "sscard-spec.md",
            Source::Sscard => "profile.md / sscard emulator",
            Source::T1Hangzhou => "real-cards.md T1",
            Source::T2Shanghai => "real-cards.md T2",
            Source::T3Hunan => "real-cards.md T3",
            Source::T4Wenzhou => "real-cards.md T4",
            Source::TableE => "real-cards.md table E",
            Source::SJs => "sscard-spec.md S-JS",
        }
    }

    /// Whether the source is a trace of `real-cards.md` (T1–T4): responses captured from cards.
    pub const fn is_trace(self) -> bool {
        matches!(
            self,
            Source::T1Hangzhou | Source::T2Shanghai | Source::T3Hunan | Source::T4Wenzhou
        )
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.citation())
    }
}

/// How sure a family's statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Confidence {
    /// The national tables or sscard's documented choice: the baseline, not a deviation.
    Baseline,
    /// A captured response shows it (the `evidence` quotes it). An `uncertain` note may still
    /// say at which level it was captured (reader frame, DLL).
    Observed,
    /// Follows from a capture without being shown; the `uncertain` note says how.
    Inferred,
    /// A host library's code expects it; no captured card response (the note says so).
    HostCode,
    /// The trace is silent: the national behaviour is kept (the note says what is unknown).
    NationalKept,
}

/// The provenance of one statement of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Basis {
    /// Where it comes from.
    pub source: Source,
    /// How sure it is.
    pub confidence: Confidence,
    /// The line it rests on (a trace line, a table, a code line), quoted.
    pub evidence: Text,
    /// Why it is uncertain (always set unless `Baseline` or plainly `Observed`).
    pub uncertain: Option<Text>,
}

impl Basis {
    /// The national baseline: `evidence` names the table or rule.
    pub const fn baseline(source: Source, evidence: &'static str) -> Basis {
        Basis {
            source,
            confidence: Confidence::Baseline,
            evidence: text(evidence),
            uncertain: None,
        }
    }

    /// A baseline choice that is itself uncertain (`note` says why).
    pub const fn baseline_noted(
        source: Source,
        evidence: &'static str,
        why: &'static str,
    ) -> Basis {
        Basis {
            source,
            confidence: Confidence::Baseline,
            evidence: text(evidence),
            uncertain: note(why),
        }
    }

    /// Shown by a captured response (`evidence` quotes it).
    pub const fn observed(source: Source, evidence: &'static str) -> Basis {
        Basis {
            source,
            confidence: Confidence::Observed,
            evidence: text(evidence),
            uncertain: None,
        }
    }

    /// Shown by a captured response, with a caveat (capture level, scope).
    pub const fn observed_noted(
        source: Source,
        evidence: &'static str,
        why: &'static str,
    ) -> Basis {
        Basis {
            source,
            confidence: Confidence::Observed,
            evidence: text(evidence),
            uncertain: note(why),
        }
    }

    /// Inferred from a capture (`why` says how).
    pub const fn inferred(source: Source, evidence: &'static str, why: &'static str) -> Basis {
        Basis {
            source,
            confidence: Confidence::Inferred,
            evidence: text(evidence),
            uncertain: note(why),
        }
    }

    /// Expected by a host library's code, not captured from a card.
    pub const fn host_code(source: Source, evidence: &'static str, why: &'static str) -> Basis {
        Basis {
            source,
            confidence: Confidence::HostCode,
            evidence: text(evidence),
            uncertain: note(why),
        }
    }

    /// The trace is silent; the national behaviour is kept (`why` says what is unknown).
    pub const fn national_kept(source: Source, why: &'static str) -> Basis {
        Basis {
            source,
            confidence: Confidence::NationalKept,
            evidence: text(""),
            uncertain: note(why),
        }
    }

    /// Whether the statement is uncertain (has a note).
    pub const fn is_uncertain(&self) -> bool {
        self.uncertain.is_some()
    }
}

/// A value a family states, with its provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact<T> {
    /// The value.
    pub value: T,
    /// Where it comes from.
    pub basis: Basis,
}

/// Build a [`Fact`].
pub const fn fact<T>(value: T, basis: Basis) -> Fact<T> {
    Fact { value, basis }
}

// ================================================================ the deviating aspects

/// TS of every ATR seen (direct convention).
pub const ATR_TS: u8 = 0x3B;

/// The shape of the ATR: T0, the interface bytes, and where the card-id serial sits.
///
/// No trace shows TD1, so every family is **T=0 only** ([`AtrShape::t0_only`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtrShape {
    /// Format byte T0: high nibble = which of TA1..TD1 follow, low nibble = number of
    /// historical bytes (`6D`: TB1, TC1, 13; `2F`: TB1, 15).
    pub t0: u8,
    /// The interface bytes after T0, in order (`6D`: TB1 = TC1 = `00`).
    pub interface: &'static [u8],
    /// Whether the last 4 historical bytes are the card-id serial (bytes 8–11 of EF05 tag 01).
    pub serial_at_end: bool,
}

impl AtrShape {
    /// Number of historical bytes (low nibble of T0).
    pub const fn historical_len(&self) -> usize {
        (self.t0 & 0x0F) as usize
    }

    /// Total ATR length: TS, T0, interface bytes, historical bytes (no TCK: T=0 only).
    pub const fn len(&self) -> usize {
        2 + self.interface.len() + self.historical_len()
    }

    /// Never empty (TS and T0 at least); for clippy's `len_without_is_empty`.
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// T=0 only: no TD1 (bit 8 of T0 clear), so no other protocol is offered (ISO 7816-3).
    pub const fn t0_only(&self) -> bool {
        self.t0 & 0x80 == 0
    }

    /// Number of interface bytes T0 announces (bits 5–8).
    pub const fn announced_interface_bytes(&self) -> usize {
        (self.t0 >> 4).count_ones() as usize
    }

    /// Whether `atr` has this shape: TS, T0, interface bytes and length.
    pub fn matches(&self, atr: &[u8]) -> bool {
        atr.len() == self.len()
            && atr.first() == Some(&ATR_TS)
            && atr.get(1) == Some(&self.t0)
            && atr.get(2..2 + self.interface.len()) == Some(self.interface)
    }

    /// The historical bytes of `atr`, if it has this shape.
    pub fn historical<'a>(&self, atr: &'a [u8]) -> Option<&'a [u8]> {
        if !self.matches(atr) {
            return None;
        }
        atr.get(2 + self.interface.len()..)
    }

    /// The card-id serial carried by the ATR (last 4 bytes), where the family puts it there.
    pub fn serial<'a>(&self, atr: &'a [u8]) -> Option<&'a [u8]> {
        let h = self.historical(atr)?;
        if !self.serial_at_end {
            return None;
        }
        h.get(h.len().checked_sub(4)?..)
    }
}

/// What SELECT of the SSSE by name answers (`00 A4 04 00 0F <sx1.sh.社会保障>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SsseAccess {
    /// The SSSE is a DDF selected by name; the card answers this FCI (on T=0 as `61xx`, then
    /// GET RESPONSE, like every case-4 reply). Its EFs are selected below it.
    ByName(FciContent),
    /// SELECT by name answers `6A82`: the SSSE's EFs sit in the MF ("SSSE can be in the MF",
    /// `sscard-spec.md` §2.1) and are selected from the MF with `00 A4 02 00 02 EFxx` (P1 = 02).
    NotByName,
}

/// The content of the SSSE FCI: `6F L 84 0F <SSSE name> A5 L 88 01 <sfi> [9F0C 03 86 01 <alg>]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FciContent {
    /// SFI under tag 88 (`1E` national / Hunan, `0B` Hangzhou 1.00).
    pub sfi: u8,
    /// Algorithm id under `9F0C`/`86` (`03` SM4 on 3.00); `None` = tag absent.
    pub algorithm_id: Option<u8>,
}

impl FciContent {
    /// The DF name in tag 84: the SSSE name `sx1.sh.社会保障` ([`files::SSSE_NAME`]).
    /// The FCI bytes themselves are built by `sscard_apdu::fci::write_fci(df_name, sfi,
    /// algorithm_id)`, the one FCI codec (its tests check them against the T1 and T3 traces).
    pub const fn df_name(&self) -> &'static [u8] {
        SSSE_NAME
    }
}

/// READ RECORD with an Le **shorter** than the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShortLe {
    /// `6Cxx` with xx = record length (T=0: re-issue with that Le). National T=0.
    WrongLe6C,
    /// The first Le bytes of the record and `9000` (Shanghai, T2).
    Truncate9000,
}

/// READ RECORD with an Le **longer** than the record (Le `00` counts as 256).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LongLe {
    /// `6Cxx` with xx = record length. National T=0.
    WrongLe6C,
    /// `6F00`, no data (Shanghai, T2, inferred).
    NoPreciseDiagnosis6F00,
    /// The whole record and `9000` (Hangzhou, T1, at the reader-frame level).
    Full9000,
}

/// How a family answers one READ RECORD, given Le and the record length
/// ([`Family::read_record_answer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadRecordAnswer {
    /// Le = record length: the record and `9000`.
    Exact,
    /// `6Cxx`, xx = `record_len`.
    WrongLe6C {
        /// The record length to announce.
        record_len: u8,
    },
    /// The first `len` bytes and `9000`.
    Truncate9000 {
        /// Bytes returned (= Le).
        len: u8,
    },
    /// `6F00`, no data.
    NoPreciseDiagnosis6F00,
    /// The whole record and `9000`.
    Full9000,
}

impl ReadRecordAnswer {
    /// Number of record bytes returned, for a record of `record_len` bytes.
    pub const fn data_len(self, record_len: u8) -> u8 {
        match self {
            ReadRecordAnswer::Exact | ReadRecordAnswer::Full9000 => record_len,
            ReadRecordAnswer::Truncate9000 { len } => len,
            ReadRecordAnswer::WrongLe6C { .. } | ReadRecordAnswer::NoPreciseDiagnosis6F00 => 0,
        }
    }
}

/// How an `an` value shorter than its field is padded (`sscard-spec.md` §3.1: `00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnPadding {
    /// `00 00 …` (national).
    Zero,
    /// `20 20 …`, no `00` (Hangzhou, T1).
    Space,
    /// One `00`, then `20 20 …` (Shanghai, T2).
    ZeroThenSpace,
}

impl AnPadding {
    /// The `k`-th padding byte (0 = the first byte after the value).
    pub const fn byte(self, k: usize) -> u8 {
        match self {
            AnPadding::Zero => 0x00,
            AnPadding::Space => 0x20,
            AnPadding::ZeroThenSpace => {
                if k == 0 {
                    0x00
                } else {
                    0x20
                }
            }
        }
    }
}

/// An `an` value longer than its field ([`Family::pad_an`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueTooLong;

/// How a date item (cn 4) is coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateCoding {
    /// BCD `YYYYMMDD` (`20130701`), `sscard-spec.md` §3.1. National.
    BcdYyyymmdd,
    /// The year as 4 ASCII digits (`32303132` = "2012"), no month or day: the Hunan test card.
    AsciiYear,
}

/// A date as a family's coding carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateValue {
    /// Year.
    pub year: u16,
    /// Month 1–12 (`None` where the coding has none).
    pub month: Option<u8>,
    /// Day 1–31 (`None` where the coding has none).
    pub day: Option<u8>,
}

fn bcd2(b: u8) -> Option<u8> {
    let (h, l) = (b >> 4, b & 0x0F);
    (h <= 9 && l <= 9).then_some(h * 10 + l)
}

const fn to_bcd2(n: u8) -> u8 {
    (n / 10) << 4 | (n % 10)
}

impl DateCoding {
    /// Decode a 4-byte date value (`None` when `v` is not coded this way).
    pub fn decode(self, v: &[u8]) -> Option<DateValue> {
        let [a, b, c, d] = <[u8; 4]>::try_from(v).ok()?;
        match self {
            DateCoding::BcdYyyymmdd => {
                let year = u16::from(bcd2(a)?) * 100 + u16::from(bcd2(b)?);
                let (month, day) = (bcd2(c)?, bcd2(d)?);
                ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(DateValue {
                    year,
                    month: Some(month),
                    day: Some(day),
                })
            }
            DateCoding::AsciiYear => {
                let digits = [a, b, c, d];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let year = digits
                    .iter()
                    .fold(0u16, |y, &c| y * 10 + u16::from(c - b'0'));
                Some(DateValue {
                    year,
                    month: None,
                    day: None,
                })
            }
        }
    }

    /// Encode a date (`None` for a year above 9999 or a month/day out of range; `AsciiYear`
    /// keeps the year only).
    pub fn encode(self, date: DateValue) -> Option<[u8; 4]> {
        if date.year > 9999 {
            return None;
        }
        match self {
            DateCoding::BcdYyyymmdd => {
                let (m, d) = (date.month?, date.day?);
                if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                    return None;
                }
                let (hi, lo) = ((date.year / 100) as u8, (date.year % 100) as u8);
                Some([to_bcd2(hi), to_bcd2(lo), to_bcd2(m), to_bcd2(d)])
            }
            DateCoding::AsciiYear => {
                let y = date.year;
                Some([
                    b'0' + (y / 1000) as u8,
                    b'0' + (y / 100 % 10) as u8,
                    b'0' + (y / 10 % 10) as u8,
                    b'0' + (y % 10) as u8,
                ])
            }
        }
    }
}

/// A date item whose coding differs from the national BCD (items not listed are BCD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRule {
    /// The item.
    pub item: ItemRef,
    /// Its coding on this family.
    pub coding: DateCoding,
    /// Provenance.
    pub basis: Basis,
}

// ================================================================ layouts

/// One record of a family's EF layout: a national item or an extra one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutItem {
    /// A national item of this EF (`items.rs`), as the national table defines it.
    National(ItemRef),
    /// An item the national list of this EF does not have (defined in this module, with an
    /// `uncertain` note).
    Extra(&'static ItemSpec),
}

impl LayoutItem {
    /// The item's table entry.
    pub const fn spec(&self) -> Option<&'static ItemSpec> {
        match *self {
            LayoutItem::National(r) => r.spec(),
            LayoutItem::Extra(s) => Some(s),
        }
    }

    /// Whether it is a national item.
    pub const fn is_national(&self) -> bool {
        matches!(self, LayoutItem::National(_))
    }
}

/// One record of an [`EfLayout`], with its provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutRecord {
    /// The item stored in this record.
    pub item: LayoutItem,
    /// Why this record holds it (e.g. the trace line that reads it).
    pub basis: Basis,
}

const fn nat(r: ItemRef, basis: Basis) -> LayoutRecord {
    LayoutRecord {
        item: LayoutItem::National(r),
        basis,
    }
}

const fn extra(s: &'static ItemSpec, basis: Basis) -> LayoutRecord {
    LayoutRecord {
        item: LayoutItem::Extra(s),
        basis,
    }
}

/// A family's record layout of one national EF: its records in order (repeated items occupy
/// consecutive records). EFs without a layout have the national layout of the family's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EfLayout {
    /// The EF.
    pub ef: EfRef,
    /// Records in order (record 1 first).
    pub records: &'static [LayoutRecord],
    /// Provenance of the layout as a whole.
    pub basis: Basis,
}

/// An EF a family has that the national tree does not (Jiangsu SSSE EF0D).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FamilyEf {
    /// The file (its items are all extra).
    pub spec: &'static EfSpec,
    /// Provenance.
    pub basis: Basis,
}

/// An EF of a family's tree: a national one or an extra one, by DF and FID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EfAddr {
    /// The DF.
    pub df: DfId,
    /// The FID.
    pub fid: u16,
}

impl EfAddr {
    /// The address of an EF.
    pub const fn of(spec: &EfSpec) -> EfAddr {
        EfAddr {
            df: spec.df,
            fid: spec.fid,
        }
    }
}

impl From<EfRef> for EfAddr {
    fn from(r: EfRef) -> EfAddr {
        EfAddr {
            df: r.df(),
            fid: r.fid(),
        }
    }
}

impl From<&EfSpec> for EfAddr {
    fn from(s: &EfSpec) -> EfAddr {
        EfAddr::of(s)
    }
}

/// One record as a family stores it ([`Family::records_of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FamilyRecord {
    /// Record number (1-based; P1 of READ RECORD with P2 = 04).
    pub number: u8,
    /// Tag (record identifier).
    pub tag: u8,
    /// Value length (the record is `tag | len | value`, 2 + `len` bytes).
    pub len: u8,
    /// Value encoding.
    pub data_type: DataType,
    /// 1-based occurrence of the tag (repeated items).
    pub occurrence: u8,
    /// Whether the item is in the national layout of the family's version (`false`: extra).
    pub national: bool,
    /// The item's table entry.
    pub spec: &'static ItemSpec,
    /// Provenance of this record.
    pub basis: &'static Basis,
}

impl FamilyRecord {
    /// Length of the whole TLV record: 2 + `len`.
    pub const fn record_len(&self) -> u16 {
        2 + self.len as u16
    }
}

/// Provenance of records that follow the national tables.
pub static NATIONAL_LAYOUT: Basis = Basis::baseline(
    Source::Spec,
    "national record order: items.rs (sscard-spec.md §3.3–§3.7); 1.00: versions::V1_LAYOUTS",
);

#[derive(Clone, Copy, Debug)]
enum RecordSource {
    Items {
        items: &'static [ItemSpec],
        version: Option<SpecVersion>,
        national: bool,
        basis: &'static Basis,
    },
    Layout(&'static [LayoutRecord]),
    Empty,
}

/// Iterator over a family's records of one EF, in record order ([`Family::records_of`]).
#[derive(Clone, Debug)]
pub struct Records {
    src: RecordSource,
    idx: usize,
    occ: u8,
    number: u8,
}

impl Records {
    const fn new(src: RecordSource) -> Records {
        Records {
            src,
            idx: 0,
            occ: 0,
            number: 0,
        }
    }
}

impl Iterator for Records {
    type Item = FamilyRecord;

    fn next(&mut self) -> Option<FamilyRecord> {
        loop {
            let (spec, national, basis) = match self.src {
                RecordSource::Empty => return None,
                RecordSource::Items {
                    items,
                    version,
                    national,
                    basis,
                } => {
                    let it = items.get(self.idx)?;
                    if version.is_some_and(|v| !it.versions.contains(v)) {
                        self.idx += 1;
                        continue;
                    }
                    (it, national, basis)
                }
                RecordSource::Layout(recs) => {
                    let r = recs.get(self.idx)?;
                    match r.item.spec() {
                        Some(s) => (s, r.item.is_national(), &r.basis),
                        None => {
                            self.idx += 1;
                            continue;
                        }
                    }
                }
            };
            if self.occ >= spec.repeat.max(1) {
                self.idx += 1;
                self.occ = 0;
                continue;
            }
            self.occ += 1;
            self.number = self.number.checked_add(1)?;
            return Some(FamilyRecord {
                number: self.number,
                tag: spec.tag,
                len: spec.len,
                data_type: spec.data_type,
                occurrence: self.occ,
                national,
                spec,
                basis,
            });
        }
    }
}

// ================================================================ the family

/// What kind of family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FamilyKind {
    /// Today's national behaviour for one spec version (no deviations).
    National,
    /// An issuer's / region's cards as traces or vendor code show them.
    Regional,
    /// A test card (`sscard-spec.md` §3.1: do not rely on test cards for encodings).
    TestCard,
}

/// A card family: how one kind of card deviates from the national layout and behaviour.
///
/// Fields are public `'static` data; the methods answer the questions the card OS, the terminal
/// and the suite ask, from the tables (no code per family).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// Stable kebab-case name (`"shanghai-2.10"`), as `sscard init --family` takes it.
    pub name: &'static str,
    /// One-line description.
    pub title: Text,
    /// National, regional or test card.
    pub kind: FamilyKind,
    /// The national version whose rules apply to everything the family does not list (file
    /// tree, access rules, keys, the 1.0 layouts): its suite is this version's profile.
    pub version: Fact<SpecVersion>,
    /// SSSE EF05 tag 03 as stored (`"2.10"`, `"2.0\0"`).
    pub version_bytes: Fact<[u8; 4]>,
    /// ATR shape (transport: T=0 only in every family).
    pub atr: Fact<AtrShape>,
    /// SELECT SSSE by name: FCI content, or `6A82`.
    pub ssse: Fact<SsseAccess>,
    /// READ RECORD with Le shorter than the record.
    pub le_short: Fact<ShortLe>,
    /// READ RECORD with Le longer than the record.
    pub le_long: Fact<LongLe>,
    /// Padding of `an` values shorter than their field.
    pub an_padding: Fact<AnPadding>,
    /// Date items coded other than BCD (every other date is BCD `YYYYMMDD`).
    pub dates: &'static [DateRule],
    /// National EFs whose record layout differs (the others follow the national tables).
    pub layouts: &'static [EfLayout],
    /// EFs the national tree does not have.
    pub extra_efs: &'static [FamilyEf],
    /// Trace facts that **agree** with the national behaviour (conformance evidence, e.g.
    /// "SELECT EF answers 9000 without FCI").
    pub confirms: &'static [Basis],
    /// A note on the family as a whole (the evidence it rests on and its limits).
    pub uncertain: Option<Text>,
}

/// One way a family differs from the national family of its version ([`Family::deviations`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// EF05 tag 03 bytes.
    Version,
    /// ATR shape.
    Atr,
    /// SELECT SSSE by name / FCI content.
    Ssse,
    /// READ RECORD, Le shorter than the record.
    LeShort,
    /// READ RECORD, Le longer than the record.
    LeLong,
    /// `an` padding.
    AnPadding,
    /// A date item's coding.
    DateCoding(ItemRef),
    /// A national EF's record layout.
    Layout(EfRef),
    /// An EF the national tree does not have.
    ExtraEf(EfAddr),
}

/// A deviation and the basis it rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deviation<'a> {
    /// What differs.
    pub aspect: Aspect,
    /// Provenance.
    pub basis: &'a Basis,
}

impl Family {
    /// The national version whose rules apply.
    pub const fn spec_version(&self) -> SpecVersion {
        self.version.value
    }

    /// EF05 tag 03 as the family stores it.
    pub const fn version_bytes(&self) -> &[u8; 4] {
        &self.version_bytes.value
    }

    /// The security suite (profile name, `"sscard-2"` / `"sscard-3"`) of the family's version.
    pub const fn suite(&self) -> &'static str {
        self.version.value.profile_name()
    }

    /// Whether this is a national family.
    pub const fn is_national(&self) -> bool {
        matches!(self.kind, FamilyKind::National)
    }

    /// The national family of the same version: the baseline the deviations are measured from.
    pub const fn baseline(&self) -> &'static Family {
        national_for(self.version.value)
    }

    /// T=0 only (from the ATR shape).
    pub const fn t0_only(&self) -> bool {
        self.atr.value.t0_only()
    }

    /// Whether SELECT SSSE by name works (answers the FCI); otherwise it answers `6A82` and the
    /// SSSE EFs are selected from the MF with P1 = 02.
    pub const fn ssse_by_name(&self) -> bool {
        matches!(self.ssse.value, SsseAccess::ByName(_))
    }

    /// The FCI the family answers to SELECT SSSE by name (`None`: `6A82`).
    pub const fn fci(&self) -> Option<FciContent> {
        match self.ssse.value {
            SsseAccess::ByName(f) => Some(f),
            SsseAccess::NotByName => None,
        }
    }

    /// How READ RECORD answers with `le` (the P3 byte; `00` = 256) for a record of
    /// `record_len` bytes.
    pub const fn read_record_answer(&self, le: u8, record_len: u8) -> ReadRecordAnswer {
        let ne: u16 = if le == 0 { 256 } else { le as u16 };
        let len = record_len as u16;
        if ne == len {
            ReadRecordAnswer::Exact
        } else if ne < len {
            match self.le_short.value {
                ShortLe::WrongLe6C => ReadRecordAnswer::WrongLe6C { record_len },
                ShortLe::Truncate9000 => ReadRecordAnswer::Truncate9000 { len: le },
            }
        } else {
            match self.le_long.value {
                LongLe::WrongLe6C => ReadRecordAnswer::WrongLe6C { record_len },
                LongLe::NoPreciseDiagnosis6F00 => ReadRecordAnswer::NoPreciseDiagnosis6F00,
                LongLe::Full9000 => ReadRecordAnswer::Full9000,
            }
        }
    }

    /// The `k`-th padding byte after an `an` value (0 = the first).
    pub const fn an_pad_byte(&self, k: usize) -> u8 {
        self.an_padding.value.byte(k)
    }

    /// Write `value` left-aligned into the whole of `field`, padded the family's way.
    pub fn pad_an(&self, value: &[u8], field: &mut [u8]) -> Result<(), ValueTooLong> {
        let pad_len = field.len().checked_sub(value.len()).ok_or(ValueTooLong)?;
        let (head, tail) = field.split_at_mut(value.len());
        head.copy_from_slice(value);
        debug_assert_eq!(tail.len(), pad_len);
        tail.iter_mut()
            .enumerate()
            .for_each(|(k, b)| *b = self.an_pad_byte(k));
        Ok(())
    }

    /// The value of an `an` field without the family's padding.
    pub fn trim_an<'a>(&self, field: &'a [u8]) -> &'a [u8] {
        let strip = |f: &'a [u8], b: u8| -> &'a [u8] {
            let n = f.iter().rposition(|&c| c != b).map_or(0, |i| i + 1);
            f.get(..n).unwrap_or(&[])
        };
        match self.an_padding.value {
            AnPadding::Zero => strip(field, 0x00),
            AnPadding::Space => strip(field, 0x20),
            AnPadding::ZeroThenSpace => strip(strip(field, 0x20), 0x00),
        }
    }

    /// How `item` (a date) is coded on this family (BCD unless a [`DateRule`] says otherwise).
    pub fn date_coding(&self, item: ItemRef) -> DateCoding {
        self.date_rule(item)
            .map_or(DateCoding::BcdYyyymmdd, |r| r.coding)
    }

    /// The rule for a date item coded other than BCD, if any.
    pub fn date_rule(&self, item: ItemRef) -> Option<&'static DateRule> {
        self.dates.iter().find(|r| r.item == item)
    }

    /// The family's layout of a national EF, if it differs from the national one.
    pub fn layout(&self, ef: EfRef) -> Option<&'static EfLayout> {
        self.layouts.iter().find(|l| l.ef == ef)
    }

    /// An extra EF of the family.
    pub fn extra_ef(&self, ef: EfAddr) -> Option<&'static FamilyEf> {
        self.extra_efs.iter().find(|e| EfAddr::of(e.spec) == ef)
    }

    /// The EF's table entry: the national tree or the family's extra EFs.
    pub fn ef_spec(&self, ef: impl Into<EfAddr>) -> Option<&'static EfSpec> {
        let a = ef.into();
        files::ef(a.df, a.fid).or_else(|| self.extra_ef(a).map(|e| e.spec))
    }

    /// Whether the family's tree has the EF.
    pub fn has_ef(&self, ef: impl Into<EfAddr>) -> bool {
        self.ef_spec(ef).is_some()
    }

    /// The records the family stores in `ef`, in record order (one per record: repeated items
    /// give one entry per occurrence). Empty for an EF the family does not have and for
    /// transparent / cyclic EFs (no tagged records).
    pub fn records_of(&self, ef: impl Into<EfAddr>) -> Records {
        let a = ef.into();
        if let Some(r) = ef::find(a.df, a.fid) {
            if let Some(l) = self.layout(r) {
                return Records::new(RecordSource::Layout(l.records));
            }
        }
        if let Some(spec) = files::ef(a.df, a.fid) {
            let v = self.version.value;
            return Records::new(RecordSource::Items {
                items: spec.items_for(v),
                version: Some(v),
                national: true,
                basis: &NATIONAL_LAYOUT,
            });
        }
        match self.extra_ef(a) {
            Some(e) => Records::new(RecordSource::Items {
                items: e.spec.items,
                version: None,
                national: false,
                basis: &e.basis,
            }),
            None => Records::new(RecordSource::Empty),
        }
    }

    /// Record number `n` (1-based) of `ef`.
    pub fn record(&self, ef: impl Into<EfAddr>, n: u8) -> Option<FamilyRecord> {
        self.records_of(ef).find(|r| r.number == n)
    }

    /// The `occurrence`-th (1-based) record with `tag` in `ef`.
    pub fn item(&self, ef: impl Into<EfAddr>, tag: u8, occurrence: u8) -> Option<FamilyRecord> {
        self.records_of(ef)
            .find(|r| r.tag == tag && r.occurrence == occurrence)
    }

    /// Record number of the `occurrence`-th record with `tag` in `ef`.
    pub fn record_number(&self, ef: impl Into<EfAddr>, tag: u8, occurrence: u8) -> Option<u8> {
        self.item(ef, tag, occurrence).map(|r| r.number)
    }

    /// Whether `ef` holds an item with `tag` on this family.
    pub fn has_item(&self, ef: impl Into<EfAddr>, tag: u8) -> bool {
        self.records_of(ef).any(|r| r.tag == tag)
    }

    /// The EF's structure on this family: the national one, or (for a changed layout) the
    /// variable-record structure that fits the family's records.
    pub fn structure_of(&self, ef: impl Into<EfAddr>) -> Option<EfStructure> {
        let a = ef.into();
        let spec = self.ef_spec(a)?;
        let changed = ef::find(a.df, a.fid).and_then(|r| self.layout(r)).is_some();
        if !changed {
            return Some(spec.structure_for(self.version.value));
        }
        let (mut n, mut max) = (0u8, 0u8);
        for r in self.records_of(a) {
            n = n.saturating_add(1);
            max = max.max(r.len);
        }
        Some(EfStructure::VariableRecords {
            max_records: n,
            max_record_len: max.saturating_add(2),
        })
    }

    /// What a terminal observes on a card of this family (the recognition signature; see
    /// [`recognise`]).
    pub fn observations(&self) -> Observations {
        Observations {
            ssse_by_name: Some(match self.ssse.value {
                SsseAccess::ByName(f) => SsseAnswer::Fci(f),
                SsseAccess::NotByName => SsseAnswer::NotFound,
            }),
            version: Some(self.version_bytes.value),
            ef06_record3_tag: self.record(ef::SSSE_EF06, 3).map(|r| r.tag),
            ssse_ef0d: Some(self.has_ef(EfAddr::of(&JIANGSU_SSSE_EF0D))),
        }
    }

    /// How this family differs from [`Family::baseline`] (empty for the national families).
    pub fn deviations(&self) -> impl Iterator<Item = Deviation<'_>> + '_ {
        fn dev(differs: bool, aspect: Aspect, basis: &Basis) -> Option<Deviation<'_>> {
            differs.then_some(Deviation { aspect, basis })
        }
        let base = self.baseline();
        let head = [
            dev(
                self.version_bytes.value != base.version_bytes.value,
                Aspect::Version,
                &self.version_bytes.basis,
            ),
            dev(
                self.atr.value != base.atr.value,
                Aspect::Atr,
                &self.atr.basis,
            ),
            dev(
                self.ssse.value != base.ssse.value,
                Aspect::Ssse,
                &self.ssse.basis,
            ),
            dev(
                self.le_short.value != base.le_short.value,
                Aspect::LeShort,
                &self.le_short.basis,
            ),
            dev(
                self.le_long.value != base.le_long.value,
                Aspect::LeLong,
                &self.le_long.basis,
            ),
            dev(
                self.an_padding.value != base.an_padding.value,
                Aspect::AnPadding,
                &self.an_padding.basis,
            ),
        ];
        head.into_iter()
            .flatten()
            .chain(
                self.dates
                    .iter()
                    .filter(move |r| r.coding != base.date_coding(r.item))
                    .map(|r| Deviation {
                        aspect: Aspect::DateCoding(r.item),
                        basis: &r.basis,
                    }),
            )
            .chain(
                self.layouts
                    .iter()
                    .filter(move |l| !same_records(self.records_of(l.ef), base.records_of(l.ef)))
                    .map(|l| Deviation {
                        aspect: Aspect::Layout(l.ef),
                        basis: &l.basis,
                    }),
            )
            .chain(self.extra_efs.iter().map(|e| Deviation {
                aspect: Aspect::ExtraEf(EfAddr::of(e.spec)),
                basis: &e.basis,
            }))
    }

    /// Every [`Basis`] the family states (facts, dates, layout records, extra EFs, confirmations).
    pub fn bases(&self) -> impl Iterator<Item = &Basis> + '_ {
        [
            &self.version.basis,
            &self.version_bytes.basis,
            &self.atr.basis,
            &self.ssse.basis,
            &self.le_short.basis,
            &self.le_long.basis,
            &self.an_padding.basis,
        ]
        .into_iter()
        .chain(self.dates.iter().map(|d| &d.basis))
        .chain(
            self.layouts
                .iter()
                .flat_map(|l| core::iter::once(&l.basis).chain(l.records.iter().map(|r| &r.basis))),
        )
        .chain(self.extra_efs.iter().map(|e| &e.basis))
        .chain(self.confirms.iter())
    }
}

fn same_records(a: Records, mut b: Records) -> bool {
    for x in a {
        match b.next() {
            Some(y) if (x.tag, x.len, x.occurrence) == (y.tag, y.len, y.occurrence) => {}
            _ => return false,
        }
    }
    b.next().is_none()
}

// ================================================================ recognition

/// What SELECT SSSE by name answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SsseAnswer {
    /// An FCI (after GET RESPONSE on T=0) with this SFI / algorithm id.
    Fci(FciContent),
    /// `6A82`.
    NotFound,
}

/// What a terminal observed on a card, with no configuration (`None` = not observed).
///
/// The terminal fills it from the card's answers; [`recognise`] then names the family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Observations {
    /// `00 A4 04 00 0F <SSSE name>`: FCI (its tag 88 SFI and 9F0C/86 algorithm id) or `6A82`.
    pub ssse_by_name: Option<SsseAnswer>,
    /// SSSE EF05 tag 03 value (4 bytes as stored).
    pub version: Option<[u8; 4]>,
    /// Tag of SSSE EF06 record 3 (`00 B2 03 04 Le`): `4E` on 2.0/3.0, `0A` on 1.0 and
    /// Shanghai. (3.00 cards need RKSSSE for EF06; leave `None` when not read.)
    pub ef06_record3_tag: Option<u8>,
    /// Whether SELECT of SSSE EF0D (`00 A4 02 00 02 EF0D` below the SSSE) answered `9000`.
    pub ssse_ef0d: Option<bool>,
}

impl Observations {
    /// Whether every observed value agrees with what `family` answers (unobserved values are
    /// not compared).
    pub fn fits(&self, family: &Family) -> bool {
        let want = family.observations();
        fn agree<T: PartialEq>(seen: Option<T>, want: Option<T>) -> bool {
            match seen {
                None => true,
                Some(s) => want == Some(s),
            }
        }
        agree(self.ssse_by_name, want.ssse_by_name)
            && agree(self.version, want.version)
            && agree(self.ef06_record3_tag, want.ef06_record3_tag)
            && agree(self.ssse_ef0d, want.ssse_ef0d)
    }
}

/// The families `obs` is consistent with (every observed value agrees).
pub fn candidates(obs: &Observations) -> impl Iterator<Item = &'static Family> + '_ {
    FAMILIES.iter().copied().filter(move |f| obs.fits(f))
}

/// The family a card belongs to, from what the terminal observed.
///
/// The version (EF05 tag 03) must be observed; every other observation that is `Some` must
/// agree. `None` when no family, or more than one, fits: the terminal then reports an unknown
/// (or ambiguous) card instead of guessing — observe more ([`PROBES`]) to separate candidates,
/// e.g. `national-2.00` from `jiangsu-2.00` by EF0D.
pub fn recognise(obs: &Observations) -> Option<&'static Family> {
    obs.version?;
    let mut c = candidates(obs);
    let first = c.next()?;
    c.next().is_none().then_some(first)
}

/// One observation of the recognition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObservationKind {
    /// SELECT SSSE by name.
    SsseByName,
    /// EF05 tag 03.
    Version,
    /// EF06 record 3's tag.
    Ef06Record3,
    /// SELECT SSSE EF0D.
    SsseEf0d,
}

/// A row of the recognition table: what to observe, how, and what it tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The observation ([`Observations`] field).
    pub kind: ObservationKind,
    /// Whether some pair of families is told apart **only** by this observation (otherwise it
    /// confirms: a card contradicting its family is refused rather than misread).
    pub required: bool,
    /// The command and the answers to compare.
    pub how: Text,
    /// The families it separates.
    pub separates: Text,
}

/// The recognition table, in the order a terminal observes (`recognise` compares every field
/// against [`Family::observations`]; this table documents what to send).
pub static PROBES: [Probe; 4] = [
    Probe {
        kind: ObservationKind::SsseByName,
        required: true,
        how: text("00 A4 04 00 0F <sx1.sh.社会保障> (then GET RESPONSE on 61xx): FCI tag 88 SFI and 9F0C/86, or 6A82"),
        separates: text("hangzhou-1.00 (SFI 0B) from national-1.00 (1E); shanghai-2.10 (6A82); national-3.00 (9F0C 86 03)"),
    },
    Probe {
        kind: ObservationKind::Version,
        required: true,
        how: text("SSSE EF05 record 3 (00 B2 03 04 06; after 6A82: 00 A4 02 00 02 EF05 from the MF first): the 4 value bytes as stored"),
        separates: text("1.00 / 2.00 / 2.01 / 3.00; shanghai-2.10 (\"2.10\"); hunan-2.0-test (\"2.0\" + 00)"),
    },
    Probe {
        kind: ObservationKind::Ef06Record3,
        required: false,
        how: text("SSSE EF06 record 3 (00 B2 03 04 03, then the Le a 6Cxx announces; 3.00 needs RKSSSE first): its tag. Shanghai answers 6F00 to a longer Le (0x16, 00): leave it unobserved then"),
        separates: text("confirms the layout: 4E on 2.0/3.0 families, 0A on 1.00 and shanghai-2.10"),
    },
    Probe {
        kind: ObservationKind::SsseEf0d,
        required: true,
        how: text("00 A4 02 00 02 EF0D below the SSSE: 9000 (present) or 6A82"),
        separates: text("jiangsu-2.00 (EF0D) from national-2.00"),
    },
];

// ================================================================ shared facts

const NATIONAL_ATR: AtrShape = AtrShape {
    t0: 0x6D,
    interface: &[0x00, 0x00],
    serial_at_end: true,
};

const FCI_NATIONAL: FciContent = FciContent {
    sfi: SSSE_DIR_SFI,
    algorithm_id: None,
};

/// Algorithm id of SM4 (国密) in the 3.00 FCI (`9F0C 03 86 01 03`), `sscard-spec.md` §2.1, §7.4.
pub const FCI_ALGORITHM_SM4: u8 = 0x03;

const ATR_NATIONAL: Fact<AtrShape> = fact(
    NATIONAL_ATR,
    Basis::baseline(
        Source::Sscard,
        "emulator ATR 3B6D000000815343208611010000000001: T0=6D (TB1, TC1, T=0 only), 13 historical bytes ending with the serial (real-cards.md table E; same shape as T1/T3)",
    ),
);

const LE_SHORT_NATIONAL: Fact<ShortLe> = fact(
    ShortLe::WrongLe6C,
    Basis::baseline(
        Source::TableE,
        "T=0 case 2 (ISO 7816-3): Le other than the record length answers 6Cxx; the emulator in T=0, its default (real-cards.md table E)",
    ),
);

const LE_LONG_NATIONAL: Fact<LongLe> = fact(
    LongLe::WrongLe6C,
    Basis::baseline(
        Source::TableE,
        "T=0 case 2 (ISO 7816-3): Le other than the record length answers 6Cxx; the emulator in T=0, its default (real-cards.md table E)",
    ),
);

const PADDING_NATIONAL: Fact<AnPadding> = fact(
    AnPadding::Zero,
    Basis::baseline(
        Source::Spec,
        "§3.1: an left-aligned, right-padded with 0x00 (T4 writes the 30-byte name 00-padded)",
    ),
);

const fn national_version(v: SpecVersion, evidence: &'static str) -> Fact<SpecVersion> {
    fact(v, Basis::baseline(Source::Spec, evidence))
}

const fn national_bytes(v: SpecVersion, evidence: &'static str) -> Fact<[u8; 4]> {
    fact(*v.as_bytes(), Basis::baseline(Source::Spec, evidence))
}

// ================================================================ national families

/// `national-1.00`: the national 1.00 card as sscard makes it today (1.0 layouts of
/// `layouts_v1::V1_LAYOUTS`: no 4E, DF01 1.0 items).
pub static NATIONAL_1_00: Family = Family {
    name: "national-1.00",
    title: text("national 1.00 (LB002-2000) card, today's sscard behaviour"),
    kind: FamilyKind::National,
    version: national_version(SpecVersion::V1_00, "§1: \"1.00\" (LB002-2000)"),
    version_bytes: national_bytes(SpecVersion::V1_00, "§1, §3.3: EF05 tag 03 \"1.00\""),
    atr: ATR_NATIONAL,
    ssse: fact(
        SsseAccess::ByName(FCI_NATIONAL),
        Basis::baseline_noted(
            Source::Sscard,
            "today's card OS answers the SSSE FCI with SFI 1E (files::SSSE_DIR_SFI) on every version",
            "no national 1.00 FCI in any trace; the one 1.00 card seen (T1) answers SFI 0B and is modelled as hangzhou-1.00",
        ),
    ),
    le_short: LE_SHORT_NATIONAL,
    le_long: LE_LONG_NATIONAL,
    an_padding: PADDING_NATIONAL,
    dates: &[],
    layouts: &[],
    extra_efs: &[],
    confirms: &[],
    uncertain: note("§9.9: LB002-2000 (1.0) text not available; 1.0 layouts from S-CFT / S-HN code and S-SPEC20 appendix C"),
};

const FCI_2_0: Basis = Basis::baseline(
    Source::Spec,
    "§2.1 sample FCI (2.0 card): 6F 16 84 0F <SSSE name> A5 03 88 01 1E + 90 00 (S-HNLOG [1]; = T3 byte for byte, table E)",
);

/// `national-2.00`: the national 2.00 card (S-SPEC20), today's behaviour.
pub static NATIONAL_2_00: Family = Family {
    name: "national-2.00",
    title: text("national 2.00 (S-SPEC20) card, today's sscard behaviour"),
    kind: FamilyKind::National,
    version: national_version(SpecVersion::V2_00, "§1: \"2.00\" (S-SPEC20, 2012)"),
    version_bytes: national_bytes(SpecVersion::V2_00, "§1, §3.3: EF05 tag 03 \"2.00\""),
    atr: ATR_NATIONAL,
    ssse: fact(SsseAccess::ByName(FCI_NATIONAL), FCI_2_0),
    le_short: LE_SHORT_NATIONAL,
    le_long: LE_LONG_NATIONAL,
    an_padding: PADDING_NATIONAL,
    dates: &[],
    layouts: &[],
    extra_efs: &[],
    confirms: &[],
    uncertain: None,
};

/// `national-2.01`: the national 2.01 card (first amendment of 2.0), today's behaviour.
pub static NATIONAL_2_01: Family = Family {
    name: "national-2.01",
    title: text("national 2.01 (2.0 first amendment) card, today's sscard behaviour"),
    kind: FamilyKind::National,
    version: national_version(SpecVersion::V2_01, "§1: \"2.01\" (2.0 first amendment)"),
    version_bytes: national_bytes(SpecVersion::V2_01, "§1, §3.3: EF05 tag 03 \"2.01\""),
    atr: ATR_NATIONAL,
    ssse: fact(SsseAccess::ByName(FCI_NATIONAL), FCI_2_0),
    le_short: LE_SHORT_NATIONAL,
    le_long: LE_LONG_NATIONAL,
    an_padding: PADDING_NATIONAL,
    dates: &[],
    layouts: &[],
    extra_efs: &[],
    confirms: &[],
    uncertain: note(
        "no 2.01 card in any trace: 2.01 differs from 2.00 only by its version string here",
    ),
};

/// `national-3.00`: the national 3.00 card (2.0 files, SM4, RKSSSE-protected basic info).
pub static NATIONAL_3_00: Family = Family {
    name: "national-3.00",
    title: text("national 3.00 card (SM4), today's sscard behaviour"),
    kind: FamilyKind::National,
    version: national_version(SpecVersion::V3_00, "§1: \"3.00\" (2.0 files + SM4, RKSSSE)"),
    version_bytes: national_bytes(
        SpecVersion::V3_00,
        "§1, §3.3: EF05 tag 03 \"3.00\" (T4: 00B2030400 → 0304 332E3030 9000)",
    ),
    atr: ATR_NATIONAL,
    ssse: fact(
        SsseAccess::ByName(FciContent {
            sfi: SSSE_DIR_SFI,
            algorithm_id: Some(FCI_ALGORITHM_SM4),
        }),
        Basis::baseline_noted(
            Source::Spec,
            "§2.1: on 3.0 cards the SELECT SSSE response contains 9F0C 03 86 01 xx (S-GWI sample 9F0C03860103 [1]); §7.4: 3.0 = SM4 = 03",
            "no 3.00 FCI in any trace (T4 does not show the SELECT answer): SFI 1E is the 2.0 sample's",
        ),
    ),
    le_short: LE_SHORT_NATIONAL,
    le_long: LE_LONG_NATIONAL,
    an_padding: PADDING_NATIONAL,
    dates: &[],
    layouts: &[],
    extra_efs: &[],
    confirms: &[
        Basis::observed_noted(
            Source::T4Wenzhou,
            "00B2010400 → 0110 330300D15600000599110145FFFFFFFF 9000 (record 1 = tag 01, 16 bytes)",
            "quoted in code comments; looks captured (real-cards.md T4: inferred); read with Le 00 through the Decard library",
        ),
        Basis::observed_noted(
            Source::T4Wenzhou,
            "00B2030400 → 0304 332E3030 9000 (record 3 = tag 03 \"3.00\")",
            "quoted in code comments (real-cards.md T4)",
        ),
        Basis::observed_noted(
            Source::T4Wenzhou,
            "GET CHALLENGE 0084000008 → 8 bytes + 9000",
            "quoted in code comments (real-cards.md T4)",
        ),
        Basis::host_code(
            Source::T4Wenzhou,
            "<AAC003>3F3F3F0000…00</AAC003>: the 30-byte name written 00-padded",
            "a server reply on the write path, not a card response (real-cards.md T4)",
        ),
    ],
    uncertain: None,
};

// ================================================================ T1 Hangzhou 1.00

/// `hangzhou-1.00`: Zhejiang (Hangzhou 330100) 1.00 cards, `real-cards.md` T1.
pub static HANGZHOU_1_00: Family = Family {
    name: "hangzhou-1.00",
    title: text("Zhejiang Hangzhou (330100) 1.00 cards: FCI SFI 0B, names 0x20-padded, full record on long Le"),
    kind: FamilyKind::Regional,
    version: fact(
        SpecVersion::V1_00,
        Basis::observed(Source::T1Hangzhou, "[SEND] …00B2032806 [RECEIVE] 0304312E3030 9000 (\"1.00\")"),
    ),
    version_bytes: fact(
        *b"1.00",
        Basis::observed(Source::T1Hangzhou, "00B2032806 → 0304312E3030 9000"),
    ),
    atr: fact(
        NATIONAL_ATR,
        Basis::observed(
            Source::T1Hangzhou,
            "[mwSmartCardReset] 3B6D00000081008843866533010114F199: T0=6D (TB1, TC1, no TD1: T=0 only), 13 historical bytes; the last 4 (0114F199) = card-id bytes 8–11",
        ),
    ),
    ssse: fact(
        SsseAccess::ByName(FciContent {
            sfi: 0x0B,
            algorithm_id: None,
        }),
        Basis::observed(
            Source::T1Hangzhou,
            "00A404000F7378…D5CF → 6118; 00C0000018 → 6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388010B 9000 (SFI 0B)",
        ),
    ),
    le_short: fact(
        ShortLe::WrongLe6C,
        Basis::national_kept(Source::T1Hangzhou, "T1 sends no Le shorter than a record"),
    ),
    le_long: fact(
        LongLe::Full9000,
        Basis::observed_noted(
            Source::T1Hangzhou,
            "00B207280E (Le 14, record 11 bytes) → 07094131353932313632329000",
            "seen at the reader-frame level: the log cannot show whether the card answered 6C0B and the reader re-issued; the same reader passes the card's 6118 through unhandled",
        ),
    ),
    an_padding: fact(
        AnPadding::Space,
        Basis::observed_noted(
            Source::T1Hangzhou,
            "00B2093020 → 091E B4F7C8FCD1C2 + 24 × 20 9000 (no 00)",
            "seen on the name (tag 09) only; applied to every an value shorter than its field",
        ),
    ),
    dates: &[],
    layouts: &[],
    extra_efs: &[],
    confirms: &[
        Basis::observed(Source::T1Hangzhou, "00A4000002EF05 → 9000, 00A4000002EF06 → 9000 (SELECT EF: no FCI)"),
        Basis::observed(
            Source::T1Hangzhou,
            "00B2012812 / 00B2083014: READ RECORD by record identifier through SFI 5 / 6 (P2 28 / 30, mode 000), right after SELECT SSSE",
        ),
        Basis::observed(
            Source::T1Hangzhou,
            "EF05 01 len 10, 03 len 04, 07 len 09 (\"A15921622\"); EF06 08 len 12, 09 len 1E, 0A len 01 ('1'): the national 1.0 lengths",
        ),
    ],
    uncertain: note("records are read by identifier (P2 mode 000), so T1 does not show the record order: the national 1.0 order is kept (EF06 08, 09, 0A, 0B, 0C, 0D)"),
};

// ================================================================ T2 Shanghai 2.10

/// Shanghai EF06 record 7: tag 0E, 4 bytes (`real-cards.md` T2). Not in the national EF06 list.
pub static SHANGHAI_EF06_0E: ItemSpec = ItemSpec::new(
    0x0E,
    "上海EF06项目0E",
    "Shanghai EF06 item 0E (meaning unknown)",
    DataType::B,
    0x04,
)
.note("real-cards.md T2: record 7 = 0E 04 00000000; tag not in the national EF06 list; the notes' label 出生地址 is unreliable (their labels at records 3, 4 are wrong); meaning and type unknown, b chosen");

static SHANGHAI_EF06: [LayoutRecord; 7] = [
    nat(
        item::SSSE_EF06_SSN,
        Basis::observed(Source::T2Shanghai, "00B2 0104 14 : 08 12 333130313035313937393039323431323230 9000"),
    ),
    nat(
        item::SSSE_EF06_NAME,
        Basis::observed(Source::T2Shanghai, "00B2 0204 20 : 09 1E D5C5D0DECEC5 00 20…20 9000"),
    ),
    nat(
        item::SSSE_EF06_SEX,
        Basis::inferred(
            Source::T2Shanghai,
            "00B2 0304 16 : 6F00",
            "record 3 is not shown; records 1, 2, 4 are 08, 09, 0B, so record 3 is 0A (no name extension 4E)",
        ),
    ),
    nat(
        item::SSSE_EF06_ETHNICITY,
        Basis::observed(Source::T2Shanghai, "00B2 0404 03 : 0B 01 01 9000 (0B, not 0A: the notes' label 性别 is wrong)"),
    ),
    nat(
        item::SSSE_EF06_BIRTHPLACE,
        Basis::national_kept(
            Source::T2Shanghai,
            "record 5 is not read in T2; the national order puts 0C (birthplace, cn 3) between 0B and 0D",
        ),
    ),
    nat(
        item::SSSE_EF06_BIRTH_DATE,
        Basis::observed(Source::T2Shanghai, "00B2 0604 05 : 0D 04 197909 9000 (5 bytes of the 6-byte record)"),
    ),
    extra(
        &SHANGHAI_EF06_0E,
        Basis::observed(Source::T2Shanghai, "00B2 0704 06 : 0E 04 00000000 9000"),
    ),
];

/// `shanghai-2.10`: Shanghai cards reporting "2.10", `real-cards.md` T2.
pub static SHANGHAI_2_10: Family = Family {
    name: "shanghai-2.10",
    title: text("Shanghai \"2.10\" cards: SSSE not selectable by name, EF06 without 4E and with 0E, truncate / 6F00 on Le"),
    kind: FamilyKind::Regional,
    version: fact(
        SpecVersion::V2_00,
        Basis::inferred(
            Source::T2Shanghai,
            "00B2 0304 06 : 03 04 322E3130 9000 (\"2.10\")",
            "\"2.10\" is not a national version (sscard-spec.md §1); the 2.0 rules (tree, access, keys, suite sscard-2) are applied to everything this family does not list",
        ),
    ),
    version_bytes: fact(
        *b"2.10",
        Basis::observed(Source::T2Shanghai, "版本规范 00B2 0304 06 : 03 04 322E3130 9000"),
    ),
    atr: fact(
        AtrShape {
            t0: 0x2F,
            interface: &[0x00],
            serial_at_end: false,
        },
        Basis::observed(
            Source::T2Shanghai,
            "3B2F00008527022101211C17832C45587368: T0=2F (TB1 only: T=0 only), 15 historical bytes; the tail …2C45587368 is not the card-id serial 19827154",
        ),
    ),
    ssse: fact(
        SsseAccess::NotByName,
        Basis::observed(
            Source::T2Shanghai,
            "选择社保应用环境 00A4 0400 0F 7378312E73682EC9E7BBE1B1A3D5CF: 6A82; 00A4 0200 02 EF05: 9000 (from the MF)",
        ),
    ),
    le_short: fact(
        ShortLe::Truncate9000,
        Basis::observed(
            Source::T2Shanghai,
            "出生日期 00B2 0604 05 : 0D 04 197909 9000 (5 bytes of a 6-byte record, no 6Cxx)",
        ),
    ),
    le_long: fact(
        LongLe::NoPreciseDiagnosis6F00,
        Basis::inferred(
            Source::T2Shanghai,
            "姓名扩展 00B2 0304 16 : 6F00 (Le 22)",
            "record 3 is the 3-byte 0A by the EF06 layout (real-cards.md T2: 'that last point is inferred'); Le 00 not in the trace",
        ),
    ),
    an_padding: fact(
        AnPadding::ZeroThenSpace,
        Basis::observed_noted(
            Source::T2Shanghai,
            "姓名 00B2 0204 20 : 09 1E D5C5D0DECEC5 00 2020…20 9000",
            "seen on the name (tag 09) only; applied to every an value shorter than its field",
        ),
    ),
    dates: &[],
    layouts: &[EfLayout {
        ef: ef::SSSE_EF06,
        records: &SHANGHAI_EF06,
        basis: Basis::observed(
            Source::T2Shanghai,
            "EF06 records 1, 2, 4, 6, 7 = 08, 09, 0B, 0D, 0E: no name extension 4E at record 3, record 4 is 0B, record 7 an extra 0E",
        ),
    }],
    extra_efs: &[],
    confirms: &[
        Basis::observed(
            Source::T2Shanghai,
            "EF05 00B2 0104…0704: records 1–7 = tags 01 (10), 02 (01), 03 (04), 04 (0C), 05 (04), 06 (04), 07 (09): the national order and lengths",
        ),
        Basis::observed(Source::T2Shanghai, "发卡日期 05 04 20130701, 有效日期 06 04 20230630: dates BCD"),
        Basis::observed(Source::T2Shanghai, "00A4 0200 02 EF05 / EF06: 9000 (SELECT EF: no FCI)"),
    ],
    uncertain: note("developer's notes (GokuSa/CardReader), not a wire log; their labels assume the 2.0 order and are wrong at records 3 and 4; DF01–DF07 not shown (national kept)"),
};

// ================================================================ T3 Hunan test card

/// `hunan-2.0-test`: the Hunan (Loudi) 2.0 *test* card, `real-cards.md` T3.
pub static HUNAN_2_0_TEST: Family = Family {
    name: "hunan-2.0-test",
    title: text("Hunan (Loudi) 2.0 test card: version \"2.0\" + 00, issue/expiry as ASCII years"),
    kind: FamilyKind::TestCard,
    version: fact(
        SpecVersion::V2_00,
        Basis::observed_noted(
            Source::T3Hunan,
            "00 b2 01 05 ff → … 03 04 32 2e 30 00 … (\"2.0\" + 00)",
            "SpecVersion::parse maps \"2.0\\0\" to 2.00 (versions::OBSERVED_VARIANTS)",
        ),
    ),
    version_bytes: fact(
        *b"2.0\0",
        Basis::observed(Source::T3Hunan, "00 b2 01 05 ff → … 03 04 32 2e 30 00 …"),
    ),
    atr: fact(
        NATIONAL_ATR,
        Basis::observed_noted(
            Source::T3Hunan,
            "Reader.log <atr>3B6D00000081544C928684420100000135</atr>: T0=6D (T=0 only), 13 historical bytes",
            "the ATR (Reader.log) and the card id (apdu.txt, serial 00000013) may come from different cards: whether the tail (00000135) is the serial is not shown; the national choice (serial at the end) is kept",
        ),
    ),
    ssse: fact(
        SsseAccess::ByName(FCI_NATIONAL),
        Basis::observed_noted(
            Source::T3Hunan,
            "00 a4 04 00 0f 73 78 … d5 cf → 6f 16 84 0f 73 78 … d5 cf a5 03 88 01 1e 90 00",
            "DLL-level log: the DLL delivers FCI + 9000 where the card answers 61xx (S-HN requires SW1 = 61 on Hunan cards, sscard-spec.md §2.1)",
        ),
    ),
    le_short: fact(
        ShortLe::WrongLe6C,
        Basis::national_kept(Source::T3Hunan, "T3 sends no Le shorter than a record"),
    ),
    le_long: fact(
        LongLe::WrongLe6C,
        Basis::national_kept(
            Source::T3Hunan,
            "00 b2 01 05 ff → 64 bytes + 90 00 at the DLL level; the same DLL hides the card's 61xx, so a 6C40 re-issue by the DLL cannot be excluded: national T=0 kept",
        ),
    ),
    an_padding: fact(
        AnPadding::Zero,
        Basis::national_kept(Source::T3Hunan, "EF06 is not read in T3"),
    ),
    dates: &[
        DateRule {
            item: item::SSSE_EF05_ISSUE_DATE,
            coding: DateCoding::AsciiYear,
            basis: Basis::observed_noted(
                Source::T3Hunan,
                "00 b2 01 05 ff → … 05 04 32 30 31 32 … (\"2012\")",
                "a test card: sscard-spec.md §3.1 says not to rely on test cards for encodings",
            ),
        },
        DateRule {
            item: item::SSSE_EF05_EXPIRY_DATE,
            coding: DateCoding::AsciiYear,
            basis: Basis::observed_noted(
                Source::T3Hunan,
                "00 b2 01 05 ff → … 06 04 32 30 32 32 … (\"2022\")",
                "a test card: sscard-spec.md §3.1 says not to rely on test cards for encodings",
            ),
        },
    ],
    layouts: &[],
    extra_efs: &[],
    confirms: &[
        Basis::observed(
            Source::T3Hunan,
            "00 b2 01 05 ff → EF05 records 01..07 concatenated as TLVs (64 bytes) + 90 00: the national order and lengths; P2 = 05 reads all records",
        ),
        Basis::observed(Source::T3Hunan, "00 20 00 00 03 66 66 66 → 90 00: VERIFY plain, 3 BCD bytes, P2 = 00"),
        Basis::observed(Source::T3Hunan, "00 a4 00 00 02 ef 05 → 90 00 (SELECT EF: no FCI)"),
    ],
    uncertain: note("a test card (PIN 666666), modelled as a family because the trace exists (real-cards.md T3); sscard-spec.md §3.1: do not rely on test cards for encodings. Recognised only by its exact version bytes \"2.0\" + 00"),
};

// ================================================================ Jiangsu EF0D

const JS_EF0D_NOTE: &str = "S-JS iReadCard (SSSE branch, EF0D): tag/type/length only; the meaning is not in the reference (sscard-spec.md §3.7: regional extension [1])";

/// Items of Jiangsu SSSE EF0D: tags EA an 0C, EB cn 03, EC an 01, ED an 01 (S-JS). Names are
/// placeholders: the reference does not give them.
pub static JIANGSU_EF0D_ITEMS: [ItemSpec; 4] = [
    ItemSpec::new(
        0xEA,
        "江苏EF0D项目EA",
        "Jiangsu EF0D item EA (meaning unknown)",
        DataType::An,
        0x0C,
    )
    .note(JS_EF0D_NOTE),
    ItemSpec::new(
        0xEB,
        "江苏EF0D项目EB",
        "Jiangsu EF0D item EB (cn 3: region-code shaped, meaning unknown)",
        DataType::Cn,
        0x03,
    )
    .note(JS_EF0D_NOTE),
    ItemSpec::new(
        0xEC,
        "江苏EF0D项目EC",
        "Jiangsu EF0D item EC (meaning unknown)",
        DataType::An,
        0x01,
    )
    .note(JS_EF0D_NOTE),
    ItemSpec::new(
        0xED,
        "江苏EF0D项目ED",
        "Jiangsu EF0D item ED (meaning unknown)",
        DataType::An,
        0x01,
    )
    .note(JS_EF0D_NOTE),
];

/// Jiangsu SSSE EF0D (regional extension; "new EFs start at EF0C", `sscard-spec.md` §2.1).
/// **Uncertain**: a minimal plausible definition from one vendor library (S-JS).
pub static JIANGSU_SSSE_EF0D: EfSpec = EfSpec {
    df: DfId::Ssse,
    fid: 0xEF0D,
    sfi: 0x0D,
    name_zh: text("江苏地方扩展"),
    name_en: text("Jiangsu regional extension (uncertain)"),
    structure: fit_records(&JIANGSU_EF0D_ITEMS),
    read: ReadRule::Free,
    read_overrides: &[],
    write: WriteRule::Key(key::UKSSSE),
    category: Category::Active,
    items: &JIANGSU_EF0D_ITEMS,
    fields: &[],
    uncertain: note("S-JS reads EF0D under the SSSE with no PIN and no key (read Free); the write key is not shown (UKSSSE, like the other SSSE EFs, assumed); record order = tag order EA..ED (S-JS reads by tag); names unknown"),
};

/// `jiangsu-2.00`: Jiangsu provincial 2.00 cards with the regional SSSE EF0D (S-JS).
pub static JIANGSU_2_00: Family = Family {
    name: "jiangsu-2.00",
    title: text("Jiangsu provincial 2.00 cards with the regional SSSE EF0D (tags EA–ED)"),
    kind: FamilyKind::Regional,
    version: fact(
        SpecVersion::V2_00,
        Basis::host_code(
            Source::SJs,
            "S-JS iReadCardFlag: 00B2030406, strcmp(iType, \"2.00\") == 0 → card flag 11 (provincial card)",
            "no Jiangsu card trace: the vendor library expects \"2.00\"",
        ),
    ),
    version_bytes: fact(
        *b"2.00",
        Basis::host_code(
            Source::SJs,
            "S-JS iReadCardFlag compares EF05 record 3 with \"2.00\"",
            "no Jiangsu card trace",
        ),
    ),
    atr: fact(NATIONAL_ATR, Basis::national_kept(Source::SJs, "no Jiangsu ATR in the reference")),
    ssse: fact(
        SsseAccess::ByName(FCI_NATIONAL),
        Basis::national_kept(
            Source::SJs,
            "S-JS accepts SW1 61 or 90 for SELECT SSSE by name; the FCI content is not shown",
        ),
    ),
    le_short: fact(
        ShortLe::WrongLe6C,
        Basis::national_kept(Source::SJs, "no Jiangsu trace"),
    ),
    le_long: fact(
        LongLe::WrongLe6C,
        Basis::national_kept(Source::SJs, "no Jiangsu trace"),
    ),
    an_padding: fact(
        AnPadding::Zero,
        Basis::national_kept(Source::SJs, "no Jiangsu trace"),
    ),
    dates: &[],
    layouts: &[],
    extra_efs: &[FamilyEf {
        spec: &JIANGSU_SSSE_EF0D,
        basis: Basis::host_code(
            Source::SJs,
            "S-JS iReadCard, SSSE (MF/DDF1) branch: EF0D case EA → iReadRecord(\"EF0D\", EA, 0x0C, AN), EB (0x03, CN), EC (0x01, AN), ED (0x01, AN)",
            "vendor host code, no card response; sscard-spec.md §3.7: 'Jiangsu SSSE EF0D with tags EA–ED (S-JS) [1]'; names and meaning unknown",
        ),
    }],
    confirms: &[Basis::host_code(
        Source::SJs,
        "S-JS EF06 tag table: 08 (12), 09 (1E), 4E (14), 0A (01), 0B (01), 0C (03), 0D (04)",
        "the national 2.0 EF06 list; read by tag, so the record order is not shown",
    )],
    uncertain: note("no card trace: built from one vendor library (S-JS, Huada SSSE32 for Jiangsu/Huai'an); EF0D's content is a minimal plausible definition"),
};

// ================================================================ registry

/// Every family: the national ones (in version order), then the regional and test ones.
pub static FAMILIES: [&Family; 8] = [
    &NATIONAL_1_00,
    &NATIONAL_2_00,
    &NATIONAL_2_01,
    &NATIONAL_3_00,
    &HANGZHOU_1_00,
    &SHANGHAI_2_10,
    &HUNAN_2_0_TEST,
    &JIANGSU_2_00,
];

/// The family with this name (`"shanghai-2.10"`), ASCII case-insensitive.
pub fn family_by_name(name: &str) -> Option<&'static Family> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.name.eq_ignore_ascii_case(name.trim()))
}

/// The national family of `version` (today's behaviour for that version).
pub const fn national_for(version: SpecVersion) -> &'static Family {
    match version {
        SpecVersion::V1_00 => &NATIONAL_1_00,
        SpecVersion::V2_00 => &NATIONAL_2_00,
        SpecVersion::V2_01 => &NATIONAL_2_01,
        SpecVersion::V3_00 => &NATIONAL_3_00,
    }
}

/// The family names, in registry order (for `--family` help texts).
pub fn names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().map(|f| f.name)
}
