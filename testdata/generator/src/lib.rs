//! Test-fixture generator for `ddesweep`.
//!
//! Builds, deterministically and byte for byte identically on every run, the
//! documents under `testdata/` (positive, negative and hostile samples plus a
//! small triage folder), the EVTX logs of `testdata/evtx/` and the demo
//! folder (written by [`evtx`]), the registry hives of `testdata/hives/` and the
//! demo folder (written by [`hive`]), the prefetch files of `testdata/prefetch/`
//! (written by [`prefetch`]), an in-memory benchmark corpus, benchmark hives
//! ([`hive_bench::bench_hives`]) and a streamed benchmark Sysmon log
//! ([`evtx_bench::write_bench_log`]), and three host scenarios ([`scenarios`]). The builder
//! modules ([`word`], [`excel`], [`rtf`], [`text`]) are public so tests can
//! make one-off documents.

pub mod bench;
pub mod biff;
pub mod catalog;
pub mod container;
pub mod doc;
pub mod encrypted;
pub mod evasions;
pub mod evidence;
pub mod evtx;
pub mod evtx_bench;
pub mod evtx_catalog;
pub mod evtx_events;
pub mod evtx_hostile;
pub mod evtx_negative;
pub mod evtx_positive;
pub mod evtx_security;
pub mod evtx_tree;
pub mod excel;
pub mod hive;
pub mod hive_bench;
pub mod hive_catalog;
pub mod hive_machine;
pub mod hive_user;
pub mod hostile;
pub mod memdump;
pub mod msg;
pub mod negative;
pub mod objects;
pub mod office_xml;
pub mod ooxml;
pub mod positive;
pub mod prefetch;
pub mod prefetch_catalog;
pub mod prefetch_fixtures;
pub mod prefetch_xpress;
pub mod props;
pub mod prose;
pub mod rtf;
pub mod scenario_logs;
pub mod scenarios;
pub mod slides;
pub mod text;
pub mod word;
pub mod word_extras;
pub mod xlsb;

use std::path::Path;

pub use bench::{bench_carries_dde, bench_corpus};
pub use evtx_bench::{BenchLogStats, write_bench_log};
pub use excel::xlsx;
pub use hive_bench::bench_hives;
pub use word::{docx, fld_char_field, word_body};

/// One generated file: path relative to `testdata/`, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// Every fixture of `testdata/`: the documents of [`catalog::CATALOG`], the event
/// logs of [`evtx_catalog::EVTX_CATALOG`], the hives of [`hive_catalog::HIVE_CATALOG`],
/// then the prefetch files of [`prefetch_catalog::PREFETCH_CATALOG`] and the host scenarios of
/// [`scenarios::SCENARIO_CATALOG`], each in its fixed order.
pub fn fixtures() -> Vec<Fixture> {
    let documents = catalog::CATALOG.iter().map(|e| (e.path, e.build));
    let logs = evtx_catalog::EVTX_CATALOG.iter().map(|e| (e.path, e.build));
    let hives = hive_catalog::HIVE_CATALOG.iter().map(|e| (e.path, e.build));
    let prefetch = prefetch_catalog::PREFETCH_CATALOG
        .iter()
        .map(|e| (e.path, e.build));
    let scenarios = scenarios::SCENARIO_CATALOG.iter().copied();
    documents
        .chain(logs)
        .chain(hives)
        .chain(prefetch)
        .chain(scenarios)
        .map(|(path, build)| Fixture {
            path: path.to_owned(),
            bytes: build(),
        })
        .collect()
}

/// Writes [`fixtures`] under `root` (creating folders); returns how many
/// files were written.
pub fn write_all(root: &Path) -> std::io::Result<usize> {
    write_fixtures(root, &fixtures())
}

/// Writes the given fixtures under `root` (creating folders); returns how
/// many files were written.
pub fn write_fixtures(root: &Path, fixtures: &[Fixture]) -> std::io::Result<usize> {
    for fixture in fixtures {
        let path = root.join(&fixture.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &fixture.bytes)?;
    }
    Ok(fixtures.len())
}

/// Builds the single fixture at `path` (relative to `testdata/`), without
/// paying for the others (the zip bomb takes seconds in debug builds).
pub fn fixture(path: &str) -> Option<Fixture> {
    let build = catalog::find(path)
        .map(|e| e.build)
        .or_else(|| evtx_catalog::find(path).map(|e| e.build))
        .or_else(|| hive_catalog::find(path).map(|e| e.build))
        .or_else(|| prefetch_catalog::find(path).map(|e| e.build))
        .or_else(|| scenarios::find(path))?;
    Some(Fixture {
        path: path.to_owned(),
        bytes: build(),
    })
}
