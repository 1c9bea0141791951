//! `sscard conform`: run the conformance suite against a PC/SC card or the in-process card OS,
//! print the per-area summary and write JSON / JUnit / HTML reports.
//!
//! ```text
//! sscard conform --emulator-fresh                            # reproducible run, all 12 areas
//! sscard --reader "ACS ACR39U" --keys keys.toml conform      # a real card, non-destructive
//! sscard --reader 1 conform --psam-reader 2 --pin 123456 --html report.html
//! sscard --emulator card.img --keys keys.toml conform --destructive   # asks for the card number
//! sscard conform --emulator-fresh --destructive --fault mac-not-checked   # a failing report
//! sscard conform --fault list                                # the deliberately faulty behaviours
//! ```
//!
//! `--reader`, `--emulator`, `--keys` and `--json` are the global options of `sscard`; with
//! `--json` the report is printed as JSON instead of text. Exit code: 0 when every case that ran
//! passed, 5 (card data) when a case failed, 2 usage, 3 transport, 6 security module.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::Profile;
use sscard_specs::SpecVersion;

use sscard_conform::fresh::{FreshCard, FRESH_PIN};
use sscard_conform::{self as conform, Area, Options, Plain, Progress, Report, Target, Verdict};
use sscard_terminal::error::{DataError, Error, Quoted, Result};
use sscard_terminal::session::Crypto;
use sscard_terminal::transport::emulator::{EmulatorOptions, EmulatorTransport};
use sscard_terminal::transport::{AnyTransport, Transport};

use super::Ctx;

/// Arguments of `sscard conform` (the reader / emulator / keys are the global options).
#[derive(Args, Debug, Clone, Default)]
pub struct ConformArgs {
    /// Factory-initialise and personalise a temporary in-memory card with the public test keys
    /// (reproducible; enables keys, PIN, destructive and anti-tearing cases).
    #[arg(long)]
    pub emulator_fresh: bool,
    /// Spec version of the --emulator-fresh card (1.00, 2.00, 2.01, 3.00).
    #[arg(long, default_value = "2.00", value_name = "VERSION")]
    pub spec_version: String,
    /// The holder's PIN: cases that need it verify it (a refused PIN is never presented again).
    #[arg(long)]
    pub pin: Option<String>,
    /// Also run destructive cases (PIN tries, PIN blocking, application and CARD BLOCK).
    /// Asks to type the card number read from the card.
    #[arg(long)]
    pub destructive: bool,
    /// Confirmation for --destructive without a prompt: the card number read from the card.
    #[arg(long, value_name = "CARDNUMBER")]
    pub yes_destroy_card: Option<String>,
    /// Only these areas (number, prefix or name; repeatable): 1..11, SEL, FIL, ITM, REC, ACC,
    /// PIN, CHL, MAC, LCY, SW, TEAR.
    #[arg(long = "area", value_name = "AREA")]
    pub areas: Vec<String>,
    /// Only cases whose id starts with this (repeatable; ids name what a case tests, see
    /// `--list`), e.g. `MAC`, `ACC-DF04`, `FIL-SSSE-EF05`, `PIN-VERIFY-WRONG-DECREMENTS`.
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// List the cases and exit.
    #[arg(long)]
    pub list: bool,
    /// Write the report as JSON to FILE (the global --json prints it on stdout).
    #[arg(long, value_name = "FILE")]
    pub json_report: Option<PathBuf>,
    /// Write the report as JUnit XML (one testsuite per area).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// No progress counter.
    #[arg(long)]
    pub quiet: bool,
    /// Switch on a deliberately faulty card-OS behaviour of the emulated card (repeatable;
    /// `--fault list` prints the names) to see what a failing report looks like. Needs
    /// --emulator IMAGE or --emulator-fresh. Only in builds with the `faults` feature.
    #[cfg(feature = "faults")]
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
}

