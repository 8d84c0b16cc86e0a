//! Reading the evtx crate's XML rendering of a record.
//!
//! [`peek_system`] finds the event ID and channel with two substring searches, before anything
//! is parsed: it runs on every record. [`decode`] parses the few records a selection keeps with
//! quick-xml: `System` values and attributes, named (`<Data Name="X">`) and unnamed `<Data>`
//! items of `EventData`, and the leaf elements of `UserData`. XML is the crate's cheapest
//! rendering, and it is what the timeline keeps as `xml_string`.

use memchr::memmem::Finder;
use quick_xml::events::{BytesStart, Event};
use std::sync::LazyLock;

use super::EventRecord;
use crate::formats::xml_reader::{attribute, lenient};
use crate::time::Timestamp;

static EVENT_ID: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"<EventID"));
static CHANNEL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"<Channel>"));

/// The event ID and channel of a rendered record, without parsing it.
pub(super) fn peek_system(xml: &[u8]) -> Option<(u32, &str)> {
    let at = EVENT_ID.find(xml)?;
    let rest = xml.get(at..)?;
    let rest = rest.get(memchr::memchr(b'>', rest)? + 1..)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let event_id = std::str::from_utf8(rest.get(..digits)?)
        .ok()?
        .parse()
        .ok()?;
    let at = CHANNEL.find(xml)? + b"<Channel>".len();
    let rest = xml.get(at..)?;
    let end = memchr::memchr(b'<', rest)?;
    let channel = std::str::from_utf8(rest.get(..end)?).ok()?;
    Some((event_id, channel))
}

/// Where the reader is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    System,
    EventData,
    UserData,
}

