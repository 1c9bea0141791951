//! Property tests: field encryption round trip, robustness of decryption, authentication
//! tamper detection, BCD round trip, MAC independence of part boundaries.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use sscard_keys::algorithm::Algorithm;
use sscard_keys::mac::cbc_mac_m2;
use sscard_keys::pin::{bcd_to_digits, digits_to_bcd, Pin};
use sscard_keys::profile::{Profile, PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::session::{
    decrypt_field, encrypt_field, external_auth_data, process_key, verify_external_auth,
};
use sscard_keys::{BlockCipher, Key};

fn profile(sm4: bool) -> &'static Profile {
    if sm4 {
        &SSCARD_3
    } else {
        &SSCARD_2
    }
}

fn card_key(p: &Profile, bytes: &[u8; 16]) -> Key {
    Key::new(p.key_algorithm(), bytes).unwrap()
}

proptest! {
    #[test]
    fn field_round_trip(
        sm4 in any::<bool>(),
        pad_aligned in any::<bool>(),
        k in any::<[u8; 16]>(),
        r in any::<[u8; 8]>(),
        data in proptest::collection::vec(any::<u8>(), 0..=255),
    ) {
        let p = Profile { pad_aligned_fields: pad_aligned, ..*profile(sm4) };
        let sk = process_key(&p, &card_key(&p, &k), &r).unwrap();
        let mut ct = [0u8; 288];
        let n = encrypt_field(&p, &sk, &data, &mut ct).unwrap();
        prop_assert_eq!(n % p.suite.block_size(), 0);
        prop_assert!(n > data.len());
        let mut out = [0u8; 255];
        let m = decrypt_field(&sk, &ct[..n], &mut out).unwrap();
        prop_assert_eq!(&out[..m], &data[..]);
    }

    #[test]
    fn decrypt_field_never_panics(
        alg in prop_oneof![Just(Algorithm::Des), Just(Algorithm::Tdes2), Just(Algorithm::Sm4)],
        k in any::<[u8; 16]>(),
        ct in proptest::collection::vec(any::<u8>(), 0..80),
        out_len in 0usize..40,
    ) {
        let sk = Key::new(alg, &k[..alg.key_len()]).unwrap();
        let mut out = vec![0u8; out_len];
        if let Ok(n) = decrypt_field(&sk, &ct, &mut out) {
            prop_assert!(n <= out_len);
        }
    }

    #[test]
    fn ext_auth_verifies_and_any_bit_flip_fails(
        which in 0usize..3,
        k in any::<[u8; 16]>(),
        r in any::<[u8; 8]>(),
        s in any::<[u8; 8]>(),
        bit in 0usize..128,
    ) {
        let p = [&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2][which];
        let key = card_key(p, &k);
        let data = external_auth_data(p, &key, &r, &s).unwrap();
        prop_assert!(verify_external_auth(p, &key, &r, &data));
        let mut bad = data;
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!verify_external_auth(p, &key, &r, &bad));
    }

    #[test]
    fn bcd_round_trip(digits in "[0-9]{4,12}") {
        let pin = Pin::new(&SSCARD_2, digits.as_bytes()).unwrap();
        let bcd = pin.to_bcd();
        prop_assert_eq!(bcd.len(), digits.len().div_ceil(2));
        prop_assert_eq!(Pin::from_bcd(&SSCARD_2, &bcd).unwrap(), pin);
        let mut buf = [0u8; 8];
        let n = digits_to_bcd(digits.as_bytes(), &mut buf).unwrap();
        let mut back = [0u8; 16];
        let m = bcd_to_digits(&buf[..n], &mut back).unwrap();
        prop_assert_eq!(&back[..m], digits.as_bytes());
    }

    #[test]
    fn bcd_decode_never_panics(bcd in proptest::collection::vec(any::<u8>(), 0..12)) {
        let _ = Pin::from_bcd(&SSCARD_3, &bcd);
    }

    #[test]
    fn cbc_mac_independent_of_part_boundaries(
        sm4 in any::<bool>(),
        msg in proptest::collection::vec(any::<u8>(), 0..100),
        a in 0usize..100,
        b in 0usize..100,
    ) {
        let alg = if sm4 { Algorithm::Sm4 } else { Algorithm::Tdes2 };
        let c = BlockCipher::new(&Key::new(alg, &[0x5A; 16]).unwrap());
        let iv = vec![0u8; c.block_size()];
        let (i, j) = (a.min(b).min(msg.len()), a.max(b).min(msg.len()));
        let whole = cbc_mac_m2(&c, &iv, &[&msg]).unwrap();
        let parts = cbc_mac_m2(&c, &iv, &[&msg[..i], &msg[i..j], &msg[j..]]).unwrap();
        prop_assert_eq!(whole, parts);
    }
}
