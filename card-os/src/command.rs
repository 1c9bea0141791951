//! Typed commands: every APDU is parsed once, from a `CommandView`, into a [`Command`]; handlers
//! never look at raw bytes again. Parsing checks CLA, INS, P1/P2 and lengths, so a malformed APDU is
//! refused here, before any state is touched.

use sscard_apdu::ins;
use sscard_apdu::{CommandView, StatusWord};

/// Length of a line-protection MAC.
pub(crate) const MAC_LEN: usize = 4;

/// How SELECT names its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SelectBy<'a> {
    /// P1 = 00: MF, DF or EF by FID (empty data: MF).
    Fid(Option<u16>),
    /// P1 = 01: child DF of the current DF.
    ChildDf(u16),
    /// P1 = 02: EF under the current DF.
    ChildEf(u16),
    /// P1 = 04: DF name / AID.
    Name(&'a [u8]),
}

/// READ RECORD addressing (P2 low 3 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadMode {
    /// `000`: first record whose tag is P1.
    Tag(u8),
    /// `100`: record number P1.
    Number(u8),
    /// `101`: records P1..last, concatenated.
    AllFrom(u8),
}

/// A data field followed by a 4-byte MAC (CLA `04`/`84`), with the MAC input header kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mac<'a> {
    /// `CLA INS P1 P2 Lc` as received (Lc counts the MAC).
    pub header: [u8; 5],
    /// The data field without the MAC.
    pub body: &'a [u8],
    /// The MAC.
    pub mac: &'a [u8],
}

/// Line protection of a write command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protection<'a> {
    /// Plain (CLA 00): access by the security state.
    Plain(&'a [u8]),
    /// MAC'd (CLA 04): the MAC under the file's update key's process key stands for the key.
    Mac(Mac<'a>),
}

impl<'a> Protection<'a> {
    /// The data to write.
    pub(crate) fn data(&self) -> &'a [u8] {
        match self {
            Protection::Plain(d) => d,
            Protection::Mac(m) => m.body,
        }
    }
}

