//! A minimal Windows prefetch (SCCA) writer for versions 17, 23, 26 and 30, and the `MAM`
//! wrapper Windows 10 and later compress them in.
//!
//! A written file has the 84-byte header, the version's file information (offsets, counts,
//! last run times and run count at the offsets real files use), a metrics array with one entry
//! per file name, an empty trace chains array, the filename strings, and a volumes information
//! section with one volume (its device path, an empty file references list and the directory
//! strings). [`compress_mam`] wraps such a file as Windows 10 writes it: `MAM\x04`, the
//! uncompressed size, and an LZXPRESS Huffman stream ([`crate::prefetch_xpress`]).
//!
//! Reference: Joachim Metz, "Windows Prefetch File (PF) format" (libscca documentation).

use crate::prefetch_xpress;

/// Bytes of the file header (version, `SCCA`, size, executable name, hash, flags).
pub const HEADER_SIZE: usize = 0x54;

/// Which file-information layout version 30 uses.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum V30Layout {
    /// As version 26: metrics array at 0x130, run count at 0xD0.
    First,
    /// Later Windows 10 builds: metrics array at 0x128, run count at 0xC8.
    Second,
}

/// The volume a prefetch file describes.
#[derive(Clone, Debug)]
pub struct Volume {
    /// NT device path, e.g. `\DEVICE\HARDDISKVOLUME2`.
    pub device_path: String,
    /// Volume creation time (FILETIME).
    pub creation: u64,
    /// Volume serial number.
    pub serial: u32,
    /// Directories the program touched on the volume (full device paths).
    pub directories: Vec<String>,
}

/// What one prefetch file records.
#[derive(Clone, Debug)]
pub struct PrefetchSpec {
    /// Format version: 17, 23, 26 or 30.
    pub version: u32,
    /// Layout of version 30 files (ignored for the others).
    pub v30_layout: V30Layout,
    /// Executable name (29 characters at most are stored).
    pub executable: String,
    /// Prefetch hash of the executable's path (the `-XXXXXXXX` of the file name).
    pub hash: u32,
    /// Run count.
    pub run_count: u32,
    /// Last run times (FILETIMEs), newest first: one slot in versions 17 and 23, eight later;
    /// unused slots are zero.
    pub run_times: Vec<u64>,
    /// Files loaded in the first seconds (full device paths), in load order.
    pub files: Vec<String>,
    /// The volume.
    pub volume: Volume,
}

