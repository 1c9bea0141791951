//! `iDoDebit` and `iReadDebitRecord` (sscard-spec.md §6.1, §6.5; integrators.md §4.3): the
//! DF04 medical settlement through the PSAM, and the transaction log.
//!
//! `iDoDebit(iType, pCardInfo, pPayInfo, pOutInfo)`:
//! - `pCardInfo` = `卡识别码|卡号|` must name the card in the reader (−22 otherwise);
//! - `pPayInfo` = `总金额|账户+统筹金额|YYYYMMDDhhmmss|` in yuan (`0.1|0.2|20151118185001|`): the
//!   two amounts are the total (EF08 self-pay) and account + fund (EF08 pooled fund) of the
//!   online flow of §6.5, whose personal-account amount is 0 **[L]** (integrators.md §4.3: which
//!   two amounts is not stated; DOC38's three-amount model suggests these);
//! - the procedure: card genuine (INTERNAL AUTHENTICATE through the PSAM, −21), the holder's PIN
//!   (PIN pad / PIN-entry program; the card requires it, `docs/purse.md`), INITIALIZE FOR
//!   PURCHASE → PSAM MAC1 → DEBIT FOR PURCHASE → PSAM VERIFY MAC2;
//! - `pOutInfo` on success **[L]** (the national field list is not public):
//!   `交易计数器|终端机编号|终端交易序号|交易时间|TAC|MAC2|` — counter (decimal), terminal
//!   number (12 digits), PSAM serial (decimal), `YYYYMMDDhhmmss`, TAC and MAC2 (8 hex each).
//!
//! **A retry never charges twice.** When the card is lost after DEBIT may have reached it, the
//! call fails (−4) and the transaction is kept in this process; the next `iDoDebit` for the same
//! card first asks the card (GET TRANSACTION PROVE): if it was charged and the retry is for the
//! same `pPayInfo`, the call answers that transaction's pOutInfo (its MAC2 as the card proves
//! it; the PSAM's purchase ended when it was selected again) instead of charging again.
//!
//! `iReadDebitRecord(iType, pOutInfo)`: DF04 EF08, newest first, 7 fields per record **[L]**:
//! `交易序号|交易类型|终端机编号|交易时间|个人账户金额|自付金额|统筹金额|` (type `1` load, `2`
//! settlement; amounts in yuan with 2 decimals), after the holder's PIN (EF08's read rule).

use std::sync::Mutex;

use sscard_keys::purse::{Amount, DateTime, MedicalAmounts, TerminalId};
use sscard_keys::{DiversificationFactors, Profile};
use sscard_specs::purse::{class, valid_date_time};

use super::basic::Call;
use super::device::{Device, PinPrompt, SharedPsam};
use super::error::{NationalError, NationalResult};
use super::file::check_card_info;
use super::format;
use super::pay::parse_pay_info;
use crate::error::{Error, Result};
use crate::model::purse::LogEntry;
use crate::security::purse::{LoadRequest, Mac1Grant, PurchaseRequest, PurseModule};
use crate::session::{PendingTransaction, PurchaseOrder, Receipt, Resolution};

impl PurseModule for SharedPsam {
    fn profile(&self) -> &'static Profile {
        self.with(|sm| PurseModule::profile(sm))
    }
    fn terminal(&mut self) -> Result<TerminalId> {
        self.with(|sm| sm.terminal())
    }
    fn purchase_mac1(
        &mut self,
        factors: &DiversificationFactors,
        req: &PurchaseRequest,
    ) -> Result<Mac1Grant> {
        self.with(|sm| sm.purchase_mac1(factors, req))
    }
    fn verify_purchase_mac2(&mut self, mac2: &[u8; 4]) -> Result<bool> {
        self.with(|sm| sm.verify_purchase_mac2(mac2))
    }
    fn load_mac2(
        &mut self,
        factors: &DiversificationFactors,
        req: &LoadRequest,
        card_mac1: &[u8; 4],
    ) -> Result<Option<[u8; 4]>> {
        self.with(|sm| sm.load_mac2(factors, req, card_mac1))
    }
}

/// A debit whose answer was lost, kept for the next call.
struct Unresolved {
    card_info: String,
    pay_info: String,
    tx: PendingTransaction,
}

static UNRESOLVED: Mutex<Option<Unresolved>> = Mutex::new(None);

fn unresolved() -> std::sync::MutexGuard<'static, Option<Unresolved>> {
    UNRESOLVED.lock().unwrap_or_else(|p| p.into_inner())
}

/// The pOutInfo of a successful `iDoDebit`.
pub fn debit_out(r: &Receipt) -> String {
    format::join([
        r.counter.to_string().as_str(),
        r.terminal.as_str(),
        r.serial.map(|s| s.to_string()).unwrap_or_default().as_str(),
        r.date_time.as_str(),
        r.tac.as_str(),
        r.mac2.as_deref().unwrap_or(""),
    ])
}

