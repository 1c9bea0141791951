//! Builders for the social security card's commands (sscard-spec.md §4, profile.md §4–§5),
//! each a thin constructor over [`CardCommand`] returning the encoded [`Command`] (plus Le where
//! the command needs one). Two commands the card OS does not implement are built directly:
//! SELECT by path and GET RESPONSE with a CLA other than `00`.
//!
//! MAC'd commands (PIN UNBLOCK/RELOAD, APPLICATION BLOCK/UNBLOCK, CARD BLOCK) come back with
//! CLA `84`, Lc' already counting the MAC and the MAC pending: take
//! [`Command::mac_input`], compute the MAC, then [`Command::append_mac`]. Any other command can
//! be MAC'd the same way with [`Command::with_mac_appended`] (e.g. `04 DC` UPDATE RECORD).
//!
//! ```
//! use sscard_apdu::commands::{self, RecordSelector};
//! let cmd = commands::read_record(RecordSelector::AllFrom(1), None, 255).unwrap();
//! let mut buf = [0u8; 8];
//! let n = cmd.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0x00, 0xB2, 0x01, 0x05, 0xFF]);
//! ```

use super::{CardCommand, Instruction, Mac, Protection, RecordSelector, SelectBy};
use crate::ins;
use crate::{ApduError, Command};

fn non_empty(data: &[u8]) -> Result<&[u8], ApduError> {
    if data.is_empty() {
        Err(ApduError::ParameterOutOfRange)
    } else {
        Ok(data)
    }
}

/// SFI 1..=30 (ISO 7816-4; the card OS also parses 31 in READ/UPDATE BINARY).
fn sfi_1_30(sfi: u8) -> Result<u8, ApduError> {
    match sfi {
        1..=30 => Ok(sfi),
        _ => Err(ApduError::ParameterOutOfRange),
    }
}

/// A command whose fields are always in range: its encoding cannot fail.
fn always(cmd: CardCommand<'_>) -> Command {
    cmd.to_command()
        .unwrap_or_else(|_| Command::new(ins::CLA_ISO, cmd.instruction().byte(), 0, 0))
}

/// SELECT by DF name: `00 A4 04 00 Lc name` (1..=16 bytes). Add Le `00` with
/// `.with_ne(256)` if the reader needs it.
pub fn select_by_name(name: &[u8]) -> Result<Command, ApduError> {
    CardCommand::Select {
        by: SelectBy::Name(name),
        fci: true,
    }
    .to_command()
}

/// SELECT by file identifier: `00 A4 00 00 02 FID` (MF `3F00`, DF `DF01`, ...).
pub fn select_by_fid(fid: u16) -> Command {
    select(SelectBy::Fid(Some(fid)))
}

/// SELECT an EF under the current DF: `00 A4 02 00 02 FID`.
pub fn select_ef(fid: u16) -> Command {
    select(SelectBy::ChildEf(fid))
}

/// SELECT a DF under the current DF: `00 A4 01 00 02 FID`.
pub fn select_child_df(fid: u16) -> Command {
    select(SelectBy::ChildDf(fid))
}

fn select(by: SelectBy<'_>) -> Command {
    always(CardCommand::Select { by, fci: true })
}

/// SELECT by path (`P1 08` from the MF, `09` from the current DF): an even number of bytes,
/// FIDs concatenated. Not a command of the card OS (it answers `6A86`), so not a
/// [`CardCommand`].
pub fn select_by_path(path: &[u8], from_mf: bool) -> Result<Command, ApduError> {
    if path.is_empty() || path.len() % 2 != 0 {
        return Err(ApduError::ParameterOutOfRange);
    }
    let p1 = if from_mf {
        ins::SELECT_P1_PATH_FROM_MF
    } else {
        ins::SELECT_P1_PATH_FROM_CURRENT
    };
    Command::new(ins::CLA_ISO, Instruction::Select.byte(), p1, 0x00).with_data(path)
}

/// READ BINARY of the current EF: `00 B0 off_hi off_lo Le` (offset ≤ `7FFF`).
pub fn read_binary(offset: u16, ne: u32) -> Result<Command, ApduError> {
    let cmd = CardCommand::ReadBinary { sfi: None, offset };
    Ok(cmd.to_command()?.with_ne(ne))
}

