//! Command APDUs (ISO 7816-4 cases 1–4, short and extended): the borrowed [`CommandView`] and
//! the owned [`Command`] with secure-messaging (MAC) support.

use crate::ApduError;

/// Largest short-form data field (Lc ≤ 255).
pub const SHORT_MAX_DATA: usize = 255;
/// Largest short-form Ne (Le = `00`).
pub const SHORT_MAX_NE: u32 = 256;
/// Largest extended-form data field.
pub const EXTENDED_MAX_DATA: usize = 65_535;
/// Largest extended-form Ne (Le = `00 00`).
pub const EXTENDED_MAX_NE: u32 = 65_536;
/// Longest short APDU: header, Lc, 255 data bytes, Le.
pub const SHORT_MAX_LEN: usize = 4 + 1 + SHORT_MAX_DATA + 1;
/// Length of the MAC appended by secure-messaging commands (CLA `x4`).
pub const MAC_LEN: usize = 4;

/// The ISO 7816-4 command case: whether the APDU carries data (Nc > 0) and/or expects data (Ne).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// Case 1: header only.
    One,
    /// Case 2: Le, no data.
    Two,
    /// Case 3: Lc and data, no Le.
    Three,
    /// Case 4: Lc, data and Le.
    Four,
}

impl Case {
    /// The case number, 1 to 4.
    pub const fn number(self) -> u8 {
        match self {
            Self::One => 1,
            Self::Two => 2,
            Self::Three => 3,
            Self::Four => 4,
        }
    }
}

/// A command APDU borrowed from a byte buffer (or built by hand).
///
/// `ne` is the decoded Ne (`Le = 00` short means 256, `00 00` extended means 65 536);
/// `extended` records whether the length fields are in extended form.
///
/// ```
/// use sscard_apdu::CommandView;
/// let c = CommandView::parse(&[0x00, 0xB2, 0x01, 0x05, 0xFF]).unwrap();
/// assert_eq!((c.ins, c.p1, c.p2, c.ne), (0xB2, 0x01, 0x05, Some(255)));
/// assert!(c.data.is_empty() && !c.extended);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandView<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data field (Nc = `data.len()`).
    pub data: &'a [u8],
    /// Maximum number of response data bytes expected (absent: no Le field).
    pub ne: Option<u32>,
    /// Length fields in extended form.
    pub extended: bool,
}

fn u16_at(bytes: &[u8], i: usize) -> Option<u16> {
    match (bytes.get(i), bytes.get(i.wrapping_add(1))) {
        (Some(&a), Some(&b)) => Some(u16::from_be_bytes([a, b])),
        _ => None,
    }
}

fn short_ne(le: u8) -> u32 {
    if le == 0 {
        SHORT_MAX_NE
    } else {
        u32::from(le)
    }
}

fn extended_ne(le: u16) -> u32 {
    if le == 0 {
        EXTENDED_MAX_NE
    } else {
        u32::from(le)
    }
}

