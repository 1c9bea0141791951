//! Transparent EFs: READ BINARY / UPDATE BINARY storage.

use crate::layout::{EfGeom, EfKind};
use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;

fn size(g: EfGeom) -> Result<u32, StatusWord> {
    match g.kind {
        EfKind::Transparent { size } => Ok(u32::from(size)),
        _ => Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
    }
}

/// Read up to `out.len()` bytes at `offset`; returns the count (short at the end of the file).
/// An offset beyond the end is `6B00`-style `6A86`... per ISO 7816-4 we answer `6A86` (wrong P1/P2)
/// only when the offset is past the end; reading at the end returns 0 bytes.
pub(crate) fn read<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    offset: u16,
    out: &mut [u8],
) -> Result<usize, StatusWord> {
    let size = size(g)?;
    let offset = u32::from(offset);
    if offset > size {
        return Err(StatusWord::WRONG_P1P2);
    }
    let n = (size - offset).min(out.len() as u32) as usize;
    let buf = out.get_mut(..n).ok_or(StatusWord::WRONG_LENGTH)?;
    j.read(g.off + offset, buf)?;
    Ok(n)
}

/// Write `data` at `offset`, atomically. Past the end: `6700` (wrong length) when it starts inside
/// the file, `6A86` when the offset itself is past the end.
pub(crate) fn update<S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    offset: u16,
    data: &[u8],
) -> Result<(), StatusWord> {
    let size = size(g)?;
    let offset = u32::from(offset);
    if offset >= size {
        return Err(StatusWord::WRONG_P1P2);
    }
    if offset + data.len() as u32 > size {
        return Err(StatusWord::WRONG_LENGTH);
    }
    j.atomic(&[(g.off + offset, data)])?;
    Ok(())
}

/// Zero-fill the file (factory).
pub(crate) fn format<S: Store>(j: &mut Journal<S>, g: EfGeom) -> Result<(), StatusWord> {
    let size = size(g)?;
    let zeros = [0u8; 64];
    let mut at = 0u32;
    while at < size {
        let n = (size - at).min(zeros.len() as u32) as usize;
        j.write_unjournaled(
            g.off + at,
            zeros.get(..n).ok_or(StatusWord::MEMORY_FAILURE)?,
        )?;
        at += n as u32;
    }
    Ok(())
}
