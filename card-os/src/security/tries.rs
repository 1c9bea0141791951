//! The one try-counter protocol, shared by the PIN (VERIFY, CHANGE PIN) and the keys (EXTERNAL
//! AUTHENTICATE), profile.md §4: a blocked counter (0 tries left) answers `6983` without
//! comparing; otherwise the counter is decremented **and persisted before the comparison**, and
//! restored to its limit on a match. A power cut after the decrement leaves "one try consumed"
//! (the state a wrong attempt leaves), never a free try.
//!
//! Each counter is one byte of the image, so writing it cannot tear.

use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;

/// A persistent try counter: `tries` left of `limit`, stored in the image byte at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TryCounter {
    at: u32,
    tries: u8,
    limit: u8,
}

/// How the comparison went (a refusal before comparing is the `Err` of [`TryCounter::attempt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The presented value matched.
    Match,
    /// It did not; `left` tries remain (persisted).
    Mismatch { left: u8 },
}

/// The caller's choices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Restore the counter on a match (CHANGE PIN does not: its journaled PIN write resets the
    /// counter in the same atomic batch).
    pub restore: bool,
    /// The `*_counter_after_compare` faults: compare first, write the counter afterwards (and
    /// only when it changes), ignoring a failed decrement.
    #[cfg(feature = "faults")]
    pub compare_first: bool,
}

impl TryCounter {
    pub(crate) fn new(at: u32, tries: u8, limit: u8) -> Self {
        TryCounter { at, tries, limit }
    }

    /// Tries left.
    pub(crate) fn tries(&self) -> u8 {
        self.tries
    }

    /// `6983` when no try is left.
    pub(crate) fn usable(&self) -> Result<(), StatusWord> {
        if self.tries == 0 {
            Err(StatusWord::AUTH_BLOCKED)
        } else {
            Ok(())
        }
    }

    fn set<S: Store>(&self, j: &mut Journal<S>, tries: u8) -> Result<(), StatusWord> {
        j.atomic(&[(self.at, &[tries])])?;
        Ok(())
    }

    /// Back to the limit (PIN UNBLOCK).
    pub(crate) fn reset<S: Store>(&self, j: &mut Journal<S>) -> Result<(), StatusWord> {
        self.set(j, self.limit)
    }

    /// One attempt: `compare` runs only after the decremented counter is persisted.
    pub(crate) fn attempt<S: Store>(
        &self,
        j: &mut Journal<S>,
        rules: Rules,
        compare: impl FnOnce() -> bool,
    ) -> Result<Outcome, StatusWord> {
        self.usable()?;
        let left = self.tries - 1;
        #[cfg(feature = "faults")]
        if rules.compare_first {
            return self.attempt_compare_first(j, rules, compare);
        }
        self.set(j, left)?;
        if !compare() {
            return Ok(Outcome::Mismatch { left });
        }
        if rules.restore {
            self.reset(j)?;
        }
        Ok(Outcome::Match)
    }

    /// The faulty order: a match with a full counter writes nothing, a mismatch decides the
    /// answer and then writes the decrement, ignoring a failed write (as a card that answers
    /// before its NVM write completes).
    #[cfg(feature = "faults")]
    fn attempt_compare_first<S: Store>(
        &self,
        j: &mut Journal<S>,
        rules: Rules,
        compare: impl FnOnce() -> bool,
    ) -> Result<Outcome, StatusWord> {
        let left = self.tries - 1;
        if compare() {
            if rules.restore && self.tries != self.limit {
                self.reset(j)?;
            }
            Ok(Outcome::Match)
        } else {
            let _ = self.set(j, left);
            Ok(Outcome::Mismatch { left })
        }
    }
}
