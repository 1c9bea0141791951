//! Area 5, continued: access rules in every way a file can be reached (issue 10, family 6) —
//! not only by SFI from a freshly selected DF: a protected EF selected by FID and read without
//! SFI; by SFI while a free EF is current; a sibling DF selected directly after one DF's key
//! passed; the PIN opening exactly the PIN rules; another read key or another file's update key
//! of the same DF opening nothing. One case per DF (or per EF where the rule is per file), each
//! looping over the files, to keep the APDU count low.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::StatusWord;
use sscard_specs::files::DFS;
use sscard_specs::keys::{keys_of, KeyRole};
use sscard_specs::types::{DfId, DfSpec, EfSpec, EfStructure, ReadRule, WriteRule};

use super::access;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, record_tags, sw_text, Ctx, Resp};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

const REF: &str = "sscard-spec.md §2.2 (access conditions per file), §10; profile.md §4";

/// Enter `df` (SSSE by name, then the DF by FID); an absent optional DF is a skip.
fn enter(ctx: &mut Ctx<'_>, df: DfId) -> Check {
    ctx.select_df_unless_absent(df, optional_df(df))?;
    Ok(())
}

fn optional_df(df: DfId) -> bool {
    matches!(df, DfId::Df05 | DfId::Df06)
        || DFS.get(df.index()).is_some_and(|d| {
            d.efs
                .iter()
                .all(|e| e.category != sscard_specs::Category::Active)
        })
}

/// SELECT `ef` in the current DF by FID; `false` when an optional EF is absent.
fn select_ef(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Result<bool, Verdict> {
    let r = ctx.send_cmd(&commands::select_ef(ef.fid))?;
    match r.sw {
        StatusWord::OK => Ok(true),
        StatusWord::FILE_NOT_FOUND if ef.category != sscard_specs::Category::Active => Ok(false),
        sw => Err(fail(format!("SELECT {}: {}", ef_name(ef), sw_text(sw)))),
    }
}

/// READ RECORD 1 / READ BINARY of 16 bytes of the current EF (no SFI).
fn read_current(ctx: &mut Ctx<'_>, ef: &EfSpec) -> Result<Resp, Verdict> {
    if ef.structure_for(ctx.version()).is_record() {
        ctx.read_record(RecordSelector::ByNumber(1), None)
    } else {
        let c = commands::read_binary(0, 16).map_err(|e| fail(e.to_string()))?;
        ctx.send_cmd(&c)
    }
}

/// Whether `r` is a successful read of `ef` (an empty record file answers 6A83).
fn read_ok(ctx: &Ctx<'_>, ef: &EfSpec, r: &Resp) -> bool {
    r.sw == StatusWord::OK
        || (ef.structure_for(ctx.version()).is_record() && r.sw == StatusWord::RECORD_NOT_FOUND)
}

fn refused(ef: &EfSpec, r: &Resp, how: &str) -> Check {
    if r.sw == StatusWord::SECURITY_NOT_SATISFIED {
        Ok(())
    } else {
        Err(fail(format!(
            "reading {} {how}: expected 6982, the card answered {}",
            ef_name(ef),
            sw_text(r.sw)
        )))
    }
}

/// The files of `df` whose read rule on this card is not free; a skip when there are none.
fn protected<'a>(ctx: &Ctx<'_>, df: &'a DfSpec) -> Result<Vec<&'a EfSpec>, Verdict> {
    let v = ctx.version();
    let efs: Vec<_> = df
        .efs
        .iter()
        .filter(|e| e.read_for(v) != ReadRule::Free)
        .collect();
    if efs.is_empty() {
        return Err(skip(format!(
            "no protected file in {} on this version",
            df.id.name()
        )));
    }
    Ok(efs)
}

fn has_protected(df: &DfSpec) -> bool {
    df.efs
        .iter()
        .any(|e| e.read != ReadRule::Free || !e.read_overrides.is_empty())
}

/// The names of the keys of `df` in `role`.
fn key_names(df: DfId, role: KeyRole) -> Vec<&'static str> {
    keys_of(df)
        .iter()
        .filter(|k| k.role == role)
        .map(|k| k.name)
        .collect()
}

/// The read key of a rule (`Key`, `PinOrKey`, `PinAndKey`).
fn read_key(r: ReadRule) -> Option<&'static str> {
    match r {
        ReadRule::Key(k) | ReadRule::PinOrKey(k) | ReadRule::PinAndKey(k) => Some(k),
        _ => None,
    }
}