fn progress_printer(quiet: bool) -> impl FnMut(&Progress<'_>) {
    let tty = !quiet && std::io::stderr().is_terminal();
    move |p: &Progress<'_>| {
        if !tty {
            return;
        }
        let mark = match p.result.verdict {
            Verdict::Pass => "ok",
            Verdict::Fail { .. } => "FAIL",
            Verdict::Skip { .. } => "skip",
        };
        let width = 30usize;
        let filled = p.done * width / p.total.max(1);
        eprint!(
            "\r[{}{}] {:>4}/{:<4} {:<w$} {:<4}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            p.done,
            p.total,
            p.result.id,
            mark,
            w = conform::MAX_ID_LEN
        );
        if p.done == p.total {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

fn parse_areas(list: &[String]) -> Result<Vec<Area>> {
    list.iter()
        .map(|a| Area::parse(a).ok_or_else(|| Error::Usage(format!("unknown area {}", Quoted(a)))))
        .collect()
}

fn profile_of(facts: &conform::CardFacts) -> &'static Profile {
    match (facts.algorithm_id, facts.spec_version.as_deref()) {
        (Some(3), _) | (_, Some("3.00")) => &SSCARD_3,
        _ => &SSCARD_2,
    }
}

fn write_file(path: &PathBuf, text: &str, what: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        context: format!("cannot write the {what} report {}", path.display()),
        source,
    })?;
    eprintln!("{what} report written to {}", path.display());
    Ok(())
}

/// `--destructive` with a confirmation that is not the card's number: stop before any case runs
/// (a typo must not quietly turn into a different run than the one asked for).
fn refuse_unconfirmed(opts: &Options, card_number: Option<&str>) -> Result<()> {
    if opts.destructive && !conform::destructive_confirmed(opts, card_number) {
        return Err(Error::Usage(format!(
            "--destructive: the confirmation {} is not the card number {} read from the card; nothing was run",
            Quoted(opts.confirm_card_number.as_deref().unwrap_or("")),
            card_number.unwrap_or("(unreadable)")
        )));
    }
    Ok(())
}

/// Ask for the card number on the terminal (destructive runs without --yes-destroy-card).
fn confirm(card_number: Option<&str>) -> Result<Option<String>> {
    let Some(n) = card_number else {
        return Err(Error::Usage(
            "--destructive: the card number could not be read from the card, so it cannot be confirmed".into(),
        ));
    };
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "--destructive needs the typed card number: run interactively or pass --yes-destroy-card CARDNUMBER".into(),
        ));
    }
    eprintln!(
        "DESTRUCTIVE cases consume PIN tries, block and unblock the PIN, block an application for good\n\
         and finally BLOCK THE CARD. The card's number is {n}. Type it to continue:"
    );
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|source| Error::Io {
            context: "reading the confirmation".into(),
            source,
        })?;
    Ok(Some(line.trim().to_string()))
}

fn finish(report: &Report, args: &ConformArgs, ctx: &Ctx) -> Result<()> {
    if ctx.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text(ctx.verbose > 0));
    }
    if let Some(p) = &args.json_report {
        write_file(p, &report.to_json(), "JSON")?;
    }
    if let Some(p) = &args.junit {
        write_file(p, &report.to_junit(), "JUnit")?;
    }
    if let Some(p) = &args.html {
        write_file(p, &report.to_html(), "HTML")?;
    }
    if report.has_failures() {
        let t = report.totals();
        return Err(Error::Data(DataError::Malformed {
            what: "card (non-conforming)",
            hex: format!("{} of {} conformance cases failed", t.failed, t.total),
        }));
    }
    Ok(())
}

fn options(args: &ConformArgs, target_name: String) -> Result<Options> {
    Ok(Options {
        destructive: args.destructive,
        confirm_card_number: args.yes_destroy_card.clone(),
        pin: args.pin.clone(),
        areas: parse_areas(&args.areas)?,
        only: args.only.clone(),
        target_name,
    })
}

/// Run against any target with the security module the arguments name.
fn run_target(
    target: &mut dyn Target,
    args: &ConformArgs,
    ctx: &Ctx,
    mut opts: Options,
) -> Result<()> {
    let facts = conform::probe(target);
    if args.destructive && opts.confirm_card_number.is_none() {
        opts.confirm_card_number = confirm(facts.card_number.as_deref())?;
    }
    refuse_unconfirmed(&opts, facts.card_number.as_deref())?;
    let mut progress = progress_printer(args.quiet);
    let report = if let Some(mut sm) = ctx.open_psam(profile_of(&facts))? {
        conform::run_with(
            target,
            Some(&mut sm as &mut dyn Crypto),
            &opts,
            &mut progress,
        )
    } else if ctx.keys.is_some() {
        let mut sm = ctx.key_file()?.into_security_module();
        conform::run_with(
            target,
            Some(&mut sm as &mut dyn Crypto),
            &opts,
            &mut progress,
        )
    } else {
        conform::run_with(target, None, &opts, &mut progress)
    };
    finish(&report, args, ctx)
}

