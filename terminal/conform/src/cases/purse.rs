//! Area 12: the DF04 medical purse (`docs/purse.md`; sscard-spec.md §3.7, §6.5; crypto.md §2.3):
//! load and purchase with MAC1 / MAC2 / TAC checked against the issuer keys, the refusals that
//! must change nothing (a bad or replayed MAC1, an unsupported key index, a debit above the
//! balance), the counters, the transaction log, and GET TRANSACTION PROVE.
//!
//! Every case here moves money on the card (or tries to), so all are destructive, and each
//! works from the balance and counters it reads first: no case depends on what another did. The
//! MACs are computed here with `sscard_keys::purse` from the card's DPK / DLK / DTK, which the
//! security module gives out (`--keys`; a PSAM does not, and the cases skip).

use sscard_apdu::commands::purse::{
    self as cmd, Credit, Debit, InitLoad, InitLoadResponse, InitPurchase, InitPurchaseResponse,
    ProveKind, ProveResponse, PurseAmounts,
};
use sscard_apdu::StatusWord;
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, Load, LoadSession, MedicalAmounts, MedicalPurchase,
    OfflineCounter, OnlineCounter, PurchaseSession, TacKey, TerminalId, TerminalSerial,
    TransactionType,
};
use sscard_keys::Key;
use sscard_specs::purse::{self as sp, class};
use sscard_specs::types::DfId;
use sscard_specs::{ef, key};

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{expect_sw, sw_text, Ctx};
use crate::verdict::{fail, Check, Verdict};

const REF: &str = "docs/purse.md §1–§3; sscard-spec.md §3.7, §6.5; crypto.md §2.3";
const TERMINAL: TerminalId = TerminalId([0x11, 0x01, 0x00, 0x00, 0x09, 0x99]);
const WHEN: DateTime = DateTime::new([0x20, 0x26, 0x12, 0x03], [0x12, 0x00, 0x00]);
/// What the load cases load and the purchase cases debit (fen).
const LOAD: u32 = 100;
const PAY: u32 = 10;

fn amounts(personal: u32) -> MedicalAmounts {
    MedicalAmounts {
        personal_account: Amount(personal),
        total: Amount(personal + 5),
        account_and_fund: Amount(3),
    }
}

/// SSSE, the PIN (INITIALIZE FOR PURCHASE needs it), DF04.
fn enter(ctx: &mut Ctx<'_>) -> Check {
    ctx.select_ssse()?;
    ctx.verify_pin()?;
    ctx.select_df(DfId::Df04)?;
    Ok(())
}

fn balance(ctx: &mut Ctx<'_>) -> Result<u32, Verdict> {
    let c = cmd::get_balance().map_err(|e| fail(e.to_string()))?;
    let r = ctx.expect_cmd("GET BALANCE", &c, &[StatusWord::OK])?;
    cmd::parse_balance(&r.data).map_err(|_| {
        fail(format!(
            "GET BALANCE answered {} bytes, not 4",
            r.data.len()
        ))
    })
}

fn tac_key(ctx: &mut Ctx<'_>) -> Result<TacKey, Verdict> {
    let dtk = ctx.purse_card_key(key::DTK)?;
    TacKey::new(ctx.profile(), &dtk).map_err(|e| fail(format!("TAC key: {e}")))
}

fn init_load(ctx: &mut Ctx<'_>, amount: u32) -> Result<InitLoadResponse, Verdict> {
    let c = cmd::initialize_for_load(&InitLoad {
        key_index: sp::LOAD_KEY_INDEX,
        amount,
        terminal: TERMINAL.0,
    })
    .map_err(|e| fail(e.to_string()))?;
    let r = ctx.expect_cmd("INITIALIZE FOR LOAD", &c, &[StatusWord::OK])?;
    InitLoadResponse::parse(&r.data).map_err(|_| {
        fail(format!(
            "INITIALIZE FOR LOAD answered {} bytes, not {}",
            r.data.len(),
            cmd::INIT_LOAD_RESP
        ))
    })
}

