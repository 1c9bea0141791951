//! `sscard conform`: a conformance suite card vendors can run against any chip — a PC/SC card or
//! the in-process card OS — proven by mutation (`tests/conform_faults.rs` runs it against
//! deliberately faulty card-OS variants and must catch every one).
//!
//! Cases are **generated from `sscard_specs`** (one per DF/EF, per data item file, per access
//! rule, per key …) and grouped like the official COS / data-structure test areas
//! (sscard-spec.md §7.2): see [`Area`]. Each case carries an id, a requirement, a spec
//! reference, whether it is destructive, what it needs ([`Needs`]), and a step that drives the
//! card through a [`Transport`] and returns pass / fail / skip; every APDU exchange is recorded
//! (PIN data masked) so a failure shows what the card did.
//!
//! ## Case ids
//!
//! A case's id names what it tests, so it stays the same when cases are added, removed or
//! reordered (vendors keep waivers, bug reports and `--only` filters across releases):
//!
//! ```text
//! id      = prefix 1*( "-" word )        ; at most 40 characters (MAX_ID_LEN)
//! prefix  = "SEL" / "FIL" / "ITM" / "REC" / "ACC" / "PIN" / "CHL" / "MAC" / "LCY" / "SW" / "TEAR"
//! word    = upper *( upper / digit )     ; upper = "A"–"Z", digit = "0"–"9"
//! ```
//!
//! After the area's prefix ([`Area::prefix`]) come the **subject** and the **rule**. Generated
//! cases take the subject from the spec entry they were generated from — a DF or EF name of
//! `sscard_specs` (`DF01`, `SSSE-EF05`), a key name (`RKSSSE`, `UKSSSE`) — and hand-written ones
//! name the command or feature they exercise (`VERIFY`, `GET-CHALLENGE`, `CARD`):
//!
//! | id | case |
//! | --- | --- |
//! | `FIL-DF01-EF05-PRESENT-SFI` | DF01/EF05 is present, selectable by FID and addressable by SFI |
//! | `FIL-DF01-EF05-STRUCTURE` | DF01/EF05 has the spec's structure and size |
//! | `ITM-SSSE-EF06-FORMAT` | SSSE/EF06's items have their types, lengths and paddings |
//! | `ACC-DF04-EF06-READ-REFUSED-PIN-ALONE` | DF04/EF06 (PIN and key) is not readable with the PIN alone |
//! | `ACC-DF01-KEY-STATE-CLEARED` | selecting another DF clears DF01's key state |
//! | `PIN-VERIFY-WRONG-DECREMENTS` | a wrong PIN decrements the try counter |
//! | `CHL-RKSSSE-REPLAY` | a challenge serves one EXTERNAL AUTHENTICATE (RKSSSE) |
//! | `MAC-UKSSSE-BAD-MAC` | a wrong line-protection MAC under UKSSSE answers 6988 |
//! | `SW-INS-UNKNOWN` | an unknown INS answers 6D00 |
//!
//! Every word starts with a letter: digits only appear inside a named word (`DF01`, `EF1A`, `P1`,
//! `RK1DF01`), never as a bare (sequence) number. `--only` selects the cases whose id starts with
//! a given string, so `--only ACC-DF04` runs every access case of DF04 and `--only MAC` the MAC
//! area. [`is_valid_case_id`] checks the grammar; the crate's tests check that every id follows
//! it, is unique, and is the same from one call of [`all_cases`] to the next.
//!
//! Safety (GSA CCT's lesson, anchors.md §A15): the default run never harms a card. Cases that
//! consume PIN or key tries or block the PIN, an application or the card run only with
//! [`Options::destructive`] *and* [`Options::confirm_card_number`] equal to the card number read
//! from the card. The `--pin` PIN is only presented when given, and a PIN the card refuses is
//! never presented again in the run (a correct PIN restores the try counter, so presenting it
//! again is harmless). Cases that might cost a key try on a non-conforming card end with a
//! successful authentication, which restores the counter.
//!
//! False failures are avoided by accepting every alternative the reference allows (e.g. SELECT
//! answering `61xx` or FCI + `9000`; optional files absent → skip; `[1]`-only features such as
//! READ RECORD "all from P1" refused → skip).
//!
//! ```no_run
//! use sscard_conform::{self as conform, Options};
//! # fn f(transport: &mut dyn sscard_terminal::transport::Transport) {
//! let report = conform::run(transport, &Options::default());
//! println!("{}", report.summary_table());
//! # }
//! ```

