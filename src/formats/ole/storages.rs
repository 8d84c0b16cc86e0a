//! Documents kept in the storages of a compound file: an Excel sheet embedded in a Word
//! document (`ObjectPool/_1234567890/Workbook`), a Word document attached to a message as an
//! OLE object, an OOXML package embedded as an OLE object (its `Package` stream).
//!
//! Each such storage is copied into a compound file of its own (the `cfb` crate writes it in
//! memory) or, for `Package`, taken as the zip it is, and handed to `scan.embedded`, so the
//! document in it is scanned like a file: its DDE fields and links are found with the container
//! path as their part.

use std::io::{Cursor, Write};

use super::{Cfb, read_stream};
use crate::formats::{DocumentScan, Embedded, Limits, Problem};

/// Streams whose presence makes a storage a document of its own.
const DOCUMENT_STREAMS: &[&str] = &["WordDocument", "Workbook", "Book"];

/// Adds every document kept in a (non-root) storage of `file` to `scan.embedded`.
pub(super) fn scan(file: &mut Cfb<'_>, limits: &Limits, scan: &mut DocumentScan) {
    let storages: Vec<String> = file
        .walk()
        .filter(|entry| entry.is_storage() && !entry.is_root())
        .map(|entry| entry.path().to_string_lossy().replace('\\', "/"))
        .collect();
    // A storage copied whole already carries the storages below it.
    let mut taken: Vec<String> = Vec::new();
    for storage in storages {
        if taken.iter().any(|t| storage.starts_with(&format!("{t}/"))) {
            continue;
        }
        let part = storage.trim_start_matches('/').to_owned();
        let package = format!("{storage}/Package");
        let result = if file.is_stream(&package) {
            read_stream(file, &package, limits.max_embedded_bytes)
                .map(|bytes| Some((format!("{part}/Package"), bytes)))
        } else if DOCUMENT_STREAMS
            .iter()
            .any(|s| file.is_stream(format!("{storage}/{s}")))
        {
            copy_storage(file, &storage, limits).map(|bytes| Some((part.clone(), bytes)))
        } else {
            Ok(None)
        };
        match result {
            Ok(Some((name, bytes))) => {
                taken.push(storage);
                scan.embedded.push(Embedded { name, bytes });
            }
            Ok(None) => {}
            Err(problem) => scan.problems.push(problem),
        }
    }
}

/// Copies the storage at `root` and everything below it into a new compound file.
fn copy_storage(file: &mut Cfb<'_>, root: &str, limits: &Limits) -> Result<Vec<u8>, Problem> {
    let problem = |message: String| Problem {
        part: Some(root.trim_start_matches('/').to_owned()),
        message,
        incomplete: true,
    };
    let entries: Vec<(String, bool)> = file
        .walk_storage(root)
        .map_err(|err| problem(format!("cannot list storage: {err}")))?
        .filter(|entry| entry.path().to_string_lossy().replace('\\', "/") != root)
        .map(|entry| {
            let path = entry.path().to_string_lossy().replace('\\', "/");
            (path, entry.is_stream())
        })
        .collect();
    let mut copy = cfb::CompoundFile::create(Cursor::new(Vec::new()))
        .map_err(|err| problem(format!("cannot build a copy: {err}")))?;
    let mut budget = limits.max_embedded_bytes;
    for (path, is_stream) in entries {
        let relative = path.get(root.len()..).unwrap_or_default().to_owned();
        if relative.is_empty() {
            continue;
        }
        let written = if is_stream {
            let bytes = read_stream(file, &path, budget)?;
            budget = budget.saturating_sub(bytes.len() as u64);
            copy.create_stream(&relative)
                .and_then(|mut s| s.write_all(&bytes))
        } else {
            copy.create_storage(&relative)
        };
        written.map_err(|err| problem(format!("cannot copy {relative}: {err}")))?;
    }
    copy.flush()
        .map_err(|err| problem(format!("cannot finish the copy: {err}")))?;
    Ok(copy.into_inner().into_inner())
}
