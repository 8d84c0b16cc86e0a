//! DDE links of a BIFF8 workbook: SupBook and ExternName records ([MS-XLS] 2.4.271, 2.4.105).
//!
//! A supporting link (SupBook) names an external workbook, a DDE data source or an OLE data
//! source. For a DDE or OLE source its sheet count `ctab` is 0 and its `virtPath` holds the
//! server and the topic separated by the character 0x0003: `cmd\x03/c calc.exe` is the DDE
//! server `cmd` with the topic `/c calc.exe`, which Excel runs as the command line
//! `cmd /c calc.exe` once links are updated. The ExternName records that follow the SupBook
//! are the items asked of the server (`A1`, `StdDocumentName`); an ExternName with `fOleLink`
//! set marks the source as an OLE link instead, which is not DDE.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls

use super::records::{u16_at, xl_chars};
use crate::formats::{DocumentRecord, DocumentScan, Location, Problem};

/// Most items kept for one link (each ExternName costs only 10 bytes of input).
const MAX_ITEMS: usize = 1024;

/// `cch` of a SupBook that refers to its own workbook or to add-in functions: no `virtPath`.
const CCH_SELF: u16 = 0x0401;
/// ExternName `fBuiltIn`.
const F_BUILTIN: u16 = 0x0001;
/// ExternName `fOleLink`: the name is an OLE link (the SupBook is an OLE data source).
const F_OLE_LINK: u16 = 0x0010;

/// A DDE or OLE SupBook whose ExternNames are still being read.
struct OpenLink {
    offset: usize,
    service: String,
    topic: String,
    items: Vec<String>,
    dropped_items: usize,
    ole: bool,
}

/// Collects the DDE links of one Workbook stream, fed its SupBook and ExternName records in
/// stream order.
pub(super) struct Links<'p> {
    part: &'p str,
    open: Option<OpenLink>,
    records: Vec<DocumentRecord>,
    problems: Vec<Problem>,
}

