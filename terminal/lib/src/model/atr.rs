//! Answer-to-reset parsing: just enough of ISO/IEC 7816-3 §8 to find the historical bytes, which
//! the national interface prints as 卡复位信息 and whose last 8 bytes are the card-level
//! diversification factor (profile.md §2).

/// The historical bytes `T1..TK` of an ATR, or `None` when the ATR is cut short.
///
/// ```
/// // sscard-spec.md §5.2: 3B 6D 00 00 | 00 81 54 4C 92 86 84 42 01 00 00 01 35
/// let atr = hex::decode("3B6D00000081544C928684420100000135").unwrap();
/// let hist = sscard_terminal::model::atr::historical_bytes(&atr).unwrap();
/// assert_eq!(hex::encode_upper(hist), "0081544C928684420100000135");
/// ```
pub fn historical_bytes(atr: &[u8]) -> Option<&[u8]> {
    let t0 = *atr.get(1)?;
    let k = usize::from(t0 & 0x0F);
    let mut pos = 2usize;
    let mut y = t0 >> 4;
    loop {
        let mut td = None;
        for bit in 0..4 {
            if y & (1 << bit) != 0 {
                if bit == 3 {
                    td = Some(*atr.get(pos)?);
                }
                pos = pos.checked_add(1)?;
            }
        }
        match td {
            Some(td) => y = td >> 4,
            None => break,
        }
    }
    atr.get(pos..pos.checked_add(k)?)
}

/// The card-level diversification factor: the last 8 historical bytes.
pub fn card_factor(atr: &[u8]) -> Option<[u8; 8]> {
    historical_bytes(atr)?.last_chunk::<8>().copied()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn observed_atr() {
        let atr = hex::decode("3B6D00000081544C928684420100000135").unwrap();
        assert_eq!(
            card_factor(&atr).unwrap(),
            [0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35]
        );
    }

    #[test]
    fn with_td_bytes_and_tck() {
        // 3B F8 13 00 00 81 31 FE 45 + 8 historical + TCK: TD1=81 (TD2 follows), TD2=31 (TA3, TB3)
        let atr = hex::decode("3BF81300008131FE45 4A434F5076323431 B7".replace(' ', "")).unwrap();
        assert_eq!(historical_bytes(&atr).unwrap(), b"JCOPv241");
    }

    #[test]
    fn truncated_is_none() {
        assert_eq!(historical_bytes(&[0x3B]), None);
        assert_eq!(historical_bytes(&[0x3B, 0x6D, 0x00]), None);
        assert_eq!(card_factor(&[0x3B, 0x02, 0x01, 0x02]), None);
    }
}
