//! READ BINARY (`00 B0 P1 P2 Le`): P1 b8 = 1 selects EF15/EF16 by SFI (offset P2), else the
//! current EF at offset P1 P2. `6986` without a current EF, `6B00` for an offset at or past the
//! end; the data is cut to Le (T=0 shaping answers `6Cxx` when Le differs).

use super::Ctx;
use crate::chip::{Reply, Res};
use crate::psam::state::Ef;
use crate::store::Store;
use sscard_apdu::StatusWord;

pub(crate) fn read_binary<S: Store>(
    ctx: Ctx<'_, S>,
    sfi: Option<u8>,
    offset: u16,
    ne: Option<u32>,
    out: &mut [u8],
) -> Res {
    let ef = match sfi {
        Some(s) => {
            let ef = Ef::by_sfi(s).ok_or(StatusWord::FILE_NOT_FOUND)?;
            ctx.ram.ef = Some(ef);
            ef
        }
        None => ctx.ram.ef.ok_or(StatusWord::COMMAND_NOT_ALLOWED)?,
    };
    let (base, size) = ef.geometry();
    let off = usize::from(offset);
    if off >= size {
        return Err(StatusWord::WRONG_P1P2_6B00);
    }
    let want = ne.map_or(256, |n| usize::try_from(n).unwrap_or(256));
    let n = size.saturating_sub(off).min(want).min(out.len());
    let buf = out.get_mut(..n).ok_or(StatusWord::WRONG_LENGTH)?;
    let at = base
        .checked_add(u32::from(offset))
        .ok_or(StatusWord::WRONG_P1P2_6B00)?;
    ctx.store
        .read(at, buf)
        .map_err(|_| StatusWord::MEMORY_FAILURE)?;
    Ok(Reply::data(n))
}
