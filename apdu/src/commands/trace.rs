//! [`command_name`]: the names of command APDUs in traces, the CLA/INS/P1/P2 decoder over the
//! INS table of [`super::instruction`].

use super::psam::{P1_ENCRYPT, P1_MAC};
use super::Instruction;
use crate::ins;

/// The name of a command APDU of the card or the PSAM, for traces: [`Instruction::name`],
/// refined by P1/P2 where one INS has several commands (`"READ RECORD (by tag)"`,
/// `"PIN RELOAD"`, `"PSAM ENCRYPT"`, `"PSAM MAC"`). The PSAM's instructions are named only with
/// their CLA (`BF DE`, `80 FA`). `"MALFORMED"` below two bytes, `"UNKNOWN"` for any other INS.
///
/// ```
/// use sscard_apdu::commands::command_name;
/// assert_eq!(command_name(&[0x00, 0xB2, 0x01, 0x05, 0xFF]), "READ RECORD (all from)");
/// assert_eq!(command_name(&[0x80, 0xFA, 0x05, 0x00, 0x10]), "PSAM MAC");
/// assert_eq!(command_name(&[0x00, 0x20, 0x00, 0x00]), "VERIFY");
/// ```
pub fn command_name(apdu: &[u8]) -> &'static str {
    let [cla, ins, rest @ ..] = apdu else {
        return "MALFORMED";
    };
    let p1 = rest.first().copied().unwrap_or(0);
    let p2 = rest.get(1).copied().unwrap_or(0);
    let Some(i) = Instruction::from_byte(*ins) else {
        return "UNKNOWN";
    };
    match i {
        Instruction::DiversifyInit if *cla != ins::CLA_PSAM => "UNKNOWN",
        Instruction::Compute if *cla != ins::CLA_PROPRIETARY => "UNKNOWN",
        Instruction::Compute => match p1 {
            P1_ENCRYPT => "PSAM ENCRYPT",
            P1_MAC => "PSAM MAC",
            _ => i.name(),
        },
        Instruction::ReadRecord => match p2 & 0x07 {
            ins::RECORD_MODE_BY_ID => "READ RECORD (by tag)",
            ins::RECORD_MODE_BY_NUMBER => "READ RECORD (by number)",
            ins::RECORD_MODE_ALL_FROM => "READ RECORD (all from)",
            _ => i.name(),
        },
        Instruction::InitializePurse if p1 == super::purse::P1_PURCHASE => {
            "INITIALIZE FOR PURCHASE"
        }
        Instruction::InitializePurse if p1 == super::purse::P1_LOAD => "INITIALIZE FOR LOAD",
        Instruction::PinUnblockReload if p2 == 0x01 => "PIN RELOAD",
        Instruction::PinUnblockReload => "PIN UNBLOCK",
        _ => i.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_names() {
        let cases: &[(&[u8], &str)] = &[
            (&[], "MALFORMED"),
            (&[0x00], "MALFORMED"),
            (&[0x00, 0xB2], "READ RECORD (by tag)"),
            (&[0x00, 0xB2, 0x08, 0x00, 0x00], "READ RECORD (by tag)"),
            (&[0x00, 0xB2, 0x01, 0x04], "READ RECORD (by number)"),
            (&[0x00, 0xB2, 0x01, 0x2D], "READ RECORD (all from)"),
            (&[0x00, 0xB2, 0x01, 0x06], "READ RECORD"),
            (&[0x84, 0x24, 0x00, 0x01, 0x00], "PIN RELOAD"),
            (&[0x84, 0x24, 0x00, 0x00, 0x04], "PIN UNBLOCK"),
            (&[0xBF, 0xDE, 0x41, 0x01], "PSAM DIVERSIFY/INIT"),
            (&[0x00, 0xDE, 0x41, 0x01], "UNKNOWN"),
            (&[0x80, 0xFA, 0x00, 0x00], "PSAM ENCRYPT"),
            (&[0x80, 0xFA, 0x05, 0x01], "PSAM MAC"),
            (&[0x80, 0xFA, 0x01, 0x00], "PSAM COMPUTE"),
            (&[0x00, 0xFA, 0x00, 0x00], "UNKNOWN"),
            (&[0x00, 0xA4, 0x04, 0x00], "SELECT"),
            (&[0x04, 0xDC, 0x01, 0x04], "UPDATE RECORD"),
            (&[0x84, 0x16, 0x00, 0x00], "CARD BLOCK"),
            (&[0x80, 0x50, 0x01, 0x02], "INITIALIZE FOR PURCHASE"),
            (&[0x80, 0x50, 0x00, 0x02], "INITIALIZE FOR LOAD"),
            (&[0x80, 0x54, 0x01, 0x00], "DEBIT FOR PURCHASE"),
            (&[0x80, 0x70, 0x00, 0x00], "PSAM INIT FOR PURCHASE"),
            (&[0x00, 0x00, 0x00, 0x00], "UNKNOWN"),
        ];
        for (apdu, name) in cases {
            assert_eq!(command_name(apdu), *name, "{apdu:02X?}");
        }
    }
}
