//! The T2 report, written from [`crate::correlate::model::Report`] in four forms:
//!
//! | file | function | for |
//! |---|---|---|
//! | `report.json` | [`write_json`] | tools (the model as it is, schema [`crate::correlate::model::SCHEMA`]) |
//! | `iocs.csv` | [`write_iocs_csv`] | block lists and spreadsheets (formula injection neutralised) |
//! | `report.md` | [`write_markdown`] | tickets and terminals |
//! | `report.html` | [`write_html`] | the responder: one self-contained page with a timeline chart per incident |
//!
//! Every form renders the model as it is, in its order, and reads no clock, environment or
//! hash map, so the same report gives byte-identical files. Evidence text is escaped for each
//! form by [`escape`]; the HTML page loads nothing from anywhere (a Content Security Policy
//! forbids it) and carries no script. The charts are inline SVG drawn by [`chart`].

#![forbid(unsafe_code)]

pub mod chart;
pub mod escape;
mod html;
mod html_sections;
mod markdown;
mod markdown_sections;
#[cfg(test)]
mod sample;

use std::io::Write;

use crate::correlate::model::Report;
use crate::profile::Confidence;

use super::OutputError;

pub use html::write_html;
pub use markdown::write_markdown;

/// The columns of `iocs.csv`, in order.
pub const IOC_COLUMNS: [&str; 7] = [
    "kind",
    "value",
    "context",
    "hosts",
    "incidents",
    "first_seen",
    "rows",
];

/// Writes `report.json`: the model, pretty-printed, with a trailing newline.
pub fn write_json(report: &Report, out: &mut impl Write) -> Result<(), OutputError> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(|err| encode("report.json", err))?;
    out.write_all(b"\n")
        .map_err(|err| encode("report.json", err))
}

/// Writes `iocs.csv`: a header of [`IOC_COLUMNS`], then one row per indicator in the model's
/// order; lists (hosts, incidents, rows) are joined with `;`.
///
/// Every cell is evidence text, so every cell goes through [`escape::csv_cell`]: a value that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading single
/// quote `'`, so a spreadsheet shows the payload instead of running it (a DDE formula is exactly
/// such a cell).
pub fn write_iocs_csv(report: &Report, out: &mut impl Write) -> Result<(), OutputError> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(IOC_COLUMNS)
        .map_err(|err| encode("iocs.csv", err))?;
    for ioc in &report.iocs {
        let cells = [
            ioc.kind.label().to_owned(),
            ioc.value.clone(),
            ioc.context.clone(),
            ioc.hosts.join(";"),
            ioc.incidents.join(";"),
            ioc.first_seen.clone(),
            ioc.rows.join(";"),
        ];
        writer
            .write_record(cells.iter().map(|cell| escape::csv_cell(cell).into_owned()))
            .map_err(|err| encode("iocs.csv", err))?;
    }
    writer.flush().map_err(|err| encode("iocs.csv", err))
}

/// An [`OutputError::Encode`] for `what`.
fn encode(what: &'static str, err: impl std::fmt::Display) -> OutputError {
    OutputError::Encode {
        what,
        detail: err.to_string(),
    }
}

/// A confidence as written in reports (`high`, `medium`, `low`).
fn confidence_label(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

/// Writes a rendered document (built in memory, where formatting cannot fail on I/O).
fn write_rendered(
    what: &'static str,
    rendered: Result<String, std::fmt::Error>,
    out: &mut impl Write,
) -> Result<(), OutputError> {
    let text = rendered.map_err(|err| encode(what, err))?;
    out.write_all(text.as_bytes())
        .map_err(|err| encode(what, err))?;
    out.flush().map_err(|err| encode(what, err))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of the four writers, into memory.
    type Writer = fn(&Report, &mut Vec<u8>) -> Result<(), OutputError>;

    fn render(write: Writer) -> String {
        let mut out = Vec::new();
        write(&sample::report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_form_is_deterministic() {
        let forms: [Writer; 4] = [write_json, write_iocs_csv, write_markdown, write_html];
        for write in forms {
            assert_eq!(render(write), render(write));
        }
    }

    #[test]
    fn json_is_the_model_with_a_trailing_newline() {
        let text = render(write_json);
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema"], crate::correlate::model::SCHEMA);
        assert_eq!(value["hosts"][0]["verdict"], "escalate");
    }

    #[test]
    fn iocs_csv_has_the_header_and_neutralises_formulas() {
        let text = render(write_iocs_csv);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap(), IOC_COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), sample::report().iocs.len());
        let formula = rows.iter().find(|row| &row[0] == "command").unwrap();
        assert_eq!(&formula[1], "'=cmd|'/c calc'!A0");
        assert_eq!(&formula[3], "WS01;WS02");
        assert!(
            rows.iter()
                .all(|row| !row[1].starts_with(['=', '+', '-', '@']))
        );
    }
}
