//! The `sscard` command line: argument parsing (clap derive), opening the card, error and exit-code
//! policy. One file per subcommand; `main.rs` only calls [`main`].
//!
//! Exit codes ([`sscard_terminal::Error::exit_code`]): 0 success, 1 internal error (a bug),
//! 2 the request cannot be carried out as given (usage, item paths, PIN format, key names, key /
//! holder / image files, local I/O), 3 transport (or a failing image store), 4 card refusal (wrong
//! PIN, blocked, 6982…), 5 card data (malformed record, check character, card not genuine),
//! 6 security module, 7 write not confirmed, 8 a purse transaction in doubt (the card did not come
//! back to say whether it was charged). Error messages come from the library; `errors.rs`
//! adds the hints that name this command line's options.

mod apdu;
mod app;
mod auth;
mod conform;
mod ctx;
mod emulate;
mod errors;
#[cfg(feature = "faults")]
mod faults;
mod info;
mod init;
mod keys;
mod personalize;
mod pin;
mod purse;
mod read;
mod readers;
mod secret;
mod serve;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

pub use self::ctx::Ctx;

use clap::{Parser, Subcommand};
use sscard_card_os::Quirks;

use sscard_terminal::error::{Error, Quoted, Result};
use sscard_terminal::transport::emulator::EmulatorOptions;

/// sscard — read, write and personalise Chinese social security cards (社会保障卡).
#[derive(Debug, Parser)]
#[command(name = "sscard", version, about, long_about = None)]
pub struct Cli {
    /// PC/SC reader name (default: the first reader).
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "emulator")]
    pub reader: Option<String>,
    /// Use the in-process card OS with this persistent card image instead of a reader.
    #[arg(long, global = true, value_name = "IMAGE")]
    pub emulator: Option<PathBuf>,
    /// Issuer key set (TOML, see `sscard keys generate`), for writes, PIN unblock/reload, auth.
    #[arg(long, global = true, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// PC/SC reader holding a PSAM (name or index): the security module for writes, PIN
    /// unblock/reload, auth and conformance — no key in host memory. Instead of --keys.
    #[arg(long, global = true, value_name = "READER", conflicts_with = "keys")]
    pub psam_reader: Option<String>,
    /// Print the APDU count and trace every APDU on stderr (PINs masked); -vv: all debug logs.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Emulator quirks for testing terminal fallbacks (refuse-read-all-records).
    #[arg(long, global = true, hide = true, value_delimiter = ',')]
    pub emulator_quirks: Vec<String>,
    /// The --emulator card in T=0, like genuine cards (the default; overrides
    /// SSCARD_CARD_PROTOCOL): 61xx + GET RESPONSE, 6Cxx on a wrong Le.
    #[arg(long, global = true, hide = true, conflicts_with = "emulator_t1")]
    pub emulator_t0: bool,
    /// The --emulator card in T=1: its ATR announces T=1, data comes back at once.
    #[arg(long, global = true, hide = true)]
    pub emulator_t1: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List PC/SC readers.
    Readers,
    /// Card and holder basic information (service-window view). The card family is recognised
    /// from the card's answers (no option); -v prints it with the APDU count. With --keys or
    /// --psam-reader the card is also authenticated: `genuine: true|false` (exit 5 when false,
    /// after its data), else `genuine: not checked`.
    Info(info::Args),
    /// Read data items or whole EFs by path (DF04/EF05/81, SSSE/EF06, DF01/EF15/40#2).
    Read(read::Args),
    /// Write data items (PATH=VALUE) after UK authentication; each is read back. Needs --keys.
    Write(write::Args),
    /// PIN operations.
    Pin(pin::Args),
    /// Internal (card genuine?) and external authentication. Needs --keys.
    Auth(auth::Args),
    /// Send raw APDUs (hex); no 61xx/6Cxx handling unless --t0-auto.
    Apdu(apdu::Args),
    /// Personalise a blank card from a holder profile (TOML). Needs --keys.
    Personalize(personalize::Args),
    /// Issuer key sets.
    Keys(keys::Args),
    /// Factory-initialise a blank emulated card image. Needs --emulator and --keys.
    Init(init::Args),
    /// Application block / unblock (MAC under STK). Needs --keys.
    App(app::Args),
    /// Conformance suite (12 areas, generated from the specs); see `sscard conform --list`.
    Conform(Box<conform::ConformArgs>),
    /// The DF04 medical purse balance (GET BALANCE).
    Balance,
    /// A medical settlement: debit AMOUNT yuan from the DF04 purse (PIN; --psam-reader or
    /// --keys). Prints the TAC for the back end; if the card is lost mid-transaction, waits for
    /// it and reports "charged" (with the TAC) or "not charged", never a guess.
    Debit(purse::DebitArgs),
    /// Load AMOUNT yuan into the DF04 purse (needs --keys: DLK computes the load MAC2).
    Load(purse::LoadArgs),
    /// The DF04 transaction log (EF08, newest first, with the EF15 settlement classes).
    Log(purse::LogArgs),
    /// Serve the card image (and a PSAM) to pcscd as virtual cards through vpcd, until Ctrl-C.
    Emulate(emulate::Args),
    /// PSAM images for `sscard emulate --psam`.
    Psam(emulate::PsamArgs),
    /// The local card service for browser HIS pages and the service window (loopback only,
    /// origin allow-list, token, the national WebSocket dialect, a built-in page), until Ctrl-C.
    Serve(serve::Args),
}

