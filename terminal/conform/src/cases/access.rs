//! Area 5: access rules per file and security state (sscard-spec.md §2.2, §10; profile.md §4):
//! reads and writes are refused (6982) before the file's condition is met and allowed after it;
//! key states are cleared when another DF is selected. Writes always rewrite the file's current
//! content, so a card that wrongly accepts one is not changed.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::{Command, StatusWord};
use sscard_specs::files::{all_efs, DFS};
use sscard_specs::types::{DfId, EfSpec, EfStructure, ReadRule, WriteRule};

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, record_tags, sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

fn rule_text(r: ReadRule) -> String {
    match r {
        ReadRule::Free => "free".into(),
        ReadRule::Pin => "PIN".into(),
        ReadRule::PinOrKey(k) => format!("PIN or {k}"),
        ReadRule::PinAndKey(k) => format!("PIN and {k}"),
        ReadRule::Key(k) => k.to_string(),
        ReadRule::Never => "never".into(),
    }
}

fn protected(ef: &EfSpec) -> bool {
    ef.read != ReadRule::Free || !ef.read_overrides.is_empty()
}

/// The read rule on this card, or a skip when it is free on this card's version.
fn rule(ctx: &Ctx<'_>, ef: &EfSpec) -> Result<ReadRule, Verdict> {
    match ef.read_for(ctx.version()) {
        ReadRule::Free => Err(skip(format!(
            "{} is free to read on a {} card",
            ef_name(ef),
            ctx.version().as_str()
        ))),
        r => Ok(r),
    }
}

/// SELECT the DF and the EF; an absent optional DF/EF is a skip.
pub(super) fn select(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    ctx.select_df_unless_absent(ef.df, ef.category != sscard_specs::Category::Active)?;
    let r = ctx.send_cmd(&commands::select_ef(ef.fid))?;
    match r.sw {
        StatusWord::OK => Ok(()),
        StatusWord::FILE_NOT_FOUND if ef.category != sscard_specs::Category::Active => {
            Err(skip(format!("{} absent (optional)", ef_name(ef))))
        }
        sw => Err(fail(format!("SELECT {}: {}", ef_name(ef), sw_text(sw)))),
    }
}

fn expect_read(ctx: &mut Ctx<'_>, ef: &EfSpec, allowed: bool, when: &str) -> Check {
    let r = ctx.read_first_by_sfi(ef, 16)?;
    let record = ef.structure_for(ctx.version()).is_record();
    let ok = if allowed {
        r.sw == StatusWord::OK || (record && r.sw == StatusWord::RECORD_NOT_FOUND)
    } else {
        r.sw == StatusWord::SECURITY_NOT_SATISFIED
    };
    if ok {
        Ok(())
    } else {
        Err(fail(format!(
            "reading {} {when}: expected {}, the card answered {}",
            ef_name(ef),
            if allowed { "9000" } else { "6982" },
            sw_text(r.sw)
        )))
    }
}

/// [`select`] `ef`, reset, and SELECT its DF again: the DF current, no security state.
fn cold_in_df(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    select(ctx, ef)?;
    ctx.reset()?;
    ctx.select_df(ef.df)?;
    Ok(())
}

