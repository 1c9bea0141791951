//! Le and the T=0 status words seen raw (issue 10, families 3 and 4). The suite's transport
//! normally follows `61xx` with GET RESPONSE and re-issues a command on `6Cxx`, so no other case
//! ever sees them; these cases send with the transport in raw mode ([`Ctx::send_raw`]) where
//! the rule is about the card's own answer, and accept both answer styles the reference allows:
//! a T=1-style answer (data cut to Le, `9000`) and a T=0-style one (`6Cxx` with the exact
//! length, `61xx` with exactly the bytes pending).

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::fci::Fci;
use sscard_apdu::StatusWord;
use sscard_specs::files::{all_efs, SSSE_NAME};
use sscard_specs::types::{EfSpec, EfStructure, ReadRule};

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

const REF_LE: &str =
    "sscard-spec.md §3.2 (Le shorter / longer than the record), §4 (6Cxx wrong length); real-cards.md T1, T2";
const REF_T0: &str = "sscard-spec.md §2.1 (SELECT answers 61xx on T=0, then GET RESPONSE), §4 (GET RESPONSE after 61xx); real-cards.md T1";

fn e(e: sscard_apdu::ApduError) -> Verdict {
    fail(e.to_string())
}

/// SELECT SSSE, SELECT EF05, and record 1 read with Le 00 (the full record).
fn ef05_record1(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse_ef(sscard_specs::ef::SSSE_EF05)?;
    let r = ctx.read_record(RecordSelector::ByNumber(1), None)?;
    if r.sw != StatusWord::OK || r.data.len() < 3 {
        return Err(fail(format!("READ RECORD 1 of EF05: {}", sw_text(r.sw))));
    }
    Ok(r.data)
}

fn read_record_le(le: u8) -> Result<Vec<u8>, Verdict> {
    commands::read_record(RecordSelector::ByNumber(1), None, u32::from(le))
        .and_then(|c| c.to_vec())
        .map_err(e)
}

/// `6Cxx` with the record's exact length and no data.
fn exact_6cxx(r: &Resp, len: usize) -> bool {
    r.data.is_empty() && r.sw.sw1() == 0x6C && usize::from(r.sw.sw2()) == len % 256
}

/// READ RECORD with Le shorter than the record: the first Le bytes + 9000, or 6Cxx with the
/// exact length — never more than Le bytes.
fn le_shorter(ctx: &mut Ctx<'_>) -> Check {
    let full = ef05_record1(ctx)?;
    let le = 5u8;
    let r = ctx.send_raw_or_skip(&read_record_le(le)?)?;
    let cut = r.sw == StatusWord::OK && r.data.as_slice() == &full[..usize::from(le)];
    if cut || exact_6cxx(&r, full.len()) {
        return Ok(());
    }
    Err(fail(format!(
        "READ RECORD 1 ({} bytes) with Le {le:02X}: {} data bytes and {}; expected its first {le} bytes + 9000, or 6C{:02X}",
        full.len(),
        r.data.len(),
        sw_text(r.sw),
        full.len()
    )))
}

/// READ RECORD with Le longer than the record: the whole record (no padding) + 9000 / 6282,
/// or 6Cxx with the exact length, or a refusal without data.
fn le_longer(ctx: &mut Ctx<'_>) -> Check {
    let full = ef05_record1(ctx)?;
    let le = u8::try_from(full.len() + 14).map_err(|_| fail("record too long"))?;
    let r = ctx.send_raw_or_skip(&read_record_le(le)?)?;
    let whole = matches!(r.sw, StatusWord::OK | StatusWord::END_OF_FILE) && r.data == full;
    let refused = r.data.is_empty() && r.sw == StatusWord::WRONG_LENGTH;
    if whole || refused || exact_6cxx(&r, full.len()) {
        return Ok(());
    }
    Err(fail(format!(
        "READ RECORD 1 ({} bytes) with Le {le:02X}: {} data bytes and {}; expected the record itself (+ 9000 or 6282), 6C{:02X} or 6700 — never more bytes than the record",
        full.len(),
        r.data.len(),
        sw_text(r.sw),
        full.len()
    )))
}

