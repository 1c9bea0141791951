//! Names of the data items: one [`ItemRef`] constant per data item of sscard-spec.md §3.3–§3.7
//! (every top-level tag of every record EF), named `<DF>_<EF>_<MEANING>`, e.g.
//! [`SSSE_EF06_NAME`] (tag 09), [`SSSE_EF05_CARD_ID`] (01), [`DF04_EF05_INSURANCE_TYPE`] (81).
//!
//! These constants are the **one definition** of every item tag: the tables of
//! [`crate::items`] are built from them. Each carries its canonical path (`"SSSE/EF06/09"`),
//! generated at compile time in the format of [`crate::paths::ItemPath`], so
//! `item_by_path(X.path())` is `X.spec()` (checked by the tests).
//!
//! B-TLV sub-items (e.g. DF01 EF15 tag 40's 57/58/59) have no path and no constant; they are
//! [`ItemSpec::sub_items`] of their item. The 1.0 layouts ([`crate::layouts_v1::V1_LAYOUTS`]) reuse
//! these constants where the 1.0 item is the same item; 1.0-only tags stay in `versions.rs`.
//!
//! ```
//! use sscard_specs::{item, item_by_path};
//!
//! assert_eq!(item::SSSE_EF06_NAME.tag(), 0x09);
//! assert_eq!(item::SSSE_EF06_NAME.path(), "SSSE/EF06/09");
//! assert_eq!(item::SSSE_EF06_NAME.ef(), sscard_specs::ef::SSSE_EF06);
//! assert_eq!(item::SSSE_EF06_NAME.spec().unwrap().len, 0x1E);
//! assert_eq!(item_by_path(item::SSSE_EF06_NAME_EXT.path()), item::SSSE_EF06_NAME_EXT.spec());
//! assert_eq!(item::DF01_EF15_DEGREE.at(2).to_string(), "DF01/EF15/40#2");
//! // const-usable
//! const NAME_LEN: u8 = match item::SSSE_EF06_NAME.spec() {
//!     Some(s) => s.len,
//!     None => 0,
//! };
//! assert_eq!(NAME_LEN, 0x1E);
//! ```

use crate::ef::{self, generated_path, EfRef};
use crate::types::{DfId, EfSpec, ItemSpec};

/// A typed reference to one data item: its EF and tag, and its path (`"SSSE/EF06/09"`).
///
/// Only the constants of this module exist (the fields are private); each has an entry in
/// [`crate::items`] (checked at compile time), so [`ItemRef::spec`] is always `Some` for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ItemRef {
    ef: EfRef,
    tag: u8,
    path: &'static str,
}

impl ItemRef {
    const fn new(ef: EfRef, tag: u8, path: &'static str) -> Self {
        ItemRef { ef, tag, path }
    }

    /// The EF holding the item.
    pub const fn ef(self) -> EfRef {
        self.ef
    }

    /// The DF of the item's EF.
    pub const fn df(self) -> DfId {
        self.ef.df()
    }

    /// The FID of the item's EF.
    pub const fn fid(self) -> u16 {
        self.ef.fid()
    }

    /// The tag (record identifier, P1 of READ RECORD by tag).
    pub const fn tag(self) -> u8 {
        self.tag
    }

    /// The canonical path `"SSSE/EF06/09"` (first occurrence; generated, equals
    /// `self.item_path().to_string()`).
    pub const fn path(self) -> &'static str {
        self.path
    }

    /// The table entry ([`crate::items`], 2.0/3.0 layout).
    pub const fn spec(self) -> Option<&'static ItemSpec> {
        let Some(ef) = self.ef.spec() else {
            return None;
        };
        let mut i = 0;
        while i < ef.items.len() {
            if ef.items[i].tag == self.tag {
                return Some(&ef.items[i]);
            }
            i += 1;
        }
        None
    }

    /// The table entry of the item's EF.
    pub const fn ef_spec(self) -> Option<&'static EfSpec> {
        self.ef.spec()
    }

    /// Whether `(ef, tag)` is this item.
    pub const fn is(self, ef: &EfSpec, tag: u8) -> bool {
        self.tag == tag && self.ef.is(ef)
    }
}

