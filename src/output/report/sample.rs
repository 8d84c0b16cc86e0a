//! A hand-built report for the renderers' unit tests: one host to escalate (one incident, hostile
//! text in messages, paths and commands), one to investigate, one with no evidence.

use crate::correlate::model::*;
use crate::profile::{Confidence, Severity};

/// Hostile evidence text the renderers must quote, never run.
pub const SCRIPT: &str = "<script>alert(1)</script>";
/// Hostile evidence text that tries to leave an attribute.
pub const IMG: &str = "\"><img src=x onerror=alert(1)>";

/// 2024-03-01T10:15:00Z in microseconds.
const T0: i64 = 1_709_288_100_000_000;

fn row(n: i64, stage: Stage, severity: Severity, message: &str) -> IncidentRow {
    let timestamp = T0 + n * 37_000_000;
    IncidentRow {
        row_id: format!("r{n:02}"),
        datetime: crate::time::Timestamp::from_unix_micros(timestamp)
            .unwrap()
            .to_rfc3339(),
        timestamp,
        timestamp_desc: "Recorded Time".to_owned(),
        stage,
        severity,
        message: message.to_owned(),
        data_type: "ddesweep:test".to_owned(),
    }
}

fn origin() -> DocumentOrigin {
    DocumentOrigin {
        paths: vec![format!("C:\\Users\\bob\\Downloads\\Invoice{IMG}.docx")],
        sha256: "ab".repeat(32),
        commands: vec![format!("cmd.exe /c calc {SCRIPT}")],
        origin: "web download".to_owned(),
        origin_detail: "Mark of the Web zone 3".to_owned(),
        zone_id: Some(3),
        host_url: Some("http://evil.example/Invoice.docx".to_owned()),
        referrer_url: None,
        trusted: false,
        opened: true,
        rows: vec!["r01".to_owned()],
    }
}

fn process() -> ProcessEntry {
    ProcessEntry {
        started: "2024-03-01T10:17:28+00:00".to_owned(),
        image: "C:\\Windows\\System32\\cmd.exe".to_owned(),
        command: format!("cmd.exe /c calc {SCRIPT} | more"),
        process_id: Some(4242),
        process_guid: Some("{11111111-2222-3333-4444-555555555555}".to_owned()),
        parent_image: Some("WINWORD.EXE".to_owned()),
        parent_process_id: Some(1000),
        user: Some("CORP\\bob".to_owned()),
        rule_id: Some("ddesweep.process.office_child".to_owned()),
        row_id: "r04".to_owned(),
    }
}

fn incident() -> Incident {
    Incident {
        id: "WS01-1".to_owned(),
        title: format!("Invoice.docx ran cmd.exe {IMG}"),
        confidence: Confidence::High,
        severity: Severity::Critical,
        escalate: true,
        first_seen: "2024-03-01T10:15:37+00:00".to_owned(),
        last_seen: "2024-03-01T10:19:56+00:00".to_owned(),
        users: vec!["CORP\\bob".to_owned()],
        document: Some(origin()),
        narrative: vec![
            "Invoice.docx was downloaded.".to_owned(),
            format!("WINWORD.EXE started cmd.exe {SCRIPT}."),
        ],
        rows: vec![
            row(
                1,
                Stage::Delivery,
                Severity::Medium,
                "Zone.Identifier on Invoice.docx",
            ),
            row(
                2,
                Stage::Document,
                Severity::High,
                "DDE formula =cmd|'/c calc'!A0",
            ),
            row(
                3,
                Stage::Opened,
                Severity::Low,
                "WINWORD.EXE opened Invoice.docx",
            ),
            row(
                4,
                Stage::Execution,
                Severity::Critical,
                &format!("WINWORD.EXE started cmd.exe {SCRIPT}"),
            ),
            row(
                5,
                Stage::Descendant,
                Severity::High,
                &format!("cmd.exe started powershell {IMG}"),
            ),
            row(
                6,
                Stage::Activity,
                Severity::High,
                "powershell.exe resolved evil.example",
            ),
            row(
                7,
                Stage::Memory,
                Severity::Medium,
                "DDEAUTO field text in memory\nsecond line",
            ),
        ],
        rows_omitted: 0,
    }
}

