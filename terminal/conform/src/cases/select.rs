//! Area 1: ATR and SELECT / FCI (sscard-spec.md §2.1, §4, §5.2; profile.md §1).

use sscard_apdu::commands;
use sscard_apdu::fci::Fci;
use sscard_apdu::{Command, StatusWord};
use sscard_specs::files::{self, DFS, SSSE_NAME};
use sscard_specs::types::{Category, DfId};
use sscard_specs::SpecVersion;

use super::refs;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Verdict};

fn parse_fci(what: &str, r: &Resp) -> Result<Fci, Verdict> {
    Fci::parse(&r.data).map_err(|e| {
        fail(format!(
            "{what}: the answer is not an FCI 6F{{84 …}} ({e}): {}",
            hex::encode_upper(&r.data)
        ))
    })
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::AtrSelect);
    a.add(
        "ATR-WELL-FORMED",
        "ATR is well formed and carries the card-level factor",
        "The ATR starts with TS 3B or 3F, its interface bytes are consistent with T0, it has at least 8 historical bytes (their last 8 bytes are the card-level diversification factor), and when it offers a protocol other than T=0 it ends with a correct TCK.",
        "sscard-spec.md §5.2; profile.md §2; ISO/IEC 7816-3 §8.2.5 (TCK)",
        Needs::NONE,
        |ctx| {
            let atr = ctx.atr();
            ctx.note(format!("ATR {}", hex::encode_upper(&atr)));
            match atr.first() {
                Some(0x3B | 0x3F) => {}
                Some(ts) => return Err(fail(format!("TS is {ts:02X}, expected 3B or 3F"))),
                None => return Err(fail("the ATR is empty, expected TS 3B or 3F")),
            }
            let hist = sscard_terminal::model::atr::historical_bytes(&atr)
                .ok_or_else(|| fail("the ATR is shorter than its T0/TDi bytes announce"))?;
            if hist.len() < 8 {
                return Err(fail(format!(
                    "{} historical bytes; the card-level factor needs 8",
                    hist.len()
                )));
            }
            let layout = sscard_terminal::model::atr::layout(&atr)
                .ok_or_else(|| fail("the ATR is shorter than its T0/TDi bytes announce"))?;
            if !sscard_terminal::model::atr::tck_ok(&atr) {
                return Err(fail(format!(
                    "the ATR offers T=1 or another protocol than T=0 (protocol bits {:04b}) but its TCK is missing or wrong ({} bytes, {} expected; XOR of T0..TCK must be 00)",
                    layout.protocols,
                    atr.len(),
                    layout.len()
                )));
            }
            Ok(())
        },
    );
    let ssse = id::df(DfId::Ssse);
    a.add(
        format!("{ssse}-BY-NAME-FCI"),
        "SELECT SSSE by DF name returns its FCI",
        "SELECT 00 A4 04 00 0F 7378312E73682EC9E7BBE1B1A3D5CF succeeds (FCI + 9000, or 61xx then GET RESPONSE on T=0) and the FCI is 6F{84 <SSSE name> …}.",
        refs::TREE,
        Needs::NONE,
        |ctx| {
            let r = ctx.select_ssse()?;
            let fci = parse_fci("SELECT SSSE", &r)?;
            if fci.df_name != SSSE_NAME {
                return Err(fail(format!(
                    "FCI tag 84 is {}, expected the SSSE name {}",
                    hex::encode_upper(&fci.df_name),
                    hex::encode_upper(SSSE_NAME)
                )));
            }
            Ok(())
        },
    );
    a.add(
        format!("{ssse}-FCI-ALGORITHM-ID"),
        "SSSE FCI proprietary data and algorithm id",
        "If the FCI carries A5{88 SFI}, the SFI is 1–30; an algorithm id 9F0C{86 xx} is 01, 02 or 03; a 3.00 card announces 03 (SM4) and a 1.00/2.0x card announces none or 01/02.",
        "sscard-spec.md §2.1, §5.3; profile.md §1",
        Needs::NONE,
        |ctx| {
            let r = ctx.select_ssse()?;
            let fci = parse_fci("SELECT SSSE", &r)?;
            if let Some(sfi) = fci.sfi {
                if !(1..=30).contains(&sfi) {
                    return Err(fail(format!("FCI A5/88 SFI {sfi:02X} is not 1..=30")));
                }
            }
            match (fci.algorithm_id, ctx.version()) {
                (Some(id), _) if !(1..=3).contains(&id) => {
                    Err(fail(format!("algorithm id {id:02X} is not 01/02/03")))
                }
                (Some(0x03), SpecVersion::V3_00) | (None | Some(1 | 2), _) => {
                    if ctx.version() == SpecVersion::V3_00 && fci.algorithm_id != Some(3) {
                        Err(fail(format!(
                            "a 3.00 card must announce algorithm id 03 in 9F0C/86, FCI has {}",
                            fci.algorithm_id.map_or("none".to_string(), |id| format!("{id:02X}"))
                        )))
                    } else {
                        Ok(())
                    }
                }
                (Some(id), v) => Err(fail(format!(
                    "algorithm id {id:02X} on a {} card",
                    v.as_str()
                ))),
            }
        },
    );
    a.add(
        format!("{ssse}-BY-NAME-NO-DATA"),
        "SELECT SSSE with P2=0C (no response data)",
        "SELECT by name with P2 = 0C selects the SSSE and returns no data (ISO 7816-4); a card that does not implement P2=0C answers 6A86 (skip).",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            let c = Command::<255>::new(0x00, 0xA4, 0x04, 0x0C)
                .with_data(SSSE_NAME)
                .map_err(|e| fail(e.to_string()))?;
            let r = ctx.send_cmd(&c)?;
            match r.sw {
                StatusWord::OK if r.data.is_empty() => Ok(()),
                StatusWord::OK => Err(fail(format!(
                    "P2=0C asks for no data; the card returned {} bytes",
                    r.data.len()
                ))),
                StatusWord::WRONG_P1P2 | StatusWord::WRONG_P1P2_6B00 => {
                    Err(skip("P2=0C not implemented (optional)"))
                }
                sw => Err(fail(format!("SELECT P2=0C: {}", sw_text(sw)))),
            }
        },
    );
    a.add(
        format!("{}-BY-FID", id::df(DfId::Mf)),
        "SELECT MF 3F00",
        "SELECT 00 A4 00 00 02 3F00 succeeds (with or without FCI).",
        refs::COMMANDS,
        Needs::NONE,
        |ctx| {
            ctx.expect_cmd(
                "SELECT 3F00",
                &commands::select_by_fid(files::MF_FID),
                &[StatusWord::OK],
            )?;
            Ok(())
        },
    );
    a.add(
        format!("{}-BOTH-P1-FORMS", id::ef_ref(sscard_specs::ef::SSSE_EF05)),
        "SELECT an EF with P1=00 and with P1=02",
        "Hosts select EFs under the current DF with both 00 A4 00 00 02 EFxx (S-HN) and 00 A4 02 00 02 EFxx (S-XJ, S-GWI); both select SSSE EF05.",
        "sscard-spec.md §2.1 (table), §4",
        Needs::NONE,
        |ctx| {
            ctx.select_ssse()?;
            ctx.expect_cmd("SELECT EF05 (P1=00)", &commands::select_by_fid(sscard_specs::ef::SSSE_EF05.fid()), &[StatusWord::OK])?;
            ctx.select_ssse()?;
            ctx.expect_cmd("SELECT EF05 (P1=02)", &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()), &[StatusWord::OK])?;
            Ok(())
        },
    );
    for df in DFS
        .iter()
        .filter(|d| !matches!(d.id, DfId::Mf | DfId::Ssse))
    {
        let id = df.id;
        let fid = df.fid.unwrap_or(0);
        let optional = matches!(id, DfId::Df05 | DfId::Df06)
            || df.efs.iter().all(|e| e.category != Category::Active);
        a.add(
            format!("{}-BY-FID", id::df(id)),
            format!("SELECT {} by FID under the SSSE", id.name()),
            format!(
                "After SELECT SSSE, 00 A4 00 00 02 {fid:04X} selects {} ({}){}; any FCI returned parses as 6F{{84 …}}.",
                id.name(),
                df.name_en,
                if optional { " — optional: absence (6A82) is a skip" } else { "" }
            ),
            refs::TREE,
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| {
                let r = ctx.try_select_df(id)?;
                if r.sw == StatusWord::FILE_NOT_FOUND && optional {
                    return Err(skip(format!("{} absent (optional)", id.name())));
                }
                if !r.ok() {
                    return Err(fail(format!("SELECT {}: {}", id.name(), sw_text(r.sw))));
                }
                if !r.data.is_empty() {
                    parse_fci(&format!("SELECT {}", id.name()), &r)?;
                }
                Ok(())
            },
        );
    }
    a.add(
        "CHILD-DF-OF-CURRENT",
        "SELECT P1=01 selects a DF directly under the current DF only",
        "Where the card implements SELECT P1=01 (ISO 7816-4: a DF under the current DF; a card \
         that does not answers 6A86/6A81, a skip): from the SSSE, 00 A4 01 00 02 DF01 selects \
         DF01; from the SSSE, 3F00 is not a child (no 9000); from the MF, DF01 is not a child \
         (no 9000); from the MF, the SSSE's FID (where it has one) selects the SSSE.",
        "ISO/IEC 7816-4 §11.1.1 (SELECT P1); sscard-spec.md §2.1 (the file tree)",
        Needs::NONE,
        |ctx: &mut Ctx<'_>| {
            let df01 = files::df(DfId::Df01).fid.unwrap_or(0);
            ctx.select_ssse()?;
            let r = ctx.send_cmd(&commands::select_child_df(df01))?;
            if matches!(
                r.sw,
                StatusWord::WRONG_P1P2 | StatusWord::FUNC_NOT_SUPPORTED
            ) {
                return Err(skip("SELECT P1=01 not implemented (ISO 7816-4 option)"));
            }
            if !r.ok() {
                return Err(fail(format!(
                    "from the SSSE, P1=01 DF01 (its child): {}",
                    sw_text(r.sw)
                )));
            }
            ctx.select_ssse()?;
            let r = ctx.send_cmd(&commands::select_child_df(files::MF_FID))?;
            if r.sw.is_success() {
                return Err(fail(
                    "from the SSSE, P1=01 3F00 selected the MF, which is not its child",
                ));
            }
            ctx.try_select_df(DfId::Mf)?;
            let r = ctx.send_cmd(&commands::select_child_df(df01))?;
            if r.sw.is_success() {
                return Err(fail(
                    "from the MF, P1=01 DF01 selected DF01, which is under the SSSE, not the MF",
                ));
            }
            if let Some(ssse) = files::df(DfId::Ssse).fid {
                ctx.try_select_df(DfId::Mf)?;
                let r = ctx.send_cmd(&commands::select_child_df(ssse))?;
                if !r.ok() {
                    return Err(fail(format!(
                        "from the MF, P1=01 {ssse:04X} (the SSSE, its child): {}",
                        sw_text(r.sw)
                    )));
                }
            }
            Ok(())
        },
    );
    for df in DFS.iter().filter(|d| d.aid.is_some()) {
        let id = df.id;
        let aid = df.aid.unwrap_or_default();
        a.add(
            format!("{}-BY-AID", id::df(id)),
            format!("SELECT {} by AID", id.name()),
            format!(
                "00 A4 04 00 06 {} selects {}; a card that only selects DFs by FID answers 6A82 (skip: AID selection is seen in one source only).",
                hex::encode_upper(aid),
                id.name()
            ),
            "sscard-spec.md §2.1, §4 (SELECT DF by AID [1])",
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| {
                ctx.select_ssse()?;
                let c = commands::select_by_name(aid).map_err(|e| fail(e.to_string()))?;
                let r = ctx.send_cmd(&c)?;
                match r.sw {
                    sw if sw.is_success() => {
                        if !r.data.is_empty() {
                            let fci = parse_fci("SELECT by AID", &r)?;
                            if fci.df_name != aid {
                                return Err(fail(format!(
                                    "FCI names {}, selected {}",
                                    hex::encode_upper(&fci.df_name),
                                    hex::encode_upper(aid)
                                )));
                            }
                        }
                        // The DF must really be current: its first EF is selectable.
                        let ef = files::df(id).efs.first().map_or(sscard_specs::ef::SSSE_EF05.fid(), |e| e.fid);
                        ctx.expect_cmd(
                            &format!("SELECT EF{:02X} after SELECT by AID", ef & 0xFF),
                            &commands::select_ef(ef),
                            &[StatusWord::OK],
                        )?;
                        Ok(())
                    }
                    StatusWord::FILE_NOT_FOUND | StatusWord::FUNC_NOT_SUPPORTED => {
                        Err(skip("SELECT by AID not supported (optional, [1])"))
                    }
                    sw => Err(fail(format!("SELECT by AID: {}", sw_text(sw)))),
                }
            },
        );
    }
    a.into_cases()
}
