//! Read-only memory maps of evidence files: the one place in ddesweep that uses `unsafe`.
//!
//! Mapping instead of reading means a 2 GB file costs no heap, the page cache serves repeated
//! scans, and parsers borrow slices of the map instead of copies.

use std::fs::File;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use super::{Entry, EvidenceError};

/// The bytes of one entry: a read-only map, a slice of an image's map, a copy (a file read out
/// of a compressed, fragmented or EWF-held NTFS file), or nothing for an empty file (which cannot
/// be mapped).
#[derive(Debug)]
pub enum EntryBytes {
    /// A read-only map of the whole file.
    Mapped(Mmap),
    /// `len` bytes from `start` of a mapped raw image: a file stored in one contiguous run.
    Slice {
        /// The image segment's map.
        map: Arc<Mmap>,
        /// Where the file starts in it.
        start: usize,
        /// The file's length.
        len: usize,
    },
    /// The file's bytes, read out of an image.
    Owned(Vec<u8>),
    /// A 0-byte file.
    Empty,
}

impl Deref for EntryBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            EntryBytes::Mapped(map) => map,
            EntryBytes::Slice { map, start, len } => {
                map.get(*start..start.saturating_add(*len)).unwrap_or(&[])
            }
            EntryBytes::Owned(bytes) => bytes,
            EntryBytes::Empty => &[],
        }
    }
}

/// The entry's bytes: its file mapped read-only, or, for a file inside a disk image, its data
/// read out of the image's volume.
pub fn map_entry(entry: &Entry) -> Result<EntryBytes, EvidenceError> {
    if let Some(image_file) = &entry.image {
        return image_file.read().map_err(|source| EvidenceError::Read {
            path: entry.host_path.join(&entry.source_path),
            source,
        });
    }
    let read_error = |source| EvidenceError::Read {
        path: entry.host_path.clone(),
        source,
    };
    match map_read_only(&entry.host_path).map_err(read_error)? {
        Some(map) => Ok(EntryBytes::Mapped(map)),
        None => Ok(EntryBytes::Empty),
    }
}

/// Opens `path` read-only and maps it; `None` for a 0-byte file.
pub(crate) fn map_read_only(path: &Path) -> std::io::Result<Option<Mmap>> {
    let file = open_read_only(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(None);
    }
    // SAFETY: the map is read-only and private to this process. Evidence is not expected to
    // change while it is analysed (it is an acquired copy or a read-only mount); if another
    // process truncated the file anyway, reads past the new end would fault. That is the same
    // contract every mmap-based scanner (ripgrep included) accepts for its speed.
    #[allow(unsafe_code)]
    let map = unsafe { Mmap::map(&file) }?;
    Ok(Some(map))
}

/// Opens `path` for reading only. On Linux it asks for `O_NOATIME` first so that analysing the
/// evidence does not change its access times, and falls back to a plain read-only open where the
/// kernel refuses (`O_NOATIME` needs the file's owner or `CAP_FOWNER`).
pub(crate) fn open_read_only(path: &Path) -> std::io::Result<File> {
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
