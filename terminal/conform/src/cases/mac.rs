//! Area 8: line-protection MAC verification (sscard-spec.md §5.3; profile.md §3). The probe
//! command is a MAC-protected UPDATE RECORD (`04 DC 02 04 …`) of SSSE EF05 record 2 (card
//! category) with its own current content, MAC'd under the file's update key UKSSSE — so even a
//! card that accepts a bad MAC is not changed.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::{Command, StatusWord};
use sscard_specs::key;

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, Check, Verdict};

const REF: &str = "sscard-spec.md §5.3, §4 (UPDATE RECORD with MAC); profile.md §3";
const KEY: &str = key::UKSSSE;
const REC: u8 = 2;

/// SELECT SSSE + EF05 and read record 2.
fn prepare(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse()?;
    ctx.expect_cmd(
        "SELECT EF05",
        &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()),
        &[StatusWord::OK],
    )?;
    let r = ctx.read_record(RecordSelector::ByNumber(REC), None)?;
    if r.sw != StatusWord::OK || r.data.is_empty() {
        return Err(fail(format!(
            "READ RECORD {REC} of EF05: {}",
            sw_text(r.sw)
        )));
    }
    // The probe rewrites record 2 with its own content: only when it is record 2 (the card
    // category), so a card that answers another record is never changed.
    let tag = sscard_specs::item::SSSE_EF05_CATEGORY.tag();
    if r.data.first() != Some(&tag) {
        return Err(fail(format!(
            "READ RECORD {REC} of EF05 returned {}, not the card category record (tag {tag:02X}): not rewritten",
            hex::encode_upper(&r.data)
        )));
    }
    Ok(r.data)
}

fn update(content: &[u8]) -> Result<Command, Verdict> {
    commands::update_record(REC, None, content).map_err(|e| fail(e.to_string()))
}

/// The MAC'd APDU for `content` and `challenge`.
fn protected(ctx: &mut Ctx<'_>, content: &[u8], challenge: &[u8]) -> Result<Vec<u8>, Verdict> {
    ctx.mac_command(update(content)?, KEY, challenge)
}

/// The probe ready to send: [`prepare`], a fresh challenge, the MAC'd APDU.
fn fresh_protected(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    let content = prepare(ctx)?;
    let ch = ctx.challenge()?;
    protected(ctx, &content, &ch)
}

