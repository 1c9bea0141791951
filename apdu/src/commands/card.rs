//! [`CardCommand`]: every command of the social security card (sscard-spec.md §4,
//! profile.md §4–§5), decoded on the card and encoded on the host.

use super::fields::{self, check, Mac, Protection, RecordSelector, SelectBy};
use super::purse::{self, Credit, Debit, InitLoad, InitPurchase, ProveKind, PurseCommand};
use super::Instruction;
use crate::ins;
use crate::{ApduError, Command, CommandView, StatusWord};

/// Longest PIN (packed BCD bytes) VERIFY and CHANGE PIN carry.
pub const PIN_MAX_LEN: usize = 8;

/// Every command the card OS implements, parsed once from a [`CommandView`]: CLA, INS, P1/P2
/// and lengths are checked by [`decode`](Self::decode), so a handler never sees raw bytes.
/// [`to_command`](Self::to_command) is the inverse, for the host.
///
/// Ne (Le) is framing, not part of the value — except for GET CHALLENGE and GET RESPONSE, where
/// it *is* the request: READ BINARY / READ RECORD / SELECT come back from `to_command` without
/// Le; add it with [`Command::with_ne`].
///
/// ```
/// use sscard_apdu::commands::{CardCommand, RecordSelector};
/// use sscard_apdu::CommandView;
/// let cmd = CardCommand::ReadRecord { sfi: Some(5), mode: RecordSelector::AllFrom(1) };
/// let apdu = cmd.to_command().unwrap().with_ne(256);
/// let mut buf = [0u8; 8];
/// let n = apdu.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x00, 0xB2, 0x01, 0x2D, 0x00]);
/// let view = CommandView::parse(&buf[..n]).unwrap();
/// assert_eq!(CardCommand::decode(&view), Ok(cmd));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardCommand<'a> {
    /// SELECT (`00 A4`); `fci` = P2 `00` (return FCI) vs `0C` (no response data).
    Select {
        /// The target (P1 and data).
        by: SelectBy<'a>,
        /// Whether the FCI is returned.
        fci: bool,
    },
    /// READ BINARY (`00 B0`): SFI 1..=31 and offset ≤ `FF`, or the current EF and offset ≤ `7FFF`.
    ReadBinary {
        /// The EF by SFI (`None`: the current EF).
        sfi: Option<u8>,
        /// Offset of the first byte.
        offset: u16,
    },
    /// UPDATE BINARY (`00 D6` / `04 D6`); addressing as READ BINARY.
    UpdateBinary {
        /// The EF by SFI (`None`: the current EF).
        sfi: Option<u8>,
        /// Offset of the first byte.
        offset: u16,
        /// The data, plain or MAC'd.
        data: Protection<'a>,
    },
    /// READ RECORD (`00 B2`).
    ReadRecord {
        /// The EF by SFI 1..=30 (`None`: the current EF).
        sfi: Option<u8>,
        /// Which record(s).
        mode: RecordSelector,
    },
    /// UPDATE RECORD (`00 DC` / `04 DC`), by record number (1..=255).
    UpdateRecord {
        /// The EF by SFI 1..=30 (`None`: the current EF).
        sfi: Option<u8>,
        /// Record number.
        number: u8,
        /// The record (`tag len value`), plain or MAC'd.
        data: Protection<'a>,
    },
    /// APPEND RECORD (`00 E2` / `04 E2`).
    AppendRecord {
        /// The EF by SFI 1..=30 (`None`: the current EF).
        sfi: Option<u8>,
        /// The record, plain or MAC'd.
        data: Protection<'a>,
    },
    /// VERIFY (`00 20 00 00`, packed BCD PIN ≤ 8 bytes); empty data asks for the try counter.
    Verify {
        /// The PIN (packed BCD), possibly empty.
        pin: &'a [u8],
    },
    /// CHANGE PIN (`80 5E 01 00 old FF new`), each PIN 1..=8 bytes, `old` without `FF`.
    ChangePin {
        /// The current PIN (packed BCD).
        old: &'a [u8],
        /// The new PIN (packed BCD).
        new: &'a [u8],
    },
    /// PIN UNBLOCK (`84 24 00 00 04 MAC`).
    PinUnblock {
        /// The MAC (empty body).
        mac: Mac<'a>,
    },
    /// PIN RELOAD (`84 24 00 01 Lc E(Lpin ‖ PIN) ‖ MAC`).
    PinReload {
        /// The encrypted PIN block and the MAC.
        mac: Mac<'a>,
    },
    /// GET CHALLENGE (`00 84 00 00 Le`), Le ∈ {4, 8, 16}.
    GetChallenge {
        /// Challenge length.
        len: u8,
    },
    /// EXTERNAL AUTHENTICATE (`00 82 00 KID Lc data`).
    ExternalAuthenticate {
        /// Key identifier (P2).
        kid: u8,
        /// The cryptogram (16 bytes in sscard; the card OS checks the length).
        data: &'a [u8],
    },
    /// INTERNAL AUTHENTICATE (`00 88 00 KID 10 P ‖ S`).
    InternalAuthenticate {
        /// Key identifier (P2).
        kid: u8,
        /// Process factor ‖ source data, 16 bytes.
        data: &'a [u8],
    },
    /// GET RESPONSE (`00 C0 00 00 Le`), 1..=256 (no Le: 256).
    GetResponse {
        /// Bytes asked for.
        le: u16,
    },
    /// APPLICATION BLOCK (`84 1E 00 P2 04 MAC`), P2 `01` = permanent.
    ApplicationBlock {
        /// Permanent (P2 `01`) or temporary (P2 `00`).
        permanent: bool,
        /// The MAC (empty body).
        mac: Mac<'a>,
    },
    /// APPLICATION UNBLOCK (`84 18 00 00 04 MAC`).
    ApplicationUnblock {
        /// The MAC (empty body).
        mac: Mac<'a>,
    },
    /// CARD BLOCK (`84 16 00 00 04 MAC`).
    CardBlock {
        /// The MAC (empty body).
        mac: Mac<'a>,
    },
    /// INITIALIZE FOR PURCHASE (`80 50 01 02 14 …`), see [`super::purse`].
    InitializeForPurchase(InitPurchase),
    /// INITIALIZE FOR LOAD (`80 50 00 02 0B …`).
    InitializeForLoad(InitLoad),
    /// DEBIT FOR PURCHASE (`80 54 01 00 0F …`).
    DebitForPurchase(Debit),
    /// CREDIT FOR LOAD (`80 52 00 00 0B …`).
    CreditForLoad(Credit),
    /// GET BALANCE (`80 5C 00 02`).
    GetBalance,
    /// GET TRANSACTION PROVE (`80 5A 00 <type> 02 <counter>`).
    GetTransactionProve {
        /// Purchase (P2 `06`) or load (P2 `02`).
        kind: ProveKind,
        /// The counter the transaction's INITIALIZE returned.
        counter: u16,
    },
}

