//! The raw bytes of the command set (sscard-spec.md §4, profile.md §5–§6): CLA values, SELECT
//! P1 and READ RECORD modes, and the INS bytes as `u8` constants for byte-level code.
//!
//! The instructions themselves are [`Instruction`]; each `u8` INS constant here is *defined from*
//! it (`SELECT == Instruction::Select.byte()`), so the INS values exist once. Typed commands
//! ([`CardCommand`](crate::commands::CardCommand), [`PsamCommand`](crate::commands::PsamCommand))
//! are the preferred way to build and read commands.

pub use crate::commands::Instruction;

/// CLA of inter-industry (ISO) commands.
pub const CLA_ISO: u8 = 0x00;
/// CLA of proprietary (PBOC-style) commands, e.g. CHANGE PIN, and of the PSAM's `80 FA`.
pub const CLA_PROPRIETARY: u8 = 0x80;
/// CLA bit b3: the command carries a 4-byte MAC (SSC/PBOC secure messaging).
pub const CLA_SM_BIT: u8 = 0x04;
/// CLA of MAC'd inter-industry commands (`04 DC`, `04 D6`, ...).
pub const CLA_ISO_SM: u8 = CLA_ISO | CLA_SM_BIT;
/// CLA of MAC'd proprietary commands (`84 24`, `84 1E`, ...).
pub const CLA_PROPRIETARY_SM: u8 = CLA_PROPRIETARY | CLA_SM_BIT;
/// CLA of the PSAM's DIVERSIFY AND INITIALISE (`BF DE`).
pub const CLA_PSAM: u8 = 0xBF;

/// SELECT (`A4`).
pub const SELECT: u8 = Instruction::Select.byte();
/// READ BINARY (`B0`).
pub const READ_BINARY: u8 = Instruction::ReadBinary.byte();
/// UPDATE BINARY (`D6`).
pub const UPDATE_BINARY: u8 = Instruction::UpdateBinary.byte();
/// READ RECORD (`B2`).
pub const READ_RECORD: u8 = Instruction::ReadRecord.byte();
/// UPDATE RECORD (`DC`).
pub const UPDATE_RECORD: u8 = Instruction::UpdateRecord.byte();
/// APPEND RECORD (`E2`).
pub const APPEND_RECORD: u8 = Instruction::AppendRecord.byte();
/// VERIFY (`20`).
pub const VERIFY: u8 = Instruction::Verify.byte();
/// CHANGE PIN (`5E`, CLA `80`).
pub const CHANGE_PIN: u8 = Instruction::ChangePin.byte();
/// PIN UNBLOCK (P2 `00`) and PIN RELOAD (P2 `01`) (`24`, CLA `84`).
pub const PIN_UNBLOCK_RELOAD: u8 = Instruction::PinUnblockReload.byte();
/// GET CHALLENGE (`84`).
pub const GET_CHALLENGE: u8 = Instruction::GetChallenge.byte();
/// EXTERNAL AUTHENTICATE (`82`).
pub const EXTERNAL_AUTHENTICATE: u8 = Instruction::ExternalAuthenticate.byte();
/// INTERNAL AUTHENTICATE (`88`).
pub const INTERNAL_AUTHENTICATE: u8 = Instruction::InternalAuthenticate.byte();
/// GET RESPONSE (`C0`).
pub const GET_RESPONSE: u8 = Instruction::GetResponse.byte();
/// APPLICATION BLOCK (`1E`, CLA `84`).
pub const APPLICATION_BLOCK: u8 = Instruction::ApplicationBlock.byte();
/// APPLICATION UNBLOCK (`18`, CLA `84`).
pub const APPLICATION_UNBLOCK: u8 = Instruction::ApplicationUnblock.byte();
/// CARD BLOCK (`16`, CLA `84`).
pub const CARD_BLOCK: u8 = Instruction::CardBlock.byte();
/// PSAM DIVERSIFY AND INITIALISE (`DE`, CLA `BF`).
pub const DIVERSIFY_INIT: u8 = Instruction::DiversifyInit.byte();
/// PSAM general cipher computation (`FA`, CLA `80`).
pub const COMPUTE: u8 = Instruction::Compute.byte();

/// INITIALIZE FOR PURCHASE / LOAD (`50`, CLA `80`).
pub const INITIALIZE_PURSE: u8 = Instruction::InitializePurse.byte();
/// CREDIT FOR LOAD (`52`, CLA `80`).
pub const CREDIT_FOR_LOAD: u8 = Instruction::CreditForLoad.byte();
/// DEBIT FOR PURCHASE (`54`, CLA `80`).
pub const DEBIT_FOR_PURCHASE: u8 = Instruction::DebitForPurchase.byte();
/// GET TRANSACTION PROVE (`5A`, CLA `80`).
pub const GET_TRANSACTION_PROVE: u8 = Instruction::GetTransactionProve.byte();
/// GET BALANCE (`5C`, CLA `80`).
pub const GET_BALANCE: u8 = Instruction::GetBalance.byte();
/// PSAM INITIALIZE SAM FOR PURCHASE (`70`, CLA `80`).
pub const PSAM_INIT_PURCHASE: u8 = Instruction::PsamInitPurchase.byte();
/// PSAM VERIFY MAC2 (`72`, CLA `80`).
pub const PSAM_VERIFY_MAC2: u8 = Instruction::PsamVerifyMac2.byte();

/// SELECT P1: by file identifier (MF, DF or EF).
pub const SELECT_P1_FID: u8 = 0x00;
/// SELECT P1: child DF of the current DF by FID.
pub const SELECT_P1_CHILD_DF: u8 = 0x01;
/// SELECT P1: EF under the current DF by FID.
pub const SELECT_P1_CHILD_EF: u8 = 0x02;
/// SELECT P1: by DF name (AID).
pub const SELECT_P1_NAME: u8 = 0x04;
/// SELECT P1: by path from the MF (MF FID omitted).
pub const SELECT_P1_PATH_FROM_MF: u8 = 0x08;
/// SELECT P1: by path from the current DF.
pub const SELECT_P1_PATH_FROM_CURRENT: u8 = 0x09;
/// SELECT P2: return the FCI.
pub const SELECT_P2_FCI: u8 = 0x00;
/// SELECT P2: no response data.
pub const SELECT_P2_NO_DATA: u8 = 0x0C;

/// READ RECORD P2 low bits: P1 is a record identifier (the tag), first occurrence.
pub const RECORD_MODE_BY_ID: u8 = 0b000;
/// READ/UPDATE RECORD P2 low bits: P1 is an absolute record number.
pub const RECORD_MODE_BY_NUMBER: u8 = 0b100;
/// READ RECORD P2 low bits: all records from number P1 to the last.
pub const RECORD_MODE_ALL_FROM: u8 = 0b101;
