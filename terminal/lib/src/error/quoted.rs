//! [`Quoted`]: a user-given string in a message.

use std::fmt;

/// A user-given string in a message, quoted like Rust's `{:?}` does for `str` (`"a\"b"`), but
/// through `Display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\'' => f.write_str("'")?,
                c => write!(f, "{}", c.escape_debug())?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_is_debug_quoting_through_display() {
        for s in [
            "",
            "abc",
            "a\"b",
            "it's",
            "tab\there",
            "王小明",
            "back\\slash",
            "nl\n",
        ] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"), "{s}");
        }
    }
}
