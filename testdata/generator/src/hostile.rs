//! Documents under `documents/hostile/`: empty, corrupt, truncated,
//! decompression-bomb, deeply nested and badly encoded inputs the tool must
//! survive (reporting what it still can, with warnings).

use std::io::Write;

use crate::ooxml::{REL_OFFICE_DOCUMENT, Rel, ZipBuilder, content_types, relationships};
use crate::positive;
use crate::prose::lcg_bytes;
use crate::text::{UTF16LE_BOM, utf16le};
use crate::word::{
    self, CT_DOCX, FLD_BEGIN, FLD_END, NAMESPACES, XML_DECL, fld_char_field, p, word_body,
};

/// Uncompressed size of the padding in `zipbomb.docx`: 300 MiB of spaces.
pub const ZIPBOMB_PADDING: usize = 300 * 1024 * 1024;
/// Nesting depth of `deep-nesting.rtf`.
pub const RTF_DEPTH: usize = 200_000;
/// Nesting depth of `deep-fields.docx`.
pub const FIELD_DEPTH: usize = 10_000;

/// Fixture 19: A zero-byte `.docx`.
pub fn empty() -> Vec<u8> {
    Vec::new()
}

/// Fixture 20: A local-file-header signature followed by 2 KiB of noise.
pub fn corrupt() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend(lcg_bytes(0x0DDE_5EED, 2048));
    bytes
}

/// Fixture 21: The first 60% of `word-ddeauto-runs.docx`.
pub fn truncated() -> Vec<u8> {
    let mut bytes = positive::word_ddeauto_runs();
    bytes.truncate(bytes.len() * 6 / 10);
    bytes
}

/// Fixture 22: A valid `.docx` whose `document.xml` inflates to more than 300 MiB.
/// The padding is streamed through the zip writer 1 MiB at a time.
pub fn zipbomb() -> Vec<u8> {
    let mut zip = ZipBuilder::new();
    let types = content_types(&[("word/document.xml".to_owned(), CT_DOCX.to_owned())]);
    zip.add("[Content_Types].xml", types.as_bytes());
    let rels = relationships(&[Rel::new("rId1", REL_OFFICE_DOCUMENT, "word/document.xml")]);
    zip.add("_rels/.rels", rels.as_bytes());
    zip.start("word/document.xml");
    let head = format!("{XML_DECL}<w:document {NAMESPACES}><w:body><w:p><w:r><w:t>");
    zip.write_all(head.as_bytes()).expect("in-memory write");
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..ZIPBOMB_PADDING / chunk.len() {
        zip.write_all(&chunk).expect("in-memory write");
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
        .expect("in-memory write");
    zip.add(
        "word/_rels/document.xml.rels",
        relationships(&[]).as_bytes(),
    );
    zip.finish()
}

/// Fixture 23: RTF nested 200,000 groups deep.
pub fn deep_nesting() -> Vec<u8> {
    let mut bytes = b"{\\rtf1 ".to_vec();
    bytes.extend(std::iter::repeat_n(b'{', RTF_DEPTH));
    bytes.push(b'x');
    bytes.extend(std::iter::repeat_n(b'}', RTF_DEPTH));
    bytes.push(b'}');
    bytes
}

/// Fixture 24: 10,000 nested field begins, then 10,000 ends.
pub fn deep_fields() -> Vec<u8> {
    let runs = FLD_BEGIN.repeat(FIELD_DEPTH) + &FLD_END.repeat(FIELD_DEPTH);
    word::docx(&[("word/document.xml", word_body(&p(&runs)))])
}

/// Fixture 25: A DDEAUTO field whose instruction holds the invalid UTF-8 bytes
/// `FF FE` before the closing quote.
pub fn invalid_utf8() -> Vec<u8> {
    const MARK: &str = "@@INVALID@@";
    let instr = format!(r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c calc.exe{MARK}""#);
    let xml = word_body(&p(&fld_char_field(&[&instr], "Update")));
    let at = xml.find(MARK).expect("marker present");
    let mut bytes = xml.as_bytes()[..at].to_vec();
    bytes.extend_from_slice(b"\xFF\xFE");
    bytes.extend_from_slice(&xml.as_bytes()[at + MARK.len()..]);
    word::word_package(CT_DOCX, &[("word/document.xml", &bytes)])
}

/// Fixture 26: UTF-16LE CSV: a DDE line, then an unpaired high surrogate, `x`, and
/// an odd trailing byte.
pub fn invalid_utf16() -> Vec<u8> {
    let mut bytes = UTF16LE_BOM.to_vec();
    bytes.extend(utf16le("=cmd|'/c calc.exe'!A0\r\n"));
    bytes.extend_from_slice(&0xD800u16.to_le_bytes());
    bytes.extend(utf16le("x"));
    bytes.push(b'A');
    bytes
}

/// Fixture 27: A complete DDEAUTO field, then `document.xml` stops inside a tag.
pub fn truncated_xml() -> Vec<u8> {
    let field = fld_char_field(
        &[r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c truncated""#],
        "Update",
    );
    let xml = format!(
        "{XML_DECL}<w:document {NAMESPACES}><w:body><w:p>{field}</w:p><w:p><w:r><w:t xml:spa"
    );
    word::docx(&[("word/document.xml", xml)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_holds_the_bytes() {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(invalid_utf8())).unwrap();
        let mut xml = Vec::new();
        std::io::copy(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        let needle: &[u8] = b"calc.exe\xFF\xFE\"";
        assert!(xml.windows(needle.len()).any(|w| w == needle));
        assert!(std::str::from_utf8(&xml).is_err());
    }

    #[test]
    fn deep_nesting_is_balanced() {
        let rtf = deep_nesting();
        assert_eq!(rtf.len(), 7 + 2 * RTF_DEPTH + 2);
        assert_eq!(
            rtf.iter().filter(|&&b| b == b'{').count(),
            rtf.iter().filter(|&&b| b == b'}').count()
        );
    }

    #[test]
    fn invalid_utf16_shape() {
        let bytes = invalid_utf16();
        assert_eq!(&bytes[..2], b"\xFF\xFE");
        assert_eq!(bytes.len() % 2, 1);
        assert!(bytes.windows(4).any(|w| w == b"\x00\xD8x\x00"));
    }
}