fn card_key(card_info: &str) -> String {
    card_info
        .split('|')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase()
}

/// The settlement of a `pPayInfo` (the one reading of it, for `iDoDebit` and its HSM steps).
pub(crate) fn order(pay_info: &str) -> NationalResult<PurchaseOrder> {
    let pay = parse_pay_info(pay_info)?;
    let t = pay.time_bcd;
    let when = DateTime::new([t[0], t[1], t[2], t[3]], [t[4], t[5], t[6]]);
    if !valid_date_time(when.date, when.time) {
        return Err(NationalError::BadParameter(format!(
            "pPayInfo: time {} is not a valid date and time",
            hex::encode(t)
        )));
    }
    Ok(PurchaseOrder {
        amounts: MedicalAmounts::settlement(Amount(pay.first_fen), Amount(pay.second_fen)),
        class: class::ORDINARY,
        when,
    })
}

/// A debit must name its card (`卡识别码|卡号|`).
pub(crate) fn require_card_info(card_info: &str) -> NationalResult<()> {
    if card_key(card_info).is_empty() {
        return Err(NationalError::BadParameter(
            "pCardInfo: 卡识别码|卡号| of the card to debit".into(),
        ));
    }
    Ok(())
}

/// `iDoDebit(iType, pCardInfo, pPayInfo, pOutInfo)` in PSAM mode.
pub fn do_debit(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    pay_info: &str,
) -> NationalResult<String> {
    let order = order(pay_info)?;
    require_card_info(card_info)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    call.attach_psam(dev)?;
    call.authenticate_card()?;
    let mut psam = call
        .psam
        .clone()
        .ok_or_else(|| NationalError::NoPsam("not opened".into()))?;

    // A lost debit of this card first: never charge twice.
    let earlier = unresolved().take();
    if let Some(u) = earlier {
        if u.card_info == card_key(card_info) {
            // The PSAM was selected again by this call: its purchase (for VERIFY MAC2) is gone; the
            // TAC the card proves is what the back end checks.
            match call.run(|s| s.resolve(&u.tx, None)) {
                Ok(Resolution::Charged(r)) if u.pay_info == pay_info => {
                    tracing::info!(counter = u.tx.counter, "iDoDebit retry: already charged");
                    return Ok(debit_out(&r));
                }
                Ok(Resolution::Charged(_)) => {
                    tracing::warn!(
                        counter = u.tx.counter,
                        "an earlier lost debit of this card was charged; a different one follows"
                    );
                }
                Ok(Resolution::NotCharged) => {}
                Err(e) => {
                    *unresolved() = Some(u);
                    return Err(e);
                }
            }
        } else {
            *unresolved() = Some(u);
        }
    }

    let pin = dev.enter_pin(PinPrompt::Verify)?;
    call.run(|s| s.verify_pin(&pin))?;
    match call.session.purchase(&mut psam, &order) {
        Ok(r) if r.mac2_valid == Some(false) => Err(NationalError::Terminal(Error::NotGenuine {
            card_number: "?".into(),
            reason: "charged, but its MAC2 is not the issuer's".into(),
        })),
        Ok(r) => Ok(debit_out(&r)),
        Err(Error::InDoubt(p)) => {
            *unresolved() = Some(Unresolved {
                card_info: card_key(card_info),
                pay_info: pay_info.to_string(),
                tx: (*p).clone(),
            });
            Err(call.error(Error::InDoubt(p)))
        }
        Err(e) => Err(call.error(e)),
    }
}

/// The pOutInfo of `iReadDebitRecord`.
pub fn debit_records_out(entries: &[LogEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let kind = match e.kind.as_str() {
            "load" => "1",
            "settlement" => "2",
            other => other,
        };
        let time: String = e.time.chars().filter(char::is_ascii_digit).collect();
        out.push_str(&format::join([
            e.seq.to_string().as_str(),
            kind,
            e.terminal.as_str(),
            time.as_str(),
            e.personal_account.yuan().as_str(),
            e.self_pay.yuan().as_str(),
            e.pooled_fund.yuan().as_str(),
        ]));
    }
    out
}

/// `iReadDebitRecord(iType, pOutInfo)`: DF04 EF08 needs the holder's PIN (its read rule in
/// `sscard_specs::files`), whatever security module is configured.
pub fn read_debit_record(dev: &mut dyn Device, itype: i32) -> NationalResult<String> {
    let mut call = Call::open(dev, itype)?;
    let pin = dev.enter_pin(PinPrompt::Verify)?;
    call.run(|s| s.verify_pin(&pin))?;
    let entries = call.run(|s| s.purse_log())?;
    Ok(debit_records_out(&entries))
}
