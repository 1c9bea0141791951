//! Every data item of sscard-spec.md §3.3–§3.7 (2.0/2.01/3.0 layout), one table per EF, items in
//! **record order** (repeated tags occupy consecutive records), plus the untagged field layouts of
//! the cyclic files. Lengths are the reference's hexadecimal lengths. The 1.0 differences are in
//! `layouts_v1::V1_LAYOUTS`.
//!
//! Record order: SSSE EF05/EF06 and DF01 EF15 are confirmed (§3.2, §3.3, §3.4). For the other EFs the
//! order is the order in which S-SPEC20 table 9 lists the items (as reproduced in §3.6/§3.7).
//!
//! Names: where the reference gives only tag, type and length (most of §3.7), the Chinese/English
//! names are descriptive and carry [`NAME_INFERRED`]; the tag, type and length are authoritative.

use crate::item::{self, ItemRef};
use crate::types::{CodeTableId as Code, DataType, FieldSpec, ItemSpec};

/// Note on items whose names are not given by the reference.
pub const NAME_INFERRED: &str =
    "name inferred: sscard-spec.md §3.7 gives only tag/type/length for this item";
/// Note on record order for EFs whose order is the table order of S-SPEC20.
pub const ORDER_FROM_TABLE: &str =
    "record order = S-SPEC20 table 9 order as listed in sscard-spec.md §3.7 (no trace confirms it)";

// Items take their tag from the `item::` constant (the one definition of every tag); B-TLV
// sub-items (`sub_an`, `sub_cn`) have no constant and keep their tag here.
const fn an(r: ItemRef, zh: &'static str, en: &'static str, len: u8) -> ItemSpec {
    ItemSpec::new(r.tag(), zh, en, DataType::An, len)
}
const fn cn(r: ItemRef, zh: &'static str, en: &'static str, len: u8) -> ItemSpec {
    ItemSpec::new(r.tag(), zh, en, DataType::Cn, len)
}
const fn btlv(
    r: ItemRef,
    zh: &'static str,
    en: &'static str,
    len: u8,
    sub: &'static [ItemSpec],
) -> ItemSpec {
    ItemSpec::new(r.tag(), zh, en, DataType::BTlv, len).sub(sub)
}
const fn sub_an(tag: u8, zh: &'static str, en: &'static str, len: u8) -> ItemSpec {
    ItemSpec::new(tag, zh, en, DataType::An, len)
}
const fn sub_cn(tag: u8, zh: &'static str, en: &'static str, len: u8) -> ItemSpec {
    ItemSpec::new(tag, zh, en, DataType::Cn, len)
}
const fn f(zh: &'static str, en: &'static str, t: DataType, len: u8) -> FieldSpec {
    FieldSpec::new(zh, en, t, len)
}

// ---------------------------------------------------------------- SSSE

/// SSSE EF05 发卡机构数据 (issuer data), §3.3. Record order 01..07.
pub static SSSE_EF05: &[ItemSpec] = &[
    cn(
        item::SSSE_EF05_CARD_ID,
        "卡的识别码",
        "card identification code",
        0x10,
    )
    .note("§3.3: S-CFT treats tag 01 as b; bytes 8-15 are binary (serial, auth code)"),
    an(item::SSSE_EF05_CATEGORY, "卡的类别", "card category", 0x01).code(Code::CardCategory),
    an(item::SSSE_EF05_VERSION, "规范版本", "spec version", 0x04),
    cn(
        item::SSSE_EF05_INIT_ORG,
        "初始化机构编号",
        "initialisation organisation number",
        0x0C,
    ),
    cn(item::SSSE_EF05_ISSUE_DATE, "发卡日期", "issue date", 0x04),
    cn(item::SSSE_EF05_EXPIRY_DATE, "卡有效期", "expiry date", 0x04),
    an(item::SSSE_EF05_CARD_NUMBER, "卡号", "card number", 0x09),
];

