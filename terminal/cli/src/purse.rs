//! `sscard balance | debit | load | log`: the DF04 medical purse (`docs/purse.md`).
//!
//! Amounts are yuan with at most two decimals (`12.50`). `debit` needs the holder's PIN
//! (`--pin`, else stdin) and a security module: a PSAM (`--psam-reader`, its terminal number and
//! serial) or the issuer keys (`--keys`, with `--terminal-no` and the serial file of
//! `sscard_terminal::security::terminal_serial`). `load` needs the issuer keys (DLK: the back
//! end's part). If the card is lost while DEBIT/CREDIT may have reached it, the command waits
//! for the card (`--wait`) and asks it what happened: "charged" with the TAC, or "not charged"
//! — never a guess; exit 8 when the card does not come back.

use std::time::{Duration, Instant};

use serde::Serialize;
use sscard_keys::purse::{Amount, DateTime, MedicalAmounts, TerminalId};
use sscard_specs::purse::class;
use sscard_terminal::error::{Error, Result};
use sscard_terminal::model::purse::LogEntry;
use sscard_terminal::model::Fen;
use sscard_terminal::security::purse::{PurseModule, SoftwarePurse};
use sscard_terminal::security::terminal_serial::SerialStore;
use sscard_terminal::session::{PendingTransaction, PurchaseOrder, Receipt, Resolution};
use sscard_terminal::transport::AnyTransport;
use sscard_terminal::Session;

use super::{secret, Ctx};

/// Options of the transaction commands.
#[derive(Debug, clap::Args)]
pub struct TxOpts {
    /// Terminal number (12 digits) with --keys; a PSAM uses its own (EF16).
    #[arg(long, value_name = "DIGITS", default_value = "000000000001")]
    terminal_no: String,
    /// Transaction date and time `YYYYMMDDhhmmss` (default: now, local time).
    #[arg(long, value_name = "YYYYMMDDhhmmss")]
    time: Option<String>,
    /// Seconds to wait for the card to come back when it is lost mid-transaction.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    wait: u64,
}

/// `sscard debit`.
#[derive(Debug, clap::Args)]
pub struct DebitArgs {
    /// What the purse balance is debited by (personal-account amount), yuan.
    #[arg(allow_hyphen_values = true)]
    amount: String,
    /// Settlement class: ordinary, work-injury, maternity, medical-aid, other.
    #[arg(long = "type", value_name = "CLASS", default_value = "ordinary")]
    class: String,
    /// The settlement's self-pay (total) amount, yuan (default: AMOUNT).
    #[arg(long, value_name = "YUAN", allow_hyphen_values = true)]
    self_pay: Option<String>,
    /// The settlement's pooled-fund (account + fund) amount, yuan.
    #[arg(
        long,
        value_name = "YUAN",
        default_value = "0",
        allow_hyphen_values = true
    )]
    fund: String,
    /// The holder's PIN (default: read from stdin).
    #[arg(long)]
    pin: Option<String>,
    #[command(flatten)]
    tx: TxOpts,
}

/// `sscard load`.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The amount to load, yuan.
    #[arg(allow_hyphen_values = true)]
    amount: String,
    #[command(flatten)]
    tx: TxOpts,
}

/// `sscard log`.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The holder's PIN (default: with --keys none is needed, else read from stdin).
    #[arg(long)]
    pin: Option<String>,
}

fn class_byte(name: &str) -> Result<u8> {
    Ok(match name {
        "ordinary" | "0" => class::ORDINARY,
        "work-injury" | "1" => class::WORK_INJURY,
        "maternity" | "2" => class::MATERNITY,
        "medical-aid" | "3" => class::MEDICAL_AID,
        "other" | "9" => class::OTHER,
        _ => {
            return Err(Error::Value {
                what: "--type",
                expected: "ordinary, work-injury, maternity, medical-aid or other",
                got: name.into(),
            })
        }
    })
}

fn positive(what: &'static str, s: &str) -> Result<Fen> {
    let f = Fen::parse_yuan(what, s)?;
    if f.0 == 0 {
        return Err(Error::Value {
            what,
            expected: "more than 0",
            got: s.into(),
        });
    }
    Ok(f)
}

fn terminal_id(s: &str) -> Result<TerminalId> {
    let bad = || Error::Value {
        what: "--terminal-no",
        expected: "12 digits",
        got: s.into(),
    };
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let b = hex::decode(s).map_err(|_| bad())?;
    <[u8; 6]>::try_from(b.as_slice())
        .map(TerminalId)
        .map_err(|_| bad())
}

fn bcd(digits: &str) -> Vec<u8> {
    hex::decode(digits).unwrap_or_default()
}

