//! Fields shared by the card's and the PSAM's commands — SELECT targets, record addressing, line
//! protection (MAC) — and the P1/P2/data rules both decoders and both encoders apply.
//!
//! Decoding answers the status word a card gives for the first rule broken (the card OS answers
//! exactly that); encoding refuses, with [`ApduError::ParameterOutOfRange`], any value decoding
//! would never produce, so `decode(encode(v)) == v` whenever encoding succeeds.

use super::Instruction;
use crate::command::MAC_LEN;
use crate::ins;
use crate::{ApduError, Command, CommandView, StatusWord};

/// How SELECT names its target (P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SelectBy<'a> {
    /// P1 `00`: MF, DF or EF by FID; `None` (no data) selects the MF.
    Fid(Option<u16>),
    /// P1 `01`: child DF of the current DF (the card only; the PSAM answers `6A86`).
    ChildDf(u16),
    /// P1 `02`: EF under the current DF.
    ChildEf(u16),
    /// P1 `04`: DF name / AID, 1..=16 bytes.
    Name(&'a [u8]),
}

impl SelectBy<'_> {
    /// P1.
    pub const fn p1(&self) -> u8 {
        match self {
            SelectBy::Fid(_) => ins::SELECT_P1_FID,
            SelectBy::ChildDf(_) => ins::SELECT_P1_CHILD_DF,
            SelectBy::ChildEf(_) => ins::SELECT_P1_CHILD_EF,
            SelectBy::Name(_) => ins::SELECT_P1_NAME,
        }
    }
}

/// How READ RECORD addresses records: P1 and the low 3 bits of P2 (the SFI is the command's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordSelector {
    /// P1 = record identifier (the data item's tag), first occurrence; mode `000`.
    ByTag(u8),
    /// P1 = absolute record number (1..=255); mode `100`.
    ByNumber(u8),
    /// All records from number P1 (1..=255) to the last, concatenated; mode `101`.
    AllFrom(u8),
}

impl RecordSelector {
    /// P1.
    pub const fn p1(self) -> u8 {
        match self {
            Self::ByTag(v) | Self::ByNumber(v) | Self::AllFrom(v) => v,
        }
    }

    /// The P2 mode bits.
    pub const fn mode(self) -> u8 {
        match self {
            Self::ByTag(_) => ins::RECORD_MODE_BY_ID,
            Self::ByNumber(_) => ins::RECORD_MODE_BY_NUMBER,
            Self::AllFrom(_) => ins::RECORD_MODE_ALL_FROM,
        }
    }

    /// P1 and the P2 mode bits back to a selector (`None`: unknown mode, or record number 0).
    pub const fn from_p1_mode(p1: u8, mode: u8) -> Option<Self> {
        match mode {
            ins::RECORD_MODE_BY_ID => Some(Self::ByTag(p1)),
            ins::RECORD_MODE_BY_NUMBER if p1 != 0 => Some(Self::ByNumber(p1)),
            ins::RECORD_MODE_ALL_FROM if p1 != 0 => Some(Self::AllFrom(p1)),
            _ => None,
        }
    }
}

/// A data field followed by a 4-byte line-protection MAC (CLA `04` / `84`).
///
/// On the card, [`decode`](super::CardCommand::decode) keeps the received `header` — the start
/// of the MAC input `CLA' INS P1 P2 Lc'`. That header follows from the rest of the command, so
/// it is not part of the value: `==` ignores it and encoding derives it. On the host, build a
/// `Mac` with [`Mac::new`] or, with the MAC still to compute, [`Mac::pending`]: the command then
/// encodes MAC-pending ([`Command::mac_input`], then [`Command::append_mac`]).
#[derive(Clone, Copy, Debug)]
pub struct Mac<'a> {
    /// `CLA INS P1 P2 Lc` as received (Lc counts the MAC); all zero in a `Mac` built on the host.
    pub header: [u8; 5],
    /// The data field without the MAC.
    pub body: &'a [u8],
    /// The MAC: 4 bytes, or empty while it is still to be computed (host side).
    pub mac: &'a [u8],
}

