//! Event-log handling: the chunked EVTX reader, record selection, typed events, the checks and
//! the process-tree pass.
#![no_main]

use ddesweep::detect::eventlog::LogContext;
use ddesweep::pipeline::check_event_log;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_panics();
    let ctx = LogContext {
        evidence: "fuzz",
        source_path: "fuzz.evtx",
    };
    let _ = check_event_log(data, &ctx, common::profile());
});
