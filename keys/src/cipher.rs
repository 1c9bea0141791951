//! Key-scheduled block ciphers with ECB/CBC helpers.
//!
//! Create a [`BlockCipher`] once per key and reuse it: the key schedule is computed in
//! [`BlockCipher::new`] only.

use ::cipher::consts::{U16, U8};
use ::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, BlockSizeUser, KeyInit};

use crate::algorithm::{Algorithm, MAX_BLOCK};
use crate::error::CryptoError;
use crate::key::Key;

impl Key {
    /// Key check value: the first 3 bytes of the encryption of an all-zero block.
    pub fn kcv(&self) -> [u8; 3] {
        BlockCipher::new(self).kcv()
    }
}

/// A block cipher with its key schedule computed, for one [`Key`].
#[allow(clippy::large_enum_variant)] // no_std, no Box: the schedule lives inline by design
pub enum BlockCipher {
    /// Single DES.
    Des(des::Des),
    /// Two-key 3DES EDE.
    Tdes2(des::TdesEde2),
    /// Three-key 3DES EDE.
    Tdes3(des::TdesEde3),
    /// SM4.
    Sm4(sm4::Sm4),
    /// AES-128 (the `aes` crate; a never-constructed stand-in without the `aes` feature).
    Aes128(Aes128Cipher),
}

/// The AES-128 implementation of [`BlockCipher::Aes128`]: `aes::Aes128` with the `aes` feature.
#[cfg(feature = "aes")]
pub type Aes128Cipher = aes::Aes128;

/// The AES-128 implementation of [`BlockCipher::Aes128`]: without the `aes` feature, the
/// zero-size [`AesNotCompiledIn`], so that no AES code is linked.
#[cfg(not(feature = "aes"))]
pub type Aes128Cipher = AesNotCompiledIn;

/// Stand-in for AES-128 in builds without the `aes` feature (the card OS).
///
/// Never constructed in practice: [`Key::new`] refuses AES-128 keys in such builds, and a
/// [`BlockCipher`] is only made from a [`Key`]. Should one exist anyway, it fails closed: every
/// block it "encrypts" or "decrypts" becomes all zeros, so no plaintext or key-dependent value
/// leaves it.
#[cfg(not(feature = "aes"))]
#[derive(Clone, Copy, Debug)]
pub struct AesNotCompiledIn;

#[cfg(not(feature = "aes"))]
fn aes_not_compiled_in(s: &mut [u8; MAX_BLOCK]) {
    zeroize::Zeroize::zeroize(s);
}

pub(crate) fn enc8<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U8>>(
    c: &C,
    s: &mut [u8; MAX_BLOCK],
) {
    if let Some((b, _)) = s.split_first_chunk_mut::<8>() {
        c.encrypt_block(b.into());
    }
}

pub(crate) fn dec8<C: BlockCipherDecrypt + BlockSizeUser<BlockSize = U8>>(
    c: &C,
    s: &mut [u8; MAX_BLOCK],
) {
    if let Some((b, _)) = s.split_first_chunk_mut::<8>() {
        c.decrypt_block(b.into());
    }
}

fn enc16<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>>(c: &C, s: &mut [u8; MAX_BLOCK]) {
    c.encrypt_block(s.into());
}

fn dec16<C: BlockCipherDecrypt + BlockSizeUser<BlockSize = U16>>(c: &C, s: &mut [u8; MAX_BLOCK]) {
    c.decrypt_block(s.into());
}

impl BlockCipher {
    /// Schedules `key`. Infallible: a [`Key`] always has its algorithm's length.
    pub fn new(key: &Key) -> BlockCipher {
        match key.algorithm() {
            Algorithm::Des => BlockCipher::Des(des::Des::new(&(*key.prefix::<8>()).into())),
            Algorithm::Tdes2 => {
                BlockCipher::Tdes2(des::TdesEde2::new(&(*key.prefix::<16>()).into()))
            }
            Algorithm::Tdes3 => {
                BlockCipher::Tdes3(des::TdesEde3::new(&(*key.prefix::<24>()).into()))
            }
            Algorithm::Sm4 => BlockCipher::Sm4(sm4::Sm4::new(&(*key.prefix::<16>()).into())),
            #[cfg(feature = "aes")]
            Algorithm::Aes128 => {
                BlockCipher::Aes128(aes::Aes128::new(&(*key.prefix::<16>()).into()))
            }
            #[cfg(not(feature = "aes"))]
            Algorithm::Aes128 => BlockCipher::Aes128(AesNotCompiledIn),
        }
    }

