//! The vocabulary of the tables: identifiers, file structures, access rules, data types and the
//! `*Spec` records that `files`, `items` and `keys` are made of.
//!
//! Every `*Spec` is plain `'static` data built in `const` context; the small `const fn` builders on
//! [`ItemSpec`] only exist to keep the tables in `items.rs` one line per data item.

use crate::text::{note, text, Text};
use crate::versions::{SpecVersion, VersionSet};

pub use crate::key::KeyName;

/// A 2-byte file identifier (`3F00`, `DF01`, `EF05`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u16);

impl FileId {
    /// The FID as it appears in `SELECT ... 02 <fid>` (big-endian).
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
}

/// The dedicated files of the card (sscard-spec.md §2.1). `Mf` is the master file 3F00; `Ssse` is the
/// DDF selected by name; `Df01`..`Df07` are the application DFs below the SSSE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DfId {
    /// Master file 3F00.
    Mf,
    /// The SSSE DDF (`sx1.sh.社会保障`), selected by name.
    Ssse,
    /// DF01 公共应用 (public application).
    Df01,
    /// DF02 就业与失业 (employment / unemployment).
    Df02,
    /// DF03 社会保险1 (social insurance 1).
    Df03,
    /// DF04 社会保险2 (medical insurance).
    Df04,
    /// DF05 生命与健康 (appendix B).
    Df05,
    /// DF06 社会救助与优待抚恤 (appendix B).
    Df06,
    /// DF07 人事与人才 (personnel and talents).
    Df07,
}

impl DfId {
    /// All DFs, in tree order.
    pub const ALL: [DfId; 9] = [
        DfId::Mf,
        DfId::Ssse,
        DfId::Df01,
        DfId::Df02,
        DfId::Df03,
        DfId::Df04,
        DfId::Df05,
        DfId::Df06,
        DfId::Df07,
    ];

    /// The name used in item paths and in the national interface's pFileAddr: `"MF"`, `"SSSE"`, `"DF01"`...
    pub const fn name(self) -> &'static str {
        match self {
            DfId::Mf => "MF",
            DfId::Ssse => "SSSE",
            DfId::Df01 => "DF01",
            DfId::Df02 => "DF02",
            DfId::Df03 => "DF03",
            DfId::Df04 => "DF04",
            DfId::Df05 => "DF05",
            DfId::Df06 => "DF06",
            DfId::Df07 => "DF07",
        }
    }

    /// Parse a DF name, ASCII case-insensitive: `MF`/`3F00`, `SSSE`, `DF01`..`DF07`.
    pub fn parse(s: &str) -> Option<DfId> {
        let b = s.as_bytes();
        if b.eq_ignore_ascii_case(b"3F00") {
            return Some(DfId::Mf);
        }
        DfId::ALL
            .iter()
            .copied()
            .find(|d| b.eq_ignore_ascii_case(d.name().as_bytes()))
    }

    /// Index in [`DfId::ALL`] (and in [`crate::files::DFS`]).
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Structure of an elementary file (sscard-spec.md §2.2, §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EfStructure {
    /// Transparent (binary) file of `size` bytes (READ/UPDATE BINARY).
    Transparent {
        /// Size in bytes.
        size: u16,
    },
    /// Variable-length records, one SIMPLE-TLV data item per record (`tag | len | value`).
    VariableRecords {
        /// Number of records the file can hold.
        max_records: u8,
        /// Longest record, including tag and length bytes.
        max_record_len: u8,
    },
    /// Fixed-length records (DF03 EF19).
    FixedRecords {
        /// Number of records.
        records: u8,
        /// Record length, including tag and length bytes of the TLV it holds.
        record_len: u8,
    },
    /// Cyclic file of fixed-length records without tags; record 1 is the newest (ISO 7816-4).
    Cyclic {
        /// Number of records (the reference gives a minimum; this is the value sscard uses).
        records: u8,
        /// Record length.
        record_len: u8,
    },
}

impl EfStructure {
    /// True for the record-oriented structures (READ RECORD applies).
    pub const fn is_record(&self) -> bool {
        !matches!(self, EfStructure::Transparent { .. })
    }

    /// Total capacity in bytes (records × record length, or the transparent size).
    pub const fn capacity(&self) -> u32 {
        match *self {
            EfStructure::Transparent { size } => size as u32,
            EfStructure::VariableRecords {
                max_records,
                max_record_len,
            } => max_records as u32 * max_record_len as u32,
            EfStructure::FixedRecords {
                records,
                record_len,
            }
            | EfStructure::Cyclic {
                records,
                record_len,
            } => records as u32 * record_len as u32,
        }
    }
}

/// Read access condition of an EF (sscard-spec.md §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadRule {
    /// Always readable (自由).
    Free,
    /// Readable after the (SSSE) user PIN was verified.
    Pin,
    /// Readable after PIN verification **or** external authentication with the named key ("PIN 或 RKn").
    PinOrKey(KeyName),
    /// Readable only after PIN verification **and** external authentication with the named key.
    PinAndKey(KeyName),
    /// Readable after external authentication with the named key.
    Key(KeyName),
    /// Never readable from outside.
    Never,
}

