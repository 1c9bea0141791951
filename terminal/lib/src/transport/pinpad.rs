//! PIN pads of PC/SC readers (PC/SC v2 part 10): the reader's feature list
//! (`CM_IOCTL_GET_FEATURE_REQUEST`), and the `PIN_VERIFY_STRUCTURE` / `PIN_MODIFY_STRUCTURE`
//! a terminal sends with `SCardControl` so that the holder types the PIN on the reader and the
//! reader, not the host, puts it into the VERIFY / CHANGE PIN APDU. The PIN never reaches the
//! host.
//!
//! The byte layout is pcsc-lite's `reader.h` (packed, multi-byte fields in the host's — and the
//! CCID wire's — little-endian order); `tests/pinpad_layout.rs` compiles that header with the
//! system C compiler and compares. The APDU template comes from the one VERIFY / CHANGE PIN
//! codec ([`sscard_apdu::commands`]): the PIN block is prefilled with `FF` and the reader writes
//! the typed digits into it as packed BCD, left-justified, so an odd digit count leaves the
//! trailing `F` nibble the card's PIN coding expects (profile.md §4).
//!
//! A PIN pad asks for a fixed number of digits ([`PinPadLayout::digits`]): the APDU's Lc is
//! fixed before the holder types, and the national interface has no way to learn the stored
//! PIN's length, so the length is configured (default: the profile's default length, 6).

use sscard_apdu::commands;
use sscard_apdu::StatusWord;

use super::TransportError;

/// `FEATURE_VERIFY_PIN_DIRECT` (part 10 §2.3).
pub const FEATURE_VERIFY_PIN_DIRECT: u8 = 0x06;
/// `FEATURE_MODIFY_PIN_DIRECT`.
pub const FEATURE_MODIFY_PIN_DIRECT: u8 = 0x07;
/// The function number of `CM_IOCTL_GET_FEATURE_REQUEST` (`SCARD_CTL_CODE(3400)`); the control
/// code itself is platform-specific (`pcsc::ctl_code`).
pub const GET_FEATURE_REQUEST_FUNCTION: u32 = 3400;

/// `bmFormatString`: system units are bytes (bit 7), PIN at byte 0 of the block (bits 6-3),
/// left-justified (bit 2 clear), BCD (bits 1-0 = 01).
const FORMAT_BYTES_LEFT_BCD: u8 = 0x81;
/// `bEntryValidationCondition`: the holder presses the validation key.
const VALIDATE_ON_KEY: u8 = 0x02;
/// `bConfirmPIN`: the new PIN is entered twice (the reader compares).
const CONFIRM_NEW_PIN: u8 = 0x01;
/// `wLangId` of the reader's own prompts: zh-CN (0x0804).
pub const LANG_ZH_CN: u16 = 0x0804;
/// The prefill of the PIN block (and the separator of CHANGE PIN).
const PIN_FILL: u8 = 0xFF;
/// The prefill of CHANGE PIN's old-PIN block.
const OLD_PIN_FILL: u8 = 0x0F;
/// Most digits a PIN field holds (8 bytes of packed BCD, profile.md §4 allows 12).
const MAX_DIGITS: u8 = 16;

/// The reader's answers that are not the card's (part 10 §2.5.2 / CCID `bError` mapped by
/// pcsc-lite's ccid driver): `64 00` timeout, `64 01` cancelled, `64 02` the two new PINs differ,
/// `64 03` a PIN length outside min..max, `6B 80` a structure the reader refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinPadError {
    /// Nothing typed in time (`64 00`).
    #[error("PIN pad: no PIN entered in time (6400)")]
    Timeout,
    /// The holder pressed cancel (`64 01`).
    #[error("PIN pad: PIN entry cancelled (6401)")]
    Cancelled,
    /// The new PIN and its confirmation differ (`64 02`).
    #[error("PIN pad: the new PIN and its confirmation differ (6402)")]
    PinsDiffer,
    /// Fewer or more digits than the pad asked for (`64 03`).
    #[error("PIN pad: PIN of the wrong length (6403)")]
    WrongLength,
    /// The reader refused the request (`6B 80`).
    #[error("PIN pad: the reader refused the PIN request (6B80)")]
    Refused,
    /// The feature list is not a sequence of 6-byte TLVs.
    #[error("PIN pad: malformed feature list from the reader ({0} bytes)")]
    BadFeatureList(usize),
    /// The configured digit count cannot be asked for.
    #[error("PIN pad: cannot ask for {0} digits (1..=16)")]
    BadDigits(u8),
}

