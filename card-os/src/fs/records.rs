//! Record EFs (variable, fixed, cyclic): storage of records and the READ/UPDATE/APPEND RECORD
//! primitives.
//!
//! Stored form: a 2-byte header `count newest` (records present; slot of the newest record of a
//! cyclic file) followed by `max_records` slots of `1 + max_len` bytes, each `len | bytes`.
//! Record numbers are 1-based; in a cyclic file record 1 is the newest (ISO 7816-4).

use crate::layout::{EfGeom, EfKind, RECORD_HEADER as HEADER};
use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;

/// Largest record any EF can hold (a short APDU data field).
pub(crate) const MAX_RECORD: usize = 255;

#[derive(Clone, Copy)]
struct Shape {
    slots: u8,
    max_len: u8,
    cyclic: bool,
    fixed: bool,
}

fn shape(g: EfGeom) -> Result<Shape, StatusWord> {
    Ok(match g.kind {
        EfKind::Variable {
            max_records,
            max_len,
        } => Shape {
            slots: max_records,
            max_len,
            cyclic: false,
            fixed: false,
        },
        EfKind::Fixed { records, len } => Shape {
            slots: records,
            max_len: len,
            cyclic: false,
            fixed: true,
        },
        EfKind::Cyclic { records, len } => Shape {
            slots: records,
            max_len: len,
            cyclic: true,
            fixed: false,
        },
        EfKind::Transparent { .. } => return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
    })
}

fn slot_off(g: EfGeom, s: Shape, slot: u8) -> u32 {
    g.off + HEADER + u32::from(slot) * (1 + u32::from(s.max_len))
}

/// `(count, newest)` from the header, clamped to the file's geometry.
fn header<S: Store>(j: &Journal<S>, g: EfGeom, s: Shape) -> Result<(u8, u8), StatusWord> {
    let mut h = [0u8; 2];
    j.read(g.off, &mut h)?;
    let [count, newest] = h;
    let count = count.min(s.slots);
    let newest = newest.checked_rem(s.slots).unwrap_or(0);
    Ok((count, newest))
}

/// Slot holding logical record `n` (1-based), if it exists.
fn physical(s: Shape, count: u8, newest: u8, n: u8) -> Option<u8> {
    if n == 0 || n > count {
        return None;
    }
    if s.cyclic {
        let back = u16::from(n - 1);
        let slots = u16::from(s.slots);
        // `n <= count <= slots`, so `slots >= 1`; `checked_rem` keeps a panic path out anyway.
        (u16::from(newest) + slots - back)
            .checked_rem(slots)
            .map(|p| p as u8)
    } else {
        Some(n - 1)
    }
}

/// Number of records present.
#[cfg(test)]
pub(crate) fn count<S: Store>(j: &Journal<S>, g: EfGeom) -> Result<u8, StatusWord> {
    let s = shape(g)?;
    Ok(header(j, g, s)?.0)
}

/// Read record `n` into `out`; returns its length. `6A83` if absent, `6700` if `out` is too small.
pub(crate) fn read<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    n: u8,
    out: &mut [u8],
) -> Result<usize, StatusWord> {
    let s = shape(g)?;
    let (count, newest) = header(j, g, s)?;
    let slot = physical(s, count, newest, n).ok_or(StatusWord::RECORD_NOT_FOUND)?;
    let at = slot_off(g, s, slot);
    let mut len = [0u8; 1];
    j.read(at, &mut len)?;
    let len = usize::from(len[0].min(s.max_len));
    let buf = out.get_mut(..len).ok_or(StatusWord::WRONG_LENGTH)?;
    j.read(at + 1, buf)?;
    Ok(len)
}

/// Logical number of the first record whose first byte is `tag` (READ RECORD P2 = xxxxx000).
pub(crate) fn find_tag<S: Store>(j: &Journal<S>, g: EfGeom, tag: u8) -> Result<u8, StatusWord> {
    let s = shape(g)?;
    let (count, newest) = header(j, g, s)?;
    for n in 1..=count {
        let slot = physical(s, count, newest, n).ok_or(StatusWord::RECORD_NOT_FOUND)?;
        let mut lt = [0u8; 2];
        j.read(slot_off(g, s, slot), &mut lt)?;
        if lt[0] > 0 && lt[1] == tag {
            return Ok(n);
        }
    }
    Err(StatusWord::RECORD_NOT_FOUND)
}

/// Records `from..=count` concatenated into `out` (READ RECORD P2 = xxxxx101). Stops before a record
/// that would not fit; returns the byte count. `6A83` if record `from` does not exist.
pub(crate) fn read_from<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    from: u8,
    out: &mut [u8],
) -> Result<usize, StatusWord> {
    concat_records(j, g, from, out, false)
}

/// The `read_all_out_of_order` fault: [`read_from`] with the records in reverse order.
#[cfg(feature = "faults")]
pub(crate) fn read_from_reversed<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    from: u8,
    out: &mut [u8],
) -> Result<usize, StatusWord> {
    concat_records(j, g, from, out, true)
}