/// SSSE EF06 持卡人基本信息 (holder basic info), §3.4. Record order 08, 09, 4E, 0A, 0B, 0C, 0D.
pub static SSSE_EF06: &[ItemSpec] = &[
    an(
        item::SSSE_EF06_SSN,
        "社会保障号码",
        "social security number",
        0x12,
    ),
    an(item::SSSE_EF06_NAME, "姓名", "name", 0x1E),
    an(item::SSSE_EF06_NAME_EXT, "姓名扩展", "name extension", 0x14).star(),
    an(item::SSSE_EF06_SEX, "性别", "sex", 0x01).code(Code::Sex),
    cn(item::SSSE_EF06_ETHNICITY, "民族", "ethnicity", 0x01).code(Code::Ethnicity),
    cn(item::SSSE_EF06_BIRTHPLACE, "出生地", "birthplace", 0x03),
    cn(item::SSSE_EF06_BIRTH_DATE, "出生日期", "birth date", 0x04),
];

// ---------------------------------------------------------------- DF01

/// DF01 EF05 户籍信息 (household registration), §3.6.
pub static DF01_EF05: &[ItemSpec] = &[
    an(
        item::DF01_EF05_HOUSEHOLD_TYPE,
        "户口性质",
        "household type",
        0x02,
    )
    .code(Code::HouseholdType),
    an(
        item::DF01_EF05_HOUSEHOLD_ADDRESS,
        "户口所在地地址",
        "household registration address",
        0x50,
    ),
    cn(
        item::DF01_EF05_HOUSEHOLD_REGION,
        "户口所在地行政区划代码",
        "household region code",
        0x03,
    )
    .star(),
];

/// DF01 EF06 常住地/联系信息 (residence and contact), §3.6.
pub static DF01_EF06: &[ItemSpec] = &[
    an(
        item::DF01_EF06_RESIDENCE_ADDRESS,
        "常住所在地地址",
        "residence address",
        0x50,
    )
    .star(),
    cn(
        item::DF01_EF06_RESIDENCE_REGION,
        "常住所在地行政区划代码",
        "residence region code",
        0x03,
    )
    .star(),
    an(item::DF01_EF06_PHONE, "联系电话", "phone", 0x0F),
    an(
        item::DF01_EF06_CONTACT_NAME,
        "监护人或联系人姓名",
        "contact/guardian name",
        0x32,
    )
    .star(),
    an(
        item::DF01_EF06_CONTACT_PHONE,
        "监护人或联系人电话",
        "contact/guardian phone",
        0x0F,
    )
    .star(),
];

/// DF01 EF07 人员状态 (personal status), §3.6.
pub static DF01_EF07: &[ItemSpec] = &[an(
    item::DF01_EF07_EMPLOYMENT_STATUS,
    "就业/退休状态",
    "employment/retirement status",
    0x01,
)
.code(Code::EmploymentStatus)];

/// DF01 EF08 婚姻状况 (marital status), §3.6.
pub static DF01_EF08: &[ItemSpec] = &[an(
    item::DF01_EF08_MARITAL_STATUS,
    "婚姻状况",
    "marital status",
    0x01,
)
.code(Code::MaritalStatus)];

/// DF01 EF09 身份与单位 (identity and employer), §3.6.
pub static DF01_EF09: &[ItemSpec] = &[
    an(
        item::DF01_EF09_EMPLOYER_NAME,
        "单位名称",
        "employer name",
        0x46,
    ),
    an(
        item::DF01_EF09_EMPLOYER_ORG_CODE,
        "单位组织机构代码",
        "employer organisation code",
        0x09,
    ),
    an(
        item::DF01_EF09_PERSON_IDENTITY,
        "个人身份",
        "person identity category",
        0x02,
    )
    .star(),
];

/// DF01 EF0A 国籍与政治面貌 (nationality and political status), §3.6.
pub static DF01_EF0A: &[ItemSpec] = &[
    an(
        item::DF01_EF0A_NATIONALITY,
        "国籍",
        "nationality (ISO 3166 alpha-3)",
        0x03,
    )
    .star(),
    an(
        item::DF01_EF0A_POLITICAL_STATUS,
        "政治面貌",
        "political status",
        0x02,
    )
    .star(),
    cn(
        item::DF01_EF0A_PARTY_DATE,
        "入党时间",
        "party-joining date",
        0x04,
    )
    .star(),
];

/// Sub-items of DF01 EF15 tag 40 (degree), §3.6.
pub static DF01_EF15_40_SUB: &[ItemSpec] = &[
    sub_an(0x57, "学位代码", "degree code", 0x03),
    sub_cn(0x58, "所学专业", "major", 0x03),
    sub_an(0x59, "毕业院校", "school", 0x28),
];

