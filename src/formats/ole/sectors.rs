//! Which bytes of a compound file are reachable ([MS-CFB] 2.2-2.6): the header, the FAT, DIFAT,
//! mini FAT and directory sectors, and the data of every stream that the directory tree links
//! from the root (regular sectors, or mini sectors inside the root's mini stream), each cut to
//! the stream's size.
//!
//! Everything else (free sectors, sectors of deleted or unlinked streams, slack after a
//! stream's end) is data no reader of the file sees, yet it may still hold what an attacker or
//! an earlier save left behind; readers carve it for traces (see `word`). The `cfb` crate
//! does not expose sector chains, so they are read here, bounded by the file: chains stop at
//! the FAT's length, and a chain that loops is cut.
//!
//! [MS-CFB]: https://learn.microsoft.com/openspecs/windows_protocols/ms-cfb

use std::ops::Range;

/// Largest regular sector number; larger values are markers (free, end of chain, ...).
const MAX_REG_SECT: u32 = 0xFFFF_FFF9;
/// Size of a directory entry.
const DIR_ENTRY_LEN: usize = 128;
/// Header DIFAT entries.
const HEADER_DIFAT: usize = 109;
/// Directory entry object types.
const TYPE_STREAM: u8 = 2;
const TYPE_ROOT: u8 = 5;

fn u16_at(buf: &[u8], offset: usize) -> Option<u16> {
    let bytes: [u8; 2] = buf.get(offset..offset.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_le_bytes(bytes))
}

fn u32_at(buf: &[u8], offset: usize) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

fn u64_at(buf: &[u8], offset: usize) -> Option<u64> {
    let bytes: [u8; 8] = buf.get(offset..offset.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// The file byte ranges that belong to the compound file's reachable structures.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub(crate) struct SectorMap {
    /// Sorted, non-overlapping ranges.
    ranges: Vec<Range<usize>>,
}

struct Layout<'a> {
    bytes: &'a [u8],
    sector_len: usize,
    fat: Vec<u32>,
    ranges: Vec<Range<usize>>,
}

impl Layout<'_> {
    /// File range of sector `id`, cut to the file.
    fn sector(&self, id: u32) -> Option<Range<usize>> {
        let index = usize::try_from(id).ok()?.checked_add(1)?;
        let start = index.checked_mul(self.sector_len)?;
        (start < self.bytes.len())
            .then(|| start..start.saturating_add(self.sector_len).min(self.bytes.len()))
    }

    /// The first `max` sectors of the chain starting at `start` (a loop is cut at the FAT's
    /// length).
    fn chain(&self, start: u32, max: usize) -> Vec<u32> {
        let mut chain = Vec::new();
        let mut id = start;
        while id <= MAX_REG_SECT && chain.len() < self.fat.len().min(max) {
            chain.push(id);
            match usize::try_from(id).ok().and_then(|i| self.fat.get(i)) {
                Some(&next) => id = next,
                None => break,
            }
        }
        chain
    }

    /// Marks whole sectors and returns their bytes, concatenated.
    fn mark_chain(&mut self, start: u32) -> Vec<u8> {
        let mut data = Vec::new();
        for id in self.chain(start, usize::MAX) {
            if let Some(range) = self.sector(id) {
                data.extend_from_slice(self.bytes.get(range.clone()).unwrap_or_default());
                self.ranges.push(range);
            }
        }
        data
    }
}

impl SectorMap {
    /// Reads the map of `bytes`, or `None` when the header is not that of a compound file.
    pub(crate) fn read(bytes: &[u8]) -> Option<SectorMap> {
        let header = bytes.get(..512)?;
        if header.get(..8)? != b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
            return None;
        }
        let major = u16_at(header, 0x1A)?;
        let sector_shift = u16_at(header, 0x1E)?;
        let mini_shift = u16_at(header, 0x20)?;
        if !(7..=16).contains(&sector_shift) || mini_shift > sector_shift {
            return None;
        }
        let sector_len = 1usize << sector_shift;
        let mini_len = 1usize << mini_shift;
        let fat_sectors = u32_at(header, 0x2C)?;
        let first_dir = u32_at(header, 0x30)?;
        let cutoff = u64::from(u32_at(header, 0x38)?);
        let first_minifat = u32_at(header, 0x3C)?;
        let first_difat = u32_at(header, 0x44)?;
        let difat_sectors = u32_at(header, 0x48)?;

