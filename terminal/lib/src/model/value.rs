//! Data-item values: the one codec between a card item's bytes and its text form, driven by the
//! item's type and length in `sscard_specs` (sscard-spec.md §3.1).
//!
//! - `an`: GBK text (ASCII is a subset), left-aligned, right-padded with `00` on the card;
//! - `cn`: packed BCD digits, right-padded with nibble `F`;
//! - `b`: binary, shown as upper-case hex;
//! - `B-TLV`: a group of sub-items, each itself an `tag | len | value` record.

use encoding_rs::GBK;
use serde::Serialize;
use sscard_apdu::record::RecordIter;
use sscard_specs::types::{DataType, ItemSpec};

use crate::error::DataError;

/// A decoded item value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Text of an `an` item or the digits of a `cn` item (padding removed).
    Text(String),
    /// The sub-items of a B-TLV group, in card order: (tag as two hex digits, value).
    Group(Vec<(String, Value)>),
}

impl Value {
    /// The text, for non-group values.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::Group(_) => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Group(items) => {
                f.write_str("{")?;
                for (i, (tag, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{tag}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Decode `an` bytes: strip the `00` padding (and trailing spaces), decode GBK strictly.
pub fn decode_an(bytes: &[u8]) -> Result<String, DataError> {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0x00 && b != 0xFF)
        .map_or(0, |p| p + 1);
    let trimmed = bytes.get(..end).unwrap_or_default();
    let (text, had_errors) = GBK.decode_without_bom_handling(trimmed);
    if had_errors {
        return Err(DataError::BadText {
            hex: hex::encode_upper(bytes),
        });
    }
    Ok(text.trim_end_matches(['\0', ' ']).to_string())
}

/// Encode text as `an` of the defined length: GBK, right-padded with `00`.
pub fn encode_an(text: &str, len: usize) -> Result<Vec<u8>, DataError> {
    let (bytes, _, unmappable) = GBK.encode(text);
    if unmappable {
        return Err(DataError::NotGbk {
            text: text.to_string(),
        });
    }
    if bytes.len() > len {
        return Err(DataError::TooLong {
            max: len,
            got: bytes.len(),
        });
    }
    let mut out = bytes.into_owned();
    out.resize(len, 0x00);
    Ok(out)
}

/// Decode `cn` bytes (BCD): digits up to the first `F` nibble. Any other non-digit nibble is an error.
pub fn decode_cn(bytes: &[u8]) -> Result<String, DataError> {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nib in [b >> 4, b & 0x0F] {
            match nib {
                0..=9 => s.push(char::from(b'0' + nib)),
                0x0F => return Ok(s),
                _ => {
                    return Err(DataError::BadBcd {
                        hex: hex::encode_upper(bytes),
                    })
                }
            }
        }
    }
    Ok(s)
}

/// Encode digits as `cn` of the defined length: packed BCD, right-padded with nibble `F`.
pub fn encode_cn(digits: &str, len: usize) -> Result<Vec<u8>, DataError> {
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DataError::NotDigits {
            text: digits.to_string(),
        });
    }
    if digits.len() > len * 2 {
        return Err(DataError::TooLong {
            max: len * 2,
            got: digits.len(),
        });
    }
    let mut nibbles: Vec<u8> = digits.bytes().map(|c| c - b'0').collect();
    nibbles.resize(len * 2, 0x0F);
    Ok(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Decode a plain (non-group) value of type `t`; a B-TLV value is shown as hex.
pub fn decode_typed(t: DataType, bytes: &[u8]) -> Result<Value, DataError> {
    match t {
        DataType::An => decode_an(bytes).map(Value::Text),
        DataType::Cn => decode_cn(bytes).map(Value::Text),
        DataType::B | DataType::Dec | DataType::BTlv => Ok(Value::Text(hex::encode_upper(bytes))),
    }
}

/// The short name of a data type as the spec writes it: `an`, `cn`, `b`, `B-TLV`, `dec`.
pub fn type_name(t: DataType) -> &'static str {
    match t {
        DataType::An => "an",
        DataType::Cn => "cn",
        DataType::B => "b",
        DataType::BTlv => "B-TLV",
        DataType::Dec => "dec",
    }
}

/// Decode an item's value bytes according to its spec. A `cn` value that is not BCD is shown
/// as its bytes in hex (the card identification code, `cn` in the tables, carries a binary
/// serial and authentication code: sscard-spec.md §3.3).
pub fn decode(item: &ItemSpec, bytes: &[u8]) -> Result<Value, DataError> {
    match item.data_type {
        DataType::Cn => Ok(Value::Text(
            decode_cn(bytes).unwrap_or_else(|_| hex::encode_upper(bytes)),
        )),
        DataType::An | DataType::B | DataType::Dec => decode_typed(item.data_type, bytes),
        DataType::BTlv => {
            let mut out = Vec::new();
            for rec in RecordIter::new(bytes) {
                let rec = rec.map_err(|_| DataError::Malformed {
                    what: "B-TLV group",
                    hex: hex::encode_upper(bytes),
                })?;
                let sub = item.sub_items.iter().find(|s| s.tag == rec.tag);
                let v = match sub {
                    Some(s) => decode(s, rec.value)?,
                    None => Value::Text(hex::encode_upper(rec.value)),
                };
                out.push((format!("{:02X}", rec.tag), v));
            }
            Ok(Value::Group(out))
        }
    }
}

