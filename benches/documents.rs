//! Throughput of the document stage (parse + DDE checks) on one core.
//!
//! Generates a mixed corpus of 2,000 documents with the project's fixture generator: 1,800
//! realistic docx, xlsx, rtf and csv files (about one in four carries DDE), and 200 drawn in
//! turn from the positive and negative fixtures of every other format (.doc, .dot, .xls, .xlsb,
//! .msg, Word/Excel XML, SYLK, IQY, pptx, documents with embedded objects). The two
//! Office-encrypted fixtures are left out of the mix: their cost is the 100,000-round password
//! check that ECMA-376 Agile imposes, not parsing, and one of them would dominate the sample.
//! It then measures the document stage sequentially on the calling thread: `check_document` for
//! every document, as the pipeline runs it per artifact. Criterion reports the same work twice:
//! as documents per second and as bytes per second.
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

/// Documents of the formats beyond docx/xlsx/rtf/csv in the mix.
const OTHER_FORMATS: usize = 200;

fn document_stage(c: &mut Criterion) {
    let mut corpus = ddesweep_testgen::bench_corpus(DOCUMENTS - OTHER_FORMATS);
    let others: Vec<ddesweep_testgen::Fixture> = ddesweep_testgen::catalog::CATALOG
        .iter()
        .filter(|e| {
            e.path.starts_with("documents/positive/") || e.path.starts_with("documents/negative/")
        })
        .filter(|e| !e.path.contains("velvet") && !e.path.contains("encrypted"))
        .filter_map(|e| ddesweep_testgen::fixture(e.path))
        .filter(|f| {
            !matches!(
                f.path.rsplit('.').next(),
                Some("docx" | "xlsx" | "rtf" | "csv")
            )
        })
        .collect();
    assert!(
        others.len() >= 15,
        "other formats in the mix: {}",
        others.len()
    );
    corpus.extend(others.iter().cycle().take(OTHER_FORMATS).cloned());
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
