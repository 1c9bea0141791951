//! Case ids: stable names derived from what a case tests, never from its position.
//!
//! ```text
//! id      = prefix 1*( "-" word )        ; at most MAX_ID_LEN (40) characters
//! prefix  = "SEL" / "FIL" / "ITM" / "REC" / "ACC" / "PIN" / "CHL" / "MAC" / "LCY" / "SW" / "TEAR"
//! word    = upper *( upper / digit )     ; upper = "A"–"Z", digit = "0"–"9"
//! ```
//!
//! The prefix is the case's [`Area`]; then come the **subject** — the spec entry the case was
//! generated from or is about: a DF (`DF01`), an EF (`SSSE-EF05`), a key (`RKSSSE`, `UKSSSE`), a
//! command (`VERIFY`, `GET-CHALLENGE`) — and the **rule** it checks (`PRESENT-SFI`,
//! `READ-REFUSED`, `BAD-MAC`): `FIL-DF01-EF05-PRESENT-SFI`, `ACC-DF04-EF06-READ-REFUSED-PIN-ALONE`,
//! `MAC-UKSSSE-BAD-MAC`, `PIN-VERIFY-WRONG-DECREMENTS`.
//!
//! Every word starts with a letter, so an id cannot carry a bare number such as a sequence
//! number: digits only appear inside a named word (`DF01`, `EF05`, `P1`, `RK1DF01`). An id is
//! thus a function of the case's own subject and rule — adding, removing or reordering cases
//! never changes the id of another case, and a vendor's reports, waivers and `--only` filters
//! keep pointing at the same requirement from one release to the next.

use sscard_specs::types::{DfId, EfSpec};
use sscard_specs::EfRef;

use super::area::Area;

/// The longest id the grammar allows.
pub const MAX_ID_LEN: usize = 40;

/// Whether `id` follows the grammar of this module (prefix of an [`Area`], then one or more
/// `-`-separated words of `A`–`Z` / `0`–`9` each starting with a letter, at most
/// [`MAX_ID_LEN`] characters).
pub fn is_valid_case_id(id: &str) -> bool {
    if id.len() > MAX_ID_LEN {
        return false;
    }
    let mut words = id.split('-');
    let prefix_ok = words
        .next()
        .is_some_and(|p| Area::ALL.iter().any(|a| a.prefix() == p));
    let mut rest = words.peekable();
    prefix_ok && rest.peek().is_some() && rest.all(is_word)
}

/// `upper *( upper / digit )`.
fn is_word(w: &str) -> bool {
    let mut b = w.bytes();
    b.next().is_some_and(|c| c.is_ascii_uppercase())
        && b.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The id words of an EF: its DF's name and its file name, `SSSE-EF05`, `DF01-EF1A`.
pub(crate) fn ef(ef: &EfSpec) -> String {
    format!("{}-EF{:02X}", df(ef.df), ef.fid & 0xFF)
}

/// The id words of a named EF of `sscard_specs::ef`: `SSSE_EF05` → `SSSE-EF05`.
pub(crate) fn ef_ref(ef: EfRef) -> String {
    words(ef.path())
}

/// The id word of a DF: its name in the specs, `SSSE`, `DF01`.
pub(crate) fn df(df: DfId) -> &'static str {
    df.name()
}

/// A name from the specs (a key name such as `RK1DF01`) as id words: ASCII letters upper-cased,
/// digits kept, every other run of characters one `-`.
pub(crate) fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        for ok in [
            "FIL-DF01-EF05-PRESENT-SFI",
            "ACC-DF04-EF06-READ-REFUSED-PIN-ALONE",
            "SW-INS-UNKNOWN",
            "TEAR-SSSE-EF06-UPDATE-ATOMIC",
            "CHL-RKSSSE-REPLAY",
        ] {
            assert!(is_valid_case_id(ok), "{ok}");
        }
        for bad in [
            "FIL-001",        // a sequence number
            "SEL-SSSE-P2-0C", // a word starting with a digit
            "FIL",            // no subject
            "FIL-",
            "FIL--EF05",
            "XYZ-DF01",      // not an area prefix
            "fil-df01",      // lower case
            "FIL-DF01_EF05", // not `-`-separated
            "FIL-DF01-EF05-",
            "FIL-ÄF05",
            "ACC-DF04-EF06-READ-REFUSED-WITH-THE-PIN-ALONE-X",
        ] {
            assert!(!is_valid_case_id(bad), "{bad}");
        }
    }

    #[test]
    fn words_from_spec_names() {
        assert_eq!(words("RK1DF01"), "RK1DF01");
        assert_eq!(words("ukssse"), "UKSSSE");
        assert_eq!(words(" GET  CHALLENGE/x "), "GET-CHALLENGE-X");
        let ef05 = sscard_specs::ef::DF01_EF05.spec().map(ef);
        assert_eq!(ef05.as_deref(), Some("DF01-EF05"));
        assert_eq!(ef_ref(sscard_specs::ef::DF01_EF1A), "DF01-EF1A");
        assert_eq!(df(DfId::Ssse), "SSSE");
    }
}
