//! The PSAM as the security module, through PC/SC: the card in "Virtual PCD 00 00", the emulated
//! PSAM (provisioned with the issuer's root keys) in "Virtual PCD 00 01", both served by one
//! `Emulator`. Internal/external authentication, a write, PIN reload and application
//! block/unblock run with no key in host memory. Gated by SSCARD_PCSC_E2E.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sscard_e2e::{
    await_empty, connect, e2e, pin_command_lines, CardFiles, Cli, Live, PIN, READER0, READER1,
    TERMINAL_NUMBER, WAIT,
};
use sscard_emulate::serve::EmulateOptions;
use sscard_emulate::vpcd::SECOND_PORT;
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_specs::SpecVersion;
use sscard_terminal::security::psam::{self, TerminalNumber};
use sscard_terminal::transport::{wait_for_card, wait_for_card_removed};
use sscard_terminal::{Error, Session};

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn auth_write_pin_reload_and_app_block_through_the_psam_in_the_second_reader() {
    let _g = e2e("auth_write_pin_reload_and_app_block_through_the_psam_in_the_second_reader");
    let files = CardFiles::personalised("psam-auth");
    let live = Live::card_and_psam(&files);

    let mut sm = psam::open(connect(READER1), &SSCARD_2).expect("PSAM DF01 selected");
    let tn = TerminalNumber::from(sm.read_terminal_number().unwrap());
    assert_eq!(tn.digits(), TERMINAL_NUMBER);

    let mut s = Session::open(connect(READER0)).unwrap();
    s.set_security_module(sm);
    let verdict = s.internal_authenticate().unwrap();
    assert!(verdict.genuine, "{verdict:?}");
    s.external_authenticate("RKSSSE").unwrap();

    // A write under the UK key, computed by the PSAM.
    let v = s.write_item("DF04/EF05/81", "31090000").unwrap();
    assert_eq!(v.value.to_string(), "31090000");
    // PIN RELOAD: the PSAM encrypts the PIN block under the PUK-derived key.
    let o = s.reload_pin("246810").unwrap();
    assert_eq!(o.tries_left, 3);
    assert_eq!(s.verify_pin("246810").unwrap().tries_left, 3);
    s.reload_pin(PIN).unwrap();
    // APPLICATION BLOCK / UNBLOCK MAC'd under STK by the PSAM.
    let card_id = s.ensure_card_id().unwrap();
    s.block_application(false).unwrap();
    s.forget_selection();
    match s.read_basic_info() {
        Err(Error::Card { sw, .. }) => assert_eq!(sw.0, 0x6985),
        other => panic!("blocked application answered {other:?}"),
    }
    s.set_card_id(card_id);
    s.unblock_application().unwrap();
    s.forget_selection();
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
    s.verify_pin(PIN).unwrap();
    assert_eq!(
        s.read_item("DF04/EF05/81").unwrap().value.to_string(),
        "31090000"
    );
    s.into_transport().close().unwrap();

    let trace = live.trace_lines();
    let psam_lines: Vec<&String> = trace.iter().filter(|l| l.starts_with("[psam]")).collect();
    let joined = trace.join("\n");
    assert!(
        psam_lines.iter().any(|l| l.contains("PSAM DIVERSIFY/INIT")),
        "{joined}"
    );
    assert!(
        psam_lines.iter().any(|l| l.contains("PSAM MAC")),
        "{joined}"
    );
    assert!(
        psam_lines
            .iter()
            .any(|l| l.contains("PSAM ENCRYPT") && l.contains("redacted")),
        "the PIN block sent to the PSAM is masked: {joined}"
    );
    assert!(joined.contains("INTERNAL AUTHENTICATE"), "{joined}");
    assert!(joined.contains("APPLICATION BLOCK"), "{joined}");
    let pin_lines = pin_command_lines(&trace).join("\n");
    assert!(pin_lines.contains("PSAM ENCRYPT"), "{pin_lines}");
    assert!(!pin_lines.contains("246810"), "{pin_lines}");
}

