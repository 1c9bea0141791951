//! [`PsamCommand`]: every command of the social-security PSAM (profile.md §6;
//! `sscard_card_os::psam` documents the answers), decoded by the PSAM and encoded by a host,
//! with the P1/P2 values of `80 FA`.

use super::fields::{self, check, SelectBy};
use super::purse::{self, PsamInitPurchase, PsamPurse};
use super::Instruction;
use crate::ins;
use crate::{ApduError, Command, CommandView, StatusWord};

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

/// Key of an `80 FA 05` MAC (P2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PsamMacKey {
    /// The process key (sscard line MAC), P2 `00`.
    Process,
    /// The diversified card key (PBOC classic), P2 `01`.
    Card,
}

impl PsamMacKey {
    /// P2.
    pub const fn p2(self) -> u8 {
        match self {
            PsamMacKey::Process => P2_PROCESS_KEY,
            PsamMacKey::Card => P2_CARD_KEY,
        }
    }
}

/// Every command the PSAM implements, parsed once from a [`CommandView`] by
/// [`decode`](Self::decode) (CLA, INS, P1/P2 and lengths checked before any state is touched);
/// [`to_command`](Self::to_command) is the inverse. Ne as for
/// [`CardCommand`](super::CardCommand): framing, except for GET CHALLENGE / GET RESPONSE.
///
/// ```
/// use sscard_apdu::commands::{PsamCommand, PsamMacKey};
/// use sscard_apdu::CommandView;
/// let data = [0u8; 16];
/// let cmd = PsamCommand::Mac { key: PsamMacKey::Process, data: &data };
/// let apdu = cmd.to_command().unwrap();
/// assert_eq!((apdu.cla(), apdu.ins(), apdu.p1(), apdu.p2()), (0x80, 0xFA, 0x05, 0x00));
/// assert_eq!(PsamCommand::decode(&apdu.view()), Ok(cmd));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsamCommand<'a> {
    /// SELECT (`00 A4`): by FID (P1 `00`), EF under the current DF (`02`) or name (`04`).
    Select {
        /// The target (never [`SelectBy::ChildDf`]).
        by: SelectBy<'a>,
        /// P2 `00` (return the FCI) vs `0C`.
        fci: bool,
    },
    /// READ BINARY (`00 B0`), addressed as the card's.
    ReadBinary {
        /// The EF by SFI (`None`: the current EF).
        sfi: Option<u8>,
        /// Offset of the first byte.
        offset: u16,
    },
    /// GET CHALLENGE (`00 84 00 00 Le`), Le ∈ {4, 8, 16}.
    GetChallenge {
        /// Challenge length.
        len: u8,
    },
    /// GET RESPONSE (`00 C0 00 00 Le`), 1..=256 (no Le: 256).
    GetResponse {
        /// Bytes asked for.
        le: u16,
    },
    /// DIVERSIFY AND INITIALISE (`BF DE usage id Lc F1…Fn ‖ R`), whole 8-byte blocks, at least R.
    DiversifyInit {
        /// Key usage (P1; its top 3 bits are the number of factors).
        usage: u8,
        /// Key id (P2).
        id: u8,
        /// The factors and R.
        data: &'a [u8],
    },
    /// Encrypt under the process key (`80 FA 00 00 Lc data`).
    Encrypt {
        /// The plaintext (not empty).
        data: &'a [u8],
    },
    /// MAC (`80 FA 05 P2 Lc IV ‖ data`).
    Mac {
        /// The MAC key (P2).
        key: PsamMacKey,
        /// IV ‖ MAC input (not empty).
        data: &'a [u8],
    },
    /// INITIALIZE SAM FOR PURCHASE (`80 70 00 00 Lc …`): MAC1 for a card, with the next
    /// terminal transaction serial (see [`super::purse`]).
    InitForPurchase(PsamInitPurchase<'a>),
    /// VERIFY MAC2 of the purchase begun by the last `80 70` (`80 72 00 00 04 MAC2`).
    VerifyMac2 {
        /// The card's MAC2.
        mac2: [u8; 4],
    },
}

