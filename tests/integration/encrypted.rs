//! Password-encrypted OOXML packages: the profile's default passwords open them, the encryption
//! is a finding of its own, and the decrypted package is scanned like any document; a package no
//! default password opens is reported as not analysed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

/// The finding rows of the artifact named `name`, as (rule, command, part, field code).
fn rows(run: &Scan, name: &str) -> Vec<(String, String, String, String)> {
    let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
    let mut rows: Vec<_> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info" && r["source_path"] == name)
        .map(|r| {
            (
                text(r, "rule_id"),
                text(r, "command"),
                text(r, "part"),
                text(r, "field_code"),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn opened_rows(scheme: &str) -> Vec<(String, String, String, String)> {
    vec![
        (
            "ddesweep.document.dde_link".to_owned(),
            "cmd /c calc.exe".to_owned(),
            "decrypted package > xl/externalLinks/externalLink1.xml".to_owned(),
            r#"ddeLink ddeService="cmd" ddeTopic="/c calc.exe""#.to_owned(),
        ),
        (
            "ddesweep.document.default_password".to_owned(),
            String::new(),
            "EncryptionInfo".to_owned(),
            format!("{scheme}, opened with the default password \"VelvetSweatshop\""),
        ),
    ]
}

#[test]
fn velvet_sweatshop_packages_are_opened_and_scanned() {
    let run = scan(
        &[
            &testdata("documents/positive/excel-agile-velvet.xlsx"),
            &testdata("documents/positive/excel-standard-velvet.xlsx"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, scheme) in [
        ("excel-agile-velvet.xlsx", "ECMA-376 Agile"),
        ("excel-standard-velvet.xlsx", "ECMA-376 Standard"),
    ] {
        assert_eq!(rows(&run, name), opened_rows(scheme), "{name}");
        let artifact = run.artifact(name);
        assert_eq!(artifact["status"], "analyzed", "{artifact}");
        assert_eq!(artifact["format"], "encrypted_ooxml");
        assert_eq!(artifact["findings"], 2);
        assert_eq!(artifact["reason"], Value::Null);
    }
    let encryption_row = run
        .rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.document.default_password")
        .unwrap();
    assert_eq!(encryption_row["data_type"], "ddesweep:document:encrypted");
    assert_eq!(encryption_row["severity"], "low");
    assert_eq!(encryption_row["confidence"], "high");
}

#[test]
fn unknown_password_is_reported_as_not_analysed() {
    let run = scan(
        &[&testdata(
            "documents/hostile/encrypted-unknown-password.docx",
        )],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let name = "encrypted-unknown-password.docx";
    assert_eq!(
        rows(&run, name),
        [(
            "ddesweep.document.encrypted".to_owned(),
            String::new(),
            "EncryptionInfo".to_owned(),
            "ECMA-376 Agile, no default password opened it: content not analysed".to_owned(),
        )]
    );
    let row = run.rows.iter().find(|r| r["severity"] != "info").unwrap();
    assert_eq!(row["severity"], "medium");
    assert_eq!(
        row["message"],
        "Encrypted document encrypted-unknown-password.docx: ECMA-376 Agile, no default password opened it: content not analysed"
    );
    let artifact = run.artifact(name);
    assert_eq!(artifact["status"], "analyzed");
    assert_eq!(artifact["findings"], 1);
    assert_eq!(
        artifact["reason"],
        "EncryptionInfo: encrypted, no default password opened it: content not analysed"
    );
}

/// A copy of the default profile whose default passwords are `passwords` (TOML array text).
fn profile_with_passwords(dir: &Path, passwords: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/default.toml"),
    )
    .unwrap();
    let start = text.find("default_passwords = [").unwrap();
    let end = start + text[start..].find('\n').unwrap();
    let path = dir.join("passwords.toml");
    let edited = format!(
        "{}default_passwords = {passwords}{}",
        &text[..start],
        &text[end..]
    );
    std::fs::write(&path, edited).unwrap();
    path
}

#[test]
fn the_profile_decides_which_passwords_are_tried() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = [
        testdata("documents/positive/excel-agile-velvet.xlsx"),
        testdata("documents/hostile/encrypted-unknown-password.docx"),
    ];
    let evidence: Vec<&Path> = evidence.iter().map(PathBuf::as_path).collect();

    // The document's own password, second in the list: it opens, and the DDEAUTO field inside
    // is found. VelvetSweatshop is gone, so the workbook stays closed.
    let profile = profile_with_passwords(dir.path(), r##"["Password1", "Invoice#2291"]"##);
    let run = scan(&evidence, &["--profile", profile.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        rows(&run, "encrypted-unknown-password.docx"),
        [
            (
                "ddesweep.document.ddeauto_field".to_owned(),
                r#"c:\windows\system32\cmd.exe "/c calc.exe""#.to_owned(),
                "decrypted package > word/document.xml".to_owned(),
                r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c calc.exe""#.to_owned(),
            ),
            (
                "ddesweep.document.default_password".to_owned(),
                String::new(),
                "EncryptionInfo".to_owned(),
                r#"ECMA-376 Agile, opened with the default password "Invoice#2291""#.to_owned(),
            ),
        ]
    );
    assert_eq!(
        rows(&run, "excel-agile-velvet.xlsx"),
        [(
            "ddesweep.document.encrypted".to_owned(),
            String::new(),
            "EncryptionInfo".to_owned(),
            "ECMA-376 Agile, no default password opened it: content not analysed".to_owned(),
        )]
    );

    // No passwords at all: nothing is opened.
    let profile = profile_with_passwords(dir.path(), "[]");
    let run = scan(&evidence, &["--profile", profile.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings().len(), 2);
    assert!(
        run.findings()
            .iter()
            .all(|(_, rule, _)| rule == "ddesweep.document.encrypted")
    );
}
