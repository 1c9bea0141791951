//! The PSAM's command handlers, one file per command: SELECT, READ BINARY, GET CHALLENGE,
//! `BF DE` (diversify), `80 FA` (encrypt / MAC), and the purchase side `80 70` / `80 72`
//! (`purchase`, whose context has the image writable for the terminal serial).
//!
//! Each handler gets a [`Ctx`]: the image read-only (no PSAM command changes persistent state),
//! the volatile state and the challenge generator mutable, the configuration read-only.

pub(crate) mod challenge;
pub(crate) mod compute;
pub(crate) mod diversify;
pub(crate) mod purchase;
pub(crate) mod read;
pub(crate) mod select;

use super::state::Volatile;
use crate::chip::rng::Rng;
use sscard_keys::Profile;

/// What the PSAM read from its image when it was opened (read-only afterwards).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// The profile it was provisioned for.
    pub profile: &'static Profile,
    /// Number of key records.
    pub key_count: u8,
}

/// What a PSAM handler may touch.
pub(crate) struct Ctx<'a, S> {
    /// Persistent: the provisioned image, read-only.
    pub store: &'a S,
    /// Volatile: selection and crypto session.
    pub ram: &'a mut Volatile,
    /// Volatile: the chip's challenge generator.
    pub rng: &'a mut Rng,
    /// Read-only configuration.
    pub config: &'a Config,
}
