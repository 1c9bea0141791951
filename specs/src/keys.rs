//! The card key table, per DF: name, role, card KID (P2 of EXTERNAL / INTERNAL AUTHENTICATE),
//! diversification levels and, where the reference gives them, the PSAM usage byte / key id and HSM
//! key address (sscard-spec.md §5.1, §5.4, §5.6; profile.md §2).
//!
//! # KID assignment scheme
//!
//! Observed KIDs (profile.md §2, sscard-spec.md §5.4) are used as they are: PUK `06`, RKSSSE `0A`,
//! UKSSSE `04`, RK1DF01 `88`, RK1DF03 `84`, RK2DF03 `85`, RK1DF04 `84`; also RK1DF02 `88` (same
//! Hunan code base as RK1DF01, \[1\]). Everything else is **assigned** by sscard (marked uncertain):
//!
//! * card-level keys live in the SSSE (b8 = 0): IRK `00` (real 3.0 hosts send
//!   `00 88 00 00`, i.e. P2 = 00, §5.5), STK `07`; CIDK is an issuer-side key and has no card KID;
//! * DF keys have b8 = 1 (DF-specific, ISO 7816-4): read keys `RKn` = `0x83 + n` (`84`, `85`, `86`)
//!   unless observed; update keys `UKn` = `0x90 + n` (`91` … `9B`); appendix-B maintenance / lock keys
//!   STKDF0x = `0xA1`, LKDF06 = `0xA2`; DF04 purse keys DPK `B1`, DLK `B2`, DTK `B3` (`0xB0 + n`:
//!   no command sends them as P2 — INITIALIZE names DPK/DLK by the key *index* of
//!   [`crate::purse`], `01` — but they are unique in DF04 and name the key slots).
//!
//! KIDs are unique inside a DF; the same value in different DFs names different keys (the card
//! resolves KIDs in the current DF, then in the SSSE). Jiangsu values (UK1DF06 `85`, UK1–3DF07
//! `86`/`87`/`88`, §5.4 \[1\]) conflict with this scheme and are recorded as notes only.

use crate::key as k;
use crate::text::note;
use crate::types::{DfId, KeyName};
pub use crate::types::{KeyRole, KeySpec};

const ASSIGNED: &str =
    "KID assigned by sscard (keys.rs scheme); not observed (sscard-spec.md §9.4)";
const OBS_HUNAN: &str =
    "KID observed in one vendor code base (S-HN, sscard-spec.md §5.4 [1]); issuer-specific (§9.4)";

const fn key(name: KeyName, df: DfId, role: KeyRole, kid: u8, levels: u8) -> KeySpec {
    KeySpec {
        name,
        df,
        role,
        kid: Some(kid),
        kid_observed: false,
        levels,
        psam_usage: None,
        psam_key_id: None,
        hsm_key_addr: None,
        implemented: true,
        uncertain: note(ASSIGNED),
    }
}

use DfId::*;
use KeyRole::*;

/// Card-level keys, in the SSSE (the PIN lives there too, profile.md §4).
pub static SSSE_KEYS: &[KeySpec] = &[
    key(k::RKSSSE, Ssse, Read, 0x0A, 3)
        .observed("KID 0A observed (S-GWI, S-EVO, S-JS [C]); PSAM usage 47 (Jiangsu) implies 2 levels, profile.md says 3")
        .psam(0x47, 0x0A),
    key(k::UKSSSE, Ssse, Update, 0x04, 3)
        .observed("KID 04 observed before EF06 writes at issuance (S-EVO, S-KIOSK [1]); HSM addr 0094, EF05 step asks 0096")
        .hsm(0x0094),
    key(k::IRK, Ssse, InternalAuth, 0x00, 3).note(
        "KID assigned = 00: real hosts send INTERNAL AUTHENTICATE 00 88 00 00 (S-GWI, sscard-spec.md §5.5)",
    ),
    key(k::PUK, Ssse, PinUnblock, 0x06, 2)
        .observed("KID 06 observed (S-HN, S-GWI [C]); HSM key addr 0090 for the ext-auth step (S-HNLOG)")
        .psam(0x48, 0x10)
        .hsm(0x0090),
    key(k::STK, Ssse, Maintenance, 0x07, 2)
        .psam(0x48, 0x09)
        .hsm(0x0173)
        .note("KID 07 assigned (STK is a MAC key, no ext-auth seen); PSAM 48/09 and HSM 0173 observed (S-HN, S-HNLOG, §5.6)"),
    key(k::CIDK, Ssse, CardIdAuth, 0, 3)
        .no_kid()
        .note("issuer-side key for card-id bytes 12-15 (profile.md §2); not stored on the card, no KID"),
];

