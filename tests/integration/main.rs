//! Integration tests: the real `ddesweep` binary over the generated fixtures in `testdata/`.
//!
//! Each module covers one theme; `util` gives every test a fresh output folder and reads the
//! timeline and manifest back as JSON.

mod util;

mod cli;
mod corpus;
mod documents;
mod encrypted;
mod evasions;
mod eventlog;
mod eventlog_corpus;
mod evidence;
mod fixtures;
mod fuzz_regressions;
mod hive_corpus;
mod hives;
mod hostile;
mod images;
mod images_corpus;
mod images_hostile;
mod legacy_excel;
mod legacy_word;
mod memory;
mod mutation;
mod objects;
mod prefetch;
mod report;
mod report_html;
mod resource_bounds;
mod robustness;
mod scenarios;
mod timeline;
mod xml_formats;
