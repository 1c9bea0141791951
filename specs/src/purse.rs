//! The DF04 medical purse (sscard-spec.md §2.2, §3.7, §6.5): the key indexes and versions of
//! DPK/DLK, the algorithm ids, the COS-internal amount file and the EF08/EF15 record layouts as
//! offsets, the settlement classes, the PIN rule and the yearly roll-over rule.
//!
//! The command coding (INS/P1/P2/Lc, response layouts) is `sscard_apdu::commands::purse`, the
//! crypto `sscard_keys::purse`; `docs/purse.md` is the wire format in prose.
//!
//! Every value the public record does not give is sscard's choice, marked **\[L\]** with the
//! reference it departs from, so a real trace changes one line:
//!
//! | choice | value | note |
//! |---|---|---|
//! | purchase / load key index (INITIALIZE byte 1) | [`PURCHASE_KEY_INDEX`] `01`, [`LOAD_KEY_INDEX`] `01` | PBOC samples use `01` for both (integrators.md §4.1, crypto.md §1.4) |
//! | key version (INITIALIZE response) | [`KEY_VERSION`] `01` | \[L\] issuer-specific |
//! | algorithm id (INITIALIZE response) | [`ALG_ID_TDES`] `00` observed; [`ALG_ID_SM4`] `04` | \[L\] SM4 value after PBOC 3.0 |
//! | overdraft limit | [`OVERDRAFT_LIMIT`] 0 | a medical account has no overdraft \[L\] |
//! | PIN | purchase needs the verified PIN ([`PURCHASE_NEEDS_PIN`]), load does not | §6.5 "PIN if the holder set one": sscard cards always have one \[L\] |
//! | three amounts + class | travel in INITIALIZE FOR PURCHASE (Lc `14`) | \[L\] §6.5 names the fields, not their place |
//! | settlement class | `'0'` ordinary (no EF15 record), `'1'`/`'2'`/`'3'`/`'9'` EF15 record | \[L\] `'0'` is sscard's; §3.7 lists 1/2/3/9 |
//! | counters | pre-increment value in INITIALIZE, SESxK, EF08 seq, GET TRANSACTION PROVE; at `FFFF` the purse refuses (`6985`) | \[L\] |
//! | yearly accumulators | reset when the transaction's accounting year ([`accounting_year`]) is later than the stored pay year | \[L\] §2.2 names pay year + year start only |

use crate::items::{DF04_AMOUNT_FILE_FIELDS, DF04_EF08_FIELDS, DF04_EF15_FIELDS};
use crate::types::FieldSpec;

/// Key index of the purchase key DPK in INITIALIZE FOR PURCHASE (PBOC samples: `01`).
pub const PURCHASE_KEY_INDEX: u8 = 0x01;
/// Key index of the load key DLK in INITIALIZE FOR LOAD (PBOC samples: `01`).
pub const LOAD_KEY_INDEX: u8 = 0x01;
/// Key version returned by INITIALIZE (\[L\]).
pub const KEY_VERSION: u8 = 0x01;
/// Algorithm id of a 3DES purse in the INITIALIZE response (`00`, crypto.md §1.4, integrators.md §4.1).
pub const ALG_ID_TDES: u8 = 0x00;
/// Algorithm id of an SM4 purse (\[L\]: PBOC 3.0 convention, not seen on an SSC).
pub const ALG_ID_SM4: u8 = 0x04;
/// Overdraft limit (3 bytes in the INITIALIZE FOR PURCHASE response).
pub const OVERDRAFT_LIMIT: u32 = 0;
/// INITIALIZE FOR PURCHASE needs the verified PIN (`6982` otherwise).
pub const PURCHASE_NEEDS_PIN: bool = true;
/// INITIALIZE FOR LOAD needs the verified PIN.
pub const LOAD_NEEDS_PIN: bool = false;
/// Year start used while the amount file's year start is unset (`0000`): 1 January.
pub const DEFAULT_YEAR_START: [u8; 2] = [0x01, 0x01];

