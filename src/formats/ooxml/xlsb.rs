//! Excel binary workbooks (.xlsb, [MS-XLSB]): the DDE links of their BIFF12 parts.
//!
//! An .xlsb is an OPC package like an .xlsx, but its workbook, sheets and external links are
//! BIFF12 record streams (`xl/workbook.bin`, `xl/externalLinks/externalLink1.bin`, ...). A
//! record is a type of one or two bytes and a size of one to four bytes, both stored seven bits
//! to a byte with the high bit meaning "another byte follows" ([MS-XLSB] 2.1.4), then the data.
//! A DDE link is a BrtBeginSupBook record (type 0x0168) whose `sbt` is 0x0001: its two
//! XLWideStrings are the DDE service and topic (`cmd`, `/c calc.exe`); the BrtSupNameStart
//! records (0x0241) up to BrtEndSupBook (0x024C) name its items. Excel runs `service topic` when
//! the link is updated, as for an .xlsx `ddeLink`.
//!
//! [MS-XLSB]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xlsb

use super::super::{DocumentRecord, DocumentScan, Location, Problem};

/// BrtBeginSupBook: a supporting link.
const BRT_BEGIN_SUP_BOOK: u32 = 0x0168;
/// BrtSupNameStart: a name (DDE item) of the supporting link.
const BRT_SUP_NAME_START: u32 = 0x0241;
/// BrtEndSupBook: the end of a supporting link.
const BRT_END_SUP_BOOK: u32 = 0x024C;
/// `sbt` of a DDE supporting link.
const SBT_DDE: u16 = 0x0001;
/// Most characters of an XLWideString ([MS-XLSB] 2.5.171).
const MAX_WIDE_CHARS: usize = 32_767;
/// Most items kept for one link.
const MAX_ITEMS: usize = 1024;

/// Whether the package part `name` is a BIFF12 part worth walking: a `.bin` part under `xl/`
/// other than embedded objects, ActiveX controls, printer settings and the VBA project (OLE or
/// device data, not BIFF12).
pub(super) fn is_binary_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("xl/")
        && lower.ends_with(".bin")
        && !["/embeddings/", "/activex/", "/printersettings/", "/media/"]
            .iter()
            .any(|folder| lower.contains(folder))
        && !lower
            .rsplit('/')
            .next()
            .unwrap_or(&lower)
            .starts_with("vbaproject")
}

/// One BIFF12 record.
struct Record<'a> {
    offset: usize,
    kind: u32,
    data: &'a [u8],
}

/// A DDE link whose items are still being read.
struct OpenLink {
    offset: usize,
    service: String,
    topic: String,
    items: Vec<String>,
    dropped_items: usize,
}

/// Reads the DDE links of the BIFF12 part `name` into `scan`.
pub(super) fn scan_part(name: &str, bytes: &[u8], scan: &mut DocumentScan) {
    let mut open: Option<OpenLink> = None;
    let mut position = 0;
    while position < bytes.len() {
        let record = match read_record(bytes, position) {
            Ok((record, next)) => {
                position = next;
                record
            }
            Err(message) => {
                scan.problems.push(Problem {
                    part: Some(name.to_owned()),
                    message,
                    incomplete: true,
                });
                break;
            }
        };
        match record.kind {
            BRT_BEGIN_SUP_BOOK => {
                close(name, open.take(), scan);
                open = dde_link(&record);
            }
            BRT_SUP_NAME_START => {
                if let Some(link) = open.as_mut() {
                    if let Some((item, _)) = wide_string(record.data, 0) {
                        if link.items.len() < MAX_ITEMS {
                            link.items.push(item);
                        } else {
                            link.dropped_items += 1;
                        }
                    }
                }
            }
            BRT_END_SUP_BOOK => close(name, open.take(), scan),
            _ => {}
        }
    }
    close(name, open, scan);
}

