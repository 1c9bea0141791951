//! How a case is classified: its [`Area`] (the official test areas, sscard-spec.md §7.2) and
//! what it [`Needs`] beyond a card. Shared by the cases and the report; depends on nothing else in
//! the crate.

use serde::Serialize;

/// The test areas, grouped like the official COS / data-structure tests (sscard-spec.md §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// (1) ATR and SELECT / FCI.
    AtrSelect,
    /// (2) Presence, structure, size and SFI of every DF/EF.
    Files,
    /// (3) Data-item formats of the personalised items.
    Items,
    /// (4) READ RECORD addressing modes.
    ReadRecord,
    /// (5) Access rules per file and security state.
    Access,
    /// (6) PIN try counter, blocking, unblock / reload.
    Pin,
    /// (7) Challenge single use.
    Challenge,
    /// (8) Line-protection MAC verification.
    Mac,
    /// (9) Application / card lifecycle.
    Lifecycle,
    /// (10) Status words of the error paths.
    StatusWords,
    /// (11) Anti-tearing (power cut during a state change).
    Tearing,
    /// (12) The DF04 medical purse: purchase, load, MACs, TAC, counters, log.
    Purse,
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 12] = [
        Area::AtrSelect,
        Area::Files,
        Area::Items,
        Area::ReadRecord,
        Area::Access,
        Area::Pin,
        Area::Challenge,
        Area::Mac,
        Area::Lifecycle,
        Area::StatusWords,
        Area::Tearing,
        Area::Purse,
    ];

    /// The area's number (1–12), as in the issue and the report.
    pub fn number(self) -> u8 {
        Area::ALL
            .iter()
            .position(|a| *a == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// Case-id prefix: the first word of every id of the area (`SEL` in `SEL-SSSE-BY-NAME-FCI`).
    pub const fn prefix(self) -> &'static str {
        match self {
            Area::AtrSelect => "SEL",
            Area::Files => "FIL",
            Area::Items => "ITM",
            Area::ReadRecord => "REC",
            Area::Access => "ACC",
            Area::Pin => "PIN",
            Area::Challenge => "CHL",
            Area::Mac => "MAC",
            Area::Lifecycle => "LCY",
            Area::StatusWords => "SW",
            Area::Tearing => "TEAR",
            Area::Purse => "PUR",
        }
    }

    /// Human title.
    pub const fn title(self) -> &'static str {
        match self {
            Area::AtrSelect => "ATR and SELECT/FCI",
            Area::Files => "Files: presence, structure, size, SFI",
            Area::Items => "Data-item formats",
            Area::ReadRecord => "READ RECORD modes",
            Area::Access => "Access rules and security state",
            Area::Pin => "PIN try counter, block, unblock/reload",
            Area::Challenge => "Challenge single use",
            Area::Mac => "Line-protection MAC",
            Area::Lifecycle => "Application/card lifecycle",
            Area::StatusWords => "Status words of error paths",
            Area::Tearing => "Anti-tearing",
            Area::Purse => "Medical purse (DF04)",
        }
    }

    /// Parse a prefix, a number or the kebab-case name (`sel`, `1`, `atr-select`).
    pub fn parse(s: &str) -> Option<Area> {
        let s = s.trim();
        Area::ALL.iter().copied().find(|a| {
            s.eq_ignore_ascii_case(a.prefix())
                || s == a.number().to_string()
                || serde_json::to_value(a)
                    .ok()
                    .and_then(|v| v.as_str().map(|n| n.eq_ignore_ascii_case(s)))
                    .unwrap_or(false)
        })
    }
}

/// What a case needs beyond a card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// Issuer keys: a security module (`--keys FILE` or a PSAM).
    pub keys: bool,
    /// Specifically a PSAM, not just keys (no built-in case needs one: every keyed case runs with
    /// `--keys` or a PSAM alike; the flag is for PSAM-specific cases).
    pub psam: bool,
    /// A transport that can cut the card's power mid-command (in-process emulator only).
    pub power_control: bool,
    /// The holder's PIN (`--pin`).
    pub pin: bool,
}

impl Needs {
    /// Nothing beyond the card.
    pub const NONE: Needs = Needs {
        keys: false,
        psam: false,
        power_control: false,
        pin: false,
    };
    /// Issuer keys.
    pub const KEYS: Needs = Needs {
        keys: true,
        ..Needs::NONE
    };
    /// The PIN.
    pub const PIN: Needs = Needs {
        pin: true,
        ..Needs::NONE
    };
    /// Keys and the PIN.
    pub const KEYS_PIN: Needs = Needs {
        keys: true,
        pin: true,
        ..Needs::NONE
    };
}
