//! Carving a memory dump (issue 7): ddesweep's throughput over a generated 2 GiB dump, next to
//! ripgrep searching the same file for the same strings in the same run.
//!
//! The dump, `target/bench-data/memory-2g.raw`, is written once by the fixture generator
//! (`ddesweep_testgen::memdump::write_bench_dump`, about ten seconds): zero, noise and prose
//! pages, with the memory fixture's DDE strings (ASCII and UTF-16LE) and event-log chunks planted
//! again in every 64 MiB.
//!
//! Run: `cargo bench --bench memory`. It prints, before Criterion's own report:
//!
//! - `rg -a -c -i` with the profile's indicators in ASCII and UTF-16LE (as byte regexes) and the
//!   event-log chunk signature, three times: each time and its GB/s (ripgrep from Debian's
//!   `ripgrep` package; without it the comparison is skipped with the apt-get line);
//! - one sweep timed by hand: `pipeline::run --memory` with the default profile on two threads
//!   (strings, event-log chunks carved and checked, timeline and manifest written), its GB/s,
//!   and the comparison with ripgrep.
//!
//! Then Criterion measures the sweep (10 samples) with the dump's size as throughput. The dump
//! is read once before anything is timed, so both tools find it in the page cache. Targets
//! (issue 7): at least ripgrep's throughput, and at least 1 GB/s on 2 cores.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use ddesweep::pipeline::{self, RunSummary, Settings};
use ddesweep::profile::{self, Profile};

/// Size of the bench dump.
const DUMP_BYTES: u64 = 2 << 30;
/// How many times ripgrep searches the dump.
const RG_RUNS: usize = 3;
const GB: f64 = 1e9;

/// The bench dump, written when missing.
fn bench_dump() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dump = root.join("target/bench-data/memory-2g.raw");
    if dump.exists() {
        return dump;
    }
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    let partial = dump.with_extension("partial");
    eprintln!("writing {}", dump.display());
    let started = Instant::now();
    let (strings, chunks) = ddesweep_testgen::memdump::write_bench_dump(&partial, DUMP_BYTES)
        .unwrap_or_else(|err| panic!("cannot write {}: {err}", partial.display()));
    std::fs::rename(&partial, &dump).unwrap_or_else(|err| panic!("{}: {err}", dump.display()));
    eprintln!(
        "written in {:.1} s: {strings} strings and {chunks} whole event-log chunks planted",
        started.elapsed().as_secs_f64()
    );
    dump
}

/// Reads the whole dump once, so that neither tool is timed on the first read from disk.
fn warm_page_cache(path: &Path) {
    let mut file =
        std::fs::File::open(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut buf = vec![0u8; 1 << 20];
    while file.read(&mut buf).is_ok_and(|n| n > 0) {}
}

/// A regex matching `text` literally.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if "\\.+*?()|[]{}^$#&-~".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// ripgrep's arguments for the same search: each indicator in ASCII and in UTF-16LE (a byte
/// regex with a NUL after each character), and the event-log chunk signature.
fn rg_patterns(profile: &Profile) -> Vec<String> {
    let mut patterns = Vec::new();
    for indicator in &profile.memory.indicators {
        patterns.push(escaped(&indicator.text));
        let wide: String = indicator
            .text
            .chars()
            .map(|c| format!("{}\\x00", escaped(&c.to_string())))
            .collect();
        patterns.push(format!("(?-u:{wide})"));
    }
    patterns.push("(?-u:ElfChnk\\x00)".to_owned());
    patterns
}

/// Times `rg -a MODE -i -e ... DUMP` `RG_RUNS` times; returns the mean, or `None` without rg.
///
/// `-c` is the command: it counts matching lines, and stops reading a line at its
/// first match. A memory dump has few newlines, so its "lines" run for megabytes and most of
/// the dump is skipped, not searched. `--count-matches` finds every match, the carver's work.
fn time_rg(dump: &Path, patterns: &[String], mode: &str) -> Option<Duration> {
    let probe = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !probe.is_ok_and(|status| status.success()) {
        println!("ripgrep not found: apt-get install -y ripgrep (comparison skipped)");
        return None;
    }
    let mut total = Duration::ZERO;
    for run in 1..=RG_RUNS {
        let mut command = Command::new("rg");
        command.args(["-a", mode, "-i"]);
        for pattern in patterns {
            command.arg("-e").arg(pattern);
        }
        let started = Instant::now();
        let output = command
            .arg(dump)
            .output()
            .unwrap_or_else(|err| panic!("cannot run rg: {err}"));
        let took = started.elapsed();
        let lines = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        println!(
            "rg -a {mode} -i run {run}: {:.2} s ({:.2} GB/s), count {lines}",
            took.as_secs_f64(),
            DUMP_BYTES as f64 / GB / took.as_secs_f64()
        );
        total += took;
    }
    Some(total / RG_RUNS as u32)
}

fn sweep(settings: &Settings) -> RunSummary {
    pipeline::run(settings).unwrap_or_else(|err| panic!("sweep failed: {err}"))
}

fn main() {
    let dump = bench_dump();
    let size = std::fs::metadata(&dump)
        .unwrap_or_else(|err| panic!("{}: {err}", dump.display()))
        .len();
    println!(
        "dump {}: {size} bytes ({:.2} GB)",
        dump.display(),
        size as f64 / GB
    );
    warm_page_cache(&dump);
    let loaded = profile::load("default").unwrap_or_else(|err| panic!("default profile: {err}"));
    let patterns = rg_patterns(&loaded.profile);
    let rg_lines = time_rg(&dump, &patterns, "-c");
    let rg_matches = time_rg(&dump, &patterns, "--count-matches");

    let out = tempfile::tempdir().unwrap_or_else(|err| panic!("tempdir: {err}"));
    let settings = Settings::new(vec![dump.clone()], out.path().join("sweep"), loaded)
        .threads(2)
        .progress(false)
        .memory(true);
    let started = Instant::now();
    let summary = sweep(&settings);
    let took = started.elapsed();
    let ours = size as f64 / GB / took.as_secs_f64();
    let compare = |mode: &str, rg: Option<Duration>| match rg {
        Some(rg) => format!(
            "; rg -a {mode} -i {:.2} s ({:.2} GB/s): ddesweep at {:.2}x its throughput",
            rg.as_secs_f64(),
            size as f64 / GB / rg.as_secs_f64(),
            rg.as_secs_f64() / took.as_secs_f64()
        ),
        None => String::new(),
    };
    let compared = format!(
        "{}{}",
        compare("-c", rg_lines),
        compare("--count-matches", rg_matches)
    );
    println!(
        "sweep {:.2} s ({ours:.2} GB/s on 2 threads){compared}",
        took.as_secs_f64()
    );
    println!(
        "sweep rows {}; findings {}",
        summary.rows, summary.totals.findings
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("memory_carve");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(took.mul_f64(12.0).max(Duration::from_secs(5)));
    group.throughput(Throughput::Bytes(size));
    group.bench_function("dump_2g", |b| b.iter(|| sweep(&settings)));
    group.finish();
    criterion.final_summary();
}
