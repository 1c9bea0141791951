//! Run-time configuration of a card: security profile, transport behaviour, quirks.

use sscard_keys::Profile;

#[cfg(feature = "faults")]
use crate::faults::Faults;

/// Behaviour switches that let a terminal exercise its fallbacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quirks {
    /// Answer `6A86` to READ RECORD with P2 low bits `101` ("all records from P1"), like cards that
    /// do not implement it; the terminal must fall back to record-by-record reads.
    pub refuse_read_all_records: bool,
}

/// Configuration given to [`crate::Card::new`].
#[derive(Clone, Copy, Debug)]
pub struct CardConfig {
    /// Security profile (must match the suite the image was formatted with).
    pub profile: &'static Profile,
    /// T=0 behaviour: a command with a data field that produces response data answers `61xx` and
    /// the data is fetched with GET RESPONSE; a case-2 command with the wrong Le answers `6Cxx`.
    /// Off (T=1 style): data is returned directly, truncated to Le when Le is shorter.
    pub t0: bool,
    /// Quirks.
    pub quirks: Quirks,
    /// Seed of the challenge generator (feed it from a TRNG / `getrandom` on the host).
    pub rng_seed: [u8; 16],
    /// Deliberately faulty behaviour for the conformance suite's mutation tests (feature
    /// `faults`; all off by default).
    #[cfg(feature = "faults")]
    pub faults: Faults,
}

impl CardConfig {
    /// Defaults for `profile`: T=1 behaviour, no quirks, a fixed seed (set a random one for use).
    pub const fn new(profile: &'static Profile) -> Self {
        Self {
            profile,
            t0: false,
            quirks: Quirks {
                refuse_read_all_records: false,
            },
            rng_seed: [0x5A; 16],
            #[cfg(feature = "faults")]
            faults: Faults::NONE,
        }
    }

    /// With T=0 behaviour on or off.
    pub const fn with_t0(mut self, t0: bool) -> Self {
        self.t0 = t0;
        self
    }

    /// With these quirks.
    pub const fn with_quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// With this challenge-generator seed.
    pub const fn with_rng_seed(mut self, seed: [u8; 16]) -> Self {
        self.rng_seed = seed;
        self
    }

    /// With these deliberately faulty behaviours (feature `faults`).
    #[cfg(feature = "faults")]
    pub const fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }
}
