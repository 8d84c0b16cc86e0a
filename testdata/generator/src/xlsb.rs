//! Excel binary workbook (.xlsb, BIFF12, [MS-XLSB]) fixtures: an OPC package whose workbook,
//! sheet and external link parts are BIFF12 record streams.
//!
//! A BIFF12 record is its type (one or two bytes) and size (one to four bytes), each stored
//! seven bits to a byte with the high bit set when another byte follows, then the data. A DDE
//! link is a BrtBeginSupBook with `sbt` 0x0001 and the service and topic as XLWideStrings,
//! followed by BrtSupNameStart/BrtSupNameBits/BrtSupNameEnd per item and BrtEndSupBook.
//!
//! [MS-XLSB]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xlsb

use crate::ooxml::{PackageSpec, PartKind, REL_OFFICE};

/// Content type of `xl/workbook.bin`.
pub const CT_XLSB: &str = "application/vnd.ms-excel.sheet.binary.macroEnabled.main";
/// Content type of a BIFF12 worksheet.
pub const CT_SHEET_BIN: &str = "application/vnd.ms-excel.worksheet";
/// Content type of a BIFF12 external link part.
pub const CT_EXTERNAL_LINK_BIN: &str = "application/vnd.ms-excel.externalLink";

/// BIFF12 record types used by the fixtures ([MS-XLSB] 2.3).
pub mod brt {
    /// BrtBeginSheet.
    pub const BEGIN_SHEET: u32 = 0x0081;
    /// BrtEndSheet.
    pub const END_SHEET: u32 = 0x0082;
    /// BrtBeginBook.
    pub const BEGIN_BOOK: u32 = 0x0083;
    /// BrtEndBook.
    pub const END_BOOK: u32 = 0x0084;
    /// BrtBeginBundleShs.
    pub const BEGIN_BUNDLE_SHS: u32 = 0x008F;
    /// BrtEndBundleShs.
    pub const END_BUNDLE_SHS: u32 = 0x0090;
    /// BrtBeginSheetData.
    pub const BEGIN_SHEET_DATA: u32 = 0x0091;
    /// BrtEndSheetData.
    pub const END_SHEET_DATA: u32 = 0x0092;
    /// BrtBundleSh.
    pub const BUNDLE_SH: u32 = 0x009C;
    /// BrtBeginExternals.
    pub const BEGIN_EXTERNALS: u32 = 0x0161;
    /// BrtEndExternals.
    pub const END_EXTERNALS: u32 = 0x0162;
    /// BrtSupBookSrc.
    pub const SUP_BOOK_SRC: u32 = 0x0167;
    /// BrtBeginSupBook.
    pub const BEGIN_SUP_BOOK: u32 = 0x0168;
    /// BrtSupNameStart.
    pub const SUP_NAME_START: u32 = 0x0241;
    /// BrtSupNameBits.
    pub const SUP_NAME_BITS: u32 = 0x024A;
    /// BrtSupNameEnd.
    pub const SUP_NAME_END: u32 = 0x024B;
    /// BrtEndSupBook.
    pub const END_SUP_BOOK: u32 = 0x024C;
}

