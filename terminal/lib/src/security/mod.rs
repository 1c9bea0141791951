//! Security modules: what computes cryptograms, MACs and encrypted PIN blocks for a session.
//!
//! - [`keyfile`]: the issuer key set file (software keys in host memory, for tests and issuers);
//! - [`psam`]: a PSAM card (terminal security module) in a reader — no key in host memory; its
//!   protocol driver is [`psam_driver`];
//! - [`purse`]: the purse operations (purchase MAC1/MAC2, load MAC2) of either, with the
//!   software module's [`terminal_serial`] store.
//!
//! Both implement `sscard_keys::SecurityModule` and [`purse::PurseModule`].

pub mod keyfile;
pub mod psam;
pub mod psam_driver;
pub mod purse;
pub mod terminal_serial;
