//! SpreadsheetML 2003 (Excel 2002/2003 "XML Spreadsheet"): cell formulas, named ranges and
//! external links.
//!
//! Reference: the XML Spreadsheet Reference (Office XP/2003 SDK), namespace
//! `urn:schemas-microsoft-com:office:spreadsheet`. A `Worksheet` holds a `Table` of `Row`s of
//! `Cell`s; rows and cells are numbered by position unless `ss:Index` jumps ahead, and a cell
//! with `ss:MergeAcross="n"` covers n more columns. A formula is the cell's `ss:Formula`
//! attribute in R1C1 notation with its `=` (`=cmd|'/c calc.exe'!A1`); a workbook or sheet name
//! is a `NamedRange` with `ss:RefersTo`. A DDE link is an `x:SupBook` whose `Path` is
//! `service|topic` (`cmd|/c calc.exe`), the items it asks for are its `ExternName/Name`s.

use quick_xml::events::{BytesStart, Event};

use crate::formats::formula::a1_reference;
use crate::formats::ooxml::parts::attribute;
use crate::formats::{DocumentRecord, DocumentScan, Limits, Location, Problem};

/// Text being read, for the link table.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Capture {
    None,
    Path,
    ExternName,
}

/// An `x:SupBook` being read.
#[derive(Debug, Default)]
struct SupBook {
    offset: u64,
    path: String,
    names: Vec<String>,
}

struct Reader<'a> {
    limits: &'a Limits,
    sheet: Option<String>,
    row: u32,
    column: u32,
    capture: Capture,
    text: String,
    sup_book: Option<SupBook>,
    records: Vec<DocumentRecord>,
}

/// Reads the formulas, named ranges and DDE links of the workbook `text` into `scan`.
pub(super) fn scan(text: &str, limits: &Limits, scan: &mut DocumentScan) {
    let mut reader = crate::formats::xml_reader::lenient(text);
    let mut book = Reader {
        limits,
        sheet: None,
        row: 0,
        column: 0,
        capture: Capture::None,
        text: String::new(),
        sup_book: None,
        records: Vec::new(),
    };
    loop {
        let offset = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => book.start(&e, offset),
            Ok(Event::Empty(e)) => {
                book.start(&e, offset);
                book.end(e.local_name().as_ref());
            }
            Ok(Event::End(e)) => book.end(e.local_name().as_ref()),
            Ok(Event::Text(t)) if book.capture != Capture::None => {
                book.push_text(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if book.capture != Capture::None => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    book.push_text(c.encode_utf8(&mut [0; 4]));
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    book.push_text(s);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                scan.problems.push(Problem {
                    part: book.sheet.clone(),
                    message: format!(
                        "XML unreadable at offset {:#x}: {err}; the rest of the workbook was not read",
                        reader.error_position()
                    ),
                    incomplete: true,
                });
                break;
            }
        }
    }
    book.finish_sup_book();
    scan.records.extend(book.records);
}

impl Reader<'_> {
    fn start(&mut self, e: &BytesStart<'_>, offset: u64) {
        match e.local_name().as_ref() {
            "Worksheet" => {
                self.sheet = attribute(e, "Name");
                self.row = 0;
            }
            "Table" => self.row = 0,
            "Row" => {
                self.row = index(e).unwrap_or_else(|| self.row.saturating_add(1));
                self.column = 0;
            }
            "Cell" => {
                self.column = index(e).unwrap_or_else(|| self.column.saturating_add(1));
                if let Some(formula) = attribute(e, "Formula") {
                    let cell = a1_reference(self.row, self.column);
                    self.formula(formula, offset, cell);
                }
                let merged = attribute(e, "MergeAcross").and_then(|n| n.trim().parse().ok());
                self.column = self.column.saturating_add(merged.unwrap_or(0));
            }
            "NamedRange" => {
                if let Some(formula) = attribute(e, "RefersTo") {
                    let name = attribute(e, "Name").unwrap_or_default();
                    self.formula(formula, offset, format!("name:{name}"));
                }
            }
            "SupBook" => {
                self.finish_sup_book();
                self.sup_book = Some(SupBook {
                    offset,
                    ..SupBook::default()
                });
            }
            "Path" if self.sup_book.is_some() => self.begin_capture(Capture::Path),
            "Name" if self.sup_book.is_some() => self.begin_capture(Capture::ExternName),
            _ => {}
        }
    }

    fn end(&mut self, local_name: &str) {
        match local_name {
            "Worksheet" => self.sheet = None,
            "Path" | "Name" => {
                let text = std::mem::take(&mut self.text);
                if let Some(book) = self.sup_book.as_mut() {
                    match self.capture {
                        Capture::Path => book.path = text,
                        Capture::ExternName => book.names.push(text),
                        Capture::None => {}
                    }
                }
                self.capture = Capture::None;
            }
            "SupBook" => self.finish_sup_book(),
            _ => {}
        }
    }

    fn begin_capture(&mut self, capture: Capture) {
        self.capture = capture;
        self.text.clear();
    }

    fn push_text(&mut self, text: &str) {
        if self.text.len().saturating_add(text.len()) <= self.limits.max_field_chars {
            self.text.push_str(text);
        }
    }

    fn formula(&mut self, mut formula: String, offset: u64, cell: String) {
        if formula.trim().is_empty() {
            return;
        }
        truncate(&mut formula, self.limits.max_field_chars);
        self.records.push(DocumentRecord::Formula {
            location: Location {
                part: self.sheet.clone(),
                offset,
                cell: Some(cell),
            },
            formula,
        });
    }

    /// A link table entry whose path is `service|topic` is a DDE link; any other (a workbook
    /// path) is an ordinary external reference. File names cannot hold `|`.
    fn finish_sup_book(&mut self) {
        let Some(book) = self.sup_book.take() else {
            return;
        };
        let Some((service, topic)) = book.path.split_once('|') else {
            return;
        };
        self.records.push(DocumentRecord::DdeLink {
            location: Location {
                part: None,
                offset: book.offset,
                cell: None,
            },
            service: service.trim().to_owned(),
            topic: topic.to_owned(),
            items: book.names,
        });
    }
}

/// The `ss:Index` of a row or cell (1-based), if present and valid.
fn index(e: &BytesStart<'_>) -> Option<u32> {
    attribute(e, "Index")
        .and_then(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
}

fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}