fn concat_records<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    from: u8,
    out: &mut [u8],
    reversed: bool,
) -> Result<usize, StatusWord> {
    let s = shape(g)?;
    let (count, _) = header(j, g, s)?;
    if from == 0 || from > count {
        return Err(StatusWord::RECORD_NOT_FOUND);
    }
    let mut at = 0usize;
    let mut rec = [0u8; MAX_RECORD];
    for n in from..=count {
        // `from <= n <= count`, so the mirrored number stays in `from..=count`.
        let n = if reversed { count - (n - from) } else { n };
        let len = read(j, g, n, &mut rec)?;
        let (Some(dst), Some(src)) = (out.get_mut(at..at + len), rec.get(..len)) else {
            break;
        };
        dst.copy_from_slice(src);
        at += len;
    }
    Ok(at)
}

fn check_len(s: Shape, len: usize) -> Result<u8, StatusWord> {
    let ok = if s.fixed || s.cyclic {
        len == usize::from(s.max_len)
    } else {
        len >= 1 && len <= usize::from(s.max_len)
    };
    if ok {
        u8::try_from(len).map_err(|_| StatusWord::WRONG_LENGTH)
    } else {
        Err(StatusWord::WRONG_LENGTH)
    }
}

/// A slot's bytes in `buf`: length byte ‖ data.
fn slot_image<'b>(len: u8, data: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8], StatusWord> {
    *buf.first_mut().ok_or(StatusWord::WRONG_LENGTH)? = len;
    let n = data.len();
    buf.get_mut(1..=n)
        .ok_or(StatusWord::WRONG_LENGTH)?
        .copy_from_slice(data);
    buf.get(..=n).ok_or(StatusWord::WRONG_LENGTH)
}

/// Where UPDATE RECORD `n` writes and what: the slot's offset and image (validated).
fn update_image<'b, S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    n: u8,
    data: &[u8],
    buf: &'b mut [u8; MAX_RECORD + 1],
) -> Result<(u32, &'b [u8]), StatusWord> {
    let s = shape(g)?;
    let (count, newest) = header(j, g, s)?;
    let slot = physical(s, count, newest, n).ok_or(StatusWord::RECORD_NOT_FOUND)?;
    let len = check_len(s, data.len())?;
    Ok((slot_off(g, s, slot), slot_image(len, data, buf)?))
}

/// UPDATE RECORD `n` with `data`, through the journal. `in_place` (the `update_record_in_place`
/// fault): written straight to the record's slot in 16-byte pages instead, without the journal
/// (a power cut tears the record).
pub(crate) fn update<S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    n: u8,
    data: &[u8],
    in_place: bool,
) -> Result<(), StatusWord> {
    let mut buf = [0u8; MAX_RECORD + 1];
    let (at, img) = update_image(j, g, n, data, &mut buf)?;
    if in_place {
        for (i, page) in img.chunks(16).enumerate() {
            j.write_unjournaled(at + (i * 16) as u32, page)?;
        }
        return Ok(());
    }
    j.atomic(&[(at, img)])?;
    Ok(())
}

/// What an APPEND RECORD writes: the new record's slot image at `slot_off` and the new header
/// at `header_off` (the file's offset) — two writes a caller may put in a larger atomic batch.
pub(crate) struct AppendPlan {
    pub slot_off: u32,
    pub slot_len: usize,
    pub header_off: u32,
    pub header: [u8; 2],
    pub cyclic: bool,
}

/// Plans APPEND RECORD of `data` (writing the slot image into `buf`, at least `1 + data.len()`
/// bytes): a new last record
/// (variable: `6A84` when full; fixed: `6981`), or a new record 1 of a cyclic file (the oldest
/// is overwritten when full).
pub(crate) fn append_plan<S: Store>(
    j: &Journal<S>,
    g: EfGeom,
    data: &[u8],
    buf: &mut [u8],
) -> Result<AppendPlan, StatusWord> {
    let s = shape(g)?;
    if s.fixed {
        return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE);
    }
    let (count, newest) = header(j, g, s)?;
    let len = check_len(s, data.len())?;
    let (slot, new_header) = if s.cyclic {
        if s.slots == 0 {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        let slot = if count == 0 {
            0
        } else {
            (newest + 1).checked_rem(s.slots).unwrap_or(0)
        };
        (slot, [count.saturating_add(1).min(s.slots), slot])
    } else {
        if count >= s.slots {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        (count, [count + 1, 0])
    };
    let img = slot_image(len, data, buf)?;
    Ok(AppendPlan {
        slot_off: slot_off(g, s, slot),
        slot_len: img.len(),
        header_off: g.off,
        header: new_header,
        cyclic: s.cyclic,
    })
}

/// APPEND RECORD ([`append_plan`]), through the journal. `in_place` (the
/// `append_record_in_place` fault): a cyclic file's header and record are written one after the
/// other, without the journal (a power cut between them loses or half-writes one).
pub(crate) fn append<S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    data: &[u8],
    in_place: bool,
) -> Result<(), StatusWord> {
    let mut buf = [0u8; MAX_RECORD + 1];
    let p = append_plan(j, g, data, &mut buf)?;
    let img = buf.get(..p.slot_len).ok_or(StatusWord::WRONG_LENGTH)?;
    if in_place && p.cyclic {
        j.write_unjournaled(p.header_off, &p.header)?;
        j.write_unjournaled(p.slot_off, img)?;
        return Ok(());
    }
    j.atomic(&[(p.slot_off, img), (p.header_off, &p.header)])?;
    Ok(())
}

