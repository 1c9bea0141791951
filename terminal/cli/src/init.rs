//! `sscard init --emulator IMAGE --keys FILE`: factory-initialise a blank emulated card.

use super::Ctx;
use sscard_keys::profile::{PBOC_CLASSIC_2, SSCARD_3};
use sscard_specs::SpecVersion;
use sscard_terminal::error::{Error, Quoted, Result};
use sscard_terminal::security::keyfile::profile_by_name;
use sscard_terminal::transport::emulator::{create_image, identity};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Algorithm suite (must match the key file; default: the key file's).
    #[arg(long)]
    suite: Option<String>,
    /// Spec version of the card (default 2.00 for sscard-2, 3.00 for sscard-3).
    #[arg(long)]
    spec_version: Option<String>,
    /// Application city code (6 digits).
    #[arg(long, default_value = "110100")]
    region: String,
    /// Card serial (8 hex digits).
    #[arg(long, default_value = "00000001")]
    serial: String,
    /// The factory PIN (personalisation replaces it with the holder's by PIN RELOAD).
    #[arg(long, default_value = "000000")]
    initial_pin: String,
    /// Replace an existing image.
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let img = ctx
        .emulator
        .as_ref()
        .ok_or_else(|| Error::Usage("init needs --emulator IMAGE".into()))?;
    let kf = ctx.key_file()?;
    if let Some(s) = &a.suite {
        let p = profile_by_name(s)?;
        if p.suite != kf.profile.suite {
            return Err(Error::Usage(format!(
                "--suite {s} but the key file is for {}",
                kf.profile.name
            )));
        }
    }
    let profile = kf.profile;
    let version = match &a.spec_version {
        Some(v) => SpecVersion::parse_str(v)
            .ok_or_else(|| Error::Usage(format!("unknown spec version {}", Quoted(v))))?,
        None if profile.name == SSCARD_3.name => SpecVersion::V3_00,
        None => SpecVersion::V2_00,
    };
    if version.profile_name() != profile.name && profile.name != PBOC_CLASSIC_2.name {
        return Err(Error::Usage(format!(
            "a {} card uses {}, but the key file is for {}",
            version.as_str(),
            version.profile_name(),
            profile.name
        )));
    }
    let id = identity(&a.region, &a.serial)?;
    create_image(img, profile, version, id, &kf.keys, &a.initial_pin, a.force)?;
    println!(
        "initialised {} as a blank {} card ({}), region {}, serial {}",
        img.display(),
        version.as_str(),
        profile.name,
        a.region,
        a.serial.to_uppercase()
    );
    Ok(())
}
