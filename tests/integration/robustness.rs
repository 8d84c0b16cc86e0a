//! Issue 9's guarantees over the real binary: evidence of every kind (folder, raw image, E01,
//! memory dump) is byte-for-byte and time-for-time the same after a scan; outputs are
//! byte-identical on 1, 2 and 8 threads and across runs; an artifact past its time bound ends
//! failed in the manifest with the bound; the exit codes are distinct.

use std::path::{Path, PathBuf};

use crate::util::{copy_tree, ddesweep, file_states, run_scan, scan, testdata};
use serde_json::Value;

/// The artifacts of evidence item `label` that were analysed.
fn analysed_in(manifest: &Value, label: &Path) -> usize {
    let label = label.display().to_string();
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["evidence"] == label.as_str() && a["status"] == "analyzed")
        .count()
}

#[test]
fn evidence_of_every_kind_is_unchanged_by_a_scan() {
    let evidence = tempfile::tempdir().unwrap();
    let folder = evidence.path().join("triage");
    copy_tree(&testdata("sample-evidence"), &folder);
    let raw = evidence.path().join("ntfs-mbr.raw");
    let e01 = evidence.path().join("ntfs-mbr.E01");
    let dump = evidence.path().join("wks-sales-042.mem");
    std::fs::copy(testdata("images/ntfs-mbr.raw"), &raw).unwrap();
    std::fs::copy(testdata("images/ntfs-mbr.E01"), &e01).unwrap();
    std::fs::copy(testdata("scenarios/wks-sales-042.mem"), &dump).unwrap();
    // Times in the past, so that an access-time update (relatime updates one older than the
    // modification time) would show.
    for path in [&raw, &e01, &dump] {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        file.set_times(
            std::fs::FileTimes::new()
                .set_accessed(old)
                .set_modified(old),
        )
        .unwrap();
    }
    let before = file_states(evidence.path());
    assert_eq!(before.len(), 15, "12 triage files, two images, one dump");

    // Disk images and the folder, free clusters carved too; then the dump as memory.
    let disks = scan(&[&folder, &raw, &e01], &["--carve-unallocated"]);
    assert_eq!(disks.code, 0, "{}", disks.stderr);
    for item in [&folder, &raw, &e01] {
        assert!(
            analysed_in(&disks.manifest, item) >= 10,
            "{} was read",
            item.display()
        );
    }
    let memory = scan(&[&dump], &["--memory"]);
    assert_eq!(memory.code, 0, "{}", memory.stderr);
    assert_eq!(analysed_in(&memory.manifest, &dump), 1);
    assert!(
        memory.rows.len() >= 10,
        "the dump was carved: {}",
        memory.rows.len()
    );

    let after = file_states(evidence.path());
    for (path, state) in &before {
        assert_eq!(after.get(path), Some(state), "{} changed", path.display());
    }
    assert_eq!(
        after.len(),
        before.len(),
        "nothing was written beside the evidence"
    );
}

/// The manifest without the run's start and finish times.
fn manifest_without_run_times(bytes: &[u8]) -> Value {
    let mut manifest: Value = serde_json::from_slice(bytes).unwrap();
    let object = manifest.as_object_mut().unwrap();
    assert!(object.remove("started").is_some());
    assert!(object.remove("finished").is_some());
    manifest
}

/// Every output a run writes.
const OUTPUTS: &[&str] = &[
    "timeline.jsonl",
    "report.json",
    "report.md",
    "report.html",
    "iocs.csv",
];

