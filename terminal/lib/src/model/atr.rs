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
    let l = layout(atr)?;
    atr.get(l.historical_at..l.historical_at.checked_add(l.historical_len)?)
}

/// Where an ATR's parts sit and what it offers (ISO/IEC 7816-3 §8.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtrLayout {
    /// Bit `t` set: protocol T=`t` announced by some TDi (T=0 alone, implicit, without TD1).
    pub protocols: u16,
    /// Index of the first historical byte.
    pub historical_at: usize,
    /// Number of historical bytes (low nibble of T0).
    pub historical_len: usize,
}

impl AtrLayout {
    /// Whether the ATR must end with TCK: a protocol other than T=0 is offered (§8.2.5).
    pub fn needs_tck(&self) -> bool {
        self.protocols & !1 != 0
    }

    /// The length the ATR must have: up to the last historical byte, plus TCK when needed.
    pub fn len(&self) -> usize {
        self.historical_at + self.historical_len + usize::from(self.needs_tck())
    }

    /// Never empty (TS and T0 at least).
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The layout of `atr` from T0 and the TDi bytes, or `None` when the interface bytes are cut
/// short (the historical bytes and TCK are not checked here).
///
/// ```
/// use sscard_terminal::model::atr::layout;
/// // T=0 only (no TD1): no TCK.
/// let t0 = layout(&hex::decode("3B6D00000081544C928684420100000135").unwrap()).unwrap();
/// assert_eq!((t0.protocols, t0.needs_tck(), t0.len()), (1, false, 17));
/// // TD1 = 01: T=1 only, TCK follows the historical bytes.
/// let t1 = layout(&hex::decode("3BED0000010081544C92868442010000013592").unwrap()).unwrap();
/// assert_eq!((t1.protocols, t1.needs_tck(), t1.len()), (2, true, 19));
/// ```
pub fn layout(atr: &[u8]) -> Option<AtrLayout> {
    let t0 = *atr.get(1)?;
    let mut pos = 2usize;
    let mut y = t0 >> 4;
    let mut protocols = 0u16;
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
            Some(td) => {
                protocols |= 1 << (td & 0x0F);
                y = td >> 4;
            }
            None => break,
        }
    }
    if protocols == 0 {
        protocols = 1;
    }
    Some(AtrLayout {
        protocols,
        historical_at: pos,
        historical_len: usize::from(t0 & 0x0F),
    })
}

/// TCK is right: the XOR of T0 up to and including TCK is 0 (§8.2.5); `true` when the ATR
/// needs no TCK.
pub fn tck_ok(atr: &[u8]) -> bool {
    match layout(atr) {
        Some(l) if l.needs_tck() => {
            atr.len() == l.len() && atr.iter().skip(1).fold(0u8, |x, b| x ^ b) == 0
        }
        Some(_) => true,
        None => false,
    }
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
    fn tck_is_checked_when_t1_is_offered() {
        // The emulated card: T=0 (no TCK) and T=1 (TCK 92).
        assert!(tck_ok(
            &hex::decode("3B6D00000081544C928684420100000135").unwrap()
        ));
        let t1 = hex::decode("3BED0000010081544C92868442010000013592").unwrap();
        assert!(tck_ok(&t1));
        assert_eq!(historical_bytes(&t1), historical_bytes(&t1[..18]));
        assert!(!tck_ok(&t1[..18]), "TCK missing");
        let mut bad = t1.clone();
        bad[18] ^= 1;
        assert!(!tck_ok(&bad), "TCK wrong");
        let jcop = hex::decode("3BF81300008131FE454A434F5076323431B7").unwrap();
        assert!(tck_ok(&jcop));
        assert_eq!(layout(&jcop).unwrap().protocols, 0b10);
    }

    #[test]
    fn truncated_is_none() {
        assert_eq!(historical_bytes(&[0x3B]), None);
        assert_eq!(historical_bytes(&[0x3B, 0x6D, 0x00]), None);
        assert_eq!(card_factor(&[0x3B, 0x02, 0x01, 0x02]), None);
    }
}
