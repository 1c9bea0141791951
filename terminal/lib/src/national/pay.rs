//! `pPayInfo` of the medical purchase (`iDoDebit`, sscard-spec.md §6.1, integrators.md §4.3):
//! `0.1|0.2|20151118185001|` — two amounts in yuan and the transaction time. Parsed here so the
//! settlement functions and the fuzz target share one parser.

use super::error::{NationalError, NationalResult};
use crate::model::money::Fen;

/// A parsed `pPayInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayInfo {
    /// First amount, in fen.
    pub first_fen: u32,
    /// Second amount, in fen.
    pub second_fen: u32,
    /// `YYYYMMDDhhmmss` as 7 BCD bytes.
    pub time_bcd: [u8; 7],
}

/// Yuan with at most two decimals (`12`, `0.1`, `3.05`) in fen ([`Fen::parse_yuan`], the one
/// amount parser).
pub fn parse_yuan(s: &str) -> NationalResult<u32> {
    Fen::parse_yuan("pPayInfo amount", s)
        .map(|f| f.0)
        .map_err(|e| NationalError::BadParameter(e.to_string()))
}

/// Parse `amount|amount|YYYYMMDDhhmmss|` (the trailing `|` optional).
pub fn parse_pay_info(s: &str) -> NationalResult<PayInfo> {
    let parts: Vec<&str> = s.split('|').map(str::trim).collect();
    let fields: &[&str] = match parts.as_slice() {
        [a, b, t] | [a, b, t, ""] => &[a, b, t],
        _ => {
            return Err(NationalError::BadParameter(
                "pPayInfo: 3 fields expected".into(),
            ))
        }
    };
    let [a, b, t] = fields else {
        return Err(NationalError::BadParameter(
            "pPayInfo: 3 fields expected".into(),
        ));
    };
    let first_fen = parse_yuan(a)?;
    let second_fen = parse_yuan(b)?;
    if t.len() != 14 || !t.bytes().all(|c| c.is_ascii_digit()) {
        return Err(NationalError::BadParameter(format!("pPayInfo: time {t:?}")));
    }
    let mut time_bcd = [0u8; 7];
    for (d, pair) in time_bcd.iter_mut().zip(t.as_bytes().chunks(2)) {
        let hi = pair.first().map_or(0, |c| c - b'0');
        let lo = pair.get(1).map_or(0, |c| c - b'0');
        *d = hi << 4 | lo;
    }
    Ok(PayInfo {
        first_fen,
        second_fen,
        time_bcd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_info() {
        let p = parse_pay_info("0.1|0.2|20151118185001|").unwrap();
        assert_eq!((p.first_fen, p.second_fen), (10, 20));
        assert_eq!(p.time_bcd, [0x20, 0x15, 0x11, 0x18, 0x18, 0x50, 0x01]);
        assert_eq!(parse_yuan("12").unwrap(), 1200);
        assert_eq!(parse_yuan("3.05").unwrap(), 305);
        for bad in ["", ".", "1.234", "-1", "1e3", "99999999999"] {
            assert!(parse_yuan(bad).is_err(), "{bad}");
        }
        assert!(parse_pay_info("1|2|").is_err());
        assert!(parse_pay_info("1|2|2015111818500|").is_err());
    }
}