impl<'a> Mac<'a> {
    /// `body` ‖ `mac` (4 bytes; encoding refuses other lengths but 0).
    pub const fn new(body: &'a [u8], mac: &'a [u8]) -> Self {
        Mac {
            header: [0; 5],
            body,
            mac,
        }
    }

    /// `body` with the MAC still to compute: the encoded command is MAC-pending.
    pub const fn pending(body: &'a [u8]) -> Self {
        Self::new(body, &[])
    }

    /// Whether the MAC is still to be computed.
    pub const fn is_pending(&self) -> bool {
        self.mac.is_empty()
    }
}

impl PartialEq for Mac<'_> {
    /// Body and MAC; the received header follows from the command and is ignored.
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body && self.mac == other.mac
    }
}

impl Eq for Mac<'_> {}

/// Line protection of a write command (UPDATE BINARY / UPDATE RECORD / APPEND RECORD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection<'a> {
    /// Plain (CLA `00`): access by the security state.
    Plain(&'a [u8]),
    /// MAC'd (CLA `04`): the MAC under the file's update key's process key stands for the key.
    Mac(Mac<'a>),
}

impl<'a> Protection<'a> {
    /// The data to write.
    pub fn data(&self) -> &'a [u8] {
        match self {
            Protection::Plain(d) => d,
            Protection::Mac(m) => m.body,
        }
    }

    /// The CLA of the write: `00` plain, `04` MAC'd.
    pub const fn cla(&self) -> u8 {
        match self {
            Protection::Plain(_) => ins::CLA_ISO,
            Protection::Mac(_) => ins::CLA_ISO_SM,
        }
    }
}

// ---- decoding ----------------------------------------------------------------------------------

pub(crate) fn want_cla(v: &CommandView<'_>, allowed: &[u8]) -> Result<(), StatusWord> {
    if allowed.contains(&v.cla) {
        Ok(())
    } else {
        Err(StatusWord::CLA_NOT_SUPPORTED)
    }
}

pub(crate) fn want_p1p2(v: &CommandView<'_>, p1: u8, p2: u8) -> Result<(), StatusWord> {
    if v.p1 == p1 && v.p2 == p2 {
        Ok(())
    } else {
        Err(StatusWord::WRONG_P1P2)
    }
}

fn fid(data: &[u8]) -> Result<u16, StatusWord> {
    match *data {
        [a, b] => Ok(u16::from_be_bytes([a, b])),
        _ => Err(StatusWord::WRONG_LENGTH),
    }
}

pub(crate) fn split_mac<'a>(v: &CommandView<'a>) -> Result<Mac<'a>, StatusWord> {
    let lc = u8::try_from(v.data.len()).map_err(|_| StatusWord::WRONG_LENGTH)?;
    let cut = v
        .data
        .len()
        .checked_sub(MAC_LEN)
        .ok_or(StatusWord::WRONG_LENGTH)?;
    let (body, mac) = v.data.split_at(cut);
    Ok(Mac {
        header: [v.cla, v.ins, v.p1, v.p2, lc],
        body,
        mac,
    })
}

/// A MAC and nothing else in the data field.
pub(crate) fn mac_only<'a>(v: &CommandView<'a>) -> Result<Mac<'a>, StatusWord> {
    let m = split_mac(v)?;
    if !m.body.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    Ok(m)
}

/// The data of a write: plain (CLA `00`) or MAC'd (CLA `04`), never empty.
pub(crate) fn protection<'a>(v: &CommandView<'a>) -> Result<Protection<'a>, StatusWord> {
    if v.cla == ins::CLA_ISO_SM {
        let m = split_mac(v)?;
        if m.body.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(Protection::Mac(m))
    } else if v.data.is_empty() {
        Err(StatusWord::WRONG_LENGTH)
    } else {
        Ok(Protection::Plain(v.data))
    }
}

/// P2 = `sssss xxx`: SFI (0 = current EF) and the low 3 bits.
pub(crate) fn sfi_p2(p2: u8) -> Result<(Option<u8>, u8), StatusWord> {
    let sfi = p2 >> 3;
    if sfi == 0x1F {
        return Err(StatusWord::WRONG_P1P2);
    }
    Ok(((sfi != 0).then_some(sfi), p2 & 0x07))
}

