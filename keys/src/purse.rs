//! Purse cryptography: PBOC-style e-purse / e-passbook (ED/EP) load and purchase, and the SSC
//! DF04 medical-account settlement (sscard-spec.md §6.5, integrators.md §4).
//!
//! Keys are the card's *diversified* DLK (load), DPK (purchase) and DTK (TAC) keys; the rules
//! that turn them into MAC keys come from [`Profile::purse`]
//! ([`PurseRule`](crate::profile::PurseRule)):
//!
//! | key | input (8 bytes) | 3DES suite ([`crate::profile::PBOC_PURSE`]) | SM4 suite ([`crate::profile::SSCARD_SM4_PURSE`]) |
//! |---|---|---|---|
//! | SESLK ([`load_process_key`]) | `rnd(4) ‖ online ctr(2) ‖ 80 00` | `3DES_DLK(input)`, 8-byte DES key \[V\] | `SM4_DLK(input ‖ ¬input)` \[L\] |
//! | SESPK ([`purchase_process_key`]) | `rnd(4) ‖ offline ctr(2) ‖ terminal serial, rightmost 2 bytes` | `3DES_DPK(input)` \[H\] | `SM4_DPK(input ‖ ¬input)` \[L\] |
//! | TAC key ([`tac_key`]) | — | `DTK_L ⊕ DTK_R`, 8-byte DES key \[H\] | DTK itself (sscard's choice \[L\]) |
//!
//! (crypto.md §1.4, §2.3. SM4: the process-key rule is crypto.md §2.3 "SM4 purse" \[L\]; the
//! TAC key is sscard's choice \[L\], see [`TacKeyRule::Direct`].)
//!
//! Every purse MAC is ISO/IEC 9797-1 algorithm 1 (CBC-MAC) of the key's cipher — DES for the
//! 8-byte 3DES-suite keys, SM4 for SM4 keys (crypto.md §1.2, §1.5) — with padding method 2, a
//! zero IV of one block and the 4 leftmost bytes transmitted ([`crate::mac::MacKey`]). MAC
//! inputs (crypto.md §2.3 \[H\]; big-endian, as on the wire):
//!
//! | message | computed by | input |
//! |---|---|---|
//! | load MAC1 | card | `balance(4) ‖ amount(4) ‖ type(1) ‖ terminal id(6)` |
//! | load MAC2 | terminal | `amount ‖ type ‖ terminal id ‖ date(4) ‖ time(3)` |
//! | load TAC | card | `new balance(4) ‖ online ctr(2, pre-increment) ‖ amount ‖ type ‖ terminal id ‖ date ‖ time` |
//! | purchase MAC1 | terminal/PSAM | `amount(4) ‖ type(1) ‖ terminal id(6) ‖ date(4) ‖ time(3)` |
//! | purchase MAC2 | card | `amount(4)` |
//! | purchase TAC | card | `amount ‖ type ‖ terminal id ‖ terminal serial(4) ‖ date ‖ time` |
//!
//! The SSC DF04 medical settlement ([`MedicalPurchase`], sscard-spec.md §6.5 \[C\], integrators.md
//! §4.2) uses SESPK as above but puts three amounts — personal account (`0` in the online
//! flow), total, account + fund ([`MedicalAmounts`]) — where the purchase messages have one:
//! MAC1 = `amounts(12) ‖ type ‖ terminal id ‖ date ‖ time`, MAC2 = `amounts(12)`, and TAC =
//! `amounts(12) ‖ type ‖ terminal id ‖ terminal serial ‖ date ‖ time` (the TAC layout is an
//! inference from §6.5's field list, \[L\]).
//!
//! Every field has its own type ([`Amount`], [`Balance`], [`TerminalId`], …) so a caller cannot
//! swap two of them; the sessions ([`LoadSession`], [`PurchaseSession`], [`TacKey`]) keep the
//! scheduled key (wiped on drop) and offer a constant-time `verify_*` for every `mac*`/`*tac`.
//! Process keys are returned as [`Key`] (zeroized on drop); `Debug` of a session prints no key
//! material.

