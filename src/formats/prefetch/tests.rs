//! Prefetch reading: hand-built headers of every version, damaged files, the generated
//! fixtures of `testdata/prefetch/`, and a real Windows XP file of `../shared/corpus/other`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use ddesweep_testgen::prefetch::compress_mam;
use ddesweep_testgen::prefetch_catalog::PREFETCH_CATALOG;

use super::*;

/// FILETIME of 2024-03-04T09:12:04Z.
const T1: u64 = ddesweep_testgen::evtx::filetime_utc(2024, 3, 4, 9, 12, 4, 0);
/// One day in FILETIME ticks.
const DAY: u64 = 864_000_000_000;

fn put_u32(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(buf: &mut [u8], at: usize, value: u64) {
    buf[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// A 0x200-byte file of `version`: header, metrics offset, empty sections, and the given
/// run times and run count at the given offsets.
fn hand_built(version: u32, metrics: u32, times: &[(usize, u64)], count_at: usize) -> Vec<u8> {
    let mut buf = vec![0u8; 0x200];
    put_u32(&mut buf, 0, version);
    buf[4..8].copy_from_slice(b"SCCA");
    for (i, unit) in "TEST.EXE".encode_utf16().enumerate() {
        buf[0x10 + 2 * i..0x12 + 2 * i].copy_from_slice(&unit.to_le_bytes());
    }
    // Remnant bytes after the terminator, as XP leaves them.
    buf[0x30..0x34].copy_from_slice(&[0x41, 0xD4, 0x42, 0xD4]);
    put_u32(&mut buf, 0x4C, 0xDEAD_BEEF);
    put_u32(&mut buf, 0x54, metrics);
    // Filename strings: two names at 0x180.
    let names: Vec<u8> = "A.DLL\0B.DLL\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    buf[0x180..0x180 + names.len()].copy_from_slice(&names);
    put_u32(&mut buf, 0x64, 0x180);
    put_u32(&mut buf, 0x68, names.len() as u32);
    put_u32(&mut buf, 0x6C, 0x1A0);
    for &(at, time) in times {
        put_u64(&mut buf, at, time);
    }
    put_u32(&mut buf, count_at, 7);
    buf
}

fn rfc3339(times: &[Timestamp]) -> Vec<String> {
    times.iter().map(|t| t.to_rfc3339()).collect()
}

#[test]
fn version_17_has_one_time_at_0x78_and_the_count_at_0x90() {
    let pf = read(&hand_built(17, 0x98, &[(0x78, T1)], 0x90)).unwrap();
    assert_eq!(pf.version, 17);
    assert_eq!(pf.executable, "TEST.EXE");
    assert_eq!(pf.path_hash, 0xDEAD_BEEF);
    assert_eq!(pf.run_count, 7);
    assert_eq!(
        rfc3339(&pf.last_run_times),
        ["2024-03-04T09:12:04.000000+00:00"]
    );
    assert_eq!(pf.files, ["A.DLL", "B.DLL"]);
    assert!(pf.volumes.is_empty());
    assert!(!pf.compressed);
}

#[test]
fn version_23_has_one_time_at_0x80_and_the_count_at_0x98() {
    // A value at 0x78 (unknown in version 23) is not a run time.
    let pf = read(&hand_built(23, 0xF0, &[(0x78, T1 - DAY), (0x80, T1)], 0x98)).unwrap();
    assert_eq!(pf.run_count, 7);
    assert_eq!(pf.last_run_times, [Timestamp::from_filetime(T1).unwrap()]);
}

#[test]
fn version_26_has_eight_slots_newest_first_without_zeros() {
    let times = [(0x80, T1), (0x88, T1 - 2 * DAY), (0x98, T1 - DAY)];
    let pf = read(&hand_built(26, 0x130, &times, 0xD0)).unwrap();
    assert_eq!(pf.run_count, 7);
    let expected: Vec<Timestamp> = [T1, T1 - DAY, T1 - 2 * DAY]
        .iter()
        .filter_map(|&t| Timestamp::from_filetime(t))
        .collect();
    assert_eq!(pf.last_run_times, expected);
}

#[test]
fn version_30_layouts_are_told_apart_by_the_metrics_offset() {
    let first = read(&hand_built(30, 0x130, &[(0x80, T1)], 0xD0)).unwrap();
    assert_eq!((first.version, first.run_count), (30, 7));
    let mut second = hand_built(30, 0x128, &[(0x80, T1)], 0xC8);
    put_u32(&mut second, 0xD0, 99);
    assert_eq!(read(&second).unwrap().run_count, 7);
    let eleven = read(&hand_built(31, 0x128, &[(0x80, T1)], 0xC8)).unwrap();
    assert_eq!((eleven.version, eleven.run_count), (31, 7));
}

#[test]
fn bad_headers_are_errors() {
    let mut unknown = hand_built(30, 0x130, &[], 0xD0);
    put_u32(&mut unknown, 0, 99);
    assert!(matches!(
        read(&unknown),
        Err(FormatError::Unreadable { .. })
    ));
    let mut unsigned = hand_built(30, 0x130, &[], 0xD0);
    unsigned[4..8].copy_from_slice(b"SCCB");
    assert!(read(&unsigned).is_err());
    let mut strings_past_end = hand_built(17, 0x98, &[], 0x90);
    put_u32(&mut strings_past_end, 0x68, u32::MAX);
    let err = read(&strings_past_end).unwrap_err().to_string();
    assert!(err.contains("filename strings at 0x180"), "{err}");
    let mut many_volumes = hand_built(17, 0x98, &[], 0x90);
    put_u32(&mut many_volumes, 0x70, 1_000_000);
    assert!(matches!(
        read(&many_volumes),
        Err(FormatError::TooLarge { .. })
    ));
    let mut volume_past_end = hand_built(30, 0x130, &[], 0xD0);
    put_u32(&mut volume_past_end, 0x70, 1);
    put_u32(&mut volume_past_end, 0x1A0, u32::MAX);
    put_u32(&mut volume_past_end, 0x1A4, 4);
    assert!(read(&volume_past_end).is_err());
}

#[test]
fn every_prefix_of_a_file_is_read_without_panic() {
    let file = (PREFETCH_CATALOG[0].build)();
    let size = u32::from_le_bytes([file[4], file[5], file[6], file[7]]) as usize;
    let plain = xpress_huffman::decompress(&file[8..], size).unwrap();
    assert!(read(&plain).is_ok());
    for len in 0..plain.len() {
        let _ = read(&plain[..len]);
    }
    // The last bytes are padding words; any shorter prefix loses codes.
    for len in 0..file.len() - 4 {
        assert!(read(&file[..len]).is_err(), "prefix of {len} bytes");
    }
}

#[test]
fn mam_headers_are_checked_before_decompressing() {
    let scca = hand_built(26, 0x130, &[(0x80, T1)], 0xD0);
    let mam = compress_mam(&scca);
    let pf = read(&mam).unwrap();
    assert!(pf.compressed);
    assert_eq!(pf.run_count, 7);

    let mut huge = mam.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(read(&huge), Err(FormatError::TooLarge { .. })));
    let mut lznt1 = mam.clone();
    lznt1[3] = 2;
    assert!(read(&lznt1).unwrap_err().to_string().contains("0x02"));
    // MAM\x84: a CRC32 follows the size, the stream starts at 12.
    let mut with_crc = b"MAM\x84".to_vec();
    with_crc.extend_from_slice(&mam[4..8]);
    with_crc.extend_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    with_crc.extend_from_slice(&mam[8..]);
    assert_eq!(read(&with_crc).unwrap(), pf);
}

#[test]
fn generated_fixtures_hold_their_catalogued_values() {
    for entry in PREFETCH_CATALOG {
        let bytes = (entry.build)();
        if entry.version == 0 {
            assert!(read(&bytes).is_err(), "{} should not read", entry.path);
            continue;
        }
        let pf = read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", entry.path));
        assert_eq!(pf.version, entry.version, "{}", entry.path);
        assert_eq!(pf.compressed, entry.compressed, "{}", entry.path);
        assert_eq!(pf.executable, entry.executable, "{}", entry.path);
        assert_eq!(pf.path_hash, entry.hash, "{}", entry.path);
        assert_eq!(pf.run_count, entry.run_count, "{}", entry.path);
        let times: Vec<String> = entry
            .run_times
            .iter()
            .map(|t| t.replace('Z', ".000000+00:00"))
            .collect();
        assert_eq!(rfc3339(&pf.last_run_times), times, "{}", entry.path);
        assert_eq!(pf.volumes.len(), 1, "{}", entry.path);
        assert!(pf.volumes[0].0.starts_with(r"\DEVICE\HARDDISKVOLUME"));
        assert!(pf.volumes[0].1.is_some(), "{}", entry.path);
        assert!(
            pf.files.iter().any(|f| f.ends_with(entry.executable)),
            "{}: {:?}",
            entry.path,
            pf.files
        );
    }
}

/// The corpus folder: `../shared` beside the repository, or two levels up from a worktree.
fn corpus_file(name: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/corpus/other", "../../shared/corpus/other"]
        .iter()
        .map(|dir| root.join(dir).join(name))
        .find(|path| path.is_file())
}

#[test]
fn real_windows_xp_cmd_prefetch() {
    let Some(path) = corpus_file("CMD.EXE-087B4001.pf") else {
        eprintln!("skipped: CMD.EXE-087B4001.pf not found");
        return;
    };
    let pf = read(&std::fs::read(path).unwrap()).unwrap();
    // Values read independently with Python's struct module.
    assert_eq!(pf.version, 17);
    assert_eq!(pf.executable, "CMD.EXE");
    assert_eq!(pf.path_hash, 0x087B_4001);
    assert_eq!(pf.run_count, 2);
    assert_eq!(
        rfc3339(&pf.last_run_times),
        ["2013-03-10T10:11:49.281250+00:00"]
    );
    assert!(!pf.compressed);
    assert_eq!(pf.files.len(), 33);
    assert_eq!(
        pf.files[0],
        r"\DEVICE\HARDDISKVOLUME1\WINDOWS\SYSTEM32\NTDLL.DLL"
    );
    assert_eq!(pf.volumes.len(), 1);
    let (device, creation, serial) = &pf.volumes[0];
    assert_eq!(device, r"\DEVICE\HARDDISKVOLUME1");
    assert_eq!(
        creation.map(Timestamp::to_rfc3339).as_deref(),
        Some("2013-03-10T10:19:46.234375+00:00")
    );
    assert_eq!(*serial, 0x24CB_074B);
}