/// A PSAM holding another issuer's keys: the card is reported not genuine and the card refuses
/// the external authentication.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn psam_of_another_issuer_finds_the_card_not_genuine() {
    let _g = e2e("psam_of_another_issuer_finds_the_card_not_genuine");
    let files = CardFiles::personalised("psam-ours");
    let other = CardFiles::personalised("psam-other");
    let _live = Live::start(
        EmulateOptions::new(files.card.clone()).with_psam(other.psam.clone(), SECOND_PORT),
    );
    let sm = psam::open(connect(READER1), &SSCARD_2).unwrap();
    let mut s = Session::open(connect(READER0)).unwrap();
    s.set_security_module(sm);
    assert!(!s.internal_authenticate().unwrap().genuine);
    assert!(s.external_authenticate("RKSSSE").is_err());
}

/// Both slots served at once: the card and the PSAM answer interleaved requests from two
/// threads.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_and_psam_served_at_once() {
    let _g = e2e("card_and_psam_served_at_once");
    let files = CardFiles::personalised("two-slots");
    let live = Live::card_and_psam(&files);
    let card = std::thread::spawn(|| {
        let mut s = Session::open(connect(READER0)).unwrap();
        for _ in 0..10 {
            s.forget_selection();
            assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
        }
        s.into_transport().close().unwrap();
    });
    let psam = std::thread::spawn(|| {
        let mut sm = psam::open(connect(READER1), &SSCARD_2).unwrap();
        for _ in 0..10 {
            let tn = TerminalNumber::from(sm.read_terminal_number().unwrap());
            assert_eq!(tn.digits(), TERMINAL_NUMBER);
        }
    });
    card.join().unwrap();
    psam.join().unwrap();
    let report = live.stop();
    assert!(report.card.apdus >= 30, "{report:?}");
    assert!(report.psam.unwrap().apdus >= 10, "{report:?}");
}

