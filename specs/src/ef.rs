//! Names of the elementary files: one [`EfRef`] constant per EF of the tree (sscard-spec.md
//! §2.2), e.g. [`SSSE_EF05`], [`DF01_EF15`], [`DF04_EF08`].
//!
//! These constants are the **one definition** of every EF's FID (the SFI follows from it): the
//! tables of [`crate::files`] are built from them, and [`EfRef::spec`] finds the table entry.
//!
//! ```
//! use sscard_specs::ef;
//!
//! assert_eq!(ef::SSSE_EF06.fid(), 0xEF06);
//! assert_eq!(ef::SSSE_EF06.sfi(), 6);
//! assert_eq!(ef::SSSE_EF06.path(), "SSSE/EF06");
//! let spec = ef::SSSE_EF06.spec().unwrap();
//! assert!(ef::SSSE_EF06.is(spec));
//! // const-usable, e.g. as a match pattern
//! const EF05: u16 = ef::SSSE_EF05.fid();
//! assert!(matches!(0xEF05, EF05));
//! ```

use crate::types::{DfId, EfSpec};

/// Longest path an [`EfRef`] / [`crate::item::ItemRef`] carries (`"SSSE/EF05/01"`).
pub(crate) const PATH_MAX: usize = 12;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The path `DF/EFxx` or `DF/EFxx/TT` as bytes (first `.1` bytes used), in the format of
/// [`ItemPath`](crate::paths::ItemPath)'s `Display` (`{df}/{fid:04X}[/{tag:02X}]`).
pub(crate) const fn path_bytes(df: DfId, fid: u16, tag: Option<u8>) -> ([u8; PATH_MAX], usize) {
    let mut out = [0u8; PATH_MAX];
    let name = df.name().as_bytes();
    let mut n = 0;
    while n < name.len() {
        out[n] = name[n];
        n += 1;
    }
    out[n] = b'/';
    n += 1;
    let mut shift = 16;
    while shift > 0 {
        shift -= 4;
        out[n] = HEX[((fid >> shift) & 0xF) as usize];
        n += 1;
    }
    if let Some(tag) = tag {
        out[n] = b'/';
        out[n + 1] = HEX[(tag >> 4) as usize];
        out[n + 2] = HEX[(tag & 0xF) as usize];
        n += 3;
    }
    (out, n)
}

/// The first `len` bytes of a generated path as a `&'static str` (`""` if not UTF-8, which
/// [`path_bytes`] never produces; the tests check every path).
pub(crate) const fn path_str(bytes: &'static [u8; PATH_MAX], len: usize) -> &'static str {
    let (head, _) = bytes.split_at(len);
    match core::str::from_utf8(head) {
        Ok(s) => s,
        Err(_) => "",
    }
}

/// A `&'static str` path generated at compile time by [`path_bytes`].
macro_rules! generated_path {
    ($df:expr, $fid:expr, $tag:expr) => {{
        const P: ([u8; $crate::ef::PATH_MAX], usize) = $crate::ef::path_bytes($df, $fid, $tag);
        const B: [u8; $crate::ef::PATH_MAX] = P.0;
        $crate::ef::path_str(&B, P.1)
    }};
}
pub(crate) use generated_path;

/// A typed reference to one elementary file: its DF, FID and SFI, and its path (`"SSSE/EF05"`).
///
/// Only the constants of this module exist (the fields are private); each has an entry in
/// [`crate::files`] (checked at compile time), so [`EfRef::spec`] is always `Some` for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EfRef {
    df: DfId,
    fid: u16,
    path: &'static str,
}

impl EfRef {
    const fn new(df: DfId, fid: u16, path: &'static str) -> Self {
        EfRef { df, fid, path }
    }

    /// The DF holding the EF.
    pub const fn df(self) -> DfId {
        self.df
    }

    /// FID (`0xEF05`...), as in `SELECT 00 A4 02 00 02 <fid>`.
    pub const fn fid(self) -> u16 {
        self.fid
    }

    /// Short file identifier: the low 5 bits of the FID (sscard-spec.md §2.2: SFI = the FID's low
    /// byte, `EF05` → `05`, `EF1A` → `1A`).
    pub const fn sfi(self) -> u8 {
        (self.fid & 0x1F) as u8
    }

    /// The canonical path of the whole EF, `"SSSE/EF05"` (generated; equals
    /// `self.item_path().to_string()`).
    pub const fn path(self) -> &'static str {
        self.path
    }

    /// The table entry ([`crate::files`]).
    pub const fn spec(self) -> Option<&'static EfSpec> {
        let efs = self.df.spec().efs;
        let mut i = 0;
        while i < efs.len() {
            if efs[i].fid == self.fid {
                return Some(&efs[i]);
            }
            i += 1;
        }
        None
    }

    /// Whether `spec` is this EF's table entry (same DF and FID).
    pub const fn is(self, spec: &EfSpec) -> bool {
        spec.fid == self.fid && spec.df as u8 == self.df as u8
    }

    /// The constant of the EF described by `spec`.
    pub const fn of(spec: &EfSpec) -> Option<EfRef> {
        find(spec.df, spec.fid)
    }
}

/// The constant for EF `fid` of `df`, if the tree has that EF.
pub const fn find(df: DfId, fid: u16) -> Option<EfRef> {
    let mut i = 0;
    while i < ALL.len() {
        if ALL[i].df as u8 == df as u8 && ALL[i].fid == fid {
            return Some(ALL[i]);
        }
        i += 1;
    }
    None
}

