//! VERIFY, CHANGE PIN, PIN UNBLOCK, PIN RELOAD (profile.md §4).
//!
//! The try counter follows the one protocol of [`crate::security::tries`]: decremented and
//! persisted *before* the comparison and restored on success, so cutting the power after a wrong
//! guess cannot save the try.

use crate::chip::{Reply, Res};
use crate::ctx::WriteCtx;
use crate::fs::keyfile;
use crate::fs::pin::{self, PinRecord};
use crate::security::tries::{Outcome, Rules};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::commands::Mac;
use sscard_apdu::StatusWord;
use sscard_keys::session::{decrypt_field, process_key};
use sscard_keys::Pin;
use sscard_specs::key::{PUK, STK};
use sscard_specs::keys::key_by_name;
use sscard_specs::types::DfId;
use zeroize::Zeroizing;

fn failed(left: u8) -> StatusWord {
    StatusWord::pin_failed(left)
}

fn pin_reachable<S: Store>(ctx: &WriteCtx<'_, S>) -> Result<(), StatusWord> {
    if ctx.ram.df == DfId::Mf {
        Err(StatusWord::KEY_NOT_FOUND)
    } else {
        Ok(())
    }
}

/// One PIN attempt under the try-counter protocol ([`crate::security::tries`]). On a match the
/// counter is restored when `restore` (CHANGE PIN skips it: its journaled PIN write resets the
/// counter in the same atomic batch); a mismatch clears the PIN flag.
fn try_pin<S: Store>(
    ctx: &mut WriteCtx<'_, S>,
    presented: &[u8],
    restore: bool,
) -> Result<(), StatusWord> {
    let rec = PinRecord::load(ctx.nvm)?;
    let rules = Rules {
        restore: restore && !fault!(ctx.config, pin_counter_not_restored),
        #[cfg(feature = "faults")]
        compare_first: ctx.config.card.faults.pin_counter_after_compare,
    };
    match rec
        .counter()
        .attempt(ctx.nvm, rules, || rec.matches(presented))?
    {
        Outcome::Match => Ok(()),
        Outcome::Mismatch { left } => {
            ctx.ram.pin_ok = false;
            if fault!(ctx.config, wrong_tries_count) {
                return Err(failed(left + 1));
            }
            Err(failed(left))
        }
    }
}

pub(crate) fn verify<S: Store>(mut ctx: WriteCtx<'_, S>, presented: &[u8]) -> Res {
    pin_reachable(&ctx)?;
    if presented.is_empty() {
        let rec = PinRecord::load(ctx.nvm)?;
        return Err(match rec.counter().tries() {
            0 => StatusWord::AUTH_BLOCKED,
            n => failed(n),
        });
    }
    try_pin(&mut ctx, presented, true)?;
    ctx.ram.pin_ok = true;
    Ok(Reply::OK)
}

pub(crate) fn change_pin<S: Store>(mut ctx: WriteCtx<'_, S>, old: &[u8], new: &[u8]) -> Res {
    pin_reachable(&ctx)?;
    Pin::from_bcd(ctx.config.card.profile, new).map_err(|_| StatusWord::WRONG_DATA)?;
    let limit = PinRecord::load(ctx.nvm)?.limit();
    try_pin(&mut ctx, old, false)?;
    pin::set_pin(ctx.nvm, new, limit)?;
    ctx.ram.pin_ok = true;
    Ok(Reply::OK)
}

fn puk_passed<S: Store>(ctx: &WriteCtx<'_, S>) -> Result<(), StatusWord> {
    if ctx.key_passed(PUK) {
        Ok(())
    } else {
        Err(StatusWord::SECURITY_NOT_SATISFIED)
    }
}

pub(crate) fn pin_unblock<S: Store>(
    ctx: WriteCtx<'_, S>,
    mac: Mac<'_>,
    ch: Option<Challenge>,
) -> Res {
    pin_reachable(&ctx)?;
    if !fault!(ctx.config, unblock_without_puk) {
        puk_passed(&ctx)?;
    }
    ctx.check_mac(STK, &mac, ch)?;
    PinRecord::load(ctx.nvm)?.counter().reset(ctx.nvm)?;
    Ok(Reply::OK)
}

pub(crate) fn pin_reload<S: Store>(
    ctx: WriteCtx<'_, S>,
    mac: Mac<'_>,
    ch: Option<Challenge>,
) -> Res {
    pin_reachable(&ctx)?;
    puk_passed(&ctx)?;
    ctx.check_mac(STK, &mac, ch)?;
    let ch = ch.ok_or(StatusWord::REF_DATA_INVALID)?;
    let r8: &[u8; 8] = ch
        .first8()
        .and_then(|c| c.try_into().ok())
        .ok_or(StatusWord::REF_DATA_INVALID)?;
    let profile = ctx.config.card.profile;
    let spec = key_by_name(STK).ok_or(StatusWord::KEY_NOT_FOUND)?;
    let stk = keyfile::load(ctx.nvm, &ctx.config.layout, spec)?;
    let sk = process_key(profile, &stk.key, r8).map_err(|_| StatusWord::REF_DATA_INVALID)?;
    let mut bcd = Zeroizing::new([0u8; 32]);
    let n = decrypt_field(&sk, mac.body, &mut bcd[..]).map_err(|_| StatusWord::WRONG_DATA)?;
    let new = bcd.get(..n).ok_or(StatusWord::WRONG_DATA)?;
    Pin::from_bcd(profile, new).map_err(|_| StatusWord::WRONG_DATA)?;
    let limit = PinRecord::load(ctx.nvm)?.limit();
    pin::set_pin(ctx.nvm, new, limit)?;
    Ok(Reply::OK)
}