mod area;
mod case;
pub mod cases;
mod ctx;
mod error;
pub mod fresh;
mod html;
mod id;
mod junit;
mod power;
mod report;
mod verdict;

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::fci::Fci;
use sscard_apdu::StatusWord;
use sscard_specs::files::SSSE_NAME;
use sscard_specs::SpecVersion;

pub use self::area::{Area, Needs};
pub use self::case::{Case, Step};
pub use self::ctx::{ef_name, sw_text, Ctx, Resp};
pub use self::error::ConformError;
pub use self::id::{is_valid_case_id, MAX_ID_LEN};
pub use self::power::{Landing, Plain, PowerControl, Target};
pub use self::report::{AreaSummary, CardFacts, CaseResult, Exchange, Report};
pub use self::verdict::{fail, skip, Check, Verdict};

use self::ctx::{Env, PinState};
use sscard_terminal::session::Crypto;
use sscard_terminal::transport::Transport;

/// How to run the suite.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Enable destructive cases (PIN tries, PIN blocking, application / card block).
    pub destructive: bool,
    /// The card number typed by the user (or `--yes-destroy-card`); destructive cases run only
    /// when it equals the card number read from the card.
    pub confirm_card_number: Option<String>,
    /// The holder's PIN (ASCII digits), for cases that need it.
    pub pin: Option<String>,
    /// Only these areas (empty = all).
    pub areas: Vec<Area>,
    /// Only cases whose id starts with one of these (empty = all).
    pub only: Vec<String>,
    /// Description of the target for the report (reader name, image path …).
    pub target_name: String,
}

/// Progress of a run, given to the callback after each case.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Cases done.
    pub done: usize,
    /// Cases in the run.
    pub total: usize,
    /// The case just finished.
    pub result: &'a CaseResult,
}

/// Every case, in run order: non-destructive first, then destructive, the irreversible card
/// block last.
pub fn all_cases() -> Vec<Case> {
    let mut v = cases::generate();
    v.sort_by_key(|c| (c.destructive, c.irreversible));
    v
}

/// The cases `opts` selects, in run order.
pub fn selected_cases(opts: &Options) -> Vec<Case> {
    all_cases()
        .into_iter()
        .filter(|c| opts.areas.is_empty() || opts.areas.contains(&c.area))
        .filter(|c| {
            opts.only.is_empty()
                || opts.only.iter().any(|p| {
                    c.id.to_ascii_uppercase()
                        .starts_with(&p.to_ascii_uppercase())
                })
        })
        .collect()
}

/// Read what the suite needs to know about the card: ATR, FCI algorithm id, card id, version,
/// card number. Nothing is written and no PIN or key is presented.
pub fn probe(target: &mut dyn Target) -> CardFacts {
    let env = probe_env(target, None);
    facts(&env)
}

fn facts(env: &Env) -> CardFacts {
    CardFacts {
        atr: hex::encode_upper(&env.atr),
        card_id: env.card_id.map(hex::encode_upper),
        spec_version: env.version.map(|v| v.as_str().to_string()),
        card_number: env.card_number.clone(),
        algorithm_id: env.algorithm_id,
    }
}

