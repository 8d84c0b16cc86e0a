//! Hostile and damaged documents: each ends in the manifest with a reason, nothing panics, the
//! run goes on, and what could be read is still reported.

use crate::util::{scan, testdata};

#[test]
fn hostile_fixtures_are_accounted_for_with_reasons() {
    let run = scan(&[&testdata("documents/hostile")], &[]);
    assert_eq!(
        run.code, 1,
        "failed artifacts give exit code 1: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let expect = |name: &str, status: &str, reason_part: &str| {
        let artifact = run.artifact(name);
        assert_eq!(artifact["status"], status, "{name}: {artifact}");
        let reason = artifact["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(reason_part),
            "{name}: reason {reason:?} lacks {reason_part:?}"
        );
    };
    expect("empty.docx", "skipped", "empty file (0 bytes)");
    expect("corrupt.docx", "failed", "zip archive");
    expect("truncated.docx", "failed", "zip archive");
    expect("zipbomb.docx", "failed", "zip bomb guard");
    expect(
        "deep-nesting.rtf",
        "analyzed",
        "groups nested deeper than 1024",
    );
    expect(
        "deep-fields.docx",
        "analyzed",
        "nested deeper than 32 levels",
    );
    expect(
        "invalid-utf8.docx",
        "analyzed",
        "invalid character encoding",
    );
    expect(
        "invalid-utf16.csv",
        "analyzed",
        "invalid UTF-16LE sequences",
    );
    expect("truncated-xml.docx", "failed", "XML unreadable");
    expect(
        "word-legacy-bad-fib.doc",
        "analyzed",
        "fields were carved from the raw stream",
    );
    expect(
        "encrypted-unknown-password.docx",
        "analyzed",
        "encrypted, no default password opened it: content not analysed",
    );
    expect(
        "excel-legacy-bad-records.xls",
        "failed",
        "Workbook: record 0x00FC at offset 0x44 declares 8224 bytes but only 12 remain in the stream",
    );

    assert_eq!(run.manifest["totals"]["seen"], 12);
    assert_eq!(run.manifest["totals"]["failed"], 5);
    assert_eq!(run.manifest["totals"]["skipped"], 1);
    assert_eq!(run.manifest["totals"]["analyzed"], 6);
}

#[test]
fn readable_parts_of_damaged_documents_are_still_reported() {
    let run = scan(&[&testdata("documents/hostile")], &[]);
    assert_eq!(
        run.commands_in("invalid-utf8.docx"),
        ["c:\\windows\\system32\\cmd.exe \"/c calc.exe\u{FFFD}\u{FFFD}\""]
    );
    assert_eq!(run.commands_in("invalid-utf16.csv"), ["cmd /c calc.exe"]);
    assert_eq!(
        run.commands_in("truncated-xml.docx"),
        [r#"c:\windows\system32\cmd.exe "/c truncated""#]
    );
    assert_eq!(run.artifact("truncated-xml.docx")["findings"], 1);
    assert_eq!(
        run.commands_in("word-legacy-bad-fib.doc"),
        [r#"cmd.exe "/c calc.exe""#, r#"cmd.exe "/c notepad.exe""#]
    );
    assert_eq!(
        run.commands_in("excel-legacy-bad-records.xls"),
        ["cmd /c echo damaged"]
    );
    for clean in [
        "zipbomb.docx",
        "deep-nesting.rtf",
        "deep-fields.docx",
        "corrupt.docx",
    ] {
        assert!(run.commands_in(clean).is_empty(), "{clean}");
    }
    // The DDEAUTO field inside stays unread; only the encryption is reported.
    let encrypted: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|(path, _, _)| path.ends_with("encrypted-unknown-password.docx"))
        .map(|(_, rule, command)| (rule, command))
        .collect();
    assert_eq!(
        encrypted,
        [("ddesweep.document.encrypted".to_owned(), String::new())]
    );
}