/// Every protected EF of `df`, selected by FID and read without SFI from the cold state: 6982.
fn by_fid(ctx: &mut Ctx<'_>, df: &'static DfSpec) -> Check {
    let efs = protected(ctx, df)?;
    enter(ctx, df.id)?;
    for ef in efs {
        if !select_ef(ctx, ef)? {
            continue;
        }
        let r = read_current(ctx, ef)?;
        refused(
            ef,
            &r,
            "selected by FID, read without SFI, no security state",
        )?;
    }
    Ok(())
}

/// Every protected EF of `df` read by SFI while a free EF of `df` is the current EF: 6982.
fn sfi_while_free_current(ctx: &mut Ctx<'_>, df: &'static DfSpec) -> Check {
    let v = ctx.version();
    let Some(free) = df.efs.iter().find(|e| e.read_for(v) == ReadRule::Free) else {
        return Err(skip(format!(
            "no free file in {} on this version",
            df.id.name()
        )));
    };
    let efs = protected(ctx, df)?;
    enter(ctx, df.id)?;
    for ef in efs {
        if !select_ef(ctx, free)? {
            return Err(skip(format!("{} absent (optional)", ef_name(free))));
        }
        let r = ctx.read_first_by_sfi(ef, 16)?;
        refused(
            ef,
            &r,
            &format!(
                "by SFI {:02X} while the free {} is current",
                ef.sfi,
                ef_name(free)
            ),
        )?;
    }
    Ok(())
}

/// After `from`'s read key passed in `from`, `to` selected directly by FID (`00 A4 00 00 02`,
/// not through the SSSE): `to`'s key-protected EF refuses (6982).
fn firewall(ctx: &mut Ctx<'_>, from: &'static DfSpec, to: &'static DfSpec) -> Check {
    let v = ctx.version();
    let Some((src_ef, key)) = from
        .efs
        .iter()
        .find_map(|e| read_key(e.read_for(v)).map(|k| (e, k)))
    else {
        return Err(skip(format!("no key-read file in {}", from.id.name())));
    };
    let Some(dst) = to
        .efs
        .iter()
        .find(|e| matches!(e.read_for(v), ReadRule::Key(_) | ReadRule::PinOrKey(_)))
    else {
        return Err(skip(format!("no key-read file in {}", to.id.name())));
    };
    enter(ctx, to.id)?;
    ctx.reset()?;
    enter(ctx, from.id)?;
    ctx.authenticate(key)?;
    let r = ctx.read_first_by_sfi(src_ef, 1)?;
    if !read_ok(ctx, src_ef, &r) {
        return Err(fail(format!(
            "reading {} after {key}: {}",
            ef_name(src_ef),
            sw_text(r.sw)
        )));
    }
    let fid = to.fid.ok_or_else(|| fail("specs: a DF without FID"))?;
    let r = ctx.send_cmd(&commands::select_by_fid(fid))?;
    if r.sw == StatusWord::FILE_NOT_FOUND {
        return Err(skip(format!(
            "{} cannot be selected directly from {} (6A82): only through the SSSE",
            to.id.name(),
            from.id.name()
        )));
    }
    if !r.ok() {
        return Err(fail(format!(
            "SELECT {} from {}: {}",
            to.id.name(),
            from.id.name(),
            sw_text(r.sw)
        )));
    }
    let r = ctx.read_first_by_sfi(dst, 1)?;
    refused(
        dst,
        &r,
        &format!(
            "after {key} passed in {} and {} was selected directly",
            from.id.name(),
            to.id.name()
        ),
    )?;
    // And back: the state of `from` did not survive the excursion either.
    let fid = from.fid.ok_or_else(|| fail("specs: a DF without FID"))?;
    let r = ctx.send_cmd(&commands::select_by_fid(fid))?;
    if r.ok() {
        let r = ctx.read_first_by_sfi(src_ef, 1)?;
        refused(
            src_ef,
            &r,
            &format!(
                "after selecting {} and {} again directly",
                to.id.name(),
                from.id.name()
            ),
        )?;
    }
    Ok(())
}

