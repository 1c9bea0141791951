//! The card's identity and its holder as types: SSSE EF05 ([`IssuerData`], with the
//! [`CardId`]) and EF06 ([`Holder`]), decoded from their [`EfRecords`] with the item definitions
//! of `sscard_specs` and the codecs in [`crate::model::value`]; coded values keep their code-table
//! meaning ([`Coded`]).

use serde::Serialize;
use sscard_specs::codes::{self, validate_card_number};
use sscard_specs::item::{self, ItemRef};
use sscard_specs::types::CodeTableId;

use crate::error::DataError;
use crate::model::records::EfRecords;
use sscard_specs::family::{DateCoding, Family};

use crate::model::value::{decode_an, decode_cn, decode_cn_lenient};

/// A coded value with its meaning from the code table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coded {
    /// The code as stored.
    pub code: String,
    /// Chinese meaning, when the code is in the table.
    pub zh: Option<String>,
    /// English meaning, when the code is in the table.
    pub en: Option<String>,
}

impl Coded {
    fn new(table: CodeTableId, code: String) -> Self {
        let entry = codes::lookup(table, &code);
        Coded {
            zh: entry.map(|e| e.1.to_string()),
            en: entry.map(|e| e.2.to_string()),
            code,
        }
    }
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.zh {
            Some(zh) => write!(f, "{} ({})", zh, self.code),
            None => write!(f, "{}", self.code),
        }
    }
}

/// The card identification code (EF05 tag 01, 16 bytes; sscard-spec.md §3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardId {
    /// Application city code (6 digits, GB/T 2260), bytes 0–2.
    pub region: String,
    /// The SSC RID `D156000005`, bytes 3–7.
    pub rid: String,
    /// Card serial number assigned at initialisation, bytes 8–11 (hex).
    pub serial: String,
    /// Authentication code, bytes 12–15 (hex).
    pub auth_code: String,
    /// All 16 bytes (hex), as the national interface prints the card identification code.
    pub raw: String,
}

impl CardId {
    /// Split the 16-byte card identification code.
    pub fn parse(bytes: &[u8]) -> Result<Self, DataError> {
        let malformed = || DataError::Malformed {
            what: "card identification code (EF05/01)",
            hex: hex::encode_upper(bytes),
        };
        if bytes.len() != 16 {
            return Err(malformed());
        }
        let region = decode_cn(&bytes[0..3]).map_err(|_| malformed())?;
        Ok(CardId {
            region,
            rid: hex::encode_upper(&bytes[3..8]),
            serial: hex::encode_upper(&bytes[8..12]),
            auth_code: hex::encode_upper(&bytes[12..16]),
            raw: hex::encode_upper(bytes),
        })
    }
}

/// SSSE EF05: issuer data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssuerData {
    /// Card identification code (01).
    pub card_id: CardId,
    /// Card category (02).
    pub category: Coded,
    /// Spec version (03), e.g. "2.00", "3.00" (test cards store "2.0").
    pub version: String,
    /// Initialisation organisation number (04), digits.
    pub init_org: String,
    /// Issue date (05), YYYYMMDD.
    pub issue_date: String,
    /// Expiry date (06), YYYYMMDD.
    pub expiry_date: String,
    /// Card number (07), 9 characters, check character validated.
    pub card_number: String,
}

/// SSSE EF06: cardholder basic information.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Social security number (08) = citizen ID for Chinese nationals.
    pub ssn: String,
    /// Name: tag 09 followed by the 2.0 name extension 4E, decoded from GBK.
    pub name: String,
    /// Sex (0A).
    pub sex: Coded,
    /// Ethnicity (0B).
    pub ethnicity: Coded,
    /// Birthplace region code (0C).
    pub birthplace: String,
    /// Birth date (0D), YYYYMMDD.
    pub birth_date: String,
}

/// The value bytes of `item` (first occurrence) in `recs`.
fn item_bytes(recs: &EfRecords, item: ItemRef) -> Result<&[u8], DataError> {
    recs.get(item.tag())
        .ok_or_else(|| DataError::Missing(item.path().to_string()))
}

/// Decodes the items of one EF by the rules of a card family: the family's item lengths, its
/// `an` padding (00, 0x20, or 00 then 0x20) and its date codings (BCD `YYYYMMDD`, ASCII year).
/// Bytes that do not fit are [`DataError::Item`] naming the item, never a guessed value.
#[derive(Clone, Copy, Debug)]
pub struct FamilyDecoder<'a> {
    recs: &'a EfRecords,
    family: &'static Family,
    family_name: &'a str,
}

impl<'a> FamilyDecoder<'a> {
    /// Decode `recs` by `family`'s rules; `family_name` names them in errors (e.g.
    /// `national-2.00 (family not recognised)`).
    pub fn new(recs: &'a EfRecords, family: &'static Family, family_name: &'a str) -> Self {
        FamilyDecoder {
            recs,
            family,
            family_name,
        }
    }

