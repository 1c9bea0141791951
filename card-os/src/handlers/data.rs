//! READ/UPDATE BINARY, READ/UPDATE/APPEND RECORD.

use crate::chip::{Reply, Res};
use crate::ctx::{Ctx, ReadCtx, WriteCtx};
use crate::fs::{binary, records};
use crate::layout::{ef_at, efs_of, EfGeom};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::commands::{Protection, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::types::EfSpec;

/// The EF a command addresses: by SFI in the current DF (which becomes the current EF), or the
/// current EF (`6986` when there is none).
fn target<N>(
    ctx: &mut Ctx<'_, N>,
    sfi: Option<u8>,
) -> Result<(&'static EfSpec, EfGeom), StatusWord> {
    let family = ctx.config.family;
    let idx = match sfi {
        Some(s) => {
            let i = efs_of(family, ctx.ram.df)
                .position(|e| e.sfi == s)
                .ok_or(StatusWord::FILE_NOT_FOUND)?;
            ctx.ram.ef = Some(i as u8);
            i
        }
        None => usize::from(ctx.ram.ef.ok_or(StatusWord::COMMAND_NOT_ALLOWED)?),
    };
    let spec = ef_at(family, ctx.ram.df, idx).ok_or(StatusWord::FILE_NOT_FOUND)?;
    let geom = ctx
        .config
        .layout
        .ef(ctx.ram.df, idx)
        .ok_or(StatusWord::FILE_NOT_FOUND)?;
    Ok((spec, geom))
}

/// The EF a command addresses ([`target`]): a record file when `record`, else a transparent one
/// (`6981`).
fn target_of_kind<N>(
    ctx: &mut Ctx<'_, N>,
    sfi: Option<u8>,
    record: bool,
) -> Result<(&'static EfSpec, EfGeom), StatusWord> {
    let (spec, g) = target(ctx, sfi)?;
    if g.kind.is_record() != record {
        return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE);
    }
    Ok((spec, g))
}

/// The EF a read addresses ([`target_of_kind`]), readable in the security state (`6982`).
fn readable<S: Store>(
    ctx: &mut ReadCtx<'_, S>,
    sfi: Option<u8>,
    record: bool,
) -> Result<EfGeom, StatusWord> {
    let (spec, g) = target_of_kind(ctx, sfi, record)?;
    if !(ctx.may_read(spec) || (sfi.is_none() && fault!(ctx.config, read_rule_by_sfi_only))) {
        return Err(StatusWord::SECURITY_NOT_SATISFIED);
    }
    Ok(g)
}

/// The EF a write addresses ([`target_of_kind`]), its write rule met by `p` / `ch`.
fn writable<S: Store>(
    ctx: &mut WriteCtx<'_, S>,
    sfi: Option<u8>,
    record: bool,
    p: &Protection<'_>,
    ch: Option<Challenge>,
) -> Result<EfGeom, StatusWord> {
    let (spec, g) = target_of_kind(ctx, sfi, record)?;
    ctx.check_write(spec, p, ch)?;
    Ok(g)
}

pub(crate) fn read_binary<S: Store>(
    mut ctx: ReadCtx<'_, S>,
    sfi: Option<u8>,
    offset: u16,
    ne: Option<u32>,
    out: &mut [u8],
) -> Res {
    let g = readable(&mut ctx, sfi, false)?;
    let want = ne.map_or(256, |n| n.min(256) as usize).min(out.len());
    let buf = out.get_mut(..want).ok_or(StatusWord::WRONG_LENGTH)?;
    let n = binary::read(ctx.nvm, g, offset, buf)?;
    Ok(Reply::data(n))
}

pub(crate) fn update_binary<S: Store>(
    mut ctx: WriteCtx<'_, S>,
    sfi: Option<u8>,
    offset: u16,
    p: Protection<'_>,
    ch: Option<Challenge>,
) -> Res {
    let g = writable(&mut ctx, sfi, false, &p, ch)?;
    binary::update(ctx.nvm, g, offset, p.data())?;
    Ok(Reply::OK)
}

pub(crate) fn read_record<S: Store>(
    mut ctx: ReadCtx<'_, S>,
    sfi: Option<u8>,
    mode: RecordSelector,
    out: &mut [u8],
) -> Res {
    if matches!(mode, RecordSelector::AllFrom(_)) && ctx.config.card.quirks.refuse_read_all_records
    {
        return Err(StatusWord::WRONG_P1P2);
    }
    let g = readable(&mut ctx, sfi, true)?;
    let j = ctx.nvm;
    let n = match mode {
        RecordSelector::ByTag(tag) => {
            let n = records::find_tag(j, g, tag)?;
            records::read(j, g, n, out)?
        }
        RecordSelector::ByNumber(n)
            if fault!(ctx.config, record_numbers_swapped) && matches!(n, 1 | 2) =>
        {
            records::read(j, g, 3 - n, out)?
        }
        RecordSelector::ByNumber(n) => records::read(j, g, n, out)?,
        #[cfg(feature = "faults")]
        RecordSelector::AllFrom(n) if ctx.config.card.faults.read_all_out_of_order => {
            records::read_from_reversed(j, g, n, out)?
        }
        RecordSelector::AllFrom(n) => records::read_from(j, g, n, out)?,
    };
    Ok(Reply::data(n))
}

pub(crate) fn update_record<S: Store>(
    mut ctx: WriteCtx<'_, S>,
    sfi: Option<u8>,
    number: u8,
    p: Protection<'_>,
    ch: Option<Challenge>,
) -> Res {
    let g = writable(&mut ctx, sfi, true, &p, ch)?;
    let in_place = fault!(ctx.config, update_record_in_place);
    records::update(ctx.nvm, g, number, p.data(), in_place)?;
    Ok(Reply::OK)
}

pub(crate) fn append_record<S: Store>(
    mut ctx: WriteCtx<'_, S>,
    sfi: Option<u8>,
    p: Protection<'_>,
    ch: Option<Challenge>,
) -> Res {
    let g = writable(&mut ctx, sfi, true, &p, ch)?;
    let in_place = fault!(ctx.config, append_record_in_place);
    records::append(ctx.nvm, g, p.data(), in_place)?;
    Ok(Reply::OK)
}
