//! Read-only memory maps of evidence files: the one place in ddesweep that uses `unsafe`.
//!
//! Mapping instead of reading means a 2 GB file costs no heap, the page cache serves repeated
//! scans, and parsers borrow slices of the map instead of copies.

use std::fs::File;
use std::ops::Deref;
use std::path::Path;

use memmap2::Mmap;

use super::{Entry, EvidenceError};

/// The bytes of one entry: a read-only map, or nothing for an empty file (which cannot be
/// mapped).
#[derive(Debug)]
pub enum EntryBytes {
    /// A read-only map of the whole file.
    Mapped(Mmap),
    /// A 0-byte file.
    Empty,
}

impl Deref for EntryBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            EntryBytes::Mapped(map) => map,
            EntryBytes::Empty => &[],
        }
    }
}

/// Opens the entry's file read-only and maps it.
pub fn map_entry(entry: &Entry) -> Result<EntryBytes, EvidenceError> {
    let read_error = |source| EvidenceError::Read {
        path: entry.host_path.clone(),
        source,
    };
    let file = open_read_only(&entry.host_path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    if len == 0 {
        return Ok(EntryBytes::Empty);
    }
    // SAFETY: the map is read-only and private to this process. Evidence is not expected to
    // change while it is analysed (it is an acquired copy or a read-only mount); if another
    // process truncated the file anyway, reads past the new end would fault. That is the same
    // contract every mmap-based scanner (ripgrep included) accepts for its speed.
    #[allow(unsafe_code)]
    let map = unsafe { Mmap::map(&file) }.map_err(read_error)?;
    Ok(EntryBytes::Mapped(map))
}

/// Opens `path` for reading only. On Linux it asks for `O_NOATIME` first so that analysing the
/// evidence does not change its access times, and falls back to a plain read-only open where the
/// kernel refuses (`O_NOATIME` needs the file's owner or `CAP_FOWNER`).
fn open_read_only(path: &Path) -> std::io::Result<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        if let Ok(file) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOATIME)
            .open(path)
        {
            return Ok(file);
        }
    }
    File::open(path)
}
