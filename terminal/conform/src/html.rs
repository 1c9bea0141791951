//! A single self-contained HTML report: the summary table per area at the top, then every case
//! per area (failures open, with their APDU exchange). Inline CSS only, no scripts, no external
//! resources, so it opens anywhere (and in headless Chromium: `tests/conform_html.rs`).

use super::area::Area;
use super::junit::xml_escape as esc;
use super::report::Report;
use super::verdict::Verdict;

const CSS: &str = include_str!("../assets/conform-report.css");

fn badge(v: &Verdict) -> String {
    format!("<span class=\"badge {0}\">{0}</span>", v.label())
}

impl Report {
    /// The report as one HTML document.
    pub fn to_html(&self) -> String {
        let t = self.totals();
        let mut s = String::with_capacity(64 * 1024);
        s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        s.push_str(&format!(
            "<title>sscard conformance report — {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
            esc(&self.target)
        ));
        s.push_str("<h1>sscard conformance report</h1>\n<p class=\"meta\">");
        s.push_str(&format!(
            "Target: <code>{}</code> · started {} · {} ms · {} · {}<br>ATR <code>{}</code>",
            esc(&self.target),
            esc(&self.started_utc),
            self.duration_ms,
            if self.keys {
                "issuer keys available"
            } else {
                "no issuer keys"
            },
            if self.destructive {
                "destructive cases enabled"
            } else {
                "non-destructive run"
            },
            esc(&self.card.atr)
        ));
        for (label, v) in [
            ("card number", &self.card.card_number),
            ("card id", &self.card.card_id),
            ("spec version", &self.card.spec_version),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(" · {label} <code>{}</code>", esc(v)));
            }
        }
        s.push_str("</p>\n");
        let (class, text) = if t.failed > 0 {
            ("fail", format!("{} of {} cases FAILED", t.failed, t.total))
        } else {
            (
                "pass",
                format!("All {} run cases passed ({} skipped)", t.passed, t.skipped),
            )
        };
        s.push_str(&format!(
            "<div class=\"verdict-banner {class}\" id=\"verdict\">{}</div>\n",
            esc(&text)
        ));
        // Summary table.
        s.push_str("<h2>Summary</h2>\n<table id=\"summary\">\n<thead><tr><th>#</th><th>Area</th><th>Cases</th><th>Passed</th><th>Failed</th><th>Skipped</th></tr></thead>\n<tbody>\n");
        for r in self.summary() {
            let (tr, n, title) = match r.area {
                Some(a) => (
                    "<tr>".to_string(),
                    r.number.to_string(),
                    format!("<a href=\"#area-{}\">{}</a>", a.prefix(), esc(&r.title)),
                ),
                None => (
                    "<tr class=\"total\">".to_string(),
                    String::new(),
                    esc(&r.title),
                ),
            };
            let failed = if r.failed > 0 {
                format!("<span class=\"badge fail\">{}</span>", r.failed)
            } else {
                r.failed.to_string()
            };
            s.push_str(&format!(
                "{tr}<td class=\"num\">{n}</td><td>{title}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{failed}</td><td class=\"num\">{}</td></tr>\n",
                r.total, r.passed, r.skipped
            ));
        }
        s.push_str("</tbody>\n</table>\n");
        // Failures first: one line each, linked to the case with its APDU exchange.
        let failures: Vec<_> = self.failures().collect();
        if !failures.is_empty() {
            s.push_str("<h2 id=\"failures\">Failures</h2>\n<ul class=\"failures\">\n");
            for r in failures {
                s.push_str(&format!(
                    "<li><a href=\"#{0}\"><code>{0}</code></a> {1} — {2}</li>\n",
                    esc(&r.id),
                    esc(&r.title),
                    esc(r.verdict.reason().unwrap_or(""))
                ));
            }
            s.push_str("</ul>\n");
        }
        // Cases per area.
        for area in Area::ALL {
            let cases: Vec<_> = self.results.iter().filter(|r| r.area == area).collect();
            if cases.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "<h2 id=\"area-{}\">{}. {}</h2>\n",
                area.prefix(),
                area.number(),
                esc(area.title())
            ));
            for r in cases {
                let open = if matches!(r.verdict, Verdict::Fail { .. }) {
                    " open"
                } else {
                    ""
                };
                s.push_str(&format!(
                    "<details id=\"{}\"{open}><summary><span class=\"id\">{}</span>{} {}{}</summary>\n<dl>",
                    esc(&r.id),
                    esc(&r.id),
                    badge(&r.verdict),
                    esc(&r.title),
                    if r.destructive {
                        "<span class=\"destructive\">destructive</span>"
                    } else {
                        ""
                    }
                ));
                s.push_str(&format!(
                    "<dt>Requirement</dt><dd>{}</dd><dt>Reference</dt><dd>{}</dd>",
                    esc(&r.requirement),
                    esc(&r.reference)
                ));
                if let Some(reason) = r.verdict.reason() {
                    s.push_str(&format!(
                        "<dt>{}</dt><dd>{}</dd>",
                        if matches!(r.verdict, Verdict::Fail { .. }) {
                            "Failure"
                        } else {
                            "Skipped"
                        },
                        esc(reason)
                    ));
                }
                s.push_str(&format!(
                    "<dt>Time</dt><dd>{:.2} ms</dd></dl>\n",
                    r.duration_us as f64 / 1000.0
                ));
                if matches!(r.verdict, Verdict::Fail { .. }) && !r.exchanges.is_empty() {
                    let lines: Vec<String> = r.exchanges.iter().map(|e| e.to_text()).collect();
                    s.push_str(&format!(
                        "<pre class=\"trace\">{}</pre>\n",
                        esc(&lines.join("\n"))
                    ));
                }
                s.push_str("</details>\n");
            }
        }
        s.push_str("<p class=\"meta\">Generated by sscard conform. PIN and key data are masked in every exchange.</p>\n</body>\n</html>\n");
        s
    }
}
