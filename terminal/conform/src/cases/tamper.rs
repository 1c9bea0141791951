//! Spoiled commands for the refusal cases: an EXTERNAL AUTHENTICATE cryptogram or a
//! line-protection MAC with one bit flipped.

use crate::ctx::Ctx;
use crate::verdict::Verdict;

/// Flip the low bit of the first cryptogram byte of an EXTERNAL AUTHENTICATE APDU (the byte
/// after CLA INS P1 P2 Lc).
pub(super) fn flip_cryptogram_bit(apdu: &mut [u8]) {
    if let Some(b) = apdu.get_mut(5) {
        *b ^= 0x01;
    }
}

/// GET CHALLENGE, then the EXTERNAL AUTHENTICATE APDU for it with key `name` and a wrong
/// cryptogram ([`flip_cryptogram_bit`]; not sent).
pub(super) fn wrong_auth_apdu(ctx: &mut Ctx<'_>, name: &str) -> Result<Vec<u8>, Verdict> {
    let mut apdu = ctx.ext_auth_fresh(name)?;
    flip_cryptogram_bit(&mut apdu);
    Ok(apdu)
}

/// Flip the bits `mask` of the last byte of a MAC-protected command (its last MAC byte).
pub(super) fn flip_last_byte(apdu: &mut [u8], mask: u8) {
    if let Some(b) = apdu.last_mut() {
        *b ^= mask;
    }
}