/// The command line end to end: `sscard psam init` provisions a PSAM image from the key file,
/// `sscard emulate --image … --psam …` serves both until SIGTERM.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn emulate_command_serves_a_psam_made_by_psam_init() {
    let _g = e2e("emulate_command_serves_a_psam_made_by_psam_init");
    let files = CardFiles::personalised("psam-cli");
    let cli = Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"));
    let psam_img = files.dir.join("psam-cli.img");
    let psam_path = psam_img.to_str().unwrap();
    let keys = files.keys.to_str().unwrap();
    let made = cli.run(&[
        "--keys",
        keys,
        "psam",
        "init",
        "--out",
        psam_path,
        "--terminal-number",
        "440300000042",
    ]);
    assert!(
        made.ok().contains("terminal number 440300000042"),
        "{made:?}"
    );
    // Refuses to overwrite without --force.
    assert_eq!(
        cli.run(&["--keys", keys, "psam", "init", "--out", psam_path])
            .code,
        2
    );

    await_empty(&[READER0, READER1]);
    let mut child = Command::new(cli.bin())
        .args([
            "emulate",
            "--image",
            files.card.to_str().unwrap(),
            "--psam",
            psam_path,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_card(READER0, WAIT).expect("card inserted");
    wait_for_card(READER1, WAIT).expect("PSAM inserted");
    {
        let mut sm = psam::open(connect(READER1), &SSCARD_2).unwrap();
        let tn = TerminalNumber::from(sm.read_terminal_number().unwrap());
        assert_eq!(tn.digits(), "440300000042");
        let mut s = Session::open(connect(READER0)).unwrap();
        s.set_security_module(sm);
        assert!(s.internal_authenticate().unwrap().genuine);
        s.into_transport().close().unwrap();
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
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
    assert!(status.success(), "{err}");
    assert!(err.contains("PSAM"), "{err}");
    wait_for_card_removed(READER0, WAIT).unwrap();
    wait_for_card_removed(READER1, WAIT).unwrap();
}

/// `sscard conform` against the emulated card through pcscd, the PSAM in the second reader as
/// the only key holder, destructive cases included (PIN blocking, unblock/reload, application and
/// CARD BLOCK — the image is a throw-away copy): no case fails.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn conform_destructive_suite_through_pcsc_and_the_psam_has_no_failure() {
    let _g = e2e("conform_destructive_suite_through_pcsc_and_the_psam_has_no_failure");
    let files = CardFiles::personalised("conform");
    let _live = Live::card_and_psam(&files);
    let cli = Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"));
    let report = cli
        .pcsc(&[
            "--json",
            "conform",
            "--psam-reader",
            READER1,
            "--pin",
            PIN,
            "--destructive",
            "--yes-destroy-card",
            "A00000011",
        ])
        .json();
    assert_eq!(report["keys"], true, "the PSAM provides the keys");
    let results = report["results"].as_array().unwrap();
    let status = |r: &serde_json::Value| r["verdict"]["status"].as_str().unwrap_or("?").to_owned();
    let failed: Vec<&serde_json::Value> = results.iter().filter(|r| status(r) == "fail").collect();
    assert!(failed.is_empty(), "failed cases: {failed:#?}");
    let passed = results.iter().filter(|r| status(r) == "pass").count();
    assert!(passed >= 300, "{passed} of {} passed", results.len());
    for area in [6, 7, 8, 9] {
        let not_passed: Vec<String> = results
            .iter()
            .filter(|r| r["area_number"] == area && status(r) != "pass")
            .map(|r| format!("{} {}", r["id"], status(r)))
            .collect();
        assert!(
            not_passed.is_empty(),
            "area {area} (PIN/challenge/MAC/lifecycle) through the PSAM: {not_passed:?}"
        );
    }
}

/// The SM4 suite (a 3.00 `sscard-3` card and an SM4 PSAM) through PC/SC: the session picks the
/// profile from the FCI's algorithm id, the PSAM authenticates the card and computes the write's
/// external authentication.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn sm4_card_and_psam_through_pcsc() {
    let _g = e2e("sm4_card_and_psam_through_pcsc");
    let files = CardFiles::personalised_as("sm4", SpecVersion::V3_00);
    let _live = Live::card_and_psam(&files);
    let sm = psam::open(connect(READER1), &SSCARD_3).expect("SM4 PSAM");
    let mut s = Session::open(connect(READER0)).unwrap();
    assert_eq!(s.profile().name, "sscard-3");
    s.set_security_module(sm);
    assert!(s.internal_authenticate().unwrap().genuine);
    s.external_authenticate("RKSSSE").unwrap();
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
    let v = s.write_item("DF04/EF05/81", "31070000").unwrap();
    assert_eq!(v.value.to_string(), "31070000");
    s.into_transport().close().unwrap();
    // The CLI reads the same card through pcscd (no keys needed for the basic information
    // unless the 3.00 rules ask for RKSSSE: then with the key file).
    let cli = Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"));
    let keys = files.keys.to_str().unwrap();
    let info = cli.pcsc(&["--keys", keys, "--json", "info"]).json();
    assert_eq!(info["issuer"]["version"], "3.00");
    assert_eq!(info["holder"]["name"], "王小明");
}

