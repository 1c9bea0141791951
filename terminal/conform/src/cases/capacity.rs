//! Area 2, continued: record writes and file capacity (issue 10, family 1) — APPEND RECORD on
//! cyclic files (record 1 the newest, the oldest dropped when full) and on a full
//! variable-length file (6A84), UPDATE RECORD of a wrong length on a fixed-length file (6700),
//! UPDATE BINARY running past the end of a transparent file (6700; 6A86/6B00 when the offset
//! itself is past the end) — each time with the file (and the next one) unchanged when refused.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::files::{all_efs, DFS};
use sscard_specs::types::{DfId, EfSpec, EfStructure, ReadRule, WriteRule};

use super::{access, content};
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

/// Most records read or appended while looking for the end of a file.
const MAX_RECORDS: u8 = 64;

fn uk(ef: &EfSpec) -> Result<&'static str, Verdict> {
    match ef.write {
        WriteRule::Key(k) => Ok(k),
        WriteRule::Never => Err(skip(format!("{} is never writable", ef_name(ef)))),
    }
}

/// Read and write rights on `ef` (its read rule, then EXTERNAL AUTHENTICATE with its update
/// key), `ef` current.
pub(super) fn gain_write(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let k = uk(ef)?;
    access::select(ctx, ef)?;
    ctx.reset()?;
    ctx.gain_read(ef)?;
    ctx.authenticate(k)?;
    ctx.expect_select_ef(ef)?;
    Ok(())
}

fn record(ctx: &mut Ctx<'_>, n: u8) -> Result<Resp, Verdict> {
    ctx.read_record(RecordSelector::ByNumber(n), None)
}