    fn error(&self, item: ItemRef, problem: String, bytes: &[u8]) -> DataError {
        DataError::Item {
            item: item.path().to_string(),
            family: self.family_name.to_string(),
            problem,
            hex: hex::encode_upper(bytes),
        }
    }

    /// The value bytes of `item`, of the length the family gives it.
    pub fn bytes(&self, item: ItemRef) -> Result<&'a [u8], DataError> {
        let b = item_bytes(self.recs, item)?;
        if let Some(r) = self.family.item(item.ef(), item.tag(), 1) {
            if b.len() != usize::from(r.len) {
                return Err(self.error(
                    item,
                    format!("{} bytes where the family stores {}", b.len(), r.len),
                    b,
                ));
            }
        }
        Ok(b)
    }

    /// The bytes of an optional item (`None` when the card has no such record).
    pub fn optional(&self, item: ItemRef) -> Result<Option<&'a [u8]>, DataError> {
        match self.recs.get(item.tag()) {
            None => Ok(None),
            Some(_) => self.bytes(item).map(Some),
        }
    }

    /// An `an` value: the family's padding removed, GBK decoded.
    pub fn an(&self, item: ItemRef) -> Result<String, DataError> {
        let b = self.bytes(item)?;
        self.an_value(item, b)
    }

    fn an_value(&self, item: ItemRef, b: &[u8]) -> Result<String, DataError> {
        let text = decode_an(self.family.trim_an(b))
            .map_err(|_| self.error(item, "not GBK text".into(), b))?;
        if text.chars().any(char::is_control) {
            return Err(self.error(item, "control characters inside the text".into(), b));
        }
        Ok(text)
    }

    /// A date in the family's coding: `YYYYMMDD` (BCD) or `YYYY` (ASCII year).
    pub fn date(&self, item: ItemRef) -> Result<String, DataError> {
        let b = self.bytes(item)?;
        let coding = self.family.date_coding(item);
        let d = coding.decode(b).ok_or_else(|| {
            let what = match coding {
                DateCoding::BcdYyyymmdd => "not a BCD date YYYYMMDD",
                DateCoding::AsciiYear => "not an ASCII year YYYY",
            };
            self.error(item, what.into(), b)
        })?;
        Ok(match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}{m:02}{day:02}", d.year),
            _ => format!("{:04}", d.year),
        })
    }
}

/// The defined length of an item (0 cannot happen: every `item::` constant has its table entry).
const fn item_len(item: ItemRef) -> usize {
    match item.spec() {
        Some(spec) => spec.len as usize,
        None => 0,
    }
}

/// Bytes of the name (EF06/09).
pub(crate) const NAME_LEN: usize = item_len(item::SSSE_EF06_NAME);
/// Bytes of the name extension (EF06/4E, 2.0 and later).
pub(crate) const NAME_EXT_LEN: usize = item_len(item::SSSE_EF06_NAME_EXT);

impl IssuerData {
    /// Decode EF05's records by the rules of a card family (see [`FamilyDecoder`]).
    pub fn decode(d: &FamilyDecoder<'_>) -> Result<Self, DataError> {
        let card_number = d.an(item::SSSE_EF05_CARD_NUMBER)?;
        check_card_number(&card_number)?;
        Ok(IssuerData {
            card_id: CardId::parse(d.bytes(item::SSSE_EF05_CARD_ID)?)?,
            category: Coded::new(CodeTableId::CardCategory, d.an(item::SSSE_EF05_CATEGORY)?),
            version: d.an(item::SSSE_EF05_VERSION)?,
            init_org: decode_cn_lenient(d.bytes(item::SSSE_EF05_INIT_ORG)?),
            issue_date: d.date(item::SSSE_EF05_ISSUE_DATE)?,
            expiry_date: d.date(item::SSSE_EF05_EXPIRY_DATE)?,
            card_number,
        })
    }
}

/// Validate the card number's check character (sscard-spec.md §3.9). The national interface uses
/// the first 9 characters.
pub fn check_card_number(number: &str) -> Result<(), DataError> {
    let bytes = number.as_bytes();
    let Some(first9) = bytes.get(..9).and_then(|b| <&[u8; 9]>::try_from(b).ok()) else {
        return Err(DataError::Malformed {
            what: "card number (EF05/07)",
            hex: hex::encode_upper(bytes),
        });
    };
    if validate_card_number(first9).is_err() {
        let expected = codes::card_number_check_char(&first9[..8]).map_or('?', char::from);
        return Err(DataError::CardNumberCheck {
            number: number.to_string(),
            expected,
        });
    }
    Ok(())
}

