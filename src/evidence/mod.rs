//! Evidence: where bytes come from (stage 1 of the pipeline).
//!
//! An evidence item is what the responder names on the command line. This stage turns it into
//! [`Entry`] values (one per file the host would show, with its path inside the evidence and its
//! times) and gives read-only access to their bytes through a memory map ([`map_entry`]). Later
//! container types (raw and E01 images, NTFS volumes, memory dumps) plug in here; the stages after
//! this one only ever see entries and byte slices.
//!
//! Evidence is never written to: files are opened read-only (and, on Linux, without updating
//! their access time where the kernel allows it), and symbolic links are never followed, because
//! a link inside a mounted image points into the analyst's machine, not the suspect's.

#![deny(unsafe_code)]

mod dir;
pub mod image;
mod mmap;

use std::path::{Path, PathBuf};

pub use dir::walk;
pub use image::ImageFile;
pub use mmap::{EntryBytes, map_entry};

use crate::time::Timestamp;

/// Errors of the evidence stage, each with the path it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The evidence path named on the command line does not exist or cannot be inspected.
    #[error("evidence {path}: {source}")]
    Missing {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file could not be opened or mapped.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file on this machine.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// The four file times the host recorded (MACB), where the file system keeps them.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct FileTimes {
    /// Content last modified (M).
    pub modified: Option<Timestamp>,
    /// Last accessed (A).
    pub accessed: Option<Timestamp>,
    /// Metadata last changed (C, the inode change time).
    pub changed: Option<Timestamp>,
    /// Created (B, birth), where the file system and kernel report it.
    pub born: Option<Timestamp>,
}

/// What kind of directory entry an [`Entry`] is.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum EntryType {
    /// A regular file: its bytes can be analysed.
    File,
    /// A symbolic link: recorded, never followed.
    Symlink,
    /// A FIFO, socket or device: recorded, never opened (opening a FIFO would block the run).
    Special,
    /// The walk could not read this entry (permission, I/O error, vanished file): the reason.
    Unreadable(String),
    /// Listed but deliberately not read (an EFS-encrypted file, a deleted file whose clusters
    /// now hold other data): the reason.
    NotRead(String),
}

/// One file inside an evidence item, as the host saw it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Index of the evidence item (in the order given on the command line).
    pub evidence: usize,
    /// Where to open the file on this machine.
    pub host_path: PathBuf,
    /// The path inside the evidence, with `/` separators (the file name for a single-file item).
    pub source_path: String,
    /// Size in bytes (0 where unknown).
    pub size: u64,
    /// MACB times.
    pub times: FileTimes,
    /// File, link, special file or unreadable entry.
    pub entry_type: EntryType,
    /// For a file inside a disk image: where it is and what the file system says of it.
    pub image: Option<ImageFile>,
    /// The responder named this file as a memory dump (`--memory`): raw memory has no
    /// signature, so only they can say.
    pub memory_dump: bool,
    /// The entry is the unallocated clusters of this NTFS volume (`--carve-unallocated`), not a
    /// file.
    pub unallocated: Option<std::sync::Arc<image::ntfs::NtfsVolume>>,
}

impl Entry {
    /// The file name (last path component) inside the evidence.
    pub fn file_name(&self) -> &str {
        self.source_path
            .rsplit('/')
            .next()
            .unwrap_or(self.source_path.as_str())
    }
}

/// An evidence item opened: its entries and what it is.
#[derive(Debug)]
pub struct EvidenceItem {
    /// `directory`, `file` or `disk image`.
    pub kind: &'static str,
    /// Its entries.
    pub entries: Vec<Entry>,
    /// For a disk image: the container, volumes and table problems.
    pub image: Option<image::OpenedImage>,
}

/// How evidence items are opened: what the responder said about them.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenOptions {
    /// Single files are memory dumps (`--memory`).
    pub memory: bool,
    /// Each NTFS volume of a disk image also gives its unallocated clusters as an entry
    /// (`--carve-unallocated`).
    pub unallocated: bool,
}

/// Opens the evidence item at `path`: a disk image (recognised by its bytes) is listed volume by
/// volume; a directory is walked; any other file is one entry. With `options.memory`, a file is
/// a memory dump, never sniffed as an image.
pub fn open(
    evidence: usize,
    path: &Path,
    options: OpenOptions,
) -> Result<EvidenceItem, EvidenceError> {
    let memory = options.memory;
    let meta = std::fs::metadata(path).map_err(|source| EvidenceError::Missing {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() && memory {
        let mut entries = walk(evidence, path)?;
        for entry in &mut entries {
            entry.memory_dump = true;
        }
        return Ok(EvidenceItem {
            kind: "memory dump",
            entries,
            image: None,
        });
    }
    if meta.is_file()
        && let Some(kind) = image::sniff(path)
    {
        let mut opened = image::open(evidence, path, kind, options.unallocated)?;
        return Ok(EvidenceItem {
            kind: "disk image",
            entries: std::mem::take(&mut opened.entries),
            image: Some(opened),
        });
    }
    Ok(EvidenceItem {
        kind: if meta.is_dir() { "directory" } else { "file" },
        entries: walk(evidence, path)?,
        image: None,
    })
}

/// Renders `path` relative to `root` with `/` separators, as paths inside evidence are shown.
pub(crate) fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}