/// DF01 keys: RK1DF01, UK1DF01…UKBDF01 (UK7–UKB guard the reserved EF16–EF1A).
pub static DF01_KEYS: &[KeySpec] = &[
    key(k::RK1DF01, Df01, Read, 0x88, 3)
        .observed(OBS_HUNAN)
        .psam(0x67, 0x2E),
    key(k::UK1DF01, Df01, Update, 0x91, 3),
    key(k::UK2DF01, Df01, Update, 0x92, 3),
    key(k::UK3DF01, Df01, Update, 0x93, 3),
    key(k::UK4DF01, Df01, Update, 0x94, 3),
    key(k::UK5DF01, Df01, Update, 0x95, 3),
    key(k::UK6DF01, Df01, Update, 0x96, 3),
    key(k::UK7DF01, Df01, Update, 0x97, 3),
    key(k::UK8DF01, Df01, Update, 0x98, 3),
    key(k::UK9DF01, Df01, Update, 0x99, 3),
    key(k::UKADF01, Df01, Update, 0x9A, 3),
    key(k::UKBDF01, Df01, Update, 0x9B, 3),
];

/// DF02 keys.
pub static DF02_KEYS: &[KeySpec] = &[
    key(k::RK1DF02, Df02, Read, 0x88, 3)
        .observed(OBS_HUNAN)
        .psam(0x67, 0x35),
    key(k::UK1DF02, Df02, Update, 0x91, 3),
    key(k::UK2DF02, Df02, Update, 0x92, 3),
    key(k::UK3DF02, Df02, Update, 0x93, 3),
    key(k::UK4DF02, Df02, Update, 0x94, 3),
    key(k::UK5DF02, Df02, Update, 0x95, 3),
    key(k::UK6DF02, Df02, Update, 0x96, 3),
];

/// DF03 keys (RK2DF03 guards EF05).
pub static DF03_KEYS: &[KeySpec] = &[
    key(k::RK1DF03, Df03, Read, 0x84, 3)
        .observed(OBS_HUNAN)
        .psam(0x67, 0x2B),
    key(k::RK2DF03, Df03, Read, 0x85, 3)
        .observed(OBS_HUNAN)
        .psam(0x67, 0x2C),
    key(k::UK1DF03, Df03, Update, 0x91, 3),
    key(k::UK2DF03, Df03, Update, 0x92, 3),
    key(k::UK3DF03, Df03, Update, 0x93, 3),
    key(k::UK4DF03, Df03, Update, 0x94, 3),
    key(k::UK5DF03, Df03, Update, 0x95, 3),
    key(k::UK6DF03, Df03, Update, 0x96, 3),
    key(k::UK7DF03, Df03, Update, 0x97, 3),
    key(k::UK8DF03, Df03, Update, 0x98, 3),
];

const PURSE_KID: &str =
    "medical e-purse key (sscard-spec.md §5.1, §6.5); KID assigned (0xB0 + n, never sent as P2); INITIALIZE uses the key index of specs::purse [L] (§9.5)";

/// DF04 keys (DPK/DLK/DTK: the medical purse, [`crate::purse`]).
pub static DF04_KEYS: &[KeySpec] = &[
    key(k::RK1DF04, Df04, Read, 0x84, 3)
        .observed(OBS_HUNAN)
        .psam(0x67, 0x2D),
    key(k::UK1DF04, Df04, Update, 0x91, 3),
    key(k::UK2DF04, Df04, Update, 0x92, 3),
    key(k::DPK, Df04, Purchase, 0xB1, 3).note(PURSE_KID),
    key(k::DLK, Df04, Load, 0xB2, 3).note(PURSE_KID),
    key(k::DTK, Df04, Tac, 0xB3, 3).note(PURSE_KID),
];

/// DF05 keys (appendix B, provincial: 2 levels).
pub static DF05_KEYS: &[KeySpec] = &[
    key(k::UK1DF05, Df05, Update, 0x91, 2),
    key(k::STKDF05, Df05, Maintenance, 0xA1, 2).not_implemented(
        "appendix-B key (sscard-spec.md §2.2 remarks); KID assigned; not used by sscard",
    ),
];

