//! `sscard readers`.

use super::Ctx;
use crate::error::Result;
use crate::transport::PcscTransport;

pub fn run(ctx: &Ctx) -> Result<()> {
    let names = PcscTransport::list_readers()?;
    if ctx.json {
        return ctx.print_json(&names);
    }
    if names.is_empty() {
        println!("no PC/SC readers");
    }
    for (i, n) in names.iter().enumerate() {
        println!("{i}: {n}");
    }
    Ok(())
}
