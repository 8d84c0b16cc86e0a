//! OLE objects, wherever a document keeps them:
//! - every storage of a compound file (and its root) that carries a class, reported with its
//!   CLSID and the ProgID of its `\x01CompObj` stream ([MS-OLEDS] 2.3.8), so the checks can tell
//!   an Equation Editor object (CVE-2017-11882) from a chart;
//! - `\x01Ole10Native` streams ([MS-OLEDS] 2.3.6), whose native data (for a Packager object,
//!   the packaged file) is scanned as an embedded document;
//! - RTF `\objdata` objects: the OLE1 class is reported, the native data scanned.
//!
//! [MS-OLEDS]: https://learn.microsoft.com/openspecs/windows_protocols/ms-oleds

use super::native::{self, FORMAT_EMBEDDED};
use super::{Cfb, read_stream};
use crate::formats::embedded::PATH_SEPARATOR;
use crate::formats::rtf::RtfObject;
use crate::formats::{DocumentRecord, DocumentScan, Embedded, Limits, Location, Problem};

/// The nil CLSID: an entry without a class.
const NIL_CLSID: &str = "00000000-0000-0000-0000-000000000000";

/// Largest CompObj stream read (real ones are under 200 bytes).
const MAX_COMPOBJ: u64 = 64 * 1024;

/// Adds an [`DocumentRecord::EmbeddedObject`] for every storage with a class or a CompObj
/// ProgID, and for every `Equation Native` stream's storage; hands every `\x01Ole10Native`
/// stream's payload to `scan.embedded`.
pub(super) fn scan(file: &mut Cfb<'_>, limits: &Limits, scan: &mut DocumentScan) {
    let storages: Vec<(String, String, bool)> = file
        .walk()
        .filter(|entry| !entry.is_stream())
        .map(|entry| {
            let path = entry.path().to_string_lossy().replace('\\', "/");
            let clsid = entry.clsid().to_string().to_uppercase();
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            (path, clsid, entry.is_root())
        })
        .collect();
    for (path, clsid, _root) in storages {
        let base = path.trim_end_matches('/');
        let prog_id = read_stream(file, &format!("{base}/\u{1}CompObj"), MAX_COMPOBJ)
            .ok()
            .and_then(|bytes| compobj_prog_id(&bytes));
        let equation_native = file.is_stream(format!("{base}/Equation Native"));
        let class_id = (clsid != NIL_CLSID).then(|| format!("{{{clsid}}}"));
        let prog_id = prog_id.or_else(|| equation_native.then(|| "Equation Native".to_owned()));
        let part = if base.is_empty() {
            "/".to_owned()
        } else {
            base.trim_start_matches('/').to_owned()
        };
        ole10native(file, base, prog_id.as_deref(), limits, scan);
        if class_id.is_none() && prog_id.is_none() {
            continue;
        }
        scan.records.push(DocumentRecord::EmbeddedObject {
            location: Location {
                part: Some(part),
                ..Location::default()
            },
            class_id,
            prog_id,
        });
    }
}

/// The payload of the storage `base`'s `\x01Ole10Native` stream, if it has one: the packaged
/// file of a Packager object (named by its label), else the native data as it is.
fn ole10native(
    file: &mut Cfb<'_>,
    base: &str,
    prog_id: Option<&str>,
    limits: &Limits,
    scan: &mut DocumentScan,
) {
    let path = format!("{base}/\u{1}Ole10Native");
    if !file.is_stream(&path) {
        return;
    }
    let stream = match read_stream(file, &path, limits.max_embedded_bytes) {
        Ok(stream) => stream,
        Err(problem) => return scan.problems.push(problem),
    };
    let storage = base.trim_start_matches('/');
    let caveat = |message: String| Problem {
        part: Some(
            format!("{storage}/Ole10Native")
                .trim_start_matches('/')
                .to_owned(),
        ),
        message,
        incomplete: false,
    };
    let data = match native::parse_ole10native(&stream) {
        Ok(data) => data,
        Err(message) => return scan.problems.push(caveat(message)),
    };
    let package = native::parse_package(data);
    let (label, payload) = match &package {
        Ok(package) if !package.label.is_empty() => (package.label.as_str(), package.data),
        Ok(package) => ("Ole10Native", package.data),
        Err(_) => ("Ole10Native", data),
    };
    if let (Err(message), Some("Package")) = (&package, prog_id) {
        scan.problems
            .push(caveat(format!("package unreadable: {message}")));
    }
    let name = if storage.is_empty() {
        label.to_owned()
    } else {
        format!("{storage}/{label}")
    };
    scan.embedded.push(Embedded {
        name,
        bytes: payload.to_vec(),
    });
}