use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, MAX_BLOCK};
use crate::error::CryptoError;
use crate::key::Key;
use crate::mac::{verify_mac, MacKey};
use crate::profile::{Profile, TacKeyRule};
use crate::session::derive_process_key;

// ---------------------------------------------------------------- typed fields

/// A transaction amount in fen (分), sent as 4 bytes big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Amount(pub u32);

/// A purse balance in fen, sent as 4 bytes big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Balance(pub u32);

/// The transaction type byte of the MAC/TAC inputs (PBOC coding; in the public load example
/// `01` = ED load, matching P2 `01` of INITIALIZE FOR LOAD, crypto.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransactionType(pub u8);

impl TransactionType {
    /// `01`: e-passbook (ED) load — the public load example (crypto.md §1.4).
    pub const ED_LOAD: TransactionType = TransactionType(0x01);
    /// `06`: e-purse (EP) purchase — the public purchase MAC1 sample (integrators.md §4.2).
    pub const EP_PURCHASE: TransactionType = TransactionType(0x06);
}

/// The 6-byte terminal number (PSAM EF15, cn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TerminalId(pub [u8; 6]);

/// The terminal transaction serial number (4 bytes, from the PSAM), sent in DEBIT FOR PURCHASE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TerminalSerial(pub u32);

impl TerminalSerial {
    /// The rightmost 2 bytes, the last part of the SESPK input.
    pub const fn low2(self) -> [u8; 2] {
        let [_, _, a, b] = self.0.to_be_bytes();
        [a, b]
    }
}

/// The card's 4-byte pseudo-random number from INITIALIZE FOR LOAD/PURCHASE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardRandom(pub [u8; 4]);

/// The ED/EP online transaction counter (load), 2 bytes, value before the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OnlineCounter(pub u16);

/// The ED/EP offline transaction counter (purchase), 2 bytes, value before the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OfflineCounter(pub u16);

/// Transaction date and time as sent by the terminal: date `YYYYMMDD` (4 bytes BCD), time
/// `hhmmss` (3 bytes BCD). Bytes are taken as given, not validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Date, 4 bytes BCD (`20111221`).
    pub date: [u8; 4],
    /// Time, 3 bytes BCD (`214822`).
    pub time: [u8; 3],
}

impl DateTime {
    /// Date and time from their wire bytes.
    pub const fn new(date: [u8; 4], time: [u8; 3]) -> DateTime {
        DateTime { date, time }
    }

    /// From the 7 wire bytes `date ‖ time`.
    pub const fn from_bytes(b: [u8; 7]) -> DateTime {
        let [d0, d1, d2, d3, t0, t1, t2] = b;
        DateTime {
            date: [d0, d1, d2, d3],
            time: [t0, t1, t2],
        }
    }

    /// The 7 wire bytes `date ‖ time`.
    pub const fn to_bytes(self) -> [u8; 7] {
        let [d0, d1, d2, d3] = self.date;
        let [t0, t1, t2] = self.time;
        [d0, d1, d2, d3, t0, t1, t2]
    }
}

/// The three amounts of an SSC DF04 medical settlement (sscard-spec.md §6.5 \[C\], integrators.md
/// §4.2), in this order on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MedicalAmounts {
    /// Personal-account amount — `0` in the online flow of §6.5.
    pub personal_account: Amount,
    /// Total (§6.5: "self-pay = total").
    pub total: Amount,
    /// Account + fund (§6.5: "pooled-fund = account+fund").
    pub account_and_fund: Amount,
}

impl MedicalAmounts {
    /// The online-settlement amounts of §6.5: personal account `0`, `total`, `account_and_fund`.
    pub const fn settlement(total: Amount, account_and_fund: Amount) -> MedicalAmounts {
        MedicalAmounts {
            personal_account: Amount(0),
            total,
            account_and_fund,
        }
    }

