//! `sscard pin verify|change|unblock|reload|status`. PINs come from `--pin`/`--new-pin` or, when
//! absent, from stdin (one per line; not echoed on a terminal) — never logged.

use serde::Serialize;

use super::{secret, Ctx};
use sscard_terminal::error::Result;
use sscard_terminal::session::PinOutcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, clap::Subcommand)]
enum Op {
    /// VERIFY the PIN.
    Verify {
        /// The PIN (default: read from stdin).
        #[arg(long)]
        pin: Option<String>,
    },
    /// CHANGE PIN from the current to a new PIN.
    Change {
        /// The current PIN (default: first line of stdin).
        #[arg(long)]
        pin: Option<String>,
        /// The new PIN (default: next line of stdin).
        #[arg(long)]
        new_pin: Option<String>,
    },
    /// PIN UNBLOCK after PUK authentication (restores the tries). Needs --keys.
    Unblock,
    /// PIN RELOAD after PUK authentication (sets a new PIN). Needs --keys.
    Reload {
        /// The new PIN (default: read from stdin).
        #[arg(long)]
        new_pin: Option<String>,
    },
    /// Tries left (empty VERIFY).
    Status,
}

#[derive(Serialize)]
struct Out {
    operation: &'static str,
    tries_left: u8,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let (name, outcome, mut s) = match a.op {
        Op::Verify { pin } => {
            let pin = secret::pin(pin, "PIN")?;
            let mut s = ctx.session(false)?;
            let o = s.verify_pin(&pin)?;
            ("verify", o, s)
        }
        Op::Change { pin, new_pin } => {
            let old = secret::pin(pin, "current PIN")?;
            let new = secret::pin(new_pin, "new PIN")?;
            let mut s = ctx.session(false)?;
            let o = s.change_pin(&old, &new)?;
            ("change", o, s)
        }
        Op::Unblock => {
            let mut s = ctx.session(true)?;
            let o = s.unblock_pin()?;
            ("unblock", o, s)
        }
        Op::Reload { new_pin } => {
            let new = secret::pin(new_pin, "new PIN")?;
            let mut s = ctx.session(true)?;
            let o = s.reload_pin(&new)?;
            ("reload", o, s)
        }
        Op::Status => {
            let mut s = ctx.session(false)?;
            let n = s.pin_tries()?;
            ("status", PinOutcome { tries_left: n }, s)
        }
    };
    if ctx.json {
        ctx.print_json(&Out {
            operation: name,
            tries_left: outcome.tries_left,
        })?;
    } else {
        println!("PIN {name}: ok, {} tries left", outcome.tries_left);
    }
    let _ = &mut s;
    ctx.finish(s)
}
