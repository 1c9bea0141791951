//! PBOC-style key diversification (crypto.md §2.1, §2.2; profile.md §2).
//!
//! * 2-key 3DES parent: `child = 3DES_K(D) ‖ 3DES_K(¬D)` (= EMV option A without parity).
//! * SM4 parent: `child = SM4_K(D ‖ ¬D)`.
//!
//! Multi-level derivation applies this per factor, outermost (province) first.

use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, MAX_BLOCK};
use crate::cipher::BlockCipher;
use crate::error::CryptoError;
use crate::key::Key;

/// `E(D) ‖ E(¬D)` (8-byte blocks) or `E(D ‖ ¬D)` (16-byte blocks) with a scheduled cipher —
/// 16 bytes. Only 2-key 3DES and SM4 parents are defined.
pub(crate) fn complement_encrypt(
    cipher: &BlockCipher,
    d: &[u8; 8],
) -> Result<Zeroizing<[u8; 16]>, CryptoError> {
    let mut out = Zeroizing::new([0u8; 16]);
    let not_d = d.map(|b| !b);
    match cipher.algorithm() {
        Algorithm::Tdes2 => {
            for (half, input) in out.chunks_exact_mut(8).zip([d, &not_d]) {
                let mut s = [0u8; MAX_BLOCK];
                s.iter_mut().zip(input).for_each(|(x, b)| *x = *b);
                cipher.encrypt_state(&mut s);
                half.iter_mut().zip(s.iter()).for_each(|(o, x)| *o = *x);
            }
        }
        Algorithm::Sm4 => {
            let mut s = [0u8; MAX_BLOCK];
            s.iter_mut()
                .zip(d.iter().chain(not_d.iter()))
                .for_each(|(x, b)| *x = *b);
            cipher.encrypt_state(&mut s);
            out.iter_mut().zip(s.iter()).for_each(|(o, x)| *o = *x);
            zeroize::Zeroize::zeroize(&mut s);
        }
        other => return Err(CryptoError::UnsupportedAlgorithm(other)),
    }
    Ok(out)
}

/// Derives the child of `parent` for one 8-byte factor. The child has the parent's algorithm.
pub fn diversify(parent: &Key, factor: &[u8; 8]) -> Result<Key, CryptoError> {
    diversify_with(&BlockCipher::new(parent), factor)
}

/// As [`diversify`], with the parent already scheduled.
pub fn diversify_with(parent: &BlockCipher, factor: &[u8; 8]) -> Result<Key, CryptoError> {
    let bytes = complement_encrypt(parent, factor)?;
    Ok(Key::new(parent.algorithm(), &bytes[..])?)
}

/// Applies [`diversify`] once per factor, outermost first (e.g. province, city, card).
/// No factors returns a copy of `root`.
pub fn diversify_multi(root: &Key, factors: &[[u8; 8]]) -> Result<Key, CryptoError> {
    let mut k = root.clone();
    for f in factors {
        k = diversify(&k, f)?;
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn pyemv_vector() {
        // crypto.md §2.1 [V]
        let mk = Key::new(Algorithm::Tdes2, &hex!("0123456789ABCDEFFEDCBA9876543210")).unwrap();
        let child = diversify(&mk, &hex!("1234567890123445")).unwrap();
        assert_eq!(child.as_bytes(), hex!("67F8292358083F5EA6AB7FDA58D43A6B"));
        assert_eq!(child.algorithm(), Algorithm::Tdes2);
    }

    #[test]
    fn sm4_vector() {
        // crypto.md §2.2 [S]
        let mk = Key::new(Algorithm::Sm4, &hex!("0123456789ABCDEFFEDCBA9876543210")).unwrap();
        let child = diversify(&mk, &hex!("1234567890123445")).unwrap();
        assert_eq!(child.as_bytes(), hex!("1E7D5BB9E0A1ABA11531AE1083DB3A0D"));
    }

    #[test]
    fn multi_level_is_iterated() {
        let mk = Key::new(Algorithm::Tdes2, &hex!("0123456789ABCDEFFEDCBA9876543210")).unwrap();
        let f = [hex!("3433303030307368"), hex!("3432303130307378"), [1; 8]];
        let step = diversify(
            &diversify(&diversify(&mk, &f[0]).unwrap(), &f[1]).unwrap(),
            &f[2],
        );
        assert_eq!(diversify_multi(&mk, &f).unwrap(), step.unwrap());
        assert_eq!(diversify_multi(&mk, &[]).unwrap(), mk);
    }

    #[test]
    fn unsupported() {
        let k = Key::new(Algorithm::Des, &[1; 8]).unwrap();
        assert_eq!(
            diversify(&k, &[0; 8]).err(),
            Some(CryptoError::UnsupportedAlgorithm(Algorithm::Des))
        );
    }
}