/// READ BINARY with Le 00 returns min(256, bytes to the end); with Le 10, 16 bytes.
fn read_binary_le(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Check {
    let EfStructure::Transparent { size } = ef.structure_for(ctx.version()) else {
        return Err(skip("not transparent on this version"));
    };
    ctx.gain_read(ef)?;
    ctx.expect_select_ef(ef)?;
    let tail = size.min(0x28);
    for (off, ne, want) in [
        (0u16, 256u32, usize::from(size.min(256))),
        (size - tail, 256, usize::from(tail)),
        (0, 16, 16),
    ] {
        let c = commands::read_binary(off, ne).map_err(e)?;
        let r = ctx.send_cmd(&c)?;
        if !matches!(r.sw, StatusWord::OK | StatusWord::END_OF_FILE) || r.data.len() != want {
            return Err(fail(format!(
                "READ BINARY at {off:#X} with Le {:02X} in the {size:#X}-byte {}: {} bytes and {}, expected {want} bytes",
                ne % 256,
                ef_name(ef),
                r.data.len(),
                sw_text(r.sw)
            )));
        }
    }
    Ok(())
}

/// GET CHALLENGE with Le 4 and 16: exactly that many bytes (sscard-3 must answer them; sscard-2
/// may refuse with 6700 / 6A86).
fn challenge_lengths(ctx: &mut Ctx<'_>) -> Check {
    let must = ctx.profile().suite == sscard_keys::profile::Suite::Sm4;
    ctx.select_ssse()?;
    for le in [4u8, 16] {
        let c = commands::get_challenge(le).map_err(e)?;
        let r = ctx.send_cmd(&c)?;
        match r.sw {
            StatusWord::OK if r.data.len() == usize::from(le) => {}
            StatusWord::WRONG_LENGTH | StatusWord::WRONG_P1P2 if !must && r.data.is_empty() => {
                ctx.note(format!(
                    "GET CHALLENGE Le {le:02X} refused (sscard-2: 8 only)"
                ));
            }
            sw => {
                return Err(fail(format!(
                    "GET CHALLENGE Le {le:02X}: {} bytes and {}, expected {le} bytes + 9000",
                    r.data.len(),
                    sw_text(sw)
                )))
            }
        }
    }
    Ok(())
}

fn get_response(le: u8) -> Result<Vec<u8>, Verdict> {
    commands::get_response(0x00, le).to_vec().map_err(e)
}

fn select_ssse_apdu() -> Result<Vec<u8>, Verdict> {
    commands::select_by_name(SSSE_NAME)
        .and_then(|c| c.to_vec())
        .map_err(e)
}

/// Raw SELECT SSSE: when the card answers 61xx, GET RESPONSE of xx − 1 bytes answers them and
/// 6101, GET RESPONSE of 1 byte the last one and 9000; together they are the SSSE's FCI; a
/// further GET RESPONSE returns nothing.
fn t0_61xx(ctx: &mut Ctx<'_>) -> Check {
    let r = ctx.send_raw_or_skip(&select_ssse_apdu()?)?;
    let Some(n) = r.sw.bytes_available() else {
        if r.ok() {
            return Err(skip(format!(
                "SELECT SSSE answered its FCI directly ({}): no 61xx to check (a T=1-style answer)",
                sw_text(r.sw)
            )));
        }
        return Err(fail(format!("SELECT SSSE: {}", sw_text(r.sw))));
    };
    if !r.data.is_empty() {
        return Err(fail("61xx came with data"));
    }
    let n = usize::from(n);
    if n < 2 {
        return Err(fail(format!(
            "SELECT SSSE: {} announces {n} byte(s), not an FCI",
            sw_text(r.sw)
        )));
    }
    let first = u8::try_from(n - 1).map_err(|_| fail("61xx"))?;
    let a = ctx.send_raw_or_skip(&get_response(first)?)?;
    if a.data.len() != n - 1 || a.sw != StatusWord::more_data(1) {
        return Err(fail(format!(
            "GET RESPONSE of {} of the {n} bytes announced: {} bytes and {}, expected {} bytes + 6101",
            n - 1,
            a.data.len(),
            sw_text(a.sw),
            n - 1
        )));
    }
    let b = ctx.send_raw_or_skip(&get_response(1)?)?;
    if b.data.len() != 1 || b.sw != StatusWord::OK {
        return Err(fail(format!(
            "GET RESPONSE of the last byte announced: {} bytes and {}, expected 1 byte + 9000 (61{:02X} announced exactly the bytes pending?)",
            b.data.len(),
            sw_text(b.sw),
            n % 256
        )));
    }
    let mut fci = a.data;
    fci.extend(b.data);
    match Fci::parse(&fci) {
        Ok(f) if f.df_name == SSSE_NAME => {}
        _ => {
            return Err(fail(format!(
                "the {n} bytes of GET RESPONSE are not the SSSE FCI: {}",
                hex::encode_upper(&fci)
            )))
        }
    }
    let c = ctx.send_raw_or_skip(&get_response(16)?)?;
    no_stale(&c, "GET RESPONSE once everything was fetched")
}

/// A GET RESPONSE with nothing to answer: no data, not success.
fn no_stale(r: &Resp, what: &str) -> Check {
    if r.data.is_empty() && !r.sw.is_success() {
        Ok(())
    } else {
        Err(fail(format!(
            "{what}: {} bytes and {}; expected no data and a refusal (6985)",
            r.data.len(),
            sw_text(r.sw)
        )))
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut rec = AreaCases::new(Area::ReadRecord);
    rec.add(
        "LE-SHORTER-THAN-RECORD",
        "Le shorter than the record: never more than Le bytes",
        "READ RECORD 1 of SSSE EF05 with Le 05, seen raw: the record's first 5 bytes + 9000 (T=1 style) or 6Cxx with the record's exact length (T=0 style) — never more than 5 bytes.",
        REF_LE,
        Needs::NONE,
        le_shorter,
    );
    rec.add(
        "LE-LONGER-THAN-RECORD",
        "Le longer than the record: the record, no padding",
        "READ RECORD 1 of SSSE EF05 with Le 14 bytes longer than the record, seen raw: the record itself (+ 9000 or 6282), or 6Cxx with its exact length, or 6700 — never padding up to Le.",
        REF_LE,
        Needs::NONE,
        le_longer,
    );
    v.extend(rec.into_cases());
    let mut fil = AreaCases::new(Area::Files);
    if let Some(ef) = all_efs().find(|e| {
        e.read == ReadRule::Free
            && matches!(e.structure, EfStructure::Transparent { size } if size > 256)
    }) {
        fil.add(
            format!("{}-READ-BINARY-LE", id::ef(ef)),
            format!("READ BINARY of {} returns what Le asks", ef_name(ef)),
            format!(
                "READ BINARY of {} with Le 00 answers 256 bytes at offset 0 and exactly the bytes left (fewer than 256) near the end; with Le 10, 16 bytes.",
                ef_name(ef)
            ),
            "sscard-spec.md §3.2 (READ BINARY 00 B0 off Le), §2.2 (sizes); ISO 7816-4 (Le 00 = up to 256)",
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| read_binary_le(ctx, ef),
        );
    }
    v.extend(fil.into_cases());
    let mut chl = AreaCases::new(Area::Challenge);
    chl.add(
        "GET-CHALLENGE-ASKED-LENGTH",
        "GET CHALLENGE answers the length asked",
        "00 84 00 00 04 and 00 84 00 00 10 answer exactly 4 and 16 bytes + 9000 (sscard-3: 4/8/16 are answered; sscard-2 may refuse lengths other than 8 with 6700) — never a challenge of another length.",
        "profile.md §1 (challenge length: answer what is asked, 4/8/16)",
        Needs::NONE,
        challenge_lengths,
    );
    v.extend(chl.into_cases());
    let mut sel = AreaCases::new(Area::AtrSelect);
    sel.add(
        format!("{}-T0-GET-RESPONSE-EXACT", id::df(sscard_specs::types::DfId::Ssse)),
        "61xx announces exactly the bytes pending",
        "SELECT SSSE seen raw: when the card answers 61xx, GET RESPONSE of xx−1 bytes answers them + 6101, GET RESPONSE of 1 byte the last one + 9000, together the SSSE FCI; a further GET RESPONSE returns no data. A card answering the FCI directly is skipped.",
        REF_T0,
        Needs::NONE,
        t0_61xx,
    );
    v.extend(sel.into_cases());
    let mut sw = AreaCases::new(Area::StatusWords);
    sw.add(
        "GET-RESPONSE-NOTHING-PENDING",
        "GET RESPONSE with nothing pending → no data",
        "Right after a reset and SELECT SSSE (its answer fetched), GET RESPONSE 00 C0 00 00 10 answers no data and a refusal (6985 on sscard; any non-success status word).",
        REF_T0,
        Needs::NONE,
        |ctx| {
            ctx.select_ssse_ef(sscard_specs::ef::SSSE_EF05)?;
            let r = ctx.send(&get_response(16)?)?;
            no_stale(&r, "GET RESPONSE with nothing pending")
        },
    );
    sw.add(
        "GET-RESPONSE-AFTER-OTHER-COMMAND",
        "GET RESPONSE after another command never returns stale data",
        "SELECT SSSE seen raw (61xx: its FCI pending), then SELECT EF05 (9000), then GET RESPONSE of the announced length: no data and a refusal — the FCI is gone with the command that produced it.",
        REF_T0,
        Needs::NONE,
        |ctx| {
            let r = match ctx.send_raw(&select_ssse_apdu()?)? {
                Some(r) => r,
                None => ctx.select_ssse()?,
            };
            if !r.ok() {
                return Err(fail(format!("SELECT SSSE: {}", sw_text(r.sw))));
            }
            let le = r.sw.bytes_available().map_or(16, |n| (n % 256) as u8);
            ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF05)?;
            let g = get_response(le)?;
            let r = match ctx.send_raw(&g)? {
                Some(r) => r,
                None => ctx.send(&g)?,
            };
            no_stale(&r, "GET RESPONSE after another command")
        },
    );
    v.extend(sw.into_cases());
    v
}
