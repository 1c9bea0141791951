//! GET CHALLENGE, EXTERNAL AUTHENTICATE, INTERNAL AUTHENTICATE (profile.md §3).

use crate::card::CardApp;
use crate::chip::rng::Rng;
use crate::chip::{Reply, Res};
use crate::fs::keyfile;
use crate::security::tries::{Outcome, Rules};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::StatusWord;
use sscard_keys::session::{internal_auth_response, verify_external_auth};
use sscard_specs::keys::{resolve_kid, KeyRole};

impl<S: Store> CardApp<S> {
    pub(crate) fn get_challenge(&mut self, len: u8, rng: &mut Rng, out: &mut [u8]) -> Res {
        let c = if fault!(self, constant_challenge) {
            Rng::new(&self.cfg.rng_seed).challenge(len, out)?
        } else {
            rng.challenge(len, out)?
        };
        self.vol.challenge = Some(Challenge::new(c));
        Ok(Reply::data(c.len()))
    }

    /// Key looked up by KID in the current DF, then the SSSE; its try counter follows the one
    /// protocol ([`crate::security::tries`]); success sets the key's flag.
    pub(crate) fn external_authenticate(
        &mut self,
        kid: u8,
        data: &[u8],
        ch: Option<Challenge>,
    ) -> Res {
        let spec = resolve_kid(self.vol.df, kid)
            .filter(|k| {
                matches!(
                    k.role,
                    KeyRole::Read | KeyRole::Update | KeyRole::PinUnblock
                )
            })
            .ok_or(StatusWord::KEY_NOT_FOUND)?;
        let profile = self.cfg.profile;
        if data.len() != usize::from(profile.ext_auth_lc) {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let k = keyfile::load(&self.j, &self.layout, spec)?;
        k.counter.usable()?;
        let ch = ch.ok_or(StatusWord::REF_DATA_INVALID)?;
        let r = ch.first8().ok_or(StatusWord::REF_DATA_INVALID)?;
        let rules = Rules {
            restore: !fault!(self, key_counter_not_restored),
            #[cfg(feature = "faults")]
            compare_first: self.cfg.faults.key_counter_after_compare,
        };
        let compare = || verify_external_auth(profile, &k.key, r, data);
        match k.counter.attempt(&mut self.j, rules, compare)? {
            Outcome::Match => {
                self.vol.set_auth(spec);
                Ok(Reply::OK)
            }
            Outcome::Mismatch { left } => Err(StatusWord::pin_failed(left)),
        }
    }

    pub(crate) fn internal_authenticate(&mut self, kid: u8, data: &[u8], out: &mut [u8]) -> Res {
        let spec = resolve_kid(self.vol.df, kid)
            .filter(|k| k.role == KeyRole::InternalAuth)
            .ok_or(StatusWord::KEY_NOT_FOUND)?;
        let (p, s) = data.split_at_checked(8).ok_or(StatusWord::WRONG_LENGTH)?;
        let p: &[u8; 8] = p.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
        let s: &[u8; 8] = s.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
        let k = keyfile::load(&self.j, &self.layout, spec)?;
        let r = internal_auth_response(self.cfg.profile, &k.key, p, s)
            .map_err(|_| StatusWord::KEY_NOT_FOUND)?;
        let dst = out.get_mut(..r.len()).ok_or(StatusWord::WRONG_LENGTH)?;
        dst.copy_from_slice(&r);
        Ok(Reply::data(r.len()))
    }
}