    /// The algorithm of the scheduled key.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            BlockCipher::Des(_) => Algorithm::Des,
            BlockCipher::Tdes2(_) => Algorithm::Tdes2,
            BlockCipher::Tdes3(_) => Algorithm::Tdes3,
            BlockCipher::Sm4(_) => Algorithm::Sm4,
            BlockCipher::Aes128(_) => Algorithm::Aes128,
        }
    }

    /// Block size in bytes (8 or 16).
    pub fn block_size(&self) -> usize {
        self.algorithm().block_size()
    }

    /// Encrypts the first `block_size()` bytes of `s` in place (the rest is untouched).
    #[inline]
    pub(crate) fn encrypt_state(&self, s: &mut [u8; MAX_BLOCK]) {
        match self {
            BlockCipher::Des(c) => enc8(c, s),
            BlockCipher::Tdes2(c) => enc8(c, s),
            BlockCipher::Tdes3(c) => enc8(c, s),
            BlockCipher::Sm4(c) => enc16(c, s),
            #[cfg(feature = "aes")]
            BlockCipher::Aes128(c) => enc16(c, s),
            #[cfg(not(feature = "aes"))]
            BlockCipher::Aes128(_) => aes_not_compiled_in(s),
        }
    }

    /// Decrypts the first `block_size()` bytes of `s` in place.
    #[inline]
    pub(crate) fn decrypt_state(&self, s: &mut [u8; MAX_BLOCK]) {
        match self {
            BlockCipher::Des(c) => dec8(c, s),
            BlockCipher::Tdes2(c) => dec8(c, s),
            BlockCipher::Tdes3(c) => dec8(c, s),
            BlockCipher::Sm4(c) => dec16(c, s),
            #[cfg(feature = "aes")]
            BlockCipher::Aes128(c) => dec16(c, s),
            #[cfg(not(feature = "aes"))]
            BlockCipher::Aes128(_) => aes_not_compiled_in(s),
        }
    }

    fn with_block(
        &self,
        block: &mut [u8],
        f: impl FnOnce(&Self, &mut [u8; MAX_BLOCK]),
    ) -> Result<(), CryptoError> {
        let n = self.block_size();
        if block.len() != n {
            return Err(CryptoError::NotOneBlock(n));
        }
        let mut s = [0u8; MAX_BLOCK];
        for (d, b) in s.iter_mut().zip(block.iter()) {
            *d = *b;
        }
        f(self, &mut s);
        for (b, d) in block.iter_mut().zip(s.iter()) {
            *b = *d;
        }
        zeroize::Zeroize::zeroize(&mut s);
        Ok(())
    }

    /// Encrypts exactly one block in place; other lengths are an error.
    pub fn encrypt_block(&self, block: &mut [u8]) -> Result<(), CryptoError> {
        self.with_block(block, |c, s| c.encrypt_state(s))
    }

    /// Decrypts exactly one block in place; other lengths are an error.
    pub fn decrypt_block(&self, block: &mut [u8]) -> Result<(), CryptoError> {
        self.with_block(block, |c, s| c.decrypt_state(s))
    }

    fn check_aligned(&self, len: usize) -> Result<usize, CryptoError> {
        let n = self.block_size();
        if len % n != 0 {
            return Err(CryptoError::NotBlockAligned { len, block: n });
        }
        Ok(n)
    }

    fn check_iv(&self, iv: &[u8]) -> Result<[u8; MAX_BLOCK], CryptoError> {
        let n = self.block_size();
        if iv.len() != n {
            return Err(CryptoError::InvalidIvLength {
                expected: n,
                got: iv.len(),
            });
        }
        let mut s = [0u8; MAX_BLOCK];
        for (d, b) in s.iter_mut().zip(iv) {
            *d = *b;
        }
        Ok(s)
    }

    /// ECB-encrypts `data` in place; the length must be a multiple of the block size.
    pub fn ecb_encrypt(&self, data: &mut [u8]) -> Result<(), CryptoError> {
        let n = self.check_aligned(data.len())?;
        for chunk in data.chunks_exact_mut(n) {
            self.with_block(chunk, |c, s| c.encrypt_state(s))?;
        }
        Ok(())
    }

    /// ECB-decrypts `data` in place; the length must be a multiple of the block size.
    pub fn ecb_decrypt(&self, data: &mut [u8]) -> Result<(), CryptoError> {
        let n = self.check_aligned(data.len())?;
        for chunk in data.chunks_exact_mut(n) {
            self.with_block(chunk, |c, s| c.decrypt_state(s))?;
        }
        Ok(())
    }

    /// CBC-encrypts `data` in place with `iv` (one block); no padding is added.
    pub fn cbc_encrypt(&self, iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError> {
        let n = self.check_aligned(data.len())?;
        let mut s = self.check_iv(iv)?;
        for chunk in data.chunks_exact_mut(n) {
            for (x, p) in s.iter_mut().zip(chunk.iter()) {
                *x ^= *p;
            }
            self.encrypt_state(&mut s);
            for (c, x) in chunk.iter_mut().zip(s.iter()) {
                *c = *x;
            }
        }
        Ok(())
    }

    /// CBC-decrypts `data` in place with `iv` (one block).
    pub fn cbc_decrypt(&self, iv: &[u8], data: &mut [u8]) -> Result<(), CryptoError> {
        let n = self.check_aligned(data.len())?;
        let mut prev = self.check_iv(iv)?;
        for chunk in data.chunks_exact_mut(n) {
            let mut s = [0u8; MAX_BLOCK];
            for (d, c) in s.iter_mut().zip(chunk.iter()) {
                *d = *c;
            }
            let next = s;
            self.decrypt_state(&mut s);
            for ((p, x), v) in chunk.iter_mut().zip(s.iter()).zip(prev.iter()) {
                *p = *x ^ *v;
            }
            prev = next;
        }
        Ok(())
    }

    /// Key check value: first 3 bytes of the encryption of the zero block.
    pub fn kcv(&self) -> [u8; 3] {
        let mut s = [0u8; MAX_BLOCK];
        self.encrypt_state(&mut s);
        let [a, b, c, ..] = s;
        [a, b, c]
    }
}