/// READ BINARY by SFI (1..=30): `00 B0 (80|sfi) offset Le`.
pub fn read_binary_sfi(sfi: u8, offset: u8, ne: u32) -> Result<Command, ApduError> {
    let cmd = CardCommand::ReadBinary {
        sfi: Some(sfi_1_30(sfi)?),
        offset: u16::from(offset),
    };
    Ok(cmd.to_command()?.with_ne(ne))
}

/// UPDATE BINARY of the current EF: `00 D6 off_hi off_lo Lc data`.
pub fn update_binary(offset: u16, data: &[u8]) -> Result<Command, ApduError> {
    CardCommand::UpdateBinary {
        sfi: None,
        offset,
        data: Protection::Plain(non_empty(data)?),
    }
    .to_command()
}

/// UPDATE BINARY by SFI (1..=30): `00 D6 (80|sfi) offset Lc data`.
pub fn update_binary_sfi(sfi: u8, offset: u8, data: &[u8]) -> Result<Command, ApduError> {
    CardCommand::UpdateBinary {
        sfi: Some(sfi_1_30(sfi)?),
        offset: u16::from(offset),
        data: Protection::Plain(non_empty(data)?),
    }
    .to_command()
}

/// READ RECORD: `00 B2 P1 (sfi<<3 | mode) Le`; `sfi` `None` means the current EF, record
/// numbers start at 1. Le `00` (Ne 256) is accepted by real cards; `2 + item length` is
/// customary.
pub fn read_record(
    selector: RecordSelector,
    sfi: Option<u8>,
    ne: u32,
) -> Result<Command, ApduError> {
    let cmd = CardCommand::ReadRecord {
        sfi,
        mode: selector,
    };
    Ok(cmd.to_command()?.with_ne(ne))
}

/// UPDATE RECORD by absolute number: `00 DC rec (sfi<<3 | 04) Lc <tag len value>`.
pub fn update_record(record: u8, sfi: Option<u8>, data: &[u8]) -> Result<Command, ApduError> {
    CardCommand::UpdateRecord {
        sfi,
        number: record,
        data: Protection::Plain(non_empty(data)?),
    }
    .to_command()
}

/// APPEND RECORD: `00 E2 00 (sfi<<3) Lc <record>`.
pub fn append_record(sfi: Option<u8>, data: &[u8]) -> Result<Command, ApduError> {
    CardCommand::AppendRecord {
        sfi,
        data: Protection::Plain(non_empty(data)?),
    }
    .to_command()
}

/// VERIFY the user PIN: `00 20 00 00 Lc <packed BCD PIN>` (1..=8 bytes, e.g. `03 66 66 66`).
/// The empty VERIFY that asks for the try counter is `CardCommand::Verify { pin: &[] }`.
pub fn verify(pin_bcd: &[u8]) -> Result<Command, ApduError> {
    CardCommand::Verify {
        pin: non_empty(pin_bcd)?,
    }
    .to_command()
}

/// CHANGE PIN: `80 5E 01 00 Lc old ‖ FF ‖ new` (packed BCD PINs, 1..=8 bytes each).
pub fn change_pin(old_bcd: &[u8], new_bcd: &[u8]) -> Result<Command, ApduError> {
    CardCommand::ChangePin {
        old: old_bcd,
        new: new_bcd,
    }
    .to_command()
}

/// PIN UNBLOCK: `84 24 00 00 04 <MAC>` — returned with the MAC pending
/// (MAC input `84 24 00 00 04`).
pub fn pin_unblock() -> Command {
    always(CardCommand::PinUnblock {
        mac: Mac::pending(&[]),
    })
}

/// PIN RELOAD: `84 24 00 01 Lc' <encrypted PIN block> <MAC>` (Lc' = `0C` DES, `14` SM4) —
/// returned with the MAC pending.
pub fn pin_reload(encrypted_pin_block: &[u8]) -> Result<Command, ApduError> {
    CardCommand::PinReload {
        mac: Mac::pending(non_empty(encrypted_pin_block)?),
    }
    .to_command()
}

/// GET CHALLENGE: `00 84 00 00 Le` with Le 4, 8 or 16.
pub fn get_challenge(len: u8) -> Result<Command, ApduError> {
    CardCommand::GetChallenge { len }.to_command()
}

