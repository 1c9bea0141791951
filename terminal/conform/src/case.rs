//! One conformance case: identity, requirement text, spec reference, safety class, what it needs,
//! and the step that drives the card.
//!
//! Cases are *generated* from `sscard_specs` (one per file, per access rule, per key …) by the
//! modules of `cases/`; this file only holds the vocabulary and [`AreaCases`], which gives every
//! case its id from its area and its subject (see `id.rs` for the grammar).

use super::area::{Area, Needs};
use super::ctx::Ctx;
use super::verdict::Check;

/// The body of a case.
pub type Step = Box<dyn Fn(&mut Ctx<'_>) -> Check + Send + Sync>;

/// One conformance case.
pub struct Case {
    /// Identifier derived from the area and the subject, e.g. `FIL-SSSE-EF05-PRESENT-SFI`.
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

/// Builds the cases of one area. A case's id is `<area prefix>-<subject>`, where the subject
/// (e.g. `SSSE-EF05-PRESENT-SFI`) names what the case tests; nothing in the id depends on how
/// many cases were added before it.
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

    /// Add the case `<prefix>-<subject>`; returns it for adjusting `destructive` / `needs`.
    pub(crate) fn add(
        &mut self,
        subject: impl AsRef<str>,
        title: impl Into<String>,
        requirement: impl Into<String>,
        reference: impl Into<String>,
        needs: Needs,
        step: impl Fn(&mut Ctx<'_>) -> Check + Send + Sync + 'static,
    ) -> &mut Case {
        let id = format!("{}-{}", self.area.prefix(), subject.as_ref());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(subjects: &[&str]) -> Vec<String> {
        let mut a = AreaCases::new(Area::Files);
        for s in subjects {
            a.add(*s, "t", "r", "ref", Needs::NONE, |_| Ok(()));
        }
        a.into_cases().into_iter().map(|c| c.id).collect()
    }

    /// Inserting (or removing) a case does not change the id of any other case.
    #[test]
    fn ids_do_not_depend_on_position() {
        let before = ids(&["SSSE-EF05-PRESENT-SFI", "SSSE-EF06-PRESENT-SFI"]);
        let after = ids(&[
            "SSSE-EF04-PRESENT-SFI",
            "SSSE-EF05-PRESENT-SFI",
            "SSSE-EF05-NEW-RULE",
            "SSSE-EF06-PRESENT-SFI",
        ]);
        assert_eq!(
            before,
            ["FIL-SSSE-EF05-PRESENT-SFI", "FIL-SSSE-EF06-PRESENT-SFI"]
        );
        for id in &before {
            assert!(after.contains(id), "{id} changed when cases were inserted");
        }
        assert_eq!(ids(&["SSSE-EF06-PRESENT-SFI"]), before[1..]);
    }
}