/// A complete load of `amount`: the card's MAC1 and TAC checked, the MAC2 computed here.
fn load(ctx: &mut Ctx<'_>, amount: u32) -> Check {
    let dlk: Key = ctx.purse_card_key(key::DLK)?;
    let r = init_load(ctx, amount)?;
    let session = LoadSession::new(
        ctx.profile(),
        &dlk,
        CardRandom(r.random),
        OnlineCounter(r.counter),
    )
    .map_err(|e| fail(format!("SESLK: {e}")))?;
    let l = Load {
        amount: Amount(amount),
        tx_type: TransactionType(cmd::TX_LOAD),
        terminal: TERMINAL,
    };
    if !session.verify_mac1(Balance(r.balance), &l, &r.mac1) {
        return Err(fail(
            "the card's load MAC1 is not the one its DLK gives (SESLK from rnd ‖ online counter ‖ 8000)",
        ));
    }
    let mac2 = session
        .mac2(&l, &WHEN)
        .map_err(|e| fail(format!("MAC2: {e}")))?;
    let c = cmd::credit_for_load(&Credit {
        date: WHEN.date,
        time: WHEN.time,
        mac2,
    })
    .map_err(|e| fail(e.to_string()))?;
    let resp = ctx.expect_cmd("CREDIT FOR LOAD", &c, &[StatusWord::OK])?;
    let tac = resp.data.get(..4).ok_or_else(|| {
        fail(format!(
            "CREDIT FOR LOAD answered {} bytes, not 4",
            resp.data.len()
        ))
    })?;
    let tk = tac_key(ctx)?;
    let new_balance = Balance(r.balance.saturating_add(amount));
    if !tk.verify_load_tac(new_balance, OnlineCounter(r.counter), &l, &WHEN, tac) {
        return Err(fail("the load TAC is not the one DTK gives"));
    }
    Ok(())
}

/// Make sure the balance holds at least `need` (a load where it does not).
fn ensure_balance(ctx: &mut Ctx<'_>, need: u32) -> Result<u32, Verdict> {
    let b = balance(ctx)?;
    if b >= need {
        return Ok(b);
    }
    load(ctx, need - b)?;
    balance(ctx)
}

fn init_purchase(
    ctx: &mut Ctx<'_>,
    key_index: u8,
    a: MedicalAmounts,
) -> Result<crate::ctx::Resp, Verdict> {
    let c = cmd::initialize_for_purchase(&InitPurchase {
        key_index,
        amounts: PurseAmounts {
            personal_account: a.personal_account.0,
            total: a.total.0,
            account_and_fund: a.account_and_fund.0,
        },
        terminal: TERMINAL.0,
        class: class::ORDINARY,
    })
    .map_err(|e| fail(e.to_string()))?;
    ctx.send_cmd(&c)
}

/// A purchase opened: the card's answer, the MAC1 session, the transaction.
struct Opened {
    init: InitPurchaseResponse,
    session: PurchaseSession,
    tx: MedicalPurchase,
}

fn open_purchase(ctx: &mut Ctx<'_>, a: MedicalAmounts, serial: u32) -> Result<Opened, Verdict> {
    let dpk = ctx.purse_card_key(key::DPK)?;
    let r = init_purchase(ctx, sp::PURCHASE_KEY_INDEX, a)?;
    if r.sw != StatusWord::OK {
        return Err(fail(format!(
            "INITIALIZE FOR PURCHASE (PIN verified, balance enough): {}",
            sw_text(r.sw)
        )));
    }
    let init = InitPurchaseResponse::parse(&r.data).map_err(|_| {
        fail(format!(
            "INITIALIZE FOR PURCHASE answered {} bytes, not {}",
            r.data.len(),
            cmd::INIT_PURCHASE_RESP
        ))
    })?;
    let serial = TerminalSerial(serial);
    let session = PurchaseSession::new(
        ctx.profile(),
        &dpk,
        CardRandom(init.random),
        OfflineCounter(init.counter),
        serial,
    )
    .map_err(|e| fail(format!("SESPK: {e}")))?;
    let tx = MedicalPurchase {
        amounts: a,
        tx_type: TransactionType::EP_PURCHASE,
        terminal: TERMINAL,
        serial,
        when: WHEN,
    };
    Ok(Opened { init, session, tx })
}

fn debit_apdu(o: &Opened, mac1: [u8; 4]) -> Result<sscard_apdu::Command, Verdict> {
    cmd::debit_for_purchase(&Debit {
        serial: o.tx.serial.0,
        date: WHEN.date,
        time: WHEN.time,
        mac1,
    })
    .map_err(|e| fail(e.to_string()))
}

fn mac1(o: &Opened) -> Result<[u8; 4], Verdict> {
    o.session
        .mac1(&o.tx)
        .map_err(|e| fail(format!("MAC1: {e}")))
}