/// DF01 EF15 学历 (education), §3.6. Record 1 = 2A, records 2-4 = 40 (S-JS reads degree n as record n+1).
pub static DF01_EF15: &[ItemSpec] = &[
    cn(item::DF01_EF15_EDUCATION, "文化程度", "education", 0x01).code(Code::Education),
    btlv(
        item::DF01_EF15_DEGREE,
        "学位信息",
        "degree information",
        0x34,
        DF01_EF15_40_SUB,
    )
    .repeat(3),
];

// ---------------------------------------------------------------- DF02

/// Sub-items of DF02 EF05 tag 43 (vocational qualification), §3.7.
pub static DF02_EF05_43_SUB: &[ItemSpec] = &[
    sub_an(0x5A, "职业(工种)代码", "occupation code", 0x07).note(NAME_INFERRED),
    sub_an(0x5B, "职业资格等级", "qualification level", 0x01).note(NAME_INFERRED),
    sub_an(0x5C, "发证机构", "issuing authority", 0x46).note(NAME_INFERRED),
    sub_cn(0x5D, "发证日期", "issue date", 0x04).note(NAME_INFERRED),
    sub_an(0x5E, "证书编号", "certificate number", 0x10).note(NAME_INFERRED),
];

/// Sub-items of DF02 EF05 tag 44 (professional title qualification), §3.7.
pub static DF02_EF05_44_SUB: &[ItemSpec] = &[
    sub_an(
        0x33,
        "专业技术资格代码",
        "professional qualification code",
        0x03,
    )
    .note(NAME_INFERRED),
    sub_an(0x34, "评审或发证机构", "issuing authority", 0x46).note(NAME_INFERRED),
    sub_cn(0x35, "取得日期", "date obtained", 0x04).note(NAME_INFERRED),
    sub_an(0x36, "证书编号", "certificate number", 0x10).note(NAME_INFERRED),
];

/// DF02 EF05 职业与技能 (occupation and skills), §3.7.
pub static DF02_EF05: &[ItemSpec] = &[
    an(
        item::DF02_EF05_TITLE_CODE,
        "专业技术职务代码",
        "professional title code",
        0x03,
    ),
    an(
        item::DF02_EF05_TITLE_LEVEL,
        "专业技术职务等级",
        "professional title level",
        0x03,
    )
    .star(),
    btlv(
        item::DF02_EF05_VOCATIONAL_QUALIFICATION,
        "职业资格信息",
        "vocational qualification",
        0x6C,
        DF02_EF05_43_SUB,
    )
    .repeat(2)
    .note(NAME_INFERRED),
    btlv(
        item::DF02_EF05_PROFESSIONAL_QUALIFICATION,
        "专业技术资格信息",
        "professional qualification",
        0x65,
        DF02_EF05_44_SUB,
    )
    .repeat(2)
    .note(NAME_INFERRED),
];

/// DF02 EF06 就业状态 (employment status), §3.7.
pub static DF02_EF06: &[ItemSpec] = &[
    cn(
        item::DF02_EF06_EMPLOYMENT_DATE,
        "就业登记日期",
        "employment registration date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF02_EF06_EMPLOYMENT_FORM,
        "就业形式",
        "employment form",
        0x05,
    )
    .star()
    .note(NAME_INFERRED),
    cn(
        item::DF02_EF06_EMPLOYMENT_REGION,
        "就业地行政区划代码",
        "employment region code",
        0x03,
    )
    .star()
    .note(NAME_INFERRED),
    cn(
        item::DF02_EF06_UNEMPLOYMENT_DATE,
        "最近一次失业登记日期",
        "last unemployment registration date",
        0x04,
    )
    .note("§3.7 rule: tag 60 exists in exactly one of DF02 EF06 / DF03 EF05"),
    an(
        item::DF02_EF06_UNEMPLOYMENT_REASON,
        "失业原因",
        "unemployment reason",
        0x06,
    )
    .star()
    .note(NAME_INFERRED),
    cn(
        item::DF02_EF06_UNEMPLOYMENT_REGION,
        "失业登记地行政区划代码",
        "unemployment registration region",
        0x03,
    )
    .star()
    .note(NAME_INFERRED),
    an(item::DF02_EF06_OCCUPATION, "职业(工种)", "occupation", 0x07).note(NAME_INFERRED),
];