macro_rules! efs {
    ($($(#[$doc:meta])* $name:ident = $df:ident / $fid:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $name: EfRef =
                EfRef::new(DfId::$df, $fid, generated_path!(DfId::$df, $fid, None));
        )*
        /// Every EF, in tree order (the order of [`crate::files::all_efs`]).
        pub const ALL: &[EfRef] = &[$($name),*];
    };
}

efs! {
    /// SSSE EF05 发卡机构数据 (issuer data), §3.3.
    SSSE_EF05 = Ssse / 0xEF05;
    /// SSSE EF06 持卡人基本信息 (cardholder basic info), §3.4.
    SSSE_EF06 = Ssse / 0xEF06;
    /// SSSE EF07 指纹 (fingerprint), transparent, §3.5.
    SSSE_EF07 = Ssse / 0xEF07;
    /// SSSE EF08 数字相片 (photo), transparent, §3.5.
    SSSE_EF08 = Ssse / 0xEF08;

    /// DF01 EF05 户籍信息 (household registration).
    DF01_EF05 = Df01 / 0xEF05;
    /// DF01 EF06 常住地与联系信息 (residence and contact).
    DF01_EF06 = Df01 / 0xEF06;
    /// DF01 EF07 人员状态 (personal status).
    DF01_EF07 = Df01 / 0xEF07;
    /// DF01 EF08 婚姻状况 (marital status).
    DF01_EF08 = Df01 / 0xEF08;
    /// DF01 EF09 身份与单位 (identity and employer).
    DF01_EF09 = Df01 / 0xEF09;
    /// DF01 EF0A 国籍与政治面貌 (nationality and political status).
    DF01_EF0A = Df01 / 0xEF0A;
    /// DF01 EF15 学历信息 (education).
    DF01_EF15 = Df01 / 0xEF15;
    /// DF01 EF16 预留1 (reserved 1), transparent.
    DF01_EF16 = Df01 / 0xEF16;
    /// DF01 EF17 预留2 (reserved 2), transparent.
    DF01_EF17 = Df01 / 0xEF17;
    /// DF01 EF18 预留3 (reserved 3), transparent.
    DF01_EF18 = Df01 / 0xEF18;
    /// DF01 EF19 预留4 (reserved 4), transparent.
    DF01_EF19 = Df01 / 0xEF19;
    /// DF01 EF1A 预留5 (reserved 5), transparent.
    DF01_EF1A = Df01 / 0xEF1A;

    /// DF02 EF05 职业与技能 (occupation and skills).
    DF02_EF05 = Df02 / 0xEF05;
    /// DF02 EF06 就业状态 (employment status).
    DF02_EF06 = Df02 / 0xEF06;
    /// DF02 EF07 就业经历 (employment history), cyclic.
    DF02_EF07 = Df02 / 0xEF07;
    /// DF02 EF09 就业失业登记证 (employment/unemployment registration certificate).
    DF02_EF09 = Df02 / 0xEF09;
    /// DF02 EF15 就业援助认定 (employment-aid recognition).
    DF02_EF15 = Df02 / 0xEF15;
    /// DF02 EF16 就业扶持政策 (employment-support policy), cyclic.
    DF02_EF16 = Df02 / 0xEF16;

    /// DF03 EF05 失业保险 (unemployment insurance).
    DF03_EF05 = Df03 / 0xEF05;
    /// DF03 EF06 劳动能力鉴定 (work-capacity appraisal).
    DF03_EF06 = Df03 / 0xEF06;
    /// DF03 EF07 养老保险 (pension).
    DF03_EF07 = Df03 / 0xEF07;
    /// DF03 EF15 工伤保险 (work-injury insurance).
    DF03_EF15 = Df03 / 0xEF15;
    /// DF03 EF16 生育保险 (maternity insurance).
    DF03_EF16 = Df03 / 0xEF16;
    /// DF03 EF17 工伤认定 (work-injury recognition).
    DF03_EF17 = Df03 / 0xEF17;
    /// DF03 EF18 供养亲属 (dependants).
    DF03_EF18 = Df03 / 0xEF18;
    /// DF03 EF19 参保凭证 (insurance certificates), fixed records.
    DF03_EF19 = Df03 / 0xEF19;

    /// DF04 EF05 医疗保险基本信息 (medical insurance basic).
    DF04_EF05 = Df04 / 0xEF05;
    /// DF04 EF06 临时脱机结算信息 (temporary-offline settlement).
    DF04_EF06 = Df04 / 0xEF06;
    /// DF04 EF08 医疗交易记录 (medical transaction log), cyclic.
    DF04_EF08 = Df04 / 0xEF08;
    /// DF04 EF15 特殊结算记录 (special settlement log), cyclic.
    DF04_EF15 = Df04 / 0xEF15;

    /// DF05 EF05 健康信息 (health), appendix B.
    DF05_EF05 = Df05 / 0xEF05;

    /// DF06 EF05 社会救助 (social assistance), appendix B.
    DF06_EF05 = Df06 / 0xEF05;
    /// DF06 EF06 优待抚恤 (preferential treatment), appendix B.
    DF06_EF06 = Df06 / 0xEF06;

    /// DF07 EF05 荣誉信息 (honours).
    DF07_EF05 = Df07 / 0xEF05;
    /// DF07 EF06 专家信息 (experts).
    DF07_EF06 = Df07 / 0xEF06;
    /// DF07 EF07 军转干部信息 (demobilised officers).
    DF07_EF07 = Df07 / 0xEF07;
}

// Every constant has a table entry (so `EfRef::spec` is `Some` for all of them).
const _: () = {
    let mut i = 0;
    while i < ALL.len() {
        assert!(
            ALL[i].spec().is_some(),
            "an ef:: constant has no entry in files.rs"
        );
        i += 1;
    }
};
