//! Spec versions (SSSE EF05 tag 03, sscard-spec.md §1) and the per-version differences:
//! 1.0 has no name extension 4E (§3.4) and different DF01 layouts (§3.6).

use crate::ef;
use crate::item;
use crate::items as it;
use crate::text::{text, Text};
use crate::types::{DataType, DfId, EfStructure, ItemSpec};

/// A spec version stored in SSSE EF05 tag 03.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecVersion {
    /// "1.00": LB002-2000.
    V1_00,
    /// "2.00": S-SPEC20 (2012).
    V2_00,
    /// "2.01": 2.0 first amendment.
    V2_01,
    /// "3.00": same files as 2.0, SM4, RKSSSE-protected basic info.
    V3_00,
}

/// The canonical version strings, in [`SpecVersion`] order.
pub const VERSION_STRINGS: [&[u8; 4]; 4] = [b"1.00", b"2.00", b"2.01", b"3.00"];

/// Observed non-canonical forms: the Hunan 2.0 test card stores `32 2E 30 00` ("2.0" + 00), sscard-spec.md §1.
pub const OBSERVED_VARIANTS: [(&[u8; 4], SpecVersion); 1] = [(b"2.0\0", SpecVersion::V2_00)];

impl SpecVersion {
    /// All versions.
    pub const ALL: [SpecVersion; 4] = [
        SpecVersion::V1_00,
        SpecVersion::V2_00,
        SpecVersion::V2_01,
        SpecVersion::V3_00,
    ];

    /// Parse the 4-byte value of tag 03: the canonical strings plus the observed forms ("2.0\0",
    /// and generally `d.d` followed by `0`, `00` or `FF` padding). Anything else is `None`.
    pub fn parse(v: &[u8; 4]) -> Option<SpecVersion> {
        if let Some(i) = VERSION_STRINGS.iter().position(|s| *s == v) {
            return SpecVersion::ALL.get(i).copied();
        }
        if let Some((_, ver)) = OBSERVED_VARIANTS.iter().find(|(s, _)| *s == v) {
            return Some(*ver);
        }
        // "d.d" + pad: treat like "d.d0".
        let [major, dot, minor, pad] = *v;
        if dot != b'.' || !(pad == 0 || pad == 0xFF || pad == b'0') {
            return None;
        }
        match (major, minor) {
            (b'1', b'0') => Some(SpecVersion::V1_00),
            (b'2', b'0') => Some(SpecVersion::V2_00),
            (b'3', b'0') => Some(SpecVersion::V3_00),
            _ => None,
        }
    }

    /// Parse a version given as text ("2.00", "3.00", "2.0").
    pub fn parse_str(s: &str) -> Option<SpecVersion> {
        let b = s.as_bytes();
        let mut v = [0u8; 4];
        if b.is_empty() || b.len() > 4 {
            return None;
        }
        v.get_mut(..b.len())?.copy_from_slice(b);
        SpecVersion::parse(&v)
    }

    /// Host rule of sscard-spec.md §1: select behaviour by the first character of tag 03.
    pub fn from_major(first_char: u8) -> Option<SpecVersion> {
        match first_char {
            b'1' => Some(SpecVersion::V1_00),
            b'2' => Some(SpecVersion::V2_00),
            b'3' => Some(SpecVersion::V3_00),
            _ => None,
        }
    }

