//! One XML part of an OOXML package: Word fields, Excel DDE links, formulas and defined names.
//!
//! WordprocessingML (ECMA-376 Part 1, 17.16) writes a field either as `w:fldSimple w:instr=".."`
//! or as runs: `w:fldChar begin`, `w:instrText` pieces, `w:fldChar separate`, result runs,
//! `w:fldChar end`. SpreadsheetML writes DDE links as `ddeLink ddeService ddeTopic` with
//! `ddeItem`s (18.14) and formulas in `f` elements and `definedName` (18.3.1.40, 18.2.5).
//! Elements are matched by local name, so any prefix and both the Transitional and the Strict
//! namespaces are read, and so is Word 2003 XML, which writes fields the same way
//! ([`scan_text`] serves `formats/xml`). Runs are not tracked, only field markers, so fields
//! whose runs sit in `w:smartTag`, `w:ins`, `w:hyperlink`, `w:sdt` or `w:customXml`, or all in
//! one run, read as any other. Both branches of `mc:AlternateContent` are read and a field
//! repeated in them is reported once (see [`Alternates`]). Parts without any of the markers are
//! not parsed at all.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use memchr::memmem;
use quick_xml::events::{BytesStart, Event};

pub(crate) use crate::formats::xml_reader::attribute;

use super::super::field_code::{AssembledField, FieldAssembler, FieldSink};
use super::super::{DocumentRecord, DocumentScan, Limits, Location, Problem};

/// Byte strings whose presence makes a part worth parsing.
const MARKERS: &[&[u8]] = &[b"instr", b"fldChar", b"ddeLink", b"|", b"DDE(", b"dde("];

/// Whether `bytes` holds a marker. Word parts with fields hit `instr` or `fldChar` within the
/// first few kilobytes, so the common case costs little.
fn has_marker(bytes: &[u8]) -> bool {
    MARKERS.iter().any(|m| memmem::find(bytes, m).is_some())
}

/// What the text currently read belongs to.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Capture {
    None,
    Instruction,
    FieldResult,
    Formula,
    DefinedName,
}

/// A `ddeLink` whose `ddeItem`s are still being read.
struct PendingLink {
    offset: u64,
    service: String,
    topic: String,
    items: Vec<String>,
}

/// Reads the fields, DDE links and formulas of the part `name` into `scan`.
pub(crate) fn scan_part(name: &str, bytes: &[u8], limits: &Limits, scan: &mut DocumentScan) {
    if !has_marker(bytes) {
        return;
    }
    let (text, invalid) = decode_part(bytes);
    if invalid {
        scan.problems.push(Problem {
            part: Some(name.to_owned()),
            message: "invalid character encoding; bytes replaced by U+FFFD".to_owned(),
            incomplete: false,
        });
    }
    scan_text(Some(name), &text, limits, scan);
}

/// Reads the fields, DDE links and formulas of XML text already decoded: a part of a package
/// (`part` is its name) or a whole single-file document (`part` is `None`: Word 2003 XML). Record
/// offsets are byte offsets in `text`.
pub(crate) fn scan_text(part: Option<&str>, text: &str, limits: &Limits, scan: &mut DocumentScan) {
    if !has_marker(text.as_bytes()) {
        return;
    }
    let mut reader = PartReader {
        name: part,
        limits,
        fields: FieldAssembler::new(limits),
        capture: Capture::None,
        text: String::new(),
        element_offset: 0,
        cell: None,
        defined_name: None,
        link: None,
        simple_fields_open: 0,
        alternates: Alternates::default(),
        records: Vec::new(),
    };
    if let Err(problem) = reader.read(text) {
        scan.problems.push(problem);
    }
    let PartReader {
        fields,
        mut records,
        mut alternates,
        ..
    } = reader;
    let (fields, field_problems) = fields.finish();
    let fields = alternates.dedupe(fields);
    records.extend(fields.into_iter().map(|f| f.into_record(part)));
    records.sort_by_key(record_offset);
    scan.records.extend(records);
    scan.problems
        .extend(field_problems.into_iter().map(|message| Problem {
            part: part.map(str::to_owned),
            message,
            incomplete: false,
        }));
}

fn record_offset(record: &DocumentRecord) -> u64 {
    record.location().offset
}

