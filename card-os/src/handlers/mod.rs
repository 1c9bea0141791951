//! The card's command handlers, one file per command group. Each is a function of a context
//! ([`crate::ctx`]) whose type says what it may touch: [`ReadCtx`](crate::ctx::ReadCtx) (SELECT,
//! READ BINARY/RECORD, INTERNAL AUTHENTICATE), [`WriteCtx`](crate::ctx::WriteCtx) (writes, PIN,
//! EXTERNAL AUTHENTICATE, lifecycle, DEBIT/CREDIT), [`RamCtx`](crate::ctx::RamCtx) (GET CHALLENGE);
//! the DF04 purse (`purse`) reads with a `ReadCtx` (INITIALIZE, GET BALANCE, GET TRANSACTION
//! PROVE) and writes with a `WriteCtx` (DEBIT, CREDIT).

pub(crate) mod auth;
pub(crate) mod data;
pub(crate) mod lifecycle;
pub(crate) mod pin;
pub(crate) mod purse;
pub(crate) mod select;