impl PinPadError {
    /// The reader's own refusal behind `sw`, if it is one (else the card answered).
    pub fn from_reader_sw(sw: StatusWord) -> Option<PinPadError> {
        match sw.0 {
            0x6400 => Some(PinPadError::Timeout),
            0x6401 => Some(PinPadError::Cancelled),
            0x6402 => Some(PinPadError::PinsDiffer),
            0x6403 => Some(PinPadError::WrongLength),
            0x6B80 => Some(PinPadError::Refused),
            _ => None,
        }
    }
}

/// The PIN-pad features a reader offers: their control codes (as the reader gives them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinPadFeatures {
    /// `FEATURE_VERIFY_PIN_DIRECT`'s control code.
    pub verify_pin_direct: Option<u32>,
    /// `FEATURE_MODIFY_PIN_DIRECT`'s control code.
    pub modify_pin_direct: Option<u32>,
}

impl PinPadFeatures {
    /// A reader without a PIN pad.
    pub const NONE: PinPadFeatures = PinPadFeatures {
        verify_pin_direct: None,
        modify_pin_direct: None,
    };

    /// Parse the answer to `CM_IOCTL_GET_FEATURE_REQUEST`: `tag ‖ 04 ‖ control code (big-endian)`
    /// repeated (`PCSC_TLV_STRUCTURE`). Unknown tags are skipped; an entry whose length is not 4,
    /// or a list that does not end on an entry, is an error.
    pub fn parse(list: &[u8]) -> Result<PinPadFeatures, PinPadError> {
        let mut out = PinPadFeatures::NONE;
        let mut rest = list;
        while !rest.is_empty() {
            let (entry, tail) = match (rest.get(..6), rest.get(6..)) {
                (Some(e), Some(t)) => (e, t),
                _ => return Err(PinPadError::BadFeatureList(list.len())),
            };
            let [tag, len, a, b, c, d] =
                [entry[0], entry[1], entry[2], entry[3], entry[4], entry[5]];
            if len != 4 {
                return Err(PinPadError::BadFeatureList(list.len()));
            }
            let code = u32::from_be_bytes([a, b, c, d]);
            match tag {
                FEATURE_VERIFY_PIN_DIRECT => out.verify_pin_direct = Some(code),
                FEATURE_MODIFY_PIN_DIRECT => out.modify_pin_direct = Some(code),
                _ => {}
            }
            rest = tail;
        }
        Ok(out)
    }

    /// The reader can verify a PIN typed on it.
    pub fn can_verify(&self) -> bool {
        self.verify_pin_direct.is_some()
    }
}

/// What the PIN pad asks the holder for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinPadLayout {
    /// Digits of the PIN (min = max: the APDU's Lc is fixed before the holder types).
    pub digits: u8,
    /// Seconds to wait for the holder (`bTimerOut`; 0: the reader's default).
    pub timeout_secs: u8,
    /// Language of the reader's prompts (`wLangId`).
    pub lang_id: u16,
}

impl PinPadLayout {
    /// A layout for `digits` digits (1..=16).
    pub fn new(digits: u8, timeout_secs: u8) -> Result<PinPadLayout, PinPadError> {
        if digits == 0 || digits > MAX_DIGITS {
            return Err(PinPadError::BadDigits(digits));
        }
        Ok(PinPadLayout {
            digits,
            timeout_secs,
            lang_id: LANG_ZH_CN,
        })
    }

    /// Bytes of the packed-BCD PIN block.
    pub fn block_len(&self) -> usize {
        usize::from(self.digits).div_ceil(2)
    }

    fn block(&self) -> Vec<u8> {
        vec![PIN_FILL; self.block_len()]
    }

    fn common_head(&self, out: &mut Vec<u8>) {
        let block = u8::try_from(self.block_len()).unwrap_or(0) & 0x0F;
        out.push(self.timeout_secs); // bTimerOut
        out.push(self.timeout_secs); // bTimerOut2
        out.push(FORMAT_BYTES_LEFT_BCD); // bmFormatString
        out.push(block); // bmPINBlockString: no length field, block size in bytes
        out.push(0x00); // bmPINLengthFormat: no length inserted
    }

    fn min_max(&self) -> [u8; 2] {
        // wPINMaxExtraDigit = 0xXXYY (XX min, YY max), little-endian on the wire.
        u16::from_be_bytes([self.digits, self.digits]).to_le_bytes()
    }