fn probe_env(target: &mut dyn Target, pin: Option<String>) -> Env {
    let _ = target.transport().reset();
    let mut env = Env {
        atr: target.transport().atr().to_vec(),
        card_id: None,
        version: None,
        algorithm_id: None,
        card_number: None,
        pin,
        pin_state: PinState::Unknown,
    };
    let t = target.transport();
    let send = |t: &mut dyn Transport, c: sscard_apdu::Command| -> Option<Vec<u8>> {
        let r = t.transmit(&c.to_vec().ok()?).ok()?;
        let (data, sw) = r.split_at(r.len().checked_sub(2)?);
        let sw = StatusWord::from_bytes(<[u8; 2]>::try_from(sw).ok()?);
        (sw == StatusWord::OK).then(|| data.to_vec())
    };
    let Ok(sel) = commands::select_by_name(SSSE_NAME) else {
        return env;
    };
    let Some(fci) = send(t, sel) else {
        return env;
    };
    env.algorithm_id = Fci::parse(&fci).ok().and_then(|f| f.algorithm_id);
    if send(t, commands::select_ef(sscard_specs::ef::SSSE_EF05.fid())).is_none() {
        return env;
    }
    let mut item = |tag: u8| -> Option<Vec<u8>> {
        let c = commands::read_record(RecordSelector::ByTag(tag), None, 256).ok()?;
        let rec = send(t, c)?;
        match rec.as_slice() {
            [t2, len, value @ ..] if *t2 == tag && usize::from(*len) == value.len() => {
                Some(value.to_vec())
            }
            _ => None,
        }
    };
    env.card_id = item(0x01).and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok());
    env.version = item(0x03)
        .and_then(|v| <[u8; 4]>::try_from(v.as_slice()).ok())
        .and_then(|v| SpecVersion::parse(&v));
    env.card_number = item(0x07).map(|v| {
        String::from_utf8_lossy(&v)
            .trim_end_matches('\0')
            .to_string()
    });
    let _ = target.transport().reset();
    env
}

/// Run the suite over a plain transport without issuer keys.
pub fn run(transport: &mut dyn Transport, opts: &Options) -> Report {
    run_with(&mut Plain(transport), None, opts, &mut |_| {})
}

/// Destructive cases are enabled *and* the typed confirmation equals the card's number.
pub fn destructive_confirmed(opts: &Options, card_number: Option<&str>) -> bool {
    match (opts.destructive, &opts.confirm_card_number, card_number) {
        (true, Some(typed), Some(card)) => typed.trim().eq_ignore_ascii_case(card.trim()),
        _ => false,
    }
}

fn gate(c: &Case, opts: &Options, env: &Env, keys: bool, power: bool) -> Option<Verdict> {
    if c.destructive {
        if !opts.destructive {
            return Some(skip("destructive: runs only with --destructive"));
        }
        if !destructive_confirmed(opts, env.card_number.as_deref()) {
            return Some(skip(
                "destructive: the confirmation does not match the card number read from the card",
            ));
        }
    }
    if c.needs.keys && !keys {
        return Some(skip("needs issuer keys (--keys FILE or --psam-reader)"));
    }
    if c.needs.power_control && !power {
        return Some(skip(
            "needs a transport that can cut the power mid-command (only the in-process emulator)",
        ));
    }
    if c.needs.pin && opts.pin.is_none() {
        return Some(skip("needs the holder's PIN (--pin)"));
    }
    None
}

