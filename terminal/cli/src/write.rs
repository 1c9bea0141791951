//! `sscard write PATH=VALUE…`: UK external authentication, UPDATE RECORD, read-back.

use super::Ctx;
use sscard_terminal::error::{Error, Quoted, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Assignments `DF04/EF05/81=31010000` (text for an/cn, hex for b, `TT=v;TT=v` for B-TLV).
    #[arg(required = true, value_name = "PATH=VALUE")]
    items: Vec<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut pairs = Vec::with_capacity(a.items.len());
    for it in &a.items {
        let (p, v) = it
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("expected PATH=VALUE, got {}", Quoted(it))))?;
        sscard_specs::resolve(p)?;
        pairs.push((p.to_string(), v.to_string()));
    }
    let mut s = ctx.session(true)?;
    let mut written = Vec::new();
    for (p, v) in &pairs {
        let item = s.write_item(p, v)?;
        if !ctx.json {
            println!("{} = {}  (written, read back)", item.path, item.value);
        }
        written.push(item);
    }
    if ctx.json {
        ctx.print_json(&written)?;
    }
    ctx.finish(s)
}
