//! Area 6: PIN try counter, blocking, unblock and reload (sscard-spec.md §4, §5.6; profile.md §4).
//! Everything that presents a wrong PIN or changes the PIN is destructive; each destructive case
//! puts the PIN back (correct PIN presented last restores the counter; unblock when keys exist).

use sscard_apdu::commands;
use sscard_apdu::{Command, StatusWord};

use crate::area::{Area, Needs};
use crate::case::{AreaCases, Case};
use crate::ctx::{expect_sw, sw_list, sw_text, Ctx, PinState};
use crate::verdict::{fail, skip, Check, Verdict};

const REF: &str = "sscard-spec.md §5.6; profile.md §4";

/// VERIFY without data: `Some(tries)` from `63Cx` (`6983` → 0); `None` when unsupported.
pub(super) fn query_tries(ctx: &mut Ctx<'_>) -> Result<Option<u8>, Verdict> {
    let r = ctx.send_cmd(&Command::<255>::new(0x00, 0x20, 0x00, 0x00))?;
    Ok(match r.sw {
        StatusWord::AUTH_BLOCKED => Some(0),
        sw => sw.tries_left(),
    })
}

/// A PIN of the same length that differs in its last digit.
pub(super) fn wrong_pin(pin: &str) -> String {
    let mut d: Vec<u8> = pin.bytes().collect();
    if let Some(last) = d.last_mut() {
        *last = if *last == b'9' { b'0' } else { *last + 1 };
    }
    String::from_utf8_lossy(&d).into_owned()
}

/// A different valid PIN for reload / change tests.
pub(super) fn other_pin(pin: &str) -> String {
    pin.bytes()
        .map(|b| char::from(b'0' + (b.wrapping_sub(b'0') + 5) % 10))
        .collect()
}

pub(super) fn verify_ascii(ctx: &mut Ctx<'_>, pin: &str) -> Result<StatusWord, Verdict> {
    let bcd = ctx.bcd_of(pin)?;
    let c = commands::verify(&bcd).map_err(|e| fail(e.to_string()))?;
    Ok(ctx.send_cmd(&c)?.sw)
}

fn expect_verify(ctx: &mut Ctx<'_>, pin: &str, want: StatusWord, what: &str) -> Check {
    let sw = verify_ascii(ctx, pin)?;
    expect_sw(what, sw, want)
}

/// In the SSSE, one wrong PIN answers 63C(n−1); returns the try limit n.
fn one_wrong_pin(ctx: &mut Ctx<'_>, pin: &str) -> Result<u8, Verdict> {
    let l = limit(ctx);
    ctx.select_ssse()?;
    expect_verify(
        ctx,
        &wrong_pin(pin),
        StatusWord::pin_failed(l - 1),
        "wrong PIN",
    )?;
    Ok(l)
}

/// PUK external authentication in the SSSE, then `84 24 00 00 04 MAC(STK)` (not sent).
pub(super) fn unblock_apdu(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse()?;
    ctx.authenticate(sscard_specs::key::PUK)?;
    ctx.mac_command_fresh(commands::pin_unblock(), sscard_specs::key::STK)
}

/// PUK external authentication + `84 24 00 00 04 MAC(STK)`.
pub(super) fn unblock(ctx: &mut Ctx<'_>) -> Check {
    let apdu = unblock_apdu(ctx)?;
    ctx.expect("PIN UNBLOCK", &apdu, &[StatusWord::OK])?;
    Ok(())
}

/// PUK external authentication in the SSSE, then `84 24 00 01 Lc E(PIN) MAC(STK)` setting
/// `new_pin` (not sent).
pub(super) fn reload_apdu(ctx: &mut Ctx<'_>, new_pin: &str) -> Result<Vec<u8>, Verdict> {
    ctx.select_ssse()?;
    ctx.authenticate(sscard_specs::key::PUK)?;
    let ch = ctx.challenge()?;
    let enc = ctx.encrypt_pin_block(sscard_specs::key::STK, &ch, new_pin)?;
    let cmd = commands::pin_reload(&enc).map_err(|e| fail(e.to_string()))?;
    ctx.mac_command(cmd, sscard_specs::key::STK, &ch)
}