/// Factory: write slot `n` (0-based) of a fresh file.
pub(crate) fn init_slot<S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    n: u8,
    data: &[u8],
) -> Result<(), StatusWord> {
    let s = shape(g)?;
    if n >= s.slots {
        return Err(StatusWord::NOT_ENOUGH_MEMORY);
    }
    let len = check_len(s, data.len())?;
    let mut buf = [0u8; MAX_RECORD + 1];
    j.write_unjournaled(slot_off(g, s, n), slot_image(len, data, &mut buf)?)?;
    Ok(())
}

/// Factory: finish a fresh file holding `n` initial records (fixed files are zero-filled to
/// their record count).
pub(crate) fn init_header<S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    mut n: u8,
) -> Result<(), StatusWord> {
    let s = shape(g)?;
    if s.fixed {
        let zeros = [0u8; MAX_RECORD];
        let z = zeros
            .get(..usize::from(s.max_len))
            .ok_or(StatusWord::WRONG_LENGTH)?;
        while n < s.slots {
            init_slot(j, g, n, z)?;
            n += 1;
        }
    }
    let newest = if s.cyclic && n > 0 { n - 1 } else { 0 };
    j.write_unjournaled(g.off, &[n, newest])?;
    Ok(())
}

/// Factory: write the header and the initial records.
#[cfg(test)]
pub(crate) fn format<'a, S: Store>(
    j: &mut Journal<S>,
    g: EfGeom,
    records: impl Iterator<Item = &'a [u8]>,
) -> Result<(), StatusWord> {
    let mut n = 0u8;
    for r in records {
        init_slot(j, g, n, r)?;
        n += 1;
    }
    init_header(j, g, n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::store::{RamStore, JOURNAL_SIZE};

    fn journal() -> Journal<RamStore<{ JOURNAL_SIZE + 1024 }>> {
        let mut j = Journal::new(RamStore::new());
        j.format().unwrap();
        j
    }

    #[test]
    fn variable_records_by_number_tag_and_all() {
        let mut j = journal();
        let g = EfGeom {
            off: 0,
            kind: EfKind::Variable {
                max_records: 4,
                max_len: 10,
            },
        };
        format(
            &mut j,
            g,
            [&[1u8, 1, 0xAA][..], &[2, 2, 1, 2][..]].into_iter(),
        )
        .unwrap();
        let mut out = [0u8; 64];
        assert_eq!(read(&j, g, 2, &mut out).unwrap(), 4);
        assert_eq!(find_tag(&j, g, 2).unwrap(), 2);
        assert_eq!(find_tag(&j, g, 3), Err(StatusWord::RECORD_NOT_FOUND));
        assert_eq!(read_from(&j, g, 1, &mut out).unwrap(), 7);
        assert_eq!(&out[..7], &[1, 1, 0xAA, 2, 2, 1, 2]);
        update(&mut j, g, 1, &[1, 2, 3, 4], false).unwrap();
        assert_eq!(read(&j, g, 1, &mut out).unwrap(), 4);
        assert_eq!(
            update(&mut j, g, 3, &[1], false),
            Err(StatusWord::RECORD_NOT_FOUND)
        );
        assert_eq!(
            update(&mut j, g, 1, &[0; 11], false),
            Err(StatusWord::WRONG_LENGTH)
        );
        append(&mut j, g, &[5, 0], false).unwrap();
        append(&mut j, g, &[6, 0], false).unwrap();
        assert_eq!(
            append(&mut j, g, &[7, 0], false),
            Err(StatusWord::NOT_ENOUGH_MEMORY)
        );
        assert_eq!(count(&j, g).unwrap(), 4);
    }

    #[test]
    fn cyclic_record_one_is_newest() {
        let mut j = journal();
        let g = EfGeom {
            off: 0,
            kind: EfKind::Cyclic { records: 3, len: 2 },
        };
        format(&mut j, g, core::iter::empty()).unwrap();
        let mut out = [0u8; 8];
        assert_eq!(read(&j, g, 1, &mut out), Err(StatusWord::RECORD_NOT_FOUND));
        for i in 1..=5u8 {
            append(&mut j, g, &[i, i], false).unwrap();
        }
        assert_eq!(count(&j, g).unwrap(), 3);
        for (n, want) in [(1u8, 5u8), (2, 4), (3, 3)] {
            read(&j, g, n, &mut out).unwrap();
            assert_eq!(out[0], want);
        }
        assert_eq!(
            append(&mut j, g, &[1], false),
            Err(StatusWord::WRONG_LENGTH)
        );
    }
}
