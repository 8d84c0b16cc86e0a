//! The shortcut (records decided from their template values, never rendered) keeps exactly the
//! records that rendering every record would keep: on a generated Sysmon log and, when present,
//! on every real log of `../shared/corpus/evtx`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::path::Path;

use ::evtx::{EvtxParser, ParserSettings};

use super::{Selection, scan, xml};

/// The selection of the default profile.
fn default_selection() -> Selection {
    let profile = crate::profile::load("default").unwrap().profile;
    crate::detect::eventlog::selection(&profile)
}

/// Record numbers of the records `selection` keeps when every record is rendered.
fn kept_by_rendering(bytes: &[u8], selection: &Selection) -> BTreeSet<u64> {
    let mut parser = EvtxParser::from_buffer(bytes.to_vec())
        .unwrap()
        .with_configuration(ParserSettings::new().num_threads(1).indent(false));
    parser
        .records()
        .filter_map(Result::ok)
        .filter_map(|record| {
            let (event_id, channel) = xml::peek_system(record.data.as_bytes())?;
            selection
                .accepts(channel, event_id, record.data.as_bytes())
                .then(|| xml::decode(&record.data, record.event_record_id, None))?
                .map(|decoded| decoded.record_id)
        })
        .collect()
}

fn kept_by_scan(bytes: &[u8], selection: &Selection) -> BTreeSet<u64> {
    scan(bytes, selection)
        .unwrap()
        .records
        .iter()
        .map(|r| r.record_id)
        .collect()
}

#[test]
fn shortcut_keeps_what_rendering_keeps_on_a_generated_log() {
    let mut bytes = Vec::new();
    ddesweep_testgen::write_bench_log(&mut bytes, 5_000).unwrap();
    let selection = default_selection();
    let kept = kept_by_scan(&bytes, &selection);
    assert_eq!(kept, kept_by_rendering(&bytes, &selection));
    // The planted records are among them (one Office child and one AllowDDE per 1,000).
    assert!(kept.len() >= 10, "{}", kept.len());
}

#[test]
fn shortcut_keeps_what_rendering_keeps_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/evtx");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let selection = default_selection();
    let mut logs = 0;
    for entry in walkdir::WalkDir::new(&corpus) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "evtx") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        assert_eq!(
            kept_by_scan(&bytes, &selection),
            kept_by_rendering(&bytes, &selection),
            "{}",
            entry.path().display()
        );
        logs += 1;
    }
    assert!(logs >= 30);
}

#[test]
fn the_record_bound_keeps_the_first_records_in_file_order_and_counts_the_rest() {
    // Enough records for more than one batch of segments (16 x 32 chunks), so that the bound
    // is met across batches.
    let mut bytes = Vec::new();
    ddesweep_testgen::write_bench_log(&mut bytes, 120_000).unwrap();
    let all = kept_by_scan(&bytes, &default_selection());
    assert!(all.len() >= 100, "{}", all.len());
    let bound = all.len() / 3;
    let bounded = scan(&bytes, &default_selection().with_record_bound(bound)).unwrap();
    assert!(
        bounded.stats.chunks > 16 * 32,
        "{} chunks",
        bounded.stats.chunks
    );
    let kept: Vec<u64> = bounded.records.iter().map(|r| r.record_id).collect();
    let first: Vec<u64> = all.iter().copied().take(bound).collect();
    assert_eq!(kept, first, "the first records in file order");
    assert_eq!(bounded.stats.records_not_kept, (all.len() - bound) as u64);
    assert_eq!(bounded.stats.records_selected, all.len() as u64);
    let problem = bounded.problems.last().unwrap();
    assert!(problem.incomplete);
    assert_eq!(
        problem.message,
        format!(
            "{} selected records past the bound of {bound} records kept per log were counted, \
             not checked",
            all.len() - bound
        )
    );
}
