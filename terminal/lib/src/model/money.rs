//! Amounts of money on the card: [`Fen`] (分, the card's unit, `u32`) written and read as yuan
//! (元) with at most two decimals, as receipts and HIS screens show them.

use std::fmt;

use serde::Serialize;

/// An amount that does not parse ([`Fen::parse_yuan`]); the library's `Error::Value` from it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {}, got {got:?}", AmountError::EXPECTED)]
pub struct AmountError {
    /// What the amount is (`AMOUNT`, `--fund`, `pPayInfo amount`).
    pub what: &'static str,
    /// What was given.
    pub got: String,
}

impl AmountError {
    /// What an amount must look like.
    pub const EXPECTED: &'static str =
        "an amount in yuan with at most 2 decimals, e.g. 12.50 (0 to 42949672.95)";
}

/// An amount in fen (1 yuan = 100 fen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub u32);

impl Fen {
    /// Parse a yuan amount: digits with an optional `.` and one or two decimals (`12`, `12.5`,
    /// `12.50`, `0.01`). Signs, exponents, spaces inside, more decimals, and amounts above
    /// 42949672.95 (the card's `u32` fen) are refused with a message naming `what`.
    pub fn parse_yuan(what: &'static str, s: &str) -> Result<Fen, AmountError> {
        let bad = || AmountError {
            what,
            got: s.to_string(),
        };
        let t = s.trim();
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 2 {
            return Err(bad());
        }
        if t.contains('.') && frac.is_empty() {
            return Err(bad());
        }
        let int = int.trim_start_matches('0');
        if int.len() > 10 {
            return Err(bad());
        }
        let yuan: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let cents: u64 = match frac.len() {
            0 => 0,
            1 => u64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let fen = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(cents))
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(bad)?;
        Ok(Fen(fen))
    }

    /// The amount as yuan with two decimals (`12.50`).
    pub fn yuan(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan())
    }
}

/// Serialised as `{"fen": 1250, "yuan": "12.50"}`: exact for programs, readable for people.
impl Serialize for Fen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Fen", 2)?;
        st.serialize_field("fen", &self.0)?;
        st.serialize_field("yuan", &self.yuan())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::Fen;

    #[test]
    fn yuan_amounts_parse_exactly() {
        for (s, fen) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            ("0.01", 1),
            ("0", 0),
            ("007.10", 710),
            ("42949672.95", u32::MAX),
        ] {
            assert_eq!(Fen::parse_yuan("amount", s).unwrap(), Fen(fen), "{s}");
        }
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for s in [
            "",
            "-1",
            "+1",
            "1e3",
            "12.345",
            "12.",
            ".5",
            "abc",
            "1 2",
            "42949672.96",
            "1,5",
            "99999999999",
            "０.５",
            "NaN",
        ] {
            let e = Fen::parse_yuan("amount", s).unwrap_err().to_string();
            assert!(e.contains("amount must be an amount in yuan"), "{s}: {e}");
        }
    }

    #[test]
    fn display_has_two_decimals() {
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(123456).to_string(), "1234.56");
    }
}
