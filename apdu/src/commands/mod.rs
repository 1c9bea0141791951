//! The command set of the social security card and its PSAM in one vocabulary for both ends
//! (sscard-spec.md §4, profile.md §4–§6): the card OS and the PSAM *decode* APDUs into these
//! types, the host *encodes* them, traces *name* them.
//!
//! | module | holds |
//! |---|---|
//! | [`instruction`] | [`Instruction`] — the one INS table (byte, name) |
//! | `trace` | [`command_name`], the trace decoder (CLA/INS/P1/P2 to a name) |
//! | [`card`] | [`CardCommand`]: `decode(&CommandView) -> Result<_, StatusWord>`, `to_command() -> Result<Command, ApduError>` |
//! | [`psam`] | [`PsamCommand`], [`PsamMacKey`] and the `80 FA` P1/P2 values |
//! | [`purse`] | the DF04 purse commands and the PSAM purchase side: fields, responses, P1/P2, builders |
//! | `fields` | [`SelectBy`], [`RecordSelector`], [`Protection`], [`Mac`] and the rules both decoders share |
//! | `build` | the builder functions below ([`read_record`], [`verify`], ...), thin constructors over [`CardCommand`] |
//!
//! Decoding checks CLA, INS, P1/P2 and lengths and answers the card's status word for the first
//! rule broken; encoding refuses what decoding would never produce, so
//! `decode(to_command(v)) == v` (Ne aside: it is framing, see [`CardCommand`]). The decoders are
//! `no_std`, allocation-free and free of `core::fmt` (the firmware links them).
//!
//! ```
//! use sscard_apdu::commands::{self, CardCommand, RecordSelector, SelectBy};
//! use sscard_apdu::CommandView;
//! // the host builds ...
//! let cmd = commands::select_by_name(b"sx1.sh.\xC9\xE7\xBB\xE1\xB1\xA3\xD5\xCF").unwrap();
//! let mut buf = [0u8; 32];
//! let n = cmd.encode(&mut buf).unwrap();
//! // ... the card decodes the same type
//! let view = CommandView::parse(&buf[..n]).unwrap();
//! let CardCommand::Select { by: SelectBy::Name(name), fci: true } = CardCommand::decode(&view).unwrap()
//! else { unreachable!() };
//! assert_eq!(name.len(), 15);
//! assert_eq!(commands::command_name(&buf[..n]), "SELECT");
//! ```

mod build;
pub mod card;
mod fields;
pub mod instruction;
pub mod psam;
pub mod purse;
mod trace;

pub use build::*;
pub use card::CardCommand;
pub use fields::{Mac, Protection, RecordSelector, SelectBy};
pub use instruction::Instruction;
pub use psam::{PsamCommand, PsamMacKey};
pub use trace::command_name;