/// DF02 EF07 就业经历 (employment history), cyclic 0x55, §3.7.
pub static DF02_EF07_FIELDS: &[FieldSpec] = &[
    f("职业(工种)", "occupation", DataType::An, 0x07),
    f("开始日期", "start date", DataType::Cn, 0x04),
    f("结束日期", "end date", DataType::Cn, 0x04),
    f("工作单位", "employer", DataType::An, 0x46),
];

/// DF02 EF09 就业失业登记证 (employment/unemployment registration certificate), §3.7.
pub static DF02_EF09: &[ItemSpec] = &[
    an(
        item::DF02_EF09_CERTIFICATE_NUMBER,
        "就业失业登记证号",
        "certificate number",
        0x10,
    )
    .star()
    .note(NAME_INFERRED),
    an(
        item::DF02_EF09_ISSUING_AUTHORITY,
        "发证机构",
        "issuing authority",
        0x46,
    )
    .star()
    .note(NAME_INFERRED),
    cn(item::DF02_EF09_ISSUE_DATE, "发证日期", "issue date", 0x04)
        .star()
        .note(NAME_INFERRED),
    cn(
        item::DF02_EF09_ISSUE_REGION,
        "发证地行政区划代码",
        "issuing region code",
        0x03,
    )
    .star()
    .note(NAME_INFERRED),
];

/// Sub-items of DF02 EF15 tag 99 (employment-aid recognition), §3.7.
pub static DF02_EF15_99_SUB: &[ItemSpec] = &[
    sub_an(0x10, "认定类别", "recognition type", 0x03).note(NAME_INFERRED),
    sub_cn(0x11, "认定日期", "recognition date", 0x04).note(NAME_INFERRED),
    sub_cn(0x12, "认定地行政区划代码", "recognition region code", 0x03).note(NAME_INFERRED),
];

/// DF02 EF15 就业援助认定 (employment-aid recognition), §3.7.
pub static DF02_EF15: &[ItemSpec] = &[
    btlv(
        item::DF02_EF15_AID_RECOGNITION,
        "就业援助认定信息",
        "employment-aid recognition",
        0x10,
        DF02_EF15_99_SUB,
    )
    .repeat(4)
    .note(NAME_INFERRED),
    cn(item::DF02_EF15_DATE_0F, "日期0F", "date 0F", 0x04).note(NAME_INFERRED),
    cn(
        item::DF02_EF15_REGION_1F,
        "行政区划代码1F",
        "region code 1F",
        0x03,
    )
    .note(NAME_INFERRED),
];

/// DF02 EF16 就业扶持政策 (employment-support policy), cyclic 0x12, §3.7.
pub static DF02_EF16_FIELDS: &[FieldSpec] = &[
    f("政策类别", "type", DataType::An, 0x03),
    f("审批日期", "approval date", DataType::Cn, 0x04),
    f("开始日期", "start date", DataType::Cn, 0x04),
    f("结束日期", "end date", DataType::Cn, 0x04),
    f("行政区划代码", "region code", DataType::Cn, 0x03),
];

// ---------------------------------------------------------------- DF03

/// DF03 EF05 失业保险 (unemployment insurance), §3.7.
pub static DF03_EF05: &[ItemSpec] = &[
    cn(
        item::DF03_EF05_REGION,
        "失业保险参保地行政区划代码",
        "unemployment insurance region",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF05_UNEMPLOYMENT_DATE,
        "最近一次失业登记日期",
        "last unemployment registration date",
        0x04,
    )
    .note("§3.7 rule: tag 60 exists in exactly one of DF02 EF06 / DF03 EF05"),
    cn(
        item::DF03_EF05_BENEFIT_START,
        "失业保险金领取开始日期",
        "benefit start date",
        0x04,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF05_BENEFIT_END,
        "失业保险金领取终止日期",
        "benefit end date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF05_CONTRIBUTION_YEARS,
        "累计缴费年限",
        "contribution years",
        0x03,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF05_CONTRIBUTION_MONTHS,
        "累计缴费月数",
        "contribution months",
        0x03,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF05_MONTHS_GRANTED,
        "应领取月数",
        "benefit months granted",
        0x03,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF05_MONTHS_DRAWN,
        "已领取月数",
        "benefit months drawn",
        0x03,
    )
    .note(NAME_INFERRED),
];

