//! The sscard security profiles: **the one named place** for the choices of
//! `shared/reference/profile.md` (and the open questions of `crypto.md` §7).
//!
//! No other file of this crate hard-codes these values; the card OS, the PSAM emulation, the
//! software security module and the conformance suite all read them from a [`Profile`], so the
//! two ends of a session cannot disagree by accident. A new profile (e.g. a vendor's real
//! behaviour once a trace is available) is a new `const` here — command handlers do not change.

use crate::algorithm::Algorithm;

/// Algorithm suite of a card (profile.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// 2-key 3DES (EDE2), 8-byte blocks — spec versions 1.00/2.00/2.01.
    Tdes,
    /// SM4, 16-byte blocks — spec version 3.00.
    Sm4,
}

impl Suite {
    /// Algorithm of the (diversified) card keys of this suite.
    pub const fn key_algorithm(self) -> Algorithm {
        match self {
            Suite::Tdes => Algorithm::Tdes2,
            Suite::Sm4 => Algorithm::Sm4,
        }
    }

    /// Cipher block size of the suite.
    pub const fn block_size(self) -> usize {
        self.key_algorithm().block_size()
    }
}

/// How a process (session) key `SK` is derived from a card key `K` and an 8-byte card
/// challenge `R` (profile.md §3; crypto.md §2.4 "open question", §7 item 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessKeyRule {
    /// `SK = 3DES_K(R)`: one 8-byte block used as a single-DES key. 3DES suite only.
    EncryptChallenge,
    /// `SK = E_K(R) ‖ E_K(¬R)` for 3DES (16-byte 2-key 3DES key) and `SK = SM4_K(R ‖ ¬R)` for
    /// SM4 (16-byte SM4 key) — the diversification step of crypto.md §2.1/§2.2 applied to `R`.
    ChallengeAndComplement,
}

/// How the line-protection MAC (CLA `04`/`84`) is keyed (profile.md §3, crypto.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineMacStrategy {
    /// sscard: key = process key from the last challenge, IV = zero block; DES CBC-MAC for an
    /// 8-byte SK, retail MAC for a 16-byte 3DES SK, SM4 CBC-MAC for SM4.
    ProcessKeyZeroIv,
    /// PBOC classic: key = the card key itself, IV = challenge left-justified in a zero block;
    /// retail MAC (alg 3) for 16-byte 3DES, DES CBC-MAC for 8-byte keys, SM4 CBC-MAC for SM4.
    PbocClassic,
}

/// Shape of EXTERNAL AUTHENTICATE (profile.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtAuthRule {
    /// `Lc = 10`; terminal picks an 8-byte source `S`. 8-byte-block process key: data =
    /// `E_SK(S) ‖ S`; 16-byte-block (SM4): data = `SM4_SK(S ‖ ¬S)` and the card accepts when the
    /// decrypted second half is the complement of the first.
    SourceBlock,
}

/// How the TAC key is obtained from the card's (diversified) DTK (crypto.md §2.3; sscard-spec.md
/// §6.5: "TAC … computed directly with DTK", i.e. no process key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TacKeyRule {
    /// PBOC: `DTK_L ⊕ DTK_R`, an 8-byte single-DES key; TAC = DES CBC-MAC, IV 0 (crypto.md §2.3
    /// \[H\]). 2-key 3DES DTK only.
    XorHalves,
    /// The DTK itself with the card MAC of its algorithm (IV 0): SM4 CBC-MAC for an SM4 DTK
    /// (retail MAC for a 2-key 3DES one). **sscard's choice** for the SM4 suite \[L\]: a 16-byte
    /// SM4 key has no 8-byte `L ⊕ R` analogue, and no public source states the SM4 rule.
    Direct,
}

/// Purse (ED/EP, SSC DF04 medical account) key rules: process keys SESLK/SESPK and the TAC key
/// (crypto.md §2.3). Used by [`crate::purse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurseRule {
    /// SESLK/SESPK from DLK/DPK and the 8-byte input (`rnd ‖ ctr ‖ 8000` / `rnd ‖ ctr ‖
    /// serial-low`): [`ProcessKeyRule::EncryptChallenge`] = `3DES_K(input)`, an 8-byte DES key
    /// (PBOC, crypto.md §1.4 \[V\]); [`ProcessKeyRule::ChallengeAndComplement`] =
    /// `SM4_K(input ‖ ¬input)`, a 16-byte SM4 key (ETC/ESAM port, crypto.md §2.3 \[L\]).
    pub process_key: ProcessKeyRule,
    /// TAC key from DTK.
    pub tac_key: TacKeyRule,
}