/// A complete purchase of `personal`; returns the card's MAC2 ‖ TAC after checking both.
fn purchase(ctx: &mut Ctx<'_>, personal: u32, serial: u32) -> Result<(Opened, [u8; 8]), Verdict> {
    let o = open_purchase(ctx, amounts(personal), serial)?;
    let c = debit_apdu(&o, mac1(&o)?)?;
    let r = ctx.expect_cmd("DEBIT FOR PURCHASE", &c, &[StatusWord::OK])?;
    let d = cmd::DebitResponse::parse(&r.data).map_err(|_| {
        fail(format!(
            "DEBIT FOR PURCHASE answered {} bytes, not 8",
            r.data.len()
        ))
    })?;
    if !o.session.verify_mac2(&o.tx, &d.mac2) {
        return Err(fail(
            "the card's MAC2 is not the one SESPK gives over the three amounts",
        ));
    }
    let tk = tac_key(ctx)?;
    if !tk.verify_purchase_tac(&o.tx, &d.tac) {
        return Err(fail("the purchase TAC is not the one DTK gives"));
    }
    let mut both = [0u8; 8];
    both[..4].copy_from_slice(&d.mac2);
    both[4..].copy_from_slice(&d.tac);
    Ok((o, both))
}

/// The balance must still be `before`.
fn unchanged(ctx: &mut Ctx<'_>, before: u32, what: &str) -> Check {
    let now = balance(ctx)?;
    if now != before {
        return Err(fail(format!(
            "{what} changed the balance: {before} → {now} fen"
        )));
    }
    Ok(())
}

/// Record 1 of DF04 EF08 (by SFI; the PIN is verified).
fn newest_record(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    let spec = ef::DF04_EF08
        .spec()
        .ok_or_else(|| fail("DF04 EF08 missing from the specs"))?;
    let c = sscard_apdu::commands::read_record(
        sscard_apdu::commands::RecordSelector::ByNumber(1),
        Some(spec.sfi),
        sp::ef08::LEN as u32,
    )
    .map_err(|e| fail(e.to_string()))?;
    let r = ctx.expect_cmd("READ RECORD DF04 EF08 #1", &c, &[StatusWord::OK])?;
    if r.data.len() != sp::ef08::LEN {
        return Err(fail(format!(
            "EF08 record of {} bytes, not {}",
            r.data.len(),
            sp::ef08::LEN
        )));
    }
    Ok(r.data)
}

