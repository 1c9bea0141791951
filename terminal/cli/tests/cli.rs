//! The built `sscard` binary against emulated card images: output, JSON, APDU counts, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sscard");
const DEMO_HOLDER: &str = include_str!("../../../demo/holder.toml");
const LONG_NAME: &str = "爱新觉罗·启星玛丽亚特蕾莎娜塔莉";

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(args: &[&str], stdin: Option<&str>) -> Out {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut i = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Out {
    run_in(args, None)
}

fn ok(args: &[&str]) -> Out {
    let o = run(args);
    assert_eq!(
        o.code, 0,
        "sscard {args:?}\nstdout: {}\nstderr: {}",
        o.stdout, o.stderr
    );
    o
}

/// A temp dir with a key set and a card personalised from `holder_text`.
struct Card {
    dir: PathBuf,
}

impl Card {
    fn new(name: &str, holder_text: &str) -> Card {
        let dir = std::env::temp_dir().join(format!("sscard-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let c = Card { dir };
        std::fs::write(c.path("holder.toml"), holder_text).unwrap();
        let suite = if holder_text.contains("spec_version = \"3.00\"") {
            "sscard-3"
        } else {
            "sscard-2"
        };
        ok(&[
            "keys",
            "generate",
            "--out",
            &c.path("keys.toml"),
            "--suite",
            suite,
        ]);
        ok(&[
            "init",
            "--emulator",
            &c.path("card.img"),
            "--keys",
            &c.path("keys.toml"),
        ]);
        ok(&[
            "personalize",
            "--emulator",
            &c.path("card.img"),
            "--keys",
            &c.path("keys.toml"),
            "--holder",
            &c.path("holder.toml"),
        ]);
        c
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }

    fn img(&self) -> String {
        self.path("card.img")
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn apdus(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.split_once("apdus: ").map(|(_, n)| n))
        .unwrap_or_else(|| panic!("no apdu count in {stderr}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn info_text_and_json() {
    let c = Card::new("info", DEMO_HOLDER);
    let o = ok(&["info", "--emulator", &c.img()]);
    assert!(o.stdout.contains("王小明"), "{}", o.stdout);
    assert!(o.stdout.contains("A00000011"));
    assert!(o.stdout.contains("110101199003071233"));
    assert!(o.stdout.contains("1990-03-07"));
    assert!(o.stdout.contains("2034-01-14"));
    let o = ok(&["info", "--emulator", &c.img(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["holder"]["name"], "王小明");
    assert_eq!(v["holder"]["sex"]["code"], "1");
    assert_eq!(v["issuer"]["card_number"], "A00000011");
    assert_eq!(v["issuer"]["version"], "2.00");
    assert_eq!(v["issuer"]["card_id"]["region"], "110100");
    assert_eq!(v["profile"], "sscard-2");
}

#[test]
fn info_json_with_a_32_byte_gbk_name_using_4e() {
    let c = Card::new("longname", &DEMO_HOLDER.replace("王小明", LONG_NAME));
    let o = ok(&["--json", "info", "--emulator", &c.img()]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["holder"]["name"], LONG_NAME);
    let o = ok(&[
        "read",
        "--emulator",
        &c.img(),
        "--json",
        "SSSE/EF06/09",
        "SSSE/EF06/4E",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v[1]["value"], "莉");
    assert_eq!(
        format!(
            "{}{}",
            v[0]["value"].as_str().unwrap(),
            v[1]["value"].as_str().unwrap()
        ),
        LONG_NAME
    );
}

#[test]
fn info_national_format() {
    let c = Card::new("national", DEMO_HOLDER);
    let o = ok(&["info", "--emulator", &c.img(), "--format", "national"]);
    let line = o.stdout.trim_end_matches('\n');
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 12, "{line}");
    assert_eq!(fields[11], "");
    assert_eq!(
        &fields[..5],
        [
            "110100",
            "110101199003071233",
            "A00000011",
            fields[3],
            "王小明"
        ]
    );
    assert!(fields[3].starts_with("110100D156000005"));
    assert_eq!(fields[6..9], ["2.00", "20240115", "20340114"]);
    assert_eq!(fields[9..11], ["", ""]);
}

#[test]
fn info_is_four_apdus_on_2_00_and_the_fallback_is_more() {
    let c = Card::new("count", DEMO_HOLDER);
    let fast = ok(&["info", "--emulator", &c.img(), "-v", "--json"]);
    // SELECT SSSE, EF05, the EF0D probe (national-2.00 or jiangsu-2.00?), EF06.
    assert!(
        fast.stderr.contains("family: national-2.00 · apdus: 4"),
        "{}",
        fast.stderr
    );
    // The trace shows the commands, each READ with the exact Le of the family's layout.
    assert!(fast.stderr.contains("> 00B2012D40"), "{}", fast.stderr);
    assert!(fast.stderr.contains("> 00B201355B"));
    let v: serde_json::Value = serde_json::from_str(&fast.stdout).unwrap();
    assert_eq!(v["family"], "national-2.00");
    // The same card answering like a genuine T=0 card: no GET RESPONSE, no 6Cxx re-issue.
    let t0 = ok(&["info", "--emulator", &c.img(), "-v", "--emulator-t0"]);
    assert_eq!(apdus(&t0.stderr), 4, "{}", t0.stderr);
    // And like a T=1 card (its ATR announces T=1): the same 4 APDUs, the same data.
    let t1 = ok(&["info", "--emulator", &c.img(), "-v", "--emulator-t1"]);
    assert_eq!(apdus(&t1.stderr), 4, "{}", t1.stderr);
    assert_eq!(t0.stdout, t1.stdout);
    // Raw, the wire differs: T=0 announces the FCI (61 18), T=1 returns it at once.
    let select = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF";
    let raw_t0 = ok(&["apdu", "--emulator", &c.img(), "--emulator-t0", select]);
    assert!(raw_t0.stdout.contains("< 6118"), "{}", raw_t0.stdout);
    let raw_t1 = ok(&["apdu", "--emulator", &c.img(), "--emulator-t1", select]);
    assert!(raw_t1.stdout.contains("< 6F16840F"), "{}", raw_t1.stdout);
    let slow = ok(&[
        "info",
        "--emulator",
        &c.img(),
        "-v",
        "--json",
        "--emulator-quirks",
        "refuse-read-all-records",
    ]);
    assert_eq!(apdus(&slow.stderr), 19);
    assert_eq!(fast.stdout, slow.stdout);
}

#[test]
fn read_and_write_items() {
    let c = Card::new("rw", DEMO_HOLDER);
    // No PIN: the card refuses, one line, exit 4.
    let o = run(&["read", "--emulator", &c.img(), "DF04/EF05/81"]);
    assert_eq!(o.code, 4);
    assert_eq!(
        o.stderr.trim(),
        "sscard: card refused READ RECORD DF04/EF05: 6982 (security status not satisfied)"
    );
    let o = ok(&[
        "read",
        "--emulator",
        &c.img(),
        "--pin",
        "123456",
        "DF04/EF05/81",
        "DF01/EF05",
    ]);
    assert!(o.stdout.contains("31010000"), "{}", o.stdout);
    assert!(o.stdout.contains("北京市东城区示例胡同1号"));
    // PIN from stdin.
    let o = run_in(
        &[
            "read",
            "--emulator",
            &c.img(),
            "--pin-stdin",
            "DF04/EF05/8F",
        ],
        Some("123456\n"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("123456") && !o.stdout.contains("123456"));
    // Writes need keys.
    let o = run(&["write", "--emulator", &c.img(), "DF04/EF05/8F=2"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = ok(&[
        "write",
        "--emulator",
        &c.img(),
        "--keys",
        &c.path("keys.toml"),
        "DF04/EF05/8F=2",
    ]);
    assert!(o.stdout.contains("read back"));
    let o = ok(&[
        "read",
        "--emulator",
        &c.img(),
        "--keys",
        &c.path("keys.toml"),
        "--json",
        "DF04/EF05/8F",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v[0]["value"], "2");
    assert_eq!(v[0]["kind"], "item");
}

#[test]
fn pin_commands_and_exit_codes() {
    let c = Card::new("pin", DEMO_HOLDER);
    let img = c.img();
    let o = run(&["pin", "verify", "--emulator", &img, "--pin", "000000"]);
    assert_eq!(o.code, 4);
    assert_eq!(o.stderr.trim(), "sscard: wrong PIN: 2 tries left");
    let o = run_in(&["pin", "verify", "--emulator", &img], Some("123456\n"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("3 tries left"));
    let o = run_in(
        &["pin", "change", "--emulator", &img],
        Some("123456\n654321\n"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    ok(&["pin", "verify", "--emulator", &img, "--pin", "654321"]);
    for _ in 0..3 {
        run(&["pin", "verify", "--emulator", &img, "--pin", "111111"]);
    }
    let o = run(&["pin", "verify", "--emulator", &img, "--pin", "654321"]);
    assert_eq!(o.code, 4);
    assert!(o.stderr.contains("blocked"), "{}", o.stderr);
    let o = ok(&["pin", "status", "--emulator", &img, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["tries_left"], 0);
    ok(&[
        "pin",
        "unblock",
        "--emulator",
        &img,
        "--keys",
        &c.path("keys.toml"),
    ]);
    ok(&[
        "pin",
        "reload",
        "--emulator",
        &img,
        "--keys",
        &c.path("keys.toml"),
        "--new-pin",
        "123456",
    ]);
    ok(&["pin", "verify", "--emulator", &img, "--pin", "123456"]);
}

#[test]
fn auth_says_genuine_and_raw_apdus() {
    let c = Card::new("auth", DEMO_HOLDER);
    let o = ok(&[
        "auth",
        "--emulator",
        &c.img(),
        "--keys",
        &c.path("keys.toml"),
    ]);
    assert!(o.stdout.contains("card genuine"), "{}", o.stdout);
    // Another key set: not genuine (exit 5), or refused.
    let other = c.path("other.toml");
    ok(&["keys", "generate", "--out", &other]);
    let o = run(&[
        "auth",
        "--emulator",
        &c.img(),
        "--keys",
        &other,
        "--internal-only",
    ]);
    assert_eq!(o.code, 5, "{}", o.stderr);
    assert!(o.stdout.contains("NOT GENUINE"));
    // Raw APDUs print the status word's meaning; VERIFY data is masked in the echo.
    let o = ok(&[
        "apdu",
        "--emulator",
        &c.img(),
        "00A404000F7378312E73682EC9E7BBE1B1A3D5CF00",
        "00B2072C0B",
        "0020000003123456",
    ]);
    assert!(o.stdout.contains("9000 (success"), "{}", o.stdout);
    assert!(
        o.stdout.contains("4130303030303031319000") || o.stdout.contains("413030303030303131 9000")
    );
    assert!(o.stdout.contains("redacted"));
    assert!(!o.stdout.contains("123456"));
}

#[test]
fn usage_errors_do_not_panic() {
    let dir = std::env::temp_dir().join(format!("sscard-cli-{}-usage", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.img").display().to_string();
    let o = run(&["info", "--emulator", &missing]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with("sscard: no card image"),
        "{}",
        o.stderr
    );
    let junk = dir.join("junk.img");
    std::fs::write(&junk, b"not a card").unwrap();
    let o = run(&["info", "--emulator", &junk.display().to_string()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("not a card image: the file is")
            || o.stderr.contains("not a card image: truncated: 10 bytes"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"));
    // A truncated card image: what is wrong, not an I/O or transport error.
    let c = Card::new("truncated", DEMO_HOLDER);
    let img = std::fs::read(c.img()).unwrap();
    std::fs::write(c.img(), &img[..img.len() / 3]).unwrap();
    let o = run(&["info", "--emulator", &c.img()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!(
            "not a card image: truncated: {} bytes, a card image has {}",
            img.len() / 3,
            img.len()
        )),
        "{}",
        o.stderr
    );
    let o = run(&["read", "--emulator", &missing, "NOPE/EF05"]);
    assert_eq!(o.code, 2);
    let o = run(&["apdu", "--emulator", &missing, "zz"]);
    assert_eq!(o.code, 2);
    let o = run(&["frobnicate"]);
    assert_eq!(o.code, 2);
    let o = run(&["write", "--emulator", &missing, "SSSE/EF05/07"]);
    assert_eq!(o.code, 2);
    // The emulated card's protocol: t0 or t1, from the flags or SSCARD_CARD_PROTOCOL.
    let o = run(&[
        "info",
        "--emulator",
        &missing,
        "--emulator-t0",
        "--emulator-t1",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let bad = Command::new(BIN)
        .args(["info", "--emulator", &missing])
        .env("SSCARD_CARD_PROTOCOL", "t2")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("SSCARD_CARD_PROTOCOL=\"t2\" is not a protocol: t0 or t1"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn three_zero_card_needs_keys_for_info() {
    let h = DEMO_HOLDER.replace("spec_version = \"2.00\"", "spec_version = \"3.00\"");
    let c = Card::new("v3", &h);
    let o = run(&["info", "--emulator", &c.img()]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    let o = ok(&[
        "info",
        "--emulator",
        &c.img(),
        "--keys",
        &c.path("keys.toml"),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["profile"], "sscard-3");
    assert_eq!(v["issuer"]["version"], "3.00");
    assert!(Path::new(&c.img()).exists());
}

#[test]
fn the_committed_demo_card_reads_in_three_apdus() {
    // A copy: opening an image may write (journal recovery), the committed file stays as it is.
    let dir = std::env::temp_dir().join(format!("sscard-cli-{}-demo", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("card.img");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("demo");
    std::fs::copy(root.join("card.img"), &img).unwrap();
    let img = img.display().to_string();
    let keys = root.join("test-keys.toml").display().to_string();
    assert!(std::fs::read_to_string(&keys)
        .unwrap()
        .starts_with("# TEST KEYS — NOT FOR PRODUCTION"));
    let o = ok(&["info", "--emulator", &img, "-v"]);
    assert!(o.stdout.contains("王小明"), "{}", o.stdout);
    assert_eq!(apdus(&o.stderr), 4);
    let o = ok(&["auth", "--emulator", &img, "--keys", &keys]);
    assert!(o.stdout.contains("card genuine"));
    ok(&["pin", "verify", "--emulator", &img, "--pin", "123456"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_apdu_trace_never_shows_the_pin() {
    let c = Card::new("trace", DEMO_HOLDER);
    let o = ok(&[
        "pin",
        "verify",
        "--emulator",
        &c.img(),
        "--pin",
        "123456",
        "-v",
    ]);
    assert!(
        o.stderr.contains("0020000003 <3 bytes redacted>"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("123456"), "{}", o.stderr);
    assert_eq!(apdus(&o.stderr), 2);
    let o = ok(&[
        "pin",
        "reload",
        "--emulator",
        &c.img(),
        "--keys",
        &c.path("keys.toml"),
        "--new-pin",
        "135790",
        "-v",
    ]);
    assert!(
        o.stderr.contains("842400010C <12 bytes redacted>"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("135790"));
}

#[test]
fn raw_apdus_on_a_t0_card_show_61xx_unless_t0_auto() {
    let c = Card::new("t0", DEMO_HOLDER);
    let select = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF00";
    let o = ok(&[
        "apdu",
        "--emulator",
        &c.img(),
        "--emulator-t0",
        select,
        "00C0000018",
    ]);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[1].starts_with("< 6118 (more data"), "{}", o.stdout);
    assert!(lines[3].starts_with("< 6F16840F"), "{}", o.stdout);
    let o = ok(&[
        "apdu",
        "--emulator",
        &c.img(),
        "--emulator-t0",
        "--t0-auto",
        "-v",
        select,
    ]);
    assert!(
        o.stdout.lines().nth(1).unwrap().starts_with("< 6F16840F"),
        "{}",
        o.stdout
    );
    assert_eq!(apdus(&o.stderr), 2);
    // The session over a T=0 card: info still works (6Cxx re-issues cost APDUs).
    let o = ok(&["info", "--emulator", &c.img(), "--emulator-t0", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["holder"]["name"], "王小明");
}

/// `conform --destructive` with a confirmation that is not the card's number stops before any
/// case runs (exit 2, nothing written to the card image); the right number runs the destructive
/// set, and without a terminal and without `--yes-destroy-card` it refuses too.
#[test]
fn conform_destructive_needs_the_card_number() {
    let c = Card::new("conform-confirm", DEMO_HOLDER);
    let img = c.img();
    let before = std::fs::read(&img).unwrap();
    let keys = c.path("keys.toml");
    let base = [
        "--emulator",
        img.as_str(),
        "--keys",
        keys.as_str(),
        "conform",
    ];
    let o = run(&[
        &base[..],
        &["--destructive", "--yes-destroy-card", "A00000012"],
    ]
    .concat());
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("not the card number A00000011"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("nothing was run"), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert_eq!(
        std::fs::read(&img).unwrap(),
        before,
        "the card image changed"
    );
    // No terminal to type into and no --yes-destroy-card: refused as well.
    let o = run(&[&base[..], &["--destructive", "--quiet"]].concat());
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(
        std::fs::read(&img).unwrap(),
        before,
        "the card image changed"
    );
    // Non-destructive runs leave the destructive cases skipped and say so.
    let o = ok(&[&base[..], &["--quiet", "--pin", "123456"]].concat());
    assert!(
        !o.stdout.contains("destructive cases ENABLED"),
        "{}",
        o.stdout
    );
}

/// `info` with a security module authenticates the card (INTERNAL AUTHENTICATE, IRK): a key file
/// whose IRK differs from the card's finds it not genuine — printed with its data, exit 5;
/// without keys: `not checked`.
#[test]
fn info_reports_whether_the_card_is_genuine() {
    let c = Card::new("genuine", DEMO_HOLDER);
    let keys = c.path("keys.toml");
    let o = ok(&["info", "--emulator", &c.img(), "--keys", &keys, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["genuine"], true);
    let o = ok(&["info", "--emulator", &c.img(), "--keys", &keys]);
    assert!(o.stdout.contains("真伪 Genuine"), "{}", o.stdout);
    assert!(o
        .stdout
        .lines()
        .any(|l| l.starts_with("真伪 Genuine") && l.ends_with(" true")));
    let o = ok(&["info", "--emulator", &c.img(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["genuine"], "not checked");
    let o = ok(&["info", "--emulator", &c.img()]);
    assert!(
        o.stdout.lines().any(|l| l.ends_with(" not checked")),
        "{}",
        o.stdout
    );

    // The same key set with another IRK.
    let text = std::fs::read_to_string(&keys).unwrap();
    let wrong: String = text
        .lines()
        .map(|l| {
            if l.starts_with("IRK = ") {
                format!("IRK = \"{}\"", "5A".repeat(16))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(wrong, text);
    let wrong_keys = c.path("wrong-irk.toml");
    std::fs::write(&wrong_keys, wrong).unwrap();
    let o = run(&[
        "info",
        "--emulator",
        &c.img(),
        "--keys",
        &wrong_keys,
        "--json",
    ]);
    assert_eq!(o.code, 5, "{}\n{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["genuine"], false);
    assert_eq!(v["holder"]["name"], "王小明");
    assert!(
        o.stderr.contains("card A00000011 is not genuine"),
        "{}",
        o.stderr
    );
    let o = run(&["info", "--emulator", &c.img(), "--keys", &wrong_keys]);
    assert_eq!(o.code, 5);
    assert!(o.stdout.contains("王小明"));
    assert!(o
        .stdout
        .lines()
        .any(|l| l.starts_with("真伪 Genuine") && l.ends_with(" false")));
}
