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
    /// clusters merged, one at a time (a fragmented free space on a large volume has millions);
    /// `None` when `$Bitmap` cannot be read.
    pub fn free_ranges(&self) -> Option<FreeRanges<'_>> {
        let bitmap = self.bitmap.get_or_init(|| self.read_bitmap()).as_ref()?;
        let cluster = u64::from(self.ntfs.cluster_size()).max(1);
        Some(FreeRanges {
            bitmap,
            cluster,
            clusters: self.length / cluster,
            lcn: 0,
        })
    }

    /// Bytes of free clusters (0 when `$Bitmap` cannot be read).
    pub fn free_bytes(&self) -> u64 {
        let Some(bitmap) = self.bitmap.get_or_init(|| self.read_bitmap()).as_ref() else {
            return 0;
        };
        let cluster = u64::from(self.ntfs.cluster_size()).max(1);
        let clusters = self.length / cluster;
        let whole = usize::try_from(clusters / 8).unwrap_or(usize::MAX);
        let mut free: u64 = bitmap
            .iter()
            .take(whole)
            .map(|byte| u64::from(byte.count_zeros()))
            .sum();
        for lcn in (clusters / 8) * 8..clusters {
            let used = usize::try_from(lcn / 8)
                .ok()
                .and_then(|i| bitmap.get(i))
                .is_none_or(|b| b & (1 << (lcn % 8)) != 0);
            free += u64::from(!used);
        }
        free * cluster
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

/// The free ranges of a volume, from its `$Bitmap` (see [`NtfsVolume::free_ranges`]).
#[derive(Debug)]
pub struct FreeRanges<'v> {
    bitmap: &'v [u8],
    cluster: u64,
    clusters: u64,
    lcn: u64,
}

impl FreeRanges<'_> {
    /// Whether cluster `lcn` is allocated (a cluster past the bitmap counts as allocated).
    fn allocated(&self, lcn: u64) -> bool {
        usize::try_from(lcn / 8)
            .ok()
            .and_then(|i| self.bitmap.get(i))
            .is_none_or(|b| b & (1 << (lcn % 8)) != 0)
    }

    /// Whether clusters `lcn..lcn + 8` are one whole bitmap byte equal to `value`.
    fn whole_byte(&self, lcn: u64, value: u8) -> bool {
        lcn % 8 == 0
            && lcn + 8 <= self.clusters
            && usize::try_from(lcn / 8)
                .ok()
                .and_then(|i| self.bitmap.get(i))
                .is_some_and(|&b| b == value)
    }
}

impl Iterator for FreeRanges<'_> {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        // Skip allocated clusters, whole bytes at once.
        while self.lcn < self.clusters && self.allocated(self.lcn) {
            self.lcn += if self.whole_byte(self.lcn, 0xFF) {
                8
            } else {
                1
            };
        }
        if self.lcn >= self.clusters {
            return None;
        }
        let first = self.lcn;
        while self.lcn < self.clusters && !self.allocated(self.lcn) {
            self.lcn += if self.whole_byte(self.lcn, 0) { 8 } else { 1 };
        }
        Some((first * self.cluster, (self.lcn - first) * self.cluster))
    }
}

#[cfg(test)]
mod free_range_tests {
    use super::FreeRanges;

    #[test]
    fn free_ranges_merge_and_skip() {
        // Clusters 0-3 allocated, 4-16 free, 17 allocated, 18-23 free; 24 clusters in all.
        let bitmap = [0b0000_1111u8, 0, 0b0000_0010];
        let ranges: Vec<(u64, u64)> = FreeRanges {
            bitmap: &bitmap,
            cluster: 10,
            clusters: 24,
            lcn: 0,
        }
        .collect();
        assert_eq!(ranges, [(40, 130), (180, 60)]);
    }
}
