//! Area 2: presence, structure, size and SFI of every DF/EF of the spec tables
//! (sscard-spec.md §2.2; `sscard_specs::files`).

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::files::all_efs;
use sscard_specs::types::{Category, DfId, EfSpec, EfStructure};

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, record_count, sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check};

fn structure_text(s: EfStructure) -> String {
    match s {
        EfStructure::Transparent { size } => format!("transparent, {size:#X} bytes"),
        EfStructure::VariableRecords { max_records, .. } => {
            format!("variable-length records (up to {max_records})")
        }
        EfStructure::FixedRecords {
            records,
            record_len,
        } => format!("{records} fixed records of {record_len:#X} bytes"),
        EfStructure::Cyclic {
            records,
            record_len,
        } => format!("cyclic, {records} records of {record_len:#X} bytes"),
    }
}

fn optional(ef: &EfSpec) -> bool {
    ef.category != Category::Active
}

/// Select the EF; an optional EF that is absent ends the case with a skip.
fn select_present(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    let r = ctx.try_select_df(ef.df)?;
    if !r.ok() {
        if optional(ef) && r.sw == StatusWord::FILE_NOT_FOUND {
            return Err(skip(format!("{} absent (optional DF)", ef.df.name())));
        }
        return Err(fail(format!("SELECT {}: {}", ef.df.name(), sw_text(r.sw))));
    }
    let r = ctx.send_cmd(&commands::select_ef(ef.fid))?;
    match r.sw {
        StatusWord::OK => Ok(()),
        StatusWord::FILE_NOT_FOUND if optional(ef) => {
            Err(skip(format!("{} absent (optional)", ef_name(ef))))
        }
        sw => Err(fail(format!("SELECT {}: {}", ef_name(ef), sw_text(sw)))),
    }
}

fn presence(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    select_present(ctx, ef)?;
    // By SFI from the DF, without selecting the EF.
    ctx.reset()?;
    ctx.select_df(ef.df)?;
    let record = ef.structure_for(ctx.version()).is_record();
    let r = ctx.read_first_by_sfi(ef, 1)?;
    let allowed: &[StatusWord] = if record {
        &[
            StatusWord::OK,
            StatusWord::SECURITY_NOT_SATISFIED,
            StatusWord::RECORD_NOT_FOUND,
        ]
    } else {
        &[StatusWord::OK, StatusWord::SECURITY_NOT_SATISFIED]
    };
    if allowed.contains(&r.sw) {
        Ok(())
    } else {
        Err(fail(format!(
            "reading {} by SFI {:02X}: {} (expected the file: data, 6982 or, for an empty record file, 6A83)",
            ef_name(ef),
            ef.sfi,
            sw_text(r.sw)
        )))
    }
}

