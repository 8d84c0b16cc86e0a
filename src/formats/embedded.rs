//! Documents inside documents: OLE objects, attachments, decrypted packages.
//!
//! A format parser lists what it finds embedded ([`super::Embedded`]); [`scan_with_embedded`]
//! classifies each one like a file of its own, scans it, and merges its records and problems
//! into the container's scan with the embedded name prefixed to their part (`word/embeddings/
//! oleObject1.bin > WordDocument`), recursively up to [`Limits::max_embed_depth`].

use super::{DocumentScan, FormatError, Limits, Problem, scan_document};
use crate::artifact::{self, ArtifactKind, HEAD_LEN};

/// Separates a container's name from the part of an embedded document.
pub const PATH_SEPARATOR: &str = " > ";

/// Scans a document of `kind` and, recursively, every document embedded in it.
pub fn scan_with_embedded(
    kind: ArtifactKind,
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DocumentScan, FormatError> {
    let mut scan = scan_document(kind, file_name, bytes, limits)?;
    expand(&mut scan, limits, 1);
    Ok(scan)
}

fn expand(scan: &mut DocumentScan, limits: &Limits, depth: usize) {
    for child in std::mem::take(&mut scan.embedded) {
        let problem = |message: String, incomplete: bool| Problem {
            part: Some(child.name.clone()),
            message,
            incomplete,
        };
        if limits.deadline.passed() {
            let message = limits
                .deadline
                .stop_message("before this embedded document");
            scan.problems.push(problem(message, true));
            continue;
        }
        if depth > limits.max_embed_depth {
            scan.problems.push(problem(
                format!(
                    "embedded deeper than {} levels; not analysed",
                    limits.max_embed_depth
                ),
                true,
            ));
            continue;
        }
        if child.bytes.len() as u64 > limits.max_embedded_bytes {
            scan.problems.push(problem(
                format!(
                    "embedded document of {} bytes is over the limit of {} bytes; not analysed",
                    child.bytes.len(),
                    limits.max_embedded_bytes
                ),
                true,
            ));
            continue;
        }
        let head = child.bytes.get(..HEAD_LEN).unwrap_or(&child.bytes);
        let kind = artifact::classify(head, &child.name);
        if let Some(reason) = kind.unsupported_reason() {
            if kind != ArtifactKind::Unknown {
                scan.problems.push(problem(
                    format!("embedded {}: {reason}", kind.name()),
                    false,
                ));
            }
            continue;
        }
        match scan_document(kind, &child.name, &child.bytes, limits) {
            Ok(mut sub) => {
                expand(&mut sub, limits, depth + 1);
                merge(scan, sub, &child.name);
            }
            Err(FormatError::NotApplicable(reason)) => {
                scan.problems.push(problem(
                    format!("embedded document not analysed: {reason}"),
                    false,
                ));
            }
            Err(err) => scan.problems.push(problem(
                format!("embedded document unreadable: {err}"),
                true,
            )),
        }
    }
}

fn merge(scan: &mut DocumentScan, sub: DocumentScan, name: &str) {
    let prefix = |part: Option<String>| match part {
        Some(part) => format!("{name}{PATH_SEPARATOR}{part}"),
        None => name.to_owned(),
    };
    for mut record in sub.records {
        let location = record.location_mut();
        location.part = Some(prefix(location.part.take()));
        scan.records.push(record);
    }
    for mut problem in sub.problems {
        problem.part = Some(prefix(problem.part.take()));
        scan.problems.push(problem);
    }
}
