//! `sscard info`: the service-window view (SELECT SSSE, READ RECORD all of EF05 and EF06, with
//! the exact Le of the card's family), falling back to item-by-item reads on cards that refuse
//! the all-records form. The card family is recognised from the card's answers, with no option
//! (`Session::read_basic_info`); `-v` prints it with the APDU count
//! (`family: national-2.01 · apdus: 3`).
//!
//! With a security module (`--keys` or `--psam-reader`) `info` also authenticates the card
//! (INTERNAL AUTHENTICATE with IRK; on a 3.00 card after the RKSSSE external authentication
//! EF06 needs anyway) and reports `genuine: true|false` (text and JSON); without one,
//! `genuine: not checked`. A card that is not genuine is printed with its data and `info` exits
//! with code 5 (`Error::NotGenuine`).
//!
//! `--watch` is the service window's loop: wait for a card in the reader, read it, print it, wait
//! until it is taken out, repeat (Ctrl-C to stop). With JSON output every card is one line (JSON
//! Lines), and a card that cannot be read gives an `{"error": …}` line instead of ending the loop.

use std::time::{Duration, Instant};

use super::{errors, Ctx};
use sscard_terminal::error::{Error, Result};
use sscard_terminal::model::BasicInfo;
use sscard_terminal::national::format::{read_card_bas, TerminalIds};
use sscard_terminal::session::Genuineness;
use sscard_terminal::transport::{
    wait_for_card, wait_for_card_removed, PcscTransport, TransportError,
};

/// Output format of `info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Labelled lines.
    Text,
    /// JSON (same as --json).
    Json,
    /// The national interface's iReadCardBas string (`…|…|`).
    National,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Service-window loop (PC/SC only): wait for a card, read it, wait for its removal, repeat
    /// until Ctrl-C. JSON output is one line per card.
    #[arg(long)]
    watch: bool,
    /// With --watch: stop after this many cards.
    #[arg(long, requires = "watch", value_name = "N")]
    count: Option<u64>,
}

/// `YYYYMMDD` → `YYYY-MM-DD` (other text unchanged).
pub fn date(s: &str) -> String {
    match (s.get(0..4), s.get(4..6), s.get(6..8)) {
        (Some(y), Some(m), Some(d)) if s.len() == 8 && s.bytes().all(|c| c.is_ascii_digit()) => {
            format!("{y}-{m}-{d}")
        }
        _ => s.to_string(),
    }
}

/// What `info` prints as JSON: the basic information and whether the card proved genuine.
#[derive(serde::Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    info: &'a BasicInfo,
    genuine: Genuineness,
}

/// The labelled text form.
pub fn text(info: &BasicInfo, genuine: Genuineness) -> String {
    let i = &info.issuer;
    let h = &info.holder;
    let rows = [
        ("卡号 Card number", i.card_number.clone()),
        ("姓名 Name", h.name.clone()),
        ("社会保障号码 SSN", h.ssn.clone()),
        ("性别 Sex", h.sex.to_string()),
        ("民族 Ethnicity", h.ethnicity.to_string()),
        ("出生日期 Birth date", date(&h.birth_date)),
        ("出生地 Birthplace", h.birthplace.clone()),
        ("发卡日期 Issued", date(&i.issue_date)),
        ("有效期 Expires", date(&i.expiry_date)),
        ("卡类别 Category", i.category.to_string()),
        (
            "规范版本 Version",
            format!("{} ({})", i.version, info.profile),
        ),
        ("区划 Region", i.card_id.region.clone()),
        ("卡识别码 Card id", i.card_id.raw.clone()),
        ("真伪 Genuine", genuine.to_string()),
    ];
    let mut out = String::new();
    for (label, value) in rows {
        // Pad to 22 columns, counting CJK characters as two.
        let width: usize = label
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        let pad = " ".repeat(22usize.saturating_sub(width));
        out.push_str(&format!("{label}{pad} {value}\n"));
    }
    out
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let format = match a.format {
        Some(f) => f,
        None if ctx.json => Format::Json,
        None => Format::Text,
    };
    if a.watch {
        return watch(ctx, format, a.count);
    }
    let (info, genuine, line) = read_one(ctx)?;
    match format {
        Format::Json => ctx.print_json(&Out {
            info: &info,
            genuine: genuine.0,
        })?,
        Format::National => println!("{}", read_card_bas(&info, &TerminalIds::default())),
        Format::Text => print!("{}", text(&info, genuine.0)),
    }
    if ctx.verbose > 0 {
        eprintln!("{line}");
    }
    not_genuine(&info, genuine)
}