/// PBOC purse rules (3DES suite): `SESxK = 3DES_K(input)`, TAC key `DTK_L ⊕ DTK_R`; every purse
/// MAC is a DES CBC-MAC with IV 0 (crypto.md §1.4 \[V\], §2.3 \[H\]).
pub const PBOC_PURSE: PurseRule = PurseRule {
    process_key: ProcessKeyRule::EncryptChallenge,
    tac_key: TacKeyRule::XorHalves,
};

/// sscard SM4 purse rules: `SESxK = SM4_K(input ‖ ¬input)` \[L\], TAC key = DTK itself
/// (sscard's choice \[L\]); every purse MAC is an SM4 CBC-MAC with a 16-byte zero IV.
pub const SSCARD_SM4_PURSE: PurseRule = PurseRule {
    process_key: ProcessKeyRule::ChallengeAndComplement,
    tac_key: TacKeyRule::Direct,
};

/// Strings that build diversification factors from card data (profile.md §2,
/// sscard-spec.md §5.2 — one code base + one HSM log, confidence \[1\]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FactorRule {
    /// Appended to the 6 ASCII digits of the region code: `"sx"` (`73 78`).
    pub city_suffix: [u8; 2],
    /// Appended to the 2 ASCII province digits: `"0000"`.
    pub province_fill: [u8; 4],
    /// Appended after the province fill: `"sh"` (`73 68`).
    pub province_suffix: [u8; 2],
}

/// The sscard factor strings (`"CCCCCCsx"`, `"PP0000sh"`).
pub const SSCARD_FACTORS: FactorRule = FactorRule {
    city_suffix: *b"sx",
    province_fill: *b"0000",
    province_suffix: *b"sh",
};

/// A complete security profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// Profile name (`"sscard-2"`, `"sscard-3"`, `"pboc-classic-2"`).
    pub name: &'static str,
    /// Algorithm suite (profile.md §1; sscard-spec.md §5.3 \[C\]: 3.0 cards use SM4).
    pub suite: Suite,
    /// Algorithm id in FCI tag `9F0C`/`86` (profile.md §1; sscard-spec.md §5.3 \[1\]/\[I\]):
    /// `None` = absent (hosts assume `01`) for sscard-2, `Some(0x03)` (国密) for sscard-3.
    pub algorithm_id: Option<u8>,
    /// Process-key derivation (profile.md §3). **Uncertain** (crypto.md §2.4 \[L\]): sscard's choice.
    pub process_key: ProcessKeyRule,
    /// Line-protection MAC keying (profile.md §3). **Uncertain** (crypto.md §3.1 SSC caveat \[L\]).
    pub line_mac: LineMacStrategy,
    /// EXTERNAL AUTHENTICATE shape (profile.md §3; `Lc = 10` observed \[1\], the rest sscard's choice).
    pub ext_auth: ExtAuthRule,
    /// Lc of EXTERNAL AUTHENTICATE (profile.md §3: "always 0x10 as observed on real cards").
    pub ext_auth_lc: u8,
    /// Terminal side: also pad a block-aligned `Ld ‖ data` with a full `80 00…` block
    /// (profile.md §3: false — pad only when not aligned; the card accepts both).
    /// **Uncertain** (crypto.md §3.2 \[L\], §7 item 3).
    pub pad_aligned_fields: bool,
    /// Bytes of a line-protection MAC (profile.md §1: 4 leftmost bytes; crypto.md §1.2 \[H\]).
    pub mac_len: u8,
    /// PIN try limit (profile.md §4: 3). **Uncertain**: not in public sources (crypto.md §4 \[L\]).
    pub pin_try_limit: u8,
    /// External-authentication key try limit (profile.md §2: 3; sscard-spec.md §5.4 \[I\]).
    pub key_try_limit: u8,
    /// Minimum PIN digits (profile.md §4: 4; crypto.md §4 \[H\]).
    pub pin_min_digits: u8,
    /// Maximum PIN digits (profile.md §4: 12; crypto.md §4 \[H\]).
    pub pin_max_digits: u8,
    /// Default PIN length (profile.md §4: 6; crypto.md §4 \[M\]).
    pub default_pin_digits: u8,
    /// Challenge length a host asks for and the process key uses (profile.md §1: 8; for SM4
    /// hosts may ask 16 — the card answers what is asked). **Uncertain** for SM4 (crypto.md §7).
    pub challenge_len: u8,
    /// Diversification-factor strings (profile.md §2; sscard-spec.md §5.2 \[1\]).
    pub factors: FactorRule,
    /// Diversification levels of national keys (RKn/UKn of DF01–DF04, DF07, RKSSSE, UKSSSE, IRK,
    /// CIDK): 3 (profile.md §2; sscard-spec.md §5.2 \[I\]). The per-key table lives in `sscard-specs`.
    pub national_key_levels: u8,
    /// Diversification levels of provincial keys (PUK, STK, DF05/DF06 keys): 2 (profile.md §2 \[I\]).
    pub provincial_key_levels: u8,
    /// Purse (DF04 medical account, ED/EP) process-key and TAC-key rules (crypto.md §2.3):
    /// [`PBOC_PURSE`] for sscard-2 and pboc-classic-2, [`SSCARD_SM4_PURSE`] for sscard-3.
    /// **Uncertain** for SM4 (crypto.md §2.3 \[L\], §7 item 2).
    pub purse: PurseRule,
}

