//! `sscard keys generate --out FILE [--suite sscard-2|sscard-3]`.

use std::io::Write;
use std::path::PathBuf;

use super::Ctx;
use sscard_terminal::error::{Error, Result};
use sscard_terminal::security::keyfile::{generate, key_names, profile_by_name};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, clap::Subcommand)]
enum Op {
    /// A fresh random issuer root key set (TOML, labelled TEST KEYS).
    Generate {
        /// Output file (created with mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Algorithm suite.
        #[arg(long, default_value = "sscard-2")]
        suite: String,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(_ctx: &Ctx, a: Args) -> Result<()> {
    match a.op {
        Op::Generate { out, suite, force } => {
            let profile = profile_by_name(&suite)?;
            let text = generate(profile)?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true);
            if force {
                opts.create(true).truncate(true);
            } else {
                opts.create_new(true);
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&out).map_err(|e| {
                if !force && e.kind() == std::io::ErrorKind::AlreadyExists {
                    // Asked to create a file that is there: the option says how.
                    Error::Usage(format!(
                        "cannot create {} ({e}); --force overwrites",
                        out.display()
                    ))
                } else {
                    Error::Io {
                        context: format!("cannot create {}", out.display()),
                        source: e,
                    }
                }
            })?;
            f.write_all(text.as_bytes()).map_err(|source| Error::Io {
                context: format!("cannot write {}", out.display()),
                source,
            })?;
            eprintln!(
                "wrote {} {} keys to {}",
                key_names().count(),
                profile.name,
                out.display()
            );
            Ok(())
        }
    }
}
