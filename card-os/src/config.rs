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

/// The transmission protocol the card's ATR announces and its answers follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// T=0, like genuine social security cards (real-cards.md T1–T3): the ATR has no TD1 (T=0
    /// implicit); a command with a data field that produces response data answers `61xx` and
    /// the data is fetched with GET RESPONSE; a case-2 command with a wrong Le answers `6Cxx`
    /// with the exact length.
    #[default]
    T0,
    /// T=1: the ATR announces T=1 (TD1 = `01`, with TCK); data is returned directly with the
    /// status word, truncated to Le when Le is shorter.
    T1,
}

impl Protocol {
    /// `t0` / `t1` (also `T=0`, `T=1`, any case), as the CLI and `SSCARD_CARD_PROTOCOL` spell it.
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim();
        if n.eq_ignore_ascii_case("t0") || n.eq_ignore_ascii_case("t=0") {
            Some(Protocol::T0)
        } else if n.eq_ignore_ascii_case("t1") || n.eq_ignore_ascii_case("t=1") {
            Some(Protocol::T1)
        } else {
            None
        }
    }

    /// [`Protocol::T0`] when `t0`, else [`Protocol::T1`].
    pub const fn from_t0(t0: bool) -> Self {
        if t0 {
            Protocol::T0
        } else {
            Protocol::T1
        }
    }

    /// `T=0` / `T=1`.
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::T0 => "T=0",
            Protocol::T1 => "T=1",
        }
    }
}

/// Configuration given to [`crate::Card::new`].
#[derive(Clone, Copy, Debug)]
pub struct CardConfig {
    /// Security profile (must match the suite the image was formatted with).
    pub profile: &'static Profile,
    /// The protocol the ATR announces and the answers follow (default [`Protocol::T0`]).
    pub protocol: Protocol,
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
    /// Defaults for `profile`: T=0 (like genuine cards), no quirks, a fixed seed (set a random one for use).
    pub const fn new(profile: &'static Profile) -> Self {
        Self {
            profile,
            protocol: Protocol::T0,
            quirks: Quirks {
                refuse_read_all_records: false,
            },
            rng_seed: [0x5A; 16],
            #[cfg(feature = "faults")]
            faults: Faults::NONE,
        }
    }

    /// With this protocol.
    pub const fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// [`Protocol::T0`] when `t0`, else [`Protocol::T1`].
    pub const fn with_t0(self, t0: bool) -> Self {
        self.with_protocol(Protocol::from_t0(t0))
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
