//! Area 11: anti-tearing (sscard-spec.md §7.2 "防拔"; profile.md §4; DESIGN.md card-os journal).
//! Needs a target that can cut the power after the k-th non-volatile write (the in-process card
//! OS over a `TearingStore`); a PC/SC reader cannot, and these cases are skipped there.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;

use super::pin::{guarded, query_tries, verify_ascii, wrong_pin};
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

/// Most cut points tried per command.
const MAX_K: usize = 48;

fn power_needs(mut n: Needs) -> Needs {
    n.power_control = true;
    n
}

fn name_record(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    let ef06 = sscard_specs::ef::SSSE_EF06
        .spec()
        .ok_or_else(|| fail("specs: no SSSE EF06"))?;
    ctx.gain_read(ef06)?;
    ctx.expect_cmd(
        "SELECT EF06",
        &commands::select_ef(sscard_specs::ef::SSSE_EF06.fid()),
        &[StatusWord::OK],
    )?;
    let r = ctx.read_record(
        RecordSelector::ByTag(sscard_specs::item::SSSE_EF06_NAME.tag()),
        None,
    )?;
    if r.sw != StatusWord::OK {
        return Err(fail(format!("READ RECORD tag 09: {}", sw_text(r.sw))));
    }
    Ok(r.data)
}

fn write_name(ctx: &mut Ctx<'_>, record: &[u8]) -> Result<StatusWord, Verdict> {
    ctx.authenticate(sscard_specs::key::UKSSSE)?;
    ctx.expect_cmd(
        "SELECT EF06",
        &commands::select_ef(sscard_specs::ef::SSSE_EF06.fid()),
        &[StatusWord::OK],
    )?;
    let c = commands::update_record(2, None, record).map_err(|e| fail(e.to_string()))?;
    Ok(ctx.send_cmd(&c)?.sw)
}

fn update_record_atomic(ctx: &mut Ctx<'_>) -> Check {
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
    let mut cuts = 0usize;
    for k in 0..=MAX_K {
        ctx.reset()?;
        name_record(ctx)?;
        ctx.authenticate(sscard_specs::key::UKSSSE)?;
        ctx.expect_cmd(
            "SELECT EF06",
            &commands::select_ef(sscard_specs::ef::SSSE_EF06.fid()),
            &[StatusWord::OK],
        )?;
        ctx.power()?.arm_cut(k);
        let c = commands::update_record(2, None, &new).map_err(|e| fail(e.to_string()))?;
        let sw = ctx.send_cmd(&c)?.sw;
        let cut = ctx.power()?.was_cut();
        ctx.power()?.restore();
        ctx.note(format!(
            "power cut after {k} writes: {}",
            if cut { "cut" } else { "not reached" }
        ));
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
        if cut {
            cuts += 1;
        } else {
            break;
        }
    }
    if cuts == 0 {
        return Err(skip("the command made no non-volatile write to cut"));
    }
    Ok(())
}

fn verify_needs_persisted_counter(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    let pin = ctx
        .env
        .pin
        .clone()
        .ok_or_else(|| skip("needs the holder's PIN (--pin)"))?;
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
    let pin = ctx
        .env
        .pin
        .clone()
        .ok_or_else(|| skip("needs the holder's PIN (--pin)"))?;
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

/// EXTERNAL AUTHENTICATE for a fresh challenge; `wrong` flips a cryptogram bit.
fn ext_auth(ctx: &mut Ctx<'_>, wrong: bool) -> Result<Vec<u8>, Verdict> {
    let ch = ctx.challenge()?;
    let mut apdu = ctx.ext_auth_apdu(KEY, &ch)?;
    if wrong {
        if let Some(b) = apdu.get_mut(5) {
            *b ^= 0x01;
        }
    }
    Ok(apdu)
}

fn ext_auth_needs_persisted_counter(ctx: &mut Ctx<'_>) -> Check {
    ctx.power()?;
    ctx.select_ssse()?;
    let apdu = ext_auth(ctx, false)?;
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
        let apdu = ext_auth(ctx, true)?;
        ctx.power()?.arm_cut(k);
        let sw = ctx.send(&apdu)?.sw;
        let cut = ctx.power()?.was_cut();
        ctx.power()?.restore();
        // A second wrong cryptogram shows the counter (63Cx = tries left after it).
        ctx.select_ssse()?;
        let probe = ext_auth(ctx, true)?;
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
        update_record_atomic,
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
    a.into_cases()
}
