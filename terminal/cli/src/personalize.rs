//! `sscard personalize --holder FILE`: write a blank card through APDUs, then read it back.

use std::path::PathBuf;

use super::Ctx;
use sscard_terminal::error::Result;
use sscard_terminal::model::holder::HolderProfile;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Holder profile (TOML, see demo/holder.toml).
    #[arg(long, value_name = "FILE")]
    holder: PathBuf,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let profile = HolderProfile::load(&a.holder)?;
    profile.validate()?;
    let mut s = ctx.session(true)?;
    let report = sscard_terminal::session::personalize(&mut s, &profile)?;
    if ctx.json {
        ctx.print_json(&report)?;
    } else {
        println!(
            "personalised: {} items written and read back, PIN set; card {} for {}",
            report.items_written,
            report.basic_info.issuer.card_number,
            report.basic_info.holder.name
        );
    }
    ctx.finish(s)
}
