//! Code tables of sscard-spec.md §3.8 and the card-number check character of §3.9.
//!
//! The codes themselves are from the reference. The reference gives only the code lists for most
//! tables; names come from the national standards they cite (GB 3304, GB/T 2261, GB/T 4658) and
//! common MOHRSS usage, and each table's `uncertain` note says which names are not in the reference.

use crate::text::{note, text, Text};
use crate::types::CodeTableId;

/// One code: `(code, name_zh, name_en)`.
pub type CodeEntry = (&'static str, Text, Text);

/// A code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeTable {
    /// Identifier.
    pub id: CodeTableId,
    /// Chinese name of the table.
    pub name_zh: Text,
    /// English name of the table.
    pub name_en: Text,
    /// Entries in code order.
    pub entries: &'static [CodeEntry],
    /// Where this table is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
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
    ("1", text("男性"), text("male")),
    ("2", text("女性"), text("female")),
    ("9", text("未说明的性别"), text("unspecified")),
];

/// Ethnicity, GB 3304 (tag 0B, cn 1): 01–56 in standard order, plus 99 other.
pub static ETHNICITY: &[CodeEntry] = &[
    ("01", text("汉族"), text("Han")),
    ("02", text("蒙古族"), text("Mongol")),
    ("03", text("回族"), text("Hui")),
    ("04", text("藏族"), text("Zang (Tibetan)")),
    ("05", text("维吾尔族"), text("Uygur")),
    ("06", text("苗族"), text("Miao")),
    ("07", text("彝族"), text("Yi")),
    ("08", text("壮族"), text("Zhuang")),
    ("09", text("布依族"), text("Buyei")),
    ("10", text("朝鲜族"), text("Chosen (Korean)")),
    ("11", text("满族"), text("Man (Manchu)")),
    ("12", text("侗族"), text("Dong")),
    ("13", text("瑶族"), text("Yao")),
    ("14", text("白族"), text("Bai")),
    ("15", text("土家族"), text("Tujia")),
    ("16", text("哈尼族"), text("Hani")),
    ("17", text("哈萨克族"), text("Kazak")),
    ("18", text("傣族"), text("Dai")),
    ("19", text("黎族"), text("Li")),
    ("20", text("傈僳族"), text("Lisu")),
    ("21", text("佤族"), text("Va")),
    ("22", text("畲族"), text("She")),
    ("23", text("高山族"), text("Gaoshan")),
    ("24", text("拉祜族"), text("Lahu")),
    ("25", text("水族"), text("Sui")),
    ("26", text("东乡族"), text("Dongxiang")),
    ("27", text("纳西族"), text("Naxi")),
    ("28", text("景颇族"), text("Jingpo")),
    ("29", text("柯尔克孜族"), text("Kirgiz")),
    ("30", text("土族"), text("Tu")),
    ("31", text("达斡尔族"), text("Daur")),
    ("32", text("仫佬族"), text("Mulao")),
    ("33", text("羌族"), text("Qiang")),
    ("34", text("布朗族"), text("Blang")),
    ("35", text("撒拉族"), text("Salar")),
    ("36", text("毛南族"), text("Maonan")),
    ("37", text("仡佬族"), text("Gelao")),
    ("38", text("锡伯族"), text("Xibe")),
    ("39", text("阿昌族"), text("Achang")),
    ("40", text("普米族"), text("Pumi")),
    ("41", text("塔吉克族"), text("Tajik")),
    ("42", text("怒族"), text("Nu")),
    ("43", text("乌孜别克族"), text("Uzbek")),
    ("44", text("俄罗斯族"), text("Russ")),
    ("45", text("鄂温克族"), text("Ewenki")),
    ("46", text("德昂族"), text("Deang")),
    ("47", text("保安族"), text("Bonan")),
    ("48", text("裕固族"), text("Yugur")),
    ("49", text("京族"), text("Gin")),
    ("50", text("塔塔尔族"), text("Tatar")),
    ("51", text("独龙族"), text("Derung")),
    ("52", text("鄂伦春族"), text("Oroqen")),
    ("53", text("赫哲族"), text("Hezhen")),
    ("54", text("门巴族"), text("Monba")),
    ("55", text("珞巴族"), text("Lhoba")),
    ("56", text("基诺族"), text("Jino")),
    ("99", text("其他"), text("other")),
];

/// Card category (tag 02, an 1), §3.3.
pub static CARD_CATEGORY: &[CodeEntry] = &[
    ("1", text("学龄前"), text("pre-school")),
    ("2", text("学生"), text("student")),
    ("3", text("成人"), text("adult (default)")),
    ("4", text("老年人"), text("elderly")),
];

