//! The purse commands of the DF04 medical account (sscard-spec.md §6.5; PBOC layouts of
//! integrators.md §4.1, crypto.md §1.4) and of the PSAM's purchase side: their P1/P2 values,
//! the typed command fields and the typed responses, both ends (`docs/purse.md` is the wire
//! format in prose).
//!
//! | command | APDU | response data |
//! |---|---|---|
//! | INITIALIZE FOR PURCHASE | `80 50 01 02 14` key index(1) ‖ personal account(4) ‖ total(4) ‖ account+fund(4) ‖ terminal no.(6) ‖ settlement class(1) ‖ Le `0F` | [`InitPurchaseResponse`] balance(4) ‖ offline ctr(2) ‖ overdraft(3) ‖ key version(1) ‖ alg id(1) ‖ random(4) |
//! | DEBIT FOR PURCHASE | `80 54 01 00 0F` terminal serial(4) ‖ date(4) ‖ time(3) ‖ MAC1(4) ‖ Le `08` | [`DebitResponse`] TAC(4) ‖ MAC2(4) |
//! | INITIALIZE FOR LOAD | `80 50 00 02 0B` key index(1) ‖ amount(4) ‖ terminal no.(6) ‖ Le `10` | [`InitLoadResponse`] balance(4) ‖ online ctr(2) ‖ key version(1) ‖ alg id(1) ‖ random(4) ‖ MAC1(4) |
//! | CREDIT FOR LOAD | `80 52 00 00 0B` date(4) ‖ time(3) ‖ MAC2(4) ‖ Le `04` | [`CreditResponse`] TAC(4) |
//! | GET BALANCE | `80 5C 00 02` Le `04` | balance(4) |
//! | GET TRANSACTION PROVE | `80 5A 00 <type> 02` counter(2) ‖ Le | [`ProveResponse`]: purchase (type `06`) MAC2(4) ‖ TAC(4); load (type `02`) TAC(4) |
//! | PSAM INIT FOR PURCHASE | `80 70 00 00 Lc` [`PsamInitPurchase`] | [`PsamMac1Response`] terminal serial(4) ‖ MAC1(4) |
//! | PSAM VERIFY MAC2 | `80 72 00 00 04` MAC2(4) | – (`9000` / `9302`) |
//!
//! Amounts are fen, big-endian. Where the public record is silent, the choice is sscard's and
//! marked \[L\] in `docs/purse.md` and `sscard_specs::purse`: the three medical amounts and the
//! settlement class in INITIALIZE FOR PURCHASE (Lc `14` instead of PBOC's `0B`), the GET
//! TRANSACTION PROVE answer for a load, and the PSAM instructions (`80 70`/`80 72`, the
//! transport-PSAM codes of integrators.md §4.1).

use super::fields::{self, check};
use super::Instruction;
use crate::ins;
use crate::{ApduError, Command, CommandView, StatusWord};

/// INITIALIZE P1: purchase.
pub const P1_PURCHASE: u8 = 0x01;
/// INITIALIZE P1: load.
pub const P1_LOAD: u8 = 0x00;
/// INITIALIZE / GET BALANCE P2: e-purse (电子钱包, PBOC `02`; `01` would be the e-passbook).
pub const P2_PURSE: u8 = 0x02;
/// DEBIT FOR PURCHASE P1/P2 `01 00`.
pub const DEBIT_P1P2: (u8, u8) = (0x01, 0x00);
/// CREDIT FOR LOAD P1/P2 `00 00`.
pub const CREDIT_P1P2: (u8, u8) = (0x00, 0x00);
/// Transaction type of a purse purchase in the MAC/TAC inputs and GET TRANSACTION PROVE P2 (PBOC EP purchase `06`).
pub const TX_PURCHASE: u8 = 0x06;
/// Transaction type of a purse load (PBOC EP load `02`).
pub const TX_LOAD: u8 = 0x02;

