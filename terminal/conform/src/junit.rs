//! JUnit XML: one `<testsuite>` per area, one `<testcase>` per case; a failure carries its reason
//! and the APDU exchange, a skip its reason.

use super::area::Area;
use super::report::Report;
use super::verdict::Verdict;

/// Escape text for XML content and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Report {
    /// The report as JUnit XML.
    pub fn to_junit(&self) -> String {
        let t = self.totals();
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.push_str(&format!(
            "<testsuites name=\"sscard conform\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
            t.total,
            t.failed,
            t.skipped,
            self.duration_ms as f64 / 1000.0
        ));
        for area in Area::ALL {
            let cases: Vec<_> = self.results.iter().filter(|r| r.area == area).collect();
            if cases.is_empty() {
                continue;
            }
            let failed = cases
                .iter()
                .filter(|r| matches!(r.verdict, Verdict::Fail { .. }))
                .count();
            let skipped = cases
                .iter()
                .filter(|r| matches!(r.verdict, Verdict::Skip { .. }))
                .count();
            let time: u64 = cases.iter().map(|r| r.duration_us).sum();
            s.push_str(&format!(
                "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{:.3}\" timestamp=\"{}\">\n",
                area.number(),
                xml_escape(area.title()),
                cases.len(),
                time as f64 / 1e6,
                xml_escape(self.started_utc.trim_end_matches('Z')),
            ));
            for r in cases {
                s.push_str(&format!(
                    "    <testcase classname=\"sscard.conform.{}\" name=\"{} {}\" time=\"{:.6}\">\n",
                    area.prefix(),
                    xml_escape(&r.id),
                    xml_escape(&r.title),
                    r.duration_us as f64 / 1e6
                ));
                match &r.verdict {
                    Verdict::Pass => {}
                    Verdict::Skip { reason } => {
                        s.push_str(&format!(
                            "      <skipped message=\"{}\"/>\n",
                            xml_escape(reason)
                        ));
                    }
                    Verdict::Fail { reason } => {
                        let trace: Vec<String> = r.exchanges.iter().map(|e| e.to_text()).collect();
                        s.push_str(&format!(
                            "      <failure message=\"{}\" type=\"nonconformance\">{}\n\nrequirement: {}\nreference: {}\n\n{}</failure>\n",
                            xml_escape(reason),
                            xml_escape(reason),
                            xml_escape(&r.requirement),
                            xml_escape(&r.reference),
                            xml_escape(&trace.join("\n"))
                        ));
                    }
                }
                s.push_str("    </testcase>\n");
            }
            s.push_str("  </testsuite>\n");
        }
        s.push_str("</testsuites>\n");
        s
    }
}
