//! Throughput of the document stage (parse + DDE checks) on one core.
//!
//! Generates a mixed corpus of 2,000 documents (docx, xlsx, rtf, csv; about one in four carries
//! DDE) with the project's fixture generator, then measures the document stage sequentially on
//! the calling thread: `check_document` for every document, as the pipeline runs it per artifact.
//! Criterion reports the same work twice: as documents per second and as bytes per second.
//!
//! Run: `cargo bench --bench documents`. Target (issue 2): at least 2,000 documents/s on one core.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ddesweep::artifact::{self, HEAD_LEN};
use ddesweep::formats::Limits;
use ddesweep::pipeline::check_document;
use ddesweep::profile;

const DOCUMENTS: usize = 2_000;

fn document_stage(c: &mut Criterion) {
    let corpus = ddesweep_testgen::bench_corpus(DOCUMENTS);
    let profile = match profile::load("default") {
        Ok(loaded) => loaded.profile,
        Err(err) => panic!("default profile: {err}"),
    };
    let limits = Limits::default();
    let bytes: u64 = corpus.iter().map(|doc| doc.bytes.len() as u64).sum();
    let run = || {
        let mut findings = 0usize;
        for doc in &corpus {
            let head = doc.bytes.get(..HEAD_LEN).unwrap_or(&doc.bytes);
            let kind = artifact::classify(head, &doc.path);
            if let Ok((_, found)) = check_document(kind, &doc.path, &doc.bytes, &profile, &limits) {
                findings += found.len();
            }
        }
        black_box(findings)
    };
    assert!(run() > 0, "the benchmark corpus must contain DDE documents");

    let mut group = c.benchmark_group("document_stage");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(DOCUMENTS as u64));
    group.bench_function("documents", |b| b.iter(run));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("bytes", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, document_stage);
criterion_main!(benches);