/// Terminal number length (PSAM EF16, cn 6).
pub const TERMINAL_LEN: usize = 6;
/// INITIALIZE FOR PURCHASE data: key index ‖ 3 amounts ‖ terminal ‖ settlement class.
pub const INIT_PURCHASE_LC: usize = 1 + 12 + TERMINAL_LEN + 1;
/// INITIALIZE FOR LOAD data: key index ‖ amount ‖ terminal.
pub const INIT_LOAD_LC: usize = 1 + 4 + TERMINAL_LEN;
/// DEBIT FOR PURCHASE data: serial ‖ date ‖ time ‖ MAC1.
pub const DEBIT_LC: usize = 4 + 4 + 3 + 4;
/// CREDIT FOR LOAD data: date ‖ time ‖ MAC2.
pub const CREDIT_LC: usize = 4 + 3 + 4;
/// INITIALIZE FOR PURCHASE response length.
pub const INIT_PURCHASE_RESP: usize = 15;
/// INITIALIZE FOR LOAD response length.
pub const INIT_LOAD_RESP: usize = 16;
/// DEBIT FOR PURCHASE response length.
pub const DEBIT_RESP: usize = 8;
/// CREDIT FOR LOAD response length.
pub const CREDIT_RESP: usize = 4;
/// GET BALANCE response length.
pub const BALANCE_RESP: usize = 4;
/// PSAM INIT FOR PURCHASE: fixed part before the diversification factors.
pub const PSAM_INIT_FIXED: usize = 4 + 2 + 12 + 1 + 4 + 3 + 1 + 1;
/// PSAM INIT FOR PURCHASE response length.
pub const PSAM_MAC1_RESP: usize = 8;
/// Size of one diversification factor in PSAM INIT FOR PURCHASE.
pub const PSAM_FACTOR_LEN: usize = 8;
/// Most diversification factors (3-bit level count).
pub const PSAM_MAX_FACTORS: usize = 7;

/// The three amounts of a DF04 medical settlement (sscard-spec.md §6.5), fen, in wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PurseAmounts {
    /// Personal-account amount: what the purse balance is debited by (`0` in the online flow).
    pub personal_account: u32,
    /// Total ("self-pay" field of the EF08 record; added to the yearly self-pay accumulator).
    pub total: u32,
    /// Account + fund ("pooled-fund" field; added to the yearly pooled-fund accumulator).
    pub account_and_fund: u32,
}

impl PurseAmounts {
    /// The 12 wire bytes.
    pub fn to_bytes(&self) -> [u8; 12] {
        let mut b = [0u8; 12];
        put(&mut b, 0, &self.personal_account.to_be_bytes());
        put(&mut b, 4, &self.total.to_be_bytes());
        put(&mut b, 8, &self.account_and_fund.to_be_bytes());
        b
    }

    /// From 12 wire bytes.
    pub fn from_bytes(b: &[u8; 12]) -> Self {
        PurseAmounts {
            personal_account: be32(b, 0),
            total: be32(b, 4),
            account_and_fund: be32(b, 8),
        }
    }
}

/// INITIALIZE FOR PURCHASE fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InitPurchase {
    /// Purchase key index (DPK).
    pub key_index: u8,
    /// The three settlement amounts.
    pub amounts: PurseAmounts,
    /// Terminal number.
    pub terminal: [u8; TERMINAL_LEN],
    /// Settlement class (an 1: `'0'` ordinary, `'1'` work injury, `'2'` maternity, `'3'`
    /// medical aid, `'9'` other — any but `'0'` also writes DF04 EF15).
    pub class: u8,
}

/// INITIALIZE FOR LOAD fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InitLoad {
    /// Load key index (DLK).
    pub key_index: u8,
    /// Amount to load.
    pub amount: u32,
    /// Terminal number.
    pub terminal: [u8; TERMINAL_LEN],
}

/// DEBIT FOR PURCHASE fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Debit {
    /// Terminal transaction serial (from the PSAM).
    pub serial: u32,
    /// Date `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Time `hhmmss` BCD.
    pub time: [u8; 3],
    /// MAC1.
    pub mac1: [u8; 4],
}

/// CREDIT FOR LOAD fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Credit {
    /// Date `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Time `hhmmss` BCD.
    pub time: [u8; 3],
    /// MAC2 (from the back end / HSM).
    pub mac2: [u8; 4],
}

/// Which transaction GET TRANSACTION PROVE asks about (P2 = its transaction type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProveKind {
    /// A purchase (P2 [`TX_PURCHASE`]): counter = the offline counter INITIALIZE returned.
    Purchase,
    /// A load (P2 [`TX_LOAD`]): counter = the online counter INITIALIZE returned.
    Load,
}

