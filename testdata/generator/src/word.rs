//! WordprocessingML builders: document and story-part wrappers, runs,
//! paragraphs, fields (`w:fldChar` runs and `w:fldSimple`) and the `.docx`
//! package itself.
//!
//! Field codes are written exactly as Word stores them: in the instruction
//! text a literal backslash of a quoted argument is doubled (`c:\\windows`).

use crate::ooxml::{CT_THEME, PackageSpec, PartKind, REL_OFFICE, escape_attr, escape_text};

/// Content type of `word/document.xml` in a `.docx`.
pub const CT_DOCX: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
/// Content type of `word/document.xml` in a macro-enabled `.docm`.
pub const CT_DOCM: &str = "application/vnd.ms-word.document.macroEnabled.main+xml";
/// Content type of `word/document.xml` in a macro-enabled template `.dotm`.
pub const CT_DOTM: &str = "application/vnd.ms-word.template.macroEnabledTemplate.main+xml";

/// The namespace declarations Word puts on the root of every story part.
pub const NAMESPACES: &str = "xmlns:wpc=\"http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas\" \
xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" \
xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\" \
xmlns:v=\"urn:schemas-microsoft-com:vml\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
xmlns:w10=\"urn:schemas-microsoft-com:office:word\" \
xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\" \
xmlns:wne=\"http://schemas.microsoft.com/office/word/2006/wordml\" \
mc:Ignorable=\"w14\"";

/// XML declaration Word writes at the top of each part.
pub const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";

/// The section properties of an A4 page with 1 inch margins.
pub const A4_SECTION: &str = "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>\
<w:cols w:space=\"708\"/><w:docGrid w:linePitch=\"360\"/></w:sectPr>";

/// A run that begins a complex field.
pub const FLD_BEGIN: &str = "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>";
/// A run that separates a field's code from its result.
pub const FLD_SEPARATE: &str = "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>";
/// A run that ends a complex field.
pub const FLD_END: &str = "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";

/// Wraps body content (paragraphs, tables) into a complete `w:document`
/// with the usual namespaces and an A4 section at the end.
pub fn word_body(inner_xml: &str) -> String {
    word_body_with_section(inner_xml, A4_SECTION)
}

/// Like [`word_body`], with the given `w:sectPr` element as last child.
pub fn word_body_with_section(inner_xml: &str, sect_pr: &str) -> String {
    format!("{XML_DECL}<w:document {NAMESPACES}><w:body>{inner_xml}{sect_pr}</w:body></w:document>")
}

/// A story part whose root is `w:{root}` (`hdr`, `ftr`, `footnotes`,
/// `endnotes`, `comments`) holding `inner_xml`.
pub fn word_part(root: &str, inner_xml: &str) -> String {
    format!("{XML_DECL}<w:{root} {NAMESPACES}>{inner_xml}</w:{root}>")
}

/// `w:footnotes` or `w:endnotes` (`kind` = `footnote` / `endnote`) with the
/// two separator notes Word always writes (ids -1 and 0) and then one note
/// per element of `notes`, numbered from 1.
pub fn notes_part(kind: &str, notes: &[String]) -> String {
    let mut inner = format!(
        "<w:{kind} w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>\
         <w:{kind} w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>"
    );
    for (i, note) in notes.iter().enumerate() {
        inner.push_str(&format!("<w:{kind} w:id=\"{}\">{note}</w:{kind}>", i + 1));
    }
    word_part(&format!("{kind}s"), &inner)
}

/// A paragraph.
pub fn p(inner_xml: &str) -> String {
    format!("<w:p>{inner_xml}</w:p>")
}

/// A paragraph with paragraph style `style` (e.g. `Heading1`).
pub fn p_styled(style: &str, inner_xml: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{}\"/></w:pPr>{inner_xml}</w:p>",
        escape_attr(style)
    )
}

/// A plain text run (XML-escaped, spaces preserved).
pub fn run(text: &str) -> String {
    format!(
        "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        escape_text(text)
    )
}

/// A bold text run.
pub fn run_bold(text: &str) -> String {
    format!(
        "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        escape_text(text)
    )
}

/// A run holding one piece of a field instruction (XML-escaped).
pub fn instr_run(text: &str) -> String {
    format!(
        "<w:r><w:instrText xml:space=\"preserve\">{}</w:instrText></w:r>",
        escape_text(text)
    )
}

/// A complex field: a `begin` run, one `w:instrText` run per element of
/// `instr_runs`, a `separate` run, a run with `result`, and an `end` run.
pub fn fld_char_field(instr_runs: &[&str], result: &str) -> String {
    let mut xml = String::from(FLD_BEGIN);
    for part in instr_runs {
        xml.push_str(&instr_run(part));
    }
    xml.push_str(FLD_SEPARATE);
    xml.push_str(&run(result));
    xml.push_str(FLD_END);
    xml
}

/// A simple field `<w:fldSimple w:instr="…">` with a result run, or
/// self-closing when `result` is empty.
pub fn fld_simple(instr: &str, result: &str) -> String {
    if result.is_empty() {
        format!("<w:fldSimple w:instr=\"{}\"/>", escape_attr(instr))
    } else {
        format!(
            "<w:fldSimple w:instr=\"{}\">{}</w:fldSimple>",
            escape_attr(instr),
            run(result)
        )
    }
}

