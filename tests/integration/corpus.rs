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
    // rtfobj's issue 251: an Equation.3 object whose `\objdata` sits in an ignorable
    // destination, with control words among its digits and the compound file's signature split
    // by a nested group. The OLE1 header is read; the compound file is cut short after its
    // signature, so the object's own storage cannot be opened and the artifact is failed.
    let obfuscated: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|(path, _, _)| path.ends_with("issue_251.rtf"))
        .map(|(_, rule, _)| rule)
        .collect();
    assert_eq!(obfuscated, ["ddesweep.document.equation_editor"]);
    let issue_251 = run.artifact("issue_251.rtf");
    assert_eq!(issue_251["status"], "failed");
    assert!(
        issue_251["reason"]
            .as_str()
            .unwrap()
            .contains("object at 0x101: NativeDataSize declares 0xc00 bytes, 0x8 present"),
        "{issue_251}"
    );
    // Formats this version does not read are skipped with a reason, never silently clean.
    let xlsb = run.artifact("dde-test.xlsb");
    assert_eq!(xlsb["status"], "skipped");
    assert!(xlsb["reason"].as_str().unwrap().contains(".xlsb"));
}