impl ProveKind {
    /// P2.
    pub const fn p2(self) -> u8 {
        match self {
            ProveKind::Purchase => TX_PURCHASE,
            ProveKind::Load => TX_LOAD,
        }
    }
}

/// PSAM INITIALIZE SAM FOR PURCHASE fields: `80 70 00 00 Lc` card random(4) ‖ card offline
/// counter(2) ‖ amounts(12) ‖ transaction type(1) ‖ date(4) ‖ time(3) ‖ key version(1) ‖
/// algorithm id(1) ‖ the DPK diversification factors (8 each, outermost first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PsamInitPurchase<'a> {
    /// The card's pseudo-random number (INITIALIZE FOR PURCHASE).
    pub random: [u8; 4],
    /// The card's offline counter (INITIALIZE FOR PURCHASE).
    pub counter: u16,
    /// The settlement amounts.
    pub amounts: PurseAmounts,
    /// Transaction type ([`TX_PURCHASE`]).
    pub tx_type: u8,
    /// Date `YYYYMMDD` BCD.
    pub date: [u8; 4],
    /// Time `hhmmss` BCD.
    pub time: [u8; 3],
    /// The card's key version (INITIALIZE FOR PURCHASE).
    pub key_version: u8,
    /// The card's algorithm id (INITIALIZE FOR PURCHASE).
    pub alg_id: u8,
    /// Diversification factors, 1..=7 blocks of 8 bytes.
    pub factors: &'a [u8],
}

// ---- decoding (card / PSAM side) ---------------------------------------------------------------

fn be32(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.iter_mut()
        .zip(b.iter().skip(at))
        .for_each(|(d, s)| *d = *s);
    u32::from_be_bytes(w)
}

fn be16(b: &[u8], at: usize) -> u16 {
    let mut w = [0u8; 2];
    w.iter_mut()
        .zip(b.iter().skip(at))
        .for_each(|(d, s)| *d = *s);
    u16::from_be_bytes(w)
}

fn arr<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    w.iter_mut()
        .zip(b.iter().skip(at))
        .for_each(|(d, s)| *d = *s);
    w
}

fn put(out: &mut [u8], at: usize, src: &[u8]) {
    out.iter_mut().skip(at).zip(src).for_each(|(d, s)| *d = *s);
}

fn want_len(v: &CommandView<'_>, n: usize) -> Result<(), StatusWord> {
    if v.data.len() == n {
        Ok(())
    } else {
        Err(StatusWord::WRONG_LENGTH)
    }
}

/// The card's decoded purse command (see [`super::CardCommand`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PurseCommand {
    InitPurchase(InitPurchase),
    InitLoad(InitLoad),
    Debit(Debit),
    Credit(Credit),
    GetBalance,
    Prove { kind: ProveKind, counter: u16 },
}

/// Decodes `80 50/52/54/5A/5C` (CLA `80` only: `6E00`; P1/P2: `6A86`; Lc: `6700`).
pub(crate) fn decode(v: &CommandView<'_>) -> Result<PurseCommand, StatusWord> {
    fields::want_cla(v, &[ins::CLA_PROPRIETARY])?;
    let d = v.data;
    Ok(match v.ins {
        ins::INITIALIZE_PURSE => match (v.p1, v.p2) {
            (P1_PURCHASE, P2_PURSE) => {
                want_len(v, INIT_PURCHASE_LC)?;
                PurseCommand::InitPurchase(InitPurchase {
                    key_index: d.first().copied().unwrap_or(0),
                    amounts: PurseAmounts::from_bytes(&arr(d, 1)),
                    terminal: arr(d, 13),
                    class: d.get(19).copied().unwrap_or(0),
                })
            }
            (P1_LOAD, P2_PURSE) => {
                want_len(v, INIT_LOAD_LC)?;
                PurseCommand::InitLoad(InitLoad {
                    key_index: d.first().copied().unwrap_or(0),
                    amount: be32(d, 1),
                    terminal: arr(d, 5),
                })
            }
            _ => return Err(StatusWord::WRONG_P1P2),
        },
        ins::DEBIT_FOR_PURCHASE => {
            fields::want_p1p2(v, DEBIT_P1P2.0, DEBIT_P1P2.1)?;
            want_len(v, DEBIT_LC)?;
            PurseCommand::Debit(Debit {
                serial: be32(d, 0),
                date: arr(d, 4),
                time: arr(d, 8),
                mac1: arr(d, 11),
            })
        }
        ins::CREDIT_FOR_LOAD => {
            fields::want_p1p2(v, CREDIT_P1P2.0, CREDIT_P1P2.1)?;
            want_len(v, CREDIT_LC)?;
            PurseCommand::Credit(Credit {
                date: arr(d, 0),
                time: arr(d, 4),
                mac2: arr(d, 7),
            })
        }
        ins::GET_BALANCE => {
            fields::want_p1p2(v, 0, P2_PURSE)?;
            want_len(v, 0)?;
            PurseCommand::GetBalance
        }
        ins::GET_TRANSACTION_PROVE => {
            let kind = match (v.p1, v.p2) {
                (0, TX_PURCHASE) => ProveKind::Purchase,
                (0, TX_LOAD) => ProveKind::Load,
                _ => return Err(StatusWord::WRONG_P1P2),
            };
            want_len(v, 2)?;
            PurseCommand::Prove {
                kind,
                counter: be16(d, 0),
            }
        }
        _ => return Err(StatusWord::INS_NOT_SUPPORTED),
    })
}

