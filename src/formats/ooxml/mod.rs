//! Office Open XML packages (.docx, .docm, .dotx, .dotm, .xlsx, .xlsm, ...): the zip container.
//!
//! ECMA-376 Part 2 (Open Packaging Conventions) stores a document as XML parts in a zip. This
//! module opens the zip read-only from the memory map, decompresses each XML part under the
//! bounds of [`Limits`] (entry size, package size, and compression ratio once a part has produced
//! 1 MiB), and hands the part to [`parts::scan_part`], which reads the fields, DDE links and
//! formulas. A zip bomb therefore costs at most one entry bound of memory and work; what was
//! decompressed before the bound is still scanned, so a payload placed before the padding is
//! still found.

mod parts;

use std::io::{Cursor, Read};

use super::{DocumentScan, FormatError, Limits, Problem};

/// The part every OPC package has.
const CONTENT_TYPES: &str = "[Content_Types].xml";

/// Bytes decompressed before the compression ratio is checked.
const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// Reads the DDE-relevant records of every XML part of the package in `bytes`.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<DocumentScan, FormatError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|err| FormatError::Unreadable {
            what: "zip archive",
            detail: err.to_string(),
        })?;
    if archive.index_for_name(CONTENT_TYPES).is_none() {
        return Err(FormatError::NotApplicable(
            "zip archive without [Content_Types].xml: not an Office Open XML package".to_owned(),
        ));
    }
    if archive.index_for_name("xl/workbook.bin").is_some() {
        return Err(FormatError::NotApplicable(
            "Excel binary workbook (.xlsb): its BIFF12 parts are not analysed by this version"
                .to_owned(),
        ));
    }
    let mut scan = DocumentScan {
        format: package_format(archive.file_names_raw()),
        ..DocumentScan::default()
    };
    let binary_parts = archive
        .file_names_raw()
        .filter(|name| is_binary_part(name))
        .count();
    if binary_parts > 0 {
        scan.problems.push(Problem {
            part: None,
            message: format!(
                "{binary_parts} embedded object or binary part(s) (.bin, embeddings/) not analysed by this version"
            ),
            incomplete: false,
        });
    }
    let entries = archive.len();
    if entries > limits.max_zip_entries {
        scan.problems.push(Problem {
            part: None,
            message: format!(
                "package has {entries} entries; only the first {} were read",
                limits.max_zip_entries
            ),
            incomplete: true,
        });
    }
    let mut budget = limits.max_package_bytes;
    let mut buffer = Vec::new();
    for index in 0..entries.min(limits.max_zip_entries) {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(err) => {
                scan.problems.push(Problem {
                    part: Some(format!("zip entry #{index}")),
                    message: format!("cannot open entry: {err}"),
                    incomplete: true,
                });
                continue;
            }
        };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.is_dir() || !is_xml_part(&name) {
            continue;
        }
        buffer.clear();
        let bound = Bound {
            max_bytes: limits.max_entry_bytes.min(budget),
            compressed: entry.compressed_size(),
            max_ratio: limits.max_compression_ratio,
        };
        if let Err(message) = read_bounded(&mut entry, &mut buffer, &bound) {
            scan.problems.push(Problem {
                part: Some(name.clone()),
                message,
                incomplete: true,
            });
        }
        budget = budget.saturating_sub(buffer.len() as u64);
        parts::scan_part(&name, &buffer, limits, &mut scan);
        if budget == 0 {
            scan.problems.push(Problem {
                part: None,
                message: format!(
                    "package decompresses past {} bytes; the remaining parts were not read",
                    limits.max_package_bytes
                ),
                incomplete: true,
            });
            break;
        }
    }
    Ok(scan)
}

/// The document family, from the folders of the package.
fn package_format<'a>(mut names: impl Iterator<Item = &'a [u8]>) -> &'static str {
    let mut format = "ooxml";
    for name in names.by_ref() {
        if name.starts_with(b"word/") {
            return "docx";
        } else if name.starts_with(b"xl/") {
            format = "xlsx";
        } else if name.starts_with(b"ppt/") && format == "ooxml" {
            format = "pptx";
        }
    }
    format
}

/// Embedded objects and binary parts (OLE objects, VBA projects, BIFF12), which this version
/// does not open.
fn is_binary_part(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(b".bin") || memchr::memmem::find(&lower, b"/embeddings/").is_some()
}

/// Parts that can hold fields, links or formulas: every XML part.
fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels")
}

/// How much one entry may decompress to.
struct Bound {
    max_bytes: u64,
    compressed: u64,
    max_ratio: u64,
}

/// Decompresses `entry` into `out`, stopping at the bound. On error, `out` keeps what was read.
fn read_bounded(entry: &mut impl Read, out: &mut Vec<u8>, bound: &Bound) -> Result<(), String> {
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let read = match entry.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(err) => {
                return Err(format!(
                    "decompression failed after {} bytes: {err}",
                    out.len()
                ));
            }
        };
        out.extend_from_slice(chunk.get(..read).unwrap_or_default());
        let produced = out.len() as u64;
        if produced > bound.max_bytes {
            out.truncate(usize::try_from(bound.max_bytes).unwrap_or(usize::MAX));
            return Err(format!(
                "decompresses past the limit of {} bytes; the rest was not read",
                bound.max_bytes
            ));
        }
        if produced > RATIO_GRACE_BYTES && produced / bound.compressed.max(1) > bound.max_ratio {
            return Err(format!(
                "compression ratio over {}:1 after {produced} bytes (zip bomb guard); the rest was not read",
                bound.max_ratio
            ));
        }
    }
}
