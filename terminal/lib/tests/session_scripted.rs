//! Session logic against a scripted fake transport: exact APDUs, real-card traces, and cards that
//! answer nonsense.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sscard_terminal::transport::scripted::ScriptedTransport;
use sscard_terminal::transport::TransportError;
use sscard_terminal::{DataError, Error, Session};

const ATR: &str = "3B6D00000081544C928684420100000135";
const SELECT: &str = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF";
const FCI_2: &str = "6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E 9000";
const FCI_3: &str = "6F1C840F7378312E73682EC9E7BBE1B1A3D5CFA50988011E9F0C03860103 9000";
/// The real Hunan 2.0 test card's EF05 (sscard-spec.md §8).
const HUNAN_EF05: &str = "01104302 99D15600 00050000 00133A05 F2E30201 33030432 2E300004 0C915600 00024302 00430100 D5050432 30313206 04323032 32070942 30303030 30313331";
const EF06: &str = "0812313130313031313939303033303731323333091ED5C5C8FD00000000000000000000000000000000000000000000000000004E1400000000000000000000000000000000000000000A01310B01010C034301020D0419800101";

fn script() -> ScriptedTransport {
    ScriptedTransport::new(&hex::decode(ATR).unwrap())
}

fn ok(data: &str) -> String {
    format!("{data}9000")
}

#[test]
fn basic_info_from_the_real_hunan_card_in_three_apdus() {
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("00B2012D40", &ok(HUNAN_EF05))
        .expect("00B201355B", &ok(EF06));
    let mut s = Session::open(t).unwrap();
    let info = s.read_basic_info().unwrap();
    assert_eq!(s.apdu_count(), 3);
    assert!(s.transport().is_done());
    assert_eq!(info.issuer.version, "2.0");
    assert_eq!(info.issuer.card_number, "B00000131");
    assert_eq!(
        info.issuer.card_id.raw,
        "430299D15600000500000013 3A05F2E3".replace(' ', "")
    );
    assert_eq!(info.holder.name, "张三");
    assert_eq!(info.holder.birthplace, "430102");
    assert_eq!(info.reset_info, "0081544C928684420100000135");
    assert_eq!(
        sscard_terminal::national::format::read_card_bas(&info, &Default::default()),
        "430299|110101199003071233|B00000131|430299D156000005000000133A05F2E3|张三|0081544C928684420100000135|2.0|20120|20220|||"
            .replace("20120|20220", "2012|2022")
    );
}

#[test]
fn fci_algorithm_03_selects_sscard_3_and_61xx_is_accepted() {
    let mut s = Session::open(script().expect(SELECT, FCI_3)).unwrap();
    assert_eq!(s.profile().name, "sscard-3");
    assert_eq!(s.algorithm_id(), Some(3));
    // A raw transport may leave 61xx: selected, no FCI, 3DES assumed.
    s = Session::open(script().expect(SELECT, "6118")).unwrap();
    assert_eq!(s.profile().name, "sscard-2");
    assert_eq!(s.algorithm_id(), None);
    // A broken FCI is a data error, an absent SSSE a card refusal.
    let e = Session::open(script().expect(SELECT, "6F05840173 9000")).unwrap_err();
    assert!(matches!(e, Error::Data(DataError::Malformed { .. })), "{e}");
    // 6A82: not a card whose family keeps the SSSE's EFs in the MF either (no EF05 there).
    let e = Session::open(
        script()
            .expect(SELECT, "6A82")
            .expect("00A4020002EF05", "6A82")
            .expect("00A40000023F00", "6A82"),
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Card { ref operation, .. } if operation == "SELECT SSSE"),
        "{e}"
    );
}