impl core::fmt::Debug for BlockCipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c] = self.kcv();
        write!(
            f,
            "BlockCipher {{ algorithm: {:?}, kcv: {a:02X}{b:02X}{c:02X} }}",
            self.algorithm()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn bc(alg: Algorithm, k: &[u8]) -> BlockCipher {
        BlockCipher::new(&Key::new(alg, k).unwrap())
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let c = bc(Algorithm::Des, &[1; 8]);
        assert_eq!(
            c.encrypt_block(&mut [0; 7]),
            Err(CryptoError::NotOneBlock(8))
        );
        assert!(c.ecb_encrypt(&mut [0; 12]).is_err());
        assert!(c.cbc_encrypt(&[0; 16], &mut [0; 16]).is_err());
        assert!(c.cbc_decrypt(&[0; 8], &mut [0; 9]).is_err());
        assert!(c.ecb_decrypt(&mut []).is_ok());
    }

    #[test]
    fn cbc_round_trip_all_algorithms() {
        for (alg, klen) in [
            (Algorithm::Des, 8),
            (Algorithm::Tdes2, 16),
            (Algorithm::Tdes3, 24),
            (Algorithm::Sm4, 16),
            (Algorithm::Aes128, 16),
        ] {
            if !alg.is_compiled_in() {
                continue;
            }
            let key: Vec<u8> = (0..klen as u8).collect();
            let c = bc(alg, &key);
            let n = c.block_size();
            let iv: Vec<u8> = (0..n as u8).map(|b| b ^ 0x5A).collect();
            let plain: Vec<u8> = (0..(3 * n) as u8).collect();
            let mut buf = plain.clone();
            c.cbc_encrypt(&iv, &mut buf).unwrap();
            assert_ne!(buf, plain);
            // first block = E(P1 ^ IV)
            let mut first: Vec<u8> = plain[..n].iter().zip(&iv).map(|(a, b)| a ^ b).collect();
            c.encrypt_block(&mut first).unwrap();
            assert_eq!(&buf[..n], &first[..]);
            c.cbc_decrypt(&iv, &mut buf).unwrap();
            assert_eq!(buf, plain);
            c.ecb_encrypt(&mut buf).unwrap();
            c.ecb_decrypt(&mut buf).unwrap();
            assert_eq!(buf, plain);
        }
    }

    #[test]
    fn tdes2_is_k1k2k1() {
        let k = hex!("0123456789ABCDEFFEDCBA9876543210");
        let mut k3 = [0u8; 24];
        k3[..16].copy_from_slice(&k);
        k3[16..].copy_from_slice(&k[..8]);
        let mut a = [0x42u8; 8];
        let mut b = a;
        bc(Algorithm::Tdes2, &k).encrypt_block(&mut a).unwrap();
        bc(Algorithm::Tdes3, &k3).encrypt_block(&mut b).unwrap();
        assert_eq!(a, b);
    }
}
