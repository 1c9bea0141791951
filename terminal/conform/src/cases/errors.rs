//! Area 10: the status word of every error path (sscard-spec.md §4 SW table). Each case sends
//! one malformed or impossible command that changes nothing on a conforming card.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::{Command, StatusWord};
use sscard_specs::types::DfId;

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx};
use crate::verdict::{fail, skip, Check, Verdict};

fn raw(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Result<Command, Verdict> {
    let c = Command::<255>::new(cla, ins, p1, p2);
    if data.is_empty() {
        Ok(c)
    } else {
        c.with_data(data).map_err(|e| fail(e.to_string()))
    }
}

fn in_ssse(ctx: &mut Ctx<'_>, what: &str, c: &Command, want: &[StatusWord]) -> Check {
    ctx.select_ssse()?;
    ctx.expect_cmd(what, c, want)?;
    Ok(())
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::StatusWords);
    let r = refs::COMMANDS;
    a.add(
        "INS-UNKNOWN",
        "Unknown INS → 6D00",
        "00 12 00 00 (INS 12 is not an SSC command) answers 6D00.",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "INS 12",
                &raw(0x00, 0x12, 0, 0, &[])?,
                &[StatusWord::INS_NOT_SUPPORTED],
            )
        },
    );
    a.add(
        "CLA-UNSUPPORTED",
        "Unsupported CLA → 6E00",
        "SELECT with CLA 90 (proprietary class the card does not use) answers 6E00.",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "CLA 90",
                &raw(0x90, 0xA4, 0x00, 0x00, &[0xEF, 0x05])?,
                &[StatusWord::CLA_NOT_SUPPORTED],
            )
        },
    );
    a.add(
        "SELECT-WRONG-LENGTH",
        "Wrong length → 6700",
        "SELECT by FID with a 1-byte data field answers 6700 (ISO 7816-4 also allows 6A87).",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "SELECT with Lc=01",
                &raw(0x00, 0xA4, 0x00, 0x00, &[0xEF])?,
                &[StatusWord::WRONG_LENGTH, StatusWord::LC_INCONSISTENT],
            )
        },
    );
    a.add(
        "INTERNAL-AUTH-SHORT-DATA",
        "INTERNAL AUTHENTICATE with a short data field → 6700",
        "00 88 00 00 08 <8 bytes> (P ‖ S needs 16) answers 6700 (or 6A80).",
        "sscard-spec.md §4, §5.5",
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "INTERNAL AUTHENTICATE Lc=08",
                &raw(0x00, 0x88, 0x00, 0x00, &[0u8; 8])?,
                &[StatusWord::WRONG_LENGTH, StatusWord::WRONG_DATA],
            )
        },
    );
    a.add(
        "SELECT-MISSING-EF",
        "Missing EF → 6A82",
        "SELECT EF3E (no such EF under the SSSE) answers 6A82.",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "SELECT EF3E",
                &commands::select_ef(0xEF3E), /* literal-ok: a FID no DF has */
                &[StatusWord::FILE_NOT_FOUND],
            )
        },
    );
    a.add(
        "SELECT-MISSING-DF",
        "Missing DF → 6A82",
        "SELECT DF3E by FID answers 6A82.",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "SELECT DF3E",
                &commands::select_by_fid(0xDF3E), /* literal-ok: a DF no card has */
                &[StatusWord::FILE_NOT_FOUND],
            )
        },
    );
    a.add(
        "SELECT-UNKNOWN-NAME",
        "Unknown DF name → 6A82",
        "SELECT by name D156000005 0E (no such application) answers 6A82.",
        r,
        Needs::NONE,
        |ctx| {
            let c = commands::select_by_name(&[0xD1, 0x56, 0x00, 0x00, 0x05, 0x0E])
                .map_err(|e| fail(e.to_string()))?;
            in_ssse(
                ctx,
                "SELECT D1560000050E",
                &c,
                &[StatusWord::FILE_NOT_FOUND],
            )
        },
    );
    a.add(
        "SELECT-WRONG-P1",
        "Wrong P1 of SELECT → 6A86",
        "SELECT with P1 = 07 (undefined) answers 6A86 (or 6B00).",
        r,
        Needs::NONE,
        |ctx| {
            in_ssse(
                ctx,
                "SELECT P1=07",
                &raw(0x00, 0xA4, 0x07, 0x00, &[0xEF, 0x05])?,
                &[StatusWord::WRONG_P1P2, StatusWord::WRONG_P1P2_6B00],
            )
        },
    );
    a.add(
        "EXTERNAL-AUTH-UNKNOWN-KEY",
        "Unknown key → 6A88",
        "GET CHALLENGE then EXTERNAL AUTHENTICATE with KID 3C (no such key) answers 6A88.",
        r,
        Needs::NONE,
        |ctx| {
            ctx.select_ssse()?;
            let c = commands::get_challenge(8).map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("GET CHALLENGE", &c, &[StatusWord::OK])?;
            let c = commands::external_authenticate(0x3C, &[0u8; 16]);
            ctx.expect_cmd(
                "EXTERNAL AUTHENTICATE KID 3C",
                &c,
                &[StatusWord::KEY_NOT_FOUND],
            )?;
            Ok(())
        },
    );
    a.add(
        "READ-BINARY-RECORD-EF",
        "READ BINARY on a record EF → 6981",
        "READ BINARY with SSSE EF05 (record file) current answers 6981.",
        r,
        Needs::NONE,
        |ctx| {
            ctx.select_ssse_ef(sscard_specs::ef::SSSE_EF05)?;
            let c = commands::read_binary(0, 16).map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd(
                "READ BINARY on EF05",
                &c,
                &[StatusWord::INCOMPATIBLE_FILE_STRUCTURE],
            )?;
            Ok(())
        },
    );
    a.add(
        "READ-RECORD-TRANSPARENT-EF",
        "READ RECORD on a transparent EF → 6981",
        "READ RECORD with DF01 EF16 (transparent, free read) current answers 6981.",
        r,
        Needs::NONE,
        |ctx| {
            let Some(ef16) = sscard_specs::ef::DF01_EF16.spec() else {
                return Err(fail("specs: no DF01 EF16"));
            };
            ctx.select_df(DfId::Df01)?;
            let s = ctx.send_cmd(&commands::select_ef(ef16.fid))?;
            if s.sw == StatusWord::FILE_NOT_FOUND {
                return Err(skip("DF01 EF16 absent (reserved file)"));
            }
            let c = commands::read_record(RecordSelector::ByNumber(1), None, 256)
                .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd(
                "READ RECORD on EF16",
                &c,
                &[StatusWord::INCOMPATIBLE_FILE_STRUCTURE],
            )?;
            Ok(())
        },
    );
    a.add(
        "READ-RECORD-NO-CURRENT-EF",
        "READ RECORD with no current EF → 6986",
        "Right after SELECT SSSE (no EF selected), READ RECORD 1 without an SFI answers 6986 (command not allowed: no current EF); 6A82 is accepted too.",
        r,
        Needs::NONE,
        |ctx| {
            ctx.select_ssse()?;
            let c = commands::read_record(RecordSelector::ByNumber(1), None, 256)
                .map_err(|e| fail(e.to_string()))?;
            let res = ctx.send_cmd(&c)?;
            match res.sw {
                StatusWord::COMMAND_NOT_ALLOWED | StatusWord::FILE_NOT_FOUND => Ok(()),
                _ => Err(fail(format!(
                    "READ RECORD with no current EF: expected 6986, got {}",
                    sw_text(res.sw)
                ))),
            }
        },
    );
    a.add(
        "UPDATE-RECORD-TRANSPARENT-EF",
        "UPDATE RECORD on a transparent EF → 6981",
        "UPDATE RECORD with DF01 EF16 (transparent) current answers 6981 (or 6982: no write right) — never 9000.",
        r,
        Needs::NONE,
        |ctx| {
            ctx.select_df(DfId::Df01)?;
            let s = ctx.send_cmd(&commands::select_ef(sscard_specs::ef::DF01_EF16.fid()))?;
            if s.sw == StatusWord::FILE_NOT_FOUND {
                return Err(skip("DF01 EF16 absent (reserved file)"));
            }
            let c = commands::update_record(1, None, &[0x01, 0x01, 0x00])
                .map_err(|e| fail(e.to_string()))?;
            ctx.expect_cmd("UPDATE RECORD on EF16", &c, &[
                    StatusWord::INCOMPATIBLE_FILE_STRUCTURE,
                    StatusWord::SECURITY_NOT_SATISFIED,
                ])?;
            Ok(())
        },
    );
    a.into_cases()
}
