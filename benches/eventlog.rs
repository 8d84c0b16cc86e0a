//! Throughput of the EVTX stage (read + event-log checks) next to bare evtx-crate iteration of
//! the same log, in the same run.
//!
//! Writes (once, cached under `target/bench-data/`) a generated Sysmon log of 1,000,000 records
//! with the project's EVTX writer: per 1,000 records about 100 process starts (one an Office
//! application starting cmd.exe), 150 network connections, 300 module loads, 100 process
//! accesses, 150 file creations, 150 registry writes (one enabling DDE) and 50 DNS queries. Then
//! measures, as records per second:
//!
//! - `evtx_crate_records_json`: the evtx crate's own parser iterating every record as JSON
//!   (`EvtxParser::records_json`, one thread): the bare iteration a tool built on the crate does;
//! - `ddesweep_stage/1_thread` and `ddesweep_stage/2_threads`: `check_event_log` (chunks read in
//!   parallel, records selected by channel and event ID, checks, rows) on a rayon pool of 1 and
//!   2 threads. The bench log has tree roots (the planted Office children), so this includes
//!   the second read that follows their process trees;
//! - `ddesweep_first_pass/1_thread`: the first read and checks alone (`first_pass`), what a log
//!   without tree roots costs.
//!
//! Run: `cargo bench --bench eventlog`. Targets (issue 4): the stage on one thread at least 80%
//! of bare iteration, and at least 1.7x faster on 2 threads than on 1.
//! `DDESWEEP_BENCH_RECORDS` overrides the record count (for a quick look).

use std::hint::black_box;
use std::io::{BufWriter, Cursor};
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ddesweep::detect::eventlog::LogContext;
use ddesweep::formats::Deadline;
use ddesweep::pipeline::{check_event_log, first_pass};
use ddesweep::profile;
use evtx::{EvtxParser, ParserSettings};

const RECORDS: u64 = 1_000_000;

/// The generated log's bytes, written once per record count.
fn bench_log(records: u64) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(format!("sysmon-{records}.evtx"));
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    if let Err(err) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {err}", dir.display());
    }
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .unwrap_or_else(|err| panic!("cannot create {}: {err}", partial.display()));
    let mut out = BufWriter::new(file);
    let stats = ddesweep_testgen::evtx_bench::write_bench_log(&mut out, records)
        .unwrap_or_else(|err| panic!("cannot write the bench log: {err}"));
    drop(out);
    if let Err(err) = std::fs::rename(&partial, &path) {
        panic!("cannot rename {}: {err}", partial.display());
    }
    eprintln!("wrote {} ({stats:?})", path.display());
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn eventlog_stage(c: &mut Criterion) {
    let records = std::env::var("DDESWEEP_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RECORDS);
    let bytes = bench_log(records);
    let profile = match profile::load("default") {
        Ok(loaded) => loaded.profile,
        Err(err) => panic!("default profile: {err}"),
    };
    let ctx = LogContext {
        evidence: "bench",
        source_path: "sysmon.evtx",
    };
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|err| panic!("thread pool: {err}"))
    };
    let (one, two) = (pool(1), pool(2));
    let stage = |threads: &rayon::ThreadPool| {
        threads.install(
            || match check_event_log(&bytes, &ctx, &profile, &Deadline::none()) {
                Ok((scan, outcome)) => {
                    assert_eq!(scan.stats.records_read, records, "records read");
                    black_box(outcome.events.len())
                }
                Err(err) => panic!("bench log unreadable: {err}"),
            },
        )
    };
    // The planted findings come out (one Office child and one AllowDDE write per 1,000).
    let findings = stage(&one);
    assert!(findings as u64 >= records / 1000, "findings: {findings}");

    let mut group = c.benchmark_group("eventlog");
    group.throughput(Throughput::Elements(records));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("evtx_crate_records_json", |b| {
        b.iter(|| {
            let mut parser = EvtxParser::from_read_seek(Cursor::new(bytes.as_slice()))
                .unwrap_or_else(|err| panic!("evtx parser: {err}"))
                .with_configuration(ParserSettings::new().num_threads(1));
            let count = parser.records_json().filter(Result::is_ok).count();
            assert_eq!(count as u64, records);
            black_box(count)
        })
    });
    group.bench_function("ddesweep_stage/1_thread", |b| b.iter(|| stage(&one)));
    group.bench_function("ddesweep_stage/2_threads", |b| b.iter(|| stage(&two)));
    group.bench_function("ddesweep_first_pass/1_thread", |b| {
        b.iter(|| {
            one.install(
                || match first_pass(&bytes, &ctx, &profile, &Deadline::none()) {
                    Ok((_, outcome)) => black_box(outcome.events.len()),
                    Err(err) => panic!("bench log unreadable: {err}"),
                },
            )
        })
    });
    group.finish();
}

criterion_group!(benches, eventlog_stage);
criterion_main!(benches);
