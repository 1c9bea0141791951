//! Genuine card traces replayed (`real-cards.md` T1–T4, issue 11 item 4): a [`FamilyCard`]
//! answers with the genuine bytes where the trace shows the command and the family's way
//! elsewhere; the session decodes each real card's data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fixtures/real_cards.rs"]
mod real_cards;

use real_cards::*;
use sscard_specs::ef;
use sscard_terminal::transport::scripted::FamilyCard;
use sscard_terminal::Session;

/// The fixtures agree with their family: every record has the tag and length the family's
/// layout puts at that record number.
#[test]
fn fixture_records_follow_their_family_layout() {
    for card in ALL {
        for (ef, recs) in [(ef::SSSE_EF05, card.ef05), (ef::SSSE_EF06, card.ef06)] {
            let layout: Vec<_> = card.family.records_of(ef).collect();
            if recs.is_empty() {
                continue;
            }
            assert_eq!(layout.len(), recs.len(), "{} {}", card.section, ef.path());
            for (want, rec) in layout.iter().zip(recs.iter()) {
                let b = hex::decode(rec.replace(' ', "")).unwrap();
                assert_eq!(
                    (b[0], usize::from(b[1]), b.len()),
                    (want.tag, usize::from(want.len), usize::from(want.len) + 2),
                    "{} {} record {}",
                    card.section,
                    ef.path(),
                    want.number
                );
            }
        }
    }
}

/// On wire-level traces the family's own answer to every genuine command is the genuine one:
/// the family description and the simulated card reproduce the trace.
#[test]
fn the_family_card_reproduces_the_wire_level_traces() {
    for card in ALL.iter().filter(|c| c.wire_level) {
        let mut c: FamilyCard = card.card();
        for (cmd, answer) in card.genuine {
            let got = c.answer(&hex::decode(cmd).unwrap());
            assert_eq!(
                hex::encode_upper(got),
                answer.replace(char::is_whitespace, ""),
                "{}: {cmd}",
                card.section
            );
        }
    }
}

#[test]
fn t1_hangzhou_basic_info() {
    let mut s = Session::open(T1_HANGZHOU.card()).unwrap();
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.issuer.card_number, "A15921622");
    assert_eq!(info.issuer.version, "1.00");
    assert_eq!(info.issuer.card_id.region, "330100");
    assert_eq!(info.issuer.card_id.serial, "0114F199");
    assert_eq!(info.issuer.card_id.auth_code, "D286DF7E");
    assert_eq!(info.holder.ssn, "332603197912225416");
    assert_eq!(info.holder.name, "戴赛崖");
    assert_eq!(info.holder.sex.code, "1");
    assert_eq!(info.reset_info, "0081008843866533010114F199");
}

#[test]
fn t3_hunan_basic_info() {
    let mut s = Session::open(T3_HUNAN.card()).unwrap();
    let info = s.read_basic_info().unwrap();
    assert_eq!(info.issuer.card_number, "B00000131");
    assert_eq!(info.issuer.version, "2.0");
    assert_eq!(info.issuer.card_id.raw, "430299D156000005000000133A05F2E3");
    assert_eq!(info.issuer.issue_date, "2012");
    assert_eq!(info.issuer.expiry_date, "2022");
    assert_eq!(info.holder.name, "李四");
}

/// T4 shows EF05 records 1 and 3 of a 3.00 card only: the family card answers the rest the
/// national-3.00 way; SELECT SSSE's `611E` alone tells the SM4 suite, the version confirms it.
#[test]
fn t4_wenzhou_card_id_and_version() {
    let mut s = Session::open(T4_WENZHOU.card()).unwrap();
    assert_eq!(s.profile().name, "sscard-3");
    assert_eq!(s.algorithm_id(), Some(0x03));
    let id = s.read_item("SSSE/EF05/01").unwrap();
    assert_eq!(id.raw, "330300D15600000599110145FFFFFFFF");
    assert_eq!(
        s.detect_version().unwrap(),
        sscard_specs::SpecVersion::V3_00
    );
    assert_eq!(
        s.recognise_family().unwrap().map(|f| f.name),
        Some("national-3.00")
    );
    // SELECT (611E, FCI left), READ RECORD 01 by tag, 03 by tag: no GET RESPONSE, no 6Cxx.
    assert_eq!(s.apdu_count(), 3);
    // T4 shows no EF06 (it sits behind RKSSSE): no basic information, an error, not a guess.
    let e = s.read_basic_info().unwrap_err();
    assert!(
        matches!(
            e,
            sscard_terminal::Error::Card { .. } | sscard_terminal::Error::Data(_)
        ),
        "{e}"
    );
}

/// Shanghai: one record by number gets the family's record length as Le (a longer one would
/// answer 6F00).
#[test]
fn t2_shanghai_one_record_by_number() {
    let mut s = Session::open(T2_SHANGHAI.card()).unwrap();
    s.read_basic_info().unwrap();
    let r = s.read_path("SSSE/EF06#4").unwrap();
    let shown = serde_json::to_string(&r).unwrap();
    assert!(shown.contains("\"0B\""), "{shown}");
}