/// Household registration type 户口性质 (tag 20, an 2), §3.8.
pub static HOUSEHOLD_TYPE: &[CodeEntry] = &[
    (
        "10",
        text("非农业户口(城镇)"),
        text("non-agricultural (urban)"),
    ),
    (
        "11",
        text("本地非农业户口(本地城镇)"),
        text("local non-agricultural"),
    ),
    (
        "12",
        text("外地非农业户口(外地城镇)"),
        text("non-local non-agricultural"),
    ),
    ("20", text("农业户口(农村)"), text("agricultural (rural)")),
    (
        "21",
        text("本地农业户口(本地农村)"),
        text("local agricultural"),
    ),
    (
        "22",
        text("外地农业户口(外地农村)"),
        text("non-local agricultural"),
    ),
    (
        "30",
        text("港澳台侨人员"),
        text("Hong Kong/Macao/Taiwan/overseas Chinese"),
    ),
    ("31", text("香港特别行政区居民"), text("Hong Kong resident")),
    ("32", text("澳门特别行政区居民"), text("Macao resident")),
    ("33", text("台湾地区居民"), text("Taiwan resident")),
    ("34", text("华侨"), text("overseas Chinese")),
    ("40", text("外国人"), text("foreigner")),
    (
        "41",
        text("未取得永久居留权的外国人"),
        text("foreigner without permanent residence"),
    ),
    (
        "42",
        text("取得永久居留权的外国人"),
        text("foreigner with permanent residence"),
    ),
    ("50", text("居民户口"), text("resident household")),
    ("51", text("本地居民户口"), text("local resident household")),
    (
        "52",
        text("外地居民户口"),
        text("non-local resident household"),
    ),
];

/// Employment / retirement status (tag 29, an 1), §3.8: "1 employed … 8 other".
pub static EMPLOYMENT_STATUS: &[CodeEntry] = &[
    ("1", text("在职"), text("employed")),
    ("2", text("状态2"), text("status 2")),
    ("3", text("状态3"), text("status 3")),
    ("4", text("状态4"), text("status 4")),
    ("5", text("状态5"), text("status 5")),
    ("6", text("状态6"), text("status 6")),
    ("7", text("状态7"), text("status 7")),
    ("8", text("其他"), text("other")),
];

/// Marital status, GB/T 2261.2 single-digit form (tag 2B, an 1).
pub static MARITAL_STATUS: &[CodeEntry] = &[
    ("1", text("未婚"), text("unmarried")),
    ("2", text("已婚"), text("married")),
    ("3", text("丧偶"), text("widowed")),
    ("4", text("离婚"), text("divorced")),
    ("9", text("其他"), text("other")),
];

/// Education, GB/T 4658 (tag 2A, cn 1).
pub static EDUCATION: &[CodeEntry] = &[
    ("11", text("博士研究生"), text("doctorate")),
    ("14", text("硕士研究生"), text("master")),
    ("21", text("大学本科"), text("bachelor")),
    ("31", text("大学专科"), text("college (3-year)")),
    ("41", text("中等专科"), text("secondary specialised")),
    ("44", text("职业高中"), text("vocational high school")),
    ("47", text("技工学校"), text("technical school")),
    ("61", text("普通高中"), text("high school")),
    ("71", text("初中"), text("junior middle school")),
    ("81", text("小学"), text("primary school")),
    ("90", text("其他"), text("other")),
];

/// Medical insurance type: first 3 characters of tag 81 (§3.8). Characters 4–8 are 0/1 flags
/// ([`MEDICAL_INSURANCE_FLAGS`]).
pub static MEDICAL_INSURANCE_TYPE: &[CodeEntry] = &[
    (
        "310",
        text("城镇职工基本医疗保险"),
        text("urban employee basic medical insurance"),
    ),
    (
        "340",
        text("离休人员医疗保障"),
        text("retired-cadre medical security"),
    ),
    (
        "360",
        text("医疗保险类别360"),
        text("medical insurance type 360"),
    ),
    (
        "380",
        text("医疗保险类别380"),
        text("medical insurance type 380"),
    ),
    (
        "390",
        text("城镇居民基本医疗保险"),
        text("urban resident basic medical insurance"),
    ),
    (
        "391",
        text("医疗保险类别391"),
        text("medical insurance type 391"),
    ),
];

/// Meaning of characters 4–8 of tag 81 (each '0' or '1'), §3.8.
pub static MEDICAL_INSURANCE_FLAGS: [(Text, Text); 5] = [
    (text("异地就医审批"), text("remote-treatment approval")),
    (text("门诊统筹"), text("outpatient pooling")),
    (text("门诊慢性病"), text("outpatient chronic disease")),
    (text("医疗救助"), text("medical aid")),
    (text("优抚对象补助"), text("entitled-group subsidy")),
];

