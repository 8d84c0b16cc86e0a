//! Event logs: the chunked EVTX reader, record selection, typed events, the checks and the
//! process-tree pass.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("evtx", data));