#[test]
fn refused_all_records_falls_back_to_select_and_by_tag() {
    let mut t = script()
        .expect(SELECT, FCI_2)
        .expect("00B2012D40", "6A86")
        .expect("00A4020002EF05", "9000");
    let ef05 = hex::decode(HUNAN_EF05.replace(' ', "")).unwrap();
    for rec in sscard_apdu::RecordIter::new(&ef05) {
        let rec = rec.unwrap();
        let le = 2 + sscard_specs::ef(sscard_specs::DfId::Ssse, 0xEF05)
            .unwrap()
            .item(rec.tag)
            .unwrap()
            .len;
        let mut bytes = vec![rec.tag, rec.value.len() as u8];
        bytes.extend_from_slice(rec.value);
        t = t.expect(
            &format!("00B2{:02X}00{le:02X}", rec.tag),
            &ok(&hex::encode(bytes)),
        );
    }
    t = t.expect("00A4020002EF06", "9000");
    let ef06 = hex::decode(EF06).unwrap();
    for rec in sscard_apdu::RecordIter::new(&ef06) {
        let rec = rec.unwrap();
        let mut bytes = vec![rec.tag, rec.value.len() as u8];
        bytes.extend_from_slice(rec.value);
        t = t.any(&ok(&hex::encode(bytes)));
    }
    let mut s = Session::open(t).unwrap();
    let info = s.read_basic_info().unwrap();
    assert!(s.transport().is_done());
    assert_eq!(s.apdu_count(), 18);
    assert_eq!(info.holder.name, "张三");
    assert_eq!(info.issuer.card_number, "B00000131");
}

#[test]
fn malformed_record_is_a_data_error() {
    // The length byte says 16, only 2 value bytes follow.
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("00B2012D40", "01104302 9000");
    let mut s = Session::open(t).unwrap();
    let e = s.read_basic_info().unwrap_err();
    assert!(matches!(e, Error::Data(DataError::Malformed { .. })), "{e}");
    assert_eq!(e.exit_code(), 5);
    // By tag: the card answers a different tag than asked for.
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("00B20728 0B", "0201339000");
    let mut s = Session::open(t).unwrap();
    let e = s.read_item("SSSE/EF05/07").unwrap_err();
    assert!(matches!(e, Error::Data(DataError::Malformed { .. })), "{e}");
    // Garbage shorter than a status word.
    let t = script().expect(SELECT, FCI_2).expect("00B2012D40", "90");
    let mut s = Session::open(t).unwrap();
    assert!(matches!(
        s.read_basic_info(),
        Err(Error::Transport(TransportError::Exchange(_)))
    ));
}

#[test]
fn wrong_card_number_check_character() {
    let bad = HUNAN_EF05.replace("30313331", "30313332"); // B00000132
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("00B2012D40", &ok(&bad));
    let mut s = Session::open(t).unwrap();
    let e = s.read_basic_info().unwrap_err();
    assert!(
        matches!(e, Error::Data(DataError::CardNumberCheck { ref number, expected: '1' }) if number == "B00000132"),
        "{e}"
    );
}

#[test]
fn refused_sfi_read_selects_the_ef_once() {
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("00B207280B", "6A86")
        .expect("00A4020002EF05", "9000")
        .expect("00B207000B", &ok("0709423030303030313331"))
        .expect("00B2030006", &ok("0304322E3000"));
    let mut s = Session::open(t).unwrap();
    let v = s.read_item("SSSE/EF05/07").unwrap();
    assert_eq!(v.raw, "423030303030313331");
    // EF05 is now the current EF: no SELECT, no SFI.
    let v = s.read_item("SSSE/EF05/03").unwrap();
    assert_eq!(v.raw, "322E3000");
    assert!(s.transport().is_done());
}

#[test]
fn pin_status_words_are_typed() {
    let t = script()
        .expect(SELECT, FCI_2)
        .expect("0020000003123456", "63C2")
        .expect("0020000003123456", "6983")
        .expect("0020000003123456", "9000");
    let mut s = Session::open(t).unwrap();
    assert!(matches!(
        s.verify_pin("123456"),
        Err(Error::WrongPin { tries_left: 2 })
    ));
    assert!(matches!(s.verify_pin("123456"), Err(Error::Blocked)));
    assert_eq!(s.verify_pin("123456").unwrap().tries_left, 3);
}

#[test]
fn transport_errors_pass_through() {
    let mut s = Session::open(script().expect(SELECT, FCI_2)).unwrap();
    let e = s.read_basic_info().unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::BadCommand(_))),
        "{e}"
    );
    assert_eq!(e.exit_code(), 3);
}

#[test]
fn unknown_paths_are_usage_errors() {
    let mut s = Session::open(script().expect(SELECT, FCI_2)).unwrap();
    for p in [
        "",
        "XX/EF05/01",
        "SSSE/EF99",
        "SSSE/EF05/99",
        "SSSE/EF05/07#2",
        "SSSE/EF05/07/1",
    ] {
        let e = s.read_path(p).unwrap_err();
        assert!(matches!(e, Error::Path(_)), "{p}: {e}");
        assert_eq!(e.exit_code(), 2);
    }
    assert_eq!(s.apdu_count(), 1);
}
