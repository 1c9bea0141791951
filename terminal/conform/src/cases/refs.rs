//! Spec references used by several areas.

pub const TREE: &str = "sscard-spec.md §2.1";
pub const FILES: &str = "sscard-spec.md §2.2";
pub const ENCODINGS: &str = "sscard-spec.md §3.1";
pub const RECORDS: &str = "sscard-spec.md §3.2";
pub const EF05: &str = "sscard-spec.md §3.3";
pub const COMMANDS: &str = "sscard-spec.md §4";
pub const CHECK_CHAR: &str = "sscard-spec.md §3.9";
