//! The conformance suite has teeth: it passes the correct card, and reports at least one failure
//! for every deliberately faulty variant — wrong personalisation data (image faults) and wrong
//! card-OS behaviour (the card OS's runtime fault table, `sscard_card_os::Faults`).
//!
//! Prints the catch table (`caught N/M`) and which cases caught each variant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sscard_card_os::{CardConfig, Faults, FAULTS};
use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Options, Report};
use sscard_specs::types::DfId;
use sscard_specs::SpecVersion;
use sscard_terminal::transport::emulator::EmulatorOptions;

fn run_card(fresh: &FreshCard, config: CardConfig) -> Report {
    let mut card = fresh.build(config).unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        destructive: true,
        confirm_card_number: Some(fresh.card_number.clone()),
        pin: Some(FRESH_PIN.into()),
        ..Options::default()
    };
    conform::run_with(&mut card, Some(&mut sm), &opts, &mut |_| {})
}

type ImageFault = (&'static str, fn(&mut FreshCard));

fn ef05(f: &mut FreshCard, tag: u8) -> &mut Vec<u8> {
    f.ef_mut(DfId::Ssse, 0xEF05)
        .unwrap()
        .record_mut(tag)
        .unwrap()
}

fn ef06(f: &mut FreshCard, tag: u8) -> &mut Vec<u8> {
    f.ef_mut(DfId::Ssse, 0xEF06)
        .unwrap()
        .record_mut(tag)
        .unwrap()
}

/// Wrong personalisation data on an otherwise correct card.
const IMAGE_FAULTS: &[ImageFault] = &[
    ("card number with a wrong check character", |f| {
        let r = ef05(f, 0x07);
        let last = r.len() - 1;
        r[last] = if r[last] == b'0' { b'1' } else { b'0' };
    }),
    ("init-org issuing region differs from the card id", |f| {
        ef05(f, 0x04)[2 + 5] = 0x12;
    }),
    ("card id without the RID D156000005", |f| {
        ef05(f, 0x01)[2 + 7] = 0x06;
    }),
    ("an item padded with FF instead of 00", |f| {
        let r = ef06(f, 0x09);
        let last = r.len() - 1;
        r[last] = 0xFF;
    }),
    ("cn date with a non-BCD nibble", |f| {
        ef06(f, 0x0D)[2 + 3] = 0x3A;
    }),
    ("cn item padded on the left", |f| {
        ef06(f, 0x0C)[2] = 0xF1;
    }),
    ("sex code outside its code table", |f| {
        ef06(f, 0x0A)[2] = b'3';
    }),
    ("spec version string \"2.1 \"", |f| {
        ef05(f, 0x03)[2..6].copy_from_slice(b"2.1 ");
    }),
    ("expiry date 20341399", |f| {
        ef05(f, 0x06)[2..6].copy_from_slice(&[0x20, 0x34, 0x13, 0x99]);
    }),
    ("issued after it expires", |f| {
        ef05(f, 0x05)[2..6].copy_from_slice(&[0x20, 0x35, 0x01, 0x01]);
    }),
    ("name item one byte short", |f| {
        let r = ef06(f, 0x09);
        r.pop();
        r[1] -= 1;
    }),
    ("EF06 records 0A and 0B swapped", |f| {
        let e = f.ef_mut(DfId::Ssse, 0xEF06).unwrap();
        let a = e.records.iter().position(|r| r[0] == 0x0A).unwrap();
        let b = e.records.iter().position(|r| r[0] == 0x0B).unwrap();
        e.records.swap(a, b);
    }),
    ("2.00 card without the name extension 4E", |f| {
        let e = f.ef_mut(DfId::Ssse, 0xEF06).unwrap();
        e.records.retain(|r| r[0] != 0x4E);
    }),
];

/// The spec versions on which a card-OS fault changes behaviour (every version unless the fault
/// touches a version-specific rule), and whether it needs T=0 behaviour.
fn os_fault_runs(name: &str) -> (&'static [SpecVersion], bool) {
    const BOTH: &[SpecVersion] = &[SpecVersion::V2_00, SpecVersion::V3_00];
    const V3: &[SpecVersion] = &[SpecVersion::V3_00];
    match name {
        // EF06 is free to read and no algorithm id is announced on 2.00 (sscard-spec.md §2.2, §5.3).
        "ef06-read-unprotected" | "fci-no-algorithm-id" => (V3, false),
        "t0-wrong-6cxx" => (BOTH, true),
        _ => (BOTH, false),
    }
}

struct Row {
    kind: &'static str,
    name: String,
    caught_by: Vec<String>,
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<6} {:<58} {:<7} caught by",
        "kind", "fault variant", "caught"
    );
    for r in rows {
        let by = if r.caught_by.len() > 6 {
            format!(
                "{} … (+{})",
                r.caught_by[..6].join(" "),
                r.caught_by.len() - 6
            )
        } else {
            r.caught_by.join(" ")
        };
        println!(
            "{:<6} {:<58} {:<7} {}",
            r.kind,
            r.name,
            if r.caught_by.is_empty() { "NO" } else { "yes" },
            by
        );
    }
    let caught = rows.iter().filter(|r| !r.caught_by.is_empty()).count();
    println!("caught {caught}/{}", rows.len());
}

#[test]
fn suite_catches_every_fault_variant() {
    let mut rows = Vec::new();
    for version in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let fresh = FreshCard::new(version).unwrap();
        let good = run_card(&fresh, fresh.config(EmulatorOptions::default()).unwrap());
        assert!(
            !good.has_failures(),
            "the correct {} card must pass:\n{}",
            version.as_str(),
            good.to_text(false)
        );
        println!(
            "correct card {}: {} cases, {} passed, {} skipped, 0 failed",
            version.as_str(),
            good.results.len(),
            good.totals().passed,
            good.totals().skipped
        );
    }
    for (name, mutate) in IMAGE_FAULTS {
        let mut fresh = FreshCard::new(SpecVersion::V2_00).unwrap();
        mutate(&mut fresh);
        let report = run_card(&fresh, fresh.config(EmulatorOptions::default()).unwrap());
        rows.push(Row {
            kind: "image",
            name: (*name).to_string(),
            caught_by: report.failures().map(|r| r.id.clone()).collect(),
        });
    }
    for fault in FAULTS {
        let (versions, t0) = os_fault_runs(fault.name);
        for &version in versions {
            let fresh = FreshCard::new(version).unwrap();
            let faults = Faults::NONE.with(fault.name).unwrap();
            let config = fresh
                .config(EmulatorOptions::default())
                .unwrap()
                .with_t0(t0)
                .with_faults(faults);
            let report = run_card(&fresh, config);
            rows.push(Row {
                kind: "os",
                name: format!(
                    "{} ({}{})",
                    fault.name,
                    version.as_str(),
                    if t0 { ", T=0" } else { "" }
                ),
                caught_by: report.failures().map(|r| r.id.clone()).collect(),
            });
        }
    }
    print_table(&rows);
    let missed: Vec<_> = rows
        .iter()
        .filter(|r| r.caught_by.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    assert!(missed.is_empty(), "fault variants not caught: {missed:?}");
}
