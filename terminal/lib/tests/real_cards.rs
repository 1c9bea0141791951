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
