//! The file tree (sscard-spec.md §2.1) and the file table with access conditions (§2.2), for the
//! 2.0/2.01/3.0 profile. 1.0 layout differences: `layouts_v1::V1_LAYOUTS`.

use crate::ef::{self, EfRef};
use crate::items as it;
use crate::key as k;
use crate::keys;
use crate::text::{note, text};
use crate::types::{
    fit_records, Category, DfId, DfSpec, EfSpec, EfStructure, FieldSpec, ItemSpec, KeyName,
    ReadRule, WriteRule,
};
use crate::versions::VersionSet;

/// FID of the master file, `3F00`.
pub const MF_FID: u16 = 0x3F00;

/// The SSSE DF name "sx1.sh.社会保障" in GBK (15 bytes), sscard-spec.md §2.1.
pub const SSSE_NAME: &[u8] = &[
    0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF,
];

/// The MOHRSS RID `D156000005`.
pub const RID: &[u8] = &[0xD1, 0x56, 0x00, 0x00, 0x05];

/// 3.0 PKI application name "PKI.社会保障" (GBK), §7.1.
pub const PKI_APP_NAME: &[u8] = &[
    0x50, 0x4B, 0x49, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF,
];
/// 3.0 PKI ADF name "SS.CERT.ADF1", §7.1.
pub const PKI_ADF_NAME: &[u8] = b"SS.CERT.ADF1";

/// SFI of the SSSE directory EF seen in the sample FCI (`A5 03 88 01 1E`); its content is unknown
/// (sscard-spec.md §2.1, §9.7).
pub const SSSE_DIR_SFI: u8 = 0x1E;

/// Cyclic record counts: the reference gives minima (≥4, ≥30, ≥8); sscard uses the minima.
pub const CYCLIC_NOTE: &str = "record count = the minimum the reference gives (sscard-spec.md §2.2 '≥'); may be larger on real cards";

const SSSE_EF06_V3: &str = "read: free per spec; on 3.00 hosts read EF06 only after RKSSSE ext-auth, so sscard treats it as RKSSSE-protected on 3.00 [I] (sscard-spec.md §2.2, §6.4)";

// Helper constructors (keep the tables one entry per EF). DF, FID and SFI come from the `ef::`
// constant: the one definition of each EF's identifiers.
const fn vr(
    r: EfRef,
    name_zh: &'static str,
    name_en: &'static str,
    read: ReadRule,
    write: WriteRule,
    category: Category,
    items: &'static [ItemSpec],
) -> EfSpec {
    EfSpec {
        df: r.df(),
        fid: r.fid(),
        sfi: r.sfi(),
        name_zh: text(name_zh),
        name_en: text(name_en),
        structure: fit_records(items),
        read,
        read_overrides: &[],
        write,
        category,
        items,
        fields: &[],
        uncertain: None,
    }
}

const fn transparent(
    r: EfRef,
    name_zh: &'static str,
    name_en: &'static str,
    size: u16,
    read: ReadRule,
    write: WriteRule,
    category: Category,
) -> EfSpec {
    EfSpec {
        df: r.df(),
        fid: r.fid(),
        sfi: r.sfi(),
        name_zh: text(name_zh),
        name_en: text(name_en),
        structure: EfStructure::Transparent { size },
        read,
        read_overrides: &[],
        write,
        category,
        items: &[],
        fields: &[],
        uncertain: None,
    }
}

#[allow(clippy::too_many_arguments)] // one positional argument per table column
const fn cyclic(
    r: EfRef,
    name_zh: &'static str,
    name_en: &'static str,
    records: u8,
    record_len: u8,
    read: ReadRule,
    write: WriteRule,
    fields: &'static [FieldSpec],
) -> EfSpec {
    EfSpec {
        df: r.df(),
        fid: r.fid(),
        sfi: r.sfi(),
        name_zh: text(name_zh),
        name_en: text(name_en),
        structure: EfStructure::Cyclic {
            records,
            record_len,
        },
        read,
        read_overrides: &[],
        write,
        category: Category::Active,
        items: &[],
        fields,
        uncertain: note(CYCLIC_NOTE),
    }
}

