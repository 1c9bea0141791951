//! libSSCardDriver as integrators use it: a C program compiled with the system `cc` against
//! `include/SSCardDriver.h`, linked with the built `libSSCardDriver.so`, calling every function
//! and checking byte-exact outputs for the demo card (2.00 and 3.00; with a PSAM, and in HSM mode
//! against `sscard-test-hsm` playing the HSM from the test keys); a Python ctypes client splitting
//! `iReadCardBas` on `|`. The card and the PSAM are sscard images served in-process by the library
//! (`reader = "emulator:…"`); `tests/` of the workspace runs the same programs through pcscd.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{provision, PsamParams, PSAM_STORE_SIZE};
use sscard_card_os::store::FileStore;
use sscard_keys::{Profile, SoftwareSecurityModule};
use sscard_specs::SpecVersion;
use sscard_terminal::model::holder::HolderProfile;
use sscard_terminal::national::Encoding;
use sscard_terminal::session::personalize;
use sscard_terminal::transport::emulator::{
    create_image, identity, EmulatorOptions, EmulatorTransport,
};
use sscard_terminal::Session;

const DEMO_HOLDER: &str = include_str!("../../../demo/holder.toml");

/// The byte-exact `iReadCardBas` of the demo card with the test keys and the test PSAM.
pub const BAS_2: &str = "110100|110101199003071233|A00000011|110100D156000005000000013FB0911D|王小明|00815343208611010000000001|2.00|20240115|20340114|110100000001|00000000000000001001|";
/// The same for the 3.00 card.
pub const BAS_3: &str = "110100|110101199003071233|A00000011|110100D1560000050000000189878CA5|王小明|00815343208611010000000001|3.00|20240115|20340114|110100000001|00000000000000001001|";

struct Files {
    dir: PathBuf,
}

impl Drop for Files {
    fn drop(&mut self) {
        if std::env::var_os("KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn key_file_text(profile: &'static Profile) -> String {
    let ks = test_issuer_keys(profile);
    let mut s = format!("suite = \"{}\"\n[keys]\n", profile.name);
    for name in ks.names() {
        let (k, _) = ks.get(name).unwrap();
        s.push_str(&format!(
            "{name} = \"{}\"\n",
            hex::encode_upper(k.as_bytes())
        ));
    }
    s
}

/// Card image, PSAM image, key file, PIN program for `version` in a fresh directory.
fn fixture(name: &str, version: SpecVersion) -> Files {
    let dir = std::env::temp_dir().join(format!("sscard-driver-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let profile = Profile::by_name(version.profile_name()).unwrap();
    let keys = test_issuer_keys(profile);
    std::fs::write(dir.join("keys.toml"), key_file_text(profile)).unwrap();
    let card = dir.join("card.img");
    create_image(
        &card,
        profile,
        version,
        identity("110100", "00000001").unwrap(),
        &keys,
        "000000",
        false,
    )
    .unwrap();
    {
        let t = EmulatorTransport::open_image(&card, EmulatorOptions::default()).unwrap();
        let mut s = Session::open(t).unwrap();
        s.set_security_module(SoftwareSecurityModule::new(
            profile,
            test_issuer_keys(profile),
        ));
        let h = DEMO_HOLDER.replace(
            "spec_version = \"2.00\"",
            &format!("spec_version = \"{}\"", version.as_str()),
        );
        personalize(&mut s, &HolderProfile::parse(&h).unwrap()).unwrap();
    }
    let mut store = FileStore::open(&dir.join("psam.img"), PSAM_STORE_SIZE).unwrap();
    provision(
        &mut store,
        &PsamParams {
            profile,
            keys: &keys,
            terminal_number: [0x11, 0x01, 0x00, 0x00, 0x00, 0x01],
            serial: [0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01],
            issuer_id: [0x11, 0x01, 0, 0, 0, 0, 0, 0],
        },
    )
    .unwrap();
    store.sync().unwrap();
    let pin = dir.join("pin.sh");
    std::fs::write(&pin, "#!/bin/sh\necho 123456\n").unwrap();
    Command::new("chmod").arg("+x").arg(&pin).status().unwrap();
    Files { dir }
}

/// Where cargo put the cdylib (next to the test binary's deps/ folder, or one level up).
pub fn library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for d in [deps, deps.parent().unwrap()] {
        let p = d.join("libSSCardDriver.so");
        if p.is_file() {
            return p;
        }
    }
    panic!("libSSCardDriver.so not found next to {}", deps.display());
}

/// Compile tests/c/client.c with `cc` against the header and the library.
fn compile_client(out: &Path) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = library();
    let bin = out.join("client");
    let st = Command::new("cc")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(manifest.join("include"))
        .arg(manifest.join("tests/c/client.c"))
        .arg("-o")
        .arg(&bin)
        .arg(format!("-L{}", lib.parent().unwrap().display()))
        .arg("-lSSCardDriver")
        .arg(format!("-Wl,-rpath,{}", lib.parent().unwrap().display()))
        .status()
        .expect("the system C compiler (cc)");
    assert!(st.success(), "cc failed");
    bin
}

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

fn expect_file(f: &Files, bas: &str) -> PathBuf {
    let hsm_bas = bas
        .rsplitn(3, '|')
        .nth(2)
        .map(|head| format!("{head}||"))
        .unwrap();
    let fields: Vec<&str> = bas.split('|').collect();
    let lines = [
        bas.to_string(),
        hsm_bas,
        // EF06 needs RKSSSE on 3.00 cards: the free read is EF05 there.
        if fields[6] == "3.00" {
            "SSSEEF05|A00000011|20240115|$".to_string()
        } else {
            "SSSEEF05|A00000011|20240115|$SSSEEF06|110101199003071233|王小明|$".to_string()
        },
        format!("{}|{}|", fields[3], fields[2]),
        if fields[6] == "3.00" {
            "SSSEEF05|07|05|$".to_string()
        } else {
            "SSSEEF05|07|05|$SSSEEF06|08|09|$".to_string()
        },
    ];
    let mut bytes = Vec::new();
    for l in lines {
        bytes.extend(Encoding::Gbk.encode(&l));
        bytes.push(b'\n');
    }
    let p = f.dir.join("expect.txt");
    std::fs::write(&p, bytes).unwrap();
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
