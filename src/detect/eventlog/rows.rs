//! Timeline rows for event-log findings and context: the record's identity (channel, event ID,
//! record number, computer, plaso's names), the process, registry, network or module details,
//! and the record's XML.

use super::LogFinding;
use super::process::file_name;
use crate::detect::timeline::desc;
use crate::detect::{Event, EventFields};
use crate::formats::evtx::EventRecord;
use crate::formats::evtx::typed::{
    self, FileCreate, OfficeAlert, ParentMatch, ProcessStart, TypedEvent,
};
use crate::profile::{Profile, Severity};
use crate::time::Timestamp;

/// The log the rows come from.
#[derive(Clone, Debug)]
pub struct LogContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The log's path inside it.
    pub source_path: &'a str,
}

/// The fields exclusions look at.
pub(super) struct Subject<'a> {
    pub image: Option<&'a str>,
    pub parent_image: Option<&'a str>,
    pub command_line: Option<&'a str>,
    pub target: Option<&'a str>,
    /// Whether `target` is a registry path (else a module path).
    pub registry: bool,
}

impl<'a> Subject<'a> {
    pub fn of(event: &'a TypedEvent) -> Subject<'a> {
        let mut subject = Subject {
            image: None,
            parent_image: None,
            command_line: None,
            target: None,
            registry: false,
        };
        match event {
            TypedEvent::ProcessStart(s) => {
                subject.image = Some(&s.image);
                subject.parent_image = s.parent_image.as_deref();
                subject.command_line = s.command_line.as_deref();
            }
            TypedEvent::Registry(c) => {
                subject.image = c.image.as_deref();
                subject.target = Some(&c.target);
                subject.registry = true;
            }
            TypedEvent::Network(n) => subject.image = Some(&n.image),
            TypedEvent::ModuleLoad(m) => {
                subject.image = Some(&m.image);
                subject.target = Some(&m.module);
            }
            TypedEvent::FileCreate(f) => {
                subject.image = Some(&f.image);
                subject.target = Some(&f.target_filename);
            }
            TypedEvent::DnsQuery(d) => {
                subject.image = Some(&d.image);
                subject.target = Some(&d.query_name);
            }
            TypedEvent::OfficeAlert(_) => {}
        }
        subject
    }
}

/// A row for `record` with its identity filled in.
fn base_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    data_type: &'static str,
    message: String,
    severity: Severity,
) -> Event {
    let time = match record.timestamp {
        Some(timestamp) => (timestamp, desc::RECORDED),
        None => (Timestamp::UNIX_EPOCH, desc::NOT_A_TIME),
    };
    let mut row = Event::new(
        &profile.technique,
        severity,
        data_type,
        message,
        time,
        ctx.evidence,
        ctx.source_path,
    );
    row.host = (!record.computer.is_empty()).then(|| record.computer.clone());
    // Sysmon's own record is written by its service (S-1-5-18): the user is in its data.
    if !record.channel.eq_ignore_ascii_case(typed::SYSMON) {
        row.user.clone_from(&record.user_sid);
    }
    row.fields = EventFields {
        channel: Some(record.channel.clone()),
        source_name: Some(record.provider.clone()),
        event_identifier: Some(record.event_id),
        record_number: Some(record.record_id),
        computer_name: Some(record.computer.clone()),
        xml_string: Some(record.xml.clone()),
        ..EventFields::default()
    };
    row
}

/// Fills the process fields of a row.
fn process_fields(event: &mut Event, start: &ProcessStart) {
    let f = &mut event.fields;
    f.image = Some(start.image.clone());
    f.command = start.command_line.clone();
    f.parent_image = start.parent_image.clone();
    f.parent_command_line = start.parent_command_line.clone();
    f.process_id = start.process_id;
    f.process_guid = start.process_guid.clone();
    f.parent_process_id = start.parent_process_id;
    f.parent_process_guid = start.parent_process_guid.clone();
    f.logon_id = start.logon_id.clone();
    f.hashes = start.hashes.clone();
    if start.user.is_some() {
        event.user = start.user.clone();
    }
}

