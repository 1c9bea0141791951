//! [`ItemValue`]: one data item decoded by its definition in `sscard_specs` (name, type, value,
//! raw bytes), and the lookup of an item's definition on a card of a given spec version.

use serde::Serialize;
use sscard_specs::paths::ItemPath;
use sscard_specs::{EfSpec, ItemSpec, SpecVersion};

use crate::error::DataError;
use crate::model::value::{self, Value};

/// One decoded data item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemValue {
    /// Path, e.g. `DF04/EF05/81`, `DF01/EF15/40#2`.
    pub path: String,
    /// Tag, 2 hex digits.
    pub tag: String,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Encoding (`an`, `cn`, `b`, `B-TLV`).
    #[serde(rename = "type")]
    pub data_type: &'static str,
    /// Decoded value.
    pub value: Value,
    /// The value bytes as stored (hex).
    pub raw: String,
}

/// The path of the `occurrence`-th item `tag` of `ef` (`DF01/EF15/40#2`).
pub(crate) fn item_path(ef: &EfSpec, tag: u8, occurrence: u8) -> ItemPath {
    ItemPath {
        df: ef.df,
        ef: ef.fid,
        tag: Some(tag),
        occurrence,
    }
}

/// The item with `tag` in `ef` as laid out on a card of `version` (1.0 layouts differ in
/// lengths), or the 2.0 definition when the version is unknown.
pub(crate) fn item_spec(
    ef: &EfSpec,
    tag: u8,
    version: Option<SpecVersion>,
) -> Option<&'static ItemSpec> {
    match version {
        Some(v) => ef
            .items_for(v)
            .iter()
            .find(|i| i.tag == tag)
            .or_else(|| ef.item(tag)),
        None => ef.item(tag),
    }
}

impl ItemValue {
    /// Decode the value bytes of the `occurrence`-th item `tag` of `ef` on a card of `version`.
    /// Tags the specs do not know are shown as binary.
    pub(crate) fn decode(
        ef: &EfSpec,
        tag: u8,
        occurrence: u8,
        bytes: &[u8],
        version: Option<SpecVersion>,
    ) -> Result<ItemValue, DataError> {
        let (name_zh, name_en, data_type, value) = match item_spec(ef, tag, version) {
            Some(i) => (
                i.name_zh,
                i.name_en,
                value::type_name(i.data_type),
                value::decode(i, bytes)?,
            ),
            None => (
                "未知",
                "unknown item",
                "b",
                Value::Text(hex::encode_upper(bytes)),
            ),
        };
        Ok(ItemValue {
            path: item_path(ef, tag, occurrence).to_string(),
            tag: format!("{tag:02X}"),
            name_zh,
            name_en,
            data_type,
            value,
            raw: hex::encode_upper(bytes),
        })
    }
}
