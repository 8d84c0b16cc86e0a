//! Windows prefetch files: which program ran, how often, and when (stage 3, formats).
//!
//! Windows writes `C:\Windows\Prefetch\<EXE>-<HASH>.pf` when a program starts. For DDE triage
//! the interesting ones are those of programs a payload starts (cmd.exe, PowerShell, the
//! Equation Editor): their last run times place the execution on the timeline even when the
//! event logs are gone. [`read`] returns what the file holds; deciding what matters is left to
//! `detect/`.
//!
//! Versions 17 (XP, 2003), 23 (Vista, 7), 26 (8.1), 30 and 31 (10, 11) are read. From Windows
//! 10 on the file is wrapped as `MAM\x04` (or `MAM\x84`, with a CRC32 after the size) and the
//! uncompressed size, followed by an LZXPRESS Huffman stream that the `xpress-huffman` crate
//! decodes; the size is capped at [`MAX_UNCOMPRESSED_BYTES`] before anything is allocated.
//! The CRC is not checked. Every offset the file declares is checked against its length: a
//! damaged file gives a [`FormatError`], never a panic.
//!
//! Reference: Joachim Metz, "Windows Prefetch File (PF) format" (libscca documentation), and
//! [MS-XCA] 2.2.4 for the compression.

#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::formats::FormatError;
use crate::time::Timestamp;

/// Largest uncompressed size a `MAM` header may declare (real files are under 1 MiB).
pub const MAX_UNCOMPRESSED_BYTES: usize = 16 << 20;

/// Most names read from the filename strings section (real files hold a few hundred).
pub const MAX_FILES: usize = 16_384;

/// Most volumes read from the volumes information section.
pub const MAX_VOLUMES: usize = 64;

/// Most UTF-16 units read for one volume device path.
const MAX_DEVICE_PATH_UNITS: usize = 4096;

/// What a prefetch file records.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Prefetch {
    /// Format version: 17, 23, 26, 30 or 31.
    pub version: u32,
    /// Executable name from the header (29 characters at most, as Windows stores it).
    pub executable: String,
    /// Prefetch hash of the executable's path (the `-XXXXXXXX` of the file name).
    pub path_hash: u32,
    /// How many times the program ran.
    pub run_count: u32,
    /// Last run times, newest first; empty slots (zero FILETIMEs) and values outside
    /// 1700..=9999 are left out.
    pub last_run_times: Vec<Timestamp>,
    /// Whether the file was `MAM`-compressed.
    pub compressed: bool,
    /// Files the program loaded in its first seconds (device paths, from the filename
    /// strings section), at most [`MAX_FILES`].
    pub files: Vec<String>,
    /// Volumes: device path, creation time and serial number, at most [`MAX_VOLUMES`].
    pub volumes: Vec<(String, Option<Timestamp>, u32)>,
}

/// Where one format version keeps its file-information fields.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Offset of the first (newest) last-run time.
    run_times: usize,
    /// Number of last-run time slots.
    run_time_slots: usize,
    /// Offset of the run count.
    run_count: usize,
    /// Bytes of one volume information entry.
    volume_entry: usize,
}

/// Reads a prefetch file, compressed (`MAM`) or not (`SCCA`).
pub fn read(bytes: &[u8]) -> Result<Prefetch, FormatError> {
    if bytes.starts_with(b"MAM") {
        let scca = decompress_mam(bytes)?;
        let mut prefetch = read_scca(&scca)?;
        prefetch.compressed = true;
        Ok(prefetch)
    } else {
        read_scca(bytes)
    }
}

fn unreadable(detail: String) -> FormatError {
    FormatError::Unreadable {
        what: "prefetch file",
        detail,
    }
}

/// The bytes `offset..offset + len`, or an error naming `what`.
fn slice<'a>(
    buf: &'a [u8],
    offset: usize,
    len: usize,
    what: &str,
) -> Result<&'a [u8], FormatError> {
    offset
        .checked_add(len)
        .and_then(|end| buf.get(offset..end))
        .ok_or_else(|| {
            unreadable(format!(
                "{what} at 0x{offset:x} (0x{len:x} bytes) is past the end (0x{:x} bytes)",
                buf.len()
            ))
        })
}

