//! Mutation test: 10,000 damaged variants of the document fixtures (bit flips, truncations,
//! length and count fields set to extremes, shuffled zip entries) go through the document stage
//! with no panic, and a sample of them through the whole binary, where each ends in the
//! manifest; 2,000 damaged variants of the EVTX logs go through the event-log stage.

use std::io::{Cursor, Read, Write};

use rayon::prelude::*;

use ddesweep::artifact::{self, HEAD_LEN};
use ddesweep::formats::Limits;
use ddesweep::pipeline::check_document;
use ddesweep::profile;

use crate::util::{scan, testdata};

/// Total mutated documents checked in-process.
const MUTATIONS: usize = 10_000;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every fixture document (positive, negative, hostile except the 300 MB-inflating bomb).
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for folder in [
        "documents/positive",
        "documents/negative",
        "documents/hostile",
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(testdata(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name == "zipbomb.docx" {
                continue;
            }
            seeds.push((name, std::fs::read(&path).unwrap()));
        }
    }
    seeds
}

/// Rewrites a zip with its entries in another order (and stored, so offsets move too).
fn shuffle_zip(bytes: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).ok()?;
        let mut data = Vec::new();
        entry.read_to_end(&mut data).ok()?;
        entries.push((entry.name().ok()?.into_owned(), data));
    }
    for i in (1..entries.len()).rev() {
        entries.swap(i, rng.below(i + 1));
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        out.start_file(name, options).ok()?;
        out.write_all(&data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// One mutation of `seed`, chosen by `rng`.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    if bytes.is_empty() {
        return vec![rng.next() as u8; rng.below(64)];
    }
    match rng.below(5) {
        // Bit flips.
        0 => {
            for _ in 0..1 + rng.below(16) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        // Truncation.
        1 => bytes.truncate(rng.below(bytes.len())),
        // A 16- or 32-bit field set to an extreme (lengths, counts, offsets).
        2 => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                let extreme: [u8; 4] = match rng.below(4) {
                    0 => [0xFF; 4],
                    1 => [0; 4],
                    2 => 0x7FFF_FFFFu32.to_le_bytes(),
                    _ => 0x8000_0000u32.to_le_bytes(),
                };
                let width = if rng.below(2) == 0 { 2 } else { 4 };
                for (i, b) in extreme.iter().take(width).enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
        }
        // Shuffled zip entries (other formats: a block moved elsewhere).
        3 => {
            if let Some(shuffled) = shuffle_zip(&bytes, rng) {
                return shuffled;
            }
            let from = rng.below(bytes.len());
            let len = rng.below(bytes.len() - from).min(4096);
            let block: Vec<u8> = bytes[from..from + len].to_vec();
            let to = rng.below(bytes.len());
            bytes.splice(to..to, block);
        }
        // Random bytes spliced in.
        _ => {
            let at = rng.below(bytes.len());
            let junk: Vec<u8> = (0..1 + rng.below(256)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, junk);
        }
    }
    bytes
}

#[test]
fn ten_thousand_mutated_documents_never_panic() {
    let seeds = seeds();
    assert!(seeds.len() >= 20, "fixtures: {}", seeds.len());
    let profile = profile::load("default").unwrap().profile;
    let limits = Limits::default();
    let checked: usize = (0..MUTATIONS)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
            let (name, seed) = &seeds[i % seeds.len()];
            let bytes = mutate(seed, &mut rng);
            let head = bytes.get(..HEAD_LEN).unwrap_or(&bytes);
            let kind = artifact::classify(head, name);
            // A panic here fails the test with the mutation's index in the message.
            let result =
                std::panic::catch_unwind(|| check_document(kind, name, &bytes, &profile, &limits));
            assert!(result.is_ok(), "mutation {i} of {name} panicked");
            1
        })
        .sum();
    assert_eq!(checked, MUTATIONS);
}