/// PUK external authentication + `84 24 00 01 Lc E(PIN) MAC(STK)`.
pub(super) fn reload(ctx: &mut Ctx<'_>, new_pin: &str) -> Check {
    let apdu = reload_apdu(ctx, new_pin)?;
    ctx.expect("PIN RELOAD", &apdu, &[StatusWord::OK])?;
    Ok(())
}

pub(super) fn change(ctx: &mut Ctx<'_>, old: &str, new: &str) -> Result<StatusWord, Verdict> {
    let o = ctx.bcd_of(old)?;
    let n = ctx.bcd_of(new)?;
    let c = commands::change_pin(&o, &n).map_err(|e| fail(e.to_string()))?;
    Ok(ctx.send_cmd(&c)?.sw)
}

/// Put the original PIN back after a CHANGE PIN to `new`: CHANGE PIN back, else (a card that
/// refuses it) PIN RELOAD with the issuer keys.
fn change_back(ctx: &mut Ctx<'_>, new: &str, orig: &str) -> Check {
    ctx.select_ssse()?;
    let sw = change(ctx, new, orig)?;
    if sw == StatusWord::OK {
        return Ok(());
    }
    let why = format!("CHANGE PIN back to the original: {}", sw_text(sw));
    if ctx.has_keys() {
        reload(ctx, orig)?;
        ctx.note(format!("{why}; original PIN reloaded"));
    }
    Err(fail(why))
}

/// CHANGE PIN from a wrong old PIN to `new` answers 63C(n−1) (a card that accepts it gets the
/// holder's PIN `pin` back). `after_verify`: the PIN was verified just before.
fn change_with_wrong_old(ctx: &mut Ctx<'_>, pin: &str, new: &str, after_verify: bool) -> Check {
    let (when, because) = if after_verify {
        (" after VERIFY", " because the PIN was verified")
    } else {
        ("", "")
    };
    let l = limit(ctx);
    let sw = change(ctx, &wrong_pin(pin), new)?;
    if sw == StatusWord::OK {
        let _ = change_back(ctx, new, pin);
        return Err(fail(format!(
            "CHANGE PIN with a wrong old PIN was accepted{because}"
        )));
    }
    if sw != StatusWord::pin_failed(l - 1) {
        return Err(fail(format!(
            "CHANGE PIN with a wrong old PIN{when}: expected 63C{:X}, got {}",
            l - 1,
            sw_text(sw)
        )));
    }
    Ok(())
}

fn limit(ctx: &Ctx<'_>) -> u8 {
    ctx.profile().pin_try_limit
}

/// Tries left must be `want` (when the card reports tries at all).
fn expect_tries(ctx: &mut Ctx<'_>, want: u8, when: &str) -> Check {
    match query_tries(ctx)? {
        Some(n) if n == want => Ok(()),
        Some(n) => Err(fail(format!("{when}: {n} tries left, expected {want}"))),
        None => {
            ctx.note("the card does not report tries left for an empty VERIFY");
            Ok(())
        }
    }
}

