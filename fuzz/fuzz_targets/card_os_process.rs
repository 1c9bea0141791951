//! The card OS on arbitrary APDU sequences: `Card::process` never panics, always answers a status
//! word within the response buffer, and a command answered with an error status word (anything but
//! `9000`, `61xx` and the try-consuming `63Cx`) leaves the persistent image unchanged.
//!
//! Input: byte 0 = flags (bit 0 SM4 profile, bit 1 T=0 behaviour, bit 2 refuse-read-all quirk),
//! then APDUs as `len(1) ‖ bytes(len)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::store::RamStore;
use sscard_card_os::{factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, Quirks, CARD_STORE_SIZE, RESP_MAX};
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_specs::versions::SpecVersion;
use std::sync::OnceLock;

type Img = RamStore<CARD_STORE_SIZE>;

fn base(sm4: bool) -> &'static Img {
    static B2: OnceLock<Box<Img>> = OnceLock::new();
    static B3: OnceLock<Box<Img>> = OnceLock::new();
    let make = |profile: &'static Profile, version| {
        let mut s = Box::new(Img::new());
        let keys = test_issuer_keys(profile);
        let identity = CardIdentity {
            region_bcd: [0x43, 0x02, 0x99],
            serial: [0, 0, 0, 0x13],
            atr_historical: [0x00, 0x81, 0x54, 0x4C, 0x92, 0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35],
        };
        factory_initialise(&mut *s, &FactoryParams { profile, version, identity, keys: &keys, pin: b"123456" })
            .expect("factory");
        s
    };
    if sm4 {
        B3.get_or_init(|| make(&SSCARD_3, SpecVersion::V3_00))
    } else {
        B2.get_or_init(|| make(&SSCARD_2, SpecVersion::V2_00))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let sm4 = flags & 1 != 0;
    let profile = if sm4 { &SSCARD_3 } else { &SSCARD_2 };
    let cfg = CardConfig::new(profile)
        .with_t0(flags & 2 != 0)
        .with_quirks(Quirks { refuse_read_all_records: flags & 4 != 0 });
    let mut img = Box::new(base(sm4).clone());
    let mut card = Card::new(&mut *img, cfg).expect("card");
    let mut resp = [0u8; RESP_MAX];
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (apdu, next) = tail.split_at(n);
        rest = next;
        let before = card.store().as_bytes().to_vec();
        let r = card.process(apdu, &mut resp);
        assert!((2..=RESP_MAX).contains(&r));
        let sw = u16::from_be_bytes([resp[r - 2], resp[r - 1]]);
        let may_change = sw == 0x9000 || sw >> 8 == 0x61 || sw & 0xFFF0 == 0x63C0;
        if !may_change {
            assert_eq!(card.store().as_bytes(), &before[..], "error SW {sw:04X} changed the image");
        }
    }
});
