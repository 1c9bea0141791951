//! Area 3: data-item formats of the personalised items — type (an/cn/b/B-TLV), length, padding
//! (an 00-padded, cn F-padded), code tables, dates, card-number check character, card-id RID and
//! region vs the initialisation organisation number (sscard-spec.md §3.1–§3.9; `sscard_specs::items`,
//! `sscard_specs::codes`).

use sscard_apdu::commands::RecordSelector;
use sscard_apdu::record::is_unwritten;
use sscard_apdu::StatusWord;
use sscard_specs::codes::code_table;
use sscard_specs::files::{all_efs, RID};
use sscard_specs::types::{CodeTableId, DataType, EfSpec, EfStructure, ItemSpec};
use sscard_specs::versions::{REUSED_TAGS_1_0_TO_2_0, VERSION_STRINGS};
use sscard_specs::{validate_card_number, FieldSpec};

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, record_tags, sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

/// Whether an item holds data (not all `00`, not all `FF`).
fn personalised(v: &[u8]) -> bool {
    !is_unwritten(v)
}

fn check_an(v: &[u8]) -> Result<(), String> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    if let Some(i) = v[end..].iter().position(|&b| b != 0) {
        return Err(format!(
            "an value must be right-padded with 00, found {:02X} at offset {} after the padding",
            v[end + i],
            end + i
        ));
    }
    let mut i = 0;
    while i < end {
        let b = v[i];
        if (0x20..=0x7E).contains(&b) {
            i += 1;
        } else if (0x81..=0xFE).contains(&b)
            && v.get(i + 1)
                .is_some_and(|t| (0x40..=0xFE).contains(t) && *t != 0x7F)
            && i + 1 < end
        {
            i += 2; // GBK double-byte character
        } else {
            return Err(format!(
                "an value has byte {b:02X} at offset {i}: not ASCII text nor a GBK character"
            ));
        }
    }
    Ok(())
}

/// cn: BCD digits, left-aligned, right-padded with nibble F (E for a 1.0 tag rewritten with its
/// 2.0 meaning, appendix C).
fn check_cn(v: &[u8], tag: u8) -> Result<String, String> {
    let mut digits = String::new();
    let mut padding: Option<u8> = None;
    let e_ok = REUSED_TAGS_1_0_TO_2_0.contains(&tag);
    for (i, n) in v.iter().flat_map(|b| [b >> 4, b & 0x0F]).enumerate() {
        match (padding, n) {
            (None, 0..=9) => digits.push(char::from(b'0' + n)),
            (None, 0xF) => padding = Some(0xF),
            (None, 0xE) if e_ok => padding = Some(0xE),
            (Some(p), n) if n == p => {}
            (Some(_), n) => {
                return Err(format!(
                    "cn value has nibble {n:X} at position {i} after the F padding"
                ))
            }
            (None, n) => {
                return Err(format!(
                    "cn value has nibble {n:X} at position {i}: not a BCD digit nor F padding"
                ))
            }
        }
    }
    Ok(digits)
}

fn check_date(digits: &str) -> Result<(), String> {
    let ok = digits.len() == 8
        && digits[4..6]
            .parse::<u8>()
            .is_ok_and(|m| (1..=12).contains(&m))
        && digits[6..8]
            .parse::<u8>()
            .is_ok_and(|d| (1..=31).contains(&d))
        && digits[0..4].parse::<u16>().is_ok_and(|y| y >= 1900);
    if ok {
        Ok(())
    } else {
        Err(format!("{digits} is not a YYYYMMDD date"))
    }
}