/// Decodes PSAM `80 70` / `80 72`.
pub(crate) fn decode_psam<'a>(v: &CommandView<'a>) -> Result<PsamPurse<'a>, StatusWord> {
    fields::want_cla(v, &[ins::CLA_PROPRIETARY])?;
    fields::want_p1p2(v, 0, 0)?;
    let d = v.data;
    Ok(match v.ins {
        ins::PSAM_INIT_PURCHASE => {
            let factors = d.get(PSAM_INIT_FIXED..).ok_or(StatusWord::WRONG_LENGTH)?;
            if factors.is_empty()
                || factors.len() % PSAM_FACTOR_LEN != 0
                || factors.len() > PSAM_FACTOR_LEN * PSAM_MAX_FACTORS
            {
                return Err(StatusWord::WRONG_LENGTH);
            }
            PsamPurse::Init(PsamInitPurchase {
                random: arr(d, 0),
                counter: be16(d, 4),
                amounts: PurseAmounts::from_bytes(&arr(d, 6)),
                tx_type: d.get(18).copied().unwrap_or(0),
                date: arr(d, 19),
                time: arr(d, 23),
                key_version: d.get(26).copied().unwrap_or(0),
                alg_id: d.get(27).copied().unwrap_or(0),
                factors,
            })
        }
        ins::PSAM_VERIFY_MAC2 => {
            want_len(v, 4)?;
            PsamPurse::VerifyMac2 { mac2: arr(d, 0) }
        }
        _ => return Err(StatusWord::INS_NOT_SUPPORTED),
    })
}

/// The PSAM's decoded purchase command (see [`super::PsamCommand`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PsamPurse<'a> {
    Init(PsamInitPurchase<'a>),
    VerifyMac2 { mac2: [u8; 4] },
}

// ---- encoding (host side) ----------------------------------------------------------------------

fn cmd80(ins: Instruction, p1: u8, p2: u8, data: &[u8]) -> Result<Command, ApduError> {
    fields::apdu(ins::CLA_PROPRIETARY, ins, p1, p2, data)
}

pub(crate) fn encode_init_purchase(c: &InitPurchase) -> Result<Command, ApduError> {
    let mut d = [0u8; INIT_PURCHASE_LC];
    put(&mut d, 0, &[c.key_index]);
    put(&mut d, 1, &c.amounts.to_bytes());
    put(&mut d, 13, &c.terminal);
    put(&mut d, 19, &[c.class]);
    cmd80(Instruction::InitializePurse, P1_PURCHASE, P2_PURSE, &d)
}

pub(crate) fn encode_init_load(c: &InitLoad) -> Result<Command, ApduError> {
    let mut d = [0u8; INIT_LOAD_LC];
    put(&mut d, 0, &[c.key_index]);
    put(&mut d, 1, &c.amount.to_be_bytes());
    put(&mut d, 5, &c.terminal);
    cmd80(Instruction::InitializePurse, P1_LOAD, P2_PURSE, &d)
}

