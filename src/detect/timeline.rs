//! Timeline events: findings and file times as rows, before any output format.
//!
//! A finding is timed at the document's content modification time (the best "when did this
//! document arrive or change" the file system offers; creation, change or access time stand in
//! when it is missing, and a row with no time at all says "Not a time"). Each DDE document also
//! gets one context row per file time it has (MACB), so the analyst sees when it appeared,
//! changed and was last read. Pure: the caller supplies the times.

use crate::evidence::FileTimes;
use crate::profile::{Confidence, Profile, Rule, Severity};
use crate::time::Timestamp;

use super::{Finding, FindingKind};

/// plaso's timestamp descriptions used by ddesweep.
pub mod desc {
    /// File content last modified (M).
    pub const MODIFICATION: &str = "Content Modification Time";
    /// File last accessed (A).
    pub const ACCESS: &str = "Last Access Time";
    /// File metadata last changed (C).
    pub const CHANGE: &str = "Metadata Modification Time";
    /// File created (B).
    pub const CREATION: &str = "Creation Time";
    /// No time is known.
    pub const NOT_A_TIME: &str = "Not a time";
    /// An event log record was written.
    pub const RECORDED: &str = "Recorded Time";
    /// A program's latest run (prefetch).
    pub const LAST_EXECUTED: &str = "Last Time Executed";
    /// An earlier run of a program (prefetch).
    pub const PREVIOUS_EXECUTED: &str = "Previous Last Time Executed";
    /// A carved string has no time of its own: the acquisition time given with
    /// `--acquired-at`.
    pub const ACQUISITION: &str = "Acquisition Time";
    /// A carved string has no time of its own: the dump file's modification time stands for
    /// the acquisition.
    pub const ACQUISITION_FILE_TIME: &str = "Acquisition Time (dump file modified)";
    /// A carved string of a file or the free space of a disk image: the image file's
    /// modification time stands for the acquisition.
    pub const ACQUISITION_IMAGE_TIME: &str = "Acquisition Time (image file modified)";
}

/// One timeline row, in ddesweep's terms (`output/` maps it to the wire format).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Event {
    /// When.
    pub timestamp: Timestamp,
    /// What the time means (plaso's words).
    pub timestamp_desc: &'static str,
    /// `ddesweep:<family>:<what>`.
    pub data_type: &'static str,
    /// One human line.
    pub message: String,
    /// Tags: the technique, the severity, `context` for context rows.
    pub tags: Vec<String>,
    /// Severity (`info` for context rows).
    pub severity: Severity,
    /// Confidence, for findings.
    pub confidence: Option<Confidence>,
    /// Rule id, for findings.
    pub rule_id: Option<String>,
    /// Rule title, for findings.
    pub rule_title: Option<String>,
    /// The evidence item, as named on the command line.
    pub evidence: String,
    /// The path inside the evidence.
    pub source_path: String,
    /// Host name, where known.
    pub host: Option<String>,
    /// User, where known.
    pub user: Option<String>,
    /// Byte offset inside the part or file, where it applies.
    pub offset: Option<u64>,
    /// Details.
    pub fields: EventFields,
    /// A stable id of the row (set by correlation, once every row is known; empty before).
    pub row_id: String,
    /// The incidents the row belongs to, comma-separated (set by correlation).
    pub incident: Option<String>,
}

/// The detail fields a row may carry (flat and few: Timesketch caps an index's fields). They
/// serialise as the timeline's detail columns, absent where `None`.
#[derive(Clone, Debug, Default, Eq, PartialEq, serde::Serialize)]
pub struct EventFields {
    /// The command a DDE construct runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The field instruction, link or formula as found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_code: Option<String>,
    /// DDE service (program).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dde_service: Option<String>,
    /// DDE topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dde_topic: Option<String>,
    /// DDE item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dde_item: Option<String>,
    /// Package part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Cell or defined name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Escalation markers in the command, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markers: Option<String>,
    /// SHA-256 of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// File size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// Document format (`docx`, `xlsx`, `rtf`, `csv`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_format: Option<&'static str>,
    /// Event log channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Event provider (plaso's `source_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Event ID (plaso's `event_identifier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_identifier: Option<u32>,
    /// Event record number (plaso's `record_number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_number: Option<u64>,
    /// Computer that logged the event (plaso's `computer_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computer_name: Option<String>,
    /// Process image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Parent process image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_image: Option<String>,
    /// Parent process command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_command_line: Option<String>,
    /// Process ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_id: Option<u64>,
    /// Process GUID (Sysmon).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_guid: Option<String>,
    /// Parent process ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_process_id: Option<u64>,
    /// Parent process GUID (Sysmon).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_process_guid: Option<String>,
    /// Logon ID of the process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logon_id: Option<String>,
    /// Image hashes (Sysmon `Hashes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hashes: Option<String>,
    /// Registry path of a value or key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_key: Option<String>,
    /// Registry data written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Network destination (`ip:port`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Network destination host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_hostname: Option<String>,
    /// Module (DLL) loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// Document a process opened (from its command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// A file a process created (Sysmon 11 `TargetFilename`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_file: Option<String>,
    /// The event record as XML (what Timesketch's Sigma mappings search).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xml_string: Option<String>,
    /// The SID of the row's user (from a SOFTWARE hive's ProfileList of the same evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_sid: Option<String>,
    /// Byte offset of the NTFS volume in its disk image (the partition's offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_offset: Option<u64>,
    /// MFT record number of the file in its NTFS volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mft_record: Option<u64>,
    /// The NTFS attribute a file-time row comes from (`$STANDARD_INFORMATION`, `$FILE_NAME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mft_attribute: Option<&'static str>,
    /// Mark of the Web: the URL zone the file was saved from (3 = internet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<u32>,
    /// Mark of the Web: the address the file was downloaded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_url: Option<String>,
    /// Mark of the Web: the page the download started from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<String>,
    /// A carved string: the printable text around the hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carved_text: Option<String>,
    /// A carved string's encoding (`ascii`, `utf-16le`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_encoding: Option<&'static str>,
    /// How many times a carved string was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_count: Option<u64>,
    /// Where a carved string was found: byte offsets, comma-separated (the first ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_offsets: Option<String>,
}

