//! The outcome of a case: [`Verdict`] (pass / fail / skip), the [`fail`] and [`skip`]
//! constructors, and [`Check`], what a step and its helpers return.
//!
//! This module depends on nothing else in the crate, so the context (`ctx.rs`), the cases
//! (`case.rs`, `cases/`) and the report (`report.rs`) all build on it without importing each
//! other.

use serde::Serialize;

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
