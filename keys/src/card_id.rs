//! Authentication code of the card identification code (profile.md §2): bytes 12–15 of the
//! card id are the 4 leftmost bytes of the suite MAC (IV 0) over bytes 0–11 under the card's
//! `CIDK` key (3 levels). With a 16-byte 3DES key the MAC is the retail MAC (alg 3), with SM4 the
//! SM4 CBC-MAC (alg 1), padding method 2 in both cases.

use crate::algorithm::MAX_BLOCK;
use crate::error::CryptoError;
use crate::key::Key;
use crate::mac::{verify_mac, MacKey};
use crate::profile::Profile;

/// The 4-byte authentication code for the first 12 bytes of a card identification code.
pub fn card_id_auth_code(
    profile: &Profile,
    cidk_card_key: &Key,
    card_id_first12: &[u8; 12],
) -> Result<[u8; 4], CryptoError> {
    if cidk_card_key.algorithm() != profile.key_algorithm() {
        return Err(CryptoError::UnsupportedAlgorithm(cidk_card_key.algorithm()));
    }
    let m = MacKey::new(cidk_card_key);
    let iv = [0u8; MAX_BLOCK];
    m.mac4(iv.get(..m.block_size()).unwrap_or(&iv), &[card_id_first12])
}

/// Checks bytes 12–15 of a 16-byte card identification code (constant time).
pub fn verify_card_id(profile: &Profile, cidk_card_key: &Key, card_id: &[u8; 16]) -> bool {
    let (head, code) = card_id.split_at(12);
    let Ok(head12) = <&[u8; 12]>::try_from(head) else {
        return false;
    };
    card_id_auth_code(profile, cidk_card_key, head12).is_ok_and(|c| verify_mac(&c, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::Algorithm;
    use crate::mac::retail_mac_m2;
    use crate::profile::{SSCARD_2, SSCARD_3};
    use hex_literal::hex;

    #[test]
    fn tdes_is_retail_mac() {
        let k = hex!("0123456789ABCDEFFEDCBA9876543210");
        let key = Key::new(Algorithm::Tdes2, &k).unwrap();
        let id = hex!("420100D15600000500000001");
        let code = card_id_auth_code(&SSCARD_2, &key, &id).unwrap();
        assert_eq!(code[..], retail_mac_m2(&k, &[0; 8], &[&id])[..4]);
        let mut full = [0u8; 16];
        full[..12].copy_from_slice(&id);
        full[12..].copy_from_slice(&code);
        assert!(verify_card_id(&SSCARD_2, &key, &full));
        full[0] ^= 1;
        assert!(!verify_card_id(&SSCARD_2, &key, &full));
        assert!(card_id_auth_code(&SSCARD_3, &key, &id).is_err());
    }
}
