//! The PIN-pad structures sscard sends (`transport::pinpad`) are byte for byte what pcsc-lite's
//! `reader.h` declares: `tests/c/pinpad_layout.c` fills `PIN_VERIFY_STRUCTURE` and
//! `PIN_MODIFY_STRUCTURE` by field name, the system C compiler lays them out, and the bytes are
//! compared with ours. Needs `cc` and libpcsclite-dev (scripts/setup.sh installs them); missing
//! either is a failure, not a skip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use sscard_terminal::transport::pinpad::PinPadLayout;

fn c_layout() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let exe = dir.join("pinpad_layout");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/c/pinpad_layout.c");
    let cflags = Command::new("pkg-config")
        .args(["--cflags", "libpcsclite"])
        .output()
        .expect("pkg-config (scripts/setup.sh installs libpcsclite-dev)");
    assert!(
        cflags.status.success(),
        "pkg-config --cflags libpcsclite failed"
    );
    let cflags = String::from_utf8(cflags.stdout).unwrap();
    let out = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(&src)
        .args(cflags.split_whitespace())
        .output()
        .expect("cc");
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn pin_pad_structures_match_pcsc_lite_reader_h() {
    let c = c_layout();
    let layout = PinPadLayout::new(6, 30).unwrap();
    let verify = hex::encode_upper(layout.verify_structure().unwrap());
    let modify = hex::encode_upper(layout.modify_structure().unwrap());
    assert_eq!(c.first().unwrap(), &verify, "PIN_VERIFY_STRUCTURE");
    assert_eq!(c.get(1).unwrap(), &modify, "PIN_MODIFY_STRUCTURE");
}
