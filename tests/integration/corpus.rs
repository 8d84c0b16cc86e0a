//! Validation on real public samples in `../shared/corpus/docs/oletools` (skipped when absent):
//! every DDE file in a format this version reads is found with the same command as oletools'
//! msodde reports, and the harmless files and the RTF specification give no finding.

use std::path::Path;

use crate::util::scan;

#[test]
fn oletools_samples() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/docs/oletools");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let run = scan(&[&corpus], &[]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let word = [
        r#"c:\windows\system32\cmd.exe "/k calc.exe""#,
        r#"c:\windows\system32\cmd.exe "/k calc.exe""#,
        "ünicöde-test",
    ];
    assert_eq!(run.commands_in("dde-test.docx"), word);
    assert_eq!(run.commands_in("dde-test.docm"), word);
    assert_eq!(run.commands_in("dde-test.xlsx"), ["cmd /c calc.exe"]);
    assert_eq!(run.commands_in("dde-test.xlsm"), ["cmd /c calc.exe"]);
    assert_eq!(
        run.commands_in("dde-in-csv.csv"),
        [r"cmd /k \..\..\..\Windows\System32\calc.exe"]
    );
    for harmless in [
        "harmless-clean.docx",
        "harmless-clean.docm",
        "RTF-Spec-1.7.rtf",
    ] {
        assert_eq!(
            run.commands_in(harmless),
            Vec::<String>::new(),
            "{harmless}"
        );
        assert_eq!(run.artifact(harmless)["status"], "analyzed", "{harmless}");
    }
    assert_eq!(run.commands_in("dde-test.xlsb"), ["cmd /c calc.exe"]);
    assert_eq!(run.artifact("dde-test.xlsb")["status"], "analyzed");
    legacy_excel_encrypted_with_the_default_password(&run);
}

/// `encrypted/dde-test-encrypt-standardpassword.xls`: RC4 (Office 97/2000) under
/// `VelvetSweatshop`, holding the DDE link `cmd` / `/c calc.exe`.
fn legacy_excel_encrypted_with_the_default_password(run: &crate::util::Scan) {
    let name = "dde-test-encrypt-standardpassword.xls";
    let mut found: Vec<(String, String)> = run
        .findings()
        .into_iter()
        .filter(|(path, _, _)| path.ends_with(name))
        .map(|(_, rule, command)| (rule, command))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "ddesweep.document.dde_link".to_owned(),
                "cmd /c calc.exe".to_owned()
            ),
            (
                "ddesweep.document.default_password".to_owned(),
                String::new()
            ),
        ]
    );
    let encrypted = run
        .rows
        .iter()
        .find(|r| {
            r["source_path"].as_str().is_some_and(|p| p.ends_with(name))
                && r["rule_id"] == "ddesweep.document.default_password"
        })
        .unwrap();
    assert_eq!(
        encrypted["field_code"],
        r#"RC4, opened with the default password "VelvetSweatshop""#
    );
    assert_eq!(run.artifact(name)["status"], "analyzed");
}