impl ReadRule {
    /// The key this rule names, if any.
    pub const fn key(&self) -> Option<KeyName> {
        match *self {
            ReadRule::PinOrKey(k) | ReadRule::PinAndKey(k) | ReadRule::Key(k) => Some(k),
            _ => None,
        }
    }
}

/// Write (UPDATE RECORD / UPDATE BINARY) access condition of an EF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteRule {
    /// Writable after external authentication with the named update key.
    Key(KeyName),
    /// Never writable from outside (the card itself writes it, e.g. DF04 EF08 during a purchase).
    Never,
}

impl WriteRule {
    /// The key this rule names, if any.
    pub const fn key(&self) -> Option<KeyName> {
        match *self {
            WriteRule::Key(k) => Some(k),
            WriteRule::Never => None,
        }
    }
}

/// Category of a file in the spec tables (sscard-spec.md §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// 启用: active, must be present.
    Active,
    /// 预设: defined but optional.
    Preset,
    /// 预留: reserved.
    Reserved,
    /// Appendix B (reference only: DF05/DF06).
    Reference,
}

/// Encoding of a data item's value (sscard-spec.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    /// Alphanumeric: ASCII / GBK, left-aligned, right-padded with `00`.
    An,
    /// Compressed numeric (BCD), left-aligned, right-padded with nibble `F`.
    Cn,
    /// Binary.
    B,
    /// The value is a sequence of fixed-length sub-TLVs ([`ItemSpec::sub_items`]).
    BTlv,
    /// 1.0-only numeric amount ("dec" in S-CFT); appears only in the 1.0 layouts.
    Dec,
}

/// Identifies a code table of `codes` (sscard-spec.md §3.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeTableId {
    /// Sex, GB/T 2261.1 (tag 0A).
    Sex,
    /// Ethnicity, GB 3304 (tag 0B).
    Ethnicity,
    /// Card category (tag 02).
    CardCategory,
    /// Household registration type 户口性质 (tag 20).
    HouseholdType,
    /// Employment / retirement status (tag 29).
    EmploymentStatus,
    /// Marital status, GB/T 2261.2 (tag 2B).
    MaritalStatus,
    /// Education, GB/T 4658 (tag 2A).
    Education,
    /// Medical insurance type, first 3 characters of tag 81.
    MedicalInsuranceType,
    /// Medical person category (tag 8C).
    MedicalPersonCategory,
    /// Card usage mode (tag 8F).
    CardUsageMode,
    /// Offline-allowed flag (tag 90).
    OfflineAllowed,
}

/// One data item (one TLV record, or one sub-TLV of a B-TLV item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemSpec {
    /// Tag (record identifier).
    pub tag: u8,
    /// Chinese name.
    pub name_zh: Text,
    /// English name.
    pub name_en: Text,
    /// Value encoding.
    pub data_type: DataType,
    /// Defined length of the value in bytes (the reference's hexadecimal length).
    pub len: u8,
    /// How many consecutive records carry this tag (1, or e.g. 3 for DF01 EF15 tag 40).
    pub repeat: u8,
    /// Sub-items of a B-TLV item, in order; empty otherwise.
    pub sub_items: &'static [ItemSpec],
    /// The spec versions that have this item.
    pub versions: VersionSet,
    /// Code table the value is drawn from, if any.
    pub code_table: Option<CodeTableId>,
    /// Marked ★ (new in 2.0) in S-SPEC20.
    pub star_new_in_2_0: bool,
    /// Where this entry is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
}

impl ItemSpec {
    /// A single-occurrence item present in every version.
    pub const fn new(
        tag: u8,
        name_zh: &'static str,
        name_en: &'static str,
        data_type: DataType,
        len: u8,
    ) -> Self {
        ItemSpec {
            tag,
            name_zh: text(name_zh),
            name_en: text(name_en),
            data_type,
            len,
            repeat: 1,
            sub_items: &[],
            versions: VersionSet::ALL,
            code_table: None,
            star_new_in_2_0: false,
            uncertain: None,
        }
    }

    /// Mark as ★ new in 2.0 (present in 2.00, 2.01 and 3.00 only).
    pub const fn star(mut self) -> Self {
        self.star_new_in_2_0 = true;
        self.versions = VersionSet::V2_PLUS;
        self
    }

