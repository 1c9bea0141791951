//! Access-rule matrix generated from `sscard_specs`: for every EF of every DF, a read and a write
//! are attempted in every relevant security state (none, PIN, each key the EF's rules name, PIN +
//! each key, all keys, PIN + all keys); the status word must match the spec's rule.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_specs::files::DFS;
use sscard_specs::types::{DfId, EfSpec, EfStructure, KeyName, ReadRule, WriteRule};

fn expect_read(rule: ReadRule, pin: bool, keys: &[KeyName]) -> bool {
    let has = |k: KeyName| keys.contains(&k);
    match rule {
        ReadRule::Free => true,
        ReadRule::Pin => pin,
        ReadRule::PinOrKey(k) => pin || has(k),
        ReadRule::PinAndKey(k) => pin && has(k),
        ReadRule::Key(k) => has(k),
        ReadRule::Never => false,
    }
}

fn expect_write(rule: WriteRule, keys: &[KeyName]) -> bool {
    matches!(rule, WriteRule::Key(k) if keys.contains(&k))
}

/// (read APDU, write APDU) for an EF, addressed by SFI / as the current EF.
fn probes(h: &Host, ef: &EfSpec) -> (Vec<u8>, Vec<u8>) {
    let v = version_of(h.profile);
    match ef.structure_for(v) {
        EfStructure::Transparent { .. } => (hx("00B0000008"), hx("00D6000002AA55")),
        EfStructure::Cyclic { record_len, .. } => {
            let mut w = vec![0x00, 0xE2, 0x00, 0x00, record_len];
            w.extend(std::iter::repeat_n(0x11, usize::from(record_len)));
            (hx("00B2010400"), w)
        }
        _ => {
            let item = ef
                .items_for(v)
                .iter()
                .find(|i| i.versions.contains(v))
                .unwrap();
            let mut w = vec![0x00, 0xDC, 0x01, 0x04, item.len + 2, item.tag, item.len];
            w.extend(std::iter::repeat_n(0x00, usize::from(item.len)));
            (hx("00B2010400"), w)
        }
    }
}

fn run(profile: &'static Profile) -> usize {
    let base = image(profile, b"123456");
    let v = version_of(profile);
    let mut cases = 0;
    for (di, df) in DFS.iter().enumerate() {
        let id = DfId::ALL[di];
        for ef in df.efs {
            let read_rule = ef.read_for(v);
            let mut relevant: Vec<KeyName> = Vec::new();
            relevant.extend(read_rule.key());
            relevant.extend(ef.write.key());
            relevant.dedup();
            let mut states: Vec<(bool, Vec<KeyName>)> = vec![(false, vec![]), (true, vec![])];
            for k in &relevant {
                states.push((false, vec![k]));
                states.push((true, vec![k]));
            }
            if relevant.len() > 1 {
                states.push((false, relevant.clone()));
                states.push((true, relevant.clone()));
            }
            for (pin, keys) in states {
                let mut h = Host::from_image(base.clone(), profile);
                h.select_ssse();
                if id != DfId::Ssse {
                    assert_eq!(h.select_df(id), 0x9000);
                }
                if pin {
                    assert_eq!(h.sw("0020000003123456"), 0x9000);
                }
                for k in &keys {
                    assert_eq!(h.ext_auth(k), 0x9000, "{} ext-auth {k}", id.name());
                }
                assert_eq!(h.select_ef(ef.fid), 0x9000);
                let (r, w) = probes(&h, ef);
                let ctx = format!(
                    "{}/{:04X} pin={pin} keys={keys:?} ({})",
                    id.name(),
                    ef.fid,
                    profile.name
                );
                let (_, sw) = h.send(&r);
                if expect_read(read_rule, pin, &keys) {
                    let empty_cyclic = matches!(ef.structure_for(v), EfStructure::Cyclic { .. });
                    assert!(
                        sw == 0x9000 || (empty_cyclic && sw == 0x6A83),
                        "read {ctx}: {sw:04X}"
                    );
                } else {
                    assert_eq!(sw, 0x6982, "read {ctx}");
                }
                let (_, sw) = h.send(&w);
                if expect_write(ef.write, &keys) {
                    assert_eq!(sw, 0x9000, "write {ctx}");
                } else {
                    assert_eq!(sw, 0x6982, "write {ctx}");
                }
                cases += 2;
            }
        }
    }
    cases
}

#[test]
fn access_matrix_sscard_2() {
    let n = run(&SSCARD_2);
    println!("access matrix sscard-2 (2.00): {n} read/write cases");
    assert!(n > 200);
}

#[test]
fn access_matrix_sscard_3() {
    let n = run(&SSCARD_3);
    println!("access matrix sscard-3 (3.00): {n} read/write cases");
    assert!(n > 200);
}