/// EXTERNAL AUTHENTICATE: `00 82 00 KID 10 <16-byte cryptogram>`.
pub fn external_authenticate(kid: u8, cryptogram: &[u8; 16]) -> Command {
    always(CardCommand::ExternalAuthenticate {
        kid,
        data: cryptogram,
    })
}

/// INTERNAL AUTHENTICATE: `00 88 00 KID 10 P ‖ S` (process factor, source data; no Le as
/// observed — add `.with_ne(256)` for a case-4 command).
pub fn internal_authenticate(kid: u8, p: &[u8; 8], s: &[u8; 8]) -> Command {
    let mut data = [0u8; 16];
    let (a, b) = data.split_at_mut(8);
    a.copy_from_slice(p);
    b.copy_from_slice(s);
    always(CardCommand::InternalAuthenticate { kid, data: &data })
}

/// GET RESPONSE: `CLA C0 00 00 Le` (`le` as found in SW2 of `61xx`; `00` means 256). The card
/// OS takes CLA `00` only; other CLAs are for cards that answer with the command's CLA.
pub fn get_response(cla: u8, le: u8) -> Command {
    let le = if le == 0 { 256 } else { u16::from(le) };
    if cla == ins::CLA_ISO {
        return always(CardCommand::GetResponse { le });
    }
    Command::new(cla, Instruction::GetResponse.byte(), 0x00, 0x00).with_ne(u32::from(le))
}

/// APPLICATION BLOCK: `84 1E 00 P2 04 <MAC>`, P2 `00` temporary / `01` permanent — MAC pending.
pub fn application_block(permanent: bool) -> Command {
    always(CardCommand::ApplicationBlock {
        permanent,
        mac: Mac::pending(&[]),
    })
}

/// APPLICATION UNBLOCK: `84 18 00 00 04 <MAC>` — MAC pending.
pub fn application_unblock() -> Command {
    always(CardCommand::ApplicationUnblock {
        mac: Mac::pending(&[]),
    })
}

