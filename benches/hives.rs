//! Throughput of the registry-hive stage (open, Office and host keys, checks) over a generated
//! set of 200 NTUSER-like hives (50 to 500 KB, many keys and values, some with DDE settings,
//! Trusted Documents and MRU lists), on one core.
//!
//! Run: `cargo bench --bench hives`. Criterion reports the same work as hives per second and as
//! bytes per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ddesweep::detect::hive::HiveContext;
use ddesweep::formats::Deadline;
use ddesweep::pipeline::check_hive;
use ddesweep::profile;

const HIVES: usize = 200;

fn hive_stage(c: &mut Criterion) {
    let hives = ddesweep_testgen::bench_hives(HIVES);
    assert_eq!(hives.len(), HIVES);
    let profile = match profile::load("default") {
        Ok(loaded) => loaded.profile,
        Err(err) => panic!("default profile: {err}"),
    };
    let bytes: u64 = hives.iter().map(|(_, hive)| hive.len() as u64).sum();
    let run = || {
        let mut rows = 0usize;
        for (name, hive) in &hives {
            let ctx = HiveContext {
                evidence: "bench",
                source_path: name,
                user: None,
                dirty: false,
            };
            match check_hive(hive, &[], ctx, &profile, &Deadline::none()) {
                Ok((_, _, found)) => rows += found.events.len(),
                Err(err) => panic!("{name}: {err}"),
            }
        }
        black_box(rows)
    };
    // Every hive reads, and the DDE settings planted in some of them come out.
    assert!(run() > 0);

    let mut group = c.benchmark_group("hive_stage");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(HIVES as u64));
    group.bench_function("hives", |b| b.iter(run));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("bytes", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, hive_stage);
criterion_main!(benches);
