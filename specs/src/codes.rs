//! Code tables of sscard-spec.md §3.8 and the card-number check character of §3.9.
//!
//! The codes themselves are from the reference. The reference gives only the code lists for most
//! tables; names come from the national standards they cite (GB 3304, GB/T 2261, GB/T 4658) and
//! common MOHRSS usage, and each table's `uncertain` note says which names are not in the reference.

use crate::types::CodeTableId;

/// One code: `(code, name_zh, name_en)`.
pub type CodeEntry = (&'static str, &'static str, &'static str);

/// A code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeTable {
    /// Identifier.
    pub id: CodeTableId,
    /// Chinese name of the table.
    pub name_zh: &'static str,
    /// English name of the table.
    pub name_en: &'static str,
    /// Entries in code order.
    pub entries: &'static [CodeEntry],
    /// Where this table is uncertain, a note citing the reference.
    pub uncertain: Option<&'static str>,
}

impl CodeTable {
    /// The entry with this code.
    pub fn lookup(&self, code: &str) -> Option<&'static CodeEntry> {
        self.entries.iter().find(|e| e.0 == code)
    }

    /// Whether `code` is in the table.
    pub fn contains(&self, code: &str) -> bool {
        self.lookup(code).is_some()
    }
}

/// Sex, GB/T 2261.1 (tag 0A, an 1).
pub static SEX: &[CodeEntry] = &[
    ("1", "男性", "male"),
    ("2", "女性", "female"),
    ("9", "未说明的性别", "unspecified"),
];

/// Ethnicity, GB 3304 (tag 0B, cn 1): 01–56 in standard order, plus 99 other.
pub static ETHNICITY: &[CodeEntry] = &[
    ("01", "汉族", "Han"),
    ("02", "蒙古族", "Mongol"),
    ("03", "回族", "Hui"),
    ("04", "藏族", "Zang (Tibetan)"),
    ("05", "维吾尔族", "Uygur"),
    ("06", "苗族", "Miao"),
    ("07", "彝族", "Yi"),
    ("08", "壮族", "Zhuang"),
    ("09", "布依族", "Buyei"),
    ("10", "朝鲜族", "Chosen (Korean)"),
    ("11", "满族", "Man (Manchu)"),
    ("12", "侗族", "Dong"),
    ("13", "瑶族", "Yao"),
    ("14", "白族", "Bai"),
    ("15", "土家族", "Tujia"),
    ("16", "哈尼族", "Hani"),
    ("17", "哈萨克族", "Kazak"),
    ("18", "傣族", "Dai"),
    ("19", "黎族", "Li"),
    ("20", "傈僳族", "Lisu"),
    ("21", "佤族", "Va"),
    ("22", "畲族", "She"),
    ("23", "高山族", "Gaoshan"),
    ("24", "拉祜族", "Lahu"),
    ("25", "水族", "Sui"),
    ("26", "东乡族", "Dongxiang"),
    ("27", "纳西族", "Naxi"),
    ("28", "景颇族", "Jingpo"),
    ("29", "柯尔克孜族", "Kirgiz"),
    ("30", "土族", "Tu"),
    ("31", "达斡尔族", "Daur"),
    ("32", "仫佬族", "Mulao"),
    ("33", "羌族", "Qiang"),
    ("34", "布朗族", "Blang"),
    ("35", "撒拉族", "Salar"),
    ("36", "毛南族", "Maonan"),
    ("37", "仡佬族", "Gelao"),
    ("38", "锡伯族", "Xibe"),
    ("39", "阿昌族", "Achang"),
    ("40", "普米族", "Pumi"),
    ("41", "塔吉克族", "Tajik"),
    ("42", "怒族", "Nu"),
    ("43", "乌孜别克族", "Uzbek"),
    ("44", "俄罗斯族", "Russ"),
    ("45", "鄂温克族", "Ewenki"),
    ("46", "德昂族", "Deang"),
    ("47", "保安族", "Bonan"),
    ("48", "裕固族", "Yugur"),
    ("49", "京族", "Gin"),
    ("50", "塔塔尔族", "Tatar"),
    ("51", "独龙族", "Derung"),
    ("52", "鄂伦春族", "Oroqen"),
    ("53", "赫哲族", "Hezhen"),
    ("54", "门巴族", "Monba"),
    ("55", "珞巴族", "Lhoba"),
    ("56", "基诺族", "Jino"),
    ("99", "其他", "other"),
];

/// Card category (tag 02, an 1), §3.3.
pub static CARD_CATEGORY: &[CodeEntry] = &[
    ("1", "学龄前", "pre-school"),
    ("2", "学生", "student"),
    ("3", "成人", "adult (default)"),
    ("4", "老年人", "elderly"),
];

