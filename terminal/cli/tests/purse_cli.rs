//! `sscard balance | load | debit | log` against a copy of the bundled demo card image: amounts
//! in yuan, JSON receipts, and bad input — negative, zero, too large, non-numeric amounts, a bad
//! class, date or terminal number, a debit above the balance — refused with a clear message
//! and nothing charged (balance and log read back).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sscard");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Card {
    dir: PathBuf,
}

impl Card {
    fn new(name: &str) -> Card {
        let dir = std::env::temp_dir().join(format!("sscard-purse-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
        std::fs::copy(format!("{root}/card.img"), dir.join("card.img")).unwrap();
        Card { dir }
    }

    fn run(&self, args: &[&str]) -> Out {
        let img = self.dir.join("card.img");
        let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/test-keys.toml");
        let o = Command::new(BIN)
            .arg("--emulator")
            .arg(&img)
            .arg("--keys")
            .arg(keys)
            .args(args)
            .env("SSCARD_STATE_DIR", self.dir.join("state"))
            .output()
            .unwrap();
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> Out {
        let o = self.run(args);
        assert_eq!(o.code, 0, "{args:?}\n{}\n{}", o.stdout, o.stderr);
        o
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        serde_json::from_str(&self.ok(&a).stdout).unwrap()
    }

    fn balance_fen(&self) -> u64 {
        self.json(&["balance"])["balance"]["fen"].as_u64().unwrap()
    }

    fn log_len(&self) -> usize {
        self.json(&["log", "--pin", "123456"])
            .as_array()
            .unwrap()
            .len()
    }
}

#[test]
fn load_debit_balance_and_log() {
    let c = Card::new("flow");
    assert_eq!(c.balance_fen(), 0);
    let l = c.json(&["load", "100", "--time", "20261203090000"]);
    assert_eq!(l["balance_after"]["yuan"], "100.00");
    let d = c.json(&[
        "debit",
        "12.34",
        "--pin",
        "123456",
        "--type",
        "medical-aid",
        "--self-pay",
        "50",
        "--fund",
        "30.5",
        "--time",
        "20261203093000",
    ]);
    assert_eq!(d["charged"], true);
    assert_eq!(d["mac2_valid"], true);
    assert_eq!(d["balance_after"]["fen"], 8766);
    assert_eq!(d["serial"], 1);
    assert_eq!(d["tac"].as_str().unwrap().len(), 8);
    let text = c.ok(&["balance"]).stdout;
    assert_eq!(text.trim(), "balance: 87.66 yuan");
    let log = c.json(&["log", "--pin", "123456"]);
    let e = &log[0];
    assert_eq!(e["kind"], "settlement");
    assert_eq!(e["personal_account"]["fen"], 1234);
    assert_eq!(e["self_pay"]["fen"], 5000);
    assert_eq!(e["pooled_fund"]["fen"], 3050);
    assert_eq!(e["class"], "medical-aid");
    assert_eq!(e["time"], "2026-12-03 09:30:00");
    assert_eq!(log[1]["kind"], "load");
    // the next debit takes the next serial from the state file
    let d2 = c.json(&["debit", "1", "--pin", "123456"]);
    assert_eq!(d2["serial"], 2);
    let table = c.ok(&["log", "--pin", "123456"]).stdout;
    assert!(
        table.contains("medical-aid") && table.contains("12.34"),
        "{table}"
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_charged() {
    let c = Card::new("bad");
    c.ok(&["load", "5"]);
    let (b0, n0) = (c.balance_fen(), c.log_len());
    for (args, code, msg) in [
        (vec!["debit", "-1"], 2, "AMOUNT must be an amount in yuan"),
        (vec!["debit", "0"], 2, "AMOUNT must be more than 0"),
        (vec!["debit", "0.00"], 2, "AMOUNT must be more than 0"),
        (vec!["debit", "abc"], 2, "AMOUNT must be an amount in yuan"),
        (vec!["debit", "1e3"], 2, "AMOUNT must be an amount in yuan"),
        (
            vec!["debit", "12.345"],
            2,
            "AMOUNT must be an amount in yuan",
        ),
        (
            vec!["debit", "42949672.96"],
            2,
            "AMOUNT must be an amount in yuan",
        ),
        (vec!["debit", "1", "--fund", "-2"], 2, "--fund must be"),
        (vec!["debit", "1", "--type", "dental"], 2, "--type must be"),
        (
            vec!["debit", "1", "--time", "20261301000000"],
            2,
            "--time must be",
        ),
        (
            vec!["debit", "1", "--terminal-no", "12AB"],
            2,
            "--terminal-no must be",
        ),
        (vec!["debit", "5.01"], 4, "9401"),
        (vec!["load", "-5"], 2, "AMOUNT must be an amount in yuan"),
        (vec!["load", "0"], 2, "AMOUNT must be more than 0"),
        (vec!["load", "x"], 2, "AMOUNT must be an amount in yuan"),
        (vec!["load", "42949672.95"], 4, "LOAD"),
    ] {
        let mut a = args.clone();
        if a[0] == "debit" {
            a.extend_from_slice(&["--pin", "123456"]);
        }
        let o = c.run(&a);
        assert_eq!(o.code, code, "{a:?}: {}", o.stderr);
        assert!(o.stderr.contains(msg), "{a:?}: {}", o.stderr);
        assert!(!o.stderr.contains("panicked"), "{a:?}: {}", o.stderr);
        assert_eq!(
            (c.balance_fen(), c.log_len()),
            (b0, n0),
            "{a:?}: nothing charged"
        );
    }
}
