//! Area 7: the challenge is single use (sscard-spec.md §10; profile.md §3): it serves only the
//! next command, successful or not. Cases that might cost a key try on a non-conforming card end
//! with a successful authentication, which restores the counter.

use sscard_apdu::commands;
use sscard_apdu::StatusWord;
use sscard_specs::key;

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{sw_text, Ctx};
use crate::id;
use crate::verdict::{fail, Check};

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
            let ch = ctx.challenge()?;
            let apdu = ctx.ext_auth_apdu(KEY, &ch)?;
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
            let ch = ctx.challenge()?;
            let apdu = ctx.ext_auth_apdu(KEY, &ch)?;
            ctx.expect_cmd(
                "SELECT EF05",
                &commands::select_ef(sscard_specs::ef::SSSE_EF05.fid()),
                &[StatusWord::OK],
            )?;
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
            let c1 = ctx.challenge()?;
            let apdu = ctx.ext_auth_apdu(KEY, &c1)?;
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
                let ch = ctx.challenge()?;
                let mut apdu = ctx.ext_auth_apdu(KEY, &ch)?;
                if let Some(b) = apdu.get_mut(5) {
                    *b ^= 0x01;
                }
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
                    let ch = ctx.challenge()?;
                    let good = ctx.ext_auth_apdu(KEY, &ch)?;
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
                let ch = ctx.challenge()?;
                let mut bad = ctx.ext_auth_apdu(KEY, &ch)?;
                if let Some(b) = bad.get_mut(5) {
                    *b ^= 0x01;
                }
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
    a.into_cases()
}
