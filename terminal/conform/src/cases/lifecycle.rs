//! Area 9: application block / unblock and card block (profile.md §5; sscard-spec.md §4 — coding
//! PBOC-style [I]). All destructive; the permanent blocks are irreversible and run last.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::types::DfId;

use super::tamper::flip_last_byte;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, Check};

const REF: &str = "profile.md §5; sscard-spec.md §4 (APPLICATION BLOCK / UNBLOCK, CARD BLOCK [I])";

/// Send a MAC'd lifecycle command (STK) after a fresh challenge.
fn lifecycle(
    ctx: &mut Ctx<'_>,
    cmd: sscard_apdu::Command,
    what: &str,
    want: &[StatusWord],
) -> Check {
    ctx.expect_mac_command(what, cmd, sscard_specs::key::STK, want)
}

/// APPLICATION UNBLOCK of the current (blocked) DF: `9000`.
pub(super) fn application_unblock(ctx: &mut Ctx<'_>) -> Check {
    lifecycle(
        ctx,
        commands::application_unblock(),
        "APPLICATION UNBLOCK",
        &[StatusWord::OK],
    )
}

/// Select DF01 and block it for now: APPLICATION BLOCK (temporary) answers `9000`.
fn block_df01(ctx: &mut Ctx<'_>) -> Check {
    ctx.select_df(DfId::Df01)?;
    lifecycle(
        ctx,
        commands::application_block(false),
        "APPLICATION BLOCK",
        &[StatusWord::OK],
    )
}

/// After a reset, SELECT `df` answers `want`; else the failure `"{expected}, got …"`.
fn select_after_reset(ctx: &mut Ctx<'_>, df: DfId, want: StatusWord, expected: &str) -> Check {
    ctx.reset()?;
    let r = ctx.try_select_df(df)?;
    if r.sw == want {
        Ok(())
    } else {
        Err(fail(format!("{expected}, got {}", sw_text(r.sw))))
    }
}

/// Family 12 (issue 10): a case that blocked `df` unblocks it again whatever went wrong after
/// the block, so no later case finds the application blocked. A no-op when `df` selects
/// normally.
fn ensure_unblocked(ctx: &mut Ctx<'_>, df: DfId) -> Check {
    ctx.reset()?;
    let r = ctx.try_select_df(df)?;
    if r.sw == StatusWord::SELECTED_FILE_INVALIDATED {
        ctx.note(format!("{} left blocked: APPLICATION UNBLOCK", df.name()));
        lifecycle(
            ctx,
            commands::application_unblock(),
            "APPLICATION UNBLOCK (clean-up)",
            &[StatusWord::OK],
        )?;
    }
    Ok(())
}

/// Run `body` (which may block DF01) and unblock DF01 afterwards if it is left blocked; the
/// first failure wins.
fn with_df01_restored(ctx: &mut Ctx<'_>, body: impl FnOnce(&mut Ctx<'_>) -> Check) -> Check {
    let res = body(ctx);
    let after = ensure_unblocked(ctx, DfId::Df01);
    res.and(after)
}