impl Event {
    /// A row of `severity` for a file of the evidence, without rule, host, user, offset or
    /// details: tagged with `technique` and the severity, at `time` (when, and what it means).
    pub fn new(
        technique: &str,
        severity: Severity,
        data_type: &'static str,
        message: String,
        time: (Timestamp, &'static str),
        evidence: &str,
        source_path: &str,
    ) -> Event {
        Event {
            timestamp: time.0,
            timestamp_desc: time.1,
            data_type,
            message,
            tags: vec![technique.to_owned(), severity.name().to_owned()],
            severity,
            confidence: None,
            rule_id: None,
            rule_title: None,
            evidence: evidence.to_owned(),
            source_path: source_path.to_owned(),
            host: None,
            user: None,
            offset: None,
            fields: EventFields::default(),
            row_id: String::new(),
            incident: None,
        }
    }

    /// Makes the row a finding of `rule` (its id, title and confidence).
    pub fn set_rule(&mut self, rule: &Rule) {
        self.rule_id = Some(rule.id.clone());
        self.rule_title = Some(rule.title.clone());
        self.confidence = Some(rule.confidence);
    }

    /// Whether the row is a finding rather than context (its severity is above info).
    pub fn is_finding(&self) -> bool {
        self.severity > Severity::Info
    }

    /// The order rows are written in: time, then a key that is stable across runs and thread
    /// counts.
    #[allow(clippy::type_complexity)]
    pub fn sort_key(
        &self,
    ) -> (
        Timestamp,
        &str,
        &str,
        Option<u64>,
        Option<u64>,
        &str,
        Option<&str>,
        &str,
    ) {
        (
            self.timestamp,
            &self.evidence,
            &self.source_path,
            self.offset,
            self.fields.record_number,
            self.data_type,
            self.rule_id.as_deref(),
            &self.message,
        )
    }
}

/// The file a document's findings came from.
#[derive(Clone, Debug)]
pub struct DocumentContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The path inside it.
    pub source_path: &'a str,
    /// SHA-256 of the document.
    pub sha256: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// MACB times.
    pub times: FileTimes,
    /// Document format.
    pub format: &'static str,
}

