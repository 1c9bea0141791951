//! `sscard serve`: the local card service for browser HIS pages and the service window (crate
//! `sscard-serve`; this file only parses flags and calls it).
//!
//! ```text
//! sscard serve                                    # 127.0.0.1:12342 and [::1]:12342, config from
//!                                                 # $XDG_CONFIG_HOME/sscard/serve.toml if present
//! sscard serve --allow-origin https://his.example-hospital.cn --keys issuer.toml
//! sscard serve --pair                             # a new token, shown once
//! sscard serve --print-config                     # the effective configuration (TOML)
//! sscard serve --tls                              # https:// and wss:// (certificate generated once)
//! sscard serve --tls --print-cert                 # the certificate's path and SHA-256 fingerprint
//! ```
//!
//! The global `--reader` is the reader the national WebSocket dialect reads (default: the first
//! reader holding a card); `--keys` / `--psam-reader` the security module for authentication,
//! PIN unblock/reload and application block/unblock. `--emulator` is refused: the service talks
//! to PC/SC readers (serve an image with `sscard emulate`).

use std::path::PathBuf;

use sscard_serve::{Config, ServeError, Token};
use sscard_terminal::error::{Error, Result};

use super::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Configuration file (TOML; default $XDG_CONFIG_HOME/sscard/serve.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the effective configuration (file + flags) as TOML and exit.
    #[arg(long)]
    print_config: bool,
    /// Create a new installation token (replacing the old one), print it once and exit.
    #[arg(long)]
    pair: bool,
    /// Listen address, loopback only (repeatable; replaces the configured ones).
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Vec<String>,
    /// An origin allowed to call the service, scheme://host[:port] (repeatable; added to the
    /// configured ones).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Serve HTTPS / WSS (same as `[tls] enabled = true`); a self-signed certificate for
    /// localhost, 127.0.0.1 and ::1 is generated on first use and reused.
    #[arg(long)]
    tls: bool,
    /// Print the TLS certificate's path and SHA-256 fingerprint (generating it when missing)
    /// and exit, for installing it as trusted.
    #[arg(long)]
    print_cert: bool,
}

fn serve_error(e: ServeError) -> Error {
    match e {
        ServeError::Card(e) => e,
        ServeError::Io { context, source } => Error::Internal(format!("{context}: {source}")),
        other => Error::Usage(other.to_string()),
    }
}

/// The configuration: the file, then the flags over it (checked as a file would be).
fn config(ctx: &Ctx, a: &Args) -> Result<Config> {
    let mut c = Config::load(a.config.as_deref()).map_err(serve_error)?;
    if !a.listen.is_empty() {
        c.listen = a.listen.clone();
    }
    c.allowed_origins.extend(a.allow_origin.iter().cloned());
    if a.tls {
        c.tls.enabled = true;
    }
    if let Some(k) = &ctx.keys {
        c.keys = Some(k.clone());
        c.psam_reader = None;
    }
    if let Some(p) = &ctx.psam_reader {
        c.psam_reader = Some(p.clone());
        c.keys = None;
    }
    if let Some(r) = &ctx.reader {
        c.reader = Some(r.clone());
    }
    Config::parse(&c.to_toml())
        .map_err(|reason| Error::Usage(format!("configuration: {reason}")))?;
    sscard_serve::bind::loopback_addrs(&c.listen).map_err(serve_error)?;
    Ok(c)
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if ctx.emulator.is_some() {
        return Err(Error::Usage(
            "sscard serve talks to PC/SC readers; serve a card image with `sscard emulate` and \
             point serve at its reader"
                .into(),
        ));
    }
    let c = config(ctx, &a)?;
    if a.print_config {
        print!("{}", c.to_toml());
        return Ok(());
    }
    if a.print_cert {
        let id = sscard_serve::tls::load_or_create(&c.tls).map_err(serve_error)?;
        if !c.tls.enabled {
            eprintln!("note: TLS is not enabled (`--tls` or `[tls] enabled = true`)");
        }
        println!("certificate: {}", id.cert_path.display());
        println!("SHA-256 fingerprint: {}", id.fingerprint);
        return Ok(());
    }
    if a.pair {
        let t = Token::create(&c.token_file).map_err(serve_error)?;
        eprintln!(
            "new token written to {} (the old one no longer works); give it to the HIS pages \
             that call this desk's service (Authorization: Bearer …). It is not shown again:",
            c.token_file.display()
        );
        println!("{}", t.reveal());
        return Ok(());
    }
    sscard_serve::run_until_signal(c, |addrs, tls| {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shown: Vec<String> = addrs.iter().map(|a| format!("{scheme}://{a}/")).collect();
        if let Some(id) = tls {
            eprintln!(
                "sscard serve: TLS certificate {}{} — SHA-256 fingerprint {}",
                id.cert_path.display(),
                if id.generated { " (generated now)" } else { "" },
                id.fingerprint
            );
        }
        eprintln!(
            "sscard serve: listening on {} (page and WebSocket dialect at /, API under /v1/); \
             Ctrl-C to stop",
            shown.join(", ")
        );
    })
    .map_err(serve_error)
}
