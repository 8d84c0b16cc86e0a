//! Single-file Office formats: Word 2003 XML, flat OPC, Excel 2003 XML, SYLK, IQY web queries,
//! and PowerPoint packages with embedded objects: each finding with its part, cell and offset.

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

fn rows<'a>(run: &'a Scan, name: &str) -> Vec<&'a Value> {
    run.rows
        .iter()
        .filter(|r| r["severity"] != "info" && r["source_path"] == name)
        .collect()
}

/// Byte offset of the first `needle` in the positive fixture `name`. The bytes come from the
/// generator (the committed file is the same): reading testdata here would move its access
/// times while other tests scan it.
fn offset_in(name: &str, needle: &str) -> u64 {
    let fixture = ddesweep_testgen::fixture(&format!("documents/positive/{name}")).unwrap();
    memchr::memmem::find(&fixture.bytes, needle.as_bytes()).unwrap() as u64
}

fn positives() -> Scan {
    let run = scan(&[&testdata("documents/positive")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

#[test]
fn word_xml_formats() {
    let run = positives();
    let word = rows(&run, "word2003.xml");
    assert_eq!(word.len(), 1);
    assert_eq!(
        word[0]["command"],
        r#"c:\windows\system32\cmd.exe "/k calc.exe""#
    );
    assert_eq!(word[0]["part"], Value::Null);
    assert_eq!(
        word[0]["offset"],
        offset_in("word2003.xml", "<w:r><w:fldChar w:fldCharType=\"begin\"/>") + 5
    );
    assert_eq!(word[0]["document_format"], "word2003_xml");
    let equation = rows(&run, "word2003-equation.xml");
    assert_eq!(equation.len(), 1);
    assert_eq!(equation[0]["rule_id"], "ddesweep.document.equation_editor");
    assert_eq!(equation[0]["field_code"], "Equation.3");
    assert_eq!(
        equation[0]["offset"],
        offset_in("word2003-equation.xml", "<o:OLEObject")
    );
    let flat: Vec<(&str, &str, u64)> = rows(&run, "flat-opc.xml")
        .iter()
        .map(|r| {
            (
                r["part"].as_str().unwrap(),
                r["command"].as_str().unwrap(),
                r["offset"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flat,
        [
            (
                "word/embeddings/Microsoft_Word_Document.docx > word/document.xml",
                r#"c:\windows\system32\cmd.exe "/c echo embedded""#,
                826,
            ),
            (
                "word/document.xml",
                r#"c:\windows\system32\cmd.exe "/c echo flat""#,
                // A flat OPC offset is in the file, not in the part.
                offset_in("flat-opc.xml", "<w:fldChar w:fldCharType=\"begin\"/>"),
            ),
        ]
    );
    assert_eq!(run.artifact("flat-opc.xml")["format"], "flat_opc");
}

#[test]
fn spreadsheet_text_formats() {
    let run = positives();
    let excel = rows(&run, "excel2003.xml");
    assert_eq!(excel.len(), 1);
    assert_eq!(excel[0]["command"], "cmd /c calc.exe");
    assert_eq!(excel[0]["part"], "Sheet1");
    assert_eq!(excel[0]["cell"], "B3");
    assert_eq!(excel[0]["field_code"], "=cmd|'/c calc.exe'!A1");
    assert_eq!(
        excel[0]["offset"],
        offset_in("excel2003.xml", "<Cell ss:Index=\"2\"")
    );
    let sylk = rows(&run, "sylk-cmd.slk");
    assert_eq!(sylk.len(), 1);
    assert_eq!(sylk[0]["command"], "CMD /C calc.exe");
    assert_eq!(sylk[0]["cell"], "B2");
    assert_eq!(sylk[0]["field_code"], "CMD|'/C calc.exe'!A0");
    assert_eq!(sylk[0]["offset"], offset_in("sylk-cmd.slk", "C;X2;K0;E"));
    let query = rows(&run, "webquery.iqy");
    assert_eq!(query.len(), 1);
    assert_eq!(query[0]["data_type"], "ddesweep:document:web_query");
    assert_eq!(query[0]["command"], "http://198.51.100.23/dde/2.dat");
    assert_eq!(query[0]["offset"], 8);
}

#[test]
fn powerpoint_embedded_objects() {
    let run = positives();
    let slides = rows(&run, "slides.pptx");
    assert_eq!(slides.len(), 1);
    assert_eq!(
        slides[0]["part"],
        "ppt/embeddings/Microsoft_Word_Document.docx > word/document.xml"
    );
    assert_eq!(
        slides[0]["command"],
        r#"c:\windows\system32\cmd.exe "/c echo slides""#
    );
    assert_eq!(run.artifact("slides.pptx")["format"], "pptx");
    let equation = rows(&run, "slides-equation.ppsx");
    assert_eq!(equation.len(), 1);
    assert_eq!(equation[0]["rule_id"], "ddesweep.document.equation_editor");
    assert_eq!(equation[0]["part"], "ppt/embeddings/oleObject1.bin > /");
    assert_eq!(
        equation[0]["field_code"],
        "{0002CE02-0000-0000-C000-000000000046} Equation.3"
    );
}

#[test]
fn clean_documents_of_each_format_are_read_without_findings() {
    let run = scan(&[&testdata("documents/negative")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, format) in [
        ("word2003-clean.xml", "word2003_xml"),
        ("flat-opc-clean.xml", "flat_opc"),
        ("excel2003-clean.xml", "excel2003_xml"),
        ("sylk-clean.slk", "sylk"),
        ("slides-clean.pptx", "pptx"),
    ] {
        let artifact = run.artifact(name);
        assert_eq!(artifact["status"], "analyzed", "{name}: {artifact}");
        assert_eq!(artifact["format"], format, "{name}");
        assert_eq!(artifact["findings"], 0, "{name}");
    }
}

#[test]
fn other_xml_and_text_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("feed.xml"),
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>cmd|'/c calc'!A0</title></channel></rss>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("notes.slk"),
        "C;Y1;X1;Ecmd|'/c calc'!A0\r\n",
    )
    .unwrap();
    let run = scan(&[dir.path()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<(String, String, String)>::new());
    let feed = run.artifact("feed.xml");
    assert_eq!(feed["status"], "skipped");
    assert_eq!(
        feed["reason"],
        "XML document with root element <rss>: not an Office XML format"
    );
    let notes = run.artifact("notes.slk");
    assert_eq!(notes["status"], "skipped");
    assert_eq!(
        notes["reason"],
        "no ID record at the start: not a SYLK file"
    );
}
