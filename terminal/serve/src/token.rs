//! The per-installation token: 32 random bytes (64 hex characters) kept in a file readable by
//! the user only, created on first start, replaced by `sscard serve --pair` (which shows it
//! once). Requests present it as `Authorization: Bearer <token>`; it is compared in constant
//! time and never logged.

use std::path::Path;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::ServeError;

/// The token.
pub struct Token(Zeroizing<String>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> ServeError {
    move |source| ServeError::Io { context, source }
}

impl Token {
    /// A new random token.
    pub fn generate() -> Result<Token, ServeError> {
        let mut b = Zeroizing::new([0u8; 32]);
        getrandom::fill(b.as_mut())
            .map_err(|e| ServeError::Internal(format!("no randomness: {e}")))?;
        Ok(Token(Zeroizing::new(hex::encode(b.as_ref()))))
    }

    /// The token in `path`, creating the file (mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Token, ServeError> {
        match std::fs::read_to_string(path) {
            Ok(t) if t.trim().len() == 64 => Ok(Token(Zeroizing::new(t.trim().to_string()))),
            Ok(_) => Err(ServeError::Config {
                path: path.display().to_string(),
                reason: "not a token (64 hex characters); run `sscard serve --pair`".into(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Token::create(path),
            Err(e) => Err(io(format!("reading {}", path.display()))(e)),
        }
    }

    /// Write a new token to `path` (replacing any old one) and return it.
    pub fn create(path: &Path) -> Result<Token, ServeError> {
        let t = Token::generate()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        }
        let tmp = path.with_extension("tmp");
        write_private(&tmp, t.0.as_bytes()).map_err(io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, path).map_err(io(format!("writing {}", path.display())))?;
        Ok(t)
    }

    /// The token text (for `--pair` and the built-in page only).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Does `presented` equal the token (constant time)?
    pub fn matches(&self, presented: &str) -> bool {
        self.0.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_loaded_and_compared() {
        let dir = std::env::temp_dir().join(format!("sscard-token-{}", std::process::id()));
        let p = dir.join("t");
        let a = Token::load_or_create(&p).unwrap();
        let b = Token::load_or_create(&p).unwrap();
        assert_eq!(a.reveal(), b.reveal());
        assert!(a.matches(b.reveal()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.reveal()[1..]));
        let c = Token::create(&p).unwrap();
        assert_ne!(c.reveal(), a.reveal());
        assert_eq!(format!("{c:?}"), "Token(…)");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
