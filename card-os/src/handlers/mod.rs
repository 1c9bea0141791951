//! Command handlers, one file per command group, each an `impl Card` block.

mod auth;
mod data;
mod lifecycle;
mod pin;
mod select;