/// `sscard-2`: 3DES suite (spec 1.00/2.00/2.01), sscard process keys and line MAC.
pub const SSCARD_2: Profile = Profile {
    name: "sscard-2",
    suite: Suite::Tdes,
    algorithm_id: None,
    process_key: ProcessKeyRule::EncryptChallenge,
    line_mac: LineMacStrategy::ProcessKeyZeroIv,
    ext_auth: ExtAuthRule::SourceBlock,
    ext_auth_lc: 0x10,
    pad_aligned_fields: false,
    mac_len: 4,
    pin_try_limit: 3,
    key_try_limit: 3,
    pin_min_digits: 4,
    pin_max_digits: 12,
    default_pin_digits: 6,
    challenge_len: 8,
    factors: SSCARD_FACTORS,
    national_key_levels: 3,
    provincial_key_levels: 2,
    purse: PBOC_PURSE,
};

/// `sscard-3`: SM4 suite (spec 3.00): `SK = SM4_K(R ‖ ¬R)`, SM4 CBC-MAC, FCI algorithm id 03,
/// SM4 purse rules ([`SSCARD_SM4_PURSE`]).
pub const SSCARD_3: Profile = Profile {
    name: "sscard-3",
    suite: Suite::Sm4,
    algorithm_id: Some(0x03),
    process_key: ProcessKeyRule::ChallengeAndComplement,
    purse: SSCARD_SM4_PURSE,
    ..SSCARD_2
};

/// `pboc-classic-2`: as `sscard-2`, but line protection keyed the PBOC way (IV = challenge,
/// key = card key, retail MAC) — crypto.md §3.1 \[H\].
pub const PBOC_CLASSIC_2: Profile = Profile {
    name: "pboc-classic-2",
    line_mac: LineMacStrategy::PbocClassic,
    ..SSCARD_2
};

/// All built-in profiles.
pub const ALL: [&Profile; 3] = [&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2];

impl Profile {
    /// Looks a built-in profile up by [`Profile::name`].
    pub fn by_name(name: &str) -> Option<&'static Profile> {
        ALL.iter().copied().find(|p| p.name == name)
    }

    /// Algorithm of the card keys.
    pub const fn key_algorithm(&self) -> Algorithm {
        self.suite.key_algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup() {
        assert_eq!(Profile::by_name("sscard-2"), Some(&SSCARD_2));
        assert_eq!(
            Profile::by_name("sscard-3").map(|p| p.suite),
            Some(Suite::Sm4)
        );
        assert_eq!(
            Profile::by_name("pboc-classic-2").map(|p| p.line_mac),
            Some(LineMacStrategy::PbocClassic)
        );
        assert_eq!(Profile::by_name("nope"), None);
    }

    #[test]
    fn values() {
        assert_eq!(SSCARD_3.algorithm_id, Some(3));
        assert_eq!(SSCARD_2.algorithm_id, None);
        assert_eq!(SSCARD_3.pin_try_limit, 3);
        assert_eq!(SSCARD_3.line_mac, LineMacStrategy::ProcessKeyZeroIv);
        assert_eq!(PBOC_CLASSIC_2.suite, Suite::Tdes);
        assert_eq!(SSCARD_2.key_algorithm(), Algorithm::Tdes2);
        assert_eq!(SSCARD_3.suite.block_size(), 16);
        assert_eq!(SSCARD_2.purse, PBOC_PURSE);
        assert_eq!(PBOC_CLASSIC_2.purse, PBOC_PURSE);
        assert_eq!(SSCARD_3.purse, SSCARD_SM4_PURSE);
        assert_eq!(SSCARD_3.purse.tac_key, TacKeyRule::Direct);
    }
}
