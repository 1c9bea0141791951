//! The social-security **PSAM** (terminal security module card), emulated over the same
//! [`Store`](crate::store::Store) as the card (sscard-spec.md §5.4, §5.7; profile.md §6).
//!
//! The PSAM holds the issuer's **root** keys; a terminal sends it the card's diversification
//! factors and challenge and gets cryptograms back, so the keys never reach host memory.
//!
//! # Files
//!
//! | file | how to select | content |
//! |---|---|---|
//! | MF `3F00` | `00 A4 00 00 02 3F00`, `00 A4 04 00 0F 7378312E73682EC9E7BBE1B1A3D5CF` ("sx1.sh.社会保障") | FCI `6F{84 name, A5{88 1E [, 9F0C{86 03}]}}` |
//! | DF01 | `00 A4 00 00 02 DF01`, `00 A4 04 00 06 D15600000590` | FCI as above with the AID; holds the key records |
//! | EF15 (SFI 15) | `00 A4 00 00 02 0015` (or P1 `02`), from the MF or DF01 | public information, [`EF15_LEN`] bytes, see [`image::EF15_LEN`] |
//! | EF16 (SFI 16) | `00 A4 00 00 02 0016` | terminal number, 6 bytes cn |
//!
//! EF15/EF16 belong to the MF and are reachable from DF01 as well (by FID or by SFI), so a host
//! in DF01 can read the terminal number without leaving it. Selecting an EF leaves the current
//! DF unchanged. Key records (DF01): usage byte, key id, algorithm, root key — see
//! [`image`] for the store map; the file tree and the usage/id assignment of the key records
//! are `sscard_specs::psam`'s (every FID, SFI and name below is the specs' constant).
//!
//! # Commands (T=0: data of a command with a data field is fetched with `00 C0 00 00 xx`)
//!
//! | APDU | answer |
//! |---|---|
//! | `00 A4 P1 P2 Lc data` (P1 00 FID / 02 EF / 04 name; P2 00 FCI, 0C none) | `61xx` (FCI) / `9000`; `6A82` unknown |
//! | `00 B0 P1 P2 Le` (P1 b8=1: SFI 15/16 + offset P2; else offset in the current EF) | data; `6Cxx` when Le ≠ available; `6986` no current EF; `6B00` offset ≥ size |
//! | `00 84 00 00 Le` (Le 4/8/16) | random bytes |
//! | `BF DE <usage> <id> Lc F1…Fn ‖ R` (DF01 selected) | `9000`; `6A88` no key `(usage, id)`; `6A80` n ≠ usage>>5; `6700` Lc not 8·k ≥ 8; `6985` DF01 not selected |
//! | `80 FA 00 00 Lc data` | ECB under the process key → `61 Lc`; `6985` no `BF DE`; `6700` not block aligned |
//! | `80 FA 05 00 Lc IV ‖ data` | 4-byte MAC (pad method 2) under the process key with IV → `61 04` |
//! | `80 FA 05 01 Lc IV ‖ data` | same under the diversified card key itself (PBOC-classic line MAC) |
//! | `80 70 00 00 Lc rnd ‖ ctr ‖ amounts ‖ 06 ‖ date ‖ time ‖ key ver ‖ alg ‖ DPK factors` (DF01) | terminal serial(4) ‖ MAC1(4) → `61 08`; the serial is the PSAM's own, persisted first (`docs/purse.md` §4) |
//! | `80 72 00 00 04 MAC2` | `9000` / `9302`; `6985` without a preceding `80 70` |
//! | `00 C0 00 00 Le` | pending data; `6Cxx` Le > pending; `6985` nothing pending |
//!
//! Other CLA → `6E00` (CLAs `00`, `80`, `BF` only, each with its own INS), other INS → `6D00`,
//! bad P1/P2 → `6A86`, malformed or extended APDU → `6700`. The process key (and the diversified
//! card key) live in RAM only, set by a successful `BF DE` and cleared by any SELECT, any `BF DE`,
//! reset and power-off. sscard choices: the IV length of `80 FA 05` is the MAC key's block size (8
//! for DES/3DES, 16 for SM4); the PSAM pads the data itself (method 2), so the host passes the
//! unpadded MAC input and `MAC == sscard_keys::session::line_mac(...)`.

mod handlers;
pub mod image;
mod os;
mod state;

pub use image::{
    provision, ProvisionError, PsamParams, EF15_LEN, EF16_LEN, MAX_KEYS, PSAM_STORE_SIZE,
};
/// The specs' [`key_slot_by_name`](sscard_specs::psam::key_slot_by_name), for the PSAM host
/// driver.
pub use os::{Psam, PsamInitError, RamPsam, PSAM_ATR_LEN, PSAM_ATR_PREFIX};
/// The PSAM's command bytes, from the one command vocabulary in `sscard_apdu::commands`.
pub use sscard_apdu::commands::psam::{
    FACTOR_LEN, P1_ENCRYPT, P1_MAC, P2_CARD_KEY, P2_PROCESS_KEY,
};
/// The PSAM's CLA / INS bytes (`BF DE`, `80 FA`), from `sscard_apdu::ins`.
pub use sscard_apdu::ins::{
    CLA_PSAM as CLA_BF, COMPUTE as INS_COMPUTE, DIVERSIFY_INIT as INS_DIVERSIFY_INIT,
};
use sscard_specs::psam::{DF01, EF15, EF16, MF};

/// MF name "sx1.sh.社会保障" (GBK), the same 15 bytes as the card's SSSE name.
pub const MF_NAME: &[u8] = MF.name();
/// FID of the MF.
pub const MF_FID: u16 = MF.fid();
/// AID of the PSAM's social-security application DF01 (sscard-spec.md §5.7).
pub const DF01_AID: &[u8] = DF01.name();
/// FID of DF01.
pub const DF01_FID: u16 = DF01.fid();
/// FID of EF15 (public information).
pub const EF15_FID: u16 = EF15.fid();
/// SFI of EF15.
pub const EF15_SFI: u8 = EF15.sfi();
/// FID of EF16 (terminal number).
pub const EF16_FID: u16 = EF16.fid();
/// SFI of EF16.
pub const EF16_SFI: u8 = EF16.sfi();
