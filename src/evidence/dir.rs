//! Walks a directory evidence item (a mounted image or a triage folder) into [`Entry`] values.
//!
//! The walk is sorted by file name so that every run sees the same order, does not follow
//! symbolic links (so a link loop cannot trap it and a link cannot lead outside the evidence),
//! and turns every problem into an entry of its own instead of stopping.

use std::fs::Metadata;
use std::path::Path;

use walkdir::WalkDir;

use super::{Entry, EntryType, EvidenceError, FileTimes, relative_path};
use crate::time::Timestamp;

/// Lists every entry of the evidence item at `root` (a directory, or a single file).
///
/// Fails only when `root` itself cannot be inspected; problems below it become
/// [`EntryType::Unreadable`] entries.
pub fn walk(evidence: usize, root: &Path) -> Result<Vec<Entry>, EvidenceError> {
    let root_meta = std::fs::metadata(root).map_err(|source| EvidenceError::Missing {
        path: root.to_path_buf(),
        source,
    })?;
    if !root_meta.is_dir() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.display().to_string());
        return Ok(vec![entry_from_metadata(
            evidence, root, name, &root_meta, false,
        )]);
    }
    let mut entries = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1);
    for item in walker {
        match item {
            Ok(dirent) => {
                if dirent.file_type().is_dir() {
                    continue;
                }
                let path = dirent.path();
                let source_path = relative_path(root, path);
                let is_link = dirent.path_is_symlink();
                match std::fs::symlink_metadata(path) {
                    Ok(meta) => entries.push(entry_from_metadata(
                        evidence,
                        path,
                        source_path,
                        &meta,
                        is_link,
                    )),
                    Err(err) => entries.push(unreadable(evidence, path, source_path, &err)),
                }
            }
            Err(err) => {
                let Some(path) = err.path().map(Path::to_path_buf) else {
                    continue;
                };
                let source_path = relative_path(root, &path);
                let reason = match err.io_error() {
                    Some(io) => format!("cannot list or inspect: {io}"),
                    None => format!("cannot list or inspect: {err}"),
                };
                entries.push(Entry {
                    evidence,
                    host_path: path,
                    source_path,
                    size: 0,
                    times: FileTimes::default(),
                    entry_type: EntryType::Unreadable(reason),
                    image: None,
                    memory_dump: false,
                    unallocated: None,
                });
            }
        }
    }
    Ok(entries)
}

fn unreadable(evidence: usize, path: &Path, source_path: String, err: &std::io::Error) -> Entry {
    Entry {
        evidence,
        host_path: path.to_path_buf(),
        source_path,
        size: 0,
        times: FileTimes::default(),
        entry_type: EntryType::Unreadable(format!("cannot inspect: {err}")),
        image: None,
        memory_dump: false,
        unallocated: None,
    }
}

fn entry_from_metadata(
    evidence: usize,
    path: &Path,
    source_path: String,
    meta: &Metadata,
    is_link: bool,
) -> Entry {
    let entry_type = if is_link || meta.file_type().is_symlink() {
        EntryType::Symlink
    } else if meta.is_file() {
        EntryType::File
    } else {
        EntryType::Special
    };
    Entry {
        evidence,
        host_path: path.to_path_buf(),
        source_path,
        size: meta.len(),
        times: file_times(meta),
        entry_type,
        image: None,
        memory_dump: false,
        unallocated: None,
    }
}

/// Reads MACB times from file metadata; a time the platform does not report is `None`.
fn file_times(meta: &Metadata) -> FileTimes {
    let from =
        |t: std::io::Result<std::time::SystemTime>| t.ok().and_then(Timestamp::from_system_time);
    FileTimes {
        modified: from(meta.modified()),
        accessed: from(meta.accessed()),
        changed: change_time(meta),
        born: from(meta.created()),
    }
}

#[cfg(unix)]
fn change_time(meta: &Metadata) -> Option<Timestamp> {
    use std::os::unix::fs::MetadataExt;
    let micros = meta
        .ctime()
        .checked_mul(1_000_000)?
        .checked_add(meta.ctime_nsec() / 1_000)?;
    Timestamp::from_unix_micros(micros)
}

#[cfg(not(unix))]
fn change_time(_meta: &Metadata) -> Option<Timestamp> {
    None
}
