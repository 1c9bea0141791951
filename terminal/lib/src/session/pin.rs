//! The user PIN: VERIFY, CHANGE PIN, PIN UNBLOCK and PIN RELOAD (profile.md §4).

use serde::Serialize;
use sscard_apdu::commands;
use sscard_apdu::StatusWord;
use sscard_keys::Pin;
use sscard_specs::{key, DfId};

use super::Session;
use crate::error::{Error, Result};
use crate::transport::pinpad::{PinPadError, PinPadFeatures, PinPadLayout};
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

    /// The reader's PIN-pad features (PC/SC part 10); none for a reader without a pad.
    pub fn pin_pad_features(&mut self) -> Result<PinPadFeatures> {
        Ok(self.transport.pin_pad_features()?)
    }

    /// Send a PIN-pad request (`code`, `structure`) and read the card's answer: the reader's
    /// own `64xx` / `6B80` is [`Error::PinPad`], the card's is handled like any answer.
    fn pin_pad_request(&mut self, code: u32, structure: &[u8], operation: &str) -> Result<()> {
        self.pin_touched = true;
        tracing::info!(operation, "PIN entry on the reader's PIN pad");
        let resp = self.transport.control(code, structure)?;
        let (_, sw) = super::split_sw(resp)?;
        if let Some(e) = PinPadError::from_reader_sw(sw) {
            return Err(Error::PinPad(e));
        }
        if sw != StatusWord::OK {
            return Err(Error::card(operation, sw));
        }
        Ok(())
    }

    /// VERIFY with the PIN typed on the reader's PIN pad (`FEATURE_VERIFY_PIN_DIRECT`): the
    /// reader builds `00 20 00 00 Lc BCD` itself, so the PIN never reaches the host. Errors as
    /// [`Self::verify_pin`], plus [`Error::PinPad`]; a reader without the feature is
    /// [`Error::Transport`].
    pub fn verify_pin_on_pad(&mut self, layout: &PinPadLayout) -> Result<PinOutcome> {
        let code = self
            .pin_pad_features()?
            .verify_pin_direct
            .ok_or_else(|| no_pin_pad("FEATURE_VERIFY_PIN_DIRECT"))?;
        if self.current_df.is_none() {
            self.select_ssse()?;
        }
        self.pin_pad_request(code, &layout.verify_structure()?, "VERIFY (PIN pad)")?;
        self.pin_verified = true;
        Ok(PinOutcome {
            tries_left: self.profile.pin_try_limit,
        })
    }

    /// CHANGE PIN with the old PIN and the new one (twice) typed on the reader's PIN pad
    /// (`FEATURE_MODIFY_PIN_DIRECT`).
    pub fn change_pin_on_pad(&mut self, layout: &PinPadLayout) -> Result<PinOutcome> {
        let code = self
            .pin_pad_features()?
            .modify_pin_direct
            .ok_or_else(|| no_pin_pad("FEATURE_MODIFY_PIN_DIRECT"))?;
        self.select_df(DfId::Ssse)?;
        self.pin_pad_request(code, &layout.modify_structure()?, "CHANGE PIN (PIN pad)")?;
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

fn no_pin_pad(feature: &str) -> Error {
    Error::Transport(crate::transport::TransportError::Pcsc {
        op: "SCardControl",
        message: format!("the reader has no PIN pad ({feature})"),
    })
}
