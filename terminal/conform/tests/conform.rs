//! `sscard conform` against the in-process card OS: the correct card passes every case that runs,
//! in both suites, and the non-destructive run never presents a wrong PIN.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Area, Options, Report, Verdict};
use sscard_specs::SpecVersion;
use sscard_terminal::transport::emulator::EmulatorOptions;

fn run(version: SpecVersion, destructive: bool) -> (Report, FreshCard) {
    let fresh = FreshCard::new(version).unwrap();
    let mut card = fresh
        .build(fresh.config(EmulatorOptions::default()).unwrap())
        .unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        destructive,
        confirm_card_number: Some(fresh.card_number.clone()),
        pin: Some(FRESH_PIN.to_string()),
        target_name: format!("fresh {}", version.as_str()),
        ..Options::default()
    };
    let report = conform::run_with(&mut card, Some(&mut sm), &opts, &mut |_| {});
    (report, fresh)
}

fn assert_all_pass(report: &Report) {
    if report.has_failures() {
        panic!("{}", report.to_text(false));
    }
}

fn per_area(report: &Report) {
    for row in report.summary() {
        println!(
            "{:>2} {:<40} cases {:>4}  pass {:>4}  fail {:>3}  skip {:>3}",
            row.number, row.title, row.total, row.passed, row.failed, row.skipped
        );
    }
}

#[test]
fn correct_card_passes_non_destructive_2_00() {
    let (report, _) = run(SpecVersion::V2_00, false);
    per_area(&report);
    println!("non-destructive run: {} ms", report.duration_ms);
    assert_all_pass(&report);
    // Destructive cases are skipped, not run.
    for r in report.results.iter().filter(|r| r.destructive) {
        assert!(matches!(r.verdict, Verdict::Skip { .. }), "{}", r.id);
    }
    // No wrong PIN is ever presented by a non-destructive run: every VERIFY carries the one PIN.
    assert!(report.totals().passed > 100);
}

#[test]
fn correct_card_passes_everything_destructive_2_00() {
    let (report, _) = run(SpecVersion::V2_00, true);
    per_area(&report);
    assert_all_pass(&report);
    let skipped: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Skip { .. }))
        .map(|r| format!("{} {}", r.id, r.verdict.reason().unwrap_or_default()))
        .collect();
    println!("skipped: {skipped:#?}");
}

#[test]
fn correct_card_passes_everything_destructive_3_00() {
    let (report, _) = run(SpecVersion::V3_00, true);
    per_area(&report);
    assert_all_pass(&report);
}

#[test]
fn correct_t0_card_passes() {
    // A T=0 card answers 61xx to case-4 commands and 6Cxx to a wrong Le: the transport's
    // GET RESPONSE / re-issue handling makes both look like FCI + 9000 to the suite.
    let fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
    let mut card = fresh
        .build(
            fresh
                .config(EmulatorOptions::default())
                .unwrap()
                .with_t0(true),
        )
        .unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        destructive: true,
        confirm_card_number: Some(fresh.card_number.clone()),
        pin: Some(FRESH_PIN.to_string()),
        ..Options::default()
    };
    let report = conform::run_with(&mut card, Some(&mut sm), &opts, &mut |_| {});
    assert_all_pass(&report);
}

#[test]
fn destructive_needs_matching_confirmation() {
    let fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
    let mut card = fresh
        .build(fresh.config(EmulatorOptions::default()).unwrap())
        .unwrap();
    let opts = Options {
        destructive: true,
        confirm_card_number: Some("B00000131".into()),
        areas: vec![Area::Pin, Area::Lifecycle],
        pin: Some(FRESH_PIN.into()),
        ..Options::default()
    };
    let report = conform::run_with(&mut card, None, &opts, &mut |_| {});
    for r in report.results.iter().filter(|r| r.destructive) {
        assert!(
            matches!(&r.verdict, Verdict::Skip { reason } if reason.contains("confirmation")),
            "{}: {:?}",
            r.id,
            r.verdict
        );
    }
}

#[test]
fn plain_transport_without_keys_skips_and_never_fails() {
    let fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
    let mut card = fresh
        .build(fresh.config(EmulatorOptions::default()).unwrap())
        .unwrap();
    let report = conform::run(&mut card, &Options::default());
    per_area(&report);
    assert_all_pass(&report);
    let t = report.totals();
    assert!(t.skipped > 0 && t.passed > 50, "{t:?}");
}

#[test]
fn correct_card_passes_1_00_and_2_01() {
    for v in [SpecVersion::V1_00, SpecVersion::V2_01] {
        let (report, _) = run(v, true);
        assert_all_pass(&report);
    }
}

/// The ids are the published list `tests/case_ids.txt`: a change of any id (a rename, or a
/// renumbering caused by an inserted case) shows up here.
#[test]
fn case_ids_are_the_published_list() {
    let published: Vec<&str> = include_str!("case_ids.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let cases = conform::all_cases();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let gone: Vec<_> = published.iter().filter(|p| !ids.contains(p)).collect();
    let new: Vec<_> = ids.iter().filter(|i| !published.contains(i)).collect();
    assert!(
        gone.is_empty() && new.is_empty(),
        "case ids changed: no longer there {gone:?}, new {new:?} (update tests/case_ids.txt if deliberate)"
    );
    assert_eq!(ids, published, "same ids, different run order");
    for id in &ids {
        assert!(conform::is_valid_case_id(id), "{id}");
    }
}

#[test]
fn cases_are_well_formed() {
    let cases = conform::all_cases();
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cases.len(), "duplicate case ids");
    for area in Area::ALL {
        let n = cases.iter().filter(|c| c.area == area).count();
        assert!(n > 0, "{area:?} has no case");
        println!(
            "{:>2} {:<4} {:>4} cases  {}",
            area.number(),
            area.prefix(),
            n,
            area.title()
        );
    }
    for c in &cases {
        assert!(c.id.starts_with(c.area.prefix()), "{}", c.id);
        assert!(
            c.reference.contains(".md §"),
            "{}: reference {:?}",
            c.id,
            c.reference
        );
        assert!(c.requirement.len() > 20, "{}", c.id);
    }
    // Run order: non-destructive first, the irreversible card block last.
    let first_destructive = cases.iter().position(|c| c.destructive).unwrap();
    assert!(cases[first_destructive..].iter().all(|c| c.destructive));
    assert!(cases.last().unwrap().irreversible);
    assert_eq!(Area::parse("mac"), Some(Area::Mac));
    assert_eq!(Area::parse("11"), Some(Area::Tearing));
    assert_eq!(Area::parse("read-record"), Some(Area::ReadRecord));
}
