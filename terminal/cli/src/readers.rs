//! `sscard readers`: every PC/SC reader with its index (what `--reader N` takes), whether it holds
//! a card, and the card's ATR — the first thing to look at when a card "is not read".

use super::Ctx;
use sscard_terminal::error::Result;
use sscard_terminal::transport::reader_status;

pub fn run(ctx: &Ctx) -> Result<()> {
    let readers = reader_status()?;
    if ctx.json {
        return ctx.print_json(&readers);
    }
    if readers.is_empty() {
        println!("no PC/SC readers");
    }
    for r in &readers {
        let mut line = format!("{}: {}  {}", r.index, r.name, r.card);
        if let Some(atr) = &r.atr {
            line.push_str(&format!(", ATR {atr}"));
        }
        if r.exclusive {
            line.push_str(" (in exclusive use by another application)");
        }
        println!("{line}");
    }
    Ok(())
}