fn add(
    a: &mut AreaCases,
    subject: &str,
    title: &str,
    requirement: &str,
    step: impl Fn(&mut Ctx<'_>) -> Check + Send + Sync + 'static,
) {
    a.add(
        subject,
        title,
        requirement,
        REF,
        Needs::KEYS_PIN,
        move |ctx| {
            enter(ctx)?;
            step(ctx)
        },
    )
    .destructive();
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Purse);
    add(
        &mut a,
        "LOAD-MAC1-MAC2-TAC",
        "A load: MAC1, MAC2, TAC and the balance",
        "INITIALIZE FOR LOAD answers balance, online counter, key version, algorithm id, random \
         and a MAC1 under SESLK; CREDIT FOR LOAD with the MAC2 of the issuer's DLK answers the \
         TAC of DTK, and the balance grows by the amount.",
        |ctx| {
            let before = balance(ctx)?;
            load(ctx, LOAD)?;
            let after = balance(ctx)?;
            if after != before + LOAD {
                return Err(fail(format!(
                    "balance {before} + {LOAD} loaded = {after} fen"
                )));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "LOAD-BAD-MAC2",
        "A load with a wrong MAC2 loads nothing",
        "CREDIT FOR LOAD with a MAC2 that is not the issuer's answers 9302 and leaves the balance \
         and the online counter unchanged.",
        |ctx| {
            let before = balance(ctx)?;
            let r = init_load(ctx, LOAD)?;
            let c = cmd::credit_for_load(&Credit {
                date: WHEN.date,
                time: WHEN.time,
                mac2: [0x5A; 4],
            })
            .map_err(|e| fail(e.to_string()))?;
            let sw = ctx.send_cmd(&c)?.sw;
            expect_sw(
                "CREDIT FOR LOAD with a wrong MAC2",
                sw,
                StatusWord::MAC_INVALID,
            )?;
            unchanged(ctx, before, "a refused CREDIT")?;
            let again = init_load(ctx, LOAD)?;
            if again.counter != r.counter {
                return Err(fail(format!(
                    "the online counter moved from {} to {} on a refused CREDIT",
                    r.counter, again.counter
                )));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "PURCHASE-MAC1-MAC2-TAC",
        "A purchase: MAC1 accepted, MAC2 and TAC the issuer's, balance debited",
        "DEBIT FOR PURCHASE with the MAC1 of SESPK (DPK; rnd ‖ offline counter ‖ serial) answers \
         TAC ‖ MAC2: MAC2 over the three amounts under SESPK, TAC under DTK; the balance goes \
         down by the personal-account amount.",
        |ctx| {
            let before = ensure_balance(ctx, PAY)?;
            purchase(ctx, PAY, 1)?;
            let after = balance(ctx)?;
            if after != before - PAY {
                return Err(fail(format!("balance {before} − {PAY} = {after} fen")));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "PURCHASE-BAD-MAC1",
        "A wrong MAC1 charges nothing",
        "DEBIT FOR PURCHASE with one bit of MAC1 flipped answers 9302; balance and offline \
         counter unchanged.",
        |ctx| {
            let before = ensure_balance(ctx, PAY)?;
            let o = open_purchase(ctx, amounts(PAY), 2)?;
            let mut m = mac1(&o)?;
            m[3] ^= 0x01;
            let sw = ctx.send_cmd(&debit_apdu(&o, m)?)?.sw;
            expect_sw("DEBIT with a wrong MAC1", sw, StatusWord::MAC_INVALID)?;
            unchanged(ctx, before, "a refused DEBIT")?;
            let again = open_purchase(ctx, amounts(PAY), 3)?;
            if again.init.counter != o.init.counter {
                return Err(fail(format!(
                    "the offline counter moved from {} to {} on a refused DEBIT",
                    o.init.counter, again.init.counter
                )));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "PURCHASE-REPLAYED-DEBIT",
        "A replayed DEBIT charges nothing",
        "The same DEBIT FOR PURCHASE sent again after it succeeded is refused (6985: no purchase \
         session), and so is the old MAC1 after a new INITIALIZE (9302: new random); the \
         balance is debited once.",
        |ctx| {
            let before = ensure_balance(ctx, PAY * 2)?;
            let (o, _) = purchase(ctx, PAY, 4)?;
            let old = debit_apdu(&o, mac1(&o)?)?;
            let sw = ctx.send_cmd(&old)?.sw;
            if sw == StatusWord::OK {
                return Err(fail("the same DEBIT was accepted twice"));
            }
            let _ = open_purchase(ctx, amounts(PAY), 4)?;
            let sw2 = ctx.send_cmd(&old)?.sw;
            expect_sw(
                "the old DEBIT after a new INITIALIZE",
                sw2,
                StatusWord::MAC_INVALID,
            )?;
            unchanged(ctx, before - PAY, "a replayed DEBIT")
        },
    );
    add(
        &mut a,
        "PURCHASE-KEY-INDEX-UNSUPPORTED",
        "An unsupported purchase key index",
        "INITIALIZE FOR PURCHASE with a key index the card does not hold answers 9403.",
        |ctx| {
            let before = ensure_balance(ctx, PAY)?;
            let sw = init_purchase(ctx, sp::PURCHASE_KEY_INDEX.wrapping_add(1), amounts(PAY))?.sw;
            expect_sw("key index 02", sw, StatusWord::new(0x94, 0x03))?;
            unchanged(ctx, before, "INITIALIZE with a wrong key index")
        },
    );
    add(
        &mut a,
        "PURCHASE-INSUFFICIENT-BALANCE",
        "A purchase above the balance",
        "INITIALIZE FOR PURCHASE for a personal-account amount above the balance answers 9401 \
         and changes nothing.",
        |ctx| {
            let b = balance(ctx)?;
            let sw = init_purchase(ctx, sp::PURCHASE_KEY_INDEX, amounts(b.saturating_add(1)))?.sw;
            expect_sw("balance + 1 fen", sw, StatusWord::INSUFFICIENT_BALANCE)?;
            unchanged(ctx, b, "a refused INITIALIZE")
        },
    );
    add(
        &mut a,
        "COUNTERS-PROGRESS",
        "The counters count transactions",
        "A successful DEBIT increments the offline counter by one and a successful CREDIT the \
         online counter by one (INITIALIZE answers the counter before the transaction).",
        |ctx| {
            // two INITIALIZEs for PAY, with one DEBIT between them
            ensure_balance(ctx, 2 * PAY)?;
            let (o, _) = purchase(ctx, PAY, 5)?;
            let next = open_purchase(ctx, amounts(PAY), 6)?;
            if next.init.counter != o.init.counter.wrapping_add(1) {
                return Err(fail(format!(
                    "offline counter {} after the purchase with {}",
                    next.init.counter, o.init.counter
                )));
            }
            let l0 = init_load(ctx, LOAD)?.counter;
            load(ctx, LOAD)?;
            let l1 = init_load(ctx, LOAD)?.counter;
            if l1 != l0.wrapping_add(1) {
                return Err(fail(format!(
                    "online counter {l1} after the load with {l0}"
                )));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "LOG-NEWEST-FIRST",
        "The transaction log records each transaction, newest first",
        "After a purchase, DF04 EF08 record 1 holds it: seq = the offline counter before it, type \
         '2', the terminal number, date ‖ time, the three amounts; after a load, record 1 is the \
         load (type '1', personal account = the amount) and record 2 the purchase.",
        |ctx| {
            ensure_balance(ctx, PAY)?;
            let (o, _) = purchase(ctx, PAY, 7)?;
            let mut want = Vec::with_capacity(sp::ef08::LEN);
            want.extend_from_slice(&o.init.counter.to_be_bytes());
            want.push(sp::EF08_TYPE_SETTLEMENT);
            want.extend_from_slice(&TERMINAL.0);
            want.extend_from_slice(&WHEN.to_bytes());
            want.extend_from_slice(&o.tx.amounts.to_bytes());
            let rec = newest_record(ctx)?;
            if rec != want {
                return Err(fail(format!(
                    "EF08 record 1 after the purchase is {}, expected {}",
                    hex::encode_upper(&rec),
                    hex::encode_upper(&want)
                )));
            }
            load(ctx, LOAD)?;
            let rec1 = newest_record(ctx)?;
            if rec1.get(sp::ef08::TYPE) != Some(&sp::EF08_TYPE_LOAD) {
                return Err(fail(format!(
                    "EF08 record 1 after a load is {} (type not '1')",
                    hex::encode_upper(&rec1)
                )));
            }
            let spec = ef::DF04_EF08
                .spec()
                .ok_or_else(|| fail("DF04 EF08 missing from the specs"))?;
            let c = sscard_apdu::commands::read_record(
                sscard_apdu::commands::RecordSelector::ByNumber(2),
                Some(spec.sfi),
                sp::ef08::LEN as u32,
            )
            .map_err(|e| fail(e.to_string()))?;
            let r2 = ctx.expect_cmd("READ RECORD DF04 EF08 #2", &c, &[StatusWord::OK])?;
            if r2.data != want {
                return Err(fail(format!(
                    "EF08 record 2 after the load is {}, expected the purchase {}",
                    hex::encode_upper(&r2.data),
                    hex::encode_upper(&want)
                )));
            }
            Ok(())
        },
    );
    add(
        &mut a,
        "PROVE-LAST-PURCHASE",
        "GET TRANSACTION PROVE gives the lost answer, and only for the last purchase",
        "GET TRANSACTION PROVE for the offline counter of the last purchase answers its MAC2 ‖ \
         TAC (what a terminal that lost the DEBIT answer needs); for the counter after it (no \
         such purchase yet) 9406.",
        |ctx| {
            ensure_balance(ctx, PAY)?;
            let (o, mac2_tac) = purchase(ctx, PAY, 8)?;
            let c = cmd::get_transaction_prove(ProveKind::Purchase, o.init.counter)
                .map_err(|e| fail(e.to_string()))?;
            let r = ctx.expect_cmd("GET TRANSACTION PROVE", &c, &[StatusWord::OK])?;
            let p = ProveResponse::parse(ProveKind::Purchase, &r.data)
                .map_err(|_| fail(format!("{} bytes, not 8", r.data.len())))?;
            let mut got = [0u8; 8];
            got[..4].copy_from_slice(&p.mac2.unwrap_or_default());
            got[4..].copy_from_slice(&p.tac);
            if got != mac2_tac {
                return Err(fail(format!(
                    "proved {} but DEBIT answered MAC2 ‖ TAC {}",
                    hex::encode_upper(got),
                    hex::encode_upper(mac2_tac)
                )));
            }
            let c = cmd::get_transaction_prove(ProveKind::Purchase, o.init.counter.wrapping_add(1))
                .map_err(|e| fail(e.to_string()))?;
            let sw = ctx.send_cmd(&c)?.sw;
            expect_sw(
                "GET TRANSACTION PROVE for a purchase not made",
                sw,
                StatusWord::MAC_TAC_UNAVAILABLE,
            )
        },
    );
    a.into_cases()
}