/// What the event says, in one line.
fn describe(record: &EventRecord, event: &TypedEvent) -> String {
    match event {
        TypedEvent::ProcessStart(s) => {
            let parent = s
                .parent_image
                .as_deref()
                .map_or("unknown parent", file_name);
            let recovered = match s.parent_recovered {
                Some(ParentMatch::SameLogon) => " (parent from an earlier 4688 record)",
                Some(ParentMatch::ProcessIdOnly) => {
                    " (parent from an earlier 4688 record, matched by process ID only)"
                }
                None => "",
            };
            format!(
                "{parent} started {}{recovered}: {}",
                file_name(&s.image),
                s.command_line.as_deref().unwrap_or(&s.image)
            )
        }
        TypedEvent::Registry(c) => {
            let who = c.image.as_deref().map_or("a process", file_name);
            if c.is_deletion() {
                format!("{who} {} {}", c.operation, c.target)
            } else {
                format!(
                    "{who} set {} = {}",
                    c.target,
                    c.details.as_deref().unwrap_or_default()
                )
            }
        }
        TypedEvent::Network(n) => {
            let host = n
                .destination_hostname
                .as_deref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            let port = n
                .destination_port
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            format!(
                "{} connected to {}{port}{host}",
                file_name(&n.image),
                n.destination_ip
            )
        }
        TypedEvent::ModuleLoad(m) => format!("{} loaded {}", file_name(&m.image), m.module),
        TypedEvent::FileCreate(f) => {
            format!("{} created {}", file_name(&f.image), f.target_filename)
        }
        TypedEvent::DnsQuery(d) => format!(
            "{} looked up {}: {}",
            file_name(&d.image),
            d.query_name,
            d.query_results.as_deref().unwrap_or("no answer logged")
        ),
        TypedEvent::OfficeAlert(a) => {
            format!(
                "{} alert (record {}): {}",
                a.application, record.record_id, a.text
            )
        }
    }
}

/// The `data_type` of process-start rows.
pub(super) const PROCESS_START: &str = "ddesweep:eventlog:process_start";

/// The `data_type` of a finding on `event`.
fn finding_type(event: &TypedEvent) -> &'static str {
    match event {
        TypedEvent::ProcessStart(_) => PROCESS_START,
        TypedEvent::Registry(_) => "ddesweep:eventlog:registry_change",
        TypedEvent::Network(_) => "ddesweep:eventlog:network_connection",
        TypedEvent::ModuleLoad(_) => "ddesweep:eventlog:module_load",
        TypedEvent::OfficeAlert(_) => "ddesweep:eventlog:office_alert",
        TypedEvent::FileCreate(_) => "ddesweep:eventlog:file_create",
        TypedEvent::DnsQuery(_) => "ddesweep:eventlog:dns_query",
    }
}

/// The row of one finding.
pub(super) fn finding_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    event: &TypedEvent,
    finding: &LogFinding,
) -> Event {
    let message = format!("{} [{}]", describe(record, event), finding.why);
    let mut row = base_row(
        profile,
        ctx,
        record,
        finding_type(event),
        message,
        finding.severity,
    );
    row.set_rule(&finding.rule);
    row.fields.markers = (!finding.markers.is_empty()).then(|| finding.markers.join(","));
    match event {
        TypedEvent::ProcessStart(start) => process_fields(&mut row, start),
        TypedEvent::Registry(change) => {
            row.fields.registry_key = Some(change.target.clone());
            row.fields.value = change.details.clone();
            row.fields.image = change.image.clone();
            row.fields.process_id = change.process_id;
            row.fields.process_guid = change.process_guid.clone();
            if change.user.is_some() {
                row.user = change.user.clone();
            } else if row.user.is_none() {
                row.user = user_hive_sid(&change.target);
            }
        }
        TypedEvent::Network(n) => {
            row.fields.image = Some(n.image.clone());
            row.fields.process_id = n.process_id;
            row.fields.process_guid = n.process_guid.clone();
            row.fields.destination = Some(match n.destination_port {
                Some(port) => format!("{}:{port}", n.destination_ip),
                None => n.destination_ip.clone(),
            });
            row.fields.destination_hostname = n.destination_hostname.clone();
            if n.user.is_some() {
                row.user = n.user.clone();
            }
        }
        TypedEvent::ModuleLoad(m) => {
            row.fields.image = Some(m.image.clone());
            row.fields.module = Some(m.module.clone());
            row.fields.process_id = m.process_id;
            row.fields.process_guid = m.process_guid.clone();
            row.fields.hashes = m.hashes.clone();
            if m.user.is_some() {
                row.user = m.user.clone();
            }
        }
        TypedEvent::FileCreate(f) => file_fields(&mut row, f),
        TypedEvent::DnsQuery(d) => {
            row.fields.image = Some(d.image.clone());
            row.fields.process_id = d.process_id;
            row.fields.process_guid = d.process_guid.clone();
            row.fields.destination_hostname = Some(d.query_name.clone());
            row.fields.value = d.query_results.clone();
            if d.user.is_some() {
                row.user = d.user.clone();
            }
        }
        TypedEvent::OfficeAlert(_) => {}
    }
    row
}