/// Encode an item's value from text according to its spec (the inverse of [`decode`] for `an`,
/// `cn` and `b`). B-TLV groups take their sub-items as `TT=value;TT=value`.
pub fn encode(item: &ItemSpec, text: &str) -> Result<Vec<u8>, DataError> {
    let len = usize::from(item.len);
    match item.data_type {
        DataType::An => encode_an(text, len),
        DataType::Cn => encode_cn(text, len),
        DataType::B | DataType::Dec => {
            let bytes = hex::decode(text.trim()).map_err(|_| DataError::NotHex {
                text: text.to_string(),
            })?;
            if bytes.len() > len {
                return Err(DataError::TooLong {
                    max: len,
                    got: bytes.len(),
                });
            }
            let mut out = bytes;
            out.resize(len, 0x00);
            Ok(out)
        }
        DataType::BTlv => {
            let mut out = Vec::new();
            for part in text.split(';').filter(|p| !p.trim().is_empty()) {
                let (tag, val) = part.split_once('=').ok_or_else(|| DataError::BadGroup {
                    text: text.to_string(),
                })?;
                let tag = u8::from_str_radix(tag.trim(), 16).map_err(|_| DataError::BadGroup {
                    text: text.to_string(),
                })?;
                let sub = item
                    .sub_items
                    .iter()
                    .find(|s| s.tag == tag)
                    .ok_or_else(|| DataError::BadGroup {
                        text: text.to_string(),
                    })?;
                let v = encode(sub, val)?;
                out.push(tag);
                out.push(sub.len);
                out.extend_from_slice(&v);
            }
            if out.len() > len {
                return Err(DataError::TooLong {
                    max: len,
                    got: out.len(),
                });
            }
            Ok(out)
        }
    }
}

/// A date item (`cn 4`, YYYYMMDD) decoded leniently: BCD when that gives a 19xx/20xx date;
/// ASCII digits otherwise (the Hunan test card stores "2012" as `32 30 31 32`, sscard-spec.md §3.1).
pub fn decode_date(bytes: &[u8]) -> String {
    let bcd = decode_cn_lenient(bytes);
    if bcd.starts_with("19") || bcd.starts_with("20") {
        return bcd;
    }
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        return bytes.iter().map(|&b| char::from(b)).collect();
    }
    bcd
}

/// A `cn` item decoded leniently: BCD digits, or — for the anomalies of real test cards (dates
/// stored as ASCII "2012", an init-org number ending in a hex digit, sscard-spec.md §3.1, §8) —
/// the ASCII text when the bytes are printable, else upper-case hex. Never an error: these items
/// are shown, not computed with.
pub fn decode_cn_lenient(bytes: &[u8]) -> String {
    if let Ok(s) = decode_cn(bytes) {
        return s;
    }
    if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic()) {
        return bytes.iter().map(|&b| char::from(b)).collect();
    }
    hex::encode_upper(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_gbk_round_trip() {
        let enc = encode_an("王小明", 0x1E).unwrap();
        assert_eq!(&enc[..6], &[0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7]);
        assert_eq!(enc.len(), 30);
        assert_eq!(decode_an(&enc).unwrap(), "王小明");
    }

    #[test]
    fn an_too_long_is_an_error() {
        assert!(matches!(
            encode_an("12345", 4),
            Err(DataError::TooLong { max: 4, got: 5 })
        ));
    }

    #[test]
    fn cn_padding() {
        assert_eq!(encode_cn("430102", 3).unwrap(), vec![0x43, 0x01, 0x02]);
        assert_eq!(encode_cn("123", 3).unwrap(), vec![0x12, 0x3F, 0xFF]);
        assert_eq!(decode_cn(&[0x12, 0x3F, 0xFF]).unwrap(), "123");
        assert!(decode_cn(&[0x1A]).is_err());
        assert!(encode_cn("12a", 3).is_err());
    }

    proptest::proptest! {
        #[test]
        fn cn_round_trips(digits in "[0-9]{0,16}", extra in 0usize..3) {
            let len = digits.len().div_ceil(2) + extra;
            let enc = encode_cn(&digits, len).unwrap();
            proptest::prop_assert_eq!(enc.len(), len);
            proptest::prop_assert_eq!(decode_cn(&enc).unwrap(), digits);
        }

        #[test]
        fn an_round_trips(text in "[A-Za-z0-9 王小明北京市区·]{0,12}") {
            let text = text.trim_end().to_string();
            let enc = encode_an(&text, 0x1E).unwrap();
            proptest::prop_assert_eq!(decode_an(&enc).unwrap(), text);
        }

        #[test]
        fn decoders_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let _ = decode_an(&bytes);
            let _ = decode_cn(&bytes);
            for item in sscard_specs::items::DF01_EF15 {
                let _ = decode(item, &bytes);
            }
        }
    }
}