impl Holder {
    /// Decode EF06's records by the rules of a card family (see [`FamilyDecoder`]). The name
    /// extension (4E) is optional (absent on 1.0 and Shanghai cards).
    pub fn decode(d: &FamilyDecoder<'_>) -> Result<Self, DataError> {
        let mut name = d.an(item::SSSE_EF06_NAME)?;
        if let Some(ext) = d.optional(item::SSSE_EF06_NAME_EXT)? {
            // GBK is decoded per item: a double-byte character never spans 09 and 4E (the card
            // writer splits on character boundaries), and 09's padding is dropped first.
            name.push_str(&d.an_value(item::SSSE_EF06_NAME_EXT, ext)?);
        }
        Ok(Holder {
            ssn: d.an(item::SSSE_EF06_SSN)?,
            name,
            sex: Coded::new(CodeTableId::Sex, d.an(item::SSSE_EF06_SEX)?),
            ethnicity: Coded::new(
                CodeTableId::Ethnicity,
                decode_cn_lenient(d.bytes(item::SSSE_EF06_ETHNICITY)?),
            ),
            birthplace: decode_cn_lenient(d.bytes(item::SSSE_EF06_BIRTHPLACE)?),
            birth_date: d.date(item::SSSE_EF06_BIRTH_DATE)?,
        })
    }
}

/// Split a name into the 09 (30 bytes) and 4E (20 bytes) parts on a GBK character boundary.
pub fn split_name(name: &str) -> Result<(Vec<u8>, Option<Vec<u8>>), DataError> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(name);
    if unmappable {
        return Err(DataError::NotGbk {
            text: name.to_string(),
        });
    }
    const MAIN: usize = NAME_LEN;
    const EXT: usize = NAME_EXT_LEN;
    if bytes.len() > MAIN + EXT {
        return Err(DataError::TooLong {
            max: MAIN + EXT,
            got: bytes.len(),
        });
    }
    if bytes.len() <= MAIN {
        let mut main = bytes.into_owned();
        main.resize(MAIN, 0);
        return Ok((main, None));
    }
    // Walk characters so a double-byte character is not split.
    let mut cut = 0;
    let mut i = 0;
    while i < bytes.len() {
        let w = if bytes[i] >= 0x81 { 2 } else { 1 };
        if i + w > MAIN {
            break;
        }
        i += w;
        cut = i;
    }
    let mut main = bytes[..cut].to_vec();
    main.resize(MAIN, 0);
    let mut ext = bytes[cut..].to_vec();
    if ext.len() > EXT {
        return Err(DataError::TooLong {
            max: MAIN + EXT,
            got: bytes.len(),
        });
    }
    ext.resize(EXT, 0);
    Ok((main, Some(ext)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real Hunan test card's EF05 (sscard-spec.md §8).
    const HUNAN_EF05: &str = "01104302 99D15600 00050000 00133A05 F2E30201 33030432 2E300004 0C915600 00024302 00430100 D5050432 30313206 04323032 32070942 30303030 30313331";

    #[test]
    fn decodes_the_real_hunan_ef05() {
        let bytes = hex::decode(HUNAN_EF05.replace(' ', "")).unwrap();
        let recs = EfRecords::from_concatenated(&bytes).unwrap();
        assert_eq!(recs.len(), 7);
        let f = &sscard_specs::family::HUNAN_2_0_TEST;
        let d = IssuerData::decode(&FamilyDecoder::new(&recs, f, f.name)).unwrap();
        assert_eq!(d.card_id.region, "430299");
        assert_eq!(d.card_id.rid, "D156000005");
        assert_eq!(d.card_id.serial, "00000013");
        assert_eq!(d.card_id.auth_code, "3A05F2E3");
        assert_eq!(d.category.code, "3");
        assert_eq!(d.version, "2.0");
        assert_eq!(d.card_number, "B00000131");
        assert_eq!(
            (d.issue_date.as_str(), d.expiry_date.as_str()),
            ("2012", "2022")
        );
        // Read by the national 2.00 rules, the ASCII years are named, not guessed.
        let n = sscard_specs::family::national_for(sscard_specs::SpecVersion::V2_00);
        let e = IssuerData::decode(&FamilyDecoder::new(&recs, n, n.name)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SSSE/EF05/05: not a BCD date YYYYMMDD (read as national-2.00): 32303132"
        );
    }

    #[test]
    fn bad_check_character_is_a_data_error() {
        assert!(check_card_number("B00000131").is_ok());
        assert_eq!(
            check_card_number("B00000132"),
            Err(DataError::CardNumberCheck {
                number: "B00000132".into(),
                expected: '1'
            })
        );
    }

    #[test]
    fn long_names_split_on_character_boundaries() {
        let name = "爱新觉罗·启星玛丽亚特蕾莎娜塔莉"; // 32 GBK bytes
        let (main, ext) = split_name(name).unwrap();
        let ext = ext.unwrap();
        assert_eq!(main.len(), 30);
        assert_eq!(ext.len(), 20);
        let mut recs = EfRecords::new();
        recs.push(0x09, main);
        recs.push(0x4E, ext);
        let joined = format!(
            "{}{}",
            decode_an(recs.get(0x09).unwrap()).unwrap(),
            decode_an(recs.get(0x4E).unwrap()).unwrap()
        );
        assert_eq!(joined, name);
    }
}
