//! The terminal's security module: the operations a host needs from whoever holds the issuer
//! keys — a PSAM card (over PC/SC, keys never in host memory), an HSM, or the
//! [`SoftwareSecurityModule`] for tests and emulation.
//!
//! Keys are addressed by name ([`KeyRef`]) plus the card's [`DiversificationFactors`].

use heapless::Vec;

use crate::error::CryptoError;
use crate::factors::DiversificationFactors;
use crate::key::Key;
use crate::keyset::{IssuerKeySet, KeySetError};
use crate::pin::Pin;
use crate::profile::Profile;
use crate::session;

/// A root key addressed by name (a key name of `sscard_specs::keys`, e.g. `"RKSSSE"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef<'a> {
    /// Key name.
    pub name: &'a str,
}

impl<'a> KeyRef<'a> {
    /// A reference to the key `name`.
    pub const fn new(name: &'a str) -> Self {
        KeyRef { name }
    }
}

/// Host-side cryptography against a card, without assuming the keys are in host memory.
/// All keys are root keys diversified by `factors` (innermost levels as the key requires).
pub trait SecurityModule {
    /// Error type of the implementation.
    type Error;

    /// EXTERNAL AUTHENTICATE data (16 bytes) for the card's last `challenge` and source `S`.
    fn external_auth(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16], Self::Error>;

    /// Line-protection MAC (4 bytes) over `CLA' INS P1 P2 Lc' ‖ data` given in parts.
    fn line_mac(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4], Self::Error>;

    /// What the card must answer to INTERNAL AUTHENTICATE `P ‖ S`.
    fn internal_auth_expected(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8, 16>, Self::Error>;

    /// Encrypted PIN block `E_SK(Lpin ‖ BCD [‖ 80 00…])` for PIN RELOAD, SK from `challenge`.
    fn encrypt_pin_block(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<Vec<u8, 32>, Self::Error>;

    /// The card's diversified purse key `key` (DPK, DLK, DTK: `crate::purse` derives the process
    /// and TAC keys from it), for hosts that check or compute the purse MACs themselves — a back
    /// end's HSM stand-in, the conformance suite. `None`: the module gives no keys out (a PSAM:
    /// it computes MAC1 and checks MAC2 itself).
    fn purse_card_key(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
    ) -> Option<Result<Key, Self::Error>> {
        let _ = (key, factors);
        None
    }

    /// The security profile the module implements.
    fn profile(&self) -> &'static Profile;
}

/// Errors of the [`SoftwareSecurityModule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SmError {
    /// Key lookup or diversification failed.
    #[error(transparent)]
    KeySet(#[from] KeySetError),
    /// A cryptographic operation rejected its input.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// A [`SecurityModule`] holding the issuer root keys in memory (tests, emulation, personalisation).
#[derive(Debug)]
pub struct SoftwareSecurityModule {
    /// Profile implemented.
    pub profile: &'static Profile,
    /// Issuer root keys.
    pub keys: IssuerKeySet,
}

impl SoftwareSecurityModule {
    /// A module for `profile` with the given root keys.
    pub fn new(profile: &'static Profile, keys: IssuerKeySet) -> Self {
        SoftwareSecurityModule { profile, keys }
    }

    fn card_key(&self, key: KeyRef<'_>, factors: &DiversificationFactors) -> Result<Key, SmError> {
        Ok(self.keys.card_key(key.name, factors)?)
    }

    /// Card-id authentication code (profile.md §2) under the card's `key` (normally `"CIDK"`).
    pub fn card_id_auth_code(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        card_id_first12: &[u8; 12],
    ) -> Result<[u8; 4], SmError> {
        let k = self.card_key(key, factors)?;
        Ok(crate::card_id::card_id_auth_code(
            self.profile,
            &k,
            card_id_first12,
        )?)
    }
}

impl SecurityModule for SoftwareSecurityModule {
    type Error = SmError;

    fn external_auth(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16], SmError> {
        let k = self.card_key(key, factors)?;
        Ok(session::external_auth_data(
            self.profile,
            &k,
            challenge,
            source,
        )?)
    }

    fn line_mac(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4], SmError> {
        let k = self.card_key(key, factors)?;
        Ok(session::line_mac(self.profile, &k, challenge, mac_input)?)
    }

    fn internal_auth_expected(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8, 16>, SmError> {
        let k = self.card_key(key, factors)?;
        Ok(session::internal_auth_response(self.profile, &k, p, s)?)
    }

    fn encrypt_pin_block(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<Vec<u8, 32>, SmError> {
        let k = self.card_key(key, factors)?;
        let ch: &[u8; 8] = challenge
            .try_into()
            .map_err(|_| CryptoError::InvalidChallengeLength(challenge.len()))?;
        let sk = session::process_key(self.profile, &k, ch)?;
        let mut buf = [0u8; 32];
        let n = session::encrypt_field(self.profile, &sk, &pin.to_bcd(), &mut buf)?;
        let v = Vec::from_slice(buf.get(..n).unwrap_or(&[]))
            .map_err(|_| CryptoError::BufferTooSmall { need: n })?;
        zeroize::Zeroize::zeroize(&mut buf);
        Ok(v)
    }

    fn purse_card_key(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
    ) -> Option<Result<Key, SmError>> {
        Some(self.card_key(key, factors))
    }

    fn profile(&self) -> &'static Profile {
        self.profile
    }
}
