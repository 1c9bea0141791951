//! Key files: one 24-byte slot per key of the spec's key table (see [`crate::layout`]).

use crate::layout::{self, Layout};
use crate::security::tries::TryCounter;
use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;
use sscard_keys::{Algorithm, Key};
use sscard_specs::keys::{keys_of, KeySpec};
use zeroize::Zeroizing;

/// Algorithm byte of a key slot (0 = no key).
pub(crate) fn alg_code(a: Algorithm) -> u8 {
    match a {
        Algorithm::Des => 1,
        Algorithm::Tdes2 => 2,
        Algorithm::Tdes3 => 3,
        Algorithm::Sm4 => 4,
        Algorithm::Aes128 => 5,
    }
}

fn alg_from(code: u8) -> Option<Algorithm> {
    Some(match code {
        1 => Algorithm::Des,
        2 => Algorithm::Tdes2,
        3 => Algorithm::Tdes3,
        4 => Algorithm::Sm4,
        5 => Algorithm::Aes128,
        _ => return None,
    })
}

/// A key loaded from its slot.
pub(crate) struct StoredKey {
    pub key: Key,
    /// The key's try counter (EXTERNAL AUTHENTICATE).
    pub counter: TryCounter,
}

/// Offset of `spec`'s slot.
pub(crate) fn slot_of(layout: &Layout, spec: &KeySpec) -> Option<u32> {
    let idx = keys_of(spec.df).iter().position(|k| k.name == spec.name)?;
    Some(layout.key_slot(spec.df, idx))
}

/// Load `spec`'s key; `6A88` when the card holds no such key.
pub(crate) fn load<S: Store>(
    j: &Journal<S>,
    layout: &Layout,
    spec: &KeySpec,
) -> Result<StoredKey, StatusWord> {
    let slot = slot_of(layout, spec).ok_or(StatusWord::KEY_NOT_FOUND)?;
    let mut raw = Zeroizing::new([0u8; layout::KEY_SLOT as usize]);
    j.read(slot, &mut raw[..])?;
    let alg =
        alg_from(byte(&raw[..], layout::key::ALG as usize)).ok_or(StatusWord::KEY_NOT_FOUND)?;
    let len = usize::from(byte(&raw[..], layout::key::LEN as usize));
    let start = layout::key::BYTES as usize;
    let bytes = raw
        .get(start..start + len)
        .ok_or(StatusWord::KEY_NOT_FOUND)?;
    let key = Key::new(alg, bytes).map_err(|_| StatusWord::KEY_NOT_FOUND)?;
    Ok(StoredKey {
        key,
        counter: TryCounter::new(
            slot + layout::key::TRIES,
            byte(&raw[..], layout::key::TRIES as usize),
            byte(&raw[..], layout::key::LIMIT as usize),
        ),
    })
}

/// Factory: write a key slot.
pub(crate) fn write_slot<S: Store>(
    j: &mut Journal<S>,
    slot: u32,
    key: &Key,
    limit: u8,
) -> Result<(), StatusWord> {
    let mut raw = Zeroizing::new([0u8; layout::KEY_SLOT as usize]);
    let bytes = key.as_bytes();
    if bytes.len() > layout::key::BYTES_MAX {
        return Err(StatusWord::WRONG_LENGTH);
    }
    put(&mut raw[..], layout::key::TRIES as usize, limit);
    put(&mut raw[..], layout::key::LIMIT as usize, limit);
    put(
        &mut raw[..],
        layout::key::ALG as usize,
        alg_code(key.algorithm()),
    );
    put(&mut raw[..], layout::key::LEN as usize, bytes.len() as u8);
    let start = layout::key::BYTES as usize;
    raw.get_mut(start..start + bytes.len())
        .ok_or(StatusWord::WRONG_LENGTH)?
        .copy_from_slice(bytes);
    j.write_unjournaled(slot, &raw[..])?;
    Ok(())
}

fn byte(raw: &[u8], i: usize) -> u8 {
    raw.get(i).copied().unwrap_or(0)
}

fn put(raw: &mut [u8], i: usize, v: u8) {
    if let Some(b) = raw.get_mut(i) {
        *b = v;
    }
}