impl EfSpec {
    const fn with_note(mut self, n: &'static str) -> Self {
        self.uncertain = note(n);
        self
    }
    const fn with_read_overrides(mut self, o: &'static [(VersionSet, ReadRule)]) -> Self {
        self.read_overrides = o;
        self
    }
    const fn with_structure(mut self, s: EfStructure) -> Self {
        self.structure = s;
        self
    }
}

use Category::{Active, Preset, Reference, Reserved};
use DfId::*;
use ReadRule::{Free, Key, Pin, PinAndKey, PinOrKey};

const fn uk(key: KeyName) -> WriteRule {
    WriteRule::Key(key)
}

/// SSSE EFs.
pub static SSSE_EFS: &[EfSpec] = &[
    vr(
        ef::SSSE_EF05,
        "发卡机构数据",
        "issuer data",
        Free,
        uk(k::UKSSSE),
        Active,
        it::SSSE_EF05,
    ),
    vr(
        ef::SSSE_EF06,
        "持卡人基本信息",
        "holder basic info",
        Free,
        uk(k::UKSSSE),
        Active,
        it::SSSE_EF06,
    )
    .with_read_overrides(&[(VersionSet::V3, Key(k::RKSSSE))])
    .with_note(SSSE_EF06_V3),
    transparent(
        ef::SSSE_EF07,
        "指纹",
        "fingerprint",
        0x300,
        Key(k::RKSSSE),
        uk(k::UKSSSE),
        Preset,
    )
    .with_note("size 0x300 per S-SPEC20/S-JS; S-CFT v2 says 0x400 (sscard-spec.md §2.2)"),
    transparent(
        ef::SSSE_EF08,
        "数字相片",
        "photo",
        0x1000,
        Key(k::RKSSSE),
        uk(k::UKSSSE),
        Preset,
    ),
];

const DF01_RK: ReadRule = PinOrKey(k::RK1DF01);
const RESERVED_NOTE: &str = "size 0x128 as the reference says (sscard-spec.md §2.2)";

/// DF01 EFs.
pub static DF01_EFS: &[EfSpec] = &[
    vr(
        ef::DF01_EF05,
        "户籍信息",
        "household registration",
        DF01_RK,
        uk(k::UK1DF01),
        Active,
        it::DF01_EF05,
    ),
    vr(
        ef::DF01_EF06,
        "常住地与联系信息",
        "residence and contact",
        DF01_RK,
        uk(k::UK4DF01),
        Active,
        it::DF01_EF06,
    ),
    vr(
        ef::DF01_EF07,
        "人员状态",
        "personal status",
        DF01_RK,
        uk(k::UK2DF01),
        Active,
        it::DF01_EF07,
    ),
    vr(
        ef::DF01_EF08,
        "婚姻状况",
        "marital status",
        DF01_RK,
        uk(k::UK3DF01),
        Active,
        it::DF01_EF08,
    ),
    vr(
        ef::DF01_EF09,
        "身份与单位",
        "identity and employer",
        DF01_RK,
        uk(k::UK2DF01),
        Active,
        it::DF01_EF09,
    ),
    vr(
        ef::DF01_EF0A,
        "国籍与政治面貌",
        "nationality and political status",
        DF01_RK,
        uk(k::UK5DF01),
        Active,
        it::DF01_EF0A,
    ),
    vr(
        ef::DF01_EF15,
        "学历信息",
        "education",
        DF01_RK,
        uk(k::UK6DF01),
        Active,
        it::DF01_EF15,
    ),
    transparent(
        ef::DF01_EF16,
        "预留1",
        "reserved 1",
        0x128,
        Free,
        uk(k::UK7DF01),
        Reserved,
    )
    .with_note(RESERVED_NOTE),
    transparent(
        ef::DF01_EF17,
        "预留2",
        "reserved 2",
        0x128,
        Free,
        uk(k::UK8DF01),
        Reserved,
    )
    .with_note(RESERVED_NOTE),
    transparent(
        ef::DF01_EF18,
        "预留3",
        "reserved 3",
        0x128,
        Free,
        uk(k::UK9DF01),
        Reserved,
    )
    .with_note(RESERVED_NOTE),
    transparent(
        ef::DF01_EF19,
        "预留4",
        "reserved 4",
        0x128,
        Free,
        uk(k::UKADF01),
        Reserved,
    )
    .with_note(RESERVED_NOTE),
    transparent(
        ef::DF01_EF1A,
        "预留5",
        "reserved 5",
        0x128,
        Free,
        uk(k::UKBDF01),
        Reserved,
    )
    .with_note(RESERVED_NOTE),
];