/// Sub-items of DF03 EF06 tag 4A (appraisal record), §3.7.
pub static DF03_EF06_4A_SUB: &[ItemSpec] = &[
    sub_an(0x13, "鉴定类别", "appraisal type", 0x02).note(NAME_INFERRED),
    sub_an(0x14, "鉴定等级", "appraisal level", 0x01).note(NAME_INFERRED),
    sub_an(0x15, "鉴定编号", "appraisal number", 0x14).note(NAME_INFERRED),
    sub_cn(0x16, "鉴定日期", "appraisal date", 0x04).note(NAME_INFERRED),
    sub_an(0x17, "鉴定机构", "appraisal body", 0x3C).note(NAME_INFERRED),
];

/// DF03 EF06 劳动能力鉴定 (work-capacity appraisal), §3.7.
pub static DF03_EF06: &[ItemSpec] = &[
    an(
        item::DF03_EF06_APPRAISAL_NUMBER,
        "鉴定编号",
        "appraisal number",
        0x14,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF06_DISABILITY_GRADE,
        "伤残等级",
        "disability grade",
        0x02,
    )
    .note(NAME_INFERRED),
    an(item::DF03_EF06_CARE_LEVEL, "护理等级", "care level", 0x02).note(NAME_INFERRED),
    an(
        item::DF03_EF06_APPRAISAL_TYPE,
        "鉴定类别",
        "appraisal type",
        0x01,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF06_CONCLUSION,
        "鉴定结论",
        "appraisal conclusion",
        0x01,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF06_APPRAISAL_DATE,
        "鉴定日期",
        "appraisal date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF06_APPRAISAL_BODY,
        "鉴定机构",
        "appraisal body",
        0x3C,
    )
    .note(NAME_INFERRED),
    btlv(
        item::DF03_EF06_APPRAISAL_RECORD,
        "鉴定记录",
        "appraisal record",
        0x61,
        DF03_EF06_4A_SUB,
    )
    .repeat(3)
    .note(NAME_INFERRED),
];

/// DF03 EF07 养老保险 (pension), §3.7.
pub static DF03_EF07: &[ItemSpec] = &[
    an(
        item::DF03_EF07_PENSION_TYPE,
        "养老保险类别",
        "pension type",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF07_REGION,
        "参保地行政区划代码",
        "insured region code",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF07_WORK_START_DATE,
        "参加工作日期",
        "work start date",
        0x04,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF07_INSURED_SINCE,
        "参保日期",
        "insured since",
        0x04,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF07_RETIREMENT_DATE,
        "离退休日期",
        "retirement date",
        0x04,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF07_BENEFIT_START,
        "待遇享受开始日期",
        "benefit start date",
        0x04,
    )
    .note(NAME_INFERRED),
];

/// DF03 EF15 工伤保险 (work-injury insurance), §3.7.
pub static DF03_EF15: &[ItemSpec] = &[
    cn(
        item::DF03_EF15_REGION,
        "工伤保险参保地行政区划代码",
        "work-injury insurance region",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF15_INSURED_SINCE,
        "参保日期",
        "insured since",
        0x04,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF15_BENEFIT_DATE,
        "待遇享受日期",
        "benefit date",
        0x04,
    )
    .note(NAME_INFERRED),
];

/// DF03 EF16 生育保险 (maternity insurance), §3.7.
pub static DF03_EF16: &[ItemSpec] = &[
    cn(
        item::DF03_EF16_REGION,
        "生育保险参保地行政区划代码",
        "maternity insurance region",
        0x03,
    )
    .note(NAME_INFERRED),
    an(item::DF03_EF16_STATUS, "参保状态", "insurance status", 0x01).note(NAME_INFERRED),
];

/// DF03 EF17 工伤认定 (work-injury recognition), §3.7.
pub static DF03_EF17: &[ItemSpec] = &[
    an(
        item::DF03_EF17_RECOGNITION_NUMBER,
        "工伤认定编号",
        "recognition number",
        0x14,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF17_EMPLOYER,
        "认定单位",
        "employer at injury",
        0x46,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF17_CONCLUSION,
        "认定结论",
        "recognition conclusion",
        0x01,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF03_EF17_RECOGNITION_DATE,
        "认定日期",
        "recognition date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF03_EF17_RECOGNISING_BODY,
        "认定机构",
        "recognising body",
        0x3C,
    )
    .note(NAME_INFERRED),
];