fn when(given: &Option<String>) -> Result<DateTime> {
    let s = match given {
        Some(s) => s.clone(),
        None => chrono::Local::now().format("%Y%m%d%H%M%S").to_string(),
    };
    let bad = || Error::Value {
        what: "--time",
        expected: "YYYYMMDDhhmmss, a valid date and time",
        got: s.clone(),
    };
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let b = bcd(&s);
    let (date, time) = ([b[0], b[1], b[2], b[3]], [b[4], b[5], b[6]]);
    if !sscard_specs::purse::valid_date_time(date, time) {
        return Err(bad());
    }
    Ok(DateTime::new(date, time))
}

/// The purse module: the PSAM of --psam-reader, else the issuer keys of --keys.
fn module(
    ctx: &Ctx,
    s: &Session<AnyTransport>,
    tx: &TxOpts,
    load: bool,
) -> Result<Box<dyn PurseModule>> {
    if ctx.psam_reader.is_some() && load {
        return Err(Error::Usage(
            "a load needs the issuer keys (--keys FILE): the load MAC2 is the back end's, a PSAM \
             does not compute it"
                .into(),
        ));
    }
    if let Some(p) = ctx.open_psam(s.profile())? {
        return Ok(Box::new(p));
    }
    if ctx.keys.is_none() {
        return Err(Error::Usage(
            "this command needs a security module: a PSAM (--psam-reader READER) or the issuer \
             keys (--keys FILE)"
                .into(),
        ));
    }
    let kf = ctx.key_file()?;
    Ok(Box::new(SoftwarePurse::new(
        kf.profile,
        kf.keys,
        terminal_id(&tx.terminal_no)?,
        SerialStore::default_file()?,
    )))
}

fn print_receipt(ctx: &Ctx, r: &Receipt) -> Result<()> {
    if ctx.json {
        return ctx.print_json(r);
    }
    let verb = match r.kind {
        sscard_terminal::session::TxKind::Purchase => "debited",
        sscard_terminal::session::TxKind::Load => "loaded",
    };
    println!(
        "{verb} {} yuan: balance {} → {}{}",
        r.amount,
        r.balance_before,
        r.balance_after,
        if r.recovered {
            " (found out from the card after it was lost)"
        } else {
            ""
        }
    );
    if let (Some(sp), Some(f)) = (r.self_pay, r.pooled_fund) {
        println!(
            "settlement: self-pay {sp}, pooled fund {f}, class {}",
            r.class.as_deref().unwrap_or("?")
        );
    }
    print!("counter {}, terminal {}", r.counter, r.terminal);
    if let Some(sn) = r.serial {
        print!(", serial {sn}");
    }
    println!(", time {}", r.date_time);
    print!("TAC {}", r.tac);
    if let Some(m) = &r.mac2 {
        print!(
            ", MAC2 {m} ({})",
            match r.mac2_valid {
                Some(true) => "verified",
                Some(false) => "NOT the issuer's",
                None => "not checked",
            }
        );
    }
    println!();
    Ok(())
}

