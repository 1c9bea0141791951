//! Le and the T=0 status words seen raw (issue 10, families 3 and 4). The suite's transport
//! normally follows `61xx` with GET RESPONSE and re-issues a command on `6Cxx`, so no other case
//! ever sees them; these cases send with the transport in raw mode ([`Ctx::send_raw`]) where
//! the rule is about the card's own answer, and accept both answer styles the reference allows:
//! a T=1-style answer (data cut to Le, `9000`) and a T=0-style one (`6Cxx` with the exact
//! length, `61xx` with exactly the bytes pending).

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::files::all_efs;
use sscard_specs::types::{EfSpec, EfStructure, ReadRule};

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

const REF_LE: &str =
    "sscard-spec.md §3.2 (Le shorter / longer than the record), §4 (6Cxx wrong length); real-cards.md T1, T2";

fn e(e: sscard_apdu::ApduError) -> Verdict {
    fail(e.to_string())
}

/// SELECT SSSE, SELECT EF05, and record 1 read with Le 00 (the full record).
fn ef05_record1(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse()?;
    ctx.expect_cmd(
        "SELECT EF05",
        &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()),
        &[StatusWord::OK],
    )?;
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
    ctx.expect_cmd(
        &format!("SELECT {}", ef_name(ef)),
        &commands::select_ef(ef.fid),
        &[StatusWord::OK],
    )?;
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
    v
}
