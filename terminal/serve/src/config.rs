//! The service's configuration: a TOML file (`sscard serve --config FILE`, default
//! `$XDG_CONFIG_HOME/sscard/serve.toml`), every field optional. `sscard serve --print-config`
//! prints the effective configuration in this format.
//!
//! ```toml
//! listen = ["127.0.0.1:12342", "[::1]:12342"]   # loopback only; anything else is refused
//! allowed_origins = ["https://his.example-hospital.cn"]
//! token_file = "/home/window/.config/sscard/serve-token"
//! ws_requires_token = false        # legacy pages cannot send a token on a WebSocket
//! max_body_bytes = 16384
//! rate_per_minute = 600
//! keys = "/etc/sscard/issuer-keys.toml"   # or psam_reader = "ACS ACR39U 01"
//! reader = "0"                     # the dialect's reader; default: the first with a card
//!
//! [tls]                            # optional: https:// and wss:// instead of http:// and ws://
//! enabled = true                   # or `sscard serve --tls`
//! cert = "/home/window/.config/sscard/serve-tls-cert.pem"   # generated (self-signed, for
//! key = "/home/window/.config/sscard/serve-tls-key.pem"     # localhost/127.0.0.1/::1) when both are missing
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ServeError;

/// The port today's local card services use for the national WebSocket dialect
/// (integrators.md §3, `ws://127.0.0.1:12342`), so existing pages work unchanged.
pub const DEFAULT_PORT: u16 = 12342;

/// The configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen addresses (`ip:port`); every one must be a loopback address.
    pub listen: Vec<String>,
    /// Origins allowed to call the service (`scheme://host[:port]`, exact match). The
    /// service's own page (its own origin) is always allowed; `null` never is.
    pub allowed_origins: Vec<String>,
    /// Where the per-installation token is kept (created on first start or `--pair`).
    pub token_file: PathBuf,
    /// Require the token on the WebSocket dialect too (pages written for today's services
    /// cannot send one: they are admitted by their Origin alone when this is false).
    pub ws_requires_token: bool,
    /// Largest request body (and WebSocket message) accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests per minute per client address (token bucket), before `429`.
    pub rate_per_minute: u32,
    /// Issuer key set for authentication and application block/unblock (a test or issuer
    /// installation; service windows use a PSAM).
    pub keys: Option<PathBuf>,
    /// PC/SC reader holding a PSAM (name or index), instead of `keys`.
    pub psam_reader: Option<String>,
    /// The reader the national dialect reads (name or index); default: the first reader
    /// holding a card. The HTTP API names its reader in every path.
    pub reader: Option<String>,
    /// Optional TLS ([`crate::tls`]); the last field, as TOML puts tables after values.
    pub tls: crate::tls::TlsConfig,
}

pub use crate::dirs::config_dir;

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: vec![
                format!("127.0.0.1:{DEFAULT_PORT}"),
                format!("[::1]:{DEFAULT_PORT}"),
            ],
            allowed_origins: Vec::new(),
            token_file: config_dir().join("serve-token"),
            ws_requires_token: false,
            max_body_bytes: 16 * 1024,
            rate_per_minute: 600,
            keys: None,
            psam_reader: None,
            reader: None,
            tls: crate::tls::TlsConfig::default(),
        }
    }
}

impl Config {
    /// The default configuration file.
    pub fn default_path() -> PathBuf {
        config_dir().join("serve.toml")
    }

    /// Read `path`; a missing file at the *default* path gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ServeError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Config::default_path(), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(ServeError::Config {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })
            }
        };
        Config::parse(&text).map_err(|reason| ServeError::Config {
            path: path.display().to_string(),
            reason,
        })
    }

    /// Parse TOML text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        for o in &c.allowed_origins {
            if o == "null" || o == "*" || !(o.starts_with("http://") || o.starts_with("https://")) {
                return Err(format!(
                    "allowed_origins: {o:?} is not an origin (scheme://host[:port]; `null` and `*` are never allowed)"
                ));
            }
        }
        if c.max_body_bytes == 0 || c.rate_per_minute == 0 {
            return Err("max_body_bytes and rate_per_minute must be positive".into());
        }
        Ok(c)
    }

    /// The configuration as TOML (`--print-config`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_bad_origins_are_refused() {
        let c = Config::default();
        assert_eq!(Config::parse(&c.to_toml()).unwrap(), c);
        for bad in ["null", "*", "his.example.cn"] {
            let t = format!("allowed_origins = [{bad:?}]");
            assert!(Config::parse(&t).is_err(), "{bad}");
        }
        assert!(Config::parse("no_such_field = 1").is_err());
        assert!(Config::parse("max_body_bytes = 0").is_err());
        assert!(Config::parse("rate_per_minute = 0").is_err());
        assert!(Config::parse("listen = \"127.0.0.1:1\"").is_err());
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = include_str!("config.rs");
        let example: String = doc
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.trim_start_matches("//!").trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&example).unwrap();
        assert_eq!(c.listen, ["127.0.0.1:12342", "[::1]:12342"]);
        assert_eq!(c.allowed_origins, ["https://his.example-hospital.cn"]);
        assert_eq!(c.max_body_bytes, 16384);
        assert_eq!(c.rate_per_minute, 600);
        assert!(!c.ws_requires_token);
        assert!(c.tls.enabled);
        assert!(c.tls.key.ends_with("serve-tls-key.pem"));
        // Every field is optional: an empty file is the defaults.
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }
}
