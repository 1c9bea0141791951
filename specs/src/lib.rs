//! The Chinese social security card (社会保障卡) specification as data: file tree, access rules,
//! data items, key identifiers, code tables, versions and item paths.
//!
//! This crate is the **single source** that the card OS (personalisation, access control), the
//! terminal (decoders, path resolution) and the conformance suite read; no other crate keeps a copy
//! of a tag or file table. Everything is `'static` data plus small lookup functions: `no_std`, no
//! allocation, one dependency (`thiserror`, for the errors' `Display`).
//!
//! Facts come from `shared/reference/sscard-spec.md` (cited as §n) and `profile.md`. Uncertain
//! values carry an `uncertain: Option<Text>` note next to them, so that a real-card trace
//! changes one line.
//!
//! Feature `text` (default): the human-readable text of the tables (names, code meanings, notes)
//! as `&'static str`. Without it ([`text`]) those fields are zero-size and no string reaches the
//! binary; the card OS builds this way.
//!
//! | module | holds |
//! | --- | --- |
//! | [`types`] | identifiers, structures, access rules, the `*Spec` records |
//! | [`files`] | MF, SSSE, DF01–DF07 and every EF with FID, SFI, structure, read/write rule |
//! | [`items`] | every data item per EF in record order, B-TLV sub-items, cyclic record fields |
//! | [`keys`] | key table per DF: name, role, card KID, diversification levels, PSAM ids |
//! | [`codes`] | code tables (§3.8) and the card-number check character (§3.9) |
//! | [`versions`] | spec versions, profile names, 1.0 layout differences |
//! | [`paths`] | `DF04/EF05/81` paths, pFileAddr strings, record numbers |
//! | [`text`] | [`Text`]: the tables' names and notes, compiled out without the `text` feature |
//! | [`ef`](mod@ef) | names of the EFs: [`EfRef`] constants (`ef::SSSE_EF06.fid()`, `.sfi()`, `.path()`, `.spec()`) |
//! | [`item`] | names of the data items: [`ItemRef`] constants (`item::SSSE_EF06_NAME.tag()`, `.path()`) |
//! | [`key`] | names of the keys: [`KeyName`] constants (`key::RKSSSE`, `key::PUK`, `key::RK1DF01`) |
//! | [`psam`] | the PSAM: file tree (MF, DF01, EF15, EF16), EF layouts, key-record slots |
//! | [`purse`] | the DF04 medical purse: key indexes, algorithm ids, amount-file / EF08 / EF15 offsets, classes, PIN and year rules |
//! | [`family`] | card families (national 1.00–3.00, Hangzhou, Shanghai, Hunan test card, Jiangsu): deviations with sources, recognition |
//!
//! # Names
//!
//! Code outside this crate refers to files, items and keys by the typed constants of [`ef`](mod@ef),
//! [`item`] and [`key`] (and DFs by [`DfId`], whose `fid()`, `aid()`, `df_name()` give their
//! identifiers), never by a literal `0xEF06`, `0x09`, `"SSSE/EF06/09"` or `"RKSSSE"`: the tables
//! are built from the same constants, so each FID, tag and key name is written once.
//!
//! ```
//! use sscard_specs::{ef, item, key, psam, DfId};
//!
//! assert_eq!((ef::DF04_EF05.fid(), ef::DF04_EF05.sfi()), (0xEF05, 5));
//! assert_eq!(item::DF04_EF05_INSURANCE_TYPE.path(), "DF04/EF05/81");
//! assert_eq!(DfId::Df04.fid(), Some(0xDF04));
//! assert_eq!(key::UKSSSE, "UKSSSE");
//! assert_eq!(psam::EF15.fid(), 0x0015);
//! ```
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod codes;
pub mod ef;
pub mod family;
pub mod files;
pub mod item;
pub mod items;
pub mod key;
pub mod keys;
pub mod layouts_v1;
pub mod paths;
pub mod psam;
pub mod purse;
pub mod text;
pub mod types;
pub mod versions;

pub use codes::{card_number_check_char, validate_card_number, CardNumberError};
pub use ef::EfRef;
pub use family::{family_by_name, recognise, Family, Observations, FAMILIES};
pub use files::{df, ef, DFS};
pub use item::ItemRef;
pub use keys::{key_by_kid, key_by_name, KeyRole, KeySpec};
pub use paths::{
    is_unique_tag, item_by_path, record_number, resolve, ItemPath, PathError, Resolved,
};
pub use text::Text;
pub use types::{
    Category, CodeTableId, DataType, DfId, DfSpec, EfSpec, EfStructure, FieldSpec, FileId,
    ItemSpec, KeyName, ReadRule, WriteRule,
};
pub use versions::{SpecVersion, VersionSet};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_families;
#[cfg(test)]
mod tests_names;
