//! The PSAM's volatile state (lost at reset and power-off): the current DF and EF, and the keys
//! of the last successful `BF DE`.

use super::image::{self, EF15_LEN, EF16_LEN};
use super::{EF15_FID, EF15_SFI, EF16_FID, EF16_SFI};
use sscard_keys::purse::{MedicalPurchase, PurchaseSession};
use sscard_keys::Key;

/// The PSAM's DFs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Df {
    Mf,
    Df01,
}

/// The PSAM's EFs (below the MF, reachable from DF01 too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ef {
    Ef15,
    Ef16,
}

impl Ef {
    pub(crate) fn by_fid(fid: u16) -> Option<Ef> {
        match fid {
            EF15_FID => Some(Ef::Ef15),
            EF16_FID => Some(Ef::Ef16),
            _ => None,
        }
    }
    pub(crate) fn by_sfi(sfi: u8) -> Option<Ef> {
        match sfi {
            EF15_SFI => Some(Ef::Ef15),
            EF16_SFI => Some(Ef::Ef16),
            _ => None,
        }
    }
    /// Offset in the image and size.
    pub(crate) fn geometry(self) -> (u32, usize) {
        match self {
            Ef::Ef15 => (image::OFF_EF15, EF15_LEN),
            Ef::Ef16 => (image::OFF_EF16, EF16_LEN),
        }
    }
}

/// Keys of the last successful `BF DE` (wiped on drop: `Key` is `ZeroizeOnDrop`).
pub(crate) struct Session {
    pub card_key: Key,
    pub process_key: Key,
}

/// The purchase begun by the last `80 70`: SESPK (scheduled, wiped on drop) and the
/// transaction whose MAC2 `80 72` checks.
pub(crate) struct Purchase {
    pub session: PurchaseSession,
    pub tx: MedicalPurchase,
}

/// Everything the PSAM keeps in RAM.
pub(crate) struct Volatile {
    pub df: Df,
    pub ef: Option<Ef>,
    pub session: Option<Session>,
    pub purchase: Option<Purchase>,
}

impl Default for Volatile {
    fn default() -> Self {
        Volatile {
            df: Df::Mf,
            ef: None,
            session: None,
            purchase: None,
        }
    }
}