/// Decodes a part as UTF-8, or UTF-16 when it starts with a byte order mark.
pub(crate) fn decode_part(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    for (bom, codec) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, invalid) = codec.decode_without_bom_handling(rest);
            return (Cow::Owned(text.into_owned()), invalid);
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The validating conversion is much faster than the lossy one on valid input.
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

struct PartReader<'a> {
    name: Option<&'a str>,
    limits: &'a Limits,
    fields: FieldAssembler,
    capture: Capture,
    text: String,
    element_offset: u64,
    cell: Option<String>,
    defined_name: Option<String>,
    link: Option<PendingLink>,
    simple_fields_open: usize,
    alternates: Alternates,
    records: Vec<DocumentRecord>,
}

impl PartReader<'_> {
    fn read(&mut self, text: &str) -> Result<(), Problem> {
        let mut reader = crate::formats::xml_reader::lenient(text);
        loop {
            let offset = reader.buffer_position();
            match reader.read_event() {
                Ok(Event::Start(e)) => self.start(&e, offset, false),
                Ok(Event::Empty(e)) => self.start(&e, offset, true),
                Ok(Event::End(e)) => self.end(e.local_name().as_ref(), offset),
                // Text outside the elements of interest (most of a document) is not decoded.
                Ok(Event::Text(_) | Event::CData(_) | Event::GeneralRef(_))
                    if self.capture == Capture::None => {}
                Ok(Event::Text(t)) => self.text(&t.xml10_content()),
                Ok(Event::CData(t)) => self.text(&t.xml10_content()),
                Ok(Event::GeneralRef(r)) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        self.text(c.encode_utf8(&mut [0; 4]));
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        self.text(s);
                    }
                }
                Ok(Event::Eof) => return Ok(()),
                Ok(_) => {}
                Err(err) => {
                    return Err(Problem {
                        part: self.name.map(str::to_owned),
                        message: format!(
                            "XML unreadable at offset {:#x}: {err}; the rest of the part was not read",
                            reader.error_position()
                        ),
                        incomplete: true,
                    });
                }
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, offset: u64, empty: bool) {
        match e.local_name().as_ref() {
            "fldChar" => match attribute(e, "fldCharType").as_deref() {
                Some("begin") => self.fields.begin(offset),
                Some("separate") => self.fields.separate(),
                Some("end") => self.fields.end(offset),
                _ => {}
            },
            "fldSimple" => {
                self.fields.begin(offset);
                self.fields
                    .instruction(&attribute(e, "instr").unwrap_or_default());
                self.fields.separate();
                if empty {
                    self.fields.end(offset);
                } else {
                    self.simple_fields_open += 1;
                }
            }
            "AlternateContent" if !empty => self.alternates.open_block(offset),
            "Choice" | "Fallback" if !empty => self.alternates.open_branch(offset),
            "instrText" if !empty => self.capture = Capture::Instruction,
            "t" if !empty && self.fields.in_field() => self.capture = Capture::FieldResult,
            "c" => self.cell = attribute(e, "r"),
            "f" if !empty => self.begin_capture(Capture::Formula, offset),
            "definedName" if !empty => {
                self.defined_name = attribute(e, "name");
                self.begin_capture(Capture::DefinedName, offset);
            }
            "ddeLink" => {
                self.link = Some(PendingLink {
                    offset,
                    service: attribute(e, "ddeService").unwrap_or_default(),
                    topic: attribute(e, "ddeTopic").unwrap_or_default(),
                    items: Vec::new(),
                });
                if empty {
                    self.finish_link();
                }
            }
            "ddeItem" => {
                if let (Some(link), Some(item)) = (self.link.as_mut(), attribute(e, "name")) {
                    link.items.push(item);
                }
            }
            _ => {}
        }
    }

    fn begin_capture(&mut self, capture: Capture, offset: u64) {
        self.capture = capture;
        self.element_offset = offset;
        self.text.clear();
    }

    fn end(&mut self, local_name: &str, offset: u64) {
        match local_name {
            "instrText" | "t" => self.capture = Capture::None,
            "fldSimple" if self.simple_fields_open > 0 => {
                self.simple_fields_open -= 1;
                self.fields.end(offset);
            }
            "f" | "definedName" if self.capture != Capture::None => {
                let cell = match self.capture {
                    Capture::DefinedName => self.defined_name.take().map(|n| format!("name:{n}")),
                    _ => self.cell.clone(),
                };
                self.capture = Capture::None;
                let formula = std::mem::take(&mut self.text);
                if !formula.trim().is_empty() {
                    self.records.push(DocumentRecord::Formula {
                        location: Location {
                            part: self.name.map(str::to_owned),
                            offset: self.element_offset,
                            cell,
                        },
                        formula,
                    });
                }
            }
            "c" => self.cell = None,
            "ddeLink" => self.finish_link(),
            "AlternateContent" => self.alternates.close_block(offset),
            "Choice" | "Fallback" => self.alternates.close_branch(offset),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        match self.capture {
            Capture::None => {}
            Capture::Instruction => self.fields.instruction(text),
            Capture::FieldResult => self.fields.result(text),
            Capture::Formula | Capture::DefinedName => {
                if self.text.len() + text.len() <= self.limits.max_field_chars {
                    self.text.push_str(text);
                }
            }
        }
    }

    fn finish_link(&mut self) {
        if let Some(link) = self.link.take() {
            self.records.push(DocumentRecord::DdeLink {
                location: Location {
                    part: self.name.map(str::to_owned),
                    offset: link.offset,
                    cell: None,
                },
                service: link.service,
                topic: link.topic,
                items: link.items,
            });
        }
    }
}