/// Medical person category (tag 8C, cn 1), §3.8.
pub static MEDICAL_PERSON_CATEGORY: &[CodeEntry] = &[
    ("11", text("在职"), text("employed")),
    ("21", text("退休"), text("retired")),
    ("22", text("人员类别22"), text("category 22")),
    ("31", text("人员类别31"), text("category 31")),
    ("32", text("人员类别32"), text("category 32")),
    ("33", text("人员类别33"), text("category 33")),
    ("34", text("人员类别34"), text("category 34")),
    ("91", text("其他"), text("other")),
];

/// Card usage mode (tag 8F, an 1), §3.7.
pub static CARD_USAGE_MODE: &[CodeEntry] = &[
    ("1", text("联机"), text("online")),
    ("2", text("脱机"), text("offline")),
];

/// Offline allowed (tag 90, an 1), §3.7.
pub static OFFLINE_ALLOWED: &[CodeEntry] = &[
    ("0", text("不允许"), text("not allowed")),
    ("1", text("允许"), text("allowed")),
];

const NAMES_NOT_IN_REF: &str =
    "codes from sscard-spec.md §3.8; names not in the reference (placeholders where unknown)";

/// Every code table.
pub static CODE_TABLES: &[CodeTable] = &[
    CodeTable {
        id: CodeTableId::Sex,
        name_zh: text("性别"),
        name_en: text("sex"),
        entries: SEX,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::Ethnicity,
        name_zh: text("民族"),
        name_en: text("ethnicity"),
        entries: ETHNICITY,
        uncertain: note("names from GB 3304 (reference gives codes 01-56, 99 only); 97/98 of GB 3304 not listed by the reference"),
    },
    CodeTable {
        id: CodeTableId::CardCategory,
        name_zh: text("卡的类别"),
        name_en: text("card category"),
        entries: CARD_CATEGORY,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::HouseholdType,
        name_zh: text("户口性质"),
        name_en: text("household type"),
        entries: HOUSEHOLD_TYPE,
        uncertain: note("codes from §3.8; names from common MOHRSS usage, not in the reference"),
    },
    CodeTable {
        id: CodeTableId::EmploymentStatus,
        name_zh: text("就业/退休状态"),
        name_en: text("employment status"),
        entries: EMPLOYMENT_STATUS,
        uncertain: note("§3.8 gives '1 employed … 8 other' only; names of 2-7 are placeholders"),
    },
    CodeTable {
        id: CodeTableId::MaritalStatus,
        name_zh: text("婚姻状况"),
        name_en: text("marital status"),
        entries: MARITAL_STATUS,
        uncertain: note("names from GB/T 2261.2 (reference gives codes only)"),
    },
    CodeTable {
        id: CodeTableId::Education,
        name_zh: text("文化程度"),
        name_en: text("education"),
        entries: EDUCATION,
        uncertain: note("names from GB/T 4658 (reference gives codes only)"),
    },
    CodeTable {
        id: CodeTableId::MedicalInsuranceType,
        name_zh: text("医疗保险类别"),
        name_en: text("medical insurance type"),
        entries: MEDICAL_INSURANCE_TYPE,
        uncertain: note(NAMES_NOT_IN_REF),
    },
    CodeTable {
        id: CodeTableId::MedicalPersonCategory,
        name_zh: text("医疗人员类别"),
        name_en: text("medical person category"),
        entries: MEDICAL_PERSON_CATEGORY,
        uncertain: note(NAMES_NOT_IN_REF),
    },
    CodeTable {
        id: CodeTableId::CardUsageMode,
        name_zh: text("卡使用模式"),
        name_en: text("card usage mode"),
        entries: CARD_USAGE_MODE,
        uncertain: None,
    },
    CodeTable {
        id: CodeTableId::OfflineAllowed,
        name_zh: text("脱机允许标志"),
        name_en: text("offline allowed"),
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardNumberError {
    /// Position 1 is not a capital letter A–Z.
    #[error("card number must start with a capital letter")]
    FirstNotLetter,
    /// A character in positions 2–8 is not 0–9 / A–Z (1-based position).
    #[error("invalid character at position {0}")]
    InvalidChar(u8),
    /// The check character (position 9) does not match; holds the expected one.
    #[error("check character mismatch (expected '{}')", char::from(*.expected))]
    CheckMismatch {
        /// The correct check character.
        expected: u8,
    },
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
