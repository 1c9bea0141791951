//! `sscard auth`: INTERNAL AUTHENTICATE (is the card genuine?) and EXTERNAL AUTHENTICATE (the
//! terminal proves it holds the key).

use serde::Serialize;

use super::Ctx;
use sscard_terminal::error::{Error, Result};
use sscard_terminal::session::AuthVerdict;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Key for the external authentication.
    #[arg(long, default_value = sscard_specs::key::RKSSSE)]
    key: String,
    /// Skip the external authentication.
    #[arg(long)]
    internal_only: bool,
}

#[derive(Serialize)]
struct Out {
    internal: AuthVerdict,
    external: Option<String>,
    card_genuine: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut s = ctx.session(true)?;
    let internal = s.internal_authenticate()?;
    let external = if a.internal_only {
        None
    } else {
        s.external_authenticate(&a.key)?;
        Some(a.key.clone())
    };
    let genuine = internal.genuine;
    if ctx.json {
        ctx.print_json(&Out {
            internal,
            external: external.clone(),
            card_genuine: genuine,
        })?;
    } else {
        println!(
            "internal authentication: {}",
            if genuine {
                "card genuine"
            } else {
                "CARD NOT GENUINE"
            }
        );
        if let Some(k) = &external {
            println!("external authentication with {k}: accepted by the card");
        }
    }
    let card_number = s
        .read_item(sscard_specs::item::SSSE_EF05_CARD_NUMBER.path())
        .map_or_else(|_| "?".to_string(), |v| v.value.to_string());
    ctx.finish(s)?;
    if genuine {
        Ok(())
    } else {
        Err(Error::NotGenuine {
            card_number,
            reason: "its INTERNAL AUTHENTICATE answer is not the issuer's".into(),
        })
    }
}