const DF02_RK: ReadRule = PinOrKey(k::RK1DF02);

/// DF02 EFs.
pub static DF02_EFS: &[EfSpec] = &[
    vr(
        ef::DF02_EF05,
        "职业与技能",
        "occupation and skills",
        DF02_RK,
        uk(k::UK1DF02),
        Preset,
        it::DF02_EF05,
    )
    .with_note(it::ORDER_FROM_TABLE),
    vr(
        ef::DF02_EF06,
        "就业状态",
        "employment status",
        DF02_RK,
        uk(k::UK2DF02),
        Active,
        it::DF02_EF06,
    )
    .with_note(it::ORDER_FROM_TABLE),
    cyclic(
        ef::DF02_EF07,
        "就业经历",
        "employment history",
        4,
        0x55,
        DF02_RK,
        uk(k::UK3DF02),
        it::DF02_EF07_FIELDS,
    ),
    vr(
        ef::DF02_EF09,
        "就业失业登记证",
        "employment/unemployment registration certificate",
        DF02_RK,
        uk(k::UK4DF02),
        Active,
        it::DF02_EF09,
    )
    .with_note(it::ORDER_FROM_TABLE),
    vr(
        ef::DF02_EF15,
        "就业援助认定",
        "employment-aid recognition",
        DF02_RK,
        uk(k::UK5DF02),
        Active,
        it::DF02_EF15,
    )
    .with_note(it::ORDER_FROM_TABLE),
    cyclic(
        ef::DF02_EF16,
        "就业扶持政策",
        "employment-support policy",
        4,
        0x12,
        DF02_RK,
        uk(k::UK6DF02),
        it::DF02_EF16_FIELDS,
    ),
];

const DF03_RK: ReadRule = PinOrKey(k::RK1DF03);

/// DF03 EFs.
pub static DF03_EFS: &[EfSpec] = &[
    vr(ef::DF03_EF05, "失业保险", "unemployment insurance", PinOrKey(k::RK2DF03), uk(k::UK1DF03), Active, it::DF03_EF05)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF06, "劳动能力鉴定", "work-capacity appraisal", DF03_RK, uk(k::UK2DF03), Active, it::DF03_EF06)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF07, "养老保险", "pension", DF03_RK, uk(k::UK3DF03), Active, it::DF03_EF07)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF15, "工伤保险", "work-injury insurance", DF03_RK, uk(k::UK4DF03), Active, it::DF03_EF15)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF16, "生育保险", "maternity insurance", DF03_RK, uk(k::UK5DF03), Active, it::DF03_EF16)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF17, "工伤认定", "work-injury recognition", DF03_RK, uk(k::UK6DF03), Active, it::DF03_EF17)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF18, "供养亲属", "dependants", DF03_RK, uk(k::UK7DF03), Active, it::DF03_EF18)
        .with_note(it::ORDER_FROM_TABLE),
    vr(ef::DF03_EF19, "参保凭证", "insurance certificates", DF03_RK, uk(k::UK8DF03), Active, it::DF03_EF19)
        .with_structure(EfStructure::FixedRecords {
            records: 4,
            record_len: 0x29,
        })
        .with_note("fixed records: 4 × (B-TLV 79 len 0x27 + 2); record order pension/medical/unemployment/reserved (sscard-spec.md §3.7)"),
];

