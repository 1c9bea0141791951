//! PINs given on the command line or read from stdin — never echoed, never logged.

use std::io::{BufRead, IsTerminal, Write};

use zeroize::Zeroizing;

use sscard_terminal::error::{Error, Result};

/// Turns terminal echo off while alive (via `stty`, when stdin is a terminal).
struct NoEcho {
    active: bool,
}

impl NoEcho {
    fn new() -> Self {
        let active = std::io::stdin().is_terminal()
            && std::process::Command::new("stty")
                .arg("-echo")
                .stdin(std::process::Stdio::inherit())
                .status()
                .is_ok_and(|s| s.success());
        NoEcho { active }
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        if self.active {
            let _ = std::process::Command::new("stty")
                .arg("echo")
                .stdin(std::process::Stdio::inherit())
                .status();
            eprintln!();
        }
    }
}

/// The PIN from `given`, or one line of stdin (prompting with `prompt` on a terminal).
pub fn pin(given: Option<String>, prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = given {
        return Ok(Zeroizing::new(p));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}: ");
        let _ = std::io::stderr().flush();
    }
    let _guard = NoEcho::new();
    let mut line = Zeroizing::new(String::new());
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|source| Error::Io {
            context: "cannot read the PIN from stdin".into(),
            source,
        })?;
    let trimmed = Zeroizing::new(line.trim().to_string());
    if trimmed.is_empty() {
        return Err(Error::Usage(format!(
            "{prompt}: no PIN given (use the option or stdin)"
        )));
    }
    Ok(trimmed)
}
