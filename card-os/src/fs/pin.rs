//! The PIN record (in the SSSE): tries left, try limit, BCD length, BCD.

use crate::layout::{self, pin};
use crate::security::tries::TryCounter;
use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Record image length.
pub(crate) const LEN: usize = 3 + pin::BCD_MAX;

/// The PIN record.
pub(crate) struct PinRecord {
    raw: Zeroizing<[u8; LEN]>,
}

impl PinRecord {
    pub(crate) fn load<S: Store>(j: &Journal<S>) -> Result<Self, StatusWord> {
        let mut raw = Zeroizing::new([0u8; LEN]);
        j.read(layout::PIN_OFF, &mut raw[..])?;
        Ok(Self { raw })
    }
    pub(crate) fn limit(&self) -> u8 {
        byte(&self.raw[..], pin::LIMIT as usize)
    }
    /// The PIN's try counter.
    pub(crate) fn counter(&self) -> TryCounter {
        TryCounter::new(
            layout::PIN_OFF + pin::TRIES,
            byte(&self.raw[..], pin::TRIES as usize),
            self.limit(),
        )
    }
    /// Constant-time comparison with a presented BCD PIN.
    pub(crate) fn matches(&self, presented: &[u8]) -> bool {
        let mut cand = Zeroizing::new([0xFFu8; pin::BCD_MAX]);
        let n = presented.len().min(pin::BCD_MAX);
        if let (Some(d), Some(s)) = (cand.get_mut(..n), presented.get(..n)) {
            d.copy_from_slice(s);
        }
        let start = pin::BCD as usize;
        let stored = self.raw.get(start..start + pin::BCD_MAX).unwrap_or(&[]);
        let len_ok = byte(&self.raw[..], pin::LEN as usize).ct_eq(&(presented.len() as u8));
        let fits = u8::from(presented.len() <= pin::BCD_MAX).ct_eq(&1);
        bool::from(cand[..].ct_eq(stored) & len_ok & fits)
    }
}

/// The full record image for `bcd` with the counter at `limit`.
pub(crate) fn image(bcd: &[u8], limit: u8) -> Result<Zeroizing<[u8; LEN]>, StatusWord> {
    if bcd.is_empty() || bcd.len() > pin::BCD_MAX {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut raw = Zeroizing::new([0xFFu8; LEN]);
    put(&mut raw[..], pin::TRIES as usize, limit);
    put(&mut raw[..], pin::LIMIT as usize, limit);
    put(&mut raw[..], pin::LEN as usize, bcd.len() as u8);
    let start = pin::BCD as usize;
    raw.get_mut(start..start + bcd.len())
        .ok_or(StatusWord::WRONG_DATA)?
        .copy_from_slice(bcd);
    Ok(raw)
}

/// Replace the PIN and reset the counter, atomically.
pub(crate) fn set_pin<S: Store>(
    j: &mut Journal<S>,
    bcd: &[u8],
    limit: u8,
) -> Result<(), StatusWord> {
    let raw = image(bcd, limit)?;
    j.atomic(&[(layout::PIN_OFF, &raw[..])])?;
    Ok(())
}

fn byte(raw: &[u8], i: usize) -> u8 {
    raw.get(i).copied().unwrap_or(0)
}

fn put(raw: &mut [u8], i: usize, v: u8) {
    if let Some(b) = raw.get_mut(i) {
        *b = v;
    }
}
