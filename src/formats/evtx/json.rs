//! Reading the evtx crate's JSON rendering of a record.
//!
//! [`peek_system`] finds the event ID and channel with two substring searches, before anything
//! is parsed: it runs on every record. [`decode`] parses the few records a selection keeps. The
//! crate renders `<EventID Qualifiers="0">300</EventID>` as
//! `{"#attributes":{"Qualifiers":0},"#text":300}`, named `<Data Name="X">` items as `"X": value`
//! and unnamed ones as `"Data": {"#text": [..]}` (or a single value); both forms are read.

use memchr::memmem;
use serde_json::{Map, Value};

use super::EventRecord;
use crate::time::Timestamp;

/// The event ID and channel of a rendered record, without parsing it.
pub(super) fn peek_system(json: &[u8]) -> Option<(u32, &str)> {
    let id_at = memmem::find(json, b"\"EventID\":")? + b"\"EventID\":".len();
    let mut rest = json.get(id_at..)?;
    if rest.first() == Some(&b'{') {
        let text_at = memmem::find(rest, b"\"#text\":")? + b"\"#text\":".len();
        rest = rest.get(text_at..)?;
    }
    if rest.first() == Some(&b'"') {
        rest = rest.get(1..)?;
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let event_id = std::str::from_utf8(rest.get(..digits)?)
        .ok()?
        .parse()
        .ok()?;
    let channel_at = memmem::find(json, b"\"Channel\":\"")? + b"\"Channel\":\"".len();
    let rest = json.get(channel_at..)?;
    let end = memchr::memchr(b'"', rest)?;
    let channel = std::str::from_utf8(rest.get(..end)?).ok()?;
    Some((event_id, channel))
}

/// The record decoded from its JSON rendering (`xml` and `chunk` left for the caller).
pub(super) fn decode(
    json: &[u8],
    record_id: u64,
    timestamp: ::evtx::Timestamp,
) -> Option<EventRecord> {
    let root: Value = serde_json::from_slice(json).ok()?;
    let event = root.get("Event")?;
    let system = event.get("System")?;
    let provider = system
        .get("Provider")
        .and_then(|p| attribute(p, "Name"))
        .unwrap_or_default();
    let event_id = system
        .get("EventID")
        .and_then(text)
        .and_then(|t| t.parse().ok())?;
    let version = system
        .get("Version")
        .and_then(text)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let mut data = Vec::new();
    if let Some(Value::Object(items)) = event.get("EventData") {
        read_items(items, &mut data);
    } else if let Some(Value::Object(user_data)) = event.get("UserData") {
        // UserData holds one provider-defined element whose children are the fields.
        for (name, inner) in user_data {
            match inner {
                Value::Object(items) if name != "#attributes" => read_items(items, &mut data),
                _ => {}
            }
        }
    }
    // `TimeCreated` and `EventRecordID` are what Event Viewer shows; the record header's copies
    // stand in when they are missing (exported logs can carry zeroed or renumbered headers).
    let timestamp = system
        .get("TimeCreated")
        .and_then(|t| attribute(t, "SystemTime"))
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .and_then(|t| Timestamp::from_unix_micros(t.timestamp_micros()))
        .or_else(|| Timestamp::from_unix_micros(timestamp.as_microsecond()));
    let record_id = system
        .get("EventRecordID")
        .and_then(text)
        .and_then(|t| t.parse().ok())
        .unwrap_or(record_id);
    Some(EventRecord {
        record_id,
        timestamp,
        provider,
        channel: system.get("Channel").and_then(text).unwrap_or_default(),
        event_id,
        version,
        computer: system.get("Computer").and_then(text).unwrap_or_default(),
        user_sid: system
            .get("Security")
            .and_then(|s| attribute(s, "UserID"))
            .filter(|s| !s.is_empty()),
        data,
        xml: String::new(),
        chunk: 0,
        from_truncated_chunk: false,
    })
}

/// Appends the fields of an `EventData`-like object.
fn read_items(items: &Map<String, Value>, data: &mut Vec<(Option<String>, String)>) {
    for (name, value) in items {
        match name.as_str() {
            "#attributes" => {}
            "Data" => match value {
                Value::Object(object) => match object.get("#text") {
                    Some(Value::Array(values)) => {
                        data.extend(values.iter().map(|v| (None, text(v).unwrap_or_default())));
                    }
                    Some(other) => data.push((None, text(other).unwrap_or_default())),
                    None => {}
                },
                Value::Array(values) => {
                    data.extend(values.iter().map(|v| (None, text(v).unwrap_or_default())));
                }
                other => data.push((None, text(other).unwrap_or_default())),
            },
            _ => data.push((Some(name.clone()), text(value).unwrap_or_default())),
        }
    }
}

/// An element's text: strings as they are, numbers and booleans printed, `#text` of an element
/// with attributes, arrays joined with `, `; `None` for null.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => Some(items.iter().filter_map(text).collect::<Vec<_>>().join(", ")),
        Value::Object(object) => object.get("#text").and_then(text),
    }
}

/// An attribute of an element rendered as `{"#attributes": {...}}`.
fn attribute(element: &Value, name: &str) -> Option<String> {
    element.get("#attributes")?.get(name).and_then(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn peeks_plain_and_qualified_event_ids() {
        let plain = br##"{"Event":{"System":{"EventID":4688,"Channel":"Security"}}}"##;
        assert_eq!(peek_system(plain), Some((4688, "Security")));
        let qualified = br##"{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":0},"#text":300},"Channel":"OAlerts"}}}"##;
        assert_eq!(peek_system(qualified), Some((300, "OAlerts")));
        assert_eq!(peek_system(br#"{"Event":{}}"#), None);
    }

    #[test]
    fn decodes_named_and_unnamed_data() {
        let json = br##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"P"}},"EventID":{"#attributes":{"Qualifiers":0},"#text":300},"Version":0,"Channel":"OAlerts","Computer":"HOST","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"Data":{"#text":["Microsoft Word","links",null]}}}}"##;
        let ts = ::evtx::Timestamp::from_second(1_700_000_000).unwrap();
        let record = decode(json, 7, ts).unwrap();
        assert_eq!(record.event_id, 300);
        assert_eq!(record.provider, "P");
        assert_eq!(record.computer, "HOST");
        assert_eq!(record.user_sid.as_deref(), Some("S-1-5-18"));
        assert_eq!(
            record.unnamed().collect::<Vec<_>>(),
            ["Microsoft Word", "links", ""]
        );
        assert_eq!(
            record.timestamp.map(|t| t.unix_micros()),
            Some(1_700_000_000_000_000)
        );

        let json = br##"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"ProcessId":9112,"Image":"C:\\x.exe","RuleName":"-"}}}"##;
        let record = decode(json, 1, ts).unwrap();
        assert_eq!(record.get("ProcessId"), Some("9112"));
        assert_eq!(record.get("Image"), Some(r"C:\x.exe"));
        assert_eq!(record.value("RuleName"), None);
    }
}
