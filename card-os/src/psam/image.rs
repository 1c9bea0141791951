//! The PSAM's non-volatile image and its one-shot provisioning.
//!
//! The only persistent state a PSAM command changes is the terminal transaction serial of the
//! purchase side (`80 70`), kept in two check-worded copies (`read_serial`, `write_serial`)
//! so a torn write falls back to the previous serial, never to a later one; everything else is
//! written once by [`provision`], header magic last (an interrupted provisioning leaves "not
//! provisioned").
//!
//! Store map (offsets from the start of the [`Store`]):
//!
//! | offset | len | content |
//! |---|---|---|
//! | 0 | 4 | magic `PSAM` (written last) |
//! | 4 | 1 | layout version ([`LAYOUT_VERSION`]) |
//! | 5 | 1 | number of key records |
//! | 6 | 2 | reserved (0) |
//! | 8 | 16 | profile name (`sscard-2`, …), zero padded |
//! | 24 | 22 | EF15 public information (see [`EF15_LEN`]) |
//! | 56 | 6 | EF16 terminal number |
//! | 64 | 28 × n | key records: usage(1) id(1) algorithm(1) key length(1) root key(24, zero padded) |
//! | 2032 | 2 × 8 | terminal transaction serial, two copies `serial(4) ‖ ¬serial(4)`; copy `n % 2` holds serial `n` |

use crate::store::{Store, StoreError};
use sscard_keys::{Algorithm, IssuerKeySet, Key, Profile};
use sscard_specs::psam::{
    alg, key_slots, COMMAND_SET_VERSION, EF15, EF16, ISSUER_ID_LEN, KEY_CARD_TYPE_PSAM,
    PSAM_VERSION, SERIAL_LEN, TERMINAL_NUMBER_LEN,
};
use zeroize::Zeroizing;

/// Store size that holds any PSAM image.
pub const PSAM_STORE_SIZE: usize = 2048;
/// Layout version written by [`provision`].
pub const LAYOUT_VERSION: u8 = 1;
/// Most key records.
pub const MAX_KEYS: usize = 64;

pub(crate) const MAGIC: [u8; 4] = *b"PSAM";
pub(crate) const OFF_LAYOUT: u32 = 4;
pub(crate) const OFF_KEY_COUNT: u32 = 5;
pub(crate) const OFF_PROFILE: u32 = 8;
pub(crate) const PROFILE_NAME_LEN: usize = 16;
pub(crate) const OFF_EF15: u32 = 24;
pub(crate) const OFF_EF16: u32 = 56;
pub(crate) const OFF_KEYS: u32 = 64;
pub(crate) const KEY_RECORD: usize = 28;
pub(crate) const KEY_BYTES_MAX: usize = 24;
/// The two serial copies (after the largest key table: 64 + 64 × 28 = 1856).
pub(crate) const OFF_SERIAL: u32 = (PSAM_STORE_SIZE - 16) as u32;
const _: () = assert!(OFF_KEYS as usize + MAX_KEYS * KEY_RECORD <= OFF_SERIAL as usize);

fn serial_copy(n: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b.iter_mut()
        .zip(n.to_be_bytes().iter().chain((!n).to_be_bytes().iter()))
        .for_each(|(d, s)| *d = *s);
    b
}

/// The last terminal transaction serial given out: the larger valid copy (0 when none is
/// valid, e.g. a fresh or an older image).
pub(crate) fn read_serial<S: Store>(store: &S) -> Result<u32, StoreError> {
    let mut best = 0u32;
    for i in 0..2u32 {
        let mut b = [0u8; 8];
        store.read(OFF_SERIAL + 8 * i, &mut b)?;
        let [a0, a1, a2, a3, c0, c1, c2, c3] = b;
        let v = u32::from_be_bytes([a0, a1, a2, a3]);
        if !v == u32::from_be_bytes([c0, c1, c2, c3]) && v % 2 == i {
            best = best.max(v);
        }
    }
    Ok(best)
}

