//! Typed PSAM commands: every APDU is parsed once into a [`PsamCommand`]; CLA, INS, P1/P2 and
//! lengths are checked here, before any state is touched.

use sscard_apdu::ins;
use sscard_apdu::{CommandView, StatusWord};

/// CLA of the proprietary diversify-and-initialise command (`BF DE`).
pub const CLA_BF: u8 = 0xBF;
/// INS of DIVERSIFY AND INITIALISE (`BF DE`).
pub const INS_DIVERSIFY_INIT: u8 = 0xDE;
/// INS of the general cipher computation (`80 FA`).
pub const INS_COMPUTE: u8 = 0xFA;
/// `80 FA` P1: ECB-encrypt the data field.
pub const P1_ENCRYPT: u8 = 0x00;
/// `80 FA` P1: MAC over the data field after an explicit IV.
pub const P1_MAC: u8 = 0x05;
/// `80 FA` P2: operate under the process key.
pub const P2_PROCESS_KEY: u8 = 0x00;
/// `80 FA 05` P2: MAC under the diversified card key itself (PBOC-classic line MAC).
pub const P2_CARD_KEY: u8 = 0x01;
/// Factor / challenge size in `BF DE`.
pub const FACTOR_LEN: usize = 8;

/// SELECT target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PsamSelect<'a> {
    /// P1 00 by FID (empty data: MF).
    Fid(Option<u16>),
    /// P1 02: EF under the current DF.
    ChildEf(u16),
    /// P1 04: DF name / AID.
    Name(&'a [u8]),
}

/// Key of an `80 FA 05` MAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacKeySel {
    /// The process key (sscard line MAC).
    Process,
    /// The diversified card key (PBOC classic).
    Card,
}

/// Every command the PSAM implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PsamCommand<'a> {
    Select {
        by: PsamSelect<'a>,
        fci: bool,
    },
    ReadBinary {
        sfi: Option<u8>,
        offset: u16,
    },
    GetChallenge {
        len: u8,
    },
    GetResponse {
        le: u16,
    },
    /// `BF DE usage id Lc factors ‖ R`.
    DiversifyInit {
        usage: u8,
        id: u8,
        data: &'a [u8],
    },
    /// `80 FA 00 00 Lc data`.
    Encrypt {
        data: &'a [u8],
    },
    /// `80 FA 05 P2 Lc IV ‖ data`.
    Mac {
        key: MacKeySel,
        data: &'a [u8],
    },
}

fn want_cla(v: &CommandView<'_>, cla: u8) -> Result<(), StatusWord> {
    if v.cla == cla {
        Ok(())
    } else {
        Err(StatusWord::CLA_NOT_SUPPORTED)
    }
}

fn fid(data: &[u8]) -> Result<u16, StatusWord> {
    match *data {
        [a, b] => Ok(u16::from_be_bytes([a, b])),
        _ => Err(StatusWord::WRONG_LENGTH),
    }
}

impl<'a> TryFrom<&CommandView<'a>> for PsamCommand<'a> {
    type Error = StatusWord;

    fn try_from(v: &CommandView<'a>) -> Result<Self, StatusWord> {
        if !matches!(v.cla, ins::CLA_ISO | ins::CLA_PROPRIETARY | CLA_BF) {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if v.extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(match v.ins {
            ins::SELECT => {
                want_cla(v, ins::CLA_ISO)?;
                let fci = match v.p2 {
                    0x00 => true,
                    0x0C => false,
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                let by = match v.p1 {
                    ins::SELECT_P1_FID if v.data.is_empty() => PsamSelect::Fid(None),
                    ins::SELECT_P1_FID => PsamSelect::Fid(Some(fid(v.data)?)),
                    ins::SELECT_P1_CHILD_EF => PsamSelect::ChildEf(fid(v.data)?),
                    ins::SELECT_P1_NAME => {
                        if v.data.is_empty() || v.data.len() > 16 {
                            return Err(StatusWord::WRONG_LENGTH);
                        }
                        PsamSelect::Name(v.data)
                    }
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                PsamCommand::Select { by, fci }
            }
            ins::READ_BINARY => {
                want_cla(v, ins::CLA_ISO)?;
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                if v.p1 & 0x80 != 0 {
                    if v.p1 & 0x60 != 0 || v.p1 & 0x1F == 0 {
                        return Err(StatusWord::WRONG_P1P2);
                    }
                    PsamCommand::ReadBinary {
                        sfi: Some(v.p1 & 0x1F),
                        offset: u16::from(v.p2),
                    }
                } else {
                    PsamCommand::ReadBinary {
                        sfi: None,
                        offset: u16::from_be_bytes([v.p1, v.p2]),
                    }
                }
            }
            ins::GET_CHALLENGE => {
                want_cla(v, ins::CLA_ISO)?;
                if v.p1 != 0 || v.p2 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                match (v.data.is_empty(), v.ne) {
                    (true, Some(n @ (4 | 8 | 16))) => PsamCommand::GetChallenge { len: n as u8 },
                    _ => return Err(StatusWord::WRONG_LENGTH),
                }
            }
            ins::GET_RESPONSE => {
                want_cla(v, ins::CLA_ISO)?;
                if v.p1 != 0 || v.p2 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                PsamCommand::GetResponse {
                    le: v.ne.map_or(256, |n| n.min(256) as u16),
                }
            }
            INS_DIVERSIFY_INIT => {
                want_cla(v, CLA_BF)?;
                // At least R, whole 8-byte blocks.
                if v.data.len() < FACTOR_LEN || v.data.len() % FACTOR_LEN != 0 {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                PsamCommand::DiversifyInit {
                    usage: v.p1,
                    id: v.p2,
                    data: v.data,
                }
            }
            INS_COMPUTE => {
                want_cla(v, ins::CLA_PROPRIETARY)?;
                let cmd = match (v.p1, v.p2) {
                    (P1_ENCRYPT, P2_PROCESS_KEY) => PsamCommand::Encrypt { data: v.data },
                    (P1_MAC, P2_PROCESS_KEY) => PsamCommand::Mac {
                        key: MacKeySel::Process,
                        data: v.data,
                    },
                    (P1_MAC, P2_CARD_KEY) => PsamCommand::Mac {
                        key: MacKeySel::Card,
                        data: v.data,
                    },
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                if v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                cmd
            }
            _ => return Err(StatusWord::INS_NOT_SUPPORTED),
        })
    }
}