impl<'a> CardCommand<'a> {
    /// Parses a command as the card OS does, answering the card's status word for the first
    /// rule broken: `6E00` CLA (per instruction), `6700` extended form or a wrong length, `6D00`
    /// unknown INS, `6A86` P1/P2, `6A80` a malformed CHANGE PIN field.
    pub fn decode(v: &CommandView<'a>) -> Result<Self, StatusWord> {
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
                let (by, fci) = fields::select(v, true)?;
                CardCommand::Select { by, fci }
            }
            ins::READ_BINARY => {
                let (sfi, offset) = fields::read_binary(v)?;
                CardCommand::ReadBinary { sfi, offset }
            }
            ins::UPDATE_BINARY => {
                fields::want_cla(v, &iso_or_sm)?;
                let (sfi, offset) = fields::binary_p1p2(v.p1, v.p2)?;
                CardCommand::UpdateBinary {
                    sfi,
                    offset,
                    data: fields::protection(v)?,
                }
            }
            ins::READ_RECORD => {
                fields::want_cla(v, &iso)?;
                if !v.data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let (sfi, low) = fields::sfi_p2(v.p2)?;
                let mode = RecordSelector::from_p1_mode(v.p1, low).ok_or(StatusWord::WRONG_P1P2)?;
                CardCommand::ReadRecord { sfi, mode }
            }
            ins::UPDATE_RECORD => {
                fields::want_cla(v, &iso_or_sm)?;
                let (sfi, low) = fields::sfi_p2(v.p2)?;
                if low != ins::RECORD_MODE_BY_NUMBER || v.p1 == 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                CardCommand::UpdateRecord {
                    sfi,
                    number: v.p1,
                    data: fields::protection(v)?,
                }
            }
            ins::APPEND_RECORD => {
                fields::want_cla(v, &iso_or_sm)?;
                let (sfi, low) = fields::sfi_p2(v.p2)?;
                if low != 0 || v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                CardCommand::AppendRecord {
                    sfi,
                    data: fields::protection(v)?,
                }
            }
            ins::VERIFY => {
                fields::want_cla(v, &iso)?;
                fields::want_p1p2(v, 0, 0)?;
                if v.data.len() > PIN_MAX_LEN {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                CardCommand::Verify { pin: v.data }
            }
            ins::CHANGE_PIN => {
                fields::want_cla(v, &[ins::CLA_PROPRIETARY])?;
                fields::want_p1p2(v, 0x01, 0x00)?;
                let sep = v
                    .data
                    .iter()
                    .position(|&b| b == 0xFF)
                    .ok_or(StatusWord::WRONG_DATA)?;
                let (old, rest) = v.data.split_at(sep);
                let new = rest.get(1..).ok_or(StatusWord::WRONG_DATA)?;
                if old.is_empty()
                    || new.is_empty()
                    || old.len() > PIN_MAX_LEN
                    || new.len() > PIN_MAX_LEN
                {
                    return Err(StatusWord::WRONG_DATA);
                }
                CardCommand::ChangePin { old, new }
            }
            ins::PIN_UNBLOCK_RELOAD => {
                fields::want_cla(v, &prop_sm)?;
                match (v.p1, v.p2) {
                    (0, 0) => CardCommand::PinUnblock {
                        mac: fields::mac_only(v)?,
                    },
                    (0, 1) => {
                        let mac = fields::split_mac(v)?;
                        if mac.body.is_empty() {
                            return Err(StatusWord::WRONG_LENGTH);
                        }
                        CardCommand::PinReload { mac }
                    }
                    _ => return Err(StatusWord::WRONG_P1P2),
                }
            }
            ins::GET_CHALLENGE => CardCommand::GetChallenge {
                len: fields::get_challenge(v)?,
            },
            ins::EXTERNAL_AUTHENTICATE => {
                fields::want_cla(v, &iso)?;
                if v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                CardCommand::ExternalAuthenticate {
                    kid: v.p2,
                    data: v.data,
                }
            }
            ins::INTERNAL_AUTHENTICATE => {
                fields::want_cla(v, &iso)?;
                if v.p1 != 0 {
                    return Err(StatusWord::WRONG_P1P2);
                }
                if v.data.len() != 16 {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                CardCommand::InternalAuthenticate {
                    kid: v.p2,
                    data: v.data,
                }
            }
            ins::GET_RESPONSE => CardCommand::GetResponse {
                le: fields::get_response(v)?,
            },
            ins::APPLICATION_BLOCK => {
                fields::want_cla(v, &prop_sm)?;
                let permanent = match (v.p1, v.p2) {
                    (0, 0) => false,
                    (0, 1) => true,
                    _ => return Err(StatusWord::WRONG_P1P2),
                };
                CardCommand::ApplicationBlock {
                    permanent,
                    mac: fields::mac_only(v)?,
                }
            }
            ins::APPLICATION_UNBLOCK => {
                fields::want_cla(v, &prop_sm)?;
                fields::want_p1p2(v, 0, 0)?;
                CardCommand::ApplicationUnblock {
                    mac: fields::mac_only(v)?,
                }
            }
            ins::CARD_BLOCK => {
                fields::want_cla(v, &prop_sm)?;
                fields::want_p1p2(v, 0, 0)?;
                CardCommand::CardBlock {
                    mac: fields::mac_only(v)?,
                }
            }
            ins::INITIALIZE_PURSE
            | ins::DEBIT_FOR_PURCHASE
            | ins::CREDIT_FOR_LOAD
            | ins::GET_BALANCE
            | ins::GET_TRANSACTION_PROVE => match purse::decode(v)? {
                PurseCommand::InitPurchase(c) => CardCommand::InitializeForPurchase(c),
                PurseCommand::InitLoad(c) => CardCommand::InitializeForLoad(c),
                PurseCommand::Debit(c) => CardCommand::DebitForPurchase(c),
                PurseCommand::Credit(c) => CardCommand::CreditForLoad(c),
                PurseCommand::GetBalance => CardCommand::GetBalance,
                PurseCommand::Prove { kind, counter } => {
                    CardCommand::GetTransactionProve { kind, counter }
                }
            },
            _ => return Err(StatusWord::INS_NOT_SUPPORTED),
        })
    }

    /// The command APDU (short form). Refuses, with [`ApduError::ParameterOutOfRange`], any
    /// value [`decode`](Self::decode) would not produce (an SFI or offset out of range, record
    /// number 0, an empty or over-long field, a MAC of neither 0 nor 4 bytes), so
    /// `decode(to_command(v)) == v`. A [`Mac`] without MAC bytes ([`Mac::pending`]) gives a
    /// MAC-pending command: [`Command::mac_input`], then [`Command::append_mac`].
    pub fn to_command(&self) -> Result<Command, ApduError> {
        use fields::{apdu, apdu_mac, apdu_mac_only, apdu_write};
        match *self {
            CardCommand::Select { ref by, fci } => fields::select_apdu(by, fci),
            CardCommand::ReadBinary { sfi, offset } => fields::read_binary_apdu(sfi, offset),
            CardCommand::UpdateBinary {
                sfi,
                offset,
                ref data,
            } => {
                let (p1, p2) = fields::binary_to_p1p2(sfi, offset)?;
                apdu_write(Instruction::UpdateBinary, p1, p2, data)
            }
            CardCommand::ReadRecord { sfi, mode } => {
                check(!matches!(
                    mode,
                    RecordSelector::ByNumber(0) | RecordSelector::AllFrom(0)
                ))?;
                let p2 = fields::sfi_to_p2(sfi)? | mode.mode();
                apdu(ins::CLA_ISO, Instruction::ReadRecord, mode.p1(), p2, &[])
            }
            CardCommand::UpdateRecord {
                sfi,
                number,
                ref data,
            } => {
                check(number != 0)?;
                let p2 = fields::sfi_to_p2(sfi)? | ins::RECORD_MODE_BY_NUMBER;
                apdu_write(Instruction::UpdateRecord, number, p2, data)
            }
            CardCommand::AppendRecord { sfi, ref data } => {
                apdu_write(Instruction::AppendRecord, 0, fields::sfi_to_p2(sfi)?, data)
            }
            CardCommand::Verify { pin } => {
                check(pin.len() <= PIN_MAX_LEN)?;
                apdu(ins::CLA_ISO, Instruction::Verify, 0, 0, pin)
            }
            CardCommand::ChangePin { old, new } => {
                let pin_ok = |p: &[u8]| (1..=PIN_MAX_LEN).contains(&p.len());
                check(pin_ok(old) && pin_ok(new) && !old.contains(&0xFF))?;
                let mut buf = [0u8; 2 * PIN_MAX_LEN + 1];
                let len = old.len() + 1 + new.len();
                buf.iter_mut()
                    .zip(old.iter().chain(&[0xFF]).chain(new))
                    .for_each(|(d, s)| *d = *s);
                let data = buf.get(..len).ok_or(ApduError::ParameterOutOfRange)?;
                apdu(
                    ins::CLA_PROPRIETARY,
                    Instruction::ChangePin,
                    0x01,
                    0x00,
                    data,
                )
            }
            CardCommand::PinUnblock { ref mac } => {
                apdu_mac_only(Instruction::PinUnblockReload, 0, 0, mac)
            }
            CardCommand::PinReload { ref mac } => {
                check(!mac.body.is_empty())?;
                apdu_mac(
                    ins::CLA_PROPRIETARY_SM,
                    Instruction::PinUnblockReload,
                    0,
                    1,
                    mac,
                )
            }
            CardCommand::GetChallenge { len } => fields::get_challenge_apdu(len),
            CardCommand::ExternalAuthenticate { kid, data } => apdu(
                ins::CLA_ISO,
                Instruction::ExternalAuthenticate,
                0,
                kid,
                data,
            ),
            CardCommand::InternalAuthenticate { kid, data } => {
                check(data.len() == 16)?;
                apdu(
                    ins::CLA_ISO,
                    Instruction::InternalAuthenticate,
                    0,
                    kid,
                    data,
                )
            }
            CardCommand::GetResponse { le } => fields::get_response_apdu(le),
            CardCommand::ApplicationBlock { permanent, ref mac } => {
                apdu_mac_only(Instruction::ApplicationBlock, 0, u8::from(permanent), mac)
            }
            CardCommand::ApplicationUnblock { ref mac } => {
                apdu_mac_only(Instruction::ApplicationUnblock, 0, 0, mac)
            }
            CardCommand::CardBlock { ref mac } => apdu_mac_only(Instruction::CardBlock, 0, 0, mac),
            CardCommand::InitializeForPurchase(ref c) => purse::encode_init_purchase(c),
            CardCommand::InitializeForLoad(ref c) => purse::encode_init_load(c),
            CardCommand::DebitForPurchase(ref c) => purse::encode_debit(c),
            CardCommand::CreditForLoad(ref c) => purse::encode_credit(c),
            CardCommand::GetBalance => purse::encode_get_balance(),
            CardCommand::GetTransactionProve { kind, counter } => {
                purse::encode_prove(kind, counter)
            }
        }
    }

    /// The instruction.
    pub const fn instruction(&self) -> Instruction {
        match self {
            CardCommand::Select { .. } => Instruction::Select,
            CardCommand::ReadBinary { .. } => Instruction::ReadBinary,
            CardCommand::UpdateBinary { .. } => Instruction::UpdateBinary,
            CardCommand::ReadRecord { .. } => Instruction::ReadRecord,
            CardCommand::UpdateRecord { .. } => Instruction::UpdateRecord,
            CardCommand::AppendRecord { .. } => Instruction::AppendRecord,
            CardCommand::Verify { .. } => Instruction::Verify,
            CardCommand::ChangePin { .. } => Instruction::ChangePin,
            CardCommand::PinUnblock { .. } | CardCommand::PinReload { .. } => {
                Instruction::PinUnblockReload
            }
            CardCommand::GetChallenge { .. } => Instruction::GetChallenge,
            CardCommand::ExternalAuthenticate { .. } => Instruction::ExternalAuthenticate,
            CardCommand::InternalAuthenticate { .. } => Instruction::InternalAuthenticate,
            CardCommand::GetResponse { .. } => Instruction::GetResponse,
            CardCommand::ApplicationBlock { .. } => Instruction::ApplicationBlock,
            CardCommand::ApplicationUnblock { .. } => Instruction::ApplicationUnblock,
            CardCommand::CardBlock { .. } => Instruction::CardBlock,
            CardCommand::InitializeForPurchase(_) | CardCommand::InitializeForLoad(_) => {
                Instruction::InitializePurse
            }
            CardCommand::DebitForPurchase(_) => Instruction::DebitForPurchase,
            CardCommand::CreditForLoad(_) => Instruction::CreditForLoad,
            CardCommand::GetBalance => Instruction::GetBalance,
            CardCommand::GetTransactionProve { .. } => Instruction::GetTransactionProve,
        }
    }

    /// Commands a temporarily blocked application still accepts (profile.md §5).
    pub fn allowed_when_blocked(&self) -> bool {
        matches!(
            self,
            CardCommand::Select { .. }
                | CardCommand::GetChallenge { .. }
                | CardCommand::ExternalAuthenticate { .. }
                | CardCommand::ApplicationUnblock { .. }
                | CardCommand::GetResponse { .. }
        )
    }
}

