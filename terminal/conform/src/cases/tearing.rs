//! Area 11: anti-tearing (sscard-spec.md §7.2 "防拔"; profile.md §4; DESIGN.md card-os journal).
//! Needs a target that can cut the power after the k-th non-volatile write (the in-process card
//! OS over a `TearingStore`); a PC/SC reader cannot, and these cases are skipped there.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;

use super::capacity::{all_records, gain_write};
use super::content;
use super::lifecycle::application_unblock;
use super::pin::{
    change, guarded, other_pin, query_tries, reload, reload_apdu, restore_pin, verify_ascii,
    wrong_pin,
};
use super::tamper::wrong_auth_apdu;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, sw_text, Ctx};
use crate::id;
use crate::power::Landing;
use crate::verdict::{fail, skip, Check, Verdict};
use sscard_specs::files::all_efs;
use sscard_specs::types::{DfId, EfSpec, EfStructure, WriteRule};

/// How the atomicity cases cut a command (their requirement texts).
const EVERY_CUT: &str = "cut after every possible number of writes, the cut write landing nothing / its first byte / half / all but its last byte";

/// Most cut points tried per command.
const MAX_K: usize = 48;

fn power_needs(mut n: Needs) -> Needs {
    n.power_control = true;
    n
}

/// Cut points where the cut write lands nothing, then its first byte, half, all but its last
/// byte (sscard-spec.md §7.2 anti-tearing: a page torn part-way).
const LANDINGS: [Option<Landing>; 4] = [
    None,
    Some(Landing::FirstByte),
    Some(Landing::Half),
    Some(Landing::AllButLast),
];

fn landing_text(l: Option<Landing>) -> &'static str {
    match l {
        None => "nothing of the cut write landed",
        Some(Landing::FirstByte) => "its first byte landed",
        Some(Landing::Half) => "half of it landed",
        Some(Landing::AllButLast) => "all but its last byte landed",
    }
}

/// Send `apdu` with the power cut after `k` non-volatile writes (the cut one landing
/// `landing`), then restore the power: the card's answer and whether the cut happened.
fn fire(
    ctx: &mut Ctx<'_>,
    k: usize,
    landing: Option<Landing>,
    apdu: &[u8],
) -> Result<(StatusWord, bool), Verdict> {
    match landing {
        None => ctx.power()?.arm_cut(k),
        Some(l) => ctx.power()?.arm_cut_landing(k, l),
    }
    let sw = ctx.send(apdu)?.sw;
    let cut = ctx.power()?.was_cut();
    ctx.power()?.restore();
    ctx.note(format!(
        "power cut after {k} writes ({}): {}",
        landing_text(landing),
        if cut { "cut" } else { "not reached" }
    ));
    Ok((sw, cut))
}

