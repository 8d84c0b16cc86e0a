//! Documents inside documents, end to end: Equation Editor objects in RTF (`\objdata`) and in
//! Word (`word/embeddings/oleObject1.bin`), a Packager object's file, and an Outlook message's
//! RTF body and attachment. Each finding is pinned with its rule, part, offset and command.

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

const EQUATION: &str = "ddesweep.document.equation_editor";
const EQUATION_CLSID: &str = "{0002CE02-0000-0000-C000-000000000046}";

/// `(rule_id, part, offset, command, field_code)` of every finding row, sorted.
fn details(run: &Scan) -> Vec<(String, Value, u64, String, String)> {
    let mut rows: Vec<_> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap_or_default().to_owned(),
                r["part"].clone(),
                r["offset"].as_u64().unwrap_or(u64::MAX),
                r["command"].as_str().unwrap_or_default().to_owned(),
                r["field_code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    rows
}

fn row(
    rule: &str,
    part: Option<&str>,
    offset: u64,
    command: &str,
    field_code: &str,
) -> (String, Value, u64, String, String) {
    (
        rule.to_owned(),
        part.map_or(Value::Null, Value::from),
        offset,
        command.to_owned(),
        field_code.to_owned(),
    )
}

fn scan_one(relative: &str) -> Scan {
    let run = scan(&[&testdata(relative)], &[]);
    assert_eq!(run.code, 0, "{relative}: {}", run.stderr);
    let name = relative.rsplit('/').next().unwrap_or(relative);
    assert_eq!(run.artifact(name)["status"], "analyzed", "{relative}");
    run
}

#[test]
fn equation_object_in_rtf_is_found_by_class_and_by_clsid() {
    let run = scan_one("documents/positive/rtf-equation.rtf");
    // The `{\object` group starts at 0x38c; its OLE1 class names Equation.3, and its native
    // data is a compound file whose root has the Equation Editor CLSID.
    assert_eq!(
        details(&run),
        [
            row(EQUATION, None, 0x38c, "", "Equation.3"),
            row(
                EQUATION,
                Some("object at 0x38c > /"),
                0,
                "",
                &format!("{EQUATION_CLSID} Equation.3"),
            ),
        ]
    );
    let message = run
        .rows
        .iter()
        .find(|r| r["part"].is_null() && r["severity"] == "critical")
        .and_then(|r| r["message"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        message,
        "Equation Editor object in rtf-equation.rtf: Equation.3"
    );
}

#[test]
fn equation_object_in_docx_embeddings_is_found() {
    let run = scan_one("documents/positive/word-equation.docx");
    assert_eq!(
        details(&run),
        [row(
            EQUATION,
            Some("word/embeddings/oleObject1.bin > /"),
            0,
            "",
            &format!("{EQUATION_CLSID} Equation.3"),
        )]
    );
}

#[test]
fn packaged_file_is_scanned_under_its_label() {
    let run = scan_one("documents/positive/word-package.docx");
    assert_eq!(
        details(&run),
        [row(
            "ddesweep.document.dde_formula",
            Some("word/embeddings/oleObject1.bin > invoice.csv"),
            0,
            "cmd /c calc.exe",
            "=cmd|'/c calc.exe'!A0",
        )]
    );
}

#[test]
fn outlook_message_body_and_attachment_are_scanned() {
    let run = scan_one("documents/positive/outlook-dde.msg");
    assert_eq!(run.artifact("outlook-dde.msg")["format"], "msg");
    assert_eq!(
        details(&run),
        [
            row(
                "ddesweep.document.dde_formula",
                Some("attachment 1: invoice.csv"),
                12,
                "cmd /c notepad.exe",
                "=cmd|'/c notepad.exe'!A0",
            ),
            row(
                "ddesweep.document.ddeauto_field",
                Some("message body.rtf"),
                350,
                r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
                r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c calc.exe""#,
            ),
        ]
    );
    let cells: Vec<&Value> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .map(|r| &r["cell"])
        .collect();
    assert!(cells.contains(&&Value::from("R2C1")), "{cells:?}");
}

#[test]
fn objects_of_other_classes_and_plain_messages_are_clean() {
    for relative in [
        "documents/negative/rtf-picture-object.rtf",
        "documents/negative/outlook-plain.msg",
    ] {
        let run = scan_one(relative);
        assert_eq!(details(&run), [], "{relative}");
    }
}
