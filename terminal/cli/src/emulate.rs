//! `sscard emulate --image card.img [--port 35963] [--psam psam.img --psam-port 35964] [--trace]`:
//! serve the card OS (and a PSAM) to pcscd through vpcd until Ctrl-C / SIGTERM.
//!
//! `sscard psam init --keys FILE --out psam.img [--terminal-number 110100000001]`: provision a
//! PSAM image holding the issuer's root keys (for `sscard emulate --psam`).
//!
//! pcscd's vpcd listens on all addresses; run pcscd in a private network namespace and this
//! command inside it (`scripts/pcscd-start.sh`, `ip netns exec sscard-pcsc sscard emulate ...`).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sscard_card_os::psam::{provision, PsamParams, PSAM_STORE_SIZE};
use sscard_card_os::store::FileStore;

use super::Ctx;
use sscard_emulate::serve::{EmulateOptions, Emulator, PSAM_DEFAULT_PORT};
use sscard_emulate::vpcd::DEFAULT_PORT;
use sscard_terminal::error::{Error, ImageError, Quoted, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The card image (from `sscard init`, then `sscard personalize`).
    #[arg(long, value_name = "IMAGE")]
    image: PathBuf,
    /// vpcd port of the card's reader (35963 = "Virtual PCD 00 00").
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Also serve this PSAM image (from `sscard psam init`) in the second reader.
    #[arg(long, value_name = "IMAGE")]
    psam: Option<PathBuf>,
    /// vpcd port of the PSAM's reader (35964 = "Virtual PCD 00 01").
    #[arg(long, default_value_t = PSAM_DEFAULT_PORT)]
    psam_port: u16,
    /// Print every exchange decoded on stderr (command, APDUs, status word; PINs masked).
    #[arg(long)]
    trace: bool,
    /// T=0, like genuine cards (the default; overrides SSCARD_CARD_PROTOCOL): the ATR
    /// (3B 6D 00 00 …, no TD1) announces T=0 only and pcscd negotiates T=0; a command with data
    /// that returns data answers 61xx (the host then sends GET RESPONSE), a wrong Le
    /// answers 6Cxx with the exact length.
    #[arg(long, conflicts_with = "t1")]
    t0: bool,
    /// T=1: the ATR (3B ED 00 00 01 … TCK) announces T=1 only and pcscd negotiates T=1; data
    /// comes back at once with 9000, cut to Le when Le is shorter.
    #[arg(long)]
    t1: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let mut opts = EmulateOptions::new(a.image.clone());
    opts.port = a.port;
    opts.trace = a.trace;
    opts.protocol = if a.t0 || a.t1 {
        crate::ctx::emulator_protocol(a.t0, a.t1)?
    } else {
        ctx.emulator_opts.protocol
    };
    opts.quirks = ctx.emulator_opts.quirks;
    if let Some(p) = &a.psam {
        opts = opts.with_psam(p.clone(), a.psam_port);
    }
    let emu = Emulator::start(&opts)?;
    let stop = emu.stop_flag();
    let handler_stop = emu.stop_flag();
    ctrlc::set_handler(move || handler_stop.store(true, Ordering::SeqCst))
        .map_err(|e| Error::Internal(format!("cannot install the Ctrl-C handler: {e}")))?;
    eprintln!(
        "emulating {} (ATR {}) on vpcd 127.0.0.1:{}{}; Ctrl-C to stop",
        a.image.display(),
        hex::encode_upper(emu.atr()),
        a.port,
        match (&a.psam, emu.psam_atr()) {
            (Some(p), Some(atr)) => format!(
                ", PSAM {} (ATR {}) on 127.0.0.1:{}",
                p.display(),
                hex::encode_upper(atr),
                a.psam_port
            ),
            _ => String::new(),
        }
    );
    while !stop.load(Ordering::SeqCst) && !emu.has_failed() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let report = emu.stop()?;
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "card": { "apdus": report.card.apdus, "atr_requests": report.card.atr_requests,
                      "connections": report.card.connections },
            "psam": report.psam.map(|p| serde_json::json!({ "apdus": p.apdus,
                      "atr_requests": p.atr_requests, "connections": p.connections })),
        }))?;
    } else {
        eprintln!(
            "stopped: card served {} APDUs{}; image synced",
            report.card.apdus,
            report
                .psam
                .map(|p| format!(", PSAM {} APDUs", p.apdus))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// `sscard psam ...`.
#[derive(Debug, clap::Args)]
pub struct PsamArgs {
    #[command(subcommand)]
    op: PsamOp,
}

#[derive(Debug, clap::Subcommand)]
enum PsamOp {
    /// Provision a PSAM image with the issuer root keys of --keys (for `sscard emulate --psam`).
    Init {
        /// Output image.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Terminal number (终端机编号): 12 digits, region (6) + number (6).
        #[arg(long, default_value = "110100000001")]
        terminal_number: String,
        /// PSAM serial number, 20 hex digits (EF15; also the ATR's historical bytes).
        #[arg(long, default_value = "00000000000000000001")]
        serial: String,
        /// Issuer identifier, 16 hex digits (EF15).
        #[arg(long, default_value = "1101000000000000")]
        issuer_id: String,
        /// Replace an existing image.
        #[arg(long)]
        force: bool,
    },
}

fn fixed_hex<const N: usize>(what: &str, s: &str) -> Result<[u8; N]> {
    hex::decode(s)
        .ok()
        .and_then(|v| <[u8; N]>::try_from(v.as_slice()).ok())
        .ok_or_else(|| {
            Error::Usage(format!(
                "{what} must be {} hex digits, got {}",
                2 * N,
                Quoted(s)
            ))
        })
}

pub fn run_psam(ctx: &Ctx, a: PsamArgs) -> Result<()> {
    match a.op {
        PsamOp::Init {
            out,
            terminal_number,
            serial,
            issuer_id,
            force,
        } => {
            if terminal_number.len() != 12 || !terminal_number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Usage(format!(
                    "--terminal-number must be 12 digits, got {}",
                    Quoted(&terminal_number)
                )));
            }
            let terminal: [u8; 6] = fixed_hex("--terminal-number", &terminal_number)?;
            let serial: [u8; 10] = fixed_hex("--serial", &serial)?;
            let issuer_id: [u8; 8] = fixed_hex("--issuer-id", &issuer_id)?;
            let kf = ctx.key_file()?;
            let name = out.display().to_string();
            let image = |reason| Error::Image {
                path: name.clone(),
                reason,
            };
            if out.exists() {
                if !force {
                    return Err(image(ImageError::Exists));
                }
                std::fs::remove_file(&out).map_err(|e| image(ImageError::Replace(e)))?;
            }
            let mut store = FileStore::open(&out, PSAM_STORE_SIZE)
                .map_err(|e| image(ImageError::Create(e.into())))?;
            let params = PsamParams {
                profile: kf.profile,
                keys: &kf.keys,
                terminal_number: terminal,
                serial,
                issuer_id,
            };
            provision(&mut store, &params).map_err(|e| image(ImageError::CardOs(e.into())))?;
            store
                .sync()
                .map_err(|e| image(ImageError::CardOs(e.into())))?;
            println!(
                "provisioned {name} as a {} PSAM, terminal number {terminal_number}",
                kf.profile.name
            );
            Ok(())
        }
    }
}