impl<'a> CommandView<'a> {
    /// Parses a complete command APDU (all four cases, short and extended).
    ///
    /// Rejects, with an [`ApduError`] and never a panic: fewer than 4 bytes, a truncated extended
    /// length, Lc not matching the body (including trailing bytes after Le) and extended Lc `00 00`.
    /// A 5-byte APDU is case 2 short; `00` as first body byte of a longer APDU means extended form.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes.split_at_checked(4).ok_or(ApduError::TooShort)?;
        let [cla, ins, p1, p2] = <[u8; 4]>::try_from(header).map_err(|_| ApduError::TooShort)?;
        let mut view = Self {
            cla,
            ins,
            p1,
            p2,
            data: &[],
            ne: None,
            extended: false,
        };
        match *body {
            [] => {}
            [le] => view.ne = Some(short_ne(le)),
            [0, ref ext @ ..] => {
                view.extended = true;
                match *ext {
                    [a, b] => view.ne = Some(extended_ne(u16::from_be_bytes([a, b]))),
                    [_] => return Err(ApduError::TruncatedLength),
                    _ => {
                        let lc = usize::from(u16_at(ext, 0).ok_or(ApduError::TruncatedLength)?);
                        if lc == 0 {
                            return Err(ApduError::ZeroExtendedLc);
                        }
                        let rest = ext.get(2..).ok_or(ApduError::TruncatedLength)?;
                        let (data, le) =
                            rest.split_at_checked(lc).ok_or(ApduError::LengthMismatch)?;
                        view.data = data;
                        match *le {
                            [] => {}
                            [a, b] => view.ne = Some(extended_ne(u16::from_be_bytes([a, b]))),
                            _ => return Err(ApduError::LengthMismatch),
                        }
                    }
                }
            }
            [lc, ref rest @ ..] => {
                let (data, le) = rest
                    .split_at_checked(usize::from(lc))
                    .ok_or(ApduError::LengthMismatch)?;
                view.data = data;
                match *le {
                    [] => {}
                    [le] => view.ne = Some(short_ne(le)),
                    _ => return Err(ApduError::LengthMismatch),
                }
            }
        }
        Ok(view)
    }

    /// The ISO 7816-4 case (1–4).
    pub fn case(&self) -> Case {
        match (self.data.is_empty(), self.ne.is_some()) {
            (true, false) => Case::One,
            (true, true) => Case::Two,
            (false, false) => Case::Three,
            (false, true) => Case::Four,
        }
    }

    /// `[CLA, INS, P1, P2]`.
    pub fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// SSC/PBOC rule: CLA bit b3 (`0x04`) set — `04`, `84` — means the data ends with a 4-byte MAC.
    pub fn is_secure_messaging(&self) -> bool {
        self.cla & 0x04 != 0
    }

    /// Number of bytes [`encode`](Self::encode) writes. Does not validate; a case-1 view is 4
    /// bytes whatever `extended` says.
    pub fn encoded_len(&self) -> usize {
        let lc = if self.data.is_empty() {
            0
        } else if self.extended {
            3
        } else {
            1
        };
        let le = match (self.ne.is_some(), self.extended, self.data.is_empty()) {
            (false, _, _) => 0,
            (true, false, _) => 1,
            (true, true, true) => 3,
            (true, true, false) => 2,
        };
        4 + lc + self.data.len() + le
    }

    /// Checks that data and Ne fit the form chosen by `extended`.
    fn validate(&self) -> Result<(), ApduError> {
        let (max_data, max_ne) = if self.extended {
            (EXTENDED_MAX_DATA, EXTENDED_MAX_NE)
        } else {
            (SHORT_MAX_DATA, SHORT_MAX_NE)
        };
        if self.data.len() > max_data {
            return Err(ApduError::DataTooLong);
        }
        match self.ne {
            Some(ne) if ne == 0 || ne > max_ne => Err(ApduError::InvalidNe),
            _ => Ok(()),
        }
    }

    /// Serialises the APDU into `out`, returning the number of bytes written.
    ///
    /// Errors: [`ApduError::DataTooLong`] / [`ApduError::InvalidNe`] if data or Ne do not fit the
    /// form (`extended`), [`ApduError::BufferTooSmall`] if `out` is shorter than
    /// [`encoded_len`](Self::encoded_len).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        self.validate()?;
        let len = self.encoded_len();
        let out = out.get_mut(..len).ok_or(ApduError::BufferTooSmall)?;
        let mut w = Writer { out, pos: 0 };
        w.put(&self.header())?;
        let nc = self.data.len();
        if nc > 0 {
            if self.extended {
                w.put(&[0])?;
                w.put(
                    &u16::try_from(nc)
                        .map_err(|_| ApduError::DataTooLong)?
                        .to_be_bytes(),
                )?;
            } else {
                w.put(&[u8::try_from(nc).map_err(|_| ApduError::DataTooLong)?])?;
            }
            w.put(self.data)?;
        }
        if let Some(ne) = self.ne {
            if self.extended {
                if nc == 0 {
                    w.put(&[0])?;
                }
                // 65 536 encodes as 00 00
                let le = if ne == EXTENDED_MAX_NE { 0 } else { ne };
                w.put(
                    &u16::try_from(le)
                        .map_err(|_| ApduError::InvalidNe)?
                        .to_be_bytes(),
                )?;
            } else {
                let le = if ne == SHORT_MAX_NE { 0 } else { ne };
                w.put(&[u8::try_from(le).map_err(|_| ApduError::InvalidNe)?])?;
            }
        }
        Ok(w.pos)
    }

    /// The encoded APDU as a `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, ApduError> {
        let mut v = alloc::vec![0; self.encoded_len()];
        let n = self.encode(&mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

/// Bounds-checked sequential writer into a byte slice.
pub(crate) struct Writer<'o> {
    pub(crate) out: &'o mut [u8],
    pub(crate) pos: usize,
}