/// After VERIFY in the SSSE, in `df`: exactly the files whose rule the PIN satisfies (free,
/// PIN, PIN or key) read; key-only and PIN-and-key files answer 6982.
fn pin_opens_pin_rules(ctx: &mut Ctx<'_>, df: &'static DfSpec) -> Check {
    let v = ctx.version();
    enter(ctx, df.id)?;
    ctx.reset()?;
    ctx.select_ssse()?;
    ctx.verify_pin()?;
    if df.id != DfId::Ssse {
        let fid = df.fid.ok_or_else(|| fail("specs: a DF without FID"))?;
        ctx.expect_cmd(
            &format!("SELECT {} after VERIFY in the SSSE", df.id.name()),
            &commands::select_by_fid(fid),
            &[StatusWord::OK],
        )?;
    }
    for ef in df.efs {
        let rule = ef.read_for(v);
        let opens = matches!(rule, ReadRule::Free | ReadRule::Pin | ReadRule::PinOrKey(_));
        let r = ctx.read_first_by_sfi(ef, 16)?;
        if r.sw == StatusWord::FILE_NOT_FOUND && ef.category != sscard_specs::Category::Active {
            continue;
        }
        if opens && !read_ok(ctx, ef, &r) {
            return Err(fail(format!(
                "reading {} (read rule {rule:?}) after VERIFY in the SSSE: expected 9000, the card answered {}",
                ef_name(ef),
                sw_text(r.sw)
            )));
        }
        if !opens {
            refused(
                ef,
                &r,
                &format!("(read rule {rule:?}) with only the PIN verified"),
            )?;
        }
    }
    Ok(())
}

/// With `other` (another read key of the same DF) passed, `ef` (read rule: its own key, or the
/// PIN) answers 6982.
fn other_read_key(ctx: &mut Ctx<'_>, ef: &'static EfSpec, other: &'static str) -> Check {
    let v = ctx.version();
    if read_key(ef.read_for(v)) == Some(other) {
        return Err(skip(format!(
            "{} is read with {other} on this version",
            ef_name(ef)
        )));
    }
    enter(ctx, ef.df)?;
    if !select_ef(ctx, ef)? {
        return Err(skip(format!("{} absent (optional)", ef_name(ef))));
    }
    ctx.reset()?;
    enter(ctx, ef.df)?;
    ctx.authenticate(other)?;
    let r = ctx.read_first_by_sfi(ef, 16)?;
    refused(
        ef,
        &r,
        &format!(
            "with only {other} (another read key of {}) passed",
            ef.df.name()
        ),
    )
}

