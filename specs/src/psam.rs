//! The social-security PSAM (terminal security module card) as data: its file tree, the layout
//! of its public files, and the addressing of its key records (sscard-spec.md §5.2, §5.7;
//! profile.md §6).
//!
//! | file | FID | SFI | selected by | content |
//! | --- | --- | --- | --- | --- |
//! | [`MF`] | `3F00` | – | FID, or name `sx1.sh.社会保障` (the card's SSSE name) | – |
//! | [`DF01`] | `DF01` | – | FID, or AID `D15600000590` | the key records |
//! | [`EF15`] | `0015` | `15` | FID / SFI, from the MF or DF01 | public information, [`EF15_FIELDS`] |
//! | [`EF16`] | `0016` | `16` | FID / SFI, from the MF or DF01 | terminal number (终端机编号), [`EF16_FIELDS`] |
//!
//! A key record is addressed by `BF DE <usage> <id>`: the usage byte (high 3 bits =
//! diversification levels, low 5 bits = [`key_type`]) and the PSAM key id. [`key_slot`] gives
//! both for every key of [`crate::keys`]:
//!
//! * **levels** = [`KeySpec::levels`], the levels the card key really has. Where the reference's
//!   observed usage byte disagrees (RKSSSE and UK1–3DF07 are `47` = 2 levels in the Jiangsu code
//!   base, while profile.md §2 makes them national 3-level keys), the spec's levels win (`67`);
//!   otherwise a host sending the factors the usage byte announces would get the wrong key.
//! * **key type** = the observed type where the reference gives a usage byte ([`KeySpec::psam_usage`]),
//!   else by role ([`type_for_role`]).
//! * **id** = the observed id ([`KeySpec::psam_key_id`]: RKSSSE `0A`, PUK `10`, STK `09`, RK1DF01
//!   `2E`, …); every other key gets the next free id counting up from [`ASSIGNED_ID_BASE`] in
//!   [`crate::keys::all_keys`] order, skipping every observed id. Ids are unique across the PSAM.
//!
//! ```
//! use sscard_specs::{key, psam};
//!
//! assert_eq!(psam::DF01.name(), &[0xD1, 0x56, 0x00, 0x00, 0x05, 0x90]);
//! assert_eq!((psam::EF16.fid(), psam::EF16.sfi(), psam::EF16.size()), (0x0016, 0x16, 6));
//! let (_, slot) = psam::key_slot_by_name(key::PUK).unwrap();
//! assert_eq!((slot.usage, slot.id), (0x48, 0x10));
//! ```

use crate::files::{MF_FID, SSSE_DIR_SFI, SSSE_NAME};
use crate::keys::{all_keys, key_by_name, KeyRole, KeySpec};
use crate::text::{note, text, Text};
use crate::types::{DataType, FieldSpec};

// ---------------------------------------------------------------- file tree

/// A dedicated file of the PSAM: its FID and the name (DF name / AID) it is selected by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PsamDf {
    fid: u16,
    name: &'static [u8],
}

impl PsamDf {
    /// FID (`SELECT 00 A4 00 00 02 <fid>`).
    pub const fn fid(self) -> u16 {
        self.fid
    }

    /// The name used with SELECT by name (`00 A4 04 00`) and returned in the FCI (tag 84): the
    /// MF's DF name, DF01's AID.
    pub const fn name(self) -> &'static [u8] {
        self.name
    }
}

/// AID of the PSAM's social-security application DF01, `D15600000590` (sscard-spec.md §5.7).
pub const DF01_AID: [u8; 6] = [0xD1, 0x56, 0x00, 0x00, 0x05, 0x90];

/// The PSAM's MF `3F00`, named "sx1.sh.社会保障" (GBK, the same 15 bytes as the card's SSSE name,
/// [`crate::files::SSSE_NAME`]; DES/3DES environment, sscard-spec.md §5.7).
pub const MF: PsamDf = PsamDf {
    fid: MF_FID,
    name: SSSE_NAME,
};

/// The PSAM's application DF01 (AID [`DF01_AID`]): holds the key records.
pub const DF01: PsamDf = PsamDf {
    fid: 0xDF01,
    name: &DF01_AID,
};

/// SFI of the directory EF announced in the PSAM's FCI (`A5 03 88 01 1E`): sscard's PSAM mirrors
/// the card's FCI ([`crate::files::SSSE_DIR_SFI`]).
pub const FCI_DIR_SFI: u8 = SSSE_DIR_SFI;

