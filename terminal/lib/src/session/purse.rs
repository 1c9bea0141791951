//! The DF04 purse from the terminal's side (`docs/purse.md`): balance, purchase (medical
//! settlement), load, the transaction log, and finding out what happened to a transaction
//! whose answer was lost.
//!
//! Purchase: `INITIALIZE FOR PURCHASE` → the security module's MAC1 (PSAM `80 70`, or the key
//! set) → `DEBIT FOR PURCHASE` → the module checks MAC2; the TAC goes to the back end. Load:
//! `INITIALIZE FOR LOAD` → the module checks the card's MAC1 and computes MAC2 → `CREDIT FOR
//! LOAD` → TAC.
//!
//! **Never a guess.** Every error but [`Error::InDoubt`] means the card was not charged (the
//! card changes nothing before DEBIT/CREDIT, and refuses those without changing anything). When
//! the card is lost after DEBIT/CREDIT may have reached it, the operation returns
//! [`Error::InDoubt`] with a [`PendingTransaction`]; [`Session::resolve`] on the card, once it is
//! back, asks it with GET TRANSACTION PROVE for the counter INITIALIZE returned: `9000` =
//! charged (with the TAC), `9406` = not charged. A retry is only allowed after "not charged".

use serde::Serialize;
use sscard_apdu::commands::purse::{
    self as cmd, Credit, CreditResponse, Debit, DebitResponse, InitLoad, InitLoadResponse,
    InitPurchase, InitPurchaseResponse, ProveKind, ProveResponse, PurseAmounts,
};
use sscard_apdu::commands::RecordSelector;
use sscard_apdu::StatusWord;
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, MedicalAmounts, OfflineCounter, OnlineCounter,
    TerminalId,
};
use sscard_specs::purse as sp;
use sscard_specs::{ef, key, DfId};

use super::Session;
use crate::error::{DataError, Error, PendingTransaction, Result, TxKind};
use crate::model::money::Fen;
use crate::model::purse::{class_name, LogEntry};
use crate::security::purse::{LoadRequest, PurchaseRequest, PurseModule};
use crate::transport::Transport;

/// What a purchase is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurchaseOrder {
    /// The three settlement amounts (personal account = what the balance is debited by).
    pub amounts: MedicalAmounts,
    /// Settlement class (`sscard_specs::purse::class`).
    pub class: u8,
    /// Terminal date and time.
    pub when: DateTime,
}

/// A transaction the card executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Purchase or load.
    pub kind: TxKind,
    /// Always `true`: the card executed it (a receipt exists only then).
    pub charged: bool,
    /// The card's counter before the transaction (EF08 `seq`, GET TRANSACTION PROVE).
    pub counter: u16,
    /// Balance before.
    pub balance_before: Fen,
    /// Balance after.
    pub balance_after: Fen,
    /// What the balance changed by.
    pub amount: Fen,
    /// Self-pay amount (purchase).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_pay: Option<Fen>,
    /// Pooled-fund amount (purchase).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pooled_fund: Option<Fen>,
    /// Settlement class (purchase).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Terminal number (12 digits).
    pub terminal: String,
    /// Terminal transaction serial (purchase).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<u32>,
    /// `YYYYMMDDhhmmss`.
    pub date_time: String,
    /// The TAC for the back end (hex).
    pub tac: String,
    /// The card's MAC2 (purchase, hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac2: Option<String>,
    /// Whether the security module accepted MAC2 (purchase; `None`: could not be checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac2_valid: Option<bool>,
    /// Found out after a lost answer (GET TRANSACTION PROVE), not from DEBIT/CREDIT itself.
    pub recovered: bool,
}

/// What [`Session::resolve`] found out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Resolution {
    /// The card executed the transaction.
    Charged(Receipt),
    /// It did not (its last transaction of that kind is an earlier one).
    NotCharged,
}

fn date_time(w: &DateTime) -> String {
    hex::encode_upper(w.to_bytes())
}

fn is_link_loss(e: &Error) -> bool {
    matches!(e, Error::Transport(_))
}

fn malformed(what: &'static str, data: &[u8]) -> Error {
    DataError::Malformed {
        what,
        hex: hex::encode_upper(data),
    }
    .into()
}

impl<T: Transport> Session<T> {
    fn enter_df04(&mut self) -> Result<()> {
        self.select_df(DfId::Df04)
    }

