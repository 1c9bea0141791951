//! One conformance case: identity, requirement text, spec reference, safety class, what it needs,
//! and the step that drives the card.
//!
//! Cases are *generated* from `sscard_specs` (one per file, per access rule, per key …) by the
//! modules of [`super::cases`]; this file only holds the vocabulary.

use serde::Serialize;

use super::ctx::Ctx;

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
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 11] = [
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
    ];

    /// The area's number (1–11), as in the issue and the report.
    pub fn number(self) -> u8 {
        Area::ALL
            .iter()
            .position(|a| *a == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// Case-id prefix (`SEL-003`).
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

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Verdict {
    /// The card meets the requirement.
    Pass,
    /// The card violates the requirement.
    Fail {
        /// What went wrong (expected vs. seen).
        reason: String,
    },
    /// The case could not be run (missing keys, optional feature absent, not confirmed …).
    Skip {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// `pass`, `fail` or `skip`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail { .. } => "fail",
            Verdict::Skip { .. } => "skip",
        }
    }

    /// The reason of a failure or skip.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Pass => None,
            Verdict::Fail { reason } | Verdict::Skip { reason } => Some(reason),
        }
    }
}

/// A failure verdict.
pub fn fail(reason: impl Into<String>) -> Verdict {
    Verdict::Fail {
        reason: reason.into(),
    }
}

/// A skip verdict.
pub fn skip(reason: impl Into<String>) -> Verdict {
    Verdict::Skip {
        reason: reason.into(),
    }
}

/// What a step returns: `Ok(())` is a pass, `Err(verdict)` a failure or a skip. Helpers return
/// `Result<T, Verdict>` so that `?` ends the case with the right verdict.
pub type Check = Result<(), Verdict>;

/// The body of a case.
pub type Step = Box<dyn Fn(&mut Ctx<'_>) -> Check + Send + Sync>;

/// One conformance case.
pub struct Case {
    /// Identifier, e.g. `SEL-003`.
    pub id: String,
    /// Area.
    pub area: Area,
    /// Short title.
    pub title: String,
    /// The requirement, as a sentence a vendor can check against the spec.
    pub requirement: String,
    /// Where the requirement comes from (`sscard-spec.md §x` / `profile.md §y`).
    pub reference: String,
    /// Whether the case may consume PIN/key tries or block the PIN, an application or the card.
    pub destructive: bool,
    /// What the case needs.
    pub needs: Needs,
    /// Blocks the card for good: runs after every other case.
    pub irreversible: bool,
    /// The step.
    pub step: Step,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("area", &self.area)
            .field("title", &self.title)
            .field("destructive", &self.destructive)
            .field("needs", &self.needs)
            .finish_non_exhaustive()
    }
}

/// Builds the cases of one area with sequential ids (`FIL-001`, `FIL-002`, …).
pub(crate) struct AreaCases {
    area: Area,
    cases: Vec<Case>,
}

impl AreaCases {
    pub(crate) fn new(area: Area) -> Self {
        AreaCases {
            area,
            cases: Vec::new(),
        }
    }

    /// Add a case; returns it for adjusting `destructive` / `needs`.
    pub(crate) fn add(
        &mut self,
        title: impl Into<String>,
        requirement: impl Into<String>,
        reference: impl Into<String>,
        needs: Needs,
        step: impl Fn(&mut Ctx<'_>) -> Check + Send + Sync + 'static,
    ) -> &mut Case {
        let id = format!("{}-{:03}", self.area.prefix(), self.cases.len() + 1);
        self.cases.push(Case {
            id,
            area: self.area,
            title: title.into(),
            requirement: requirement.into(),
            reference: reference.into(),
            destructive: false,
            needs,
            irreversible: false,
            step: Box::new(step),
        });
        let last = self.cases.len() - 1;
        &mut self.cases[last]
    }

    pub(crate) fn into_cases(self) -> Vec<Case> {
        self.cases
    }
}

impl Case {
    /// Mark as destructive.
    pub(crate) fn destructive(&mut self) -> &mut Case {
        self.destructive = true;
        self
    }

    /// Mark as irreversible (and destructive).
    pub(crate) fn irreversible(&mut self) -> &mut Case {
        self.destructive = true;
        self.irreversible = true;
        self
    }
}