/// A transparent EF of the PSAM (below the MF, reachable from DF01 too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PsamEf {
    fid: u16,
    fields: &'static [FieldSpec],
    /// Chinese name.
    pub name_zh: Text,
    /// English name.
    pub name_en: Text,
    /// Where this entry is uncertain, a note citing the reference.
    pub uncertain: Option<Text>,
}

impl PsamEf {
    /// FID (`0x0015`, `0x0016`).
    pub const fn fid(self) -> u16 {
        self.fid
    }

    /// SFI (P1 = `80 | sfi` of READ BINARY): the low 5 bits of the FID.
    pub const fn sfi(self) -> u8 {
        (self.fid & 0x1F) as u8
    }

    /// Size in bytes (= the sum of the field lengths).
    pub const fn size(self) -> usize {
        let mut n = 0usize;
        let mut i = 0;
        while i < self.fields.len() {
            n += self.fields[i].len as usize;
            i += 1;
        }
        n
    }

    /// The fields, in order.
    pub const fn fields(self) -> &'static [FieldSpec] {
        self.fields
    }
}

/// Length of the PSAM serial number (EF15 bytes 0–9; also the ATR's historical bytes).
pub const SERIAL_LEN: usize = 10;
/// Length of the issuer identifier (EF15 bytes 14–21).
pub const ISSUER_ID_LEN: usize = 8;
/// Length of the terminal number (EF16): 6 bytes cn, region (6 digits) ‖ 6 digits.
pub const TERMINAL_NUMBER_LEN: usize = 6;

/// EF15 byte 10: PSAM version.
pub const PSAM_VERSION: u8 = 0x01;
/// EF15 byte 11: key-card type, `00` = PSAM.
pub const KEY_CARD_TYPE_PSAM: u8 = 0x00;
/// EF15 byte 12: command-set version.
pub const COMMAND_SET_VERSION: u8 = 0x01;

/// EF15 (public information) layout, sscard's choice (PBOC-PSAM-like; the SSC PSAM's own layout
/// is not public, sscard-spec.md §5.7). Hosts that read `00 B0 00 00 0F` get serial ‖ versions ‖
/// algorithm ‖ the first issuer-id byte.
pub static EF15_FIELDS: &[FieldSpec] = &[
    FieldSpec::new(
        "PSAM序列号",
        "PSAM serial number",
        DataType::B,
        SERIAL_LEN as u8,
    ),
    FieldSpec::new("PSAM版本号", "PSAM version", DataType::B, 1),
    FieldSpec::new("密钥卡类型", "key-card type (00 = PSAM)", DataType::B, 1),
    FieldSpec::new("指令集版本", "command-set version", DataType::B, 1),
    FieldSpec::new(
        "算法标识",
        "algorithm id (FCI convention: 01 3DES, 03 SM4)",
        DataType::B,
        1,
    ),
    FieldSpec::new("发行方标识", "issuer id", DataType::B, ISSUER_ID_LEN as u8),
];

/// EF16 (terminal number, 终端机编号) layout: 6 bytes cn, region (6 digits) ‖ 6 digits assigned by
/// the PSAM issuer (sscard-spec.md §5.7).
pub static EF16_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("行政区划代码", "region code", DataType::Cn, 3),
    FieldSpec::new("终端序号", "terminal serial", DataType::Cn, 3),
];

const EF_NOTE: &str = "sscard layout: EF15 = public information, EF16 = terminal number; sscard-spec.md §5.7 names EF15 (read 00 B0 00 00 0F after select 0015) and the 6-byte terminal number, profile.md §6 places the terminal number in EF15";

/// EF15 `0015`: public information ([`EF15_FIELDS`], 22 bytes).
pub const EF15: PsamEf = PsamEf {
    fid: 0x0015,
    fields: EF15_FIELDS,
    name_zh: text("公共信息"),
    name_en: text("public information"),
    uncertain: note(EF_NOTE),
};

/// EF16 `0016`: terminal number ([`EF16_FIELDS`], 6 bytes cn).
pub const EF16: PsamEf = PsamEf {
    fid: 0x0016,
    fields: EF16_FIELDS,
    name_zh: text("终端机编号"),
    name_en: text("terminal number"),
    uncertain: note(EF_NOTE),
};

/// The PSAM's EFs.
pub const EFS: [PsamEf; 2] = [EF15, EF16];

const _: () = {
    assert!(EF15.size() == 22);
    assert!(EF16.size() == TERMINAL_NUMBER_LEN);
};

// ---------------------------------------------------------------- key records

/// Key-record algorithm codes: `00` 3DES and `01` DES as in S-PSAMDOC (sscard-spec.md §5.7
/// \[1\]); `03` SM4 is sscard's choice (mirrors the FCI algorithm id of 国密).
pub mod alg {
    /// 2-key 3DES.
    pub const TDES: u8 = 0x00;
    /// Single DES.
    pub const DES: u8 = 0x01;
    /// SM4.
    pub const SM4: u8 = 0x03;
}