fn expect_refused(ctx: &mut Ctx<'_>, apdu: &[u8], want: &[StatusWord], what: &str) -> Check {
    ctx.expect(what, apdu, want)?;
    Ok(())
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Mac);
    let k = id::words(KEY);
    a.add(
        format!("{k}-VALID-MAC"),
        "A valid MAC is accepted",
        "GET CHALLENGE, then 04 DC 02 04 Lc' <record> <MAC> with the MAC under UKSSSE's process key over CLA' INS P1 P2 Lc' ‖ data answers 9000 (no EXTERNAL AUTHENTICATE needed: the MAC stands for the key).",
        REF,
        Needs::KEYS,
        |ctx| {
            let apdu = fresh_protected(ctx)?;
            ctx.expect("MAC-protected UPDATE RECORD", &apdu, &[StatusWord::OK])?;
            Ok(())
        },
    );
    a.add(
        format!("{k}-BAD-MAC"),
        "A wrong MAC → 6988",
        "The same command with one MAC bit flipped answers 6988.",
        REF,
        Needs::KEYS,
        |ctx| {
            let mut apdu = fresh_protected(ctx)?;
            if let Some(b) = apdu.last_mut() {
                *b ^= 0x01;
            }
            expect_refused(
                ctx,
                &apdu,
                &[StatusWord::SM_INCORRECT],
                "UPDATE RECORD with a wrong MAC",
            )
        },
    );
    a.add(
        format!("{k}-REPLAY"),
        "A replayed MAC is refused",
        "A valid MAC-protected command (9000) sent a second time without a new challenge is refused (6984 no challenge, or 6988).",
        REF,
        Needs::KEYS,
        |ctx| {
            let apdu = fresh_protected(ctx)?;
            ctx.expect("MAC-protected UPDATE RECORD", &apdu, &[StatusWord::OK])?;
            expect_refused(ctx, &apdu, &[StatusWord::REF_DATA_INVALID, StatusWord::SM_INCORRECT], "the replayed command")
        },
    );
    a.add(
        format!("{k}-SUPERSEDED-CHALLENGE"),
        "A MAC for a superseded challenge is refused",
        "MAC computed for challenge c1, then GET CHALLENGE c2, then the command: 6988.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            let c1 = ctx.challenge()?;
            let apdu = protected(ctx, &content, &c1)?;
            let _c2 = ctx.challenge()?;
            expect_refused(
                ctx,
                &apdu,
                &[StatusWord::SM_INCORRECT],
                "a MAC for the previous challenge",
            )
        },
    );
    a.add(
        format!("{k}-COVERS-HEADER"),
        "The MAC covers the header",
        "MAC computed over the header with P1 = 03, sent with P1 = 02: 6988.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            let ch = ctx.challenge()?;
            let other = commands::update_record(REC + 1, None, &content)
                .map_err(|e| fail(e.to_string()))?;
            let mut apdu = ctx.mac_command(other, KEY, &ch)?;
            if let Some(p1) = apdu.get_mut(2) {
                *p1 = REC;
            }
            expect_refused(
                ctx,
                &apdu,
                &[StatusWord::SM_INCORRECT],
                "a MAC over an altered header",
            )
        },
    );
    a.add(
        format!("{k}-COVERS-DATA"),
        "The MAC covers the data",
        "MAC computed over the record with its last byte changed, sent with the real record: 6988.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            let ch = ctx.challenge()?;
            let mut altered = content.clone();
            if let Some(b) = altered.last_mut() {
                *b ^= 0x01;
            }
            let mut apdu = protected(ctx, &altered, &ch)?;
            // Put the real data back (data starts after CLA INS P1 P2 Lc).
            for (d, s) in apdu.iter_mut().skip(5).zip(content.iter()) {
                *d = *s;
            }
            expect_refused(
                ctx,
                &apdu,
                &[StatusWord::SM_INCORRECT],
                "a MAC over altered data",
            )
        },
    );
    a.add(
        format!("{k}-NO-CHALLENGE"),
        "A MAC-protected command without a challenge → 6984",
        "From the cold state (no GET CHALLENGE), a MAC-protected UPDATE RECORD is refused with 6984.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            let apdu = protected(ctx, &content, &[0x22; 8])?;
            expect_refused(ctx, &apdu, &[StatusWord::REF_DATA_INVALID], "a MAC'd command with no challenge")
        },
    );
    a.add(
        format!("{k}-WRONG-KEY"),
        "A MAC under another key → 6988",
        "The command MAC'd under UK1DF01 instead of the file's UKSSSE: 6988.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            let ch = ctx.challenge()?;
            let apdu = ctx.mac_command(update(&content)?, key::UK1DF01, &ch)?;
            expect_refused(
                ctx,
                &apdu,
                &[StatusWord::SM_INCORRECT],
                "a MAC under the wrong key",
            )
        },
    );
    a.add(
        format!("{}-PIN-UNBLOCK-BAD-MAC", id::words(key::STK)),
        "PIN UNBLOCK with a wrong MAC → 6988",
        "After EXTERNAL AUTHENTICATE PUK, 84 24 00 00 04 with a wrong STK MAC answers 6988 (harmless: unblocking only restores the counter).",
        "sscard-spec.md §5.6; profile.md §3, §4",
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            ctx.authenticate(key::PUK)?;
            let ch = ctx.challenge()?;
            let mut apdu = ctx.mac_command(commands::pin_unblock(), key::STK, &ch)?;
            if let Some(b) = apdu.last_mut() {
                *b ^= 0x80;
            }
            expect_refused(ctx, &apdu, &[StatusWord::SM_INCORRECT], "PIN UNBLOCK with a wrong MAC")
        },
    );
    a.into_cases()
}