/// Every command the card OS implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    /// SELECT (`00 A4`); `fci` = P2 `00` (return FCI) vs `0C` (no response data).
    Select { by: SelectBy<'a>, fci: bool },
    /// READ BINARY (`00 B0`).
    ReadBinary { sfi: Option<u8>, offset: u16 },
    /// UPDATE BINARY (`00 D6` / `04 D6`).
    UpdateBinary {
        sfi: Option<u8>,
        offset: u16,
        data: Protection<'a>,
    },
    /// READ RECORD (`00 B2`).
    ReadRecord { sfi: Option<u8>, mode: ReadMode },
    /// UPDATE RECORD (`00 DC` / `04 DC`), by record number.
    UpdateRecord {
        sfi: Option<u8>,
        number: u8,
        data: Protection<'a>,
    },
    /// APPEND RECORD (`00 E2` / `04 E2`).
    AppendRecord {
        sfi: Option<u8>,
        data: Protection<'a>,
    },
    /// VERIFY (`00 20 00 00`); empty data asks for the try counter.
    Verify { pin: &'a [u8] },
    /// CHANGE PIN (`80 5E 01 00 old FF new`).
    ChangePin { old: &'a [u8], new: &'a [u8] },
    /// PIN UNBLOCK (`84 24 00 00 04 MAC`).
    PinUnblock { mac: Mac<'a> },
    /// PIN RELOAD (`84 24 00 01 Lc E(Lpin ‖ PIN) ‖ MAC`).
    PinReload { mac: Mac<'a> },
    /// GET CHALLENGE (`00 84 00 00 Le`), Le ∈ {4, 8, 16}.
    GetChallenge { len: u8 },
    /// EXTERNAL AUTHENTICATE (`00 82 00 KID 10 data`).
    ExternalAuthenticate { kid: u8, data: &'a [u8] },
    /// INTERNAL AUTHENTICATE (`00 88 00 KID 10 P ‖ S`).
    InternalAuthenticate { kid: u8, data: &'a [u8] },
    /// GET RESPONSE (`00 C0 00 00 Le`).
    GetResponse { le: u16 },
    /// APPLICATION BLOCK (`84 1E 00 P2 04 MAC`), P2 01 = permanent.
    ApplicationBlock { permanent: bool, mac: Mac<'a> },
    /// APPLICATION UNBLOCK (`84 18 00 00 04 MAC`).
    ApplicationUnblock { mac: Mac<'a> },
    /// CARD BLOCK (`84 16 00 00 04 MAC`).
    CardBlock { mac: Mac<'a> },
}

impl Command<'_> {
    /// Commands a temporarily blocked application still accepts (profile.md §5).
    pub(crate) fn allowed_when_blocked(&self) -> bool {
        matches!(
            self,
            Command::Select { .. }
                | Command::GetChallenge { .. }
                | Command::ExternalAuthenticate { .. }
                | Command::ApplicationUnblock { .. }
                | Command::GetResponse { .. }
        )
    }
}

fn split_mac<'a>(v: &CommandView<'a>) -> Result<Mac<'a>, StatusWord> {
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

/// P2 = `sssss xxx`: SFI (0 = current EF) and the low 3 bits.
fn sfi_p2(p2: u8) -> Result<(Option<u8>, u8), StatusWord> {
    let sfi = p2 >> 3;
    if sfi == 0x1F {
        return Err(StatusWord::WRONG_P1P2);
    }
    Ok(((sfi != 0).then_some(sfi), p2 & 0x07))
}

/// READ/UPDATE BINARY P1/P2: `1 00 sssss | offset8` or `0 offset15`.
fn binary_p1p2(p1: u8, p2: u8) -> Result<(Option<u8>, u16), StatusWord> {
    if p1 & 0x80 != 0 {
        if p1 & 0x60 != 0 || p1 & 0x1F == 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok((Some(p1 & 0x1F), u16::from(p2)))
    } else {
        Ok((None, u16::from_be_bytes([p1, p2])))
    }
}

fn fid(data: &[u8]) -> Result<u16, StatusWord> {
    match *data {
        [a, b] => Ok(u16::from_be_bytes([a, b])),
        _ => Err(StatusWord::WRONG_LENGTH),
    }
}

fn protection<'a>(v: &CommandView<'a>) -> Result<Protection<'a>, StatusWord> {
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

fn want_cla(v: &CommandView<'_>, allowed: &[u8]) -> Result<(), StatusWord> {
    if allowed.contains(&v.cla) {
        Ok(())
    } else {
        Err(StatusWord::CLA_NOT_SUPPORTED)
    }
}

fn want_p1p2(v: &CommandView<'_>, p1: u8, p2: u8) -> Result<(), StatusWord> {
    if v.p1 == p1 && v.p2 == p2 {
        Ok(())
    } else {
        Err(StatusWord::WRONG_P1P2)
    }
}

fn mac_only<'a>(v: &CommandView<'a>) -> Result<Mac<'a>, StatusWord> {
    let m = split_mac(v)?;
    if !m.body.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    Ok(m)
}

impl<'a> TryFrom<&CommandView<'a>> for Command<'a> {
    type Error = StatusWord;

    fn try_from(v: &CommandView<'a>) -> Result<Self, StatusWord> {
        if !matches!(
            v.cla,
            ins::CLA_ISO | ins::CLA_ISO_SM | ins::CLA_PROPRIETARY | ins::CLA_PROPRIETARY_SM
        ) {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if v.extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let iso = [ins::CLA_ISO];
        let iso_or_sm = [ins::CLA_ISO, ins::CLA_ISO_SM];
        let prop_sm = [ins::CLA_PROPRIETARY_SM];
        Ok(match v.ins {
            ins::SELECT => {
                want_cla(v, &iso)?;
                let fci = match v.p2 {
                    0x00 => true,
                    0x0C => false,
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                let by = match v.p1 {
                    ins::SELECT_P1_FID if v.data.is_empty() => SelectBy::Fid(None),
                    ins::SELECT_P1_FID => SelectBy::Fid(Some(fid(v.data)?)),
                    ins::SELECT_P1_CHILD_DF => SelectBy::ChildDf(fid(v.data)?),
                    ins::SELECT_P1_CHILD_EF => SelectBy::ChildEf(fid(v.data)?),
                    ins::SELECT_P1_NAME => {
                        if v.data.is_empty() || v.data.len() > 16 {
                            return Err(StatusWord::WRONG_LENGTH);
                        }
                        SelectBy::Name(v.data)
                    }
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                Command::Select { by, fci }
            }
            ins::READ_BINARY => {
                want_cla(v, &iso)?;
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let (sfi, offset) = binary_p1p2(v.p1, v.p2)?;
                Command::ReadBinary { sfi, offset }
            }
            ins::UPDATE_BINARY => {
                want_cla(v, &iso_or_sm)?;
                let (sfi, offset) = binary_p1p2(v.p1, v.p2)?;
                Command::UpdateBinary {
                    sfi,
                    offset,
                    data: protection(v)?,
                }
            }
            ins::READ_RECORD => {
                want_cla(v, &iso)?;
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let (sfi, low) = sfi_p2(v.p2)?;
                let mode = match low {
                    ins::RECORD_MODE_BY_ID => ReadMode::Tag(v.p1),
                    ins::RECORD_MODE_BY_NUMBER if v.p1 != 0 => ReadMode::Number(v.p1),
                    ins::RECORD_MODE_ALL_FROM if v.p1 != 0 => ReadMode::AllFrom(v.p1),
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                Command::ReadRecord { sfi, mode }
            }
            ins::UPDATE_RECORD => {
                want_cla(v, &iso_or_sm)?;
                let (sfi, low) = sfi_p2(v.p2)?;
                if low != ins::RECORD_MODE_BY_NUMBER || v.p1 == 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                Command::UpdateRecord {
                    sfi,
                    number: v.p1,
                    data: protection(v)?,
                }
            }
            ins::APPEND_RECORD => {
                want_cla(v, &iso_or_sm)?;
                let (sfi, low) = sfi_p2(v.p2)?;
                if low != 0 || v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                Command::AppendRecord {
                    sfi,
                    data: protection(v)?,
                }
            }
            ins::VERIFY => {
                want_cla(v, &iso)?;
                want_p1p2(v, 0, 0)?;
                if v.data.len() > 8 {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                Command::Verify { pin: v.data }
            }
            ins::CHANGE_PIN => {
                want_cla(v, &[ins::CLA_PROPRIETARY])?;
                want_p1p2(v, 0x01, 0x00)?;
                let sep = v
                    .data
                    .iter()
                    .position(|&b| b == 0xFF)
                    .ok_or(StatusWord::WRONG_DATA)?;
                let (old, rest) = v.data.split_at(sep);
                let new = rest.get(1..).ok_or(StatusWord::WRONG_DATA)?;
                if old.is_empty() || new.is_empty() || old.len() > 8 || new.len() > 8 {
                    return Err(StatusWord::WRONG_DATA);
                }
                Command::ChangePin { old, new }
            }
            ins::PIN_UNBLOCK_RELOAD => {
                want_cla(v, &prop_sm)?;
                match (v.p1, v.p2) {
                    (0, 0) => Command::PinUnblock { mac: mac_only(v)? },
                    (0, 1) => {
                        let mac = split_mac(v)?;
                        if mac.body.is_empty() {
                            return Err(StatusWord::WRONG_LENGTH);
                        }
                        Command::PinReload { mac }
                    }
                    _ => return Err(StatusWord::WRONG_P1P2),
                }
            }
            ins::GET_CHALLENGE => {
                want_cla(v, &iso)?;
                want_p1p2(v, 0, 0)?;
                match (v.data.is_empty(), v.ne) {
                    (true, Some(n @ (4 | 8 | 16))) => Command::GetChallenge { len: n as u8 },
                    _ => return Err(StatusWord::WRONG_LENGTH),
                }
            }
            ins::EXTERNAL_AUTHENTICATE => {
                want_cla(v, &iso)?;
                if v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                Command::ExternalAuthenticate {
                    kid: v.p2,
                    data: v.data,
                }
            }
            ins::INTERNAL_AUTHENTICATE => {
                want_cla(v, &iso)?;
                if v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                if v.data.len() != 16 {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                Command::InternalAuthenticate {
                    kid: v.p2,
                    data: v.data,
                }
            }
            ins::GET_RESPONSE => {
                want_cla(v, &iso)?;
                want_p1p2(v, 0, 0)?;
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                Command::GetResponse {
                    le: v.ne.map_or(256, |n| n.min(256) as u16),
                }
            }
            ins::APPLICATION_BLOCK => {
                want_cla(v, &prop_sm)?;
                let permanent = match (v.p1, v.p2) {
                    (0, 0) => false,
                    (0, 1) => true,
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                Command::ApplicationBlock {
                    permanent,
                    mac: mac_only(v)?,
                }
            }
            ins::APPLICATION_UNBLOCK => {
                want_cla(v, &prop_sm)?;
                want_p1p2(v, 0, 0)?;
                Command::ApplicationUnblock { mac: mac_only(v)? }
            }
            ins::CARD_BLOCK => {
                want_cla(v, &prop_sm)?;
                want_p1p2(v, 0, 0)?;
                Command::CardBlock { mac: mac_only(v)? }
            }
            _ => return Err(StatusWord::INS_NOT_SUPPORTED),
        })
    }
}