/// `value` seven bits to a byte, in at most `max` bytes.
fn varint(mut value: u32, max: usize, out: &mut Vec<u8>) {
    for _ in 0..max {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
    panic!("value does not fit in {max} bytes");
}

/// One BIFF12 record.
pub fn record(kind: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(kind, 2, &mut out);
    varint(u32::try_from(data.len()).expect("small"), 4, &mut out);
    out.extend(data);
    out
}

/// An XLWideString: a `u32` count of UTF-16 code units, then the units.
pub fn wide_string(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = u32::try_from(units.len())
        .expect("small")
        .to_le_bytes()
        .to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// An external link part holding one DDE link `service` / `topic` with `items`.
pub fn dde_link_part(service: &str, topic: &str, items: &[&str]) -> Vec<u8> {
    let mut data = 0x0001u16.to_le_bytes().to_vec();
    data.extend(wide_string(service));
    data.extend(wide_string(topic));
    let mut part = record(brt::BEGIN_SUP_BOOK, &data);
    for item in items {
        part.extend(record(brt::SUP_NAME_START, &wide_string(item)));
        part.extend(record(brt::SUP_NAME_BITS, &[0x02, 0x75, 0, 0, 0, 0, 1]));
        part.extend(record(brt::SUP_NAME_END, &[]));
    }
    part.extend(record(brt::END_SUP_BOOK, &[]));
    part
}

/// `xl/workbook.bin`: one sheet (`rId1`) and `links` external links (`rId2`...).
pub fn workbook_bin(links: usize) -> Vec<u8> {
    let mut part = record(brt::BEGIN_BOOK, &[]);
    part.extend(record(brt::BEGIN_BUNDLE_SHS, &[]));
    let mut sheet = 0u32.to_le_bytes().to_vec(); // hsState visible
    sheet.extend(1u32.to_le_bytes()); // iTabID
    sheet.extend(wide_string("rId1"));
    sheet.extend(wide_string("Sheet1"));
    part.extend(record(brt::BUNDLE_SH, &sheet));
    part.extend(record(brt::END_BUNDLE_SHS, &[]));
    if links > 0 {
        part.extend(record(brt::BEGIN_EXTERNALS, &[]));
        for link in 0..links {
            part.extend(record(
                brt::SUP_BOOK_SRC,
                &wide_string(&format!("rId{}", link + 2)),
            ));
        }
        part.extend(record(brt::END_EXTERNALS, &[]));
    }
    part.extend(record(brt::END_BOOK, &[]));
    part
}

/// `xl/worksheets/sheet1.bin`: an empty sheet.
pub fn sheet_bin() -> Vec<u8> {
    let mut part = record(brt::BEGIN_SHEET, &[]);
    part.extend(record(brt::BEGIN_SHEET_DATA, &[]));
    part.extend(record(brt::END_SHEET_DATA, &[]));
    part.extend(record(brt::END_SHEET, &[]));
    part
}

/// Content types and workbook relationships of the parts of an .xlsb.
fn classify(name: &str) -> Option<PartKind> {
    let kind = |ct: &str, rel: &str, rank: u8| {
        Some(PartKind {
            content_type: ct.to_owned(),
            rel_type: Some(format!("{REL_OFFICE}/{rel}")),
            rank,
        })
    };
    let file = name.strip_prefix("xl/")?;
    if file.starts_with("worksheets/sheet") && file.ends_with(".bin") {
        kind(CT_SHEET_BIN, "worksheet", 0)
    } else if file.starts_with("externalLinks/externalLink") && file.ends_with(".bin") {
        kind(CT_EXTERNAL_LINK_BIN, "externalLink", 1)
    } else {
        None
    }
}

/// An .xlsb package of `xl/workbook.bin`, `xl/worksheets/sheet1.bin` and the given external
/// link parts (`xl/externalLinks/externalLinkN.bin`).
pub fn xlsb(links: &[Vec<u8>]) -> Vec<u8> {
    let workbook = workbook_bin(links.len());
    let sheet = sheet_bin();
    let names: Vec<String> = (1..=links.len())
        .map(|n| format!("xl/externalLinks/externalLink{n}.bin"))
        .collect();
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("xl/workbook.bin", &workbook),
        ("xl/worksheets/sheet1.bin", &sheet),
    ];
    for (name, bytes) in names.iter().zip(links) {
        parts.push((name, bytes));
    }
    PackageSpec {
        main_part: "xl/workbook.bin",
        main_content_type: CT_XLSB,
        classify,
    }
    .assemble(&parts)
}

/// `documents/positive/excel-binary.xlsb`: a DDE link `cmd` / `/c notepad.exe` with the items
/// Excel writes (`_xlbgnm.A1`, `StdDocumentName`).
pub fn excel_binary() -> Vec<u8> {
    xlsb(&[dde_link_part(
        "cmd",
        "/c notepad.exe",
        &["_xlbgnm.A1", "StdDocumentName"],
    )])
}
