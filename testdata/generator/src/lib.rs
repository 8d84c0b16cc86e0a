//! Test-fixture generator for `ddesweep`.
//!
//! Builds, deterministically and byte for byte identically on every run, the
//! documents under `testdata/` (positive, negative and hostile samples plus a
//! small triage folder) and an in-memory benchmark corpus. The builder
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
pub mod excel;
pub mod hostile;
pub mod msg;
pub mod negative;
pub mod objects;
pub mod office_xml;
pub mod ooxml;
pub mod positive;
pub mod props;
pub mod prose;
pub mod rtf;
pub mod slides;
pub mod text;
pub mod word;
pub mod word_extras;
pub mod xlsb;

use std::path::Path;

pub use bench::{bench_carries_dde, bench_corpus};
pub use excel::xlsx;
pub use word::{docx, fld_char_field, word_body};

/// One generated file: path relative to `testdata/`, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// Every fixture of `testdata/` (`documents/` and `sample-evidence/`), in
/// the fixed order of [`catalog::CATALOG`].
pub fn fixtures() -> Vec<Fixture> {
    catalog::CATALOG
        .iter()
        .map(|e| Fixture {
            path: e.path.to_owned(),
            bytes: (e.build)(),
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
    catalog::find(path).map(|e| Fixture {
        path: e.path.to_owned(),
        bytes: (e.build)(),
    })
}
