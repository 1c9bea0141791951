//! Area 8: line-protection MAC verification (sscard-spec.md §5.3; profile.md §3). The probe
//! command is a MAC-protected UPDATE RECORD (`04 DC 02 04 …`) of SSSE EF05 record 2 (card
//! category) with its own current content, MAC'd under the file's update key UKSSSE — so even a
//! card that accepts a bad MAC is not changed.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::{Command, StatusWord};
use sscard_specs::files::{all_efs, DFS};
use sscard_specs::key;
use sscard_specs::keys::{keys_of, KeyRole};
use sscard_specs::types::{DfId, EfSpec, EfStructure, ReadRule, WriteRule};

use super::{access, content};

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{ef_name, sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

const REF: &str = "sscard-spec.md §5.3, §4 (UPDATE RECORD with MAC); profile.md §3";
const KEY: &str = key::UKSSSE;
const REC: u8 = 2;

/// SELECT SSSE + EF05 and read record 2.
fn prepare(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse_ef(sscard_specs::ef::SSSE_EF05)?;
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

/// Flip one bit of MAC byte `i` (0–3) of a MAC-protected command (the MAC ends the APDU).
fn flip_mac_byte(apdu: &mut [u8], i: usize) {
    let n = apdu.len();
    if let Some(b) = (n >= 4).then(|| apdu.get_mut(n - 4 + i)).flatten() {
        *b ^= 0x01;
    }
}

/// The EF, in the current DF of `ef`, made current (read access gained first where `ef` needs it)
/// with its current first unit; `None`: nothing to rewrite.
fn own_content(ctx: &mut Ctx<'_>, ef: &'static EfSpec) -> Result<Vec<u8>, Verdict> {
    access::select(ctx, ef)?;
    ctx.reset()?;
    let content = access::current_content(ctx, ef)?
        .ok_or_else(|| skip(format!("{} holds no record to rewrite", ef_name(ef))))?;
    ctx.expect_select_ef(ef)?;
    Ok(content)
}

/// Rewrite `ef`'s first unit with its own content, MAC'd under `key` for a fresh challenge
/// (`bad_mac`: one MAC bit flipped; `no_challenge`: for a challenge the card never gave); the
/// card must answer `want`.
fn mac_rewrite(
    ctx: &mut Ctx<'_>,
    ef: &'static EfSpec,
    key: &str,
    how: Probe,
    want: StatusWord,
) -> Check {
    let content = own_content(ctx, ef)?;
    let record = ef.structure_for(ctx.version()).is_record();
    let cmd = access::rewrite(&content, record)?;
    let ch = match how {
        Probe::NoChallenge => vec![0x5A; 8],
        Probe::Valid | Probe::BadMac => ctx.challenge()?,
    };
    let mut apdu = ctx.mac_command(cmd, key, &ch)?;
    if how == Probe::BadMac {
        flip_mac_byte(&mut apdu, 3);
    }
    ctx.expect(
        &format!(
            "{} rewritten with a MAC under {key} ({})",
            ef_name(ef),
            how.text()
        ),
        &apdu,
        &[want],
    )?;
    if want == StatusWord::OK {
        let back = if record {
            ctx.read_record(RecordSelector::ByNumber(1), None)?
        } else {
            let c =
                commands::read_binary(0, content.len() as u32).map_err(|e| fail(e.to_string()))?;
            ctx.send_cmd(&c)?
        };
        if back.sw != StatusWord::OK || back.data != content {
            return Err(fail(format!(
                "read-back after the MAC'd rewrite: {} {}",
                hex::encode_upper(&back.data),
                sw_text(back.sw)
            )));
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    Valid,
    BadMac,
    NoChallenge,
}

impl Probe {
    fn text(self) -> &'static str {
        match self {
            Probe::Valid => "valid",
            Probe::BadMac => "one MAC bit wrong",
            Probe::NoChallenge => "no challenge",
        }
    }
}

/// MAC'd APPEND RECORD of a new, distinct record to the cyclic `ef` (`how` as above): the card
/// answers `want`; record 1 is then the new record (9000) or the old one (refused).
fn mac_append(
    ctx: &mut Ctx<'_>,
    ef: &'static EfSpec,
    how: Probe,
    want: StatusWord,
    n: u32,
) -> Check {
    let WriteRule::Key(key) = ef.write else {
        return Err(skip("never writable"));
    };
    access::select(ctx, ef)?;
    ctx.reset()?;
    ctx.gain_read(ef)?;
    ctx.expect_select_ef(ef)?;
    let old = ctx.read_record(RecordSelector::ByNumber(1), None)?;
    let old = match old.sw {
        StatusWord::OK => Some(old.data),
        StatusWord::RECORD_NOT_FOUND => None,
        sw => {
            return Err(fail(format!(
                "READ RECORD 1 of {}: {}",
                ef_name(ef),
                sw_text(sw)
            )))
        }
    };
    let mut new = content::cyclic_record(ef, n)?;
    if old.as_ref() == Some(&new) {
        new = content::cyclic_record(ef, n + 1)?;
    }
    let cmd = commands::append_record(None, &new).map_err(|e| fail(e.to_string()))?;
    let ch = match how {
        Probe::NoChallenge => vec![0x5A; 8],
        Probe::Valid | Probe::BadMac => ctx.challenge()?,
    };
    let mut apdu = ctx.mac_command(cmd, key, &ch)?;
    if how == Probe::BadMac {
        flip_mac_byte(&mut apdu, 0);
    }
    ctx.expect(
        &format!(
            "APPEND RECORD to {} with a MAC under {key} ({})",
            ef_name(ef),
            how.text()
        ),
        &apdu,
        &[want],
    )?;
    let now = ctx.read_record(RecordSelector::ByNumber(1), None)?;
    let expected = if want == StatusWord::OK {
        Some(&new)
    } else {
        old.as_ref()
    };
    let got = (now.sw == StatusWord::OK).then_some(&now.data);
    if got != expected {
        return Err(fail(format!(
            "record 1 of {} after the APPEND RECORD is {} {}, expected {}",
            ef_name(ef),
            hex::encode_upper(&now.data),
            sw_text(now.sw),
            expected.map_or("none (6A83)".to_string(), hex::encode_upper)
        )));
    }
    if want == StatusWord::OK {
        if let Some(old) = old {
            let r2 = ctx.read_record(RecordSelector::ByNumber(2), None)?;
            if r2.sw != StatusWord::OK || r2.data != old {
                return Err(fail(format!(
                    "record 2 after the APPEND RECORD is {} {}, expected the former record 1 {}",
                    hex::encode_upper(&r2.data),
                    sw_text(r2.sw),
                    hex::encode_upper(&old)
                )));
            }
        }
    }
    Ok(())
}

/// The first update key of `df` (the sibling the own-key cases MAC under).
fn first_update_key(df: DfId) -> Option<&'static str> {
    keys_of(df)
        .iter()
        .find(|k| k.role == KeyRole::Update)
        .map(|k| k.name)
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
    a.add(
        format!("{k}-EVERY-MAC-BYTE"),
        "Each MAC byte is checked",
        "The MAC-protected UPDATE RECORD with MAC byte 1, then 2, 3 and 4 wrong (one bit flipped, a fresh challenge each time) answers 6988 each time: the card compares all 4 bytes.",
        REF,
        Needs::KEYS,
        |ctx| {
            let content = prepare(ctx)?;
            for i in 0..4 {
                let ch = ctx.challenge()?;
                let mut apdu = protected(ctx, &content, &ch)?;
                flip_mac_byte(&mut apdu, i);
                expect_refused(
                    ctx,
                    &apdu,
                    &[StatusWord::SM_INCORRECT],
                    &format!("UPDATE RECORD with MAC byte {} wrong", i + 1),
                )?;
            }
            Ok(())
        },
    );
    // A MAC'd write under the file's own update key when it is not the first of its DF, and
    // refused under that first one (a sibling file's key): one EF per DF.
    for df in DFS.iter() {
        let Some(first) = first_update_key(df.id) else {
            continue;
        };
        let Some(ef) = df
            .efs
            .iter()
            .find(|e| matches!(e.write, WriteRule::Key(k) if k != first))
        else {
            continue;
        };
        let WriteRule::Key(own) = ef.write else {
            continue;
        };
        let e = id::ef(ef);
        let needs = Needs::KEYS;
        a.add(
            format!("{e}-OWN-KEY"),
            format!("MAC'd write of {} under its own {own}", ef_name(ef)),
            format!(
                "{} (write: {own}, not the first update key of {}) rewritten with its own content by a MAC-protected write under {own}'s process key answers 9000 (no EXTERNAL AUTHENTICATE needed) and reads back unchanged.",
                ef_name(ef),
                df.id.name()
            ),
            "profile.md §3 (a MAC'd write needs a valid MAC under the file's update key); sscard-spec.md §2.2, §5.3",
            needs,
            move |ctx: &mut Ctx<'_>| mac_rewrite(ctx, ef, own, Probe::Valid, StatusWord::OK),
        );
        a.add(
            format!("{e}-SIBLING-KEY"),
            format!("MAC'd write of {} under {first} refused", ef_name(ef)),
            format!(
                "The same MAC-protected write with the MAC under {first} (another file's update key of {}) answers 6988.",
                df.id.name()
            ),
            "profile.md §3 (a MAC under another key of the DF is refused: 6988)",
            needs,
            move |ctx: &mut Ctx<'_>| mac_rewrite(ctx, ef, first, Probe::Valid, StatusWord::SM_INCORRECT),
        );
    }
    // MAC'd UPDATE BINARY: the first free-to-read transparent EF with an update key.
    if let Some(ef) = all_efs().find(|e| {
        matches!(e.structure, EfStructure::Transparent { .. })
            && e.read == ReadRule::Free
            && matches!(e.write, WriteRule::Key(_))
    }) {
        let WriteRule::Key(uk) = ef.write else {
            unreachable!("filtered above")
        };
        let e = id::ef(ef);
        for (rule, how, want, text) in [
            (
                "BINARY-VALID-MAC",
                Probe::Valid,
                StatusWord::OK,
                "answers 9000 and the bytes read back unchanged",
            ),
            (
                "BINARY-BAD-MAC",
                Probe::BadMac,
                StatusWord::SM_INCORRECT,
                "with one MAC bit wrong answers 6988",
            ),
            (
                "BINARY-NO-CHALLENGE",
                Probe::NoChallenge,
                StatusWord::REF_DATA_INVALID,
                "without a preceding GET CHALLENGE answers 6984",
            ),
        ] {
            a.add(
                format!("{e}-{rule}"),
                format!("MAC'd UPDATE BINARY of {}: {}", ef_name(ef), how.text()),
                format!(
                    "04 D6 00 00 Lc' <the first 16 bytes of {}> <MAC under {uk}> {text}.",
                    ef_name(ef)
                ),
                "profile.md §3 (line protection of 04 D6 under the file's UK); sscard-spec.md §4, §5.3",
                Needs::KEYS,
                move |ctx: &mut Ctx<'_>| mac_rewrite(ctx, ef, uk, how, want),
            );
        }
    }
    // MAC'd APPEND RECORD: the first writable cyclic EF (destructive: it adds a record).
    if let Some(ef) = all_efs().find(|e| {
        matches!(e.structure, EfStructure::Cyclic { .. }) && matches!(e.write, WriteRule::Key(_))
    }) {
        let e = id::ef(ef);
        for (rule, how, want, n, text) in [
            (
                "APPEND-VALID-MAC",
                Probe::Valid,
                StatusWord::OK,
                101,
                "answers 9000: record 1 is the new record and record 2 the former record 1",
            ),
            (
                "APPEND-BAD-MAC",
                Probe::BadMac,
                StatusWord::SM_INCORRECT,
                201,
                "with one MAC bit wrong answers 6988 and record 1 is unchanged",
            ),
            (
                "APPEND-NO-CHALLENGE",
                Probe::NoChallenge,
                StatusWord::REF_DATA_INVALID,
                301,
                "without a preceding GET CHALLENGE answers 6984 and record 1 is unchanged",
            ),
        ] {
            a.add(
                format!("{e}-{rule}"),
                format!("MAC'd APPEND RECORD to {}: {}", ef_name(ef), how.text()),
                format!(
                    "04 E2 00 00 Lc' <a new record> <MAC under the file's update key> on the cyclic {} {text}.",
                    ef_name(ef)
                ),
                "profile.md §3 (line protection of 04 E2 under the file's UK); sscard-spec.md §3.2 (cyclic: record 1 = newest), §4",
                Needs::KEYS,
                move |ctx: &mut Ctx<'_>| mac_append(ctx, ef, how, want, n),
            )
            .destructive();
        }
    }
    a.into_cases()
}