    /// The 12 wire bytes `personal account ‖ total ‖ account + fund`.
    pub fn to_bytes(&self) -> [u8; 12] {
        concat(&[
            &self.personal_account.0.to_be_bytes(),
            &self.total.0.to_be_bytes(),
            &self.account_and_fund.0.to_be_bytes(),
        ])
    }
}

/// Copies the concatenation of `parts` into an `N`-byte array (callers pass exactly `N` bytes;
/// extra bytes are dropped, missing ones stay zero — never a panic).
fn concat<const N: usize>(parts: &[&[u8]]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut()
        .zip(parts.iter().flat_map(|p| p.iter()))
        .for_each(|(d, s)| *d = *s);
    out
}

// ---------------------------------------------------------------- transactions

/// The terminal-chosen fields of a load (圈存 / 账户划入), known from INITIALIZE FOR LOAD on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Load {
    /// Amount loaded.
    pub amount: Amount,
    /// Transaction type (e.g. [`TransactionType::ED_LOAD`]).
    pub tx_type: TransactionType,
    /// Terminal number.
    pub terminal: TerminalId,
}

impl Load {
    /// Load MAC1 input (card → terminal): `balance(4) ‖ amount(4) ‖ type(1) ‖ terminal id(6)`,
    /// `balance` = the balance before the load.
    pub fn mac1_input(&self, balance: Balance) -> [u8; 15] {
        concat(&[
            &balance.0.to_be_bytes(),
            &self.amount.0.to_be_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
        ])
    }

    /// Load MAC2 input (terminal → card, CREDIT FOR LOAD):
    /// `amount(4) ‖ type(1) ‖ terminal id(6) ‖ date(4) ‖ time(3)`.
    pub fn mac2_input(&self, when: &DateTime) -> [u8; 18] {
        concat(&[
            &self.amount.0.to_be_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &when.to_bytes(),
        ])
    }

    /// Load TAC input: `new balance(4) ‖ online ctr(2) ‖ amount(4) ‖ type(1) ‖ terminal id(6) ‖
    /// date(4) ‖ time(3)`; `counter` is the online counter *before* the load (as in SESLK).
    pub fn tac_input(
        &self,
        new_balance: Balance,
        counter: OnlineCounter,
        when: &DateTime,
    ) -> [u8; 24] {
        concat(&[
            &new_balance.0.to_be_bytes(),
            &counter.0.to_be_bytes(),
            &self.amount.0.to_be_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &when.to_bytes(),
        ])
    }
}

/// The MAC1/MAC2/TAC inputs of a purchase-type transaction ([`Purchase`] or the medical
/// [`MedicalPurchase`]); [`PurchaseSession`] and [`TacKey`] are generic over it.
pub trait PurchaseMessage {
    /// Bytes of the MAC1 input.
    type Mac1: AsRef<[u8]>;
    /// Bytes of the MAC2 input.
    type Mac2: AsRef<[u8]>;
    /// Bytes of the TAC input.
    type Tac: AsRef<[u8]>;
    /// MAC1 input (terminal/PSAM → card, DEBIT FOR PURCHASE).
    fn mac1_input(&self) -> Self::Mac1;
    /// MAC2 input (card → terminal).
    fn mac2_input(&self) -> Self::Mac2;
    /// TAC input (card → back end).
    fn tac_input(&self) -> Self::Tac;
}

/// A PBOC purchase (消费): every field the three purchase MACs cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Purchase {
    /// Amount debited.
    pub amount: Amount,
    /// Transaction type (e.g. [`TransactionType::EP_PURCHASE`]).
    pub tx_type: TransactionType,
    /// Terminal number.
    pub terminal: TerminalId,
    /// Terminal transaction serial (its low 2 bytes also enter SESPK).
    pub serial: TerminalSerial,
    /// Terminal date and time.
    pub when: DateTime,
}

impl PurchaseMessage for Purchase {
    type Mac1 = [u8; 18];
    type Mac2 = [u8; 4];
    type Tac = [u8; 22];