const DF04_RK: ReadRule = PinOrKey(k::RK1DF04);

/// DF04 EFs (the COS-internal amount file is `items::DF04_AMOUNT_FILE_FIELDS`).
pub static DF04_EFS: &[EfSpec] = &[
    vr(
        ef::DF04_EF05,
        "医疗保险基本信息",
        "medical insurance basic",
        DF04_RK,
        uk(k::UK1DF04),
        Active,
        it::DF04_EF05,
    )
    .with_note(it::ORDER_FROM_TABLE),
    vr(
        ef::DF04_EF06,
        "临时脱机结算信息",
        "temporary-offline settlement",
        PinAndKey(k::RK1DF04),
        uk(k::UK2DF04),
        Active,
        it::DF04_EF06,
    )
    .with_note(it::ORDER_FROM_TABLE),
    cyclic(
        ef::DF04_EF08,
        "医疗交易记录",
        "medical transaction log",
        30,
        0x1C,
        Pin,
        WriteRule::Never,
        it::DF04_EF08_FIELDS,
    ),
    cyclic(
        ef::DF04_EF15,
        "特殊结算记录",
        "special settlement log",
        8,
        0x03,
        DF04_RK,
        uk(k::UK2DF04),
        it::DF04_EF15_FIELDS,
    ),
];

/// DF05 EFs (appendix B).
pub static DF05_EFS: &[EfSpec] = &[vr(
    ef::DF05_EF05,
    "健康信息",
    "health",
    Free,
    uk(k::UK1DF05),
    Reference,
    it::DF05_EF05,
)
.with_note(it::APPENDIX_B_PARTIAL)];

/// DF06 EFs (appendix B).
pub static DF06_EFS: &[EfSpec] = &[
    vr(
        ef::DF06_EF05,
        "社会救助",
        "social assistance",
        Key(k::RK1DF06),
        uk(k::UK1DF06),
        Reference,
        it::DF06_EF05,
    )
    .with_note(it::APPENDIX_B_PARTIAL),
    vr(
        ef::DF06_EF06,
        "优待抚恤",
        "preferential treatment",
        Key(k::RK1DF06),
        uk(k::UK2DF06),
        Reference,
        it::DF06_EF06,
    )
    .with_note(it::APPENDIX_B_PARTIAL),
];

/// DF07 EFs.
pub static DF07_EFS: &[EfSpec] = &[
    vr(
        ef::DF07_EF05,
        "荣誉信息",
        "honours",
        Key(k::RK1DF07),
        uk(k::UK1DF07),
        Preset,
        it::DF07_EF05,
    )
    .with_note(it::ORDER_FROM_TABLE),
    vr(
        ef::DF07_EF06,
        "专家信息",
        "experts",
        Key(k::RK2DF07),
        uk(k::UK2DF07),
        Preset,
        it::DF07_EF06,
    )
    .with_note(it::ORDER_FROM_TABLE),
    vr(
        ef::DF07_EF07,
        "军转干部信息",
        "demobilised officers",
        Key(k::RK3DF07),
        uk(k::UK3DF07),
        Preset,
        it::DF07_EF07,
    )
    .with_note(it::ORDER_FROM_TABLE),
];

const fn aid(last: u8) -> [u8; 6] {
    [RID[0], RID[1], RID[2], RID[3], RID[4], last]
}
/// AID of DF01 公共应用, `D156000005 00`.
pub const AID_DF01: [u8; 6] = aid(0x00);
/// AID of DF02 就业与失业, `D156000005 01`.
pub const AID_DF02: [u8; 6] = aid(0x01);
/// AID of DF03 社会保险1, `D156000005 02`.
pub const AID_DF03: [u8; 6] = aid(0x02);
/// AID of DF04 社会保险2 (医疗保险), `D156000005 03`.
pub const AID_DF04: [u8; 6] = aid(0x03);
/// AID of DF07 人事与人才, `D156000005 04`.
pub const AID_DF07: [u8; 6] = aid(0x04);

