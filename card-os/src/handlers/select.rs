//! SELECT (`00 A4`): MF / DF / EF by FID, EF under the current DF, DF by name or AID.
//!
//! Choices: DFs are found by FID anywhere in the tree (FIDs are unique), EFs only in the current
//! DF. Selecting an EF answers `9000` without data (as the real trace does); selecting a DF with
//! P2 = 00 answers the FCI `6F{84 name, A5{88 1E [, 9F0C{86 alg}]}}`. A *temporarily blocked*
//! application answers its FCI with `6283` (selected, but only SELECT, GET CHALLENGE, EXTERNAL
//! AUTHENTICATE and APPLICATION UNBLOCK are accepted); a permanently blocked one answers `6A81`
//! and is not selected.
//!
//! Where the card family (`Config::family`, from the image header) differs: a family whose SSSE
//! is not selectable by name answers `6A82` to SELECT by name and has the SSSE's EFs selected
//! from the MF (`00 A4 02 00 02 EFxx`, the SSSE then current); the SSSE FCI carries the
//! family's SFI under tag 88 (`sscard_specs::family::FciContent`).

use crate::chip::{Reply, Res};
use crate::ctx::ReadCtx;
use crate::layout::{self, efs_of};
use crate::store::Store;
use sscard_apdu::commands::SelectBy;
use sscard_apdu::fci::write_fci;
use sscard_apdu::StatusWord;
use sscard_specs::files::{self, DFS, MF_FID, SSSE_DIR_SFI};
use sscard_specs::types::DfId;

fn parent(df: DfId) -> Option<DfId> {
    match df {
        DfId::Mf => None,
        DfId::Ssse => Some(DfId::Mf),
        _ => Some(DfId::Ssse),
    }
}

pub(crate) fn select<S: Store>(
    mut ctx: ReadCtx<'_, S>,
    by: SelectBy<'_>,
    fci: bool,
    out: &mut [u8],
) -> Res {
    let res = select_target(&mut ctx, by, fci, out);
    if fault!(ctx.config, missing_file_sw) && matches!(res, Err(StatusWord::FILE_NOT_FOUND)) {
        return Err(StatusWord::RECORD_NOT_FOUND);
    }
    res
}

fn select_target<S: Store>(
    ctx: &mut ReadCtx<'_, S>,
    by: SelectBy<'_>,
    fci: bool,
    out: &mut [u8],
) -> Res {
    match by {
        SelectBy::Fid(None) | SelectBy::Fid(Some(MF_FID)) => select_df(ctx, DfId::Mf, fci, out),
        SelectBy::Fid(Some(fid)) => {
            if let Some(r) = select_ef(ctx, fid) {
                return r;
            }
            let df = files::df_by_fid(fid).ok_or(StatusWord::FILE_NOT_FOUND)?;
            select_df(ctx, df.id, fci, out)
        }
        SelectBy::ChildDf(fid) => {
            let df = files::df_by_fid(fid)
                .filter(|d| parent(d.id) == Some(ctx.ram.df))
                .ok_or(StatusWord::FILE_NOT_FOUND)?;
            select_df(ctx, df.id, fci, out)
        }
        SelectBy::ChildEf(fid) => select_ef(ctx, fid).unwrap_or(Err(StatusWord::FILE_NOT_FOUND)),
        SelectBy::Name(name) => {
            let df = files::df_by_name(name)
                .or_else(|| files::df_by_aid(name))
                .filter(|d| d.id != DfId::Ssse || ctx.config.family.ssse_by_name())
                .ok_or(StatusWord::FILE_NOT_FOUND)?;
            select_df(ctx, df.id, fci, out)
        }
    }
}

fn select_ef<S: Store>(ctx: &mut ReadCtx<'_, S>, fid: u16) -> Option<Res> {
    let family = ctx.config.family;
    if let Some(idx) = efs_of(family, ctx.ram.df).position(|e| e.fid == fid) {
        ctx.ram.ef = Some(idx as u8);
        return Some(Ok(Reply::OK));
    }
    // SSSE in the MF (not selectable by name): its EFs are selected from the MF.
    if ctx.ram.df != DfId::Mf || ctx.config.family.ssse_by_name() {
        return None;
    }
    let idx = efs_of(family, DfId::Ssse).position(|e| e.fid == fid)?;
    if let Err(sw) = ctx.df_state(DfId::Ssse) {
        return Some(Err(sw));
    }
    ctx.ram.enter_df(DfId::Ssse);
    ctx.ram.ef = Some(idx as u8);
    Some(Ok(Reply::OK))
}

fn select_df<S: Store>(ctx: &mut ReadCtx<'_, S>, id: DfId, fci: bool, out: &mut [u8]) -> Res {
    let own = ctx.df_state(id)?;
    if own == layout::APP_DEAD {
        return Err(StatusWord::FUNC_NOT_SUPPORTED);
    }
    let kept = (ctx.ram.auth_df, ctx.ram.auth_ssse, ctx.ram.pin_ok);
    ctx.ram.enter_df(id);
    if fault!(ctx.config, security_state_kept_on_df_change) {
        (ctx.ram.auth_df, ctx.ram.auth_ssse) = (kept.0, kept.1);
    }
    if fault!(ctx.config, pin_state_kept_on_mf_select) {
        ctx.ram.pin_ok = kept.2;
    }
    let state = ctx.app_state()?;
    let sw = if state == layout::APP_BLOCKED {
        StatusWord::SELECTED_FILE_INVALIDATED
    } else {
        StatusWord::OK
    };
    if !fci {
        return Ok(Reply { len: 0, sw });
    }
    let spec = DFS.get(id.index()).ok_or(StatusWord::FILE_NOT_FOUND)?;
    let fid_bytes = spec.fid.unwrap_or(MF_FID).to_be_bytes();
    let mut name = spec.df_name.or(spec.aid).unwrap_or(&fid_bytes);
    if fault!(ctx.config, fci_wrong_df_name) {
        name = &fid_bytes;
    }
    let mut alg = ctx.config.card.profile.algorithm_id;
    if fault!(ctx.config, fci_no_algorithm_id) {
        alg = None;
    }
    let sfi = match (id, ctx.config.family.fci()) {
        (DfId::Ssse, Some(f)) => f.sfi,
        _ => SSSE_DIR_SFI,
    };
    let len = write_fci(name, sfi, alg, out).map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    Ok(Reply { len, sw })
}