    /// The canonical 4-byte string ("1.00", "2.00", "2.01", "3.00").
    pub const fn as_bytes(self) -> &'static [u8; 4] {
        VERSION_STRINGS[self as usize]
    }

    /// The canonical string.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_00 => "1.00",
            SpecVersion::V2_00 => "2.00",
            SpecVersion::V2_01 => "2.01",
            SpecVersion::V3_00 => "3.00",
        }
    }

    /// Name of the security profile this version implies (profile.md): `"sscard-2"` for 1.x/2.x,
    /// `"sscard-3"` for 3.00. The profile structs themselves live in `sscard_keys::profile`.
    pub const fn profile_name(self) -> &'static str {
        match self {
            SpecVersion::V3_00 => "sscard-3",
            _ => "sscard-2",
        }
    }

    /// Whether the name extension 4E exists (2.0 and later).
    pub const fn has_name_extension(self) -> bool {
        !matches!(self, SpecVersion::V1_00)
    }

    /// Whether the national interface performs RKSSSE external authentication before basic-info reads
    /// (3.0 only, sscard-spec.md §1, §6.4).
    pub const fn requires_rkssse_for_basic_info(self) -> bool {
        matches!(self, SpecVersion::V3_00)
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of spec versions (bit set over [`SpecVersion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionSet(pub u8);

impl VersionSet {
    /// No version.
    pub const NONE: VersionSet = VersionSet(0);
    /// 1.00 only.
    pub const V1: VersionSet = VersionSet(SpecVersion::V1_00.bit());
    /// 2.00 and 2.01.
    pub const V2: VersionSet = VersionSet(SpecVersion::V2_00.bit() | SpecVersion::V2_01.bit());
    /// 3.00 only.
    pub const V3: VersionSet = VersionSet(SpecVersion::V3_00.bit());
    /// 2.00, 2.01 and 3.00 (items marked ★ new in 2.0).
    pub const V2_PLUS: VersionSet = VersionSet(VersionSet::V2.0 | VersionSet::V3.0);
    /// Every version.
    pub const ALL: VersionSet = VersionSet(VersionSet::V1.0 | VersionSet::V2_PLUS.0);

    /// Whether `v` is in the set.
    pub const fn contains(self, v: SpecVersion) -> bool {
        self.0 & v.bit() != 0
    }

    /// Union.
    pub const fn union(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 | other.0)
    }
}

/// An EF layout that differs from the 2.0 table for some versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionedLayout {
    /// DF.
    pub df: DfId,
    /// EF FID.
    pub fid: u16,
    /// Versions this layout applies to.
    pub versions: VersionSet,
    /// Structure on those versions.
    pub structure: EfStructure,
    /// Items in record order on those versions.
    pub items: &'static [ItemSpec],
    /// Source / uncertainty.
    pub note: Text,
}

const V1: VersionSet = VersionSet::V1;
const NOTE_V1: &str = "1.0 layout from S-CFT v1 / S-SPEC20 appendix C (sscard-spec.md §3.6, §9.9: LB002-2000 not available)";

// 1.0 items: where the 1.0 item is the 2.0 item (same tag and meaning) its tag comes from the
// `item::` constant; 1.0-only tags and tags whose meaning changed (appendix C) are written here.
const fn v1(tag: u8, zh: &'static str, en: &'static str, t: DataType, len: u8) -> ItemSpec {
    ItemSpec::new(tag, zh, en, t, len).only(V1)
}

/// SSSE EF06 on 1.0 cards: 08, 09, 0A, 0B, 0C, 0D (no 4E; sscard-spec.md §3.4, S-HN 1.0 code).
pub static V1_SSSE_EF06: [ItemSpec; 6] = [
    it::SSSE_EF06[0],
    it::SSSE_EF06[1],
    it::SSSE_EF06[3],
    it::SSSE_EF06[4],
    it::SSSE_EF06[5],
    it::SSSE_EF06[6],
];

/// DF01 EF05 on 1.0 cards: 20 an 01, 21 an 3E, 22 an 12.
pub static V1_DF01_EF05: [ItemSpec; 3] = [
    v1(
        item::DF01_EF05_HOUSEHOLD_TYPE.tag(),
        "户口性质",
        "household type",
        DataType::An,
        0x01,
    ),
    v1(
        item::DF01_EF05_HOUSEHOLD_ADDRESS.tag(),
        "户口所在地地址",
        "household registration address",
        DataType::An,
        0x3E,
    ),
    v1(
        0x22,
        "户口所在地邮编",
        "household registration item 22",
        DataType::An,
        0x12,
    )
    .note("1.0 tag 22 meaning not in reference (sscard-spec.md §3.6 gives only an 12)"),
];

/// DF01 EF06 on 1.0 cards: 25 an 3E, 26 an 12, 27 cn 03, 28 an 0F.
pub static V1_DF01_EF06: [ItemSpec; 4] = [
    v1(
        0x25,
        "常住所在地地址",
        "residence address (1.0)",
        DataType::An,
        0x3E,
    )
    .note("1.0 tag 25 name inferred; reference gives only an 3E (§3.6)"),
    v1(
        0x26,
        "常住所在地项目26",
        "residence item 26 (1.0)",
        DataType::An,
        0x12,
    )
    .note("1.0 tag 26 meaning not in reference (§3.6)"),
    v1(
        0x27,
        "常住所在地行政区划代码",
        "residence region code (1.0)",
        DataType::Cn,
        0x03,
    )
    .note("1.0 tag 27 name inferred from cn 03 = region code (§3.1, §3.6)"),
    v1(
        item::DF01_EF06_PHONE.tag(),
        "联系电话",
        "phone",
        DataType::An,
        0x0F,
    ),
];

/// DF01 EF09 on 1.0 cards: 2E an 3E, 2F an 08, 30 an 09, 31 an 01, 32 an 03 (economic type).
pub static V1_DF01_EF09: [ItemSpec; 5] = [
    v1(
        item::DF01_EF09_EMPLOYER_NAME.tag(),
        "单位名称",
        "employer name",
        DataType::An,
        0x3E,
    ),
    v1(
        0x2F,
        "单位项目2F",
        "employer item 2F (1.0)",
        DataType::An,
        0x08,
    )
    .note("1.0 tag 2F meaning not in reference (§3.6)"),
    v1(
        item::DF01_EF09_EMPLOYER_ORG_CODE.tag(),
        "单位组织机构代码",
        "employer organisation code",
        DataType::An,
        0x09,
    ),
    v1(
        0x31,
        "单位项目31",
        "employer item 31 (1.0)",
        DataType::An,
        0x01,
    )
    .note("1.0 tag 31 meaning not in reference (§3.6)"),
    v1(0x32, "经济类型", "economic type", DataType::An, 0x03),
];

/// DF01 EF0A on 1.0 cards: 37/38 dec 04 (wage info), 39 cn 04.
pub static V1_DF01_EF0A: [ItemSpec; 3] = [
    v1(
        0x37,
        "工资信息37",
        "wage info 37 (1.0)",
        DataType::Dec,
        0x04,
    )
    .note("1.0 'dec' wage item, exact meaning not in reference (§3.6)"),
    v1(
        0x38,
        "工资信息38",
        "wage info 38 (1.0)",
        DataType::Dec,
        0x04,
    )
    .note("1.0 'dec' wage item, exact meaning not in reference (§3.6)"),
    v1(0x39, "日期39", "date 39 (1.0)", DataType::Cn, 0x04)
        .note("1.0 tag 39 meaning not in reference (§3.6)"),
];

/// The per-version layout table: 1.0 differences (sscard-spec.md §3.4, §3.6).
pub static V1_LAYOUTS: [VersionedLayout; 5] = [
    VersionedLayout {
        df: ef::SSSE_EF06.df(),
        fid: ef::SSSE_EF06.fid(),
        versions: V1,
        structure: crate::types::fit_records(&V1_SSSE_EF06),
        items: &V1_SSSE_EF06,
        note: text("1.0: same tags without 4E (S-CFT v1, S-HN 1.0 code reads records 1-6 = 08,09,0A,0B,0C,0D), sscard-spec.md §3.2, §3.4"),
    },
    VersionedLayout {
        df: ef::DF01_EF05.df(),
        fid: ef::DF01_EF05.fid(),
        versions: V1,
        structure: crate::types::fit_records(&V1_DF01_EF05),
        items: &V1_DF01_EF05,
        note: text(NOTE_V1),
    },
    VersionedLayout {
        df: ef::DF01_EF06.df(),
        fid: ef::DF01_EF06.fid(),
        versions: V1,
        structure: crate::types::fit_records(&V1_DF01_EF06),
        items: &V1_DF01_EF06,
        note: text(NOTE_V1),
    },
    VersionedLayout {
        df: ef::DF01_EF09.df(),
        fid: ef::DF01_EF09.fid(),
        versions: V1,
        structure: crate::types::fit_records(&V1_DF01_EF09),
        items: &V1_DF01_EF09,
        note: text(NOTE_V1),
    },
    VersionedLayout {
        df: ef::DF01_EF0A.df(),
        fid: ef::DF01_EF0A.fid(),
        versions: V1,
        structure: crate::types::fit_records(&V1_DF01_EF0A),
        items: &V1_DF01_EF0A,
        note: text(NOTE_V1),
    },
];

/// The layout replacing the 2.0 table for `(df, fid)` on `version`, if any.
pub fn layout_for(df: DfId, fid: u16, version: SpecVersion) -> Option<&'static VersionedLayout> {
    V1_LAYOUTS
        .iter()
        .find(|l| l.df == df && l.fid == fid && l.versions.contains(version))
}

/// Tags whose meaning changed between 1.0 and 2.0 (S-SPEC20 appendix C, sscard-spec.md §3.6). When an
/// old card is rewritten with the 2.0 meaning, the value is right-padded with hex `E`; a reader seeing
/// trailing `EE` interprets the item with the 2.0 meaning. The reference lists these with "…": the
/// list may be incomplete.
pub static REUSED_TAGS_1_0_TO_2_0: [u8; 10] =
    [0x32, 0x37, 0x38, 0x4B, 0x4D, 0x4F, 0x50, 0x55, 0x61, 0x97];

/// Uncertainty note for [`REUSED_TAGS_1_0_TO_2_0`].
pub const REUSED_TAGS_NOTE: &str =
    "sscard-spec.md §3.6: appendix C list ends with '…' (incomplete)";

/// Appendix C rule: a value written with the 2.0 meaning onto a 1.0-allocated item ends in `EE`.
pub fn has_2_0_meaning_marker(value: &[u8]) -> bool {
    value.ends_with(&[0xEE])
}