/// DF06 keys (appendix B, provincial: 2 levels).
pub static DF06_KEYS: &[KeySpec] = &[
    key(k::RK1DF06, Df06, Read, 0x84, 2),
    key(k::UK1DF06, Df06, Update, 0x91, 2)
        .psam(0x48, 0x53)
        .note("KID 91 assigned; Jiangsu uses 85 with PSAM 48/53 (S-JS, §5.4 [1])"),
    key(k::UK2DF06, Df06, Update, 0x92, 2),
    key(k::STKDF06, Df06, Maintenance, 0xA1, 2).not_implemented(
        "appendix-B key (sscard-spec.md §2.2 remarks); KID assigned; not used by sscard",
    ),
    key(k::LKDF06, Df06, Lock, 0xA2, 2).not_implemented(
        "appendix-B lock key (sscard-spec.md §2.2 remarks); KID assigned; not used by sscard",
    ),
];

const JS_DF07: &str = "KID assigned by scheme; Jiangsu uses 86/87/88 for UK1-3DF07 with PSAM usage 47 (2 levels) (S-JS, §5.4 [1])";

/// DF07 keys.
pub static DF07_KEYS: &[KeySpec] = &[
    key(k::RK1DF07, Df07, Read, 0x84, 3),
    key(k::RK2DF07, Df07, Read, 0x85, 3),
    key(k::RK3DF07, Df07, Read, 0x86, 3),
    key(k::UK1DF07, Df07, Update, 0x91, 3)
        .psam(0x47, 0x3E)
        .note(JS_DF07),
    key(k::UK2DF07, Df07, Update, 0x92, 3)
        .psam(0x47, 0xB0)
        .note(JS_DF07),
    key(k::UK3DF07, Df07, Update, 0x93, 3)
        .psam(0x47, 0xB2)
        .note(JS_DF07),
];

/// The key tables of every DF, in [`DfId::ALL`] order (MF has none).
pub static KEYS_BY_DF: [&[KeySpec]; 9] = [
    &[],
    SSSE_KEYS,
    DF01_KEYS,
    DF02_KEYS,
    DF03_KEYS,
    DF04_KEYS,
    DF05_KEYS,
    DF06_KEYS,
    DF07_KEYS,
];

/// The keys of `df`.
pub fn keys_of(df: DfId) -> &'static [KeySpec] {
    KEYS_BY_DF.get(df.index()).copied().unwrap_or(&[])
}

/// Every key, in DF order.
pub fn all_keys() -> impl Iterator<Item = &'static KeySpec> {
    KEYS_BY_DF.iter().flat_map(|k| k.iter())
}

/// The table entry of the key `name` (as [`key_by_name`], usable in `const`).
pub const fn key_spec(name: &str) -> Option<&'static KeySpec> {
    let tables = &KEYS_BY_DF;
    let mut d = 0;
    while d < tables.len() {
        let keys = tables[d];
        let mut i = 0;
        while i < keys.len() {
            if str_eq(keys[i].name, name) {
                return Some(&keys[i]);
            }
            i += 1;
        }
        d += 1;
    }
    None
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// Every `key::` constant names a key of the table.
const _: () = {
    let mut i = 0;
    while i < k::ALL.len() {
        assert!(
            key_spec(k::ALL[i]).is_some(),
            "a key:: constant is not in keys.rs"
        );
        i += 1;
    }
};

/// The key with this name (case-sensitive, e.g. `"RK1DF01"`).
pub fn key_by_name(name: &str) -> Option<&'static KeySpec> {
    all_keys().find(|k| k.name == name)
}

/// The key addressed by `kid` in `df` (exactly that DF; see [`resolve_kid`] for the card's lookup).
pub fn key_by_kid(df: DfId, kid: u8) -> Option<&'static KeySpec> {
    keys_of(df).iter().find(|k| k.kid == Some(kid))
}

/// How the card resolves a KID while `current` is selected: the current DF's keys first, then the
/// card-level keys of the SSSE (PUK, IRK, STK, RKSSSE, UKSSSE).
pub fn resolve_kid(current: DfId, kid: u8) -> Option<&'static KeySpec> {
    key_by_kid(current, kid).or_else(|| key_by_kid(DfId::Ssse, kid))
}

/// Keys the reference lists but sscard does not model as separate keys (sscard-spec.md §5.1).
pub static NOT_MODELLED: &[(&str, &str)] = &[
    ("LK", "card lock control key: no lock command uses it in sscard (profile.md §5 uses STK)"),
    ("RPK", "PIN reload key [I name]: sscard reloads after PUK ext-auth with an STK MAC (profile.md §4)"),
    ("MK", "card / DF master keys for personalisation [I]: the factory writes key files directly"),
];
