//! The case generators, one module per area. Each walks the `sscard_specs` tables (files, items,
//! keys, access rules) and the profile, and returns that area's cases with sequential ids.

mod access;
mod challenge;
mod errors;
mod files;
mod items;
mod lifecycle;
mod mac;
mod pin;
mod records;
mod select;
mod tearing;

use super::case::Case;

/// Every case of every area, in area order.
pub fn generate() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(select::cases());
    v.extend(files::cases());
    v.extend(items::cases());
    v.extend(records::cases());
    v.extend(access::cases());
    v.extend(pin::cases());
    v.extend(challenge::cases());
    v.extend(mac::cases());
    v.extend(lifecycle::cases());
    v.extend(errors::cases());
    v.extend(tearing::cases());
    v
}

/// References used by several areas.
pub(crate) mod refs {
    pub const TREE: &str = "sscard-spec.md §2.1";
    pub const FILES: &str = "sscard-spec.md §2.2";
    pub const ENCODINGS: &str = "sscard-spec.md §3.1";
    pub const RECORDS: &str = "sscard-spec.md §3.2";
    pub const EF05: &str = "sscard-spec.md §3.3";
    pub const COMMANDS: &str = "sscard-spec.md §4";
    pub const CHECK_CHAR: &str = "sscard-spec.md §3.9";
}
