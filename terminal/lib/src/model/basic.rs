//! [`BasicInfo`]: the service-window view of a card — SSSE EF05 (issuer data) and EF06
//! (cardholder basic information) decoded by the rules of the card's family, with the family,
//! the security profile and the ATR's historical bytes. What `Session::read_basic_info` returns
//! and `national::read_card_bas` formats.

use serde::Serialize;
use sscard_specs::family::Family;
use sscard_specs::paths::ItemPath;
use sscard_specs::types::DataType;
use sscard_specs::EfSpec;

pub use crate::model::card::FamilyDecoder;
use crate::model::card::{Holder, IssuerData};
use crate::model::records::EfRecords;
use crate::model::value::{decode_an, decode_cn_lenient};

/// The service-window view of a card: SSSE EF05 and EF06, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BasicInfo {
    /// Issuer data (EF05).
    pub issuer: IssuerData,
    /// Holder basic information (EF06).
    pub holder: Holder,
    /// Security profile in use (`sscard-2`, `sscard-3`).
    pub profile: &'static str,
    /// Algorithm id from the FCI (`None` when absent).
    pub algorithm_id: Option<u8>,
    /// The ATR's historical bytes (卡复位信息), hex.
    pub reset_info: String,
    /// The card family recognised from the card's answers (`sscard_specs::family`, e.g.
    /// `national-2.00`, `shanghai-2.10`); `None` when no family fits: the data was then read by
    /// the national rules of its version.
    pub family: Option<&'static str>,
    /// Items the national tables do not have, as the family stores them (Shanghai EF06 tag 0E,
    /// Jiangsu EF0D).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<ExtraItem>,
}

/// An item of a family that the national tables do not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtraItem {
    /// Path (`SSSE/EF06/0E`, `SSSE/EF0D/EA`).
    pub path: String,
    /// The item's name as the family table gives it.
    pub name: String,
    /// Its value: text for `an`, digits for `cn`, hex otherwise.
    pub value: String,
}

/// The records of `ef` that are not national items on `family`, decoded by their family table
/// entry.
pub(crate) fn extra_items(ef: &EfSpec, family: &Family, recs: &EfRecords) -> Vec<ExtraItem> {
    let mut out = Vec::new();
    for (tag, value) in recs.iter() {
        let Some(rec) = family.item(ef, tag, 1).filter(|r| !r.national) else {
            continue;
        };
        let text = match rec.data_type {
            DataType::An => {
                decode_an(family.trim_an(value)).unwrap_or_else(|_| hex::encode_upper(value))
            }
            DataType::Cn => decode_cn_lenient(value),
            DataType::B | DataType::Dec | DataType::BTlv => hex::encode_upper(value),
        };
        out.push(ExtraItem {
            path: ItemPath {
                df: ef.df,
                ef: ef.fid,
                tag: Some(tag),
                occurrence: 1,
            }
            .to_string(),
            name: rec.spec.name_en.to_string(),
            value: text,
        });
    }
    out
}
