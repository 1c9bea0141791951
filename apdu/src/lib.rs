//! APDUs for the Chinese social security card (社会保障卡): command and response APDUs, status
//! words, the card's tag-length records, the SELECT FCI, the command set as typed commands that
//! both the card (decode) and the host (encode) use, and host-side T=0 handling
//! (`61xx` / `6Cxx`) in one place.
//!
//! * [`command`]: APDU framing — [`CommandView`] (borrowed, parsed) and [`Command`] (owned, MAC
//!   support);
//! * [`commands`]: the command vocabulary — [`Instruction`], [`CardCommand`], [`PsamCommand`],
//!   builder functions and the trace decoder [`commands::command_name`];
//! * [`ins`]: the raw CLA / INS / P1 bytes (INS constants derived from [`Instruction`]);
//! * [`status`], [`response`], [`record`], [`fci`], [`exchange`](mod@exchange): status words, responses, card
//!   data records, the SELECT FCI, T=0 exchanges.
//!
//! `no_std`, no heap in the core types. Feature `alloc` adds FCI parsing via `iso7816-tlv` and
//! `to_vec` helpers.
//!
//! ```
//! use sscard_apdu::{commands, CommandView};
//! let cmd = commands::select_by_name(b"sx1.sh.\xC9\xE7\xBB\xE1\xB1\xA3\xD5\xCF").unwrap();
//! let mut buf = [0u8; 32];
//! let n = cmd.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..5], &[0x00, 0xA4, 0x04, 0x00, 0x0F]);
//! assert_eq!(CommandView::parse(&buf[..n]).unwrap(), cmd.view());
//! ```
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod command;
pub mod commands;
pub mod error;
pub mod exchange;
pub mod fci;
pub mod ins;
pub mod record;
pub mod response;
pub mod status;

pub use command::{Case, Command, CommandView, MacInput};
pub use commands::{CardCommand, Instruction, PsamCommand};
pub use error::ApduError;
pub use exchange::{exchange, ExchangeError, RawTransmit, T0Policy};
pub use record::{Record, RecordError, RecordIter};
pub use response::ResponseView;
pub use status::StatusWord;