/// Fills the fields of a file creation.
fn file_fields(row: &mut Event, file: &FileCreate) {
    row.fields.image = Some(file.image.clone());
    row.fields.process_id = file.process_id;
    row.fields.process_guid = file.process_guid.clone();
    row.fields.target_file = Some(file.target_filename.clone());
    if file.user.is_some() {
        row.user = file.user.clone();
    }
}

/// The context row of an Office application saving an e-mail attachment into Outlook's
/// attachment cache: `document` is the saved file, so that it joins the document by name.
pub(super) fn attachment_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    file: &FileCreate,
) -> Event {
    let message = format!(
        "{} saved e-mail attachment {}",
        file_name(&file.image),
        file.target_filename
    );
    let mut row = base_row(
        profile,
        ctx,
        record,
        "ddesweep:eventlog:attachment_saved",
        message,
        Severity::Info,
    );
    row.tags.push("context".to_owned());
    row.tags.push("email_attachment".to_owned());
    file_fields(&mut row, file);
    row.fields.document = Some(file.target_filename.clone());
    row
}

/// The context row of an Office start that opened `document`.
pub(super) fn document_open_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    start: &ProcessStart,
    document: String,
) -> Event {
    let message = format!("{} opened {document}", file_name(&start.image));
    let mut row = base_row(
        profile,
        ctx,
        record,
        "ddesweep:eventlog:office_document_open",
        message,
        Severity::Info,
    );
    row.tags.push("context".to_owned());
    process_fields(&mut row, start);
    row.fields.document = Some(document);
    row
}

/// The context row of an Office prompt about links or DDE.
pub(super) fn alert_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    alert: &OfficeAlert,
    markers: &[String],
) -> Event {
    let message = format!("{} prompted the user: {}", alert.application, alert.text);
    let mut row = base_row(
        profile,
        ctx,
        record,
        "ddesweep:eventlog:office_alert",
        message,
        Severity::Info,
    );
    row.tags.push("context".to_owned());
    row.tags.push(profile.eventlog.office_alerts.tag.clone());
    row.fields.markers = Some(markers.join(","));
    row
}

/// The SID of a user hive path (`HKU\<SID>\...`, `\REGISTRY\USER\<SID>\...`).
fn user_hive_sid(target: &str) -> Option<String> {
    let rest = ["HKU\\", "HKEY_USERS\\", "\\REGISTRY\\USER\\"]
        .iter()
        .find_map(|prefix| {
            target
                .get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| &target[prefix.len()..])
        })?;
    let sid = rest.split('\\').next()?;
    sid.starts_with("S-1-").then(|| sid.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_hive_paths_give_their_sid() {
        assert_eq!(
            user_hive_sid(r"HKU\S-1-5-21-1-2-3-1104\Software\x").as_deref(),
            Some("S-1-5-21-1-2-3-1104")
        );
        assert_eq!(
            user_hive_sid(r"\REGISTRY\USER\S-1-5-21-9\Software").as_deref(),
            Some("S-1-5-21-9")
        );
        assert_eq!(user_hive_sid(r"HKLM\SOFTWARE\x"), None);
        assert_eq!(user_hive_sid(r"HKU\.DEFAULT\x"), None);
    }
}