/// The record at `offset` and the offset just past it, or what is wrong with it.
fn read_record(bytes: &[u8], offset: usize) -> Result<(Record<'_>, usize), String> {
    let (kind, after_kind) = read_varint(bytes, offset, 2).ok_or_else(|| {
        format!("record type at offset 0x{offset:X} is truncated or over 2 bytes")
    })?;
    let (size, data_start) = read_varint(bytes, after_kind, 4).ok_or_else(|| {
        format!("record 0x{kind:04X} at offset 0x{offset:X}: size is truncated or over 4 bytes")
    })?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let data = data_start
        .checked_add(size)
        .and_then(|end| bytes.get(data_start..end))
        .ok_or_else(|| {
            format!(
                "record 0x{kind:04X} at offset 0x{offset:X} declares {size} bytes but only {} remain in the part",
                bytes.len().saturating_sub(data_start)
            )
        })?;
    Ok((Record { offset, kind, data }, data_start + data.len()))
}

/// A number stored seven bits to a byte, low bits first, in at most `max_bytes` bytes; with
/// the offset just past it.
fn read_varint(bytes: &[u8], offset: usize, max_bytes: usize) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for index in 0..max_bytes {
        let byte = *bytes.get(offset.checked_add(index)?)?;
        value |= u32::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, offset + index + 1));
        }
    }
    None
}

/// The link a BrtBeginSupBook opens, when it is a DDE link: `sbt`, then the service and the
/// topic as XLWideStrings.
fn dde_link(record: &Record<'_>) -> Option<OpenLink> {
    let sbt = u16::from_le_bytes([*record.data.first()?, *record.data.get(1)?]);
    if sbt != SBT_DDE {
        return None;
    }
    let (service, next) = wide_string(record.data, 2)?;
    let (topic, _) = wide_string(record.data, next)?;
    Some(OpenLink {
        offset: record.offset,
        service,
        topic,
        items: Vec::new(),
        dropped_items: 0,
    })
}

/// The XLWideString at `offset` (a `u32` count of UTF-16 code units, then the units) with the
/// offset just past it; `None` when it is damaged.
fn wide_string(data: &[u8], offset: usize) -> Option<(String, usize)> {
    let count: [u8; 4] = data.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    let count = usize::try_from(u32::from_le_bytes(count)).ok()?;
    if count > MAX_WIDE_CHARS {
        return None;
    }
    let start = offset + 4;
    let end = start.checked_add(count * 2)?;
    Some((
        crate::formats::text::utf16le_lossy(data.get(start..end)?),
        end,
    ))
}

