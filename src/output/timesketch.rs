//! The timeline as Timesketch imports it: JSONL (one object per line) or CSV with the same
//! columns.
//!
//! # Row schema
//!
//! Always present: `message`, `datetime` (RFC 3339, microseconds, explicit `+00:00`),
//! `timestamp` (the same instant in integer microseconds since 1970), `timestamp_desc` (plaso's
//! words), `data_type` (`ddesweep:<family>:<what>`), `tag` (a list: the technique, the severity,
//! `context` for context rows), `severity`, `evidence`, `source_path`.
//! Present where they apply: `host`, `user`, `offset`, `rule_id`, `rule_title`, `confidence`,
//! `command`, `field_code`, `dde_service`, `dde_topic`, `dde_item`, `part`, `cell`, `markers`,
//! `sha256`, `file_size`, `document_format`.
//!
//! The set of keys is fixed ([`COLUMNS`]): arbitrary input never becomes a key, because
//! Timesketch caps the number of fields in an index. In CSV every column is always present
//! (empty where it does not apply) and `tag` is a comma-separated list.

use std::io::Write;

use serde::Serialize;

use super::OutputError;
use crate::detect::Event;
use crate::profile::{Confidence, Severity};

/// Every column, in output order.
pub const COLUMNS: &[&str] = &[
    "message",
    "datetime",
    "timestamp",
    "timestamp_desc",
    "data_type",
    "tag",
    "severity",
    "evidence",
    "source_path",
    "host",
    "user",
    "offset",
    "rule_id",
    "rule_title",
    "confidence",
    "command",
    "field_code",
    "dde_service",
    "dde_topic",
    "dde_item",
    "part",
    "cell",
    "markers",
    "sha256",
    "file_size",
    "document_format",
];

/// One row on the wire. Field order is [`COLUMNS`]' order.
#[derive(Debug, Serialize)]
pub struct TimelineRow<'a> {
    message: &'a str,
    datetime: String,
    timestamp: i64,
    timestamp_desc: &'a str,
    data_type: &'a str,
    tag: &'a [String],
    severity: Severity,
    evidence: &'a str,
    source_path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dde_service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dde_topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dde_item: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    part: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    markers: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_format: Option<&'a str>,
}

impl<'a> TimelineRow<'a> {
    /// The wire row of `event`.
    pub fn new(event: &'a Event) -> TimelineRow<'a> {
        let f = &event.fields;
        TimelineRow {
            message: &event.message,
            datetime: event.timestamp.to_rfc3339(),
            timestamp: event.timestamp.unix_micros(),
            timestamp_desc: event.timestamp_desc,
            data_type: event.data_type,
            tag: &event.tags,
            severity: event.severity,
            evidence: &event.evidence,
            source_path: &event.source_path,
            host: event.host.as_deref(),
            user: event.user.as_deref(),
            offset: event.offset,
            rule_id: event.rule_id.as_deref(),
            rule_title: event.rule_title.as_deref(),
            confidence: event.confidence,
            command: f.command.as_deref(),
            field_code: f.field_code.as_deref(),
            dde_service: f.dde_service.as_deref(),
            dde_topic: f.dde_topic.as_deref(),
            dde_item: f.dde_item.as_deref(),
            part: f.part.as_deref(),
            cell: f.cell.as_deref(),
            markers: f.markers.as_deref(),
            sha256: f.sha256.as_deref(),
            file_size: f.file_size,
            document_format: f.document_format,
        }
    }

    /// The row as CSV cells, in [`COLUMNS`] order.
    fn csv_cells(&self) -> Vec<String> {
        let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
        let number = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.message.to_owned(),
            self.datetime.clone(),
            self.timestamp.to_string(),
            self.timestamp_desc.to_owned(),
            self.data_type.to_owned(),
            self.tag.join(","),
            self.severity.name().to_owned(),
            self.evidence.to_owned(),
            self.source_path.to_owned(),
            text(self.host),
            text(self.user),
            number(self.offset),
            text(self.rule_id),
            text(self.rule_title),
            self.confidence
                .map(confidence_name)
                .unwrap_or_default()
                .to_owned(),
            text(self.command),
            text(self.field_code),
            text(self.dde_service),
            text(self.dde_topic),
            text(self.dde_item),
            text(self.part),
            text(self.cell),
            text(self.markers),
            text(self.sha256),
            number(self.file_size),
            text(self.document_format),
        ]
    }
}

fn confidence_name(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

/// Writes `events` as JSONL, one row per line.
pub fn write_jsonl(events: &[Event], out: &mut impl Write) -> Result<(), OutputError> {
    for event in events {
        serde_json::to_writer(&mut *out, &TimelineRow::new(event)).map_err(|err| {
            OutputError::Encode {
                what: "timeline row",
                detail: err.to_string(),
            }
        })?;
        out.write_all(b"\n").map_err(|err| OutputError::Encode {
            what: "timeline row",
            detail: err.to_string(),
        })?;
    }
    Ok(())
}

/// Writes `events` as CSV with a header row of [`COLUMNS`].
///
/// Cells that a spreadsheet would evaluate (starting with `=`, `+`, `-`, `@`) are written with a
/// leading `'`, so opening the timeline cannot run the very DDE payloads it reports.
pub fn write_csv(events: &[Event], out: &mut impl Write) -> Result<(), OutputError> {
    let mut writer = csv::Writer::from_writer(out);
    let encode = |err: csv::Error| OutputError::Encode {
        what: "timeline CSV",
        detail: err.to_string(),
    };
    writer.write_record(COLUMNS).map_err(encode)?;
    for event in events {
        let cells: Vec<String> = TimelineRow::new(event)
            .csv_cells()
            .into_iter()
            .map(neutralize_formula)
            .collect();
        writer.write_record(&cells).map_err(encode)?;
    }
    writer.flush().map_err(|err| OutputError::Encode {
        what: "timeline CSV",
        detail: err.to_string(),
    })
}

/// Prefixes a cell that a spreadsheet would evaluate with `'` (numbers, such as a negative
/// timestamp, stay as they are).
fn neutralize_formula(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@']) && cell.parse::<i64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}
