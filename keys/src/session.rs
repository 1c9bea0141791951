//! Per-session cryptography, parameterised by a [`Profile`] (profile.md §3):
//! process keys, EXTERNAL/INTERNAL AUTHENTICATE cryptograms, line-protection MACs and
//! encrypted fields (`Ld ‖ data ‖ 80 00…`).
//!
//! Keys are the *diversified card keys*; derive them with [`crate::diversify`] or
//! [`crate::IssuerKeySet::card_key`].

use heapless::Vec;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, MAX_BLOCK};
use crate::cipher::BlockCipher;
use crate::diversify::complement_encrypt;
use crate::error::CryptoError;
use crate::key::Key;
use crate::mac::{pad_m2_len, verify_mac, MacKey};
use crate::profile::{ExtAuthRule, LineMacStrategy, ProcessKeyRule, Profile};

fn challenge8(challenge: &[u8]) -> Result<&[u8; 8], CryptoError> {
    challenge
        .try_into()
        .map_err(|_| CryptoError::InvalidChallengeLength(challenge.len()))
}

/// Derives the process key `SK` from `card_key` and the 8-byte card challenge `R`
/// ([`Profile::process_key`]):
///
/// * [`ProcessKeyRule::EncryptChallenge`] (sscard-2): `SK = 3DES_K(R)`, an 8-byte DES key
///   (any 8-byte-block card key: DES, 2- or 3-key 3DES);
/// * [`ProcessKeyRule::ChallengeAndComplement`] (sscard-3): `SK = SM4_K(R ‖ ¬R)` (SM4 key) or
///   `3DES_K(R) ‖ 3DES_K(¬R)` (2-key 3DES key).
pub fn process_key(
    profile: &Profile,
    card_key: &Key,
    challenge: &[u8; 8],
) -> Result<Key, CryptoError> {
    derive_process_key(profile.process_key, card_key, challenge)
}

/// The process-key step of [`process_key`] for an explicit rule and any 8-byte input (a card
/// challenge here, the purse inputs `rnd ‖ ctr ‖ …` in [`crate::purse`]).
pub(crate) fn derive_process_key(
    rule: ProcessKeyRule,
    card_key: &Key,
    input: &[u8; 8],
) -> Result<Key, CryptoError> {
    let c = BlockCipher::new(card_key);
    match rule {
        ProcessKeyRule::EncryptChallenge => {
            if c.block_size() != 8 {
                return Err(CryptoError::UnsupportedAlgorithm(card_key.algorithm()));
            }
            let mut s = Zeroizing::new([0u8; MAX_BLOCK]);
            s.iter_mut().zip(input).for_each(|(d, b)| *d = *b);
            c.encrypt_state(&mut s);
            Ok(Key::new(Algorithm::Des, s.get(..8).unwrap_or(&[]))?)
        }
        ProcessKeyRule::ChallengeAndComplement => {
            let bytes = complement_encrypt(&c, input)?;
            Ok(Key::new(card_key.algorithm(), &bytes[..])?)
        }
    }
}

/// The authentication cryptogram of a source block `S` under a process key: `E_SK(S)` (8 bytes)
/// for 8-byte-block keys, `E_SK(S ‖ ¬S)` (16 bytes) for 16-byte-block keys.
pub fn auth_cryptogram(sk: &Key, source: &[u8; 8]) -> Vec<u8, 16> {
    let c = BlockCipher::new(sk);
    let mut s = [0u8; MAX_BLOCK];
    let not_s = source.map(|b| !b);
    s.iter_mut()
        .zip(source.iter().chain(not_s.iter()))
        .for_each(|(d, b)| *d = *b);
    c.encrypt_state(&mut s);
    let mut out = Vec::new();
    for b in s.iter().take(c.block_size()) {
        // capacity 16 >= block size: cannot fail
        let _ = out.push(*b);
    }
    out
}

/// EXTERNAL AUTHENTICATE data (`Lc = 10`, [`Profile::ext_auth`]): sscard-2 `C ‖ S` with
/// `C = DES_SK(S)`; sscard-3 `SM4_SK(S ‖ ¬S)`. `challenge` is the card's last 8-byte challenge.
pub fn external_auth_data(
    profile: &Profile,
    card_key: &Key,
    challenge: &[u8],
    source: &[u8; 8],
) -> Result<[u8; 16], CryptoError> {
    let sk = process_key(profile, card_key, challenge8(challenge)?)?;
    let mut out = [0u8; 16];
    match profile.ext_auth {
        ExtAuthRule::SourceBlock => {
            let c = auth_cryptogram(&sk, source);
            let tail: &[u8] = if c.len() == 8 { source } else { &[] };
            out.iter_mut()
                .zip(c.iter().chain(tail.iter()))
                .for_each(|(d, b)| *d = *b);
        }
    }
    Ok(out)
}