/// Issue 5's promise on the command line: `sscard auth|write|pin reload|app --reader R
/// --psam-reader P` through pcscd with the PSAM in the second reader as the only key holder (no
/// key file anywhere on the command line), both readers named by index too.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn cli_auth_write_pin_reload_and_app_block_with_the_psam_reader() {
    let _g = e2e("cli_auth_write_pin_reload_and_app_block_with_the_psam_reader");
    let files = CardFiles::personalised("psam-cli-ops");
    let live = Live::card_and_psam(&files);
    let c = Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"));
    let psam = ["--psam-reader", READER1];

    let auth = c.pcsc(&[&psam[..], &["--json", "auth"]].concat()).json();
    assert_eq!(auth["internal"]["genuine"], true, "{auth}");
    let w = c
        .pcsc(&[&psam[..], &["--json", "write", "DF04/EF05/81=31020000"]].concat())
        .json();
    assert_eq!(w[0]["value"], "31020000");
    let reloaded = c
        .pcsc(
            &[
                &psam[..],
                &["--json", "pin", "reload", "--new-pin", "654321"],
            ]
            .concat(),
        )
        .json();
    assert_eq!(reloaded["tries_left"], 3, "{reloaded}");
    c.pcsc(&["pin", "verify", "--pin", "654321"]).ok();
    let card_id = c.pcsc(&["--json", "info"]).json()["issuer"]["card_id"]["raw"]
        .as_str()
        .unwrap()
        .to_owned();
    // Readers by index (as `sscard readers` lists them): card 0, PSAM 1.
    c.run(&["--reader", "0", "--psam-reader", "1", "app", "block"])
        .ok();
    assert_eq!(
        c.pcsc(&["info"]).code,
        4,
        "a blocked application refuses reads"
    );
    c.run(&[
        "--reader",
        "0",
        "--psam-reader",
        "1",
        "app",
        "unblock",
        "--card-id",
        &card_id,
    ])
    .ok();
    assert_eq!(
        c.pcsc(&["--json", "info"]).json()["holder"]["name"],
        "王小明"
    );
    // A security module is required, and only one.
    let none = c.pcsc(&["write", "DF04/EF05/81=31030000"]);
    assert_eq!(none.code, 2, "{none:?}");
    assert!(none.stderr.contains("--psam-reader"), "{none:?}");
    let keys = files.keys.to_str().unwrap();
    let both = c.pcsc(&[&psam[..], &["--keys", keys, "auth"]].concat());
    assert_eq!(both.code, 2, "{both:?}");
    // The PSAM did the cryptography: its trace shows the key operations.
    let trace = live.trace_lines().join("\n");
    assert!(trace.contains("[psam]"), "{trace}");
    assert!(trace.contains("PSAM MAC"), "{trace}");
}

/// `sscard info` with the PSAM as the security module (issue 11 acceptance 5): the card in
/// reader 0 and its issuer's PSAM in reader 1 → `genuine: true`; with a PSAM of another issuer
/// the card is reported not genuine, with its data, and `info` exits with 5.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn info_with_the_psam_reports_whether_the_card_is_genuine() {
    let _g = e2e("info_with_the_psam_reports_whether_the_card_is_genuine");
    let files = CardFiles::personalised("psam-info");
    let cli = Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"));
    {
        let _live = Live::card_and_psam(&files);
        let o = cli.pcsc(&["--psam-reader", READER1, "--json", "-v", "info"]);
        let v = o.json();
        assert_eq!(v["genuine"], true, "{o:?}");
        assert_eq!(v["holder"]["name"], "王小明");
        assert_eq!(v["family"], "national-2.00");
        assert!(
            o.stderr.contains("family: national-2.00 · apdus: "),
            "{o:?}"
        );
        let o = cli.pcsc(&["--psam-reader", READER1, "info"]);
        assert!(
            o.ok()
                .lines()
                .any(|l| l.starts_with("真伪 Genuine") && l.ends_with(" true")),
            "{o:?}"
        );
        let o = cli.pcsc(&["--json", "info"]);
        assert_eq!(o.json()["genuine"], "not checked");
    }
    await_empty(&[READER0, READER1]);
    let other = CardFiles::personalised("psam-info-other");
    let _live = Live::start(
        EmulateOptions::new(files.card.clone()).with_psam(other.psam.clone(), SECOND_PORT),
    );
    let o = cli.pcsc(&["--psam-reader", READER1, "--json", "info"]);
    assert_eq!(o.code, 5, "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["genuine"], false);
    assert_eq!(v["holder"]["name"], "王小明");
    assert!(o.stderr.contains("is not genuine"), "{o:?}");
}