/// The constant for tag `tag` of EF `ef`, if the EF has that item.
pub const fn find(ef: EfRef, tag: u8) -> Option<ItemRef> {
    let mut i = 0;
    while i < ALL.len() {
        if ALL[i].tag == tag && ALL[i].ef.df() as u8 == ef.df() as u8 && ALL[i].ef.fid() == ef.fid()
        {
            return Some(ALL[i]);
        }
        i += 1;
    }
    None
}

macro_rules! items {
    ($($(#[$doc:meta])* $name:ident = $ef:ident / $tag:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $name: ItemRef = ItemRef::new(
                ef::$ef,
                $tag,
                generated_path!(ef::$ef.df(), ef::$ef.fid(), Some($tag)),
            );
        )*
        /// Every item, in table order (EF by EF, record order inside an EF).
        pub const ALL: &[ItemRef] = &[$($name),*];
    };
}

items! {
    // ------------------------------------------------------------ SSSE EF05 (§3.3)
    /// 01 卡的识别码: card identification code (16 bytes: region, …, serial, auth code).
    SSSE_EF05_CARD_ID = SSSE_EF05 / 0x01;
    /// 02 卡的类别: card category (code table `CardCategory`).
    SSSE_EF05_CATEGORY = SSSE_EF05 / 0x02;
    /// 03 规范版本: spec version ("2.00", "3.00", …).
    SSSE_EF05_VERSION = SSSE_EF05 / 0x03;
    /// 04 初始化机构编号: initialisation organisation number.
    SSSE_EF05_INIT_ORG = SSSE_EF05 / 0x04;
    /// 05 发卡日期: issue date.
    SSSE_EF05_ISSUE_DATE = SSSE_EF05 / 0x05;
    /// 06 卡有效期: expiry date.
    SSSE_EF05_EXPIRY_DATE = SSSE_EF05 / 0x06;
    /// 07 卡号: card number (with check character, §3.9).
    SSSE_EF05_CARD_NUMBER = SSSE_EF05 / 0x07;

    // ------------------------------------------------------------ SSSE EF06 (§3.4)
    /// 08 社会保障号码: social security number.
    SSSE_EF06_SSN = SSSE_EF06 / 0x08;
    /// 09 姓名: name.
    SSSE_EF06_NAME = SSSE_EF06 / 0x09;
    /// 4E 姓名扩展: name extension (★ 2.0).
    SSSE_EF06_NAME_EXT = SSSE_EF06 / 0x4E;
    /// 0A 性别: sex (code table `Sex`).
    SSSE_EF06_SEX = SSSE_EF06 / 0x0A;
    /// 0B 民族: ethnicity (code table `Ethnicity`).
    SSSE_EF06_ETHNICITY = SSSE_EF06 / 0x0B;
    /// 0C 出生地: birthplace (region code).
    SSSE_EF06_BIRTHPLACE = SSSE_EF06 / 0x0C;
    /// 0D 出生日期: birth date.
    SSSE_EF06_BIRTH_DATE = SSSE_EF06 / 0x0D;

    // ------------------------------------------------------------ DF01 (§3.6)
    /// 20 户口性质: household registration type.
    DF01_EF05_HOUSEHOLD_TYPE = DF01_EF05 / 0x20;
    /// 21 户口所在地地址: household registration address.
    DF01_EF05_HOUSEHOLD_ADDRESS = DF01_EF05 / 0x21;
    /// 0E 户口所在地行政区划代码: household region code (★ 2.0).
    DF01_EF05_HOUSEHOLD_REGION = DF01_EF05 / 0x0E;
    /// 23 常住所在地地址: residence address (★ 2.0).
    DF01_EF06_RESIDENCE_ADDRESS = DF01_EF06 / 0x23;
    /// 24 常住所在地行政区划代码: residence region code (★ 2.0).
    DF01_EF06_RESIDENCE_REGION = DF01_EF06 / 0x24;
    /// 28 联系电话: phone.
    DF01_EF06_PHONE = DF01_EF06 / 0x28;
    /// 2C 监护人或联系人姓名: contact / guardian name (★ 2.0).
    DF01_EF06_CONTACT_NAME = DF01_EF06 / 0x2C;
    /// 2D 监护人或联系人电话: contact / guardian phone (★ 2.0).
    DF01_EF06_CONTACT_PHONE = DF01_EF06 / 0x2D;
    /// 29 就业/退休状态: employment / retirement status.
    DF01_EF07_EMPLOYMENT_STATUS = DF01_EF07 / 0x29;
    /// 2B 婚姻状况: marital status.
    DF01_EF08_MARITAL_STATUS = DF01_EF08 / 0x2B;
    /// 2E 单位名称: employer name.
    DF01_EF09_EMPLOYER_NAME = DF01_EF09 / 0x2E;
    /// 30 单位组织机构代码: employer organisation code.
    DF01_EF09_EMPLOYER_ORG_CODE = DF01_EF09 / 0x30;
    /// 32 个人身份: person identity category (★ 2.0; 1.0: economic type).
    DF01_EF09_PERSON_IDENTITY = DF01_EF09 / 0x32;
    /// 37 国籍: nationality (★ 2.0).
    DF01_EF0A_NATIONALITY = DF01_EF0A / 0x37;
    /// 38 政治面貌: political status (★ 2.0).
    DF01_EF0A_POLITICAL_STATUS = DF01_EF0A / 0x38;
    /// 39 入党时间: party-joining date (★ 2.0).
    DF01_EF0A_PARTY_DATE = DF01_EF0A / 0x39;
    /// 2A 文化程度: education (record 1).
    DF01_EF15_EDUCATION = DF01_EF15 / 0x2A;
    /// 40 学位信息: degree information, B-TLV, 3 records (2–4).
    DF01_EF15_DEGREE = DF01_EF15 / 0x40;

    // ------------------------------------------------------------ DF02 (§3.7)
    /// 42 专业技术职务代码: professional title code.
    DF02_EF05_TITLE_CODE = DF02_EF05 / 0x42;
    /// 41 专业技术职务等级: professional title level (★ 2.0).
    DF02_EF05_TITLE_LEVEL = DF02_EF05 / 0x41;
    /// 43 职业资格信息: vocational qualification, B-TLV, 2 records.
    DF02_EF05_VOCATIONAL_QUALIFICATION = DF02_EF05 / 0x43;
    /// 44 专业技术资格信息: professional qualification, B-TLV, 2 records.
    DF02_EF05_PROFESSIONAL_QUALIFICATION = DF02_EF05 / 0x44;
    /// 4C 就业登记日期: employment registration date.
    DF02_EF06_EMPLOYMENT_DATE = DF02_EF06 / 0x4C;
    /// 4B 就业形式: employment form (★ 2.0).
    DF02_EF06_EMPLOYMENT_FORM = DF02_EF06 / 0x4B;
    /// 4D 就业地行政区划代码: employment region code (★ 2.0).
    DF02_EF06_EMPLOYMENT_REGION = DF02_EF06 / 0x4D;
    /// 60 最近一次失业登记日期: last unemployment registration date.
    DF02_EF06_UNEMPLOYMENT_DATE = DF02_EF06 / 0x60;
    /// 4F 失业原因: unemployment reason (★ 2.0).
    DF02_EF06_UNEMPLOYMENT_REASON = DF02_EF06 / 0x4F;
    /// 50 失业登记地行政区划代码: unemployment registration region (★ 2.0).
    DF02_EF06_UNEMPLOYMENT_REGION = DF02_EF06 / 0x50;
    /// 3A 职业(工种): occupation.
    DF02_EF06_OCCUPATION = DF02_EF06 / 0x3A;
    /// 55 就业失业登记证号: certificate number (★ 2.0).
    DF02_EF09_CERTIFICATE_NUMBER = DF02_EF09 / 0x55;
    /// 56 发证机构: issuing authority (★ 2.0).
    DF02_EF09_ISSUING_AUTHORITY = DF02_EF09 / 0x56;
    /// 96 发证日期: issue date (★ 2.0).
    DF02_EF09_ISSUE_DATE = DF02_EF09 / 0x96;
    /// 97 发证地行政区划代码: issuing region code (★ 2.0).
    DF02_EF09_ISSUE_REGION = DF02_EF09 / 0x97;
    /// 99 就业援助认定信息: employment-aid recognition, B-TLV, 4 records.
    DF02_EF15_AID_RECOGNITION = DF02_EF15 / 0x99;
    /// 0F 日期: date (meaning not in the reference).
    DF02_EF15_DATE_0F = DF02_EF15 / 0x0F;
    /// 1F 行政区划代码: region code (meaning not in the reference).
    DF02_EF15_REGION_1F = DF02_EF15 / 0x1F;

    // ------------------------------------------------------------ DF03 (§3.7)
    /// 61 失业保险参保地行政区划代码: unemployment-insurance region.
    DF03_EF05_REGION = DF03_EF05 / 0x61;
    /// 60 最近一次失业登记日期: last unemployment registration date.
    DF03_EF05_UNEMPLOYMENT_DATE = DF03_EF05 / 0x60;
    /// 98 失业保险金领取开始日期: benefit start date.
    DF03_EF05_BENEFIT_START = DF03_EF05 / 0x98;
    /// 62 失业保险金领取终止日期: benefit end date.
    DF03_EF05_BENEFIT_END = DF03_EF05 / 0x62;
    /// 63 累计缴费年限: contribution years.
    DF03_EF05_CONTRIBUTION_YEARS = DF03_EF05 / 0x63;
    /// 64 累计缴费月数: contribution months.
    DF03_EF05_CONTRIBUTION_MONTHS = DF03_EF05 / 0x64;
    /// 65 应领取月数: benefit months granted.
    DF03_EF05_MONTHS_GRANTED = DF03_EF05 / 0x65;
    /// 66 已领取月数: benefit months drawn.
    DF03_EF05_MONTHS_DRAWN = DF03_EF05 / 0x66;
    /// 45 鉴定编号: appraisal number.
    DF03_EF06_APPRAISAL_NUMBER = DF03_EF06 / 0x45;
    /// 46 伤残等级: disability grade.
    DF03_EF06_DISABILITY_GRADE = DF03_EF06 / 0x46;
    /// 47 护理等级: care level.
    DF03_EF06_CARE_LEVEL = DF03_EF06 / 0x47;
    /// 48 鉴定类别: appraisal type.
    DF03_EF06_APPRAISAL_TYPE = DF03_EF06 / 0x48;
    /// 49 鉴定结论: appraisal conclusion.
    DF03_EF06_CONCLUSION = DF03_EF06 / 0x49;
    /// 67 鉴定日期: appraisal date.
    DF03_EF06_APPRAISAL_DATE = DF03_EF06 / 0x67;
    /// 6B 鉴定机构: appraisal body.
    DF03_EF06_APPRAISAL_BODY = DF03_EF06 / 0x6B;
    /// 4A 鉴定记录: appraisal record, B-TLV, 3 records.
    DF03_EF06_APPRAISAL_RECORD = DF03_EF06 / 0x4A;
    /// 70 养老保险类别: pension type.
    DF03_EF07_PENSION_TYPE = DF03_EF07 / 0x70;
    /// 71 参保地行政区划代码: insured region code.
    DF03_EF07_REGION = DF03_EF07 / 0x71;
    /// 6E 参加工作日期: work start date.
    DF03_EF07_WORK_START_DATE = DF03_EF07 / 0x6E;
    /// 6C 参保日期: insured since.
    DF03_EF07_INSURED_SINCE = DF03_EF07 / 0x6C;
    /// 6F 离退休日期: retirement date.
    DF03_EF07_RETIREMENT_DATE = DF03_EF07 / 0x6F;
    /// 73 待遇享受开始日期: benefit start date.
    DF03_EF07_BENEFIT_START = DF03_EF07 / 0x73;
    /// 7A 工伤保险参保地行政区划代码: work-injury insurance region.
    DF03_EF15_REGION = DF03_EF15 / 0x7A;
    /// 7B 参保日期: insured since.
    DF03_EF15_INSURED_SINCE = DF03_EF15 / 0x7B;
    /// 7C 待遇享受日期: benefit date.
    DF03_EF15_BENEFIT_DATE = DF03_EF15 / 0x7C;
    /// 51 生育保险参保地行政区划代码: maternity insurance region.
    DF03_EF16_REGION = DF03_EF16 / 0x51;
    /// 5F 参保状态: insurance status.
    DF03_EF16_STATUS = DF03_EF16 / 0x5F;
    /// 3B 工伤认定编号: recognition number.
    DF03_EF17_RECOGNITION_NUMBER = DF03_EF17 / 0x3B;
    /// 3C 认定单位: employer at injury.
    DF03_EF17_EMPLOYER = DF03_EF17 / 0x3C;
    /// 3D 认定结论: recognition conclusion.
    DF03_EF17_CONCLUSION = DF03_EF17 / 0x3D;
    /// 3E 认定日期: recognition date.
    DF03_EF17_RECOGNITION_DATE = DF03_EF17 / 0x3E;
    /// 3F 认定机构: recognising body.
    DF03_EF17_RECOGNISING_BODY = DF03_EF17 / 0x3F;
    /// 74 供养亲属关系: relationship.
    DF03_EF18_RELATIONSHIP = DF03_EF18 / 0x74;
    /// 75 行政区划代码: region code.
    DF03_EF18_REGION = DF03_EF18 / 0x75;
    /// 76 供养人数: number of dependants.
    DF03_EF18_DEPENDANTS = DF03_EF18 / 0x76;
    /// 77 开始日期: start date.
    DF03_EF18_START_DATE = DF03_EF18 / 0x77;
    /// 78 结束日期: end date.
    DF03_EF18_END_DATE = DF03_EF18 / 0x78;
    /// 79 参保凭证: insurance certificate, B-TLV, 4 fixed records (pension / medical /
    /// unemployment / reserved).
    DF03_EF19_CERTIFICATE = DF03_EF19 / 0x79;

    // ------------------------------------------------------------ DF04 (§3.7)
    /// 81 医疗保险类别: medical insurance type + flags (code table on the first 3 characters).
    DF04_EF05_INSURANCE_TYPE = DF04_EF05 / 0x81;
    /// 84 参保地行政区划代码: insured region code.
    DF04_EF05_REGION = DF04_EF05 / 0x84;
    /// 87 医疗保险个人编号: medical insurance personal number.
    DF04_EF05_PERSONAL_NUMBER = DF04_EF05 / 0x87;
    /// 8C 医疗人员类别: medical person category.
    DF04_EF05_PERSON_CATEGORY = DF04_EF05 / 0x8C;
    /// 80 参保日期: insured since.
    DF04_EF05_INSURED_SINCE = DF04_EF05 / 0x80;
    /// 8B 参保单位名称: insured employer.
    DF04_EF05_EMPLOYER = DF04_EF05 / 0x8B;
    /// 8A 联系电话: phone.
    DF04_EF05_PHONE = DF04_EF05 / 0x8A;
    /// 83 定点医疗机构1: designated hospital 1.
    DF04_EF05_HOSPITAL_1 = DF04_EF05 / 0x83;
    /// 86 定点医疗机构2: designated hospital 2.
    DF04_EF05_HOSPITAL_2 = DF04_EF05 / 0x86;
    /// 89 定点医疗机构3: designated hospital 3.
    DF04_EF05_HOSPITAL_3 = DF04_EF05 / 0x89;
    /// 7D 工伤定点医疗机构1: work-injury hospital 1.
    DF04_EF05_INJURY_HOSPITAL_1 = DF04_EF05 / 0x7D;
    /// 7E 工伤定点医疗机构2: work-injury hospital 2.
    DF04_EF05_INJURY_HOSPITAL_2 = DF04_EF05 / 0x7E;
    /// 7F 工伤定点医疗机构3: work-injury hospital 3.
    DF04_EF05_INJURY_HOSPITAL_3 = DF04_EF05 / 0x7F;
    /// 8D 生育定点医疗机构1: maternity hospital 1.
    DF04_EF05_MATERNITY_HOSPITAL_1 = DF04_EF05 / 0x8D;
    /// 8E 生育定点医疗机构2: maternity hospital 2.
    DF04_EF05_MATERNITY_HOSPITAL_2 = DF04_EF05 / 0x8E;
    /// 8F 卡使用模式: card usage mode.
    DF04_EF05_USAGE_MODE = DF04_EF05 / 0x8F;
    /// 90 脱机允许标志: offline allowed.
    DF04_EF06_OFFLINE_ALLOWED = DF04_EF06 / 0x90;
    /// 92 脱机累计金额: offline cumulative amount (fen).
    DF04_EF06_OFFLINE_AMOUNT = DF04_EF06 / 0x92;
    /// 93 脱机次数: offline count.
    DF04_EF06_OFFLINE_COUNT = DF04_EF06 / 0x93;

    // ------------------------------------------------------------ DF05 / DF06 (appendix B)
    /// A0 健康状况: health status.
    DF05_EF05_HEALTH_STATUS = DF05_EF05 / 0xA0;
    /// A1 残疾类别: disability class.
    DF05_EF05_DISABILITY_CLASS = DF05_EF05 / 0xA1;
    /// C0 救助对象单位或地址: assistance item C0.
    DF06_EF05_ITEM_C0 = DF06_EF05 / 0xC0;
    /// C2 救助证号: assistance certificate number.
    DF06_EF05_CERTIFICATE_NUMBER = DF06_EF05 / 0xC2;
    /// C3 救助信息1: assistance record 1, B-TLV.
    DF06_EF05_RECORD_1 = DF06_EF05 / 0xC3;
    /// C4 救助信息2: assistance record 2, B-TLV.
    DF06_EF05_RECORD_2 = DF06_EF05 / 0xC4;
    /// C5 救助信息3: assistance record 3, B-TLV.
    DF06_EF05_RECORD_3 = DF06_EF05 / 0xC5;
    /// C6 优抚项目: preferential item C6.
    DF06_EF06_ITEM_C6 = DF06_EF06 / 0xC6;
    /// C8 优抚证号: preferential-treatment certificate number.
    DF06_EF06_CERTIFICATE_NUMBER = DF06_EF06 / 0xC8;

    // ------------------------------------------------------------ DF07 (§3.7)
    /// F0 荣誉称号级别: honour level.
    DF07_EF05_HONOUR_LEVEL = DF07_EF05 / 0xF0;
    /// F1 荣誉类别: honour type.
    DF07_EF05_HONOUR_TYPE = DF07_EF05 / 0xF1;
    /// F2 授予日期: award date.
    DF07_EF05_AWARD_DATE = DF07_EF05 / 0xF2;
    /// F3 授予机构代码: awarding body code.
    DF07_EF05_AWARDING_BODY = DF07_EF05 / 0xF3;
    /// F4 日期: date (meaning not in the reference).
    DF07_EF05_DATE_F4 = DF07_EF05 / 0xF4;
    /// F5 专家类别: expert type.
    DF07_EF06_EXPERT_TYPE = DF07_EF06 / 0xF5;
    /// F6 批准日期: approval date.
    DF07_EF06_APPROVAL_DATE = DF07_EF06 / 0xF6;
    /// F7 批准机构: approving body.
    DF07_EF06_APPROVING_BODY = DF07_EF06 / 0xF7;
    /// F8 转业日期: demobilisation date.
    DF07_EF07_DEMOBILISATION_DATE = DF07_EF07 / 0xF8;
    /// F9 安置方式: placement type.
    DF07_EF07_PLACEMENT_TYPE = DF07_EF07 / 0xF9;
}

// Every constant has a table entry (so `ItemRef::spec` is `Some` for all of them).
const _: () = {
    let mut i = 0;
    while i < ALL.len() {
        assert!(
            ALL[i].spec().is_some(),
            "an item:: constant has no entry in items.rs"
        );
        i += 1;
    }
};
