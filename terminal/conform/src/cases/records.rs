//! Area 4: READ RECORD in all P2 modes on the free-read SSSE EF05 (sscard-spec.md §3.2, §4):
//! by tag (`000`), by number (`100`), all from P1 (`101`), the SFI forms, record not found, and
//! wrong P1/P2.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::record::RecordIter;
use sscard_apdu::{Command, StatusWord};

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, record_tags, sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};
use sscard_specs::files::all_efs;
use sscard_specs::types::{Category, EfSpec};

const EF05_SFI: u8 = 0x05;

fn ef05_tags(ctx: &Ctx<'_>) -> Vec<u8> {
    sscard_specs::ef::SSSE_EF05
        .spec()
        .map(|e| {
            record_tags(e, ctx.version())
                .iter()
                .map(|i| i.tag)
                .collect()
        })
        .unwrap_or_default()
}

/// SELECT SSSE, optionally EF05.
fn enter(ctx: &mut Ctx<'_>, select_ef: bool) -> Check {
    ctx.select_ssse()?;
    if select_ef {
        ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF05)?;
    }
    Ok(())
}

fn want_record(r: &Resp, what: &str, tag: u8) -> Check {
    if r.sw != StatusWord::OK {
        return Err(fail(format!("{what}: {}", sw_text(r.sw))));
    }
    match r.data.as_slice() {
        [t, l, v @ ..] if *t == tag && usize::from(*l) == v.len() => Ok(()),
        _ => Err(fail(format!(
            "{what}: expected the TLV record of tag {tag:02X}, got {}",
            hex::encode_upper(&r.data)
        ))),
    }
}

