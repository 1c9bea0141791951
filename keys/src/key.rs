//! Secret keys: algorithm + fixed-size bytes, zeroized on drop, never printed.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::algorithm::{Algorithm, MAX_KEY};
use crate::error::KeyError;

/// A secret key for one [`Algorithm`].
///
/// The bytes are wiped when the key is dropped. `Debug` prints the algorithm and the key check
/// value ([`Key::kcv`]), never the key bytes. Equality is constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key {
    #[zeroize(skip)]
    algorithm: Algorithm,
    bytes: [u8; MAX_KEY],
}

impl Key {
    /// Creates a key; `bytes` must have exactly `algorithm.key_len()` bytes. Without the `aes`
    /// feature an AES-128 key is refused ([`KeyError::NotCompiledIn`]), so no [`BlockCipher`]
    /// ever needs AES code.
    pub fn new(algorithm: Algorithm, bytes: &[u8]) -> Result<Key, KeyError> {
        if !algorithm.is_compiled_in() {
            return Err(KeyError::NotCompiledIn(algorithm));
        }
        let expected = algorithm.key_len();
        if bytes.len() != expected {
            return Err(KeyError::InvalidLength {
                algorithm,
                expected,
                got: bytes.len(),
            });
        }
        let mut key = Key {
            algorithm,
            bytes: [0; MAX_KEY],
        };
        for (d, s) in key.bytes.iter_mut().zip(bytes) {
            *d = *s;
        }
        Ok(key)
    }

    /// The algorithm this key is for.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key bytes (`algorithm().key_len()` bytes). Handle with care.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.key_len())
            .unwrap_or(&self.bytes)
    }

    /// The first `N` key bytes as an array that is wiped when dropped.
    pub(crate) fn prefix<const N: usize>(&self) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0u8; N]);
        for (d, s) in out.iter_mut().zip(self.bytes.iter()) {
            *d = *s;
        }
        out
    }

    /// `N` key bytes starting at `offset`, wiped when dropped (zero-filled past the end).
    pub(crate) fn part<const N: usize>(&self, offset: usize) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0u8; N]);
        for (d, s) in out.iter_mut().zip(self.bytes.iter().skip(offset)) {
            *d = *s;
        }
        out
    }
}

impl ConstantTimeEq for Key {
    fn ct_eq(&self, other: &Self) -> Choice {
        Choice::from(u8::from(self.algorithm == other.algorithm)) & self.bytes.ct_eq(&other.bytes)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.kcv();
        write!(
            f,
            "Key {{ algorithm: {:?}, kcv: {a:02X}{b:02X}{c:02X} }}",
            self.algorithm
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn length_checked() {
        assert!(Key::new(Algorithm::Tdes2, &[0; 8]).is_err());
        assert_eq!(
            Key::new(Algorithm::Des, &[0; 9]).err(),
            Some(KeyError::InvalidLength {
                algorithm: Algorithm::Des,
                expected: 8,
                got: 9
            })
        );
        let k = Key::new(Algorithm::Tdes3, &[7; 24]).unwrap();
        assert_eq!(k.as_bytes(), &[7; 24]);
    }

    #[test]
    fn aes_keys_only_with_the_aes_feature() {
        let k = Key::new(Algorithm::Aes128, &[1; 16]);
        if cfg!(feature = "aes") {
            assert_eq!(k.unwrap().algorithm(), Algorithm::Aes128);
        } else {
            assert_eq!(k.err(), Some(KeyError::NotCompiledIn(Algorithm::Aes128)));
        }
    }

    #[test]
    fn debug_hides_bytes_and_shows_kcv() {
        // GP default key 404142..4F has KCV 8BAF47 (crypto.md §3.4).
        let k = Key::new(Algorithm::Tdes2, &hex!("404142434445464748494A4B4C4D4E4F")).unwrap();
        assert_eq!(k.kcv(), hex!("8BAF47"));
        let s = format!("{k:?}");
        assert_eq!(s, "Key { algorithm: Tdes2, kcv: 8BAF47 }");
        assert!(!s.contains("4041"));
    }

    #[test]
    fn equality() {
        let a = Key::new(Algorithm::Sm4, &[1; 16]).unwrap();
        let b = Key::new(Algorithm::Tdes2, &[1; 16]).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.clone(), a);
    }
}