/// DF01 readable after RK1DF01?
fn df01_usable(ctx: &mut Ctx<'_>) -> Check {
    let Some(ef05) = sscard_specs::ef::DF01_EF05.spec() else {
        return Err(fail("specs: no DF01 EF05"));
    };
    ctx.select_df(DfId::Df01)?;
    ctx.authenticate(sscard_specs::key::RK1DF01)?;
    let r = ctx.read_first_by_sfi(ef05, 1)?;
    if r.sw == StatusWord::OK {
        Ok(())
    } else {
        Err(fail(format!(
            "reading DF01 EF05 after RK1DF01: {}",
            sw_text(r.sw)
        )))
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Lifecycle);
    let df01 = id::df(DfId::Df01);
    a.add(
        format!("{df01}-BLOCK-UNBLOCK"),
        "Temporary APPLICATION BLOCK and APPLICATION UNBLOCK",
        "84 1E 00 00 04 MAC(STK) in DF01 answers 9000; DF01 then selects with FCI + 6283, refuses reads with 6985 even after EXTERNAL AUTHENTICATE, and 84 18 00 00 04 MAC(STK) makes it usable again.",
        REF,
        Needs::KEYS,
        |ctx| {
            with_df01_restored(ctx, |ctx| {
                block_df01(ctx)?;
                select_after_reset(
                    ctx,
                    DfId::Df01,
                    StatusWord::SELECTED_FILE_INVALIDATED,
                    "SELECT of a blocked application: expected FCI + 6283 (sscard's choice of profile.md §5; 6A81 would leave no way to unblock it)",
                )?;
                let ef05 = sscard_specs::ef::DF01_EF05.spec().ok_or_else(|| fail("specs: no DF01 EF05"))?;
                // EXTERNAL AUTHENTICATE is still accepted, reading is not.
                ctx.authenticate(sscard_specs::key::RK1DF01)?;
                let r = ctx.read_first_by_sfi(ef05, 1)?;
                if r.sw != StatusWord::CONDITIONS_NOT_SATISFIED {
                    return Err(fail(format!(
                        "READ RECORD in a blocked application: expected 6985 (profile.md §5), the card answered {}",
                        sw_text(r.sw)
                    )));
                }
                application_unblock(ctx)?;
                ctx.reset()?;
                df01_usable(ctx)
            })
        },
    )
    .destructive();
    a.add(
        format!("{df01}-BLOCK-BAD-MAC"),
        "APPLICATION BLOCK with a wrong MAC → 6988",
        "84 1E 00 00 04 with a wrong STK MAC answers 6988 and DF01 stays usable.",
        REF,
        Needs::KEYS,
        |ctx| {
            with_df01_restored(ctx, |ctx| {
                ctx.select_df(DfId::Df01)?;
                let mut apdu = ctx.mac_command_fresh(
                    commands::application_block(false),
                    sscard_specs::key::STK,
                )?;
                flip_last_byte(&mut apdu, 0x01);
                let r = ctx.send(&apdu)?;
                if r.sw != StatusWord::SM_INCORRECT {
                    // Clean up if it was wrongly accepted.
                    if r.sw == StatusWord::OK {
                        let _ = application_unblock(ctx);
                    }
                    return Err(fail(format!(
                        "APPLICATION BLOCK with a wrong MAC: expected 6988, got {}",
                        sw_text(r.sw)
                    )));
                }
                ctx.reset()?;
                df01_usable(ctx)
            })
        },
    )
    .destructive();
    a.add(
        format!("{df01}-BLOCK-NO-CHALLENGE"),
        "Lifecycle commands need a challenge",
        "From the cold state, APPLICATION BLOCK with a MAC for no challenge answers 6984 and blocks nothing.",
        REF,
        Needs::KEYS,
        |ctx| {
            with_df01_restored(ctx, |ctx| {
                ctx.select_df(DfId::Df01)?;
                let apdu = ctx.mac_command(commands::application_block(false), sscard_specs::key::STK, &[0x33; 8])?;
                let r = ctx.send(&apdu)?;
                if r.sw == StatusWord::OK {
                    let _ = application_unblock(ctx);
                    return Err(fail("APPLICATION BLOCK without a challenge was accepted"));
                }
                if r.sw != StatusWord::REF_DATA_INVALID {
                    return Err(fail(format!("expected 6984, got {}", sw_text(r.sw))));
                }
                ctx.reset()?;
                df01_usable(ctx)
            })
        },
    )
    .destructive();
    a.add(
        format!("{df01}-BLOCKED-REFUSES-ALL"),
        "A blocked application refuses every command the profile does not allow",
        "With DF01 temporarily blocked (and RK1DF01, UK1DF01 passed: EXTERNAL AUTHENTICATE is still allowed), READ RECORD, READ BINARY, UPDATE RECORD, UPDATE BINARY, a MAC'd UPDATE RECORD, APPEND RECORD, INTERNAL AUTHENTICATE and (with --pin) VERIFY and CHANGE PIN each answer 6985; GET CHALLENGE still answers 9000. Every write carries the file's own content. The case unblocks DF01.",
        "profile.md §5 (a temporarily blocked application refuses every command except SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE, APPLICATION UNBLOCK with 6985)",
        Needs::KEYS,
        |ctx| {
            let ef05 = sscard_specs::ef::DF01_EF05.spec().ok_or_else(|| fail("specs: no DF01 EF05"))?;
            let ef16 = sscard_specs::ef::DF01_EF16.spec().ok_or_else(|| fail("specs: no DF01 EF16"))?;
            let rk = sscard_specs::key::RK1DF01;
            let uk = match ef05.write {
                sscard_specs::types::WriteRule::Key(k) => k,
                sscard_specs::types::WriteRule::Never => return Err(fail("specs: DF01 EF05 not writable")),
            };
            // The own contents, read before the block.
            ctx.select_df(DfId::Df01)?;
            ctx.authenticate(rk)?;
            let r = ctx.read_first_by_sfi(ef05, 16)?;
            if r.sw != StatusWord::OK || r.data.is_empty() {
                return Err(fail(format!("reading DF01 EF05 record 1: {}", sw_text(r.sw))));
            }
            let rec1 = r.data;
            let r = ctx.read_first_by_sfi(ef16, 16)?;
            if r.sw != StatusWord::OK {
                return Err(fail(format!("reading DF01 EF16: {}", sw_text(r.sw))));
            }
            let bin = r.data;
            let pin = ctx.pin_bcd().ok();
            with_df01_restored(ctx, |ctx| {
                lifecycle(ctx, commands::application_block(false), "APPLICATION BLOCK", &[StatusWord::OK])?;
                select_after_reset(ctx, DfId::Df01, StatusWord::SELECTED_FILE_INVALIDATED, "SELECT of the blocked DF01: expected 6283")?;
                ctx.authenticate(rk)?;
                ctx.authenticate(uk)?;
                let refused = [StatusWord::CONDITIONS_NOT_SATISFIED];
                let e = |e: sscard_apdu::ApduError| fail(e.to_string());
                ctx.expect_cmd("READ RECORD (by SFI) in the blocked DF01", &commands::read_record(RecordSelector::ByNumber(1), Some(ef05.sfi), 256).map_err(e)?, &refused)?;
                ctx.expect_cmd("READ BINARY (by SFI) in the blocked DF01", &commands::read_binary_sfi(ef16.sfi, 0, 16).map_err(e)?, &refused)?;
                ctx.expect_cmd("UPDATE RECORD (by SFI) in the blocked DF01", &commands::update_record(1, Some(ef05.sfi), &rec1).map_err(e)?, &refused)?;
                ctx.expect_cmd("UPDATE BINARY (by SFI) in the blocked DF01", &commands::update_binary_sfi(ef16.sfi, 0, &bin).map_err(e)?, &refused)?;
                ctx.expect_cmd("APPEND RECORD (by SFI) in the blocked DF01", &commands::append_record(Some(ef05.sfi), &rec1).map_err(e)?, &refused)?;
                let ch = ctx.challenge()?;
                let apdu = ctx.mac_command(commands::update_record(1, Some(ef05.sfi), &rec1).map_err(e)?, uk, &ch)?;
                ctx.expect("MAC'd UPDATE RECORD in the blocked DF01", &apdu, &refused)?;
                let kid = sscard_specs::key_by_name(sscard_specs::key::IRK).and_then(|k| k.kid).unwrap_or(0);
                ctx.expect_cmd("INTERNAL AUTHENTICATE in the blocked DF01", &commands::internal_authenticate(kid, &[0x11; 8], &[0x22; 8]).with_ne(256), &refused)?;
                if let Some(pin) = pin {
                    ctx.expect_cmd("VERIFY in the blocked DF01", &commands::verify(&pin).map_err(e)?, &refused)?;
                    ctx.expect_cmd("CHANGE PIN (to the same PIN) in the blocked DF01", &commands::change_pin(&pin, &pin).map_err(e)?, &refused)?;
                } else {
                    ctx.note("no --pin: VERIFY and CHANGE PIN not tried");
                }
                Ok(())
            })
        },
    )
    .destructive();
    a.add(
        format!("{df01}-UNBLOCK-BAD-MAC"),
        "APPLICATION UNBLOCK needs a valid MAC and a challenge",
        "With DF01 temporarily blocked, 84 18 00 00 04 with a wrong STK MAC answers 6988, and one MAC'd for a challenge the card never gave answers 6984; DF01 stays blocked (SELECT: 6283) until a valid APPLICATION UNBLOCK (9000).",
        REF,
        Needs::KEYS,
        |ctx| {
            with_df01_restored(ctx, |ctx| {
                block_df01(ctx)?;
                let still_blocked = |ctx: &mut Ctx<'_>, after: &str| -> Check {
                    let r = ctx.try_select_df(DfId::Df01)?;
                    if r.sw == StatusWord::SELECTED_FILE_INVALIDATED {
                        Ok(())
                    } else {
                        Err(fail(format!(
                            "SELECT DF01 after {after}: expected 6283 (still blocked), got {}",
                            sw_text(r.sw)
                        )))
                    }
                };
                let mut apdu = ctx.mac_command_fresh(commands::application_unblock(), sscard_specs::key::STK)?;
                flip_last_byte(&mut apdu, 0x01);
                ctx.expect("APPLICATION UNBLOCK with a wrong MAC", &apdu, &[StatusWord::SM_INCORRECT])?;
                still_blocked(ctx, "an APPLICATION UNBLOCK with a wrong MAC")?;
                let apdu = ctx.mac_command(commands::application_unblock(), sscard_specs::key::STK, &[0x44; 8])?;
                ctx.expect("APPLICATION UNBLOCK without a challenge", &apdu, &[StatusWord::REF_DATA_INVALID])?;
                still_blocked(ctx, "an APPLICATION UNBLOCK without a challenge")?;
                application_unblock(ctx)?;
                ctx.reset()?;
                df01_usable(ctx)
            })
        },
    )
    .destructive();
    a.add(
        format!("{}-BLOCK-PERMANENT", id::df(DfId::Df07)),
        "Permanent APPLICATION BLOCK (DF07)",
        "84 1E 00 01 04 MAC(STK) in DF07 answers 9000; afterwards SELECT DF07 answers 6A81 and APPLICATION UNBLOCK cannot revive it. IRREVERSIBLE for DF07.",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_df(DfId::Df07)?;
            lifecycle(ctx, commands::application_block(true), "APPLICATION BLOCK (permanent)", &[StatusWord::OK])?;
            select_after_reset(
                ctx,
                DfId::Df07,
                StatusWord::FUNC_NOT_SUPPORTED,
                "SELECT of a permanently blocked application: expected 6A81",
            )?;
            // The rest of the card still works.
            df01_usable(ctx)
        },
    )
    .irreversible();
    a.add(
        "CARD-BLOCK",
        "CARD BLOCK",
        "84 16 00 00 04 MAC(STK) answers 9000; from the very next command on (before any reset) and after a reset, every command answers 6A81. IRREVERSIBLE: the card is dead.",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            lifecycle(ctx, commands::card_block(), "CARD BLOCK", &[StatusWord::OK])?;
            // At once: the next command, without a reset.
            let c = commands::get_challenge(8).map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd(
                "GET CHALLENGE right after CARD BLOCK (no reset)",
                &c,
                &[StatusWord::FUNC_NOT_SUPPORTED],
            )?;
            ctx.expect_cmd(
                "SELECT EF05 right after CARD BLOCK (no reset)",
                &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()),
                &[StatusWord::FUNC_NOT_SUPPORTED],
            )?;
            ctx.reset()?;
            let c = commands::select_by_name(sscard_specs::files::SSSE_NAME)
                .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("SELECT SSSE on a blocked card", &c, &[StatusWord::FUNC_NOT_SUPPORTED])?;
            let c = commands::get_challenge(8).map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("GET CHALLENGE on a blocked card", &c, &[StatusWord::FUNC_NOT_SUPPORTED])?;
            Ok(())
        },
    )
    .irreversible();
    a.into_cases()
}