/// CARD BLOCK: `84 16 00 00 04 <MAC>` — MAC pending.
pub fn card_block() -> Command {
    always(CardCommand::CardBlock {
        mac: Mac::pending(&[]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn enc(c: &Command) -> Vec<u8> {
        let mut buf = [0u8; 300];
        let n = c.encode(&mut buf).unwrap();
        buf[..n].to_vec()
    }

    fn with_mac(c: Command) -> (Vec<u8>, Vec<u8>) {
        assert!(c.is_mac_pending());
        let mut mi = [0u8; 300];
        let n = c.mac_input().write_to(&mut mi).unwrap();
        let mi = mi[..n].to_vec();
        (mi, enc(&c.append_mac(&hex!("A1A2A3A4")).unwrap()))
    }

    #[test]
    fn select() {
        let ssse = hex!("7378312E73682EC9E7BBE1B1A3D5CF");
        assert_eq!(
            enc(&select_by_name(&ssse).unwrap()),
            hex!("00A404000F 7378312E73682EC9E7BBE1B1A3D5CF")
        );
        assert_eq!(
            enc(&select_by_name(&ssse).unwrap().with_ne(256)),
            hex!("00A404000F 7378312E73682EC9E7BBE1B1A3D5CF 00")
        );
        assert_eq!(
            enc(&select_by_name(&hex!("D15600000500")).unwrap()),
            hex!("00A4040006 D15600000500")
        );
        assert_eq!(select_by_name(&[]), Err(ApduError::ParameterOutOfRange));
        assert_eq!(
            select_by_name(&[0; 17]),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(enc(&select_by_fid(0xDF01)), hex!("00A4000002DF01"));
        assert_eq!(enc(&select_by_fid(0x3F00)), hex!("00A40000023F00"));
        assert_eq!(enc(&select_ef(0xEF05)), hex!("00A4020002EF05"));
        assert_eq!(enc(&select_child_df(0xDF04)), hex!("00A4010002DF04"));
        assert_eq!(
            enc(&select_by_path(&hex!("DF04EF05"), true).unwrap()),
            hex!("00A4080004DF04EF05")
        );
        assert_eq!(
            enc(&select_by_path(&hex!("EF05"), false).unwrap()),
            hex!("00A4090002EF05")
        );
        assert_eq!(
            select_by_path(&hex!("DF"), true),
            Err(ApduError::ParameterOutOfRange)
        );
    }

    #[test]
    fn binary() {
        assert_eq!(enc(&read_binary(0x0300, 0x70).unwrap()), hex!("00B0030070"));
        assert_eq!(enc(&read_binary(0, 256).unwrap()), hex!("00B0000000"));
        assert_eq!(read_binary(0x8000, 1), Err(ApduError::ParameterOutOfRange));
        assert_eq!(
            enc(&read_binary_sfi(7, 0x10, 0x20).unwrap()),
            hex!("00B0871020")
        );
        assert_eq!(
            read_binary_sfi(31, 0, 1),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            enc(&update_binary(0x0010, &hex!("0102")).unwrap()),
            hex!("00D60010020102")
        );
        assert_eq!(
            enc(&update_binary_sfi(8, 0, &hex!("AA")).unwrap()),
            hex!("00D6880001AA")
        );
        assert_eq!(update_binary(0, &[]), Err(ApduError::ParameterOutOfRange));
    }

    #[test]
    fn records() {
        // by tag: social security number (tag 08)
        assert_eq!(
            enc(&read_record(RecordSelector::ByTag(0x08), None, 0x14).unwrap()),
            hex!("00B2080014")
        );
        assert_eq!(
            enc(&read_record(RecordSelector::ByNumber(1), None, 256).unwrap()),
            hex!("00B2010400")
        );
        // S-XJ: record 7 of SFI 5
        assert_eq!(
            enc(&read_record(RecordSelector::ByNumber(7), Some(5), 0x0B).unwrap()),
            hex!("00B2072C0B")
        );
        // S-HNLOG: all records from 1
        assert_eq!(
            enc(&read_record(RecordSelector::AllFrom(1), None, 0xFF).unwrap()),
            hex!("00B20105FF")
        );
        assert_eq!(
            read_record(RecordSelector::ByTag(1), Some(0), 1),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            read_record(RecordSelector::ByTag(1), Some(31), 1),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            enc(&update_record(2, None, &hex!("020133")).unwrap()),
            hex!("00DC020403020133")
        );
        assert_eq!(
            enc(&update_record(2, Some(6), &hex!("020133")).unwrap()),
            hex!("00DC023403020133")
        );
        assert_eq!(
            update_record(0, None, &hex!("020133")),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            enc(&append_record(None, &hex!("020133")).unwrap()),
            hex!("00E2000003020133")
        );
        assert_eq!(
            enc(&append_record(Some(5), &hex!("020133")).unwrap()),
            hex!("00E2002803020133")
        );
    }

    #[test]
    fn update_record_with_mac() {
        let c = update_record(1, None, &hex!("020133"))
            .unwrap()
            .with_mac_appended()
            .unwrap();
        let (mi, apdu) = with_mac(c);
        assert_eq!(mi, hex!("04DC010407 020133"));
        assert_eq!(apdu, hex!("04DC010407 020133 A1A2A3A4"));
    }

    #[test]
    fn pin() {
        assert_eq!(
            enc(&verify(&hex!("666666")).unwrap()),
            hex!("0020000003666666")
        );
        assert_eq!(
            enc(&change_pin(&hex!("123456"), &hex!("654321")).unwrap()),
            hex!("805E010007 123456 FF 654321")
        );
        let (mi, apdu) = with_mac(pin_unblock());
        assert_eq!(mi, hex!("8424000004"));
        assert_eq!(apdu, hex!("8424000004 A1A2A3A4"));
        assert_eq!(
            pin_unblock().encode(&mut [0; 16]),
            Err(ApduError::MacPending)
        );
        let (mi, apdu) = with_mac(pin_reload(&hex!("D35A1BBD61EFDEFD")).unwrap());
        assert_eq!(mi, hex!("842400010C D35A1BBD61EFDEFD"));
        assert_eq!(apdu, hex!("842400010C D35A1BBD61EFDEFD A1A2A3A4"));
        let (mi, _) = with_mac(pin_reload(&[0x11; 16]).unwrap());
        assert_eq!(mi[..5], hex!("8424000114"));
    }

    #[test]
    fn auth() {
        assert_eq!(enc(&get_challenge(8).unwrap()), hex!("0084000008"));
        assert_eq!(enc(&get_challenge(16).unwrap()), hex!("0084000010"));
        assert_eq!(enc(&get_challenge(4).unwrap()), hex!("0084000004"));
        assert_eq!(get_challenge(5), Err(ApduError::ParameterOutOfRange));
        let data = hex!("A273F18414E54044 0102030405060708");
        assert_eq!(
            enc(&external_authenticate(0x0A, &data)),
            hex!("008200 0A 10 A273F18414E54044 0102030405060708")
        );
        assert_eq!(
            enc(&internal_authenticate(
                0x00,
                &hex!("1122334455667788"),
                &hex!("0102030405060708")
            )),
            hex!("0088000010 1122334455667788 0102030405060708")
        );
        assert_eq!(enc(&get_response(0x00, 0x10)), hex!("00C0000010"));
        assert_eq!(enc(&get_response(0x80, 0x00)), hex!("80C0000000"));
    }

    #[test]
    fn builders_refuse_what_the_card_refuses() {
        use RecordSelector::*;
        for sel in [ByNumber(0), AllFrom(0)] {
            assert_eq!(
                read_record(sel, None, 256),
                Err(ApduError::ParameterOutOfRange)
            );
        }
        assert_eq!(verify(&[0x12; 9]), Err(ApduError::ParameterOutOfRange));
        assert_eq!(
            change_pin(&hex!("12FF"), &hex!("34")),
            Err(ApduError::ParameterOutOfRange)
        );
        assert_eq!(
            change_pin(&[0x12; 9], &hex!("34")),
            Err(ApduError::ParameterOutOfRange)
        );
    }

    /// Every builder's command is one the card OS decodes (and the same value comes back).
    #[test]
    fn builders_decode_as_card_commands() {
        use crate::CommandView;
        let mac = hex!("A1A2A3A4");
        let cmds = [
            select_by_name(&hex!("D15600000500")).unwrap(),
            select_by_fid(0x3F00),
            select_ef(0xEF05),
            select_child_df(0xDF04),
            read_binary(0x0300, 0x70).unwrap(),
            read_binary_sfi(7, 0x10, 0x20).unwrap(),
            update_binary(0x10, &hex!("0102")).unwrap(),
            update_binary_sfi(8, 0, &hex!("AA")).unwrap(),
            read_record(RecordSelector::ByTag(0x08), Some(5), 0x14).unwrap(),
            update_record(2, Some(6), &hex!("020133")).unwrap(),
            update_record(2, None, &hex!("020133"))
                .unwrap()
                .with_mac_appended()
                .unwrap()
                .append_mac(&mac)
                .unwrap(),
            append_record(None, &hex!("020133")).unwrap(),
            verify(&hex!("666666")).unwrap(),
            change_pin(&hex!("123456"), &hex!("654321")).unwrap(),
            pin_unblock().append_mac(&mac).unwrap(),
            pin_reload(&hex!("D35A1BBD61EFDEFD"))
                .unwrap()
                .append_mac(&mac)
                .unwrap(),
            get_challenge(8).unwrap(),
            external_authenticate(0x0A, &[0x11; 16]),
            internal_authenticate(0, &[1; 8], &[2; 8]),
            get_response(0x00, 0x10),
            application_block(true).append_mac(&mac).unwrap(),
            application_unblock().append_mac(&mac).unwrap(),
            card_block().append_mac(&mac).unwrap(),
        ];
        for cmd in &cmds {
            let bytes = enc(cmd);
            let view = CommandView::parse(&bytes).unwrap();
            let typed =
                CardCommand::decode(&view).unwrap_or_else(|sw| panic!("{bytes:02X?}: {sw}"));
            let back = typed.to_command().unwrap();
            assert_eq!(back.view().header(), view.header(), "{typed:?}");
            assert_eq!(back.data(), view.data, "{typed:?}");
        }
    }

    #[test]
    fn lifecycle() {
        assert_eq!(
            with_mac(application_block(false)),
            (
                hex!("841E000004").to_vec(),
                hex!("841E000004A1A2A3A4").to_vec()
            )
        );
        assert_eq!(with_mac(application_block(true)).0, hex!("841E000104"));
        assert_eq!(
            with_mac(application_unblock()).1,
            hex!("8418000004A1A2A3A4")
        );
        assert_eq!(with_mac(card_block()).1, hex!("8416000004A1A2A3A4"));
    }
}
