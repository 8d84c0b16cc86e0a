//! Relationship parts (`*/_rels/*.rels`, ECMA-376 Part 2, 9.3): links to OLE objects kept
//! outside the package.
//!
//! A slide, document or sheet can show an OLE object that is only a link
//! (`Type=".../oleObject"` with `TargetMode="External"`): opening the file asks the linked
//! program for the object, from a path or URL the attacker chose. Such a relationship is
//! reported as a [`DocumentRecord::OleLink`] with its target; internal relationships are not.

use memchr::memmem;
use quick_xml::events::Event;

use crate::formats::xml_reader::{attribute, lenient};
use crate::formats::{DocumentRecord, DocumentScan, Location};

/// Whether `name` is a relationship part.
pub(super) fn is_rels_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".rels") && lower.contains("_rels/")
}

/// Reports the external OLE object relationships of the part `name`.
pub(super) fn scan_part(name: &str, bytes: &[u8], scan: &mut DocumentScan) {
    if memmem::find(bytes, b"oleObject").is_none() {
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    let mut reader = lenient(&text);
    loop {
        let offset = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let external = attribute(&e, "TargetMode")
                    .is_some_and(|mode| mode.eq_ignore_ascii_case("External"));
                let ole = attribute(&e, "Type").is_some_and(|t| t.ends_with("/oleObject"));
                if let (true, true, Some(target)) = (external, ole, attribute(&e, "Target")) {
                    scan.records.push(DocumentRecord::OleLink {
                        location: Location {
                            part: Some(name.to_owned()),
                            offset,
                            cell: None,
                        },
                        target,
                    });
                }
            }
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn external_ole_links_are_reported_internal_ones_are_not() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="file:///\\198.51.100.23\share\q3.xlsx" TargetMode="External"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="../embeddings/oleObject1.bin"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://example.com/" TargetMode="External"/></Relationships>"#;
        let mut scan = DocumentScan::default();
        scan_part(
            "ppt/slides/_rels/slide1.xml.rels",
            rels.as_bytes(),
            &mut scan,
        );
        assert_eq!(scan.records.len(), 1);
        assert!(
            matches!(&scan.records[0], DocumentRecord::OleLink { target, .. }
            if target == r"file:///\\198.51.100.23\share\q3.xlsx")
        );
        assert!(is_rels_part("word/_rels/document.xml.rels"));
        assert!(!is_rels_part("word/document.xml"));
    }
}
