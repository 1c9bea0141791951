//! Verdicts do not depend on the order the cases run in (issue 10, family 12): the full suite,
//! destructive cases included, runs on a fresh emulated card in the normal order and in shuffled
//! orders (fixed seeds), for both suites (2.00/3DES, 3.00/SM4) and both answer styles (T=1 and
//! T=0), and every case must get the same verdict (pass / fail / skip) every time. The
//! irreversible cases (permanent application block, card block) stay last: nothing can run after
//! them on the same card.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use sscard_card_os::Faults;
use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Case, Options, Report};
use sscard_specs::SpecVersion;
use sscard_terminal::transport::emulator::EmulatorOptions;

/// A small deterministic generator (xorshift64*), so a failing order can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The cases in run order, or shuffled by `seed` with the irreversible ones kept last.
fn order(seed: Option<u64>) -> Vec<Case> {
    let cases = conform::all_cases();
    let Some(seed) = seed else {
        return cases;
    };
    let (mut movable, last): (Vec<Case>, Vec<Case>) =
        cases.into_iter().partition(|c| !c.irreversible);
    let mut rng = Rng(seed | 1);
    for i in (1..movable.len()).rev() {
        let j = rng.below(i + 1);
        movable.swap(i, j);
    }
    movable.extend(last);
    movable
}

fn run(version: SpecVersion, t0: bool, seed: Option<u64>) -> Report {
    run_faulty(version, t0, seed, Faults::NONE)
}

fn run_faulty(version: SpecVersion, t0: bool, seed: Option<u64>, faults: Faults) -> Report {
    let fresh = FreshCard::new(version).unwrap();
    let config = fresh
        .config(EmulatorOptions {
            protocol: sscard_card_os::Protocol::from_t0(t0),
            ..EmulatorOptions::default()
        })
        .unwrap()
        .with_faults(faults);
    let mut card = fresh.build(config).unwrap();
    let mut sm = fresh.security_module();
    let opts = Options {
        destructive: true,
        confirm_card_number: Some(fresh.card_number.clone()),
        pin: Some(FRESH_PIN.to_string()),
        ..Options::default()
    };
    conform::run_cases(&mut card, Some(&mut sm), &opts, &order(seed), &mut |_| {})
}

fn verdicts(r: &Report) -> BTreeMap<String, (String, String)> {
    r.results
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                (
                    c.verdict.label().to_string(),
                    c.verdict.reason().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect()
}

const SEEDS: [u64; 3] = [0x5EED_0001, 0x0BAD_CAFE, 0x1234_5678_9ABC_DEF0];

fn same_verdicts_in_every_order(version: SpecVersion, t0: bool) {
    let normal = run(version, t0, None);
    assert!(
        !normal.has_failures(),
        "the correct {} card (T={}) must pass in the normal order:\n{}",
        version.as_str(),
        if t0 { 0 } else { 1 },
        normal.to_text(false)
    );
    let want = verdicts(&normal);
    for seed in SEEDS {
        let shuffled = run(version, t0, Some(seed));
        let got = verdicts(&shuffled);
        let diff: Vec<String> = want
            .iter()
            .filter_map(|(id, (v, why))| {
                let (v2, why2) = got.get(id)?;
                (v != v2).then(|| {
                    format!(
                        "{id}: {v} ({why}) in the normal order, {v2} ({why2}) with seed {seed:#x}"
                    )
                })
            })
            .collect();
        assert!(
            diff.is_empty(),
            "{} T={}: verdicts depend on the order:\n{}",
            version.as_str(),
            if t0 { 0 } else { 1 },
            diff.join("\n")
        );
        assert_eq!(got.len(), want.len());
    }
}

#[test]
fn verdicts_do_not_depend_on_order_2_00_t1() {
    same_verdicts_in_every_order(SpecVersion::V2_00, false);
}

#[test]
fn verdicts_do_not_depend_on_order_3_00_t1() {
    same_verdicts_in_every_order(SpecVersion::V3_00, false);
}

#[test]
fn verdicts_do_not_depend_on_order_2_00_t0() {
    same_verdicts_in_every_order(SpecVersion::V2_00, true);
}

#[test]
fn verdicts_do_not_depend_on_order_3_00_t0() {
    same_verdicts_in_every_order(SpecVersion::V3_00, true);
}

/// Faulty cards whose faults the suite can undo between cases (the try counters are put back
/// at the start and end of every destructive case, a blocked application is unblocked, the state is cut by a power cycle, a
/// record is never rewritten with another record's content): their verdicts must not depend
/// on the order either. (A card whose successful EXTERNAL AUTHENTICATE *consumes* a try,
/// `key-counter-not-restored`, cannot be undone: which case meets the blocked key first depends
/// on the order by nature; so with `pin-counter-not-restored`, where every correct VERIFY costs a
/// try and the non-destructive cases, which may not unblock, block the PIN after three;
/// `record-numbers-swapped` neither: the destructive cases APPEND records to cyclic files, and
/// whether a cyclic file holds a record 2 for the fault to answer decides some verdicts.)
const UNDOABLE: &[&str] = &[
    "reset-keeps-security-state",
    "app-block-not-enforced",
    "wrong-tries-count",
];

/// For each seed: every case whose verdict on the card with `faults` differs from the verdict in
/// the published order, as `name: id: verdict (why) / verdict (why) with seed`.
fn order_diff(name: &str, faults: Faults) -> Vec<String> {
    let want = verdicts(&run_faulty(SpecVersion::V2_00, false, None, faults));
    let mut diff = Vec::new();
    for seed in SEEDS {
        let got = verdicts(&run_faulty(SpecVersion::V2_00, false, Some(seed), faults));
        for (id, (v, why)) in &want {
            let (v2, why2) = &got[id];
            if v != v2 {
                diff.push(format!(
                    "{name}: {id}: {v} ({why}) / {v2} ({why2}) with seed {seed:#x}"
                ));
            }
        }
    }
    diff
}

#[test]
fn faulty_cards_get_the_same_verdicts_in_every_order() {
    let diff: Vec<String> = UNDOABLE
        .iter()
        .flat_map(|name| order_diff(name, Faults::NONE.with(name).unwrap()))
        .collect();
    assert!(
        diff.is_empty(),
        "verdicts depend on the order:\n{}",
        diff.join("\n")
    );
}