/// DF03 EF18 供养亲属 (dependants), §3.7.
pub static DF03_EF18: &[ItemSpec] = &[
    an(
        item::DF03_EF18_RELATIONSHIP,
        "供养亲属关系",
        "relationship",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(item::DF03_EF18_REGION, "行政区划代码", "region code", 0x03).note(NAME_INFERRED),
    cn(
        item::DF03_EF18_DEPENDANTS,
        "供养人数",
        "number of dependants",
        0x01,
    )
    .note(NAME_INFERRED),
    cn(item::DF03_EF18_START_DATE, "开始日期", "start date", 0x04).note(NAME_INFERRED),
    cn(item::DF03_EF18_END_DATE, "结束日期", "end date", 0x04).note(NAME_INFERRED),
];

/// Sub-items of DF03 EF19 tag 79 (insurance certificate), §3.7.
pub static DF03_EF19_79_SUB: &[ItemSpec] = &[
    sub_an(0x18, "险种", "insurance type", 0x03).note(NAME_INFERRED),
    sub_cn(0x19, "参保地行政区划代码", "insured region code", 0x03).note(NAME_INFERRED),
    sub_cn(0x1A, "参保日期", "insured since", 0x04).note(NAME_INFERRED),
    sub_cn(0x1B, "缴费截止日期", "paid until", 0x04).note(NAME_INFERRED),
    sub_cn(0x1C, "金额(分)", "amount (fen)", 0x04).note("§3.7 says cn 04 (fen); name inferred"),
    sub_an(0x1D, "缴费月数", "months paid", 0x03).note(NAME_INFERRED),
    sub_cn(0x1E, "日期1E", "date 1E", 0x04).note(NAME_INFERRED),
];

/// DF03 EF19 参保凭证 (insurance certificates), fixed 4 × 0x29, §3.7: pension / medical /
/// unemployment / reserved.
pub static DF03_EF19: &[ItemSpec] = &[btlv(
    item::DF03_EF19_CERTIFICATE,
    "参保凭证",
    "insurance certificate",
    0x27,
    DF03_EF19_79_SUB,
)
.repeat(4)];

// ---------------------------------------------------------------- DF04

/// DF04 EF05 医疗保险基本信息 (medical insurance basic), §3.7.
pub static DF04_EF05: &[ItemSpec] = &[
    an(
        item::DF04_EF05_INSURANCE_TYPE,
        "医疗保险类别",
        "medical insurance type + flags",
        0x08,
    )
    .code(Code::MedicalInsuranceType)
    .note("§3.8: code table applies to the first 3 characters; chars 4-8 are 0/1 flags"),
    cn(
        item::DF04_EF05_REGION,
        "参保地行政区划代码",
        "insured region code",
        0x03,
    )
    .note(NAME_INFERRED),
    an(
        item::DF04_EF05_PERSONAL_NUMBER,
        "医疗保险个人编号",
        "medical insurance personal number",
        0x11,
    )
    .note(NAME_INFERRED),
    cn(
        item::DF04_EF05_PERSON_CATEGORY,
        "医疗人员类别",
        "medical person category",
        0x01,
    )
    .code(Code::MedicalPersonCategory),
    cn(
        item::DF04_EF05_INSURED_SINCE,
        "参保日期",
        "insured since",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF04_EF05_EMPLOYER,
        "参保单位名称",
        "insured employer",
        0x1D,
    )
    .note(NAME_INFERRED),
    an(item::DF04_EF05_PHONE, "联系电话", "phone", 0x0F).note(NAME_INFERRED),
    an(
        item::DF04_EF05_HOSPITAL_1,
        "定点医疗机构1",
        "designated hospital 1",
        0x09,
    ),
    an(
        item::DF04_EF05_HOSPITAL_2,
        "定点医疗机构2",
        "designated hospital 2",
        0x09,
    ),
    an(
        item::DF04_EF05_HOSPITAL_3,
        "定点医疗机构3",
        "designated hospital 3",
        0x09,
    ),
    an(
        item::DF04_EF05_INJURY_HOSPITAL_1,
        "工伤定点医疗机构1",
        "work-injury hospital 1",
        0x09,
    ),
    an(
        item::DF04_EF05_INJURY_HOSPITAL_2,
        "工伤定点医疗机构2",
        "work-injury hospital 2",
        0x09,
    ),
    an(
        item::DF04_EF05_INJURY_HOSPITAL_3,
        "工伤定点医疗机构3",
        "work-injury hospital 3",
        0x09,
    ),
    an(
        item::DF04_EF05_MATERNITY_HOSPITAL_1,
        "生育定点医疗机构1",
        "maternity hospital 1",
        0x09,
    ),
    an(
        item::DF04_EF05_MATERNITY_HOSPITAL_2,
        "生育定点医疗机构2",
        "maternity hospital 2",
        0x09,
    ),
    an(
        item::DF04_EF05_USAGE_MODE,
        "卡使用模式",
        "card usage mode",
        0x01,
    )
    .code(Code::CardUsageMode),
];

/// DF04 EF06 临时脱机结算 (temporary-offline settlement), §3.7.
pub static DF04_EF06: &[ItemSpec] = &[
    an(
        item::DF04_EF06_OFFLINE_ALLOWED,
        "脱机允许标志",
        "offline allowed",
        0x01,
    )
    .code(Code::OfflineAllowed),
    cn(
        item::DF04_EF06_OFFLINE_AMOUNT,
        "脱机累计金额",
        "offline cumulative amount (fen)",
        0x04,
    ),
    an(
        item::DF04_EF06_OFFLINE_COUNT,
        "脱机次数",
        "offline count",
        0x02,
    ),
];

/// DF04 EF08 医疗交易记录 (medical transaction log), cyclic 0x1C, §3.7.
pub static DF04_EF08_FIELDS: &[FieldSpec] = &[
    f("交易序号", "transaction sequence", DataType::B, 0x02),
    f(
        "交易类型",
        "type ('1' account load, '2' settlement)",
        DataType::An,
        0x01,
    ),
    f("终端机编号", "terminal number", DataType::Cn, 0x06),
    f("交易时间", "time", DataType::Cn, 0x07),
    f(
        "个人账户金额",
        "personal-account amount (fen)",
        DataType::B,
        0x04,
    ),
    f("自付金额", "self-pay amount (fen)", DataType::B, 0x04),
    f("统筹金额", "pooled-fund amount (fen)", DataType::B, 0x04),
];

/// DF04 EF15 特殊结算记录 (special settlement log), cyclic 0x03, §3.7.
pub static DF04_EF15_FIELDS: &[FieldSpec] = &[
    f("交易序号", "transaction sequence", DataType::B, 0x02),
    f(
        "结算类别",
        "settlement class ('1' work injury, '2' maternity, '3' medical aid, '9' other)",
        DataType::An,
        0x01,
    ),
];

/// DF04 COS-internal medical-insurance amount file (offline mode only), §2.2. Not an EF hosts can
/// select; listed for the card OS. Types are \[I\]: the reference gives names and sizes only.
pub static DF04_AMOUNT_FILE_FIELDS: &[FieldSpec] = &[
    f("联机交易计数器", "online counter", DataType::B, 2),
    f("脱机交易计数器", "offline counter", DataType::B, 2),
    f("余额", "balance (fen)", DataType::B, 4),
    f("年度自付累计", "yearly self-pay (fen)", DataType::B, 4),
    f("年度统筹累计", "yearly pooled-fund (fen)", DataType::B, 4),
    f("缴费年度", "pay year", DataType::Cn, 2),
    f("年度起始日期", "year start date (MMDD)", DataType::Cn, 2),
];

// ---------------------------------------------------------------- DF05 / DF06 (appendix B)

/// Note on the appendix-B DFs.
pub const APPENDIX_B_PARTIAL: &str =
    "appendix B: sscard-spec.md §3.7 lists only some items ('…'); the rest are not in the reference";

/// DF05 EF05 健康信息 (health), appendix B, §3.7: A0, A1; further A-tags are not in the reference.
pub static DF05_EF05: &[ItemSpec] = &[
    an(
        item::DF05_EF05_HEALTH_STATUS,
        "健康状况",
        "health status",
        0x01,
    ),
    an(
        item::DF05_EF05_DISABILITY_CLASS,
        "残疾类别",
        "disability class",
        0x01,
    ),
];

/// Sub-items of DF06 EF05 tags C3/C4/C5, appendix B, §3.7.
pub static DF06_EF05_C3_SUB: &[ItemSpec] = &[
    sub_cn(0xE3, "救助类别", "assistance type", 0x01).note(NAME_INFERRED),
    sub_cn(0xE4, "批准日期", "approval date", 0x04).note(NAME_INFERRED),
    sub_cn(0xE5, "开始日期", "start date", 0x04).note(NAME_INFERRED),
    sub_cn(0xE6, "结束日期", "end date", 0x04).note(NAME_INFERRED),
    sub_cn(0xE7, "行政区划代码", "region code", 0x03).note(NAME_INFERRED),
];

/// DF06 EF05 社会救助 (social assistance), appendix B, §3.7 (C1 not in reference).
pub static DF06_EF05: &[ItemSpec] = &[
    an(
        item::DF06_EF05_ITEM_C0,
        "救助对象单位或地址",
        "assistance item C0",
        0x46,
    )
    .note(NAME_INFERRED),
    an(
        item::DF06_EF05_CERTIFICATE_NUMBER,
        "救助证号",
        "assistance item C2",
        0x09,
    )
    .note(NAME_INFERRED),
    btlv(
        item::DF06_EF05_RECORD_1,
        "救助信息1",
        "assistance record 1",
        0x1A,
        DF06_EF05_C3_SUB,
    )
    .note(NAME_INFERRED),
    btlv(
        item::DF06_EF05_RECORD_2,
        "救助信息2",
        "assistance record 2",
        0x1A,
        DF06_EF05_C3_SUB,
    )
    .note(NAME_INFERRED),
    btlv(
        item::DF06_EF05_RECORD_3,
        "救助信息3",
        "assistance record 3",
        0x1A,
        DF06_EF05_C3_SUB,
    )
    .note(NAME_INFERRED),
];

/// DF06 EF06 优待抚恤 (preferential treatment), appendix B, §3.7: C6, C8 only; C9–E2 are "cn, see
/// spec" and not in the reference.
pub static DF06_EF06: &[ItemSpec] = &[
    an(
        item::DF06_EF06_ITEM_C6,
        "优抚项目C6",
        "preferential item C6",
        0x46,
    )
    .note(NAME_INFERRED),
    an(
        item::DF06_EF06_CERTIFICATE_NUMBER,
        "优抚证号",
        "preferential item C8",
        0x09,
    )
    .note(NAME_INFERRED),
];

// ---------------------------------------------------------------- DF07

/// DF07 EF05 荣誉 (honours), §3.7.
pub static DF07_EF05: &[ItemSpec] = &[
    an(
        item::DF07_EF05_HONOUR_LEVEL,
        "荣誉称号级别",
        "honour level",
        0x02,
    )
    .note(NAME_INFERRED),
    an(item::DF07_EF05_HONOUR_TYPE, "荣誉类别", "honour type", 0x01).note(NAME_INFERRED),
    cn(item::DF07_EF05_AWARD_DATE, "授予日期", "award date", 0x04).note(NAME_INFERRED),
    an(
        item::DF07_EF05_AWARDING_BODY,
        "授予机构代码",
        "awarding body code",
        0x03,
    )
    .note(NAME_INFERRED),
    cn(item::DF07_EF05_DATE_F4, "日期F4", "date F4", 0x04).note(NAME_INFERRED),
];

/// DF07 EF06 专家 (experts), §3.7.
pub static DF07_EF06: &[ItemSpec] = &[
    an(item::DF07_EF06_EXPERT_TYPE, "专家类别", "expert type", 0x03).note(NAME_INFERRED),
    cn(
        item::DF07_EF06_APPROVAL_DATE,
        "批准日期",
        "approval date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF07_EF06_APPROVING_BODY,
        "批准机构",
        "approving body",
        0x46,
    )
    .note(NAME_INFERRED),
];

/// DF07 EF07 军转干部 (demobilised officers), §3.7.
pub static DF07_EF07: &[ItemSpec] = &[
    cn(
        item::DF07_EF07_DEMOBILISATION_DATE,
        "转业日期",
        "demobilisation date",
        0x04,
    )
    .note(NAME_INFERRED),
    an(
        item::DF07_EF07_PLACEMENT_TYPE,
        "安置方式",
        "placement type",
        0x01,
    )
    .note(NAME_INFERRED),
];
