//! libSSCardDriver as integrators use it: a C program compiled with the system `cc` against
//! `include/SSCardDriver.h`, linked with the built `libSSCardDriver.so`, calling every function
//! and checking byte-exact outputs for the demo card (2.00 and 3.00; with a PSAM, and in HSM mode
//! against `sscard-test-hsm` playing the HSM from the test keys); a Python ctypes client splitting
//! `iReadCardBas` on `|`. The card and the PSAM are sscard images served in-process by the library
//! (`reader = "emulator:…"`); `tests/` of the workspace runs the same programs through pcscd.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use sscard_specs::SpecVersion;
use sscard_terminal::national::Encoding;
use support::{compile_client, expect_file, fixture, library, Files, BAS_2, BAS_3};

fn config(f: &Files, psam: bool) -> PathBuf {
    let d = &f.dir;
    let psam_reader = if psam {
        format!("emulator:{}", d.join("psam.img").display())
    } else {
        String::new()
    };
    let text = format!(
        "reader = \"emulator:{}\"\npsam_reader = \"{psam_reader}\"\npin_program = \"{}\"\nterminal_no = \"110100000001\"\nlog = \"{}\"\nlog_level = \"debug\"\n",
        d.join("card.img").display(),
        d.join("pin.sh").display(),
        d.join("driver.log").display(),
    );
    let p = d.join(if psam { "psam.toml" } else { "hsm.toml" });
    std::fs::write(&p, text).unwrap();
    p
}

fn run_client(version: SpecVersion, bas: &str) {
    let f = fixture(&format!("c-{}", version.as_str()), version);
    let client = compile_client(&f.dir);
    let expect = expect_file(&f, bas);
    for psam in [true, false] {
        let out = Command::new(&client)
            .arg(if psam { "psam" } else { "hsm" })
            .arg(&expect)
            .arg(env!("CARGO_BIN_EXE_sscard-test-hsm"))
            .arg(f.dir.join("keys.toml"))
            .env("SSCARD_DRIVER_CONFIG", config(&f, psam))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{version:?} psam={psam}: {stdout}{stderr}"
        );
        assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
        println!("{version:?} psam={psam}: {stdout}");
    }
    // The log has the calls and the APDUs, never the PIN.
    let log = std::fs::read_to_string(f.dir.join("driver.log")).unwrap();
    assert!(log.contains("iVerifyPIN"), "{log}");
    assert!(
        log.contains("> 0020000003 <3 bytes redacted>"),
        "VERIFY traced, its PIN masked"
    );
    assert!(!log.contains("123456"), "a PIN in the log");
}

#[test]
fn c_client_demo_card_2_00() {
    run_client(SpecVersion::V2_00, BAS_2);
}

#[test]
fn c_client_demo_card_3_00() {
    run_client(SpecVersion::V3_00, BAS_3);
}

#[test]
fn python_ctypes_client_splits_iread_card_bas() {
    let f = fixture("py", SpecVersion::V2_00);
    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/client.py"))
        .arg(library())
        .env("SSCARD_DRIVER_CONFIG", config(&f, true))
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["ssn"], "110101199003071233");
    assert_eq!(v["name"], "王小明");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(fields.join("|"), BAS_2);
}

#[test]
fn no_reader_and_no_psam_codes_through_the_rust_entry_points() {
    let f = fixture("codes", SpecVersion::V2_00);
    let cfg = f.dir.join("none.toml");
    std::fs::write(
        &cfg,
        "reader = \"emulator:/nonexistent/card.img\"\npsam_reader = \"\"\n",
    )
    .unwrap();
    // One process-wide environment: the other tests pass their configuration to child processes.
    std::env::set_var("SSCARD_DRIVER_CONFIG", &cfg);
    let mut buf = vec![0 as std::ffi::c_char; 256];
    let rc = unsafe { SSCardDriver::iReadCardBas(1, buf.as_mut_ptr()) };
    assert!(rc == -11 || rc == -14, "{rc}");
    let msg = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
        .to_bytes()
        .to_vec();
    assert!(Encoding::Gbk
        .decode(&msg)
        .unwrap()
        .starts_with(&format!("错误码 {rc}: ")));
    std::env::set_var("SSCARD_DRIVER_CONFIG", config(&f, false));
    let rc = unsafe { SSCardDriver::iReadCardBas(1, buf.as_mut_ptr()) };
    assert_eq!(rc, -2201);
    std::env::remove_var("SSCARD_DRIVER_CONFIG");
}