/// The facts that name a DF (sscard-spec.md §2.1): FID, AID, DF name. [`DFS`] is built from them.
impl DfId {
    /// FID: `3F00` ([`MF_FID`]), `DF01`..`DF07`; `None` for the SSSE (selected by name only, §9.7).
    pub const fn fid(self) -> Option<u16> {
        match self {
            DfId::Mf => Some(MF_FID),
            DfId::Ssse => None,
            DfId::Df01 => Some(0xDF01),
            DfId::Df02 => Some(0xDF02),
            DfId::Df03 => Some(0xDF03),
            DfId::Df04 => Some(0xDF04),
            DfId::Df05 => Some(0xDF05),
            DfId::Df06 => Some(0xDF06),
            DfId::Df07 => Some(0xDF07),
        }
    }

    /// Application identifier (`D156000005 xx`): DF01–DF04, DF07; `None` for MF, SSSE, DF05, DF06.
    pub const fn aid(self) -> Option<&'static [u8]> {
        match self {
            DfId::Df01 => Some(&AID_DF01),
            DfId::Df02 => Some(&AID_DF02),
            DfId::Df03 => Some(&AID_DF03),
            DfId::Df04 => Some(&AID_DF04),
            DfId::Df07 => Some(&AID_DF07),
            DfId::Mf | DfId::Ssse | DfId::Df05 | DfId::Df06 => None,
        }
    }

    /// DF name for SELECT by name: [`SSSE_NAME`] for the SSSE, `None` otherwise.
    pub const fn df_name(self) -> Option<&'static [u8]> {
        match self {
            DfId::Ssse => Some(SSSE_NAME),
            _ => None,
        }
    }

    /// The DF with this FID (`3F00`, `DF01`..`DF07`).
    pub const fn from_fid(fid: u16) -> Option<DfId> {
        let mut i = 0;
        while i < DfId::ALL.len() {
            let d = DfId::ALL[i];
            if let Some(f) = d.fid() {
                if f == fid {
                    return Some(d);
                }
            }
            i += 1;
        }
        None
    }

    /// The table entry ([`DFS`]`[self.index()]`).
    pub const fn spec(self) -> &'static DfSpec {
        &DFS[self.index()]
    }
}

const _: () = {
    let mut i = 0;
    while i < DFS.len() {
        assert!(DFS[i].id.index() == i, "DFS is not in DfId order");
        i += 1;
    }
};

const NO_AID: &str = "appendix-B DF: text label only, no RID-based AID (sscard-spec.md §2.1); FID DF0x by convention";