/// With `uk` passed (and the read rights of each file), rewriting each EF of `df` written by
/// another update key with its own content answers 6982; the file `uk` writes answers 9000.
fn other_update_key(ctx: &mut Ctx<'_>, df: &'static DfSpec, uk: &'static str) -> Check {
    let v = ctx.version();
    enter(ctx, df.id)?;
    ctx.reset()?;
    enter(ctx, df.id)?;
    // Read rights: every read key of the DF (the PIN is not needed: "PIN or key" files open
    // with the key; "PIN and key" files are skipped).
    for k in key_names(df.id, KeyRole::Read) {
        ctx.authenticate(k)?;
    }
    ctx.authenticate(uk)?;
    let mut own = 0;
    for ef in df.efs {
        let WriteRule::Key(w) = ef.write else {
            continue;
        };
        if matches!(
            ef.read_for(v),
            ReadRule::PinAndKey(_) | ReadRule::Pin | ReadRule::Never
        ) {
            continue;
        }
        if !select_ef(ctx, ef)? {
            continue;
        }
        let r = read_current(ctx, ef)?;
        if r.sw == StatusWord::RECORD_NOT_FOUND {
            continue;
        }
        if r.sw != StatusWord::OK {
            return Err(fail(format!(
                "reading {} with every read key of {}: {}",
                ef_name(ef),
                df.id.name(),
                sw_text(r.sw)
            )));
        }
        let record = ef.structure_for(v).is_record();
        let variable = matches!(ef.structure_for(v), EfStructure::VariableRecords { .. });
        if variable && r.data.first() != record_tags(ef, v).first().map(|i| &i.tag) {
            return Err(fail(format!(
                "record 1 of {} is not the spec's first item: not rewritten",
                ef_name(ef)
            )));
        }
        let cmd = access::rewrite(&r.data, record)?;
        let (want, what) = if w == uk {
            own += 1;
            (
                StatusWord::OK,
                format!("rewriting {} after its own {uk}", ef_name(ef)),
            )
        } else {
            (
                StatusWord::SECURITY_NOT_SATISFIED,
                format!(
                    "rewriting {} (write key {w}) with only {uk} of {} passed",
                    ef_name(ef),
                    df.id.name()
                ),
            )
        };
        ctx.expect_cmd(&what, &cmd, &[want])?;
    }
    if own == 0 {
        ctx.note(format!(
            "no readable file written by {uk}: only the refusals checked"
        ));
    }
    Ok(())
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Access);
    let with_protected: Vec<&'static DfSpec> = DFS
        .iter()
        .filter(|d| d.id != DfId::Mf && has_protected(d))
        .collect();
    for &df in &with_protected {
        let d = id::df(df.id);
        a.add(
            format!("{d}-READ-REFUSED-BY-FID"),
            format!("{} protected files refused when selected by FID", df.id.name()),
            format!(
                "From the cold state, every protected EF of {} selected with 00 A4 02 00 02 EFxx and read without SFI (READ RECORD 1 / READ BINARY) answers 6982.",
                df.id.name()
            ),
            REF,
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| by_fid(ctx, df),
        );
        if df
            .efs
            .iter()
            .any(|e| e.read == ReadRule::Free && e.read_overrides.is_empty())
        {
            a.add(
            format!("{d}-READ-REFUSED-FREE-EF-CURRENT"),
            format!("{} protected files refused by SFI while a free EF is current", df.id.name()),
            format!(
                "With a free EF of {} selected, reading each protected EF of {} by its SFI answers 6982 (the free EF's rule does not carry over).",
                df.id.name(),
                df.id.name()
            ),
            REF,
            Needs::NONE,
            move |ctx: &mut Ctx<'_>| sfi_while_free_current(ctx, df),
        );
        }
        a.add(
            format!("{d}-PIN-OPENS-PIN-RULES"),
            format!("The PIN opens exactly the PIN rules of {}", df.id.name()),
            format!(
                "After VERIFY in the SSSE and SELECT {}: the free, PIN and PIN-or-key files of {} read; its key-only and PIN-and-key files answer 6982.",
                df.id.name(),
                df.id.name()
            ),
            "profile.md §4 (the SSSE PIN serves the PIN rules of the SSSE and DF01–DF07); sscard-spec.md §2.2",
            Needs::PIN,
            move |ctx: &mut Ctx<'_>| pin_opens_pin_rules(ctx, df),
        );
    }
    // The firewall between sibling DFs below the SSSE, each selected directly from the other.
    let siblings: Vec<&'static DfSpec> = with_protected
        .iter()
        .copied()
        .filter(|d| d.id != DfId::Ssse && d.efs.iter().any(|e| read_key(e.read).is_some()))
        .collect();
    for (i, &to) in siblings.iter().enumerate() {
        let from = siblings[(i + siblings.len() - 1) % siblings.len()];
        a.add(
            format!("{}-FIREWALL-FROM-{}", id::df(to.id), id::df(from.id)),
            format!("Firewall: {}'s key state does not open {}", from.id.name(), to.id.name()),
            format!(
                "After {}'s read key passed in {}, SELECT {} directly by FID (00 A4 00 00 02, not through the SSSE): its key-protected file answers 6982; selecting {} again directly, {}'s file answers 6982 too. A card that selects DFs only through the SSSE (6A82) is skipped.",
                from.id.name(),
                from.id.name(),
                to.id.name(),
                from.id.name(),
                from.id.name()
            ),
            "profile.md §4 (key states belong to the DF whose key passed, cleared when another DF is selected); sscard-spec.md §7.2 (firewall between applications)",
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| firewall(ctx, from, to),
        );
    }
    // Another read key of the same DF opens nothing (DFs with more than one read key).
    for df in DFS.iter() {
        let rks = key_names(df.id, KeyRole::Read);
        if rks.len() < 2 {
            continue;
        }
        for ef in df.efs.iter() {
            let Some(own) = read_key(ef.read) else {
                continue;
            };
            let Some(pos) = rks.iter().position(|k| *k == own) else {
                continue;
            };
            let other = rks[(pos + 1) % rks.len()];
            a.add(
                format!("{}-OTHER-READ-KEY", id::ef(ef)),
                format!("{} not opened by {other}", ef_name(ef)),
                format!(
                    "{} (read: {own}) answers 6982 with only {other}, another read key of {}, passed.",
                    ef_name(ef),
                    df.id.name()
                ),
                REF,
                Needs::KEYS,
                move |ctx: &mut Ctx<'_>| other_read_key(ctx, ef, other),
            );
        }
    }
    // Another file's update key of the same DF allows no write (DFs with more than one UK).
    for df in DFS.iter() {
        let uks = key_names(df.id, KeyRole::Update);
        if uks.len() < 2 {
            continue;
        }
        let uk = uks[0];
        a.add(
            format!("{}-WRITE-REFUSED-OTHER-UK", id::df(df.id)),
            format!("{} files refuse writes under another file's update key", df.id.name()),
            format!(
                "With {}'s read keys and {uk} passed, rewriting each file of {} whose update key is not {uk} with its own content answers 6982; the file {uk} writes answers 9000.",
                df.id.name(),
                df.id.name()
            ),
            REF,
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| other_update_key(ctx, df, uk),
        );
    }
    a.into_cases()
}