impl Writer<'_> {
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), ApduError> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(ApduError::BufferTooSmall)?;
        self.out
            .get_mut(self.pos..end)
            .ok_or(ApduError::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

/// The input of a secure-messaging MAC: `CLA' INS P1 P2 Lc'` ‖ data, where CLA' has bit `0x04`
/// set and Lc' counts the 4 MAC bytes. Padding (`80 00..`) is the MAC function's job.
///
/// Given in two parts so a MAC routine taking the message in parts needs no buffer; use
/// [`write_to`](Self::write_to) (or `to_vec` with feature `alloc`) for one contiguous message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacInput<'a> {
    header: [u8; 7],
    header_len: usize,
    data: &'a [u8],
}

impl<'a> MacInput<'a> {
    /// `CLA' INS P1 P2 Lc'` (Lc' in extended form `00 L1 L2` when it exceeds 255).
    pub fn header(&self) -> &[u8] {
        self.header.get(..self.header_len).unwrap_or(&self.header)
    }

    /// The data field without the MAC.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// `[header, data]`, the message in parts.
    pub fn parts(&self) -> [&[u8]; 2] {
        [self.header(), self.data]
    }

    /// Total length of the MAC input (before padding).
    pub fn len(&self) -> usize {
        self.header_len + self.data.len()
    }

    /// Always `false`: the header is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Copies header ‖ data into `out`, returning the length.
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        let mut w = Writer { out, pos: 0 };
        w.put(self.header())?;
        w.put(self.data)?;
        Ok(w.pos)
    }

    /// Header ‖ data as a `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec::Vec::with_capacity(self.len());
        v.extend_from_slice(self.header());
        v.extend_from_slice(self.data);
        v
    }
}

/// An owned command APDU with at most `N` data bytes (default 255, i.e. short APDUs),
/// no heap. Short or extended form is chosen automatically (extended when data > 255 or
/// Ne > 256).
///
/// Secure messaging (sscard-spec.md §5.3, profile.md §3) in two steps:
///
/// ```
/// use sscard_apdu::Command;
/// // PIN UNBLOCK: 84 24 00 00 04 <MAC>
/// let cmd = Command::<255>::new(0x80, 0x24, 0x00, 0x00).with_mac_appended().unwrap();
/// assert_eq!(cmd.mac_input().header(), &[0x84, 0x24, 0x00, 0x00, 0x04]);
/// let mac = [1, 2, 3, 4]; // computed by the security module over mac_input()
/// let cmd = cmd.append_mac(&mac).unwrap();
/// let mut buf = [0u8; 16];
/// let n = cmd.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x84, 0x24, 0x00, 0x00, 0x04, 1, 2, 3, 4]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<const N: usize = 255> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: heapless::Vec<u8, N>,
    ne: Option<u32>,
    mac_pending: bool,
}

