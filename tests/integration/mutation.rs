//! Mutation test: 10,000 damaged variants of the fixtures (documents, event logs, hives with
//! damaged transaction logs beside them, prefetch files, memory pieces) made by bit flips,
//! truncations, length and count fields set to extremes, shuffled zip entries and spliced
//! junk, go through the whole pipeline (`ddesweep::run`, in four runs): no panic, no artifact
//! stopped at its time bound, every file accounted for in the manifest with a reason when it is
//! not analysed, and a timeline Timesketch can read. A sample also goes through the binary,
//! whose stderr must not show a panic message.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use serde_json::Value;

use crate::util::{scan, testdata};

/// Mutations through the whole pipeline.
const MUTATIONS: usize = 10_000;
/// Runs they are spread over (one evidence folder each).
const RUNS: usize = 4;
/// How the mutations are shared among the fixture types, per 100.
const SHARES: &[(Family, usize)] = &[
    (Family::Document, 48),
    (Family::EventLog, 20),
    (Family::Hive, 16),
    (Family::Prefetch, 12),
    (Family::Memory, 4),
];

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
fn document_seeds() -> Vec<(String, Vec<u8>)> {
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

/// The fixture types mutated.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd)]
enum Family {
    Document,
    EventLog,
    Hive,
    Prefetch,
    Memory,
}

/// Every regular file below `folder` (sorted), with its name.
fn files_below(folder: &str) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(testdata(folder))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The seeds of each family: the fixture files (memory: 64 KiB windows of the scenario dump
/// that hold something, i.e. are not all zeros).
fn seeds(family: Family) -> Vec<(String, Vec<u8>)> {
    match family {
        Family::Document => document_seeds(),
        Family::EventLog => ["evtx/positive", "evtx/negative", "evtx/hostile"]
            .iter()
            .flat_map(|folder| files_below(folder))
            .collect(),
        Family::Hive => files_below("hives")
            .into_iter()
            .filter(|(name, bytes)| !name.contains(".LOG") && bytes.starts_with(b"regf"))
            .collect(),
        Family::Prefetch => files_below("prefetch"),
        Family::Memory => {
            let dump = std::fs::read(testdata("scenarios/wks-sales-042.mem")).unwrap();
            dump.chunks(64 << 10)
                .filter(|window| window.iter().any(|&b| b != 0))
                .map(|window| ("pagefile.sys".to_owned(), window.to_vec()))
                .collect()
        }
    }
}

/// Writes mutation `index` of `family` into `folder`; returns the files written. Hives and
/// memory pieces get a folder of their own (a hive's name says what it is, a damaged
/// `NTUSER.DAT.LOG1` beside every other one is replayed; a paging file is known by its name).
fn write_mutation(
    folder: &Path,
    family: Family,
    index: usize,
    seeds: &[(String, Vec<u8>)],
    rng: &mut Rng,
) -> usize {
    let (name, seed) = &seeds[index % seeds.len()];
    let bytes = mutate(seed, rng);
    match family {
        Family::Hive | Family::Memory => {
            let own = folder.join(format!("{family:?}-{index:05}"));
            std::fs::create_dir(&own).unwrap();
            let file = if family == Family::Hive {
                "NTUSER.DAT"
            } else {
                name.as_str()
            };
            std::fs::write(own.join(file), bytes).unwrap();
            if family == Family::Hive && index % 2 == 0 {
                let log = std::fs::read(testdata("hives/dirty/NTUSER.DAT.LOG1")).unwrap();
                std::fs::write(own.join("NTUSER.DAT.LOG1"), mutate(&log, rng)).unwrap();
                return 2;
            }
            1
        }
        _ => {
            std::fs::write(folder.join(format!("{family:?}-{index:05}-{name}")), bytes).unwrap();
            1
        }
    }
}

#[test]
fn ten_thousand_mutations_through_the_whole_pipeline() {
    let seeds: BTreeMap<Family, Vec<(String, Vec<u8>)>> = SHARES
        .iter()
        .map(|&(family, _)| (family, seeds(family)))
        .collect();
    for (family, list) in &seeds {
        assert!(list.len() >= 3, "{family:?} seeds: {}", list.len());
    }
    let profile = ddesweep::profile::load("default").unwrap();
    let mut mutations = 0;
    let mut analysed_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for run in 0..RUNS {
        let evidence = tempfile::tempdir().unwrap();
        let mut files = 0;
        for &(family, share) in SHARES {
            let count = MUTATIONS * share / 100 / RUNS;
            for i in 0..count {
                let index = run * count + i;
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((family as u64) << 32) ^ index as u64);
                files += write_mutation(evidence.path(), family, index, &seeds[&family], &mut rng);
                mutations += 1;
            }
        }
        let out = tempfile::tempdir().unwrap();
        let settings = ddesweep::Settings::new(
            vec![evidence.path().to_path_buf()],
            out.path().to_path_buf(),
            profile.clone(),
        )
        .threads(2)
        .progress(false);
        let summary = ddesweep::run(&settings).expect("the run finishes");
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(&summary.manifest).unwrap()).unwrap();
        let artifacts = manifest["artifacts"].as_array().unwrap();
        assert_eq!(
            artifacts.len(),
            files,
            "run {run}: every file is in the manifest"
        );
        let totals = &manifest["totals"];
        assert_eq!(totals["seen"], files);
        let accounted: u64 = ["analyzed", "skipped", "failed"]
            .iter()
            .map(|status| totals[*status].as_u64().unwrap())
            .sum();
        assert_eq!(accounted, files as u64, "run {run}: {totals}");
        for artifact in artifacts {
            let status = artifact["status"].as_str().unwrap();
            assert!(
                ["analyzed", "skipped", "failed"].contains(&status),
                "{artifact}"
            );
            let reason = artifact["reason"].as_str().unwrap_or_default();
            if status != "analyzed" {
                assert!(!reason.is_empty(), "no reason: {artifact}");
            }
            assert!(!reason.contains("panic"), "a panic: {artifact}");
            assert!(
                artifact.get("time_bound_seconds").is_none(),
                "hung: {artifact}"
            );
            if status == "analyzed" {
                let kind = artifact["kind"].as_str().unwrap().to_owned();
                *analysed_by_kind.entry(kind).or_default() += 1;
            }
        }
        // Every timeline row is one JSON object with Timesketch's three required fields.
        let timeline = std::fs::read_to_string(&summary.timeline).unwrap();
        for line in timeline.lines() {
            let row: Value = serde_json::from_str(line).expect("a JSON row");
            for field in ["message", "datetime", "timestamp_desc"] {
                assert!(row[field].is_string(), "{field} missing: {line}");
            }
        }
    }
    assert_eq!(mutations, MUTATIONS);
    // Damage is not all-or-nothing: most mutations of each type are still read (a pipeline
    // that gave up on every damaged file would fail here).
    for (kind, at_least) in [
        ("evtx", 1_500),
        ("registry_hive", 1_200),
        ("prefetch", 200),
        ("memory", 350),
        ("ooxml", 300),
        ("ole_compound", 200),
        ("rtf", 200),
        ("delimited_text", 500),
    ] {
        let analysed = analysed_by_kind.get(kind).copied().unwrap_or(0);
        assert!(
            analysed >= at_least,
            "{kind}: {analysed} analysed ({analysed_by_kind:?})"
        );
    }
}

#[test]
fn mutated_documents_all_end_in_the_manifest() {
    let seeds = document_seeds();
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
