//! Faults through PC/SC: the card pulled out of "Virtual PCD 00 00" in the middle of a command
//! (vpcd drops the connection before or after the card OS executed it). A read must end in a
//! clear `CardRemoved` / `NoResponse` error, never a success; an UPDATE RECORD interrupted that
//! way leaves the card holding the old value (pulled before execution) or the new one (after),
//! verified by reading back after reinsertion — and by the image file. Gated by SSCARD_PCSC_E2E.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_e2e::{connect, e2e, CardFiles, Cli, Live, PullOn, PIN, READER0, WAIT};
use sscard_emulate::vpcd::PullMode;
use sscard_terminal::transport::{wait_for_card_removed, PcscTransport, TransportError};
use sscard_terminal::{Error, Session};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"))
}

fn is_removal(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport(TransportError::CardRemoved | TransportError::NoResponse(_))
    )
}

/// Reinsert, wait for pcscd, reconnect the transport.
fn reinsert(live: &Live, t: &mut PcscTransport) {
    wait_for_card_removed(READER0, WAIT).expect("pcscd sees the reader empty");
    live.control().reinsert();
    live.await_inserted(READER0);
    t.reconnect().expect("reconnect after reinsertion");
}

fn pulled_during_read(mode: PullMode) {
    let files = CardFiles::personalised("pull-read");
    let live = Live::card(&files);
    let mut s = Session::open(PullOn::new(connect(READER0), live.control(), 0xB2, mode)).unwrap();
    match s.read_basic_info() {
        Err(e) => assert!(is_removal(&e), "pulled {mode:?}: unexpected error {e:?}"),
        Ok(info) => panic!("a pulled card must not give data, got {info:?}"),
    }
    assert!(s.transport().fired);
    // Nothing works until it is put back...
    let mut t = s.into_transport().inner;
    wait_for_card_removed(READER0, WAIT).unwrap();
    assert_eq!(
        t.transmit_raw_vec(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00]),
        Err(TransportError::CardRemoved)
    );
    // ...then it does, with the data intact.
    reinsert(&live, &mut t);
    let mut s = Session::open(t).unwrap();
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
    s.into_transport().close().unwrap();
    assert_eq!(live.control().connections(), 2);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_before_read_record_executes_is_an_error() {
    let _g = e2e("card_pulled_before_read_record_executes_is_an_error");
    pulled_during_read(PullMode::BeforeExecute);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_after_read_record_executes_is_an_error() {
    let _g = e2e("card_pulled_after_read_record_executes_is_an_error");
    pulled_during_read(PullMode::AfterExecute);
}

/// The `sscard` command line with the card pulled in the middle: exit code 3 (transport), no
/// output on stdout.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_during_sscard_info_exits_with_a_transport_error() {
    let _g = e2e("card_pulled_during_sscard_info_exits_with_a_transport_error");
    let files = CardFiles::personalised("pull-cli");
    let live = Live::card(&files);
    live.control().pull(PullMode::AfterExecute);
    let r = cli().pcsc(&["info"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr.contains("card removed") || r.stderr.contains("no response"),
        "{r:?}"
    );
}

const PATH: &str = "DF04/EF05/81";
const OLD: &str = "31010000";
const NEW: &str = "31050000";

fn interrupted_write(mode: PullMode) -> String {
    let files = CardFiles::personalised("pull-write");
    let live = Live::card(&files);
    let t = PullOn::new(connect(READER0), live.control(), 0xDC, mode);
    let mut s = Session::open(t).unwrap();
    s.set_security_module(files.key_file().into_security_module());
    match s.write_item(PATH, NEW) {
        Err(e) => assert!(
            is_removal(&e),
            "write pulled {mode:?}: unexpected error {e:?}"
        ),
        Ok(v) => panic!("a write whose card was pulled cannot be confirmed, got {v:?}"),
    }
    assert!(s.transport().fired, "the pull was armed on UPDATE RECORD");
    let executed = live
        .trace_lines()
        .iter()
        .any(|l| l.contains("UPDATE RECORD") && l.contains(" > "));
    assert_eq!(executed, mode == PullMode::AfterExecute);

    let mut t = s.into_transport().inner;
    reinsert(&live, &mut t);
    let mut s = Session::open(t).unwrap();
    s.verify_pin(PIN).unwrap();
    let after = s.read_item(PATH).unwrap().value.to_string();
    assert!(after == OLD || after == NEW, "torn value {after:?}");
    // The card is consistent and writable again.
    s.set_security_module(files.key_file().into_security_module());
    assert_eq!(
        s.write_item(PATH, "31060000").unwrap().value.to_string(),
        "31060000"
    );
    s.write_item(PATH, &after).unwrap();
    s.into_transport().close().unwrap();
    // The image file agrees once the emulator has stopped.
    live.stop();
    let r = cli()
        .emulator(&files.card, &["--json", "read", "--pin", PIN, PATH])
        .json();
    assert_eq!(r[0]["value"], after.as_str());
    after
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn interrupted_write_before_execute_keeps_the_old_value() {
    let _g = e2e("interrupted_write_before_execute_keeps_the_old_value");
    assert_eq!(interrupted_write(PullMode::BeforeExecute), OLD);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn interrupted_write_after_execute_keeps_the_new_value() {
    let _g = e2e("interrupted_write_after_execute_keeps_the_new_value");
    assert_eq!(interrupted_write(PullMode::AfterExecute), NEW);
}
