//! The bytes of a disk image, whatever holds them: one raw file, a split raw image
//! (`disk.001`, `disk.002`, ...) or an EWF (E01/Ex01) image.
//!
//! Raw images are memory-mapped, so reading a file out of them is a copy from the page cache and
//! a file stored in one contiguous run can be handed to a parser as a slice of the map
//! ([`Disk::mapped`]). EWF images are read through the `ewf` crate, whose positioned reads take
//! `&self`, so every worker thread reads the same image without a lock of ours.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::Mmap;

use super::super::mmap::{map_read_only, open_read_only};

/// The first bytes of an EWF version 1 segment (E01, also used by L01/S01).
const EWF1_SIGNATURE: &[u8] = b"EVF\x09\x0d\x0a\xff\x00";
/// The first bytes of an EWF version 2 segment (Ex01).
const EWF2_SIGNATURE: &[u8] = b"EVF2\x0d\x0a\x81\x00";

/// What holds the image's bytes.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum ContainerKind {
    /// One raw (dd) file.
    Raw,
    /// A raw image split into numbered segments.
    SplitRaw,
    /// Expert Witness Format, version 1 (E01).
    Ewf,
    /// Expert Witness Format, version 2 (Ex01).
    Ewf2,
}

impl ContainerKind {
    /// The name written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            ContainerKind::Raw => "raw",
            ContainerKind::SplitRaw => "split raw",
            ContainerKind::Ewf => "E01",
            ContainerKind::Ewf2 => "Ex01",
        }
    }
}

/// Whether `head` (the first bytes of a file) starts an EWF segment, and which version.
pub fn ewf_kind(head: &[u8]) -> Option<ContainerKind> {
    if head.starts_with(EWF1_SIGNATURE) {
        Some(ContainerKind::Ewf)
    } else if head.starts_with(EWF2_SIGNATURE) {
        Some(ContainerKind::Ewf2)
    } else {
        None
    }
}

/// One mapped piece of a raw image and where it starts in the image.
#[derive(Debug)]
pub struct RawSegment {
    start: u64,
    map: Arc<Mmap>,
}

/// A disk image opened read-only.
pub enum Disk {
    /// Raw segments, mapped, in order.
    Raw(Vec<RawSegment>),
    /// An EWF image.
    Ewf(Box<ewf::EwfReader>),
}

impl std::fmt::Debug for Disk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disk::Raw(segments) => write!(f, "Disk::Raw({} segments)", segments.len()),
            Disk::Ewf(reader) => write!(f, "Disk::Ewf({} bytes)", reader.total_size()),
        }
    }
}

impl Disk {
    /// Opens the image at `path` as `kind` (from [`ewf_kind`], or `Raw`; a raw file named
    /// `*.001` brings its numbered siblings with it). Returns the disk and the files it reads.
    pub fn open(
        path: &Path,
        kind: ContainerKind,
    ) -> io::Result<(Disk, ContainerKind, Vec<PathBuf>)> {
        match kind {
            ContainerKind::Ewf => {
                // The segments opened here, read-only and without touching their access
                // times; the crate orders them by the segment numbers inside.
                let paths = ewf_segments(path);
                let sources = paths
                    .iter()
                    .map(|segment| open_read_only(segment).map(ewf::SegmentSource::File))
                    .collect::<io::Result<Vec<_>>>()?;
                let reader =
                    ewf::EwfReader::open_from_sources(sources).map_err(io::Error::other)?;
                Ok((Disk::Ewf(Box::new(reader)), kind, paths))
            }
            ContainerKind::Ewf2 => {
                // The crate opens EWF2 segments itself (read-only; it cannot take open files
                // for them yet, so their access times may move).
                let reader = ewf::EwfReader::open(path).map_err(io::Error::other)?;
                Ok((Disk::Ewf(Box::new(reader)), kind, vec![path.to_path_buf()]))
            }
            ContainerKind::Raw | ContainerKind::SplitRaw => {
                let paths = split_segments(path);
                let kind = if paths.len() > 1 {
                    ContainerKind::SplitRaw
                } else {
                    ContainerKind::Raw
                };
                let mut segments = Vec::with_capacity(paths.len());
                let mut start = 0u64;
                for segment in &paths {
                    let Some(map) = map_read_only(segment)? else {
                        break;
                    };
                    let len = map.len() as u64;
                    segments.push(RawSegment {
                        start,
                        map: Arc::new(map),
                    });
                    start += len;
                }
                Ok((Disk::Raw(segments), kind, paths))
            }
        }
    }

