//! Access rules (from `sscard_specs`) and line-protection MAC checks, against the security state
//! of a handler's context.

use crate::ctx::{Ctx, Nvm};
use crate::fs::keyfile;
use crate::security::state::Challenge;
use sscard_apdu::commands::{Mac, Protection};
use sscard_apdu::StatusWord;
use sscard_keys::profile::LineMacStrategy;
use sscard_keys::session::LineMac;
use sscard_specs::ef::SSSE_EF06;
use sscard_specs::keys::key_by_name;
use sscard_specs::types::{EfSpec, KeyName, ReadRule, WriteRule};

impl<N> Ctx<'_, N> {
    /// Whether `name` passed EXTERNAL AUTHENTICATE in the current DF.
    pub(crate) fn key_passed(&self, name: KeyName) -> bool {
        key_by_name(name).is_some_and(|k| self.ram.has_auth(k))
    }

    /// Read rule of `ef` on this card's spec version, against the security state.
    pub(crate) fn may_read(&self, ef: &EfSpec) -> bool {
        if fault!(self.config, ef06_read_unprotected) && SSSE_EF06.is(ef) {
            return true;
        }
        let pin_ok = self.ram.pin_ok;
        match ef.read_for(self.config.layout.version()) {
            ReadRule::Free => true,
            ReadRule::Pin => pin_ok,
            ReadRule::PinOrKey(k) => pin_ok || self.key_passed(k),
            ReadRule::PinAndKey(k) if fault!(self.config, pin_and_key_as_or) => {
                pin_ok || self.key_passed(k)
            }
            ReadRule::PinAndKey(k) => pin_ok && self.key_passed(k),
            ReadRule::Key(k) => {
                self.key_passed(k) || (fault!(self.config, pin_opens_key_files) && pin_ok)
            }
            ReadRule::Never => false,
        }
    }

    /// Whether the key of `ef`'s read rule passed (only the `write_with_read_key` fault asks).
    fn read_key_passed(&self, ef: &EfSpec) -> bool {
        match ef.read_for(self.config.layout.version()) {
            ReadRule::Key(k) | ReadRule::PinOrKey(k) | ReadRule::PinAndKey(k) => self.key_passed(k),
            _ => false,
        }
    }

    /// The challenge bytes the profile's MAC strategy uses.
    pub(crate) fn challenge_input<'c>(&self, ch: &'c Challenge) -> Result<&'c [u8], StatusWord> {
        match self.config.card.profile.line_mac {
            LineMacStrategy::PbocClassic => Ok(ch.as_bytes()),
            _ => ch.first8().ok_or(StatusWord::REF_DATA_INVALID),
        }
    }
}

impl<N: Nvm> Ctx<'_, N> {
    /// Write rule of `ef`: a plain write needs the update key's EXTERNAL AUTHENTICATE; a MAC'd
    /// write (CLA 04) needs a valid MAC under that key's process key instead.
    pub(crate) fn check_write(
        &self,
        ef: &EfSpec,
        p: &Protection<'_>,
        ch: Option<Challenge>,
    ) -> Result<(), StatusWord> {
        let WriteRule::Key(k) = ef.write else {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        };
        match p {
            Protection::Plain(_) if self.key_passed(k) => Ok(()),
            Protection::Plain(_)
                if fault!(self.config, write_with_read_key) && self.read_key_passed(ef) =>
            {
                Ok(())
            }
            Protection::Plain(_)
                if fault!(self.config, write_with_any_df_key) && self.ram.auth_df != 0 =>
            {
                Ok(())
            }
            Protection::Plain(_) => Err(StatusWord::SECURITY_NOT_SATISFIED),
            Protection::Mac(m) => self.check_mac(k, m, ch),
        }
    }

    /// Verify a line-protection MAC under key `name` and the last challenge (constant time):
    /// `6984` without a challenge, `6A88` without the key, `6988` on a wrong MAC.
    pub(crate) fn check_mac(
        &self,
        name: KeyName,
        m: &Mac<'_>,
        ch: Option<Challenge>,
    ) -> Result<(), StatusWord> {
        let ch = ch.ok_or(StatusWord::REF_DATA_INVALID)?;
        let spec = key_by_name(name).ok_or(StatusWord::KEY_NOT_FOUND)?;
        let k = keyfile::load(self.nvm.journal(), &self.config.layout, spec)?;
        let input = self.challenge_input(&ch)?;
        let lm = LineMac::new(self.config.card.profile, &k.key, input)
            .map_err(|_| StatusWord::REF_DATA_INVALID)?;
        if fault!(self.config, mac_half_checked)
            && lm
                .mac4(&[&m.header, m.body])
                .is_ok_and(|x| x.get(2..) == m.mac.get(2..))
        {
            return Ok(());
        }
        if lm.verify(&[&m.header, m.body], m.mac) || fault!(self.config, mac_not_checked) {
            Ok(())
        } else {
            Err(StatusWord::SM_INCORRECT)
        }
    }
}