    /// The `PIN_VERIFY_STRUCTURE` for `VERIFY` (`00 20 00 00 Lc FF…`).
    pub fn verify_structure(&self) -> Result<Vec<u8>, TransportError> {
        let apdu = commands::verify(&self.block())
            .and_then(|c| c.to_vec())
            .map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let mut out = Vec::with_capacity(19 + apdu.len());
        self.common_head(&mut out);
        out.extend_from_slice(&self.min_max());
        out.push(VALIDATE_ON_KEY); // bEntryValidationCondition
        out.push(0x01); // bNumberMessage
        out.extend_from_slice(&self.lang_id.to_le_bytes());
        out.push(0x00); // bMsgIndex
        out.extend_from_slice(&[0, 0, 0]); // bTeoPrologue
        push_data(&mut out, &apdu);
        Ok(out)
    }

    /// The `PIN_MODIFY_STRUCTURE` for `CHANGE PIN` (`80 5E 01 00 Lc old ‖ FF ‖ new`): the old
    /// PIN once, the new one twice (the reader compares the two).
    pub fn modify_structure(&self) -> Result<Vec<u8>, TransportError> {
        // The old PIN's block may not hold FF (the separator the card splits at): it is
        // prefilled with 0F, whose F nibble is what an odd digit count leaves (the reader
        // overwrites every other nibble).
        let old_fill = vec![OLD_PIN_FILL; self.block_len()];
        let apdu = commands::change_pin(&old_fill, &self.block())
            .and_then(|c| c.to_vec())
            .map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let new_offset = u8::try_from(self.block_len() + 1).unwrap_or(0);
        let mut out = Vec::with_capacity(24 + apdu.len());
        self.common_head(&mut out);
        out.push(0x00); // bInsertionOffsetOld
        out.push(new_offset); // bInsertionOffsetNew: after old ‖ FF
        out.extend_from_slice(&self.min_max());
        out.push(CONFIRM_NEW_PIN); // bConfirmPIN
        out.push(VALIDATE_ON_KEY);
        out.push(0x03); // bNumberMessage: old, new, confirm
        out.extend_from_slice(&self.lang_id.to_le_bytes());
        out.extend_from_slice(&[0x00, 0x01, 0x02]); // bMsgIndex1..3
        out.extend_from_slice(&[0, 0, 0]); // bTeoPrologue
        push_data(&mut out, &apdu);
        Ok(out)
    }
}

fn push_data(out: &mut Vec<u8>, apdu: &[u8]) {
    let len = u32::try_from(apdu.len()).unwrap_or(0);
    out.extend_from_slice(&len.to_le_bytes()); // ulDataLength
    out.extend_from_slice(apdu); // abData
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn feature_list_is_parsed_and_malformed_lists_refused() {
        let list = [
            0x01, 4, 0x42, 0x33, 0x00, 0x01, // FEATURE_VERIFY_PIN_START, skipped
            0x06, 4, 0x42, 0x33, 0x00, 0x06, 0x07, 4, 0x42, 0x33, 0x00, 0x07,
        ];
        let f = PinPadFeatures::parse(&list).unwrap();
        assert_eq!(f.verify_pin_direct, Some(0x4233_0006));
        assert_eq!(f.modify_pin_direct, Some(0x4233_0007));
        assert_eq!(PinPadFeatures::parse(&[]).unwrap(), PinPadFeatures::NONE);
        assert!(PinPadFeatures::parse(&list[..17]).is_err());
        assert!(PinPadFeatures::parse(&[0x06, 3, 0, 0, 0, 6]).is_err());
    }

    #[test]
    fn verify_structure_carries_the_verify_template() {
        let s = PinPadLayout::new(6, 30)
            .unwrap()
            .verify_structure()
            .unwrap();
        assert_eq!(&s[..5], &[30, 30, 0x81, 0x03, 0x00]);
        assert_eq!(&s[5..7], &[0x06, 0x06]);
        assert_eq!(&s[15..19], &[8, 0, 0, 0]);
        assert_eq!(&s[19..], &[0x00, 0x20, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF]);
        assert!(PinPadLayout::new(0, 0).is_err());
        assert!(PinPadLayout::new(17, 0).is_err());
    }

    #[test]
    fn odd_digit_counts_round_the_block_up() {
        let l = PinPadLayout::new(5, 0).unwrap();
        assert_eq!(l.block_len(), 3);
        let m = l.modify_structure().unwrap();
        assert_eq!(m[6], 4, "new PIN after old (3) and the FF separator");
    }

    #[test]
    fn reader_status_words_are_told_from_the_card_s() {
        assert_eq!(
            PinPadError::from_reader_sw(StatusWord(0x6401)),
            Some(PinPadError::Cancelled)
        );
        assert_eq!(PinPadError::from_reader_sw(StatusWord(0x63C2)), None);
        assert_eq!(PinPadError::from_reader_sw(StatusWord(0x9000)), None);
    }
}
