//! Disk images as evidence: raw (single or split) and EWF containers, their volume systems, and
//! the NTFS volumes inside, read in place.
//!
//! [`open`] recognises an image by its bytes (never its name), finds its volumes, lists the
//! files of every NTFS volume and returns them as [`Entry`] values whose bytes come out of the
//! image ([`ImageFile::read`]). Volumes of other file systems are recorded as not supported.

pub mod disk;
pub mod ntfs;
pub mod volumes;

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use self::disk::{ContainerKind, Disk};
use self::ntfs::NtfsVolume;
use self::ntfs::listing::{self, FoundBy, ListingStats};
use self::ntfs::zone::MarkOfTheWeb;
use self::volumes::{FileSystem, VolumeSlot};
use super::mmap::open_read_only;
use super::{Entry, EntryBytes, EntryType, EvidenceError, FileTimes};

/// A file inside an NTFS volume of a disk image: where its bytes are, and what the file system
/// says about it beyond its path and times.
#[derive(Clone, Debug)]
pub struct ImageFile {
    /// The volume.
    pub volume: Arc<NtfsVolume>,
    /// MFT record number.
    pub record: u64,
    /// Alternate data stream name; `None` for the file's content.
    pub stream: Option<String>,
    /// How the listing found it (a deleted record is a deleted file).
    pub found_by: FoundBy,
    /// $FILE_NAME times.
    pub name_times: FileTimes,
    /// Mark of the Web from the file's `Zone.Identifier` stream.
    pub mark_of_the_web: Option<MarkOfTheWeb>,
    /// The file's first bytes, taken by the MFT scan where that was cheap.
    pub head: Option<Vec<u8>>,
}

impl ImageFile {
    /// Whether the file was deleted (its MFT record is not in use).
    pub fn deleted(&self) -> bool {
        self.found_by == FoundBy::DeletedRecord
    }

    /// Byte offset of the file's volume in the image.
    pub fn volume_offset(&self) -> u64 {
        self.volume.offset()
    }

    /// The file's bytes, read out of the image.
    pub fn read(&self) -> io::Result<EntryBytes> {
        ntfs::stream::read(&self.volume, self.record, self.stream.as_deref(), None)
    }

    /// The file's runs (byte position in the volume, `None` for a hole; length), when it can be
    /// read piece by piece; `None` when it must be read whole.
    pub fn plain_runs(&self) -> io::Result<Option<Vec<ntfs::stream::DataRun>>> {
        ntfs::stream::plain_runs(&self.volume, self.record, self.stream.as_deref())
    }

    /// The first `len` bytes (fewer if the file is shorter): enough to classify the file
    /// before reading the rest. The MFT scan's copy when it took one (no read at all).
    pub fn read_head(&self, len: u64) -> io::Result<EntryBytes> {
        match &self.head {
            Some(head) => {
                let take = usize::try_from(len).map_or(head.len(), |len| len.min(head.len()));
                Ok(EntryBytes::Owned(head[..take].to_vec()))
            }
            None => {
                ntfs::stream::read(&self.volume, self.record, self.stream.as_deref(), Some(len))
            }
        }
    }
}

/// One volume of an image, as the manifest accounts for it.
#[derive(Clone, Debug, Serialize)]
pub struct VolumeRecord {
    /// Where it is and what it holds.
    #[serde(flatten)]
    pub slot: VolumeSlot,
    /// `scanned`, `not supported` or `failed`.
    pub status: &'static str,
    /// Why it was not scanned, or what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the listing found (NTFS volumes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingStats>,
}

/// A disk image opened and listed.
#[derive(Debug)]
pub struct OpenedImage {
    /// What holds the bytes.
    pub container: ContainerKind,
    /// Image size in bytes.
    pub size: u64,
    /// The volumes found.
    pub volumes: Vec<VolumeRecord>,
    /// Problems with the partition tables.
    pub problems: Vec<String>,
    /// The files of every NTFS volume.
    pub entries: Vec<Entry>,
}

/// The path given to a volume's unallocated clusters.
pub const UNALLOCATED: &str = "$Unallocated";

/// How many bytes are read to recognise an image.
const SNIFF_LEN: usize = 8192;

