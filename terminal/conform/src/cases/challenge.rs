//! Area 7: the challenge is single use (sscard-spec.md §10; profile.md §3): it serves only the
//! next command, successful or not. Cases that might cost a key try on a non-conforming card end
//! with a successful authentication, which restores the counter.

use sscard_apdu::commands;
use sscard_apdu::StatusWord;
use sscard_specs::key;
use sscard_specs::keys::{all_keys, KeyRole};
use sscard_specs::types::DfId;
use sscard_specs::KeySpec;

use super::tamper::wrong_auth_apdu;
use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{expect_sw, sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, skip, Check, Verdict};

const REF: &str = "sscard-spec.md §4, §5.4, §10; profile.md §3";
/// The key every challenge case authenticates with (card-level, SSSE, KID 0A).
const KEY: &str = key::RKSSSE;

/// The card holds no challenge for `apdu`: `6984` (sscard-spec.md §4 SW table, §10: the
/// challenge serves the next command only, "6984 otherwise").
fn refused(ctx: &mut Ctx<'_>, apdu: &[u8], what: &str) -> Check {
    let r = ctx.send(apdu)?;
    if r.sw == StatusWord::OK {
        return Err(fail(format!("{what}: the card accepted it (9000)")));
    }
    if r.sw != StatusWord::REF_DATA_INVALID {
        return Err(fail(format!(
            "{what}: expected 6984 (no challenge: the last one was used up), the card answered {}",
            sw_text(r.sw)
        )));
    }
    Ok(())
}

/// Finish with a successful authentication (restores the key's try counter).
fn restore(ctx: &mut Ctx<'_>, res: Check) -> Check {
    let after = ctx.authenticate(KEY);
    res?;
    after
}

/// GET CHALLENGE and EXTERNAL AUTHENTICATE with key `name` and a wrong cryptogram (one bit of
/// the right one flipped): the card's status word.
fn wrong_auth(ctx: &mut Ctx<'_>, name: &str) -> Result<StatusWord, Verdict> {
    let apdu = wrong_auth_apdu(ctx, name)?;
    Ok(ctx.send(&apdu)?.sw)
}

fn expect_wrong_auth(ctx: &mut Ctx<'_>, name: &str, want: StatusWord, what: &str) -> Check {
    let sw = wrong_auth(ctx, name)?;
    expect_sw(what, sw, want)
}

/// Select `df` for a key case; an absent optional DF (appendix B DF05/DF06, preset DF07) is a
/// skip.
fn enter_key_df(ctx: &mut Ctx<'_>, df: DfId) -> Check {
    let optional = matches!(df, DfId::Df05 | DfId::Df06 | DfId::Df07);
    ctx.select_df_unless_absent(df, optional)?;
    Ok(())
}

/// Family 8 (issue 10): the try counter of `spec` counts down by one per wrong cryptogram and
/// is restored by a success, for every external-authentication key, not only the first of its
/// DF.
fn key_try_counter(ctx: &mut Ctx<'_>, spec: &'static KeySpec) -> Check {
    let limit = ctx.profile().key_try_limit;
    if limit < 3 {
        return Err(skip(format!(
            "key try limit {limit}: two wrong cryptograms would block {}",
            spec.name
        )));
    }
    enter_key_df(ctx, spec.df)?;
    ctx.authenticate(spec.name)?;
    let res = (|| {
        expect_wrong_auth(
            ctx,
            spec.name,
            StatusWord::pin_failed(limit - 1),
            "a wrong cryptogram",
        )?;
        expect_wrong_auth(
            ctx,
            spec.name,
            StatusWord::pin_failed(limit - 2),
            "a second wrong cryptogram",
        )?;
        ctx.authenticate(spec.name)?;
        expect_wrong_auth(
            ctx,
            spec.name,
            StatusWord::pin_failed(limit - 1),
            "a wrong cryptogram after a successful one (the success restores the counter)",
        )
    })();
    let after = ctx.authenticate(spec.name);
    res.and(after)
}

