//! The one FCI codec builds, from each card family's description in `sscard_specs::family`, the
//! bytes the genuine cards answered (real-cards.md T1 Hangzhou, T3 Hunan) and the 3.00 shape.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use hex_literal::hex;
use sscard_apdu::fci::write_fci;
use sscard_specs::family::family_by_name;

fn fci(family: &str) -> Vec<u8> {
    let c = family_by_name(family).unwrap().fci().unwrap();
    let mut out = [0u8; 64];
    let n = write_fci(c.df_name(), c.sfi, c.algorithm_id, &mut out).unwrap();
    out[..n].to_vec()
}

#[test]
fn hangzhou_1_00_fci_is_the_t1_trace() {
    assert_eq!(
        fci("hangzhou-1.00"),
        hex!("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388010B")
    );
}

#[test]
fn national_2_00_and_hunan_fci_are_the_t3_trace() {
    let t3 = hex!("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E");
    assert_eq!(fci("national-2.00"), t3);
    assert_eq!(fci("hunan-2.0-test"), t3);
}

#[test]
fn national_3_00_fci_carries_the_sm4_algorithm_id() {
    let f = fci("national-3.00");
    assert_eq!(f.len(), 2 + 0x1C);
    assert!(f.ends_with(&hex!("A50988011E9F0C03860103")));
}

#[test]
fn shanghai_2_10_has_no_fci() {
    assert!(family_by_name("shanghai-2.10").unwrap().fci().is_none());
}
