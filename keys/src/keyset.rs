//! The issuer's root keys by name, and derivation of a card's keys from them.
//!
//! Names and diversification levels come from `sscard_specs::keys` (e.g. `"RKSSSE"`,
//! `"UKSSSE"`, `"RK1DF01"`, `"IRK"`, `"PUK"`, `"STK"`, `"CIDK"`); this set only stores them.

use heapless::{String, Vec};

use crate::diversify::diversify_multi;
use crate::error::CryptoError;
use crate::factors::{DiversificationFactors, MAX_LEVELS};
use crate::key::Key;

/// Maximum number of root keys in an [`IssuerKeySet`].
pub const KEYSET_CAPACITY: usize = 64;
/// Maximum length of a key name.
pub const KEY_NAME_MAX: usize = 16;

/// An [`IssuerKeySet`] operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeySetError {
    /// No key of that name.
    #[error("unknown key")]
    UnknownKey,
    /// Name longer than [`KEY_NAME_MAX`] bytes.
    #[error("key name too long")]
    NameTooLong,
    /// The set already holds [`KEYSET_CAPACITY`] keys.
    #[error("key set full")]
    Full,
    /// More than 3 diversification levels.
    #[error("{0} diversification levels (max 3)")]
    TooManyLevels(u8),
    /// The factors have fewer levels than the key needs.
    #[error("key needs {needed} diversification levels, factors have {given}")]
    NotEnoughFactors {
        /// Levels of the key.
        needed: u8,
        /// Levels of the factors.
        given: u8,
    },
    /// Diversification failed (unsupported root algorithm).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

struct Entry {
    name: String<KEY_NAME_MAX>,
    key: Key,
    levels: u8,
}

/// Root keys by name, each with its number of diversification levels.
#[derive(Default)]
pub struct IssuerKeySet {
    entries: Vec<Entry, KEYSET_CAPACITY>,
}

impl IssuerKeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the root key `name` with `levels` diversification levels (0–3).
    pub fn insert(&mut self, name: &str, key: Key, levels: u8) -> Result<(), KeySetError> {
        if usize::from(levels) > MAX_LEVELS {
            return Err(KeySetError::TooManyLevels(levels));
        }
        if let Some(e) = self.entries.iter_mut().find(|e| e.name == name) {
            e.key = key;
            e.levels = levels;
            return Ok(());
        }
        let name = String::try_from(name).map_err(|_| KeySetError::NameTooLong)?;
        self.entries
            .push(Entry { name, key, levels })
            .map_err(|_| KeySetError::Full)
    }

    /// The root key `name` and its levels.
    pub fn get(&self, name: &str) -> Option<(&Key, u8)> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| (&e.key, e.levels))
    }

    /// Key names in insertion order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The card's key `name`: the root diversified by the innermost `levels` factors
    /// (so one 3-level factor list serves 3-, 2- and 1-level keys).
    pub fn card_key(
        &self,
        name: &str,
        factors: &DiversificationFactors,
    ) -> Result<Key, KeySetError> {
        let (root, levels) = self.get(name).ok_or(KeySetError::UnknownKey)?;
        let f = factors
            .innermost(levels)
            .ok_or(KeySetError::NotEnoughFactors {
                needed: levels,
                given: factors.levels(),
            })?;
        Ok(diversify_multi(root, f)?)
    }
}

impl core::fmt::Debug for IssuerKeySet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut m = f.debug_map();
        for e in &self.entries {
            m.entry(&e.name.as_str(), &(&e.key, e.levels));
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::Algorithm;
    use crate::diversify::diversify;
    use hex_literal::hex;

    #[test]
    fn derive_by_levels() {
        let root = Key::new(Algorithm::Tdes2, &hex!("0123456789ABCDEFFEDCBA9876543210")).unwrap();
        let mut ks = IssuerKeySet::new();
        ks.insert("RKSSSE", root.clone(), 3).unwrap();
        ks.insert("PUK", root.clone(), 2).unwrap();
        let atr = hex!("8684420100000135");
        let f3 = DiversificationFactors::for_levels(3, &atr, &hex!("420100")).unwrap();
        let rk = ks.card_key("RKSSSE", &f3).unwrap();
        let want = diversify(
            &diversify(&diversify(&root, b"420000sh").unwrap(), b"420100sx").unwrap(),
            &atr,
        );
        assert_eq!(rk, want.unwrap());
        let puk = ks.card_key("PUK", &f3).unwrap();
        assert_eq!(
            puk,
            diversify(&diversify(&root, b"420100sx").unwrap(), &atr).unwrap()
        );
        let f2 = DiversificationFactors::for_levels(2, &atr, &hex!("420100")).unwrap();
        assert_eq!(
            ks.card_key("RKSSSE", &f2).err(),
            Some(KeySetError::NotEnoughFactors {
                needed: 3,
                given: 2
            })
        );
        assert_eq!(ks.card_key("STK", &f3).err(), Some(KeySetError::UnknownKey));
        assert!(ks
            .insert("A_NAME_THAT_IS_TOO_LONG", root.clone(), 1)
            .is_err());
        assert!(ks.insert("X", root, 4).is_err());
        assert_eq!(ks.names().collect::<std::vec::Vec<_>>(), ["RKSSSE", "PUK"]);
        assert!(!format!("{ks:?}").contains("0123"));
    }
}
