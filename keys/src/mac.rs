//! ISO/IEC 9797-1 MACs (= GB/T 15852.1): CBC-MAC (algorithm 1), retail MAC (algorithm 3),
//! CMAC (algorithm 5) — with padding methods 1 and 2, explicit IVs, and messages given in parts
//! (e.g. header ‖ data) so nothing has to be copied or allocated.
//!
//! Card MACs transmit the 4 leftmost bytes ([`command_mac_4`]); compare with [`verify_mac`].

use ::cipher::KeyInit;
use cmac::{Cmac, Mac};
use subtle::ConstantTimeEq;

use crate::algorithm::{Algorithm, MAX_BLOCK};
use crate::cipher::{dec8, enc8, BlockCipher};
use crate::error::CryptoError;
use crate::key::Key;

/// A MAC value of one cipher block (8 or 16 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Block {
    bytes: [u8; MAX_BLOCK],
    len: u8,
}

impl Block {
    fn new(bytes: [u8; MAX_BLOCK], len: usize) -> Block {
        let len = if len > MAX_BLOCK { MAX_BLOCK } else { len };
        Block {
            bytes,
            len: len as u8,
        }
    }

    /// The MAC bytes (block-size long).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// Length in bytes (8 or 16).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false (a MAC block is never empty); present for API completeness.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The 4 leftmost bytes, as transmitted by Chinese CPU cards.
    pub fn command_mac(&self) -> [u8; 4] {
        command_mac_4(self.as_bytes())
    }
}

impl core::fmt::Debug for Block {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Block(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02X}")?;
        }
        f.write_str(")")
    }
}

/// Length after ISO/IEC 9797-1 padding method 2 (`80 00…`, always at least one byte).
pub const fn pad_m2_len(data_len: usize, block: usize) -> usize {
    if block == 0 {
        return data_len;
    }
    (data_len / block).saturating_add(1).saturating_mul(block)
}

/// Writes padding method 2 after the first `data_len` bytes of `buf`; returns the padded length.
pub fn pad_m2(buf: &mut [u8], data_len: usize, block: usize) -> Result<usize, CryptoError> {
    let need = pad_m2_len(data_len, block);
    let tail = buf
        .get_mut(data_len..need)
        .ok_or(CryptoError::BufferTooSmall { need })?;
    let mut first = true;
    for b in tail {
        *b = if first { 0x80 } else { 0x00 };
        first = false;
    }
    Ok(need)
}

/// A scheduled cipher that can encrypt the first block of a state buffer.
trait StateCipher {
    fn block_size(&self) -> usize;
    fn encrypt_state(&self, s: &mut [u8; MAX_BLOCK]);
}

impl StateCipher for BlockCipher {
    #[inline]
    fn block_size(&self) -> usize {
        BlockCipher::block_size(self)
    }
    #[inline]
    fn encrypt_state(&self, s: &mut [u8; MAX_BLOCK]) {
        BlockCipher::encrypt_state(self, s)
    }
}

impl StateCipher for des::Des {
    #[inline]
    fn block_size(&self) -> usize {
        8
    }
    #[inline]
    fn encrypt_state(&self, s: &mut [u8; MAX_BLOCK]) {
        enc8(self, s)
    }
}

/// Running CBC-MAC state (algorithm 1) over one scheduled cipher.
struct Chain<'c, C: StateCipher> {
    c: &'c C,
    s: [u8; MAX_BLOCK],
    n: usize,
    fill: usize,
    total: usize,
}

#[inline]
fn xor_into(s: &mut [u8; MAX_BLOCK], from: usize, data: &[u8]) {
    for (x, d) in s.iter_mut().skip(from).zip(data) {
        *x ^= *d;
    }
}

impl<'c, C: StateCipher> Chain<'c, C> {
    fn new(c: &'c C, iv: &[u8]) -> Result<Self, CryptoError> {
        let n = c.block_size();
        if iv.len() != n {
            return Err(CryptoError::InvalidIvLength {
                expected: n,
                got: iv.len(),
            });
        }
        let mut s = [0u8; MAX_BLOCK];
        xor_into(&mut s, 0, iv);
        Ok(Chain {
            c,
            s,
            n,
            fill: 0,
            total: 0,
        })
    }

