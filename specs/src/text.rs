//! The human-readable text of the tables: names (Chinese and English), code meanings and
//! `uncertain` notes.
//!
//! With the default feature `text` a [`Text`] is a plain `&'static str`. Without it (the card OS
//! builds `sscard-specs` with `default-features = false`) a [`Text`] is the zero-size [`NoText`]:
//! the tables keep their shape and every fact the card uses (FIDs, SFIs, structures, rules, tags,
//! lengths, key names and KIDs), but the strings are dropped when the `static` tables are
//! const-evaluated and never reach the firmware image. An `uncertain` note still records *whether*
//! a value is uncertain (`Some(NoText)`), only not why.
//!
//! Table entries are written once, with their text, through [`text`]; there is no second table.

/// Human-readable text in the tables: `&'static str` with the `text` feature.
#[cfg(feature = "text")]
pub type Text = &'static str;

/// Human-readable text in the tables: compiled out (zero size) without the `text` feature.
#[cfg(not(feature = "text"))]
pub type Text = NoText;

/// Stand-in for a table's text when the `text` feature is off: zero size, carries nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoText;

/// A table's text: `s` with the `text` feature, [`NoText`] without (so `s` is discarded at
/// compile time).
#[cfg(feature = "text")]
pub const fn text(s: &'static str) -> Text {
    s
}

/// A table's text: `s` with the `text` feature, [`NoText`] without (so `s` is discarded at
/// compile time).
#[cfg(not(feature = "text"))]
pub const fn text(s: &'static str) -> Text {
    let _ = s;
    NoText
}

/// An `uncertain` note: `Some(text(s))`.
pub const fn note(s: &'static str) -> Option<Text> {
    Some(text(s))
}