    /// GET BALANCE (`80 5C 00 02 04`) in DF04.
    pub fn balance(&mut self) -> Result<Fen> {
        self.enter_df04()?;
        let c = cmd::get_balance().map_err(Error::command("GET BALANCE"))?;
        let data = self.send_ok(&c, || "GET BALANCE".into())?;
        cmd::parse_balance(&data)
            .map(Fen)
            .map_err(|_| malformed("balance", &data))
    }

    fn check_suite(&self, sm: &dyn PurseModule) -> Result<()> {
        if sm.profile().suite != self.profile.suite {
            return Err(Error::SuiteMismatch {
                keys: sm.profile().name,
                card: self.profile.name,
            });
        }
        Ok(())
    }

    /// A medical settlement (purchase) of `order` with `sm` computing MAC1 and checking MAC2.
    /// The PIN must be verified first (or stored with [`Session::set_pin`]): the card refuses
    /// INITIALIZE FOR PURCHASE without it (`6982`). Errors other than [`Error::InDoubt`]: not
    /// charged.
    pub fn purchase(&mut self, sm: &mut dyn PurseModule, order: &PurchaseOrder) -> Result<Receipt> {
        self.check_suite(sm)?;
        check_class(order.class)?;
        let factors = self.factors(key::DPK)?;
        let terminal: TerminalId = sm.terminal()?;
        let (r, mut pending) = self.initialize_purchase(terminal, order)?;
        let grant = sm.purchase_mac1(
            &factors,
            &PurchaseRequest {
                random: CardRandom(r.random),
                counter: OfflineCounter(r.counter),
                amounts: order.amounts,
                when: order.when,
                key_version: r.key_version,
                alg_id: r.alg_id,
            },
        )?;
        pending.serial = Some(grant.serial.0);
        let (mac2, tac) = self.debit_for_purchase(&pending, order.when, grant.mac1)?;
        let mac2_valid = Some(sm.verify_purchase_mac2(&mac2)?);
        Ok(purchase_receipt(&pending, &mac2, &tac, mac2_valid, false))
    }

    /// The first half of a purchase (HSM mode computes MAC1 in between): the PIN (when stored),
    /// SELECT DF04, INITIALIZE FOR PURCHASE for `terminal`. Returns the card's answer and the
    /// transaction so far (its `serial` still `None`). The card's purchase session is closed by
    /// any other command: the next one must be [`Session::debit_for_purchase`].
    pub fn initialize_purchase(
        &mut self,
        terminal: TerminalId,
        order: &PurchaseOrder,
    ) -> Result<(InitPurchaseResponse, PendingTransaction)> {
        check_class(order.class)?;
        self.ensure_pin()?;
        self.enter_df04()?;
        let a = order.amounts;
        let init = InitPurchase {
            key_index: sp::PURCHASE_KEY_INDEX,
            amounts: PurseAmounts {
                personal_account: a.personal_account.0,
                total: a.total.0,
                account_and_fund: a.account_and_fund.0,
            },
            terminal: terminal.0,
            class: order.class,
        };
        let c = cmd::initialize_for_purchase(&init)
            .map_err(Error::command("INITIALIZE FOR PURCHASE"))?;
        let data = self.send_ok(&c, || "INITIALIZE FOR PURCHASE".into())?;
        let r = InitPurchaseResponse::parse(&data)
            .map_err(|_| malformed("INITIALIZE FOR PURCHASE answer", &data))?;
        let pending = PendingTransaction {
            kind: TxKind::Purchase,
            counter: r.counter,
            balance_before: Fen(r.balance),
            amount: Fen(a.personal_account.0),
            self_pay: Fen(a.total.0),
            pooled_fund: Fen(a.account_and_fund.0),
            class: Some(class_name(order.class)),
            terminal: hex::encode_upper(terminal.0),
            serial: None,
            date_time: date_time(&order.when),
            cause: String::new(),
        };
        Ok((r, pending))
    }

    /// The second half: DEBIT FOR PURCHASE with `pending.serial`, `when` and `mac1`; returns
    /// the card's MAC2 and TAC. A lost answer is [`Error::InDoubt`]; a refusal charged nothing.
    pub fn debit_for_purchase(
        &mut self,
        pending: &PendingTransaction,
        when: DateTime,
        mac1: [u8; 4],
    ) -> Result<([u8; 4], [u8; 4])> {
        let debit = Debit {
            serial: pending.serial.unwrap_or_default(),
            date: when.date,
            time: when.time,
            mac1,
        };
        let c = cmd::debit_for_purchase(&debit).map_err(Error::command("DEBIT FOR PURCHASE"))?;
        let (data, sw) = match self.send(&c) {
            Ok(x) => x,
            Err(e) if is_link_loss(&e) => return Err(in_doubt(pending.clone(), &e)),
            Err(e) => return Err(e),
        };
        if !sw.is_success() {
            return Err(Error::refused("DEBIT FOR PURCHASE", sw));
        }
        let Ok(d) = DebitResponse::parse(&data) else {
            let e = malformed("DEBIT FOR PURCHASE answer", &data);
            return Err(in_doubt(pending.clone(), &e));
        };
        Ok((d.mac2, d.tac))
    }

