//! PINs: ASCII digits ↔ packed BCD (F-padded when odd), validation against the profile,
//! and the reload PIN block `Lpin ‖ BCD` (profile.md §4; crypto.md §4, §3.2).

use core::fmt;

use heapless::Vec;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::profile::Profile;

/// Most digits a [`Pin`] can hold (the national interface accepts up to 16 for reload; the
/// profile's `pin_max_digits` is the enforced limit).
pub const PIN_CAPACITY: usize = 16;

/// A PIN was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// A character that is not `0`–`9`.
    #[error("PIN contains a non-digit")]
    NonDigit,
    /// Fewer digits than the profile allows.
    #[error("PIN too short: {got} digits, minimum {min}")]
    TooShort {
        /// Profile minimum.
        min: u8,
        /// Digits given.
        got: usize,
    },
    /// More digits than the profile allows.
    #[error("PIN too long: {got} digits, maximum {max}")]
    TooLong {
        /// Profile maximum.
        max: u8,
        /// Digits given.
        got: usize,
    },
    /// Packed BCD with a nibble above 9 (or an `F` anywhere but the last nibble).
    #[error("invalid packed BCD PIN")]
    InvalidBcd,
    /// Output buffer too small.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// A user PIN (ASCII digits), wiped on drop; `Debug` prints `***`. Equality is constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pin {
    digits: [u8; PIN_CAPACITY],
    len: u8,
}

impl Pin {
    /// Validates ASCII digits against `profile.pin_min_digits..=pin_max_digits`.
    pub fn new(profile: &Profile, ascii: &[u8]) -> Result<Pin, PinError> {
        let got = ascii.len();
        if got < usize::from(profile.pin_min_digits) {
            return Err(PinError::TooShort {
                min: profile.pin_min_digits,
                got,
            });
        }
        if got > usize::from(profile.pin_max_digits) || got > PIN_CAPACITY {
            return Err(PinError::TooLong {
                max: profile.pin_max_digits,
                got,
            });
        }
        if !ascii.iter().all(u8::is_ascii_digit) {
            return Err(PinError::NonDigit);
        }
        let mut pin = Pin {
            digits: [0; PIN_CAPACITY],
            len: u8::try_from(got).map_err(|_| PinError::TooLong {
                max: profile.pin_max_digits,
                got,
            })?,
        };
        pin.digits.iter_mut().zip(ascii).for_each(|(d, s)| *d = *s);
        Ok(pin)
    }

    /// Decodes packed BCD (as sent in VERIFY) and validates it like [`Pin::new`].
    pub fn from_bcd(profile: &Profile, bcd: &[u8]) -> Result<Pin, PinError> {
        let mut ascii = zeroize::Zeroizing::new([0u8; PIN_CAPACITY]);
        let n = bcd_to_digits(bcd, &mut ascii[..]).map_err(|e| match e {
            PinError::BufferTooSmall => PinError::TooLong {
                max: profile.pin_max_digits,
                got: bcd.len().saturating_mul(2),
            },
            other => other,
        })?;
        Pin::new(profile, ascii.get(..n).unwrap_or(&[]))
    }

    /// The ASCII digits.
    pub fn digits(&self) -> &[u8] {
        self.digits
            .get(..usize::from(self.len))
            .unwrap_or(&self.digits)
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True for an empty PIN (impossible for a validated PIN).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Packed BCD (`123456` → `12 34 56`, `12345` → `12 34 5F`).
    pub fn to_bcd(&self) -> Vec<u8, { PIN_CAPACITY / 2 }> {
        let mut out = [0u8; PIN_CAPACITY / 2];
        let n = digits_to_bcd(self.digits(), &mut out).unwrap_or(0);
        let v = Vec::from_slice(out.get(..n).unwrap_or(&[])).unwrap_or_default();
        out.zeroize();
        v
    }

    /// The PIN block of PIN RELOAD: `Lpin ‖ BCD` with `Lpin` = number of BCD bytes
    /// (`03 12 34 56`). [`crate::session::encrypt_field`] applied to [`Pin::to_bcd`] produces
    /// the encrypted form `E_SK(Lpin ‖ BCD ‖ 80 00…)` directly.
    pub fn pin_block(&self) -> Vec<u8, { PIN_CAPACITY / 2 + 1 }> {
        let bcd = self.to_bcd();
        let mut v = Vec::new();
        let _ = v.push(u8::try_from(bcd.len()).unwrap_or(0));
        let _ = v.extend_from_slice(&bcd);
        v
    }
}

impl ConstantTimeEq for Pin {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.len.ct_eq(&other.len) & self.digits.ct_eq(&other.digits)
    }
}

impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Pin {}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Packs ASCII digits into BCD (F-padded when odd) into `out`; returns the byte count.
pub fn digits_to_bcd(ascii: &[u8], out: &mut [u8]) -> Result<usize, PinError> {
    let n = ascii.len().div_ceil(2);
    let dst = out.get_mut(..n).ok_or(PinError::BufferTooSmall)?;
    for (o, pair) in dst.iter_mut().zip(ascii.chunks(2)) {
        let mut nib = [0x0Fu8; 2];
        for (x, c) in nib.iter_mut().zip(pair) {
            if !c.is_ascii_digit() {
                return Err(PinError::NonDigit);
            }
            *x = c - b'0';
        }
        let [hi, lo] = nib;
        *o = (hi << 4) | lo;
    }
    Ok(n)
}

/// Unpacks BCD into ASCII digits; a final `F` nibble ends the PIN. Returns the digit count.
pub fn bcd_to_digits(bcd: &[u8], out: &mut [u8]) -> Result<usize, PinError> {
    let mut n = 0usize;
    let last = bcd.len().saturating_sub(1);
    for (i, b) in bcd.iter().enumerate() {
        for (j, nib) in [b >> 4, b & 0x0F].into_iter().enumerate() {
            if nib == 0x0F && i == last && j == 1 {
                return Ok(n);
            }
            if nib > 9 {
                return Err(PinError::InvalidBcd);
            }
            *out.get_mut(n).ok_or(PinError::BufferTooSmall)? = b'0' + nib;
            n = n.saturating_add(1);
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::SSCARD_2;
    use hex_literal::hex;

    #[test]
    fn bcd() {
        let p = Pin::new(&SSCARD_2, b"123456").unwrap();
        assert_eq!(&p.to_bcd()[..], &hex!("123456"));
        assert_eq!(&p.pin_block()[..], &hex!("03123456"));
        let p5 = Pin::new(&SSCARD_2, b"12345").unwrap();
        assert_eq!(&p5.to_bcd()[..], &hex!("12345F"));
        assert_eq!(Pin::from_bcd(&SSCARD_2, &hex!("12345F")).unwrap(), p5);
        assert_eq!(Pin::from_bcd(&SSCARD_2, &hex!("123456")).unwrap(), p);
        assert_eq!(
            Pin::from_bcd(&SSCARD_2, &hex!("12F456")),
            Err(PinError::InvalidBcd)
        );
        assert_eq!(
            Pin::from_bcd(&SSCARD_2, &hex!("1A3456")),
            Err(PinError::InvalidBcd)
        );
    }

    #[test]
    fn validation() {
        assert_eq!(
            Pin::new(&SSCARD_2, b"123"),
            Err(PinError::TooShort { min: 4, got: 3 })
        );
        assert_eq!(
            Pin::new(&SSCARD_2, b"1234567890123"),
            Err(PinError::TooLong { max: 12, got: 13 })
        );
        assert_eq!(Pin::new(&SSCARD_2, b"12a4"), Err(PinError::NonDigit));
        assert!(Pin::from_bcd(&SSCARD_2, &[0x11; 9]).is_err());
        assert_eq!(
            format!("{:?}", Pin::new(&SSCARD_2, b"1234").unwrap()),
            "***"
        );
    }
}
