//! NTFS volumes inside a disk image, read through the `ntfs` crate without mounting.
//!
//! [`NtfsVolume`] holds what every read of the volume shares (the disk, the volume's place in
//! it, the crate's parsed boot sector and upcase table, and the cluster bitmap once a deleted
//! file needs it); each task reads through its own cheap [`DiskView`]. [`listing`] turns the
//! volume into files (the directory walk, with an MFT scan for what the walk cannot reach and
//! for deleted records); [`stream`] reads one file's data (a slice of the image's map when the
//! file is one contiguous run, LZNT1 decompression for compressed files).

pub mod listing;
pub mod stream;
pub mod zone;

use std::io;
use std::sync::{Arc, OnceLock};

use ntfs::Ntfs;

use super::disk::{Disk, DiskView};

/// One NTFS volume of a disk image, shared by every task that reads it.
pub struct NtfsVolume {
    disk: Arc<Disk>,
    /// Byte offset of the volume in the image.
    offset: u64,
    /// Length of the volume in bytes.
    length: u64,
    ntfs: Ntfs,
    /// `$Bitmap` (one bit per cluster, set when allocated), read on first need.
    bitmap: OnceLock<Option<Vec<u8>>>,
}

impl std::fmt::Debug for NtfsVolume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtfsVolume")
            .field("offset", &self.offset)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl NtfsVolume {
    /// Opens the NTFS volume of `disk` at `offset`, `length` bytes long.
    pub fn open(disk: Arc<Disk>, offset: u64, length: u64) -> io::Result<NtfsVolume> {
        let mut view = DiskView::new(&disk, offset, length);
        let mut ntfs = Ntfs::new(&mut view).map_err(io::Error::other)?;
        // The crate needs the upcase table for any name comparison of its own (ntfs hazard in
        // DESIGN.md); ddesweep compares stream names itself, so a damaged table costs nothing.
        let _ = ntfs.read_upcase_table(&mut view);
        Ok(NtfsVolume {
            disk,
            offset,
            length,
            ntfs,
            bitmap: OnceLock::new(),
        })
    }

    /// Byte offset of the volume in its image.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Length of the volume in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// A fresh `Read + Seek` view of the volume for one task.
    pub(crate) fn view(&self) -> DiskView<'_> {
        DiskView::new(&self.disk, self.offset, self.length)
    }

    /// The crate's volume.
    pub(crate) fn ntfs(&self) -> &Ntfs {
        &self.ntfs
    }

    /// The disk holding the volume.
    pub(crate) fn disk(&self) -> &Disk {
        &self.disk
    }

    /// Whether every cluster of `runs` (absolute byte position in the volume, length) is free in
    /// `$Bitmap`: the test for a deleted file's data still being its own. `None` when the bitmap
    /// cannot be read.
    pub(crate) fn clusters_free(&self, runs: &[(u64, u64)]) -> Option<bool> {
        let bitmap = self.bitmap.get_or_init(|| self.read_bitmap()).as_ref()?;
        let cluster = u64::from(self.ntfs.cluster_size()).max(1);
        for &(position, length) in runs {
            let first = position / cluster;
            let end = first.saturating_add(length.div_ceil(cluster));
            if !bits_clear(bitmap, first, end) {
                return Some(false);
            }
        }
        Some(true)
    }

    /// The volume's free clusters as byte ranges (offset in the volume, length), adjacent
    /// clusters merged; empty when `$Bitmap` cannot be read.
    pub fn free_ranges(&self) -> Vec<(u64, u64)> {
        let Some(bitmap) = self.bitmap.get_or_init(|| self.read_bitmap()).as_ref() else {
            return Vec::new();
        };
        let cluster = u64::from(self.ntfs.cluster_size()).max(1);
        let clusters = self.length / cluster;
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut lcn = 0u64;
        while lcn < clusters {
            let Some(&byte) = usize::try_from(lcn / 8).ok().and_then(|i| bitmap.get(i)) else {
                break;
            };
            // Whole bytes at once: eight allocated clusters skipped, eight free ones added.
            if lcn % 8 == 0 && lcn + 8 <= clusters && (byte == 0xFF || byte == 0) {
                if byte == 0 {
                    match ranges.last_mut() {
                        Some((start, len)) if *start + *len == lcn * cluster => *len += 8 * cluster,
                        _ => ranges.push((lcn * cluster, 8 * cluster)),
                    }
                }
                lcn += 8;
                continue;
            }
            if byte & (1 << (lcn % 8)) == 0 {
                match ranges.last_mut() {
                    Some((start, len)) if *start + *len == lcn * cluster => *len += cluster,
                    _ => ranges.push((lcn * cluster, cluster)),
                }
            }
            lcn += 1;
        }
        ranges
    }

    /// Bytes of free clusters.
    pub fn free_bytes(&self) -> u64 {
        self.free_ranges().iter().map(|(_, len)| len).sum()
    }

    fn read_bitmap(&self) -> Option<Vec<u8>> {
        // Record 6 is $Bitmap; at most one bit per cluster, so its size is bounded by the volume.
        let bytes = stream::read(self, 6, None, None).ok()?;
        Some(bytes.to_vec())
    }
}

/// Whether bits `first..end` of `bitmap` are all clear; a bit past its end counts as set.
/// Whole bytes are tested at once, so a forged run over a terabyte costs a scan of its bitmap
/// bytes, not a step per cluster.
fn bits_clear(bitmap: &[u8], first: u64, end: u64) -> bool {
    let bit = |lcn: u64| {
        usize::try_from(lcn / 8)
            .ok()
            .and_then(|byte| bitmap.get(byte))
            .is_none_or(|b| b & (1 << (lcn % 8)) != 0)
    };
    let mut lcn = first;
    while lcn < end && lcn % 8 != 0 {
        if bit(lcn) {
            return false;
        }
        lcn += 1;
    }
    let whole_end = end - (end - lcn) % 8;
    if lcn < whole_end {
        let (Ok(from), Ok(to)) = (usize::try_from(lcn / 8), usize::try_from(whole_end / 8)) else {
            return false;
        };
        match bitmap.get(from..to) {
            Some(bytes) if bytes.iter().all(|&b| b == 0) => lcn = whole_end,
            _ => return false,
        }
    }
    (lcn..end).all(|lcn| !bit(lcn))
}

#[cfg(test)]
mod tests {
    use super::bits_clear;

    #[test]
    fn bitmap_ranges() {
        // Clusters 0-3 and 17 allocated.
        let bitmap = [0b0000_1111u8, 0, 0b0000_0010, 0];
        assert!(bits_clear(&bitmap, 4, 17));
        assert!(!bits_clear(&bitmap, 4, 18));
        assert!(!bits_clear(&bitmap, 3, 5));
        assert!(bits_clear(&bitmap, 18, 32));
        // Past the bitmap's end counts as allocated.
        assert!(!bits_clear(&bitmap, 30, 33));
        assert!(!bits_clear(&bitmap, 8, u64::MAX));
        assert!(bits_clear(&bitmap, 9, 9));
    }
}
