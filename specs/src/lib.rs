//! The Chinese social security card (社会保障卡) specification as data: file tree, access rules,
//! data items, key identifiers, code tables, versions and item paths.
//!
//! This crate is the **single source** that the card OS (personalisation, access control), the
//! terminal (decoders, path resolution) and the conformance suite read; no other crate keeps a copy
//! of a tag or file table. Everything is `'static` data plus small lookup functions: `no_std`, no
//! dependencies, no allocation.
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
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod codes;
pub mod files;
pub mod items;
pub mod keys;
pub mod paths;
pub mod text;
pub mod types;
pub mod versions;

pub use codes::{card_number_check_char, validate_card_number, CardNumberError};
pub use files::{df, ef, DFS};
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
