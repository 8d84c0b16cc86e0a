//! The timeline follows DESIGN.md's event schema and Timesketch accepts it.

use std::path::Path;

use crate::util::{scan, testdata};

const REQUIRED: &[&str] = &[
    "message",
    "datetime",
    "timestamp",
    "timestamp_desc",
    "data_type",
    "tag",
    "severity",
    "evidence",
    "source_path",
];

#[test]
fn every_row_has_the_schema() {
    let run = scan(
        &[
            &testdata("documents/positive"),
            &testdata("sample-evidence"),
            &testdata("images/ntfs-gpt.raw"),
            &testdata("evtx/positive/sysmon-office-tree.evtx"),
        ],
        &[],
    );
    assert!(!run.rows.is_empty());
    // The process-tree log's rows are among them (the tree's families and context rows).
    for data_type in [
        "ddesweep:eventlog:attachment_saved",
        "ddesweep:eventlog:dns_query",
        "ddesweep:eventlog:file_create",
    ] {
        assert!(
            run.rows.iter().any(|r| r["data_type"] == data_type),
            "no {data_type} row"
        );
    }
    let mut previous = i64::MIN;
    for row in &run.rows {
        let object = row.as_object().unwrap();
        for key in REQUIRED {
            assert!(object.contains_key(*key), "{key} missing in {row}");
        }
        for key in object.keys() {
            assert!(
                ddesweep::output::timesketch::COLUMNS.contains(&key.as_str()),
                "unexpected key {key}"
            );
        }
        let datetime = row["datetime"].as_str().unwrap();
        let timestamp = row["timestamp"].as_i64().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(datetime).unwrap();
        assert_eq!(parsed.timestamp_micros(), timestamp, "{datetime}");
        assert!(
            datetime.ends_with("+00:00") && datetime.len() == 32,
            "{datetime}"
        );
        assert!(timestamp >= previous, "rows sorted by time");
        previous = timestamp;
        assert!(row["data_type"].as_str().unwrap().starts_with("ddesweep:"));
        let data_type = row["data_type"].as_str().unwrap();
        // Timestomping is its own technique; everything else is DDE.
        let technique = if data_type == "ddesweep:file:timestomp" {
            "T1070.006"
        } else {
            "T1559.002"
        };
        assert_eq!(row["tag"][0], technique, "{row}");
        if row["severity"] == "info" {
            let context_types = [
                "ddesweep:file:stat",
                "ddesweep:file:mark_of_the_web",
                "ddesweep:eventlog:office_document_open",
                "ddesweep:eventlog:office_alert",
                "ddesweep:eventlog:attachment_saved",
                "ddesweep:registry:office_setting",
                "ddesweep:registry:trusted_document",
                "ddesweep:registry:office_mru",
                "ddesweep:registry:equation_editor",
                "ddesweep:prefetch:execution",
            ];
            assert!(context_types.contains(&data_type), "{row}");
            assert!(row["tag"].as_array().unwrap().contains(&"context".into()));
        } else {
            let family = data_type.split(':').nth(1).unwrap();
            let keys: &[&str] = match family {
                "eventlog" => &[
                    "rule_id",
                    "rule_title",
                    "confidence",
                    "channel",
                    "source_name",
                    "event_identifier",
                    "record_number",
                    "computer_name",
                    "xml_string",
                ],
                "registry" => &[
                    "rule_id",
                    "rule_title",
                    "confidence",
                    "registry_key",
                    "value",
                ],
                "prefetch" => &["rule_id", "rule_title", "confidence", "image", "value"],
                "file" => &[
                    "rule_id",
                    "rule_title",
                    "confidence",
                    "mft_record",
                    "mft_attribute",
                ],
                _ => &[
                    "rule_id",
                    "rule_title",
                    "confidence",
                    "command",
                    "sha256",
                    "offset",
                ],
            };
            for key in keys {
                assert!(object.contains_key(*key), "{key} missing in finding {row}");
            }
        }
    }
}

#[test]
fn context_rows_carry_the_file_times() {
    let file = testdata("documents/positive/csv-cmd.csv");
    let run = scan(&[&file], &[]);
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let micros = modified
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    let finding = run.rows.iter().find(|r| r["severity"] != "info").unwrap();
    assert_eq!(finding["timestamp"], micros);
    assert_eq!(finding["timestamp_desc"], "Content Modification Time");
    let descs: Vec<&str> = run
        .rows
        .iter()
        .filter(|r| r["data_type"] == "ddesweep:file:stat")
        .map(|r| r["timestamp_desc"].as_str().unwrap())
        .collect();
    for desc in [
        "Content Modification Time",
        "Last Access Time",
        "Metadata Modification Time",
    ] {
        assert!(descs.contains(&desc), "{desc} in {descs:?}");
    }
    let stat = run
        .rows
        .iter()
        .find(|r| r["timestamp_desc"] == "Content Modification Time" && r["severity"] == "info")
        .unwrap();
    assert_eq!(stat["timestamp"], micros);
    assert_eq!(
        stat["message"],
        "Content Modification Time of DDE document csv-cmd.csv (1 finding)"
    );
}

/// Timesketch's own importers accept every row (skips when the checker is not beside the repo).
#[test]
fn timesketch_accepts_the_timeline() {
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/timesketch-check");
    if !checker.exists() {
        eprintln!("skipped: {} not found", checker.display());
        return;
    }
    let evidence = [
        testdata("documents"),
        testdata("sample-evidence"),
        testdata("images/ntfs-mbr.E01"),
    ];
    let evidence: Vec<&Path> = evidence.iter().map(|p| p.as_path()).collect();
    let jsonl = scan(&evidence, &[]);
    let csv = scan(&evidence, &["--format", "csv"]);
    let output = std::process::Command::new("bash")
        .arg(&checker)
        .arg(jsonl.out.path().join("timeline.jsonl"))
        .arg(csv.out.path().join("timeline.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = jsonl.rows.len();
    assert!(
        stdout.contains(&format!(
            "timeline.jsonl: Timesketch accepted {rows} of {rows} rows"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "timeline.csv: Timesketch accepted {rows} of {rows} rows"
        )),
        "{stdout}"
    );
}