    /// `amount(4) ‖ type(1) ‖ terminal id(6) ‖ date(4) ‖ time(3)`.
    fn mac1_input(&self) -> [u8; 18] {
        concat(&[
            &self.amount.0.to_be_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &self.when.to_bytes(),
        ])
    }

    /// `amount(4)`.
    fn mac2_input(&self) -> [u8; 4] {
        self.amount.0.to_be_bytes()
    }

    /// `amount(4) ‖ type(1) ‖ terminal id(6) ‖ terminal serial(4) ‖ date(4) ‖ time(3)`.
    fn tac_input(&self) -> [u8; 22] {
        concat(&[
            &self.amount.0.to_be_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &self.serial.0.to_be_bytes(),
            &self.when.to_bytes(),
        ])
    }
}

/// An SSC DF04 medical settlement (sscard-spec.md §6.5 \[C\]): a purchase with three amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MedicalPurchase {
    /// The three settlement amounts.
    pub amounts: MedicalAmounts,
    /// Transaction type.
    pub tx_type: TransactionType,
    /// Terminal number.
    pub terminal: TerminalId,
    /// Terminal transaction serial (its low 2 bytes also enter SESPK).
    pub serial: TerminalSerial,
    /// Terminal date and time.
    pub when: DateTime,
}

impl PurchaseMessage for MedicalPurchase {
    type Mac1 = [u8; 26];
    type Mac2 = [u8; 12];
    type Tac = [u8; 30];

    /// `amounts(12) ‖ type(1) ‖ terminal id(6) ‖ date(4) ‖ time(3)` (§6.5 \[C\]).
    fn mac1_input(&self) -> [u8; 26] {
        concat(&[
            &self.amounts.to_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &self.when.to_bytes(),
        ])
    }

    /// `amounts(12)` (§6.5 \[C\]).
    fn mac2_input(&self) -> [u8; 12] {
        self.amounts.to_bytes()
    }

    /// `amounts(12) ‖ type(1) ‖ terminal id(6) ‖ terminal serial(4) ‖ date(4) ‖ time(3)`
    /// (§6.5 lists "amounts, type, terminal no., terminal seq, time"; order per the PBOC TAC —
    /// \[L\]).
    fn tac_input(&self) -> [u8; 30] {
        concat(&[
            &self.amounts.to_bytes(),
            &[self.tx_type.0],
            &self.terminal.0,
            &self.serial.0.to_be_bytes(),
            &self.when.to_bytes(),
        ])
    }
}

// ---------------------------------------------------------------- keys

/// SESLK input: `rnd(4) ‖ online ctr(2) ‖ 80 00` (crypto.md §2.3).
pub fn load_key_input(random: CardRandom, counter: OnlineCounter) -> [u8; 8] {
    concat(&[&random.0, &counter.0.to_be_bytes(), &[0x80, 0x00]])
}

/// SESPK input: `rnd(4) ‖ offline ctr(2) ‖ terminal serial, rightmost 2 bytes` (crypto.md §2.3,
/// sscard-spec.md §6.5).
pub fn purchase_key_input(
    random: CardRandom,
    counter: OfflineCounter,
    serial: TerminalSerial,
) -> [u8; 8] {
    concat(&[&random.0, &counter.0.to_be_bytes(), &serial.low2()])
}

/// SESLK, the load process key, from the diversified DLK per the `process_key` of
/// [`Profile::purse`]: `3DES_DLK(input)` (8-byte DES key) or `SM4_DLK(input ‖ ¬input)`
/// (16-byte SM4 key); input [`load_key_input`]. A DLK of the wrong algorithm for the rule is
/// [`CryptoError::UnsupportedAlgorithm`].
pub fn load_process_key(
    profile: &Profile,
    dlk: &Key,
    random: CardRandom,
    counter: OnlineCounter,
) -> Result<Key, CryptoError> {
    let input = Zeroizing::new(load_key_input(random, counter));
    derive_process_key(profile.purse.process_key, dlk, &input)
}

