//! `sscard conform --fault` (feature `faults`): the CLI switches the card OS's deliberately faulty
//! behaviours on in the emulated card, so a vendor can see what a failing report looks like.
//! Run by `scripts/test.sh` as `cargo test -p sscard-cli --features faults --test cli_faults`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_card_os::FAULTS;

/// `sscard conform --fault`: the same table, for a vendor who wants to see a failing report.
#[test]
fn the_cli_switches_faults_on() {
    use std::process::Command;
    let sscard = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_sscard"))
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, list, _) = sscard(&["conform", "--fault", "list"]);
    assert_eq!(code, 0);
    for f in FAULTS {
        assert!(
            list.lines()
                .any(|l| l.starts_with(f.name) && l.contains(f.description)),
            "{} missing from --fault list:\n{list}",
            f.name
        );
    }
    let (code, report, err) = sscard(&[
        "conform",
        "--emulator-fresh",
        "--destructive",
        "--quiet",
        "--only",
        "MAC",
        "--fault",
        "mac-not-checked",
    ]);
    assert_eq!(code, 5, "{report}\n{err}");
    assert!(
        report.contains("deliberately faulty: mac-not-checked"),
        "{report}"
    );
    assert!(report.contains("FAIL MAC-UKSSSE-BAD-MAC"), "{report}");
    let (code, _, err) = sscard(&["conform", "--fault", "no-such-fault"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = sscard(&["conform", "--fault", "mac-not-checked"]);
    assert_eq!(code, 2, "--fault without an emulator: {err}");
    assert!(err.contains("--emulator"), "{err}");
}