/// Reports the objects of an RTF document: an [`DocumentRecord::EmbeddedObject`] with the OLE1
/// class of each (and its `\objclass` too, when that differs), and the native data (or the
/// packaged file) as an embedded document named `object at 0x<offset>`.
pub(crate) fn report_rtf_objects(objects: Vec<RtfObject>, scan: &mut DocumentScan) {
    for object in objects {
        let at = object.offset;
        let name = format!("object at 0x{at:x}");
        let mut problem = |message: String, incomplete: bool| {
            scan.problems.push(Problem {
                part: None,
                message: format!("{name}: {message}"),
                incomplete,
            });
        };
        if object.truncated {
            problem("object data over the limit; truncated".to_owned(), true);
        }
        if object.odd_digit {
            problem(
                "odd number of hex digits; the last one ignored".to_owned(),
                false,
            );
        }
        let ole1 = if object.data.is_empty() {
            None
        } else {
            native::parse_ole1(&object.data)
                .map_err(|message| problem(format!("not an OLE1 object: {message}"), false))
                .ok()
        };
        let mut classes: Vec<String> = Vec::new();
        let ole1_class = ole1.as_ref().map(|o| o.class_name.clone());
        for class in [ole1_class, object.class].into_iter().flatten() {
            if !class.is_empty() && !classes.iter().any(|c| c.eq_ignore_ascii_case(&class)) {
                classes.push(class);
            }
        }
        for class in classes {
            scan.records.push(DocumentRecord::EmbeddedObject {
                location: Location {
                    offset: at,
                    ..Location::default()
                },
                class_id: None,
                prog_id: Some(class),
            });
        }
        let Some(ole1) = ole1.filter(|o| o.format_id == FORMAT_EMBEDDED && !o.native.is_empty())
        else {
            continue;
        };
        if ole1.native.len() < usize::try_from(ole1.native_declared).unwrap_or(usize::MAX) {
            scan.problems.push(Problem {
                part: None,
                message: format!(
                    "{name}: NativeDataSize declares 0x{:x} bytes, 0x{:x} present",
                    ole1.native_declared,
                    ole1.native.len()
                ),
                incomplete: false,
            });
        }
        let package = ole1
            .class_name
            .eq_ignore_ascii_case("Package")
            .then(|| native::parse_package(ole1.native).ok())
            .flatten();
        scan.embedded.push(match package {
            Some(package) => Embedded {
                name: format!("{name}{PATH_SEPARATOR}{}", package.label),
                bytes: package.data.to_vec(),
            },
            None => Embedded {
                name,
                bytes: ole1.native.to_vec(),
            },
        });
    }
}

/// The ProgID of a CompObj stream: header (28 bytes), AnsiUserType, AnsiClipboardFormat, then
/// the ProgID as a length-prefixed ANSI string ([MS-OLEDS] 2.3.8 CompObjStream).
fn compobj_prog_id(bytes: &[u8]) -> Option<String> {
    let mut at = 28usize;
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    // AnsiUserType: length-prefixed string.
    let len = usize::try_from(u32_at(at)?).ok()?;
    at = at.checked_add(4)?.checked_add(len)?;
    // AnsiClipboardFormat: 0 (none), 0xFFFFFFFF / 0xFFFFFFFE + u32 format, or a string.
    let marker = u32_at(at)?;
    at = at.checked_add(4)?;
    match marker {
        0 => {}
        0xFFFF_FFFF | 0xFFFF_FFFE => at = at.checked_add(4)?,
        len => at = at.checked_add(usize::try_from(len).ok()?)?,
    }
    let len = usize::try_from(u32_at(at)?).ok()?;
    if len == 0 || len > 40 {
        return None;
    }
    let raw = bytes.get(at + 4..at + 4 + len)?;
    let text: String = raw
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect();
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_graphic())).then_some(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn compobj(user_type: &str, prog_id: &str) -> Vec<u8> {
        let mut bytes = vec![0u8; 28];
        bytes.extend((user_type.len() as u32 + 1).to_le_bytes());
        bytes.extend(user_type.as_bytes());
        bytes.push(0);
        bytes.extend(0u32.to_le_bytes());
        bytes.extend((prog_id.len() as u32 + 1).to_le_bytes());
        bytes.extend(prog_id.as_bytes());
        bytes.push(0);
        bytes
    }

    fn record(offset: u64, prog_id: &str) -> DocumentRecord {
        DocumentRecord::EmbeddedObject {
            location: Location {
                offset,
                ..Location::default()
            },
            class_id: None,
            prog_id: Some(prog_id.to_owned()),
        }
    }

    #[test]
    fn reports_rtf_objects() {
        use ddesweep_testgen::objects::{ole1_embedded, package};
        let objects = vec![
            // A decoy `\objclass`: both classes are reported.
            RtfObject {
                offset: 5,
                class: Some("Word.Document.8".to_owned()),
                data: ole1_embedded("Equation.3", b"native"),
                ..RtfObject::default()
            },
            RtfObject {
                offset: 9,
                class: Some("package".to_owned()),
                data: ole1_embedded("Package", &package("a.csv", "C:\\a.csv", b"=1")),
                ..RtfObject::default()
            },
            RtfObject {
                offset: 12,
                class: None,
                data: b"junk".to_vec(),
                odd_digit: true,
                truncated: true,
            },
        ];
        let mut scan = DocumentScan::default();
        report_rtf_objects(objects, &mut scan);
        assert_eq!(
            scan.records,
            [
                record(5, "Equation.3"),
                record(5, "Word.Document.8"),
                record(9, "Package")
            ]
        );
        let embedded: Vec<(&str, &[u8])> = scan
            .embedded
            .iter()
            .map(|e| (e.name.as_str(), e.bytes.as_slice()))
            .collect();
        assert_eq!(
            embedded,
            [
                ("object at 0x5", &b"native"[..]),
                ("object at 0x9 > a.csv", &b"=1"[..])
            ]
        );
        let problems: Vec<(&str, bool)> = scan
            .problems
            .iter()
            .map(|p| (p.message.as_str(), p.incomplete))
            .collect();
        assert_eq!(
            problems,
            [
                ("object at 0xc: object data over the limit; truncated", true),
                (
                    "object at 0xc: odd number of hex digits; the last one ignored",
                    false
                ),
                (
                    "object at 0xc: not an OLE1 object: FormatID at 0x4 needs 0x4 bytes, 0x0 left",
                    false
                ),
            ]
        );
    }

    #[test]
    fn reads_the_prog_id() {
        assert_eq!(
            compobj_prog_id(&compobj("Microsoft Equation 3.0", "Equation.3")).as_deref(),
            Some("Equation.3")
        );
        assert_eq!(compobj_prog_id(&[0; 10]), None);
        assert_eq!(compobj_prog_id(&compobj("x", "")), None);
    }
}
