//! Integration tests: the real `ddesweep` binary over the generated fixtures in `testdata/`.
//!
//! Each module covers one theme; `util` gives every test a fresh output folder and reads the
//! timeline and manifest back as JSON.

mod util;

mod cli;
mod corpus;
mod documents;
mod evidence;
mod fixtures;
mod hostile;
mod legacy_excel;
mod timeline;