/// EF08 transaction type byte: account load (`'1'`, sscard-spec.md §3.7).
pub const EF08_TYPE_LOAD: u8 = b'1';
/// EF08 transaction type byte: settlement (`'2'`).
pub const EF08_TYPE_SETTLEMENT: u8 = b'2';

/// Settlement classes (INITIALIZE FOR PURCHASE's last byte; DF04 EF15 content).
pub mod class {
    /// Ordinary settlement: no EF15 record (sscard's value \[L\]).
    pub const ORDINARY: u8 = b'0';
    /// Work injury (工伤).
    pub const WORK_INJURY: u8 = b'1';
    /// Maternity (生育).
    pub const MATERNITY: u8 = b'2';
    /// Medical aid (医疗救助).
    pub const MEDICAL_AID: u8 = b'3';
    /// Other.
    pub const OTHER: u8 = b'9';
}

/// Whether `c` is a settlement class the card accepts (`6A80` otherwise).
pub const fn is_class(c: u8) -> bool {
    matches!(
        c,
        class::ORDINARY | class::WORK_INJURY | class::MATERNITY | class::MEDICAL_AID | class::OTHER
    )
}

/// Whether a settlement of class `c` also appends a DF04 EF15 record.
pub const fn writes_ef15(c: u8) -> bool {
    is_class(c) && c != class::ORDINARY
}

const fn offset(fields: &[FieldSpec], i: usize) -> usize {
    let mut n = 0;
    let mut k = 0;
    while k < i && k < fields.len() {
        n += fields[k].len as usize;
        k += 1;
    }
    n
}

const fn total(fields: &[FieldSpec]) -> usize {
    offset(fields, fields.len())
}

/// Offsets of the COS-internal amount file ([`DF04_AMOUNT_FILE_FIELDS`], sscard-spec.md §2.2).
pub mod amount_file {
    use super::{offset, total, DF04_AMOUNT_FILE_FIELDS as F};
    /// Online (load) counter, 2 bytes.
    pub const ONLINE_CTR: usize = offset(F, 0);
    /// Offline (purchase) counter, 2 bytes.
    pub const OFFLINE_CTR: usize = offset(F, 1);
    /// Balance, 4 bytes (fen).
    pub const BALANCE: usize = offset(F, 2);
    /// Yearly self-pay accumulator, 4 bytes.
    pub const YEAR_SELF_PAY: usize = offset(F, 3);
    /// Yearly pooled-fund accumulator, 4 bytes.
    pub const YEAR_POOLED: usize = offset(F, 4);
    /// Pay year, cn 2 (`YYYY`).
    pub const PAY_YEAR: usize = offset(F, 5);
    /// Year start, cn 2 (`MMDD`).
    pub const YEAR_START: usize = offset(F, 6);
    /// Length (20).
    pub const LEN: usize = total(F);
}

/// Offsets of a DF04 EF08 record ([`DF04_EF08_FIELDS`], 0x1C bytes).
pub mod ef08 {
    use super::{offset, total, DF04_EF08_FIELDS as F};
    /// Transaction sequence (the counter), 2 bytes.
    pub const SEQ: usize = offset(F, 0);
    /// Type, an 1 (`'1'` load, `'2'` settlement).
    pub const TYPE: usize = offset(F, 1);
    /// Terminal number, cn 6.
    pub const TERMINAL: usize = offset(F, 2);
    /// Time, cn 7 (`YYYYMMDDhhmmss`).
    pub const TIME: usize = offset(F, 3);
    /// Personal-account amount, 4 bytes.
    pub const PERSONAL: usize = offset(F, 4);
    /// Self-pay amount, 4 bytes.
    pub const SELF_PAY: usize = offset(F, 5);
    /// Pooled-fund amount, 4 bytes.
    pub const POOLED: usize = offset(F, 6);
    /// Record length (0x1C).
    pub const LEN: usize = total(F);
}

/// Offsets of a DF04 EF15 record ([`DF04_EF15_FIELDS`], 3 bytes).
pub mod ef15 {
    use super::{offset, total, DF04_EF15_FIELDS as F};
    /// Transaction sequence, 2 bytes.
    pub const SEQ: usize = offset(F, 0);
    /// Settlement class, an 1.
    pub const CLASS: usize = offset(F, 1);
    /// Record length (3).
    pub const LEN: usize = total(F);
}

