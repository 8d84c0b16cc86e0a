//! Flat OPC: a whole Office Open XML package written as one XML file (Word 2007+ "Word XML
//! Document", also PowerPoint and Excel), as `pkg:package` / `pkg:part pkg:name=".."` with the
//! part's XML inline in `pkg:xmlData` or its bytes base64 in `pkg:binaryData`.
//!
//! Reference: [MS-OFFMACRO2] 2.2 (the flat OPC schema `http://schemas.microsoft.com/office/
//! 2006/xmlPackage`) and ECMA-376 Part 2 for the part names. XML parts are read exactly like the
//! parts of a zipped package (same selection, same reader); binary parts under `/embeddings/`
//! become embedded documents. Record offsets are offsets in the file (not in the part), so the
//! bytes can be found again.
//!
//! [MS-OFFMACRO2]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offmacro2

use quick_xml::events::Event;

use super::base64::{self, Base64Error};
use crate::formats::ooxml::{is_embedding, is_xml_part, parts};
use crate::formats::{DocumentScan, Embedded, Limits, Problem};

/// Reads the parts of the flat OPC package `text` into `scan`.
pub(super) fn scan(text: &str, limits: &Limits, scan: &mut DocumentScan) {
    let mut reader = crate::formats::xml_reader::lenient(text);
    let mut part: Option<String> = None;
    let mut parts_seen = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "part" => {
                    parts_seen += 1;
                    if parts_seen > limits.max_zip_entries {
                        scan.problems.push(Problem {
                            part: None,
                            message: format!(
                                "package has more than {} parts; the rest were not read",
                                limits.max_zip_entries
                            ),
                            incomplete: true,
                        });
                        return;
                    }
                    part = Some(part_name(parts::attribute(&e, "name")));
                }
                local @ ("xmlData" | "binaryData") => {
                    let name = part.clone().unwrap_or_else(|| part_name(None));
                    let start = reader.buffer_position();
                    let (end, closed) = match reader.read_to_end(e.name()) {
                        Ok(span) => (span.end, true),
                        Err(_) => (text.len() as u64, false),
                    };
                    let content = usize::try_from(start)
                        .ok()
                        .zip(usize::try_from(end).ok())
                        .and_then(|(s, e)| text.get(s..e))
                        .unwrap_or_default();
                    if local == "xmlData" {
                        xml_part(&name, content, start, limits, scan);
                    } else {
                        binary_part(&name, content, limits, scan);
                    }
                    if !closed {
                        scan.problems.push(Problem {
                            part: Some(name),
                            message: format!(
                                "part content opened at offset {start:#x} is never closed; read to the end of the file"
                            ),
                            incomplete: true,
                        });
                        return;
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "part" => part = None,
            Ok(Event::Eof) => return,
            Ok(_) => {}
            Err(err) => {
                scan.problems.push(Problem {
                    part: part.take(),
                    message: format!(
                        "XML unreadable at offset {:#x}: {err}; the rest of the package was not read",
                        reader.error_position()
                    ),
                    incomplete: true,
                });
                return;
            }
        }
    }
}

/// The part name without its leading `/`, as zipped packages name their entries.
fn part_name(name: Option<String>) -> String {
    match name {
        Some(name) => name.trim_start_matches('/').to_owned(),
        None => "(unnamed part)".to_owned(),
    }
}

/// Reads one XML part whose content starts at file offset `start`. Parts are chosen as in a
/// zipped package ([`is_xml_part`]); a part whose name does not end in `.xml` is read unless it
/// is a relationships part, since here its content is XML whatever its name.
fn xml_part(name: &str, content: &str, start: u64, limits: &Limits, scan: &mut DocumentScan) {
    let lower = name.to_ascii_lowercase();
    let wanted = if lower.ends_with(".xml") {
        is_xml_part(name)
    } else {
        !lower.ends_with(".rels")
    };
    if !wanted {
        return;
    }
    let first = scan.records.len();
    parts::scan_text(Some(name), content, limits, scan);
    for record in scan.records.iter_mut().skip(first) {
        let location = record.location_mut();
        location.offset = location.offset.saturating_add(start);
    }
}

/// Decodes one binary part into [`DocumentScan::embedded`] when it is an embedded object or
/// package (`word/embeddings/oleObject1.bin`); pictures, fonts and the like are not decoded.
fn binary_part(name: &str, content: &str, limits: &Limits, scan: &mut DocumentScan) {
    if !is_embedding(name) {
        return;
    }
    match base64::decode(content, limits.max_embedded_bytes) {
        Ok(bytes) => scan.embedded.push(Embedded {
            name: name.to_owned(),
            bytes,
        }),
        Err(Base64Error::TooLarge(size)) => scan.problems.push(Problem {
            part: Some(name.to_owned()),
            message: format!(
                "embedded part of about {size} bytes is over the limit of {} bytes; not analysed",
                limits.max_embedded_bytes
            ),
            incomplete: true,
        }),
        Err(Base64Error::InvalidCharacter(at)) => scan.problems.push(Problem {
            part: Some(name.to_owned()),
            message: format!("invalid base64 at offset {at:#x} of the part content; not analysed"),
            incomplete: true,
        }),
    }
}
