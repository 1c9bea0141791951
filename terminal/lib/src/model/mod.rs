//! The card's data as types: what `Session` reads and writes, what the CLI prints and what the
//! national strings are made of.
//!
//! | module | holds |
//! | --- | --- |
//! | [`basic`] | [`BasicInfo`]: the service-window view (EF05 + EF06 decoded, profile, reset information) |
//! | [`card`] | the issuer data (EF05, with the card identification code) and the holder (EF06) as types; coded values |
//! | [`item`] | [`ItemValue`]: one data item decoded by its specs definition |
//! | [`content`] | what a path holds: [`ReadResult`], a whole EF's [`EfContent`], cyclic [`RecordValue`]s |
//! | [`records`] | [`EfRecords`]: the raw `tag \| len \| value` records of one record EF |
//! | [`value`] | the codecs: one item's value by its data type (an/cn/b/B-TLV) and back; lenient dates and digits |
//! | [`holder`] | the holder profile file (TOML) a card is personalised from |
//! | [`atr`] | the answer-to-reset and its historical bytes |
//! | [`money`] | [`Fen`]: amounts, parsed and shown as yuan |
//! | [`purse`] | the DF04 purse's transaction log records |

pub mod atr;
pub mod basic;
pub mod card;
pub mod content;
pub mod holder;
pub mod item;
pub mod money;
pub mod purse;
pub mod records;
pub mod value;

pub use self::basic::BasicInfo;
pub use self::card::{CardId, Coded, Holder, IssuerData};
pub use self::content::{EfContent, ReadResult, RecordValue};
pub use self::holder::{HolderProfile, PlannedValue};
pub use self::item::ItemValue;
pub use self::money::Fen;
pub use self::records::EfRecords;
pub use self::value::Value;