fn bcd2(b: u8) -> Option<u16> {
    let (h, l) = (b >> 4, b & 0x0F);
    (h <= 9 && l <= 9).then_some(u16::from(h) * 10 + u16::from(l))
}

/// A packed-BCD year (`20 26` → 2026); `None` if not BCD.
pub fn bcd_year(y: [u8; 2]) -> Option<u16> {
    Some(bcd2(y[0])? * 100 + bcd2(y[1])?)
}

/// The packed-BCD form of a year ≤ 9999.
pub fn year_bcd(y: u16) -> [u8; 2] {
    let d = |v: u16| (((v / 10 % 10) << 4) | (v % 10)) as u8;
    [d(y / 100), d(y % 100)]
}

/// Whether `date` (`YYYYMMDD` BCD) and `time` (`hhmmss` BCD) are well-formed (digits, month
/// 1–12, day 1–31, hour < 24, minute and second < 60).
pub fn valid_date_time(date: [u8; 4], time: [u8; 3]) -> bool {
    let ok = || -> Option<bool> {
        bcd_year([date[0], date[1]])?;
        let (m, d) = (bcd2(date[2])?, bcd2(date[3])?);
        let (h, mi, s) = (bcd2(time[0])?, bcd2(time[1])?, bcd2(time[2])?);
        Some((1..=12).contains(&m) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 60)
    };
    ok().unwrap_or(false)
}

/// The accounting year of a transaction dated `date` (`YYYYMMDD` BCD) when the medical year
/// starts on `year_start` (`MMDD` BCD; `0000` = [`DEFAULT_YEAR_START`]): the calendar year if
/// `MMDD ≥ year start`, else the year before \[L\]. `None` if `date` is not BCD.
pub fn accounting_year(date: [u8; 4], year_start: [u8; 2]) -> Option<u16> {
    let start = if year_start == [0, 0] {
        DEFAULT_YEAR_START
    } else {
        year_start
    };
    let y = bcd_year([date[0], date[1]])?;
    let md = bcd_year([date[2], date[3]])?;
    let s = bcd_year(start)?;
    Some(if md >= s { y } else { y.saturating_sub(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_follow_the_tables() {
        assert_eq!(amount_file::LEN, 20);
        assert_eq!(
            (
                amount_file::BALANCE,
                amount_file::PAY_YEAR,
                amount_file::YEAR_START
            ),
            (4, 16, 18)
        );
        assert_eq!(ef08::LEN, 0x1C);
        assert_eq!((ef08::TIME, ef08::PERSONAL, ef08::POOLED), (9, 16, 24));
        assert_eq!(ef15::LEN, 3);
    }

    #[test]
    fn year_rule() {
        assert_eq!(
            accounting_year([0x20, 0x26, 0x12, 0x03], [0, 0]),
            Some(2026)
        );
        assert_eq!(
            accounting_year([0x20, 0x26, 0x06, 0x30], [0x07, 0x01]),
            Some(2025)
        );
        assert_eq!(
            accounting_year([0x20, 0x26, 0x07, 0x01], [0x07, 0x01]),
            Some(2026)
        );
        assert_eq!(
            accounting_year([0x20, 0x2A, 0x07, 0x01], [0x07, 0x01]),
            None
        );
        assert_eq!(year_bcd(2026), [0x20, 0x26]);
        assert_eq!(bcd_year([0x20, 0x26]), Some(2026));
        assert!(valid_date_time(
            [0x20, 0x26, 0x12, 0x03],
            [0x23, 0x59, 0x59]
        ));
        assert!(!valid_date_time(
            [0x20, 0x26, 0x13, 0x03],
            [0x23, 0x59, 0x59]
        ));
        assert!(!valid_date_time(
            [0x20, 0x26, 0x12, 0x03],
            [0x24, 0x00, 0x00]
        ));
        assert!(writes_ef15(class::MATERNITY) && !writes_ef15(class::ORDINARY));
        assert!(!is_class(b'4'));
    }
}