pub(crate) fn encode_debit(c: &Debit) -> Result<Command, ApduError> {
    let mut d = [0u8; DEBIT_LC];
    put(&mut d, 0, &c.serial.to_be_bytes());
    put(&mut d, 4, &c.date);
    put(&mut d, 8, &c.time);
    put(&mut d, 11, &c.mac1);
    cmd80(
        Instruction::DebitForPurchase,
        DEBIT_P1P2.0,
        DEBIT_P1P2.1,
        &d,
    )
}

pub(crate) fn encode_credit(c: &Credit) -> Result<Command, ApduError> {
    let mut d = [0u8; CREDIT_LC];
    put(&mut d, 0, &c.date);
    put(&mut d, 4, &c.time);
    put(&mut d, 7, &c.mac2);
    cmd80(Instruction::CreditForLoad, CREDIT_P1P2.0, CREDIT_P1P2.1, &d)
}

pub(crate) fn encode_get_balance() -> Result<Command, ApduError> {
    cmd80(Instruction::GetBalance, 0, P2_PURSE, &[])
}

pub(crate) fn encode_prove(kind: ProveKind, counter: u16) -> Result<Command, ApduError> {
    cmd80(
        Instruction::GetTransactionProve,
        0,
        kind.p2(),
        &counter.to_be_bytes(),
    )
}

pub(crate) fn encode_psam_init(c: &PsamInitPurchase<'_>) -> Result<Command, ApduError> {
    let f = c.factors;
    check(
        !f.is_empty()
            && f.len() % PSAM_FACTOR_LEN == 0
            && f.len() <= PSAM_FACTOR_LEN * PSAM_MAX_FACTORS,
    )?;
    let mut d = [0u8; PSAM_INIT_FIXED + PSAM_FACTOR_LEN * PSAM_MAX_FACTORS];
    put(&mut d, 0, &c.random);
    put(&mut d, 4, &c.counter.to_be_bytes());
    put(&mut d, 6, &c.amounts.to_bytes());
    put(&mut d, 18, &[c.tx_type]);
    put(&mut d, 19, &c.date);
    put(&mut d, 23, &c.time);
    put(&mut d, 26, &[c.key_version, c.alg_id]);
    put(&mut d, PSAM_INIT_FIXED, f);
    let data = d
        .get(..PSAM_INIT_FIXED + f.len())
        .ok_or(ApduError::ParameterOutOfRange)?;
    cmd80(Instruction::PsamInitPurchase, 0, 0, data)
}

pub(crate) fn encode_psam_verify(mac2: &[u8; 4]) -> Result<Command, ApduError> {
    cmd80(Instruction::PsamVerifyMac2, 0, 0, mac2)
}

// ---- responses ---------------------------------------------------------------------------------

fn exact<const N: usize>(b: &[u8]) -> Result<&[u8; N], ApduError> {
    <&[u8; N]>::try_from(b).map_err(|_| ApduError::ParameterOutOfRange)
}

/// INITIALIZE FOR PURCHASE response: balance(4) ‖ offline counter(2) ‖ overdraft limit(3) ‖
/// key version(1) ‖ algorithm id(1) ‖ pseudo-random(4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InitPurchaseResponse {
    /// Balance before the purchase.
    pub balance: u32,
    /// Offline counter (value used by this transaction).
    pub counter: u16,
    /// Overdraft limit (3 bytes; sscard: always 0).
    pub overdraft: u32,
    /// Key version of the DPK.
    pub key_version: u8,
    /// Algorithm id.
    pub alg_id: u8,
    /// Pseudo-random number (SESPK input).
    pub random: [u8; 4],
}

impl InitPurchaseResponse {
    /// Parses the 15 response data bytes.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let b = exact::<INIT_PURCHASE_RESP>(b)?;
        let o = arr::<3>(b, 6);
        Ok(Self {
            balance: be32(b, 0),
            counter: be16(b, 4),
            overdraft: u32::from_be_bytes([0, o[0], o[1], o[2]]),
            key_version: b[9],
            alg_id: b[10],
            random: arr(b, 11),
        })
    }

    /// The 15 bytes (an overdraft above `FFFFFF` is cut to 3 bytes).
    pub fn to_bytes(&self) -> [u8; INIT_PURCHASE_RESP] {
        let mut b = [0u8; INIT_PURCHASE_RESP];
        put(&mut b, 0, &self.balance.to_be_bytes());
        put(&mut b, 4, &self.counter.to_be_bytes());
        put(
            &mut b,
            6,
            self.overdraft.to_be_bytes().get(1..).unwrap_or(&[]),
        );
        put(&mut b, 9, &[self.key_version, self.alg_id]);
        put(&mut b, 11, &self.random);
        b
    }
}