    /// A raw disk holding a copy of `bytes` (in an anonymous read-only map): how the fuzz
    /// targets and tests hand the partition-table and NTFS parsers an image without a file.
    pub fn from_bytes(bytes: &[u8]) -> io::Result<Disk> {
        if bytes.is_empty() {
            return Ok(Disk::Raw(Vec::new()));
        }
        let mut map = memmap2::MmapOptions::new().len(bytes.len()).map_anon()?;
        map.copy_from_slice(bytes);
        Ok(Disk::Raw(vec![RawSegment {
            start: 0,
            map: Arc::new(map.make_read_only()?),
        }]))
    }

    /// The image's size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Disk::Raw(segments) => segments.last().map_or(0, |s| s.start + s.map.len() as u64),
            Disk::Ewf(reader) => reader.total_size(),
        }
    }

    /// Whether the image holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads into `buf` from `offset`; short only at the end of the image.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            Disk::Raw(segments) => {
                let mut done = 0;
                while done < buf.len() {
                    let at = offset + done as u64;
                    let Some(segment) = segments
                        .iter()
                        .rev()
                        .find(|s| s.start <= at && at < s.start + s.map.len() as u64)
                    else {
                        break;
                    };
                    let inner = (at - segment.start) as usize;
                    let available = &segment.map[inner..];
                    let n = available.len().min(buf.len() - done);
                    buf[done..done + n].copy_from_slice(&available[..n]);
                    done += n;
                }
                Ok(done)
            }
            Disk::Ewf(reader) => reader.read_at(buf, offset).map_err(io::Error::other),
        }
    }

    /// Reads exactly `len` bytes at `offset` into a new buffer.
    pub fn read_vec(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; len];
        let n = self.read_at(&mut buf, offset)?;
        if n < len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "image ends at byte {} inside a read of {len} bytes at {offset}",
                    offset + n as u64
                ),
            ));
        }
        Ok(buf)
    }

    /// The map holding bytes `offset..offset+len` and where they start in it, when they lie in
    /// one mapped segment (raw images only): the caller can borrow them instead of copying.
    pub fn mapped(&self, offset: u64, len: u64) -> Option<(Arc<Mmap>, usize)> {
        let Disk::Raw(segments) = self else {
            return None;
        };
        let end = offset.checked_add(len)?;
        let segment = segments
            .iter()
            .find(|s| s.start <= offset && end <= s.start + s.map.len() as u64)?;
        Some((
            Arc::clone(&segment.map),
            usize::try_from(offset - segment.start).ok()?,
        ))
    }
}

/// The segments of the EWF image whose first segment is `first` (`NAME.E01`): the files of its
/// folder named `NAME.E02` ... `NAME.E99`, `NAME.EAA` ... (the same letter, either case).
fn ewf_segments(first: &Path) -> Vec<PathBuf> {
    let (Some(stem), Some(extension), Some(folder)) = (
        first.file_stem().and_then(|s| s.to_str()),
        first.extension().and_then(|e| e.to_str()),
        first.parent(),
    ) else {
        return vec![first.to_path_buf()];
    };
    let Some(letter) = extension.chars().next() else {
        return vec![first.to_path_buf()];
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let is_segment = |path: &Path| {
        path.file_stem().and_then(|s| s.to_str()) == Some(stem)
            && path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                e.len() == 3
                    && e.chars()
                        .next()
                        .is_some_and(|c| c.eq_ignore_ascii_case(&letter))
                    && e.chars().skip(1).all(|c| c.is_ascii_alphanumeric())
            })
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.as_path() != first && is_segment(path))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.insert(0, first.to_path_buf());
    paths
}

