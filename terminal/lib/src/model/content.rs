//! What a path holds on a card: [`ReadResult`] (one item, or an EF / a record of it), the
//! [`EfContent`] of a whole EF by its structure, and the [`RecordValue`]s of cyclic EFs.

use serde::Serialize;
use sscard_specs::types::FieldSpec;

use crate::error::DataError;
use crate::model::item::ItemValue;
use crate::model::value::{self, Value};

/// One record of a cyclic EF (fields without tags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordValue {
    /// Record number (1 = newest).
    pub number: u8,
    /// Fields in record order: (English name, value).
    pub fields: Vec<(String, Value)>,
    /// The record bytes (hex).
    pub raw: String,
}

impl RecordValue {
    /// Decode record `number` of a cyclic EF laid out as `fields`.
    pub(crate) fn decode(
        number: u8,
        fields: &[FieldSpec],
        bytes: &[u8],
    ) -> Result<RecordValue, DataError> {
        let mut out = Vec::with_capacity(fields.len());
        let mut rest = bytes;
        for f in fields {
            let (v, r) =
                rest.split_at_checked(usize::from(f.len))
                    .ok_or_else(|| DataError::Malformed {
                        what: "cyclic record",
                        hex: hex::encode_upper(bytes),
                    })?;
            out.push((f.name_en.to_string(), value::decode_typed(f.data_type, v)?));
            rest = r;
        }
        Ok(RecordValue {
            number,
            fields: out,
            raw: hex::encode_upper(bytes),
        })
    }
}

/// The content of a whole EF.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "structure", rename_all = "snake_case")]
pub enum EfContent {
    /// Tagged records (variable or fixed), in card order.
    Records {
        /// Items.
        items: Vec<ItemValue>,
    },
    /// Cyclic records.
    Cyclic {
        /// Records, newest first.
        records: Vec<RecordValue>,
    },
    /// A transparent EF.
    Binary {
        /// Size in bytes.
        size: usize,
        /// Content (hex).
        hex: String,
    },
}

/// What `read` returns for one path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReadResult {
    /// One data item.
    Item(ItemValue),
    /// A whole EF (or one record of it).
    Ef {
        /// The path read.
        path: String,
        /// Its content.
        content: EfContent,
    },
}