    #[inline]
    fn update(&mut self, data: &[u8]) {
        let n = self.n;
        if n == 0 {
            // Block sizes are 8 or 16; the guard keeps `chunks_exact` free of its panic path.
            return;
        }
        self.total = self.total.saturating_add(data.len());
        let mut data = data;
        if self.fill != 0 {
            let take = core::cmp::min(self.n.saturating_sub(self.fill), data.len());
            let (head, rest) = data.split_at_checked(take).unwrap_or((data, &[]));
            xor_into(&mut self.s, self.fill, head);
            self.fill = self.fill.saturating_add(take);
            if self.fill < self.n {
                return;
            }
            self.c.encrypt_state(&mut self.s);
            self.fill = 0;
            data = rest;
        }
        let mut chunks = data.chunks_exact(n);
        for ch in &mut chunks {
            xor_into(&mut self.s, 0, ch);
            self.c.encrypt_state(&mut self.s);
        }
        let rem = chunks.remainder();
        xor_into(&mut self.s, 0, rem);
        self.fill = rem.len();
    }

    /// Padding method 2: `80` then zeros (the `00`s XOR to nothing).
    fn finish_m2(mut self) -> [u8; MAX_BLOCK] {
        if let Some(x) = self.s.get_mut(self.fill) {
            *x ^= 0x80;
        }
        self.c.encrypt_state(&mut self.s);
        self.s
    }

    /// Padding method 1: zeros only if the last block is partial (one zero block if empty).
    fn finish_m1(mut self) -> [u8; MAX_BLOCK] {
        if self.fill != 0 || self.total == 0 {
            self.c.encrypt_state(&mut self.s);
        }
        self.s
    }
}

/// ISO/IEC 9797-1 algorithm 1 (CBC-MAC) with padding method 2 and explicit IV, over the
/// concatenation of `parts`. `iv` must be one block.
pub fn cbc_mac_m2(cipher: &BlockCipher, iv: &[u8], parts: &[&[u8]]) -> Result<Block, CryptoError> {
    let mut ch = Chain::new(cipher, iv)?;
    for p in parts {
        ch.update(p);
    }
    Ok(Block::new(ch.finish_m2(), cipher.block_size()))
}

/// ISO/IEC 9797-1 algorithm 1 with padding method 1 (zero padding, none when aligned).
pub fn cbc_mac_m1(cipher: &BlockCipher, iv: &[u8], parts: &[&[u8]]) -> Result<Block, CryptoError> {
    let mut ch = Chain::new(cipher, iv)?;
    for p in parts {
        ch.update(p);
    }
    Ok(Block::new(ch.finish_m1(), cipher.block_size()))
}

/// Scheduled key halves for the retail MAC (ISO/IEC 9797-1 algorithm 3, ANSI X9.19) with a
/// 16-byte 3DES key `K_L ‖ K_R`: CBC with DES(K_L), then `DES_KL(DES⁻¹_KR(H_q))`.
pub struct RetailMacKey {
    kl: des::Des,
    kr: des::Des,
}

impl core::fmt::Debug for RetailMacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RetailMacKey { .. }")
    }
}

impl RetailMacKey {
    /// Schedules both halves of a [`Algorithm::Tdes2`] key.
    pub fn new(key: &Key) -> Result<RetailMacKey, CryptoError> {
        if key.algorithm() != Algorithm::Tdes2 {
            return Err(CryptoError::UnsupportedAlgorithm(key.algorithm()));
        }
        Ok(Self::from_halves(&key.part::<8>(0), &key.part::<8>(8)))
    }

    fn from_halves(kl: &[u8; 8], kr: &[u8; 8]) -> RetailMacKey {
        RetailMacKey {
            kl: des::Des::new(&(*kl).into()),
            kr: des::Des::new(&(*kr).into()),
        }
    }

    fn output(&self, mut s: [u8; MAX_BLOCK]) -> [u8; 8] {
        dec8(&self.kr, &mut s);
        enc8(&self.kl, &mut s);
        let [a, b, c, d, e, f, g, h, ..] = s;
        [a, b, c, d, e, f, g, h]
    }

    /// Algorithm 3 with padding method 2.
    pub fn mac_m2(&self, iv: &[u8; 8], parts: &[&[u8]]) -> [u8; 8] {
        self.run(iv, parts, true)
    }

    /// Algorithm 3 with padding method 1.
    pub fn mac_m1(&self, iv: &[u8; 8], parts: &[&[u8]]) -> [u8; 8] {
        self.run(iv, parts, false)
    }