/// SESPK, the purchase process key, from the diversified DPK per the `process_key` of
/// [`Profile::purse`] (as [`load_process_key`]); input [`purchase_key_input`].
pub fn purchase_process_key(
    profile: &Profile,
    dpk: &Key,
    random: CardRandom,
    counter: OfflineCounter,
    serial: TerminalSerial,
) -> Result<Key, CryptoError> {
    let input = Zeroizing::new(purchase_key_input(random, counter, serial));
    derive_process_key(profile.purse.process_key, dpk, &input)
}

/// The TAC key from the diversified DTK per the `tac_key` of [`Profile::purse`]:
/// [`TacKeyRule::XorHalves`] `DTK_L ⊕ DTK_R` (8-byte DES key; 2-key 3DES DTK only, else
/// [`CryptoError::UnsupportedAlgorithm`]) or [`TacKeyRule::Direct`] (a copy of the DTK).
pub fn tac_key(profile: &Profile, dtk: &Key) -> Result<Key, CryptoError> {
    match profile.purse.tac_key {
        TacKeyRule::XorHalves => {
            if dtk.algorithm() != Algorithm::Tdes2 {
                return Err(CryptoError::UnsupportedAlgorithm(dtk.algorithm()));
            }
            let (l, r) = (dtk.part::<8>(0), dtk.part::<8>(8));
            let mut x = Zeroizing::new([0u8; 8]);
            x.iter_mut()
                .zip(l.iter().zip(r.iter()))
                .for_each(|(d, (a, b))| *d = *a ^ *b);
            Ok(Key::new(Algorithm::Des, &x[..])?)
        }
        TacKeyRule::Direct => Ok(dtk.clone()),
    }
}

// ---------------------------------------------------------------- MACs

/// A scheduled purse MAC key: CBC-MAC (retail MAC for a 2-key 3DES key), pad 2, IV 0, 4 bytes.
struct ZeroIvMac(MacKey);

impl ZeroIvMac {
    fn new(key: &Key) -> ZeroIvMac {
        ZeroIvMac(MacKey::new(key))
    }

    fn mac4(&self, input: &[u8]) -> Result<[u8; 4], CryptoError> {
        let iv = [0u8; MAX_BLOCK];
        let iv = iv.get(..self.0.block_size()).unwrap_or(&iv);
        self.0.mac4(iv, &[input])
    }

    fn verify(&self, input: &[u8], received: &[u8]) -> bool {
        self.mac4(input).is_ok_and(|m| verify_mac(&m, received))
    }
}

macro_rules! opaque_debug {
    ($t:ident) => {
        impl core::fmt::Debug for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($t), " { .. }"))
            }
        }
    };
}

/// A load keyed with SESLK: MAC1 (card) and MAC2 (terminal).
pub struct LoadSession {
    mac: ZeroIvMac,
}

opaque_debug!(LoadSession);

impl LoadSession {
    /// Derives SESLK ([`load_process_key`]) and schedules it.
    pub fn new(
        profile: &Profile,
        dlk: &Key,
        random: CardRandom,
        counter: OnlineCounter,
    ) -> Result<LoadSession, CryptoError> {
        Ok(Self::from_process_key(&load_process_key(
            profile, dlk, random, counter,
        )?))
    }

    /// Schedules an already derived SESLK (e.g. from a security module).
    pub fn from_process_key(seslk: &Key) -> LoadSession {
        LoadSession {
            mac: ZeroIvMac::new(seslk),
        }
    }