        let mut layout = Layout {
            bytes,
            sector_len,
            fat: Vec::new(),
            ranges: Vec::new(),
        };
        // The header (a whole sector in version 4 files).
        layout.ranges.push(0..sector_len.min(bytes.len()));
        let file_sectors = bytes.len() / sector_len;
        let wanted = usize::try_from(fat_sectors)
            .unwrap_or(usize::MAX)
            .min(file_sectors);

        // FAT sector numbers: the header's DIFAT, then the DIFAT chain.
        let mut fat_ids: Vec<u32> = (0..HEADER_DIFAT)
            .filter_map(|i| u32_at(header, 0x4C + 4 * i))
            .filter(|&id| id <= MAX_REG_SECT)
            .take(wanted)
            .collect();
        let mut difat = first_difat;
        let per_sector = sector_len / 4 - 1;
        for _ in 0..difat_sectors.min(u32::try_from(file_sectors).unwrap_or(u32::MAX)) {
            if difat > MAX_REG_SECT || fat_ids.len() >= wanted {
                break;
            }
            let Some(range) = layout.sector(difat) else {
                break;
            };
            let sector = bytes.get(range.clone()).unwrap_or_default();
            layout.ranges.push(range);
            fat_ids.extend(
                (0..per_sector)
                    .filter_map(|i| u32_at(sector, 4 * i))
                    .filter(|&id| id <= MAX_REG_SECT),
            );
            difat = u32_at(sector, 4 * per_sector).unwrap_or(u32::MAX);
        }
        fat_ids.truncate(wanted);
        for id in fat_ids {
            if let Some(range) = layout.sector(id) {
                let sector = bytes.get(range.clone()).unwrap_or_default();
                layout
                    .fat
                    .extend(sector.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
                layout.ranges.push(range);
            }
        }

        let directory = layout.mark_chain(first_dir);
        let minifat_bytes = layout.mark_chain(first_minifat);
        let minifat: Vec<u32> = minifat_bytes
            .chunks_exact(4)
            .filter_map(|c| u32_at(c, 0))
            .collect();

        let entry = |id: u32| -> Option<&[u8]> {
            let start = usize::try_from(id).ok()?.checked_mul(DIR_ENTRY_LEN)?;
            directory.get(start..start.checked_add(DIR_ENTRY_LEN)?)
        };
        let size_of = |entry: &[u8]| -> u64 {
            let size = u64_at(entry, 0x78).unwrap_or(0);
            // Version 3 files may leave garbage in the high half.
            if major == 3 { size & 0xFFFF_FFFF } else { size }
        };
        let root = entry(0).filter(|root| root.get(0x42) == Some(&TYPE_ROOT))?;
        let mini_chain = layout.chain(u32_at(root, 0x74).unwrap_or(u32::MAX), usize::MAX);

        // The entries the tree links from the root, each visited once.
        let count = directory.len() / DIR_ENTRY_LEN;
        let mut seen = vec![false; count];
        let mut pending = vec![0u32];
        let mut streams = Vec::new();
        while let Some(id) = pending.pop() {
            let Some(index) = usize::try_from(id).ok().filter(|&i| i < count) else {
                continue;
            };
            if seen.get(index) != Some(&false) {
                continue;
            }
            if let Some(flag) = seen.get_mut(index) {
                *flag = true;
            }
            let Some(dir) = entry(id) else { continue };
            for link in [0x44, 0x48, 0x4C] {
                if let Some(next) = u32_at(dir, link).filter(|&n| n <= MAX_REG_SECT) {
                    pending.push(next);
                }
            }
            if dir.get(0x42) == Some(&TYPE_STREAM) {
                streams.push((u32_at(dir, 0x74).unwrap_or(u32::MAX), size_of(dir)));
            }
        }

        for (start, size) in streams {
            let mut left = usize::try_from(size).unwrap_or(usize::MAX);
            if size < cutoff {
                let mut id = start;
                let mut steps = 0usize;
                while id <= MAX_REG_SECT && left > 0 && steps < minifat.len() {
                    steps += 1;
                    let Some(offset) = usize::try_from(id)
                        .ok()
                        .and_then(|i| i.checked_mul(mini_len))
                    else {
                        break;
                    };
                    let sector = mini_chain.get(offset / sector_len).copied();
                    if let Some(range) = sector.and_then(|s| layout.sector(s)) {
                        let from = range.start.saturating_add(offset % sector_len);
                        let to = from.saturating_add(mini_len.min(left)).min(range.end);
                        layout.ranges.push(from..to);
                    }
                    left = left.saturating_sub(mini_len);
                    id = usize::try_from(id)
                        .ok()
                        .and_then(|i| minifat.get(i))
                        .copied()
                        .unwrap_or(u32::MAX);
                }
            } else {
                for id in layout.chain(start, left.div_ceil(sector_len)) {
                    if let Some(range) = layout.sector(id) {
                        let to = range
                            .start
                            .saturating_add(sector_len.min(left))
                            .min(range.end);
                        layout.ranges.push(range.start..to);
                    }
                    left = left.saturating_sub(sector_len);
                }
            }
        }

        let mut ranges = layout.ranges;
        ranges.retain(|r| r.start < r.end);
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Some(SectorMap { ranges: merged })
    }

