//! Legacy Word binary documents (.doc, .dot): fields read through the FIB and the piece table,
//! the raw-stream fallback for damaged structure, and DDE fields in unreachable sectors.

use crate::util::{Scan, scan, testdata};

/// `(part, offset, rule id, command)` of every finding row of the artifact named `name`.
fn located(run: &Scan, name: &str) -> Vec<(String, u64, String, String)> {
    run.rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .filter(|r| r["source_path"].as_str().is_some_and(|p| p.ends_with(name)))
        .map(|r| {
            (
                r["part"].as_str().unwrap_or_default().to_owned(),
                r["offset"].as_u64().unwrap_or(u64::MAX),
                r["rule_id"].as_str().unwrap_or_default().to_owned(),
                r["command"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn row(part: &str, offset: u64, rule: &str, command: &str) -> (String, u64, String, String) {
    (
        part.to_owned(),
        offset,
        format!("ddesweep.document.{rule}"),
        command.to_owned(),
    )
}

#[test]
fn fields_split_across_pieces_with_a_nested_quote() {
    let run = scan(&[&testdata("documents/positive/word-legacy.doc")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        located(&run, "word-legacy.doc"),
        [row(
            "WordDocument",
            50,
            "ddeauto_field",
            r#"c:\windows\system32\cmd.exe "/c notepad.exe""#
        )]
    );
    let artifact = run.artifact("word-legacy.doc");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["format"], "doc");
}

#[test]
fn padding_before_a_lowercase_keyword_does_not_hide_it() {
    let run = scan(
        &[&testdata("documents/positive/word-legacy-padded.dot")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        located(&run, "word-legacy-padded.dot"),
        [row(
            "WordDocument",
            20,
            "ddeauto_field",
            r#"c:\windows\system32\cmd.exe "/c whoami""#
        )]
    );
}

#[test]
fn dde_in_a_free_sector_is_found_at_its_file_offset() {
    let run = scan(
        &[&testdata("documents/positive/word-legacy-orphan.doc")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        located(&run, "word-legacy-orphan.doc"),
        [row(
            "unreachable data",
            0x1A00,
            "ddeauto_field",
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#
        )]
    );
}

#[test]
fn benign_fields_and_dde_in_plain_text_are_not_findings() {
    let run = scan(
        &[&testdata("documents/negative/word-legacy-benign.doc")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<(String, String, String)>::new());
    let artifact = run.artifact("word-legacy-benign.doc");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["reason"], serde_json::Value::Null, "{artifact}");
}

#[test]
fn a_bad_fib_falls_back_to_carving_the_stream() {
    let run = scan(
        &[&testdata("documents/hostile/word-legacy-bad-fib.doc")],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // The stream holds the UTF-16 piece first (at 0x800), then the 8-bit one.
    assert_eq!(
        located(&run, "word-legacy-bad-fib.doc"),
        [
            row(
                "WordDocument",
                0x800,
                "ddeauto_field",
                r#"cmd.exe "/c notepad.exe""#
            ),
            row(
                "WordDocument",
                0x84E,
                "dde_field",
                r#"cmd.exe "/c calc.exe""#
            ),
        ]
    );
    let artifact = run.artifact("word-legacy-bad-fib.doc");
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(
        artifact["reason"],
        "WordDocument: Clx at offset 0xffffff00 runs past the end of the 0x36-byte 1Table \
         stream; fields were carved from the raw stream instead"
    );
}