impl<'a> PsamCommand<'a> {
    /// Parses a command as the PSAM does: `6E00` CLA (`00`, `80`, `BF` only, each with its own
    /// instructions), `6700` extended form or a wrong length, `6D00` unknown INS, `6A86` P1/P2.
    pub fn decode(v: &CommandView<'a>) -> Result<Self, StatusWord> {
        if !matches!(v.cla, ins::CLA_ISO | ins::CLA_PROPRIETARY | ins::CLA_PSAM) {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if v.extended {
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(match v.ins {
            ins::SELECT => {
                let (by, fci) = fields::select(v, false)?;
                PsamCommand::Select { by, fci }
            }
            ins::READ_BINARY => {
                let (sfi, offset) = fields::read_binary(v)?;
                PsamCommand::ReadBinary { sfi, offset }
            }
            ins::GET_CHALLENGE => PsamCommand::GetChallenge {
                len: fields::get_challenge(v)?,
            },
            ins::GET_RESPONSE => PsamCommand::GetResponse {
                le: fields::get_response(v)?,
            },
            ins::DIVERSIFY_INIT => {
                fields::want_cla(v, &[ins::CLA_PSAM])?;
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
            ins::COMPUTE => {
                fields::want_cla(v, &[ins::CLA_PROPRIETARY])?;
                let cmd = match (v.p1, v.p2) {
                    (P1_ENCRYPT, P2_PROCESS_KEY) => PsamCommand::Encrypt { data: v.data },
                    (P1_MAC, P2_PROCESS_KEY) => PsamCommand::Mac {
                        key: PsamMacKey::Process,
                        data: v.data,
                    },
                    (P1_MAC, P2_CARD_KEY) => PsamCommand::Mac {
                        key: PsamMacKey::Card,
                        data: v.data,
                    },
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                if v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                cmd
            }
            ins::PSAM_INIT_PURCHASE | ins::PSAM_VERIFY_MAC2 => match purse::decode_psam(v)? {
                PsamPurse::Init(c) => PsamCommand::InitForPurchase(c),
                PsamPurse::VerifyMac2 { mac2 } => PsamCommand::VerifyMac2 { mac2 },
            },
            _ => return Err(StatusWord::INS_NOT_SUPPORTED),
        })
    }

    /// The command APDU (short form); refuses, with [`ApduError::ParameterOutOfRange`], any
    /// value [`decode`](Self::decode) would not produce, so `decode(to_command(v)) == v`.
    pub fn to_command(&self) -> Result<Command, ApduError> {
        match *self {
            PsamCommand::Select { ref by, fci } => {
                check(!matches!(by, SelectBy::ChildDf(_)))?;
                fields::select_apdu(by, fci)
            }
            PsamCommand::ReadBinary { sfi, offset } => fields::read_binary_apdu(sfi, offset),
            PsamCommand::GetChallenge { len } => fields::get_challenge_apdu(len),
            PsamCommand::GetResponse { le } => fields::get_response_apdu(le),
            PsamCommand::DiversifyInit { usage, id, data } => {
                check(data.len() >= FACTOR_LEN && data.len() % FACTOR_LEN == 0)?;
                fields::apdu(ins::CLA_PSAM, Instruction::DiversifyInit, usage, id, data)
            }
            PsamCommand::Encrypt { data } => {
                check(!data.is_empty())?;
                fields::apdu(
                    ins::CLA_PROPRIETARY,
                    Instruction::Compute,
                    P1_ENCRYPT,
                    P2_PROCESS_KEY,
                    data,
                )
            }
            PsamCommand::Mac { key, data } => {
                check(!data.is_empty())?;
                fields::apdu(
                    ins::CLA_PROPRIETARY,
                    Instruction::Compute,
                    P1_MAC,
                    key.p2(),
                    data,
                )
            }
            PsamCommand::InitForPurchase(ref c) => purse::encode_psam_init(c),
            PsamCommand::VerifyMac2 { ref mac2 } => purse::encode_psam_verify(mac2),
        }
    }

    /// The instruction.
    pub const fn instruction(&self) -> Instruction {
        match self {
            PsamCommand::Select { .. } => Instruction::Select,
            PsamCommand::ReadBinary { .. } => Instruction::ReadBinary,
            PsamCommand::GetChallenge { .. } => Instruction::GetChallenge,
            PsamCommand::GetResponse { .. } => Instruction::GetResponse,
            PsamCommand::DiversifyInit { .. } => Instruction::DiversifyInit,
            PsamCommand::Encrypt { .. } | PsamCommand::Mac { .. } => Instruction::Compute,
            PsamCommand::InitForPurchase(_) => Instruction::PsamInitPurchase,
            PsamCommand::VerifyMac2 { .. } => Instruction::PsamVerifyMac2,
        }
    }
}

impl<'a> TryFrom<&CommandView<'a>> for PsamCommand<'a> {
    type Error = StatusWord;

    /// [`PsamCommand::decode`].
    fn try_from(v: &CommandView<'a>) -> Result<Self, StatusWord> {
        Self::decode(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn dec(bytes: &[u8]) -> Result<PsamCommand<'_>, StatusWord> {
        PsamCommand::decode(&CommandView::parse(bytes).unwrap())
    }

    #[test]
    fn decode_status_words() {
        use StatusWord as S;
        let cases: &[(&[u8], StatusWord)] = &[
            (&hex!("84A40000023F00"), S::CLA_NOT_SUPPORTED),
            (&hex!("04B0000000"), S::CLA_NOT_SUPPORTED),
            (&hex!("00A4010002DF01"), S::WRONG_P1P2), // no child-DF select on the PSAM
            (&hex!("00DE0000 08 0102030405060708"), S::CLA_NOT_SUPPORTED),
            (&hex!("BFDE4101 07 01020304050607"), S::WRONG_LENGTH),
            (
                &hex!("BFDE4101 0C 010203040506070801020304"),
                S::WRONG_LENGTH,
            ),
            (&hex!("BFFA0000 08 0102030405060708"), S::CLA_NOT_SUPPORTED),
            (&hex!("80FA0100 08 0102030405060708"), S::WRONG_P1P2),
            (&hex!("80FA0001 08 0102030405060708"), S::WRONG_P1P2),
            (&hex!("80FA0000"), S::WRONG_LENGTH),
            (&hex!("80FA0502"), S::WRONG_P1P2),
            (&hex!("80DC0104 01 00"), S::INS_NOT_SUPPORTED),
            (&hex!("00B0000000000A"), S::WRONG_LENGTH),
        ];
        for (apdu, sw) in cases {
            assert_eq!(dec(apdu), Err(*sw), "{apdu:02X?}");
        }
    }

    #[test]
    fn roundtrip_values() {
        let f = hex!("0102030405060708 1112131415161718");
        let cases = [
            PsamCommand::Select {
                by: SelectBy::Name(&hex!("D15600000590")),
                fci: true,
            },
            PsamCommand::Select {
                by: SelectBy::ChildEf(0x0015),
                fci: false,
            },
            PsamCommand::ReadBinary {
                sfi: Some(0x16),
                offset: 0,
            },
            PsamCommand::DiversifyInit {
                usage: 0x41,
                id: 0x01,
                data: &f,
            },
            PsamCommand::Encrypt { data: &f[..8] },
            PsamCommand::Mac {
                key: PsamMacKey::Card,
                data: &f,
            },
        ];
        for c in cases {
            let cmd = c.to_command().unwrap();
            assert_eq!(PsamCommand::decode(&cmd.view()), Ok(c));
        }
        assert_eq!(
            PsamCommand::Select {
                by: SelectBy::ChildDf(0xDF01),
                fci: true
            }
            .to_command(),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            PsamCommand::DiversifyInit {
                usage: 0,
                id: 0,
                data: &f[..9]
            }
            .to_command(),
            Err(ApduError::ParameterOutOfRange)
        );
    }
}
