//! The 1.0 layouts (sscard-spec.md §3.4, §3.6): the EFs whose 1.0 record layout differs from the
//! 2.0 tables of [`crate::files`], and [`EfSpec::items_for`] / [`EfSpec::structure_for`], which pick
//! the layout of a card's version.

use crate::ef;
use crate::item;
use crate::items as it;
use crate::text::{text, Text};
use crate::types::{DataType, DfId, EfSpec, EfStructure, ItemSpec};
use crate::versions::{SpecVersion, VersionSet};

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

impl EfSpec {
    /// The items in record order on a card of `version` (the 1.0 layouts of [`V1_LAYOUTS`]
    /// replace the 2.0 list where they exist). Items whose [`ItemSpec::versions`] exclude `version`
    /// are still in the slice; [`crate::paths::record_number_for`] skips them.
    pub fn items_for(&self, version: SpecVersion) -> &'static [ItemSpec] {
        match layout_for(self.df, self.fid, version) {
            Some(l) => l.items,
            None => self.items,
        }
    }

    /// The structure on a card of `version`.
    pub fn structure_for(&self, version: SpecVersion) -> EfStructure {
        match layout_for(self.df, self.fid, version) {
            Some(l) => l.structure,
            None => self.structure,
        }
    }
}