/// External-authentication keys (read, update, PIN-unblock), by DF.
fn ext_auth_keys() -> impl Iterator<Item = &'static KeySpec> {
    all_keys().filter(|k| {
        k.kid.is_some()
            && matches!(
                k.role,
                KeyRole::Read | KeyRole::Update | KeyRole::PinUnblock
            )
    })
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Challenge);
    let k = id::words(KEY);
    a.add(
        "GET-CHALLENGE-LENGTH",
        "GET CHALLENGE returns 8 bytes",
        "00 84 00 00 08 answers 8 bytes + 9000.",
        "sscard-spec.md §4; profile.md §1",
        Needs::NONE,
        |ctx| {
            ctx.select_ssse()?;
            let c = commands::get_challenge(8).map_err(|e| fail(e.to_string()))?;
            let r = ctx.expect_cmd("GET CHALLENGE", &c, &[StatusWord::OK])?;
            if r.data.len() != 8 {
                return Err(fail(format!("{} bytes instead of 8", r.data.len())));
            }
            Ok(())
        },
    );
    a.add(
        "GET-CHALLENGE-FRESH",
        "Challenges are fresh",
        "Eight consecutive challenges (also across a reset) are pairwise different and not constant.",
        "sscard-spec.md §5.3 (\"one transaction one key\"); profile.md §3",
        Needs::NONE,
        |ctx| {
            let mut seen = Vec::new();
            for i in 0..8 {
                if i == 4 {
                    ctx.reset()?;
                }
                ctx.select_ssse()?;
                let c = commands::get_challenge(8).map_err(|e| fail(e.to_string()))?;
                let r = ctx.expect_cmd("GET CHALLENGE", &c, &[StatusWord::OK])?;
                if seen.contains(&r.data) {
                    return Err(fail(format!(
                        "challenge {} repeats an earlier one",
                        hex::encode_upper(&r.data)
                    )));
                }
                seen.push(r.data);
            }
            Ok(())
        },
    );
    a.add(
        format!("{k}-NO-CHALLENGE"),
        "EXTERNAL AUTHENTICATE without a challenge → 6984",
        "From the cold state, EXTERNAL AUTHENTICATE (RKSSSE, KID 0A) with no preceding GET CHALLENGE answers 6984 and costs no try.",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            // A cryptogram for some other challenge.
            let apdu = ctx.ext_auth_apdu(KEY, &[0x11; 8])?;
            let r = ctx.send(&apdu)?;
            let res = if r.sw == StatusWord::REF_DATA_INVALID {
                Ok(())
            } else {
                Err(fail(format!(
                    "expected 6984 (no challenge), the card answered {}",
                    sw_text(r.sw)
                )))
            };
            restore(ctx, res)
        },
    );
    a.add(
        format!("{k}-REPLAY"),
        "A challenge serves one EXTERNAL AUTHENTICATE",
        "GET CHALLENGE, a valid EXTERNAL AUTHENTICATE (9000), then the same APDU again: the replay is refused (6984).",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            let apdu = ctx.ext_auth_fresh(KEY)?;
            ctx.expect("EXTERNAL AUTHENTICATE", &apdu, &[StatusWord::OK])?;
            let res = refused(ctx, &apdu, "replayed EXTERNAL AUTHENTICATE");
            restore(ctx, res)
        },
    );
    a.add(
        format!("{k}-CONSUMED-BY-COMMAND"),
        "Any command consumes the challenge",
        "GET CHALLENGE, then SELECT EF05, then EXTERNAL AUTHENTICATE computed for that challenge: refused (6984).",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            let apdu = ctx.ext_auth_fresh(KEY)?;
            ctx.expect_select_named_ef(sscard_specs::ef::SSSE_EF05)?;
            let res = refused(ctx, &apdu, "EXTERNAL AUTHENTICATE after an intervening command");
            restore(ctx, res)
        },
    );
    a.add(
        format!("{k}-SUPERSEDED"),
        "A new challenge replaces the old one",
        "GET CHALLENGE c1, GET CHALLENGE c2, EXTERNAL AUTHENTICATE computed for c1: refused.",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            let apdu = ctx.ext_auth_fresh(KEY)?;
            let _c2 = ctx.challenge()?;
            // The card holds c2: the cryptogram is simply wrong for it (63Cx).
            let r = ctx.send(&apdu)?;
            let res = if r.sw == StatusWord::OK {
                Err(fail("EXTERNAL AUTHENTICATE for a superseded challenge: the card accepted it (9000)"))
            } else if r.sw.tries_left().is_none() && r.sw != StatusWord::REF_DATA_INVALID {
                Err(fail(format!(
                    "EXTERNAL AUTHENTICATE for a superseded challenge: expected 63Cx (a wrong cryptogram for the current challenge) or 6984, the card answered {}",
                    sw_text(r.sw)
                )))
            } else {
                Ok(())
            };
            restore(ctx, res)
        },
    );
    a.add(
        format!("{k}-CONSUMED-BY-FAILURE"),
        "A failed EXTERNAL AUTHENTICATE also consumes the challenge",
        "GET CHALLENGE, EXTERNAL AUTHENTICATE with a wrong cryptogram (63Cx), then the right cryptogram for the same challenge: refused.",
        REF,
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            // Start from a full counter (a success restores it), whatever ran before.
            ctx.authenticate(KEY)?;
            let ch = ctx.challenge()?;
            let good = ctx.ext_auth_apdu(KEY, &ch)?;
            let mut bad = good.clone();
            if let Some(b) = bad.last_mut() {
                *b ^= 0x01;
            }
            if let Some(b) = bad.get_mut(5) {
                *b ^= 0x80;
            }
            let r = ctx.send(&bad)?;
            let res = if r.sw == StatusWord::OK {
                Err(fail("a wrong cryptogram was accepted"))
            } else {
                refused(ctx, &good, "EXTERNAL AUTHENTICATE after a failed one, same challenge")
            };
            restore(ctx, res)
        },
    )
    .destructive();
    a.add(
        format!("{k}-TRY-COUNTER"),
        "Key try counter: 63C2 on a wrong cryptogram, restored by success",
        "A wrong EXTERNAL AUTHENTICATE cryptogram for RKSSSE answers 63C2 (limit 3); a correct one then answers 9000 and restores the counter, so the next wrong one answers 63C2 again.",
        "sscard-spec.md §4 (63Cx), §5.4; profile.md §2 (key try counters: 3)",
        Needs::KEYS,
        |ctx| {
            let limit = ctx.profile().key_try_limit;
            ctx.select_ssse()?;
            // Start from a full counter (a success restores it), whatever ran before.
            ctx.authenticate(KEY)?;
            let wrong = |ctx: &mut Ctx<'_>, what: &str| -> Check {
                let apdu = wrong_auth_apdu(ctx, KEY)?;
                ctx.expect(what, &apdu, &[StatusWord::pin_failed(limit - 1)])?;
                Ok(())
            };
            let first = wrong(ctx, "a wrong cryptogram");
            let restored = ctx.authenticate(KEY);
            first?;
            restored?;
            let second = wrong(ctx, "a wrong cryptogram after a successful one");
            restore(ctx, second)
        },
    )
    .destructive();
    a.add(
        format!("{k}-WRONG-LENGTH"),
        "EXTERNAL AUTHENTICATE with a wrong Lc → 6700, no try used",
        "With a fresh challenge each time, EXTERNAL AUTHENTICATE (RKSSSE) with an 8-byte and with a 24-byte data field (the profile's is always 16) answers 6700 (6A87 accepted) and costs no key try: a wrong cryptogram afterwards still answers 63C2 (limit 3). A success then restores the counter.",
        "profile.md §3 (EXTERNAL AUTHENTICATE always Lc = 0x10), §2 (key try counters); sscard-spec.md §4 (6700)",
        Needs::KEYS,
        |ctx| {
            let limit = ctx.profile().key_try_limit;
            ctx.select_ssse()?;
            ctx.authenticate(KEY)?;
            let res = (|| {
                for (len, what) in [(8usize, "8 bytes"), (24, "24 bytes")] {
                    let good = ctx.ext_auth_fresh(KEY)?;
                    let (header, data) = good.split_at(5);
                    let mut field: Vec<u8> = data.iter().copied().cycle().take(len).collect();
                    field.truncate(len);
                    let mut apdu = header[..4].to_vec();
                    apdu.push(len as u8);
                    apdu.extend_from_slice(&field);
                    ctx.expect(
                        &format!("EXTERNAL AUTHENTICATE with a data field of {what}"),
                        &apdu,
                        &[StatusWord::WRONG_LENGTH, StatusWord::LC_INCONSISTENT],
                    )?;
                }
                let bad = wrong_auth_apdu(ctx, KEY)?;
                ctx.expect(
                    "a wrong cryptogram after the two wrong lengths (shows the tries left)",
                    &bad,
                    &[StatusWord::pin_failed(limit - 1)],
                )?;
                Ok(())
            })();
            restore(ctx, res)
        },
    )
    .destructive();
    a.add(
        format!("{}-INTERNAL-AUTH", id::words(key::IRK)),
        "INTERNAL AUTHENTICATE proves the card holds its IRK",
        "00 88 00 00 10 P ‖ S (random P, S) answers what the issuer keys compute for this card's diversified IRK (profile.md §3: 8 bytes on sscard-2, 16 on sscard-3).",
        "sscard-spec.md §5.5; profile.md §3",
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            let mut p = [0u8; 8];
            let mut s = [0u8; 8];
            getrandom::fill(&mut p).map_err(|e| fail(format!("no randomness: {e}")))?;
            getrandom::fill(&mut s).map_err(|e| fail(format!("no randomness: {e}")))?;
            let expected = ctx.internal_auth_expected(key::IRK, &p, &s)?;
            let kid = sscard_specs::key_by_name(key::IRK).and_then(|k| k.kid).unwrap_or(0);
            let c = commands::internal_authenticate(kid, &p, &s).with_ne(256);
            let r = ctx.expect_cmd("INTERNAL AUTHENTICATE", &c, &[StatusWord::OK])?;
            if r.data != expected {
                return Err(fail(format!(
                    "the card answered {}, the issuer keys compute {}: the card does not hold this issuer's IRK (not genuine)",
                    hex::encode_upper(&r.data),
                    hex::encode_upper(&expected)
                )));
            }
            Ok(())
        },
    );
    for spec in ext_auth_keys().filter(|k| k.name != KEY) {
        a.add(
            format!("{}-TRY-COUNTER", id::words(spec.name)),
            format!("{} try counter counts down and is restored", spec.name),
            format!(
                "In {}, a wrong EXTERNAL AUTHENTICATE cryptogram for {} (KID {:02X}) answers 63C2, a second one 63C1 (limit 3); a correct one answers 9000 and restores the counter, so the next wrong one answers 63C2 again. The case ends with a success.",
                spec.df.name(),
                spec.name,
                spec.kid.unwrap_or(0)
            ),
            "sscard-spec.md §4 (63Cx), §5.4; profile.md §2 (key try counters: 3)",
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| key_try_counter(ctx, spec),
        )
        .destructive();
    }
    // Blocking a key is for good: on a key of DF07, which the irreversible lifecycle case blocks
    // for good anyway, and after every other case.
    if let Some(spec) = ext_auth_keys().filter(|k| k.df == DfId::Df07).last() {
        a.add(
            format!("{}-BLOCKS-AT-LIMIT", id::words(spec.name)),
            format!("{} blocks after the try limit", spec.name),
            format!(
                "Wrong cryptograms for {} answer 63C2, 63C1, 63C0 (limit 3); then the right cryptogram answers 6983, and the other keys of {} still authenticate. IRREVERSIBLE for {}.",
                spec.name,
                spec.df.name(),
                spec.name
            ),
            "sscard-spec.md §4 (6983 key blocked), §5.4; profile.md §2 (63C2, 63C1, 63C0, then 6983)",
            Needs::KEYS,
            move |ctx: &mut Ctx<'_>| {
                let limit = ctx.profile().key_try_limit;
                enter_key_df(ctx, spec.df)?;
                ctx.authenticate(spec.name)?;
                for left in (0..limit).rev() {
                    let sw = wrong_auth(ctx, spec.name)?;
                    if sw != StatusWord::pin_failed(left) && !(left == 0 && sw == StatusWord::AUTH_BLOCKED) {
                        let _ = ctx.authenticate(spec.name);
                        return Err(fail(format!(
                            "a wrong cryptogram with {} tries left: expected 63C{left:X}, the card answered {}",
                            left + 1,
                            sw_text(sw)
                        )));
                    }
                }
                let good = ctx.ext_auth_fresh(spec.name)?;
                ctx.expect(
                    &format!("the right cryptogram for the blocked {}", spec.name),
                    &good,
                    &[StatusWord::AUTH_BLOCKED],
                )?;
                if let Some(other) = ext_auth_keys().find(|k| k.df == spec.df && k.name != spec.name) {
                    ctx.authenticate(other.name)?;
                }
                Ok(())
            },
        )
        .irreversible();
    }
    a.into_cases()
}
