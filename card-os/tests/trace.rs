//! The real trace of sscard-spec.md §8 (Hunan 2.0 test card), byte for byte.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_card_os::{Card, CardConfig};
use sscard_keys::profile::SSCARD_2;

const EF05_ALL: &str =
    "0110430299D156000005000000133A05F2E3 020133 0304322E3000 040C9156000002430200430100D5 \
                        050432303132 060432303232 0709423030303030313331";

fn hunan_card(t0: bool) -> Host {
    let mut img = image(&SSCARD_2, b"666666");
    personalise_hunan_ef05(&mut img);
    let mut h = Host::from_image(img, &SSCARD_2);
    h.card = Card::new(h.card.into_store(), CardConfig::new(&SSCARD_2).with_t0(t0)).unwrap();
    h.follow_t0 = false;
    h
}

#[test]
fn hunan_trace_t1() {
    let mut h = hunan_card(false);
    // The T=1 card announces T=1: T0 = ED (TD1 follows), TD1 = 01, the same 13 historical
    // bytes, TCK = 92 (XOR of T0 … the last historical byte).
    assert_eq!(
        h.card.atr(),
        &hx("3BED0000010081544C92868442010000013592")[..]
    );
    let (d, sw) = h.sx("00A404000F7378312E73682EC9E7BBE1B1A3D5CF");
    assert_eq!(
        (d, sw),
        (
            hx("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E"),
            0x9000
        )
    );
    assert_eq!(h.sx("0020000003666666"), (vec![], 0x9000));
    assert_eq!(h.sx("00A4000002EF05"), (vec![], 0x9000));
    let (d, sw) = h.sx("00B20105FF");
    assert_eq!(sw, 0x9000);
    assert_eq!(d.len(), 64);
    assert_eq!(d, hx(EF05_ALL));
}

#[test]
fn hunan_trace_t0_with_get_response() {
    let mut h = hunan_card(true);
    assert_eq!(h.card.atr(), &hx("3B6D00000081544C928684420100000135")[..]);
    assert_eq!(
        h.sx("00A404000F7378312E73682EC9E7BBE1B1A3D5CF"),
        (vec![], 0x6118)
    );
    let (d, sw) = h.sx("00C0000018");
    assert_eq!(
        (d, sw),
        (
            hx("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E"),
            0x9000
        )
    );
    assert_eq!(h.sx("0020000003666666"), (vec![], 0x9000));
    assert_eq!(h.sx("00A4000002EF05"), (vec![], 0x9000));
    // T=0: Le FF is wrong for 64 bytes → 6C40, then the exact Le.
    assert_eq!(h.sx("00B20105FF"), (vec![], 0x6C40));
    let (d, sw) = h.sx("00B2010540");
    assert_eq!((d, sw), (hx(EF05_ALL), 0x9000));
    // Record 1 by tag, 18 bytes.
    assert_eq!(
        h.sx("00B2010012"),
        (hx("0110430299D156000005000000133A05F2E3"), 0x9000)
    );
}
