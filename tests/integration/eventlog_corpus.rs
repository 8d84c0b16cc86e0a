//! Validation on real event logs in `../shared/corpus/evtx` (skipped when absent): every log is
//! read without a crash, the records ddesweep reads per file equal what the evtx crate's own
//! parser iterates, the fake WINWORD.exe of the sideloading sample is reported, and the
//! AccessVBOM registry write under `\Excel\Security` is not a DDE finding.

use std::path::Path;

use evtx::{EvtxParser, ParserSettings};
use walkdir::WalkDir;

use crate::util::scan;

/// Records the evtx crate's parser yields (and fails) for the log at `path`.
fn crate_counts(path: &Path) -> (u64, u64) {
    let mut parser = EvtxParser::from_path(path)
        .unwrap()
        .with_configuration(ParserSettings::new().num_threads(1));
    let (mut ok, mut failed) = (0, 0);
    for record in parser.records_json() {
        match record {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    (ok, failed)
}

#[test]
fn evtx_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/evtx");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let run = scan(&[&corpus], &[]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let mut logs = 0;
    for file in WalkDir::new(&corpus).sort_by_file_name() {
        let file = file.unwrap();
        if file.path().extension().is_none_or(|e| e != "evtx") {
            continue;
        }
        logs += 1;
        let relative = file.path().strip_prefix(&corpus).unwrap();
        let artifact = run.artifact(&relative.to_string_lossy());
        assert_eq!(artifact["kind"], "evtx", "{relative:?}");
        assert_ne!(artifact["status"], "failed", "{relative:?}: {artifact}");
        let (ok, _) = crate_counts(file.path());
        assert_eq!(
            artifact["eventlog"]["records_read"].as_u64(),
            Some(ok),
            "{relative:?}: {artifact}"
        );
    }
    assert!(logs >= 30, "only {logs} logs in the corpus");

    // The fake WINWORD.exe in AppData (DLL sideloading) spawning rundll32 is reported.
    let sideload = "EVTX-ATTACK-SAMPLES/AutomatedTestingTools/Malware/sideloading_uacbypass_rundll32_injection_c2.evtx";
    let hits: Vec<(String, u64, String)> = run
        .rows
        .iter()
        .filter(|r| r["source_path"] == sideload && r["severity"] != "info")
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_owned(),
                r["record_number"].as_u64().unwrap(),
                r["image"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let rundll32 = (
        "ddesweep.eventlog.office_child".to_owned(),
        417079,
        r"C:\Windows\SysWOW64\rundll32.exe".to_owned(),
    );
    assert!(hits.contains(&rundll32), "{hits:?}");
    let fake_word = r"C:\Users\IEUser\AppData\Roaming\WINWORD.exe";
    assert!(
        hits.contains(&(
            "ddesweep.eventlog.office_lookalike".to_owned(),
            417076,
            fake_word.to_owned()
        )),
        "{hits:?}"
    );
    let parent = run
        .rows
        .iter()
        .find(|r| r["source_path"] == sideload && r["record_number"] == 417079)
        .unwrap();
    assert_eq!(parent["parent_image"], fake_word);
    assert_eq!(parent["channel"], "Microsoft-Windows-Sysmon/Operational");
    assert_eq!(parent["event_identifier"], 1);
    assert_eq!(parent["computer_name"], "MSEDGEWIN10");

    // The Sysmon 13 AccessVBOM write under \Excel\Security is read, and is no DDE finding (it
    // names no value the profile watches, so it is not even decoded).
    let vbom = "EVTX-ATTACK-SAMPLES/Defense Evasion/de_sysmon_13_VBA_Security_AccessVBOM.evtx";
    assert_eq!(run.artifact(vbom)["eventlog"]["records_read"], 1);
    assert_eq!(run.artifact(vbom)["eventlog"]["records_selected"], 0);
    assert!(
        run.rows.iter().all(|r| r["source_path"] != vbom),
        "AccessVBOM is not DDE"
    );
}
