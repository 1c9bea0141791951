//! Volatile security state (cleared at power-off and reset): current DF/EF, PIN flag, key flags
//! and the last challenge.

use sscard_apdu::commands::purse::{PurseAmounts, TERMINAL_LEN};
use sscard_specs::keys::{keys_of, KeySpec};
use sscard_specs::types::DfId;

/// Longest challenge (GET CHALLENGE Le 16).
pub(crate) const CHALLENGE_MAX: usize = 16;

/// The last GET CHALLENGE answer (single use).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Challenge {
    bytes: [u8; CHALLENGE_MAX],
    len: u8,
}

impl Challenge {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        let mut c = Self::default();
        c.bytes.iter_mut().zip(bytes).for_each(|(d, s)| *d = *s);
        c.len = bytes.len().min(CHALLENGE_MAX) as u8;
        c
    }
    /// All challenge bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
    /// The 8 bytes process keys use (the first 8 of a 16-byte challenge); `None` for 4 bytes.
    pub(crate) fn first8(&self) -> Option<&[u8]> {
        if self.len >= 8 {
            self.bytes.get(..8)
        } else {
            None
        }
    }
}

/// An open purse transaction: what INITIALIZE FOR PURCHASE / LOAD fixed, kept for the DEBIT /
/// CREDIT that must follow (used up by the next command; no key material).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PurseSession {
    /// After INITIALIZE FOR PURCHASE.
    Purchase {
        amounts: PurseAmounts,
        terminal: [u8; TERMINAL_LEN],
        class: u8,
        random: [u8; 4],
        counter: u16,
    },
    /// After INITIALIZE FOR LOAD.
    Load {
        amount: u32,
        terminal: [u8; TERMINAL_LEN],
        random: [u8; 4],
        counter: u16,
        balance: u32,
    },
}

/// Security state of the current selection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Volatile {
    /// Current DF.
    pub df: DfId,
    /// Current EF: index in the current DF's `efs`.
    pub ef: Option<u8>,
    /// PIN verified (holds for the SSSE and its DFs; cleared when the MF is selected).
    pub pin_ok: bool,
    /// Keys of the current DF that passed EXTERNAL AUTHENTICATE (bit = index in `keys_of(df)`).
    pub auth_df: u32,
    /// SSSE keys that passed while the current DF is selected (bit = index in `keys_of(Ssse)`).
    pub auth_ssse: u32,
    /// Last challenge (taken by every command).
    pub challenge: Option<Challenge>,
    /// CARD BLOCK seen (cached from the header).
    pub card_blocked: bool,
    /// The open purse transaction (taken by every command that reaches a handler).
    pub purse: Option<PurseSession>,
}

impl Default for Volatile {
    fn default() -> Self {
        Self {
            df: DfId::Mf,
            ef: None,
            pin_ok: false,
            auth_df: 0,
            auth_ssse: 0,
            challenge: None,
            card_blocked: false,
            purse: None,
        }
    }
}

fn bit(spec: &KeySpec) -> Option<u32> {
    let idx = keys_of(spec.df).iter().position(|k| k.name == spec.name)?;
    1u32.checked_shl(idx as u32)
}

impl Volatile {
    /// Enter `df`: key flags belong to the DF and are cleared when another DF is selected; the PIN
    /// flag is cleared when leaving the SSSE tree (selecting the MF).
    pub(crate) fn enter_df(&mut self, df: DfId) {
        if df != self.df {
            self.auth_df = 0;
            self.auth_ssse = 0;
        }
        if df == DfId::Mf {
            self.pin_ok = false;
        }
        self.df = df;
        self.ef = None;
    }

    fn mask(&mut self, spec: &KeySpec) -> Option<&mut u32> {
        if spec.df == DfId::Ssse {
            Some(&mut self.auth_ssse)
        } else if spec.df == self.df {
            Some(&mut self.auth_df)
        } else {
            None
        }
    }

    /// Record a passed EXTERNAL AUTHENTICATE.
    pub(crate) fn set_auth(&mut self, spec: &KeySpec) {
        if let (Some(b), Some(m)) = (bit(spec), self.mask(spec)) {
            *m |= b;
        }
    }

    /// Whether `spec` passed EXTERNAL AUTHENTICATE in the current DF.
    pub(crate) fn has_auth(&self, spec: &KeySpec) -> bool {
        let m = if spec.df == DfId::Ssse {
            self.auth_ssse
        } else if spec.df == self.df {
            self.auth_df
        } else {
            0
        };
        bit(spec).is_some_and(|b| m & b != 0)
    }
}