/// Run `attempt(ctx, k, landing)` (which returns whether the cut happened) for every landing
/// and k = 0, 1, … until a command completes without being cut.
fn every_cut(
    ctx: &mut Ctx<'_>,
    attempt: impl FnMut(&mut Ctx<'_>, usize, Option<Landing>) -> Result<bool, Verdict>,
) -> Check {
    every_cut_landing(ctx, &LANDINGS, attempt)
}

/// [`every_cut`] for the landings `landings` only.
fn every_cut_landing(
    ctx: &mut Ctx<'_>,
    landings: &[Option<Landing>],
    mut attempt: impl FnMut(&mut Ctx<'_>, usize, Option<Landing>) -> Result<bool, Verdict>,
) -> Check {
    ctx.power()?;
    let mut cuts = 0usize;
    for &landing in landings {
        for k in 0..=MAX_K {
            if attempt(ctx, k, landing)? {
                cuts += 1;
            } else {
                break;
            }
        }
    }
    if cuts == 0 {
        return Err(skip("the command made no non-volatile write to cut"));
    }
    Ok(())
}

/// APPEND RECORD to the cyclic `ef` torn at every point: afterwards the file holds either its
/// old records or the new record first followed by the old ones (the oldest dropped when full).
fn append_atomic(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let mut n = 2000u32;
    every_cut(ctx, |ctx, k, landing| {
        gain_write(ctx, ef)?;
        let before = all_records(ctx, ef)?;
        n += 1;
        let mut new = content::cyclic_record(ef, n)?;
        if before.first() == Some(&new) {
            n += 1;
            new = content::cyclic_record(ef, n)?;
        }
        let c = commands::append_record(None, &new)
            .and_then(|c| c.to_vec())
            .map_err(|e| fail(e.to_string()))?;
        let (sw, cut) = fire(ctx, k, landing, &c)?;
        ctx.reset()?;
        ctx.gain_read(ef)?;
        ctx.expect_select_ef(ef)?;
        let after = all_records(ctx, ef)?;
        let appended = after.first() == Some(&new)
            && after.get(1..).is_some_and(|rest| {
                rest == before.as_slice()
                    || (rest.len() + 1 == before.len() && before.starts_with(rest))
            });
        if after != before && !appended {
            return Err(fail(format!(
                "after a power cut at write {k} ({}) of APPEND RECORD, {} holds neither its old records nor the new record followed by them ({} records, record 1 {})",
                landing_text(landing),
                ef_name(ef),
                after.len(),
                after.first().map_or("none".to_string(), hex::encode_upper)
            )));
        }
        if !cut && (sw != StatusWord::OK || !appended) {
            return Err(fail(format!(
                "APPEND RECORD without a cut: {} and the new record {}",
                sw_text(sw),
                if appended {
                    "is record 1"
                } else {
                    "is not record 1"
                }
            )));
        }
        Ok(cut)
    })
}

/// Which of `old` and `new` is the PIN now (VERIFY `old`, else `new`): `Some(true)` when it is
/// `new`; the correct one restores the counter. `None`: neither verifies.
fn which_pin(ctx: &mut Ctx<'_>, old: &str, new: &str) -> Result<Option<bool>, Verdict> {
    ctx.select_ssse()?;
    if verify_ascii(ctx, old)? == StatusWord::OK {
        return Ok(Some(false));
    }
    if verify_ascii(ctx, new)? == StatusWord::OK {
        return Ok(Some(true));
    }
    Ok(None)
}

/// A PIN-changing command torn at every point: afterwards exactly the old or the new PIN
/// verifies (and the case puts the old one back). `build(ctx, old, new)` prepares the APDU (it
/// may authenticate first); `back(ctx, old, new)` restores the old PIN.
fn pin_change_atomic(
    ctx: &mut Ctx<'_>,
    what: &str,
    build: fn(&mut Ctx<'_>, &str, &str) -> Result<Vec<u8>, Verdict>,
    back: fn(&mut Ctx<'_>, &str, &str) -> Check,
) -> Check {
    let p = ctx.holder_pin()?;
    let new = other_pin(&p);
    let res = every_cut(ctx, |ctx, k, landing| {
        restore_pin(ctx, &p)?;
        let apdu = build(ctx, &p, &new)?;
        let (sw, cut) = fire(ctx, k, landing, &apdu)?;
        let now = which_pin(ctx, &p, &new)?;
        match now {
            None => {
                return Err(fail(format!(
                    "after a power cut at write {k} ({}) of {what}, neither the old nor the new PIN verifies",
                    landing_text(landing)
                )))
            }
            Some(true) => back(ctx, &p, &new)?,
            Some(false) => {}
        }
        if !cut && (sw != StatusWord::OK || now != Some(true)) {
            return Err(fail(format!(
                "{what} without a cut: {} and the {} PIN verifies",
                sw_text(sw),
                if now == Some(true) { "new" } else { "old" }
            )));
        }
        Ok(cut)
    });
    let after = restore_pin(ctx, &p);
    res.and(after)
}

fn change_apdu(ctx: &mut Ctx<'_>, old: &str, new: &str) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse()?;
    let o = ctx.bcd_of(old)?;
    let n = ctx.bcd_of(new)?;
    commands::change_pin(&o, &n)
        .and_then(|c| c.to_vec())
        .map_err(|e| fail(e.to_string()))
}

fn change_back(ctx: &mut Ctx<'_>, old: &str, new: &str) -> Check {
    ctx.select_ssse()?;
    let sw = change(ctx, new, old)?;
    if sw == StatusWord::OK {
        Ok(())
    } else {
        Err(fail(format!(
            "CHANGE PIN back to the old PIN: {}",
            sw_text(sw)
        )))
    }
}

fn reload_to_new_apdu(ctx: &mut Ctx<'_>, _old: &str, new: &str) -> Result<Vec<u8>, Verdict> {
    reload_apdu(ctx, new)
}

fn reload_back(ctx: &mut Ctx<'_>, old: &str, _new: &str) -> Check {
    reload(ctx, old)
}

/// APPLICATION BLOCK of DF01 torn at every point: afterwards DF01 is either usable (SELECT
/// 9000) or temporarily blocked (6283), never anything else; the case unblocks it.
fn block_atomic(ctx: &mut Ctx<'_>) -> Check {
    every_cut(ctx, |ctx, k, landing| {
        ctx.reset()?;
        let r = ctx.try_select_df(DfId::Df01)?;
        if r.sw == StatusWord::SELECTED_FILE_INVALIDATED {
            application_unblock(ctx)?;
            ctx.reset()?;
            ctx.select_df(DfId::Df01)?;
        } else if !r.ok() {
            return Err(fail(format!("SELECT DF01: {}", sw_text(r.sw))));
        }
        let apdu =
            ctx.mac_command_fresh(commands::application_block(false), sscard_specs::key::STK)?;
        let (sw, cut) = fire(ctx, k, landing, &apdu)?;
        let r = ctx.try_select_df(DfId::Df01)?;
        let blocked = match r.sw {
            StatusWord::OK => false,
            StatusWord::SELECTED_FILE_INVALIDATED => true,
            other => {
                return Err(fail(format!(
                    "after a power cut at write {k} ({}) of APPLICATION BLOCK, SELECT DF01 answers {} (expected 9000 or 6283)",
                    landing_text(landing),
                    sw_text(other)
                )))
            }
        };
        if blocked {
            application_unblock(ctx)?;
        }
        if !cut && (sw != StatusWord::OK || !blocked) {
            return Err(fail(format!(
                "APPLICATION BLOCK without a cut: {} and DF01 {}",
                sw_text(sw),
                if blocked { "blocked" } else { "not blocked" }
            )));
        }
        Ok(cut)
    })
}

fn name_record(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    let ef06 = sscard_specs::ef::SSSE_EF06
        .spec()
        .ok_or_else(|| fail("specs: no SSSE EF06"))?;
    ctx.gain_read(ef06)?;
    ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF06)?;
    let r = ctx.read_record(
        RecordSelector::ByTag(sscard_specs::item::SSSE_EF06_NAME.tag()),
        None,
    )?;
    if r.sw != StatusWord::OK {
        return Err(fail(format!("READ RECORD tag 09: {}", sw_text(r.sw))));
    }
    Ok(r.data)
}

/// UKSSSE authenticated and SSSE EF06 selected: the UPDATE RECORD 2 APDU writing `record` (not
/// sent).
fn name_update_apdu(ctx: &mut Ctx<'_>, record: &[u8]) -> Result<Vec<u8>, Verdict> {
    ctx.authenticate(sscard_specs::key::UKSSSE)?;
    ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF06)?;
    commands::update_record(2, None, record)
        .and_then(|c| c.to_vec())
        .map_err(|e| fail(e.to_string()))
}

fn write_name(ctx: &mut Ctx<'_>, record: &[u8]) -> Result<StatusWord, Verdict> {
    let apdu = name_update_apdu(ctx, record)?;
    Ok(ctx.send(&apdu)?.sw)
}

fn update_record_atomic(ctx: &mut Ctx<'_>, landings: &[Option<Landing>]) -> Check {
    ctx.power()?;
    let old = name_record(ctx)?;
    if old.first() != Some(&sscard_specs::item::SSSE_EF06_NAME.tag()) || old.len() < 3 {
        return Err(fail("the name record of SSSE EF06 is not a TLV of its tag"));
    }
    // The case writes record 2: only when record 2 is the name record (a card with another
    // record order is never changed by it).
    let r2 = ctx.read_record(RecordSelector::ByNumber(2), None)?;
    if r2.sw != StatusWord::OK || r2.data != old {
        return Err(fail(format!(
            "record 2 of SSSE EF06 ({} {}) is not the name record: not written",
            hex::encode_upper(&r2.data),
            sw_text(r2.sw)
        )));
    }
    // A new value that differs from the old one in every byte, so any mix of the two shows.
    let mut new = old.clone();
    for (i, b) in new.iter_mut().skip(2).enumerate() {
        let c = b'A' + (i % 26) as u8;
        *b = if *b == c { c + 1 } else { c };
    }
    every_cut_landing(ctx, landings, |ctx, k, landing| {
        ctx.reset()?;
        name_record(ctx)?;
        let apdu = name_update_apdu(ctx, &new)?;
        let (sw, cut) = fire(ctx, k, landing, &apdu)?;
        let now = name_record(ctx)?;
        if now != old && now != new {
            return Err(fail(format!(
                "after a power cut at write {k}, record 2 is neither the old nor the new record: {}",
                hex::encode_upper(&now)
            )));
        }
        if !cut && (sw != StatusWord::OK || now != new) {
            return Err(fail(format!(
                "UPDATE RECORD without a cut: {} and the record {} the new value",
                sw_text(sw),
                if now == new { "holds" } else { "does not hold" }
            )));
        }
        if now == new {
            let back = write_name(ctx, &old)?;
            if back != StatusWord::OK {
                return Err(fail(format!("restoring the old record: {}", sw_text(back))));
            }
        }
        Ok(cut)
    })
}

fn verify_needs_persisted_counter(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    let pin = ctx.holder_pin()?;
    ctx.select_ssse()?;
    ctx.power()?.arm_cut(0);
    let sw = verify_ascii(ctx, &pin)?;
    ctx.power()?.restore();
    let res = if sw == StatusWord::OK {
        Err(fail(
            "VERIFY answered 9000 while no non-volatile write could land: the card compared the PIN before persisting the decremented try counter",
        ))
    } else {
        Ok(())
    };
    ctx.select_ssse()?;
    let sw = verify_ascii(ctx, &pin)?;
    if sw != StatusWord::OK {
        return Err(fail(format!(
            "the correct PIN after power is restored: {}",
            sw_text(sw)
        )));
    }
    res
}

fn wrong_pin_never_free(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    let pin = ctx.holder_pin()?;
    let wrong = wrong_pin(&pin);
    for k in 0..=MAX_K {
        ctx.reset()?;
        ctx.select_ssse()?;
        let Some(before) = query_tries(ctx)? else {
            return Err(skip("the card does not report tries left"));
        };
        ctx.power()?.arm_cut(k);
        let sw = verify_ascii(ctx, &wrong)?;
        let cut = ctx.power()?.was_cut();
        ctx.power()?.restore();
        ctx.select_ssse()?;
        let after = query_tries(ctx)?.unwrap_or(before);
        let revealed = sw.tries_left().is_some() || sw == StatusWord::AUTH_BLOCKED;
        let bad = (revealed && after + 1 != before) || after > before;
        // Restore the counter with the correct PIN.
        let ok = verify_ascii(ctx, &pin)?;
        if bad {
            return Err(fail(format!(
                "power cut at write {k}: the card answered {} to a wrong PIN but the counter went {before} → {after}",
                sw_text(sw)
            )));
        }
        if ok != StatusWord::OK {
            return Err(fail(format!("the correct PIN afterwards: {}", sw_text(ok))));
        }
        if !cut {
            return Ok(());
        }
    }
    Ok(())
}

/// The key the EXTERNAL AUTHENTICATE tearing cases use (card-level, SSSE).
const KEY: &str = sscard_specs::key::RKSSSE;

fn ext_auth_needs_persisted_counter(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    ctx.select_ssse()?;
    let apdu = ctx.ext_auth_fresh(KEY)?;
    ctx.power()?.arm_cut(0);
    let sw = ctx.send(&apdu)?.sw;
    ctx.power()?.restore();
    let res = if sw == StatusWord::OK {
        Err(fail(format!(
            "EXTERNAL AUTHENTICATE {KEY} answered 9000 while no non-volatile write could land: the card compared the cryptogram before persisting the decremented key try counter"
        )))
    } else {
        Ok(())
    };
    ctx.select_ssse()?;
    ctx.authenticate(KEY)?;
    res
}

fn wrong_cryptogram_never_free(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    let limit = ctx.profile().key_try_limit;
    if limit < 3 {
        return Err(skip(format!(
            "key try limit {limit}: probing the counter could block {KEY}"
        )));
    }
    for k in 0..=MAX_K {
        ctx.reset()?;
        ctx.select_ssse()?;
        // Start from a full counter.
        ctx.authenticate(KEY)?;
        let apdu = wrong_auth_apdu(ctx, KEY)?;
        ctx.power()?.arm_cut(k);
        let sw = ctx.send(&apdu)?.sw;
        let cut = ctx.power()?.was_cut();
        ctx.power()?.restore();
        // A second wrong cryptogram shows the counter (63Cx = tries left after it).
        ctx.select_ssse()?;
        let probe = wrong_auth_apdu(ctx, KEY)?;
        let shown = ctx.send(&probe)?.sw;
        // A successful authentication restores the counter.
        ctx.authenticate(KEY)?;
        let revealed = sw.tries_left().is_some() || sw == StatusWord::AUTH_BLOCKED;
        let Some(after_probe) = shown.tries_left() else {
            return Err(fail(format!(
                "a wrong cryptogram after power-up: expected 63Cx, the card answered {}",
                sw_text(shown)
            )));
        };
        let after = after_probe + 1;
        if (revealed && after + 1 != limit) || after > limit {
            return Err(fail(format!(
                "power cut at write {k}: the card answered {} to a wrong cryptogram but the {KEY} counter went {limit} → {after}",
                sw_text(sw)
            )));
        }
        if !cut {
            return Ok(());
        }
    }
    Ok(())
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Tearing);
    a.add(
        format!("{}-UPDATE-ATOMIC", id::ef_ref(sscard_specs::ef::SSSE_EF06)),
        "UPDATE RECORD is atomic under power cuts",
        "Cutting the power after every possible number of non-volatile writes of UPDATE RECORD (SSSE EF06 record 2) leaves the record either entirely old or entirely new after power-up; the case restores the old record.",
        "sscard-spec.md §7.2 (anti-tearing); DESIGN.md (card-os journal)",
        power_needs(Needs::KEYS),
        |ctx| update_record_atomic(ctx, &[None]),
    );
    a.add(
        "VERIFY-COUNTER-FIRST",
        "VERIFY persists the try counter before comparing",
        "With non-volatile writes cut off, VERIFY with the correct PIN must not answer 9000: the decremented counter is written before the comparison, so cutting the power cannot save a try.",
        "profile.md §4 (\"decremented and persisted before the comparison\")",
        power_needs(Needs::PIN),
        verify_needs_persisted_counter,
    );
    a.add(
        "VERIFY-WRONG-NEVER-FREE",
        "A wrong PIN never comes for free",
        "For every cut point of VERIFY with a wrong PIN: if the card revealed the failure (63Cx/6983), the counter after power-up is one lower; it never goes up. The correct PIN restores it after each step.",
        "profile.md §4; sscard-spec.md §7.2",
        power_needs(Needs::PIN),
        |ctx| {
            ctx.power()?;
            guarded(ctx, |ctx, _| wrong_pin_never_free(ctx))
        },
    )
    .destructive();
    a.add(
        "EXTERNAL-AUTH-COUNTER-FIRST",
        "EXTERNAL AUTHENTICATE persists the key try counter before comparing",
        "With non-volatile writes cut off, EXTERNAL AUTHENTICATE (RKSSSE) with a valid cryptogram must not answer 9000: the decremented key counter is written before the comparison. A successful authentication afterwards restores the counter.",
        "profile.md §2, §3 (key try counters); sscard-spec.md §7.2",
        power_needs(Needs::KEYS),
        ext_auth_needs_persisted_counter,
    );
    a.add(
        "EXTERNAL-AUTH-WRONG-NEVER-FREE",
        "A wrong cryptogram never comes for free",
        "For every cut point of EXTERNAL AUTHENTICATE (RKSSSE) with a wrong cryptogram: if the card revealed the failure (63Cx), a second wrong cryptogram after power-up shows the counter one lower. A successful authentication restores it after each step.",
        "profile.md §2, §3; sscard-spec.md §7.2",
        power_needs(Needs::KEYS),
        wrong_cryptogram_never_free,
    )
    .destructive();
    a.add(
        format!("{}-UPDATE-PARTIAL-WRITES", id::ef_ref(sscard_specs::ef::SSSE_EF06)),
        "UPDATE RECORD survives a page torn part-way",
        "As TEAR-SSSE-EF06-UPDATE-ATOMIC, but the cut write lands its first byte, then half of it, then all but its last byte: after power-up record 2 is always entirely old or entirely new.",
        "sscard-spec.md §7.2 (anti-tearing); DESIGN.md (card-os journal)",
        power_needs(Needs::KEYS),
        |ctx| update_record_atomic(ctx, &LANDINGS[1..]),
    );
    if let Some(ef) = all_efs().find(|e| {
        matches!(e.structure, EfStructure::Cyclic { .. }) && matches!(e.write, WriteRule::Key(_))
    }) {
        a.add(
            format!("{}-APPEND-ATOMIC", id::ef(ef)),
            "APPEND RECORD to a cyclic file is atomic under power cuts",
            format!(
                "APPEND RECORD to the cyclic {} (it moves the newest-record pointer and writes a record: two places) {EVERY_CUT}: afterwards the file holds its old records, or the new record followed by them.",
                ef_name(ef)
            ),
            "sscard-spec.md §7.2 (anti-tearing), §3.2 (cyclic files)",
            power_needs(Needs::KEYS),
            move |ctx: &mut Ctx<'_>| append_atomic(ctx, ef),
        )
        .destructive();
    }
    a.add(
        "CHANGE-PIN-ATOMIC",
        "CHANGE PIN is atomic under power cuts",
        format!("CHANGE PIN (try counter and PIN: two places) {EVERY_CUT}: afterwards exactly the old or the new PIN verifies; the case puts the old PIN back."),
        "sscard-spec.md §7.2 (anti-tearing); profile.md §4",
        power_needs(Needs::PIN),
        |ctx| pin_change_atomic(ctx, "CHANGE PIN", change_apdu, change_back),
    )
    .destructive();
    a.add(
        "PIN-RELOAD-ATOMIC",
        "PIN RELOAD is atomic under power cuts",
        format!("PIN RELOAD (PIN and try counter) {EVERY_CUT}: afterwards exactly the old or the new PIN verifies; the case reloads the old PIN."),
        "sscard-spec.md §7.2 (anti-tearing); profile.md §4",
        power_needs(Needs::KEYS_PIN),
        |ctx| pin_change_atomic(ctx, "PIN RELOAD", reload_to_new_apdu, reload_back),
    )
    .destructive();
    a.add(
        format!("{}-BLOCK-ATOMIC", id::df(DfId::Df01)),
        "APPLICATION BLOCK is atomic under power cuts",
        format!("APPLICATION BLOCK of DF01 {EVERY_CUT}: afterwards DF01 is either usable (SELECT 9000) or temporarily blocked (6283), nothing else; the case unblocks it."),
        "sscard-spec.md §7.2 (anti-tearing); profile.md §5",
        power_needs(Needs::KEYS),
        block_atomic,
    )
    .destructive();
    a.into_cases()
}
