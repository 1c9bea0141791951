//! Results: per case (verdict + the APDU exchanges), per area (passed / failed / skipped), and the
//! plain-text and JSON renderings. JUnit and HTML are in `junit.rs` / `html.rs`.

use serde::Serialize;
use sscard_apdu::StatusWord;

use super::area::{Area, Needs};
use super::verdict::Verdict;

/// One logged exchange (or a note), as shown under a failed case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// The C-APDU in hex, PIN/key data masked; empty for a note.
    pub command: String,
    /// Response data in hex.
    pub response: String,
    /// Status word in hex (`9000`), empty for a note.
    pub sw: String,
    /// Meaning of the status word, or the note's text.
    pub meaning: String,
}

impl Exchange {
    pub(crate) fn apdu(command: String, data: &[u8], sw: StatusWord) -> Self {
        Exchange {
            command,
            response: hex::encode_upper(data),
            sw: format!("{:04X}", sw.0),
            meaning: sw.description().to_string(),
        }
    }

    pub(crate) fn note(text: String) -> Self {
        Exchange {
            command: String::new(),
            response: String::new(),
            sw: String::new(),
            meaning: text,
        }
    }

    /// Whether this is a note rather than an APDU.
    pub fn is_note(&self) -> bool {
        self.sw.is_empty()
    }

    /// `> 00A4… / < 6F… 9000 (meaning)` lines.
    pub fn to_text(&self) -> String {
        if self.is_note() {
            return format!("# {}", self.meaning);
        }
        let data = if self.response.is_empty() {
            String::new()
        } else {
            format!("{} ", self.response)
        };
        format!("> {}\n< {data}{} ({})", self.command, self.sw, self.meaning)
    }
}

/// The result of one case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// Case id (`SEL-SSSE-BY-NAME-FCI`).
    pub id: String,
    /// Area.
    pub area: Area,
    /// Area number 1–12.
    pub area_number: u8,
    /// Title.
    pub title: String,
    /// Requirement text.
    pub requirement: String,
    /// Spec reference.
    pub reference: String,
    /// Destructive case.
    pub destructive: bool,
    /// What it needs.
    pub needs: Needs,
    /// Verdict.
    pub verdict: Verdict,
    /// Every APDU exchanged (PIN data masked).
    pub exchanges: Vec<Exchange>,
    /// Run time in microseconds.
    pub duration_us: u64,
}

/// Per-area counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AreaSummary {
    /// Area number.
    pub number: u8,
    /// Area.
    pub area: Option<Area>,
    /// Title (`"Total"` for the total row).
    pub title: String,
    /// Cases.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl AreaSummary {
    fn add(&mut self, v: &Verdict) {
        self.total += 1;
        match v {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail { .. } => self.failed += 1,
            Verdict::Skip { .. } => self.skipped += 1,
        }
    }
}

/// What the probe learnt about the card (hex / text).
#[derive(Clone, Debug, Default, Serialize)]
pub struct CardFacts {
    /// ATR.
    pub atr: String,
    /// Card identification code (SSSE EF05 tag 01).
    pub card_id: Option<String>,
    /// Spec version (EF05 tag 03).
    pub spec_version: Option<String>,
    /// Card number (EF05 tag 07).
    pub card_number: Option<String>,
    /// FCI algorithm id (9F0C/86), when present.
    pub algorithm_id: Option<u8>,
}

/// The result of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `sscard conform <version>`.
    pub tool: String,
    /// Start time, UTC, ISO 8601.
    pub started_utc: String,
    /// Wall time of the run, milliseconds.
    pub duration_ms: u64,
    /// APDUs that reached the card during the run (every leg: GET RESPONSE and `6Cxx` re-issues
    /// count), probe included: on a real card, 20–50 ms each.
    pub apdus: u64,
    /// Target description (reader name, emulator image …).
    pub target: String,
    /// Whether destructive cases were enabled (and confirmed).
    pub destructive: bool,
    /// Whether a security module was available.
    pub keys: bool,
    /// The card.
    pub card: CardFacts,
    /// Every case, in run order.
    pub results: Vec<CaseResult>,
}