/// Put the PIN try counter back at its limit (issue 10, family 12: a destructive case starts
/// from, and leaves, a full counter whatever happened in between, so no verdict depends on the
/// cases run before it). The correct PIN restores the counter (profile.md §4); where it does not
/// (a faulty card) or the PIN is blocked, PIN UNBLOCK does when issuer keys are there.
pub(super) fn restore_pin(ctx: &mut Ctx<'_>, pin: &str) -> Check {
    ctx.pin_not_refused()?;
    let l = limit(ctx);
    ctx.select_ssse()?;
    let sw = verify_ascii(ctx, pin)?;
    let full = match query_tries(ctx)? {
        Some(n) => n == l,
        None => sw == StatusWord::OK,
    };
    if full && sw == StatusWord::OK {
        ctx.env.pin_state = PinState::Accepted;
        return Ok(());
    }
    if !ctx.has_keys() {
        return Err(fail(format!(
            "putting the PIN try counter back: VERIFY with the PIN answered {} and the counter is not at its limit {l}; no issuer keys to unblock it",
            sw_text(sw)
        )));
    }
    ctx.note("the PIN try counter is not at its limit: PIN UNBLOCK");
    unblock(ctx)?;
    ctx.select_ssse()?;
    if sw != StatusWord::OK {
        expect_verify(ctx, pin, StatusWord::OK, "the PIN after PIN UNBLOCK")?;
    }
    ctx.env.pin_state = PinState::Accepted;
    Ok(())
}

/// A destructive PIN case: `body` runs between two [`restore_pin`]s; the first failure wins.
pub(super) fn guarded(ctx: &mut Ctx<'_>, body: impl FnOnce(&mut Ctx<'_>, &str) -> Check) -> Check {
    let p = ctx.holder_pin()?;
    restore_pin(ctx, &p)?;
    let res = body(ctx, &p);
    let after = restore_pin(ctx, &p);
    res.and(after)
}

/// VERIFY `00 20 p1 p2` with the holder's PIN (padded with `FF` to `len` bytes when given):
/// one of `want`, and the try counter unchanged (VERIFY without data before and after).
/// Non-destructive: the data carries the holder's PIN, so even a card that ignores the
/// malformation only verifies the right PIN.
fn verify_malformed(
    ctx: &mut Ctx<'_>,
    (p1, p2): (u8, u8),
    len: Option<usize>,
    want: &[StatusWord],
    what: &str,
) -> Check {
    let mut data = ctx.pin_bcd()?;
    if let Some(len) = len {
        data.resize(len, 0xFF);
    }
    ctx.pin_not_refused()?;
    ctx.select_ssse()?;
    let before = query_tries(ctx)?;
    let c = Command::<255>::new(0x00, 0x20, p1, p2)
        .with_data(&data)
        .map_err(|e| fail(e.to_string()))?;
    let r = ctx.send_cmd(&c)?;
    let after = query_tries(ctx)?;
    if !want.contains(&r.sw) {
        return Err(fail(format!(
            "{what}: expected {}, the card answered {}",
            sw_list(want),
            sw_text(r.sw)
        )));
    }
    match (before, after) {
        (Some(b), Some(a)) if a != b => Err(fail(format!(
            "{what}: the refused command cost a PIN try ({b} tries left before, {a} after)"
        ))),
        (None, _) | (_, None) => {
            ctx.note("the card does not report tries left: the try count is not checked");
            Ok(())
        }
        _ => Ok(()),
    }
}