impl<const N: usize> Command<N> {
    /// A case-1 command `CLA INS P1 P2`.
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: heapless::Vec::new(),
            ne: None,
            mac_pending: false,
        }
    }

    /// Copies a parsed view (fails with [`ApduError::DataTooLong`] above capacity `N`). The
    /// short/extended form is re-chosen automatically, so an extended view of a small command
    /// becomes short.
    pub fn from_view(view: &CommandView<'_>) -> Result<Self, ApduError> {
        let cmd = Self::new(view.cla, view.ins, view.p1, view.p2).with_data(view.data)?;
        Ok(match view.ne {
            Some(ne) => cmd.with_ne(ne),
            None => cmd,
        })
    }

    /// Replaces the data field (fails with [`ApduError::DataTooLong`] above `N` or 65 535 bytes,
    /// counting the MAC still to come).
    pub fn with_data(mut self, data: &[u8]) -> Result<Self, ApduError> {
        let reserved = if self.mac_pending { MAC_LEN } else { 0 };
        if data.len().saturating_add(reserved) > N.min(EXTENDED_MAX_DATA) {
            return Err(ApduError::DataTooLong);
        }
        self.data = heapless::Vec::from_slice(data).map_err(|()| ApduError::DataTooLong)?;
        Ok(self)
    }

    /// Sets Ne (1..=65 536; 256 and less use a short Le unless the data needs extended form).
    /// Out-of-range values are reported by [`encode`](Self::encode).
    pub fn with_ne(mut self, ne: u32) -> Self {
        self.ne = Some(ne);
        self
    }

    /// Removes Le (case 1/3).
    pub fn without_ne(mut self) -> Self {
        self.ne = None;
        self
    }

    /// Class byte.
    pub fn cla(&self) -> u8 {
        self.cla
    }
    /// Instruction byte.
    pub fn ins(&self) -> u8 {
        self.ins
    }
    /// Parameter 1.
    pub fn p1(&self) -> u8 {
        self.p1
    }
    /// Parameter 2.
    pub fn p2(&self) -> u8 {
        self.p2
    }
    /// The data field (including the MAC once appended).
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    /// Ne, if an Le field is present.
    pub fn ne(&self) -> Option<u32> {
        self.ne
    }

    /// `true` between [`with_mac_appended`](Self::with_mac_appended) and
    /// [`append_mac`](Self::append_mac).
    pub fn is_mac_pending(&self) -> bool {
        self.mac_pending
    }

    /// `true` when the length fields must use extended form.
    pub fn needs_extended(&self) -> bool {
        let reserved = if self.mac_pending { MAC_LEN } else { 0 };
        self.data.len() + reserved > SHORT_MAX_DATA || self.ne.is_some_and(|ne| ne > SHORT_MAX_NE)
    }

    /// A borrowed view with the automatically chosen form. While a MAC is pending the view
    /// shows the data without MAC (and [`encode`](Self::encode) refuses).
    pub fn view(&self) -> CommandView<'_> {
        CommandView {
            cla: self.cla,
            ins: self.ins,
            p1: self.p1,
            p2: self.p2,
            data: &self.data,
            ne: self.ne,
            extended: self.needs_extended(),
        }
    }

    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        self.view().encoded_len()
    }

    /// Serialises the command into `out`; fails with [`ApduError::MacPending`] while the MAC
    /// is missing.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ApduError> {
        if self.mac_pending {
            return Err(ApduError::MacPending);
        }
        self.view().encode(out)
    }

    /// The encoded command as a `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, ApduError> {
        if self.mac_pending {
            return Err(ApduError::MacPending);
        }
        self.view().to_vec()
    }

    /// Secure messaging, step 1: sets CLA |= `0x04` and reserves the 4 MAC bytes (Lc' = data
    /// length + 4). Follow with [`mac_input`](Self::mac_input) and [`append_mac`](Self::append_mac).
    /// Fails with [`ApduError::DataTooLong`] if the MAC would not fit.
    pub fn with_mac_appended(mut self) -> Result<Self, ApduError> {
        if self.mac_pending {
            return Ok(self);
        }
        if self.data.len() + MAC_LEN > N.min(EXTENDED_MAX_DATA) {
            return Err(ApduError::DataTooLong);
        }
        self.cla |= 0x04;
        self.mac_pending = true;
        Ok(self)
    }

    /// The MAC input `CLA' INS P1 P2 Lc'` ‖ data (data without MAC; Lc' counts the MAC).
    /// Meaningful after [`with_mac_appended`](Self::with_mac_appended) (or
    /// [`prepare_mac`](Self::prepare_mac)); otherwise CLA' and Lc' are computed as if it had been called.
    pub fn mac_input(&self) -> MacInput<'_> {
        let lc = self.data.len() + MAC_LEN;
        let mut header = [self.cla | 0x04, self.ins, self.p1, self.p2, 0, 0, 0];
        let extended = lc > SHORT_MAX_DATA || self.ne.is_some_and(|ne| ne > SHORT_MAX_NE);
        let header_len = match u8::try_from(lc) {
            Ok(b) if !extended => {
                header[4] = b;
                5
            }
            _ => {
                let [hi, lo] = u16::try_from(lc).unwrap_or(u16::MAX).to_be_bytes();
                header[5] = hi;
                header[6] = lo;
                7
            }
        };
        MacInput {
            header,
            header_len,
            data: &self.data,
        }
    }

    /// Step 1 in one call: [`with_mac_appended`](Self::with_mac_appended) in place, returning the
    /// [`MacInput`].
    pub fn prepare_mac(&mut self) -> Result<MacInput<'_>, ApduError> {
        if !self.mac_pending {
            if self.data.len() + MAC_LEN > N.min(EXTENDED_MAX_DATA) {
                return Err(ApduError::DataTooLong);
            }
            self.cla |= 0x04;
            self.mac_pending = true;
        }
        Ok(self.mac_input())
    }

    /// Secure messaging, step 2: appends the 4-byte MAC to the data field (also sets CLA |= `0x04`
    /// if step 1 was skipped). The command can then be encoded.
    pub fn append_mac(mut self, mac: &[u8; MAC_LEN]) -> Result<Self, ApduError> {
        self.data
            .extend_from_slice(mac)
            .map_err(|()| ApduError::DataTooLong)?;
        self.cla |= 0x04;
        self.mac_pending = false;
        Ok(self)
    }
}

