//! `sscard info`: the service-window view in 3 APDUs (SELECT SSSE, READ RECORD all of EF05 and
//! EF06), falling back to item-by-item reads on cards that refuse the all-records form.

use super::Ctx;
use crate::error::Result;
use crate::national::{read_card_bas, TerminalIds};
use crate::session::BasicInfo;

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

/// The labelled text form.
pub fn text(info: &BasicInfo) -> String {
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
    let mut s = ctx.session(false)?;
    let info = s.read_basic_info()?;
    let format = match a.format {
        Some(f) => f,
        None if ctx.json => Format::Json,
        None => Format::Text,
    };
    match format {
        Format::Json => ctx.print_json(&info)?,
        Format::National => println!("{}", read_card_bas(&info, &TerminalIds::default())),
        Format::Text => print!("{}", text(&info)),
    }
    ctx.finish(s)
}