/// The `mc:AlternateContent` blocks of a part (ECMA-376 Part 3, 10.2.1).
///
/// A block holds the same content twice: in an `mc:Choice` for applications that understand its
/// namespace, and in an `mc:Fallback` for the others (Word writes every text box this way). Word
/// reads one branch, and which one depends on its version, so both branches are read: a DDE
/// field in the Fallback alone is still reported. The copy of a field in the other branch is the
/// same field, though, and must not be reported twice: a field is dropped when an earlier branch
/// of the same block holds a field with the same instruction at the same position (the same
/// ordinal among the fields of its branch). Fields that differ between branches are all kept.
#[derive(Debug, Default)]
struct Alternates {
    /// Outermost blocks: (start, end) offsets.
    blocks: Vec<(u64, u64)>,
    /// Branches directly inside an outermost block: (block index, start, end).
    branches: Vec<(usize, u64, u64)>,
    /// Nesting depth of `AlternateContent` elements.
    depth: usize,
    block_start: u64,
    /// Start of the branch open at depth 1, if any.
    branch_start: Option<u64>,
}

impl Alternates {
    fn open_block(&mut self, offset: u64) {
        if self.depth == 0 {
            self.block_start = offset;
        }
        self.depth += 1;
    }

    fn close_block(&mut self, offset: u64) {
        match self.depth {
            0 => {}
            1 => {
                self.close_branch(offset);
                self.blocks.push((self.block_start, offset));
                self.depth = 0;
            }
            _ => self.depth -= 1,
        }
    }

    fn open_branch(&mut self, offset: u64) {
        if self.depth == 1 {
            self.branch_start = Some(offset);
        }
    }

    fn close_branch(&mut self, offset: u64) {
        if self.depth == 1 {
            if let Some(start) = self.branch_start.take() {
                self.branches.push((self.blocks.len(), start, offset));
            }
        }
    }

    /// Drops the copies of fields already read in an earlier branch of the same block.
    fn dedupe(&mut self, fields: Vec<AssembledField>) -> Vec<AssembledField> {
        if self.depth > 0 {
            // A block left open by truncated XML reaches to the end of the part.
            self.depth = 1;
            self.close_block(u64::MAX);
        }
        if self.branches.is_empty() {
            return fields;
        }
        let mut ordinals: HashMap<usize, usize> = HashMap::new();
        let mut seen: HashSet<(usize, usize, String)> = HashSet::new();
        fields
            .into_iter()
            .filter(|field| {
                let Some((branch, block)) = self.branch_of(field.offset) else {
                    return true;
                };
                let ordinal = ordinals.entry(branch).or_default();
                let key = (block, *ordinal, field.instruction.clone());
                *ordinal += 1;
                seen.insert(key)
            })
            .collect()
    }

