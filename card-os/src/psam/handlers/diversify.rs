//! `BF DE <usage> <id> Lc F1 … Fn ‖ R` (DF01 selected): diversify the root key `(usage, id)` by
//! the factors (outermost first; n = usage >> 5) into the card key, and derive the process key
//! from R. Both stay in RAM until the next SELECT, `BF DE`, reset or power-off.

use super::Ctx;
use crate::chip::{Reply, Res};
use crate::psam::image;
use crate::psam::state::{Df, Session};
use crate::store::Store;
use sscard_apdu::commands::psam::FACTOR_LEN;
use sscard_apdu::StatusWord;
use sscard_keys::diversify::diversify_multi;
use sscard_keys::session::process_key;
use zeroize::Zeroizing;

/// Most factors a usage byte can announce (3 bits).
const MAX_FACTORS: usize = 7;

pub(crate) fn diversify_init<S: Store>(ctx: Ctx<'_, S>, usage: u8, id: u8, data: &[u8]) -> Res {
    ctx.ram.session = None;
    if ctx.ram.df != Df::Df01 {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    let root = image::find_key(ctx.store, ctx.config.key_count, usage, id)
        .ok_or(StatusWord::KEY_NOT_FOUND)?;
    let levels = usize::from(usage >> 5);
    let (factors, r) = data
        .split_last_chunk::<FACTOR_LEN>()
        .ok_or(StatusWord::WRONG_LENGTH)?;
    if factors.len() % FACTOR_LEN != 0 {
        return Err(StatusWord::WRONG_LENGTH);
    }
    if factors.len() / FACTOR_LEN != levels {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut fs = Zeroizing::new([[0u8; FACTOR_LEN]; MAX_FACTORS]);
    for (d, s) in fs.iter_mut().zip(factors.chunks_exact(FACTOR_LEN)) {
        d.copy_from_slice(s);
    }
    let fs = fs.get(..levels).ok_or(StatusWord::WRONG_DATA)?;
    let card_key = diversify_multi(&root, fs).map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    let process_key = process_key(ctx.config.profile, &card_key, r)
        .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
    ctx.ram.session = Some(Session {
        card_key,
        process_key,
    });
    Ok(Reply::OK)
}