    /// A load of `amount` with `sm` checking the card's MAC1 and computing MAC2 (the back end's
    /// part: a key set holding DLK). Errors other than [`Error::InDoubt`]: not charged.
    pub fn load(
        &mut self,
        sm: &mut dyn PurseModule,
        amount: Fen,
        when: DateTime,
    ) -> Result<Receipt> {
        self.check_suite(sm)?;
        let factors = self.factors(key::DLK)?;
        let terminal = sm.terminal()?;
        if sp::LOAD_NEEDS_PIN {
            self.ensure_pin()?;
        }
        self.enter_df04()?;
        let init = InitLoad {
            key_index: sp::LOAD_KEY_INDEX,
            amount: amount.0,
            terminal: terminal.0,
        };
        let c = cmd::initialize_for_load(&init).map_err(Error::command("INITIALIZE FOR LOAD"))?;
        let data = self.send_ok(&c, || "INITIALIZE FOR LOAD".into())?;
        let r = InitLoadResponse::parse(&data)
            .map_err(|_| malformed("INITIALIZE FOR LOAD answer", &data))?;
        let mac2 = sm
            .load_mac2(
                &factors,
                &LoadRequest {
                    random: CardRandom(r.random),
                    counter: OnlineCounter(r.counter),
                    balance: Balance(r.balance),
                    amount: Amount(amount.0),
                    terminal,
                    when,
                },
                &r.mac1,
            )?
            .ok_or_else(|| Error::NotGenuine {
                card_number: "?".into(),
                reason: "its load MAC1 is not the one the issuer's DLK gives (nothing loaded)"
                    .into(),
            })?;
        let pending = PendingTransaction {
            kind: TxKind::Load,
            counter: r.counter,
            balance_before: Fen(r.balance),
            amount,
            self_pay: Fen(0),
            pooled_fund: Fen(0),
            class: None,
            terminal: hex::encode_upper(terminal.0),
            serial: None,
            date_time: date_time(&when),
            cause: String::new(),
        };
        let credit = Credit {
            date: when.date,
            time: when.time,
            mac2,
        };
        let c = cmd::credit_for_load(&credit).map_err(Error::command("CREDIT FOR LOAD"))?;
        let (data, sw) = match self.send(&c) {
            Ok(x) => x,
            Err(e) if is_link_loss(&e) => return Err(in_doubt(pending, &e)),
            Err(e) => return Err(e),
        };
        if !sw.is_success() {
            return Err(Error::refused("CREDIT FOR LOAD", sw));
        }
        let Ok(cr) = CreditResponse::parse(&data) else {
            let e = malformed("CREDIT FOR LOAD answer", &data);
            return Err(in_doubt(pending, &e));
        };
        Ok(load_receipt(&pending, &cr.tac, false))
    }

    /// Find out what happened to `pending` (after the card is back: a new session, or this one
    /// after [`Session::reset`]): GET TRANSACTION PROVE for its counter. `sm` (the module of the
    /// purchase, if still at hand) checks the purchase MAC2 the card proves.
    pub fn resolve(
        &mut self,
        pending: &PendingTransaction,
        sm: Option<&mut dyn PurseModule>,
    ) -> Result<Resolution> {
        self.enter_df04()?;
        let kind = match pending.kind {
            TxKind::Purchase => ProveKind::Purchase,
            TxKind::Load => ProveKind::Load,
        };
        let c = cmd::get_transaction_prove(kind, pending.counter)
            .map_err(Error::command("GET TRANSACTION PROVE"))?;
        let (data, sw) = self.send(&c)?;
        match sw {
            StatusWord::OK => {}
            StatusWord::MAC_TAC_UNAVAILABLE => return Ok(Resolution::NotCharged),
            sw => return Err(Error::refused("GET TRANSACTION PROVE", sw)),
        }
        let p = ProveResponse::parse(kind, &data)
            .map_err(|_| malformed("GET TRANSACTION PROVE answer", &data))?;
        Ok(Resolution::Charged(match pending.kind {
            TxKind::Purchase => {
                let mac2 = p.mac2.unwrap_or_default();
                let valid = match sm {
                    Some(sm) => Some(sm.verify_purchase_mac2(&mac2)?),
                    None => None,
                };
                purchase_receipt(pending, &mac2, &p.tac, valid, true)
            }
            TxKind::Load => load_receipt(pending, &p.tac, true),
        }))
    }