pub(super) fn cases() -> Vec<Case> {
    let mut a = AreaCases::new(Area::Pin);
    a.add(
        "VERIFY-NOT-IN-MF",
        "No PIN outside the SSSE tree",
        "The PIN lives in the SSSE (profile.md §4): with the MF current, VERIFY with the holder's \
         PIN is not accepted (no PIN there: 6A88 or another refusal, never 9000 or 63Cx) and \
         costs no try (VERIFY without data in the SSSE before and after).",
        REF,
        Needs::PIN,
        |ctx| {
            let pin = ctx.holder_pin()?;
            ctx.pin_not_refused()?;
            ctx.select_ssse()?;
            let before = query_tries(ctx)?;
            ctx.try_select_df(sscard_specs::types::DfId::Mf)?;
            let sw = verify_ascii(ctx, &pin)?;
            if sw == StatusWord::OK {
                return Err(fail("VERIFY with the MF current accepted the PIN (9000)"));
            }
            if sw.tries_left().is_some() {
                return Err(fail(format!(
                    "VERIFY with the MF current counted as a wrong PIN: {}",
                    sw_text(sw)
                )));
            }
            ctx.select_ssse()?;
            let after = query_tries(ctx)?;
            if before != after {
                return Err(fail(format!(
                    "tries left {before:?} before, {after:?} after a VERIFY in the MF"
                )));
            }
            Ok(())
        },
    );
    a.add(
        "VERIFY-EMPTY-TRIES-LEFT",
        "Tries left reported by VERIFY without data",
        "In the SSSE, VERIFY 00 20 00 00 (no data) reports the tries left as 63Cx without consuming one (ISO 7816-4); 6983 when blocked. A card that does not support the query is skipped.",
        REF,
        Needs::NONE,
        |ctx| {
            ctx.select_ssse()?;
            let r = ctx.send_cmd(&Command::<255>::new(0x00, 0x20, 0x00, 0x00))?;
            let before = match r.sw {
                StatusWord::AUTH_BLOCKED => return Ok(()),
                sw => match sw.tries_left() {
                    Some(n) => n,
                    None => {
                        return Err(skip(format!("tries-left query not supported: {}", sw_text(sw))))
                    }
                },
            };
            if before == 0 || before > 15 {
                return Err(fail(format!("63C{before:X} is not a valid tries-left answer")));
            }
            // Asking again does not consume a try.
            expect_tries(ctx, before, "asking twice")
        },
    );
    a.add(
        "VERIFY-WRONG-P1",
        "VERIFY with P1 ≠ 00 → 6A86, no try used",
        "In the SSSE, VERIFY 00 20 01 00 with the holder's PIN answers 6A86 (6B00 accepted) — never 9000 — and leaves the try counter as it was.",
        "profile.md §4 (VERIFY P1 ≠ 00 → 6A86; none costs a try); sscard-spec.md §4",
        Needs::PIN,
        |ctx| {
            let want = [StatusWord::WRONG_P1P2, StatusWord::WRONG_P1P2_6B00];
            verify_malformed(ctx, (0x01, 0x00), None, &want, "VERIFY P1=01")
        },
    );
    a.add(
        "VERIFY-WRONG-P2",
        "VERIFY with P2 ≠ 00 (no such PIN) → 6A88, no try used",
        "In the SSSE, VERIFY 00 20 00 01 (a PIN reference the card does not have) with the holder's PIN answers 6A88 (6A86/6B00 accepted: wrong P1-P2) — never 9000 — and leaves the try counter as it was.",
        "profile.md §4 (VERIFY P2 ≠ 00 → 6A88; none costs a try); sscard-spec.md §4",
        Needs::PIN,
        |ctx| {
            let want = [
                StatusWord::KEY_NOT_FOUND,
                StatusWord::WRONG_P1P2,
                StatusWord::WRONG_P1P2_6B00,
            ];
            verify_malformed(ctx, (0x00, 0x01), None, &want, "VERIFY P2=01")
        },
    );
    a.add(
        "VERIFY-FIELD-TOO-LONG",
        "VERIFY with a data field of 9 bytes → 6700, no try used",
        "In the SSSE, VERIFY 00 20 00 00 09 (the holder's PIN padded with FF to 9 bytes; a PIN field is at most 8) answers 6700 and leaves the try counter as it was.",
        "profile.md §4 (a data field longer than 8 bytes → 6700; none costs a try)",
        Needs::PIN,
        |ctx| {
            let want = [StatusWord::WRONG_LENGTH];
            verify_malformed(ctx, (0x00, 0x00), Some(9), &want, "VERIFY with 9 data bytes")
        },
    );
    a.add(
        "VERIFY-CORRECT-KEEPS-COUNTER",
        "Correct PIN accepted, counter stays full",
        "VERIFY with the holder's PIN answers 9000 and leaves the try counter at its limit.",
        REF,
        Needs::PIN,
        |ctx| {
            ctx.select_ssse()?;
            ctx.verify_pin()?;
            let l = limit(ctx);
            expect_tries(ctx, l, "after a correct VERIFY")
        },
    );
    a.add(
        "VERIFY-WRONG-DECREMENTS",
        "Wrong PIN decrements, correct PIN restores",
        "A wrong PIN answers 63C(n−1); the correct PIN then answers 9000 and restores the counter to n.",
        REF,
        Needs::PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let l = one_wrong_pin(ctx, p)?;
                expect_verify(ctx, p, StatusWord::OK, "correct PIN after a wrong one")?;
                expect_tries(ctx, l, "after the correct PIN")
            })
        },
    )
    .destructive();
    a.add(
        "COUNTER-SURVIVES-RESET",
        "Try counter survives a reset",
        "After a wrong PIN (63C(n−1)) and a card reset, the card still reports n−1 tries: the counter is non-volatile.",
        REF,
        Needs::PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let l = one_wrong_pin(ctx, p)?;
                ctx.reset()?;
                ctx.select_ssse()?;
                expect_tries(ctx, l - 1, "after a reset")
            })
        },
    )
    .destructive();
    a.add(
        "VERIFY-BLOCKS-AT-LIMIT",
        "PIN blocks after the try limit",
        "Wrong PINs answer 63C2, 63C1, 63C0 (limit 3); then VERIFY answers 6983 even with the correct PIN. (The case unblocks the PIN afterwards when keys are available.)",
        REF,
        Needs::PIN,
        |ctx| {
            let p = ctx.holder_pin()?;
            restore_pin(ctx, &p)?;
            let l = limit(ctx);
            ctx.select_ssse()?;
            let w = wrong_pin(&p);
            let res = (|| {
                for left in (0..l).rev() {
                    let sw = verify_ascii(ctx, &w)?;
                    let ok = sw == StatusWord::pin_failed(left)
                        || (left == 0 && sw == StatusWord::AUTH_BLOCKED);
                    if !ok {
                        return Err(fail(format!(
                            "wrong PIN with {} tries left: expected 63C{left:X}, the card answered {}",
                            left + 1,
                            sw_text(sw)
                        )));
                    }
                }
                ctx.env.pin_state = PinState::Blocked;
                expect_verify(ctx, &w, StatusWord::AUTH_BLOCKED, "wrong PIN when blocked")?;
                expect_verify(ctx, &p, StatusWord::AUTH_BLOCKED, "correct PIN when blocked")
            })();
            if ctx.has_keys() {
                let after = restore_pin(ctx, &p);
                res.and(after)
            } else {
                if ctx.env.pin_state == PinState::Blocked {
                    ctx.note("PIN left BLOCKED: no issuer keys to unblock it");
                } else {
                    // Failed before the block: the correct PIN puts the counter back.
                    let _ = restore_pin(ctx, &p);
                }
                res
            }
        },
    )
    .destructive();
    a.add(
        "UNBLOCK-RESTORES-COUNTER",
        "PIN UNBLOCK restores the counter and keeps the PIN",
        "After a wrong PIN, EXTERNAL AUTHENTICATE PUK (KID 06) + 84 24 00 00 04 MAC(STK) answers 9000; the counter is back at its limit and the old PIN still works.",
        "sscard-spec.md §4, §5.6; profile.md §4",
        Needs::KEYS_PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let l = one_wrong_pin(ctx, p)?;
                unblock(ctx)?;
                expect_tries(ctx, l, "after PIN UNBLOCK")?;
                expect_verify(ctx, p, StatusWord::OK, "the old PIN after PIN UNBLOCK")
            })
        },
    )
    .destructive();
    a.add(
        "UNBLOCK-NEEDS-PUK",
        "PIN UNBLOCK needs PUK authentication",
        "Without EXTERNAL AUTHENTICATE PUK, PIN UNBLOCK with a valid STK MAC answers 6982 (harmless either way: unblocking only restores the counter).",
        "sscard-spec.md §5.6; profile.md §4",
        Needs::KEYS,
        |ctx| {
            ctx.select_ssse()?;
            ctx.expect_mac_command(
                "PIN UNBLOCK without PUK",
                commands::pin_unblock(),
                sscard_specs::key::STK,
                &[StatusWord::SECURITY_NOT_SATISFIED],
            )
        },
    );
    a.add(
        "RELOAD-SETS-NEW-PIN",
        "PIN RELOAD sets a new PIN",
        "After EXTERNAL AUTHENTICATE PUK, 84 24 00 01 Lc E(Lpin ‖ PIN) ‖ MAC(STK) answers 9000 and the new PIN verifies; the case reloads the original PIN afterwards.",
        "sscard-spec.md §4, §5.3, §5.6; profile.md §4",
        Needs::KEYS_PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let new = other_pin(p);
                let res = reload(ctx, &new).and_then(|()| {
                    ctx.select_ssse()?;
                    expect_verify(ctx, &new, StatusWord::OK, "the reloaded PIN")?;
                    let l = limit(ctx);
                    expect_verify(ctx, p, StatusWord::pin_failed(l - 1), "the old PIN after reload")
                });
                // Whatever happened, reload the original PIN.
                let back = reload(ctx, p);
                res.and(back)
            })
        },
    )
    .destructive();
    a.add(
        "CHANGE-SETS-NEW-PIN",
        "CHANGE PIN",
        "80 5E 01 00 Lc old ‖ FF ‖ new answers 9000 and the new PIN verifies; a wrong old PIN answers 63Cx and changes nothing. The case changes the PIN back.",
        "sscard-spec.md §4; profile.md §4",
        Needs::PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let new = other_pin(p);
                ctx.select_ssse()?;
                change_with_wrong_old(ctx, p, &new, false)?;
                expect_verify(ctx, p, StatusWord::OK, "the PIN after a refused CHANGE PIN")?;
                let sw = change(ctx, p, &new)?;
                if sw != StatusWord::OK {
                    return Err(fail(format!("CHANGE PIN: {}", sw_text(sw))));
                }
                let res = expect_verify(ctx, &new, StatusWord::OK, "the new PIN");
                let back = change_back(ctx, &new, p);
                res.and(back)
            })
        },
    )
    .destructive();
    a.add(
        "VERIFY-OTHER-LENGTH-REFUSED",
        "A PIN of another length (a prefix included) is a wrong PIN",
        "The holder's PIN without its last two digits, then without its last digit (F-padded), answer 63C(n−1) and 63C(n−2) — never 9000, and the second, after a wrong try, does not give the try back; after the correct PIN, the PIN with one more digit answers 63C(n−1). The correct PIN restores the counter.",
        "profile.md §4 (a PIN of another length than the stored one, a prefix included, is a wrong PIN; 63Cx)",
        Needs::PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let l = limit(ctx);
                if l < 3 {
                    return Err(skip(format!("PIN try limit {l}: two wrong PINs in a row would block it")));
                }
                if p.len() < 6 {
                    return Err(skip("the PIN is too short for a prefix of at least 4 digits"));
                }
                ctx.select_ssse()?;
                let short2 = &p[..p.len() - 2];
                let short1 = &p[..p.len() - 1];
                expect_verify(ctx, short2, StatusWord::pin_failed(l - 1), "the PIN without its last two digits")?;
                expect_verify(ctx, short1, StatusWord::pin_failed(l - 2), "the PIN without its last digit, after a wrong try")?;
                expect_verify(ctx, p, StatusWord::OK, "the correct PIN")?;
                let longer = format!("{p}{}", if p.ends_with('0') { '1' } else { '0' });
                if ctx.bcd_of(&longer).is_err() {
                    ctx.note("the PIN is already of the longest length: no longer PIN tried");
                    return Ok(());
                }
                expect_verify(ctx, &longer, StatusWord::pin_failed(l - 1), "the PIN with one more digit")
            })
        },
    )
    .destructive();
    a.add(
        "CHANGE-WRONG-OLD-AFTER-VERIFY",
        "CHANGE PIN with a wrong old PIN is refused even when the PIN is verified",
        "After VERIFY with the holder's PIN (9000), CHANGE PIN with a wrong old PIN answers 63C(n−1) and changes nothing: the holder's PIN still verifies, the new one does not matter. The case puts the PIN back if the card changed it.",
        "profile.md §4 (CHANGE PIN: the old PIN is compared like VERIFY); sscard-spec.md §4",
        Needs::PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let new = other_pin(p);
                ctx.select_ssse()?;
                expect_verify(ctx, p, StatusWord::OK, "the holder's PIN")?;
                change_with_wrong_old(ctx, p, &new, true)?;
                expect_verify(ctx, p, StatusWord::OK, "the holder's PIN after the refused CHANGE PIN")
            })
        },
    )
    .destructive();
    a.add(
        "RELOAD-UNBLOCKS",
        "PIN RELOAD of a blocked PIN restores the tries",
        "After the PIN is blocked (wrong PINs up to the limit, then 6983), PIN RELOAD (PUK + STK) with a new PIN answers 9000: the new PIN verifies and the counter is back at its limit. The case reloads the original PIN.",
        "profile.md §4 (PIN RELOAD sets a new PIN; success restores the limit); sscard-spec.md §5.6",
        Needs::KEYS_PIN,
        |ctx| {
            guarded(ctx, |ctx, p| {
                let l = limit(ctx);
                ctx.select_ssse()?;
                let w = wrong_pin(p);
                for _ in 0..l {
                    verify_ascii(ctx, &w)?;
                }
                expect_verify(ctx, p, StatusWord::AUTH_BLOCKED, "the holder's PIN once blocked")?;
                let new = other_pin(p);
                let res = reload(ctx, &new).and_then(|()| {
                    ctx.select_ssse()?;
                    expect_tries(ctx, l, "after PIN RELOAD of a blocked PIN")?;
                    expect_verify(ctx, &new, StatusWord::OK, "the reloaded PIN")
                });
                let back = reload(ctx, p);
                res.and(back)
            })
        },
    )
    .destructive();
    if let Some(ef) = sscard_specs::files::all_efs().find(|e| {
        e.df != sscard_specs::types::DfId::Ssse
            && matches!(e.read, sscard_specs::types::ReadRule::PinOrKey(_))
    }) {
        a.add(
            "WRONG-CLEARS-VERIFIED-STATE",
            "A wrong PIN after a good one ends the verified state",
            format!(
                "In {df}, after VERIFY with the holder's PIN {ef} (PIN or key) reads; a wrong PIN then answers 63C(n−1) and {ef} is refused (6982) until the PIN is verified again.",
                df = ef.df.name(),
                ef = crate::ctx::ef_name(ef)
            ),
            "profile.md §4 (a failed VERIFY clears an earlier successful verification)",
            Needs::PIN,
            move |ctx: &mut Ctx<'_>| {
                guarded(ctx, |ctx, p| {
                    let l = limit(ctx);
                    ctx.select_df(ef.df)?;
                    expect_verify(ctx, p, StatusWord::OK, "the holder's PIN")?;
                    let r = ctx.read_first_by_sfi(ef, 1)?;
                    if r.sw != StatusWord::OK {
                        return Err(fail(format!("reading {} after VERIFY: {}", crate::ctx::ef_name(ef), sw_text(r.sw))));
                    }
                    expect_verify(ctx, &wrong_pin(p), StatusWord::pin_failed(l - 1), "a wrong PIN")?;
                    let r = ctx.read_first_by_sfi(ef, 1)?;
                    if r.sw != StatusWord::SECURITY_NOT_SATISFIED {
                        return Err(fail(format!(
                            "reading {} after a good and then a wrong VERIFY: expected 6982, the card answered {}",
                            crate::ctx::ef_name(ef),
                            sw_text(r.sw)
                        )));
                    }
                    Ok(())
                })
            },
        )
        .destructive();
    }
    a.into_cases()
}
