//! The key check value of a [`Key`] (the first bytes of the encryption of a zero block) and the
//! `Debug` of a key, which shows it instead of the key bytes. Here rather than in `key.rs`: they
//! need the [`BlockCipher`], which is built from a [`Key`].

use core::fmt;

use crate::cipher::BlockCipher;
use crate::key::Key;

impl Key {
    /// Key check value: the first 3 bytes of the encryption of an all-zero block.
    pub fn kcv(&self) -> [u8; 3] {
        BlockCipher::new(self).kcv()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.kcv();
        write!(
            f,
            "Key {{ algorithm: {:?}, kcv: {a:02X}{b:02X}{c:02X} }}",
            self.algorithm()
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{Algorithm, Key};
    use hex_literal::hex;

    #[test]
    fn debug_hides_bytes_and_shows_kcv() {
        // GP default key 404142..4F has KCV 8BAF47 (crypto.md §3.4).
        let k = Key::new(Algorithm::Tdes2, &hex!("404142434445464748494A4B4C4D4E4F")).unwrap();
        assert_eq!(k.kcv(), hex!("8BAF47"));
        let s = format!("{k:?}");
        assert_eq!(s, "Key { algorithm: Tdes2, kcv: 8BAF47 }");
        assert!(!s.contains("4041"));
    }
}