/// Card side of EXTERNAL AUTHENTICATE: true when `data` is what [`external_auth_data`] gives for
/// this key and challenge. Constant time in the data; false on any malformed input.
pub fn verify_external_auth(
    profile: &Profile,
    card_key: &Key,
    challenge: &[u8],
    data: &[u8],
) -> bool {
    let Ok(data16) = <&[u8; 16]>::try_from(data) else {
        return false;
    };
    let Ok(ch) = challenge8(challenge) else {
        return false;
    };
    let Ok(sk) = process_key(profile, card_key, ch) else {
        return false;
    };
    match profile.ext_auth {
        ExtAuthRule::SourceBlock => {
            let c = BlockCipher::new(&sk);
            if c.block_size() == 8 {
                let (_, src) = data16.split_at(8);
                let Ok(src8) = <&[u8; 8]>::try_from(src) else {
                    return false;
                };
                let Ok(expected) = external_auth_data(profile, card_key, challenge, src8) else {
                    return false;
                };
                bool::from(expected.ct_eq(data16))
            } else {
                let mut s = Zeroizing::new(*data16);
                c.decrypt_state(&mut s);
                let (a, b) = s.split_at(8);
                let not_a: [u8; 8] = core::array::from_fn(|i| !a.get(i).copied().unwrap_or(0));
                bool::from(not_a.as_slice().ct_eq(b))
            }
        }
    }
}

/// INTERNAL AUTHENTICATE response (`00 88 00 KID 10 P ‖ S`): `SK = process_key(IRK, P)`, then
/// sscard-2 `DES_SK(S)` (8 bytes), sscard-3 `SM4_SK(S ‖ ¬S)` (16 bytes).
pub fn internal_auth_response(
    profile: &Profile,
    irk: &Key,
    p: &[u8; 8],
    s: &[u8; 8],
) -> Result<Vec<u8, 16>, CryptoError> {
    let sk = process_key(profile, irk, p)?;
    Ok(auth_cryptogram(&sk, s))
}

/// A line-protection MAC context for one command: the key is scheduled once, the IV fixed.
#[derive(Debug)]
pub struct LineMac {
    key: MacKey,
    iv: [u8; MAX_BLOCK],
}

impl LineMac {
    /// Prepares the MAC for the card key named by the command and the card's last challenge
    /// ([`Profile::line_mac`]):
    ///
    /// * [`LineMacStrategy::ProcessKeyZeroIv`]: key = [`process_key`] (8-byte challenge), IV 0;
    /// * [`LineMacStrategy::PbocClassic`]: key = `card_key`, IV = challenge (≤ one block)
    ///   left-justified in a zero block.
    pub fn new(
        profile: &Profile,
        card_key: &Key,
        challenge: &[u8],
    ) -> Result<LineMac, CryptoError> {
        let mut iv = [0u8; MAX_BLOCK];
        let key = match profile.line_mac {
            LineMacStrategy::ProcessKeyZeroIv => {
                MacKey::new(&process_key(profile, card_key, challenge8(challenge)?)?)
            }
            LineMacStrategy::PbocClassic => {
                let k = MacKey::new(card_key);
                if challenge.len() > k.block_size() {
                    return Err(CryptoError::InvalidChallengeLength(challenge.len()));
                }
                iv.iter_mut().zip(challenge).for_each(|(d, b)| *d = *b);
                k
            }
        };
        Ok(LineMac { key, iv })
    }

    /// The 4-byte MAC over `CLA' INS P1 P2 Lc' ‖ data` given in parts.
    pub fn mac4(&self, parts: &[&[u8]]) -> Result<[u8; 4], CryptoError> {
        let iv = self.iv.get(..self.key.block_size()).unwrap_or(&self.iv);
        self.key.mac4(iv, parts)
    }

    /// Constant-time check of a received MAC.
    pub fn verify(&self, parts: &[&[u8]], received: &[u8]) -> bool {
        self.mac4(parts).is_ok_and(|m| verify_mac(&m, received))
    }
}

/// Line-protection MAC (CLA `04`/`84`): 4 leftmost bytes of the suite MAC over the parts of
/// `CLA' INS P1 P2 Lc' ‖ data`, keyed per [`Profile::line_mac`] (see [`LineMac::new`]).
pub fn line_mac(
    profile: &Profile,
    card_key: &Key,
    challenge: &[u8],
    mac_input_parts: &[&[u8]],
) -> Result<[u8; 4], CryptoError> {
    LineMac::new(profile, card_key, challenge)?.mac4(mac_input_parts)
}