/// From the cold state in `ef`'s DF, `gain` (VERIFY, EXTERNAL AUTHENTICATE …) opens `ef`
/// (`after`: how, for the failure text); after a reset and SELECT of the DF, reading it answers
/// 6982.
fn state_cleared_by_reset(
    ctx: &mut Ctx<'_>,
    ef: &EfSpec,
    gain: impl FnOnce(&mut Ctx<'_>) -> Check,
    after: &str,
) -> Check {
    cold_in_df(ctx, ef)?;
    gain(ctx)?;
    expect_read(ctx, ef, true, after)?;
    ctx.reset()?;
    ctx.select_df(ef.df)?;
    expect_read(ctx, ef, false, "after a reset")
}

/// The requirement of [`state_cleared_by_reset`] with `how` opening `ef`.
fn reset_clears_text(how: &str, ef: &EfSpec) -> String {
    format!(
        "After {how} in {df}, reading {e} succeeds; after a card reset and SELECT {df} again, reading it answers 6982.",
        df = ef.df.name(),
        e = ef_name(ef)
    )
}

fn read_refused(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    let r = rule(ctx, ef)?;
    cold_in_df(ctx, ef)?;
    expect_read(ctx, ef, false, &format!("before {}", rule_text(r)))
}

fn read_allowed(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    let r = rule(ctx, ef)?;
    select(ctx, ef)?;
    ctx.reset()?;
    ctx.gain_read(ef)?;
    expect_read(ctx, ef, true, &format!("after {}", rule_text(r)))
}

fn one_of_two_refused(ctx: &mut Ctx<'_>, ef: &EfSpec, with_key: bool) -> Check {
    let ReadRule::PinAndKey(k) = rule(ctx, ef)? else {
        return Err(skip("not a PIN-and-key file on this version"));
    };
    cold_in_df(ctx, ef)?;
    if with_key {
        ctx.authenticate(k)?;
        expect_read(ctx, ef, false, &format!("with {k} but without the PIN"))
    } else {
        ctx.verify_pin()?;
        expect_read(ctx, ef, false, &format!("with the PIN but without {k}"))
    }
}

/// The current first unit of `ef` (record 1 or the first 16 bytes), read with whatever the read
/// rule needs. `None` when the record file is empty.
pub(super) fn current_content(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Result<Option<Vec<u8>>, Verdict> {
    ctx.gain_read(ef)?;
    let r = ctx.read_first_by_sfi(ef, 16)?;
    match r.sw {
        StatusWord::OK if !r.data.is_empty() => {
            // Never rewrite record 1 with what is not record 1 (a card that answers another
            // record would be changed by the "harmless" rewrite).
            let v = ctx.version();
            if let (EfStructure::VariableRecords { .. }, Some(item)) =
                (ef.structure_for(v), record_tags(ef, v).first())
            {
                if r.data.first() != Some(&item.tag) {
                    return Err(fail(format!(
                        "record 1 of {} starts with {}, not the tag {:02X} of the spec's first item: not rewritten",
                        ef_name(ef),
                        r.data.first().map_or("nothing".to_string(), |t| format!("{t:02X}")),
                        item.tag
                    )));
                }
            }
            Ok(Some(r.data))
        }
        StatusWord::RECORD_NOT_FOUND => Ok(None),
        sw => Err(fail(format!(
            "reading the current content of {}: {}",
            ef_name(ef),
            sw_text(sw)
        ))),
    }
}

pub(super) fn rewrite(content: &[u8], record: bool) -> Result<Command, Verdict> {
    if record {
        commands::update_record(1, None, content)
    } else {
        commands::update_binary(0, content)
    }
    .map_err(|e| fail(e.to_string()))
}

fn write_refused(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    select(ctx, ef)?;
    ctx.reset()?;
    let Some(content) = current_content(ctx, ef)? else {
        return Err(skip(format!(
            "{} holds no record to rewrite with its own content",
            ef_name(ef)
        )));
    };
    let record = ef.structure_for(ctx.version()).is_record();
    let cmd = rewrite(&content, record)?;
    let allowed: &[StatusWord] = match ef.write {
        WriteRule::Never => &[
            StatusWord::SECURITY_NOT_SATISFIED,
            StatusWord::COMMAND_NOT_ALLOWED,
        ],
        WriteRule::Key(_) => &[StatusWord::SECURITY_NOT_SATISFIED],
    };
    // With read rights only (read key / PIN), then from the cold state.
    ctx.expect_select_ef(ef)?;
    ctx.expect_cmd(
        &format!("rewriting {} with only its read condition met", ef_name(ef)),
        &cmd,
        allowed,
    )?;
    ctx.reset()?;
    select(ctx, ef)?;
    ctx.expect_cmd(
        &format!("rewriting {} before any authentication", ef_name(ef)),
        &cmd,
        allowed,
    )?;
    Ok(())
}

fn write_allowed(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    let WriteRule::Key(uk) = ef.write else {
        return Err(skip("never writable"));
    };
    select(ctx, ef)?;
    ctx.reset()?;
    let Some(content) = current_content(ctx, ef)? else {
        return Err(skip(format!("{} holds no record to rewrite", ef_name(ef))));
    };
    let record = ef.structure_for(ctx.version()).is_record();
    ctx.authenticate(uk)?;
    ctx.expect_select_ef(ef)?;
    let cmd = rewrite(&content, record)?;
    ctx.expect_cmd(
        &format!("rewriting {} after EXTERNAL AUTHENTICATE {uk}", ef_name(ef)),
        &cmd,
        &[StatusWord::OK],
    )?;
    let back = if record {
        ctx.read_record(RecordSelector::ByNumber(1), None)?
    } else {
        let c = commands::read_binary(0, content.len() as u32).map_err(|e| fail(e.to_string()))?;
        ctx.send_cmd(&c)?
    };
    if back.sw != StatusWord::OK || back.data != content {
        return Err(fail(format!(
            "read-back after the rewrite: {} {} (wrote {})",
            hex::encode_upper(&back.data),
            sw_text(back.sw),
            hex::encode_upper(&content)
        )));
    }
    Ok(())
}

fn state_reset_on_df_change(ctx: &mut Ctx<'_>, ef: &EfSpec, key: &str) -> Check {
    cold_in_df(ctx, ef)?;
    ctx.authenticate(key)?;
    expect_read(ctx, ef, true, &format!("after {key}"))?;
    let other = if ef.df == DfId::Ssse {
        DfId::Df01
    } else {
        DfId::Ssse
    };
    ctx.select_df(other)?;
    ctx.select_df(ef.df)?;
    expect_read(
        ctx,
        ef,
        false,
        &format!(
            "after leaving {} for {} and coming back",
            ef.df.name(),
            other.name()
        ),
    )
}

/// The PIN state holds in the DFs below the SSSE and ends when the MF is selected (profile.md §4).
fn pin_state_ends_at_mf(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    if !matches!(
        ef.read_for(ctx.version()),
        ReadRule::Pin | ReadRule::PinOrKey(_)
    ) {
        return Err(skip(format!(
            "{} is not opened by the PIN on a {} card",
            ef_name(ef),
            ctx.version().as_str()
        )));
    }
    cold_in_df(ctx, ef)?;
    ctx.verify_pin()?;
    expect_read(ctx, ef, true, "after VERIFY")?;
    ctx.expect_cmd(
        "SELECT MF",
        &commands::select_by_fid(sscard_specs::files::MF_FID),
        &[StatusWord::OK],
    )?;
    ctx.select_df(ef.df)?;
    expect_read(
        ctx,
        ef,
        false,
        &format!("after SELECT MF and {} again", ef.df.name()),
    )
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Access);
    let acc_ref = format!("{}; profile.md §4", refs::FILES);
    for ef in all_efs().filter(|e| protected(e)) {
        let r = rule_text(ef.read);
        let over = if ef.read_overrides.is_empty() {
            String::new()
        } else {
            " (per version: see the spec table)".to_string()
        };
        a.add(
            format!("{}-READ-REFUSED", id::ef(ef)),
            format!("{} read refused before {r}", ef_name(ef)),
            format!(
                "From the cold state, reading {} (read rule: {r}{over}) answers 6982.",
                ef_name(ef)
            ),
            acc_ref.clone(),
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| read_refused(ctx, ef),
        );
        let needs = match ef.read {
            ReadRule::Pin => Needs::PIN,
            ReadRule::PinAndKey(_) => Needs::KEYS_PIN,
            ReadRule::Key(_) => Needs::KEYS,
            _ => Needs::NONE,
        };
        a.add(
            format!("{}-READ-ALLOWED", id::ef(ef)),
            format!("{} read allowed after {r}", ef_name(ef)),
            format!(
                "After {r} in {}, reading {} succeeds.",
                ef.df.name(),
                ef_name(ef)
            ),
            acc_ref.clone(),
            needs,
            move |ctx: &mut Ctx<'_>| read_allowed(ctx, ef),
        );
        if let ReadRule::PinAndKey(k) = ef.read {
            a.add(
                format!("{}-READ-REFUSED-KEY-ALONE", id::ef(ef)),
                format!("{} read refused with {k} alone", ef_name(ef)),
                format!(
                    "{} needs the PIN and {k}: {k} alone answers 6982.",
                    ef_name(ef)
                ),
                acc_ref.clone(),
                Needs::KEYS,
                move |ctx: &mut Ctx<'_>| one_of_two_refused(ctx, ef, true),
            );
            a.add(
                format!("{}-READ-REFUSED-PIN-ALONE", id::ef(ef)),
                format!("{} read refused with the PIN alone", ef_name(ef)),
                format!(
                    "{} needs the PIN and {k}: the PIN alone answers 6982.",
                    ef_name(ef)
                ),
                acc_ref.clone(),
                Needs::PIN,
                move |ctx: &mut Ctx<'_>| one_of_two_refused(ctx, ef, false),
            );
        }
    }
    // The PIN opens "PIN or RK" files (once, on the first such file: DF01 EF05).
    if let Some(ef) = all_efs().find(|e| matches!(e.read, ReadRule::PinOrKey(_))) {
        a.add(
            format!("{}-READ-ALLOWED-VERIFY", id::ef(ef)),
            format!("{} read allowed after VERIFY", ef_name(ef)),
            format!(
                "The SSSE PIN serves the PIN rules of the DFs below the SSSE: after VERIFY in {}, reading {} (PIN or key) succeeds.",
                ef.df.name(),
                ef_name(ef)
            ),
            "sscard-spec.md §5.6; profile.md §4",
            Needs::PIN,
            move |ctx: &mut Ctx<'_>| {
                cold_in_df(ctx, ef)?;
                ctx.verify_pin()?;
                expect_read(ctx, ef, true, "after VERIFY")
            },
        );
    }
    for ef in all_efs() {
        let w = match ef.write {
            WriteRule::Key(k) => k.to_string(),
            WriteRule::Never => "never".to_string(),
        };
        let title = match ef.write {
            WriteRule::Key(k) => format!("{} write refused without {k}", ef_name(ef)),
            WriteRule::Never => format!("{} write refused (never writable)", ef_name(ef)),
        };
        a.add(
            format!("{}-WRITE-REFUSED", id::ef(ef)),
            title,
            format!(
                "Rewriting {} (write rule: {w}) with its own current content answers 6982, both with only its read condition met and from the cold state.",
                ef_name(ef)
            ),
            acc_ref.clone(),
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| write_refused(ctx, ef),
        );
        if let WriteRule::Key(k) = ef.write {
            a.add(
                format!("{}-WRITE-ALLOWED", id::ef(ef)),
                format!("{} write allowed after {k}", ef_name(ef)),
                format!(
                    "After EXTERNAL AUTHENTICATE with {k}, rewriting {} with its own content answers 9000 and reads back unchanged.",
                    ef_name(ef)
                ),
                acc_ref.clone(),
                Needs::KEYS,
                move |ctx: &mut Ctx<'_>| write_allowed(ctx, ef),
            );
        }
    }
    for df in DFS.iter() {
        let Some((ef, key)) = df.efs.iter().find_map(|e| match e.read {
            ReadRule::Key(k) | ReadRule::PinOrKey(k) => Some((e, k)),
            _ => None,
        }) else {
            continue;
        };
        a.add(
            format!("{}-KEY-STATE-CLEARED", id::df(df.id)),
            format!("{} key state cleared by selecting another DF", df.id.name()),
            format!(
                "After EXTERNAL AUTHENTICATE {key} opens {}, selecting another DF and {} again clears it: reading answers 6982.",
                ef_name(ef),
                df.id.name()
            ),
            "sscard-spec.md §10; profile.md §4",
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| state_reset_on_df_change(ctx, ef, key),
        );
    }
    // A reset ends every security state (profile.md §4: "until reset or power-off").
    if let Some(ef) = all_efs().find(|e| matches!(e.read, ReadRule::PinOrKey(_))) {
        a.add(
            "RESET-CLEARS-PIN-STATE",
            "A reset clears the PIN state",
            reset_clears_text("VERIFY", ef),
            "profile.md §4 (PIN state until reset or power-off); sscard-spec.md §10",
            Needs::PIN,
            move |ctx: &mut Ctx<'_>| {
                state_cleared_by_reset(ctx, ef, |ctx| ctx.verify_pin(), "after VERIFY")
            },
        );
    }
    // The SSSE's own key file: after the reset the SSSE is selected again, the DF the key passed
    // in, so only the reset can have cleared the state.
    if let Some((ef, key)) = all_efs().find_map(|e| match e.read {
        ReadRule::Key(k) if e.df == DfId::Ssse => Some((e, k)),
        _ => None,
    }) {
        a.add(
            "RESET-CLEARS-KEY-STATE",
            "A reset clears the key-authentication state",
            reset_clears_text(&format!("EXTERNAL AUTHENTICATE {key}"), ef),
            "profile.md §4 (key states are volatile); sscard-spec.md §10",
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| {
                let after = format!("after {key}");
                state_cleared_by_reset(ctx, ef, |ctx| ctx.authenticate(key), &after)
            },
        );
    }
    // The PIN state ends when the SSSE tree is left (once, on the first PIN-opened file).
    if let Some(ef) = all_efs().find(|e| matches!(e.read, ReadRule::Pin | ReadRule::PinOrKey(_))) {
        a.add(
            "PIN-STATE-CLEARED-BY-MF",
            "PIN state cleared by selecting the MF",
            format!(
                "The PIN state holds while the SSSE or a DF below it is current: after VERIFY in {}, reading {} succeeds; after SELECT MF 3F00 and {} again, reading it answers 6982.",
                ef.df.name(),
                ef_name(ef),
                ef.df.name()
            ),
            "profile.md §4; sscard-spec.md §10",
            Needs::PIN,
            move |ctx: &mut Ctx<'_>| pin_state_ends_at_mf(ctx, ef),
        );
    }
    a.into_cases()
}