/// INITIALIZE FOR LOAD response: balance(4) ‖ online counter(2) ‖ key version(1) ‖ algorithm
/// id(1) ‖ pseudo-random(4) ‖ MAC1(4) (crypto.md §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InitLoadResponse {
    /// Balance before the load.
    pub balance: u32,
    /// Online counter (value used by this transaction).
    pub counter: u16,
    /// Key version of the DLK.
    pub key_version: u8,
    /// Algorithm id.
    pub alg_id: u8,
    /// Pseudo-random number (SESLK input).
    pub random: [u8; 4],
    /// MAC1 (card → host).
    pub mac1: [u8; 4],
}

impl InitLoadResponse {
    /// Parses the 16 response data bytes.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let b = exact::<INIT_LOAD_RESP>(b)?;
        Ok(Self {
            balance: be32(b, 0),
            counter: be16(b, 4),
            key_version: b[6],
            alg_id: b[7],
            random: arr(b, 8),
            mac1: arr(b, 12),
        })
    }

    /// The 16 bytes.
    pub fn to_bytes(&self) -> [u8; INIT_LOAD_RESP] {
        let mut b = [0u8; INIT_LOAD_RESP];
        put(&mut b, 0, &self.balance.to_be_bytes());
        put(&mut b, 4, &self.counter.to_be_bytes());
        put(&mut b, 6, &[self.key_version, self.alg_id]);
        put(&mut b, 8, &self.random);
        put(&mut b, 12, &self.mac1);
        b
    }
}

/// DEBIT FOR PURCHASE response: TAC(4) ‖ MAC2(4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DebitResponse {
    /// TAC (for the back end).
    pub tac: [u8; 4],
    /// MAC2 (for the PSAM).
    pub mac2: [u8; 4],
}

impl DebitResponse {
    /// Parses the 8 response data bytes.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let b = exact::<DEBIT_RESP>(b)?;
        Ok(Self {
            tac: arr(b, 0),
            mac2: arr(b, 4),
        })
    }

    /// The 8 bytes.
    pub fn to_bytes(&self) -> [u8; DEBIT_RESP] {
        let mut b = [0u8; DEBIT_RESP];
        put(&mut b, 0, &self.tac);
        put(&mut b, 4, &self.mac2);
        b
    }
}

/// CREDIT FOR LOAD response: TAC(4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CreditResponse {
    /// TAC.
    pub tac: [u8; 4],
}

impl CreditResponse {
    /// Parses the 4 response data bytes.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        Ok(Self {
            tac: *exact::<CREDIT_RESP>(b)?,
        })
    }
}

/// GET BALANCE response: balance(4).
pub fn parse_balance(b: &[u8]) -> Result<u32, ApduError> {
    Ok(u32::from_be_bytes(*exact::<BALANCE_RESP>(b)?))
}

/// GET TRANSACTION PROVE response: purchase MAC2(4) ‖ TAC(4); load TAC(4) (sscard \[L\]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProveResponse {
    /// MAC2 (purchase only).
    pub mac2: Option<[u8; 4]>,
    /// TAC.
    pub tac: [u8; 4],
}

impl ProveResponse {
    /// Parses the answer to a GET TRANSACTION PROVE of `kind`.
    pub fn parse(kind: ProveKind, b: &[u8]) -> Result<Self, ApduError> {
        match kind {
            ProveKind::Purchase => {
                let b = exact::<8>(b)?;
                Ok(Self {
                    mac2: Some(arr(b, 0)),
                    tac: arr(b, 4),
                })
            }
            ProveKind::Load => Ok(Self {
                mac2: None,
                tac: *exact::<4>(b)?,
            }),
        }
    }

    /// The response bytes into `out`; returns the length (8 or 4).
    pub fn write(&self, out: &mut [u8]) -> usize {
        match self.mac2 {
            Some(m) => {
                put(out, 0, &m);
                put(out, 4, &self.tac);
                8
            }
            None => {
                put(out, 0, &self.tac);
                4
            }
        }
    }
}