fn u32_at(buf: &[u8], offset: usize, what: &str) -> Result<u32, FormatError> {
    let mut raw = [0u8; 4];
    raw.copy_from_slice(slice(buf, offset, 4, what)?);
    Ok(u32::from_le_bytes(raw))
}

fn u64_at(buf: &[u8], offset: usize, what: &str) -> Result<u64, FormatError> {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(slice(buf, offset, 8, what)?);
    Ok(u64::from_le_bytes(raw))
}

/// A u32 read as an offset or count.
fn usize_at(buf: &[u8], offset: usize, what: &str) -> Result<usize, FormatError> {
    let value = u32_at(buf, offset, what)?;
    usize::try_from(value).map_err(|_| unreadable(format!("{what} 0x{value:x} is too large")))
}

/// The little-endian UTF-16 units of `bytes` (an odd last byte is ignored).
fn utf16_units(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
    bytes
        .chunks_exact(2)
        .map(|pair| <[u8; 2]>::try_from(pair).map_or(0, u16::from_le_bytes))
}

/// UTF-16LE `bytes` up to the first NUL (invalid units replaced).
fn utf16_until_nul(bytes: &[u8]) -> String {
    let units: Vec<u16> = utf16_units(bytes).take_while(|&unit| unit != 0).collect();
    String::from_utf16_lossy(&units)
}

/// Decompresses a `MAM` file into its SCCA bytes.
fn decompress_mam(bytes: &[u8]) -> Result<Vec<u8>, FormatError> {
    let kind = slice(bytes, 3, 1, "MAM compression byte")?
        .first()
        .copied()
        .unwrap_or(0);
    if kind & 0x0F != 4 {
        return Err(unreadable(format!(
            "MAM compression 0x{kind:02x} is not LZXPRESS Huffman (4)"
        )));
    }
    let size = usize_at(bytes, 4, "MAM uncompressed size")?;
    if size > MAX_UNCOMPRESSED_BYTES {
        return Err(FormatError::TooLarge {
            what: "prefetch MAM uncompressed size",
            actual: size as u64,
            limit: MAX_UNCOMPRESSED_BYTES as u64,
        });
    }
    // With the high bit set, a CRC32 of the file follows the size.
    let start = if kind & 0x80 != 0 { 12 } else { 8 };
    let stream = bytes.get(start..).ok_or_else(|| {
        unreadable(format!(
            "MAM header is cut short (0x{:x} bytes)",
            bytes.len()
        ))
    })?;
    let scca = xpress_huffman::decompress(stream, size)
        .map_err(|e| unreadable(format!("MAM stream at 0x{start:x}: {e}")))?;
    if scca.len() != size {
        return Err(unreadable(format!(
            "MAM stream ends after 0x{:x} of 0x{size:x} bytes",
            scca.len()
        )));
    }
    Ok(scca)
}

/// The file-information layout of `version` (`metrics_offset` tells the two layouts of
/// version 30 apart).
fn layout(version: u32, metrics_offset: usize) -> Result<Layout, FormatError> {
    let (run_times, run_time_slots, run_count, volume_entry) = match version {
        17 => (0x78, 1, 0x90, 40),
        23 => (0x80, 1, 0x98, 104),
        26 => (0x80, 8, 0xD0, 104),
        // Later Windows 10 builds shortened the file information by 8 bytes: the metrics array
        // starts at 0x128 instead of 0x130 and the run count moved from 0xD0 to 0xC8.
        30 | 31 if metrics_offset == 0x128 => (0x80, 8, 0xC8, 96),
        30 | 31 => (0x80, 8, 0xD0, 96),
        other => {
            return Err(unreadable(format!(
                "format version {other} is not one of 17, 23, 26, 30, 31"
            )));
        }
    };
    Ok(Layout {
        run_times,
        run_time_slots,
        run_count,
        volume_entry,
    })
}