/// Wait for the card to come back and open a new session on it.
fn reconnect(ctx: &Ctx, wait: u64) -> Result<Session<AnyTransport>> {
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        match ctx.connect().and_then(Session::open) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// Run a transaction; when its answer is lost, wait for the card and resolve it.
fn transact(
    ctx: &Ctx,
    mut s: Session<AnyTransport>,
    sm: &mut dyn PurseModule,
    pin: Option<&str>,
    wait: u64,
    run: impl FnOnce(&mut Session<AnyTransport>, &mut dyn PurseModule) -> Result<Receipt>,
) -> Result<()> {
    match run(&mut s, sm) {
        Ok(r) => {
            print_receipt(ctx, &r)?;
            let bad_mac2 = r.mac2_valid == Some(false);
            ctx.finish(s)?;
            if bad_mac2 {
                return Err(Error::NotGenuine {
                    card_number: "?".into(),
                    reason: "it was charged, but its MAC2 is not the issuer's".into(),
                });
            }
            Ok(())
        }
        Err(Error::InDoubt(p)) => {
            let _ = s.into_transport().close();
            eprintln!("sscard: {}", Error::InDoubt(p.clone()));
            eprintln!("sscard: waiting up to {wait} s for the card…");
            let s = reconnect(ctx, wait).map_err(|_| Error::InDoubt(p.clone()))?;
            resolve(ctx, s, sm, pin, &p)
        }
        Err(e) => {
            let _ = s.into_transport().close();
            Err(e)
        }
    }
}

fn resolve(
    ctx: &Ctx,
    mut s: Session<AnyTransport>,
    sm: &mut dyn PurseModule,
    pin: Option<&str>,
    p: &PendingTransaction,
) -> Result<()> {
    if let Some(pin) = pin {
        s.set_pin(pin)?;
    }
    match s.resolve(p, Some(sm)) {
        Ok(Resolution::Charged(r)) => {
            print_receipt(ctx, &r)?;
            ctx.finish(s)
        }
        Ok(Resolution::NotCharged) => {
            let _ = ctx.finish(s);
            Err(Error::NotCharged {
                kind: p.kind.to_string(),
                counter: p.counter,
            })
        }
        Err(e) => {
            let _ = s.into_transport().close();
            eprintln!("sscard: could not find out: {e}");
            Err(Error::InDoubt(Box::new(p.clone())))
        }
    }
}

/// `sscard debit`.
pub fn debit(ctx: &Ctx, a: DebitArgs) -> Result<()> {
    let amount = positive("AMOUNT", &a.amount)?;
    let self_pay = match &a.self_pay {
        Some(v) => Fen::parse_yuan("--self-pay", v)?,
        None => amount,
    };
    let fund = Fen::parse_yuan("--fund", &a.fund)?;
    let class = class_byte(&a.class)?;
    let when = when(&a.tx.time)?;
    terminal_id(&a.tx.terminal_no)?;
    let pin = secret::pin(a.pin, "PIN")?;
    let mut s = ctx.session(false)?;
    s.set_pin(&pin)?;
    let mut sm = match module(ctx, &s, &a.tx, false) {
        Ok(m) => m,
        Err(e) => {
            let _ = s.into_transport().close();
            return Err(e);
        }
    };
    let order = PurchaseOrder {
        amounts: MedicalAmounts {
            personal_account: Amount(amount.0),
            total: Amount(self_pay.0),
            account_and_fund: Amount(fund.0),
        },
        class,
        when,
    };
    transact(ctx, s, sm.as_mut(), Some(&pin), a.tx.wait, |s, sm| {
        s.purchase(sm, &order)
    })
}

/// `sscard load`.
pub fn load(ctx: &Ctx, a: LoadArgs) -> Result<()> {
    let amount = positive("AMOUNT", &a.amount)?;
    let when = when(&a.tx.time)?;
    terminal_id(&a.tx.terminal_no)?;
    let s = ctx.session(false)?;
    let mut sm = match module(ctx, &s, &a.tx, true) {
        Ok(m) => m,
        Err(e) => {
            let _ = s.into_transport().close();
            return Err(e);
        }
    };
    transact(ctx, s, sm.as_mut(), None, a.tx.wait, |s, sm| {
        s.load(sm, amount, when)
    })
}

#[derive(Serialize)]
struct BalanceOut {
    balance: Fen,
}

/// `sscard balance`.
pub fn balance(ctx: &Ctx) -> Result<()> {
    let mut s = ctx.session(false)?;
    let b = match s.balance() {
        Ok(b) => b,
        Err(e) => {
            let _ = s.into_transport().close();
            return Err(e);
        }
    };
    if ctx.json {
        ctx.print_json(&BalanceOut { balance: b })?;
    } else {
        println!("balance: {b} yuan");
    }
    ctx.finish(s)
}

/// `sscard log`.
pub fn log(ctx: &Ctx, a: LogArgs) -> Result<()> {
    let pin = match (a.pin, &ctx.keys) {
        (Some(p), _) => Some(secret::pin(Some(p), "PIN")?),
        (None, Some(_)) => None,
        (None, None) => Some(secret::pin(None, "PIN")?),
    };
    let mut s = ctx.session(false)?;
    if let Some(p) = &pin {
        s.set_pin(p)?;
    }
    let entries: Vec<LogEntry> = match s.purse_log() {
        Ok(e) => e,
        Err(e) => {
            let _ = s.into_transport().close();
            return Err(e);
        }
    };
    if ctx.json {
        ctx.print_json(&entries)?;
    } else if entries.is_empty() {
        println!("no transactions");
    } else {
        println!(
            "{:>3} {:>5} {:<10} {:<12} {:<19} {:>12} {:>12} {:>12}  class",
            "#", "seq", "type", "terminal", "time", "account", "self-pay", "fund"
        );
        for e in &entries {
            println!(
                "{:>3} {:>5} {:<10} {:<12} {:<19} {:>12} {:>12} {:>12}  {}",
                e.record,
                e.seq,
                e.kind,
                e.terminal,
                e.time,
                e.personal_account.to_string(),
                e.self_pay.to_string(),
                e.pooled_fund.to_string(),
                e.class.as_deref().unwrap_or("")
            );
        }
    }
    ctx.finish(s)
}
