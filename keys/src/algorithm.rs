//! Block-cipher algorithms and their sizes.

/// A block-cipher algorithm a [`Key`](crate::Key) is used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Single DES, 8-byte key, 8-byte block.
    Des,
    /// Two-key 3DES (EDE, K1 K2 K1), 16-byte key, 8-byte block.
    Tdes2,
    /// Three-key 3DES (EDE), 24-byte key, 8-byte block.
    Tdes3,
    /// SM4 (GB/T 32907), 16-byte key, 16-byte block.
    Sm4,
    /// AES-128, 16-byte key, 16-byte block.
    Aes128,
}

/// Largest block size of any [`Algorithm`] (bytes).
pub const MAX_BLOCK: usize = 16;
/// Largest key length of any [`Algorithm`] (bytes).
pub const MAX_KEY: usize = 24;

impl Algorithm {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Algorithm::Des => 8,
            Algorithm::Tdes2 | Algorithm::Sm4 | Algorithm::Aes128 => 16,
            Algorithm::Tdes3 => 24,
        }
    }

    /// Block size in bytes.
    pub const fn block_size(self) -> usize {
        match self {
            Algorithm::Des | Algorithm::Tdes2 | Algorithm::Tdes3 => 8,
            Algorithm::Sm4 | Algorithm::Aes128 => 16,
        }
    }

    /// Whether this build can use the algorithm: everything except AES-128 without the `aes`
    /// feature.
    pub const fn is_compiled_in(self) -> bool {
        !matches!(self, Algorithm::Aes128) || cfg!(feature = "aes")
    }

    /// Short human-readable name.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Des => "DES",
            Algorithm::Tdes2 => "3DES-2",
            Algorithm::Tdes3 => "3DES-3",
            Algorithm::Sm4 => "SM4",
            Algorithm::Aes128 => "AES-128",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Algorithm::Des.key_len(), 8);
        assert_eq!(Algorithm::Tdes2.key_len(), 16);
        assert_eq!(Algorithm::Tdes3.key_len(), 24);
        assert_eq!(Algorithm::Sm4.block_size(), 16);
        assert_eq!(Algorithm::Tdes3.block_size(), 8);
        assert_eq!(Algorithm::Aes128.key_len(), 16);
    }
}