/// The record decoded from its XML rendering (`chunk` left for the caller). `header_id` and
/// `header_time` are the record header's copies, used when the XML lacks them.
pub(super) fn decode(
    xml: &str,
    header_id: u64,
    header_time: Option<Timestamp>,
) -> Option<EventRecord> {
    let mut record = EventRecord {
        record_id: header_id,
        timestamp: header_time,
        provider: String::new(),
        channel: String::new(),
        event_id: 0,
        version: 0,
        computer: String::new(),
        user_sid: None,
        data: Vec::new(),
        xml: String::new(),
    };
    let mut reader = lenient(xml);
    let mut section = Section::Other;
    let mut seen_system = false;
    let mut event_id = None;
    // The element whose text is being read (reused buffer), with its Name attribute.
    let mut reading = false;
    let mut element = String::new();
    let mut data_name: Option<String> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let local = e.local_name();
                let name: &str = local.as_ref();
                match (section, name) {
                    (Section::Other, "System") => {
                        section = Section::System;
                        seen_system = true;
                    }
                    (Section::Other, "EventData") => section = Section::EventData,
                    (Section::Other, "UserData") => section = Section::UserData,
                    _ => {
                        if section == Section::System {
                            system_attributes(&e, name, &mut record);
                        }
                        data_name = if section == Section::EventData {
                            attribute(&e, "Name")
                        } else {
                            None
                        };
                        element.clear();
                        element.push_str(name);
                        reading = true;
                        text.clear();
                    }
                }
            }
            Ok(Event::Empty(e)) => {
                let local = e.local_name();
                let name: &str = local.as_ref();
                match section {
                    Section::System => system_attributes(&e, name, &mut record),
                    Section::EventData if name == "Data" => {
                        record.data.push((attribute(&e, "Name"), String::new()));
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) if reading => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if reading => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Ok(Event::End(e)) => {
                let local = e.local_name();
                let name: &str = local.as_ref();
                if reading && name == element {
                    reading = false;
                    match section {
                        Section::System => {
                            system_text(name, &text, &mut record, &mut event_id);
                        }
                        Section::EventData if name == "Data" => {
                            record.data.push((data_name.take(), text.clone()));
                        }
                        Section::UserData => {
                            record.data.push((Some(name.to_owned()), text.clone()))
                        }
                        _ => {}
                    }
                } else if matches!(name, "System" | "EventData" | "UserData") {
                    // The end of a section (other ends close elements with children).
                    reading = false;
                    section = Section::Other;
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    record.event_id = event_id?;
    seen_system.then_some(record)
}

/// Attributes of `System` children: `Provider/@Name`, `TimeCreated/@SystemTime`,
/// `Security/@UserID`.
fn system_attributes(e: &BytesStart<'_>, name: &str, record: &mut EventRecord) {
    match name {
        "Provider" => {
            if let Some(provider) = attribute(e, "Name") {
                record.provider = provider;
            }
        }
        "TimeCreated" => {
            if let Some(time) = attribute(e, "SystemTime")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .and_then(|t| Timestamp::from_unix_micros(t.timestamp_micros()))
            {
                record.timestamp = Some(time);
            }
        }
        "Security" => record.user_sid = attribute(e, "UserID").filter(|s| !s.is_empty()),
        _ => {}
    }
}

/// Text of `System` children.
fn system_text(element: &str, value: &str, record: &mut EventRecord, id: &mut Option<u32>) {
    match element {
        "EventID" => *id = value.trim().parse().ok(),
        "Version" => record.version = value.trim().parse().unwrap_or(0),
        "Channel" => value.clone_into(&mut record.channel),
        "Computer" => value.clone_into(&mut record.computer),
        "EventRecordID" => {
            if let Ok(number) = value.trim().parse() {
                record.record_id = number;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const CLASSIC: &str = r#"<?xml version="1.0" encoding="utf-8"?><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft Office 16 Alerts"/><EventID Qualifiers="0">300</EventID><Version>0</Version><TimeCreated SystemTime="2024-03-04T09:12:01.1234567Z"/><EventRecordID>12</EventRecordID><Channel>OAlerts</Channel><Computer>HOST</Computer><Security UserID="S-1-5-18"/></System><EventData><Data>Microsoft Word</Data><Data>links &amp; &quot;DDE&quot;</Data><Data></Data></EventData></Event>"#;

    #[test]
    fn peeks_plain_and_qualified_event_ids() {
        assert_eq!(peek_system(CLASSIC.as_bytes()), Some((300, "OAlerts")));
        let plain =
            b"<Event><System><EventID>4688</EventID><Channel>Security</Channel></System></Event>";
        assert_eq!(peek_system(plain), Some((4688, "Security")));
        assert_eq!(peek_system(b"<Event/>"), None);
    }

    #[test]
    fn decodes_system_and_unnamed_data() {
        let record = decode(CLASSIC, 3, None).unwrap();
        assert_eq!(record.event_id, 300);
        assert_eq!(record.record_id, 12);
        assert_eq!(record.provider, "Microsoft Office 16 Alerts");
        assert_eq!(record.computer, "HOST");
        assert_eq!(record.channel, "OAlerts");
        assert_eq!(record.user_sid.as_deref(), Some("S-1-5-18"));
        assert_eq!(
            record.timestamp.map(Timestamp::to_rfc3339).as_deref(),
            Some("2024-03-04T09:12:01.123456+00:00")
        );
        assert_eq!(
            record.unnamed().collect::<Vec<_>>(),
            ["Microsoft Word", r#"links & "DDE""#, ""]
        );
    }

    #[test]
    fn decodes_named_data_and_user_data() {
        let xml = r#"<Event><System><EventID>1</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel></System><EventData><Data Name="ProcessId">9112</Data><Data Name="Image">C:\x.exe</Data><Data Name="RuleName">-</Data><Data Name="Empty"/></EventData></Event>"#;
        let record = decode(xml, 5, None).unwrap();
        assert_eq!(record.record_id, 5);
        assert_eq!(record.get("ProcessId"), Some("9112"));
        assert_eq!(record.get("Image"), Some(r"C:\x.exe"));
        assert_eq!(record.value("RuleName"), None);
        assert_eq!(record.get("Empty"), Some(""));
        let xml = r#"<Event><System><EventID>1102</EventID><Channel>Security</Channel></System><UserData><LogFileCleared xmlns="x"><SubjectUserName>bob</SubjectUserName></LogFileCleared></UserData></Event>"#;
        let record = decode(xml, 5, None).unwrap();
        assert_eq!(record.get("SubjectUserName"), Some("bob"));
        assert!(decode("<Event><EventData/></Event>", 1, None).is_none());
    }
}
