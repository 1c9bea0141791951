//! GET CHALLENGE, EXTERNAL AUTHENTICATE, INTERNAL AUTHENTICATE (profile.md §3).

use crate::chip::rng::Rng;
use crate::chip::{Reply, Res};
use crate::ctx::{RamCtx, ReadCtx, WriteCtx};
use crate::fs::keyfile;
use crate::security::tries::{Outcome, Rules};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::StatusWord;
use sscard_keys::session::{internal_auth_response, verify_external_auth};
use sscard_specs::keys::{resolve_kid, KeyRole};

/// GET CHALLENGE from the chip's generator `rng`; the challenge is kept (single use).
pub(crate) fn get_challenge(ctx: RamCtx<'_>, rng: &mut Rng, len: u8, out: &mut [u8]) -> Res {
    let c = if fault!(ctx.config, constant_challenge) {
        Rng::new(&ctx.config.card.rng_seed).challenge(len, out)?
    } else {
        rng.challenge(len, out)?
    };
    ctx.ram.challenge = Some(Challenge::new(c));
    Ok(Reply::data(c.len()))
}

/// Key looked up by KID in the current DF, then the SSSE; its try counter follows the one
/// protocol ([`crate::security::tries`]); success sets the key's flag.
pub(crate) fn external_authenticate<S: Store>(
    ctx: WriteCtx<'_, S>,
    kid: u8,
    data: &[u8],
    ch: Option<Challenge>,
) -> Res {
    let spec = resolve_kid(ctx.ram.df, kid)
        .filter(|k| {
            matches!(
                k.role,
                KeyRole::Read | KeyRole::Update | KeyRole::PinUnblock
            )
        })
        .ok_or(StatusWord::KEY_NOT_FOUND)?;
    let profile = ctx.config.card.profile;
    if data.len() != usize::from(profile.ext_auth_lc) {
        return Err(StatusWord::WRONG_LENGTH);
    }
    let k = keyfile::load(ctx.nvm, &ctx.config.layout, spec)?;
    k.counter.usable()?;
    let ch = ch.ok_or(StatusWord::REF_DATA_INVALID)?;
    let r = ch.first8().ok_or(StatusWord::REF_DATA_INVALID)?;
    let rules = Rules {
        restore: !fault!(ctx.config, key_counter_not_restored),
        #[cfg(feature = "faults")]
        compare_first: ctx.config.card.faults.key_counter_after_compare,
    };
    let compare = || verify_external_auth(profile, &k.key, r, data);
    match k.counter.attempt(ctx.nvm, rules, compare)? {
        Outcome::Match => {
            ctx.ram.set_auth(spec);
            Ok(Reply::OK)
        }
        Outcome::Mismatch { left } => Err(StatusWord::pin_failed(left)),
    }
}

pub(crate) fn internal_authenticate<S: Store>(
    ctx: ReadCtx<'_, S>,
    kid: u8,
    data: &[u8],
    out: &mut [u8],
) -> Res {
    let spec = resolve_kid(ctx.ram.df, kid)
        .filter(|k| k.role == KeyRole::InternalAuth)
        .ok_or(StatusWord::KEY_NOT_FOUND)?;
    let (p, s) = data.split_at_checked(8).ok_or(StatusWord::WRONG_LENGTH)?;
    let p: &[u8; 8] = p.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
    let s: &[u8; 8] = s.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
    let k = keyfile::load(ctx.nvm, &ctx.config.layout, spec)?;
    let r = internal_auth_response(ctx.config.card.profile, &k.key, p, s)
        .map_err(|_| StatusWord::KEY_NOT_FOUND)?;
    let dst = out.get_mut(..r.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&r);
    Ok(Reply::data(r.len()))
}