/// Key types of the usage byte's low 5 bits (sscard-spec.md §5.2, S-PSAMDOC).
pub mod key_type {
    /// Master key.
    pub const MASTER: u8 = 0x00;
    /// Maintenance key.
    pub const MAINTENANCE: u8 = 0x01;
    /// Purchase key.
    pub const PURCHASE: u8 = 0x02;
    /// PIN unblock key.
    pub const PIN_UNBLOCK: u8 = 0x03;
    /// PIN reload key.
    pub const PIN_RELOAD: u8 = 0x04;
    /// User-card application maintenance key.
    pub const USER_APP_MAINTENANCE: u8 = 0x05;
    /// MAC key.
    pub const MAC: u8 = 0x06;
    /// Encryption key.
    pub const ENCRYPTION: u8 = 0x07;
    /// MAC + encryption key.
    pub const MAC_ENCRYPTION: u8 = 0x08;
}

/// Most diversification levels a usage byte can announce (its high 3 bits).
pub const MAX_LEVELS: u8 = 7;

/// First PSAM key id handed out to keys without an observed id.
pub const ASSIGNED_ID_BASE: u8 = 0x60;

/// Where a key lives in the PSAM: `BF DE <usage> <id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySlot {
    /// Usage byte: high 3 bits = diversification levels, low 5 bits = key type.
    pub usage: u8,
    /// PSAM key id.
    pub id: u8,
}

impl KeySlot {
    /// Number of diversification levels (= 8-byte factors `BF DE` expects before `R`).
    pub const fn levels(&self) -> u8 {
        self.usage >> 5
    }

    /// Key type (low 5 bits of the usage byte, see [`key_type`]).
    pub const fn key_type(&self) -> u8 {
        self.usage & 0x1F
    }
}

/// Builds a usage byte; `None` when `levels` does not fit 3 bits.
pub const fn usage_byte(levels: u8, key_type: u8) -> Option<u8> {
    if levels > MAX_LEVELS {
        return None;
    }
    Some((levels << 5) | (key_type & 0x1F))
}

/// Key type for a key without an observed usage byte: read/update/internal-auth/load keys
/// encryption `07`, PUK/STK MAC+encryption `08`, CIDK/TAC MAC `06`, lock maintenance `01`,
/// purchase `02`.
pub const fn type_for_role(role: KeyRole) -> u8 {
    match role {
        KeyRole::Read | KeyRole::Update | KeyRole::InternalAuth | KeyRole::Load => {
            key_type::ENCRYPTION
        }
        KeyRole::PinUnblock | KeyRole::Maintenance => key_type::MAC_ENCRYPTION,
        KeyRole::CardIdAuth | KeyRole::Tac => key_type::MAC,
        KeyRole::Lock => key_type::MAINTENANCE,
        KeyRole::Purchase => key_type::PURCHASE,
    }
}

fn is_observed_id(id: u8) -> bool {
    all_keys().any(|k| k.psam_key_id == Some(id))
}

fn assigned_id(spec: &KeySpec) -> Option<u8> {
    let mut next = u16::from(ASSIGNED_ID_BASE);
    for k in all_keys().filter(|k| k.psam_key_id.is_none()) {
        while u8::try_from(next).is_ok_and(is_observed_id) {
            next = next.saturating_add(1);
        }
        let id = u8::try_from(next).ok()?;
        if k.name == spec.name {
            return Some(id);
        }
        next = next.saturating_add(1);
    }
    None
}

/// The PSAM slot of a key of the table (`None` only if the table outgrows the id space).
pub fn key_slot(spec: &KeySpec) -> Option<KeySlot> {
    let ty = spec.psam_usage_type().unwrap_or(type_for_role(spec.role));
    let usage = usage_byte(spec.levels, ty)?;
    let id = match spec.psam_key_id {
        Some(id) => id,
        None => assigned_id(spec)?,
    };
    Some(KeySlot { usage, id })
}

/// The table entry and PSAM slot of the key `name` (e.g. [`crate::key::RK1DF01`]).
pub fn key_slot_by_name(name: &str) -> Option<(&'static KeySpec, KeySlot)> {
    let spec = key_by_name(name)?;
    Some((spec, key_slot(spec)?))
}

/// Every key of the table with its PSAM slot, in table order.
pub fn key_slots() -> impl Iterator<Item = (&'static KeySpec, KeySlot)> {
    all_keys().filter_map(|k| key_slot(k).map(|s| (k, s)))
}