impl<'a, const N: usize> TryFrom<&CommandView<'a>> for Command<N> {
    type Error = ApduError;
    fn try_from(view: &CommandView<'a>) -> Result<Self, ApduError> {
        Self::from_view(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn roundtrip(bytes: &[u8]) -> CommandView<'_> {
        let v = CommandView::parse(bytes).unwrap();
        let mut buf = [0u8; 300];
        let n = v.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], bytes);
        assert_eq!(v.encoded_len(), bytes.len());
        v
    }

    #[test]
    fn case1() {
        let v = roundtrip(&hex!("00A40000"));
        assert_eq!(v.case(), Case::One);
        assert_eq!(v.ne, None);
        assert!(v.data.is_empty());
    }

    #[test]
    fn case2_short() {
        let v = roundtrip(&hex!("0084000008"));
        assert_eq!(v.case(), Case::Two);
        assert_eq!(v.ne, Some(8));
        let v = roundtrip(&hex!("00C0000000"));
        assert_eq!(v.ne, Some(256));
        assert!(!v.extended);
    }

    #[test]
    fn case3_short() {
        let bytes = hex!("00A40400 0F 7378312E73682EC9E7BBE1B1A3D5CF");
        let v = roundtrip(&bytes);
        assert_eq!(v.case(), Case::Three);
        assert_eq!(v.data, &hex!("7378312E73682EC9E7BBE1B1A3D5CF"));
        assert_eq!(v.header(), hex!("00A40400"));
    }

    #[test]
    fn case4_short() {
        let v = roundtrip(&hex!("00A40400 0F 7378312E73682EC9E7BBE1B1A3D5CF 00"));
        assert_eq!(v.case(), Case::Four);
        assert_eq!(v.ne, Some(256));
        let v = roundtrip(&hex!("00880000 10 0102030405060708 1112131415161718 08"));
        assert_eq!(v.ne, Some(8));
        assert_eq!(v.data.len(), 16);
    }

    #[test]
    fn case2_extended() {
        let v = roundtrip(&hex!("00B00000 000000"));
        assert!(v.extended);
        assert_eq!(v.ne, Some(65536));
        assert_eq!(v.case(), Case::Two);
        let v = roundtrip(&hex!("00B00000 000100"));
        assert_eq!(v.ne, Some(256));
        assert!(v.extended);
    }

    #[test]
    fn case3_and_4_extended() {
        let v = roundtrip(&hex!("00D60000 000003 010203"));
        assert!(v.extended);
        assert_eq!(v.case(), Case::Three);
        assert_eq!(v.data, &[1, 2, 3]);
        let v = roundtrip(&hex!("00D60000 000003 010203 0000"));
        assert_eq!(v.case(), Case::Four);
        assert_eq!(v.ne, Some(65536));
        let v = roundtrip(&hex!("00D60000 000003 010203 0102"));
        assert_eq!(v.ne, Some(0x0102));
    }

    #[test]
    fn malformed() {
        use ApduError::*;
        let cases: &[(&[u8], ApduError)] = &[
            (&[], TooShort),
            (&hex!("00"), TooShort),
            (&hex!("00A404"), TooShort),
            (&hex!("00A40400 0000"), TruncatedLength),
            (&hex!("00A40400 00 0000 01"), ZeroExtendedLc),
            (&hex!("00A40400 00 00"), TruncatedLength),
            (&hex!("00A40400 02 01"), LengthMismatch),
            (&hex!("00A40400 02 010203 04"), LengthMismatch),
            (&hex!("00A40400 01 01 02 03"), LengthMismatch),
            (&hex!("00A40400 000002 01"), LengthMismatch),
            (&hex!("00A40400 000002 0102 03"), LengthMismatch),
            (&hex!("00A40400 000002 0102 030405"), LengthMismatch),
            (&hex!("00A40400 00 01 02 03"), LengthMismatch),
        ];
        for (bytes, err) in cases {
            assert_eq!(CommandView::parse(bytes), Err(*err), "{bytes:02X?}");
        }
    }

    #[test]
    fn encode_errors() {
        let data = [0u8; 256];
        let v = CommandView {
            cla: 0,
            ins: 0xD6,
            p1: 0,
            p2: 0,
            data: &data,
            ne: None,
            extended: false,
        };
        assert_eq!(v.encode(&mut [0; 600]), Err(ApduError::DataTooLong));
        let v = CommandView {
            data: &[],
            ne: Some(257),
            ..v
        };
        assert_eq!(v.encode(&mut [0; 600]), Err(ApduError::InvalidNe));
        let v = CommandView { ne: Some(0), ..v };
        assert_eq!(v.encode(&mut [0; 600]), Err(ApduError::InvalidNe));
        let v = CommandView {
            ne: Some(65537),
            extended: true,
            ..v
        };
        assert_eq!(v.encode(&mut [0; 600]), Err(ApduError::InvalidNe));
        let v = CommandView {
            ne: Some(8),
            extended: false,
            ..v
        };
        assert_eq!(v.encode(&mut [0; 4]), Err(ApduError::BufferTooSmall));
        assert_eq!(v.encode(&mut [0; 5]), Ok(5));
    }

    #[test]
    fn secure_messaging_bit() {
        for (cla, sm) in [(0x00, false), (0x80, false), (0x04, true), (0x84, true)] {
            let v = CommandView {
                cla,
                ins: 0x24,
                p1: 0,
                p2: 0,
                data: &[],
                ne: None,
                extended: false,
            };
            assert_eq!(v.is_secure_messaging(), sm);
        }
    }

    #[test]
    fn owned_auto_form() {
        let c = Command::<255>::new(0x00, 0xB0, 0, 0).with_ne(256);
        assert!(!c.view().extended);
        let c = c.with_ne(257);
        assert!(c.view().extended);
        let mut buf = [0u8; 16];
        let n = c.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], &hex!("00B00000 000101"));

        let big = [0xAAu8; 300];
        let c = Command::<300>::new(0x00, 0xD6, 0, 0)
            .with_data(&big)
            .unwrap();
        assert!(c.view().extended);
        assert_eq!(c.encoded_len(), 4 + 3 + 300);
        assert_eq!(
            Command::<255>::new(0, 0, 0, 0).with_data(&big),
            Err(ApduError::DataTooLong)
        );
        let back = Command::<300>::from_view(&c.view()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn mac_two_steps() {
        // PIN RELOAD 84 24 00 01 0C enc8 MAC4 (S-HN)
        let enc = hex!("D35A1BBD61EFDEFD");
        let c = Command::<255>::new(0x80, 0x24, 0x00, 0x01)
            .with_data(&enc)
            .unwrap();
        let c = c.with_mac_appended().unwrap();
        assert_eq!(c.cla(), 0x84);
        assert_eq!(c.encode(&mut [0; 64]), Err(ApduError::MacPending));
        let mi = c.mac_input();
        assert_eq!(mi.header(), &hex!("842400010C"));
        assert_eq!(mi.data(), &enc);
        let mut buf = [0u8; 32];
        let n = mi.write_to(&mut buf).unwrap();
        assert_eq!(&buf[..n], &hex!("842400010C D35A1BBD61EFDEFD"));
        let c = c.append_mac(&hex!("01020304")).unwrap();
        let n = c.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], &hex!("842400010C D35A1BBD61EFDEFD 01020304"));
        assert!(c.view().is_secure_messaging());
    }

    #[test]
    fn prepare_mac_in_place() {
        let mut c = Command::<255>::new(0x00, 0xDC, 0x01, 0x04);
        c = c.with_data(&hex!("0201 33")).unwrap();
        let mi = c.prepare_mac().unwrap();
        assert_eq!(mi.header(), &hex!("04DC010407"));
        assert_eq!(mi.len(), 8);
        // full capacity: no room for the MAC
        let c = Command::<4>::new(0, 0, 0, 0).with_data(&[1, 2]).unwrap();
        assert_eq!(c.with_mac_appended(), Err(ApduError::DataTooLong));
    }
}
