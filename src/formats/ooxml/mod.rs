//! Office Open XML packages (.docx, .docm, .dotx, .dotm, .xlsx, .xlsm, ...): the zip container.
//!
//! ECMA-376 Part 2 (Open Packaging Conventions) stores a document as XML parts in a zip. This
//! module opens the zip read-only from the memory map, decompresses each XML part under the
//! bounds of [`Limits`] (entry size, package size, and compression ratio once a part has produced
//! 1 MiB), and hands the part to [`parts::scan_part`], which reads the fields, DDE links and
//! formulas; the BIFF12 parts of an Excel binary workbook (.xlsb) go to [`xlsb::scan_part`]
//! instead. A zip bomb therefore costs at most one entry bound of memory and work; what was
//! decompressed before the bound is still scanned, so a payload placed before the padding is
//! still found.

pub(crate) mod parts;
mod rels;
mod xlsb;

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
    let format = if archive.index_for_name("xl/workbook.bin").is_some() {
        "xlsb"
    } else {
        package_format(archive.file_names_raw())
    };
    let mut scan = DocumentScan {
        format,
        ..DocumentScan::default()
    };
    let embeddings: Vec<(usize, String)> = archive
        .file_names_raw()
        .take(limits.max_zip_entries)
        .enumerate()
        .map(|(index, raw)| (index, String::from_utf8_lossy(raw).into_owned()))
        .filter(|(_, name)| is_embedding(name))
        .collect();
    for (index, name) in embeddings {
        read_embedding(&mut archive, index, name, limits, &mut scan);
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
    // Names come from the central directory; only the parts worth reading are opened (opening
    // an entry sets up a decompressor).
    let wanted: Vec<(usize, String)> = archive
        .file_names_raw()
        .take(limits.max_zip_entries)
        .enumerate()
        .map(|(index, raw)| (index, String::from_utf8_lossy(raw).into_owned()))
        .filter(|(_, name)| {
            is_xml_part(name) || xlsb::is_binary_part(name) || rels::is_rels_part(name)
        })
        .collect();
    for (index, name) in wanted {
        if limits.deadline.passed() {
            scan.problems.push(Problem {
                part: Some(name.clone()),
                message: limits.deadline.stop_message("before this part"),
                incomplete: true,
            });
            break;
        }
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
        if entry.is_dir() {
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
        if xlsb::is_binary_part(&name) {
            xlsb::scan_part(&name, &buffer, &mut scan);
        } else if rels::is_rels_part(&name) {
            rels::scan_part(&name, &buffer, &mut scan);
        } else {
            parts::scan_part(&name, &buffer, limits, &mut scan);
        }
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

/// Embedded objects and packages (`word/embeddings/oleObject1.bin`, `xl/embeddings/x.docx`):
/// documents in their own right.
pub(crate) fn is_embedding(name: &str) -> bool {
    name.to_ascii_lowercase().contains("/embeddings/") && !name.ends_with('/')
}

/// Reads one embedded part into `scan.embedded`, bounded like any part.
fn read_embedding(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: String,
    limits: &Limits,
    scan: &mut DocumentScan,
) {
    let mut entry = match archive.by_index(index) {
        Ok(entry) => entry,
        Err(err) => {
            scan.problems.push(Problem {
                part: Some(name),
                message: format!("cannot open entry: {err}"),
                incomplete: true,
            });
            return;
        }
    };
    let bound = Bound {
        max_bytes: limits.max_embedded_bytes,
        compressed: entry.compressed_size(),
        max_ratio: limits.max_compression_ratio,
    };
    let mut bytes = Vec::new();
    match read_bounded(&mut entry, &mut bytes, &bound) {
        Ok(()) => scan.embedded.push(super::Embedded { name, bytes }),
        Err(message) => scan.problems.push(Problem {
            part: Some(name),
            message,
            incomplete: true,
        }),
    }
}

/// Parts that can hold fields, links or formulas: every XML part except those whose schema has
/// no place for them (package plumbing, properties, themes, styles, fonts, numbering, shared
/// strings and the calculation chain, which hold values and cell names but never formulas). Skipping
/// them avoids most of the decompression work on a typical document; any part not named here,
/// however unusual, is read.
pub(crate) fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".xml") {
        return false;
    }
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    let no_fields = lower == "[content_types].xml"
        || lower.starts_with("docprops/")
        || lower.contains("/theme/")
        || lower.starts_with("customxml/itemprops")
        || matches!(
            file,
            "styles.xml"
                | "styleswitheffects.xml"
                | "fonttable.xml"
                | "websettings.xml"
                | "numbering.xml"
                | "sharedstrings.xml"
                | "calcchain.xml"
        );
    !no_fields
}

/// How much one entry may decompress to.
struct Bound {
    max_bytes: u64,
    compressed: u64,
    max_ratio: u64,
}

/// Decompresses `entry` into `out` a step at a time, stopping at the bound. On error, `out`
/// keeps what was read.
fn read_bounded(entry: &mut impl Read, out: &mut Vec<u8>, bound: &Bound) -> Result<(), String> {
    const STEP: u64 = 1 << 20;
    loop {
        let read = match entry.by_ref().take(STEP).read_to_end(out) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(err) => {
                return Err(format!(
                    "decompression failed after {} bytes: {err}",
                    out.len()
                ));
            }
        };
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
        if (read as u64) < STEP {
            return Ok(());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn story_and_sheet_parts_are_read_plumbing_is_not() {
        for read in [
            "word/document.xml",
            "word/header3.xml",
            "word/comments.xml",
            "word/settings.xml",
            "xl/worksheets/sheet1.xml",
            "xl/externalLinks/externalLink1.xml",
            "xl/workbook.xml",
            "ppt/slides/slide1.xml",
            "ppt/slideLayouts/slideLayout1.xml",
            "ppt/slideMasters/slideMaster1.xml",
            "ppt/notesSlides/notesSlide1.xml",
            "custom/unusual-part.xml",
        ] {
            assert!(is_xml_part(read), "{read}");
        }
        for skip in [
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "word/theme/theme1.xml",
            "word/styles.xml",
            "xl/sharedStrings.xml",
            "word/media/image1.png",
            "ppt/embeddings/oleObject1.bin",
        ] {
            assert!(!is_xml_part(skip), "{skip}");
        }
        assert!(is_embedding("ppt/embeddings/oleObject1.bin"));
        assert!(is_embedding("ppt/embeddings/Microsoft_Word_Document.docx"));
        assert!(!is_embedding("ppt/media/image1.emf"));
    }

    #[test]
    fn bounded_read_stops_at_the_limit() {
        let data = vec![b'a'; 3 << 20];
        let mut out = Vec::new();
        let bound = Bound {
            max_bytes: 1 << 20,
            compressed: 3 << 20,
            max_ratio: 200,
        };
        let err = read_bounded(&mut data.as_slice(), &mut out, &bound).unwrap_err();
        assert!(err.contains("past the limit of 1048576 bytes"), "{err}");
        assert_eq!(out.len(), 1 << 20);
        let ratio = Bound {
            max_bytes: 64 << 20,
            compressed: 1000,
            max_ratio: 200,
        };
        out.clear();
        let err = read_bounded(&mut data.as_slice(), &mut out, &ratio).unwrap_err();
        assert!(err.contains("zip bomb guard"), "{err}");
    }
}