    /// The branch (index, block index) holding `offset`; branches are sorted and disjoint.
    fn branch_of(&self, offset: u64) -> Option<(usize, usize)> {
        let index = self
            .branches
            .partition_point(|&(_, start, _)| start <= offset)
            .checked_sub(1)?;
        let &(block, _, end) = self.branches.get(index)?;
        (offset < end).then_some((index, block))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> DocumentScan {
        let mut scan = DocumentScan::default();
        scan_part(
            "word/document.xml",
            xml.as_bytes(),
            &Limits::default(),
            &mut scan,
        );
        scan
    }

    fn instructions(scan: &DocumentScan) -> Vec<String> {
        scan.records
            .iter()
            .filter_map(|r| match r {
                DocumentRecord::Field { instruction, .. } => Some(instruction.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fld_char_runs_are_joined() {
        let xml = r#"<w:document xmlns:w="x"><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>DDE</w:instrText></w:r><w:r><w:instrText xml:space="preserve">AUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:document>"#;
        let scan = scan(xml);
        assert_eq!(
            instructions(&scan),
            vec![r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#]
        );
        assert!(scan.problems.is_empty());
    }

    #[test]
    fn fld_simple_and_entities() {
        let scan = scan(r#"<w:p><w:fldSimple w:instr=" DDE c:\\x.exe &quot;/c a&quot; "/></w:p>"#);
        assert_eq!(instructions(&scan), vec![r#" DDE c:\\x.exe "/c a" "#]);
    }

    #[test]
    fn dde_link_and_formulas() {
        let xml = r#"<externalLink><ddeLink ddeService="cmd" ddeTopic="/c calc.exe"><ddeItems><ddeItem name="_xlbgnm.A1"/></ddeItems></ddeLink></externalLink><sheetData><row><c r="B2"><f>cmd|'/c calc'!A0</f></c></row></sheetData>"#;
        let mut scan = DocumentScan::default();
        scan_part("xl/x.xml", xml.as_bytes(), &Limits::default(), &mut scan);
        assert_eq!(scan.records.len(), 2);
        assert!(
            matches!(&scan.records[0], DocumentRecord::DdeLink { service, topic, items, .. }
            if service == "cmd" && topic == "/c calc.exe" && items == &["_xlbgnm.A1".to_owned()])
        );
        assert!(
            matches!(&scan.records[1], DocumentRecord::Formula { formula, location }
            if formula == "cmd|'/c calc'!A0" && location.cell.as_deref() == Some("B2"))
        );
    }

    #[test]
    fn truncated_xml_keeps_earlier_fields() {
        let xml = r#"<w:p><w:fldSimple w:instr="DDEAUTO a b"/></w:p><w:p><w:r><w:t xml:spa"#;
        let scan = scan(xml);
        assert_eq!(instructions(&scan), vec!["DDEAUTO a b"]);
        assert_eq!(scan.problems.len(), 1);
        assert!(scan.problems[0].incomplete);
    }

    #[test]
    fn alternate_content_copies_are_reported_once() {
        let field = |cmd: &str| {
            format!(
                "<w:r><w:fldChar w:fldCharType=\"begin\"/><w:instrText>DDEAUTO {cmd}</w:instrText><w:fldChar w:fldCharType=\"end\"/></w:r>"
            )
        };
        let block = |choice: &str, fallback: &str| {
            format!(
                "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:txbxContent>{choice}</w:txbxContent></mc:Choice>\
                 <mc:Fallback><w:txbxContent>{fallback}</w:txbxContent></mc:Fallback></mc:AlternateContent>"
            )
        };
        let xml = format!(
            "<w:body>{}{}{}{}</w:body>",
            block(&(field("a") + &field("a")), &(field("a") + &field("a"))),
            block(&field("b"), &field("b")),
            block("", &field("only-fallback")),
            block(&field("c"), &field("d")),
        );
        assert_eq!(
            instructions(&scan(&xml)),
            vec![
                "DDEAUTO a",
                "DDEAUTO a",
                "DDEAUTO b",
                "DDEAUTO only-fallback",
                "DDEAUTO c",
                "DDEAUTO d"
            ]
        );
    }

    #[test]
    fn parts_without_markers_are_not_parsed() {
        let scan = scan("<w:p><w:t>hello</w:t>");
        assert!(scan.records.is_empty() && scan.problems.is_empty());
    }
}