impl<'a> TryFrom<&CommandView<'a>> for CardCommand<'a> {
    type Error = StatusWord;

    /// [`CardCommand::decode`].
    fn try_from(v: &CommandView<'a>) -> Result<Self, StatusWord> {
        Self::decode(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn dec(bytes: &[u8]) -> Result<CardCommand<'_>, StatusWord> {
        CardCommand::decode(&CommandView::parse(bytes).unwrap())
    }

    fn enc(c: &CardCommand<'_>) -> Vec<u8> {
        let mut buf = [0u8; 300];
        let n = c.to_command().unwrap().encode(&mut buf).unwrap();
        buf[..n].to_vec()
    }

    #[test]
    fn decode_status_words() {
        use StatusWord as S;
        let cases: &[(&[u8], StatusWord)] = &[
            (&hex!("A0A40000023F00"), S::CLA_NOT_SUPPORTED),
            (&hex!("80A40000023F00"), S::CLA_NOT_SUPPORTED),
            (&hex!("00B0000000000A"), S::WRONG_LENGTH), // extended
            (&hex!("00FF0000"), S::INS_NOT_SUPPORTED),
            (&hex!("80FA000008 0102030405060708"), S::INS_NOT_SUPPORTED),
            (&hex!("00A40001023F00"), S::WRONG_P1P2),
            (&hex!("00A40800023F00"), S::WRONG_P1P2),
            (&hex!("00A40000013F"), S::WRONG_LENGTH),
            (&hex!("00A4040000"), S::WRONG_LENGTH), // by name, no name
            (
                &hex!("00A404010F 7378312E73682EC9E7BBE1B1A3D5CF"),
                S::WRONG_P1P2,
            ),
            (&hex!("00B0A00000"), S::WRONG_P1P2),
            (&hex!("00B0800000"), S::WRONG_P1P2),
            (&hex!("00B000000101"), S::WRONG_LENGTH),
            (&hex!("00B201FC00"), S::WRONG_P1P2), // SFI 31
            (&hex!("00B2000400"), S::WRONG_P1P2), // record 0
            (&hex!("00B2010600"), S::WRONG_P1P2), // mode 110
            (&hex!("00DC010003020133"), S::WRONG_P1P2),
            (&hex!("00DC0104"), S::WRONG_LENGTH),
            (&hex!("04DC010404 01020304"), S::WRONG_LENGTH), // MAC, no body
            (&hex!("00E2010003020133"), S::WRONG_P1P2),
            (&hex!("002000000901020304050607080900"), S::WRONG_LENGTH),
            (&hex!("805E0100 03 123456"), S::WRONG_DATA),
            (&hex!("805E0100 04 FF123456"), S::WRONG_DATA),
            (&hex!("005E0100 04 12FF3456"), S::CLA_NOT_SUPPORTED),
            (&hex!("84240002 04 01020304"), S::WRONG_P1P2),
            (&hex!("84240000 05 0001020304"), S::WRONG_LENGTH),
            (&hex!("84240001 04 01020304"), S::WRONG_LENGTH),
            (&hex!("0084000005"), S::WRONG_LENGTH),
            (&hex!("00840000"), S::WRONG_LENGTH),
            (&hex!("0082010A 00"), S::WRONG_P1P2),
            (&hex!("00880000 08 0102030405060708"), S::WRONG_LENGTH),
            (&hex!("00C00100 00"), S::WRONG_P1P2),
            (&hex!("841E0002 04 01020304"), S::WRONG_P1P2),
            (&hex!("801E0000 04 01020304"), S::CLA_NOT_SUPPORTED),
            (&hex!("84180000 03 010203"), S::WRONG_LENGTH),
            (&hex!("84160100 04 01020304"), S::WRONG_P1P2),
        ];
        for (apdu, sw) in cases {
            assert_eq!(dec(apdu), Err(*sw), "{apdu:02X?}");
        }
    }

    #[test]
    fn decode_values() {
        assert_eq!(
            dec(&hex!("00A40000")),
            Ok(CardCommand::Select {
                by: SelectBy::Fid(None),
                fci: true
            })
        );
        assert_eq!(
            dec(&hex!("00A4010C02DF04")),
            Ok(CardCommand::Select {
                by: SelectBy::ChildDf(0xDF04),
                fci: false
            })
        );
        assert_eq!(
            dec(&hex!("00B0851000")),
            Ok(CardCommand::ReadBinary {
                sfi: Some(5),
                offset: 0x10
            })
        );
        assert_eq!(
            dec(&hex!("00C00000")),
            Ok(CardCommand::GetResponse { le: 256 })
        );
        let Ok(CardCommand::UpdateRecord {
            sfi: None,
            number: 1,
            data: Protection::Mac(m),
        }) = dec(&hex!("04DC010407 020133 A1A2A3A4"))
        else {
            panic!("MAC'd UPDATE RECORD")
        };
        assert_eq!(m.header, hex!("04DC010407"));
        assert_eq!(
            (m.body, m.mac),
            (&hex!("020133")[..], &hex!("A1A2A3A4")[..])
        );
        assert_eq!(
            dec(&hex!("805E0100 07 123456FF65FF21")),
            Ok(CardCommand::ChangePin {
                old: &hex!("123456"),
                new: &hex!("65FF21")
            })
        );
    }

    #[test]
    fn encode_values() {
        let cmd = CardCommand::UpdateBinary {
            sfi: Some(0x1F),
            offset: 0xFF,
            data: Protection::Plain(&[1]),
        };
        assert_eq!(enc(&cmd), hex!("00D69FFF0101"));
        assert_eq!(dec(&enc(&cmd)), Ok(cmd));
        let cmd = CardCommand::GetResponse { le: 256 };
        assert_eq!(enc(&cmd), hex!("00C0000000"));
        let cmd = CardCommand::ApplicationBlock {
            permanent: true,
            mac: Mac::new(&[], &hex!("01020304")),
        };
        assert_eq!(enc(&cmd), hex!("841E000104 01020304"));
        let pending = CardCommand::PinReload {
            mac: Mac::pending(&hex!("D35A1BBD61EFDEFD")),
        }
        .to_command()
        .unwrap();
        assert!(pending.is_mac_pending());
        assert_eq!(pending.mac_input().header(), hex!("842400010C"));
    }

    #[test]
    fn encode_refuses_what_decode_never_gives() {
        let bad: &[CardCommand<'_>] = &[
            CardCommand::Select {
                by: SelectBy::Name(&[]),
                fci: true,
            },
            CardCommand::Select {
                by: SelectBy::Name(&[0; 17]),
                fci: true,
            },
            CardCommand::ReadBinary {
                sfi: Some(0),
                offset: 0,
            },
            CardCommand::ReadBinary {
                sfi: Some(32),
                offset: 0,
            },
            CardCommand::ReadBinary {
                sfi: Some(1),
                offset: 0x100,
            },
            CardCommand::ReadBinary {
                sfi: None,
                offset: 0x8000,
            },
            CardCommand::ReadRecord {
                sfi: Some(31),
                mode: RecordSelector::ByTag(1),
            },
            CardCommand::ReadRecord {
                sfi: None,
                mode: RecordSelector::AllFrom(0),
            },
            CardCommand::UpdateRecord {
                sfi: None,
                number: 0,
                data: Protection::Plain(&[1]),
            },
            CardCommand::AppendRecord {
                sfi: None,
                data: Protection::Plain(&[]),
            },
            CardCommand::AppendRecord {
                sfi: None,
                data: Protection::Mac(Mac::new(&[1], &[1, 2, 3])),
            },
            CardCommand::Verify { pin: &[0; 9] },
            CardCommand::ChangePin {
                old: &[0x12, 0xFF],
                new: &[0x34],
            },
            CardCommand::ChangePin {
                old: &[],
                new: &[0x34],
            },
            CardCommand::PinUnblock {
                mac: Mac::new(&[1], &[1, 2, 3, 4]),
            },
            CardCommand::PinReload {
                mac: Mac::pending(&[]),
            },
            CardCommand::GetChallenge { len: 5 },
            CardCommand::InternalAuthenticate {
                kid: 0,
                data: &[0; 8],
            },
            CardCommand::GetResponse { le: 0 },
            CardCommand::GetResponse { le: 257 },
        ];
        for c in bad {
            assert_eq!(c.to_command(), Err(ApduError::ParameterOutOfRange), "{c:?}");
        }
    }
}