fn structure(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Check {
    select_present(ctx, ef)?;
    ctx.reset()?;
    ctx.gain_read(ef)?;
    let v = ctx.version();
    ctx.expect_select_ef(ef)?;
    match ef.structure_for(v) {
        EfStructure::Transparent { size } => {
            let c = commands::read_record(RecordSelector::ByNumber(1), None, 256)
                .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd(
                "READ RECORD on a transparent EF",
                &c,
                &[StatusWord::INCOMPATIBLE_FILE_STRUCTURE],
            )?;
            let last = size.saturating_sub(1);
            let c = commands::read_binary(last, 1).map_err(|e| fail(e.to_string()))?;
            let r = ctx.expect_cmd(
                &format!("READ BINARY at {last:#X} (last byte)"),
                &c,
                &[StatusWord::OK],
            )?;
            if r.data.len() != 1 {
                return Err(fail(format!(
                    "READ BINARY of the last byte returned {} bytes",
                    r.data.len()
                )));
            }
            let c = commands::read_binary(size, 1).map_err(|e| fail(e.to_string()))?;
            let r = ctx.send_cmd(&c)?;
            if !r.data.is_empty() {
                return Err(fail(format!(
                    "READ BINARY at {size:#X} (past the end of a {size:#X}-byte file) returned data: the file is larger than the spec"
                )));
            }
            // An offset outside the EF (ISO/IEC 7816-4: 6B00; the profile's 6A86 accepted).
            let beyond = size.saturating_add(1);
            let c = commands::read_binary(beyond, 1).map_err(|e| fail(e.to_string()))?;
            let r = ctx.expect_cmd(
                &format!("READ BINARY at {beyond:#X} (an offset outside the {size:#X}-byte file)"),
                &c,
                &[StatusWord::WRONG_P1P2_6B00, StatusWord::WRONG_P1P2],
            )?;
            if !r.data.is_empty() {
                return Err(fail(format!(
                    "READ BINARY at {beyond:#X} (outside the file) returned {} bytes",
                    r.data.len()
                )));
            }
            Ok(())
        }
        s => {
            let c = commands::read_binary(0, 1).map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd(
                "READ BINARY on a record EF",
                &c,
                &[StatusWord::INCOMPATIBLE_FILE_STRUCTURE],
            )?;
            let n = record_count(ef, v);
            let (len_ok, what): (Box<dyn Fn(usize) -> bool>, String) = match s {
                EfStructure::FixedRecords { record_len, .. } => (
                    Box::new(move |l| l == usize::from(record_len)),
                    format!("{record_len:#X}"),
                ),
                EfStructure::Cyclic { record_len, .. } => (
                    Box::new(move |l| l == usize::from(record_len)),
                    format!("{record_len:#X}"),
                ),
                EfStructure::VariableRecords { max_record_len, .. } => (
                    Box::new(move |l| l >= 2 && l <= usize::from(max_record_len)),
                    format!("2..={max_record_len:#X}"),
                ),
                EfStructure::Transparent { .. } => (Box::new(|_| false), String::new()),
            };
            if let EfStructure::Cyclic { .. } = s {
                // Cyclic files hold as many records as have been appended: check what is there.
                let r = ctx.read_record(RecordSelector::ByNumber(1), None)?;
                return match r.sw {
                    StatusWord::RECORD_NOT_FOUND => Ok(()),
                    StatusWord::OK if len_ok(r.data.len()) => Ok(()),
                    StatusWord::OK => Err(fail(format!(
                        "cyclic record 1 is {} bytes, expected {what}",
                        r.data.len()
                    ))),
                    sw => Err(fail(format!("READ RECORD 1: {}", sw_text(sw)))),
                };
            }
            for rec in 1..=n {
                let r = ctx.read_record(RecordSelector::ByNumber(rec as u8), None)?;
                if r.sw != StatusWord::OK {
                    return Err(fail(format!(
                        "READ RECORD {rec} of {n} (the spec items fill {n} records): {}",
                        sw_text(r.sw)
                    )));
                }
                if !len_ok(r.data.len()) {
                    return Err(fail(format!(
                        "record {rec} is {} bytes, expected {what}",
                        r.data.len()
                    )));
                }
            }
            if n < 255 {
                let r = ctx.read_record(RecordSelector::ByNumber(n as u8 + 1), None)?;
                // Only SSSE EF05/EF06 are closed by the spec ("no new tags", §2.1); other EFs may
                // carry regional extensions after the national items.
                let closed = ef.df == DfId::Ssse;
                if r.sw == StatusWord::OK && !closed {
                    ctx.note(format!(
                        "{} holds more than the {n} records of the spec (regional extension?)",
                        ef_name(ef)
                    ));
                } else if r.sw != StatusWord::RECORD_NOT_FOUND {
                    return Err(fail(format!(
                        "READ RECORD {} (one past the {n} records of the spec): expected 6A83, the card answered {}",
                        n + 1,
                        sw_text(r.sw)
                    )));
                }
            }
            Ok(())
        }
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Files);
    for ef in all_efs() {
        let opt = if optional(ef) {
            " (optional file: absence is a skip)"
        } else {
            ""
        };
        a.add(
            format!("{}-PRESENT-SFI", id::ef(ef)),
            format!("{} present, selectable by FID and addressable by SFI", ef_name(ef)),
            format!(
                "{} ({}) can be selected with 00 A4 02 00 02 {:04X} after selecting {}, and READ {} by SFI {:02X} reaches it (data, 6982 or 6A83 — never 6A82){opt}.",
                ef_name(ef),
                ef.name_en,
                ef.fid,
                ef.df.name(),
                if ef.structure.is_record() { "RECORD" } else { "BINARY" },
                ef.sfi
            ),
            refs::FILES,
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| presence(ctx, ef),
        );
        a.add(
            format!("{}-STRUCTURE", id::ef(ef)),
            format!("{} structure and size", ef_name(ef)),
            format!(
                "{} is {}: the other access method answers 6981, and its records / bytes end where the spec says (the next one is 6A83 / no data; a READ BINARY offset outside a transparent file answers 6B00 or 6A86). Needs read access.",
                ef_name(ef),
                structure_text(ef.structure)
            ),
            refs::FILES,
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| structure(ctx, ef),
        );
    }
    a.into_cases()
}
