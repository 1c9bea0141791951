//! Spec versions (SSSE EF05 tag 03, sscard-spec.md §1) and the per-version differences:
//! 1.0 has no name extension 4E (§3.4) and different DF01 layouts (§3.6): those layouts are
//! [`crate::layouts_v1`].

/// A spec version stored in SSSE EF05 tag 03.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecVersion {
    /// "1.00": LB002-2000.
    V1_00,
    /// "2.00": S-SPEC20 (2012).
    V2_00,
    /// "2.01": 2.0 first amendment.
    V2_01,
    /// "3.00": same files as 2.0, SM4, RKSSSE-protected basic info.
    V3_00,
}

/// The canonical version strings, in [`SpecVersion`] order.
pub const VERSION_STRINGS: [&[u8; 4]; 4] = [b"1.00", b"2.00", b"2.01", b"3.00"];

/// Observed non-canonical forms: the Hunan 2.0 test card stores `32 2E 30 00` ("2.0" + 00), sscard-spec.md §1.
pub const OBSERVED_VARIANTS: [(&[u8; 4], SpecVersion); 1] = [(b"2.0\0", SpecVersion::V2_00)];

impl SpecVersion {
    /// All versions.
    pub const ALL: [SpecVersion; 4] = [
        SpecVersion::V1_00,
        SpecVersion::V2_00,
        SpecVersion::V2_01,
        SpecVersion::V3_00,
    ];

    /// Parse the 4-byte value of tag 03: the canonical strings plus the observed forms ("2.0\0",
    /// and generally `d.d` followed by `0`, `00` or `FF` padding). Anything else is `None`.
    pub fn parse(v: &[u8; 4]) -> Option<SpecVersion> {
        if let Some(i) = VERSION_STRINGS.iter().position(|s| *s == v) {
            return SpecVersion::ALL.get(i).copied();
        }
        if let Some((_, ver)) = OBSERVED_VARIANTS.iter().find(|(s, _)| *s == v) {
            return Some(*ver);
        }
        // "d.d" + pad: treat like "d.d0".
        let [major, dot, minor, pad] = *v;
        if dot != b'.' || !(pad == 0 || pad == 0xFF || pad == b'0') {
            return None;
        }
        match (major, minor) {
            (b'1', b'0') => Some(SpecVersion::V1_00),
            (b'2', b'0') => Some(SpecVersion::V2_00),
            (b'3', b'0') => Some(SpecVersion::V3_00),
            _ => None,
        }
    }

    /// Parse a version given as text ("2.00", "3.00", "2.0").
    pub fn parse_str(s: &str) -> Option<SpecVersion> {
        let b = s.as_bytes();
        let mut v = [0u8; 4];
        if b.is_empty() || b.len() > 4 {
            return None;
        }
        v.get_mut(..b.len())?.copy_from_slice(b);
        SpecVersion::parse(&v)
    }

    /// Host rule of sscard-spec.md §1: select behaviour by the first character of tag 03.
    pub fn from_major(first_char: u8) -> Option<SpecVersion> {
        match first_char {
            b'1' => Some(SpecVersion::V1_00),
            b'2' => Some(SpecVersion::V2_00),
            b'3' => Some(SpecVersion::V3_00),
            _ => None,
        }
    }

    /// The canonical 4-byte string ("1.00", "2.00", "2.01", "3.00").
    pub const fn as_bytes(self) -> &'static [u8; 4] {
        VERSION_STRINGS[self as usize]
    }

    /// The canonical string.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_00 => "1.00",
            SpecVersion::V2_00 => "2.00",
            SpecVersion::V2_01 => "2.01",
            SpecVersion::V3_00 => "3.00",
        }
    }

    /// Name of the security profile this version implies (profile.md): `"sscard-2"` for 1.x/2.x,
    /// `"sscard-3"` for 3.00. The profile structs themselves live in `sscard_keys::profile`.
    pub const fn profile_name(self) -> &'static str {
        match self {
            SpecVersion::V3_00 => "sscard-3",
            _ => "sscard-2",
        }
    }

    /// Whether the name extension 4E exists (2.0 and later).
    pub const fn has_name_extension(self) -> bool {
        !matches!(self, SpecVersion::V1_00)
    }

    /// Whether the national interface performs RKSSSE external authentication before basic-info reads
    /// (3.0 only, sscard-spec.md §1, §6.4).
    pub const fn requires_rkssse_for_basic_info(self) -> bool {
        matches!(self, SpecVersion::V3_00)
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of spec versions (bit set over [`SpecVersion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionSet(pub u8);

impl VersionSet {
    /// No version.
    pub const NONE: VersionSet = VersionSet(0);
    /// 1.00 only.
    pub const V1: VersionSet = VersionSet(SpecVersion::V1_00.bit());
    /// 2.00 and 2.01.
    pub const V2: VersionSet = VersionSet(SpecVersion::V2_00.bit() | SpecVersion::V2_01.bit());
    /// 3.00 only.
    pub const V3: VersionSet = VersionSet(SpecVersion::V3_00.bit());
    /// 2.00, 2.01 and 3.00 (items marked ★ new in 2.0).
    pub const V2_PLUS: VersionSet = VersionSet(VersionSet::V2.0 | VersionSet::V3.0);
    /// Every version.
    pub const ALL: VersionSet = VersionSet(VersionSet::V1.0 | VersionSet::V2_PLUS.0);

    /// Whether `v` is in the set.
    pub const fn contains(self, v: SpecVersion) -> bool {
        self.0 & v.bit() != 0
    }

    /// Union.
    pub const fn union(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 | other.0)
    }
}

/// Tags whose meaning changed between 1.0 and 2.0 (S-SPEC20 appendix C, sscard-spec.md §3.6). When an
/// old card is rewritten with the 2.0 meaning, the value is right-padded with hex `E`; a reader seeing
/// trailing `EE` interprets the item with the 2.0 meaning. The reference lists these with "…": the
/// list may be incomplete.
pub static REUSED_TAGS_1_0_TO_2_0: [u8; 10] =
    [0x32, 0x37, 0x38, 0x4B, 0x4D, 0x4F, 0x50, 0x55, 0x61, 0x97];

/// Uncertainty note for [`REUSED_TAGS_1_0_TO_2_0`].
pub const REUSED_TAGS_NOTE: &str =
    "sscard-spec.md §3.6: appendix C list ends with '…' (incomplete)";

/// Appendix C rule: a value written with the 2.0 meaning onto a 1.0-allocated item ends in `EE`.
pub fn has_2_0_meaning_marker(value: &[u8]) -> bool {
    value.ends_with(&[0xEE])
}
