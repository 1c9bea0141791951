//! The DF04 purse's stored data as types: one transaction log record (DF04 EF08, with the
//! settlement class of its EF15 record), decoded by the one layout `sscard_specs::purse::ef08`.

use serde::Serialize;
use sscard_specs::purse::{self as sp, ef08};

use super::money::Fen;
use crate::error::{DataError, Result};

/// One DF04 EF08 record (record 1 = the newest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Record number (1 = newest).
    pub record: u8,
    /// Transaction sequence: the card's counter before the transaction.
    pub seq: u16,
    /// `load`, `settlement`, or the raw type character.
    pub kind: String,
    /// Terminal number (12 digits).
    pub terminal: String,
    /// `YYYY-MM-DD hh:mm:ss`.
    pub time: String,
    /// Personal-account amount (what the balance changed by).
    pub personal_account: Fen,
    /// Self-pay amount.
    pub self_pay: Fen,
    /// Pooled-fund amount.
    pub pooled_fund: Fen,
    /// Settlement class of a special settlement (EF15), when there is one for `seq`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The name of a settlement class byte (`sscard_specs::purse::class`).
pub fn class_name(c: u8) -> String {
    match c {
        sp::class::ORDINARY => "ordinary".into(),
        sp::class::WORK_INJURY => "work-injury".into(),
        sp::class::MATERNITY => "maternity".into(),
        sp::class::MEDICAL_AID => "medical-aid".into(),
        sp::class::OTHER => "other".into(),
        other => format!("{:02X}", other),
    }
}

impl LogEntry {
    /// Decode record `record` of DF04 EF08.
    pub fn decode(record: u8, b: &[u8]) -> Result<LogEntry> {
        if b.len() != ef08::LEN {
            return Err(DataError::Malformed {
                what: "purse log record (length)",
                hex: hex::encode_upper(b),
            }
            .into());
        }
        let t = &b[ef08::TIME..ef08::TIME + 7];
        let d = hex::encode_upper(t);
        if !d.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DataError::Malformed {
                what: "purse log record time (not BCD)",
                hex: hex::encode_upper(b),
            }
            .into());
        }
        let time = format!(
            "{}-{}-{} {}:{}:{}",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[8..10],
            &d[10..12],
            &d[12..14]
        );
        let kind = match b[ef08::TYPE] {
            sp::EF08_TYPE_LOAD => "load".to_string(),
            sp::EF08_TYPE_SETTLEMENT => "settlement".to_string(),
            c => format!("{:02X}", c),
        };
        Ok(LogEntry {
            record,
            seq: be16(b, ef08::SEQ),
            kind,
            terminal: hex::encode_upper(&b[ef08::TERMINAL..ef08::TERMINAL + 6]),
            time,
            personal_account: Fen(be32(b, ef08::PERSONAL)),
            self_pay: Fen(be32(b, ef08::SELF_PAY)),
            pooled_fund: Fen(be32(b, ef08::POOLED)),
            class: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settlement_record_decodes_field_by_field() {
        let rec = hex::decode("0007321101000000012025123114301500000000000004D2000001F4").unwrap();
        let e = LogEntry::decode(1, &rec).unwrap();
        assert_eq!(e.seq, 7);
        assert_eq!(e.kind, "settlement");
        assert_eq!(e.terminal, "110100000001");
        assert_eq!(e.time, "2025-12-31 14:30:15");
        assert_eq!(e.personal_account, Fen(0));
        assert_eq!(e.self_pay, Fen(1234));
        assert_eq!(e.pooled_fund, Fen(500));
    }

    #[test]
    fn a_short_or_non_bcd_record_is_a_data_error() {
        assert!(LogEntry::decode(1, &[0; 10]).is_err());
        let mut rec =
            hex::decode("0007321101000000012025123114301500000000000004D2000001F4").unwrap();
        rec[ef08::TIME] = 0x2A;
        assert!(LogEntry::decode(1, &rec).is_err());
    }
}
