//! `sscard read PATH…`: items (`DF04/EF05/81`, `DF01/EF15/40#2`) or whole EFs (`SSSE/EF06`).

use super::{secret, Ctx};
use sscard_terminal::error::Result;
use sscard_terminal::model::{EfContent, ItemValue, ReadResult};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Item or EF paths.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Verify this PIN first when a file needs it (read from stdin with --pin-stdin).
    #[arg(long)]
    pin: Option<String>,
    /// Read the PIN from stdin.
    #[arg(long, conflicts_with = "pin")]
    pin_stdin: bool,
}

fn item_line(i: &ItemValue) -> String {
    format!(
        "{:<18} {} {} ({}): {}",
        i.path, i.name_zh, i.name_en, i.data_type, i.value
    )
}

/// Text form of one read result.
pub fn text(r: &ReadResult) -> String {
    match r {
        ReadResult::Item(i) => format!("{}\n", item_line(i)),
        ReadResult::Ef { path, content } => {
            let mut out = format!("{path}\n");
            match content {
                EfContent::Records { items } => {
                    for i in items {
                        out.push_str(&format!("  {}\n", item_line(i)));
                    }
                }
                EfContent::Cyclic { records } => {
                    for r in records {
                        let fields: Vec<String> =
                            r.fields.iter().map(|(n, v)| format!("{n}={v}")).collect();
                        out.push_str(&format!("  #{} {}\n", r.number, fields.join(", ")));
                    }
                }
                EfContent::Binary { size, hex } => {
                    out.push_str(&format!("  {size} bytes: {hex}\n"));
                }
            }
            out
        }
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut s = ctx.session(false)?;
    if a.pin.is_some() || a.pin_stdin {
        let pin = secret::pin(a.pin, "PIN")?;
        s.set_pin(&pin)?;
    }
    let mut results = Vec::with_capacity(a.paths.len());
    for p in &a.paths {
        let r = s.read_path(p)?;
        if !ctx.json {
            print!("{}", text(&r));
        }
        results.push(r);
    }
    if ctx.json {
        ctx.print_json(&results)?;
    }
    ctx.finish(s)
}