#[test]
fn outputs_are_identical_on_one_two_and_eight_threads_and_across_runs() {
    // A private copy: other tests read testdata/ concurrently, which moves its access times.
    let private = tempfile::tempdir().unwrap();
    for folder in ["documents", "sample-evidence", "evtx", "hives", "prefetch"] {
        copy_tree(&testdata(folder), &private.path().join(folder));
    }
    let phishing = private.path().join("wks-sales-042");
    copy_tree(&testdata("scenarios/wks-sales-042"), &phishing);
    // The scenario's memory, carved as a paging file of the same host.
    std::fs::copy(
        testdata("scenarios/wks-sales-042.mem"),
        phishing.join("pagefile.sys"),
    )
    .unwrap();
    let evidence = [
        private.path().join("documents"),
        private.path().join("sample-evidence"),
        private.path().join("evtx"),
        private.path().join("hives"),
        private.path().join("prefetch"),
        phishing,
        testdata("images/ntfs-gpt.raw"),
        testdata("images/ntfs-mbr.E01"),
    ];
    let evidence: Vec<&Path> = evidence.iter().map(PathBuf::as_path).collect();
    let runs = [
        scan(&evidence, &["--threads", "1"]),
        scan(&evidence, &["--threads", "2"]),
        scan(&evidence, &["--threads", "8"]),
        scan(&evidence, &["--threads", "2"]),
    ];
    let first = &runs[0];
    assert!(
        first.rows.len() > 300,
        "a real timeline: {}",
        first.rows.len()
    );
    let report: Value = serde_json::from_slice(&first.output_bytes("report.json")).unwrap();
    assert!(
        report["hosts"].as_array().unwrap().len() >= 3,
        "several hosts"
    );
    for (index, run) in runs.iter().enumerate().skip(1) {
        for output in OUTPUTS {
            assert!(
                first.output_bytes(output) == run.output_bytes(output),
                "{output} of run {index} differs from the one-thread run"
            );
        }
        assert_eq!(
            manifest_without_run_times(&first.output_bytes("manifest.json")),
            manifest_without_run_times(&run.output_bytes("manifest.json")),
            "manifest of run {index}"
        );
    }
}

#[test]
fn an_artifact_past_its_time_bound_is_failed_with_the_bound() {
    let evidence = tempfile::tempdir().unwrap();
    for (from, name) in [
        ("evtx/positive/sysmon-1-office-child.evtx", "sysmon.evtx"),
        ("documents/positive/word-ddeauto-runs.docx", "invoice.docx"),
        ("hives/alice/NTUSER.DAT", "NTUSER.DAT"),
        ("documents/positive/csv-cmd.csv", "sheet.csv"),
    ] {
        std::fs::copy(testdata(from), evidence.path().join(name)).unwrap();
    }
    let bounded = scan(&[evidence.path()], &["--artifact-time-bound", "0"]);
    assert_eq!(
        bounded.code, 1,
        "stopped artifacts are failed: {}",
        bounded.stderr
    );
    let stopped = |name: &str| {
        let artifact = bounded.artifact(name);
        assert_eq!(artifact["status"], "failed", "{artifact}");
        assert_eq!(artifact["time_bound_seconds"], 0.0, "{artifact}");
        artifact["reason"].as_str().unwrap().to_owned()
    };
    let prefix = "stopped at the time bound of 0.0 s per artifact: rows found before it are \
                  kept, the rest was not read; ";
    let log = stopped("sysmon.evtx");
    assert!(log.starts_with(prefix), "{log}");
    assert!(
        log.contains("time bound of 0.0 s per artifact reached after 0 records of the segment"),
        "{log}"
    );
    let document = stopped("invoice.docx");
    assert!(
        document.contains("time bound of 0.0 s per artifact reached before this part"),
        "{document}"
    );
    let hive = stopped("NTUSER.DAT");
    assert!(
        hive.contains(
            r"time bound of 0.0 s per artifact reached before key Software\Microsoft\Office\"
        ),
        "{hive}"
    );
    // A CSV is read in one linear pass with no stop point: it finishes.
    let csv = bounded.artifact("sheet.csv");
    assert_eq!(csv["status"], "analyzed");
    assert!(csv.get("time_bound_seconds").is_none());

    // Under the default bound, all four are analysed and none carries the field.
    let free = scan(&[evidence.path()], &[]);
    assert_eq!(free.code, 0, "{}", free.stderr);
    for artifact in free.manifest["artifacts"].as_array().unwrap() {
        assert_eq!(artifact["status"], "analyzed", "{artifact}");
        assert!(artifact.get("time_bound_seconds").is_none(), "{artifact}");
    }
}

#[test]
fn exit_codes_say_clean_failed_artifacts_usage_and_fatal() {
    let clean = scan(&[&testdata("documents/negative")], &[]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let hostile = scan(&[&testdata("documents/hostile")], &[]);
    assert_eq!(hostile.code, 1, "{}", hostile.stderr);
    assert!(hostile.manifest["totals"]["failed"].as_u64().unwrap() > 0);

    let usage = ddesweep()
        .args(["scan", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));

    // An output folder that cannot be created (under a regular file): the run cannot finish.
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let out = blocker.path().join("out");
    let fatal = run_scan(&[&testdata("documents/negative")], &out, &[]);
    assert_eq!(fatal.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&fatal.stderr).contains("cannot create output folder"));
}