/// Reads an uncompressed (SCCA) prefetch file.
fn read_scca(buf: &[u8]) -> Result<Prefetch, FormatError> {
    let version = u32_at(buf, 0, "format version")?;
    if slice(buf, 4, 4, "signature")? != b"SCCA" {
        return Err(unreadable("no SCCA signature at 0x4".to_owned()));
    }
    let executable = utf16_until_nul(slice(buf, 0x10, 60, "executable name")?);
    let path_hash = u32_at(buf, 0x4C, "prefetch hash")?;
    let metrics_offset = usize_at(buf, 0x54, "metrics array offset")?;
    let layout = layout(version, metrics_offset)?;

    let mut last_run_times = Vec::new();
    for slot in 0..layout.run_time_slots {
        let filetime = u64_at(buf, layout.run_times + 8 * slot, "last run time")?;
        last_run_times.extend(Timestamp::from_filetime(filetime));
    }
    last_run_times.sort_by(|a, b| b.cmp(a));
    let run_count = u32_at(buf, layout.run_count, "run count")?;

    Ok(Prefetch {
        version,
        executable,
        path_hash,
        run_count,
        last_run_times,
        compressed: false,
        files: read_files(buf)?,
        volumes: read_volumes(buf, layout)?,
    })
}

/// The filename strings section: NUL-terminated UTF-16 names, one after another.
fn read_files(buf: &[u8]) -> Result<Vec<String>, FormatError> {
    let offset = usize_at(buf, 0x64, "filename strings offset")?;
    let size = usize_at(buf, 0x68, "filename strings size")?;
    let section = slice(buf, offset, size, "filename strings")?;
    let mut files = Vec::new();
    let mut name = Vec::new();
    for unit in utf16_units(section) {
        if unit != 0 {
            name.push(unit);
            continue;
        }
        if !name.is_empty() {
            if files.len() == MAX_FILES {
                return Err(FormatError::TooLarge {
                    what: "prefetch filename strings (names)",
                    actual: files.len() as u64 + 1,
                    limit: MAX_FILES as u64,
                });
            }
            files.push(String::from_utf16_lossy(&name));
            name.clear();
        }
    }
    if !name.is_empty() && files.len() < MAX_FILES {
        files.push(String::from_utf16_lossy(&name));
    }
    Ok(files)
}

/// The volumes information entries: device path, creation time, serial number.
fn read_volumes(
    buf: &[u8],
    layout: Layout,
) -> Result<Vec<(String, Option<Timestamp>, u32)>, FormatError> {
    let offset = usize_at(buf, 0x6C, "volumes information offset")?;
    let count = usize_at(buf, 0x70, "number of volumes")?;
    if count > MAX_VOLUMES {
        return Err(FormatError::TooLarge {
            what: "prefetch volumes (entries)",
            actual: count as u64,
            limit: MAX_VOLUMES as u64,
        });
    }
    let mut volumes = Vec::with_capacity(count);
    for index in 0..count {
        let entry_at = index
            .checked_mul(layout.volume_entry)
            .and_then(|o| o.checked_add(offset))
            .ok_or_else(|| unreadable(format!("volume {index} offset overflows")))?;
        let entry = slice(
            buf,
            entry_at,
            layout.volume_entry,
            "volume information entry",
        )?;
        let path_offset = usize_at(entry, 0, "volume device path offset")?;
        let path_units = usize_at(entry, 4, "volume device path length")?;
        let path_at = offset
            .checked_add(path_offset)
            .ok_or_else(|| unreadable(format!("volume {index} device path offset overflows")))?;
        let units = path_units.min(MAX_DEVICE_PATH_UNITS);
        let path = utf16_until_nul(slice(buf, path_at, units * 2, "volume device path")?);
        let creation = Timestamp::from_filetime(u64_at(entry, 8, "volume creation time")?);
        let serial = u32_at(entry, 16, "volume serial number")?;
        volumes.push((path, creation, serial));
    }
    Ok(volumes)
}

#[cfg(test)]
mod tests;