/// `01 02 03` (or `none`).
fn tag_list(tags: &[u8]) -> String {
    if tags.is_empty() {
        return "none".to_string();
    }
    tags.iter()
        .map(|t| format!("{t:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn raw(ctx: &mut Ctx<'_>, p1: u8, p2: u8) -> Result<Resp, Verdict> {
    ctx.send_cmd(&Command::<255>::new(0x00, 0xB2, p1, p2).with_ne(256))
}

fn is_wrong_p1p2(sw: StatusWord) -> bool {
    matches!(sw, StatusWord::WRONG_P1P2 | StatusWord::WRONG_P1P2_6B00)
}

/// For every repeated tag of `ef`: READ RECORD by tag equals the first occurrence (read by
/// number at the spec's record positions).
fn by_tag_first(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let v = ctx.version();
    let tags = record_tags(ef, v);
    let r = ctx.try_select_df(ef.df)?;
    if r.sw == StatusWord::FILE_NOT_FOUND && ef.category != Category::Active {
        return Err(skip(format!("{} absent (optional)", ef.df.name())));
    }
    ctx.reset()?;
    ctx.gain_read(ef)?;
    ctx.expect_select_ef(ef)?;
    let mut observed = false;
    for item in ef
        .items_for(v)
        .iter()
        .filter(|i| i.repeat > 1 && i.versions.contains(v))
    {
        let mut occurrences = Vec::new();
        for (pos, _) in tags.iter().enumerate().filter(|(_, t)| t.tag == item.tag) {
            let n = u8::try_from(pos + 1).map_err(|_| fail("too many records"))?;
            let r = ctx.read_record(RecordSelector::ByNumber(n), None)?;
            if r.sw != StatusWord::OK {
                return Err(fail(format!(
                    "READ RECORD {n} of {}: {}",
                    ef_name(ef),
                    sw_text(r.sw)
                )));
            }
            occurrences.push(r.data);
        }
        let Some(first) = occurrences.first() else {
            continue;
        };
        if occurrences.iter().all(|o| o == first) {
            continue;
        }
        observed = true;
        let r = ctx.read_record(RecordSelector::ByTag(item.tag), None)?;
        if r.sw != StatusWord::OK || &r.data != first {
            let which = occurrences
                .iter()
                .position(|o| *o == r.data)
                .map_or("none of the occurrences".to_string(), |i| {
                    format!("occurrence {}", i + 1)
                });
            return Err(fail(format!(
                "READ RECORD by tag {:02X}: {} {} ({which}), expected the first occurrence {}",
                item.tag,
                hex::encode_upper(&r.data),
                sw_text(r.sw),
                hex::encode_upper(first)
            )));
        }
    }
    if observed {
        Ok(())
    } else {
        Err(skip(format!(
            "the repeated records of {} hold the same bytes: which one a read by tag returns is not observable",
            ef_name(ef)
        )))
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::ReadRecord);
    a.add(
        "BY-TAG",
        "READ RECORD by tag (P2 = 00)",
        "With SSSE EF05 current, 00 B2 07 00 00 returns the record whose tag is 07 (the card number), as hosts read items by tag.",
        refs::RECORDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            for tag in ef05_tags(ctx) {
                let r = ctx.read_record(RecordSelector::ByTag(tag), None)?;
                want_record(&r, &format!("READ RECORD tag {tag:02X}"), tag)?;
            }
            Ok(())
        },
    );
    a.add(
        "BY-NUMBER",
        "READ RECORD by number (P2 = 04)",
        "00 B2 n 04 00 returns record n of the current EF: in SSSE EF05 records 1..7 hold tags 01..07 in that order.",
        refs::RECORDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            for (i, tag) in ef05_tags(ctx).into_iter().enumerate() {
                let r = ctx.read_record(RecordSelector::ByNumber(i as u8 + 1), None)?;
                want_record(&r, &format!("READ RECORD {}", i + 1), tag)?;
            }
            Ok(())
        },
    );
    a.add(
        "ALL-FROM-P1",
        "READ RECORD all records from P1 (P2 = 05)",
        "00 B2 01 05 00 returns every record of SSSE EF05 from record 1, concatenated, in record order (observed on a real card); a card that does not implement it answers 6A86/6A81 (skip, [1]).",
        "sscard-spec.md §3.2 (P2=05 [1])",
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let r = ctx.read_record(RecordSelector::AllFrom(1), None)?;
            if matches!(
                r.sw,
                StatusWord::WRONG_P1P2 | StatusWord::FUNC_NOT_SUPPORTED | StatusWord::WRONG_P1P2_6B00
            ) {
                return Err(skip("P2=05 not implemented (optional, one source)"));
            }
            if r.sw != StatusWord::OK {
                return Err(fail(format!("READ RECORD P2=05: {}", sw_text(r.sw))));
            }
            let got: Vec<u8> = RecordIter::new(&r.data)
                .filter_map(Result::ok)
                .map(|rec| rec.tag)
                .collect();
            let want = ef05_tags(ctx);
            if got != want {
                return Err(fail(format!(
                    "records from 1 carry tags {}, expected {}",
                    tag_list(&got),
                    tag_list(&want)
                )));
            }
            Ok(())
        },
    );
    a.add(
        "SFI-BY-NUMBER",
        "READ RECORD by SFI and number (P2 = SFI<<3 | 4)",
        "With only the SSSE selected, 00 B2 03 2C 00 returns record 3 (tag 03) of EF05, the EF with SFI 05, without a SELECT.",
        refs::RECORDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, false)?;
            let r = ctx.read_record(RecordSelector::ByNumber(3), Some(EF05_SFI))?;
            want_record(&r, "READ RECORD 3 by SFI 05", 0x03)
        },
    );
    a.add(
        "SFI-BY-TAG",
        "READ RECORD by SFI and tag (P2 = SFI<<3 | 0)",
        "With only the SSSE selected, 00 B2 07 28 00 returns the record of tag 07 of EF05.",
        refs::RECORDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, false)?;
            let r = ctx.read_record(
                RecordSelector::ByTag(sscard_specs::item::SSSE_EF05_CARD_NUMBER.tag()),
                Some(EF05_SFI),
            )?;
            want_record(&r, "READ RECORD tag 07 by SFI 05", 0x07)
        },
    );
    a.add(
        "NUMBER-PAST-LAST",
        "Record number past the last record → 6A83",
        "READ RECORD of record n+1 of SSSE EF05 (n = 7 records on 2.0) answers 6A83 (record not found).",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let n = ef05_tags(ctx).len() as u8;
            ctx.expect_cmd(
                &format!("READ RECORD {}", n + 1),
                &commands::read_record(RecordSelector::ByNumber(n + 1), None, 256)
                    .map_err(|e| fail(e.to_string()))?,
                &[StatusWord::RECORD_NOT_FOUND],
            )?;
            Ok(())
        },
    );
    a.add(
        "TAG-ABSENT",
        "Tag absent from the file → 6A83",
        "READ RECORD by tag 55 (a tag SSSE EF05 does not hold) answers 6A83.",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let c = commands::read_record(
                RecordSelector::ByTag(0x55), /* literal-ok: a tag no EF05 record has */
                None,
                256,
            )
            .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("READ RECORD tag 55", &c, &[StatusWord::RECORD_NOT_FOUND])?;
            Ok(())
        },
    );
    a.add(
        "P2-RESERVED-MODE",
        "Reserved P2 mode (b3–b1 = 111) → 6A86",
        "READ RECORD with P2 low bits 111 (RFU in ISO 7816-4) answers 6A86 (or 6B00).",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let r = raw(ctx, 0x01, 0x07)?;
            if is_wrong_p1p2(r.sw) {
                Ok(())
            } else {
                Err(fail(format!("P2=07: expected 6A86, got {}", sw_text(r.sw))))
            }
        },
    );
    a.add(
        "P2-RESERVED-SFI",
        "Reserved SFI 31 in P2 → 6A86",
        "READ RECORD with SFI 11111 (P2 = FC, RFU) answers 6A86 (or 6B00).",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, false)?;
            let r = raw(ctx, 0x01, 0xFC)?;
            if is_wrong_p1p2(r.sw) {
                Ok(())
            } else {
                Err(fail(format!("P2=FC: expected 6A86, got {}", sw_text(r.sw))))
            }
        },
    );
    a.add(
        "SFI-UNKNOWN",
        "Unknown SFI → 6A82",
        "READ RECORD by SFI 1D (no such EF under the SSSE) answers 6A82.",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            enter(ctx, false)?;
            let c = commands::read_record(RecordSelector::ByNumber(1), Some(0x1D), 256)
                .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("READ RECORD by SFI 1D", &c, &[StatusWord::FILE_NOT_FOUND])?;
            Ok(())
        },
    );
    a.add(
        "ALL-FROM-P1-MIDDLE",
        "READ RECORD all records from P1 > 1 (P2 = 05)",
        "00 B2 03 05 00 returns exactly records 3 to the last of SSSE EF05, concatenated in record order (not records 1–2, not fewer); a card that does not implement P2=05 is skipped ([1]).",
        "sscard-spec.md §3.2 (P2=05: all records from P1 to the end [1])",
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let r = ctx.read_record(RecordSelector::AllFrom(3), None)?;
            if matches!(
                r.sw,
                StatusWord::WRONG_P1P2 | StatusWord::FUNC_NOT_SUPPORTED | StatusWord::WRONG_P1P2_6B00
            ) {
                return Err(skip("P2=05 not implemented (optional, one source)"));
            }
            if r.sw != StatusWord::OK {
                return Err(fail(format!("READ RECORD P1=03 P2=05: {}", sw_text(r.sw))));
            }
            let got: Vec<u8> = RecordIter::new(&r.data)
                .filter_map(Result::ok)
                .map(|rec| rec.tag)
                .collect();
            let want: Vec<u8> = ef05_tags(ctx).into_iter().skip(2).collect();
            if got != want {
                return Err(fail(format!(
                    "records from 3 carry tags {}, expected {}",
                    tag_list(&got),
                    tag_list(&want)
                )));
            }
            Ok(())
        },
    );
    a.add(
        "ALL-FROM-P1-LAST",
        "READ RECORD all records from the last one, and from one past it",
        "With n records in SSSE EF05, 00 B2 n 05 00 returns exactly record n, and 00 B2 (n+1) 05 00 answers 6A83 (record not found); a card that does not implement P2=05 is skipped ([1]).",
        "sscard-spec.md §3.2 (P2=05: all records from P1 to the end [1]); §4 (6A83)",
        Needs::NONE,
        |ctx| {
            enter(ctx, true)?;
            let tags = ef05_tags(ctx);
            let (Some(&last_tag), Ok(n)) = (tags.last(), u8::try_from(tags.len())) else {
                return Err(skip("SSSE EF05 has no records in the spec tables"));
            };
            let r = ctx.read_record(RecordSelector::AllFrom(n), None)?;
            if matches!(
                r.sw,
                StatusWord::WRONG_P1P2 | StatusWord::FUNC_NOT_SUPPORTED | StatusWord::WRONG_P1P2_6B00
            ) {
                return Err(skip("P2=05 not implemented (optional, one source)"));
            }
            let got: Vec<u8> = RecordIter::new(&r.data)
                .filter_map(Result::ok)
                .map(|rec| rec.tag)
                .collect();
            if r.sw != StatusWord::OK || got != [last_tag] {
                return Err(fail(format!(
                    "READ RECORD P1={n:02X} P2=05 (the last record): {} with tags {}, expected record {n} alone (tag {last_tag:02X})",
                    sw_text(r.sw),
                    tag_list(&got)
                )));
            }
            let past = n.saturating_add(1);
            let r = ctx.read_record(RecordSelector::AllFrom(past), None)?;
            if r.sw != StatusWord::RECORD_NOT_FOUND || !r.data.is_empty() {
                return Err(fail(format!(
                    "READ RECORD P1={past:02X} P2=05 (past the last record): {} with {} bytes, expected 6A83",
                    sw_text(r.sw),
                    r.data.len()
                )));
            }
            Ok(())
        },
    );
    // Read by tag on a file with repeated tags: the first occurrence (sscard-spec.md §3.2).
    for ef in all_efs().filter(|e| e.items.iter().any(|i| i.repeat > 1)) {
        a.add(
            format!("{}-BY-TAG-FIRST", id::ef(ef)),
            format!("READ RECORD by tag in {} returns the first occurrence", ef_name(ef)),
            format!(
                "{} holds a tag on several records; READ RECORD by that tag (P2 = 00) returns the record of its first occurrence, byte for byte (skipped when the occurrences hold the same bytes: not observable).",
                ef_name(ef)
            ),
            "sscard-spec.md §3.2 (P2 = 00: P1 = tag, first occurrence)",
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| by_tag_first(ctx, ef),
        );
    }
    a.into_cases()
}
