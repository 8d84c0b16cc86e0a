//! Prefetch on the generated files of `testdata/prefetch` (versions 17, 23, 26 and 30, MAM
//! compressed and not, hostile) and the real version 17 file of `../shared/corpus/other`.

use std::path::Path;
use std::sync::OnceLock;

use crate::util::{Scan, scan, testdata};

fn prefetch_scan() -> &'static Scan {
    static SCAN: OnceLock<Scan> = OnceLock::new();
    SCAN.get_or_init(|| scan(&[&testdata("prefetch")], &[]))
}

/// (datetime, timestamp_desc, severity) of the rows of `file`, in time order.
fn runs(file: &str) -> Vec<(String, String, String)> {
    prefetch_scan()
        .rows
        .iter()
        .filter(|r| r["source_path"] == file)
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("datetime"), text("timestamp_desc"), text("severity"))
        })
        .collect()
}

fn run(time: &str, last: bool, severity: &str) -> (String, String, String) {
    (
        format!("{time}.000000+00:00"),
        if last {
            "Last Time Executed"
        } else {
            "Previous Last Time Executed"
        }
        .to_owned(),
        severity.to_owned(),
    )
}

#[test]
fn equation_editor_prefetch_is_a_finding_at_its_last_run() {
    let compressed = "EQNEDT32.EXE-A1B2C3D4.pf";
    assert_eq!(
        runs(compressed),
        [
            run("2024-02-20T08:45:30", false, "info"),
            run("2024-02-27T14:03:11", false, "info"),
            run("2024-03-04T09:12:05", true, "high"),
        ]
    );
    let artifact = prefetch_scan().artifact(compressed);
    assert_eq!(artifact["format"], "prefetch (MAM)");
    assert_eq!(
        artifact["reason"],
        "EQNEDT32.EXE version 30: run count 3, 3 run time(s)"
    );
    let last = prefetch_scan()
        .rows
        .iter()
        .find(|r| r["source_path"] == compressed && r["severity"] == "high")
        .unwrap();
    assert_eq!(last["rule_id"], "ddesweep.eventlog.equation_editor_process");
    assert_eq!(last["image"], "EQNEDT32.EXE");
    assert_eq!(last["value"], "run count 3");
    // The Click-to-Run path hash, version 23, uncompressed.
    assert_eq!(
        runs("EQNEDT32.EXE-0C0FFEE0.pf"),
        [run("2023-11-14T16:20:41", true, "high")]
    );
}

#[test]
fn shells_are_context_and_other_programs_are_silent() {
    let cmd = runs("CMD.EXE-4A81B364.pf");
    assert_eq!(cmd.len(), 8);
    assert_eq!(cmd[7], run("2024-03-04T09:12:04", true, "info"));
    assert_eq!(cmd[0], run("2024-02-08T09:49:38", false, "info"));
    assert_eq!(runs("POWERSHELL.EXE-022A1004.pf").len(), 5);
    assert_eq!(
        runs("CERTUTIL.EXE-9E1C2B7D.pf"),
        [run("2012-05-16T13:48:09", true, "info")]
    );
    assert!(runs("NOTEPAD.EXE-D8414F97.pf").is_empty());
    assert_eq!(
        prefetch_scan().artifact("NOTEPAD.EXE-D8414F97.pf")["status"],
        "analyzed"
    );
}

#[test]
fn damaged_prefetch_fails_with_a_reason() {
    let bad = prefetch_scan().artifact("hostile/bad-mam.pf");
    assert_eq!(bad["status"], "failed");
    assert!(
        bad["reason"].as_str().unwrap().contains("over the limit"),
        "{bad}"
    );
    let cut = prefetch_scan().artifact("hostile/truncated.pf");
    assert_eq!(cut["status"], "failed");
    assert!(
        cut["reason"].as_str().unwrap().contains("MAM stream ends"),
        "{cut}"
    );
}

#[test]
fn real_version_17_prefetch() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/other");
    if !corpus.join("CMD.EXE-087B4001.pf").is_file() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let run = scan(&[&corpus], &[]);
    let artifact = run.artifact("CMD.EXE-087B4001.pf");
    assert_eq!(artifact["status"], "analyzed");
    assert_eq!(
        artifact["reason"],
        "CMD.EXE version 17: run count 2, 1 run time(s)"
    );
    let rows: Vec<&str> = run
        .rows
        .iter()
        .map(|r| r["datetime"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["2013-03-10T10:11:49.281250+00:00"]);
}