/// Reports `link`, if any, as a DDE link of `part`.
fn close(part: &str, link: Option<OpenLink>, scan: &mut DocumentScan) {
    if let Some(link) = link {
        if link.dropped_items > 0 {
            scan.problems.push(Problem {
                part: Some(part.to_owned()),
                message: format!(
                    "DDE link at offset 0x{:X} has {} more items than the {MAX_ITEMS} listed",
                    link.offset, link.dropped_items
                ),
                incomplete: false,
            });
        }
        scan.records.push(DocumentRecord::DdeLink {
            location: Location {
                part: Some(part.to_owned()),
                offset: link.offset as u64,
                cell: None,
            },
            service: link.service,
            topic: link.topic,
            items: link.items,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A BIFF12 record: type and size seven bits to a byte.
    fn record(kind: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for (value, max) in [(kind, 2), (data.len() as u32, 4)] {
            let mut rest = value;
            for _ in 0..max {
                let byte = (rest & 0x7F) as u8;
                rest >>= 7;
                if rest == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
        }
        out.extend_from_slice(data);
        out
    }

    fn wide(text: &str) -> Vec<u8> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut out = (units.len() as u32).to_le_bytes().to_vec();
        for unit in units {
            out.extend(unit.to_le_bytes());
        }
        out
    }

    fn sup_book(sbt: u16, first: &str, second: &str) -> Vec<u8> {
        let mut data = sbt.to_le_bytes().to_vec();
        data.extend(wide(first));
        data.extend(wide(second));
        record(BRT_BEGIN_SUP_BOOK, &data)
    }

    fn scan(bytes: &[u8]) -> DocumentScan {
        let mut scan = DocumentScan::default();
        scan_part("xl/externalLinks/externalLink1.bin", bytes, &mut scan);
        scan
    }

    #[test]
    fn record_headers_use_seven_bit_bytes() {
        assert_eq!(record(0x0168, &[0; 38])[..3], [0xE8, 0x02, 0x26]);
        assert_eq!(record(0x0241, &[0; 200])[..4], [0xC1, 0x04, 0xC8, 0x01]);
        assert_eq!(
            read_varint(&[0xFF, 0xFF, 0xFF, 0x7F], 0, 4),
            Some((0x0FFF_FFFF, 4))
        );
        assert_eq!(read_varint(&[0xFF, 0xFF, 0xFF, 0xFF, 0x01], 0, 4), None);
        assert_eq!(read_varint(&[0x80, 0x80], 0, 2), None);
    }

    #[test]
    fn dde_sup_book_gives_service_topic_and_items() {
        let mut part = sup_book(SBT_DDE, "cmd", "/c calc.exe");
        let item_at = part.len();
        part.extend(record(BRT_SUP_NAME_START, &wide("_xlbgnm.A1")));
        part.extend(record(0x024A, &[2, 0x75, 0, 0, 0, 0, 1]));
        part.extend(record(0x024B, &[]));
        part.extend(record(BRT_END_SUP_BOOK, &[]));
        // Names after the end belong to no link.
        part.extend(record(BRT_SUP_NAME_START, &wide("stray")));
        let scan = scan(&part);
        assert!(item_at > 0);
        assert_eq!(
            scan.records,
            [DocumentRecord::DdeLink {
                location: Location {
                    part: Some("xl/externalLinks/externalLink1.bin".to_owned()),
                    offset: 0,
                    cell: None,
                },
                service: "cmd".to_owned(),
                topic: "/c calc.exe".to_owned(),
                items: vec!["_xlbgnm.A1".to_owned()],
            }]
        );
        assert_eq!(scan.problems, []);
    }

    #[test]
    fn workbook_and_ole_links_are_not_dde() {
        let mut part = sup_book(0x0000, "rId1", "");
        part.extend(record(BRT_END_SUP_BOOK, &[]));
        part.extend(sup_book(0x0002, "rId2", "Word.Document.12"));
        part.extend(record(BRT_END_SUP_BOOK, &[]));
        // A DDE link whose topic is damaged costs only itself.
        let mut damaged = SBT_DDE.to_le_bytes().to_vec();
        damaged.extend(wide("cmd"));
        damaged.extend([9, 0, 0, 0, b'x', 0]);
        part.extend(record(BRT_BEGIN_SUP_BOOK, &damaged));
        assert_eq!(scan(&part).records, []);
    }

    #[test]
    fn a_record_past_the_end_ends_the_part_with_its_offset() {
        let mut part = sup_book(SBT_DDE, "cmd", "/c calc.exe");
        let bad = part.len();
        part.extend([0x81, 0x01, 0x7F, 1, 2]);
        let found = scan(&part);
        assert_eq!(found.records.len(), 1, "the link before the damage is kept");
        assert_eq!(
            found.problems,
            [Problem {
                part: Some("xl/externalLinks/externalLink1.bin".to_owned()),
                message: format!(
                    "record 0x0081 at offset 0x{bad:X} declares 127 bytes but only 2 remain in the part"
                ),
                incomplete: true,
            }]
        );
        let truncated = scan(&[0x80]);
        assert_eq!(
            truncated.problems[0].message,
            "record type at offset 0x0 is truncated or over 2 bytes"
        );
    }

    #[test]
    fn every_single_byte_corruption_is_survived() {
        let mut part = sup_book(SBT_DDE, "cmd", "/c calc.exe");
        part.extend(record(BRT_SUP_NAME_START, &wide("_xlbgnm.A1")));
        part.extend(record(BRT_END_SUP_BOOK, &[]));
        for position in 0..part.len() {
            for flip in [0xFF, 0x80, 0x01] {
                let mut damaged = part.clone();
                damaged[position] ^= flip;
                for found in scan(&damaged).records {
                    assert!(found.location().offset < damaged.len() as u64);
                }
                scan(&part[..position]);
            }
        }
    }

    #[test]
    fn binary_parts_exclude_ole_and_device_data() {
        for read in [
            "xl/workbook.bin",
            "xl/externalLinks/externalLink1.bin",
            "xl/worksheets/sheet1.bin",
        ] {
            assert!(is_binary_part(read), "{read}");
        }
        for skip in [
            "xl/embeddings/oleObject1.bin",
            "xl/vbaProject.bin",
            "xl/printerSettings/printerSettings1.bin",
            "xl/activeX/activeX1.bin",
            "word/vbaProject.bin",
            "xl/workbook.xml",
        ] {
            assert!(!is_binary_part(skip), "{skip}");
        }
    }
}