    /// The purse log: DF04 EF08 records, newest first, each with its EF15 settlement class when
    /// it has one. Reading needs the PIN (verified or stored) or RK1DF04.
    pub fn purse_log(&mut self) -> Result<Vec<LogEntry>> {
        let ef08 = ef::DF04_EF08.spec().ok_or_else(|| {
            Error::Internal(format!("{} missing from the specs", ef::DF04_EF08.path()))
        })?;
        let ef15 = ef::DF04_EF15.spec().ok_or_else(|| {
            Error::Internal(format!("{} missing from the specs", ef::DF04_EF15.path()))
        })?;
        let mut out = Vec::new();
        for (n, raw) in self.cyclic_records(ef08)? {
            out.push(LogEntry::decode(n, &raw)?);
        }
        if out.is_empty() {
            return Ok(out);
        }
        for (_, raw) in self.cyclic_records(ef15)? {
            let (Some(hi), Some(lo), Some(c)) = (
                raw.get(sp::ef15::SEQ),
                raw.get(sp::ef15::SEQ + 1),
                raw.get(sp::ef15::CLASS),
            ) else {
                return Err(malformed("special settlement record", &raw));
            };
            let seq = u16::from_be_bytes([*hi, *lo]);
            if let Some(e) = out
                .iter_mut()
                .find(|e| e.seq == seq && e.kind == "settlement")
            {
                e.class = Some(class_name(*c));
            }
        }
        Ok(out)
    }

    /// Every written record of a cyclic EF, record 1 (newest) first.
    fn cyclic_records(&mut self, ef: &sscard_specs::EfSpec) -> Result<Vec<(u8, Vec<u8>)>> {
        let sscard_specs::EfStructure::Cyclic {
            records,
            record_len,
        } = ef.structure
        else {
            return Err(Error::Internal(format!("EF {:04X} is not cyclic", ef.fid)));
        };
        self.ensure_read_access(ef)?;
        let mut out = Vec::new();
        for n in 1..=records {
            match self.read_record_raw(ef, RecordSelector::ByNumber(n), u32::from(record_len))? {
                Some(d) => out.push((n, d)),
                None => break,
            }
        }
        Ok(out)
    }
}

fn check_class(c: u8) -> Result<()> {
    if !sp::is_class(c) {
        return Err(Error::Value {
            what: "settlement class",
            expected: "one of 0 1 2 3 9",
            got: format!("{c:02X}"),
        });
    }
    Ok(())
}

fn in_doubt(mut pending: PendingTransaction, e: &Error) -> Error {
    pending.cause = e.to_string();
    Error::InDoubt(Box::new(pending))
}

/// The receipt of a purchase the card executed.
pub fn purchase_receipt(
    p: &PendingTransaction,
    mac2: &[u8; 4],
    tac: &[u8; 4],
    mac2_valid: Option<bool>,
    recovered: bool,
) -> Receipt {
    Receipt {
        kind: TxKind::Purchase,
        charged: true,
        counter: p.counter,
        balance_before: p.balance_before,
        balance_after: Fen(p.balance_before.0.saturating_sub(p.amount.0)),
        amount: p.amount,
        self_pay: Some(p.self_pay),
        pooled_fund: Some(p.pooled_fund),
        class: p.class.clone(),
        terminal: p.terminal.clone(),
        serial: p.serial,
        date_time: p.date_time.clone(),
        tac: hex::encode_upper(tac),
        mac2: Some(hex::encode_upper(mac2)),
        mac2_valid,
        recovered,
    }
}

fn load_receipt(p: &PendingTransaction, tac: &[u8; 4], recovered: bool) -> Receipt {
    Receipt {
        kind: TxKind::Load,
        charged: true,
        counter: p.counter,
        balance_before: p.balance_before,
        balance_after: Fen(p.balance_before.0.saturating_add(p.amount.0)),
        amount: p.amount,
        self_pay: None,
        pooled_fund: None,
        class: None,
        terminal: p.terminal.clone(),
        serial: None,
        date_time: p.date_time.clone(),
        tac: hex::encode_upper(tac),
        mac2: None,
        mac2_valid: None,
        recovered,
    }
}