/// The emulated card's behaviour for this run: the global options, plus `--fault` (feature
/// `faults`). `None`: `--fault list` was asked for (and printed).
fn emulator_options(ctx: &Ctx, args: &ConformArgs) -> Result<Option<EmulatorOptions>> {
    #[cfg(feature = "faults")]
    {
        let Some(faults) = crate::faults::parse(&args.faults)? else {
            crate::faults::print();
            return Ok(None);
        };
        if faults.any() && !args.emulator_fresh && ctx.emulator.is_none() {
            return Err(Error::Usage(
                "--fault changes the in-process card OS: use it with --emulator IMAGE or --emulator-fresh"
                    .into(),
            ));
        }
        let mut opts = ctx.emulator_opts;
        opts.faults = faults;
        Ok(Some(opts))
    }
    #[cfg(not(feature = "faults"))]
    {
        let _ = args;
        Ok(Some(ctx.emulator_opts))
    }
}

/// ` (deliberately faulty: a, b)` for the report's target name; empty for a correct card.
fn faults_suffix(opts: &EmulatorOptions) -> String {
    #[cfg(feature = "faults")]
    {
        crate::faults::suffix(&opts.faults)
    }
    #[cfg(not(feature = "faults"))]
    {
        let _ = opts;
        String::new()
    }
}

/// `sscard conform`.
pub fn run(ctx: &Ctx, args: ConformArgs) -> Result<()> {
    let Some(emu) = emulator_options(ctx, &args)? else {
        return Ok(());
    };
    if args.list {
        let cases = conform::all_cases();
        let w = cases.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in cases {
            println!(
                "{:<w$} {:<2} {}{}",
                c.id,
                c.area.number(),
                c.title,
                if c.destructive { "  [destructive]" } else { "" }
            );
        }
        return Ok(());
    }
    if args.emulator_fresh {
        let version = SpecVersion::parse_str(&args.spec_version).ok_or_else(|| {
            Error::Usage(format!(
                "unknown spec version {}",
                Quoted(&args.spec_version)
            ))
        })?;
        let fresh = FreshCard::new(version)?;
        let mut card = fresh.build(fresh.config(emu)?)?;
        let mut sm = fresh.security_module();
        let mut opts = options(
            &args,
            format!(
                "fresh emulated card {}{}",
                version.as_str(),
                faults_suffix(&emu)
            ),
        )?;
        opts.pin = Some(args.pin.clone().unwrap_or_else(|| FRESH_PIN.to_string()));
        if opts.destructive && opts.confirm_card_number.is_none() {
            // A throw-away card: nothing to protect.
            opts.confirm_card_number = Some(fresh.card_number.clone());
        }
        refuse_unconfirmed(&opts, Some(&fresh.card_number))?;
        let mut progress = progress_printer(args.quiet);
        let report = conform::run_with(
            &mut card,
            Some(&mut sm as &mut dyn Crypto),
            &opts,
            &mut progress,
        );
        return finish(&report, &args, ctx);
    }
    let mut t = match &ctx.emulator {
        Some(img) => AnyTransport::from(EmulatorTransport::open_image(img, emu)?),
        None => ctx.connect()?,
    };
    let name = match (&ctx.emulator, &ctx.reader) {
        (Some(img), _) => format!("emulator {}{}", img.display(), faults_suffix(&emu)),
        (None, Some(r)) => format!("reader {r}"),
        (None, None) => "the first PC/SC reader".to_string(),
    };
    let opts = options(&args, name)?;
    let res = run_target(&mut Plain(&mut t as &mut dyn Transport), &args, ctx, opts);
    let closed = t.close().map_err(Error::from);
    res.and(closed)
}
