//! Documents under `documents/negative/`: look-alikes that must produce no
//! DDE finding (benign fields, DDE words in plain text, external workbook
//! references, pipes in strings, CSV cells that are not formulas).

use crate::excel::{self, CT_XLSX, realistic_excel};
use crate::rtf;
use crate::text::table;
use crate::word::{CT_DOCX, fld_char_field, fld_simple, p, p_styled, run, word_body};
use crate::word_extras::realistic_word;

/// Fixture 15: Word fields that are not DDE, and `DDEAUTO cmd.exe` in plain text.
pub fn word_benign_fields() -> Vec<u8> {
    let body = [
        p_styled("Title", &run("Field reference card")),
        p(&fld_char_field(
            &[r#" TOC \o "1-3" \h \z \u "#],
            "Table of contents",
        )),
        p_styled("Heading1", &run("Links and dates")),
        p(&(run("Visit ")
            + &fld_char_field(&[r#" HYPERLINK "http://example.com/dde" "#], "example.com")
            + &run(" or ")
            + &fld_simple(r#" HYPERLINK "http://example.com/dde" "#, "the same page")
            + &run("."))),
        p(&(run("Printed on ")
            + &fld_char_field(&[r#" DATE \@ "d MMMM yyyy" "#], "9 October 2017")
            + &run(" (ISO ")
            + &fld_simple(r#" DATE \@ "yyyy-MM-dd" "#, "2017-10-09")
            + &run(")."))),
        p(&run(
            "Security awareness: attackers type DDEAUTO cmd.exe into a field code; \
             here it is ordinary text and runs nothing.",
        )),
        p(&fld_char_field(
            &[" MACROBUTTON NoMacro Double-click to add your name "],
            "",
        )),
        p(&(run("Page ")
            + &fld_char_field(&[" PAGE "], "1")
            + &run(" of ")
            + &fld_simple(" NUMPAGES ", "1"))),
    ]
    .concat();
    realistic_word(
        CT_DOCX,
        word_body(&body).as_bytes(),
        &[],
        "Field reference card",
        "Contoso",
    )
}

/// Fixture 16: Formulas, an external workbook reference and a DDE-looking string.
pub fn excel_benign() -> Vec<u8> {
    let rows = [
        excel::row(
            1,
            &[
                excel::cell_number("A1", 1.0),
                excel::cell_formula("B1", "[1]Sheet1!A1", "5"),
                excel::cell_formula_str("C1", r#"IF(A1>2,"a|b","c")"#, "c"),
                excel::cell_shared("D1", 0),
            ],
        ),
        excel::row(2, &[excel::cell_number("A2", 2.0)]),
        excel::row(3, &[excel::cell_number("A3", 3.0)]),
        excel::row(4, &[excel::cell_formula("A4", "SUM(A1:A3)", "6")]),
    ]
    .concat();
    let sheet = excel::sheet_xml(&rows);
    let strings = excel::shared_strings_xml(&["cmd|'/c calc'!A0"]);
    let link = excel::external_book_xml("Sheet1", 5.0);
    let link_rels = excel::external_book_rels(r"file:///C:\Reports\Budget.xlsx");
    realistic_excel(
        CT_XLSX,
        &[
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/externalLinks/externalLink1.xml", link.as_bytes()),
            (
                "xl/externalLinks/_rels/externalLink1.xml.rels",
                link_rels.as_bytes(),
            ),
            ("xl/sharedStrings.xml", strings.as_bytes()),
        ],
        "Budget check",
        "Contoso",
    )
}

/// Fixture 17: RTF with HYPERLINK, PAGE and form fields and DDEAUTO in plain text.
pub fn rtf_benign() -> Vec<u8> {
    let body = [
        rtf::heading("Meeting notes"),
        rtf::paragraph("Please review the notes below before Friday."),
        format!(
            "\\pard\\plain \\ql \\sa160\\f1\\fs22 Minutes are on {}.\\par\r\n",
            rtf::field(r#"HYPERLINK "http://example.com/""#, "example.com")
        ),
        rtf::paragraph(
            "Security note: attackers abuse the DDEAUTO field, for example DDEAUTO \
             c:\\\\windows\\\\system32\\\\cmd.exe; this document holds no such field.",
        ),
        concat!(
            r"\pard\plain \ql \sa160\f1\fs22 Name: {\field{\*\fldinst { FORMTEXT }",
            r"{\*\datafield 800100000000000008546578743100000000000000000000000000}}",
            "{\\fldrslt Your name}}\\par\r\n",
        )
        .to_owned(),
        format!(
            "\\pard\\plain \\qc \\f1\\fs18 Page {}\\par\r\n",
            rtf::field("PAGE", "1")
        ),
    ]
    .concat();
    rtf::document("Meeting notes", &body).into_bytes()
}

/// Fixture 18: CSV cells with pipes, bangs and leading signs that are not DDE.
pub fn csv_benign() -> Vec<u8> {
    table(
        &[
            &["label", "value", "comment"],
            &["ratio", "3.14|2!7", "pipes and bangs in data"],
            &["total", "=SUM(A1:A2)", "plain formula"],
            &[
                "quote",
                "text cmd|'/c calc'!A0",
                "does not start with = + - @",
            ],
            &["handle", "@alice", "mention"],
            &["delta", "-5", "negative number"],
            &["phone", "+44 20 7946 0000", "phone number"],
        ],
        ',',
    )
    .into_bytes()
}