/// READ/UPDATE BINARY P1/P2: `1 00 sssss | offset8` or `0 offset15`.
pub(crate) fn binary_p1p2(p1: u8, p2: u8) -> Result<(Option<u8>, u16), StatusWord> {
    if p1 & 0x80 != 0 {
        if p1 & 0x60 != 0 || p1 & 0x1F == 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok((Some(p1 & 0x1F), u16::from(p2)))
    } else {
        Ok((None, u16::from_be_bytes([p1, p2])))
    }
}

/// SELECT (CLA `00`): the target and whether the FCI is asked for (P2 `00`; `0C`: no data).
/// `child_df`: whether P1 `01` is a command of the card at hand.
pub(crate) fn select<'a>(
    v: &CommandView<'a>,
    child_df: bool,
) -> Result<(SelectBy<'a>, bool), StatusWord> {
    want_cla(v, &[ins::CLA_ISO])?;
    let fci = match v.p2 {
        ins::SELECT_P2_FCI => true,
        ins::SELECT_P2_NO_DATA => false,
        _ => return Err(StatusWord::WRONG_P1P2),
    };
    let by = match v.p1 {
        ins::SELECT_P1_FID if v.data.is_empty() => SelectBy::Fid(None),
        ins::SELECT_P1_FID => SelectBy::Fid(Some(fid(v.data)?)),
        ins::SELECT_P1_CHILD_DF if child_df => SelectBy::ChildDf(fid(v.data)?),
        ins::SELECT_P1_CHILD_EF => SelectBy::ChildEf(fid(v.data)?),
        ins::SELECT_P1_NAME => {
            if v.data.is_empty() || v.data.len() > 16 {
                return Err(StatusWord::WRONG_LENGTH);
            }
            SelectBy::Name(v.data)
        }
        _ => return Err(StatusWord::WRONG_P1P2),
    };
    Ok((by, fci))
}

/// READ BINARY (CLA `00`, no data): SFI and offset.
pub(crate) fn read_binary(v: &CommandView<'_>) -> Result<(Option<u8>, u16), StatusWord> {
    want_cla(v, &[ins::CLA_ISO])?;
    if !v.data.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    binary_p1p2(v.p1, v.p2)
}

/// GET CHALLENGE (`00 84 00 00`, no data): Le 4, 8 or 16.
pub(crate) fn get_challenge(v: &CommandView<'_>) -> Result<u8, StatusWord> {
    want_cla(v, &[ins::CLA_ISO])?;
    want_p1p2(v, 0, 0)?;
    match (v.data.is_empty(), v.ne) {
        (true, Some(n @ (4 | 8 | 16))) => Ok(n as u8),
        _ => Err(StatusWord::WRONG_LENGTH),
    }
}

/// GET RESPONSE (`00 C0 00 00`, no data): Le (absent: 256).
pub(crate) fn get_response(v: &CommandView<'_>) -> Result<u16, StatusWord> {
    want_cla(v, &[ins::CLA_ISO])?;
    want_p1p2(v, 0, 0)?;
    if !v.data.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    Ok(v.ne.map_or(256, |n| n.min(256) as u16))
}

// ---- encoding ----------------------------------------------------------------------------------

/// [`ApduError::ParameterOutOfRange`] unless `ok`.
pub(crate) fn check(ok: bool) -> Result<(), ApduError> {
    if ok {
        Ok(())
    } else {
        Err(ApduError::ParameterOutOfRange)
    }
}

/// `CLA INS P1 P2 [Lc data]`.
pub(crate) fn apdu(
    cla: u8,
    ins: Instruction,
    p1: u8,
    p2: u8,
    data: &[u8],
) -> Result<Command, ApduError> {
    Command::new(cla, ins.byte(), p1, p2).with_data(data)
}

/// `CLA' INS P1 P2 Lc' body MAC` (CLA' has the SM bit); MAC-pending when the MAC is empty.
pub(crate) fn apdu_mac(
    cla: u8,
    ins: Instruction,
    p1: u8,
    p2: u8,
    m: &Mac<'_>,
) -> Result<Command, ApduError> {
    let c = apdu(cla | ins::CLA_SM_BIT, ins, p1, p2, m.body)?;
    match <&[u8; MAC_LEN]>::try_from(m.mac) {
        Ok(mac) => c.append_mac(mac),
        Err(_) if m.mac.is_empty() => c.with_mac_appended(),
        Err(_) => Err(ApduError::ParameterOutOfRange),
    }
}