/// Household registration type 户口性质 (tag 20, an 2), §3.8.
pub static HOUSEHOLD_TYPE: &[CodeEntry] = &[
    ("10", "非农业户口(城镇)", "non-agricultural (urban)"),
    ("11", "本地非农业户口(本地城镇)", "local non-agricultural"),
    (
        "12",
        "外地非农业户口(外地城镇)",
        "non-local non-agricultural",
    ),
    ("20", "农业户口(农村)", "agricultural (rural)"),
    ("21", "本地农业户口(本地农村)", "local agricultural"),
    ("22", "外地农业户口(外地农村)", "non-local agricultural"),
    (
        "30",
        "港澳台侨人员",
        "Hong Kong/Macao/Taiwan/overseas Chinese",
    ),
    ("31", "香港特别行政区居民", "Hong Kong resident"),
    ("32", "澳门特别行政区居民", "Macao resident"),
    ("33", "台湾地区居民", "Taiwan resident"),
    ("34", "华侨", "overseas Chinese"),
    ("40", "外国人", "foreigner"),
    (
        "41",
        "未取得永久居留权的外国人",
        "foreigner without permanent residence",
    ),
    (
        "42",
        "取得永久居留权的外国人",
        "foreigner with permanent residence",
    ),
    ("50", "居民户口", "resident household"),
    ("51", "本地居民户口", "local resident household"),
    ("52", "外地居民户口", "non-local resident household"),
];

/// Employment / retirement status (tag 29, an 1), §3.8: "1 employed … 8 other".
pub static EMPLOYMENT_STATUS: &[CodeEntry] = &[
    ("1", "在职", "employed"),
    ("2", "状态2", "status 2"),
    ("3", "状态3", "status 3"),
    ("4", "状态4", "status 4"),
    ("5", "状态5", "status 5"),
    ("6", "状态6", "status 6"),
    ("7", "状态7", "status 7"),
    ("8", "其他", "other"),
];

/// Marital status, GB/T 2261.2 single-digit form (tag 2B, an 1).
pub static MARITAL_STATUS: &[CodeEntry] = &[
    ("1", "未婚", "unmarried"),
    ("2", "已婚", "married"),
    ("3", "丧偶", "widowed"),
    ("4", "离婚", "divorced"),
    ("9", "其他", "other"),
];

/// Education, GB/T 4658 (tag 2A, cn 1).
pub static EDUCATION: &[CodeEntry] = &[
    ("11", "博士研究生", "doctorate"),
    ("14", "硕士研究生", "master"),
    ("21", "大学本科", "bachelor"),
    ("31", "大学专科", "college (3-year)"),
    ("41", "中等专科", "secondary specialised"),
    ("44", "职业高中", "vocational high school"),
    ("47", "技工学校", "technical school"),
    ("61", "普通高中", "high school"),
    ("71", "初中", "junior middle school"),
    ("81", "小学", "primary school"),
    ("90", "其他", "other"),
];

/// Medical insurance type: first 3 characters of tag 81 (§3.8). Characters 4–8 are 0/1 flags
/// ([`MEDICAL_INSURANCE_FLAGS`]).
pub static MEDICAL_INSURANCE_TYPE: &[CodeEntry] = &[
    (
        "310",
        "城镇职工基本医疗保险",
        "urban employee basic medical insurance",
    ),
    ("340", "离休人员医疗保障", "retired-cadre medical security"),
    ("360", "医疗保险类别360", "medical insurance type 360"),
    ("380", "医疗保险类别380", "medical insurance type 380"),
    (
        "390",
        "城镇居民基本医疗保险",
        "urban resident basic medical insurance",
    ),
    ("391", "医疗保险类别391", "medical insurance type 391"),
];

/// Meaning of characters 4–8 of tag 81 (each '0' or '1'), §3.8.
pub static MEDICAL_INSURANCE_FLAGS: [(&str, &str); 5] = [
    ("异地就医审批", "remote-treatment approval"),
    ("门诊统筹", "outpatient pooling"),
    ("门诊慢性病", "outpatient chronic disease"),
    ("医疗救助", "medical aid"),
    ("优抚对象补助", "entitled-group subsidy"),
];

/// Medical person category (tag 8C, cn 1), §3.8.
pub static MEDICAL_PERSON_CATEGORY: &[CodeEntry] = &[
    ("11", "在职", "employed"),
    ("21", "退休", "retired"),
    ("22", "人员类别22", "category 22"),
    ("31", "人员类别31", "category 31"),
    ("32", "人员类别32", "category 32"),
    ("33", "人员类别33", "category 33"),
    ("34", "人员类别34", "category 34"),
    ("91", "其他", "other"),
];

/// Card usage mode (tag 8F, an 1), §3.7.
pub static CARD_USAGE_MODE: &[CodeEntry] = &[("1", "联机", "online"), ("2", "脱机", "offline")];

/// Offline allowed (tag 90, an 1), §3.7.
pub static OFFLINE_ALLOWED: &[CodeEntry] =
    &[("0", "不允许", "not allowed"), ("1", "允许", "allowed")];

const NAMES_NOT_IN_REF: &str =
    "codes from sscard-spec.md §3.8; names not in the reference (placeholders where unknown)";