    fn run(&self, iv: &[u8; 8], parts: &[&[u8]], method2: bool) -> [u8; 8] {
        let mut s = [0u8; MAX_BLOCK];
        xor_into(&mut s, 0, iv);
        let mut ch = Chain {
            c: &self.kl,
            s,
            n: 8,
            fill: 0,
            total: 0,
        };
        for p in parts {
            ch.update(p);
        }
        let h = if method2 {
            ch.finish_m2()
        } else {
            ch.finish_m1()
        };
        self.output(h)
    }
}

/// Retail MAC (algorithm 3), padding method 2, for a 16-byte 3DES key.
pub fn retail_mac_m2(k16: &[u8; 16], iv8: &[u8; 8], parts: &[&[u8]]) -> [u8; 8] {
    retail_key(k16).mac_m2(iv8, parts)
}

/// Retail MAC (algorithm 3), padding method 1, for a 16-byte 3DES key.
pub fn retail_mac_m1(k16: &[u8; 16], iv8: &[u8; 8], parts: &[&[u8]]) -> [u8; 8] {
    retail_key(k16).mac_m1(iv8, parts)
}

fn retail_key(k16: &[u8; 16]) -> RetailMacKey {
    let (l, r) = k16.split_at(8);
    let mut kl = zeroize::Zeroizing::new([0u8; 8]);
    let mut kr = zeroize::Zeroizing::new([0u8; 8]);
    kl.iter_mut().zip(l).for_each(|(d, s)| *d = *s);
    kr.iter_mut().zip(r).for_each(|(d, s)| *d = *s);
    RetailMacKey::from_halves(&kl, &kr)
}

/// The MAC a card uses with a given key: algorithm 3 for 16-byte 3DES keys, algorithm 1 (full
/// cipher on every block) for every other key — DES (8-byte), SM4, AES and 3-key 3DES.
/// Padding method 2. Schedule once, use for many messages.
#[derive(Debug)]
pub enum MacKey {
    /// Algorithm 1 with the scheduled cipher.
    Cbc(BlockCipher),
    /// Algorithm 3 (two-key 3DES).
    Retail(RetailMacKey),
}

impl MacKey {
    /// Schedules `key` for its card MAC.
    pub fn new(key: &Key) -> MacKey {
        match RetailMacKey::new(key) {
            Ok(r) => MacKey::Retail(r),
            Err(_) => MacKey::Cbc(BlockCipher::new(key)),
        }
    }

    /// Block size (= required IV length).
    pub fn block_size(&self) -> usize {
        match self {
            MacKey::Cbc(c) => c.block_size(),
            MacKey::Retail(_) => 8,
        }
    }

    /// Full MAC block over `parts` (padding method 2), with an IV of one block.
    pub fn mac(&self, iv: &[u8], parts: &[&[u8]]) -> Result<Block, CryptoError> {
        match self {
            MacKey::Cbc(c) => cbc_mac_m2(c, iv, parts),
            MacKey::Retail(r) => {
                let iv8: &[u8; 8] = iv.try_into().map_err(|_| CryptoError::InvalidIvLength {
                    expected: 8,
                    got: iv.len(),
                })?;
                let m = r.mac_m2(iv8, parts);
                let mut s = [0u8; MAX_BLOCK];
                xor_into(&mut s, 0, &m);
                Ok(Block::new(s, 8))
            }
        }
    }

    /// The 4-byte command MAC over `parts` with an IV of one block.
    pub fn mac4(&self, iv: &[u8], parts: &[&[u8]]) -> Result<[u8; 4], CryptoError> {
        Ok(self.mac(iv, parts)?.command_mac())
    }
}

fn cmac_with<C>(key: &Key, want: Algorithm, parts: &[&[u8]]) -> Result<[u8; 16], CryptoError>
where
    C: cmac::block_api::CmacCipher + KeyInit,
    Cmac<C>: Mac + KeyInit,
{
    if key.algorithm() != want {
        return Err(CryptoError::UnsupportedAlgorithm(key.algorithm()));
    }
    let mut m = <Cmac<C> as KeyInit>::new_from_slice(key.as_bytes())
        .map_err(|_| CryptoError::UnsupportedAlgorithm(key.algorithm()))?;
    for p in parts {
        Mac::update(&mut m, p);
    }
    let tag = m.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.iter_mut().zip(tag.iter()).for_each(|(d, s)| *d = *s);
    Ok(out)
}