/// The records of the current EF, 1 up to the first 6A83.
pub(super) fn all_records(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Result<Vec<Vec<u8>>, Verdict> {
    let mut out = Vec::new();
    for n in 1..=MAX_RECORDS {
        let r = record(ctx, n)?;
        match r.sw {
            StatusWord::OK => out.push(r.data),
            StatusWord::RECORD_NOT_FOUND => return Ok(out),
            sw => {
                return Err(fail(format!(
                    "READ RECORD {n} of {}: {}",
                    ef_name(ef),
                    sw_text(sw)
                )))
            }
        }
    }
    Err(fail(format!(
        "{} answers more than {MAX_RECORDS} records",
        ef_name(ef)
    )))
}

/// Cyclic file: after appending n + 1 distinct records (n = the spec's record count), record 1
/// is the last appended, record i the i-th newest, the file holds at least n records, and the
/// record after the last is 6A83; when it holds exactly n, the first appended record is gone.
fn cyclic_order(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let EfStructure::Cyclic { records: n, .. } = ef.structure_for(ctx.version()) else {
        return Err(skip("not a cyclic file on this version"));
    };
    gain_write(ctx, ef)?;
    let m = u32::from(n) + 1;
    let mut appended = Vec::new();
    for i in 0..m {
        let rec = content::cyclic_record(ef, 1000 + i)?;
        let c = commands::append_record(None, &rec).map_err(|e| fail(e.to_string()))?;
        ctx.expect_cmd(
            &format!("APPEND RECORD {} of {m} to {}", i + 1, ef_name(ef)),
            &c,
            &[StatusWord::OK],
        )?;
        appended.push(rec);
    }
    let now = all_records(ctx, ef)?;
    if now.len() < usize::from(n) {
        return Err(fail(format!(
            "{} holds {} records after {m} appends; the spec's cyclic file holds at least {n}",
            ef_name(ef),
            now.len()
        )));
    }
    for (i, got) in now.iter().take(appended.len()).enumerate() {
        let want = &appended[appended.len() - 1 - i];
        if got != want {
            return Err(fail(format!(
                "record {} of {} is {}, expected the {} newest appended record {}",
                i + 1,
                ef_name(ef),
                hex::encode_upper(got),
                ordinal(i + 1),
                hex::encode_upper(want)
            )));
        }
    }
    if now.len() == usize::from(n) {
        ctx.note(format!(
            "full at {n} records: the oldest appended record was dropped"
        ));
    } else {
        ctx.note(format!(
            "{} holds {} records (more than the spec's {n}): the wrap-around is not reached",
            ef_name(ef),
            now.len()
        ));
    }
    Ok(())
}

fn ordinal(i: usize) -> String {
    match i {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

/// Variable-length file: APPEND RECORD until the card answers 6A84 (a copy of the last record,
/// so a by-tag read still finds the original first); then the last record is unchanged and
/// the one after it is 6A83.
fn append_full(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    gain_write(ctx, ef)?;
    let before = all_records(ctx, ef)?;
    let Some(last) = before.last().cloned() else {
        return Err(skip(format!("{} holds no record", ef_name(ef))));
    };
    let c = commands::append_record(None, &last).map_err(|e| fail(e.to_string()))?;
    let mut added = 0u8;
    loop {
        let r = ctx.send_cmd(&c)?;
        match r.sw {
            StatusWord::NOT_ENOUGH_MEMORY => break,
            StatusWord::OK if usize::from(added) + before.len() < usize::from(MAX_RECORDS) => {
                added += 1;
            }
            sw => {
                return Err(fail(format!(
                "APPEND RECORD to {} ({} records{}): expected 6A84 when full, the card answered {}",
                ef_name(ef),
                before.len(),
                if added > 0 {
                    format!(" + {added} appended")
                } else {
                    String::new()
                },
                sw_text(sw)
            )))
            }
        }
    }
    if added > 0 {
        ctx.note(format!(
            "{} had room for {added} more record(s) beyond the spec's items",
            ef_name(ef)
        ));
    }
    let count = before.len() + usize::from(added);
    let n = u8::try_from(count).map_err(|_| fail("too many records"))?;
    let r = record(ctx, n)?;
    if r.sw != StatusWord::OK || r.data != last {
        return Err(fail(format!(
            "the last record ({n}) after the refused APPEND RECORD is {} {}, expected {}",
            hex::encode_upper(&r.data),
            sw_text(r.sw),
            hex::encode_upper(&last)
        )));
    }
    ctx.expect_cmd(
        &format!("READ RECORD {} (after the last)", n + 1),
        &commands::read_record(RecordSelector::ByNumber(n + 1), None, 256)
            .map_err(|e| fail(e.to_string()))?,
        &[StatusWord::RECORD_NOT_FOUND],
    )?;
    Ok(())
}

/// Fixed-length file: UPDATE RECORD 1 with its record one byte short and one byte long answers
/// 6700 each time and record 1 is unchanged (put back if the card changed it).
fn update_wrong_length(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    gain_write(ctx, ef)?;
    let r = record(ctx, 1)?;
    if r.sw != StatusWord::OK || r.data.len() < 2 {
        return Err(fail(format!(
            "READ RECORD 1 of {}: {}",
            ef_name(ef),
            sw_text(r.sw)
        )));
    }
    let orig = r.data;
    let mut short = orig.clone();
    short.pop();
    let mut long = orig.clone();
    long.push(0x00);
    let mut res = Ok(());
    for (data, what) in [(&short, "one byte short"), (&long, "one byte long")] {
        let c = commands::update_record(1, None, data).map_err(|e| fail(e.to_string()))?;
        let sw = ctx.send_cmd(&c)?.sw;
        if sw != StatusWord::WRONG_LENGTH {
            res = Err(fail(format!(
                "UPDATE RECORD 1 of the fixed-length {} with a record {what}: expected 6700, the card answered {}",
                ef_name(ef),
                sw_text(sw)
            )));
            break;
        }
    }
    let now = record(ctx, 1)?;
    if now.data != orig {
        let c = commands::update_record(1, None, &orig).map_err(|e| fail(e.to_string()))?;
        let _ = ctx.send_cmd(&c);
        res = res.and(Err(fail(format!(
            "record 1 changed by a refused UPDATE RECORD: {} (put back)",
            hex::encode_upper(&now.data)
        ))));
    }
    res
}

/// Variable-length file: UPDATE RECORD 1 with a record one byte longer than the file's maximum
/// record (a well-formed TLV of that size) answers 6700 (6A84 accepted) and records 1 and 2 are
/// unchanged (put back if the card changed them).
fn update_too_long(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let EfStructure::VariableRecords { max_record_len, .. } = ef.structure_for(ctx.version())
    else {
        return Err(skip("not a variable-length record file on this version"));
    };
    let total = usize::from(max_record_len) + 1;
    if !(3..=255).contains(&total) {
        return Err(skip(
            "the maximum record does not leave room for one more byte",
        ));
    }
    gain_write(ctx, ef)?;
    let before = all_records(ctx, ef)?;
    let Some(first) = before.first().filter(|r| !r.is_empty()) else {
        return Err(fail(format!("{} has no record 1", ef_name(ef))));
    };
    let mut long = vec![first[0], (total - 2) as u8];
    long.resize(total, 0x20);
    let c = commands::update_record(1, None, &long).map_err(|e| fail(e.to_string()))?;
    let sw = ctx.send_cmd(&c)?.sw;
    let mut res = Ok(());
    if !matches!(sw, StatusWord::WRONG_LENGTH | StatusWord::NOT_ENOUGH_MEMORY) {
        res = Err(fail(format!(
            "UPDATE RECORD 1 of {} with a {total}-byte record (its maximum is {max_record_len}): expected 6700 or 6A84, the card answered {}",
            ef_name(ef),
            sw_text(sw)
        )));
    }
    let now = all_records(ctx, ef)?;
    if now != before {
        for (i, rec) in before.iter().enumerate() {
            if now.get(i) != Some(rec) {
                if let Ok(n) = u8::try_from(i + 1) {
                    let c =
                        commands::update_record(n, None, rec).map_err(|e| fail(e.to_string()))?;
                    let _ = ctx.send_cmd(&c);
                }
            }
        }
        res = res.and(Err(fail(format!(
            "the records of {} changed by a refused over-long UPDATE RECORD (put back)",
            ef_name(ef)
        ))));
    }
    res
}

/// Transparent file of `size` bytes followed by `next` in its DF: UPDATE BINARY of 16 bytes at
/// size − 8 answers 6700; 1 byte at offset size answers 6A86/6B00 (6700 accepted); the file's
/// last bytes and `next`'s first bytes are unchanged (put back if the card changed them).
fn update_past_end(ctx: &mut Ctx<'_>, ef: &'static EfSpec, next: &'static EfSpec) -> Check {
    let EfStructure::Transparent { size } = ef.structure_for(ctx.version()) else {
        return Err(skip("not transparent on this version"));
    };
    let (Ok(own_key), Ok(next_key)) = (uk(ef), uk(next)) else {
        return Err(skip("not writable"));
    };
    let at = size.saturating_sub(8);
    let read = |ctx: &mut Ctx<'_>, off: u16, n: u32| -> Result<Vec<u8>, Verdict> {
        let c = commands::read_binary(off, n).map_err(|e| fail(e.to_string()))?;
        let r = ctx.send_cmd(&c)?;
        if r.sw == StatusWord::OK {
            Ok(r.data)
        } else {
            Err(fail(format!("READ BINARY at {off:#X}: {}", sw_text(r.sw))))
        }
    };
    // The next file's first bytes, then the rights on this one.
    access::select(ctx, next)?;
    ctx.reset()?;
    ctx.gain_read(next)?;
    ctx.expect_select_ef(next)?;
    let next_before = read(ctx, 0, 16)?;
    ctx.authenticate(own_key)?;
    ctx.expect_select_ef(ef)?;
    let tail = read(ctx, at, 8)?;
    let mut data = tail.clone();
    data.extend(next_before.iter().take(8).map(|b| !b));
    let mut res = Ok(());
    let c = commands::update_binary(at, &data).map_err(|e| fail(e.to_string()))?;
    let sw = ctx.send_cmd(&c)?.sw;
    if sw != StatusWord::WRONG_LENGTH {
        res = Err(fail(format!(
            "UPDATE BINARY of 16 bytes at {at:#X} in the {size:#X}-byte {}: expected 6700, the card answered {}",
            ef_name(ef),
            sw_text(sw)
        )));
    }
    let one = [tail.last().copied().unwrap_or(0)];
    let c = commands::update_binary(size, &one).map_err(|e| fail(e.to_string()))?;
    let sw = ctx.send_cmd(&c)?.sw;
    if res.is_ok()
        && !matches!(
            sw,
            StatusWord::WRONG_P1P2 | StatusWord::WRONG_P1P2_6B00 | StatusWord::WRONG_LENGTH
        )
    {
        res = Err(fail(format!(
            "UPDATE BINARY at offset {size:#X} (the end of the file): expected 6A86 or 6B00, the card answered {}",
            sw_text(sw)
        )));
    }
    if read(ctx, at, 8)? != tail {
        let c = commands::update_binary(at, &tail).map_err(|e| fail(e.to_string()))?;
        let _ = ctx.send_cmd(&c);
        res = res.and(Err(fail(format!(
            "the last bytes of {} changed by a refused UPDATE BINARY (put back)",
            ef_name(ef)
        ))));
    }
    ctx.expect_select_ef(next)?;
    if read(ctx, 0, 16)? != next_before {
        ctx.authenticate(next_key)?;
        ctx.send_cmd(&commands::select_ef(next.fid))?;
        let c = commands::update_binary(0, &next_before).map_err(|e| fail(e.to_string()))?;
        let _ = ctx.send_cmd(&c);
        res = res.and(Err(fail(format!(
            "{} changed by an UPDATE BINARY of {} running past its end (put back)",
            ef_name(next),
            ef_name(ef)
        ))));
    }
    res
}

/// Transparent file of `size` bytes: UPDATE BINARY of 8 bytes in the middle of the file changes
/// exactly those 8 bytes (the 8 before and after them read back unchanged); put back afterwards.
fn update_at_offset(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let EfStructure::Transparent { size } = ef.structure_for(ctx.version()) else {
        return Err(skip("not transparent on this version"));
    };
    if size < 24 {
        return Err(skip("smaller than 24 bytes"));
    }
    gain_write(ctx, ef)?;
    let mid = size / 2;
    let around = mid - 8;
    let read = |ctx: &mut Ctx<'_>| -> Result<Vec<u8>, Verdict> {
        let c = commands::read_binary(around, 24).map_err(|e| fail(e.to_string()))?;
        let r = ctx.expect_cmd(
            &format!("READ BINARY at {around:#X}"),
            &c,
            &[StatusWord::OK],
        )?;
        if r.data.len() == 24 {
            Ok(r.data)
        } else {
            Err(fail(format!(
                "READ BINARY of 24 bytes at {around:#X}: {} bytes",
                r.data.len()
            )))
        }
    };
    let before = read(ctx)?;
    let new: Vec<u8> = before.iter().skip(8).take(8).map(|b| !b).collect();
    let c = commands::update_binary(mid, &new).map_err(|e| fail(e.to_string()))?;
    ctx.expect_cmd(
        &format!("UPDATE BINARY of 8 bytes at {mid:#X}"),
        &c,
        &[StatusWord::OK],
    )?;
    let after = read(ctx)?;
    let mut want = before.clone();
    want.splice(8..16, new.iter().copied());
    let c = commands::update_binary(around, &before).map_err(|e| fail(e.to_string()))?;
    let put_back = ctx.send_cmd(&c)?.sw;
    if after != want {
        return Err(fail(format!(
            "after UPDATE BINARY of 8 bytes at {mid:#X} in {}, bytes {around:#X}..+24 read {} (expected {})",
            ef_name(ef),
            hex::encode_upper(&after),
            hex::encode_upper(&want)
        )));
    }
    if put_back != StatusWord::OK {
        return Err(fail(format!(
            "putting back {} at {around:#X}: {}",
            ef_name(ef),
            sw_text(put_back)
        )));
    }
    Ok(())
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Files);
    let r = "sscard-spec.md §2.2 (structures and sizes), §3.2 (cyclic: record 1 = newest [I]), §4 (6700, 6A83, 6A84, 6A86)";
    for ef in all_efs().filter(|e| {
        matches!(e.structure, EfStructure::Cyclic { .. }) && matches!(e.write, WriteRule::Key(_))
    }) {
        let EfStructure::Cyclic { records, .. } = ef.structure else {
            continue;
        };
        a.add(
            format!("{}-CYCLIC-ORDER", id::ef(ef)),
            format!("{} keeps its records newest first", ef_name(ef)),
            format!(
                "After appending {} distinct records to the cyclic {} (spec: at least {records}), record 1 is the last appended, record i the i-th newest, the file holds at least {records} records and the one after the last answers 6A83 (when it holds exactly {records}, the oldest was dropped).",
                u32::from(records) + 1,
                ef_name(ef)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| cyclic_order(ctx, ef),
        )
        .destructive();
    }
    if let Some(ef) = all_efs().find(|e| {
        e.df != DfId::Ssse
            && matches!(e.structure, EfStructure::VariableRecords { .. })
            && matches!(e.write, WriteRule::Key(_))
            && matches!(e.read, ReadRule::Key(_) | ReadRule::PinOrKey(_))
    }) {
        a.add(
            format!("{}-APPEND-FULL", id::ef(ef)),
            format!("APPEND RECORD to the full {} → 6A84", ef_name(ef)),
            format!(
                "APPEND RECORD (a copy of the last record) to {} answers 6A84 once the file is full (at once on a card sized to the spec's items); the last record is then unchanged and the next record number answers 6A83.",
                ef_name(ef)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| append_full(ctx, ef),
        )
        .destructive();
        a.add(
            format!("{}-UPDATE-TOO-LONG", id::ef(ef)),
            format!("UPDATE RECORD longer than the maximum record of {}", ef_name(ef)),
            format!(
                "With write rights, UPDATE RECORD 1 of the variable-length {} with a well-formed record one byte longer than its maximum record answers 6700 (6A84 accepted); all its records are unchanged.",
                ef_name(ef)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| update_too_long(ctx, ef),
        );
    }
    for ef in all_efs().filter(|e| {
        matches!(e.structure, EfStructure::FixedRecords { .. })
            && matches!(e.write, WriteRule::Key(_))
    }) {
        a.add(
            format!("{}-UPDATE-WRONG-LENGTH", id::ef(ef)),
            format!("UPDATE RECORD of a wrong length on the fixed-length {}", ef_name(ef)),
            format!(
                "With write rights, UPDATE RECORD 1 of {} with its record one byte short, then one byte long, answers 6700 each time and record 1 is unchanged.",
                ef_name(ef)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| update_wrong_length(ctx, ef),
        );
    }
    let past_end = DFS.iter().find_map(|df| {
        df.efs.windows(2).find_map(|w| {
            let (ef, next) = (&w[0], &w[1]);
            (matches!(ef.structure, EfStructure::Transparent { .. })
                && matches!(next.structure, EfStructure::Transparent { .. })
                && ef.read == ReadRule::Free
                && next.read == ReadRule::Free
                && matches!(ef.write, WriteRule::Key(_)))
            .then_some((ef, next))
        })
    });
    if let Some((ef, next)) = past_end {
        a.add(
            format!("{}-UPDATE-AT-OFFSET", id::ef(ef)),
            format!("UPDATE BINARY at an offset of {}", ef_name(ef)),
            format!(
                "With write rights, UPDATE BINARY of 8 bytes in the middle of {} changes exactly those bytes: READ BINARY of the 24 bytes around them shows the 8 new bytes between the 8 unchanged ones on each side (the file is put back afterwards).",
                ef_name(ef)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| update_at_offset(ctx, ef),
        );
        a.add(
            format!("{}-UPDATE-PAST-END", id::ef(ef)),
            format!("UPDATE BINARY past the end of {}", ef_name(ef)),
            format!(
                "With write rights, UPDATE BINARY of 16 bytes starting 8 bytes before the end of {} answers 6700, and 1 byte at the offset of its end answers 6A86 or 6B00; the file's last bytes and the next file {} are unchanged.",
                ef_name(ef),
                ef_name(next)
            ),
            r,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| update_past_end(ctx, ef, next),
        );
    }
    a.into_cases()
}
