//! `sscard app block|unblock`: APPLICATION BLOCK / UNBLOCK under STK's MAC.

use super::Ctx;
use sscard_terminal::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, clap::Subcommand)]
enum Op {
    /// Block the SSSE application.
    Block {
        /// Permanently (cannot be undone).
        #[arg(long)]
        permanent: bool,
    },
    /// Unblock a temporarily blocked application.
    Unblock {
        /// Card identification code (32 hex digits): a blocked card does not let it be read.
        #[arg(long, value_name = "HEX")]
        card_id: String,
    },
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut s = ctx.session(true)?;
    match a.op {
        Op::Block { permanent } => {
            s.block_application(permanent)?;
            println!(
                "application blocked{}",
                if permanent { " permanently" } else { "" }
            );
        }
        Op::Unblock { card_id } => {
            let id = hex::decode(card_id.trim())
                .ok()
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .ok_or_else(|| Error::Usage("--card-id must be 32 hex digits".into()))?;
            s.set_card_id(id);
            s.unblock_application()?;
            println!("application unblocked");
        }
    }
    ctx.finish(s)
}