/// A raw image split as `NAME.001`, `NAME.002`, ...: the segments in order, as long as they
/// follow each other without a gap. Any other name is one segment.
fn split_segments(first: &Path) -> Vec<PathBuf> {
    let Some(name) = first.file_name().and_then(|n| n.to_str()) else {
        return vec![first.to_path_buf()];
    };
    let Some((stem, number)) = name.rsplit_once('.') else {
        return vec![first.to_path_buf()];
    };
    if number.len() < 3
        || !number.bytes().all(|b| b.is_ascii_digit())
        || number.trim_start_matches('0') != "1"
    {
        return vec![first.to_path_buf()];
    }
    let width = number.len();
    let mut paths = vec![first.to_path_buf()];
    for next in 2u32.. {
        let candidate = first.with_file_name(format!("{stem}.{next:0width$}"));
        if !candidate.is_file() {
            break;
        }
        paths.push(candidate);
    }
    paths
}

/// A `Read + Seek` view of `len` bytes of a disk from `base` (a volume), for the ntfs crate.
/// Cheap to make: one per task.
#[derive(Debug)]
pub struct DiskView<'d> {
    disk: &'d Disk,
    base: u64,
    len: u64,
    position: u64,
    /// Bytes this view may still read: a bound on the work a looping structure can cause.
    budget: u64,
}

impl<'d> DiskView<'d> {
    /// A view of `disk` from `base`, `len` bytes long.
    pub fn new(disk: &'d Disk, base: u64, len: u64) -> DiskView<'d> {
        DiskView {
            disk,
            base,
            len,
            position: 0,
            budget: u64::MAX,
        }
    }

    /// The same view, failing once it has read `budget` bytes: for reading a structure whose
    /// links the image controls (a directory index whose nodes point back at themselves would
    /// otherwise be walked, and held, forever).
    pub fn with_budget(mut self, budget: u64) -> DiskView<'d> {
        self.budget = budget;
        self
    }
}

impl Read for DiskView<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.len.saturating_sub(self.position);
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        if want as u64 > self.budget {
            return Err(io::Error::other(
                "read budget exhausted: the structure loops or is implausibly large",
            ));
        }
        let n = self
            .disk
            .read_at(&mut buf[..want], self.base + self.position)?;
        self.position += n as u64;
        self.budget -= n as u64;
        Ok(n)
    }
}

impl Seek for DiskView<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        match target {
            Some(p) => {
                self.position = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the volume",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names_need_a_numbered_first_segment() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["disk.001", "disk.002", "disk.003", "disk.005"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let segments = split_segments(&dir.path().join("disk.001"));
        let names: Vec<_> = segments
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["disk.001", "disk.002", "disk.003"]);
        assert_eq!(split_segments(&dir.path().join("disk.002")).len(), 1);
        assert_eq!(split_segments(&dir.path().join("disk.raw")).len(), 1);
    }

    #[test]
    fn reads_cross_segment_borders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("d.001"), b"abc").unwrap();
        std::fs::write(dir.path().join("d.002"), b"defg").unwrap();
        let (disk, kind, _) = Disk::open(&dir.path().join("d.001"), ContainerKind::Raw).unwrap();
        assert_eq!(kind, ContainerKind::SplitRaw);
        assert_eq!(disk.len(), 7);
        assert_eq!(disk.read_vec(1, 5).unwrap(), b"bcdef");
        assert!(disk.read_vec(5, 5).is_err());
        assert!(disk.mapped(1, 2).is_some());
        assert!(disk.mapped(2, 2).is_none());
        let mut view = DiskView::new(&disk, 2, 4);
        let mut out = Vec::new();
        view.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"cdef");
    }
}