fn text_of(v: &[u8]) -> String {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// Check one value against its item spec; `Err` says what is wrong.
fn check_value(item: &ItemSpec, v: &[u8]) -> Result<(), String> {
    if v.len() != usize::from(item.len) {
        return Err(format!(
            "length {:#04X}, the spec defines {:#04X}",
            v.len(),
            item.len
        ));
    }
    let code: Option<String> = match item.data_type {
        DataType::An => {
            check_an(v)?;
            Some(text_of(v))
        }
        DataType::Cn => {
            let d = check_cn(v, item.tag)?;
            if personalised(v) && item.len == 4 && item.name_en.contains("date") {
                check_date(&d)?;
            }
            Some(d)
        }
        DataType::B | DataType::Dec => None,
        DataType::BTlv => {
            if !personalised(v) {
                return Ok(());
            }
            let mut rest = v;
            for sub in item.sub_items {
                match rest {
                    [t, l, tail @ ..] if *t == sub.tag && usize::from(*l) <= tail.len() => {
                        let (sv, r) = tail.split_at(usize::from(*l));
                        check_value(sub, sv)
                            .map_err(|e| format!("sub-item {:02X}: {e}", sub.tag))?;
                        rest = r;
                    }
                    _ => {
                        return Err(format!(
                            "B-TLV: expected sub-item {:02X} ({}), found {}",
                            sub.tag,
                            sub.name_en,
                            hex::encode_upper(rest.get(..2).unwrap_or(rest))
                        ))
                    }
                }
            }
            None
        }
    };
    if let (Some(id), Some(code)) = (item.code_table, code) {
        if personalised(v) {
            let code = match id {
                CodeTableId::MedicalInsuranceType => code.chars().take(3).collect(),
                _ => code,
            };
            if let Some(t) = code_table(id) {
                if !t.contains(&code) {
                    return Err(format!(
                        "\"{}\" is not in the {} code table",
                        code.escape_debug(),
                        t.name_en
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_field(f: &FieldSpec, v: &[u8]) -> Result<(), String> {
    match f.data_type {
        DataType::An => check_an(v),
        DataType::Cn => check_cn(v, 0).map(|_| ()),
        _ => Ok(()),
    }
}

fn record_file(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    ctx.gain_read(ef)?;
    ctx.expect_select_ef(ef)?;
    let v = ctx.version();
    if let EfStructure::Cyclic {
        records,
        record_len,
    } = ef.structure_for(v)
    {
        for n in 1..=records {
            let r = ctx.read_record(RecordSelector::ByNumber(n), None)?;
            if r.sw == StatusWord::RECORD_NOT_FOUND {
                break;
            }
            if r.sw != StatusWord::OK {
                return Err(fail(format!("READ RECORD {n}: {}", sw_text(r.sw))));
            }
            if r.data.len() != usize::from(record_len) {
                return Err(fail(format!("cyclic record {n}: {} bytes", r.data.len())));
            }
            let mut rest = r.data.as_slice();
            for f in ef.fields {
                let (fv, tail) = rest.split_at(usize::from(f.len).min(rest.len()));
                check_field(f, fv).map_err(|e| fail(format!("record {n}, {}: {e}", f.name_en)))?;
                rest = tail;
            }
        }
        return Ok(());
    }
    let mut bad = Vec::new();
    for (i, item) in record_tags(ef, v).into_iter().enumerate() {
        let n = i + 1;
        let r = ctx.read_record(RecordSelector::ByNumber(n as u8), None)?;
        if r.sw != StatusWord::OK {
            return Err(fail(format!("READ RECORD {n}: {}", sw_text(r.sw))));
        }
        if is_unwritten(&r.data) {
            continue;
        }
        match r.data.as_slice() {
            [t, l, value @ ..] if *t == item.tag && usize::from(*l) == value.len() => {
                // The card id (EF05/01) is cn only in its region bytes; RID, serial and
                // authentication code are binary (sscard-spec.md §3.3): checked by its own case.
                let checked = if sscard_specs::item::SSSE_EF05_CARD_ID.is(ef, item.tag) {
                    if value.len() == usize::from(item.len) {
                        Ok(())
                    } else {
                        Err(format!(
                            "length {:#04X}, the spec defines {:#04X}",
                            value.len(),
                            item.len
                        ))
                    }
                } else {
                    check_value(item, value)
                };
                if let Err(e) = checked {
                    bad.push(format!(
                        "record {n} tag {:02X} ({}): {e}",
                        item.tag, item.name_en
                    ));
                }
            }
            [t, l, value @ ..] if *t == item.tag => bad.push(format!(
                "record {n} tag {:02X}: length byte {l:#04X} but {} value bytes",
                item.tag,
                value.len()
            )),
            [t, ..] => bad.push(format!(
                "record {n} holds tag {t:02X}, the spec puts {:02X} ({}) there",
                item.tag, item.name_en
            )),
            [] => bad.push(format!("record {n} is empty")),
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(fail(bad.join("; ")))
    }
}

/// Read SSSE EF05 item `tag` by tag (free read); a skip when it is not personalised.
fn ef05_item(ctx: &mut Ctx<'_>, tag: u8) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse_ef(sscard_specs::ef::SSSE_EF05)?;
    let r = ctx.read_record(RecordSelector::ByTag(tag), None)?;
    if r.sw != StatusWord::OK {
        return Err(fail(format!(
            "READ RECORD tag {tag:02X} of SSSE EF05: {}",
            sw_text(r.sw)
        )));
    }
    match r.data.as_slice() {
        [t, l, v @ ..] if *t == tag && usize::from(*l) == v.len() => {
            if personalised(v) {
                Ok(v.to_vec())
            } else {
                Err(skip(format!("EF05 tag {tag:02X} is not personalised")))
            }
        }
        _ => Err(fail(format!(
            "READ RECORD by tag {tag:02X} returned {}",
            hex::encode_upper(&r.data)
        ))),
    }
}

fn bcd_region(b: &[u8]) -> Result<String, String> {
    let d = check_cn(b, 0)?;
    if d.len() != 6 || d == "000000" {
        return Err(format!(
            "{} is not a 6-digit GB/T 2260 region code",
            hex::encode_upper(b)
        ));
    }
    Ok(d)
}

/// GB/T 2260 hierarchy: `PP0000` contains every `PP….`, `PPCC00` every `PPCC..`.
fn region_contains(outer: &str, inner: &str) -> bool {
    match (outer.get(2..), outer.get(4..)) {
        (Some("0000"), _) => outer.get(..2) == inner.get(..2),
        (_, Some("00")) => outer.get(..4) == inner.get(..4),
        _ => outer == inner,
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Items);
    for ef in all_efs().filter(|e| e.structure.is_record()) {
        let items: Vec<String> = ef.items.iter().map(|i| format!("{:02X}", i.tag)).collect();
        let what = if matches!(ef.structure, EfStructure::Cyclic { .. }) {
            "every cyclic record present has the spec's fields (an 00-padded, cn BCD F-padded)"
                .to_string()
        } else {
            format!(
                "records 1..n hold items {} in this order; each has the defined length, its type's padding (an: text then 00; cn: BCD then F), valid dates and code-table values when personalised",
                items.join(", ")
            )
        };
        a.add(
            format!("{}-FORMAT", id::ef(ef)),
            format!("{} item formats", ef_name(ef)),
            format!("In {} ({}), {what}.", ef_name(ef), ef.name_en),
            format!("{}, {}, §3.3–§3.8", refs::ENCODINGS, refs::RECORDS),
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| record_file(ctx, ef),
        );
    }
    let ef05 = id::ef_ref(sscard_specs::ef::SSSE_EF05);
    let ef06 = id::ef_ref(sscard_specs::ef::SSSE_EF06);
    a.add(
        format!("{ef05}-CARD-NUMBER-CHECK"),
        "Card number check character",
        "SSSE EF05 tag 07 (card number, an 9) is a capital letter, 7 characters 0–9/A–Z and the check character 11 − (Σ Ci·Wi mod 11), W = 3,7,9,10,5,8,4,2 (10 → X, 11 → 0).",
        refs::CHECK_CHAR,
        Needs::NONE,
        |ctx| {
            let v = ef05_item(ctx, 0x07)?;
            let n: [u8; 9] = v
                .as_slice()
                .try_into()
                .map_err(|_| fail(format!("card number is {} bytes, not 9", v.len())))?;
            validate_card_number(&n).map_err(|e| {
                fail(format!("card number {}: {e}", String::from_utf8_lossy(&n)))
            })
        },
    );
    a.add(
        format!("{ef05}-CARD-ID-REGION-RID"),
        "Card identification code: region and RID",
        "SSSE EF05 tag 01 (16 bytes): bytes 0–2 are the application city code (6 BCD digits), bytes 3–7 the MOHRSS RID D156000005.",
        refs::EF05,
        Needs::NONE,
        |ctx| {
            let id = ef05_item(ctx, 0x01)?;
            if id.len() != 16 {
                return Err(fail(format!("card id is {} bytes", id.len())));
            }
            bcd_region(&id[0..3]).map_err(|e| fail(format!("card id bytes 0–2: {e}")))?;
            if &id[3..8] != RID {
                return Err(fail(format!(
                    "card id bytes 3–7 are {}, expected RID D156000005",
                    hex::encode_upper(&id[3..8])
                )));
            }
            Ok(())
        },
    );
    a.add(
        format!("{ef05}-INIT-ORG-REGION"),
        "Initialisation organisation number vs card-id region",
        "SSSE EF05 tag 04 (cn 12) is 91 56 00 00 02 ‖ issuing region (3) ‖ init-org region (3) ‖ sequence (1), and the issuing region (bytes 5–7) is the card id's region (tag 01 bytes 0–2) or the province/city (GB/T 2260 PP0000 / PPCC00) containing it — the spec's own Beijing example is 9156000002 110000 110100 02.",
        refs::EF05,
        Needs::NONE,
        |ctx| {
            let org = ef05_item(ctx, 0x04)?;
            let id = ef05_item(ctx, 0x01)?;
            if org.len() != 12 || id.len() != 16 {
                return Err(fail("tag 04 / tag 01 have the wrong length"));
            }
            if org[0..5] != [0x91, 0x56, 0x00, 0x00, 0x02] {
                return Err(fail(format!(
                    "tag 04 starts {}, expected 9156000002",
                    hex::encode_upper(&org[0..5])
                )));
            }
            bcd_region(&org[8..11]).map_err(|e| fail(format!("tag 04 bytes 8–10: {e}")))?;
            let issuing = bcd_region(&org[5..8]).map_err(|e| fail(format!("tag 04 bytes 5–7: {e}")))?;
            let city = bcd_region(&id[0..3]).map_err(|e| fail(format!("card id bytes 0–2: {e}")))?;
            if !region_contains(&issuing, &city) {
                return Err(fail(format!(
                    "issuing region {issuing} (tag 04 bytes 5–7) is neither the card id's region {city} nor a province/city containing it"
                )));
            }
            Ok(())
        },
    );
    a.add(
        format!("{ef05}-SPEC-VERSION"),
        "Spec version string",
        "SSSE EF05 tag 03 is one of \"1.00\", \"2.00\", \"2.01\", \"3.00\" (the observed \"2.0\\0\" is accepted).",
        "sscard-spec.md §1, §3.3",
        Needs::NONE,
        |ctx| {
            let v = ef05_item(ctx, 0x03)?;
            let arr: [u8; 4] = v
                .as_slice()
                .try_into()
                .map_err(|_| fail(format!("version is {} bytes", v.len())))?;
            if VERSION_STRINGS.iter().any(|s| **s == arr) || &arr == b"2.0\0" {
                Ok(())
            } else {
                Err(fail(format!(
                    "version \"{}\" is not a spec version",
                    text_of(&arr).escape_debug()
                )))
            }
        },
    );
    a.add(
        format!("{ef05}-ISSUE-BEFORE-EXPIRY"),
        "Issue date not after expiry date",
        "SSSE EF05 tag 05 (issue date) and tag 06 (expiry) are YYYYMMDD dates and the card expires after it was issued.",
        refs::EF05,
        Needs::NONE,
        |ctx| {
            let issue = ef05_item(ctx, 0x05)?;
            let expiry = ef05_item(ctx, 0x06)?;
            let i = check_cn(&issue, 5).map_err(fail)?;
            let e = check_cn(&expiry, 6).map_err(fail)?;
            check_date(&i).map_err(|m| fail(format!("issue date: {m}")))?;
            check_date(&e).map_err(|m| fail(format!("expiry date: {m}")))?;
            if i > e {
                return Err(fail(format!("issued {i}, expires {e}")));
            }
            Ok(())
        },
    );
    a.add(
        format!("{ef06}-NAME-EXTENSION"),
        "Name extension present on 2.0+ cards",
        "On a 2.00/2.01/3.00 card SSSE EF06 holds tag 4E (name extension, an 20) as record 3; a 1.00 card has no 4E.",
        "sscard-spec.md §3.4",
        Needs::NONE,
        |ctx| {
            let Some(ef06) = sscard_specs::ef::SSSE_EF06.spec() else {
                return Err(fail("specs: no SSSE EF06"));
            };
            ctx.gain_read(ef06)?;
            ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF06)?;
            let r = ctx.read_record(RecordSelector::ByTag(sscard_specs::item::SSSE_EF06_NAME_EXT.tag()), None)?;
            let has = r.sw == StatusWord::OK && r.data.first() == Some(&0x4E);
            match (ctx.version().has_name_extension(), has) {
                (true, true) | (false, false) => Ok(()),
                (true, false) => Err(fail(format!(
                    "a {} card must have tag 4E: READ RECORD by tag 4E answered {}",
                    ctx.version().as_str(),
                    sw_text(r.sw)
                ))),
                (false, true) => Err(fail("a 1.00 card has no tag 4E")),
            }
        },
    );
    a.into_cases()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn padding_rules() {
        assert!(check_an(b"ab\0\0").is_ok());
        assert!(check_an(b"a\0b\0").is_err());
        assert!(check_an(&[0xCD, 0xF5, 0, 0]).is_ok()); // 王 in GBK
        assert!(check_an(&[0x01]).is_err());
        assert_eq!(check_cn(&[0x12, 0x3F, 0xFF], 0).unwrap(), "123");
        assert!(check_cn(&[0x12, 0xF3], 0).is_err());
        assert!(check_cn(&[0x1A], 0).is_err());
        assert!(check_cn(&[0x12, 0x00], 0).is_ok());
        assert!(check_date("20240229").is_ok());
        assert!(check_date("20241301").is_err());
        assert!(region_contains("110000", "110100"));
        assert!(region_contains("430200", "430299"));
        assert!(region_contains("110100", "110100"));
        assert!(!region_contains("120100", "110100"));
        assert!(!region_contains("110101", "110100"));
    }
}
