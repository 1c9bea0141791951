//! **The one table** mapping a card key name to its PSAM key record address: the usage byte
//! ("用途") and the PSAM key id. It is derived from `sscard_specs::keys` at run time, so changing
//! the specs' key table changes it; the PSAM provisioning ([`super::provision`]) and the host's
//! PSAM security module (`sscard_terminal::psam`) both call [`slot_by_name`] / [`slot_of`].
//!
//! # Usage byte (sscard-spec.md §5.2)
//!
//! `usage = levels << 5 | key type`:
//!
//! * **levels** (high 3 bits) = [`KeySpec::levels`], the number of diversification levels the
//!   card key really has. Where the reference's observed usage byte disagrees (RKSSSE and
//!   UK1–3DF07 are `47` = 2 levels in the Jiangsu code base, while profile.md §2 makes them
//!   national 3-level keys), the levels of the spec win: `67`. Otherwise a host sending the
//!   factors the usage byte announces would get the wrong key.
//! * **key type** (low 5 bits) = the observed type where the reference gives a usage byte
//!   (`x7` encryption for RK/UK keys, `x8` MAC+encryption for PUK/STK/UK1DF06), else by role
//!   ([`type_for_role`]): read/update/internal-auth keys `07`, PUK/STK `08`, CIDK/TAC `06`, lock
//!   `01`, purchase `02`, load `07`.
//!
//! # Key id
//!
//! The observed PSAM key id where the reference gives one (RKSSSE `0A`, PUK `10`, STK `09`,
//! RK1DF01 `2E`, RK1DF02 `35`, RK1DF03 `2B`, RK2DF03 `2C`, RK1DF04 `2D`, UK1DF06 `53`,
//! UK1–3DF07 `3E`/`B0`/`B2`); every other key gets the next free id counting up from
//! [`ASSIGNED_ID_BASE`] (`60`) in `sscard_specs::keys::all_keys()` order, skipping every observed
//! id. Ids are therefore unique across the whole PSAM (not only per usage byte).

use sscard_specs::keys::{all_keys, key_by_name, KeyRole, KeySpec};

/// First PSAM key id handed out to keys without an observed id.
pub const ASSIGNED_ID_BASE: u8 = 0x60;

/// Key types of the usage byte's low 5 bits (sscard-spec.md §5.2, S-PSAMDOC).
pub mod key_type {
    /// Master key.
    pub const MASTER: u8 = 0x00;
    /// Maintenance key.
    pub const MAINTENANCE: u8 = 0x01;
    /// Purchase key.
    pub const PURCHASE: u8 = 0x02;
    /// PIN unblock key.
    pub const PIN_UNBLOCK: u8 = 0x03;
    /// PIN reload key.
    pub const PIN_RELOAD: u8 = 0x04;
    /// User-card application maintenance key.
    pub const USER_APP_MAINTENANCE: u8 = 0x05;
    /// MAC key.
    pub const MAC: u8 = 0x06;
    /// Encryption key.
    pub const ENCRYPTION: u8 = 0x07;
    /// MAC + encryption key.
    pub const MAC_ENCRYPTION: u8 = 0x08;
}

/// Where a key lives in the PSAM: `BF DE <usage> <id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PsamKeySlot {
    /// Usage byte: high 3 bits = diversification levels, low 5 bits = key type.
    pub usage: u8,
    /// PSAM key id.
    pub id: u8,
}

impl PsamKeySlot {
    /// Number of diversification levels (= 8-byte factors `BF DE` expects before `R`).
    pub const fn levels(&self) -> u8 {
        self.usage >> 5
    }

    /// Key type (low 5 bits of the usage byte, see [`key_type`]).
    pub const fn key_type(&self) -> u8 {
        self.usage & 0x1F
    }
}

/// Builds a usage byte; `None` when `levels` does not fit 3 bits.
pub const fn usage_byte(levels: u8, key_type: u8) -> Option<u8> {
    if levels > 7 {
        return None;
    }
    Some((levels << 5) | (key_type & 0x1F))
}

/// Key type for a key without an observed usage byte.
pub const fn type_for_role(role: KeyRole) -> u8 {
    match role {
        KeyRole::Read | KeyRole::Update | KeyRole::InternalAuth | KeyRole::Load => {
            key_type::ENCRYPTION
        }
        KeyRole::PinUnblock | KeyRole::Maintenance => key_type::MAC_ENCRYPTION,
        KeyRole::CardIdAuth | KeyRole::Tac => key_type::MAC,
        KeyRole::Lock => key_type::MAINTENANCE,
        KeyRole::Purchase => key_type::PURCHASE,
    }
}

fn is_observed_id(id: u8) -> bool {
    all_keys().any(|k| k.psam_key_id == Some(id))
}

fn assigned_id(spec: &KeySpec) -> Option<u8> {
    let mut next = u16::from(ASSIGNED_ID_BASE);
    for k in all_keys().filter(|k| k.psam_key_id.is_none()) {
        while u8::try_from(next).is_ok_and(is_observed_id) {
            next = next.saturating_add(1);
        }
        let id = u8::try_from(next).ok()?;
        if k.name == spec.name {
            return Some(id);
        }
        next = next.saturating_add(1);
    }
    None
}

/// The PSAM slot of a key of the specs' table (`None` only if the table outgrows the id space).
pub fn slot_of(spec: &KeySpec) -> Option<PsamKeySlot> {
    let ty = spec.psam_usage_type().unwrap_or(type_for_role(spec.role));
    let usage = usage_byte(spec.levels, ty)?;
    let id = match spec.psam_key_id {
        Some(id) => id,
        None => assigned_id(spec)?,
    };
    Some(PsamKeySlot { usage, id })
}

/// The specs' entry and PSAM slot of the key `name` (e.g. `"RK1DF01"`).
pub fn slot_by_name(name: &str) -> Option<(&'static KeySpec, PsamKeySlot)> {
    let spec = key_by_name(name)?;
    Some((spec, slot_of(spec)?))
}

/// Every key of the specs' table with its PSAM slot, in table order.
pub fn assignments() -> impl Iterator<Item = (&'static KeySpec, PsamKeySlot)> {
    all_keys().filter_map(|k| slot_of(k).map(|s| (k, s)))
}