/// A MAC'd command without a body (`84 24 00 00`, `84 1E`, `84 18`, `84 16`).
pub(crate) fn apdu_mac_only(
    ins: Instruction,
    p1: u8,
    p2: u8,
    m: &Mac<'_>,
) -> Result<Command, ApduError> {
    check(m.body.is_empty())?;
    apdu_mac(ins::CLA_PROPRIETARY_SM, ins, p1, p2, m)
}

/// A write: CLA `00` plain or `04` MAC'd, data never empty.
pub(crate) fn apdu_write(
    ins: Instruction,
    p1: u8,
    p2: u8,
    p: &Protection<'_>,
) -> Result<Command, ApduError> {
    check(!p.data().is_empty())?;
    match p {
        Protection::Plain(d) => apdu(ins::CLA_ISO, ins, p1, p2, d),
        Protection::Mac(m) => apdu_mac(ins::CLA_ISO_SM, ins, p1, p2, m),
    }
}

/// P2 `sssss 000` of a record command (SFI 1..=30; `None`: the current EF).
pub(crate) fn sfi_to_p2(sfi: Option<u8>) -> Result<u8, ApduError> {
    match sfi {
        None => Ok(0),
        Some(s @ 1..=30) => Ok(s << 3),
        Some(_) => Err(ApduError::ParameterOutOfRange),
    }
}

/// READ/UPDATE BINARY P1/P2: SFI 1..=31 with an offset ≤ `FF`, or an offset ≤ `7FFF` in the
/// current EF.
pub(crate) fn binary_to_p1p2(sfi: Option<u8>, offset: u16) -> Result<(u8, u8), ApduError> {
    match (sfi, u8::try_from(offset)) {
        (Some(s @ 1..=31), Ok(off)) => Ok((0x80 | s, off)),
        (None, _) if offset <= 0x7FFF => {
            let [p1, p2] = offset.to_be_bytes();
            Ok((p1, p2))
        }
        _ => Err(ApduError::ParameterOutOfRange),
    }
}

/// SELECT: `00 A4 P1 P2 [Lc FID | name]`.
pub(crate) fn select_apdu(by: &SelectBy<'_>, fci: bool) -> Result<Command, ApduError> {
    let p2 = if fci {
        ins::SELECT_P2_FCI
    } else {
        ins::SELECT_P2_NO_DATA
    };
    let fid;
    let data: &[u8] = match *by {
        SelectBy::Fid(None) => &[],
        SelectBy::Fid(Some(f)) | SelectBy::ChildDf(f) | SelectBy::ChildEf(f) => {
            fid = f.to_be_bytes();
            &fid
        }
        SelectBy::Name(name) => {
            check(!name.is_empty() && name.len() <= 16)?;
            name
        }
    };
    apdu(ins::CLA_ISO, Instruction::Select, by.p1(), p2, data)
}

/// READ BINARY: `00 B0 P1 P2` (add Le with [`Command::with_ne`]).
pub(crate) fn read_binary_apdu(sfi: Option<u8>, offset: u16) -> Result<Command, ApduError> {
    let (p1, p2) = binary_to_p1p2(sfi, offset)?;
    apdu(ins::CLA_ISO, Instruction::ReadBinary, p1, p2, &[])
}

/// GET CHALLENGE: `00 84 00 00 Le` (4, 8 or 16).
pub(crate) fn get_challenge_apdu(len: u8) -> Result<Command, ApduError> {
    check(matches!(len, 4 | 8 | 16))?;
    Ok(Command::new(ins::CLA_ISO, Instruction::GetChallenge.byte(), 0, 0).with_ne(u32::from(len)))
}

/// GET RESPONSE: `00 C0 00 00 Le` (1..=256; 256 as `00`).
pub(crate) fn get_response_apdu(le: u16) -> Result<Command, ApduError> {
    check((1..=256).contains(&le))?;
    Ok(Command::new(ins::CLA_ISO, Instruction::GetResponse.byte(), 0, 0).with_ne(u32::from(le)))
}
