//! The HTML conformance report opens in headless Chromium: the DOM holds the summary table and a
//! failure's APDU exchange, and a screenshot renders. Skipped (with a message) when
//! `/usr/bin/chromium` is absent; CI installs it (`apt-get install -y chromium`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_terminal::transport::emulator::EmulatorOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Options, Report};
use sscard_specs::types::DfId;
use sscard_specs::SpecVersion;

const CHROMIUM: &str = "/usr/bin/chromium";

fn temp_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!(
        "sscard-conform-html-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A report with passes, skips and one failure (a card number with a wrong check character).
fn report() -> Report {
    let mut fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
    let ef05 = fresh.ef_mut(DfId::Ssse, 0xEF05).unwrap();
    let rec = ef05.record_mut(0x07).unwrap();
    let last = rec.len() - 1;
    rec[last] = if rec[last] == b'0' { b'1' } else { b'0' };
    let mut card = fresh
        .build(fresh.config(EmulatorOptions::default()).unwrap())
        .unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        pin: Some(FRESH_PIN.into()),
        target_name: "fresh emulated card <2.00> & \"quotes\"".into(),
        ..Options::default()
    };
    conform::run_with(&mut card, Some(&mut sm), &opts, &mut |_| {})
}

/// Run chromium with stdout/stderr in files (a pipe would fill up and stall it); returns
/// (success, stdout, stderr).
fn chromium(args: &[String], dir: &Path, name: &str) -> (bool, String, String) {
    let out_path = dir.join(format!("{name}.out"));
    let err_path = dir.join(format!("{name}.err"));
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join(format!("profile-{name}")).display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status.success(),
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        std::fs::read_to_string(&err_path).unwrap_or_default(),
    )
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let report = report();
    let html = report.to_html();
    // Self-contained: no external resources, no scripts.
    for needle in ["http://", "https://", "<script", "<link", "src=\""] {
        assert!(!html.contains(needle), "the report references {needle}");
    }
    // The check-character case fails, nothing else.
    let failed: Vec<_> = report.failures().map(|r| r.title.as_str()).collect();
    assert_eq!(
        failed,
        ["Card number check character"],
        "{}",
        report.to_text(false)
    );

    if !Path::new(CHROMIUM).exists() {
        eprintln!("SKIPPED: {CHROMIUM} not found (apt-get install -y chromium)");
        return;
    }
    let dir = temp_dir();
    let file = dir.join("report.html");
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}", file.display());

    let (ok, dom, err) = chromium(&["--dump-dom".into(), url.clone()], &dir, "dom");
    assert!(ok, "chromium --dump-dom failed: {err}");
    assert!(
        dom.contains("<table id=\"summary\">"),
        "summary table missing from the DOM"
    );
    for row in report.summary() {
        assert!(
            dom.contains(&format!("{}</", row.total)),
            "count {} missing",
            row.total
        );
        let title = row.title.replace('&', "&amp;");
        assert!(dom.contains(&title), "area {title} missing from the DOM");
    }
    assert!(dom.contains("ITM-"), "failed case missing");
    // The failures index links every failed case.
    for f in report.failures() {
        assert!(
            dom.contains(&format!("<a href=\"#{0}\"><code>{0}</code></a>", f.id)),
            "failures index lacks {}",
            f.id
        );
    }
    assert!(dom.contains("class=\"trace\""), "failure exchange missing");
    assert!(dom.contains("00B2"), "APDU of the failure missing");
    assert!(dom.contains("&lt;2.00&gt; &amp;"), "escaping broken");

    let png = dir.join("report.png");
    let (ok, _, err) = chromium(
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,900".into(),
            url,
        ],
        &dir,
        "shot",
    );
    assert!(ok, "chromium --screenshot failed: {err}");
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.len() > 1000, "screenshot is {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    println!(
        "DOM {} bytes, screenshot {} bytes at {}",
        dom.len(),
        bytes.len(),
        png.display()
    );
    // To look at it: SSCARD_CONFORM_SCREENSHOT=/tmp/x.png cargo test --test conform_html
    if let Some(keep) = std::env::var_os("SSCARD_CONFORM_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_and_junit_reports() {
    let report = report();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["results"].as_array().unwrap().len(),
        report.results.len()
    );
    let failed: Vec<_> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"]["status"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["exchanges"].as_array().unwrap().len() > 1);
    let junit = report.to_junit();
    assert!(junit.starts_with("<?xml"));
    let suites = junit.matches("<testsuite ").count();
    assert_eq!(suites, report.summary().len() - 1, "one testsuite per area");
    assert_eq!(junit.matches("<failure ").count(), 1);
    assert_eq!(junit.matches("<testcase ").count(), report.results.len());
    assert!(!junit.contains("<2.00>"), "unescaped text in XML");
}
