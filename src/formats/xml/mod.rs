//! Office documents saved as one XML file: Word 2003 XML, Word 2007+ flat OPC, Excel 2003 XML.
//!
//! Word and Excel open these from any `.xml` file whose root element says what it is:
//!
//! - `w:wordDocument` (WordprocessingML 2003, namespace
//!   `http://schemas.microsoft.com/office/word/2003/wordml`): fields are written as in OOXML
//!   (`w:fldSimple`, `w:fldChar` + `w:instrText`), so the whole file is read by the OOXML part
//!   reader (`ooxml::parts::scan_text`). Embedded OLE objects are declared by
//!   `o:OLEObject ProgID=".."` and reported with that ProgID; their data sits zlib-compressed
//!   in a `w:binData` ActiveMime blob (`oledata.mso`) that this version does not unpack.
//! - `pkg:package` (flat OPC, `http://schemas.microsoft.com/office/2006/xmlPackage`, what Word
//!   2007+ writes as "Word XML Document"): the parts of a package inline, XML parts in
//!   `pkg:xmlData` and binary parts base64 in `pkg:binaryData` ([`flat_opc`]).
//! - `Workbook` (SpreadsheetML 2003, `urn:schemas-microsoft-com:office:spreadsheet`): cell
//!   formulas in `ss:Formula` attributes and external (DDE) links in `SupBook` ([`spreadsheet`]).
//!
//! Any other XML is not an Office document: [`FormatError::NotApplicable`].

mod base64;
mod flat_opc;
mod spreadsheet;

use std::borrow::Cow;

use memchr::memmem;
use quick_xml::events::Event;

use super::ooxml::parts;
use super::{DocumentRecord, DocumentScan, FormatError, Limits, Location, Problem};

/// Namespace of WordprocessingML 2003.
const WORDML_2003: &str = "http://schemas.microsoft.com/office/word/2003/wordml";
/// Namespace of the flat OPC package format.
const FLAT_OPC: &str = "http://schemas.microsoft.com/office/2006/xmlPackage";
/// Namespace of SpreadsheetML 2003.
const SPREADSHEET_2003: &str = "urn:schemas-microsoft-com:office:spreadsheet";

/// Which Office XML format a file is, from its root element.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum OfficeXml {
    Word2003,
    FlatOpc,
    Spreadsheet2003,
}

/// Reads an Office XML document.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<DocumentScan, FormatError> {
    let size = bytes.len() as u64;
    if size > limits.max_text_bytes {
        return Err(FormatError::TooLarge {
            what: "XML document",
            actual: size,
            limit: limits.max_text_bytes,
        });
    }
    let (text, invalid) = decode(bytes);
    let kind = office_kind(&text)?;
    let mut scan = DocumentScan::default();
    if invalid {
        scan.problems.push(Problem {
            part: None,
            message: "invalid character encoding; bytes replaced by U+FFFD".to_owned(),
            incomplete: false,
        });
    }
    match kind {
        OfficeXml::Word2003 => {
            scan.format = "word2003_xml";
            parts::scan_text(None, &text, limits, &mut scan);
            if memmem::find(text.as_bytes(), b"OLEObject").is_some() {
                ole_objects(&text, &mut scan);
            }
        }
        OfficeXml::FlatOpc => {
            scan.format = "flat_opc";
            flat_opc::scan(&text, limits, &mut scan);
        }
        OfficeXml::Spreadsheet2003 => {
            scan.format = "excel2003_xml";
            spreadsheet::scan(&text, limits, &mut scan);
        }
    }
    Ok(scan)
}

