//! The `sscard` command line against the card OS served by `sscard emulate` in pcscd (vpcd
//! "Virtual PCD 00 00"): info, read, write + read-back (persisted in the image), the PIN flows,
//! application block/unblock, power-cycle semantics, and the `emulate` command itself
//! (SIGTERM → clean stop). Each test gets a fresh personalised image. Gated by SSCARD_PCSC_E2E.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sscard_e2e::{
    await_empty, connect, e2e, pin_command_lines, CardFiles, Cli, Live, PIN, READER0, WAIT,
};
use sscard_terminal::transport::emulator::{EmulatorOptions, Protocol};
use sscard_terminal::transport::{wait_for_card, wait_for_card_removed, Transport};
use sscard_terminal::{Error, Session};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"))
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn info_through_pcsc_matches_the_in_process_card() {
    let _g = e2e("info_through_pcsc_matches_the_in_process_card");
    let files = CardFiles::personalised("info");
    let reference = files.copy_card("reference.img");
    let live = Live::card(&files);

    let text = cli().pcsc(&["info"]);
    let out = text.ok();
    assert!(out.contains("王小明"), "{out}");
    assert!(out.contains("A00000011"), "{out}");
    assert!(out.contains("110101199003071233"), "{out}");

    let json = cli().pcsc(&["--json", "info"]).json();
    assert_eq!(json["holder"]["name"], "王小明");
    assert_eq!(json["holder"]["ssn"], "110101199003071233");
    assert_eq!(json["issuer"]["card_number"], "A00000011");
    assert_eq!(json["issuer"]["version"], "2.00");
    // Through pcscd exactly what the in-process card OS answers.
    let same = cli().emulator(&reference, &["--json", "info"]).json();
    assert_eq!(json, same);

    // -v: the family and the APDU count — SELECT SSSE, READ RECORD EF05, the EF0D probe that
    // tells national-2.00 from jiangsu-2.00, READ RECORD EF06 — and the emulator saw them.
    let v = cli().pcsc(&["-v", "info"]);
    v.ok();
    assert!(
        v.stderr.contains("family: national-2.00 · apdus: 4"),
        "{}",
        v.stderr
    );
    let trace = live.trace_lines().join("\n");
    assert!(trace.contains("SELECT"), "{trace}");
    assert!(trace.contains("READ RECORD"), "{trace}");
    assert!(trace.contains("9000 "), "{trace}");
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn read_items_through_pcsc() {
    let _g = e2e("read_items_through_pcsc");
    let files = CardFiles::personalised("read");
    let reference = files.copy_card("reference.img");
    let _live = Live::card(&files);
    // A PIN-protected item without the PIN: the card's refusal, exit code 4. (Checked first:
    // the CLI disconnects with LEAVE_CARD, so once a PIN was verified it stays verified on the
    // card for the next PC/SC client until the card is reset or powered off.)
    let refused = cli().pcsc(&["read", "DF04/EF05/81"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    let paths = [
        "SSSE/EF06/08",
        "SSSE/EF05/07",
        "DF01/EF05/21",
        "DF04/EF05/81",
    ];
    let mut args = vec!["--json", "read", "--pin", PIN];
    args.extend_from_slice(&paths);
    let got = cli().pcsc(&args).json();
    let want = cli().emulator(&reference, &args).json();
    assert_eq!(got, want);
    let values: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        values,
        [
            "110101199003071233",
            "A00000011",
            "北京市东城区示例胡同1号",
            "31010000"
        ]
    );
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn write_and_read_back_through_pcsc_is_persisted() {
    let _g = e2e("write_and_read_back_through_pcsc_is_persisted");
    let files = CardFiles::personalised("write");
    let keys = files.keys.to_str().unwrap();
    let live = Live::card(&files);
    let w = cli()
        .pcsc(&[
            "--keys",
            keys,
            "--json",
            "write",
            "DF04/EF05/81=31020000",
            "DF01/EF05/20=20",
        ])
        .json();
    assert_eq!(w[0]["value"], "31020000");
    assert_eq!(w[1]["value"], "20");
    // Without keys the card refuses (6982), exit code 4.
    let refused = cli().pcsc(&["write", "DF04/EF05/81=31030000"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    let r = cli()
        .pcsc(&["--json", "read", "--pin", PIN, "DF04/EF05/81"])
        .json();
    assert_eq!(r[0]["value"], "31020000");
    let trace = live.trace_lines().join("\n");
    assert!(trace.contains("UPDATE RECORD"), "{trace}");
    assert!(trace.contains("EXTERNAL AUTHENTICATE"), "{trace}");
    // Stop the emulator: the image file holds the write...
    live.stop();
    let r = cli()
        .emulator(
            &files.card,
            &["--json", "read", "--pin", PIN, "DF04/EF05/81"],
        )
        .json();
    assert_eq!(r[0]["value"], "31020000");
    // ...and so does the card served again.
    let _live = Live::card(&files);
    let r = cli()
        .pcsc(&["--json", "read", "--pin", PIN, "DF04/EF05/81"])
        .json();
    assert_eq!(r[0]["value"], "31020000");
}

fn tries(run: &sscard_e2e::Run) -> u64 {
    run.json()["tries_left"].as_u64().unwrap()
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn pin_verify_change_unblock_reload_through_pcsc() {
    let _g = e2e("pin_verify_change_unblock_reload_through_pcsc");
    let files = CardFiles::personalised("pin");
    let keys = files.keys.to_str().unwrap();
    let live = Live::card(&files);
    let c = cli();
    assert_eq!(
        tries(&c.pcsc(&["--json", "pin", "verify", "--pin", PIN])),
        3
    );
    let wrong = c.pcsc(&["pin", "verify", "--pin", "111111"]);
    assert_eq!(wrong.code, 4, "{wrong:?}");
    assert!(wrong.stderr.contains("2 tries left"), "{wrong:?}");
    // A correct VERIFY restores the counter.
    assert_eq!(
        tries(&c.pcsc(&["--json", "pin", "verify", "--pin", PIN])),
        3
    );
    // CHANGE PIN (PINs on stdin, as an operator would type them).
    let changed = c.run_stdin(
        &["--reader", READER0, "--json", "pin", "change"],
        "123456\n654321\n",
    );
    assert_eq!(tries(&changed), 3);
    assert_eq!(c.pcsc(&["pin", "verify", "--pin", PIN]).code, 4);
    assert_eq!(
        tries(&c.pcsc(&["--json", "pin", "verify", "--pin", "654321"])),
        3
    );
    // Block it: three wrong PINs.
    for left in [2u8, 1] {
        let r = c.pcsc(&["pin", "verify", "--pin", "000000"]);
        assert!(r.stderr.contains(&format!("{left} tries left")), "{r:?}");
    }
    let blocked = c.pcsc(&["pin", "verify", "--pin", "000000"]);
    assert_eq!(blocked.code, 4, "{blocked:?}");
    let still = c.pcsc(&["pin", "verify", "--pin", "654321"]);
    assert_eq!(
        still.code, 4,
        "a blocked PIN refuses even the right one: {still:?}"
    );
    assert!(still.stderr.contains("blocked"), "{still:?}");
    // PIN UNBLOCK (PUK, MAC) restores the tries; the PIN is unchanged.
    let unblocked = c.pcsc(&["--keys", keys, "--json", "pin", "unblock"]);
    assert_eq!(tries(&unblocked), 3);
    assert_eq!(
        tries(&c.pcsc(&["--json", "pin", "verify", "--pin", "654321"])),
        3
    );
    // PIN RELOAD sets a new PIN without knowing the old one.
    let reloaded = c.pcsc(&["--keys", keys, "--json", "pin", "reload", "--new-pin", PIN]);
    assert_eq!(tries(&reloaded), 3);
    assert_eq!(
        tries(&c.pcsc(&["--json", "pin", "verify", "--pin", PIN])),
        3
    );
    assert_eq!(c.pcsc(&["pin", "verify", "--pin", "654321"]).code, 4);
    // The emulator's trace never shows a PIN.
    let trace = live.trace_lines().join("\n");
    assert!(trace.contains("VERIFY"), "{trace}");
    assert!(trace.contains("CHANGE PIN"), "{trace}");
    assert!(trace.contains("PIN UNBLOCK"), "{trace}");
    assert!(trace.contains("PIN RELOAD"), "{trace}");
    assert!(trace.contains("redacted"), "{trace}");
    let pin_lines = pin_command_lines(&live.trace_lines()).join("\n");
    for pin in ["123456", "654321", "111111"] {
        assert!(
            !pin_lines.contains(pin),
            "PIN {pin} in the trace:\n{pin_lines}"
        );
    }
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn application_block_and_unblock_through_pcsc() {
    let _g = e2e("application_block_and_unblock_through_pcsc");
    let files = CardFiles::personalised("app");
    let keys = files.keys.to_str().unwrap();
    let _live = Live::card(&files);
    let c = cli();
    let card_id = c.pcsc(&["--json", "info"]).json()["issuer"]["card_id"]["raw"]
        .as_str()
        .unwrap()
        .to_owned();
    c.pcsc(&["--keys", keys, "app", "block"]).ok();
    let refused = c.pcsc(&["info"]);
    assert_eq!(
        refused.code, 4,
        "a blocked application refuses reads: {refused:?}"
    );
    assert!(refused.stderr.contains("6985"), "{refused:?}");
    c.pcsc(&["--keys", keys, "app", "unblock", "--card-id", &card_id])
        .ok();
    let info = c.pcsc(&["--json", "info"]).json();
    assert_eq!(info["holder"]["name"], "王小明");
}

/// vpcd's reset (SCardReconnect with reset) and power cycle clear the card's security state;
/// the image stays.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn reset_clears_pin_state_but_keeps_the_image() {
    let _g = e2e("reset_clears_pin_state_but_keeps_the_image");
    let files = CardFiles::personalised("reset");
    let live = Live::card(&files);
    let mut s = Session::open(connect(READER0)).unwrap();
    s.verify_pin(PIN).unwrap();
    assert_eq!(
        s.read_item("DF04/EF05/81").unwrap().value.to_string(),
        "31010000"
    );
    s.transport_mut().reset().unwrap();
    s.forget_selection();
    let mut s = Session::open(s.into_transport()).unwrap();
    match s.read_item("DF04/EF05/81") {
        Err(Error::Card { sw, .. }) => assert_eq!(sw.0, 0x6982, "security status not satisfied"),
        other => panic!("PIN state survived a reset: {other:?}"),
    }
    assert_eq!(
        s.read_basic_info().unwrap().holder.name,
        "王小明",
        "the image survives the reset"
    );
    let trace = live.trace_lines().join("\n");
    assert!(trace.contains("-- reset"), "{trace}");
    s.into_transport().close().unwrap();
}

/// `sscard emulate` as a process: serves until SIGTERM, then stops cleanly (exit 0, image synced,
/// the reader empty).
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn emulate_command_serves_until_sigterm() {
    let _g = e2e("emulate_command_serves_until_sigterm");
    let files = CardFiles::personalised("emulate-cmd");
    let keys = files.keys.to_str().unwrap();
    await_empty(&[READER0]);
    // The mode of this run, by its flag: T=0 (the default) or T=1 (SSCARD_CARD_PROTOCOL=t1).
    let t1 = EmulatorOptions::default().protocol == Protocol::T1;
    let mut child = Command::new(cli().bin())
        .args([
            "emulate",
            "--image",
            files.card.to_str().unwrap(),
            "--trace",
            if t1 { "--t1" } else { "--t0" },
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let atr = wait_for_card(READER0, WAIT).expect("sscard emulate inserts the card");
    if t1 {
        // T0 = ED: TD1 follows; TD1 = 01: T=1; the ATR ends with TCK (XOR of T0 … TCK = 0).
        assert_eq!(&atr[..5], &[0x3B, 0xED, 0x00, 0x00, 0x01]);
        assert_eq!(atr[1..].iter().fold(0, |x, b| x ^ b), 0);
    } else {
        assert_eq!(&atr[..4], &[0x3B, 0x6D, 0x00, 0x00]);
    }
    cli()
        .pcsc(&["--keys", keys, "write", "SSSE/EF06/0C=110102"])
        .ok();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st.code();
        }
        assert!(Instant::now() < deadline, "sscard emulate ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped: card served"), "{err}");
    assert!(
        err.contains("UPDATE RECORD"),
        "--trace shows the write: {err}"
    );
    wait_for_card_removed(READER0, WAIT).expect("the card is gone once emulate stops");
    let r = cli().emulator(&files.card, &["--json", "info"]).json();
    assert_eq!(r["holder"]["birthplace"], "110102");
}

/// Durability: a write confirmed through pcscd is in the image even when the emulator process is
/// killed outright (SIGKILL: no clean shutdown, no final sync) — the store writes through and the
/// card's journal syncs at the end of every state-changing command.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn emulator_killed_after_a_write_keeps_it_in_the_image() {
    let _g = e2e("emulator_killed_after_a_write_keeps_it_in_the_image");
    let files = CardFiles::personalised("sigkill");
    let keys = files.keys.to_str().unwrap();
    await_empty(&[READER0]);
    let mut child = Command::new(cli().bin())
        .args(["emulate", "--image", files.card.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_card(READER0, WAIT).expect("sscard emulate inserts the card");
    cli()
        .pcsc(&["--keys", keys, "write", "DF01/EF05/21=上海市示例路2号"])
        .ok();
    child.kill().unwrap();
    child.wait().unwrap();
    wait_for_card_removed(READER0, WAIT).expect("a killed emulator's card is gone");
    let r = cli()
        .emulator(
            &files.card,
            &["--json", "read", "DF01/EF05/21", "--pin", PIN],
        )
        .json();
    assert_eq!(r[0]["value"], "上海市示例路2号");
}

/// `sscard info --watch` — the service window's loop — through pcscd: a card read as soon as it
/// is inserted (one JSON line), taken out and put back (read again), and a card pulled before its
/// first command executes gives an `{"error": …}` line and the loop goes on; `--count` ends it.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn info_watch_reads_each_inserted_card_and_survives_a_pulled_one() {
    use sscard_emulate::vpcd::PullMode;
    use std::io::BufRead;
    let _g = e2e("info_watch_reads_each_inserted_card_and_survives_a_pulled_one");
    let files = CardFiles::personalised("watch");
    let live = Live::card(&files);
    let mut child = Command::new(cli().bin())
        .args([
            "--reader", READER0, "--json", "info", "--watch", "--count", "3",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| -> serde_json::Value {
        let line = rx
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no output line for {what} within {WAIT:?}: {e}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"))
    };
    let control = live.control();

    // 1. The card already in the reader is read.
    let first = next("the inserted card");
    assert_eq!(first["holder"]["name"], "王小明", "{first}");
    assert_eq!(first["issuer"]["card_number"], "A00000011");

    // 2. Taken out, put back: read again.
    control.pull(PullMode::Immediately);
    await_empty(&[READER0]);
    control.reinsert();
    let second = next("the re-inserted card");
    assert_eq!(second, first);

    // 3. Pulled before the first APDU executes: an error line, not a half-read card.
    control.pull(PullMode::Immediately);
    await_empty(&[READER0]);
    control.pull(PullMode::BeforeExecute);
    control.reinsert();
    let third = next("the card pulled mid-read");
    assert!(third["error"].is_string(), "{third}");
    assert!(third.get("holder").is_none(), "{third}");

    // --count 3 ends the loop.
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "info --watch did not stop after 3 cards"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?} {err}");
    assert!(err.contains("watching Virtual PCD 00 00"), "{err}");
    control.reinsert();
    drop(live);
}

/// `sscard readers` through pcscd: both vpcd readers with their index, the card's presence and
/// ATR in the first, the second empty; the same as JSON.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn readers_show_presence_and_atr() {
    let _g = e2e("readers_show_presence_and_atr");
    let files = CardFiles::personalised("readers");
    let live = Live::card(&files);
    let atr = hex::encode_upper(&live.atr);
    let text = cli().run(&["readers"]);
    let out = text.ok();
    assert!(
        out.contains(&format!("0: {READER0}  card present, ATR {atr}")),
        "{out}"
    );
    assert!(out.contains("1: Virtual PCD 00 01  no card"), "{out}");
    let json = cli().run(&["--json", "readers"]).json();
    assert_eq!(json[0]["name"], READER0);
    assert_eq!(json[0]["card"], "present");
    assert_eq!(json[0]["atr"], atr.as_str());
    assert_eq!(json[1]["card"], "empty");
    assert!(json[1]["atr"].is_null());
    drop(live);
}
