//! Personalisation of a blank (factory-initialised) card from a [`HolderProfile`], through
//! real APDUs: UK external authentication + UPDATE RECORD with read-back for every item, PIN
//! RELOAD to the holder's PIN, then a full read-back of the basic information and the items.

use serde::Serialize;
use sscard_specs::item;

use crate::error::HolderProfileError;
use crate::error::{DataError, Error, ItemError, Result};
use crate::model::holder::{HolderProfile, PlannedValue};
use crate::model::item::item_spec;
use crate::model::value;
use crate::model::BasicInfo;
use crate::session::Session;
use crate::transport::Transport;

/// What a personalisation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonalizeReport {
    /// Items written (each confirmed by reading it back).
    pub items_written: usize,
    /// The card's basic information read back afterwards.
    pub basic_info: BasicInfo,
    /// APDUs sent.
    pub apdus: u64,
}

fn mismatch(path: &str, card: &str, profile: &str) -> Error {
    Error::WriteNotConfirmed {
        path: path.to_string(),
        read_back: card.to_string(),
        expected: profile.to_string(),
    }
}

/// Personalise the card behind `session` (which needs the issuer keys) with `profile`.
pub fn personalize<T: Transport>(
    session: &mut Session<T>,
    profile: &HolderProfile,
) -> Result<PersonalizeReport> {
    let plan = profile.plan()?;
    let want = profile.version()?;
    let have = session.detect_version()?;
    if have != want {
        return Err(HolderProfileError::VersionMismatch {
            card: have.as_str(),
            profile: want.as_str(),
        }
        .into());
    }
    session.ensure_card_id()?;
    // The holder's PIN first (RELOAD needs no knowledge of the factory PIN): the read-backs of
    // PIN-protected files then use it.
    session.reload_pin(&profile.card.pin)?;
    session.set_pin(&profile.card.pin)?;
    session.verify_pin(&profile.card.pin)?;
    for (path, v) in &plan {
        match v {
            PlannedValue::Text(text) => {
                session.write_item(path, text)?;
            }
            PlannedValue::Bytes(bytes) => {
                let r = sscard_specs::resolve(path)?;
                session.write_item_bytes(&r, bytes)?;
            }
        }
    }
    // Read everything back through the normal read paths and compare with the profile.
    let info = session.read_basic_info()?;
    let c = &profile.card;
    let h = &profile.holder;
    let checks = [
        (
            item::SSSE_EF05_CATEGORY.path(),
            info.issuer.category.code.as_str(),
            c.category.as_str(),
        ),
        (
            item::SSSE_EF05_VERSION.path(),
            info.issuer.version.as_str(),
            c.spec_version.as_str(),
        ),
        (
            item::SSSE_EF05_INIT_ORG.path(),
            info.issuer.init_org.as_str(),
            c.init_org.as_str(),
        ),
        (
            item::SSSE_EF05_ISSUE_DATE.path(),
            info.issuer.issue_date.as_str(),
            c.issue_date.as_str(),
        ),
        (
            item::SSSE_EF05_EXPIRY_DATE.path(),
            info.issuer.expiry_date.as_str(),
            c.expiry_date.as_str(),
        ),
        (
            item::SSSE_EF05_CARD_NUMBER.path(),
            info.issuer.card_number.as_str(),
            c.card_number.as_str(),
        ),
        (
            item::SSSE_EF05_CARD_ID.path(),
            info.issuer.card_id.region.as_str(),
            c.region.as_str(),
        ),
        (
            item::SSSE_EF06_SSN.path(),
            info.holder.ssn.as_str(),
            h.ssn.as_str(),
        ),
        (
            item::SSSE_EF06_NAME.path(),
            info.holder.name.as_str(),
            h.name.as_str(),
        ),
        (
            item::SSSE_EF06_SEX.path(),
            info.holder.sex.code.as_str(),
            h.sex.as_str(),
        ),
        (
            item::SSSE_EF06_ETHNICITY.path(),
            info.holder.ethnicity.code.as_str(),
            h.ethnicity.as_str(),
        ),
        (
            item::SSSE_EF06_BIRTHPLACE.path(),
            info.holder.birthplace.as_str(),
            h.birthplace.as_str(),
        ),
        (
            item::SSSE_EF06_BIRTH_DATE.path(),
            info.holder.birth_date.as_str(),
            h.birth_date.as_str(),
        ),
    ];
    for (path, card, file) in checks {
        if card != file {
            return Err(mismatch(path, card, file));
        }
    }
    if !info.issuer.card_id.serial.eq_ignore_ascii_case(&c.serial) {
        return Err(mismatch(
            item::SSSE_EF05_CARD_ID.path(),
            &info.issuer.card_id.serial,
            &c.serial,
        ));
    }
    for (path, text) in &profile.items {
        let r = sscard_specs::resolve(path)?;
        let tag = r
            .item
            .ok_or_else(|| Error::item(path, ItemError::NotAnItem))?
            .tag;
        let item = item_spec(r.ef, tag, session.version())
            .ok_or_else(|| Error::Internal(format!("{path} is not in the specs")))?;
        let expected = value::encode(item, text)?;
        let got = session
            .read_item_bytes(&r)?
            .ok_or(DataError::Missing(path.clone()))?;
        if got != expected {
            return Err(mismatch(
                path,
                &hex::encode_upper(&got),
                &hex::encode_upper(&expected),
            ));
        }
    }
    Ok(PersonalizeReport {
        items_written: plan.len(),
        basic_info: info,
        apdus: session.apdu_count(),
    })
}
