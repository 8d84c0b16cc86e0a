//! Unit tests of the single-file Office XML formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

fn run(xml: &str) -> DocumentScan {
    scan(xml.as_bytes(), &Limits::default()).unwrap()
}

/// (part, offset, what) of every record: a field's instruction, a formula with its cell, a link.
fn summary(scan: &DocumentScan) -> Vec<(Option<String>, u64, String)> {
    scan.records
        .iter()
        .map(|r| {
            let what = match r {
                DocumentRecord::Field { instruction, .. } => instruction.clone(),
                DocumentRecord::Formula { location, formula } => {
                    format!("{} {formula}", location.cell.as_deref().unwrap_or("-"))
                }
                DocumentRecord::DdeLink {
                    service,
                    topic,
                    items,
                    ..
                } => format!("link {service} {topic} {items:?}"),
                DocumentRecord::EmbeddedObject { prog_id, .. } => format!("object {prog_id:?}"),
                other => format!("{other:?}"),
            };
            let location = r.location();
            (location.part.clone(), location.offset, what)
        })
        .collect()
}

const W2003: &str = "xmlns:w=\"http://schemas.microsoft.com/office/word/2003/wordml\" \
                     xmlns:o=\"urn:schemas-microsoft-com:office:office\"";

#[test]
fn word_2003_fields_and_objects() {
    let xml = format!(
        "<?xml version=\"1.0\"?><?mso-application progid=\"Word.Document\"?>\
         <w:wordDocument {W2003}><w:body><w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r><w:instrText>DDEAUTO c:\\\\x.exe \"/k calc\"</w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>\
         <w:p><w:fldSimple w:instr=\"PAGE\"/></w:p>\
         <w:p><w:r><w:object><o:OLEObject Type=\"Embed\" ProgID=\"Equation.3\"/></w:object>\
         <w:object><o:OLEObject Type=\"Link\" ProgID=\"Excel.Sheet.8\"/></w:object></w:r></w:p>\
         </w:body></w:wordDocument>"
    );
    let scan = run(&xml);
    assert_eq!(scan.format, "word2003_xml");
    let found = summary(&scan);
    let at = |needle: &str| xml.find(needle).unwrap() as u64;
    assert_eq!(
        found,
        vec![
            (
                None,
                at("<w:fldChar"),
                r#"DDEAUTO c:\\x.exe "/k calc""#.to_owned()
            ),
            (None, at("<w:fldSimple"), "PAGE".to_owned()),
            (
                None,
                at("<o:OLEObject"),
                "object Some(\"Equation.3\")".to_owned()
            ),
        ]
    );
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
}

const PKG: &str = "xmlns:pkg=\"http://schemas.microsoft.com/office/2006/xmlPackage\"";

#[test]
fn flat_opc_parts_and_embeddings() {
    let document = "<w:document xmlns:w=\"x\"><w:body><w:p><w:fldSimple w:instr=\"DDE a b\"/></w:p></w:body></w:document>";
    let xml = format!(
        "<?xml version=\"1.0\"?><pkg:package {PKG}>\
         <pkg:part pkg:name=\"/_rels/.rels\"><pkg:xmlData><Relationships><!-- DDE instr --></Relationships></pkg:xmlData></pkg:part>\
         <pkg:part pkg:name=\"/word/document.xml\"><pkg:xmlData>{document}</pkg:xmlData></pkg:part>\
         <pkg:part pkg:name=\"/word/styles.xml\"><pkg:xmlData><w:styles><w:fldSimple w:instr=\"DDE skipped x\"/></w:styles></pkg:xmlData></pkg:part>\
         <pkg:part pkg:name=\"/word/media/image1.png\" pkg:compression=\"store\"><pkg:binaryData>iVBORw0K</pkg:binaryData></pkg:part>\
         <pkg:part pkg:name=\"/word/embeddings/oleObject1.bin\"><pkg:binaryData>0M8R4KGx\r\nGuE=</pkg:binaryData></pkg:part>\
         </pkg:package>"
    );
    let scan = run(&xml);
    assert_eq!(scan.format, "flat_opc");
    let offset = xml.find("<w:fldSimple").unwrap() as u64;
    assert_eq!(
        summary(&scan),
        vec![(
            Some("word/document.xml".to_owned()),
            offset,
            "DDE a b".to_owned()
        )]
    );
    assert_eq!(scan.embedded.len(), 1);
    assert_eq!(scan.embedded[0].name, "word/embeddings/oleObject1.bin");
    assert_eq!(
        scan.embedded[0].bytes,
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec()
    );
    assert!(scan.problems.is_empty(), "{:?}", scan.problems);
}

