//! Shared by the driver's integrator tests and the workspace's pcscd e2e test (included there
//! with `#[path]`): the demo card and PSAM images with the test keys, the expected strings, the C
//! client built with `cc`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

const DEMO_HOLDER: &str = include_str!("../../../../demo/holder.toml");

/// The byte-exact `iReadCardBas` of the demo card with the test keys and the test PSAM.
pub const BAS_2: &str = "110100|110101199003071233|A00000011|110100D156000005000000013FB0911D|王小明|00815343208611010000000001|2.00|20240115|20340114|110100000001|00000000000000001001|";
/// The same for the 3.00 card.
pub const BAS_3: &str = "110100|110101199003071233|A00000011|110100D1560000050000000189878CA5|王小明|00815343208611010000000001|3.00|20240115|20340114|110100000001|00000000000000001001|";

pub struct Files {
    /// The directory.
    pub dir: PathBuf,
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
pub fn fixture(name: &str, version: SpecVersion) -> Files {
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
pub fn compile_client(out: &Path) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../terminal/driver");
    let manifest = if manifest.is_dir() {
        manifest
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
    };
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
        // DT_RPATH (not RUNPATH): searched before LD_LIBRARY_PATH, which `cargo test` points at
        // target/debug, where an older uplifted libSSCardDriver.so may still lie.
        .arg("-Wl,--disable-new-dtags")
        .arg(format!("-Wl,-rpath,{}", lib.parent().unwrap().display()))
        .output()
        .expect("the system C compiler (cc)");
    assert!(
        st.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    bin
}

pub fn expect_file(f: &Files, bas: &str) -> PathBuf {
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
