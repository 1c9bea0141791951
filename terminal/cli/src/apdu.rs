//! `sscard apdu HEX…`: raw APDUs. By default the card's first answer is shown as is (no GET
//! RESPONSE after 61xx, no re-issue after 6Cxx); `--t0-auto` applies the T=0 handling.

use serde::Serialize;
use sscard_apdu::exchange::T0Policy;
use sscard_apdu::StatusWord;

use super::Ctx;
use sscard_terminal::error::{Error, Quoted, Result};
use sscard_terminal::transport::{redact, Transport, TransportError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Command APDUs in hex (spaces inside one argument allowed).
    #[arg(required = true, value_name = "HEX")]
    apdus: Vec<String>,
    /// Follow 61xx with GET RESPONSE and re-issue on 6Cxx.
    #[arg(long)]
    t0_auto: bool,
}

#[derive(Serialize)]
struct Exchange {
    command: String,
    data: String,
    sw: String,
    meaning: String,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut cmds = Vec::with_capacity(a.apdus.len());
    for h in &a.apdus {
        let clean: String = h
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ':')
            .collect();
        let bytes =
            hex::decode(&clean).map_err(|_| Error::Usage(format!("not hex: {}", Quoted(h))))?;
        if bytes.len() < 4 {
            return Err(Error::Usage(format!(
                "an APDU has at least 4 bytes: {}",
                Quoted(h)
            )));
        }
        cmds.push(bytes);
    }
    let mut t = ctx.connect()?;
    t.set_t0_policy(if a.t0_auto {
        T0Policy::DEFAULT
    } else {
        T0Policy::RAW
    });
    let mut out = Vec::new();
    for c in &cmds {
        let resp = t.transmit(c)?;
        let n = resp.len().saturating_sub(2);
        let (data, sw) = resp.split_at(n);
        let sw = <[u8; 2]>::try_from(sw)
            .map(StatusWord::from_bytes)
            .map_err(|_| TransportError::NoResponse(resp.len()))?;
        let e = Exchange {
            command: redact(c),
            data: hex::encode_upper(data),
            sw: format!("{:04X}", sw.0),
            meaning: sw.to_string(),
        };
        if !ctx.json {
            println!("> {}", e.command);
            if data.is_empty() {
                println!("< {}", e.meaning);
            } else {
                println!("< {} {}", e.data, e.meaning);
            }
        }
        out.push(e);
    }
    if ctx.json {
        ctx.print_json(&out)?;
    }
    ctx.report_apdus(t.apdu_count());
    Ok(t.close()?)
}
