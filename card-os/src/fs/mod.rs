//! The file system over the journaled store: record and transparent EF storage, key slots and
//! the PIN record.
//!
//! Files are addressed by an [`EfGeom`](crate::layout::EfGeom) (where the EF lives in the data
//! area and its structure), computed once by [`crate::layout`] from the `sscard_specs` tables;
//! `fs` depends on `layout`, never the other way round.

pub(crate) mod binary;
pub(crate) mod keyfile;
pub(crate) mod pin;
pub(crate) mod records;