/// Little-endian UTF-16 of `text`, without terminator.
fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn put_u32(buf: &mut [u8], offset: usize, value: u32) {
    buf[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(buf: &mut [u8], offset: usize, value: u64) {
    buf[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("prefetch section over 4 GiB")
}

/// Where a version keeps its fields: (metrics array offset, first last-run time, number of
/// last-run slots, run count, metrics entry size, volume entry size).
fn layout(spec: &PrefetchSpec) -> (usize, usize, usize, usize, usize, usize) {
    match (spec.version, spec.v30_layout) {
        (17, _) => (0x98, 0x78, 1, 0x90, 20, 40),
        (23, _) => (0xF0, 0x80, 1, 0x98, 32, 104),
        (26, _) => (0x130, 0x80, 8, 0xD0, 32, 104),
        (30, V30Layout::First) => (0x130, 0x80, 8, 0xD0, 32, 96),
        (30, V30Layout::Second) => (0x128, 0x80, 8, 0xC8, 32, 96),
        (other, _) => panic!("no prefetch layout for version {other}"),
    }
}

/// Pads `buf` with zeros to a multiple of 8 bytes.
fn align8(buf: &mut Vec<u8>) {
    buf.resize(buf.len().div_ceil(8) * 8, 0);
}

/// Writes the uncompressed (SCCA) prefetch file `spec` describes.
pub fn write(spec: &PrefetchSpec) -> Vec<u8> {
    let (metrics_at, times_at, slots, count_at, metric_size, volume_entry) = layout(spec);
    assert!(spec.run_times.len() <= slots, "too many run times");
    let mut buf = vec![0u8; metrics_at];

    // Header.
    put_u32(&mut buf, 0, spec.version);
    buf[4..8].copy_from_slice(b"SCCA");
    put_u32(&mut buf, 8, if spec.version == 17 { 0x0F } else { 0x11 });
    let name: Vec<u16> = spec.executable.encode_utf16().take(29).collect();
    for (i, unit) in name.iter().enumerate() {
        buf[0x10 + 2 * i..0x12 + 2 * i].copy_from_slice(&unit.to_le_bytes());
    }
    put_u32(&mut buf, 0x4C, spec.hash);

    // Filename strings, laid out first so the metrics can point into them.
    let mut strings = Vec::new();
    let mut metrics = Vec::new();
    for file in &spec.files {
        let chars = len32(file.encode_utf16().count());
        let mut entry = vec![0u8; metric_size];
        let (name_at, flags) = if spec.version == 17 {
            (8, 16)
        } else {
            (12, 20)
        };
        put_u32(&mut entry, name_at, len32(strings.len()));
        put_u32(&mut entry, name_at + 4, chars);
        put_u32(&mut entry, flags, 0x0000_0202);
        metrics.extend_from_slice(&entry);
        strings.extend_from_slice(&utf16(file));
        strings.extend_from_slice(&[0, 0]);
    }
    buf.extend_from_slice(&metrics);
    let trace_chains_at = buf.len();
    let strings_at = buf.len();
    buf.extend_from_slice(&strings);
    align8(&mut buf);

    // Volumes information: the entry, the device path, file references, directory strings.
    let volumes_at = buf.len();
    let v = &spec.volume;
    let mut volume = vec![0u8; volume_entry];
    let path_at = volume.len();
    volume.extend_from_slice(&utf16(&v.device_path));
    volume.extend_from_slice(&[0, 0]);
    align8(&mut volume);
    let references_at = volume.len();
    volume.extend_from_slice(&(if spec.version == 17 { 1u32 } else { 3 }).to_le_bytes());
    volume.extend_from_slice(&0u32.to_le_bytes());
    let directories_at = volume.len();
    for dir in &v.directories {
        let chars = u16::try_from(dir.encode_utf16().count()).expect("directory name too long");
        volume.extend_from_slice(&chars.to_le_bytes());
        volume.extend_from_slice(&utf16(dir));
        volume.extend_from_slice(&[0, 0]);
    }
    put_u32(&mut volume, 0, len32(path_at));
    put_u32(&mut volume, 4, len32(v.device_path.encode_utf16().count()));
    put_u64(&mut volume, 8, v.creation);
    put_u32(&mut volume, 16, v.serial);
    put_u32(&mut volume, 20, len32(references_at));
    put_u32(&mut volume, 24, 8);
    put_u32(&mut volume, 28, len32(directories_at));
    put_u32(&mut volume, 32, len32(v.directories.len()));
    buf.extend_from_slice(&volume);

    // File information.
    put_u32(&mut buf, 0x54, len32(metrics_at));
    put_u32(&mut buf, 0x58, len32(spec.files.len()));
    put_u32(&mut buf, 0x5C, len32(trace_chains_at));
    put_u32(&mut buf, 0x60, 0);
    put_u32(&mut buf, 0x64, len32(strings_at));
    put_u32(&mut buf, 0x68, len32(strings.len()));
    put_u32(&mut buf, 0x6C, len32(volumes_at));
    put_u32(&mut buf, 0x70, 1);
    put_u32(&mut buf, 0x74, len32(volume.len()));
    for (i, &time) in spec.run_times.iter().enumerate() {
        put_u64(&mut buf, times_at + 8 * i, time);
    }
    put_u32(&mut buf, count_at, spec.run_count);
    let total = len32(buf.len());
    put_u32(&mut buf, 0x0C, total);
    buf
}

/// Wraps an SCCA file as Windows 10 stores it: `MAM\x04`, the uncompressed size (u32), then
/// the LZXPRESS Huffman stream.
pub fn compress_mam(scca: &[u8]) -> Vec<u8> {
    let mut out = b"MAM\x04".to_vec();
    out.extend_from_slice(&len32(scca.len()).to_le_bytes());
    out.extend_from_slice(&prefetch_xpress::compress(scca));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(version: u32) -> PrefetchSpec {
        PrefetchSpec {
            version,
            v30_layout: V30Layout::First,
            executable: "A_VERY_LONG_EXECUTABLE_NAME_OVER_29.EXE".to_owned(),
            hash: 0x1234_5678,
            run_count: 2,
            run_times: vec![2],
            files: vec![r"\DEVICE\HARDDISKVOLUME2\X.DLL".to_owned()],
            volume: Volume {
                device_path: r"\DEVICE\HARDDISKVOLUME2".to_owned(),
                creation: 3,
                serial: 0xABCD,
                directories: vec![r"\DEVICE\HARDDISKVOLUME2\WINDOWS".to_owned()],
            },
        }
    }

    fn u32_at(buf: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(buf[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn fields_sit_at_the_version_offsets() {
        for (version, metrics, count) in [(23, 0xF0, 0x98), (26, 0x130, 0xD0), (30, 0x130, 0xD0)] {
            let file = write(&spec(version));
            assert_eq!(u32_at(&file, 0), version);
            assert_eq!(&file[4..8], b"SCCA");
            assert_eq!(u32_at(&file, 0x0C) as usize, file.len());
            assert_eq!(u32_at(&file, 0x4C), 0x1234_5678);
            assert_eq!(u32_at(&file, 0x54), metrics);
            assert_eq!(u32_at(&file, count), 2);
            assert_eq!(u32_at(&file, 0x80), 2);
            // 29 characters, then the terminator.
            assert_eq!(&file[0x10 + 58..0x10 + 60], [0, 0]);
        }
        let second = write(&PrefetchSpec {
            v30_layout: V30Layout::Second,
            ..spec(30)
        });
        assert_eq!(u32_at(&second, 0x54), 0x128);
        assert_eq!(u32_at(&second, 0xC8), 2);
        let old = write(&PrefetchSpec {
            run_times: vec![7],
            ..spec(17)
        });
        assert_eq!((u32_at(&old, 0x78), u32_at(&old, 0x90)), (7, 2));
    }

    #[test]
    fn mam_round_trips() {
        let file = write(&spec(30));
        let mam = compress_mam(&file);
        assert_eq!(&mam[..4], b"MAM\x04");
        assert_eq!(u32_at(&mam, 4) as usize, file.len());
        assert_eq!(
            xpress_huffman::decompress(&mam[8..], file.len()).unwrap(),
            file
        );
    }
}