/// Recognises a disk image by its first bytes: an EWF segment, or raw bytes that start with a
/// partition table or a known file system. `None` for any other file.
pub fn sniff(path: &Path) -> Option<ContainerKind> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    open_read_only(path)
        .ok()?
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .ok()?;
    if let Some(kind) = disk::ewf_kind(&head) {
        return Some(kind);
    }
    (head.len() >= 1024 && volumes::looks_like_disk(&head)).then_some(ContainerKind::Raw)
}

/// Opens the image at `path` (recognised as `kind` by [`sniff`]) and lists its NTFS volumes.
/// With `unallocated`, each NTFS volume also gives an entry `$Unallocated` for its free clusters.
pub fn open(
    evidence: usize,
    path: &Path,
    kind: ContainerKind,
    unallocated: bool,
) -> Result<OpenedImage, EvidenceError> {
    let read_error = |source| EvidenceError::Read {
        path: path.to_path_buf(),
        source,
    };
    let (disk, container, _segments) = Disk::open(path, kind).map_err(read_error)?;
    Ok(list_disk(
        evidence,
        path,
        Arc::new(disk),
        container,
        unallocated,
    ))
}

/// Finds the volumes of `disk` (read from `path`, the evidence item `evidence`) and lists the
/// files of every NTFS volume: everything [`open`] does once the image is mapped. Never fails:
/// what cannot be read is a problem or a volume's reason.
pub fn list_disk(
    evidence: usize,
    path: &Path,
    disk: Arc<Disk>,
    container: ContainerKind,
    unallocated: bool,
) -> OpenedImage {
    let (slots, problems) = volumes::find_volumes(&disk);
    let mut records = Vec::new();
    let mut entries = Vec::new();
    for slot in slots {
        if slot.file_system != FileSystem::Ntfs {
            let reason = format!(
                "{} file system: not supported (ddesweep reads NTFS volumes)",
                slot.file_system.name()
            );
            records.push(VolumeRecord {
                slot,
                status: "not supported",
                reason: Some(reason),
                listing: None,
            });
            continue;
        }
        // The ntfs crate reads values the image controls: a panic in it costs this volume.
        let listed = crate::guard::catch(|| {
            NtfsVolume::open(Arc::clone(&disk), slot.offset, slot.length)
                .map_err(|err| format!("not a readable NTFS volume: {err}"))
                .and_then(|volume| {
                    let volume = Arc::new(volume);
                    listing::list(&volume).map(|(files, stats)| (volume, files, stats))
                })
        })
        .unwrap_or_else(|panic| Err(format!("internal error while listing the volume: {panic}")));
        match listed {
            Ok((volume, files, stats)) => {
                if unallocated {
                    let image_times = std::fs::metadata(path)
                        .ok()
                        .and_then(|meta| meta.modified().ok())
                        .and_then(crate::time::Timestamp::from_system_time);
                    entries.push(Entry {
                        evidence,
                        host_path: path.to_path_buf(),
                        source_path: UNALLOCATED.to_owned(),
                        size: volume.free_bytes(),
                        times: FileTimes {
                            modified: image_times,
                            ..FileTimes::default()
                        },
                        entry_type: EntryType::File,
                        image: None,
                        memory_dump: false,
                        unallocated: Some(Arc::clone(&volume)),
                    });
                }
                entries.extend(files.into_iter().map(|file| Entry {
                    evidence,
                    host_path: path.to_path_buf(),
                    source_path: file.path,
                    size: file.size,
                    times: file.times,
                    entry_type: match file.unreadable {
                        Some(reason) => EntryType::NotRead(reason),
                        None => EntryType::File,
                    },
                    image: Some(ImageFile {
                        volume: Arc::clone(&volume),
                        record: file.record,
                        stream: file.stream,
                        found_by: file.found_by,
                        name_times: file.name_times,
                        mark_of_the_web: file.mark_of_the_web,
                        head: file.head,
                    }),
                    memory_dump: false,
                    unallocated: None,
                }));
                let reason = (!stats.unreadable_directories.is_empty()).then(|| {
                    format!(
                        "{} directories could not be opened: their files were found by the MFT scan",
                        stats.unreadable_directories.len()
                    )
                });
                records.push(VolumeRecord {
                    slot,
                    status: "scanned",
                    reason,
                    listing: Some(stats),
                });
            }
            Err(reason) => records.push(VolumeRecord {
                slot,
                status: "failed",
                reason: Some(reason),
                listing: None,
            }),
        }
    }
    OpenedImage {
        container,
        size: disk.len(),
        volumes: records,
        problems,
        entries,
    }
}
