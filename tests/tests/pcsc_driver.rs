//! libSSCardDriver through pcscd: the card in "Virtual PCD 00 00", the PSAM in "Virtual PCD 00 01"
//! (both served by `sscard_emulate` from images made with the test keys). The C client (compiled
//! with `cc`, linked with the .so) and the Python ctypes client run as integrators run them, with
//! the readers named in the configuration file; then the failure codes: PSAM missing, card pulled
//! mid-call, no card, no reader. Gated by SSCARD_PCSC_E2E.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../terminal/driver/tests/support/mod.rs"]
mod support;

use std::ffi::{c_char, CStr};
use std::path::{Path, PathBuf};
use std::process::Command;

use sscard_e2e::{e2e, Live, READER0, READER1};
use sscard_emulate::serve::EmulateOptions;
use sscard_emulate::vpcd::{PullMode, SECOND_PORT};
use sscard_specs::SpecVersion;
use sscard_terminal::national::Encoding;
use support::{compile_client, expect_file, fixture, library, Files, BAS_2, BAS_3};

fn config(f: &Files, name: &str, reader: &str, psam: &str) -> PathBuf {
    let text = format!(
        "reader = \"{reader}\"\npsam_reader = \"{psam}\"\npin_program = \"{}\"\nterminal_no = \"110100000001\"\n",
        f.dir.join("pin.sh").display()
    );
    let p = f.dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn call_bas() -> (i64, String) {
    let mut buf = vec![0 as c_char; 256];
    // SAFETY: a 256-byte buffer, as documented.
    let rc = unsafe { SSCardDriver::iReadCardBas(1, buf.as_mut_ptr()) };
    // SAFETY: the library NUL-terminates what it writes.
    let bytes = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes().to_vec();
    (rc, Encoding::Gbk.decode(&bytes).unwrap())
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn c_and_python_clients_through_pcscd() {
    let _g = e2e("c_and_python_clients_through_pcscd");
    for (version, bas) in [(SpecVersion::V2_00, BAS_2), (SpecVersion::V3_00, BAS_3)] {
        let f = fixture(&format!("e2e-{}", version.as_str()), version);
        let _live = Live::start(
            EmulateOptions::new(f.dir.join("card.img"))
                .with_psam(f.dir.join("psam.img"), SECOND_PORT),
        );
        let client = compile_client(&f.dir);
        let expect = expect_file(&f, bas);
        for (mode, psam) in [("psam", READER1), ("hsm", "")] {
            let cfg = config(&f, &format!("{mode}.toml"), READER0, psam);
            let out = Command::new(&client)
                .arg(mode)
                .arg(&expect)
                .arg(hsm_program())
                .arg(f.dir.join("keys.toml"))
                .env("SSCARD_DRIVER_CONFIG", &cfg)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{version:?} {mode}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            println!("pcscd {version:?} {mode}: {stdout}");
        }
        let cfg = config(&f, "py.toml", READER0, READER1);
        let out = Command::new("python3")
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../terminal/driver/tests/python/client.py"),
            )
            .arg(library())
            .env("SSCARD_DRIVER_CONFIG", &cfg)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        let fields: Vec<&str> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(fields.join("|"), bas);
        assert_eq!(v["name"], "王小明");
    }
}

/// The test HSM binary (built by cargo for sscard-driver: next to the test's deps/ folder).
fn hsm_program() -> PathBuf {
    let lib = library();
    let dir = lib.parent().unwrap();
    for d in [dir, dir.parent().unwrap()] {
        let p = d.join("sscard-test-hsm");
        if p.is_file() {
            return p;
        }
    }
    panic!("sscard-test-hsm not built (cargo build -p sscard-driver)");
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn psam_missing_card_pulled_no_card_and_no_reader_codes() {
    let _g = e2e("psam_missing_card_pulled_no_card_and_no_reader_codes");
    let f = fixture("e2e-codes", SpecVersion::V2_00);
    let live = Live::start(EmulateOptions::new(f.dir.join("card.img")));
    // The PSAM reader is empty: −2201 (callers then use the HSM functions).
    std::env::set_var(
        "SSCARD_DRIVER_CONFIG",
        config(&f, "a.toml", READER0, READER1),
    );
    let (rc, msg) = call_bas();
    assert_eq!(rc, -2201, "{msg}");
    assert!(msg.starts_with("错误码 -2201: "), "{msg}");
    // Without a PSAM configured, HSM mode works; a card pulled in the middle of a call: −2.
    std::env::set_var("SSCARD_DRIVER_CONFIG", config(&f, "b.toml", READER0, ""));
    let mut out = vec![0 as c_char; 256];
    // SAFETY: 256-byte buffer.
    assert_eq!(
        unsafe { SSCardDriver::iReadCardBas_HSM_Step1(1, out.as_mut_ptr()) },
        0
    );
    live.control().pull(PullMode::AfterExecute);
    // SAFETY: 256-byte buffer.
    let rc = unsafe { SSCardDriver::iReadCardBas_HSM_Step1(1, out.as_mut_ptr()) };
    assert!(rc == -2 || rc == -4, "pulled mid-call: {rc}");
    let _ = sscard_terminal::transport::wait_for_card_removed(READER0, sscard_e2e::WAIT);
    // No card in the reader: −2.
    let (rc, msg) = call_bas();
    assert_eq!(rc, -2, "{msg}");
    live.control().reinsert();
    live.await_inserted(READER0);
    // No such reader: −11.
    std::env::set_var(
        "SSCARD_DRIVER_CONFIG",
        config(&f, "c.toml", "No Such Reader 99", ""),
    );
    let (rc, msg) = call_bas();
    assert_eq!(rc, -11, "{msg}");
    std::env::remove_var("SSCARD_DRIVER_CONFIG");
    drop(live);
}
