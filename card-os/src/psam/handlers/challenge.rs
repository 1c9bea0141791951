//! GET CHALLENGE (`00 84 00 00 Le`, Le 4/8/16): random bytes.

use super::Ctx;
use crate::chip::{Reply, Res};

pub(crate) fn get_challenge<S>(ctx: Ctx<'_, S>, len: u8, out: &mut [u8]) -> Res {
    let c = ctx.rng.challenge(len, out)?;
    Ok(Reply::data(c.len()))
}