    /// Set the repeat count.
    pub const fn repeat(mut self, n: u8) -> Self {
        self.repeat = n;
        self
    }

    /// Set the B-TLV sub-items.
    pub const fn sub(mut self, sub_items: &'static [ItemSpec]) -> Self {
        self.sub_items = sub_items;
        self
    }

    /// Set the code table.
    pub const fn code(mut self, id: CodeTableId) -> Self {
        self.code_table = Some(id);
        self
    }

    /// Restrict to the given versions.
    pub const fn only(mut self, versions: VersionSet) -> Self {
        self.versions = versions;
        self
    }

    /// Attach an uncertainty note.
    pub const fn note(mut self, note: &'static str) -> Self {
        self.uncertain = crate::text::note(note);
        self
    }

    /// Length of one TLV record holding this item: 2 + `len`.
    pub const fn record_len(&self) -> u16 {
        2 + self.len as u16
    }

    /// The sub-item with this tag (B-TLV only).
    pub fn sub_item(&self, tag: u8) -> Option<&'static ItemSpec> {
        self.sub_items.iter().find(|s| s.tag == tag)
    }
}

/// One untagged field of a cyclic record (DF02 EF07/EF16, DF04 EF08/EF15), in record order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Chinese name.
    pub name_zh: Text,
    /// English name.
    pub name_en: Text,
    /// Encoding.
    pub data_type: DataType,
    /// Length in bytes.
    pub len: u8,
}

impl FieldSpec {
    /// Build a field.
    pub const fn new(
        name_zh: &'static str,
        name_en: &'static str,
        data_type: DataType,
        len: u8,
    ) -> Self {
        FieldSpec {
            name_zh: text(name_zh),
            name_en: text(name_en),
            data_type,
            len,
        }
    }
}

/// An elementary file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EfSpec {
    /// The DF holding it.
    pub df: DfId,
    /// FID (`0xEF05`...).
    pub fid: u16,
    /// Short file identifier (5 bits).
    pub sfi: u8,
    /// Chinese name.
    pub name_zh: Text,
    /// English name.
    pub name_en: Text,
    /// Structure (2.0/2.01/3.0 layout; see [`EfSpec::structure_for`] for 1.0).
    pub structure: EfStructure,
    /// Read rule (2.0 baseline; see [`EfSpec::read_for`]).
    pub read: ReadRule,
    /// Per-version read rules that replace `read` (e.g. SSSE EF06 on 3.00).
    pub read_overrides: &'static [(VersionSet, ReadRule)],
    /// Write rule.
    pub write: WriteRule,
    /// Category.
    pub category: Category,
    /// Data items in record order (variable/fixed records; repeated tags occupy consecutive records).
    pub items: &'static [ItemSpec],
    /// Fields of a cyclic record, in order (cyclic files only).
    pub fields: &'static [FieldSpec],
    /// Where this entry is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
}

impl EfSpec {
    /// The read rule that applies on a card of `version`.
    pub fn read_for(&self, version: SpecVersion) -> ReadRule {
        self.read_overrides
            .iter()
            .find(|(set, _)| set.contains(version))
            .map_or(self.read, |(_, rule)| *rule)
    }

    /// The item with `tag` (top level), if this EF has one.
    pub fn item(&self, tag: u8) -> Option<&'static ItemSpec> {
        self.items.iter().find(|i| i.tag == tag)
    }

    /// Total number of records the item list fills (sum of repeats).
    pub const fn record_count(&self) -> u16 {
        items_record_count(self.items)
    }
}

/// Sum of the repeat counts of `items` (number of records they fill).
pub const fn items_record_count(items: &[ItemSpec]) -> u16 {
    let mut n = 0u16;
    let mut i = 0;
    while i < items.len() {
        n += items[i].repeat as u16;
        i += 1;
    }
    n
}

/// The variable-record structure that exactly fits `items`: one record per item occurrence,
/// record length = 2 + longest item.
pub const fn fit_records(items: &[ItemSpec]) -> EfStructure {
    let mut max_len = 0u8;
    let mut i = 0;
    while i < items.len() {
        if items[i].len > max_len {
            max_len = items[i].len;
        }
        i += 1;
    }
    EfStructure::VariableRecords {
        max_records: items_record_count(items) as u8,
        max_record_len: max_len + 2,
    }
}

/// Sum of field lengths (must equal the cyclic record length).
pub const fn fields_len(fields: &[FieldSpec]) -> u16 {
    let mut n = 0u16;
    let mut i = 0;
    while i < fields.len() {
        n += fields[i].len as u16;
        i += 1;
    }
    n
}

