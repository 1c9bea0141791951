//! The user PIN: VERIFY, CHANGE PIN, PIN UNBLOCK and PIN RELOAD (profile.md §4).

use serde::Serialize;
use sscard_apdu::commands;
use sscard_apdu::StatusWord;
use sscard_keys::Pin;
use sscard_specs::{key, DfId};

use super::Session;
use crate::error::{Error, Result};
use crate::transport::Transport;

/// The result of a successful PIN operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PinOutcome {
    /// Tries left afterwards (the profile's limit: success restores it).
    pub tries_left: u8,
}

impl<T: Transport> Session<T> {
    fn pin(&self, digits: &str) -> Result<Pin> {
        Ok(Pin::new(self.profile, digits.as_bytes())?)
    }

    /// VERIFY the PIN (`00 20 00 00 Lc BCD`). A wrong PIN is [`Error::WrongPin`] with the tries
    /// left, a blocked one [`Error::Blocked`].
    pub fn verify_pin(&mut self, digits: &str) -> Result<PinOutcome> {
        let pin = self.pin(digits)?;
        self.verify_pin_checked(&pin)
    }

    pub(crate) fn verify_pin_checked(&mut self, pin: &Pin) -> Result<PinOutcome> {
        if self.current_df.is_none() {
            self.select_ssse()?;
        }
        let cmd = commands::verify(&pin.to_bcd()).map_err(Error::command("VERIFY"))?;
        self.pin_touched = true;
        self.send_ok(&cmd, || "VERIFY".into())?;
        self.pin_verified = true;
        Ok(PinOutcome {
            tries_left: self.profile.pin_try_limit,
        })
    }

    /// The PIN's tries left, asked with an empty VERIFY (`00 20 00 00`): `63Cx` → x, `6983` → 0.
    pub fn pin_tries(&mut self) -> Result<u8> {
        if self.current_df.is_none() {
            self.select_ssse()?;
        }
        let cmd = sscard_apdu::Command::<255>::new(0x00, sscard_apdu::ins::VERIFY, 0x00, 0x00);
        let (_, sw) = self.send(&cmd)?;
        if let Some(n) = sw.tries_left() {
            return Ok(n);
        }
        match sw {
            StatusWord::AUTH_BLOCKED => Ok(0),
            StatusWord::OK => Ok(self.profile.pin_try_limit),
            other => Err(Error::refused("VERIFY (tries left)", other)),
        }
    }

    /// CHANGE PIN (`80 5E 01 00 Lc old ‖ FF ‖ new`).
    pub fn change_pin(&mut self, old: &str, new: &str) -> Result<PinOutcome> {
        let old = self.pin(old)?;
        let new = self.pin(new)?;
        self.select_df(DfId::Ssse)?;
        let cmd = commands::change_pin(&old.to_bcd(), &new.to_bcd())
            .map_err(Error::command("CHANGE PIN"))?;
        self.pin_touched = true;
        self.send_ok(&cmd, || "CHANGE PIN".into())?;
        Ok(PinOutcome {
            tries_left: self.profile.pin_try_limit,
        })
    }

    /// PIN UNBLOCK: EXTERNAL AUTHENTICATE with PUK, fresh challenge, `84 24 00 00 04 MAC` (MAC
    /// under STK). Restores the try counter; the PIN is unchanged.
    pub fn unblock_pin(&mut self) -> Result<PinOutcome> {
        self.pin_touched = true;
        self.external_authenticate_in(DfId::Ssse, key::PUK)?;
        let cmd = commands::pin_unblock();
        self.send_maced(cmd, "PIN UNBLOCK")?;
        Ok(PinOutcome {
            tries_left: self.profile.pin_try_limit,
        })
    }

    /// PIN RELOAD: EXTERNAL AUTHENTICATE with PUK, fresh challenge, `84 24 00 01 Lc E(Lpin ‖
    /// PIN) ‖ MAC` (encrypted and MAC'd under STK's process key). Sets a new PIN.
    pub fn reload_pin(&mut self, new: &str) -> Result<PinOutcome> {
        let new = self.pin(new)?;
        self.pin_touched = true;
        self.external_authenticate_in(DfId::Ssse, key::PUK)?;
        let stk = key::STK;
        let factors = self.factors(stk)?;
        let challenge = self.get_challenge()?;
        let enc = self
            .security_module()?
            .encrypt_pin_block(stk, &factors, &challenge, &new)?;
        let cmd = commands::pin_reload(&enc).map_err(Error::command("PIN RELOAD"))?;
        self.send_maced_with(cmd, "PIN RELOAD", &challenge)?;
        Ok(PinOutcome {
            tries_left: self.profile.pin_try_limit,
        })
    }

    /// GET CHALLENGE, then MAC `cmd` under STK and send it; requires `9000`.
    pub(crate) fn send_maced(&mut self, cmd: sscard_apdu::Command, operation: &str) -> Result<()> {
        let stk = key::STK;
        // Factors first: reading the card id must not come between the challenge and its use.
        self.factors(stk)?;
        let challenge = self.get_challenge()?;
        self.send_maced_with(cmd, operation, &challenge)
    }

    fn send_maced_with(
        &mut self,
        cmd: sscard_apdu::Command,
        operation: &str,
        challenge: &[u8],
    ) -> Result<()> {
        let stk = key::STK;
        let factors = self.factors(stk)?;
        let input = cmd.mac_input();
        let mac = self
            .security_module()?
            .line_mac(stk, &factors, challenge, &input.parts())?;
        let cmd = cmd.append_mac(&mac).map_err(Error::command(operation))?;
        let (_, sw) = self.send(&cmd)?;
        if sw != StatusWord::OK {
            return Err(Error::refused(operation, sw));
        }
        Ok(())
    }
}