/// Every code table.
pub static CODE_TABLES: &[CodeTable] = &[
    CodeTable {
        id: CodeTableId::Sex,
        name_zh: "性别",
        name_en: "sex",
        entries: SEX,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::Ethnicity,
        name_zh: "民族",
        name_en: "ethnicity",
        entries: ETHNICITY,
        uncertain: Some("names from GB 3304 (reference gives codes 01-56, 99 only); 97/98 of GB 3304 not listed by the reference"),
    },
    CodeTable {
        id: CodeTableId::CardCategory,
        name_zh: "卡的类别",
        name_en: "card category",
        entries: CARD_CATEGORY,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::HouseholdType,
        name_zh: "户口性质",
        name_en: "household type",
        entries: HOUSEHOLD_TYPE,
        uncertain: Some("codes from §3.8; names from common MOHRSS usage, not in the reference"),
    },
    CodeTable {
        id: CodeTableId::EmploymentStatus,
        name_zh: "就业/退休状态",
        name_en: "employment status",
        entries: EMPLOYMENT_STATUS,
        uncertain: Some("§3.8 gives '1 employed … 8 other' only; names of 2-7 are placeholders"),
    },
    CodeTable {
        id: CodeTableId::MaritalStatus,
        name_zh: "婚姻状况",
        name_en: "marital status",
        entries: MARITAL_STATUS,
        uncertain: Some("names from GB/T 2261.2 (reference gives codes only)"),
    },
    CodeTable {
        id: CodeTableId::Education,
        name_zh: "文化程度",
        name_en: "education",
        entries: EDUCATION,
        uncertain: Some("names from GB/T 4658 (reference gives codes only)"),
    },
    CodeTable {
        id: CodeTableId::MedicalInsuranceType,
        name_zh: "医疗保险类别",
        name_en: "medical insurance type",
        entries: MEDICAL_INSURANCE_TYPE,
        uncertain: Some(NAMES_NOT_IN_REF),
    },
    CodeTable {
        id: CodeTableId::MedicalPersonCategory,
        name_zh: "医疗人员类别",
        name_en: "medical person category",
        entries: MEDICAL_PERSON_CATEGORY,
        uncertain: Some(NAMES_NOT_IN_REF),
    },
    CodeTable {
        id: CodeTableId::CardUsageMode,
        name_zh: "卡使用模式",
        name_en: "card usage mode",
        entries: CARD_USAGE_MODE,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::OfflineAllowed,
        name_zh: "脱机允许标志",
        name_en: "offline allowed",
        entries: OFFLINE_ALLOWED,
        uncertain: None,
    },
];

/// The code table `id`.
pub fn code_table(id: CodeTableId) -> Option<&'static CodeTable> {
    CODE_TABLES.iter().find(|t| t.id == id)
}

/// Look `code` up in table `id`.
pub fn lookup(id: CodeTableId, code: &str) -> Option<&'static CodeEntry> {
    code_table(id)?.lookup(code)
}

// ---------------------------------------------------------------- card number (§3.9)

/// Weights of the card-number check character, positions 1–8.
pub const CARD_NUMBER_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a card number is invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardNumberError {
    /// Position 1 is not a capital letter A–Z.
    FirstNotLetter,
    /// A character in positions 2–8 is not 0–9 / A–Z (1-based position).
    InvalidChar(u8),
    /// The check character (position 9) does not match; holds the expected one.
    CheckMismatch {
        /// The correct check character.
        expected: u8,
    },
}

impl core::fmt::Display for CardNumberError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CardNumberError::FirstNotLetter => {
                f.write_str("card number must start with a capital letter")
            }
            CardNumberError::InvalidChar(p) => write!(f, "invalid character at position {p}"),
            CardNumberError::CheckMismatch { expected } => {
                write!(
                    f,
                    "check character mismatch (expected '{}')",
                    char::from(*expected)
                )
            }
        }
    }
}

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The check character for the first 8 characters of a card number (§3.9):
/// `11 − (Σ Ci·Wi mod 11)`, 10 → `'X'`, 11 → `'0'`. `None` if `first8` is not 8 characters of
/// 0–9 / A–Z (position 1 is not checked for being a letter here; see [`validate_card_number`]).
pub fn card_number_check_char(first8: &[u8]) -> Option<u8> {
    if first8.len() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first8.iter().zip(CARD_NUMBER_WEIGHTS.iter()) {
        sum += char_value(*c)? * w;
    }
    let check = 11 - (sum % 11);
    Some(match check {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    })
}

/// Validate a 9-character card number (tag 07).
pub fn validate_card_number(number: &[u8; 9]) -> Result<(), CardNumberError> {
    let (first8, check) = number.split_at(8);
    if !first8.first().is_some_and(u8::is_ascii_uppercase) {
        return Err(CardNumberError::FirstNotLetter);
    }
    for (i, c) in first8.iter().enumerate().skip(1) {
        if char_value(*c).is_none() {
            return Err(CardNumberError::InvalidChar(i as u8 + 1));
        }
    }
    let expected = card_number_check_char(first8).ok_or(CardNumberError::InvalidChar(1))?;
    if check.first() == Some(&expected) {
        Ok(())
    } else {
        Err(CardNumberError::CheckMismatch { expected })
    }
}
