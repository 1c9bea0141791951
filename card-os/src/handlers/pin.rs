//! VERIFY, CHANGE PIN, PIN UNBLOCK, PIN RELOAD (profile.md §4).
//!
//! The try counter follows the one protocol of [`crate::security::tries`]: decremented and
//! persisted *before* the comparison and restored on success, so cutting the power after a wrong
//! guess cannot save the try.

use crate::card::CardApp;
use crate::chip::{Reply, Res};
use crate::fs::keyfile;
use crate::fs::pin::{self, PinRecord};
use crate::security::tries::{Outcome, Rules};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::commands::Mac;
use sscard_apdu::StatusWord;
use sscard_keys::session::{decrypt_field, process_key};
use sscard_keys::Pin;
use sscard_specs::keys::key_by_name;
use sscard_specs::types::DfId;
use zeroize::Zeroizing;

/// Name of the PIN-unblock key (profile.md §4).
const PUK: &str = "PUK";
/// Name of the maintenance (MAC) key (profile.md §3, §5).
pub(crate) const STK: &str = "STK";

fn failed(left: u8) -> StatusWord {
    StatusWord::pin_failed(left)
}

impl<S: Store> CardApp<S> {
    fn pin_reachable(&self) -> Result<(), StatusWord> {
        if self.vol.df == DfId::Mf {
            Err(StatusWord::KEY_NOT_FOUND)
        } else {
            Ok(())
        }
    }

    /// One PIN attempt under the try-counter protocol ([`crate::security::tries`]). On a match
    /// the counter is restored when `restore` (CHANGE PIN skips it: its journaled PIN write
    /// resets the counter in the same atomic batch); a mismatch clears the PIN flag.
    fn try_pin(&mut self, presented: &[u8], restore: bool) -> Result<(), StatusWord> {
        let rec = PinRecord::load(&self.j)?;
        let rules = Rules {
            restore: restore && !fault!(self, pin_counter_not_restored),
            #[cfg(feature = "faults")]
            compare_first: self.cfg.faults.pin_counter_after_compare,
        };
        match rec
            .counter()
            .attempt(&mut self.j, rules, || rec.matches(presented))?
        {
            Outcome::Match => Ok(()),
            Outcome::Mismatch { left } => {
                self.vol.pin_ok = false;
                if fault!(self, wrong_tries_count) {
                    return Err(failed(left + 1));
                }
                Err(failed(left))
            }
        }
    }

    pub(crate) fn verify(&mut self, presented: &[u8]) -> Res {
        self.pin_reachable()?;
        if presented.is_empty() {
            let rec = PinRecord::load(&self.j)?;
            return Err(match rec.counter().tries() {
                0 => StatusWord::AUTH_BLOCKED,
                n => failed(n),
            });
        }
        self.try_pin(presented, true)?;
        self.vol.pin_ok = true;
        Ok(Reply::OK)
    }

    pub(crate) fn change_pin(&mut self, old: &[u8], new: &[u8]) -> Res {
        self.pin_reachable()?;
        Pin::from_bcd(self.cfg.profile, new).map_err(|_| StatusWord::WRONG_DATA)?;
        let limit = PinRecord::load(&self.j)?.limit();
        self.try_pin(old, false)?;
        pin::set_pin(&mut self.j, new, limit)?;
        self.vol.pin_ok = true;
        Ok(Reply::OK)
    }

    fn puk_passed(&self) -> Result<(), StatusWord> {
        if self.key_passed(PUK) {
            Ok(())
        } else {
            Err(StatusWord::SECURITY_NOT_SATISFIED)
        }
    }

    pub(crate) fn pin_unblock(&mut self, mac: Mac<'_>, ch: Option<Challenge>) -> Res {
        self.pin_reachable()?;
        if !fault!(self, unblock_without_puk) {
            self.puk_passed()?;
        }
        self.check_mac(STK, &mac, ch)?;
        PinRecord::load(&self.j)?.counter().reset(&mut self.j)?;
        Ok(Reply::OK)
    }

    pub(crate) fn pin_reload(&mut self, mac: Mac<'_>, ch: Option<Challenge>) -> Res {
        self.pin_reachable()?;
        self.puk_passed()?;
        self.check_mac(STK, &mac, ch)?;
        let ch = ch.ok_or(StatusWord::REF_DATA_INVALID)?;
        let r8: &[u8; 8] = ch
            .first8()
            .and_then(|c| c.try_into().ok())
            .ok_or(StatusWord::REF_DATA_INVALID)?;
        let spec = key_by_name(STK).ok_or(StatusWord::KEY_NOT_FOUND)?;
        let stk = keyfile::load(&self.j, &self.layout, spec)?;
        let sk = process_key(self.cfg.profile, &stk.key, r8)
            .map_err(|_| StatusWord::REF_DATA_INVALID)?;
        let mut bcd = Zeroizing::new([0u8; 32]);
        let n = decrypt_field(&sk, mac.body, &mut bcd[..]).map_err(|_| StatusWord::WRONG_DATA)?;
        let new = bcd.get(..n).ok_or(StatusWord::WRONG_DATA)?;
        Pin::from_bcd(self.cfg.profile, new).map_err(|_| StatusWord::WRONG_DATA)?;
        let limit = PinRecord::load(&self.j)?.limit();
        pin::set_pin(&mut self.j, new, limit)?;
        Ok(Reply::OK)
    }
}
