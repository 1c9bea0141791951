//! APPLICATION BLOCK / UNBLOCK and CARD BLOCK (profile.md §5), MAC'd under STK.
//!
//! "The application" is the current DF (the SSSE or a DF below it; a blocked SSSE blocks its
//! DFs too). The MF cannot be blocked (`6985`).

use crate::chip::{Reply, Res};
use crate::ctx::WriteCtx;
use crate::layout::{self, hdr};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::commands::Mac;
use sscard_apdu::StatusWord;
use sscard_specs::key::STK;
use sscard_specs::types::DfId;

fn app_offset<S: Store>(ctx: &WriteCtx<'_, S>) -> Result<u32, StatusWord> {
    if ctx.ram.df == DfId::Mf {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    Ok(layout::APP_STATE_OFF + ctx.ram.df.index() as u32)
}

pub(crate) fn application_block<S: Store>(
    ctx: WriteCtx<'_, S>,
    permanent: bool,
    mac: Mac<'_>,
    ch: Option<Challenge>,
) -> Res {
    let off = app_offset(&ctx)?;
    ctx.check_mac(STK, &mac, ch)?;
    let state = if permanent {
        layout::APP_DEAD
    } else {
        layout::APP_BLOCKED
    };
    ctx.nvm.atomic(&[(off, &[state])])?;
    Ok(Reply::OK)
}

pub(crate) fn application_unblock<S: Store>(
    ctx: WriteCtx<'_, S>,
    mac: Mac<'_>,
    ch: Option<Challenge>,
) -> Res {
    let off = app_offset(&ctx)?;
    ctx.check_mac(STK, &mac, ch)?;
    if ctx.df_state(ctx.ram.df)? == layout::APP_DEAD {
        return Err(StatusWord::FUNC_NOT_SUPPORTED);
    }
    ctx.nvm.atomic(&[(off, &[layout::APP_ACTIVE])])?;
    Ok(Reply::OK)
}

pub(crate) fn card_block<S: Store>(
    ctx: WriteCtx<'_, S>,
    mac: Mac<'_>,
    ch: Option<Challenge>,
) -> Res {
    ctx.check_mac(STK, &mac, ch)?;
    if !fault!(ctx.config, card_block_reversible) {
        ctx.nvm.atomic(&[(
            layout::HEADER_OFF + hdr::LIFECYCLE as u32,
            &[layout::CARD_BLOCKED],
        )])?;
    }
    ctx.ram.card_blocked = !fault!(ctx.config, card_block_at_reset);
    Ok(Reply::OK)
}
