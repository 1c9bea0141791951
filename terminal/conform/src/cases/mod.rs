//! The case generators, one module per area. Each walks the `sscard_specs` tables (files, items,
//! keys, access rules) and the profile, and returns that area's cases, each with an id named after
//! its subject (see the crate docs for the grammar).

mod access;
mod capacity;
mod challenge;
mod content;
mod errors;
mod files;
mod firewall;
mod items;
mod lengths;
mod lifecycle;
mod mac;
mod pin;
mod purse;
mod records;
mod refs;
mod select;
mod tamper;
mod tearing;

use super::case::Case;

/// Every case of every area, in area order.
pub fn generate() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(select::cases());
    v.extend(files::cases());
    v.extend(capacity::cases());
    v.extend(items::cases());
    v.extend(records::cases());
    v.extend(access::cases());
    v.extend(firewall::cases());
    v.extend(pin::cases());
    v.extend(challenge::cases());
    v.extend(mac::cases());
    v.extend(lifecycle::cases());
    v.extend(errors::cases());
    v.extend(lengths::cases());
    v.extend(tearing::cases());
    v.extend(purse::cases());
    v
}