impl Report {
    /// Per-area counts (areas with at least one case), then a total row.
    pub fn summary(&self) -> Vec<AreaSummary> {
        let mut rows: Vec<AreaSummary> = Vec::new();
        for area in Area::ALL {
            let mut row = AreaSummary {
                number: area.number(),
                area: Some(area),
                title: area.title().to_string(),
                ..AreaSummary::default()
            };
            for r in self.results.iter().filter(|r| r.area == area) {
                row.add(&r.verdict);
            }
            if row.total > 0 {
                rows.push(row);
            }
        }
        let mut total = AreaSummary {
            title: "Total".to_string(),
            ..AreaSummary::default()
        };
        for r in &self.results {
            total.add(&r.verdict);
        }
        rows.push(total);
        rows
    }

    /// The total row.
    pub fn totals(&self) -> AreaSummary {
        self.summary().pop().unwrap_or_default()
    }

    /// Whether any case failed.
    pub fn has_failures(&self) -> bool {
        self.results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Fail { .. }))
    }

    /// The failed cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Fail { .. }))
    }

    /// The summary as a fixed-width text table.
    pub fn summary_table(&self) -> String {
        let rows = self.summary();
        let w = rows.iter().map(|r| r.title.len()).max().unwrap_or(5).max(5);
        let mut s = format!(
            "{:>2}  {:<w$}  {:>5}  {:>6}  {:>6}  {:>7}\n",
            "#", "Area", "cases", "passed", "failed", "skipped"
        );
        s.push_str(&format!("{}\n", "-".repeat(w + 36)));
        for r in &rows {
            if r.area.is_none() {
                s.push_str(&format!("{}\n", "-".repeat(w + 36)));
            }
            let n = if r.number == 0 {
                String::new()
            } else {
                r.number.to_string()
            };
            s.push_str(&format!(
                "{n:>2}  {:<w$}  {:>5}  {:>6}  {:>6}  {:>7}\n",
                r.title, r.total, r.passed, r.failed, r.skipped
            ));
        }
        s
    }

    /// The readable report: summary table, then every failure with its exchanges, then skips.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut s = format!(
            "sscard conformance report — {} — {}\ncard: ATR {}{}{}{}\n\n",
            self.target,
            self.started_utc,
            self.card.atr,
            self.card
                .card_number
                .as_deref()
                .map(|n| format!(", card number {n}"))
                .unwrap_or_default(),
            self.card
                .spec_version
                .as_deref()
                .map(|v| format!(", spec version {v}"))
                .unwrap_or_default(),
            if self.destructive {
                ", destructive cases ENABLED"
            } else {
                ""
            },
        );
        s.push_str(&self.summary_table());
        for r in self.failures() {
            s.push_str(&format!(
                "\nFAIL {} [{}] {}\n  requirement: {}\n  reference:   {}\n  reason:      {}\n",
                r.id,
                r.area.title(),
                r.title,
                r.requirement,
                r.reference,
                r.verdict.reason().unwrap_or_default()
            ));
            for e in &r.exchanges {
                for line in e.to_text().lines() {
                    s.push_str(&format!("    {line}\n"));
                }
            }
        }
        if verbose {
            for r in self
                .results
                .iter()
                .filter(|r| matches!(r.verdict, Verdict::Skip { .. }))
            {
                s.push_str(&format!(
                    "\nSKIP {} {}: {}\n",
                    r.id,
                    r.title,
                    r.verdict.reason().unwrap_or_default()
                ));
            }
        }
        s.push_str(&format!(
            "\n{} cases in {} ms, {} APDUs\n",
            self.results.len(),
            self.duration_ms,
            self.apdus
        ));
        s
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// `2026-11-23T09:46:41Z` for a UNIX time.
pub(crate) fn iso8601(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn civil_time() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_427_201), "2026-11-23T09:46:41Z");
    }
}