/// Run the suite: `target` (with power control where available), an optional security module,
/// and a progress callback called after every case.
pub fn run_with(
    target: &mut dyn Target,
    crypto: Option<&mut dyn Crypto>,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Report {
    run_cases(target, crypto, opts, &selected_cases(opts), progress)
}

/// Run `cases` in the order given (not [`selected_cases`]'s): the shuffle test runs the suite
/// in other orders to show that no case's verdict depends on the cases before it. The caller
/// keeps the irreversible cases last.
pub fn run_cases(
    target: &mut dyn Target,
    mut crypto: Option<&mut dyn Crypto>,
    opts: &Options,
    cases: &[Case],
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Report {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let t0 = Instant::now();
    let apdus0 = target.transport().apdu_count();
    let mut env = probe_env(target, opts.pin.clone());
    let card = facts(&env);
    let keys = crypto.is_some();
    let power = target.power().is_some();
    let total = cases.len();
    let mut results = Vec::with_capacity(total);
    for (i, c) in cases.iter().enumerate() {
        let t = Instant::now();
        let (verdict, exchanges) = match gate(c, opts, &env, keys, power) {
            Some(v) => (v, Vec::new()),
            None => {
                // Every case starts from the cold state, whatever the case before it did: a
                // power cycle where the target can do one (a card that wrongly keeps its
                // security state over a warm reset is caught by its own case, not by whichever
                // case happens to follow an authentication), else the warm reset below.
                if let Some(p) = target.power() {
                    p.restore();
                }
                let cr: Option<&mut dyn Crypto> = match crypto {
                    Some(ref mut m) => Some(&mut **m),
                    None => None,
                };
                let mut ctx = Ctx::new(target, cr, &mut env);
                // A bug in a case must not end the run against a real card: a panic is that
                // case's failure.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    ctx.reset().and_then(|()| (c.step)(&mut ctx))
                }));
                let v = match outcome {
                    Ok(Ok(())) => Verdict::Pass,
                    Ok(Err(v)) => v,
                    Err(p) => fail(format!(
                        "the case itself failed (suite bug, please report): {}",
                        p.downcast_ref::<&str>()
                            .map(|s| (*s).to_string())
                            .or_else(|| p.downcast_ref::<String>().cloned())
                            .unwrap_or_default()
                    )),
                };
                (v, ctx.into_log())
            }
        };
        results.push(CaseResult {
            id: c.id.clone(),
            area: c.area,
            area_number: c.area.number(),
            title: c.title.clone(),
            requirement: c.requirement.clone(),
            reference: c.reference.clone(),
            destructive: c.destructive,
            needs: c.needs,
            verdict,
            exchanges,
            duration_us: u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX),
        });
        if let Some(last) = results.last() {
            progress(&Progress {
                done: i + 1,
                total,
                result: last,
            });
        }
    }
    let _ = target.transport().reset();
    Report {
        tool: format!("sscard conform {}", env!("CARGO_PKG_VERSION")),
        started_utc: report::iso8601(started),
        duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        apdus: target.transport().apdu_count().saturating_sub(apdus0),
        target: if opts.target_name.is_empty() {
            "card".to_string()
        } else {
            opts.target_name.clone()
        },
        destructive: destructive_confirmed(opts, card.card_number.as_deref()),
        keys,
        card,
        results,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sscard_specs::files::all_efs;
    use sscard_specs::types::DfId;
    use sscard_specs::DFS;

    fn ids() -> Vec<String> {
        all_cases().into_iter().map(|c| c.id).collect()
    }

    #[test]
    fn ids_are_unique_grammatical_and_deterministic() {
        let cases = all_cases();
        let first = ids();
        assert_eq!(first, ids(), "two calls of all_cases() give different ids");
        let mut sorted = first.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), first.len(), "duplicate case ids");
        for c in &cases {
            assert!(
                is_valid_case_id(&c.id),
                "{} does not follow the id grammar",
                c.id
            );
            assert!(
                c.id.starts_with(&format!("{}-", c.area.prefix())),
                "{} is not in area {}",
                c.id,
                c.area.prefix()
            );
            // No bare number (a position) in an id: digits only inside named words.
            assert!(
                c.id.split('-')
                    .all(|w| !w.bytes().next().is_some_and(|b| b.is_ascii_digit())),
                "{} contains a bare number",
                c.id
            );
        }
    }

    /// Generated cases are named after the spec entry they were generated from.
    #[test]
    fn generated_ids_name_their_spec_entry() {
        let ids = ids();
        let has = |id: String| assert!(ids.contains(&id), "{id} missing");
        for ef in all_efs() {
            let e = id::ef(ef);
            has(format!("FIL-{e}-PRESENT-SFI"));
            has(format!("FIL-{e}-STRUCTURE"));
            if ef.structure.is_record() {
                has(format!("ITM-{e}-FORMAT"));
            }
            has(format!("ACC-{e}-WRITE-REFUSED"));
        }
        for df in DFS
            .iter()
            .filter(|d| !matches!(d.id, DfId::Mf | DfId::Ssse))
        {
            has(format!("SEL-{}-BY-FID", df.id.name()));
        }
        for df in DFS.iter().filter(|d| d.aid.is_some()) {
            has(format!("SEL-{}-BY-AID", df.id.name()));
        }
    }

    #[test]
    fn only_filters_by_id_prefix() {
        let only = |p: &str| {
            selected_cases(&Options {
                only: vec![p.to_string()],
                ..Options::default()
            })
        };
        let df04 = only("acc-df04");
        assert!(df04.len() >= 4, "{df04:?}");
        assert!(df04.iter().all(|c| c.id.starts_with("ACC-DF04-")));
        let mac = only("MAC");
        assert!(!mac.is_empty() && mac.iter().all(|c| c.area == Area::Mac));
        let one = only("MAC-UKSSSE-BAD-MAC");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].id, "MAC-UKSSSE-BAD-MAC");
    }
}
