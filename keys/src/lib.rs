//! Symmetric cryptography for the Chinese social security card (社会保障卡).
//!
//! Block ciphers (DES, 2/3-key 3DES, SM4, AES-128), ISO/IEC 9797-1 MACs, PBOC-style key
//! diversification, process keys, external/internal authentication, line-protection MACs,
//! encrypted fields, PINs, purse (load/purchase, DF04 medical settlement) MACs and TACs, an
//! issuer key set and the [`SecurityModule`] trait.
//!
//! Every choice the public record leaves open lives in [`profile`] (see
//! `shared/reference/profile.md`); all functions that depend on such a choice take a
//! [`Profile`].
//!
//! The crate is `no_std`, allocation-free and never panics on input.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod algorithm;
pub mod card_id;
pub mod cipher;
pub mod diversify;
pub mod error;
pub mod factors;
pub mod hash;
pub mod key;
pub mod keyset;
pub mod mac;
pub mod pin;
pub mod profile;
pub mod purse;
pub mod security_module;
pub mod session;

pub use crate::algorithm::Algorithm;
pub use crate::cipher::BlockCipher;
pub use crate::error::{CryptoError, KeyError};
pub use crate::factors::DiversificationFactors;
pub use crate::key::Key;
pub use crate::keyset::IssuerKeySet;
pub use crate::pin::Pin;
pub use crate::profile::Profile;
pub use crate::security_module::{KeyRef, SecurityModule, SmError, SoftwareSecurityModule};
