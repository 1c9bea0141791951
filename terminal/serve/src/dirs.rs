//! Where the service keeps its files (configuration, token, TLS certificate and key).

use std::path::PathBuf;

/// `$XDG_CONFIG_HOME/sscard` (or `~/.config/sscard`, or the current directory).
pub fn config_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("sscard");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".config").join("sscard"),
        None => PathBuf::from("."),
    }
}