/// Length of the encrypted field for `data_len` bytes of data under a `block`-byte cipher.
pub fn encrypted_field_len(profile: &Profile, data_len: usize, block: usize) -> usize {
    let plain = data_len.saturating_add(1);
    if block == 0 || (plain % block == 0 && !profile.pad_aligned_fields) {
        plain
    } else {
        pad_m2_len(plain, block)
    }
}

/// Encrypts `Ld ‖ data` (padded `80 00…` when not block aligned, or always when
/// [`Profile::pad_aligned_fields`]) in ECB under the process key `sk` (DES for 8-byte, 3DES for
/// 16-byte 3DES, SM4 for SM4 keys) into `out`; returns the cryptogram length.
pub fn encrypt_field(
    profile: &Profile,
    sk: &Key,
    data: &[u8],
    out: &mut [u8],
) -> Result<usize, CryptoError> {
    let ld = u8::try_from(data.len()).map_err(|_| CryptoError::FieldTooLong(data.len()))?;
    let c = BlockCipher::new(sk);
    let n = c.block_size();
    let total = encrypted_field_len(profile, data.len(), n);
    let buf = out
        .get_mut(..total)
        .ok_or(CryptoError::BufferTooSmall { need: total })?;
    let pad = [0x80u8];
    let plain = core::iter::once(&ld)
        .chain(data.iter())
        .chain(pad.iter())
        .chain(core::iter::repeat(&0u8));
    buf.iter_mut().zip(plain).for_each(|(d, b)| *d = *b);
    c.ecb_encrypt(buf)?;
    Ok(total)
}