/// Persist serial `n` (into copy `n % 2`, the other keeps `n − 1`).
pub(crate) fn write_serial<S: Store>(store: &mut S, n: u32) -> Result<(), StoreError> {
    store.write(OFF_SERIAL + 8 * (n % 2), &serial_copy(n))?;
    store.flush()
}

/// EF15 (public information) length: [`sscard_specs::psam::EF15_FIELDS`] (serial ‖ PSAM version
/// ‖ key-card type ‖ command-set version ‖ algorithm id ‖ issuer id).
pub const EF15_LEN: usize = EF15.size();
/// EF16 (terminal number) length: 6 bytes cn (region 6 digits ‖ 6 digits).
pub const EF16_LEN: usize = EF16.size();

/// Key-record algorithm codes ([`sscard_specs::psam::alg`]).
pub(crate) fn alg_code(a: Algorithm) -> Option<u8> {
    match a {
        Algorithm::Tdes2 => Some(alg::TDES),
        Algorithm::Des => Some(alg::DES),
        Algorithm::Sm4 => Some(alg::SM4),
        Algorithm::Tdes3 | Algorithm::Aes128 => None,
    }
}

pub(crate) fn alg_from(code: u8) -> Option<Algorithm> {
    match code {
        alg::TDES => Some(Algorithm::Tdes2),
        alg::DES => Some(Algorithm::Des),
        alg::SM4 => Some(Algorithm::Sm4),
        _ => None,
    }
}

/// Everything [`provision`] needs.
pub struct PsamParams<'a> {
    /// Security profile (algorithm suite, process-key rule); stored by name in the image.
    pub profile: &'static Profile,
    /// Issuer root keys, named as `sscard_specs::keys`. Every key of the specs' table that the
    /// set holds is loaded (a subset makes a PSAM with fewer rights); others are ignored.
    pub keys: &'a IssuerKeySet,
    /// Terminal number (EF16), 6 bytes packed BCD: region (6 digits) ‖ 6 digits.
    pub terminal_number: [u8; TERMINAL_NUMBER_LEN],
    /// PSAM serial number (EF15 bytes 0–9; also the ATR historical bytes).
    pub serial: [u8; SERIAL_LEN],
    /// Issuer identifier (EF15 bytes 14–21).
    pub issuer_id: [u8; ISSUER_ID_LEN],
}

/// Why [`provision`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProvisionError {
    /// Store failure.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The store is smaller than [`PSAM_STORE_SIZE`].
    #[error("the store is smaller than a PSAM image")]
    StoreTooSmall,
    /// The profile name is longer than 16 bytes.
    #[error("the profile name is longer than 16 bytes")]
    ProfileName,
    /// The terminal number is not 12 BCD digits.
    #[error("the terminal number is not 12 BCD digits")]
    BadTerminalNumber,
    /// A root key's algorithm is not the profile's key algorithm.
    #[error("root key {0} is not of the profile's key algorithm")]
    WrongAlgorithm(&'static str),
    /// A root key's levels in the key set differ from the specs' table.
    #[error("root key {0} has other diversification levels than the specs give it")]
    LevelMismatch(&'static str),
    /// More keys than [`MAX_KEYS`], or the table has no slot for a key.
    #[error("more keys than the PSAM's key table holds")]
    TooManyKeys,
}

fn is_bcd(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9)
}

/// The EF15 content for these parameters.
pub fn ef15(p: &PsamParams<'_>) -> [u8; EF15_LEN] {
    let mut out = [0u8; EF15_LEN];
    let fixed = [
        PSAM_VERSION,
        KEY_CARD_TYPE_PSAM,
        COMMAND_SET_VERSION,
        p.profile
            .algorithm_id
            .unwrap_or(sscard_apdu::fci::DEFAULT_ALGORITHM_ID),
    ];
    out.iter_mut()
        .zip(
            p.serial
                .iter()
                .chain(fixed.iter())
                .chain(p.issuer_id.iter()),
        )
        .for_each(|(d, s)| *d = *s);
    out
}