#[test]
fn mutated_documents_all_end_in_the_manifest() {
    let seeds = seeds();
    let folder = tempfile::tempdir().unwrap();
    let count = 300;
    for i in 0..count {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (i as u64 + 1));
        let (name, seed) = &seeds[i % seeds.len()];
        std::fs::write(
            folder.path().join(format!("{i:04}-{name}")),
            mutate(seed, &mut rng),
        )
        .unwrap();
    }
    let run = scan(&[folder.path()], &[]);
    assert!(
        matches!(run.code, 0 | 1),
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let totals = &run.manifest["totals"];
    assert_eq!(totals["seen"], count);
    let accounted = totals["analyzed"].as_u64().unwrap()
        + totals["skipped"].as_u64().unwrap()
        + totals["failed"].as_u64().unwrap();
    assert_eq!(accounted, count as u64);
    for artifact in run.manifest["artifacts"].as_array().unwrap() {
        if artifact["status"] != "analyzed" {
            assert!(
                artifact["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{artifact}"
            );
        }
        let reason = artifact["reason"].as_str().unwrap_or_default();
        assert!(!reason.contains("panic"), "{artifact}");
    }
}

/// Mutated event logs checked in-process.
const LOG_MUTATIONS: usize = 2_000;

#[test]
fn mutated_event_logs_never_panic() {
    let mut logs = Vec::new();
    for folder in ["evtx/positive", "evtx/negative", "evtx/hostile"] {
        for entry in std::fs::read_dir(testdata(folder)).unwrap() {
            let path = entry.unwrap().path();
            logs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    logs.sort();
    assert!(logs.len() >= 20, "logs: {}", logs.len());
    let profile = profile::load("default").unwrap().profile;
    let ctx = ddesweep::detect::eventlog::LogContext {
        evidence: "mutations",
        source_path: "log.evtx",
    };
    let checked: usize = (0..LOG_MUTATIONS)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng(0xA076_1D64_78BD_642F ^ (i as u64 + 1));
            let (name, seed) = &logs[i % logs.len()];
            let bytes = mutate(seed, &mut rng);
            let result = std::panic::catch_unwind(|| {
                ddesweep::pipeline::check_event_log(&bytes, &ctx, &profile)
            });
            assert!(result.is_ok(), "mutation {i} of {name} panicked");
            1
        })
        .sum();
    assert_eq!(checked, LOG_MUTATIONS);
}

/// Mutated hives, transaction logs and prefetch files checked in-process.
const HIVE_AND_PREFETCH_MUTATIONS: usize = 2_000;

#[test]
fn mutated_hives_and_prefetch_never_panic() {
    let mut seeds = Vec::new();
    for folder in ["hives", "prefetch"] {
        for entry in walkdir::WalkDir::new(testdata(folder)).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let path = entry.path().to_path_buf();
                seeds.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(seeds.len() >= 15, "seeds: {}", seeds.len());
    let log = std::fs::read(testdata("hives/dirty/NTUSER.DAT.LOG1")).unwrap();
    let profile = profile::load("default").unwrap().profile;
    let checked: usize = (0..HIVE_AND_PREFETCH_MUTATIONS)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng(0xC2B2_AE3D_27D4_EB4F ^ (i as u64 + 1));
            let (name, seed) = &seeds[i % seeds.len()];
            let bytes = mutate(seed, &mut rng);
            // Half the hives get a mutated log beside them, to exercise the replay.
            let mutated_log = mutate(&log, &mut rng);
            let result = std::panic::catch_unwind(|| {
                if name.ends_with(".pf") {
                    let _ = ddesweep::formats::prefetch::read(&bytes);
                } else {
                    let ctx = ddesweep::detect::hive::HiveContext {
                        evidence: "mutations",
                        source_path: name,
                        user: None,
                        dirty: false,
                    };
                    let logs: Vec<&[u8]> = if i % 2 == 0 {
                        vec![&mutated_log]
                    } else {
                        vec![]
                    };
                    let _ = ddesweep::pipeline::check_hive(&bytes, &logs, ctx, &profile);
                }
            });
            assert!(result.is_ok(), "mutation {i} of {name} panicked");
            1
        })
        .sum();
    assert_eq!(checked, HIVE_AND_PREFETCH_MUTATIONS);
}