/// A "Table Grid" table; `widths` are column widths in twentieths of a
/// point, `rows` plain-text cells; the first row is bold when `header`.
pub fn table(widths: &[u32], rows: &[Vec<String>], header: bool) -> String {
    let mut xml = String::from(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/>\
         <w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" \
         w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
    );
    for w in widths {
        xml.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    xml.push_str("</w:tblGrid>");
    for (i, cells) in rows.iter().enumerate() {
        xml.push_str("<w:tr>");
        for (cell, w) in cells.iter().zip(widths.iter().cycle()) {
            let text = if header && i == 0 {
                run_bold(cell)
            } else {
                run(cell)
            };
            xml.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>",
                p(&text)
            ));
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl>");
    xml
}

/// The Word `QUOTE` field arguments that spell `text`: its UTF-16 code
/// units in decimal, separated by spaces.
pub fn quote_codes(text: &str) -> String {
    text.encode_utf16()
        .map(|u| u.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Decodes the arguments of a `QUOTE` field written by [`quote_codes`].
pub fn decode_quote_codes(codes: &str) -> Option<String> {
    let units: Option<Vec<u16>> = codes.split_whitespace().map(|c| c.parse().ok()).collect();
    String::from_utf16(&units?).ok()
}

/// Prefix of the WordprocessingML content types.
const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.";
/// Relationship type of a theme part.
const REL_THEME: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme";

/// Word parts `document.xml` refers to: (file under `word/`, or stem of a
/// numbered file; content type suffix after [`WML`]; relationship type
/// suffix after [`REL_OFFICE`]).
const WORD_PARTS: &[(&str, &str, &str)] = &[
    ("styles.xml", "styles+xml", "styles"),
    ("settings.xml", "settings+xml", "settings"),
    ("webSettings.xml", "webSettings+xml", "webSettings"),
    ("fontTable.xml", "fontTable+xml", "fontTable"),
    ("numbering.xml", "numbering+xml", "numbering"),
    ("footnotes.xml", "footnotes+xml", "footnotes"),
    ("endnotes.xml", "endnotes+xml", "endnotes"),
    ("comments.xml", "comments+xml", "comments"),
    ("header", "header+xml", "header"),
    ("footer", "footer+xml", "footer"),
];

/// Classifies the parts of a Word package that `word/document.xml` refers to.
fn classify(name: &str) -> Option<PartKind> {
    let file = name.strip_prefix("word/")?;
    let known = |content_type: &str, rel_type: &str| {
        Some(PartKind {
            content_type: content_type.to_owned(),
            rel_type: Some(rel_type.to_owned()),
            rank: 0,
        })
    };
    match file {
        "theme/theme1.xml" => return known(CT_THEME, REL_THEME),
        "vbaProject.bin" => {
            return known(
                "application/vnd.ms-office.vbaProject",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
            );
        }
        f if f.starts_with("embeddings/oleObject") && f.ends_with(".bin") => {
            return known(
                "application/vnd.openxmlformats-officedocument.oleObject",
                &format!("{REL_OFFICE}/oleObject"),
            );
        }
        _ => {}
    }
    let (_, ct, rel) = WORD_PARTS
        .iter()
        .find(|(f, _, _)| *f == file || numbered(file, f))?;
    known(&format!("{WML}{ct}"), &format!("{REL_OFFICE}/{rel}"))
}

/// Whether `file` is `{stem}N.xml` for some number N.
fn numbered(file: &str, stem: &str) -> bool {
    file.strip_prefix(stem)
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A minimal valid `.docx`: `[Content_Types].xml`, `_rels/.rels`,
/// `word/_rels/document.xml.rels`, plus `parts` (e.g.
/// `("word/document.xml", xml)`), in that order.
///
/// Content types and relationships are derived from the part names (styles,
/// settings, headerN, footerN, footnotes, endnotes, comments, docProps, …);
/// `document.xml` gets relationship ids `rId1`, `rId2`, … in the order the
/// related parts appear in `parts`. Supplying any of the three generated
/// parts replaces it.
pub fn docx(parts: &[(&str, String)]) -> Vec<u8> {
    let parts: Vec<(&str, &[u8])> = parts.iter().map(|(n, x)| (*n, x.as_bytes())).collect();
    word_package(CT_DOCX, &parts)
}

/// Like [`docx`] with raw part bytes (which need not be valid UTF-8) and the
/// main part's content type chosen by the caller ([`CT_DOCX`], [`CT_DOCM`],
/// [`CT_DOTM`]).
pub fn word_package(main_content_type: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
    PackageSpec {
        main_part: "word/document.xml",
        main_content_type,
        classify,
    }
    .assemble(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fld_char_field_layout() {
        let f = fld_char_field(&["DDE", "AUTO a<b "], "r");
        assert_eq!(
            f,
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
             <w:r><w:instrText xml:space=\"preserve\">DDE</w:instrText></w:r>\
             <w:r><w:instrText xml:space=\"preserve\">AUTO a&lt;b </w:instrText></w:r>\
             <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>\
             <w:r><w:t xml:space=\"preserve\">r</w:t></w:r>\
             <w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        );
    }

    #[test]
    fn quote_codes_roundtrip() {
        assert_eq!(quote_codes("C:\\\\"), "67 58 92 92");
        assert_eq!(decode_quote_codes("67 58 92").as_deref(), Some("C:\\"));
    }

    #[test]
    fn classify_parts() {
        assert!(classify("word/header12.xml").is_some());
        assert!(classify("word/header.xml").is_none());
        assert!(classify("xl/styles.xml").is_none());
        assert_eq!(
            classify("word/footer1.xml")
                .map(|k| k.content_type)
                .as_deref(),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
        );
    }
}