#[test]
fn flat_opc_damage_is_reported() {
    let xml = format!(
        "<pkg:package {PKG}><pkg:part pkg:name=\"/word/document.xml\"><pkg:xmlData>\
         <w:p><w:fldSimple w:instr=\"DDEAUTO cut off\"/></w:p>"
    );
    let scan = run(&xml);
    assert_eq!(summary(&scan).len(), 1);
    assert_eq!(scan.problems.len(), 1);
    assert!(scan.problems[0].incomplete);
    assert!(
        scan.problems[0].message.contains("never closed"),
        "{:?}",
        scan.problems
    );
    let bad = format!(
        "<pkg:package {PKG}><pkg:part pkg:name=\"/word/embeddings/x.bin\"><pkg:binaryData>AB*C</pkg:binaryData></pkg:part></pkg:package>"
    );
    let scan = run(&bad);
    assert!(scan.embedded.is_empty());
    assert!(
        scan.problems[0]
            .message
            .contains("invalid base64 at offset 0x2")
    );
}

const SS: &str = "xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" \
                  xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"";

#[test]
fn excel_2003_cells_names_and_links() {
    let xml = format!(
        "<?xml version=\"1.0\"?><Workbook {SS}>\
         <ExcelWorkbook xmlns=\"urn:schemas-microsoft-com:office:excel\"><SupBook><Path>cmd|/c calc.exe</Path>\
         <ExternName><Name>A1</Name></ExternName><ExternName><Name>StdDocumentName</Name><OLE/></ExternName></SupBook>\
         <SupBook><Path>C:\\data\\Book2.xls</Path><ExternName><Name>x</Name></ExternName></SupBook></ExcelWorkbook>\
         <Names><NamedRange ss:Name=\"run\" ss:RefersTo=\"=cmd|'/c a'!A0\"/></Names>\
         <Worksheet ss:Name=\"Sheet1\"><Table>\
         <Row><Cell><Data ss:Type=\"String\">x</Data></Cell></Row>\
         <Row><Cell ss:Formula=\"=cmd|'/c calc.exe'!A1\"><Data ss:Type=\"Error\">#REF!</Data></Cell></Row>\
         <Row ss:Index=\"5\"><Cell ss:MergeAcross=\"2\"/><Cell ss:Formula=\"=R[-1]C+1\"/>\
         <Cell ss:Index=\"28\" ss:Formula=\"=DDE(&quot;cmd&quot;,&quot;/c b&quot;,&quot;x&quot;)\"/></Row>\
         </Table></Worksheet>\
         <Worksheet ss:Name=\"Other\"><Table><Row><Cell ss:Formula=\"=1+1\"/></Row></Table></Worksheet>\
         </Workbook>"
    );
    let scan = run(&xml);
    assert_eq!(scan.format, "excel2003_xml");
    let found: Vec<(Option<String>, String)> = summary(&scan)
        .into_iter()
        .map(|(part, _, what)| (part, what))
        .collect();
    let sheet = |s: &str| Some(s.to_owned());
    assert_eq!(
        found,
        vec![
            (
                None,
                "link cmd /c calc.exe [\"A1\", \"StdDocumentName\"]".to_owned()
            ),
            (None, "name:run =cmd|'/c a'!A0".to_owned()),
            (sheet("Sheet1"), "A2 =cmd|'/c calc.exe'!A1".to_owned()),
            (sheet("Sheet1"), "D5 =R[-1]C+1".to_owned()),
            (
                sheet("Sheet1"),
                "AB5 =DDE(\"cmd\",\"/c b\",\"x\")".to_owned()
            ),
            (sheet("Other"), "A1 =1+1".to_owned()),
        ]
    );
}

#[test]
fn other_xml_is_not_applicable() {
    for xml in [
        "<?xml version=\"1.0\"?><rss><channel/></rss>",
        "<?xml version=\"1.0\"?><wordDocument><body/></wordDocument>",
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\"?><<<",
    ] {
        assert!(
            matches!(
                scan(xml.as_bytes(), &Limits::default()),
                Err(FormatError::NotApplicable(_))
            ),
            "{xml}"
        );
    }
}

#[test]
fn declared_and_utf16_encodings() {
    let body = format!(
        "<w:wordDocument {W2003}><w:p><w:fldSimple w:instr=\"DDE cmd /c\u{e9}\"/></w:p></w:wordDocument>"
    );
    let mut latin = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>".to_vec();
    latin.extend(
        body.replace('\u{e9}', "\u{1}")
            .bytes()
            .map(|b| if b == 1 { 0xE9 } else { b }),
    );
    let scan = scan(&latin, &Limits::default()).unwrap();
    assert_eq!(summary(&scan)[0].2, "DDE cmd /c\u{e9}");
    assert!(scan.problems.is_empty());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        format!("<?xml version=\"1.0\"?>{body}")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let scan = super::scan(&utf16, &Limits::default()).unwrap();
    assert_eq!(summary(&scan)[0].2, "DDE cmd /c\u{e9}");
}