/// What a key is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// Read key RKn: EXTERNAL AUTHENTICATE opens "RK" read rules.
    Read,
    /// Update key UKn: EXTERNAL AUTHENTICATE opens write rules.
    Update,
    /// IRK: INTERNAL AUTHENTICATE (card proves itself).
    InternalAuth,
    /// PUK: external authentication before PIN unblock / reload.
    PinUnblock,
    /// STK: line-protection MAC for block/unblock, PIN unblock/reload, MAC'd updates.
    Maintenance,
    /// CIDK: issuer key for the card-identification authentication code (profile.md §2).
    CardIdAuth,
    /// LK: lock control key (appendix B).
    Lock,
    /// DPK: purchase key (DF04 medical e-purse).
    Purchase,
    /// DLK: load key.
    Load,
    /// DTK: TAC key.
    Tac,
}

/// One card key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// Name (the root-key name in the issuer key set).
    pub name: KeyName,
    /// The DF holding the key.
    pub df: DfId,
    /// Role.
    pub role: KeyRole,
    /// Card KID = P2 of EXTERNAL / INTERNAL AUTHENTICATE; `None` when the key is not addressed by a KID.
    pub kid: Option<u8>,
    /// Whether `kid` was observed on real cards/host code (false = assigned by sscard).
    pub kid_observed: bool,
    /// Number of diversification levels: 3 national (province → city → card), 2 provincial (city → card).
    pub levels: u8,
    /// PSAM key-attribute ("usage") byte, where the reference gives one (§5.4).
    pub psam_usage: Option<u8>,
    /// PSAM key id, where the reference gives one (§5.4).
    pub psam_key_id: Option<u8>,
    /// HSM key address seen in national-interface HSM requests (§5.6, §6.2, §7.1).
    pub hsm_key_addr: Option<u16>,
    /// Whether sscard implements the key (DPK/DLK/DTK and appendix-B STK/LK: no).
    pub implemented: bool,
    /// Where this entry is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
}

impl KeySpec {
    pub(crate) const fn observed(mut self, n: &'static str) -> Self {
        self.kid_observed = true;
        self.uncertain = note(n);
        self
    }
    pub(crate) const fn psam(mut self, usage: u8, id: u8) -> Self {
        self.psam_usage = Some(usage);
        self.psam_key_id = Some(id);
        self
    }
    pub(crate) const fn hsm(mut self, addr: u16) -> Self {
        self.hsm_key_addr = Some(addr);
        self
    }
    pub(crate) const fn no_kid(mut self) -> Self {
        self.kid = None;
        self
    }
    pub(crate) const fn not_implemented(mut self, n: &'static str) -> Self {
        self.implemented = false;
        self.uncertain = note(n);
        self
    }
    pub(crate) const fn note(mut self, n: &'static str) -> Self {
        self.uncertain = note(n);
        self
    }

    /// Number of diversification levels implied by the PSAM usage byte (high 3 bits), if given.
    pub const fn psam_usage_levels(&self) -> Option<u8> {
        match self.psam_usage {
            Some(u) => Some(u >> 5),
            None => None,
        }
    }

    /// Key type in the PSAM usage byte (low 5 bits), if given.
    pub const fn psam_usage_type(&self) -> Option<u8> {
        match self.psam_usage {
            Some(u) => Some(u & 0x1F),
            None => None,
        }
    }

    /// Whether this is a national key (3 diversification levels).
    pub const fn is_national(&self) -> bool {
        self.levels == 3
    }
}

/// A dedicated file and everything below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DfSpec {
    /// Identifier.
    pub id: DfId,
    /// Chinese name.
    pub name_zh: Text,
    /// English name.
    pub name_en: Text,
    /// FID; `None` where it is unknown (SSSE: sscard-spec.md §9.7).
    pub fid: Option<u16>,
    /// DF name used with SELECT by name (SSSE: the 15-byte GBK name).
    pub df_name: Option<&'static [u8]>,
    /// Application identifier (`D156000005 xx`); `None` for DF05/DF06, which have only text labels.
    pub aid: Option<&'static [u8]>,
    /// Elementary files.
    pub efs: &'static [EfSpec],
    /// Keys of this DF.
    pub keys: &'static [KeySpec],
    /// Where this entry is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
}

impl DfSpec {
    /// The EF with this FID.
    pub fn ef(&self, fid: u16) -> Option<&'static EfSpec> {
        self.efs.iter().find(|e| e.fid == fid)
    }

    /// The EF with this SFI.
    pub fn ef_by_sfi(&self, sfi: u8) -> Option<&'static EfSpec> {
        self.efs.iter().find(|e| e.sfi == sfi)
    }
}
