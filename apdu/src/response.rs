//! Response APDUs: data ‖ SW1 SW2.

use crate::command::Writer;
use crate::{ApduError, StatusWord};

/// A response APDU borrowed from a buffer: the data field and the trailing status word.
///
/// ```
/// use sscard_apdu::{ResponseView, StatusWord};
/// let r = ResponseView::parse(&[0x02, 0x01, 0x33, 0x90, 0x00]).unwrap();
/// assert_eq!(r.data, &[0x02, 0x01, 0x33]);
/// assert_eq!(r.sw, StatusWord::OK);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseView<'a> {
    /// Response data (may be empty).
    pub data: &'a [u8],
    /// The status word (last two bytes).
    pub sw: StatusWord,
}

impl<'a> ResponseView<'a> {
    /// A response from its parts.
    pub const fn new(data: &'a [u8], sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits `data ‖ SW1 SW2`; needs at least 2 bytes ([`ApduError::TooShort`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let split = bytes.len().checked_sub(2).ok_or(ApduError::TooShort)?;
        let (data, sw) = bytes.split_at_checked(split).ok_or(ApduError::TooShort)?;
        let sw = <[u8; 2]>::try_from(sw).map_err(|_| ApduError::TooShort)?;
        Ok(Self {
            data,
            sw: StatusWord::from_bytes(sw),
        })
    }

    /// `data.len() + 2`.
    pub fn encoded_len(&self) -> usize {
        self.data.len() + 2
    }

    /// Writes `data ‖ SW1 SW2` into `out`, returning the length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        let mut w = Writer { out, pos: 0 };
        w.put(self.data)?;
        w.put(&self.sw.to_bytes())?;
        Ok(w.pos)
    }

    /// `true` for 9000 / 61xx.
    pub fn is_success(&self) -> bool {
        self.sw.is_success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn parse_and_encode() {
        let bytes = hex!("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E 9000");
        let r = ResponseView::parse(&bytes).unwrap();
        assert_eq!(r.data.len(), 0x18);
        assert_eq!(r.sw, StatusWord::OK);
        assert!(r.is_success());
        let mut out = [0u8; 32];
        assert_eq!(r.encode(&mut out), Ok(bytes.len()));
        assert_eq!(&out[..bytes.len()], &bytes);
        assert_eq!(r.encode(&mut out[..3]), Err(ApduError::BufferTooSmall));
    }

    #[test]
    fn sw_only_and_too_short() {
        let r = ResponseView::parse(&hex!("6982")).unwrap();
        assert!(r.data.is_empty());
        assert_eq!(r.sw, StatusWord::SECURITY_NOT_SATISFIED);
        assert_eq!(ResponseView::parse(&[0x90]), Err(ApduError::TooShort));
        assert_eq!(ResponseView::parse(&[]), Err(ApduError::TooShort));
    }
}