/// AES-128-CMAC (RFC 4493 / ISO 9797-1 algorithm 5) over the concatenation of `parts`
/// (feature `aes`).
#[cfg(feature = "aes")]
pub fn aes_cmac(key: &Key, parts: &[&[u8]]) -> Result<[u8; 16], CryptoError> {
    cmac_with::<aes::Aes128>(key, Algorithm::Aes128, parts)
}

/// SM4-CMAC (GB/T 15852.1-2020 algorithm 5) over the concatenation of `parts`.
pub fn sm4_cmac(key: &Key, parts: &[&[u8]]) -> Result<[u8; 16], CryptoError> {
    cmac_with::<sm4::Sm4>(key, Algorithm::Sm4, parts)
}

/// The 4 leftmost bytes of a MAC (zero-filled if `mac` is shorter).
pub fn command_mac_4(mac: &[u8]) -> [u8; 4] {
    let mut out = [0u8; 4];
    out.iter_mut().zip(mac).for_each(|(d, s)| *d = *s);
    out
}

/// Name used by DESIGN.md for [`command_mac_4`].
pub use command_mac_4 as command_mac;

/// Constant-time MAC comparison (false when lengths differ).
pub fn verify_mac(expected: &[u8], received: &[u8]) -> bool {
    expected.len() == received.len() && bool::from(expected.ct_eq(received))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn padding_m2() {
        assert_eq!(pad_m2_len(0, 8), 8);
        assert_eq!(pad_m2_len(7, 8), 8);
        assert_eq!(pad_m2_len(8, 8), 16);
        assert_eq!(pad_m2_len(17, 16), 32);
        let mut buf = [0xAAu8; 16];
        assert_eq!(pad_m2(&mut buf, 5, 8), Ok(8));
        assert_eq!(buf[..8], hex!("AAAAAAAAAA800000"));
        assert!(pad_m2(&mut buf, 16, 8).is_err());
    }

    #[test]
    fn parts_split_anywhere_give_same_mac() {
        let c = BlockCipher::new(&Key::new(Algorithm::Sm4, &[3; 16]).unwrap());
        let msg: Vec<u8> = (0..53u8).collect();
        let whole = cbc_mac_m2(&c, &[0; 16], &[&msg]).unwrap();
        for i in 0..msg.len() {
            for j in i..msg.len() {
                let m = cbc_mac_m2(&c, &[0; 16], &[&msg[..i], &msg[i..j], &[], &msg[j..]]).unwrap();
                assert_eq!(m, whole);
            }
        }
    }

    #[test]
    fn mac_equals_cbc_encrypt_last_block() {
        let c = BlockCipher::new(&Key::new(Algorithm::Tdes2, &[9; 16]).unwrap());
        let iv = hex!("0102030405060708");
        let mut buf = [0x11u8; 24];
        let n = pad_m2(&mut buf, 13, 8).unwrap();
        let mac = cbc_mac_m2(&c, &iv, &[&[0x11; 13]]).unwrap();
        c.cbc_encrypt(&iv, &mut buf[..n]).unwrap();
        assert_eq!(mac.as_bytes(), &buf[n - 8..n]);
    }

    #[test]
    fn bad_iv_is_error() {
        let c = BlockCipher::new(&Key::new(Algorithm::Des, &[1; 8]).unwrap());
        assert!(cbc_mac_m2(&c, &[0; 4], &[b"x"]).is_err());
        let m = MacKey::new(&Key::new(Algorithm::Tdes2, &[1; 16]).unwrap());
        assert!(m.mac4(&[0; 16], &[b"x"]).is_err());
        #[cfg(feature = "aes")]
        assert!(aes_cmac(&Key::new(Algorithm::Sm4, &[1; 16]).unwrap(), &[]).is_err());
    }

    #[test]
    fn verify() {
        assert!(verify_mac(&hex!("01020304"), &hex!("01020304")));
        assert!(!verify_mac(&hex!("01020304"), &hex!("01020305")));
        assert!(!verify_mac(&hex!("01020304"), &hex!("010203")));
        assert_eq!(command_mac_4(&hex!("0102")), hex!("01020000"));
    }
}
