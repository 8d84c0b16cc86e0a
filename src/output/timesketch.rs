//! The timeline as Timesketch imports it: JSONL (one object per line) or CSV with the same
//! columns.
//!
//! # Row schema
//!
//! Always present: `message`, `datetime` (RFC 3339, microseconds, explicit `+00:00`),
//! `timestamp` (the same instant in integer microseconds since 1970), `timestamp_desc` (plaso's
//! words), `data_type` (`ddesweep:<family>:<what>`), `tag` (a list: the technique, the severity,
//! `context` for context rows), `severity`, `evidence`, `source_path`.
//! `row_id` (a stable id of the row: the report cites rows by it; see `correlate::rows`).
//! Present where they apply: `incident` (the report's incident ids the row belongs to,
//! comma-separated; such rows of an escalated incident are tagged `escalate`), `host`, `user`, `offset`, `rule_id`, `rule_title`, `confidence`,
//! `command`, `field_code`, `dde_service`, `dde_topic`, `dde_item`, `part`, `cell`, `markers`,
//! `sha256`, `file_size`, `document_format`; for event-log rows `channel`, plaso's
//! `source_name`, `event_identifier`, `record_number` and `computer_name`, the process fields
//! (`image`, `command`, `parent_image`, `parent_command_line`, `process_id`, `process_guid`,
//! `parent_process_id`, `parent_process_guid`, `logon_id`, `hashes`), `registry_key`, `value`,
//! `destination`, `destination_hostname`, `module`, `document`, `target_file` (a file a process
//! created) and `xml_string` (the record as XML, which Timesketch's Sigma mappings search); `user_sid` where a SOFTWARE hive of the same
//! evidence names the user's profile. Rows of files in disk images add `volume_offset`,
//! `mft_record`, `mft_attribute` (file-time rows) and the Mark of the Web (`zone_id`,
//! `host_url`, `referrer_url`). Rows carved out of memory or unallocated space add
//! `carved_text`, `text_encoding`, `hit_count` and `hit_offsets`.
//!
//! The set of keys is fixed ([`COLUMNS`]): arbitrary input never becomes a key, because
//! Timesketch caps the number of fields in an index. In CSV every column is always present
//! (empty where it does not apply) and `tag` is a comma-separated list.

use std::io::Write;

use serde::Serialize;

use super::OutputError;
use crate::detect::{Event, EventFields};
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
    "incident",
    "row_id",
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
    "channel",
    "source_name",
    "event_identifier",
    "record_number",
    "computer_name",
    "image",
    "parent_image",
    "parent_command_line",
    "process_id",
    "process_guid",
    "parent_process_id",
    "parent_process_guid",
    "logon_id",
    "hashes",
    "registry_key",
    "value",
    "destination",
    "destination_hostname",
    "module",
    "document",
    "target_file",
    "xml_string",
    "user_sid",
    "volume_offset",
    "mft_record",
    "mft_attribute",
    "zone_id",
    "host_url",
    "referrer_url",
    "carved_text",
    "text_encoding",
    "hit_count",
    "hit_offsets",
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
    incident: Option<&'a str>,
    row_id: &'a str,
    /// The detail columns, in [`COLUMNS`] order.
    #[serde(flatten)]
    fields: &'a EventFields,
}

impl<'a> TimelineRow<'a> {
    /// The wire row of `event`.
    pub fn new(event: &'a Event) -> TimelineRow<'a> {
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
            incident: event.incident.as_deref(),
            row_id: &event.row_id,
            fields: &event.fields,
        }
    }

    /// The row as CSV cells, in [`COLUMNS`] order: absent fields are empty, `tag` is
    /// comma-separated, numbers are printed.
    fn csv_cells(&self) -> Result<Vec<String>, serde_json::Error> {
        let serde_json::Value::Object(map) = serde_json::to_value(self)? else {
            return Ok(Vec::new());
        };
        Ok(COLUMNS
            .iter()
            .map(|column| match map.get(*column) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                Some(other) => other.to_string(),
            })
            .collect())
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
            .map_err(|err| OutputError::Encode {
                what: "timeline CSV",
                detail: err.to_string(),
            })?
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
