//! `sscard serve`: a local card service for browser-based HIS pages and the service window.
//!
//! Browser pages cannot talk PC/SC; today they reach the reader through ad-hoc local services on
//! the desk PC (integrators.md §3) that listen on every interface, allow any origin and take no
//! credential. This one is secure by design and speaks the dialect those pages already use:
//!
//! | module | holds |
//! | --- | --- |
//! | [`config`] | the configuration file (TOML) and its defaults; `--print-config` |
//! | [`dirs`] | where its files live (`$XDG_CONFIG_HOME/sscard`) |
//! | [`bind`] | the listen addresses: loopback only, anything else refused |
//! | [`guard`] | every request's checks: Host (DNS rebinding), Origin allow-list, token, CORS / Private-Network-Access preflights, rate limit; refusals logged with the reason |
//! | [`rate`] | the rate limiter (token buckets per origin) |
//! | [`tls`] | optional TLS: the certificate (generated once, self-signed for the loopback names, reused) and its fingerprint |
//! | [`token`] | the per-installation token: generated once, shown at pairing, compared in constant time |
//! | [`hub`] | the cards: one operation at a time per reader (whole operations, never interleaved), readers in parallel |
//! | [`api`] | the JSON HTTP API under `/v1/` |
//! | [`events`] | card insert / remove events (server-sent events) |
//! | [`dialect`] | the WebSocket dialect `{"function":"iReadCardBas","iType":3}` → `{"functionName":…,"success":…,"pOutInfo":…}` |
//! | [`national_bridge`] | the national functions the dialect calls (the library's `national` module) |
//! | [`page`] | the built-in service-window page (no external assets) |
//! | [`state`] | what every handler shares ([`state::AppState`]) |
//! | [`server`] | the router and the listeners |
//! | [`error`] | the service's error type and how it becomes an HTTP answer |
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod bind;
pub mod config;
pub mod dialect;
pub mod dirs;
pub mod error;
pub mod events;
pub mod guard;
pub mod hub;
pub mod national_bridge;
pub mod page;
pub mod rate;
pub mod server;
pub mod state;
pub mod tls;
pub mod token;

pub use config::Config;
pub use error::ServeError;
pub use server::{run_until_signal, serve, Running};
pub use token::Token;