/// The rows for one document: a row per finding, and context rows for its file times when it
/// has findings.
pub fn document_events(
    profile: &Profile,
    ctx: &DocumentContext<'_>,
    findings: &[Finding],
) -> Vec<Event> {
    if findings.is_empty() {
        return Vec::new();
    }
    let user = user_from_path(&profile.user_profile_roots, ctx.source_path);
    let (timestamp, timestamp_desc) = primary_time(&ctx.times);
    let base = |timestamp, timestamp_desc, data_type, message, severity: Severity| {
        let mut event = Event::new(
            &profile.technique,
            severity,
            data_type,
            message,
            (timestamp, timestamp_desc),
            ctx.evidence,
            ctx.source_path,
        );
        event.user.clone_from(&user);
        event.fields = EventFields {
            sha256: Some(ctx.sha256.to_owned()),
            file_size: Some(ctx.size),
            document_format: Some(ctx.format),
            ..EventFields::default()
        };
        event
    };
    let mut events: Vec<Event> = findings
        .iter()
        .map(|finding| {
            let mut event = base(
                timestamp,
                timestamp_desc,
                finding.kind.data_type(),
                finding_message(finding, ctx.source_path),
                finding.severity,
            );
            event.confidence = Some(finding.confidence);
            event.rule_id = Some(finding.rule_id.clone());
            event.rule_title = Some(finding.rule_title.clone());
            event.offset = Some(finding.offset);
            event.fields.command = Some(finding.command.clone());
            event.fields.field_code = Some(finding.field_code.clone());
            // Findings that are not DDE conversations (objects, links, encryption) have none.
            let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            event.fields.dde_service = non_empty(&finding.dde_service);
            event.fields.dde_topic = non_empty(&finding.dde_topic);
            event.fields.dde_item = finding.dde_item.clone();
            event.fields.part = finding.part.clone();
            event.fields.cell = finding.cell.clone();
            event.fields.markers = (!finding.markers.is_empty()).then(|| finding.markers.join(","));
            event
        })
        .collect();
    let times = [
        (ctx.times.modified, desc::MODIFICATION),
        (ctx.times.accessed, desc::ACCESS),
        (ctx.times.changed, desc::CHANGE),
        (ctx.times.born, desc::CREATION),
    ];
    for (time, description) in times {
        let Some(time) = time else { continue };
        let message = format!(
            "{description} of DDE document {} ({} finding{})",
            ctx.source_path,
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
        let mut event = base(
            time,
            description,
            "ddesweep:file:stat",
            message,
            Severity::Info,
        );
        event.tags.push("context".to_owned());
        events.push(event);
    }
    events
}

/// The time a finding is placed at, with its description.
fn primary_time(times: &FileTimes) -> (Timestamp, &'static str) {
    [
        (times.modified, desc::MODIFICATION),
        (times.born, desc::CREATION),
        (times.changed, desc::CHANGE),
        (times.accessed, desc::ACCESS),
    ]
    .into_iter()
    .find_map(|(time, description)| time.map(|t| (t, description)))
    .unwrap_or((Timestamp::UNIX_EPOCH, desc::NOT_A_TIME))
}

fn finding_message(finding: &Finding, source_path: &str) -> String {
    let what = match finding.kind {
        FindingKind::DdeField => {
            let keyword = finding
                .field_code
                .split_whitespace()
                .next()
                .unwrap_or("DDE");
            format!("{} field", keyword.to_uppercase())
        }
        FindingKind::DdeLink => "DDE link".to_owned(),
        FindingKind::DdeFormula => "DDE formula".to_owned(),
        FindingKind::EmbeddedObject => {
            return format!(
                "Equation Editor object in {source_path}{}: {}",
                place(finding),
                finding.field_code
            );
        }
        FindingKind::Encrypted => {
            return format!("Encrypted document {source_path}: {}", finding.field_code);
        }
        FindingKind::OleLink => {
            return format!(
                "Linked OLE object in {source_path}{} loads {}",
                place(finding),
                finding.command
            );
        }
        FindingKind::WebQuery => {
            return format!("Web query {source_path} fetches {}", finding.command);
        }
    };
    format!(
        "{what} in {source_path}{} runs: {}",
        place(finding),
        finding.command
    )
}

/// ` (part, cell)` where the finding has them.
fn place(finding: &Finding) -> String {
    match (&finding.part, &finding.cell) {
        (Some(part), Some(cell)) => format!(" ({part}, {cell})"),
        (Some(part), None) => format!(" ({part})"),
        (None, Some(cell)) => format!(" ({cell})"),
        (None, None) => String::new(),
    }
}

/// The user a path belongs to: the folder after a user-profile root (`Users/alice/...`).
pub fn user_from_path(roots: &[String], source_path: &str) -> Option<String> {
    let parts: Vec<&str> = source_path.split('/').collect();
    parts.windows(3).find_map(|w| match w {
        [root, user, _] if roots.iter().any(|r| r.eq_ignore_ascii_case(root)) => {
            Some((*user).to_owned())
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_comes_from_the_profile_folder() {
        let roots = vec!["Users".to_owned(), "Documents and Settings".to_owned()];
        assert_eq!(
            user_from_path(&roots, "C/Users/alice/Downloads/a.docx").as_deref(),
            Some("alice")
        );
        assert_eq!(
            user_from_path(&roots, "users/Bob/x.csv").as_deref(),
            Some("Bob")
        );
        assert_eq!(user_from_path(&roots, "Users/a.docx"), None);
        assert_eq!(user_from_path(&roots, "Temp/a.docx"), None);
    }

    #[test]
    fn missing_times_fall_back_in_order() {
        let t = Timestamp::from_unix_micros(5).unwrap();
        let times = FileTimes {
            changed: Some(t),
            ..FileTimes::default()
        };
        assert_eq!(primary_time(&times), (t, desc::CHANGE));
        assert_eq!(
            primary_time(&FileTimes::default()),
            (Timestamp::UNIX_EPOCH, desc::NOT_A_TIME)
        );
    }
}
