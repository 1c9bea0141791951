//! The emulated PSAM on arbitrary APDU sequences: `Psam::process` never panics, always answers a
//! status word within the response buffer, and a command answered with an error status word
//! (anything but `9000` and `61xx`) leaves the persistent image unchanged.
//!
//! Input: byte 0 = flags (bit 0 SM4 profile), then APDUs as `len(1) ‖ bytes(len)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::psam::{provision, Psam, PsamParams, RamPsam, PSAM_STORE_SIZE};
use sscard_card_os::store::RamStore;
use sscard_card_os::RESP_MAX;
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use std::sync::OnceLock;

type Img = RamStore<PSAM_STORE_SIZE>;

fn base(sm4: bool) -> &'static Img {
    static B2: OnceLock<Box<Img>> = OnceLock::new();
    static B3: OnceLock<Box<Img>> = OnceLock::new();
    let make = |profile: &'static Profile| {
        let mut s = Box::new(Img::new());
        let keys = test_issuer_keys(profile);
        let params = PsamParams {
            profile,
            keys: &keys,
            terminal_number: [0x11, 0x01, 0x00, 0x00, 0x00, 0x01],
            serial: [0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
            issuer_id: [0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
        };
        provision(&mut *s, &params).expect("provision");
        s
    };
    if sm4 {
        B3.get_or_init(|| make(&SSCARD_3))
    } else {
        B2.get_or_init(|| make(&SSCARD_2))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let sm4 = flags & 1 != 0;
    let profile = if sm4 { &SSCARD_3 } else { &SSCARD_2 };
    let mut psam: RamPsam = Psam::new(base(sm4).clone(), profile).expect("psam");
    let mut resp = [0u8; RESP_MAX];
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (apdu, next) = tail.split_at(n);
        rest = next;
        let before = psam.store().as_bytes().to_vec();
        let r = psam.process(apdu, &mut resp);
        assert!((2..=RESP_MAX).contains(&r));
        let sw = u16::from_be_bytes([resp[r - 2], resp[r - 1]]);
        if sw != 0x9000 && sw >> 8 != 0x61 {
            assert_eq!(psam.store().as_bytes(), &before[..], "error SW {sw:04X} changed the image");
        }
    }
});
