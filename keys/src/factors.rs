//! Diversification factors built from card data (profile.md §2; sscard-spec.md §5.2).
//!
//! * card level: the last 8 historical bytes of the ATR;
//! * city level: ASCII of the 6-digit region code (first 3 BCD bytes of the card id) + `"sx"`;
//! * province level: ASCII of the 2-digit province + `"0000"` + `"sh"`.
//!
//! The strings come from [`FactorRule`]; [`SSCARD_FACTORS`] is the sscard rule.

use heapless::Vec;

use crate::profile::{FactorRule, SSCARD_FACTORS};

/// Maximum number of diversification levels.
pub const MAX_LEVELS: usize = 3;

/// Building factors failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FactorError {
    /// More than [`MAX_LEVELS`] levels requested.
    #[error("{0} diversification levels requested (max 3)")]
    TooManyLevels(u8),
    /// The region code is not 3 bytes of packed BCD digits.
    #[error("region code is not 6 BCD digits")]
    InvalidRegion,
    /// Fewer than 8 historical bytes.
    #[error("need at least 8 ATR historical bytes, got {0}")]
    ShortHistoricalBytes(usize),
}

/// Up to three 8-byte factors, outermost (province) first, innermost (card) last.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiversificationFactors {
    levels: Vec<[u8; 8], MAX_LEVELS>,
}

fn region_ascii(region_bcd3: &[u8; 3]) -> Result<[u8; 6], FactorError> {
    let mut out = [0u8; 6];
    for (pair, b) in out.chunks_exact_mut(2).zip(region_bcd3) {
        for (o, nib) in pair.iter_mut().zip([b >> 4, b & 0x0F]) {
            if nib > 9 {
                return Err(FactorError::InvalidRegion);
            }
            *o = b'0' + nib;
        }
    }
    Ok(out)
}

impl DiversificationFactors {
    /// Factors given explicitly, outermost first.
    pub fn new(factors: &[[u8; 8]]) -> Result<Self, FactorError> {
        let levels = Vec::from_slice(factors).map_err(|_| {
            FactorError::TooManyLevels(u8::try_from(factors.len()).unwrap_or(u8::MAX))
        })?;
        Ok(DiversificationFactors { levels })
    }

    /// The sscard factors for a key with `levels` levels (0–3), outermost first:
    /// 3 → province, city, card; 2 → city, card; 1 → card; 0 → none (the root is used as is).
    pub fn for_levels(
        levels: u8,
        atr_hist_last8: &[u8; 8],
        region_bcd3: &[u8; 3],
    ) -> Result<Self, FactorError> {
        Self::for_levels_with(&SSCARD_FACTORS, levels, atr_hist_last8, region_bcd3)
    }

    /// As [`Self::for_levels`] with an explicit factor rule (e.g. `profile.factors`).
    pub fn for_levels_with(
        rule: &FactorRule,
        levels: u8,
        atr_hist_last8: &[u8; 8],
        region_bcd3: &[u8; 3],
    ) -> Result<Self, FactorError> {
        if usize::from(levels) > MAX_LEVELS {
            return Err(FactorError::TooManyLevels(levels));
        }
        let all = [
            Self::province_factor(rule, region_bcd3)?,
            Self::city_factor(rule, region_bcd3)?,
            *atr_hist_last8,
        ];
        let skip = MAX_LEVELS.saturating_sub(usize::from(levels));
        Self::new(all.get(skip..).unwrap_or(&[]))
    }

    /// Card level: the last 8 of the ATR historical bytes.
    pub fn card_factor(historical_bytes: &[u8]) -> Result<[u8; 8], FactorError> {
        historical_bytes
            .last_chunk::<8>()
            .copied()
            .ok_or(FactorError::ShortHistoricalBytes(historical_bytes.len()))
    }

    /// City level: `"CCCCCC" ‖ city_suffix`, e.g. region `42 01 00` → `"420100sx"`.
    pub fn city_factor(rule: &FactorRule, region_bcd3: &[u8; 3]) -> Result<[u8; 8], FactorError> {
        let r = region_ascii(region_bcd3)?;
        let mut out = [0u8; 8];
        out.iter_mut()
            .zip(r.iter().chain(rule.city_suffix.iter()))
            .for_each(|(o, b)| *o = *b);
        Ok(out)
    }

    /// Province level: `"PP" ‖ province_fill ‖ province_suffix`, e.g. `"420000sh"`.
    pub fn province_factor(
        rule: &FactorRule,
        region_bcd3: &[u8; 3],
    ) -> Result<[u8; 8], FactorError> {
        let r = region_ascii(region_bcd3)?;
        let mut out = [0u8; 8];
        out.iter_mut()
            .zip(
                r.iter()
                    .take(2)
                    .chain(rule.province_fill.iter())
                    .chain(rule.province_suffix.iter()),
            )
            .for_each(|(o, b)| *o = *b);
        Ok(out)
    }

    /// All factors, outermost first.
    pub fn as_slice(&self) -> &[[u8; 8]] {
        &self.levels
    }

    /// Number of levels.
    pub fn levels(&self) -> u8 {
        u8::try_from(self.levels.len()).unwrap_or(u8::MAX)
    }

    /// The innermost `levels` factors (a 2-level key uses city, card of a 3-level list), or
    /// `None` when fewer are present.
    pub fn innermost(&self, levels: u8) -> Option<&[[u8; 8]]> {
        let skip = self.levels.len().checked_sub(usize::from(levels))?;
        self.levels.get(skip..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    const ATR8: [u8; 8] = hex!("8684420100000135");

    #[test]
    fn spec_vector_city() {
        // sscard-spec.md §5.2: "420100sx" = 3432303130307378
        let f = DiversificationFactors::city_factor(&SSCARD_FACTORS, &hex!("420100")).unwrap();
        assert_eq!(f, hex!("3432303130307378"));
        let p = DiversificationFactors::province_factor(&SSCARD_FACTORS, &hex!("430100")).unwrap();
        assert_eq!(&p, b"430000sh");
    }

    #[test]
    fn levels_order() {
        let f3 = DiversificationFactors::for_levels(3, &ATR8, &hex!("420100")).unwrap();
        assert_eq!(f3.as_slice(), &[*b"420000sh", *b"420100sx", ATR8]);
        let f2 = DiversificationFactors::for_levels(2, &ATR8, &hex!("420100")).unwrap();
        assert_eq!(f2.as_slice(), &[*b"420100sx", ATR8]);
        assert_eq!(f3.innermost(2), Some(f2.as_slice()));
        assert_eq!(f2.innermost(3), None);
        assert_eq!(
            DiversificationFactors::for_levels(0, &ATR8, &hex!("420100"))
                .unwrap()
                .levels(),
            0
        );
        assert_eq!(
            DiversificationFactors::for_levels(4, &ATR8, &hex!("420100")),
            Err(FactorError::TooManyLevels(4))
        );
        assert_eq!(
            DiversificationFactors::for_levels(2, &ATR8, &hex!("4201A0")),
            Err(FactorError::InvalidRegion)
        );
    }

    #[test]
    fn card_factor_from_historical_bytes() {
        // sscard-spec.md §5.2 observed ATR 3B 6D 00 00 | 00 81 54 4C 92 86 84 42 01 00 00 01 35
        let hist = hex!("0081544C928684420100000135");
        assert_eq!(DiversificationFactors::card_factor(&hist).unwrap(), ATR8);
        assert!(DiversificationFactors::card_factor(&[0; 7]).is_err());
        assert!(DiversificationFactors::new(&[[0; 8]; 4]).is_err());
    }
}