impl<'p> Links<'p> {
    /// Links of the stream named `part`.
    pub fn new(part: &'p str) -> Links<'p> {
        Links {
            part,
            open: None,
            records: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// A SupBook record (data with its CONTINUEs) at `offset`: closes the link before it, and
    /// opens a new one when it names a DDE or OLE data source.
    pub fn supbook(&mut self, offset: usize, data: &[u8]) {
        self.close();
        if let Some((service, topic)) = dde_or_ole_source(data) {
            self.open = Some(OpenLink {
                offset,
                service,
                topic,
                items: Vec::new(),
                dropped_items: 0,
                ole: false,
            });
        }
    }

    /// An ExternName record: an item of the open link, if there is one.
    pub fn extern_name(&mut self, data: &[u8]) {
        let Some(link) = self.open.as_mut() else {
            return;
        };
        let Some(flags) = u16_at(data, 0) else {
            return;
        };
        if flags & F_OLE_LINK != 0 {
            link.ole = true;
            return;
        }
        if flags & F_BUILTIN != 0 {
            return;
        }
        // ExternDdeLinkNoOper / ExternOleDdeLink: 4 reserved bytes, then the item as a
        // ShortXLUnicodeString (cch: u8, fHighByte: u8, characters).
        let (Some(&cch), Some(&options)) = (data.get(6), data.get(7)) else {
            return;
        };
        let Some((name, _)) = xl_chars(data, 8, usize::from(cch), options & 1 == 1) else {
            return;
        };
        if link.items.len() < MAX_ITEMS {
            link.items.push(name);
        } else {
            link.dropped_items += 1;
        }
    }

    /// The end of the list of links (any record that is no part of a SupBook group).
    pub fn close(&mut self) {
        let Some(link) = self.open.take() else {
            return;
        };
        if link.ole {
            return;
        }
        if link.dropped_items > 0 {
            self.problems.push(Problem {
                part: Some(self.part.to_owned()),
                message: format!(
                    "DDE link at offset 0x{:X} has {} more items than the {MAX_ITEMS} listed",
                    link.offset, link.dropped_items
                ),
                incomplete: false,
            });
        }
        self.records.push(DocumentRecord::DdeLink {
            location: Location {
                part: Some(self.part.to_owned()),
                offset: link.offset as u64,
                cell: None,
            },
            service: link.service,
            topic: link.topic,
            items: link.items,
        });
    }

    /// Adds the links found to `scan`.
    pub fn finish(mut self, scan: &mut DocumentScan) {
        self.close();
        scan.records.append(&mut self.records);
        scan.problems.append(&mut self.problems);
    }
}

/// The server and topic of a SupBook that names a DDE or OLE data source: `ctab` 0 and a
/// `virtPath` of the form `server\x03topic`. External workbooks (`ctab` > 0, or an encoded path
/// starting with 0x0001), self-references and add-ins give `None`.
fn dde_or_ole_source(data: &[u8]) -> Option<(String, String)> {
    let ctab = u16_at(data, 0)?;
    let cch = u16_at(data, 2)?;
    if ctab != 0 || cch == 0 || cch == CCH_SELF || cch > 0x00FF {
        return None;
    }
    let high_byte = data.get(4)? & 1 == 1;
    let (path, _) = xl_chars(data, 5, usize::from(cch), high_byte)?;
    if path.starts_with('\u{1}') {
        return None;
    }
    let (service, topic) = path.split_once('\u{3}')?;
    if service.is_empty() {
        return None;
    }
    Some((service.to_owned(), topic.to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A SupBook with `ctab` sheets and the compressed `virt_path`.
    fn supbook(ctab: u16, virt_path: &str) -> Vec<u8> {
        let mut data = ctab.to_le_bytes().to_vec();
        data.extend((virt_path.len() as u16).to_le_bytes());
        data.push(0);
        data.extend(virt_path.bytes());
        data
    }

    /// An ExternName with `flags` naming the UTF-16 item `name`.
    fn extern_name(flags: u16, name: &str) -> Vec<u8> {
        let mut data = flags.to_le_bytes().to_vec();
        data.extend([0; 4]);
        data.extend([name.chars().count() as u8, 1]);
        for unit in name.encode_utf16() {
            data.extend(unit.to_le_bytes());
        }
        data
    }

    fn links(feed: impl FnOnce(&mut Links<'_>)) -> DocumentScan {
        let mut links = Links::new("Workbook");
        feed(&mut links);
        let mut scan = DocumentScan::default();
        links.finish(&mut scan);
        scan
    }

    #[test]
    fn dde_supbook_with_items_is_a_link() {
        let scan = links(|l| {
            l.supbook(0x30B7, &supbook(0, "cmd\u{3}/c calc.exe"));
            l.extern_name(&extern_name(0x7FE2, "A1"));
            l.extern_name(&extern_name(0x7FEA, "StdDocumentName"));
            l.extern_name(&extern_name(0x0001, "builtin"));
        });
        assert_eq!(
            scan.records,
            [DocumentRecord::DdeLink {
                location: Location {
                    part: Some("Workbook".to_owned()),
                    offset: 0x30B7,
                    cell: None
                },
                service: "cmd".to_owned(),
                topic: "/c calc.exe".to_owned(),
                items: vec!["A1".to_owned(), "StdDocumentName".to_owned()],
            }]
        );
    }

    #[test]
    fn workbooks_self_references_and_ole_links_are_not_dde() {
        let scan = links(|l| {
            l.supbook(0, &supbook(1, "\u{1}\u{1}C\u{3}data\u{3}book.xls"));
            l.supbook(10, &supbook(0, "\u{1}\u{1}C\u{3}book.xls"));
            l.supbook(20, &[1, 0, 1, 4]);
            l.supbook(30, &supbook(0, "Word.Document.8\u{3}C:\\a.doc"));
            l.extern_name(&extern_name(F_OLE_LINK, "'_1234'"));
            l.supbook(40, &supbook(0, "nodelimiter"));
            l.supbook(50, &[0, 0, 9]);
        });
        assert_eq!(scan.records, []);
    }

    #[test]
    fn utf16_paths_and_damaged_names_cost_only_themselves() {
        let mut utf16 = vec![0, 0, 5, 0, 1];
        for unit in "é\u{3}top".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let scan = links(|l| {
            l.supbook(8, &utf16);
            l.extern_name(&[0, 0, 0]);
            l.extern_name(&extern_name(0, "item"));
        });
        let DocumentRecord::DdeLink {
            service,
            topic,
            items,
            ..
        } = &scan.records[0]
        else {
            panic!("{:?}", scan.records);
        };
        assert_eq!((service.as_str(), topic.as_str()), ("é", "top"));
        assert_eq!(items, &["item"]);
    }

    #[test]
    fn items_are_bounded() {
        let scan = links(|l| {
            l.supbook(0, &supbook(0, "cmd\u{3}/c x"));
            for _ in 0..MAX_ITEMS + 3 {
                l.extern_name(&extern_name(0, "A1"));
            }
        });
        let DocumentRecord::DdeLink { items, .. } = &scan.records[0] else {
            panic!()
        };
        assert_eq!(items.len(), MAX_ITEMS);
        assert_eq!(
            scan.problems[0].message,
            "DDE link at offset 0x0 has 3 more items than the 1024 listed"
        );
        assert!(!scan.problems[0].incomplete);
    }
}