    /// Load MAC1 over [`Load::mac1_input`] (`balance` = before the load).
    pub fn mac1(&self, balance: Balance, load: &Load) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(&load.mac1_input(balance))
    }

    /// Constant-time check of a received load MAC1.
    pub fn verify_mac1(&self, balance: Balance, load: &Load, received: &[u8]) -> bool {
        self.mac.verify(&load.mac1_input(balance), received)
    }

    /// Load MAC2 over [`Load::mac2_input`].
    pub fn mac2(&self, load: &Load, when: &DateTime) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(&load.mac2_input(when))
    }

    /// Constant-time check of a received load MAC2 (the card answers `9302` when false).
    pub fn verify_mac2(&self, load: &Load, when: &DateTime, received: &[u8]) -> bool {
        self.mac.verify(&load.mac2_input(when), received)
    }
}

/// A purchase (or DF04 medical settlement) keyed with SESPK: MAC1 (terminal) and MAC2 (card).
pub struct PurchaseSession {
    mac: ZeroIvMac,
}

opaque_debug!(PurchaseSession);

impl PurchaseSession {
    /// Derives SESPK ([`purchase_process_key`]) and schedules it. `serial` must be the
    /// [`Purchase::serial`] / [`MedicalPurchase::serial`] the terminal sends.
    pub fn new(
        profile: &Profile,
        dpk: &Key,
        random: CardRandom,
        counter: OfflineCounter,
        serial: TerminalSerial,
    ) -> Result<PurchaseSession, CryptoError> {
        Ok(Self::from_process_key(&purchase_process_key(
            profile, dpk, random, counter, serial,
        )?))
    }

    /// Schedules an already derived SESPK.
    pub fn from_process_key(sespk: &Key) -> PurchaseSession {
        PurchaseSession {
            mac: ZeroIvMac::new(sespk),
        }
    }

    /// MAC1 over [`PurchaseMessage::mac1_input`].
    pub fn mac1<P: PurchaseMessage>(&self, tx: &P) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(tx.mac1_input().as_ref())
    }

    /// Constant-time check of a received MAC1 (the card answers `9302` when false).
    pub fn verify_mac1<P: PurchaseMessage>(&self, tx: &P, received: &[u8]) -> bool {
        self.mac.verify(tx.mac1_input().as_ref(), received)
    }

    /// MAC2 over [`PurchaseMessage::mac2_input`].
    pub fn mac2<P: PurchaseMessage>(&self, tx: &P) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(tx.mac2_input().as_ref())
    }

    /// Constant-time check of a received MAC2.
    pub fn verify_mac2<P: PurchaseMessage>(&self, tx: &P, received: &[u8]) -> bool {
        self.mac.verify(tx.mac2_input().as_ref(), received)
    }
}

/// The scheduled TAC key ([`tac_key`]): TACs of loads and purchases.
pub struct TacKey {
    mac: ZeroIvMac,
}

opaque_debug!(TacKey);

impl TacKey {
    /// Derives the TAC key from the diversified DTK ([`tac_key`]) and schedules it.
    pub fn new(profile: &Profile, dtk: &Key) -> Result<TacKey, CryptoError> {
        Ok(Self::from_tac_key(&tac_key(profile, dtk)?))
    }

    /// Schedules an already derived TAC key.
    pub fn from_tac_key(key: &Key) -> TacKey {
        TacKey {
            mac: ZeroIvMac::new(key),
        }
    }