/// Decrypts an encrypted field made by [`encrypt_field`] (either padding form is accepted),
/// checks `Ld` and the padding, writes the data to `out` and returns its length.
/// Never panics; on a malformed field `out` is wiped.
pub fn decrypt_field(sk: &Key, cryptogram: &[u8], out: &mut [u8]) -> Result<usize, CryptoError> {
    let c = BlockCipher::new(sk);
    let n = c.block_size();
    let total = cryptogram.len();
    if total == 0 || total % n != 0 {
        return Err(CryptoError::MalformedField);
    }
    let mut s = Zeroizing::new([0u8; MAX_BLOCK]);
    let mut ld = 0usize;
    let mut i = 0usize;
    let mut result = Ok(0);
    'blocks: for chunk in cryptogram.chunks_exact(n) {
        s.iter_mut().zip(chunk).for_each(|(d, b)| *d = *b);
        c.decrypt_state(&mut s);
        for &b in s.iter().take(n) {
            if i == 0 {
                ld = usize::from(b);
                let rem = total.checked_sub(ld.saturating_add(1));
                match rem {
                    Some(r) if r <= n => {}
                    _ => {
                        result = Err(CryptoError::MalformedField);
                        break 'blocks;
                    }
                }
                if ld > out.len() {
                    result = Err(CryptoError::BufferTooSmall { need: ld });
                    break 'blocks;
                }
                result = Ok(ld);
            } else if i <= ld {
                if let Some(o) = out.get_mut(i.wrapping_sub(1)) {
                    *o = b;
                }
            } else if (i == ld.saturating_add(1) && b != 0x80)
                || (i > ld.saturating_add(1) && b != 0)
            {
                result = Err(CryptoError::MalformedField);
                break 'blocks;
            }
            i = i.saturating_add(1);
        }
    }
    if result.is_err() {
        out.iter_mut().take(ld).for_each(|b| *b = 0);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
    use hex_literal::hex;

    fn k(alg: Algorithm, b: &[u8]) -> Key {
        Key::new(alg, b).unwrap()
    }

    #[test]
    fn process_key_rules() {
        let k2 = k(Algorithm::Tdes2, &hex!("404142434445464748494A4B4C4D4E4F"));
        let r = hex!("1122334455667788");
        let sk = process_key(&SSCARD_2, &k2, &r).unwrap();
        assert_eq!(sk.algorithm(), Algorithm::Des);
        // crypto.md §2.4 [S]: 3DES_K(R) with K = 404142..4F, R = 1122334455667788
        assert_eq!(sk.as_bytes(), hex!("A0F180047E2A3357"));
        let k3 = k(Algorithm::Sm4, &hex!("0123456789ABCDEFFEDCBA9876543210"));
        let sk3 = process_key(&SSCARD_3, &k3, &hex!("1234567890123445")).unwrap();
        // = SM4 diversification vector, crypto.md §2.2 [S]
        assert_eq!(sk3.as_bytes(), hex!("1E7D5BB9E0A1ABA11531AE1083DB3A0D"));
        assert!(process_key(&SSCARD_2, &k3, &r).is_err());
    }

    #[test]
    fn field_both_paddings_decode() {
        let sk = k(Algorithm::Des, &hex!("0102030405060708"));
        let data = [0x55u8; 7]; // Ld ‖ data = 8 bytes: aligned
        let mut out = [0u8; 32];
        let n = encrypt_field(&SSCARD_2, &sk, &data, &mut out).unwrap();
        assert_eq!(n, 8);
        let always = Profile {
            pad_aligned_fields: true,
            ..SSCARD_2
        };
        let mut out2 = [0u8; 32];
        let n2 = encrypt_field(&always, &sk, &data, &mut out2).unwrap();
        assert_eq!(n2, 16);
        let mut d = [0u8; 16];
        assert_eq!(decrypt_field(&sk, &out[..n], &mut d), Ok(7));
        assert_eq!(&d[..7], &data);
        assert_eq!(decrypt_field(&sk, &out2[..n2], &mut d), Ok(7));
        assert_eq!(&d[..7], &data);
        assert_eq!(
            decrypt_field(&sk, &out2[..n2], &mut [0u8; 3]),
            Err(CryptoError::BufferTooSmall { need: 7 })
        );
        assert_eq!(
            decrypt_field(&sk, &out2[..5], &mut d),
            Err(CryptoError::MalformedField)
        );
        assert!(encrypt_field(&SSCARD_2, &sk, &[0; 256], &mut [0; 300]).is_err());
        assert!(encrypt_field(&SSCARD_2, &sk, &[0; 9], &mut [0; 8]).is_err());
    }

    #[test]
    fn ext_auth_round_trip_and_tamper() {
        for (p, key) in [
            (&SSCARD_2, k(Algorithm::Tdes2, &[0x21; 16])),
            (&SSCARD_3, k(Algorithm::Sm4, &[0x31; 16])),
            (&PBOC_CLASSIC_2, k(Algorithm::Tdes2, &[0x41; 16])),
        ] {
            let r = hex!("0102030405060708");
            let s = hex!("0102030405060708");
            let d = external_auth_data(p, &key, &r, &s).unwrap();
            assert!(verify_external_auth(p, &key, &r, &d));
            let mut bad = d;
            bad[15] ^= 1;
            assert!(!verify_external_auth(p, &key, &r, &bad));
            assert!(!verify_external_auth(
                p,
                &key,
                &hex!("0102030405060709"),
                &d
            ));
            assert!(!verify_external_auth(p, &key, &r, &d[..15]));
            assert!(!verify_external_auth(p, &key, &r[..4], &d));
        }
    }

    #[test]
    fn line_mac_pboc_classic_vectors() {
        // crypto.md §3.1 [S]
        let rec = hex!("011E00030B200905260000000000000000000000000000000000000000000000");
        let hdr = hex!("04DC010424");
        let k16 = k(Algorithm::Tdes2, &hex!("C0994B4B7B36828A326EDF1A3A65D231"));
        let ch = hex!("A1B2C3D4");
        assert_eq!(
            line_mac(&PBOC_CLASSIC_2, &k16, &ch, &[&hdr, &rec]).unwrap(),
            hex!("D2D47CAE")
        );
        let ch8 = hex!("A1B2C3D455667788");
        assert_eq!(
            line_mac(&PBOC_CLASSIC_2, &k16, &ch8, &[&hdr, &rec]).unwrap(),
            hex!("F67C73E4")
        );
        let k8 = k(Algorithm::Des, &hex!("C0994B4B7B36828A"));
        assert_eq!(
            line_mac(&PBOC_CLASSIC_2, &k8, &ch, &[&hdr, &rec]).unwrap(),
            hex!("7FDD6B8B")
        );
        let ksm4 = k(Algorithm::Sm4, &hex!("0123456789ABCDEFFEDCBA9876543210"));
        let sm4_classic = Profile {
            line_mac: LineMacStrategy::PbocClassic,
            ..SSCARD_3
        };
        assert_eq!(
            line_mac(&sm4_classic, &ksm4, &ch, &[&hdr, &rec]).unwrap(),
            hex!("465E34A8")
        );
        assert!(line_mac(&PBOC_CLASSIC_2, &k16, &[0; 9], &[&hdr]).is_err());
    }
}
