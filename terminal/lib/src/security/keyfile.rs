//! Issuer root key set files (TOML): one hex key per key name of `sscard_specs::keys`.
//!
//! ```toml
//! # TEST KEYS — NOT FOR PRODUCTION
//! suite = "sscard-2"
//!
//! [keys]
//! RKSSSE = "00112233445566778899AABBCCDDEEFF"
//! UKSSSE = "…"
//! ```
//!
//! The number of diversification levels of every key comes from the specs, not from the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sscard_keys::keyset::KeySetError;
use sscard_keys::{IssuerKeySet, Key, KeyError, Profile, SoftwareSecurityModule};
use sscard_specs::keys::all_keys;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Why an issuer key file cannot be used ([`Error::KeyFile`]).
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file cannot be read.
    #[error("cannot read key file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not a key file (TOML syntax, missing or unknown fields).
    #[error("key file: {0}")]
    Syntax(String),
    /// A key name that is not in the specs' key table.
    #[error("key file: unknown key name {0}")]
    UnknownKey(String),
    /// A key that is not hex.
    #[error("key file: {0} is not hex")]
    NotHex(String),
    /// A key that is not a key of the suite's algorithm (wrong length).
    #[error("key file: {name} is not a {algorithm} key: {source}")]
    BadKey {
        /// The key name.
        name: String,
        /// The suite's key algorithm.
        algorithm: &'static str,
        /// Why.
        source: KeyError,
    },
    /// The key set refused the key.
    #[error("key file: {name}: {source}")]
    KeySet {
        /// The key name.
        name: String,
        /// Why.
        source: KeySetError,
    },
}

/// The header every generated file starts with.
pub const TEST_KEYS_BANNER: &str = "# TEST KEYS — NOT FOR PRODUCTION";

/// A loaded key set and the profile (suite) it is for.
pub struct KeyFile {
    /// The profile named by `suite`.
    pub profile: &'static Profile,
    /// Root keys by name.
    pub keys: IssuerKeySet,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("profile", &self.profile.name)
            .field("keys", &self.keys.names().collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    suite: String,
    keys: BTreeMap<String, String>,
}

/// Names of the keys a key set holds: every implemented key of the specs (CIDK included).
pub fn key_names() -> impl Iterator<Item = &'static str> {
    all_keys().filter(|k| k.implemented).map(|k| k.name)
}

/// The profile for a suite name (`sscard-2`, `sscard-3`, `pboc-classic-2`).
pub fn profile_by_name(name: &str) -> Result<&'static Profile> {
    Profile::by_name(name).ok_or_else(|| Error::Value {
        what: "suite",
        expected: "sscard-2, sscard-3 or pboc-classic-2",
        got: name.to_string(),
    })
}

impl KeyFile {
    /// Parse the TOML text.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: Raw =
            toml::from_str(text).map_err(|e| KeyFileError::Syntax(e.message().to_string()))?;
        let profile = profile_by_name(&raw.suite)?;
        let alg = profile.key_algorithm();
        let mut keys = IssuerKeySet::new();
        for (name, hex_key) in &raw.keys {
            let spec = all_keys()
                .find(|k| k.name == name.as_str())
                .ok_or_else(|| KeyFileError::UnknownKey(name.clone()))?;
            let bytes = Zeroizing::new(
                hex::decode(hex_key.trim()).map_err(|_| KeyFileError::NotHex(name.clone()))?,
            );
            let key = Key::new(alg, &bytes).map_err(|source| KeyFileError::BadKey {
                name: name.clone(),
                algorithm: alg.name(),
                source,
            })?;
            keys.insert(spec.name, key, spec.levels)
                .map_err(|source| KeyFileError::KeySet {
                    name: name.clone(),
                    source,
                })?;
        }
        Ok(KeyFile { profile, keys })
    }

    /// Read and parse a key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
                    path: path.to_path_buf(),
                    source,
                })?,
            );
        Self::parse(&text)
    }

    /// A software security module over these keys.
    pub fn into_security_module(self) -> SoftwareSecurityModule {
        SoftwareSecurityModule::new(self.profile, self.keys)
    }
}

/// A fresh random key set for `profile` as TOML text (keys from the OS random generator),
/// labelled as test keys.
pub fn generate(profile: &'static Profile) -> Result<Zeroizing<String>> {
    let len = profile.key_algorithm().key_len();
    let mut out = Zeroizing::new(String::new());
    out.push_str(TEST_KEYS_BANNER);
    out.push_str(
        "\n# sscard issuer root key set: one hex key per key name of sscard_specs::keys.\n",
    );
    out.push_str(
        "# Generated by `sscard keys generate`. Whoever holds this file can write any card\n",
    );
    out.push_str("# initialised from it: keep real key sets in an HSM, never in a file.\n");
    out.push_str(&format!("suite = \"{}\"\n\n[keys]\n", profile.name));
    for name in key_names() {
        let mut key = Zeroizing::new(vec![0u8; len]);
        getrandom::fill(&mut key)
            .map_err(|e| Error::SecurityModule(format!("no randomness from the OS: {e}")))?;
        out.push_str(&format!("{name} = \"{}\"\n", hex::encode_upper(&*key)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generated_file_round_trips() {
        for p in [
            &sscard_keys::profile::SSCARD_2,
            &sscard_keys::profile::SSCARD_3,
        ] {
            let text = generate(p).unwrap();
            assert!(text.starts_with(TEST_KEYS_BANNER));
            let kf = KeyFile::parse(&text).unwrap();
            assert_eq!(kf.profile.name, p.name);
            for name in key_names() {
                assert!(kf.keys.get(name).is_some(), "{name}");
            }
            assert!(kf.keys.get("CIDK").is_some());
            assert_eq!(kf.keys.get("PUK").map(|k| k.1), Some(2));
        }
    }

    #[test]
    fn bad_files_are_usage_errors() {
        let e = KeyFile::parse("suite = \"x\"\n[keys]\n").unwrap_err();
        assert!(matches!(e, Error::Value { what: "suite", .. }), "{e}");
        assert_eq!(e.exit_code(), 2);
        let e = KeyFile::parse("suite = \"sscard-2\"\n[keys]\nNOPE = \"00\"\n").unwrap_err();
        assert!(
            matches!(e, Error::KeyFile(KeyFileError::UnknownKey(_))),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
        let e = KeyFile::parse("suite = \"sscard-2\"\n[keys]\nPUK = \"zz\"\n").unwrap_err();
        assert!(matches!(e, Error::KeyFile(KeyFileError::NotHex(_))), "{e}");
        assert_eq!(e.exit_code(), 2);
        let e = KeyFile::parse("suite = \"sscard-2\"\n[keys]\nPUK = \"0011\"\n").unwrap_err();
        assert!(
            matches!(e, Error::KeyFile(KeyFileError::BadKey { .. })),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("key file: PUK is not a 3DES-2 key: "),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
        let e = KeyFile::parse("garbage").unwrap_err();
        assert!(matches!(e, Error::KeyFile(KeyFileError::Syntax(_))), "{e}");
        assert_eq!(e.exit_code(), 2);
    }
}