    /// Load TAC over [`Load::tac_input`].
    pub fn load_tac(
        &self,
        new_balance: Balance,
        counter: OnlineCounter,
        load: &Load,
        when: &DateTime,
    ) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(&load.tac_input(new_balance, counter, when))
    }

    /// Constant-time check of a load TAC.
    pub fn verify_load_tac(
        &self,
        new_balance: Balance,
        counter: OnlineCounter,
        load: &Load,
        when: &DateTime,
        received: &[u8],
    ) -> bool {
        self.mac
            .verify(&load.tac_input(new_balance, counter, when), received)
    }

    /// Purchase (or medical settlement) TAC over [`PurchaseMessage::tac_input`].
    pub fn purchase_tac<P: PurchaseMessage>(&self, tx: &P) -> Result<[u8; 4], CryptoError> {
        self.mac.mac4(tx.tac_input().as_ref())
    }

    /// Constant-time check of a purchase (or medical settlement) TAC.
    pub fn verify_purchase_tac<P: PurchaseMessage>(&self, tx: &P, received: &[u8]) -> bool {
        self.mac.verify(tx.tac_input().as_ref(), received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{SSCARD_2, SSCARD_3};
    use hex_literal::hex;

    #[test]
    fn layouts() {
        let load = Load {
            amount: Amount(0x1000),
            tx_type: TransactionType::ED_LOAD,
            terminal: TerminalId(hex!("001122334455")),
        };
        let when = DateTime::from_bytes(hex!("20111221214822"));
        assert_eq!(when, DateTime::new(hex!("20111221"), hex!("214822")));
        assert_eq!(
            load.mac1_input(Balance(0)),
            hex!("00000000 00001000 01 001122334455")
        );
        assert_eq!(
            load.mac2_input(&when),
            hex!("00001000 01 001122334455 20111221 214822")
        );
        assert_eq!(
            load.tac_input(Balance(0x1000), OnlineCounter(0), &when),
            hex!("00001000 0000 00001000 01 001122334455 20111221 214822")
        );
        let p = Purchase {
            amount: Amount(0x64),
            tx_type: TransactionType::EP_PURCHASE,
            terminal: TerminalId(hex!("010203040506")),
            serial: TerminalSerial(0x0000_0001),
            when: DateTime::from_bytes(hex!("20100423111933")),
        };
        assert_eq!(
            p.mac1_input(),
            hex!("00000064 06 010203040506 20100423 111933")
        );
        assert_eq!(p.mac2_input(), hex!("00000064"));
        assert_eq!(
            p.tac_input(),
            hex!("00000064 06 010203040506 00000001 20100423 111933")
        );
        let m = MedicalPurchase {
            amounts: MedicalAmounts::settlement(Amount(300), Amount(200)),
            tx_type: TransactionType(0x06),
            terminal: p.terminal,
            serial: TerminalSerial(0x0102_0304),
            when: p.when,
        };
        assert_eq!(m.mac2_input(), hex!("00000000 0000012C 000000C8"));
        assert_eq!(
            m.mac1_input(),
            hex!("00000000 0000012C 000000C8 06 010203040506 20100423 111933")
        );
        assert_eq!(
            m.tac_input(),
            hex!("00000000 0000012C 000000C8 06 010203040506 01020304 20100423 111933")
        );
        assert_eq!(
            load_key_input(CardRandom(hex!("11223344")), OnlineCounter(0x0102)),
            hex!("11223344 0102 8000")
        );
        assert_eq!(
            purchase_key_input(
                CardRandom(hex!("11223344")),
                OfflineCounter(7),
                TerminalSerial(0xAABB_CCDD)
            ),
            hex!("11223344 0007 CCDD")
        );
    }

    #[test]
    fn wrong_key_algorithms_are_errors() {
        let sm4 = Key::new(Algorithm::Sm4, &[1; 16]).unwrap();
        let des = Key::new(Algorithm::Des, &[1; 8]).unwrap();
        let r = CardRandom([0; 4]);
        assert_eq!(
            tac_key(&SSCARD_2, &sm4).err(),
            Some(CryptoError::UnsupportedAlgorithm(Algorithm::Sm4))
        );
        assert!(load_process_key(&SSCARD_2, &sm4, r, OnlineCounter(0)).is_err());
        assert!(load_process_key(&SSCARD_3, &des, r, OnlineCounter(0)).is_err());
        assert_eq!(tac_key(&SSCARD_3, &sm4).unwrap(), sm4);
    }

    #[test]
    fn debug_is_opaque() {
        let k = Key::new(Algorithm::Des, &hex!("9B1D924E05595603")).unwrap();
        assert_eq!(
            format!("{:?}", LoadSession::from_process_key(&k)),
            "LoadSession { .. }"
        );
        assert_eq!(format!("{:?}", TacKey::from_tac_key(&k)), "TacKey { .. }");
    }
}
