//! `iVerifyPIN`, `iChangePIN`, `iReloadPIN`, `iUnblockPIN`. The PIN functions take no PIN
//! argument: the PIN comes from the [`Device`] — the reader's PIN pad, or a configured PIN-entry
//! program (see the driver's documentation). On success pOutInfo is empty.

use sscard_keys::pin::PinError;

use super::basic::Call;
use super::device::{Device, PinPrompt};
use super::error::{NationalError, NationalResult};
use super::file::check_card_info;
use crate::error::Error;
use crate::transport::pinpad::{PinPadFeatures, PinPadLayout};

fn pin_error(e: NationalError) -> NationalError {
    match e {
        NationalError::Terminal(Error::Pin(
            p @ (PinError::TooShort { .. } | PinError::TooLong { .. }),
        )) => NationalError::PinLength(p.to_string()),
        other => other,
    }
}

/// The PIN-pad request to use: the device wants a pad and the card's reader offers the feature
/// `has`; otherwise `None` (the PIN-entry program).
fn pin_pad(
    dev: &dyn Device,
    call: &mut Call,
    has: impl Fn(&PinPadFeatures) -> bool,
) -> NationalResult<Option<PinPadLayout>> {
    let Some(layout) = dev.pin_pad() else {
        return Ok(None);
    };
    let features = call.run(|s| s.pin_pad_features())?;
    Ok(has(&features).then_some(layout))
}

/// `iVerifyPIN(iType, pOutInfo)`: VERIFY the PIN entered by the holder (−51 wrong, −52 locked).
pub fn verify_pin(dev: &mut dyn Device, itype: i32) -> NationalResult<String> {
    let mut call = Call::open(dev, itype)?;
    if let Some(layout) = pin_pad(dev, &mut call, |f| f.verify_pin_direct.is_some())? {
        call.run(|s| s.verify_pin_on_pad(&layout))?;
        return Ok(String::new());
    }
    let pin = dev.enter_pin(PinPrompt::Verify)?;
    call.run(|s| s.verify_pin(&pin)).map_err(pin_error)?;
    Ok(String::new())
}

/// The new PIN, entered twice (−34 when they differ).
fn new_pin(dev: &mut dyn Device) -> NationalResult<zeroize::Zeroizing<String>> {
    let new = dev.enter_pin(PinPrompt::New)?;
    let again = dev.enter_pin(PinPrompt::Confirm)?;
    if *new != *again {
        return Err(NationalError::PinsDiffer);
    }
    Ok(new)
}

/// `iChangePIN(iType, pOutInfo)`: CHANGE PIN from the old PIN to a new one entered twice.
pub fn change_pin(dev: &mut dyn Device, itype: i32) -> NationalResult<String> {
    let mut call = Call::open(dev, itype)?;
    if let Some(layout) = pin_pad(dev, &mut call, |f| f.modify_pin_direct.is_some())? {
        call.run(|s| s.change_pin_on_pad(&layout))?;
        return Ok(String::new());
    }
    let old = dev.enter_pin(PinPrompt::Old)?;
    let new = new_pin(dev)?;
    call.run(|s| s.change_pin(&old, &new)).map_err(pin_error)?;
    Ok(String::new())
}

/// `iReloadPIN(iType, pCardInfo, pOutInfo)`: PIN RELOAD to a new PIN entered twice, through the
/// PSAM (PUK authentication, the PIN block encrypted and MAC'd under STK). pCardInfo =
/// `卡识别码|卡号|` must name the card.
pub fn reload_pin(dev: &mut dyn Device, itype: i32, card_info: &str) -> NationalResult<String> {
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    call.attach_psam(dev)?;
    let new = new_pin(dev)?;
    call.run(|s| s.reload_pin(&new)).map_err(pin_error)?;
    Ok(String::new())
}

/// `iUnblockPIN(iType, pCardInfo, pOutInfo)`: PIN UNBLOCK through the PSAM; the PIN stays.
pub fn unblock_pin(dev: &mut dyn Device, itype: i32, card_info: &str) -> NationalResult<String> {
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    call.attach_psam(dev)?;
    call.run(|s| s.unblock_pin())?;
    Ok(String::new())
}