/// Decodes the file: by byte order mark (UTF-8, UTF-16LE/BE), as UTF-16LE when it starts with
/// `<\0`, else in the encoding its XML declaration names (`encoding="windows-1252"`), else UTF-8.
/// Returns the text and whether invalid bytes were replaced.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    if bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || bytes.starts_with(b"\xEF\xBB\xBF")
    {
        return parts::decode_part(bytes);
    }
    if bytes.starts_with(b"<\0") {
        let (text, invalid) = encoding_rs::UTF_16LE.decode_without_bom_handling(bytes);
        return (Cow::Owned(text.into_owned()), invalid);
    }
    if bytes.starts_with(b"\0<") {
        let (text, invalid) = encoding_rs::UTF_16BE.decode_without_bom_handling(bytes);
        return (Cow::Owned(text.into_owned()), invalid);
    }
    if let Some(encoding) = declared_encoding(bytes) {
        if encoding != encoding_rs::UTF_8 && encoding.is_ascii_compatible() {
            let (text, invalid) = encoding.decode_without_bom_handling(bytes);
            return (Cow::Owned(text.into_owned()), invalid);
        }
    }
    parts::decode_part(bytes)
}

/// The encoding named by the XML declaration (`<?xml version="1.0" encoding="..."?>`).
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes.get(..bytes.len().min(256)).unwrap_or(bytes);
    let declaration = head.get(..memmem::find(head, b"?>")?)?;
    let at = memmem::find(declaration, b"encoding")?;
    let rest = declaration.get(at + b"encoding".len()..)?;
    let open = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = *rest.get(open)?;
    let value = rest.get(open + 1..)?;
    let close = value.iter().position(|&b| b == quote)?;
    encoding_rs::Encoding::for_label(value.get(..close)?)
}

/// Which Office format the root element names; `NotApplicable` for any other XML.
fn office_kind(text: &str) -> Result<OfficeXml, FormatError> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let local = e.local_name();
                let declares = |namespace: &str| {
                    e.attributes()
                        .with_checks(false)
                        .flatten()
                        .any(|a| a.value.as_ref() == namespace)
                };
                let kind = match local.as_ref() {
                    "wordDocument" if declares(WORDML_2003) => OfficeXml::Word2003,
                    "package" if declares(FLAT_OPC) => OfficeXml::FlatOpc,
                    "Workbook" if declares(SPREADSHEET_2003) => OfficeXml::Spreadsheet2003,
                    other => {
                        return Err(FormatError::NotApplicable(format!(
                            "XML document with root element <{}>: not an Office XML format",
                            other.chars().take(64).collect::<String>()
                        )));
                    }
                };
                return Ok(kind);
            }
            Ok(Event::Eof) => {
                return Err(FormatError::NotApplicable(
                    "XML without a root element: not an Office XML format".to_owned(),
                ));
            }
            Ok(_) => {}
            Err(err) => {
                return Err(FormatError::NotApplicable(format!(
                    "not well-formed XML before the root element (offset {:#x}: {err}): not an \
                     Office XML format",
                    reader.error_position()
                )));
            }
        }
    }
}

/// Reports the embedded objects of a Word 2003 document: `o:OLEObject` elements of type
/// `Embed` with their declared `ProgID` (`Equation.3`). Linked objects (`Type="Link"`) hold no
/// object and are not reported.
fn ole_objects(text: &str, scan: &mut DocumentScan) {
    let mut reader = crate::formats::xml_reader::lenient(text);
    loop {
        let offset = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "OLEObject" => {
                let embedded = parts::attribute(&e, "Type")
                    .is_none_or(|kind| kind.eq_ignore_ascii_case("Embed"));
                if let Some(prog_id) = parts::attribute(&e, "ProgID").filter(|_| embedded) {
                    scan.records.push(DocumentRecord::EmbeddedObject {
                        location: Location {
                            part: None,
                            offset,
                            cell: None,
                        },
                        class_id: None,
                        prog_id: Some(prog_id),
                    });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                // The field reader reports the damage when it read the file; say it once.
                if !scan.problems.iter().any(|p| p.incomplete) {
                    scan.problems.push(Problem {
                        part: None,
                        message: format!(
                            "XML unreadable at offset {:#x}: {err}; the rest was not read",
                            reader.error_position()
                        ),
                        incomplete: true,
                    });
                }
                break;
            }
        }
    }
    scan.records.sort_by_key(|record| record.location().offset);
}

#[cfg(test)]
mod tests;