/// A card that failed its internal authentication, as the error `info` exits with (after its
/// data was printed).
fn not_genuine(info: &BasicInfo, genuine: (Genuineness, Option<String>)) -> Result<()> {
    match genuine {
        (g, reason) if g.failed() => Err(Error::NotGenuine {
            card_number: info.issuer.card_number.clone(),
            reason: reason.unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}

/// The `-v` line: `family: national-2.00 · apdus: 4` (every APDU on the wire, GET RESPONSE and
/// `6Cxx` re-issues included).
fn summary(family: &str, apdus: u64) -> String {
    format!("family: {family} · apdus: {apdus}")
}

/// One card: connect, read, with a security module check it is genuine, disconnect (leaving
/// the card); with the `-v` line (family and APDU count).
fn read_one(ctx: &Ctx) -> Result<(BasicInfo, (Genuineness, Option<String>), String)> {
    let mut s = ctx.session(false)?;
    let info = s.read_basic_info()?;
    let genuine = s.check_genuine()?;
    let line = summary(&s.rules_name(), s.apdu_count());
    s.into_transport().close()?;
    Ok((info, genuine, line))
}

/// How long one wait for a card event lasts before it is simply renewed.
const WAIT_SLICE: Duration = Duration::from_secs(60);

fn watch(ctx: &Ctx, format: Format, count: Option<u64>) -> Result<()> {
    if ctx.emulator.is_some() {
        return Err(Error::Usage(
            "--watch waits for cards in a PC/SC reader; it does not apply to --emulator".into(),
        ));
    }
    let reader = PcscTransport::reader_name(ctx.reader_selector())?;
    eprintln!("watching {reader}: insert a card (Ctrl-C to stop)");
    let mut cards = 0u64;
    loop {
        match wait_for_card(&reader, WAIT_SLICE) {
            Ok(_) => {}
            Err(TransportError::Timeout) => continue,
            Err(e) => return Err(e.into()),
        }
        let t = Instant::now();
        match read_one(ctx) {
            Ok((info, genuine, line)) => {
                match format {
                    Format::Json => {
                        let out = Out {
                            info: &info,
                            genuine: genuine.0,
                        };
                        let line = serde_json::to_string(&out)
                            .map_err(|e| Error::Internal(format!("JSON output: {e}")))?;
                        println!("{line}");
                    }
                    Format::National => {
                        println!("{}", read_card_bas(&info, &TerminalIds::default()));
                    }
                    Format::Text => println!("{}", text(&info, genuine.0)),
                }
                if ctx.verbose > 0 {
                    eprintln!("{line} in {} ms", t.elapsed().as_millis());
                }
                if let Err(e) = not_genuine(&info, genuine) {
                    eprintln!("sscard: {}", errors::message(&e));
                }
            }
            Err(e) => {
                // The card was pulled mid-read, is not a social security card, ...: say so and
                // wait for the next one; nothing partial is printed as if it were the card.
                let message = errors::message(&e);
                eprintln!("sscard: {message}");
                if format == Format::Json {
                    println!("{}", serde_json::json!({ "error": message }));
                }
            }
        }
        cards += 1;
        if count.is_some_and(|n| cards >= n) {
            return Ok(());
        }
        loop {
            match wait_for_card_removed(&reader, WAIT_SLICE) {
                Ok(()) => break,
                Err(TransportError::Timeout) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}