/// PSAM INIT FOR PURCHASE response: terminal serial(4) ‖ MAC1(4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PsamMac1Response {
    /// The terminal transaction serial the PSAM assigned.
    pub serial: u32,
    /// MAC1 for DEBIT FOR PURCHASE.
    pub mac1: [u8; 4],
}

impl PsamMac1Response {
    /// Parses the 8 response data bytes.
    pub fn parse(b: &[u8]) -> Result<Self, ApduError> {
        let b = exact::<PSAM_MAC1_RESP>(b)?;
        Ok(Self {
            serial: be32(b, 0),
            mac1: arr(b, 4),
        })
    }

    /// The 8 bytes.
    pub fn to_bytes(&self) -> [u8; PSAM_MAC1_RESP] {
        let mut b = [0u8; PSAM_MAC1_RESP];
        put(&mut b, 0, &self.serial.to_be_bytes());
        put(&mut b, 4, &self.mac1);
        b
    }
}

// ---- builders ----------------------------------------------------------------------------------

/// INITIALIZE FOR PURCHASE with Le `0F`.
pub fn initialize_for_purchase(c: &InitPurchase) -> Result<Command, ApduError> {
    Ok(encode_init_purchase(c)?.with_ne(INIT_PURCHASE_RESP as u32))
}

/// INITIALIZE FOR LOAD with Le `10`.
pub fn initialize_for_load(c: &InitLoad) -> Result<Command, ApduError> {
    Ok(encode_init_load(c)?.with_ne(INIT_LOAD_RESP as u32))
}

/// DEBIT FOR PURCHASE with Le `08`.
pub fn debit_for_purchase(c: &Debit) -> Result<Command, ApduError> {
    Ok(encode_debit(c)?.with_ne(DEBIT_RESP as u32))
}

/// CREDIT FOR LOAD with Le `04`.
pub fn credit_for_load(c: &Credit) -> Result<Command, ApduError> {
    Ok(encode_credit(c)?.with_ne(CREDIT_RESP as u32))
}

/// GET BALANCE `80 5C 00 02 04`.
pub fn get_balance() -> Result<Command, ApduError> {
    Ok(encode_get_balance()?.with_ne(BALANCE_RESP as u32))
}

/// GET TRANSACTION PROVE `80 5A 00 <type> 02 <counter>` with Le 8 (purchase) or 4 (load).
pub fn get_transaction_prove(kind: ProveKind, counter: u16) -> Result<Command, ApduError> {
    let le = match kind {
        ProveKind::Purchase => 8,
        ProveKind::Load => 4,
    };
    Ok(encode_prove(kind, counter)?.with_ne(le))
}

/// PSAM INIT FOR PURCHASE `80 70 00 00 Lc …` (T=0: the answer comes with `61 08`).
pub fn psam_init_for_purchase(c: &PsamInitPurchase<'_>) -> Result<Command, ApduError> {
    encode_psam_init(c)
}