/// The sample report.
pub fn report() -> Report {
    let ws01 = HostReport {
        host: "WS01".to_owned(),
        names: vec!["WS01".to_owned(), "ws01.corp.example".to_owned()],
        evidence: vec!["ws01.E01".to_owned()],
        verdict: Verdict::Escalate,
        reasons: vec![Reason {
            text: format!("An Office application started a shell {SCRIPT}."),
            verdict: Verdict::Escalate,
            rows: vec!["r04".to_owned(), "r05".to_owned()],
        }],
        incidents: vec![incident()],
        playbook: Playbook {
            document_origins: vec![origin()],
            activity_per_day: vec![DayActivity {
                date: "2024-03-01".to_owned(),
                documents: 1,
                processes: 2,
                registry: 0,
                other: 3,
                total: 6,
                above_baseline: true,
            }],
            baseline: "No earlier DDE activity: any activity stands above the baseline."
                .to_owned(),
            office_children: vec![process()],
            phishing: vec![PhishingLink {
                incident: "WS01-1".to_owned(),
                document: "C:\\Users\\bob\\Downloads\\Invoice.docx".to_owned(),
                via: "web download".to_owned(),
                payload_indicators: vec!["evil.example".to_owned()],
                text: "Downloaded from evil.example, whose payload it ran.".to_owned(),
                rows: vec!["r01".to_owned(), "r06".to_owned()],
            }],
        },
        containment: Containment {
            isolate_host: Some("Confirmed DDE execution.".to_owned()),
            processes: vec![process()],
            files: vec![FileToQuarantine {
                path: format!("C:\\Users\\bob\\Downloads\\Invoice{IMG}.docx"),
                sha256: Some("ab".repeat(32)),
                why: "The DDE document.".to_owned(),
                rows: vec!["r02".to_owned()],
            }],
            accounts: vec![Account {
                user: "CORP\\bob".to_owned(),
                sid: Some("S-1-5-21-1-2-3-1001".to_owned()),
                why: "Opened the document.".to_owned(),
            }],
            settings_to_revert: vec![SettingToRevert {
                key: "HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\AllowDDE".to_owned(),
                value: "DWORD (0x00000001)".to_owned(),
                set_at: "2024-03-01T10:10:00+00:00".to_owned(),
                explained: false,
                row_id: "r00".to_owned(),
            }],
            persistence: vec![PersistenceCheck {
                location: "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run".to_owned(),
                why: "Profile default.".to_owned(),
                rows: vec![],
            }],
            block: vec!["evil.example".to_owned()],
        },
        excluded: vec![ExcludedCount {
            exclusion: "sccm-client".to_owned(),
            hits: 2,
        }],
        rows: 40,
        findings: 7,
    };
    let ws02 = HostReport {
        host: "WS02".to_owned(),
        names: vec!["WS02".to_owned()],
        evidence: vec!["ws02-triage".to_owned()],
        verdict: Verdict::Investigate,
        reasons: vec![Reason {
            text: "A DDE document that no trace shows opened.".to_owned(),
            verdict: Verdict::Investigate,
            rows: vec!["r50".to_owned()],
        }],
        incidents: vec![],
        playbook: Playbook::default(),
        containment: Containment::default(),
        excluded: vec![],
        rows: 3,
        findings: 1,
    };
    let ws03 = HostReport {
        host: "WS03".to_owned(),
        names: vec![],
        evidence: vec!["ws03.raw".to_owned()],
        verdict: Verdict::NoEvidence,
        reasons: vec![],
        incidents: vec![],
        playbook: Playbook::default(),
        containment: Containment::default(),
        excluded: vec![],
        rows: 0,
        findings: 0,
    };
    Report {
        schema: SCHEMA,
        tool: "ddesweep",
        version: "0.1.0",
        profile: ProfileRef {
            name: "default".to_owned(),
            sha256: "cd".repeat(32),
        },
        evidence: vec![
            "ws01.E01".to_owned(),
            "ws02-triage".to_owned(),
            "ws03.raw".to_owned(),
        ],
        summary: Summary {
            hosts: 3,
            escalate: 1,
            investigate: 1,
            no_evidence: 1,
            incidents: 1,
            iocs: 2,
        },
        hosts: vec![ws01, ws02, ws03],
        iocs: vec![
            Ioc {
                kind: IocKind::Command,
                value: "=cmd|'/c calc'!A0".to_owned(),
                context: "DDE payload of Invoice.docx".to_owned(),
                hosts: vec!["WS01".to_owned(), "WS02".to_owned()],
                incidents: vec!["WS01-1".to_owned()],
                first_seen: "2024-03-01T10:16:14+00:00".to_owned(),
                rows: vec!["r02".to_owned()],
                occurrences: 1,
            },
            Ioc {
                kind: IocKind::Domain,
                value: "evil.example".to_owned(),
                context: format!("Sysmon 22 query by powershell.exe {SCRIPT}"),
                hosts: vec!["WS01".to_owned()],
                incidents: vec!["WS01-1".to_owned()],
                first_seen: "2024-03-01T10:18:42+00:00".to_owned(),
                rows: vec!["r06".to_owned()],
                occurrences: 1,
            },
        ],
    }
}
