//! Area 4: READ RECORD in all P2 modes on the free-read SSSE EF05 (sscard-spec.md §3.2, §4):
//! by tag (`000`), by number (`100`), all from P1 (`101`), the SFI forms, record not found, and
//! wrong P1/P2.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::record::RecordIter;
use sscard_apdu::{Command, StatusWord};

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{record_tags, sw_text, Ctx, Resp};
use crate::verdict::{fail, skip, Check, Verdict};

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
        ctx.expect_cmd(
            "SELECT EF05",
            &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()),
            &[StatusWord::OK],
        )?;
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
    a.into_cases()
}