fn key_record(usage: u8, id: u8, key: &Key) -> Option<Zeroizing<[u8; KEY_RECORD]>> {
    let code = alg_code(key.algorithm())?;
    let bytes = key.as_bytes();
    if bytes.len() > KEY_BYTES_MAX {
        return None;
    }
    let len = u8::try_from(bytes.len()).ok()?;
    let mut rec = Zeroizing::new([0u8; KEY_RECORD]);
    rec.iter_mut()
        .zip([usage, id, code, len].iter().chain(bytes.iter()))
        .for_each(|(d, s)| *d = *s);
    Some(rec)
}

/// Writes a PSAM image into `store`: EF15, EF16 and one key record per key of the specs' table
/// present in `p.keys` (the **root** key, addressed by [`sscard_specs::psam::key_slot`]).
pub fn provision<S: Store>(store: &mut S, p: &PsamParams<'_>) -> Result<(), ProvisionError> {
    if store.capacity() < PSAM_STORE_SIZE {
        return Err(ProvisionError::StoreTooSmall);
    }
    let name = p.profile.name.as_bytes();
    if name.len() > PROFILE_NAME_LEN {
        return Err(ProvisionError::ProfileName);
    }
    if !is_bcd(&p.terminal_number) {
        return Err(ProvisionError::BadTerminalNumber);
    }
    // Not provisioned until the magic lands (last).
    store.write(0, &[0u8; OFF_KEYS as usize])?;
    store.write(OFF_EF15, &ef15(p))?;
    store.write(OFF_EF16, &p.terminal_number)?;
    let mut n = 0usize;
    for (spec, slot) in key_slots() {
        let Some((root, levels)) = p.keys.get(spec.name) else {
            continue;
        };
        if root.algorithm() != p.profile.key_algorithm() {
            return Err(ProvisionError::WrongAlgorithm(spec.name));
        }
        if levels != slot.levels() {
            return Err(ProvisionError::LevelMismatch(spec.name));
        }
        if n >= MAX_KEYS {
            return Err(ProvisionError::TooManyKeys);
        }
        let rec = key_record(slot.usage, slot.id, root)
            .ok_or(ProvisionError::WrongAlgorithm(spec.name))?;
        let off = record_off(n).ok_or(ProvisionError::TooManyKeys)?;
        store.write(off, &rec[..])?;
        n += 1;
    }
    let count = u8::try_from(n).map_err(|_| ProvisionError::TooManyKeys)?;
    let mut pname = [0u8; PROFILE_NAME_LEN];
    pname.iter_mut().zip(name.iter()).for_each(|(d, s)| *d = *s);
    store.write(OFF_SERIAL, &serial_copy(0))?;
    store.write(OFF_SERIAL + 8, &[0u8; 8])?;
    store.write(OFF_LAYOUT, &[LAYOUT_VERSION, count])?;
    store.write(OFF_PROFILE, &pname)?;
    store.write(0, &MAGIC)?;
    store.flush()?;
    Ok(())
}

/// Offset of key record `i`.
pub(crate) fn record_off(i: usize) -> Option<u32> {
    if i >= MAX_KEYS {
        return None;
    }
    let rel = u32::try_from(i.checked_mul(KEY_RECORD)?).ok()?;
    OFF_KEYS.checked_add(rel)
}

/// Loads the root key of record `(usage, id)` from a provisioned image; `None` if absent.
pub(crate) fn find_key<S: Store>(store: &S, count: u8, usage: u8, id: u8) -> Option<Key> {
    for i in 0..usize::from(count) {
        let off = record_off(i)?;
        let mut rec = Zeroizing::new([0u8; KEY_RECORD]);
        store.read(off, &mut rec[..]).ok()?;
        if rec.first() != Some(&usage) || rec.get(1) != Some(&id) {
            continue;
        }
        let alg = alg_from(*rec.get(2)?)?;
        let len = usize::from(*rec.get(3)?);
        let bytes = rec.get(4..4usize.checked_add(len)?)?;
        return Key::new(alg, bytes).ok();
    }
    None
}