fn quirks(names: &[String]) -> Result<Quirks> {
    let mut q = Quirks::default();
    for n in names {
        match n.as_str() {
            "refuse-read-all-records" => q.refuse_read_all_records = true,
            other => {
                return Err(Error::Usage(format!(
                    "unknown emulator quirk {}",
                    Quoted(other)
                )))
            }
        }
    }
    Ok(q)
}

fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => "warn",
        1 => "warn,sscard::apdu=debug",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

/// Run a parsed command line.
// `..default()` fills `faults` in builds with the `faults` feature and nothing otherwise.
#[allow(clippy::needless_update)]
pub fn run(cli: Cli) -> Result<()> {
    init_tracing(cli.verbose);
    let ctx = Ctx {
        reader: cli.reader,
        emulator: cli.emulator,
        keys: cli.keys,
        psam_reader: cli.psam_reader,
        verbose: cli.verbose,
        json: cli.json,
        emulator_opts: EmulatorOptions {
            protocol: ctx::emulator_protocol(cli.emulator_t0, cli.emulator_t1)?,
            quirks: quirks(&cli.emulator_quirks)?,
            ..EmulatorOptions::default()
        },
    };
    match cli.command {
        Command::Readers => readers::run(&ctx),
        Command::Info(a) => info::run(&ctx, a),
        Command::Read(a) => read::run(&ctx, a),
        Command::Write(a) => write::run(&ctx, a),
        Command::Pin(a) => pin::run(&ctx, a),
        Command::Auth(a) => auth::run(&ctx, a),
        Command::Apdu(a) => apdu::run(&ctx, a),
        Command::Personalize(a) => personalize::run(&ctx, a),
        Command::Keys(a) => keys::run(&ctx, a),
        Command::Init(a) => init::run(&ctx, a),
        Command::App(a) => app::run(&ctx, a),
        Command::Conform(a) => conform::run(&ctx, *a),
        Command::Balance => purse::balance(&ctx),
        Command::Debit(a) => purse::debit(&ctx, a),
        Command::Load(a) => purse::load(&ctx, a),
        Command::Log(a) => purse::log(&ctx, a),
        Command::Emulate(a) => emulate::run(&ctx, a),
        Command::Psam(a) => emulate::run_psam(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
    }
}

/// The `sscard` binary: parse, run, print one-line errors, exit with the error's code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sscard: {}", errors::message(&e));
            ExitCode::from(e.exit_code())
        }
    }
}
