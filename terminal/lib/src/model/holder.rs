//! Holder profiles (`demo/holder.toml`): what `sscard personalize` writes to a blank card.
//!
//! ```toml
//! [card]
//! spec_version = "2.00"
//! region = "110100"
//! serial = "00000001"
//! category = "3"
//! init_org = "915600000211000011010001"
//! issue_date = "20240115"
//! expiry_date = "20340114"
//! card_number = "A00000011"
//! pin = "123456"
//!
//! [holder]
//! ssn = "110101199003071233"
//! name = "王小明"
//! sex = "1"
//! ethnicity = "01"
//! birthplace = "110101"
//! birth_date = "19900307"
//!
//! [items]
//! "DF01/EF05/20" = "10"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sscard_specs::item;
use sscard_specs::types::CodeTableId;
use sscard_specs::{codes, SpecVersion};

pub use crate::error::HolderProfileError;
use crate::error::{DataError, Result};
use crate::model::card::{check_card_number, split_name, NAME_EXT_LEN, NAME_LEN};

/// `[card]`: issuer data and the card identity.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CardSection {
    /// Spec version ("1.00", "2.00", "2.01", "3.00"; 3.00 selects the SM4 suite).
    pub spec_version: String,
    /// Application city code, 6 digits (card id bytes 0–2).
    pub region: String,
    /// Card serial, 8 hex digits (card id bytes 8–11).
    pub serial: String,
    /// Card category (EF05/02).
    pub category: String,
    /// Initialisation organisation number, 24 digits (EF05/04).
    pub init_org: String,
    /// Issue date YYYYMMDD (EF05/05).
    pub issue_date: String,
    /// Expiry date YYYYMMDD (EF05/06).
    pub expiry_date: String,
    /// Card number, 9 characters with check character (EF05/07).
    pub card_number: String,
    /// The holder's PIN.
    pub pin: String,
}

/// `[holder]`: SSSE EF06.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HolderSection {
    /// Social security number (EF06/08).
    pub ssn: String,
    /// Name (EF06/09, continued in EF06/4E beyond 30 GBK bytes).
    pub name: String,
    /// Sex code (EF06/0A).
    pub sex: String,
    /// Ethnicity code (EF06/0B).
    pub ethnicity: String,
    /// Birthplace region code (EF06/0C).
    pub birthplace: String,
    /// Birth date YYYYMMDD (EF06/0D).
    pub birth_date: String,
}

/// A holder profile file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HolderProfile {
    /// Card section.
    pub card: CardSection,
    /// Holder section.
    pub holder: HolderSection,
    /// Further items by path (text for an/cn, hex for b, `TT=v;TT=v` for B-TLV).
    #[serde(default)]
    pub items: BTreeMap<String, String>,
}

/// One write of a personalisation: an item path and either text or raw value bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedValue {
    /// Text, encoded by the item's type.
    Text(String),
    /// Value bytes as they go on the card.
    Bytes(Vec<u8>),
}

fn check_code(table: CodeTableId, item: &str, code: &str) -> Result<()> {
    if codes::lookup(table, code).is_none() {
        return Err(DataError::UnknownCode {
            item: item.to_string(),
            code: code.to_string(),
        }
        .into());
    }
    Ok(())
}

impl HolderProfile {
    /// Parse TOML text.
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| HolderProfileError::Syntax(e.message().to_string()).into())
    }

    /// Read and parse a holder profile.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| HolderProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text)
    }

    /// The spec version.
    pub fn version(&self) -> Result<SpecVersion> {
        SpecVersion::parse_str(&self.card.spec_version).ok_or_else(|| {
            HolderProfileError::UnknownVersion(self.card.spec_version.clone()).into()
        })
    }

    /// Check the values that have a check character or a code table.
    pub fn validate(&self) -> Result<()> {
        self.version()?;
        check_card_number(&self.card.card_number)?;
        check_code(
            CodeTableId::CardCategory,
            item::SSSE_EF05_CATEGORY.path(),
            &self.card.category,
        )?;
        check_code(
            CodeTableId::Sex,
            item::SSSE_EF06_SEX.path(),
            &self.holder.sex,
        )?;
        check_code(
            CodeTableId::Ethnicity,
            item::SSSE_EF06_ETHNICITY.path(),
            &self.holder.ethnicity,
        )?;
        Ok(())
    }

    /// The writes of a personalisation, in order: EF05 02, 04–07, EF06 08, 09, 4E (2.0+), 0A–0D,
    /// then `[items]`. EF05/01 (card id) and 03 (version) are burnt in by the factory.
    pub fn plan(&self) -> Result<Vec<(String, PlannedValue)>> {
        self.validate()?;
        let v = self.version()?;
        let t = |p: &str, s: &str| (p.to_string(), PlannedValue::Text(s.to_string()));
        let c = &self.card;
        let h = &self.holder;
        let mut out = vec![
            t(item::SSSE_EF05_CATEGORY.path(), &c.category),
            t(item::SSSE_EF05_INIT_ORG.path(), &c.init_org),
            t(item::SSSE_EF05_ISSUE_DATE.path(), &c.issue_date),
            t(item::SSSE_EF05_EXPIRY_DATE.path(), &c.expiry_date),
            t(item::SSSE_EF05_CARD_NUMBER.path(), &c.card_number),
            t(item::SSSE_EF06_SSN.path(), &h.ssn),
        ];
        let (main, ext) = split_name(&h.name)?;
        out.push((
            item::SSSE_EF06_NAME.path().into(),
            PlannedValue::Bytes(main),
        ));
        if v.has_name_extension() {
            let ext = ext.unwrap_or_else(|| vec![0u8; NAME_EXT_LEN]);
            out.push((
                item::SSSE_EF06_NAME_EXT.path().into(),
                PlannedValue::Bytes(ext),
            ));
        } else if ext.is_some() {
            return Err(DataError::TooLong {
                max: NAME_LEN,
                got: encoding_rs::GBK.encode(&h.name).0.len(),
            }
            .into());
        }
        out.extend([
            t(item::SSSE_EF06_SEX.path(), &h.sex),
            t(item::SSSE_EF06_ETHNICITY.path(), &h.ethnicity),
            t(item::SSSE_EF06_BIRTHPLACE.path(), &h.birthplace),
            t(item::SSSE_EF06_BIRTH_DATE.path(), &h.birth_date),
        ]);
        for (path, value) in &self.items {
            out.push(t(path, value));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Error;

    #[test]
    fn demo_profile_parses_and_plans() {
        let text = include_str!("../../../../demo/holder.toml");
        let p = HolderProfile::parse(text).unwrap();
        assert_eq!(p.card.pin, "123456");
        assert_eq!(p.holder.name, "王小明");
        let plan = p.plan().unwrap();
        assert_eq!(plan.first().unwrap().0, "SSSE/EF05/02");
        assert!(plan.iter().any(|(p, _)| p == "SSSE/EF06/4E"));
        assert!(plan.iter().any(|(p, _)| p == "DF04/EF05/8F"));
    }

    #[test]
    fn bad_card_number_is_refused() {
        let text = include_str!("../../../../demo/holder.toml").replace("A00000011", "A00000012");
        let p = HolderProfile::parse(&text).unwrap();
        assert!(matches!(
            p.plan(),
            Err(Error::Data(DataError::CardNumberCheck { .. }))
        ));
    }
}