    /// Whether the byte at `offset` belongs to a reachable structure.
    pub(crate) fn contains(&self, offset: usize) -> bool {
        let after = self.ranges.partition_point(|r| r.start <= offset);
        after
            .checked_sub(1)
            .and_then(|i| self.ranges.get(i))
            .is_some_and(|r| offset < r.end)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn compound(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            file.create_stream(name).unwrap().write_all(data).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> usize {
        memchr::memmem::find(haystack, needle).unwrap()
    }

    #[test]
    fn stream_data_is_reachable_and_free_space_is_not() {
        let mut big = vec![b'B'; 5000];
        big[4000..4010].copy_from_slice(b"BIGMARKER!");
        let mut small = vec![b's'; 100];
        small[90..99].copy_from_slice(b"SMALLMARK");
        let mut bytes = compound(&[("Big", big), ("Small", small)]);
        let map = SectorMap::read(&bytes).unwrap();
        assert!(map.contains(0));
        assert!(map.contains(find(&bytes, b"BIGMARKER!")));
        assert!(map.contains(find(&bytes, b"SMALLMARK")));
        // Slack after the big stream's last byte, and a sector appended behind the FAT's back.
        let big_end = find(&bytes, b"BIGMARKER!") + 1000;
        assert!(map.contains(big_end - 1));
        assert!(!map.contains(big_end));
        let orphan = bytes.len();
        bytes.extend(vec![b'O'; 4096]);
        let map = SectorMap::read(&bytes).unwrap();
        assert!(!map.contains(orphan));
        assert!(!map.contains(orphan + 4095));
        assert!(!map.contains(usize::MAX));
    }

    #[test]
    fn unlinked_streams_are_unreachable() {
        let mut bytes = compound(&[("Keep", vec![b'k'; 5000]), ("Gone", vec![b'g'; 5000])]);
        let gone = find(&bytes, b"gggg");
        assert!(SectorMap::read(&bytes).unwrap().contains(gone));
        // Unlink every child of the root: both streams become orphans.
        let sector_len = 1usize << u16_at(&bytes, 0x1E).unwrap();
        let first_dir = u32_at(&bytes, 0x30).unwrap() as usize;
        let root = (first_dir + 1) * sector_len;
        bytes[root + 0x4C..root + 0x50].copy_from_slice(&u32::MAX.to_le_bytes());
        let map = SectorMap::read(&bytes).unwrap();
        assert!(!map.contains(gone));
        assert!(map.contains(root));
    }

    #[test]
    fn hostile_headers_do_not_panic() {
        assert_eq!(SectorMap::read(&[]), None);
        assert_eq!(SectorMap::read(&[0; 600]), None);
        let good = compound(&[("A", vec![1; 5000])]);
        for cut in [512, 513, 4096, 5000, 8192, 9000, 12288] {
            let _ = SectorMap::read(&good[..cut]);
        }
        for offset in [0x1E, 0x2C, 0x30, 0x3C, 0x44, 0x48, 0x4C] {
            let mut bad = good.clone();
            bad[offset..offset + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            let _ = SectorMap::read(&bad);
            bad[offset..offset + 4].copy_from_slice(&7u32.to_le_bytes());
            let _ = SectorMap::read(&bad);
        }
        // A FAT that loops on itself.
        let mut looped = good.clone();
        let fat = (u32_at(&good, 0x4C).unwrap() as usize + 1) * 4096;
        for i in 0..1024 {
            looped[fat + 4 * i..fat + 4 * i + 4].copy_from_slice(&(i as u32).to_le_bytes());
        }
        assert!(SectorMap::read(&looped).is_some());
    }
}