/// The whole tree, in [`DfId::ALL`] order (index = `DfId::index()`).
pub static DFS: [DfSpec; 9] = [
    DfSpec {
        id: Mf,
        name_zh: text("主文件"),
        name_en: text("master file"),
        fid: Mf.fid(),
        df_name: Mf.df_name(),
        aid: Mf.aid(),
        efs: &[],
        keys: &[],
        uncertain: None,
    },
    DfSpec {
        id: Ssse,
        name_zh: text("社会保障"),
        name_en: text("social security environment (SSSE)"),
        fid: Ssse.fid(),
        df_name: Ssse.df_name(),
        aid: Ssse.aid(),
        efs: SSSE_EFS,
        keys: keys::SSSE_KEYS,
        uncertain: note("SSSE DDF FID unknown: selected by name only (sscard-spec.md §2.1, §9.7); directory EF SFI 1E content unknown"),
    },
    DfSpec {
        id: Df01,
        name_zh: text("公共应用"),
        name_en: text("public application"),
        fid: Df01.fid(),
        df_name: Df01.df_name(),
        aid: Df01.aid(),
        efs: DF01_EFS,
        keys: keys::DF01_KEYS,
        uncertain: None,
    },
    DfSpec {
        id: Df02,
        name_zh: text("就业与失业"),
        name_en: text("employment and unemployment"),
        fid: Df02.fid(),
        df_name: Df02.df_name(),
        aid: Df02.aid(),
        efs: DF02_EFS,
        keys: keys::DF02_KEYS,
        uncertain: None,
    },
    DfSpec {
        id: Df03,
        name_zh: text("社会保险1"),
        name_en: text("social insurance 1"),
        fid: Df03.fid(),
        df_name: Df03.df_name(),
        aid: Df03.aid(),
        efs: DF03_EFS,
        keys: keys::DF03_KEYS,
        uncertain: None,
    },
    DfSpec {
        id: Df04,
        name_zh: text("社会保险2(医疗保险)"),
        name_en: text("social insurance 2 (medical)"),
        fid: Df04.fid(),
        df_name: Df04.df_name(),
        aid: Df04.aid(),
        efs: DF04_EFS,
        keys: keys::DF04_KEYS,
        uncertain: None,
    },
    DfSpec {
        id: Df05,
        name_zh: text("生命与健康信息区"),
        name_en: text("life and health (appendix B)"),
        fid: Df05.fid(),
        df_name: Df05.df_name(),
        aid: Df05.aid(),
        efs: DF05_EFS,
        keys: keys::DF05_KEYS,
        uncertain: note(NO_AID),
    },
    DfSpec {
        id: Df06,
        name_zh: text("救助与优抚信息区"),
        name_en: text("social assistance and preferential treatment (appendix B)"),
        fid: Df06.fid(),
        df_name: Df06.df_name(),
        aid: Df06.aid(),
        efs: DF06_EFS,
        keys: keys::DF06_KEYS,
        uncertain: note(NO_AID),
    },
    DfSpec {
        id: Df07,
        name_zh: text("人事与人才"),
        name_en: text("personnel and talents"),
        fid: Df07.fid(),
        df_name: Df07.df_name(),
        aid: Df07.aid(),
        efs: DF07_EFS,
        keys: keys::DF07_KEYS,
        uncertain: None,
    },
];

/// The DF spec for `id`.
pub fn df(id: DfId) -> &'static DfSpec {
    // DFS is indexed by DfId (checked by a test); fall back to a search to stay panic-free.
    match DFS.get(id.index()) {
        Some(d) if d.id == id => d,
        _ => DFS.iter().find(|d| d.id == id).unwrap_or(&DFS[0]),
    }
}

/// The DF with this FID (`3F00`, `DF01`..`DF07`; the SSSE has no known FID).
pub fn df_by_fid(fid: u16) -> Option<&'static DfSpec> {
    DFS.iter().find(|d| d.fid == Some(fid))
}

/// The DF with this AID (`D156000005 00..04`).
pub fn df_by_aid(aid: &[u8]) -> Option<&'static DfSpec> {
    DFS.iter().find(|d| d.aid == Some(aid))
}

/// The DF selected by this DF name (only the SSSE has one).
pub fn df_by_name(name: &[u8]) -> Option<&'static DfSpec> {
    DFS.iter().find(|d| d.df_name == Some(name))
}

/// The EF `fid` of `df`.
pub fn ef(df_id: DfId, fid: u16) -> Option<&'static EfSpec> {
    df(df_id).ef(fid)
}

/// The EF with short file identifier `sfi` in `df`.
pub fn ef_by_sfi(df_id: DfId, sfi: u8) -> Option<&'static EfSpec> {
    df(df_id).ef_by_sfi(sfi)
}

/// Every EF of the card, in tree order.
pub fn all_efs() -> impl Iterator<Item = &'static EfSpec> {
    DFS.iter().flat_map(|d| d.efs.iter())
}

/// The items of an EF in record order (2.0 layout).
pub fn items_of(ef: &EfSpec) -> &'static [ItemSpec] {
    ef.items
}