/// PSAM VERIFY MAC2 `80 72 00 00 04 MAC2`.
pub fn psam_verify_mac2(mac2: &[u8; 4]) -> Result<Command, ApduError> {
    encode_psam_verify(mac2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{CardCommand, PsamCommand};
    use hex_literal::hex;

    fn bytes(c: &Command) -> Vec<u8> {
        let mut b = [0u8; 300];
        let n = c.encode(&mut b).unwrap();
        b[..n].to_vec()
    }

    #[test]
    fn wire_bytes() {
        let ip = InitPurchase {
            key_index: 1,
            amounts: PurseAmounts {
                personal_account: 0,
                total: 300,
                account_and_fund: 200,
            },
            terminal: hex!("430100000001"),
            class: b'0',
        };
        assert_eq!(
            bytes(&initialize_for_purchase(&ip).unwrap()),
            hex!("80500102 14 01 00000000 0000012C 000000C8 430100000001 30 0F")
        );
        let il = InitLoad {
            key_index: 1,
            amount: 0x1000,
            terminal: hex!("001122334455"),
        };
        assert_eq!(
            bytes(&initialize_for_load(&il).unwrap()),
            hex!("80500002 0B 01 00001000 001122334455 10")
        );
        let d = Debit {
            serial: 0x57,
            date: hex!("20180313"),
            time: hex!("164329"),
            mac1: hex!("66CBC863"),
        };
        assert_eq!(
            bytes(&debit_for_purchase(&d).unwrap()),
            hex!("805401000F 00000057 20180313 164329 66CBC863 08")
        );
        let c = Credit {
            date: hex!("20111221"),
            time: hex!("214822"),
            mac2: hex!("3A845BF0"),
        };
        assert_eq!(
            bytes(&credit_for_load(&c).unwrap()),
            hex!("805200000B 20111221 214822 3A845BF0 04")
        );
        assert_eq!(bytes(&get_balance().unwrap()), hex!("805C000204"));
        assert_eq!(
            bytes(&get_transaction_prove(ProveKind::Purchase, 0x36).unwrap()),
            hex!("805A000602 0036 08")
        );
        // the real transport-card trace of integrators.md §4.1 parses (layout only)
        let r = InitPurchaseResponse::parse(&hex!("000162AF 0036 000320 01 00 84176AD7")).unwrap();
        assert_eq!((r.balance, r.counter, r.overdraft), (90799, 0x36, 800));
        assert_eq!(
            (r.key_version, r.alg_id, r.random),
            (1, 0, hex!("84176AD7"))
        );
        assert_eq!(r.to_bytes(), hex!("000162AF 0036 000320 01 00 84176AD7"));
        let d = DebitResponse::parse(&hex!("C630C2C8 ABCC913B")).unwrap();
        assert_eq!((d.tac, d.mac2), (hex!("C630C2C8"), hex!("ABCC913B")));
        // crypto.md §1.4 load response
        let l = InitLoadResponse::parse(&hex!("00000000 0000 02 00 11223344 2988AE5A")).unwrap();
        assert_eq!((l.key_version, l.mac1), (2, hex!("2988AE5A")));
        assert!(InitLoadResponse::parse(&[0; 15]).is_err());
    }

    #[test]
    fn decode_refusals() {
        use StatusWord as S;
        fn dec(b: &[u8]) -> Result<CardCommand<'_>, StatusWord> {
            CardCommand::decode(&CommandView::parse(b).unwrap())
        }
        let cases: &[(&[u8], StatusWord)] = &[
            (
                &hex!("00500102 14 01 00000000 0000012C 000000C8 430100000001 30"),
                S::CLA_NOT_SUPPORTED,
            ),
            (
                &hex!("80500202 14 01 00000000 0000012C 000000C8 430100000001 30"),
                S::WRONG_P1P2,
            ),
            (
                &hex!("80500101 14 01 00000000 0000012C 000000C8 430100000001 30"),
                S::WRONG_P1P2,
            ),
            (
                &hex!("80500102 0B 01 00001000 001122334455"),
                S::WRONG_LENGTH,
            ),
            (&hex!("80500002 0A 01 00001000 0011223344"), S::WRONG_LENGTH),
            (
                &hex!("80540100 0E 00000057 20180313 164329 66CBC8"),
                S::WRONG_LENGTH,
            ),
            (
                &hex!("80540000 0F 00000057 20180313 164329 66CBC863"),
                S::WRONG_P1P2,
            ),
            (&hex!("80520001 0B 20111221 214822 3A845BF0"), S::WRONG_P1P2),
            (&hex!("805C0001 04"), S::WRONG_P1P2),
            (&hex!("805C0002 01 00"), S::WRONG_LENGTH),
            (&hex!("805A0005 02 0001"), S::WRONG_P1P2),
            (&hex!("805A0006 01 01"), S::WRONG_LENGTH),
            (&hex!("845C0002 04"), S::CLA_NOT_SUPPORTED),
        ];
        for (apdu, sw) in cases {
            assert_eq!(dec(apdu), Err(*sw), "{apdu:02X?}");
        }
        fn pdec(b: &[u8]) -> Result<PsamCommand<'_>, StatusWord> {
            PsamCommand::decode(&CommandView::parse(b).unwrap())
        }
        assert_eq!(pdec(&hex!("80720000 03 010203")), Err(S::WRONG_LENGTH));
        assert_eq!(pdec(&hex!("80720100 04 01020304")), Err(S::WRONG_P1P2));
        let mut init = [0u8; 5 + PSAM_INIT_FIXED + 4];
        init[..4].copy_from_slice(&hex!("80700000"));
        init[4] = (PSAM_INIT_FIXED + 4) as u8;
        assert_eq!(pdec(&init), Err(S::WRONG_LENGTH));
    }
}
